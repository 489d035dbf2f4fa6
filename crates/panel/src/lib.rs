//! The extension's panel (panel.html), rendered in Rust with web-sys.
//!
//! A crate and a wasm module of its own: the service worker loads only the thin
//! layer in `crates/wasm`, and none of the panel's code (the DOM bindings, the
//! renderers, the HAR audit) costs the worker anything. The panel keeps its own
//! core `Session`, fed with the tab's journal and the worker's live batches, so
//! results are computed here and never fetched whole.
//!
//! | module | what it holds |
//! |---|---|
//! | `bridge` | the JS bridge panel.js hands over, and the control messages to the worker |
//! | `state` | all UI state in one struct: the session, review, the packet compared with, what is open, filtered, asked |
//! | `app` | the one message type (`Msg`), the one `update`, the render schedule |
//! | `layout` | the static parts, built once, in the packet's reading order: header, sections, forms |
//! | `watch` | the Watch flow: "Watch https://origin" (or a grant from elsewhere), then "Reload the page" |
//! | `compare` | "Compare with a saved packet": the file, and the diff above the gate |
//! | `summary` | verdict and counts, what was not kept, the gate, the acceptance table, the owners' senders |
//! | `cards` | the decision record and the four evidence cards: heads, order, sources, reconciliation counts |
//! | `match_keys` | per core event, the match keys the browser and the server send |
//! | `findings` | findings grouped by code, with guidance once; opened codes stay open |
//! | `timeline` | every record, newest first, paged; a hit opens to its payload |
//! | `inputs` | server payload and order pastes, the HAR audit |
//! | `review` | the review fields and owners |
//! | `export` | copy and download the packet; clear the journey |
//! | `dom` | DOM helpers: page data goes in as text only, never as HTML |
//! | `packets` | the packet and summary the service worker answers with this module |

mod app;
mod bridge;
mod cards;
mod compare;
mod dom;
mod export;
mod findings;
mod inputs;
mod layout;
mod match_keys;
mod packets;
mod review;
mod state;
mod summary;
mod timeline;
mod watch;

use pixelproof_core::journal::Record;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::Element;

/// Mounts the panel into `root` and starts following the bridge's tab.
#[wasm_bindgen(js_name = mountPanel)]
pub fn mount_panel(root: Element, bridge: bridge::Bridge) {
    app::mount(root, bridge);
}

/// Compares two packets given as JSON text (version 1 or 2; `before_label` and
/// `after_label` name them, e.g. their file names): `{diff, markdown, text,
/// headline}`, the same diff `pixelproof diff` prints and "Compare with a
/// saved packet" shows. A text that is not a packet is refused with the core's
/// one-line message (file, place, what to do). The demo calls it in Node: it
/// lives in this module, which has the diff for the panel already, and not in
/// the worker's, which never compares.
#[wasm_bindgen(js_name = diffPackets)]
pub fn diff_packets(before_label: &str, before: &str, after_label: &str, after: &str) -> Result<JsValue, JsError> {
    use pixelproof_core::diff::{diff, read_packet, Diff};
    #[derive(Serialize)]
    struct Out<'a> {
        diff: &'a Diff,
        markdown: String,
        text: String,
        headline: String,
    }
    let b = read_packet(before_label, before).map_err(|e| JsError::new(&e.to_string()))?;
    let a = read_packet(after_label, after).map_err(|e| JsError::new(&e.to_string()))?;
    let d = diff(&b, &a);
    to_js(&Out {
        markdown: d.to_markdown(),
        text: d.to_text(),
        headline: d.headline(),
        diff: &d,
    })
}

/// Results leave as JSON text parsed by the engine's `JSON.parse`, as in
/// `crates/wasm` (one serde format keeps the wasm small).
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let text =
        serde_json::to_string_pretty(value).map_err(|e| JsError::new(&format!("could not write the result: {e}")))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new("could not convert the result to JS"))
}

/// A JS value as JSON text (`JSON.stringify`), the way journal records enter.
pub(crate) fn json_text(value: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(value).ok().and_then(|s| utf8(&s))
}

#[wasm_bindgen]
extern "C" {
    /// The engine's UTF-8 encoder (pages and service workers have it).
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method)]
    fn encode(this: &TextEncoder, text: &JsValue) -> js_sys::Uint8Array;
}

/// A JS string's text, encoded by the engine, as in `crates/wasm`:
/// wasm-bindgen's own string passing encodes in a JS loop, which on a stored
/// journal (megabytes of JSON) was a tenth of reading it in. `None` for a
/// value that is not a string.
pub(crate) fn utf8(value: &JsValue) -> Option<String> {
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

/// The records of a JSON array that fit the journal format, and how many did not:
/// one bad record (say, from an older version) never costs the others.
pub(crate) fn lenient_records(text: &str) -> Result<(Vec<Record>, usize), serde_json::Error> {
    // Every record fits, nearly always: one pass reads them all. Only when one
    // does not is the text read again, record by record (~10 % of reading a
    // 10,000-hit journal in, measured in the panel).
    if let Ok(records) = serde_json::from_str::<Vec<Record>>(text) {
        return Ok((records, 0));
    }
    let raw: Vec<&serde_json::value::RawValue> = serde_json::from_str(text)?;
    let mut bad = 0;
    let mut records = Vec::with_capacity(raw.len());
    for r in raw {
        match serde_json::from_str::<Record>(r.get()) {
            Ok(rec) => records.push(rec),
            Err(_) => bad += 1,
        }
    }
    Ok((records, bad))
}

/// Runs when the module is instantiated: a panic then says what and where, in
/// the console and on the panel (the release build aborts on panic, which alone
/// shows "unreachable").
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        dom::show_panic(&info.to_string());
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_records_keep_the_good_and_count_the_bad() {
        let text = r#"[
            {"kind":"navigation","url":"https://shop.test/","time":1},
            {"kind":"teleport","time":2},
            {"kind":"gesture","gesture":"click","time":3}
        ]"#;
        let (records, bad) = lenient_records(text).expect("an array");
        assert_eq!(bad, 1);
        assert_eq!(records.len(), 2);
        assert!(matches!(records[0], Record::Navigation(_)));
        assert!(matches!(records[1], Record::Gesture(_)));
        assert!(lenient_records(r#"{"kind":"navigation"}"#).is_err(), "not a list");
    }
}
