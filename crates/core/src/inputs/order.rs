//! The Shopify order: read into the [`OrderFigures`] a Purchase value is
//! reconciled against, from what a merchant can export or type:
//! - the legacy REST Admin API order JSON (`{"order": {…}}` or the bare order);
//! - the GraphQL Admin API order ([`graphql`]: `totalPriceSet { shopMoney
//!   presentmentMoney }` and friends, with or without the `{"data": {"order":
//!   …}}` wrapper of a query response);
//! - the Shopify Admin's Orders export CSV ([`csv_export`]: one row per line
//!   item, order-level figures on the first row of each order);
//! - figures the user typed (`{"total": 78.0, "currency": "USD"}`).
//!
//! The order status page's own figures (a journal `shopify` record) arrive in
//! the same [`OrderFigures`] shape.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{amount, json_error, scalar_string, InputError};

pub mod csv_export;
pub mod graphql;

/// Order figures: the shop's money (the order's currency) and, on a store that
/// sells in several currencies (Shopify Markets), the customer's (presentment)
/// money too.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrderFigures {
    /// The order's number or name without its `#` (`1001`).
    pub order_number: Option<String>,
    pub total: f64,
    pub subtotal: Option<f64>,
    pub shipping: Option<f64>,
    pub tax: Option<f64>,
    pub discount: Option<f64>,
    /// The shop's currency: the currency of the figures above.
    pub currency: Option<String>,
    pub item_count: Option<u32>,
    /// The customer's currency on a multi-currency store, and the order's
    /// figures in it.
    pub presentment_currency: Option<String>,
    pub presentment_total: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presentment_subtotal: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presentment_shipping: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presentment_tax: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presentment_discount: Option<f64>,
    /// Whether the order was paid (`paid`, `pending`, `refunded`, …): the
    /// Admin API's `financial_status` (GraphQL `displayFinancialStatus`, the
    /// export's Financial Status, lower-cased), or `payment_status` in typed
    /// figures. A test order that was never paid may explain a Purchase Meta
    /// never got.
    pub payment_status: Option<String>,
    /// What the figures were read from: `rest`, `graphql`, `csv` or `typed`
    /// (absent for the order status page's figures).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

impl OrderFigures {
    /// Whether the order has a presentment (customer) currency other than the
    /// shop's, with a total in it.
    pub fn presentment(&self) -> Option<(f64, &str)> {
        let (total, cur) = (self.presentment_total?, self.presentment_currency.as_deref()?);
        let differs = self
            .currency
            .as_deref()
            .is_none_or(|shop| !shop.trim().eq_ignore_ascii_case(cur.trim()));
        differs.then_some((total, cur))
    }
}

/// Why an order without its currency is refused, whatever its format: its
/// total would match a Purchase's value in any currency.
pub(crate) const NO_CURRENCY: &str =
    "the order names no currency, so its total cannot be compared with a Purchase's value and currency";

/// A Shopify Markets order paid in another currency than the shop's
/// (`paid_in`) whose amounts are in the shop's (`shop`) only: a correct pixel
/// sends the customer's pair, which would then read as a mismatch.
pub(crate) fn presentment_amounts_missing(paid_in: &str, shop: &str) -> Option<String> {
    (!paid_in.trim().eq_ignore_ascii_case(shop.trim())).then(|| {
        format!(
            "the customer paid in {}, but the order gives its amounts in {} (the shop's currency) only, so a Purchase sent in {0} cannot be checked",
            paid_in.trim(),
            shop.trim()
        )
    })
}

const ORDER_HINT: &str = "paste the Shopify order as the Admin GraphQL order JSON ({\"data\": {\"order\": {...}}}), the REST order JSON ({\"order\": {...}}) or the Admin's Orders export CSV, or type figures like {\"total\": 118.0, \"currency\": \"USD\"}";

