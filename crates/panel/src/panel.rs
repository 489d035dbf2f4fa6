//! The live acceptance panel, rendered in Rust with web-sys.
//!
//! The JS shell (panel.js) hands us a small bridge to the extension APIs
//! (messages to the service worker, clipboard, downloads, the permission
//! prompt) and the tab to show. The panel keeps its own core session, fed with
//! the tab's journal and then with each batch of records the worker
//! broadcasts, so results are computed here and never fetched whole.
//!
//! Rendering is incremental: the summary sections (gate, acceptance, findings,
//! inventory) are small and are rebuilt at most every 50 ms; the timeline only
//! prepends new items and shows one page (200) at a time.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use pixelproof_core::inputs::{parse_capi, parse_order};
use pixelproof_core::journal::Record;
use pixelproof_core::results::{acceptance, gate, inventory, CheckState, RowStatus};
use pixelproof_core::rules::{self, Finding, Severity};
use pixelproof_core::{DecodeConfig, Packet, PacketOptions, Review, Session};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::Element;

use crate::dom::*;

#[wasm_bindgen]
extern "C" {
    /// Provided by panel.js: the extension APIs the panel needs, nothing more.
    #[derive(Clone)]
    pub type Bridge;
    #[wasm_bindgen(method, getter, js_name = tabId)]
    fn tab_id(this: &Bridge) -> f64;
    #[wasm_bindgen(method, getter, js_name = tabUrl)]
    fn tab_url(this: &Bridge) -> Option<String>;
    #[wasm_bindgen(method, getter)]
    fn watched(this: &Bridge) -> bool;
    #[wasm_bindgen(method)]
    fn send(this: &Bridge, msg: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(method)]
    fn copy(this: &Bridge, text: &str) -> js_sys::Promise;
    #[wasm_bindgen(method)]
    fn download(this: &Bridge, name: &str, text: &str, mime: &str);
    #[wasm_bindgen(method, js_name = requestOrigin)]
    fn request_origin(this: &Bridge, origin: &str) -> js_sys::Promise;
    #[wasm_bindgen(method, js_name = reloadTab)]
    fn reload_tab(this: &Bridge);
    #[wasm_bindgen(method, js_name = onRecords)]
    fn on_records(this: &Bridge, cb: &Closure<dyn FnMut(f64, JsValue)>);
    #[wasm_bindgen(method, js_name = readFile)]
    fn read_file(this: &Bridge, input: &Element) -> js_sys::Promise;
}

const PAGE: usize = 200;
/// Hits listed under an expanded acceptance row.
const ROW_HITS_SHOWN: usize = 50;

struct App {
    bridge: Bridge,
    tab: f64,
    session: Session,
    /// Records applied so far, counting dropped ones (the journal's running total).
    applied: f64,
    /// Live batches that arrive before the journal itself is read wait here:
    /// applied first, they would be added twice.
    early: Option<Vec<(f64, JsValue)>>,
    review: Review,
    /// Timeline: how many of the newest records are shown, and an optional hit filter.
    shown: usize,
    filter: Option<BTreeSet<u32>>,
    rendered_records: usize,
    expanded_rows: BTreeSet<String>,
    /// Findings the user opened (by [`finding_key`]): they stay open when a
    /// live update re-renders the list, as expanded rows do.
    open_findings: BTreeSet<String>,
    summary_pending: Option<Timeout>,
    timeline_pending: Option<Timeout>,
    /// Listeners of timeline items: kept until the timeline is rebuilt from scratch.
    timeline_listeners: Vec<EventListener>,
    listeners: Vec<EventListener>,
    fixed_listeners: Vec<EventListener>,
    root: Element,
    confirm_clear: bool,
}

type Shared = Rc<RefCell<App>>;

fn msg(kind: &str, tab: f64) -> js_sys::Object {
    let o = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&o, &"type".into(), &kind.into());
    let _ = js_sys::Reflect::set(&o, &"tabId".into(), &tab.into());
    o
}

fn set(o: &js_sys::Object, k: &str, v: &JsValue) {
    let _ = js_sys::Reflect::set(o, &k.into(), v);
}

async fn call(bridge: &Bridge, m: &js_sys::Object) -> Result<JsValue, String> {
    let v = JsFuture::from(bridge.send(m)).await.map_err(|e| format!("{e:?}"))?;
    if let Ok(err) = js_sys::Reflect::get(&v, &"error".into()) {
        if let Some(s) = err.as_string() {
            return Err(s);
        }
    }
    Ok(v)
}

/// The worker's `get-journal` reply: records, the running total, review fields.
struct JournalReply {
    records: Vec<Record>,
    /// Records that did not fit the journal format (skipped, and said so).
    unreadable: usize,
    total: Option<f64>,
    review: Option<Review>,
}

fn journal_reply(v: &JsValue) -> Result<JournalReply, String> {
    let get = |k: &str| js_sys::Reflect::get(v, &k.into()).unwrap_or(JsValue::UNDEFINED);
    let text = crate::json_text(&get("records")).ok_or("the journal is not a list of records")?;
    let (records, unreadable) =
        crate::lenient_records(&text).map_err(|e| format!("the journal is not a list of records: {e}"))?;
    let review = get("review");
    let review = if review.is_object() {
        Some(serde_wasm_bindgen::from_value(review).map_err(|e| format!("review fields: {e}"))?)
    } else {
        None
    };
    Ok(JournalReply {
        records,
        unreadable,
        total: get("total").as_f64(),
        review,
    })
}

