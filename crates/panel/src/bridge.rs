//! The panel's way out: the bridge panel.js hands over (the extension APIs the
//! panel needs, nothing more) and the control messages it sends the service
//! worker. The worker answers them for extension pages only.

use pixelproof_core::journal::Record;
use pixelproof_core::Review;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Element;

/// The bridge's shape for TypeScript: panel.js builds one, and `tsc` checks it
/// against this (see `./build.sh test`).
#[wasm_bindgen(typescript_custom_section)]
const BRIDGE_TS: &str = r#"
/** What panel.js hands the panel: the extension APIs it needs, nothing more. */
export interface PanelBridge {
  readonly tabId: number;
  /** The tab's top-frame URL (from webNavigation), when the extension may know it. */
  readonly tabUrl: string | null;
  /** Whether the tab's origin is granted already. */
  readonly watched: boolean;
  /** A control message to the service worker; resolves to its answer. */
  send(msg: { type: string; tabId: number; [key: string]: unknown }): Promise<any>;
  /**
   * The tab's stored journal as it is read, one part per call, in order:
   * records (a JSON array text), `restart` (what came before is no longer the
   * journal's start: drop it), and last `done` with how many records were ever
   * appended (`total`, the position after the last) and the review fields.
   * Read once, from mount on, after `onRecords` is subscribed.
   */
  journal(): Promise<{ records: string } | { restart: true } | { done: true; total: number; review: object | null } | { error: string }>;
  copy(text: string): Promise<void>;
  download(name: string, text: string, mime: string): void;
  /** Asks the browser for one origin; must be called in a click's own task. */
  requestOrigin(origin: string): Promise<boolean>;
  reloadTab(): void;
  /** Calls `cb` once the tab's origin is granted, however the grant came (the prompt, or the browser's site-access menu). */
  onGranted(cb: () => void): void;
  /** Calls `cb(start, records)` for each batch the worker appends to the tab's journal. */
  onRecords(cb: (start: number, records: object[]) => void): void;
  readFile(input: Element): Promise<{ name: string; bytes: Uint8Array }>;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// Provided by panel.js.
    #[derive(Clone)]
    #[wasm_bindgen(typescript_type = "PanelBridge")]
    pub type Bridge;
    #[wasm_bindgen(method, getter, js_name = tabId)]
    pub fn tab_id(this: &Bridge) -> f64;
    #[wasm_bindgen(method, getter, js_name = tabUrl)]
    pub fn tab_url(this: &Bridge) -> Option<String>;
    #[wasm_bindgen(method, getter)]
    pub fn watched(this: &Bridge) -> bool;
    #[wasm_bindgen(method)]
    fn send(this: &Bridge, msg: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(method)]
    fn journal(this: &Bridge) -> js_sys::Promise;
    #[wasm_bindgen(method)]
    fn copy(this: &Bridge, text: &str) -> js_sys::Promise;
    #[wasm_bindgen(method)]
    pub fn download(this: &Bridge, name: &str, text: &str, mime: &str);
    #[wasm_bindgen(method, js_name = requestOrigin)]
    pub fn request_origin(this: &Bridge, origin: &str) -> js_sys::Promise;
    #[wasm_bindgen(method, js_name = reloadTab)]
    pub fn reload_tab(this: &Bridge);
    /// Calls back once the tab's origin is granted, however the grant came
    /// (the prompt, or the browser's own site-access menu).
    #[wasm_bindgen(method, js_name = onGranted)]
    pub fn on_granted(this: &Bridge, cb: &Closure<dyn FnMut()>);
    #[wasm_bindgen(method, js_name = onRecords)]
    pub fn on_records(this: &Bridge, cb: &Closure<dyn FnMut(f64, JsValue)>);
    #[wasm_bindgen(method, js_name = readFile)]
    fn read_file(this: &Bridge, input: &Element) -> js_sys::Promise;
}

/// The control messages the panel sends the worker (background.js, `control`).
/// They and the review in the worker's reply cross as JS objects through
/// serde-wasm-bindgen (see Cargo.toml); journal records and results cross as
/// JSON text.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
enum Request<'a> {
    AddEvidence {
        #[serde(rename = "tabId")]
        tab: f64,
        kind: &'a str,
        label: &'a str,
        text: &'a str,
        /// Which order of an Orders export CSV holding several.
        #[serde(rename = "orderName", skip_serializing_if = "Option::is_none")]
        order_name: Option<&'a str>,
        /// The pixel a server payload was sent to, as the user stated it.
        #[serde(rename = "pixelId", skip_serializing_if = "Option::is_none")]
        pixel_id: Option<&'a str>,
    },
    SetReview {
        #[serde(rename = "tabId")]
        tab: f64,
        review: &'a Review,
    },
    Clear {
        #[serde(rename = "tabId")]
        tab: f64,
    },
    WatchChanged {
        #[serde(rename = "tabId")]
        tab: f64,
    },
}

