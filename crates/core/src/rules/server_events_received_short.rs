//! `server_events_received_short`: Meta's pasted response counts fewer events
//! than the request sent.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;

pub struct Rule;

const CODE: &str = "server_events_received_short";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Fail);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "Meta's response to a supplied server payload has `events_received` below the number of events the request sent",
    explanation: "events_received is Meta's own count of the events it took from the request. Fewer than were sent means some events never reached Meta's processing, so the server side under-reports by that many.",
    probably_broke: "The payload pasted is not the one the server sent (a filter or a retry changed it on the way), or Meta dropped events it could not read; its messages, when any, say which.",
    first_check: "Compare the request the server logged with the payload pasted here, read Meta's messages quoted in the finding, and send the same request to Test Events to see which events arrive.",
    not_yet: "Do not count the missing events as sent in the reconciliation; Meta's count is the one campaigns see.",
    source: Some("https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api"),
};

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Journey
    }
    fn check_journey(&self, j: &Journey, out: &mut Vec<Finding>) {
        for r in &j.server_requests {
            let Some(resp) = &r.response else { continue };
            let Some(received) = resp.events_received else { continue };
            let sent = r.events.len() as u64;
            if received >= sent {
                continue;
            }
            let mut message = format!(
                "Meta received {received} of the {sent} events in {} ({})",
                r.describe(),
                resp.source
            );
            if !resp.messages.is_empty() {
                message.push_str(&format!("; Meta's messages: {}", resp.messages.join(" | ")));
            }
            if let Some(t) = resp.trace_id() {
                message.push_str(&format!("; fbtrace_id {t}"));
            }
            let mut f = Finding::journey(CODE, SEVERITY.of_any_event(), message);
            if let Some(s) = super::server::most_important(j.request_events(r)) {
                f = f.with_event(&s.event_name);
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::journal::{Record, UserText};
    use crate::rules::testkit::*;

    const TWO: &str = r#"{"data": [
        {"event_name": "AddToCart", "event_time": 1700000001, "event_id": "atc-1", "action_source": "website", "user_data": {"client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0"}},
        {"event_name": "Purchase", "event_time": 1700000001, "event_id": "order-1001", "action_source": "website", "user_data": {"client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0"}, "custom_data": {"value": "68.00", "currency": "USD"}}
    ]}"#;

    fn with_response(text: &str) -> J {
        clean_journey().server(TWO).record(Record::ServerResponse(UserText {
            label: "response.json".into(),
            text: text.into(), order_name: None,
                pixel_id: None, 
        }))
    }

    #[test]
    fn fewer_received_than_sent_fails() {
        let f = with_response(
            r#"{"events_received": 1, "messages": ["Event 1 dropped: invalid custom_data"], "fbtrace_id": "A9xQm2Lp"}"#,
        )
        .only("server_events_received_short");
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "Meta received 1 of the 2 events in capi.json data (2 events) (response.json); Meta's messages: Event 1 dropped: invalid custom_data; fbtrace_id A9xQm2Lp"
        );
        assert_eq!(f[0].severity, crate::rules::Severity::Fail);
        assert_eq!(f[0].event.as_deref(), Some("Purchase"));
        assert_eq!(
            with_response(r#"{"events_received": 0}"#)
                .only("server_events_received_short")
                .len(),
            1
        );
    }

    #[test]
    fn all_received_or_an_error_body_is_silent_here() {
        assert!(
            with_response(r#"{"events_received": 2, "messages": [], "fbtrace_id": "A9xQm2Lp"}"#)
                .only("server_events_received_short")
                .is_empty()
        );
        // A refusal is server_response_error's.
        assert!(
            with_response(r#"{"error": {"message": "Invalid parameter", "code": 100}}"#)
                .only("server_events_received_short")
                .is_empty()
        );
    }

    #[test]
    fn the_latest_response_to_a_payload_wins() {
        let j = with_response(r#"{"events_received": 1}"#).record(Record::ServerResponse(UserText {
            label: "retry.json".into(),
            text: r#"{"events_received": 2}"#.into(), order_name: None,
                pixel_id: None, 
        }));
        assert!(j.only("server_events_received_short").is_empty());
    }
}