/// Mounts the panel into `root` and starts following the tab.
#[wasm_bindgen(js_name = mountPanel)]
pub fn mount_panel(root: Element, bridge: Bridge) {
    let tab = bridge.tab_id();
    let app = Rc::new(RefCell::new(App {
        bridge,
        tab,
        session: Session::new(DecodeConfig::default()),
        applied: 0.0,
        early: Some(Vec::new()),
        review: Review::default(),
        shown: PAGE,
        filter: None,
        rendered_records: 0,
        expanded_rows: BTreeSet::new(),
        open_findings: BTreeSet::new(),
        summary_pending: None,
        timeline_pending: None,
        timeline_listeners: Vec::new(),
        listeners: Vec::new(),
        fixed_listeners: Vec::new(),
        root,
        confirm_clear: false,
    }));
    build_skeleton(&app);
    // Subscribe before reading the journal; batches already in it are skipped by position.
    let for_records = app.clone();
    let cb = Closure::<dyn FnMut(f64, JsValue)>::new(move |start: f64, records: JsValue| {
        apply_batch(&for_records, start, records);
    });
    app.borrow().bridge.on_records(&cb);
    cb.forget(); // lives as long as the panel page
    let loader = app.clone();
    spawn_local(async move {
        let bridge_msg = msg("get-journal", loader.borrow().tab);
        let bridge = loader.borrow().bridge.clone();
        let reply = call(&bridge, &bridge_msg).await;
        match reply.and_then(|v| journal_reply(&v)) {
            Ok(j) => {
                let mut a = loader.borrow_mut();
                let n = j.records.len() as f64;
                for rec in j.records {
                    a.session.add(rec);
                }
                a.applied = j.total.unwrap_or(n);
                if let Some(r) = j.review {
                    a.review = r;
                }
                if j.unreadable > 0 {
                    status(&format!(
                        "{} journal record(s) did not fit the journal format and were skipped; the rest is shown.",
                        j.unreadable
                    ));
                }
            }
            Err(e) => status(&format!("Could not read the journal: {e}")),
        }
        // Batches heard meanwhile: those the journal already had are skipped by position.
        let early = loader.borrow_mut().early.take().unwrap_or_default();
        for (start, records) in early {
            apply_batch(&loader, start, records);
        }
        fill_review_fields(&loader);
        schedule(&loader);
    });
}

fn apply_batch(app: &Shared, start: f64, records: JsValue) {
    if let Some(early) = app.borrow_mut().early.as_mut() {
        early.push((start, records));
        return;
    }
    let Some(text) = crate::json_text(&records) else {
        return;
    };
    let Ok(list) = serde_json::from_str::<Vec<&serde_json::value::RawValue>>(&text) else {
        return;
    };
    {
        let mut a = app.borrow_mut();
        let mut pos = start;
        for r in list {
            // Every record counts for the position, even one that does not parse.
            if pos >= a.applied {
                if let Ok(rec) = serde_json::from_str::<Record>(r.get()) {
                    a.session.add(rec);
                }
                a.applied = pos + 1.0;
            }
            pos += 1.0;
        }
    }
    schedule(app);
}

/// Coalesces renders. New timeline rows go out at once (they are appended, not
/// rebuilt); the summary sections are rebuilt at most every 50 ms, or every
/// 500 ms on journeys of thousands of hits where a rebuild costs more.
fn schedule(app: &Shared) {
    if app.borrow().timeline_pending.is_none() {
        let again = app.clone();
        let t = Timeout::new(0, move || {
            again.borrow_mut().timeline_pending = None;
            render_timeline(&again);
        });
        app.borrow_mut().timeline_pending = Some(t);
    }
    if app.borrow().summary_pending.is_none() {
        let delay = if app.borrow().session.journey().hits.len() > 2000 {
            500
        } else {
            50
        };
        let again = app.clone();
        let t = Timeout::new(delay, move || {
            again.borrow_mut().summary_pending = None;
            render_summary(&again);
        });
        app.borrow_mut().summary_pending = Some(t);
    }
}

fn status(text: &str) {
    if let Some(s) = by_id("pp-status") {
        s.set_text_content(Some(text));
    }
}

/// Puts a panic's message on the panel, when this is the panel (the worker has
/// no document): what broke and where, not just "unreachable".
pub(crate) fn show_panic(message: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(s) = doc.get_element_by_id("pp-status") {
        s.set_text_content(Some(&format!(
            "PixelProof stopped on an internal error; reopen the panel. Please report: {message}"
        )));
    }
}

fn section(root: &Element, id: &str, title: &str) -> Element {
    let s = el("section", "card", "");
    attr(&s, "id", id);
    attr(&s, "aria-labelledby", &format!("{id}-h"));
    let h = el("h2", "", title);
    attr(&h, "id", &format!("{id}-h"));
    append(&s, &h);
    let body = el("div", "card-body", "");
    attr(&body, "id", &format!("{id}-body"));
    append(&s, &body);
    append(root, &s);
    body
}

/// The static parts: header, evidence inputs, review fields, export.
fn build_skeleton(app: &Shared) {
    let root = app.borrow().root.clone();
    clear(&root);
    let header = el("header", "top", "");
    let title = el("h1", "", "PixelProof");
    append(&header, &title);
    let verdict = el("span", "verdict", "…");
    attr(&verdict, "id", "pp-verdict");
    attr(&verdict, "role", "status");
    append(&header, &verdict);
    let counts = el("span", "muted", "");
    attr(&counts, "id", "pp-counts");
    append(&header, &counts);
    append(&root, &header);
    let st = el("p", "status", "");
    attr(&st, "id", "pp-status");
    attr(&st, "aria-live", "polite");
    append(&root, &st);
    let watch = el("div", "watch", "");
    attr(&watch, "id", "pp-watch");
    append(&root, &watch);

    section(&root, "pp-gate", "Stop/Go gate");
    section(&root, "pp-acceptance", "Acceptance");
    section(&root, "pp-findings", "Findings");
    let inventory_body = section(&root, "pp-inventory", "Sender inventory");
    let evidence = section(&root, "pp-evidence", "Evidence the browser cannot see");
    let review = section(&root, "pp-review", "Review");
    let export = section(&root, "pp-export", "Export");
    section(&root, "pp-timeline", "Timeline");

    let mut fixed = Vec::new();
    build_watch(app, &watch, &mut fixed);
    build_inventory(app, &inventory_body, &mut fixed);
    build_evidence(app, &evidence, &mut fixed);
    build_review(app, &review, &mut fixed);
    build_export(app, &export, &mut fixed);
    app.borrow_mut().fixed_listeners = fixed;
}

