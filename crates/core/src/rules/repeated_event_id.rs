//! `repeated_event_id`: the same eid sent more than once for one event.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;
use crate::model::Hit;

pub struct Rule;

const CODE: &str = "repeated_event_id";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "the same pixel got the same event with the same eid more than once",
    explanation: "Meta keeps the first event with a given id and drops the repeats, so nothing is double-counted; but a repeated id often means a sender fires twice, or ids are not unique per action (a constant id merges real, separate actions).",
    probably_broke: "A sender fires twice with the same id (a listener bound twice, a page re-render), or the id is not unique (a constant, the product id, the cart token reused across actions).",
    first_check: "Check whether the repeats are one action (then remove the second firing) or separate actions (then make the id unique per action, e.g. from the order number).",
    not_yet: "Do not count repeats as lost conversions in reports until you know which case this is.",
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
        // A post-purchase upsell under its order's first event id is
        // `upsell_event_id_reused`'s (one cause, one finding).
        let mut upsell_ids: Option<Vec<(String, String)>> = None;
        for ((pixel, event), summary) in &j.events {
            for (eid, hits) in &summary.repeated {
                if event == "Purchase" {
                    let reused = upsell_ids.get_or_insert_with(|| {
                        crate::purchases::orders_with_parts(j)
                            .iter()
                            .flat_map(|o| {
                                o.parts
                                    .iter()
                                    .filter(|p| matches!(p.role, crate::purchases::Role::ReusesEventId { .. }))
                                    .filter_map(|p| Some((o.pixel.clone(), p.event_id()?.to_owned())))
                            })
                            .collect()
                    });
                    if reused.iter().any(|(p, e)| p == pixel && e == eid) {
                        continue;
                    }
                }
                let hs: Vec<&Hit> = hits.iter().map(|&i| j.hit(i)).collect();
                out.push(Finding::about(
                    CODE,
                    SEVERITY.of(event),
                    &hs,
                    format!("{event} sent {} times with eid \"{eid}\"", hs.len()),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn same_eid_twice_warns() {
        let j = J::new()
            .nav("https://shop.test/thank_you")
            .hit("Purchase", &[("eid", "o-1")])
            .hit("Purchase", &[("eid", "o-1")]);
        let f = j.only("repeated_event_id");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].hit_ids, vec![1, 2]);
    }

    #[test]
    fn an_upsell_under_its_orders_id_is_left_to_the_upsell_code() {
        let j = with_upsell(r#"["socks-1"]"#, "order-1001", "20.00");
        assert!(j.only("repeated_event_id").is_empty());
        let j = with_upsell(r#"["tee-1"]"#, "order-1001", "68.00");
        assert_eq!(
            j.only("repeated_event_id").len(),
            1,
            "the same Purchase again is a repeat"
        );
    }

    #[test]
    fn distinct_eids_or_other_events_are_fine() {
        let j = J::new()
            .nav("https://shop.test/")
            .hit("AddToCart", &[("eid", "a-1")])
            .hit("AddToCart", &[("eid", "a-2")])
            .hit("ViewContent", &[("eid", "a-1")]);
        assert!(j.only("repeated_event_id").is_empty());
    }
}
