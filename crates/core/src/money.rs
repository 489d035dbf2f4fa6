//! Values and currencies: what Meta accepts, and how a value reconciles to an order.

use serde::Serialize;

use crate::inputs::OrderFigures;
pub use crate::number::parse_plain_decimal;
use crate::tables;

/// Amounts closer than this are equal (one cent).
pub const TOLERANCE: f64 = 0.005;

/// Why a value is not acceptable, or `None` when it is.
pub fn value_problem(raw: &str) -> Option<String> {
    match parse_plain_decimal(raw) {
        None if raw.is_empty() => Some("value is empty".into()),
        None => Some(format!(
            "value \"{raw}\" is not a plain decimal (digits and an optional '.', no currency sign, thousands separator or decimal comma)"
        )),
        Some(v) if v < 0.0 => Some(format!("value {raw} is negative")),
        Some(_) => None,
    }
}

/// Why a currency is not acceptable, or `None` when it is.
pub fn currency_problem(raw: &str) -> Option<String> {
    // The table is kept sorted (a test checks it): a binary search, not a scan.
    if tables::META_CURRENCIES.binary_search(&raw).is_ok() {
        return None;
    }
    let upper = raw.trim().to_ascii_uppercase();
    if iso_currency::Currency::from_code(&upper).is_some() {
        if upper != raw {
            Some(format!(
                "currency \"{raw}\" must be the upper-case ISO 4217 code \"{upper}\""
            ))
        } else {
            Some(format!(
                "currency \"{raw}\" is ISO 4217 but not one Meta accepts for ad accounts"
            ))
        }
    } else if raw.is_empty() {
        Some("currency is empty".into())
    } else {
        Some(format!("currency \"{raw}\" is not an ISO 4217 code"))
    }
}

/// The outcome of comparing a Purchase value to an order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reconciliation {
    pub value: f64,
    pub currency: Option<String>,
    pub order_total: f64,
    pub order_currency: Option<String>,
    pub matches: bool,
    /// Which of the order's money the value/currency pair is in: `shop` (the
    /// shop's currency) or `presentment` (the customer's, on a store selling
    /// in several currencies); absent when the currency is neither.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pair: Option<&'static str>,
    /// The pair mixes the order's two: the customer's amount with the shop's
    /// currency, or the reverse (`value_currency_mixed`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub mixed: bool,
    /// The order component(s) that account for the gap, when some do
    /// (e.g. `["shipping"]`, `["shipping", "tax"]`, `["discount"]`).
    pub explained_by: Vec<String>,
    /// Plain-language account of the gap.
    pub detail: String,
}

/// An amount with its currency, `59.00 USD`.
pub fn pair_text(value: f64, currency: Option<&str>) -> String {
    format!("{value:.2} {}", currency.unwrap_or("(no currency)"))
        .trim_end()
        .to_owned()
}

/// The order's money in one currency: its total and the components a gap
/// may come from.
struct Side<'a> {
    name: &'static str,
    total: f64,
    currency: Option<&'a str>,
    shipping: Option<f64>,
    tax: Option<f64>,
    discount: Option<f64>,
}

