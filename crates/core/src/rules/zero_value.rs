//! `zero_value`: a Purchase worth 0.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;
use crate::model::Hit;

pub struct Rule;

const CODE: &str = "zero_value";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "Purchase value is 0",
    explanation: "A Purchase worth 0 is valid for a free order, but usually means the total was read before it was known.",
    probably_broke: "The sender reads the total from a variable that is still empty (or in the wrong unit) when the thank-you page fires.",
    first_check: "Compare the hit's value with the order total on the order status page; place a paid test order if this one was free.",
    not_yet: "Do not judge revenue in Ads Manager from this test order.",
    source: Some("https://developers.facebook.com/docs/meta-pixel/reference"),
};

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Hit
    }
    fn check_hit(&self, _j: &Journey, hit: &Hit, out: &mut Vec<Finding>) {
        if hit.event_name() == "Purchase" && hit.value() == Some(0.0) {
            out.push(Finding::about(
                CODE,
                SEVERITY.of(hit.event_name()),
                &[hit],
                format!("Purchase hit #{} has value 0", hit.id),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn zero_purchase_warns() {
        assert_eq!(
            J::new()
                .nav("https://shop.test/")
                .hit("Purchase", &[("cd[value]", "0.00")])
                .only("zero_value")
                .len(),
            1
        );
    }

    #[test]
    fn zero_add_to_cart_or_paid_purchase_is_fine() {
        let f = J::new()
            .nav("https://shop.test/")
            .hit("AddToCart", &[("cd[value]", "0")])
            .hit("Purchase", &[("cd[value]", "0.01")]);
        assert!(f.only("zero_value").is_empty());
    }
}
