//! The GraphQL Admin API order, as a query for it returns it: `{"data":
//! {"order": {…}}}`, or the order object alone.
//!
//! The fields read are the ones Shopify documents on the `Order` object
//! (<https://shopify.dev/docs/api/admin-graphql/latest/objects/Order>): `name`,
//! `currencyCode`, `presentmentCurrencyCode`, `displayFinancialStatus`, the
//! `MoneyBag` sets `totalPriceSet`, `subtotalPriceSet`, `totalTaxSet`,
//! `totalShippingPriceSet` and `totalDiscountsSet` (each `{shopMoney {amount
//! currencyCode} presentmentMoney {amount currencyCode}}`,
//! <https://shopify.dev/docs/api/admin-graphql/latest/objects/MoneyBag>), and
//! `lineItems` (a connection: `edges[].node` or `nodes[]`) for the quantities.

use serde_json::{Map, Value};

use super::{strip_hash, OrderFigures};
use crate::inputs::{amount, scalar_string};

type Obj = Map<String, Value>;
type Problem = (String, String);

/// Fields only the GraphQL order has (the REST order spells them in snake case).
const MARKERS: [&str; 6] = [
    "totalPriceSet",
    "currentTotalPriceSet",
    "currencyCode",
    "presentmentCurrencyCode",
    "displayFinancialStatus",
    "lineItems",
];

/// Whether an order object is the GraphQL shape.
pub fn looks_like(o: &Obj) -> bool {
    MARKERS.iter().any(|k| o.contains_key(*k))
}

/// A GraphQL response: the order under `data.order`, or why there is none.
pub fn from_response(top: &Obj) -> Result<OrderFigures, Problem> {
    let first_error = top
        .get("errors")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
        .map(|m| format!(" (the response's first error: {m})"))
        .unwrap_or_default();
    let data = match top.get("data") {
        Some(Value::Object(d)) => d,
        Some(Value::Null) | None => {
            return Err(("data".into(), format!("the GraphQL response has no data{first_error}")));
        }
        Some(_) => return Err(("data".into(), "\"data\" is not an object".into())),
    };
    match data.get("order") {
        Some(Value::Object(o)) => order(o, "data.order."),
        Some(Value::Null) => Err((
            "data.order".into(),
            format!("the order is null: Shopify found no order with that id{first_error}"),
        )),
        Some(_) => Err(("data.order".into(), "\"order\" is not an object".into())),
        None => Err((
            "data".into(),
            format!("no \"order\" under data: query the order (order(id: …) {{ … }}){first_error}"),
        )),
    }
}

/// One amount of a MoneyBag: `(amount, currencyCode)`; an error when the set is
/// there but the amount is not a number.
fn money(o: &Obj, base: &str, set: &str, which: &str) -> Result<Option<(f64, Option<String>)>, Problem> {
    let Some(m) = o.get(set).filter(|v| !v.is_null()).and_then(|s| s.get(which)) else {
        return Ok(None);
    };
    let place = format!("{base}{set}.{which}.amount");
    let raw = m
        .get("amount")
        .ok_or_else(|| (place.clone(), "no amount".to_string()))?;
    let a = amount(raw).ok_or_else(|| (place.clone(), format!("amount {raw} is not a number")))?;
    Ok(Some((a, m.get("currencyCode").and_then(scalar_string))))
}

