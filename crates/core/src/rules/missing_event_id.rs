//! `missing_event_id`: a core event hit without `eid` cannot be merged with its
//! Conversions API twin, so Meta counts both.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, SeverityRule};
use crate::journey::Journey;
use crate::model::Hit;

pub struct Rule;

const CODE: &str = "missing_event_id";
const SEVERITY: SeverityRule = SeverityRule::FailFor(&["Purchase"]);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "a core event hit has no `eid`",
    explanation: "Without an event id Meta cannot tell that this browser event and the matching Conversions API event are the same action, so it counts both.",
    probably_broke: "The sender calls fbq('track', ...) without the fourth argument {eventID: ...}, or a second sender fires its own copy without one.",
    first_check: "Find the sender named on the hit and check that its track call passes {eventID: <the id the server also sends>} as the fourth argument.",
    not_yet: "Do not turn on the Conversions API for this event (or raise its budget) until the browser hit carries the same id as the server event.",
    source: Some("https://developers.facebook.com/docs/marketing-api/conversions-api/deduplicate-pixel-and-server-events"),
};

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Hit
    }
    fn check_hit(&self, _j: &Journey, hit: &Hit, out: &mut Vec<Finding>) {
        if hit.is_core() && hit.event_id.is_none() {
            let ev = hit.event_name();
            out.push(Finding::about(
                CODE,
                SEVERITY.of(ev),
                &[hit],
                format!(
                    "{ev} hit #{} has no eid, so it cannot be deduplicated against a server event",
                    hit.id
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;
    use crate::rules::Severity;

    #[test]
    fn purchase_without_eid_fails_and_add_to_cart_warns() {
        let f = J::new()
            .nav("https://shop.test/thank_you")
            .hit("Purchase", &[])
            .hit("AddToCart", &[])
            .only("missing_event_id");
        assert_eq!(severities(&f), vec![Severity::Fail, Severity::Warn]);
        assert_eq!(f[0].event.as_deref(), Some("Purchase"));
    }

    #[test]
    fn eid_present_or_non_core_event_is_fine() {
        let f = J::new()
            .nav("https://shop.test/")
            .hit("Purchase", &[("eid", "o-1")])
            .hit("PageView", &[])
            .hit("Purchase", &[("eid", "  ")]);
        let f = f.only("missing_event_id");
        // only the blank eid counts as missing
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].hit_ids, vec![3]);
    }
}