/// Parses a Shopify order in any of the formats this module reads (see the
/// module docs). A CSV holding several orders needs [`parse_order_named`].
pub fn parse_order(label: &str, text: &str) -> Result<OrderFigures, InputError> {
    parse_order_named(label, text, None)
}

/// Parses a Shopify order; `name` (`#1001`, or `1001`) picks one order of an
/// Orders export CSV that holds several, and must be the order's name when the
/// input is one JSON order.
pub fn parse_order_named(label: &str, text: &str, name: Option<&str>) -> Result<OrderFigures, InputError> {
    let mut f = read_order(label, text, name)?;
    // Whatever the format, its currencies must be ISO 4217 codes ([`iso_4217`]).
    for (field, currency) in [
        ("currency", &mut f.currency),
        ("presentment_currency", &mut f.presentment_currency),
    ] {
        if let Some(raw) = currency.as_deref() {
            *currency = Some(iso_4217(raw).map_err(|problem| InputError {
                input: label.into(),
                place: field.into(),
                problem,
                hint: "give the three-letter ISO 4217 code Shopify shows for the order, e.g. \"USD\"".into(),
            })?);
        }
    }
    Ok(f)
}

fn read_order(label: &str, text: &str, name: Option<&str>) -> Result<OrderFigures, InputError> {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = body.trim_start().chars().next();
    if first.is_some() && !matches!(first, Some('{' | '[')) {
        return csv_export::parse(label, body, name);
    }
    let figures = parse_json_order(label, body)?;
    if let (Some(wanted), Some(have)) = (name, figures.order_number.as_deref()) {
        if !same_name(wanted, have) {
            return Err(InputError {
                input: label.into(),
                place: "(top level)".into(),
                problem: format!("the order here is #{have}, not {wanted}"),
                hint: "give the name of the order in this file, or leave the order name empty".into(),
            });
        }
    }
    Ok(figures)
}

/// Order names compare without a leading `#`, surrounding spaces or case.
pub fn same_name(a: &str, b: &str) -> bool {
    strip_hash(a).eq_ignore_ascii_case(strip_hash(b))
}

/// An order name without its leading `#` (Shopify names orders `#1001`).
pub(crate) fn strip_hash(name: &str) -> &str {
    let t = name.trim();
    t.strip_prefix('#').unwrap_or(t).trim()
}

/// An order's currency as its ISO 4217 code (upper case), or why it is not
/// one. Only the 26 Latin letters make a code: a look-alike letter (Cyrillic
/// `Ѕ` in `UЅD`), a full-width letter, a zero-width or direction mark or a
/// control character is named by its code point, because printed it would
/// read as the code it imitates.
pub fn iso_4217(raw: &str) -> Result<String, String> {
    let code = raw.trim_matches(|c: char| c.is_ascii_whitespace());
    if code.is_empty() {
        return Err("currency is empty".into());
    }
    if let Some((at, c)) = code.chars().enumerate().find(|(_, c)| !c.is_ascii_alphabetic()) {
        let printable = c.is_ascii_graphic() || c == ' ';
        return Err(format!(
            "currency has {} at character {}: {}, not a Latin letter A-Z (a look-alike, full-width, invisible, direction or control character makes a code that only looks like one)",
            if printable {
                format!("\"{c}\"")
            } else {
                "a character".to_owned()
            },
            at + 1,
            format_args!("U+{:04X}", u32::from(c)),
        ));
    }
    let upper = code.to_ascii_uppercase();
    match iso_currency::Currency::from_code(&upper) {
        Some(_) => Ok(upper),
        None => Err(format!("currency \"{code}\" is not an ISO 4217 code")),
    }
}

