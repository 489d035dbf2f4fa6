//! Conversions API payloads: what the server says it sent Meta, as the user
//! pasted it. Read leniently (ids and values as strings or numbers) because
//! payloads come from many server integrations: only what makes an event
//! unusable (no event name, an event that is not an object) is an input error.
//! A field of the wrong type inside a usable event (`"event_time": "yesterday"`)
//! is kept as sent in [`Sent`] for the payload checks to report.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{amount, json_error, scalar_string, InputError};

/// One server (Conversions API) event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerEvent {
    pub source: String,
    /// The pixel its payload was sent to, when the user stated it: the
    /// browser hits of that pixel alone are its possible twins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pixel_id: Option<String>,
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
    /// Which request of its source the event came in: the JSON document's
    /// number, from 0 (a paste may hold several bodies one after another).
    /// Meta accepts or refuses a request as a whole.
    #[serde(skip)]
    pub request: usize,
    /// The fields the payload checks judge, as sent. Not in the packet:
    /// `user_data` is customer data (the packet lists only its keys, see
    /// `match_keys`).
    #[serde(skip)]
    pub sent: Sent,
}

/// Fields of a server event kept as the payload had them, because their JSON
/// type is part of what the checks judge (docs/product-rules.md, "Inputs the
/// browser cannot see").
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sent {
    pub event_time: Option<Value>,
    pub action_source: Option<Value>,
    pub event_source_url: Option<Value>,
    /// `user_data` when it is an object; empty otherwise.
    pub user_data: Map<String, Value>,
    /// Keys of `custom_data` that hold an event id (`event_id`, `eventID`).
    pub custom_data_event_ids: Vec<&'static str>,
    /// The `test_event_code` of the body the event came in, or of the event itself.
    pub test_event_code: Option<String>,
    /// `data_processing_options`, `data_processing_options_country` and
    /// `data_processing_options_state` as sent.
    pub data_processing_options: Option<Value>,
    pub data_processing_options_country: Option<Value>,
    pub data_processing_options_state: Option<Value>,
    /// Whether `custom_data` names products (`content_ids` or `contents`, not
    /// empty), and its `content_type` as sent.
    pub names_products: bool,
    pub content_type: Option<Value>,
    /// The products it names (`content_ids`, else the ids of `contents`),
    /// sorted, each once: how a server Purchase is told from an upsell.
    pub items: Vec<String>,
}

impl ServerEvent {
    /// Where the event is, for a message: `capi.json data[0] (Purchase)`.
    pub fn describe(&self) -> String {
        format!("{} {} ({})", self.source, self.place, self.event_name)
    }

    /// Whether a browser hit to `pixel` (`None`: a hit that names none) can
    /// be this event's twin: any can when the payload's pixel was not stated.
    pub fn may_pair_with(&self, pixel: Option<&str>) -> bool {
        match (self.pixel_id.as_deref(), pixel) {
            (Some(stated), Some(hit)) => stated == hit,
            _ => true,
        }
    }

    /// Whether a browser hit to `pixel` can be this event's twin, the one
    /// Meta merges it with: a hit whose pixel is not certain (`None`) may
    /// count against the stated pixel, never for it.
    pub fn twins_with(&self, pixel: Option<&str>) -> bool {
        match (self.pixel_id.as_deref(), pixel) {
            (None, _) => true,
            (Some(stated), Some(hit)) => stated == hit,
            (Some(_), None) => false,
        }
    }

    /// A `user_data` value, unless absent or null.
    pub fn user_value(&self, key: &str) -> Option<&Value> {
        self.sent.user_data.get(key).filter(|v| !v.is_null())
    }

    /// A `user_data` value that is one non-empty string (`fbp`, `fbc`,
    /// `client_user_agent` are sent that way).
    pub fn user_text(&self, key: &str) -> Option<&str> {
        self.user_value(key).and_then(Value::as_str).filter(|s| !s.is_empty())
    }

    /// `user_data` keys that carry a value (not null, not empty), sorted.
    pub fn user_data_keys(&self) -> impl Iterator<Item = &str> {
        self.sent
            .user_data
            .iter()
            .filter(|(_, v)| match v {
                Value::Null => false,
                Value::String(s) => !s.is_empty(),
                Value::Array(a) => !a.is_empty(),
                _ => true,
            })
            .map(|(k, _)| k.as_str())
    }
}