/// Compares a Purchase value/currency pair to the order. On a store that sells
/// in several currencies (Shopify Markets) the pair may be the order's shop
/// pair or its presentment (customer) pair: Meta converts either to the ad
/// account's currency. A pair that mixes the two is `mixed`.
pub fn reconcile(value: f64, currency: Option<&str>, order: &OrderFigures) -> Reconciliation {
    let order_currency = order.currency.clone();
    let mut r = Reconciliation {
        value,
        currency: currency.map(str::to_owned),
        order_total: order.total,
        order_currency: order_currency.clone(),
        matches: false,
        pair: None,
        mixed: false,
        explained_by: Vec::new(),
        detail: String::new(),
    };
    let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
    let shop = Side {
        name: "shop",
        total: order.total,
        currency: order.currency.as_deref(),
        shipping: order.shipping,
        tax: order.tax,
        discount: order.discount,
    };
    let presentment = order.presentment().map(|(total, cur)| Side {
        name: "presentment",
        total,
        currency: Some(cur),
        shipping: order.presentment_shipping,
        tax: order.presentment_tax,
        discount: order.presentment_discount,
    });
    let near = |a: f64, b: f64| (a - b).abs() < TOLERANCE;
    let shop_text = pair_text(shop.total, shop.currency);
    // Which side the pair's currency is on (no currency on either: the shop's).
    let (side, other) = match (currency, shop.currency, &presentment) {
        (Some(c), Some(sc), p) if !same(c, sc) => match p {
            Some(p) if p.currency.is_some_and(|pc| same(c, pc)) => (p, Some(&shop)),
            Some(p) => {
                r.detail = format!(
                    "currency {c} is neither the order's shop currency ({shop_text}) nor its customer currency ({})",
                    pair_text(p.total, p.currency)
                );
                return r;
            }
            None => {
                r.detail = format!("currency {c} differs from the order currency {sc}");
                return r;
            }
        },
        _ => (&shop, presentment.as_ref()),
    };
    r.pair = Some(side.name);
    // Two currencies: say which pair, and that Meta converts.
    let which = match (&presentment, side.name) {
        (Some(p), "shop") => format!(
            " (the order's shop pair; the customer paid {}; Meta converts the currency)",
            pair_text(p.total, p.currency)
        ),
        (Some(_), _) => format!(
            " (the order's presentment pair, the customer's currency; the shop's is {shop_text}; Meta converts the currency)"
        ),
        (None, _) => String::new(),
    };
    if near(value, side.total) {
        r.matches = true;
        r.detail = format!("value {value:.2} equals the order total{which}");
        return r;
    }
    // The other side's amount with this side's currency: a mixed pair.
    if let Some(o) = other.filter(|o| near(value, o.total)) {
        r.mixed = true;
        r.detail = format!(
            "value {} mixes the order's two pairs: {value:.2} is the {} amount ({}) but {} is the {} currency ({}); send one pair whole",
            pair_text(value, currency),
            if o.name == "shop" { "shop" } else { "customer's (presentment)" },
            pair_text(o.total, o.currency),
            currency.unwrap_or("?"),
            if side.name == "shop" { "shop" } else { "customer's (presentment)" },
            pair_text(side.total, side.currency),
        );
        return r;
    }
    r.order_total = side.total;
    r.order_currency = side.currency.map(str::to_owned);
    let gap = side.total - value;
    // Try each combination of components: value = total - shipping? - tax? + discount?
    let parts: [(&str, Option<f64>, f64); 3] = [
        ("shipping", side.shipping, 1.0),
        ("tax", side.tax, 1.0),
        ("discount", side.discount, -1.0),
    ];
    for mask in 1u8..8 {
        let mut explained = 0.0;
        let mut names = Vec::new();
        let mut usable = true;
        for (i, (name, amount, sign)) in parts.iter().enumerate() {
            if mask & (1 << i) != 0 {
                match amount {
                    Some(a) if a.abs() >= TOLERANCE => {
                        explained += sign * a;
                        names.push(name.to_string());
                    }
                    _ => usable = false,
                }
            }
        }
        if usable && (gap - explained).abs() < TOLERANCE {
            r.detail = describe(&names, value, side.total, side.currency);
            r.explained_by = names;
            return r;
        }
    }
    r.detail = format!(
        "value {value:.2} differs from the order total {:.2} by {:.2}, and no shipping, tax or discount figure accounts for it",
        side.total,
        gap.abs()
    );
    r
}