fn parse_json_order(label: &str, text: &str) -> Result<OrderFigures, InputError> {
    let value: Value = serde_json::from_str(text).map_err(|e| json_error(label, &e, ORDER_HINT))?;
    super::no_repeated_key(label, text, ORDER_HINT)?;
    let err = |place: &str, problem: &str| InputError {
        input: label.into(),
        place: place.into(),
        problem: problem.into(),
        hint: ORDER_HINT.into(),
    };
    let Value::Object(top) = &value else {
        return Err(err("(top level)", "expected a JSON object"));
    };
    // A GraphQL response: {"data": {"order": …}, "errors": […]}.
    if top.contains_key("data") || top.contains_key("errors") {
        return graphql::from_response(top).map_err(|(p, m)| err(&p, &m));
    }
    let (obj, base) = match top.get("order") {
        Some(Value::Object(o)) => (o, "order."),
        Some(_) => return Err(err("order", "\"order\" is not an object")),
        None => (top, ""),
    };
    if graphql::looks_like(obj) {
        return graphql::order(obj, base).map_err(|(p, m)| err(&p, &m));
    }
    // Where the order object itself is, for an error about it as a whole.
    let whole = if base.is_empty() { "(top level)" } else { "order" };
    if obj.contains_key("total_price") || obj.contains_key("total_price_set") {
        admin_order(obj, base).map_err(|(p, m)| err(&p, &m))
    } else if obj.contains_key("total") {
        // Each typed figure checked by name first, so the message says which
        // one and what it should look like (serde would say "expected f64").
        for field in TYPED_FIELDS {
            let Some(v) = obj.get(field) else { continue };
            let ok = match field {
                "currency" => v.is_string() || v.is_null(),
                "item_count" => v.is_null() || v.as_u64().is_some_and(|n| n <= u64::from(u32::MAX)),
                _ => v.is_null() || v.is_number(),
            };
            if !ok {
                let example = match field {
                    "currency" => "a currency code in quotes, e.g. \"USD\"",
                    "item_count" => "a whole number, e.g. 2",
                    _ => "a number, e.g. 78.0",
                };
                return Err(err(&format!("{base}{field}"), &format!("{field} must be {example}")));
            }
        }
        let mut f: OrderFigures = serde_json::from_value(Value::Object(obj.clone()))
            .map_err(|e| err(whole, &format!("figures do not fit ({e})")))?;
        f.currency = f.currency.map(|c| c.trim().to_owned());
        if f.currency.is_none() {
            return Err(err(
                &format!("{base}currency"),
                &format!("{NO_CURRENCY}: give the order's three-letter currency code, e.g. USD"),
            ));
        }
        if !f.total.is_finite() || f.total < 0.0 {
            return Err(err(&format!("{base}total"), "total is not a non-negative number"));
        }
        f.format = Some("typed".into());
        Ok(f)
    } else {
        Err(err(
            whole,
            "no order total found: no totalPriceSet (GraphQL), total_price (REST) or total (typed figures)",
        ))
    }
}

/// The typed-figure fields, in the order the panel shows them.
pub const TYPED_FIELDS: [&str; 7] = [
    "total",
    "currency",
    "subtotal",
    "shipping",
    "tax",
    "discount",
    "item_count",
];

/// Figures a user typed, as `(field, text)` pairs with fields from
/// [`TYPED_FIELDS`], as the order text stored in the journal
/// (`{"total": 78.0, "currency": "USD", …}`; empty fields left out), which
/// [`parse_order`] then reads like any pasted order.
pub fn typed_figures<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<String, InputError> {
    let mut obj = serde_json::Map::new();
    for (field, text) in fields {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let value = if field == "currency" {
            Value::String(text.to_owned())
        } else {
            match text.parse::<f64>() {
                Ok(n) if field == "item_count" => Value::from(n as u32),
                Ok(n) => Value::from(n),
                Err(_) => {
                    return Err(InputError {
                        input: "typed figures".into(),
                        place: field.into(),
                        problem: format!("\"{text}\" is not a number"),
                        hint: "type digits like 78.00".into(),
                    })
                }
            }
        };
        obj.insert(field.to_owned(), value);
    }
    Ok(Value::Object(obj).to_string())
}

