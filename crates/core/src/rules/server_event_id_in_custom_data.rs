//! `server_event_id_in_custom_data`: a server event that put its event id in
//! `custom_data`, where Meta does not read it.

use super::server::judge_server_events;
use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;

pub struct Rule;

const CODE: &str = "server_event_id_in_custom_data";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Fail);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "`event_id` or `eventID` inside custom_data instead of at the event's top level",
    explanation: "Meta deduplicates a server event with its browser twin only by the event_id at the top level of the event; inside custom_data it is an ordinary custom property, so the action is counted twice.",
    probably_broke: "The server copies the browser's fbq options ({eventID: …}) into custom_data, or a field mapping puts every extra field under custom_data.",
    first_check: "Move the id to the event's top level as event_id (next to event_name and event_time), with the same value the browser sends as eventID.",
    not_yet: "Do not drop the browser or the server event to stop the double count; fix the id and keep both.",
    source: Some("https://developers.facebook.com/docs/marketing-api/conversions-api/deduplicate-pixel-and-server-events"),
};

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Journey
    }
    fn check_journey(&self, j: &Journey, out: &mut Vec<Finding>) {
        judge_server_events(j, CODE, SEVERITY, out, |s| {
            if s.sent.custom_data_event_ids.is_empty() {
                return None;
            }
            let keys: Vec<String> = s
                .sent
                .custom_data_event_ids
                .iter()
                .map(|k| format!("custom_data.{k}"))
                .collect();
            let top = match &s.event_id {
                Some(_) => "the top-level event_id is set too, check the two agree",
                None => "the event has no top-level event_id",
            };
            Some(format!("the event id is in {} ({top})", keys.join(" and ")))
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn a_top_level_event_id_is_fine() {
        let body = r#"{"data": [{"event_name": "Purchase", "event_time": 1700000001, "event_id": "order-1001", "action_source": "website", "custom_data": {"value": 68.0, "currency": "USD", "order_id": "1001"}}]}"#;
        assert!(clean_journey()
            .server(body)
            .only("server_event_id_in_custom_data")
            .is_empty());
    }

    #[test]
    fn an_event_id_in_custom_data_fails() {
        let body = r#"{"data": [
            {"event_name": "Purchase", "event_time": 1700000001, "action_source": "website", "custom_data": {"value": 68.0, "currency": "USD", "eventID": "order-1001"}},
            {"event_name": "AddToCart", "event_time": 1700000001, "event_id": "atc-1", "action_source": "website", "custom_data": {"event_id": "atc-1"}}
        ]}"#;
        let f = clean_journey().server(body).only("server_event_id_in_custom_data");
        // Listed by event name, as findings without hits are.
        let m: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            m,
            [
                "capi.json data[1] (AddToCart): the event id is in custom_data.event_id (the top-level event_id is set too, check the two agree)",
                "capi.json data[0] (Purchase): the event id is in custom_data.eventID (the event has no top-level event_id)",
            ]
        );
        assert!(f.iter().all(|f| f.severity == crate::rules::Severity::Fail));
    }
}