/// What the panel says about the tab before anything is captured: the first
/// thing a new user meets. The tab's URL comes from `webNavigation` (the
/// extension has no `tabs` permission and no access to an unwatched page).
fn build_watch(app: &Shared, watch: &Element, fixed: &mut Vec<EventListener>) {
    if app.borrow().bridge.watched() {
        return;
    }
    let url = app.borrow().bridge.tab_url();
    let Some(origin) = url.as_deref().and_then(url_origin) else {
        let p = el(
            "p",
            "hint",
            "PixelProof watches the web pages of your store. Open your store (an https:// page) in this tab, then open this panel again.",
        );
        attr(&p, "id", "pp-watch-hint");
        append(watch, &p);
        return;
    };
    let p = el(
        "p",
        "hint",
        &format!(
            "PixelProof records nothing on {origin} until you allow it. The browser will ask you to let PixelProof read and change your data on this one site; it only reads pixel traffic and never changes the page."
        ),
    );
    attr(&p, "id", "pp-watch-hint");
    append(watch, &p);
    let b = button(&format!("Watch {origin}"), "primary");
    attr(&b, "id", "pp-watch-button");
    attr(
        &b,
        "title",
        "Ask the browser for access to this store's pages (only this origin)",
    );
    append(watch, &b);
    let a = app.clone();
    let shown = watch.clone();
    fixed.push(on(&b, "click", move |_| {
        // Called in the click's own task: browsers grant the prompt only to a user gesture.
        let request = a.borrow().bridge.request_origin(&origin);
        let a = a.clone();
        let origin = origin.clone();
        let shown = shown.clone();
        spawn_local(async move {
            match JsFuture::from(request).await {
                Ok(v) if v.as_bool() == Some(true) => granted(&a, &shown, &origin).await,
                _ => status("Access was not granted; nothing is captured on this store."),
            }
        });
    }));
}

/// After the grant: the worker registers the page scripts, and the page must
/// load again for them to run in it.
async fn granted(app: &Shared, watch: &Element, origin: &str) {
    let m = msg("watch-changed", app.borrow().tab);
    let bridge = app.borrow().bridge.clone();
    let _ = call(&bridge, &m).await;
    clear(watch);
    let p = el(
        "p",
        "hint",
        &format!(
            "Watching {origin}. Reload the page to start capturing: pages loaded before the grant are not watched."
        ),
    );
    attr(&p, "id", "pp-watch-hint");
    append(watch, &p);
    let b = button("Reload the page", "primary");
    attr(&b, "id", "pp-reload-button");
    append(watch, &b);
    let a = app.clone();
    let listener = on(&b, "click", move |_| {
        a.borrow().bridge.reload_tab();
        status("Capturing: browse the store and place a test order.");
    });
    app.borrow_mut().fixed_listeners.push(listener);
    status(&format!("Watching {origin}. Reload the page to start capturing."));
}

fn url_origin(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    Some(u.origin().ascii_serialization())
}

fn build_evidence(app: &Shared, body: &Element, fixed: &mut Vec<EventListener>) {
    // Conversions API payload.
    let capi = textarea(
        "pp-capi",
        4,
        "{\"data\": [{\"event_name\": \"Purchase\", \"event_id\": \"…\", …}]}",
    );
    append(body, &field("Conversions API payload (JSON the server sent)", &capi));
    let capi_file = el("input", "", "");
    attr(&capi_file, "type", "file");
    attr(&capi_file, "accept", ".json,application/json");
    attr(&capi_file, "id", "pp-capi-file");
    append(body, &field("…or load a file", &capi_file));
    let capi_btn = button("Add server payload", "");
    attr(&capi_btn, "id", "pp-capi-add");
    append(body, &capi_btn);
    let capi_err = error_line("pp-capi-error");
    append(body, &capi_err);
    {
        let a = app.clone();
        let (ta, file, err) = (capi.clone(), capi_file.clone(), capi_err.clone());
        fixed.push(on(&capi_btn, "click", move |_| {
            let a = a.clone();
            let (ta, file, err) = (ta.clone(), file.clone(), err.clone());
            spawn_local(async move {
                let (text, label) = text_or_file(&a, &ta, &file, "pasted CAPI payload").await;
                match parse_capi(&label, &text) {
                    Ok(events) => {
                        err.set_text_content(None);
                        add_evidence(&a, "server_payload", &label, &text).await;
                        status(&format!("Added {} server event(s) from {label}.", events.len()));
                        set_input_value(&ta, "");
                    }
                    Err(e) => err.set_text_content(Some(&e.to_string())),
                }
            });
        }));
    }

    // Shopify order (JSON or typed figures).
    let order = textarea(
        "pp-order",
        3,
        "{\"order\": {\"total_price\": \"78.00\", \"currency\": \"USD\", …}}",
    );
    append(body, &field("Shopify order (Admin API JSON)", &order));
    let figures = el("div", "figures", "");
    let mut figure_inputs = Vec::new();
    for (id, label, kind) in [
        ("total", "Total", "number"),
        ("currency", "Currency", "text"),
        ("subtotal", "Subtotal", "number"),
        ("shipping", "Shipping", "number"),
        ("tax", "Tax", "number"),
        ("discount", "Discount", "number"),
        ("item_count", "Items", "number"),
    ] {
        let i = el("input", "", "");
        attr(&i, "type", kind);
        attr(&i, "id", &format!("pp-fig-{id}"));
        if kind == "number" {
            attr(&i, "step", "0.01");
        }
        append(&figures, &field(label, &i));
        figure_inputs.push((id, i));
    }
    append(body, &el("p", "muted", "…or type the figures:"));
    append(body, &figures);
    let order_btn = button("Add order", "");
    attr(&order_btn, "id", "pp-order-add");
    append(body, &order_btn);
    let order_err = error_line("pp-order-error");
    append(body, &order_err);
    {
        let a = app.clone();
        let (ta, err) = (order.clone(), order_err.clone());
        fixed.push(on(&order_btn, "click", move |_| {
            let mut text = input_value(&ta);
            let mut label = "pasted order".to_string();
            if text.trim().is_empty() {
                let mut obj = serde_json::Map::new();
                for (id, input) in &figure_inputs {
                    let v = input_value(input);
                    if v.trim().is_empty() {
                        continue;
                    }
                    let value = if *id == "currency" {
                        serde_json::Value::String(v.trim().to_owned())
                    } else {
                        match v.trim().parse::<f64>() {
                            Ok(n) if *id == "item_count" => serde_json::json!(n as u32),
                            Ok(n) => serde_json::json!(n),
                            Err(_) => {
                                err.set_text_content(Some(&format!(
                                    "{id}: \"{v}\" is not a number; type digits like 78.00"
                                )));
                                return;
                            }
                        }
                    };
                    obj.insert((*id).to_owned(), value);
                }
                text = serde_json::Value::Object(obj).to_string();
                label = "typed figures".into();
            }
            match parse_order(&label, &text) {
                Ok(o) => {
                    err.set_text_content(None);
                    let a = a.clone();
                    let total = o.total;
                    spawn_local(async move {
                        add_evidence(&a, "order", &label, &text).await;
                        status(&format!("Added order figures (total {total:.2})."));
                    });
                    set_input_value(&ta, "");
                }
                Err(e) => err.set_text_content(Some(&e.to_string())),
            }
        }));
    }

    // A HAR file, audited as a separate journey.
    let har_file = el("input", "", "");
    attr(&har_file, "type", "file");
    attr(&har_file, "accept", ".har,application/json");
    attr(&har_file, "id", "pp-har-file");
    append(body, &field("Audit a HAR file (a separate journey)", &har_file));
    let har_out = el("div", "har", "");
    attr(&har_out, "id", "pp-har");
    append(body, &har_out);
    {
        let a = app.clone();
        let (input, out) = (har_file.clone(), har_out.clone());
        fixed.push(on(&har_file, "change", move |_| {
            let a = a.clone();
            let (input, out) = (input.clone(), out.clone());
            spawn_local(async move {
                match picked_file(&a, &input).await {
                    Some((name, bytes)) => render_har(&a, &out, &name, &bytes),
                    None => out.set_text_content(Some("Could not read the file; choose it again.")),
                }
            });
        }));
    }
}