/// Where the payload put an event id inside `custom_data` by mistake.
const CUSTOM_DATA_EVENT_ID_KEYS: [&str; 2] = ["event_id", "eventID"];

const CAPI_HINT: &str =
    "paste the JSON body sent to the Graph API events endpoint ({\"data\": [...]}) or an array of its events";

/// One request's events: what one JSON document of a paste sent Meta.
#[derive(Debug, Clone, PartialEq)]
pub struct CapiRequest {
    /// Where the request is in its source, for a message: `data`, or
    /// `document 2: data` for the second body of a paste.
    pub place: String,
    pub events: Vec<ServerEvent>,
}

/// Parses Conversions API payloads: a Graph API body `{"data":[…]}`, a bare array
/// of events, a single event, or several of these one after another.
pub fn parse_capi(label: &str, text: &str) -> Result<Vec<ServerEvent>, InputError> {
    Ok(parse_capi_requests(label, text)?
        .into_iter()
        .flat_map(|r| r.events)
        .collect())
}

/// Whether `id` is written as a pixel id is: digits, the first not 0.
pub fn is_pixel_id(id: &str) -> bool {
    id.len() <= 32 && id.starts_with(|c: char| ('1'..='9').contains(&c)) && id.bytes().all(|b| b.is_ascii_digit())
}

/// The pixels the user said `events` were sent to, each once, in order.
pub fn stated_pixels(events: &[ServerEvent]) -> Vec<&str> {
    crate::sort::distinct(events.iter().filter_map(|e| e.pixel_id.as_deref()))
}

/// The pixel a payload was sent to, as the user states it (the id in the
/// request's path `/{pixel_id}/events`, or in Events Manager): digits, spaces
/// around it dropped. An error names what was given and what a pixel id is.
pub fn stated_pixel_id(label: &str, id: &str) -> Result<String, InputError> {
    let id = id.trim();
    if is_pixel_id(id) {
        return Ok(id.to_owned());
    }
    let shown: String = id.chars().take(40).collect();
    Err(InputError {
        input: label.into(),
        place: "pixel id".into(),
        problem: format!("`{shown}` is not a pixel id"),
        hint: "give the digits of the pixel the payload was sent to, as in its request path /{pixel_id}/events or Events Manager (e.g. 1234567890123456)".into(),
    })
}

/// [`parse_capi`], keeping which request (JSON document) each event came in:
/// Meta takes or refuses a request whole, and answers each with one response.
pub fn parse_capi_requests(label: &str, text: &str) -> Result<Vec<CapiRequest>, InputError> {
    super::no_repeated_key(label, text, CAPI_HINT)?;
    let mut requests = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let mut doc = 0usize;
    for item in &mut stream {
        let value = item.map_err(|e| json_error(label, &e, CAPI_HINT))?;
        let prefix = if doc == 0 {
            String::new()
        } else {
            format!("document {}: ", doc + 1)
        };
        let mut events = Vec::new();
        let base = collect_capi(label, &prefix, &value, &mut events)?;
        for ev in &mut events {
            ev.request = doc;
        }
        requests.push(CapiRequest {
            place: format!("{prefix}{base}"),
            events,
        });
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
    Ok(requests)
}

/// Appends the events of one document to `out`; returns what the document's
/// events are called for a message (`data`, `(event)`, `(array)`).
fn collect_capi(
    label: &str,
    prefix: &str,
    value: &Value,
    out: &mut Vec<ServerEvent>,
) -> Result<&'static str, InputError> {
    let shape_err = |place: String, problem: String| InputError {
        input: label.into(),
        place: format!("{prefix}{place}"),
        problem,
        hint: CAPI_HINT.into(),
    };
    // The body's test_event_code applies to every event in it.
    let body_test_code = value.get("test_event_code").and_then(scalar_string);
    let decoded_data;
    let (events, base): (&Vec<Value>, &str) = match value {
        Value::Object(map) if map.contains_key("data") => match map.get("data") {
            Some(Value::Array(a)) => (a, "data"),
            // A form-encoded request (`-F 'data=[…]'`, as Meta's curl examples
            // send it) carries the array as JSON text.
            Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
                Ok(Value::Array(a)) => {
                    decoded_data = a;
                    (&decoded_data, "data")
                }
                _ => {
                    return Err(shape_err(
                        "data".into(),
                        "\"data\" is text that is not a JSON array of events".into(),
                    ))
                }
            },
            _ => return Err(shape_err("data".into(), "\"data\" is not an array of events".into())),
        },
        Value::Object(map) if map.contains_key("event_name") => {
            let place = format!("{prefix}(event)");
            let ev = server_event(label, &place, map, body_test_code).map_err(|(p, m)| shape_err(p, m))?;
            out.push(ev);
            return Ok("(event)");
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
        let decoded_event;
        let map = match ev {
            Value::Object(map) => map,
            // Meta's Python business SDK posts each event as JSON text.
            Value::String(text) => match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(map)) => {
                    decoded_event = map;
                    &decoded_event
                }
                _ => return Err(shape_err(place, "event is text that is not a JSON object".into())),
            },
            _ => return Err(shape_err(place, "event is not an object".into())),
        };
        let ev = server_event(label, &format!("{prefix}{place}"), map, body_test_code.clone())
            .map_err(|(p, m)| shape_err(p, m))?;
        out.push(ev);
    }
    Ok(if base.is_empty() { "(array)" } else { "data" })
}

