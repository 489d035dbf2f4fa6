//! Evidence the browser cannot see: Conversions API payloads and the Shopify order.
//!
//! Both come from a user's paste or file, so every error names the input, the
//! place inside it (line/column for bad JSON, a path like `data[2].event_name`
//! for bad shape) and what to do.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A user-facing input error: what was wrong, where, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputError {
    /// The input's label (file name or "pasted").
    pub input: String,
    /// Where in it: `line 3, column 7` or a path such as `data[1].event_name`.
    pub place: String,
    pub problem: String,
    pub hint: String,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}; {}", self.input, self.place, self.problem, self.hint)
    }
}

impl std::error::Error for InputError {}

pub(crate) fn json_error(input: &str, e: &serde_json::Error, hint: &str) -> InputError {
    InputError {
        input: input.to_owned(),
        place: format!("line {}, column {}", e.line(), e.column()),
        problem: format!("not valid JSON ({})", strip_position(&e.to_string())),
        hint: hint.to_owned(),
    }
}

fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// One server (Conversions API) event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerEvent {
    pub source: String,
    /// Position in the source, e.g. `data[0]`.
    pub place: String,
    pub event_name: String,
    pub event_id: Option<String>,
    pub event_time: Option<i64>,
    pub action_source: Option<String>,
    pub value: Option<f64>,
    pub currency: Option<String>,
    pub order_id: Option<String>,
    pub num_items: Option<f64>,
}

const CAPI_HINT: &str =
    "paste the JSON body sent to the Graph API events endpoint ({\"data\": [...]}) or an array of its events";

/// Parses Conversions API payloads: a Graph API body `{"data":[…]}`, a bare array
/// of events, a single event, or several of these one after another.
pub fn parse_capi(label: &str, text: &str) -> Result<Vec<ServerEvent>, InputError> {
    let mut events = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let mut doc = 0usize;
    for item in &mut stream {
        let value = item.map_err(|e| json_error(label, &e, CAPI_HINT))?;
        let prefix = if doc == 0 {
            String::new()
        } else {
            format!("document {}: ", doc + 1)
        };
        collect_capi(label, &prefix, &value, &mut events)?;
        doc += 1;
    }
    if doc == 0 {
        return Err(InputError {
            input: label.into(),
            place: "line 1, column 1".into(),
            problem: "the input is empty".into(),
            hint: CAPI_HINT.into(),
        });
    }
    Ok(events)
}

fn collect_capi(label: &str, prefix: &str, value: &Value, out: &mut Vec<ServerEvent>) -> Result<(), InputError> {
    let shape_err = |place: String, problem: String| InputError {
        input: label.into(),
        place: format!("{prefix}{place}"),
        problem,
        hint: CAPI_HINT.into(),
    };
    let (events, base): (&Vec<Value>, &str) = match value {
        Value::Object(map) if map.contains_key("data") => match map.get("data") {
            Some(Value::Array(a)) => (a, "data"),
            _ => return Err(shape_err("data".into(), "\"data\" is not an array of events".into())),
        },
        Value::Object(map) if map.contains_key("event_name") => {
            out.push(server_event(label, &format!("{prefix}(event)"), map).map_err(|(p, m)| shape_err(p, m))?);
            return Ok(());
        }
        Value::Array(a) => (a, ""),
        Value::Object(_) => {
            return Err(shape_err(
                "(top level)".into(),
                "object has neither \"data\" nor \"event_name\"".into(),
            ))
        }
        _ => return Err(shape_err("(top level)".into(), "expected an object or an array".into())),
    };
    for (i, ev) in events.iter().enumerate() {
        let place = if base.is_empty() {
            format!("[{i}]")
        } else {
            format!("{base}[{i}]")
        };
        let map = ev
            .as_object()
            .ok_or_else(|| shape_err(place.clone(), "event is not an object".into()))?;
        out.push(server_event(label, &format!("{prefix}{place}"), map).map_err(|(p, m)| shape_err(p, m))?);
    }
    Ok(())
}

fn server_event(
    label: &str,
    place: &str,
    map: &serde_json::Map<String, Value>,
) -> Result<ServerEvent, (String, String)> {
    let event_name = match map.get("event_name") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(_) => {
            return Err((
                format!("{place}.event_name"),
                "event_name is not a non-empty string".into(),
            ))
        }
        None => return Err((format!("{place}.event_name"), "event_name is missing".into())),
    };
    let custom = map.get("custom_data").and_then(Value::as_object);
    let cd = |k: &str| custom.and_then(|c| c.get(k));
    Ok(ServerEvent {
        source: label.into(),
        place: place.into(),
        event_name,
        event_id: map.get("event_id").and_then(scalar_string),
        event_time: map
            .get("event_time")
            .and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok())),
        action_source: map.get("action_source").and_then(scalar_string),
        value: cd("value").and_then(amount),
        currency: cd("currency").and_then(scalar_string),
        order_id: cd("order_id").and_then(scalar_string),
        num_items: cd("num_items").and_then(amount),
    })
}

fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn amount(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

/// Order figures in the shop's currency (major units).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrderFigures {
    pub order_number: Option<String>,
    pub total: f64,
    pub subtotal: Option<f64>,
    pub shipping: Option<f64>,
    pub tax: Option<f64>,
    pub discount: Option<f64>,
    pub currency: Option<String>,
    pub item_count: Option<u32>,
    /// The customer's currency on a multi-currency store, and the total in it.
    pub presentment_currency: Option<String>,
    pub presentment_total: Option<f64>,
}

const ORDER_HINT: &str =
    "paste the Admin API order JSON ({\"order\": {...}}) or figures like {\"total\": 118.0, \"currency\": \"USD\"}";

/// Parses a Shopify Admin API order (`{"order":{…}}` or the bare order) or typed
/// figures (`{"total":…, "currency":…, "shipping":…}`).
pub fn parse_order(label: &str, text: &str) -> Result<OrderFigures, InputError> {
    let value: Value = serde_json::from_str(text).map_err(|e| json_error(label, &e, ORDER_HINT))?;
    let err = |place: &str, problem: &str| InputError {
        input: label.into(),
        place: place.into(),
        problem: problem.into(),
        hint: ORDER_HINT.into(),
    };
    let (obj, base) = match &value {
        Value::Object(m) => match m.get("order") {
            Some(Value::Object(o)) => (o, "order."),
            Some(_) => return Err(err("order", "\"order\" is not an object")),
            None => (m, ""),
        },
        _ => return Err(err("(top level)", "expected a JSON object")),
    };
    if obj.contains_key("total_price") || obj.contains_key("total_price_set") {
        admin_order(obj, base).map_err(|(p, m)| err(&p, &m))
    } else if obj.contains_key("total") {
        let mut f: OrderFigures = serde_json::from_value(Value::Object(obj.clone()))
            .map_err(|e| err(base.trim_end_matches('.'), &format!("figures do not fit ({e})")))?;
        f.currency = f.currency.map(|c| c.trim().to_owned());
        if !f.total.is_finite() || f.total < 0.0 {
            return Err(err(&format!("{base}total"), "total is not a non-negative number"));
        }
        Ok(f)
    } else {
        Err(err(
            if base.is_empty() { "(top level)" } else { "order" },
            "no total_price (Admin API) or total (typed figures) found",
        ))
    }
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
    let item_count = o.get("line_items").and_then(Value::as_array).map(|items| {
        items
            .iter()
            .map(|i| i.get("quantity").and_then(Value::as_u64).unwrap_or(1) as u32)
            .sum()
    });
    let presentment = money_set("total_price_set", "presentment_money");
    Ok(OrderFigures {
        order_number: o
            .get("order_number")
            .and_then(scalar_string)
            .or_else(|| o.get("name").and_then(scalar_string)),
        total,
        subtotal: o.get("subtotal_price").and_then(amount),
        shipping,
        tax: o.get("total_tax").and_then(amount),
        discount: o.get("total_discounts").and_then(amount),
        currency: o.get("currency").and_then(scalar_string),
        item_count,
        presentment_currency: presentment
            .as_ref()
            .and_then(|(_, c)| c.clone())
            .or_else(|| o.get("presentment_currency").and_then(scalar_string)),
        presentment_total: presentment.map(|(a, _)| a),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_api_body_bare_array_and_concatenated_documents() {
        let body = r#"{"data":[{"event_name":"Purchase","event_time":1700000000,"event_id":"order-1001","action_source":"website","custom_data":{"value":"118.00","currency":"USD","order_id":"1001"}}]}"#;
        let ev = parse_capi("capi.json", body).expect("parses");
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].event_id.as_deref(), Some("order-1001"));
        assert_eq!(ev[0].value, Some(118.0));
        let arr = r#"[{"event_name":"AddToCart","event_id":"atc-1","custom_data":{"value":20}}]"#;
        assert_eq!(parse_capi("a", arr).expect("array").len(), 1);
        let two = format!("{body}\n{arr}");
        assert_eq!(parse_capi("two", &two).expect("two docs").len(), 2);
    }

    #[test]
    fn capi_errors_name_the_place() {
        let e = parse_capi(
            "capi.json",
            "{\"data\": [ {\"event_name\": \"Purchase\"}, {\"event_id\": \"x\"} ]}",
        )
        .expect_err("missing name");
        assert_eq!(e.place, "data[1].event_name");
        let e = parse_capi("capi.json", "{\"data\": [\n  {\"event_name\": }]}").expect_err("bad json");
        assert!(e.place.starts_with("line 2"), "{}", e.place);
        let e = parse_capi("p", "   ").expect_err("empty");
        assert!(e.problem.contains("empty"));
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
    }

    #[test]
    fn typed_figures_and_errors() {
        let o = parse_order("typed", r#"{"total": 50.5, "currency": "EUR"}"#).expect("typed");
        assert_eq!(o.currency.as_deref(), Some("EUR"));
        let e = parse_order("o", r#"{"order": {"total_price": "abc"}}"#).expect_err("bad total");
        assert_eq!(e.place, "order.total_price");
        let e = parse_order("o", r#"{"foo": 1}"#).expect_err("no total");
        assert!(e.problem.contains("no total_price"));
    }
}