fn render_har(app: &Shared, out: &Element, name: &str, bytes: &[u8]) {
    clear(out);
    let config = DecodeConfig::default();
    match pixelproof_core::har::read_har(name, bytes, &config) {
        Err(e) => {
            let p = el("p", "error", &e.to_string());
            attr(&p, "role", "alert");
            append(out, &p);
        }
        Ok(import) => {
            let mut s = Session::from_records(config, import.records);
            let packet = Packet::build(&mut s, &Review::default(), &PacketOptions::default());
            append(
                out,
                &el(
                    "p",
                    "",
                    &format!(
                        "{name}: {} entries, {} pixel hits, verdict {}",
                        import.entries,
                        packet.hits.len(),
                        packet.verdict.as_str()
                    ),
                ),
            );
            let ul = el("ul", "", "");
            for row in packet.acceptance.iter().filter(|r| r.core) {
                append(
                    &ul,
                    &el(
                        "li",
                        &format!("st-{}", row.status.as_str()),
                        &format!("{}: {}", row.event, row.status.as_str()),
                    ),
                );
            }
            for f in &packet.findings {
                append(
                    &ul,
                    &el(
                        "li",
                        &format!("sev-{}", f.severity.as_str()),
                        &format!("{} {}: {}", f.severity.as_str(), f.code, f.message),
                    ),
                );
            }
            append(out, &ul);
            let b = button("Download this HAR's packet (JSON)", "");
            append(out, &b);
            let json = packet.to_json();
            let a = app.clone();
            let file = format!("pixelproof-{}.json", name.trim_end_matches(".har"));
            app.borrow_mut().fixed_listeners.push(on(&b, "click", move |_| {
                a.borrow().bridge.download(&file, &json, "application/json");
            }));
        }
    }
}

async fn text_or_file(app: &Shared, ta: &Element, file: &Element, default_label: &str) -> (String, String) {
    let pasted = input_value(ta);
    if !pasted.trim().is_empty() {
        return (pasted, default_label.to_owned());
    }
    match picked_file(app, file).await {
        Some((name, bytes)) => (String::from_utf8_lossy(&bytes).into_owned(), name),
        None => (String::new(), default_label.to_owned()),
    }
}

/// The file chosen in a file input, as (name, bytes); `None` when none is chosen.
async fn picked_file(app: &Shared, input: &Element) -> Option<(String, Vec<u8>)> {
    let p = app.borrow().bridge.read_file(input);
    let v = JsFuture::from(p).await.ok()?;
    let name = js_sys::Reflect::get(&v, &"name".into()).ok()?.as_string()?;
    let bytes = js_sys::Reflect::get(&v, &"bytes".into())
        .ok()
        .map(|b| js_sys::Uint8Array::new(&b).to_vec())?;
    (!name.is_empty()).then_some((name, bytes))
}

fn textarea(id: &str, rows: u32, placeholder: &str) -> Element {
    let t = el("textarea", "", "");
    attr(&t, "id", id);
    attr(&t, "rows", &rows.to_string());
    attr(&t, "placeholder", placeholder);
    t
}

/// The message line next to an input; screen readers announce what appears in it.
fn error_line(id: &str) -> Element {
    let p = el("p", "error", "");
    attr(&p, "id", id);
    attr(&p, "role", "alert");
    p
}

async fn add_evidence(app: &Shared, kind: &str, label: &str, text: &str) {
    let m = msg("add-evidence", app.borrow().tab);
    set(&m, "kind", &kind.into());
    set(&m, "label", &label.into());
    set(&m, "text", &text.into());
    let bridge = app.borrow().bridge.clone();
    if let Err(e) = call(&bridge, &m).await {
        status(&format!("Could not store the evidence: {e}"));
    }
}

fn build_review(app: &Shared, body: &Element, fixed: &mut Vec<EventListener>) {
    let decision = create("select");
    attr(&decision, "id", "pp-decision");
    for (v, t) in [
        ("", "—"),
        ("go", "Go"),
        ("go_with_conditions", "Go with conditions"),
        ("stop", "Stop"),
    ] {
        let o = el("option", "", t);
        attr(&o, "value", v);
        append(&decision, &o);
    }
    append(body, &field("Decision", &decision));
    let reviewer = el("input", "", "");
    attr(&reviewer, "id", "pp-reviewer");
    append(body, &field("Reviewer", &reviewer));
    let next = el("input", "", "");
    attr(&next, "type", "date");
    attr(&next, "id", "pp-next-review");
    append(body, &field("Next review", &next));
    let gaps = el("textarea", "", "");
    attr(&gaps, "id", "pp-gaps");
    attr(&gaps, "rows", "2");
    append(body, &field("Why Meta, Shopify, GA4 and server counts differ", &gaps));
    let notes = el("textarea", "", "");
    attr(&notes, "id", "pp-notes");
    attr(&notes, "rows", "2");
    append(body, &field("Notes", &notes));
    for control in [&decision, &reviewer, &next, &gaps, &notes] {
        let a = app.clone();
        fixed.push(on(control, "change", move |_| save_review(&a)));
    }
}

fn fill_review_fields(app: &Shared) {
    let r = app.borrow().review.clone();
    for ev in pixelproof_core::tables::CORE_EVENTS {
        if let Some(e) = by_id(&format!("pp-owner-{ev}")) {
            set_input_value(&e, r.owners.get(ev).map(String::as_str).unwrap_or(""));
        }
    }
    for (id, v) in [
        ("pp-decision", r.decision),
        ("pp-reviewer", r.reviewer),
        ("pp-next-review", r.next_review),
        ("pp-gaps", r.gaps_note),
        ("pp-notes", r.notes),
    ] {
        if let Some(e) = by_id(id) {
            set_input_value(&e, v.as_deref().unwrap_or(""));
        }
    }
}

