//! `event_id_in_params`: the event id was put in custom data, where Meta does
//! not read it for deduplication.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;
use crate::model::Hit;

pub struct Rule;

const CODE: &str = "event_id_in_params";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Fail);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "an event id was put in custom data (`cd[eventID]`, `cd[event_id]`) instead of fbq's 4th argument, and the hit has no eid",
    explanation: "Meta deduplicates on the eid parameter, which fbevents fills only from the fourth argument of fbq('track', ...). An id inside the parameters is sent as ordinary custom data and ignored for deduplication.",
    probably_broke: "The track call was written fbq('track', 'Purchase', {value, currency, eventID}) with the id in the third argument.",
    first_check: "Move the id to the fourth argument: fbq('track', 'Purchase', {value, currency}, {eventID: id}).",
    not_yet: "Do not judge deduplication in Events Manager until the id moves; the server events will look unmatched.",
    source: Some("https://developers.facebook.com/docs/marketing-api/conversions-api/deduplicate-pixel-and-server-events"),
};

const KEYS: [&str; 4] = ["eventID", "event_id", "eventId", "eventid"];

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Hit
    }
    fn check_hit(&self, _j: &Journey, hit: &Hit, out: &mut Vec<Finding>) {
        // With the id also in eid, deduplication has what it reads: an extra
        // key in custom data is harmless (the dedup checks judge the eid).
        if hit.event_id.as_deref().is_some_and(|e| !e.is_empty()) {
            return;
        }
        // One pass over the parameters (four `custom` lookups each scanned
        // them all), and only those not named as fbevents names its own.
        let found = hit
            .decoded
            .params
            .others()
            .filter(|p| (11..=12).contains(&p.key.len())) // `cd[` + a key of KEYS + `]`
            .find_map(|p| crate::decode::bracket_inner(p.key, "cd").filter(|inner| KEYS.contains(inner)));
        if let Some(k) = found {
            out.push(Finding::about(
                CODE,
                SEVERITY.of(hit.event_name()),
                &[hit],
                format!(
                    "{} hit #{} carries cd[{k}]; the id belongs in fbq's fourth argument (eid)",
                    hit.event_name(),
                    hit.id
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    /// The rule reads only parameters of other names than fbevents' own.
    #[test]
    fn no_key_it_looks_for_is_a_known_key() {
        for k in super::KEYS {
            assert!(!crate::decode::KNOWN_KEYS.contains(&format!("cd[{k}]").as_str()), "{k}");
        }
    }

    #[test]
    fn id_in_custom_data_fails() {
        let f = J::new()
            .nav("https://shop.test/")
            .hit("Purchase", &[("cd[eventID]", "o-1")])
            .only("event_id_in_params");
        assert_eq!(f.len(), 1);
        let f = J::new()
            .nav("https://shop.test/")
            .hit("AddToCart", &[("cd[event_id]", "a")])
            .only("event_id_in_params");
        assert_eq!(f.len(), 1);
    }

    /// An id in custom data beside the eid parameter takes nothing from
    /// deduplication.
    #[test]
    fn an_id_in_custom_data_beside_eid_is_fine() {
        let f = J::new()
            .nav("https://shop.test/")
            .hit("Purchase", &[("eid", "order-1001"), ("cd[event_id]", "order-1001")])
            .only("event_id_in_params");
        assert!(f.is_empty());
    }

    #[test]
    fn eid_parameter_and_similar_custom_keys_are_fine() {
        let f = J::new()
            .nav("https://shop.test/")
            .hit(
                "Purchase",
                &[("eid", "o-1"), ("cd[event_name]", "x"), ("cd[order_id]", "1")],
            )
            .only("event_id_in_params");
        assert!(f.is_empty());
    }
}