/// The figures of a GraphQL order object at `base` (`data.order.` or "").
pub fn order(o: &Obj, base: &str) -> Result<OrderFigures, Problem> {
    let total = match money(o, base, "totalPriceSet", "shopMoney")? {
        Some(t) => t,
        // An order queried for its current total only (after edits and returns).
        None => money(o, base, "currentTotalPriceSet", "shopMoney")?.ok_or_else(|| {
            (
                format!("{base}totalPriceSet"),
                "no totalPriceSet.shopMoney.amount: the order total is needed; add totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } } to the query".to_string(),
            )
        })?,
    };
    if total.0 < 0.0 {
        return Err((format!("{base}totalPriceSet"), "the total is negative".into()));
    }
    let presentment_total = match money(o, base, "totalPriceSet", "presentmentMoney")? {
        Some(p) => Some(p),
        None => money(o, base, "currentTotalPriceSet", "presentmentMoney")?,
    };
    let shop = |set: &str| money(o, base, set, "shopMoney").map(|m| m.map(|(a, _)| a));
    let customer = |set: &str| money(o, base, set, "presentmentMoney").map(|m| m.map(|(a, _)| a));
    let text = |key: &str| o.get(key).and_then(scalar_string);
    let currency = total.1.clone().or_else(|| text("currencyCode"));
    let presentment_currency = presentment_total
        .as_ref()
        .and_then(|(_, c)| c.clone())
        .or_else(|| text("presentmentCurrencyCode"));
    let Some(shop_currency) = currency.as_deref() else {
        return Err((
            format!("{base}totalPriceSet.shopMoney.currencyCode"),
            format!(
                "{}: ask for currencyCode beside amount in totalPriceSet {{ shopMoney {{ amount currencyCode }} }}",
                super::NO_CURRENCY
            ),
        ));
    };
    if let (Some(paid_in), None) = (presentment_currency.as_deref(), &presentment_total) {
        if let Some(problem) = super::presentment_amounts_missing(paid_in, shop_currency) {
            return Err((
                format!("{base}presentmentCurrencyCode"),
                format!("{problem}: ask for presentmentMoney {{ amount currencyCode }} beside shopMoney in totalPriceSet and the other MoneyBag fields"),
            ));
        }
    }
    Ok(OrderFigures {
        order_number: text("name").map(|n| strip_hash(&n).to_owned()),
        total: total.0,
        subtotal: shop("subtotalPriceSet")?,
        shipping: shop("totalShippingPriceSet")?,
        tax: shop("totalTaxSet")?,
        discount: shop("totalDiscountsSet")?,
        currency,
        item_count: item_count(o.get("lineItems"), &format!("{base}lineItems"))?,
        presentment_currency,
        presentment_total: presentment_total.map(|(a, _)| a),
        presentment_subtotal: customer("subtotalPriceSet")?,
        presentment_shipping: customer("totalShippingPriceSet")?,
        presentment_tax: customer("totalTaxSet")?,
        presentment_discount: customer("totalDiscountsSet")?,
        payment_status: text("displayFinancialStatus").map(|s| s.to_ascii_lowercase()),
        format: Some("graphql".into()),
    })
}

/// Units bought: the quantities of a `lineItems` connection summed
/// (`edges[].node.quantity` or `nodes[].quantity`; a plain list too). A line
/// without a quantity counts one; a quantity that is not a whole number of
/// units (negative, a fraction, text) is an error, not a guess.
fn item_count(items: Option<&Value>, base: &str) -> Result<Option<u32>, Problem> {
    let Some(items) = items else { return Ok(None) };
    // Each line with its place; an edge without a node is no line.
    let lines: Vec<(String, &Value)> = if let Some(edges) = items.get("edges").and_then(Value::as_array) {
        edges
            .iter()
            .enumerate()
            .filter_map(|(k, e)| Some((format!("{base}.edges[{k}].node"), e.get("node")?)))
            .collect()
    } else if let Some(nodes) = items.get("nodes").and_then(Value::as_array) {
        nodes
            .iter()
            .enumerate()
            .map(|(k, n)| (format!("{base}.nodes[{k}]"), n))
            .collect()
    } else if let Some(list) = items.as_array() {
        list.iter()
            .enumerate()
            .map(|(k, n)| (format!("{base}[{k}]"), n))
            .collect()
    } else {
        return Ok(None);
    };
    super::sum_quantities(lines.into_iter()).map(Some)
}

#[cfg(test)]
mod tests {
    use crate::inputs::parse_order;

