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
//! | `state` | all UI state in one struct: the session, review, what is open, filtered, asked |
//! | `app` | the one message type (`Msg`), the one `update`, the render schedule |
//! | `layout` | the static parts, built once: header, sections, forms |
//! | `watch` | the Watch flow: "Watch https://origin", then "Reload the page" |
//! | `summary` | verdict and counts, the gate, the acceptance table, the inventory |
//! | `findings` | findings by severity, with guidance; opened ones stay open |
//! | `timeline` | every record, newest first, paged; a hit opens to its payload |
//! | `inputs` | server payload and order pastes, the HAR audit |
//! | `review` | the review fields and owners |
//! | `export` | copy and download the packet; clear the journey |
//! | `dom` | DOM helpers: page data goes in as text only, never as HTML |

mod app;
mod bridge;
mod dom;
mod export;
mod findings;
mod inputs;
mod layout;
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

/// Results leave as JSON text parsed by the engine's `JSON.parse`, as in
/// `crates/wasm` (one serde format keeps the wasm small).
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let text =
        serde_json::to_string_pretty(value).map_err(|e| JsError::new(&format!("could not write the result: {e}")))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new("could not convert the result to JS"))
}

/// A JS value as JSON text (`JSON.stringify`), the way journal records enter.
pub(crate) fn json_text(value: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(value).ok().and_then(|s| s.as_string())
}

/// The records of a JSON array that fit the journal format, and how many did not:
/// one bad record (say, from an older version) never costs the others.
pub(crate) fn lenient_records(text: &str) -> Result<(Vec<Record>, usize), serde_json::Error> {
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
