//! `missing_currency`: a money event without `cd[currency]`.

use super::missing_value::MONEY_EVENTS;
use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, SeverityRule};
use crate::journey::Journey;
use crate::model::Hit;

pub struct Rule;

const CODE: &str = "missing_currency";
const SEVERITY: SeverityRule = SeverityRule::FailFor(&["Purchase"]);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "a Purchase, AddToCart or InitiateCheckout hit has no `cd[currency]`",
    explanation: "A value without a currency is rejected or read in the ad account's currency, so revenue is wrong for any store that sells in another currency.",
    probably_broke: "The track call passes value but not currency, or the currency variable is empty on this page.",
    first_check: "Check the sender's track call on this page for currency: the shop's ISO code such as USD.",
    not_yet: "Do not compare Meta's revenue with Shopify's until every money event names its currency.",
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
        let ev = hit.event_name();
        if MONEY_EVENTS.contains(&ev) && hit.custom("currency").is_none() {
            out.push(Finding::about(
                CODE,
                SEVERITY.of(ev),
                &[hit],
                format!("{} hit #{} has no cd[currency]", hit.event_name(), hit.id),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;
    use crate::rules::Severity;

    #[test]
    fn missing_currency_on_purchase_fails() {
        let f = J::new()
            .nav("https://shop.test/")
            .hit("Purchase", &[("cd[value]", "5")])
            .only("missing_currency");
        assert_eq!(severities(&f), vec![Severity::Fail]);
    }

    #[test]
    fn currency_present_is_fine_even_when_invalid() {
        let f = J::new()
            .nav("https://shop.test/")
            .hit("Purchase", &[("cd[value]", "5"), ("cd[currency]", "usd")])
            .only("missing_currency");
        assert!(f.is_empty());
    }
}
