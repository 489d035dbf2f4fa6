//! `test_event_code_present`: a server payload that still carries Meta's test
//! event code.

use std::collections::BTreeMap;

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::identity::clip;
use crate::journey::Journey;

pub struct Rule;

const CODE: &str = "test_event_code_present";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "the payload carries `test_event_code` (right for Test Events, wrong in production)",
    explanation: "test_event_code routes events to Events Manager's Test Events tool. Meta's documentation says to use it only for testing and to remove it from production payloads: a live integration that still sends it was left in a test setting, and what you see here may not be what production sends.",
    probably_broke: "A test code set in the integration's settings (or an environment variable) for set-up was never cleared, or this payload was copied from the Test Events tool rather than from production logs.",
    first_check: "Check where the integration takes test_event_code from and make sure production requests go out without it; then paste a payload from production logs.",
    not_yet: "Do not judge the server side from a test payload alone; compare with a production request before calling the setup done.",
    source: Some("https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api#testEvents"),
};

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Journey
    }
    fn check_journey(&self, j: &Journey, out: &mut Vec<Finding>) {
        let Some(server) = &j.server else { return };
        // One finding per input and code, naming the events it came with.
        let mut by_code: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
        for s in server {
            if let Some(code) = &s.sent.test_event_code {
                by_code
                    .entry((s.source.as_str(), code.as_str()))
                    .or_default()
                    .push(s.place.as_str());
            }
        }
        for ((source, code), places) in by_code {
            out.push(Finding::journey(
                CODE,
                SEVERITY.of_any_event(),
                format!(
                    "{source} sends test_event_code \"{}\" with {} event(s) ({}); remove it from production requests",
                    clip(code),
                    places.len(),
                    places.join(", ")
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn a_production_body_has_no_test_code() {
        let body = r#"{"data": [{"event_name": "Purchase", "event_time": 1700000001, "event_id": "order-1001", "action_source": "website"}]}"#;
        assert!(clean_journey().server(body).only("test_event_code_present").is_empty());
        // Some integrations send an empty code when not testing: nothing is routed.
        let empty = r#"{"data": [{"event_name": "Purchase", "event_id": "order-1001"}], "test_event_code": ""}"#;
        assert!(clean_journey().server(empty).only("test_event_code_present").is_empty());
    }

    #[test]
    fn a_test_code_warns_once_per_payload() {
        let body = r#"{"data": [{"event_name": "AddToCart", "event_id": "atc-1"}, {"event_name": "Purchase", "event_id": "order-1001"}], "test_event_code": "TEST4242"}"#;
        let f = clean_journey().server(body).only("test_event_code_present");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, crate::rules::Severity::Warn);
        assert_eq!(
            f[0].message,
            "capi.json sends test_event_code \"TEST4242\" with 2 event(s) (data[0], data[1]); remove it from production requests"
        );
        assert_eq!(f[0].event, None, "about the payload, not one event");
    }
}
