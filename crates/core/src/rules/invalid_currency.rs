//! `invalid_currency`: not an upper-case ISO 4217 code Meta accepts.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;
use crate::model::Hit;
use crate::money::currency_problem;

pub struct Rule;

const CODE: &str = "invalid_currency";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Fail);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "currency is not an upper-case ISO 4217 code Meta accepts",
    explanation: "Meta only accepts upper-case ISO 4217 codes from its currency list; anything else (usd, $, US Dollar) makes the value unusable.",
    probably_broke: "The sender passes a lower-case code, a symbol, or a display name instead of the shop's ISO currency code.",
    first_check: "Use the shop's currency code as Shopify exposes it (Shopify.currency.active), in upper case.",
    not_yet: "Do not compare revenue between Meta and Shopify until the currency is valid.",
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
        if let Some(problem) = hit.currency().and_then(currency_problem) {
            out.push(Finding::about(
                CODE,
                SEVERITY.of(hit.event_name()),
                &[hit],
                format!("{} hit #{}: {problem}", hit.event_name(), hit.id),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn lower_case_and_symbols_fail() {
        for bad in ["usd", "$", "US Dollar", "XYZ", ""] {
            assert_eq!(
                J::new()
                    .nav("https://shop.test/")
                    .hit("AddToCart", &[("cd[currency]", bad)])
                    .only("invalid_currency")
                    .len(),
                1,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn upper_case_meta_currency_is_fine() {
        assert!(J::new()
            .nav("https://shop.test/")
            .hit("AddToCart", &[("cd[currency]", "EUR")])
            .only("invalid_currency")
            .is_empty());
    }
}
