//! `server_batch_too_large`: a Conversions API request Meta refuses whole —
//! more events than it takes in one request, or one event whose fault sinks
//! the others sent with it.

use super::server::{lost_list, refused_for_age, short, span};
use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;

pub struct Rule;

const CODE: &str = "server_batch_too_large";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Fail);

/// The most events Meta takes in one request's `data`.
const MAX_EVENTS: usize = 1000;

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "one request's `data` holds more than 1,000 events, or an event Meta refuses the whole request for (an `event_time` over 7 days old) was sent with other events; the message names the events lost with it",
    explanation: "Meta takes at most 1,000 events in one request and refuses the whole request when it holds more, or when any event in it is older than 7 days: every event in it is lost, including the ones that were fine.",
    probably_broke: "The server queues events and flushes them in one call (a retry job, a nightly export, a backlog after an outage), so the batch grows past 1,000 or carries stale events along with fresh ones.",
    first_check: "Split the queue into requests of at most 1,000 events, send events as they happen, and drop events older than 7 days from the batch before sending instead of sending them with the rest.",
    not_yet: "Do not re-send the refused batch as it is; it will be refused again, and re-stamping old events with a new event_time counts them at the wrong moment.",
    source: Some("https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api#batch-requests"),
};

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Journey
    }
    fn check_journey(&self, j: &Journey, out: &mut Vec<Finding>) {
        if j.server_requests.is_empty() {
            return;
        }
        let ages = refused_for_age(j);
        for r in &j.server_requests {
            let events = j.request_events(r);
            let message = if events.len() > MAX_EVENTS {
                format!(
                    "{} holds {} events; Meta takes at most {MAX_EVENTS} per request and refuses the whole request, so all of them are lost: {}",
                    r.describe(),
                    events.len(),
                    lost_list(events.iter())
                )
            } else {
                let Some((stale, age)) = r
                    .events
                    .clone()
                    .find_map(|i| ages.get(i).copied().flatten().map(|a| (i, a)))
                else {
                    continue;
                };
                if events.len() < 2 {
                    continue;
                }
                let server = j.server.as_deref().unwrap_or_default();
                let others = r.events.clone().filter(|i| *i != stale).map(|i| &server[i]);
                format!(
                    "Meta refuses {} whole because {} has an event_time {} old (over 7 days); lost with it: {}",
                    r.describe(),
                    short(&server[stale]),
                    span(age),
                    lost_list(others)
                )
            };
            // About the request's most important event, for the card and the event filter.
            let mut f = Finding::journey(CODE, SEVERITY.of_any_event(), message);
            if let Some(s) = super::server::most_important(events) {
                f = f.with_event(&s.event_name);
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    /// A request as a server flushes a queue: AddToCart events of other
    /// shoppers, then the test order's Purchase.
    fn batch(add_to_carts: usize, extra: &str) -> String {
        let mut events: Vec<String> = (0..add_to_carts)
            .map(|i| {
                format!(
                    r#"{{"event_name": "AddToCart", "event_time": 1700000001, "event_id": "atc-q{i}", "action_source": "website", "user_data": {{"client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0"}}}}"#
                )
            })
            .collect();
        events.push(r#"{"event_name": "Purchase", "event_time": 1700000001, "event_id": "order-1001", "action_source": "website", "user_data": {"client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0"}, "custom_data": {"value": "68.00", "currency": "USD"}}"#.to_owned());
        if !extra.is_empty() {
            events.push(extra.to_owned());
        }
        format!(r#"{{"data": [{}]}}"#, events.join(","))
    }

    #[test]
    fn a_thousand_and_two_events_in_one_request_fail() {
        let f = clean_journey().server(&batch(1001, "")).only("server_batch_too_large");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, crate::rules::Severity::Fail);
        assert_eq!(f[0].event.as_deref(), Some("Purchase"));
        assert!(
            f[0].message.starts_with("capi.json data (1002 events) holds 1002 events; Meta takes at most 1000 per request and refuses the whole request, so all of them are lost: data[1001] (Purchase order-1001), data[0] (AddToCart atc-q0), "),
            "{}",
            f[0].message
        );
        assert!(f[0].message.ends_with("and 997 more"), "{}", f[0].message);
    }

    #[test]
    fn a_thousand_events_and_separate_requests_are_fine() {
        assert!(clean_journey()
            .server(&batch(999, ""))
            .only("server_batch_too_large")
            .is_empty());
        // The same events in two requests (two bodies one after another).
        let two = format!("{}\n{}", batch(600, ""), batch(600, ""));
        assert!(clean_journey().server(&two).only("server_batch_too_large").is_empty());
    }

    #[test]
    fn a_stale_event_takes_the_others_in_its_request_with_it() {
        let stale = format!(
            r#"{{"event_name": "Lead", "event_time": {}, "event_id": "lead-7", "action_source": "website"}}"#,
            1_700_000_000 - 9 * 86_400
        );
        let f = clean_journey().server(&batch(1, &stale)).only("server_batch_too_large");
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "Meta refuses capi.json data (3 events) whole because data[2] (Lead lead-7) has an event_time 9 days old (over 7 days); lost with it: data[1] (Purchase order-1001), data[0] (AddToCart atc-q0)"
        );
        // Sent on its own, the stale event sinks nothing else (its own code says it is too old).
        let alone = format!(r#"{{"data": [{stale}]}} {}"#, batch(1, ""));
        let j = clean_journey().server(&alone);
        assert!(j.only("server_batch_too_large").is_empty());
    }
}