/// The product ids of `custom_data`: `content_ids` (strings or numbers),
/// else the `id` of each of `contents`; sorted, each once.
fn items(content_ids: Option<&Value>, contents: Option<&Value>) -> Vec<String> {
    let id = |v: &Value| match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let mut out: Vec<String> = match (content_ids, contents) {
        (Some(Value::Array(ids)), _) if !ids.is_empty() => ids.iter().filter_map(id).collect(),
        (_, Some(Value::Array(items))) => items.iter().filter_map(|i| i.get("id")).filter_map(id).collect(),
        _ => Vec::new(),
    };
    out.sort();
    out.dedup();
    out
}

fn server_event(
    label: &str,
    place: &str,
    map: &Map<String, Value>,
    body_test_code: Option<String>,
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
    let sent = Sent {
        event_time: map.get("event_time").cloned(),
        action_source: map.get("action_source").cloned(),
        event_source_url: map.get("event_source_url").cloned(),
        user_data: map
            .get("user_data")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        custom_data_event_ids: CUSTOM_DATA_EVENT_ID_KEYS
            .into_iter()
            .filter(|k| custom.is_some_and(|c| c.contains_key(*k)))
            .collect(),
        test_event_code: body_test_code.or_else(|| map.get("test_event_code").and_then(scalar_string)),
        data_processing_options: map.get("data_processing_options").cloned(),
        data_processing_options_country: map.get("data_processing_options_country").cloned(),
        data_processing_options_state: map.get("data_processing_options_state").cloned(),
        names_products: ["content_ids", "contents"].into_iter().any(|k| match cd(k) {
            None | Some(Value::Null) => false,
            Some(Value::Array(a)) => !a.is_empty(),
            Some(Value::String(s)) => !s.trim().is_empty() && s.trim() != "[]",
            Some(_) => true,
        }),
        content_type: cd("content_type").cloned(),
        items: items(cd("content_ids"), cd("contents")),
    };
    Ok(ServerEvent {
        source: label.into(),
        pixel_id: None,
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
        request: 0,
        sent,
    })
}

/// Meta's answer to one Conversions API request, as the user pasted it: the
/// Graph API's success body (`{"events_received": N, "messages": [...],
/// "fbtrace_id": "..."}`) or its error body (`{"error": {...}}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapiResponse {
    pub source: String,
    /// Which document of the paste it is, from 0: it answers the request of
    /// the same number in the payload before it.
    pub document: usize,
    /// How many events Meta says it received; absent in an error body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events_received: Option<u64>,
    /// Meta's messages about the request, as text.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<String>,
    /// Meta's id for the request, what its support asks for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fbtrace_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<CapiError>,
}

