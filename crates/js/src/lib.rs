//! The JS boundary both wasm modules share. Journal records and results cross
//! it as JSON text (serde_json on this side, the engine's JSON on the other):
//! one serde format keeps each module small. Strings come in through the
//! engine's `TextEncoder`, not wasm-bindgen's own string passing.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Results leave as JSON text parsed by the engine's `JSON.parse`: the object
/// equals the packet's JSON text by construction, and one serde format
/// (serde_json) for the large types keeps the wasm small. Pretty, like the
/// packet's text, so every result type is compiled for one formatter, not two:
/// less wasm, for a little more time writing the text and whitespace that
/// `JSON.parse` skips.
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let text =
        serde_json::to_string_pretty(value).map_err(|e| JsError::new(&format!("could not write the result: {e}")))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new("could not convert the result to JS"))
}

/// A JS value as JSON text (`JSON.stringify`), the way journal records enter.
pub fn json_text(value: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(value).ok().and_then(|s| utf8(&s))
}

#[wasm_bindgen]
extern "C" {
    /// The engine's UTF-8 encoder (service workers, pages and node all have it).
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method)]
    fn encode(this: &TextEncoder, text: &JsValue) -> js_sys::Uint8Array;
}

/// A JS string's text, encoded by the engine. wasm-bindgen's own string
/// passing encodes in a JS loop, a character at a time: on a stored journal
/// (10 MB) that loop was a tenth of `addJson`. `TextEncoder.encode` and the
/// copy into wasm memory are native. `None` for a value that is not a string.
pub fn utf8(value: &JsValue) -> Option<String> {
    if !value.is_string() {
        return None;
    }
    thread_local! {
        static ENCODER: TextEncoder = TextEncoder::new();
    }
    let bytes = ENCODER.with(|e| e.encode(value)).to_vec();
    // The encoder writes UTF-8 (lone surrogates as U+FFFD, as wasm-bindgen does).
    String::from_utf8(bytes).ok()
}

/// A small JS object (the review fields) read as `T` through its JSON text, as
/// records come in: `undefined` or `null` is `T`'s default. `what` names it in
/// the error. (serde-wasm-bindgen's deserializer was 15 KB of the worker's
/// module for this one object.)
pub fn from_js<T: DeserializeOwned + Default>(value: JsValue, what: &str) -> Result<T, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    let text = json_text(&value).ok_or_else(|| JsError::new(&format!("{what}: not JSON-representable")))?;
    serde_json::from_str(&text).map_err(|e| JsError::new(&format!("{what}: {e}")))
}