fn opt_field(id: &str) -> Option<String> {
    by_id(id).map(|e| input_value(&e)).filter(|v| !v.trim().is_empty())
}

/// Reads the review fields (and owner inputs) and stores them with the tab.
fn save_review(app: &Shared) {
    {
        let mut a = app.borrow_mut();
        a.review.decision = opt_field("pp-decision");
        a.review.reviewer = opt_field("pp-reviewer");
        a.review.next_review = opt_field("pp-next-review");
        a.review.gaps_note = opt_field("pp-gaps");
        a.review.notes = opt_field("pp-notes");
        for ev in pixelproof_core::tables::CORE_EVENTS {
            match opt_field(&format!("pp-owner-{ev}")) {
                Some(o) => {
                    a.review.owners.insert(ev.to_owned(), o);
                }
                None => {
                    a.review.owners.remove(ev);
                }
            }
        }
    }
    let a = app.clone();
    spawn_local(async move {
        let m = msg("set-review", a.borrow().tab);
        let review = a.borrow().review.clone();
        // Maps as plain objects: the message is JSON-cloned, and a JS Map would arrive empty.
        if let Ok(v) = crate::to_js(&review) {
            set(&m, "review", &v);
            let bridge = a.borrow().bridge.clone();
            match call(&bridge, &m).await {
                Ok(_) => status("Review saved."),
                Err(e) => status(&format!("Review not saved: {e}")),
            }
        }
    });
    schedule(app);
}

fn build_export(app: &Shared, body: &Element, fixed: &mut Vec<EventListener>) {
    let row = el("div", "buttons", "");
    let copy_md = button("Copy Markdown", "");
    attr(&copy_md, "id", "pp-copy-md");
    let copy_json = button("Copy JSON", "");
    attr(&copy_json, "id", "pp-copy-json");
    let download = button("Download both", "");
    attr(&download, "id", "pp-download");
    let clear_btn = button("Clear journey…", "danger");
    attr(&clear_btn, "id", "pp-clear");
    for b in [&copy_md, &copy_json, &download, &clear_btn] {
        append(&row, b);
    }
    append(body, &row);
    let confirm = el("div", "confirm", "");
    attr(&confirm, "id", "pp-confirm");
    append(body, &confirm);
    let a = app.clone();
    fixed.push(on(&copy_md, "click", move |_| {
        let text = markdown(&a);
        copy(&a, text, "Markdown");
    }));
    let a = app.clone();
    fixed.push(on(&copy_json, "click", move |_| {
        let text = packet_json(&a);
        copy(&a, text, "JSON");
    }));
    let a = app.clone();
    fixed.push(on(&download, "click", move |_| {
        let (md, json) = (markdown(&a), packet_json(&a));
        let b = a.borrow();
        b.bridge.download("pixelproof-packet.md", &md, "text/markdown");
        b.bridge.download("pixelproof-packet.json", &json, "application/json");
    }));
    let a = app.clone();
    fixed.push(on(&clear_btn, "click", move |_| {
        a.borrow_mut().confirm_clear = true;
        render_confirm(&a);
    }));
}

fn render_confirm(app: &Shared) {
    let Some(box_) = by_id("pp-confirm") else { return };
    clear(&box_);
    if !app.borrow().confirm_clear {
        return;
    }
    append(
        &box_,
        &el(
            "span",
            "",
            "Clear this tab's journey, evidence and review? This cannot be undone. ",
        ),
    );
    let yes = button("Yes, clear", "danger");
    attr(&yes, "id", "pp-clear-yes");
    let no = button("Keep it", "");
    append(&box_, &yes);
    append(&box_, &no);
    focus(&no);
    let a = app.clone();
    let l1 = on(&yes, "click", move |_| {
        let a = a.clone();
        spawn_local(async move {
            let m = msg("clear", a.borrow().tab);
            let bridge = a.borrow().bridge.clone();
            let r = call(&bridge, &m).await;
            {
                let mut b = a.borrow_mut();
                b.confirm_clear = false;
                b.session = Session::new(DecodeConfig::default());
                b.review = Review::default();
                b.applied = 0.0;
                b.rendered_records = 0;
                b.filter = None;
            }
            if let Some(t) = by_id("pp-timeline-body") {
                clear(&t);
            }
            fill_review_fields(&a);
            render_confirm(&a);
            status(if r.is_ok() {
                "Journey cleared."
            } else {
                "Could not clear the journey."
            });
            schedule(&a);
        });
    });
    let a = app.clone();
    let l2 = on(&no, "click", move |_| {
        a.borrow_mut().confirm_clear = false;
        render_confirm(&a);
    });
    app.borrow_mut().fixed_listeners.extend([l1, l2]);
}

fn markdown(app: &Shared) -> String {
    let mut a = app.borrow_mut();
    let review = a.review.clone();
    Packet::build(&mut a.session, &review, &PacketOptions::default()).to_markdown()
}

fn packet_json(app: &Shared) -> String {
    let mut a = app.borrow_mut();
    let review = a.review.clone();
    Packet::build(&mut a.session, &review, &PacketOptions::default()).to_json()
}

fn copy(app: &Shared, text: String, what: &'static str) {
    let p = app.borrow().bridge.copy(&text);
    spawn_local(async move {
        match JsFuture::from(p).await {
            Ok(_) => status(&format!("Packet copied as {what}.")),
            Err(_) => status("The clipboard refused; use Download instead."),
        }
    });
}

// ---- rendering ----------------------------------------------------------------

/// Everything, now (after a user action).
fn render(app: &Shared) {
    render_summary(app);
    render_timeline(app);
}

