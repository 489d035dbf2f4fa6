//! `value_mismatch`: the Purchase value/currency does not reconcile to the order.
//!
//! An order with post-purchase upsells (`crate::purchases`) is judged by the
//! sum of its Purchases as the store sent them; one whose later Purchase sends
//! earlier items again is `upsell_value_counted_twice`'s, and a pair that
//! mixes the order's shop and presentment money is `value_currency_mixed`'s.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, SeverityRule};
use crate::journey::Journey;
use crate::purchases::judge;

pub struct Rule;

const CODE: &str = "value_mismatch";
const SEVERITY: SeverityRule = SeverityRule::FailUnexplained;

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "Purchase value/currency (an order with post-purchase upsells: the sum of its Purchases) does not reconcile to the order's shop or presentment pair; the explanation names the component (shipping, tax, discount) that accounts for the gap when one does",
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
        for judged in judge(j, order, false, true) {
            let Ok(r) = &judged.result else { continue }; // parts in two currencies: the money check says so
            if r.matches || r.mixed {
                continue;
            }
            let ev = judged.hits.first().map_or("Purchase", |h| h.event_name());
            out.push(
                Finding::about(
                    CODE,
                    SEVERITY.of_explained(ev, !r.explained_by.is_empty()),
                    &judged.hits,
                    format!("{}: {}", judged.label, r.detail),
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

    fn upsell(first: &str, then_ids: &str, then_value: &str) -> J {
        J::new()
            .nav("https://shop.test/checkouts/c/abc/thank_you")
            .hit(
                "Purchase",
                &[
                    ("eid", "order-1001"),
                    ("cd[order_id]", "1001"),
                    ("cd[content_ids]", "[\"SHIRT\"]"),
                    ("cd[value]", first),
                    ("cd[currency]", "USD"),
                ],
            )
            .hit(
                "Purchase",
                &[
                    ("eid", "order-1001-upsell-1"),
                    ("cd[order_id]", "1001"),
                    ("cd[content_ids]", then_ids),
                    ("cd[value]", then_value),
                    ("cd[currency]", "USD"),
                ],
            )
            .order(r#"{"total": 79.0, "currency": "USD", "shipping": 10.0}"#)
    }

    #[test]
    fn an_order_with_an_upsell_is_judged_by_its_sum() {
        assert!(upsell("59.00", "[\"SOCKS\"]", "20.00")
            .only("value_mismatch")
            .is_empty());
        let f = upsell("59.00", "[\"SOCKS\"]", "25.00").only("value_mismatch");
        assert_eq!(severities(&f), vec![Severity::Fail]);
        assert_eq!(f[0].hit_ids, vec![1, 2]);
        assert!(
            f[0].message
                .starts_with("Purchases #1 59.00 + #2 25.00 (upsell) = 84.00: value 84.00 differs"),
            "{}",
            f[0].message
        );
        // The whole order sent again is the upsell code's, not this one's.
        assert!(upsell("59.00", "[\"SHIRT\",\"SOCKS\"]", "79.00")
            .only("value_mismatch")
            .is_empty());
    }
}
