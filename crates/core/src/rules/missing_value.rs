//! `missing_value`: a money event without `cd[value]`.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, SeverityRule};
use crate::journey::Journey;
use crate::model::Hit;

pub struct Rule;

const CODE: &str = "missing_value";
const SEVERITY: SeverityRule = SeverityRule::FailFor(&["Purchase"]);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "a Purchase, AddToCart or InitiateCheckout hit has no `cd[value]`",
    explanation: "Without a value Meta cannot report return on ad spend or optimise for value; a Purchase without one is counted as worth nothing.",
    probably_broke: "The track call passes no value, or the template variable that should hold the order total is empty on this page.",
    first_check: "Open the hit's decoded parameters and the sender's track call; check the variable that should fill value on this page.",
    not_yet: "Do not switch the campaign to value optimisation or judge ROAS until Purchase carries a value.",
    source: Some("https://developers.facebook.com/docs/meta-pixel/reference"),
};

/// The events that must say what they are worth: the ones Meta reports
/// revenue or basket value for. Missing money on other events is no finding.
pub(crate) const MONEY_EVENTS: [&str; 3] = ["Purchase", "AddToCart", "InitiateCheckout"];

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Hit
    }
    fn check_hit(&self, _j: &Journey, hit: &Hit, out: &mut Vec<Finding>) {
        let ev = hit.event_name();
        if MONEY_EVENTS.contains(&ev) && hit.custom("value").is_none() {
            out.push(Finding::about(
                CODE,
                SEVERITY.of(ev),
                &[hit],
                format!("{} hit #{} has no cd[value]", hit.event_name(), hit.id),
            ));
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