fn render_summary(app: &Shared) {
    let findings = app.borrow_mut().session.findings();
    let mut listeners = Vec::new();
    {
        let a = app.borrow();
        let j = a.session.journey();
        let g = gate(j, &findings, &a.review);
        if let Some(v) = by_id("pp-verdict") {
            v.set_text_content(Some(&format!("Verdict: {}", g.verdict.as_str().to_ascii_uppercase())));
            v.set_class_name(&format!("verdict v-{}", g.verdict.as_str()));
        }
        if let Some(c) = by_id("pp-counts") {
            c.set_text_content(Some(&format!(
                "{} hits · {} records · {} findings",
                j.hits.len(),
                a.session.records().len(),
                findings.len()
            )));
        }
        if let Some(body) = by_id("pp-gate-body") {
            clear(&body);
            let ul = el("ul", "gate", "");
            for c in &g.checks {
                let (label, class) = match c.state {
                    CheckState::Go => ("GO", "go"),
                    CheckState::Stop => ("STOP", "stop"),
                    CheckState::Unverified => ("UNVERIFIED", "unverified"),
                };
                let li = el("li", &format!("check c-{class}"), "");
                append(&li, &el("strong", "", &format!("{} ", c.name)));
                append(&li, &el("span", &format!("pill p-{class}"), label));
                append(&li, &el("span", "", &format!(" {}", c.detail)));
                if c.page_reported {
                    let tag = el("span", "tag page-reported", " page-reported");
                    attr(
                        &tag,
                        "title",
                        "Rests on figures the page exposed, which its scripts could forge",
                    );
                    append(&li, &tag);
                }
                if let Some(n) = &c.needs {
                    append(&li, &el("div", "muted", &format!("Needs: {n}")));
                }
                append(&ul, &li);
            }
            append(&body, &ul);
            if !g.blocking.is_empty() {
                append(
                    &body,
                    &el(
                        "p",
                        "stop-note",
                        &format!("Fail findings blocking Go: {}", g.blocking.join(", ")),
                    ),
                );
            }
        }
        render_acceptance(app, &a, &findings, &mut listeners);
        render_findings(app, &a, &findings, &mut listeners);
        render_inventory(app, &a, &mut listeners);
    }
    app.borrow_mut().listeners = listeners;
}

fn status_label(s: RowStatus) -> (&'static str, &'static str) {
    match s {
        RowStatus::Pass => ("PASS", "st-pass"),
        RowStatus::Warn => ("WARN", "st-warn"),
        RowStatus::Fail => ("FAIL", "st-fail"),
        RowStatus::NotSeen => ("NOT SEEN", "st-not_seen"),
    }
}

fn render_acceptance(app: &Shared, a: &App, findings: &[Finding], listeners: &mut Vec<EventListener>) {
    let Some(body) = by_id("pp-acceptance-body") else {
        return;
    };
    clear(&body);
    let j = a.session.journey();
    let rows = acceptance(j, findings);
    // Three columns so it fits a 360 px side panel: the event, its status, and
    // the details stacked as labelled lines.
    let table = el("table", "acceptance", "");
    let head = el("tr", "", "");
    for h in ["Event", "Status", "Details"] {
        append(&head, &el("th", "", h));
    }
    let thead = el("thead", "", "");
    append(&thead, &head);
    append(&table, &thead);
    let tbody = el("tbody", "", "");
    for row in rows {
        let tr = el("tr", if row.core { "core" } else { "other" }, "");
        attr(&tr, "data-event", &row.event);
        let (label, class) = status_label(row.status);
        let name = el("td", "", "");
        let toggle = button(&row.event, "link");
        attr(
            &toggle,
            "aria-expanded",
            if a.expanded_rows.contains(&row.event) {
                "true"
            } else {
                "false"
            },
        );
        attr(&toggle, "title", "Show the hits of this event");
        append(&name, &toggle);
        append(&tr, &name);
        append(&tr, &el("td", &format!("status {class}"), label));
        let details = el("td", "details", "");
        let line = |k: &str, v: &str| {
            let d = el("div", "", "");
            append(&d, &el("span", "k", &format!("{k}: ")));
            append(&d, &el("span", "mono", v));
            d
        };
        if let Some(page) = &row.page {
            append(
                &details,
                &line(
                    "page",
                    &format!("{} at {}", short_url(page), row.time.map(clock).unwrap_or_default()),
                ),
            );
        }
        if !row.senders.is_empty() {
            append(&details, &line("sender", &row.senders.join(", ")));
        }
        if let Some(server) = &row.server {
            append(&details, &line("server", server));
        }
        if !row.event_ids.is_empty() {
            append(&details, &line("event_id", &row.event_ids.join(", ")));
        }
        match (&row.value, &row.currency) {
            (None, None) => {}
            (v, c) => append(
                &details,
                &line(
                    "value",
                    &format!("{} {}", v.as_deref().unwrap_or("—"), c.as_deref().unwrap_or("—")),
                ),
            ),
        }
        if !row.codes.is_empty() {
            append(&details, &line("codes", &row.codes.join(" ")));
        }
        append(&tr, &details);
        append(&tbody, &tr);
        if a.expanded_rows.contains(&row.event) {
            let detail = el("tr", "row-hits", "");
            let td = el("td", "", "");
            attr(&td, "colspan", "3");
            let ul = el("ul", "", "");
            // An expanded row lists its first hits; the timeline holds them all.
            for id in row.hit_ids.iter().take(ROW_HITS_SHOWN) {
                if let Some(h) = j.hits.get((*id as usize).saturating_sub(1)) {
                    append(&ul, &el("li", "mono", &hit_line(h)));
                }
            }
            if row.hit_ids.len() > ROW_HITS_SHOWN {
                let more = row.hit_ids.len() - ROW_HITS_SHOWN;
                append(
                    &ul,
                    &el("li", "muted", &format!("… and {more} more (see the timeline)")),
                );
            }
            append(&td, &ul);
            append(&detail, &td);
            append(&tbody, &detail);
        }
        let app2 = app.clone();
        let ev = row.event.clone();
        listeners.push(on(&toggle, "click", move |_| {
            {
                let mut b = app2.borrow_mut();
                if !b.expanded_rows.remove(&ev) {
                    b.expanded_rows.insert(ev.clone());
                }
            }
            // A click is answered at once, not at the next throttled refresh.
            render_summary(&app2);
        }));
    }
    append(&table, &tbody);
    append(&body, &table);
}

fn short_url(u: &str) -> String {
    match url::Url::parse(u) {
        Ok(p) => p.path().to_owned(),
        Err(_) => u.to_owned(),
    }
}

fn hit_line(h: &pixelproof_core::model::Hit) -> String {
    format!(
        "#{} {} {} {} · {} · eid {} · {} {}",
        h.id,
        clock(h.time),
        h.event.as_deref().unwrap_or("(no ev)"),
        h.decoded.transport.as_str(),
        h.sender.label,
        h.event_id.as_deref().unwrap_or("(none)"),
        h.custom("value").unwrap_or(""),
        h.currency().unwrap_or("")
    )
}

/// A finding's identity across re-renders.
fn finding_key(f: &Finding) -> String {
    format!(
        "{}|{}|{}|{:?}|{:?}",
        f.code,
        f.event.as_deref().unwrap_or(""),
        f.pixel_id.as_deref().unwrap_or(""),
        f.page_view,
        f.hit_ids.first()
    )
}