fn describe(names: &[String], value: f64, total: f64, currency: Option<&str>) -> String {
    let excluded: Vec<&str> = names.iter().filter(|n| *n != "discount").map(String::as_str).collect();
    let mut parts = Vec::new();
    if !excluded.is_empty() {
        parts.push(format!("leaves out {}", excluded.join(" and ")));
    }
    if names.iter().any(|n| n == "discount") {
        parts.push("is before the discount".to_string());
    }
    format!(
        "value {value:.2} {} (order total {total:.2} {})",
        parts.join(" and "),
        currency.unwrap_or("")
    )
    .trim_end()
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_decimals_only() {
        for ok in ["10", "10.5", "0", "0.00", "1234.50", "-3"] {
            assert!(parse_plain_decimal(ok).is_some(), "{ok}");
        }
        for bad in [
            "$10", "1,234.50", "12,5", "", "NaN", "1e3", " 10", "10.", ".5", "inf", "--1",
        ] {
            assert!(parse_plain_decimal(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn negative_and_formatted_values_are_problems() {
        assert!(value_problem("-1").is_some_and(|m| m.contains("negative")));
        assert!(value_problem("$1,234.50").is_some());
        assert!(value_problem("49.90").is_none());
    }

    #[test]
    fn currency_case_and_validity() {
        assert!(currency_problem("USD").is_none());
        assert!(currency_problem("usd").is_some_and(|m| m.contains("upper-case")));
        assert!(currency_problem("XYZ").is_some_and(|m| m.contains("not an ISO 4217")));
        assert!(currency_problem("$").is_some());
    }

    fn order() -> OrderFigures {
        OrderFigures {
            total: 118.0,
            subtotal: Some(100.0),
            shipping: Some(10.0),
            tax: Some(8.0),
            discount: Some(5.0),
            currency: Some("USD".into()),
            ..OrderFigures::default()
        }
    }

    #[test]
    fn value_equal_to_total_matches() {
        let r = reconcile(118.0, Some("USD"), &order());
        assert!(r.matches);
    }

    #[test]
    fn gap_explained_by_shipping_and_tax() {
        let r = reconcile(100.0, Some("USD"), &order());
        assert!(!r.matches);
        assert_eq!(r.explained_by, vec!["shipping", "tax"]);
        assert!(r.detail.contains("leaves out shipping and tax"), "{}", r.detail);
    }

    #[test]
    fn gap_explained_by_discount() {
        let r = reconcile(123.0, Some("USD"), &order());
        assert_eq!(r.explained_by, vec!["discount"]);
    }

    #[test]
    fn unexplained_gap_names_no_component() {
        let r = reconcile(77.0, Some("USD"), &order());
        assert!(!r.matches);
        assert!(r.explained_by.is_empty());
    }

    fn markets() -> OrderFigures {
        OrderFigures {
            total: 59.0,
            shipping: Some(10.0),
            currency: Some("USD".into()),
            presentment_currency: Some("EUR".into()),
            presentment_total: Some(54.5),
            presentment_shipping: Some(9.25),
            ..OrderFigures::default()
        }
    }

    #[test]
    fn either_whole_pair_of_a_markets_order_matches_and_says_which() {
        let r = reconcile(54.5, Some("EUR"), &markets());
        assert!(r.matches && !r.mixed, "{r:?}");
        assert_eq!(r.pair, Some("presentment"));
        assert!(
            r.detail.contains("presentment pair") && r.detail.contains("Meta converts"),
            "{}",
            r.detail
        );
        let r = reconcile(59.0, Some("USD"), &markets());
        assert!(r.matches);
        assert_eq!(r.pair, Some("shop"));
        assert!(r.detail.contains("customer paid 54.50 EUR"), "{}", r.detail);
        // A gap in the customer's currency is explained by the customer's shipping.
        let r = reconcile(45.25, Some("EUR"), &markets());
        assert_eq!(r.explained_by, vec!["shipping"]);
        // A single-currency order says nothing about pairs.
        let r = reconcile(118.0, Some("USD"), &order());
        assert_eq!(r.detail, "value 118.00 equals the order total");
    }

    #[test]
    fn a_mixed_pair_names_both_pairs() {
        let r = reconcile(54.5, Some("USD"), &markets());
        assert!(r.mixed && !r.matches);
        assert_eq!(
            r.detail,
            "value 54.50 USD mixes the order's two pairs: 54.50 is the customer's (presentment) amount (54.50 EUR) but USD is the shop currency (59.00 USD); send one pair whole"
        );
        let r = reconcile(59.0, Some("EUR"), &markets());
        assert!(r.mixed, "{r:?}");
        let r = reconcile(59.0, Some("GBP"), &markets());
        assert!(!r.mixed && !r.matches && r.detail.contains("neither"), "{}", r.detail);
        // Without a presentment pair a foreign currency is just different.
        let r = reconcile(118.0, Some("EUR"), &order());
        assert!(r.explained_by.is_empty() && !r.matches && !r.mixed);
    }
}
