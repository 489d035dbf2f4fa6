//! `value_mismatch`: the Purchase value/currency does not reconcile to the order.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, SeverityRule};
use crate::journey::Journey;
use crate::money::reconcile;

pub struct Rule;

const CODE: &str = "value_mismatch";
const SEVERITY: SeverityRule = SeverityRule::FailUnexplained;

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "Purchase value/currency does not reconcile to the order; the explanation names the component (shipping, tax, discount, currency) that accounts for the gap when one does",
    explanation: "Meta's reported revenue and ROAS come from this value. If it is not the order total, every revenue comparison with Shopify is off by the gap.",
    probably_broke: "The sender reads the subtotal (before shipping and tax), the pre-discount price, or another currency instead of the order total.",
    first_check: "Compare the hit's value with the order figures shown; use the order total (or decide deliberately to exclude shipping/tax and record why).",
    not_yet: "Do not compare ROAS between Meta and Shopify until the value reconciles or the difference is recorded as intended.",
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
        let Some(order) = j.order_figures() else { return };
        for hit in j.hits_of("Purchase") {
            let Some(value) = hit.value() else { continue }; // invalid/missing values have their own codes
            let r = reconcile(value, hit.currency(), order);
            if r.matches {
                continue;
            }
            out.push(
                Finding::about(
                    CODE,
                    SEVERITY.of_explained(hit.event_name(), !r.explained_by.is_empty()),
                    &[hit],
                    format!("Purchase #{}: {}", hit.id, r.detail),
                )
                .page_reported(j.order_from_page()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;
    use crate::rules::Severity;

    const ORDER: &str = r#"{"order":{"order_number":1001,"currency":"USD","total_price":"78.00","subtotal_price":"68.00","total_tax":"0.00","total_discounts":"0.00","total_shipping_price_set":{"shop_money":{"amount":"10.00","currency_code":"USD"}},"line_items":[{"quantity":2}]}}"#;

    #[test]
    fn subtotal_sent_while_order_has_shipping_is_explained() {
        let f = clean_journey().order(ORDER).only("value_mismatch");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warn);
        assert!(f[0].message.contains("shipping"), "{}", f[0].message);
    }

    #[test]
    fn unexplained_gap_fails_and_match_is_silent() {
        let f = clean_journey()
            .order(&ORDER.replace("78.00", "91.37"))
            .only("value_mismatch");
        assert_eq!(severities(&f), vec![Severity::Fail]);
        let f = clean_journey()
            .order(&ORDER.replace("78.00", "68.00"))
            .only("value_mismatch");
        assert!(f.is_empty());
        assert!(
            clean_journey().only("value_mismatch").is_empty(),
            "no order: no finding"
        );
    }
}
