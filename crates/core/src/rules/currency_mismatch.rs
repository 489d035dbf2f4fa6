//! `currency_mismatch`: core events of one journey use different currencies.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;
use crate::model::Hit;

pub struct Rule;

const CODE: &str = "currency_mismatch";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "core events in one journey use different currencies",
    explanation: "One shopper's journey should be priced in one currency. A switch between events usually means one sender uses the shop currency and another the customer's currency.",
    probably_broke: "On a multi-currency store one sender reads the presentment (customer) currency and another the shop currency.",
    first_check: "Compare the senders of the hits listed; make them read the same currency source.",
    not_yet: "Do not compare funnel values across events until they share a currency.",
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
        if j.core_currencies.len() > 1 {
            let hits: Vec<&Hit> = j.core_currencies.values().map(|&i| j.hit(i)).collect();
            let list: Vec<String> = j
                .core_currencies
                .iter()
                .map(|(c, &i)| format!("{c} ({} #{})", j.hit(i).event_name(), j.hit(i).id))
                .collect();
            let mut f = Finding::about(
                CODE,
                SEVERITY.of_any_event(),
                &hits,
                format!("core events use {} currencies: {}", list.len(), list.join(", ")),
            );
            f.event = None;
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn two_currencies_warn() {
        let j = J::new()
            .nav("https://shop.test/")
            .hit("AddToCart", &[("cd[currency]", "USD")])
            .hit("Purchase", &[("cd[currency]", "EUR")]);
        assert_eq!(j.only("currency_mismatch").len(), 1);
    }

    #[test]
    fn one_currency_any_case_and_non_core_events_are_fine() {
        let j = J::new()
            .nav("https://shop.test/")
            .hit("AddToCart", &[("cd[currency]", "USD")])
            .hit("Purchase", &[("cd[currency]", "usd")])
            .hit("Lead", &[("cd[currency]", "EUR")]);
        assert!(j.only("currency_mismatch").is_empty());
    }
}
