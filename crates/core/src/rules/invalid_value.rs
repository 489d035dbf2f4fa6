//! `invalid_value`: `cd[value]` is not a plain non-negative decimal.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;
use crate::model::Hit;
use crate::money::value_problem;

pub struct Rule;

const CODE: &str = "invalid_value";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Fail);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "value is not a plain decimal (`$10`, `1,234.50`, `12,5`, empty, NaN) or is negative",
    explanation: "Meta reads value as a number. A formatted price such as $1,234.50 is dropped or misread, so reported revenue is wrong.",
    probably_broke: "The sender passes a display-formatted price (money filter, localised string) instead of the raw number.",
    first_check: "Find where the sender reads the price and use the numeric amount (e.g. the cents value divided by 100), not the formatted text.",
    not_yet: "Do not trust ROAS or value-based bidding until value is a plain number.",
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
        if let Some(problem) = hit.custom("value").and_then(value_problem) {
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
    fn formatted_prices_fail() {
        for bad in ["$1,234.50", "12,5", "", "NaN", "-4.00"] {
            let f = J::new()
                .nav("https://shop.test/")
                .hit("Purchase", &[("cd[value]", bad)])
                .only("invalid_value");
            assert_eq!(f.len(), 1, "{bad:?}");
        }
    }

    #[test]
    fn plain_decimal_is_fine() {
        let f = J::new()
            .nav("https://shop.test/")
            .hit("Purchase", &[("cd[value]", "1234.50")])
            .only("invalid_value");
        assert!(f.is_empty());
    }
}
