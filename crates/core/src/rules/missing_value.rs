//! `missing_value`: a money event without `cd[value]`.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity};
use crate::journey::Journey;
use crate::model::Hit;

pub struct Rule;

static INFO: RuleInfo = RuleInfo {
    code: "missing_value",
    severity: "fail for Purchase, warn for AddToCart/InitiateCheckout",
    when: "no `cd[value]`",
    explanation: "Without a value Meta cannot report return on ad spend or optimise for value; a Purchase without one is counted as worth nothing.",
    probably_broke: "The track call passes no value, or the template variable that should hold the order total is empty on this page.",
    first_check: "Open the hit's decoded parameters and the sender's track call; check the variable that should fill value on this page.",
    not_yet: "Do not switch the campaign to value optimisation or judge ROAS until Purchase carries a value.",
};

/// Severity for a missing money field, or `None` when the event needs none.
pub(crate) fn money_severity(event: &str) -> Option<Severity> {
    match event {
        "Purchase" => Some(Severity::Fail),
        "AddToCart" | "InitiateCheckout" => Some(Severity::Warn),
        _ => None,
    }
}

impl RuleTrait for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn scope(&self) -> Scope {
        Scope::Hit
    }
    fn check_hit(&self, _j: &Journey, hit: &Hit, out: &mut Vec<Finding>) {
        if let Some(sev) = money_severity(hit.event_name()) {
            if hit.custom("value").is_none() {
                out.push(Finding::about(
                    INFO.code,
                    sev,
                    &[hit],
                    format!("{} hit #{} has no cd[value]", hit.event_name(), hit.id),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;
    use crate::rules::Severity;

    #[test]
    fn missing_value_by_event() {
        let f = J::new()
            .nav("https://shop.test/")
            .hit("Purchase", &[("cd[currency]", "USD")])
            .hit("InitiateCheckout", &[])
            .only("missing_value");
        assert_eq!(severities(&f), vec![Severity::Fail, Severity::Warn]);
    }

    #[test]
    fn value_present_or_view_content_is_fine() {
        let f = J::new()
            .nav("https://shop.test/")
            .hit("Purchase", &[("cd[value]", "1.00")])
            .hit("ViewContent", &[])
            .only("missing_value");
        assert!(f.is_empty());
    }
}