fn admin_order(o: &serde_json::Map<String, Value>, base: &str) -> Result<OrderFigures, (String, String)> {
    let money_set = |set: &str, which: &str| -> Option<(f64, Option<String>)> {
        let m = o.get(set)?.get(which)?;
        Some((
            amount(m.get("amount")?)?,
            m.get("currency_code").and_then(scalar_string),
        ))
    };
    let total = match o.get("total_price") {
        Some(v) => {
            amount(v).ok_or_else(|| (format!("{base}total_price"), "total_price is not a number".to_string()))?
        }
        None => money_set("total_price_set", "shop_money")
            .map(|(a, _)| a)
            .ok_or_else(|| (format!("{base}total_price_set"), "no shop_money.amount".to_string()))?,
    };
    if total < 0.0 {
        return Err((format!("{base}total_price"), "total_price is negative".into()));
    }
    let shipping = money_set("total_shipping_price_set", "shop_money")
        .map(|(a, _)| a)
        .or_else(|| {
            let lines = o.get("shipping_lines")?.as_array()?;
            Some(lines.iter().filter_map(|l| l.get("price").and_then(amount)).sum())
        });
    let item_count = match o.get("line_items").and_then(Value::as_array) {
        Some(items) => Some(sum_quantities(
            items
                .iter()
                .enumerate()
                .map(|(k, line)| (format!("{base}line_items[{k}]"), line)),
        )?),
        None => None,
    };
    let presentment = money_set("total_price_set", "presentment_money");
    let in_presentment = |set: &str| money_set(set, "presentment_money").map(|(a, _)| a);
    let currency = o
        .get("currency")
        .and_then(scalar_string)
        .or_else(|| money_set("total_price_set", "shop_money").and_then(|(_, c)| c))
        .ok_or_else(|| {
            (
                format!("{base}currency"),
                format!("{NO_CURRENCY}: paste the order as the Admin API returns it, with its currency"),
            )
        })?;
    let presentment_currency = presentment
        .as_ref()
        .and_then(|(_, c)| c.clone())
        .or_else(|| o.get("presentment_currency").and_then(scalar_string));
    if let (Some(paid_in), None) = (presentment_currency.as_deref(), &presentment) {
        if let Some(problem) = presentment_amounts_missing(paid_in, &currency) {
            return Err((
                format!("{base}presentment_currency"),
                format!("{problem}: paste the order with total_price_set's presentment_money"),
            ));
        }
    }
    Ok(OrderFigures {
        // The name the admin shows (`#EU1001` on a store with an order-ID
        // prefix), as the GraphQL order and the export give it; else the
        // number.
        order_number: o
            .get("name")
            .and_then(scalar_string)
            .or_else(|| o.get("order_number").and_then(scalar_string))
            .map(|n| strip_hash(&n).to_owned()),
        total,
        subtotal: o.get("subtotal_price").and_then(amount),
        shipping,
        tax: o.get("total_tax").and_then(amount),
        discount: o.get("total_discounts").and_then(amount),
        currency: Some(currency),
        item_count,
        presentment_currency,
        presentment_total: presentment.map(|(a, _)| a),
        presentment_subtotal: in_presentment("subtotal_price_set"),
        presentment_shipping: in_presentment("total_shipping_price_set"),
        presentment_tax: in_presentment("total_tax_set"),
        presentment_discount: in_presentment("total_discounts_set"),
        payment_status: o.get("financial_status").and_then(scalar_string),
        format: Some("rest".into()),
    })
}