/// The Graph API's `error` object (Graph API, "Handling Errors").
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct CapiError {
    pub message: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub code: Option<i64>,
    pub error_subcode: Option<i64>,
    pub error_user_title: Option<String>,
    pub error_user_msg: Option<String>,
    pub fbtrace_id: Option<String>,
}

impl CapiResponse {
    /// The id Meta's support asks for: the error's, else the body's.
    pub fn trace_id(&self) -> Option<&str> {
        self.error
            .as_ref()
            .and_then(|e| e.fbtrace_id.as_deref())
            .or(self.fbtrace_id.as_deref())
    }
}

impl CapiError {
    /// Meta's words, quoted: message, code, subcode, the user title and
    /// message when given, and the trace id.
    pub fn describe(&self, trace: Option<&str>) -> String {
        let mut parts = vec![format!("\"{}\"", self.message.as_deref().unwrap_or("(no message)"))];
        let mut ids = Vec::new();
        if let Some(c) = self.code {
            ids.push(format!("code {c}"));
        }
        if let Some(c) = self.error_subcode {
            ids.push(format!("error_subcode {c}"));
        }
        if let Some(t) = trace {
            ids.push(format!("fbtrace_id {t}"));
        }
        if !ids.is_empty() {
            parts.push(format!("({})", ids.join(", ")));
        }
        match (&self.error_user_title, &self.error_user_msg) {
            (Some(t), Some(m)) => parts.push(format!("— {t}: {m}")),
            (Some(t), None) => parts.push(format!("— {t}")),
            (None, Some(m)) => parts.push(format!("— {m}")),
            (None, None) => {}
        }
        parts.join(" ")
    }
}

const RESPONSE_HINT: &str = "paste the body Meta's Graph API returned for the request: \
     {\"events_received\": N, \"messages\": [], \"fbtrace_id\": \"...\"} or {\"error\": {...}}";