fn render_findings(app: &Shared, a: &App, findings: &[Finding], listeners: &mut Vec<EventListener>) {
    let Some(body) = by_id("pp-findings-body") else { return };
    clear(&body);
    if findings.is_empty() {
        append(&body, &el("p", "muted", "No findings."));
        return;
    }
    for sev in [Severity::Fail, Severity::Warn, Severity::Info] {
        let group: Vec<&Finding> = findings.iter().filter(|f| f.severity == sev).collect();
        if group.is_empty() {
            continue;
        }
        append(
            &body,
            &el(
                "h3",
                &format!("sev-{}", sev.as_str()),
                &format!("{} ({})", sev.as_str().to_ascii_uppercase(), group.len()),
            ),
        );
        for f in group {
            let d = create("details");
            d.set_class_name(&format!("finding sev-{}", sev.as_str()));
            attr(&d, "data-code", f.code);
            let key = finding_key(f);
            if a.open_findings.contains(&key) {
                attr(&d, "open", "");
            }
            let app_toggle = app.clone();
            let details = d.clone();
            listeners.push(on(&d, "toggle", move |_| {
                let open = details.has_attribute("open");
                // A re-render sets `open` itself and fires toggle too; that is
                // harmless: it writes the state it read.
                if let Ok(mut a) = app_toggle.try_borrow_mut() {
                    if open {
                        a.open_findings.insert(key.clone());
                    } else {
                        a.open_findings.remove(&key);
                    }
                }
            }));
            let s = el("summary", "", "");
            append(&s, &el("code", "", f.code));
            if let Some(ev) = &f.event {
                append(&s, &el("span", "muted", &format!(" {ev}")));
            }
            append(&s, &el("span", "", &format!(" — {}", f.message)));
            if f.page_reported {
                let tag = el("span", "tag page-reported", " page-reported");
                attr(
                    &tag,
                    "title",
                    "Rests on what the page reported (its scripts could forge it): it adds doubt, it settles nothing",
                );
                append(&s, &tag);
            }
            append(&d, &s);
            if let Some(info) = rules::info(f.code) {
                append(&d, &el("p", "", info.explanation));
                let dl = el("dl", "guidance", "");
                for (k, v) in [
                    ("Probably broke", info.probably_broke),
                    ("First check", info.first_check),
                    ("Not yet", info.not_yet),
                ] {
                    append(&dl, &el("dt", "", k));
                    append(&dl, &el("dd", "", v));
                }
                append(&d, &dl);
            }
            if !f.hit_ids.is_empty() {
                let b = button(
                    &format!(
                        "Show hits {} in the timeline",
                        f.hit_ids.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(", ")
                    ),
                    "link",
                );
                append(&d, &b);
                // Built by insertion: collecting would sort, another copy of the sort code.
                let mut ids = BTreeSet::new();
                ids.extend(f.hit_ids.iter().copied());
                let app2 = app.clone();
                listeners.push(on(&b, "click", move |_| {
                    {
                        let mut a = app2.borrow_mut();
                        a.filter = Some(ids.clone());
                        a.rendered_records = 0;
                    }
                    if let Some(t) = by_id("pp-timeline-body") {
                        clear(&t);
                    }
                    render(&app2);
                    if let Some(t) = by_id("pp-timeline") {
                        t.scroll_into_view();
                    }
                }));
            }
            append(&body, &d);
        }
    }
}

/// The owner table is built once, so an owner being typed is never replaced;
/// each render only refreshes the sender cells and the sender list.
fn build_inventory(app: &Shared, body: &Element, fixed: &mut Vec<EventListener>) {
    let table = el("table", "owners", "");
    let head = el("tr", "", "");
    for h in ["Event", "Senders", "Owner"] {
        append(&head, &el("th", "", h));
    }
    append(&table, &head);
    for ev in pixelproof_core::tables::CORE_EVENTS {
        let tr = el("tr", "", "");
        append(&tr, &el("td", "", ev));
        let senders = el("td", "", "—");
        attr(&senders, "id", &format!("pp-senders-{ev}"));
        append(&tr, &senders);
        let td = el("td", "", "");
        let input = el("input", "", "");
        attr(&input, "id", &format!("pp-owner-{ev}"));
        attr(&input, "aria-label", &format!("Owner of {ev}"));
        attr(&input, "list", "pp-sender-list");
        append(&td, &input);
        append(&tr, &td);
        append(&table, &tr);
        let a = app.clone();
        fixed.push(on(&input, "change", move |_| save_review(&a)));
    }
    append(body, &table);
    let list = el("datalist", "", "");
    attr(&list, "id", "pp-sender-list");
    append(body, &list);
    let ul = el("ul", "senders", "");
    attr(&ul, "id", "pp-sender-details");
    append(body, &ul);
}

fn render_inventory(_app: &Shared, a: &App, _listeners: &mut Vec<EventListener>) {
    let inv = inventory(a.session.journey(), &a.review);
    for o in &inv.owners {
        if let Some(cell) = by_id(&format!("pp-senders-{}", o.event)) {
            cell.set_text_content(Some(
                if o.senders.is_empty() {
                    "—".to_string()
                } else {
                    o.senders.join(", ")
                }
                .as_str(),
            ));
            cell.set_class_name(if o.senders.len() > 1 { "multi" } else { "" });
        }
    }
    if let Some(list) = by_id("pp-sender-list") {
        clear(&list);
        for s in &inv.senders {
            let o = el("option", "", "");
            attr(&o, "value", &s.sender);
            append(&list, &o);
        }
    }
    if let Some(ul) = by_id("pp-sender-details") {
        clear(&ul);
        for s in &inv.senders {
            let events: Vec<String> = s.events.iter().map(|(k, v)| format!("{k}×{v}")).collect();
            let li = el("li", "", "");
            append(&li, &el("strong", "", &s.sender));
            append(&li, &el("span", "", &format!(": {}", events.join(", "))));
            append(&li, &el("div", "muted", &s.evidence.join(" · ")));
            append(&ul, &li);
        }
    }
}

