//! `fbc_missing`: the shopper landed from an ad click, but the core events do
//! not carry the click id.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::identity::{clip, hit_refs, landing_fbclid};
use crate::journey::Journey;
use crate::tables::CORE_EVENTS;

pub struct Rule;

const CODE: &str = "fbc_missing";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "the journey landed with `fbclid` in the URL but its core-event hits carry no fbc",
    explanation: "When a shopper arrives from an ad, the pixel keeps the click id (fbclid) in the _fbc cookie and sends it as fbc with every event; that is how Meta ties the purchase to the click. Without it, the conversion can only be attributed by weaker signals, or not at all.",
    probably_broke: "A redirect dropped fbclid before the pixel loaded (a language or currency redirect, a consent wall), the pixel's first-party cookies are switched off, or the sender (a custom pixel, a tag manager template) does not pass fbc.",
    first_check: "Open the landing URL with a test fbclid and check in the panel's timeline which page view first lacks it, and whether the _fbc cookie exists on the store's domain.",
    not_yet: "Do not build fbc from anything but the landing URL's fbclid or the _fbc cookie; an invented click id is worse than none.",
    source: Some("https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/fbp-and-fbc"),
};

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Journey
    }
    fn check_journey(&self, j: &Journey, out: &mut Vec<Finding>) {
        if j.core_without_fbc.is_empty() {
            return;
        }
        let Some(landing) = landing_fbclid(j) else { return };
        for ev in CORE_EVENTS {
            let Some(without) = j.core_without_fbc.get(ev) else {
                continue;
            };
            let hits: Vec<&crate::model::Hit> = without.iter().map(|&i| j.hit(i)).collect();
            out.push(Finding::about(
                CODE,
                SEVERITY.of(ev),
                &hits,
                format!(
                    "the journey landed with fbclid {} but {ev} hit(s) {} carry no fbc",
                    clip(&landing),
                    hit_refs(&hits)
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    const CLICK: &str = "IwAR2F4-dbP0l7Mn1IawQQGCINEz7PYXQvwjNwB_qa2ofrHyiLjcbCRxTDGrc";

    #[test]
    fn core_hits_with_the_click_are_fine() {
        let fbc = format!("fb.1.1700000000400.{CLICK}");
        let j = J::new()
            .nav(&format!("https://shop.test/products/tee?fbclid={CLICK}"))
            .hit("PageView", &[("eid", "pv-1")])
            .hit("ViewContent", &[("eid", "vc-1"), ("fbc", fbc.as_str())]);
        assert!(
            j.only("fbc_missing").is_empty(),
            "a PageView without fbc is not a core event"
        );
        // No ad click, no fbc expected.
        assert!(clean_journey().only("fbc_missing").is_empty());
    }

    #[test]
    fn core_hits_without_the_click_warn_per_event() {
        let fbc = format!("fb.1.1700000000400.{CLICK}");
        let f = J::new()
            .nav(&format!("https://shop.test/?fbclid={CLICK}"))
            .nav("https://shop.test/products/tee")
            .hit("ViewContent", &[("eid", "vc-1")])
            .hit("AddToCart", &[("eid", "atc-1"), ("fbc", fbc.as_str())])
            .hit("AddToCart", &[("eid", "atc-2")])
            .only("fbc_missing");
        let m: Vec<(Option<&str>, &str)> = f.iter().map(|f| (f.event.as_deref(), f.message.as_str())).collect();
        assert_eq!(
            m,
            [
                (Some("ViewContent"), "the journey landed with fbclid IwAR2F4-dbP0l7Mn1IawQQGCINEz7PYXQvwjNwB_qa2ofrHyiLjcbCRxTDGrc but ViewContent hit(s) #1 carry no fbc"),
                (Some("AddToCart"), "the journey landed with fbclid IwAR2F4-dbP0l7Mn1IawQQGCINEz7PYXQvwjNwB_qa2ofrHyiLjcbCRxTDGrc but AddToCart hit(s) #3 carry no fbc"),
            ]
        );
    }
}
