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
mod json_keys;
pub mod order;

pub(crate) use json_keys::no_repeated_key;

pub use capi::{
    is_pixel_id, parse_capi, parse_capi_requests, parse_capi_response, stated_pixel_id, stated_pixels, CapiError,
    CapiRequest, CapiResponse, ServerEvent,
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