/// Appends the records not yet shown (newest first); pages older ones.
fn render_timeline(app: &Shared) {
    let Some(body) = by_id("pp-timeline-body") else { return };
    let mut new_listeners = Vec::new();
    let listeners = &mut new_listeners;
    let (total, already, shown, filtered) = {
        let a = app.borrow();
        (
            a.session.records().len(),
            a.rendered_records,
            a.shown,
            a.filter.is_some(),
        )
    };
    if already == 0 {
        clear(&body);
        if filtered {
            let bar = el("p", "filter", "Showing only the hits of one finding. ");
            let b = button("Show everything", "link");
            append(&bar, &b);
            append(&body, &bar);
            let app2 = app.clone();
            listeners.push(on(&b, "click", move |_| {
                {
                    let mut a = app2.borrow_mut();
                    a.filter = None;
                    a.rendered_records = 0;
                }
                render(&app2);
            }));
        }
        let list = el("ol", "timeline", "");
        attr(&list, "id", "pp-timeline-list");
        attr(&list, "reversed", "");
        append(&body, &list);
    }
    let Some(list) = by_id("pp-timeline-list") else { return };
    let from = if already == 0 {
        total.saturating_sub(shown)
    } else {
        already
    };
    let a = app.borrow();
    let j = a.session.journey();
    // Newest first: each newer record goes on top.
    for idx in from..total {
        let Some(item) = timeline_item(app, &a, j, idx, listeners) else {
            continue;
        };
        let _ = list.insert_before(&item, list.first_child().as_ref());
    }
    drop(a);
    let mut a = app.borrow_mut();
    if already == 0 {
        a.timeline_listeners.clear();
    }
    a.rendered_records = total;
    let hidden = total.saturating_sub(a.shown);
    if let Some(old) = by_id("pp-older") {
        old.remove();
    }
    if hidden > 0 && already == 0 {
        let b = button(&format!("Show {} older records", hidden.min(PAGE)), "link");
        attr(&b, "id", "pp-older");
        append(&body, &b);
        let app2 = app.clone();
        listeners.push(on(&b, "click", move |_| {
            {
                let mut a = app2.borrow_mut();
                a.shown += PAGE;
                a.rendered_records = 0;
            }
            render(&app2);
        }));
    }
    drop(a);
    app.borrow_mut().timeline_listeners.extend(new_listeners);
}

fn timeline_item(
    app: &Shared,
    a: &App,
    j: &pixelproof_core::journey::Journey,
    idx: usize,
    listeners: &mut Vec<EventListener>,
) -> Option<Element> {
    let record = a.session.records().get(idx)?;
    let hit = j.hits.binary_search_by_key(&idx, |h| h.record).ok().map(|i| &j.hits[i]);
    if let Some(filter) = &a.filter {
        if !hit.is_some_and(|h| filter.contains(&h.id)) {
            return None;
        }
    }
    let li = el("li", "", "");
    let text = match (record, hit) {
        (_, Some(h)) => {
            li.set_class_name("t-hit");
            attr(&li, "data-hit", &h.id.to_string());
            let d = create("details");
            let s = el("summary", "mono", &hit_line(h));
            append(&d, &s);
            let table = el("table", "params", "");
            for p in &h.decoded.params {
                let tr = el("tr", "", "");
                append(&tr, &el("th", "mono", &p.key));
                let v = if p.user_data {
                    pixelproof_core::packet::redact_value(&p.value)
                } else {
                    p.value.clone()
                };
                append(&tr, &el("td", "mono", &v));
                append(&table, &tr);
            }
            append(&d, &table);
            for issue in &h.decoded.issues {
                append(&d, &el("p", "error", &format!("{}: {}", issue.place, issue.message)));
            }
            append(
                &d,
                &el(
                    "p",
                    "muted",
                    &format!("Sender evidence: {}", h.sender.evidence.join(" · ")),
                ),
            );
            let raw = el("pre", "raw", "");
            let payload = match &h.decoded.raw_body {
                Some(b) => format!("{} {}\n\n{}", h.method, h.url, b),
                None => format!("{} {}", h.method, h.url),
            };
            raw.set_text_content(Some(&payload));
            append(&d, &raw);
            let copy_btn = button("Copy payload", "");
            append(&d, &copy_btn);
            let app2 = app.clone();
            listeners.push(on(&copy_btn, "click", move |_| copy(&app2, payload.clone(), "payload")));
            append(&li, &d);
            return Some(li);
        }
        (Record::Request(r), None) => format!("{} request (not a pixel hit) {}", clock(r.time), r.url),
        (Record::ScriptLoad(s), _) => format!("{} script {}", clock(s.time), s.url),
        (Record::Navigation(n), _) => {
            li.set_class_name("t-nav");
            format!("{} page {}", clock(n.time), n.url)
        }
        (Record::FbqCall(c), _) => {
            let first = c
                .args
                .first()
                .map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()))
                .unwrap_or_default();
            format!(
                "{} fbq('{}', {first}) from {}",
                clock(c.time),
                c.method,
                c.caller.as_deref().unwrap_or("?")
            )
        }
        // Inventory snapshots are evidence for the rules; the timeline shows one
        // only when it says something (a second copy, a second base code, a conflict).
        (Record::Scripts(s), _) => {
            let copies = s.scripts.iter().filter(|u| u.contains("fbevents")).count();
            if copies < 2 && s.base_code_runs < 2 && !s.fbq_differs_from_fbq_alias {
                return None;
            }
            li.set_class_name("t-warn");
            format!(
                "{} scripts: {copies} fbevents copies, base code ran {}×{}",
                clock(s.time),
                s.base_code_runs,
                if s.fbq_differs_from_fbq_alias {
                    ", fbq ≠ _fbq"
                } else {
                    ""
                }
            )
        }
        (Record::Gesture(g), _) => format!(
            "{} {} {}{}",
            clock(g.time),
            g.gesture,
            g.target.as_deref().unwrap_or(""),
            if g.trusted() {
                ""
            } else {
                " (page-reported: not counted as an action)"
            }
        ),
        // The start of gesture watching is bookkeeping, not an event.
        (Record::GestureWatch(_), _) => return None,
        (Record::FbLog(l), _) => format!("{} FB_LOG {}: {}", clock(l.time), l.level, l.message),
        (Record::Shopify(s), _) => format!(
            "{} Shopify {} {}",
            clock(s.time),
            s.shop.as_deref().unwrap_or(""),
            s.page_type.as_deref().unwrap_or("")
        ),
        (Record::ServerPayload(t), _) => format!("server payload added: {}", t.label),
        (Record::Order(t), _) => format!("order figures added: {}", t.label),
        (Record::Dropped(d), _) => {
            li.set_class_name("t-dropped");
            pixelproof_core::packet::describe_drop(d)
        }
    };
    li.set_text_content(Some(&text));
    Some(li)
}
