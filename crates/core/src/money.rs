//! Values and currencies: what Meta accepts, and how a value reconciles to an order.

use serde::Serialize;

use crate::inputs::OrderFigures;
use crate::tables;

/// Amounts closer than this are equal (one cent).
pub const TOLERANCE: f64 = 0.005;

/// Parses a plain decimal: digits, optionally `.` and digits, optional leading
/// `-`. Rejects `$10`, `1,234.50`, `12,5`, `1e3`, empty, `NaN`, spaces.
pub fn parse_plain_decimal(s: &str) -> Option<f64> {
    let body = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

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
    /// The order component(s) that account for the gap, when some do
    /// (e.g. `["shipping"]`, `["shipping", "tax"]`, `["discount"]`, `["currency"]`).
    pub explained_by: Vec<String>,
    /// Plain-language account of the gap.
    pub detail: String,
}

/// Compares a browser Purchase value/currency to the order figures.
pub fn reconcile(value: f64, currency: Option<&str>, order: &OrderFigures) -> Reconciliation {
    let order_currency = order.currency.clone();
    let mut r = Reconciliation {
        value,
        currency: currency.map(str::to_owned),
        order_total: order.total,
        order_currency: order_currency.clone(),
        matches: false,
        explained_by: Vec::new(),
        detail: String::new(),
    };
    let cur_upper = currency.map(|c| c.trim().to_ascii_uppercase());
    let order_upper = order_currency.as_deref().map(|c| c.to_ascii_uppercase());
    let currency_differs = matches!((&cur_upper, &order_upper), (Some(a), Some(b)) if a != b);
    if currency_differs {
        // A multi-currency store: the pixel may carry the presentment currency.
        if let (Some(pc), Some(pt)) = (&order.presentment_currency, order.presentment_total) {
            if cur_upper.as_deref() == Some(pc.to_ascii_uppercase().as_str()) && (value - pt).abs() < TOLERANCE {
                r.explained_by.push("currency".into());
                r.detail = format!(
                    "value {value:.2} {pc} is the order total in the customer's currency; the order is {:.2} {}",
                    order.total,
                    order_currency.as_deref().unwrap_or("?")
                );
                return r;
            }
        }
        r.detail = format!(
            "currency {} differs from the order currency {}",
            currency.unwrap_or("?"),
            order_currency.as_deref().unwrap_or("?")
        );
        return r;
    }
    let gap = order.total - value;
    if gap.abs() < TOLERANCE {
        r.matches = true;
        r.detail = format!("value {value:.2} equals the order total");
        return r;
    }
    // Try each combination of components: value = total - shipping? - tax? + discount?
    let parts: [(&str, Option<f64>, f64); 3] = [
        ("shipping", order.shipping, 1.0),
        ("tax", order.tax, 1.0),
        ("discount", order.discount, -1.0),
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
            r.detail = describe(&names, value, order.total, order_currency.as_deref());
            r.explained_by = names;
            return r;
        }
    }
    r.detail = format!(
        "value {value:.2} differs from the order total {:.2} by {:.2}, and no shipping, tax or discount figure accounts for it",
        order.total,
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

    #[test]
    fn currency_difference_explained_by_presentment_total() {
        let mut o = order();
        o.presentment_currency = Some("EUR".into());
        o.presentment_total = Some(109.5);
        let r = reconcile(109.5, Some("EUR"), &o);
        assert_eq!(r.explained_by, vec!["currency"]);
        let r = reconcile(118.0, Some("EUR"), &order());
        assert!(r.explained_by.is_empty() && !r.matches);
    }
}