    /// A Markets order as the GraphQL Admin API returns it (shape from Shopify's
    /// `Order` and `MoneyBag` reference pages).
    const MARKETS: &str = r##"{"data": {"order": {
        "id": "gid://shopify/Order/5512345678901", "name": "#1001",
        "currencyCode": "USD", "presentmentCurrencyCode": "EUR",
        "displayFinancialStatus": "PAID",
        "totalPriceSet": {"shopMoney": {"amount": "59.0", "currencyCode": "USD"},
                          "presentmentMoney": {"amount": "54.5", "currencyCode": "EUR"}},
        "subtotalPriceSet": {"shopMoney": {"amount": "49.0", "currencyCode": "USD"},
                             "presentmentMoney": {"amount": "45.25", "currencyCode": "EUR"}},
        "totalShippingPriceSet": {"shopMoney": {"amount": "10.0", "currencyCode": "USD"},
                                  "presentmentMoney": {"amount": "9.25", "currencyCode": "EUR"}},
        "totalTaxSet": {"shopMoney": {"amount": "0.0", "currencyCode": "USD"},
                        "presentmentMoney": {"amount": "0.0", "currencyCode": "EUR"}},
        "totalDiscountsSet": {"shopMoney": {"amount": "0.0", "currencyCode": "USD"},
                              "presentmentMoney": {"amount": "0.0", "currencyCode": "EUR"}},
        "lineItems": {"edges": [{"node": {"name": "Linen shirt", "sku": "SHIRT-L", "quantity": 1}},
                                {"node": {"name": "Socks", "sku": "SOCK-2", "quantity": 2}}]}
    }}, "extensions": {"cost": {"requestedQueryCost": 12}}}"##;

    #[test]
    fn a_markets_order_keeps_both_pairs() {
        let o = parse_order("order.graphql.json", MARKETS).expect("parses");
        assert_eq!(o.format.as_deref(), Some("graphql"));
        assert_eq!(o.order_number.as_deref(), Some("1001"));
        assert_eq!((o.total, o.currency.as_deref()), (59.0, Some("USD")));
        assert_eq!(
            (o.presentment_total, o.presentment_currency.as_deref()),
            (Some(54.5), Some("EUR"))
        );
        assert_eq!(
            (o.subtotal, o.shipping, o.tax, o.discount),
            (Some(49.0), Some(10.0), Some(0.0), Some(0.0))
        );
        assert_eq!(
            (o.presentment_shipping, o.presentment_subtotal),
            (Some(9.25), Some(45.25))
        );
        assert_eq!(o.item_count, Some(3));
        assert_eq!(o.payment_status.as_deref(), Some("paid"));
        assert_eq!(o.presentment(), Some((54.5, "EUR")));
    }

    #[test]
    fn the_bare_order_and_nodes_read_the_same() {
        let v: serde_json::Value = serde_json::from_str(MARKETS).expect("json");
        let mut bare = v["data"]["order"].clone();
        bare["lineItems"] = serde_json::json!({"nodes": [{"quantity": 1}, {"quantity": 2}]});
        let o = parse_order("o", &bare.to_string()).expect("bare order");
        assert_eq!((o.total, o.item_count), (59.0, Some(3)));
        let wrapped = serde_json::json!({"order": bare}).to_string();
        assert_eq!(parse_order("o", &wrapped).expect("under order").total, 59.0);
    }

    #[test]
    fn no_total_null_order_and_bad_amounts_say_where() {
        let v: serde_json::Value = serde_json::from_str(MARKETS).expect("json");
        let mut no_total = v.clone();
        no_total["data"]["order"]
            .as_object_mut()
            .expect("order")
            .remove("totalPriceSet");
        let e = parse_order("o.json", &no_total.to_string()).expect_err("no total");
        assert_eq!(e.place, "data.order.totalPriceSet");
        assert!(e.problem.contains("the order total is needed"), "{}", e.problem);
        let null = r#"{"data": {"order": null}, "errors": [{"message": "Access denied for order field."}]}"#;
        let e = parse_order("o.json", null).expect_err("null order");
        assert_eq!(e.place, "data.order");
        assert!(e.problem.contains("Access denied"), "{}", e.problem);
        let mut bad = v;
        bad["data"]["order"]["totalTaxSet"]["shopMoney"]["amount"] = serde_json::json!("eight");
        let e = parse_order("o.json", &bad.to_string()).expect_err("bad amount");
        assert_eq!(e.place, "data.order.totalTaxSet.shopMoney.amount");
    }
}
