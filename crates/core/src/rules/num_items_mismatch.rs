//! `num_items_mismatch`: InitiateCheckout/Purchase `num_items` differs from the
//! cart/order item count.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;

pub struct Rule;

const CODE: &str = "num_items_mismatch";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "InitiateCheckout/Purchase `num_items` differs from the cart/order item count",
    explanation: "num_items should be the number of items bought (quantities summed). A different count usually means line items were counted instead of units, or a stale cart was read.",
    probably_broke: "The sender counts cart lines instead of summing quantities, or reads the cart before it is updated.",
    first_check: "Compare num_items with the order's quantities and fix the sender to sum quantities.",
    not_yet: "Do not use num_items in custom conversions or reports until it matches.",
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
        let sources = [
            (
                "Purchase",
                j.order_figures().and_then(|o| o.item_count),
                "the order",
                j.order_from_page(),
            ),
            // The cart count is always what the page exposed.
            ("InitiateCheckout", j.cart_item_count, "the cart", true),
        ];
        // An order with post-purchase upsells: its Purchases' num_items added up.
        let mut in_sums: Vec<u32> = Vec::new();
        if let Some(expected) = sources[0].1 {
            for o in crate::purchases::orders_with_parts(j) {
                let firsts: Vec<&crate::model::Hit> = o.parts.iter().filter_map(|p| p.hits.first().copied()).collect();
                in_sums.extend(o.parts.iter().flat_map(|p| p.hits.iter().map(|h| h.id)));
                let counts: Option<Vec<f64>> = firsts
                    .iter()
                    .map(|h| h.custom("num_items").and_then(|n| n.trim().parse::<f64>().ok()))
                    .collect();
                let Some(counts) = counts.filter(|c| c.len() == o.parts.len()) else {
                    continue;
                };
                let sum: f64 = counts.iter().sum();
                if (sum - f64::from(expected)).abs() > 0.001 {
                    let terms: Vec<String> = firsts
                        .iter()
                        .zip(&counts)
                        .map(|(h, n)| format!("#{} {n}", h.id))
                        .collect();
                    out.push(
                        Finding::about(
                            CODE,
                            SEVERITY.of("Purchase"),
                            &firsts,
                            format!(
                                "the order's Purchases say num_items {} = {sum} but the order has {expected} items",
                                terms.join(" + ")
                            ),
                        )
                        .page_reported(sources[0].3),
                    );
                }
            }
        }
        for (ev, expected, what, from_page) in sources {
            let Some(expected) = expected else { continue };
            for hit in j.hits_of(ev).filter(|h| !in_sums.contains(&h.id)) {
                // Quoted as sent (`{raw}`, not the parsed float): what the page wrote is the evidence.
                let Some(raw) = hit.custom("num_items") else { continue };
                let Ok(n) = raw.trim().parse::<f64>() else { continue };
                if (n - f64::from(expected)).abs() > 0.001 {
                    out.push(
                        Finding::about(
                            CODE,
                            SEVERITY.of(ev),
                            &[hit],
                            format!("{ev} #{} says num_items {raw} but {what} has {expected} items", hit.id),
                        )
                        .page_reported(from_page),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn an_order_with_an_upsell_counts_the_items_of_all_its_purchases() {
        // Two tees, then a pair of socks after the offer: three items.
        let order = r#"{"total": 88.0, "currency": "USD", "item_count": 3}"#;
        let j = with_upsell(r#"["socks-1"]"#, "order-1001-upsell-1", "20.00").order(order);
        assert!(j.only("num_items_mismatch").is_empty());
        let order = r#"{"total": 88.0, "currency": "USD", "item_count": 4}"#;
        let f = with_upsell(r#"["socks-1"]"#, "order-1001-upsell-1", "20.00")
            .order(order)
            .only("num_items_mismatch");
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "the order's Purchases say num_items #5 2 + #6 1 = 3 but the order has 4 items"
        );
    }

    #[test]
    fn purchase_count_differs_from_order() {
        let order = r#"{"total": 68.0, "currency": "USD", "item_count": 3}"#;
        let found = clean_journey().order(order).only("num_items_mismatch");
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("says num_items 2 but"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn the_message_quotes_num_items_as_sent() {
        let order = r#"{"total": 10.0, "currency": "USD", "item_count": 2}"#;
        let found = J::new()
            .nav("https://shop.test/checkouts/cn/x/thank_you")
            .hit(
                "Purchase",
                &[
                    ("cd[value]", "10.00"),
                    ("cd[currency]", "USD"),
                    ("cd[num_items]", "3.0"),
                ],
            )
            .order(order)
            .only("num_items_mismatch");
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("says num_items 3.0 but"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn same_count_or_no_order_is_fine() {
        let order = r#"{"total": 68.0, "currency": "USD", "item_count": 2}"#;
        assert!(clean_journey().order(order).only("num_items_mismatch").is_empty());
        assert!(clean_journey().only("num_items_mismatch").is_empty());
    }
}