/// The units of an order's lines summed, each line with its place for a
/// message: a line without a quantity counts one; a quantity that is not a
/// whole number of units (negative, a fraction, text, past 4,294,967,295) is
/// an error at its place, not a guess.
pub(crate) fn sum_quantities<'a>(lines: impl Iterator<Item = (String, &'a Value)>) -> Result<u32, (String, String)> {
    let mut units: u32 = 0;
    for (place, line) in lines {
        let n = match line.get("quantity") {
            None | Some(Value::Null) => 1,
            // `2` or `2.0`: JSON does not tell them apart.
            Some(q) => q
                .as_u64()
                .or_else(|| q.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0).map(|f| f as u64))
                .and_then(|q| u32::try_from(q).ok())
                .ok_or_else(|| {
                    (
                        format!("{place}.quantity"),
                        format!("{q} is not a whole number of units"),
                    )
                })?,
        };
        units = units.saturating_add(n);
    }
    Ok(units)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_figures_become_order_text_that_parses() {
        let text =
            typed_figures([("total", "78"), ("currency", " USD "), ("tax", ""), ("item_count", "2")]).expect("figures");
        assert_eq!(text, r#"{"currency":"USD","item_count":2,"total":78.0}"#);
        let f = parse_order("typed figures", &text).expect("an order");
        assert_eq!(
            (f.total, f.currency.as_deref(), f.item_count),
            (78.0, Some("USD"), Some(2))
        );
        let e = typed_figures([("shipping", "ten")]).expect_err("not a number");
        assert_eq!(
            e.to_string(),
            r#"typed figures: shipping: "ten" is not a number; type digits like 78.00"#
        );
    }

    /// A line's quantity that is not a whole number of units is named, in the
    /// REST order and in the GraphQL one, never counted as one unit; a line
    /// without a quantity counts one.
    #[test]
    fn a_quantity_that_is_not_whole_units_is_named() {
        let rest = |q: &str| {
            format!(
                r#"{{"order":{{"id":1,"currency":"USD","total_price":"59.00","line_items":[{{"quantity":1}},{{"quantity":{q}}}]}}}}"#
            )
        };
        for (q, shown) in [("-1", "-1"), ("1.5", "1.5"), ("\"2\"", "\"2\"")] {
            let e = parse_order("order.json", &rest(q)).expect_err(q);
            assert_eq!(e.place, "order.line_items[1].quantity", "{q}");
            assert_eq!(e.problem, format!("{shown} is not a whole number of units"), "{q}");
        }
        let o = parse_order("order.json", &rest("null")).expect("no quantity counts one");
        assert_eq!(o.item_count, Some(2));
        let o = parse_order("order.json", &rest("2.0")).expect("2.0 is 2");
        assert_eq!(o.item_count, Some(3));
        let graphql = r##"{"data":{"order":{"name":"#1001","totalPriceSet":{"shopMoney":{"amount":"59.0","currencyCode":"USD"}},
            "lineItems":{"edges":[{"node":{"quantity":1}},{"cursor":"x"},{"node":{"quantity":-2}}]}}}}"##;
        let e = parse_order("order.graphql.json", graphql).expect_err("negative");
        assert_eq!(
            (e.place.as_str(), e.problem.as_str()),
            (
                "data.order.lineItems.edges[2].node.quantity",
                "-2 is not a whole number of units"
            )
        );
    }

    #[test]
    fn admin_order_figures() {
        let text = r#"{"order":{"id":1,"order_number":1001,"currency":"USD","total_price":"118.00","subtotal_price":"100.00","total_tax":"8.00","total_discounts":"0.00",
          "total_shipping_price_set":{"shop_money":{"amount":"10.00","currency_code":"USD"}},
          "line_items":[{"quantity":2},{"quantity":1}]}}"#;
        let o = parse_order("order.json", text).expect("parses");
        assert_eq!(o.total, 118.0);
        assert_eq!(o.shipping, Some(10.0));
        assert_eq!(o.item_count, Some(3));
        assert_eq!(o.order_number.as_deref(), Some("1001"));
        assert_eq!(o.payment_status, None, "no financial_status given");
        let paid = text.replace("\"id\":1,", "\"id\":1,\"financial_status\":\"paid\",");
        let o = parse_order("order.json", &paid).expect("parses");
        assert_eq!(o.payment_status.as_deref(), Some("paid"));
        let typed = parse_order(
            "typed",
            r#"{"total": 5, "currency": "USD", "payment_status": "pending"}"#,
        )
        .expect("typed");
        assert_eq!(typed.payment_status.as_deref(), Some("pending"));
    }

    /// A store with an order-ID prefix names its orders `#EU1001`; the REST
    /// order's `order_number` is 1001 all the same. The name the admin shows
    /// is the order's name here, as in the GraphQL order and the export.
    #[test]
    fn a_rest_order_is_named_as_the_admin_shows_it() {
        let text = r##"{"order":{"id":5550001001,"name":"#EU1001","order_number":1001,"currency":"USD","total_price":"78.00"}}"##;
        assert_eq!(
            parse_order("order.json", text)
                .expect("an order")
                .order_number
                .as_deref(),
            Some("EU1001")
        );
        assert!(parse_order_named("order.json", text, Some("#EU1001")).is_ok());
        let e = parse_order_named("order.json", text, Some("#1002")).expect_err("another order");
        assert_eq!(e.problem, "the order here is #EU1001, not #1002");
        let unnamed = r#"{"order":{"order_number":1001,"currency":"USD","total_price":"78.00"}}"#;
        assert_eq!(
            parse_order("order.json", unnamed)
                .expect("an order")
                .order_number
                .as_deref(),
            Some("1001")
        );
    }

    /// A currency that only looks like a code was accepted, and the packet
    /// then printed "USD differs from USD".
    #[test]
    fn order_currencies_are_iso_4217_codes() {
        for (currency, said) in [
            ("U\u{0405}D", "character 2: U+0405"),
            ("\u{FF35}\u{FF33}\u{FF24}", "character 1: U+FF35"),
            ("US\u{200B}D", "character 3: U+200B"),
            ("USD\u{0}", "character 4: U+0000"),
            ("\u{202E}DSU", "character 1: U+202E"),
            ("\u{FEFF}USD", "character 1: U+FEFF"),
            ("US D", "\" \" at character 3: U+0020"),
            ("XYZ", "\"XYZ\" is not an ISO 4217 code"),
        ] {
            for text in [
                serde_json::json!({"total": 68.0, "currency": currency}).to_string(),
                serde_json::json!({"order": {"total_price": "68.00", "currency": currency}}).to_string(),
                serde_json::json!({"order": {"total_price": "68.00", "currency": "USD",
                    "total_price_set": {"presentment_money": {"amount": "60.00", "currency_code": currency}}}})
                .to_string(),
            ] {
                let e = parse_order("order.json", &text).expect_err(&text);
                assert!(e.problem.contains(said), "{currency:?}: {e}");
                assert!(e.place.ends_with("currency"), "{e}");
                // The message never carries the character it warns about.
                assert!(
                    e.to_string()
                        .chars()
                        .all(|c| c == ' ' || c.is_ascii_graphic() || c == '–'),
                    "{e:?}"
                );
            }
        }
        let e = parse_order("typed", r#"{"total": 68, "currency": ""}"#).expect_err("empty");
        assert_eq!(e.problem, "currency is empty");
        let o = parse_order("typed", r#"{"total": 68, "currency": " usd "}"#).expect("a code in lower case");
        assert_eq!(o.currency.as_deref(), Some("USD"));
        let o = parse_order(
            "order.json",
            r#"{"order": {"total_price": "68.00", "currency": "EUR", "presentment_currency": "CHF",
              "total_price_set": {"shop_money": {"amount": "68.00", "currency_code": "EUR"}, "presentment_money": {"amount": "66.00", "currency_code": "CHF"}}}}"#,
        )
        .expect("admin order");
        assert_eq!(
            (
                o.currency.as_deref(),
                o.presentment_currency.as_deref(),
                o.presentment_total
            ),
            (Some("EUR"), Some("CHF"), Some(66.0))
        );
    }

    /// An order without its currency matched a Purchase in any currency; a
    /// Markets order without its amounts in the customer's currency failed
    /// a correct pixel that sends them. Both are refused, saying what to add.
    #[test]
    fn an_order_without_the_currencies_it_needs_is_refused() {
        let cases = [
            (r#"{"total": 78.0}"#, "currency", "three-letter currency code"),
            (
                r#"{"order": {"order_number": 1001, "total_price": "78.00"}}"#,
                "order.currency",
                "with its currency",
            ),
            (
                r##"{"data": {"order": {"name": "#1001", "totalPriceSet": {"shopMoney": {"amount": "78.0"}}}}}"##,
                "data.order.totalPriceSet.shopMoney.currencyCode",
                "ask for currencyCode",
            ),
        ];
        for (text, place, advice) in cases {
            let e = parse_order("order", text).expect_err(text);
            assert_eq!(e.place, place, "{text}");
            assert!(e.problem.starts_with(NO_CURRENCY), "{e:?}");
            assert!(e.problem.contains(advice), "{e:?}");
        }
        // The REST order's currency may come from its total's MoneyBag.
        let rest = r#"{"order": {"total_price": "78.00", "total_price_set": {"shop_money": {"amount": "78.00", "currency_code": "USD"}}}}"#;
        assert_eq!(
            parse_order("order", rest).expect("a currency").currency.as_deref(),
            Some("USD")
        );
        let csv = format!(
            "{}\n#1001,jane@example.com,paid,,,,no,,68.00,10.00,0.00,78.00,,0.00,Standard,2026-12-01,2,Tee,34.00,,TEE-1,true,true,pending,Jane,Main St\n",
            csv_export::tests::HEADER
        );
        let e = parse_order("orders_export.csv", &csv).expect_err("no Currency cell");
        assert_eq!(e.place, "line 2, column 8 (Currency)");
        assert!(
            e.problem
                .starts_with("the first row of order #1001 has no Currency: the order names no currency"),
            "{e:?}"
        );
        let markets = r##"{"data": {"order": {"name": "#1001", "presentmentCurrencyCode": "EUR",
            "totalPriceSet": {"shopMoney": {"amount": "59.0", "currencyCode": "USD"}}}}}"##;
        let e = parse_order("order", markets).expect_err("EUR amounts missing");
        assert_eq!(e.place, "data.order.presentmentCurrencyCode");
        assert!(
            e.problem
                .starts_with("the customer paid in EUR, but the order gives its amounts in USD"),
            "{e:?}"
        );
        assert!(e.problem.contains("presentmentMoney"), "{e:?}");
        let rest = r#"{"order": {"total_price": "68.00", "currency": "EUR", "presentment_currency": "CHF"}}"#;
        let e = parse_order("order", rest).expect_err("CHF amounts missing");
        assert_eq!(e.place, "order.presentment_currency");
        // Paid in the shop's currency: nothing more is needed.
        let home = markets.replace("\"EUR\"", "\"USD\"");
        assert_eq!(parse_order("order", &home).expect("one currency").total, 59.0);
    }

    #[test]
    fn typed_figures_and_errors() {
        let o = parse_order("typed", r#"{"total": 50.5, "currency": "EUR"}"#).expect("typed");
        assert_eq!(o.currency.as_deref(), Some("EUR"));
        let e = parse_order("o", r#"{"order": {"total_price": "abc"}}"#).expect_err("bad total");
        assert_eq!(e.place, "order.total_price");
        let e = parse_order("o", r#"{"foo": 1}"#).expect_err("no total");
        assert!(e.problem.contains("no order total found"), "{}", e.problem);
        // Typed figures of the wrong type say where, like every other input error.
        let e = parse_order("o", r#"{"total": "abc"}"#).expect_err("text total");
        assert_eq!(e.place, "total");
        assert_eq!(e.problem, "total must be a number, e.g. 78.0");
        let e = parse_order("o", r#"{"order": {"total": 78, "item_count": "two"}}"#).expect_err("text count");
        assert_eq!(e.place, "order.item_count");
        assert_eq!(e.problem, "item_count must be a whole number, e.g. 2");
    }
}
