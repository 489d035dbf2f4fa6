//! Conversions API payloads: what the server says it sent Meta, as the user
//! pasted it. Read leniently (ids and values as strings or numbers) because
//! payloads come from many server integrations.

use serde::Serialize;
use serde_json::Value;

use super::{amount, json_error, scalar_string, InputError};

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
}