async fn call(bridge: &Bridge, request: &Request<'_>) -> Result<JsValue, String> {
    // JSON-compatible: maps (the review's owners) become plain objects. The
    // message is cloned to the worker, and a JS Map would arrive empty.
    let msg = request
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| format!("the message could not be written: {e}"))?;
    let v = JsFuture::from(bridge.send(&msg)).await.map_err(|e| format!("{e:?}"))?;
    if let Ok(err) = js_sys::Reflect::get(&v, &"error".into()) {
        if let Some(s) = err.as_string() {
            return Err(s);
        }
    }
    Ok(v)
}

/// One part of the tab's journal as the bridge reads it (see `journal()`).
pub enum JournalPart {
    /// Records in journal order; `unreadable`: those that did not fit the
    /// journal format (skipped, and said so).
    Records { records: Vec<Record>, unreadable: usize },
    /// Drop the records given so far: the journal is read again from its start.
    Restart,
    /// The whole journal was given: the running total and the review fields.
    Done { total: Option<f64>, review: Option<Review> },
}

fn journal_part(v: &JsValue) -> Result<JournalPart, String> {
    let get = |k: &str| js_sys::Reflect::get(v, &k.into()).unwrap_or(JsValue::UNDEFINED);
    if let Some(e) = get("error").as_string() {
        return Err(e);
    }
    if get("restart").is_truthy() {
        return Ok(JournalPart::Restart);
    }
    if get("done").is_truthy() {
        let review = get("review");
        let review = if review.is_object() {
            Some(serde_wasm_bindgen::from_value(review).map_err(|e| format!("review fields: {e}"))?)
        } else {
            None
        };
        return Ok(JournalPart::Done {
            total: get("total").as_f64(),
            review,
        });
    }
    // JSON text, as stored: nothing is built as JS objects on the way in.
    let text = crate::utf8(&get("records")).ok_or("the journal is not a list of records")?;
    let (records, unreadable) = pixelproof_core::journal::lenient_records(&text)
        .map_err(|e| format!("the journal is not a list of records: {e}"))?;
    Ok(JournalPart::Records { records, unreadable })
}

/// The next part of the tab's journal (parsed here, as it arrives).
pub async fn journal_next(bridge: &Bridge) -> Result<JournalPart, String> {
    let v = JsFuture::from(bridge.journal()).await.map_err(|e| format!("{e:?}"))?;
    journal_part(&v)
}

/// What says which of several a piece of evidence is about.
#[derive(Default, Clone, Copy)]
pub struct Which<'a> {
    /// Which order of an Orders export CSV.
    pub order_name: Option<&'a str>,
    /// The pixel a server payload was sent to.
    pub pixel_id: Option<&'a str>,
}

/// Stores a pasted server payload or order as a journal record of the tab.
pub async fn add_evidence(
    bridge: &Bridge,
    tab: f64,
    kind: &str,
    label: &str,
    text: &str,
    which: Which<'_>,
) -> Result<(), String> {
    call(
        bridge,
        &Request::AddEvidence {
            tab,
            kind,
            label,
            text,
            order_name: which.order_name,
            pixel_id: which.pixel_id,
        },
    )
    .await
    .map(drop)
}

pub async fn set_review(bridge: &Bridge, tab: f64, review: &Review) -> Result<(), String> {
    call(bridge, &Request::SetReview { tab, review }).await.map(drop)
}

pub async fn clear(bridge: &Bridge, tab: f64) -> Result<(), String> {
    call(bridge, &Request::Clear { tab }).await.map(drop)
}

/// Tells the worker a grant changed, so it registers the page scripts for it.
pub async fn watch_changed(bridge: &Bridge, tab: f64) {
    let _ = call(bridge, &Request::WatchChanged { tab }).await;
}

/// Whether the clipboard took the text.
pub async fn copy(bridge: &Bridge, text: &str) -> bool {
    JsFuture::from(bridge.copy(text)).await.is_ok()
}

/// The file chosen in a file input, as (name, bytes); `None` when none is chosen.
pub async fn picked_file(bridge: &Bridge, input: &Element) -> Option<(String, Vec<u8>)> {
    let v = JsFuture::from(bridge.read_file(input)).await.ok()?;
    let name = js_sys::Reflect::get(&v, &"name".into()).ok()?.as_string()?;
    let bytes = js_sys::Reflect::get(&v, &"bytes".into())
        .ok()
        .map(|b| js_sys::Uint8Array::new(&b).to_vec())?;
    (!name.is_empty()).then_some((name, bytes))
}

/// Asks the browser for one origin; must run in the click's own task, since
/// browsers grant the prompt only to a user gesture.
pub async fn request_origin(promise: js_sys::Promise) -> bool {
    matches!(JsFuture::from(promise).await, Ok(v) if v.as_bool() == Some(true))
}