/// Parses Meta's responses to Conversions API requests: one JSON body, or
/// several one after another (one per request of the payload they answer).
pub fn parse_capi_response(label: &str, text: &str) -> Result<Vec<CapiResponse>, InputError> {
    super::no_repeated_key(label, text, RESPONSE_HINT)?;
    let mut out = Vec::new();
    for (doc, item) in serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .enumerate()
    {
        let value = item.map_err(|e| json_error(label, &e, RESPONSE_HINT))?;
        let prefix = if doc == 0 {
            String::new()
        } else {
            format!("document {}: ", doc + 1)
        };
        let err = |place: &str, problem: String| InputError {
            input: label.into(),
            place: format!("{prefix}{place}"),
            problem,
            hint: RESPONSE_HINT.into(),
        };
        let Value::Object(map) = &value else {
            return Err(err("(top level)", "expected an object".into()));
        };
        let text_of = |v: Option<&Value>| match v {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let whole = |v: Option<&Value>| match v {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        let response = if let Some(e) = map.get("error") {
            let Value::Object(e) = e else {
                return Err(err("error", "\"error\" is not an object".into()));
            };
            CapiResponse {
                source: label.into(),
                document: doc,
                events_received: None,
                messages: Vec::new(),
                fbtrace_id: text_of(map.get("fbtrace_id")),
                error: Some(CapiError {
                    message: text_of(e.get("message")),
                    kind: text_of(e.get("type")),
                    code: whole(e.get("code")),
                    error_subcode: whole(e.get("error_subcode")),
                    error_user_title: text_of(e.get("error_user_title")),
                    error_user_msg: text_of(e.get("error_user_msg")),
                    fbtrace_id: text_of(e.get("fbtrace_id")),
                }),
            }
        } else if let Some(n) = map.get("events_received") {
            let Some(n) = n.as_u64() else {
                return Err(err(
                    "events_received",
                    format!("events_received is {n}, not a whole number of events"),
                ));
            };
            let messages = match map.get("messages") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|m| match m {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect(),
                Some(_) => return Err(err("messages", "\"messages\" is not a list".into())),
            };
            CapiResponse {
                source: label.into(),
                document: doc,
                events_received: Some(n),
                messages,
                fbtrace_id: text_of(map.get("fbtrace_id")),
                error: None,
            }
        } else {
            let looks_like_payload = map.contains_key("data") || map.contains_key("event_name");
            return Err(err(
                "(top level)",
                if looks_like_payload {
                    "this is a Conversions API payload, not Meta's response to one".into()
                } else {
                    "object has neither \"events_received\" nor \"error\"".into()
                },
            ));
        };
        out.push(response);
    }
    if out.is_empty() {
        return Err(InputError {
            input: label.into(),
            place: "line 1, column 1".into(),
            problem: "the input is empty".into(),
            hint: RESPONSE_HINT.into(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key named twice in one object is refused at its place: a JSON reader
    /// keeps the last, so the first `data` list or `event_id` would be lost
    /// without a word. The same key in different objects is fine.
    #[test]
    fn a_key_named_twice_in_one_object_is_refused_at_its_place() {
        let ev = r#"{"event_name":"Purchase","event_id":"order-1001"}"#;
        for (text, place, key) in [
            (format!(r#"{{"data":[{ev}],"data":[]}}"#), "data", "data"),
            (
                r#"{"data":[{"event_name":"Purchase","event_id":"a","event_id":"b"}]}"#.to_owned(),
                "data[0].event_id",
                "event_id",
            ),
            (
                format!(r#"{{"data":[{ev}]}} [{ev}, {{"event_name":"x","custom_data":{{"value":1,"value":2}}}}]"#),
                "document 2: [1].custom_data.value",
                "value",
            ),
        ] {
            let e = parse_capi("capi.json", &text).expect_err(&text);
            assert_eq!(e.place, place, "{text}");
            assert_eq!(
                e.problem,
                format!("the key \"{key}\" appears twice in one object; a JSON reader keeps only the last")
            );
        }
        let fine = format!(r#"{{"data":[{ev},{ev}]}}"#);
        assert_eq!(
            parse_capi("capi.json", &fine)
                .expect("the same keys in two events")
                .len(),
            2
        );
        let e = crate::inputs::parse_order("order.json", r#"{"order":{"total_price":"1.00","total_price":"2.00"}}"#)
            .expect_err("an order too");
        assert_eq!(e.place, "order.total_price");
    }

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

    /// What Meta's business SDKs post: the Python SDK sends each event as JSON
    /// text inside `data`; a form-encoded request (`-F 'data=[…]'`, Meta's curl
    /// examples) carries the whole array as text.
    #[test]
    fn events_sent_as_json_text_are_read() {
        let python_sdk = r#"{"data": ["{\"event_name\": \"Purchase\", \"event_time\": 1700000000, \"event_id\": \"order-1001\", \"action_source\": \"website\", \"user_data\": {\"em\": [\"309a0a5c3e211326ae75ca18196d301a9bdbd1a882a4d2569511033da23f0abd\"], \"fbp\": \"fb.1.1558571054389.1098115397\"}, \"custom_data\": {\"value\": 68.0, \"currency\": \"usd\"}}"], "test_event_code": "TEST4242"}"#;
        let ev = parse_capi("sdk.json", python_sdk).expect("SDK body parses");
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].event_id.as_deref(), Some("order-1001"));
        assert_eq!(ev[0].place, "data[0]");
        assert_eq!(ev[0].user_text("fbp"), Some("fb.1.1558571054389.1098115397"));
        assert_eq!(ev[0].sent.test_event_code.as_deref(), Some("TEST4242"));
        let form = r#"{"data": "[{\"event_name\": \"AddToCart\", \"event_id\": \"atc-1\"}]"}"#;
        let ev = parse_capi("form.json", form).expect("form body parses");
        assert_eq!(ev[0].event_id.as_deref(), Some("atc-1"));
        let e = parse_capi("bad.json", r#"{"data": ["not json"]}"#).expect_err("text that is no event");
        assert_eq!(e.place, "data[0]");
        assert!(e.problem.contains("not a JSON object"), "{}", e.problem);
    }

    /// A field of the wrong type is kept as sent for the checks to report; it
    /// is never an input error.
    #[test]
    fn wrong_field_types_are_kept_not_refused() {
        let body = r#"{"data": [{"event_name": "Purchase", "event_time": "yesterday", "action_source": 7, "user_data": {"em": "jane@example.com", "client_ip_address": null, "ph": []}, "custom_data": {"eventID": "order-1001", "value": "68.00"}}]}"#;
        let ev = parse_capi("capi.json", body).expect("still a usable event");
        let s = &ev[0].sent;
        assert_eq!(s.event_time, Some(serde_json::json!("yesterday")));
        assert_eq!(ev[0].event_time, None);
        assert_eq!(s.action_source, Some(serde_json::json!(7)));
        assert_eq!(s.custom_data_event_ids, vec!["eventID"]);
        assert_eq!(
            ev[0].user_data_keys().collect::<Vec<_>>(),
            vec!["em"],
            "null and empty values are not sent keys"
        );
        assert_eq!(s.test_event_code, None);
    }

    /// The two bodies the Graph API returns for a Conversions API request
    /// (Conversions API, "Using the API"; Graph API, "Handling Errors").
    #[test]
    fn responses_read_both_shapes() {
        let ok = r#"{"events_received": 3, "messages": [], "fbtrace_id": "ANkfuFWtx5dY3ISkOmxWN2z"}"#;
        let r = parse_capi_response("response.json", ok).expect("success body");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].events_received, Some(3));
        assert_eq!(r[0].trace_id(), Some("ANkfuFWtx5dY3ISkOmxWN2z"));
        assert!(r[0].error.is_none());
        let refused = r#"{"error": {"message": "Invalid parameter", "type": "OAuthException", "code": 100, "error_subcode": 2804003, "is_transient": false, "error_user_title": "Event Timestamp Too Old", "error_user_msg": "The timestamp for this event is too far in the past.", "fbtrace_id": "AxTz9kLq2bW"}}"#;
        let r = parse_capi_response("response.json", &format!("{ok}\n{refused}")).expect("two bodies");
        assert_eq!(r[1].document, 1);
        let e = r[1].error.as_ref().expect("an error");
        assert_eq!((e.code, e.error_subcode), (Some(100), Some(2804003)));
        assert_eq!(
            e.describe(r[1].trace_id()),
            "\"Invalid parameter\" (code 100, error_subcode 2804003, fbtrace_id AxTz9kLq2bW) — Event Timestamp Too Old: The timestamp for this event is too far in the past."
        );
    }

    #[test]
    fn a_response_that_is_neither_shape_says_where_and_what() {
        let e = parse_capi_response("r.json", "{\"events_received\": 1,").expect_err("cut short");
        assert!(e.place.starts_with("line 1"), "{}", e.place);
        assert!(e.hint.contains("events_received"), "{}", e.hint);
        let e = parse_capi_response("r.json", r#"{"data": [{"event_name": "Purchase"}]}"#).expect_err("a payload");
        assert_eq!(e.place, "(top level)");
        assert!(e.problem.contains("payload, not Meta's response"), "{}", e.problem);
        let e = parse_capi_response("r.json", r#"{"ok": true}"#).expect_err("neither");
        assert!(e.problem.contains("neither \"events_received\" nor \"error\""));
        let e =
            parse_capi_response("r.json", r#"{"events_received": 1} {"events_received": -2}"#).expect_err("negative");
        assert_eq!(e.place, "document 2: events_received");
        let e = parse_capi_response("r.json", r#"{"error": "Invalid"}"#).expect_err("error text");
        assert_eq!(e.place, "error");
        assert!(parse_capi_response("r.json", "  ")
            .expect_err("empty")
            .problem
            .contains("empty"));
        assert!(parse_capi_response("r.json", "[1]").is_err());
    }

    #[test]
    fn requests_keep_their_documents() {
        let two = r#"{"data": [{"event_name": "Purchase"}, {"event_name": "AddToCart"}]} [{"event_name": "Lead"}] {"data": []}"#;
        let r = parse_capi_requests("capi.json", two).expect("parses");
        let shape: Vec<(&str, usize)> = r.iter().map(|r| (r.place.as_str(), r.events.len())).collect();
        assert_eq!(
            shape,
            [("data", 2), ("document 2: (array)", 1), ("document 3: data", 0)]
        );
        assert_eq!(r[1].events[0].request, 1);
        assert_eq!(parse_capi("capi.json", two).expect("flat").len(), 3);
    }
}
