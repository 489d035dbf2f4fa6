//! What the user supplies that the browser cannot see: Conversions API
//! payloads ([`capi`]) and the Shopify order ([`order`]).
//!
//! Both come from a paste or a file, so every error names the input, the place
//! inside it (line/column for bad JSON, a path like `data[2].event_name` for bad
//! shape) and what to do. This module holds what the parsers share: the error
//! type and the lenient readers for scalars and amounts.

use serde::Serialize;
use serde_json::Value;

pub mod capi;
pub mod order;

pub use capi::{
    parse_capi, parse_capi_requests, parse_capi_response, CapiError, CapiRequest, CapiResponse, ServerEvent,
};
pub use order::{parse_order, parse_order_named, typed_figures, OrderFigures};

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
        problem: {
            let msg = strip_position(&e.to_string());
            match e.classify() {
                // Well-formed JSON whose values are not of the types expected.
                serde_json::error::Category::Data => format!("valid JSON, but not in the shape expected ({msg})"),
                // What serde_json says of bytes that are not UTF-8 in a string.
                _ if msg.starts_with("invalid unicode code point") => {
                    format!("the file is not UTF-8 text ({msg})")
                }
                _ => format!("not valid JSON ({msg})"),
            }
        },
        hint: hint.to_owned(),
    }
}

fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// Refuses a pasted JSON text (one document or several one after another)
/// that names a key twice in one object, at the second: a JSON reader keeps
/// the last, so `{"data": [...], "data": [...]}` would lose the first list, or
/// an event naming `event_id` twice one of its ids, without a word. Text that
/// is not JSON is left to the parser's own message.
pub(crate) fn no_repeated_key(input: &str, text: &str, hint: &str) -> Result<(), InputError> {
    use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
    /// Where the walk is (`data[0].custom_data`), from `root` on (what comes
    /// before is the document's prefix), and the first key found twice: its
    /// place and the key.
    struct Walk<'p> {
        path: &'p mut String,
        root: usize,
        found: &'p mut Option<(String, String)>,
    }
    impl Walk<'_> {
        fn inner(&mut self) -> Walk<'_> {
            Walk {
                path: &mut *self.path,
                root: self.root,
                found: &mut *self.found,
            }
        }
    }
    impl<'de> DeserializeSeed<'de> for Walk<'_> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> Visitor<'de> for Walk<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
            let at = self.path.len();
            for i in 0.. {
                self.path.push_str(&format!("[{i}]"));
                let more = seq.next_element_seed(self.inner())?;
                self.path.truncate(at);
                if more.is_none() {
                    break;
                }
            }
            Ok(())
        }
        fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
            let at = self.path.len();
            let mut keys = std::collections::HashSet::new();
            while let Some(key) = map.next_key::<String>()? {
                if at > self.root {
                    self.path.push('.');
                }
                self.path.push_str(&key);
                if self.found.is_none() && keys.contains(&key) {
                    *self.found = Some((self.path.clone(), key));
                } else {
                    keys.insert(key);
                }
                map.next_value_seed(self.inner())?;
                self.path.truncate(at);
            }
            Ok(())
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let mut found = None;
    for doc in 1.. {
        let mut path = if doc == 1 {
            String::new()
        } else {
            format!("document {doc}: ")
        };
        let root = path.len();
        let walk = Walk {
            path: &mut path,
            root,
            found: &mut found,
        };
        // What does not parse is the parser's to report.
        if walk.deserialize(&mut de).is_err() {
            return Ok(());
        }
        if let Some((place, key)) = found.take() {
            return Err(InputError {
                input: input.into(),
                place,
                problem: format!("the key \"{key}\" appears twice in one object; a JSON reader keeps only the last"),
                hint: hint.into(),
            });
        }
        if de.end().is_ok() {
            break;
        }
    }
    Ok(())
}

/// An id as text: integrations send ids as strings or as numbers.
pub(crate) fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An amount given as a number or as decimal text (Shopify writes `"118.00"`).
pub(crate) fn amount(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}
