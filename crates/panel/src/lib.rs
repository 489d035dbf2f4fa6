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
//! | `ctx` | the one message type (`Msg`) and `App`, which queues messages; what every view builds on |
//! | `app` | the one `update` (handed to `App` as a function), the render schedule |
//! | `layout` | the static parts, built once: the sticky header (verdict, section bar), the sections, forms |
//! | `live` | the first screen: the four core events with status and why, the newest hits; each opens in place |
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
mod ctx;
mod dom;
mod export;
mod findings;
mod inputs;
mod layout;
mod live;
mod match_keys;
mod packets;
mod review;
mod state;
mod summary;
mod timeline;
mod watch;

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
    use pixelproof_core::packet::diff::{diff, read_packet, Diff};
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

pub(crate) use pixelproof_js::{json_text, to_js, utf8};

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
