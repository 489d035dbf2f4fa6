//! `server_response_error`: Meta's pasted response says it refused a
//! Conversions API request.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;

pub struct Rule;

const CODE: &str = "server_response_error";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Fail);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "Meta's response to a supplied server payload is an error (`{\"error\": {...}}`): the request was refused; the message quotes Meta's message, code, error_subcode and fbtrace_id",
    explanation: "When the Graph API answers a Conversions API request with an error, none of the request's events were received: the server side of the setup sent nothing Meta counts, whatever the payload looks like.",
    probably_broke: "An expired or wrong access token, a pixel id the token cannot reach, or a payload Meta cannot read (an event older than 7 days, an invalid parameter): Meta's message and error_subcode say which.",
    first_check: "Read Meta's message, code and error_subcode in the finding and look them up in Meta's Graph API error reference; if it is unclear, give Meta's support the fbtrace_id quoted here.",
    not_yet: "Do not retry the same request in a loop; an error that is not transient comes back the same, and the server's logs will only fill with it.",
    source: Some("https://developers.facebook.com/docs/graph-api/guides/error-handling"),
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
            let Some(e) = &resp.error else { continue };
            let mut f = Finding::journey(
                CODE,
                SEVERITY.of_any_event(),
                format!(
                    "Meta refused {} ({}): {}",
                    r.describe(),
                    resp.source,
                    e.describe(resp.trace_id())
                ),
            );
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

    pub(crate) const PURCHASE: &str = r#"{"data": [{"event_name": "Purchase", "event_time": 1700000001, "event_id": "order-1001", "action_source": "website", "event_source_url": "https://shop.test/checkouts/cn/abc123/thank_you", "user_data": {"em": ["309a0a5c3e211326ae75ca18196d301a9bdbd1a882a4d2569511033da23f0abd"], "client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0"}, "custom_data": {"value": "68.00", "currency": "USD"}}]}"#;

    fn response(j: J, text: &str) -> J {
        j.record(Record::ServerResponse(UserText {
            label: "response.json".into(),
            text: text.into(), order_name: None,
                pixel_id: None, 
        }))
    }

    #[test]
    fn a_refused_request_fails_quoting_meta() {
        let f = response(
            clean_journey().server(PURCHASE),
            r#"{"error": {"message": "Invalid OAuth access token - Cannot parse access token", "type": "OAuthException", "code": 190, "fbtrace_id": "AjQ1Yw9yMt3xZ"}}"#,
        )
        .only("server_response_error");
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "Meta refused capi.json data (1 event) (response.json): \"Invalid OAuth access token - Cannot parse access token\" (code 190, fbtrace_id AjQ1Yw9yMt3xZ)"
        );
        assert_eq!(f[0].severity, crate::rules::Severity::Fail);
        assert_eq!(f[0].event.as_deref(), Some("Purchase"));
    }

    #[test]
    fn an_accepted_request_or_no_response_is_silent() {
        let ok = response(
            clean_journey().server(PURCHASE),
            r#"{"events_received": 1, "messages": [], "fbtrace_id": "A3kPq8ZrXb"}"#,
        );
        assert!(ok.only("server_response_error").is_empty());
        assert!(clean_journey()
            .server(PURCHASE)
            .only("server_response_error")
            .is_empty());
    }

    #[test]
    fn a_response_without_a_payload_before_it_is_an_input_error() {
        let s = response(clean_journey(), r#"{"events_received": 1}"#).session();
        let e = &s.journey().input_errors;
        assert_eq!(e.len(), 1);
        assert!(
            e[0].problem
                .contains("no readable Conversions API payload comes before"),
            "{e:?}"
        );
        let s = response(
            clean_journey().server(PURCHASE),
            r#"{"events_received": 1} {"events_received": 1}"#,
        )
        .session();
        assert!(s.journey().input_errors[0]
            .problem
            .contains("2 responses for a payload of 1 request"));
    }
}
