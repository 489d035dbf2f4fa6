//! `event_chain_incomplete`: a core event never seen in the journey.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;
use crate::model::PageKind;
use crate::tables::CORE_EVENTS;

pub struct Rule;

const CODE: &str = "event_chain_incomplete";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "a core event was never seen in the journey (a Purchase missing on a reached order page is `browser_purchase_missing`)",
    explanation: "The test order should produce ViewContent, AddToCart, InitiateCheckout and Purchase. A missing step leaves a hole in the funnel Meta optimises on.",
    probably_broke: "The step's sender is not installed on that page type, fires under another name, or the test skipped the step (e.g. Buy it now skips the cart).",
    first_check: "Repeat the step in the store and watch the timeline; if nothing fires, check the sender that should own the event.",
    not_yet: "Do not optimise campaigns for a step that is not tracked.",
    source: None,
};

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Journey
    }
    fn check_journey(&self, j: &Journey, out: &mut Vec<Finding>) {
        if !j.has_hits() {
            return; // nothing captured: no evidence either way
        }
        // Order pages are indexed; scanning every page view ran on each new hit.
        // Only an order page known by its URL hands the missing Purchase over
        // to `browser_purchase_missing`: one the page claimed adds that finding
        // and takes nothing away.
        let order_page = j
            .order_pages
            .values()
            .flatten()
            .any(|&pv| j.page_views[pv].kind == PageKind::ThankYou && !j.page_views[pv].kind_from_page);
        for (rank, ev) in CORE_EVENTS.iter().enumerate() {
            if j.first_core[rank].is_some() || (*ev == "Purchase" && order_page) {
                continue;
            }
            out.push(
                Finding::journey(CODE, SEVERITY.of(ev), format!("no {ev} was seen in this journey")).with_event(ev),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn missing_steps_warn_each() {
        let f = J::new()
            .nav("https://shop.test/products/a")
            .hit("ViewContent", &[])
            .only("event_chain_incomplete");
        let events: Vec<_> = f.iter().filter_map(|f| f.event.clone()).collect();
        assert_eq!(events, vec!["AddToCart", "InitiateCheckout", "Purchase"]);
    }

    #[test]
    fn complete_chain_or_empty_capture_is_silent() {
        assert!(clean_journey().only("event_chain_incomplete").is_empty());
        assert!(J::new()
            .nav("https://shop.test/")
            .only("event_chain_incomplete")
            .is_empty());
    }
}
