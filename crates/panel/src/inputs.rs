//! Evidence the browser cannot see: the Conversions API payload and the
//! Shopify order the user pastes (or loads, or types), which become journal
//! records of the tab, and a HAR file audited as a separate journey. A bad
//! paste gets its message next to the field; nothing captured is touched.
//! The inputs are listed once, in [`EVIDENCE_INPUTS`].

use gloo::events::EventListener;
use pixelproof_core::inputs::order::TYPED_FIELDS;
use pixelproof_core::inputs::{
    parse_capi_requests, parse_capi_response, parse_order_named, stated_pixel_id, typed_figures,
};
use pixelproof_core::{DecodeConfig, Packet, PacketOptions, Review, Session};
use web_sys::Element;

use crate::bridge::{self, Bridge};
use crate::ctx::{Ctx, Msg};
use crate::dom::*;
use crate::state::HarPacket;

/// Labels of the core's typed-figure fields (`TYPED_FIELDS`), in its order.
const FIGURE_LABELS: [&str; 7] = ["Total", "Currency", "Subtotal", "Shipping", "Tax", "Discount", "Items"];

fn textarea(id: &str, rows: u32, placeholder: &str) -> Element {
    let t = el("textarea", "", "");
    attr(&t, "id", id);
    attr(&t, "rows", &rows.to_string());
    attr(&t, "placeholder", placeholder);
    t
}

/// A one-line text field.
fn text_input(id: &str, placeholder: &str, maxlength: u32) -> Element {
    let i = el("input", "", "");
    attr(&i, "type", "text");
    attr(&i, "id", id);
    attr(&i, "placeholder", placeholder);
    attr(&i, "maxlength", &maxlength.to_string());
    i
}

fn set_error(id: &str, text: Option<&str>) {
    if let Some(e) = by_id(id) {
        e.set_text_content(text);
    }
}

fn value(id: &str) -> String {
    by_id(id).map(|e| input_value(&e)).unwrap_or_default()
}

/// One kind of evidence the browser cannot see, as the section shows it: a
/// group with its legend, built once by `build` (fields, buttons, the error
/// line under them; the fields keep the ids tests and messages use).
pub struct EvidenceInput {
    /// The group's id is `pp-in-{key}`.
    pub key: &'static str,
    pub legend: &'static str,
    pub build: fn(&Ctx, &Element, &mut Vec<EventListener>),
}

/// Every evidence input, in the order the section shows them: the one place
/// they are listed. A new input (Meta's response to the server payload, say)
/// is one entry here and its builder; a new field of an existing input goes
/// in that input's builder.
pub const EVIDENCE_INPUTS: [EvidenceInput; 3] = [
    EvidenceInput {
        key: "capi",
        legend: "Server payload (Conversions API)",
        build: build_capi,
    },
    EvidenceInput {
        key: "order",
        legend: "Shopify order",
        build: build_order,
    },
    EvidenceInput {
        key: "har",
        legend: "HAR file",
        build: build_har,
    },
];

/// Builds the evidence section: one group per entry of [`EVIDENCE_INPUTS`].
pub fn build(app: &Ctx, body: &Element, fixed: &mut Vec<EventListener>) {
    for input in &EVIDENCE_INPUTS {
        let group = el("fieldset", "input-group", "");
        attr(&group, "id", &format!("pp-in-{}", input.key));
        append(&group, &el("legend", "", input.legend));
        (input.build)(app, &group, fixed);
        append(body, &group);
    }
}

fn build_capi(app: &Ctx, body: &Element, fixed: &mut Vec<EventListener>) {
    let capi = textarea(
        "pp-capi",
        4,
        "{\"data\": [{\"event_name\": \"Purchase\", \"event_id\": \"…\", …}]}",
    );
    append(body, &field("JSON the server sent (paste)", &capi));
    let capi_file = el("input", "", "");
    attr(&capi_file, "type", "file");
    attr(&capi_file, "accept", ".json,application/json");
    attr(&capi_file, "id", "pp-capi-file");
    append(body, &field("…or load a file", &capi_file));
    // Meta's answer to that request, beside it: what Meta says it received.
    let response = textarea(
        "pp-capi-response",
        2,
        "{\"events_received\": 1, \"messages\": [], \"fbtrace_id\": \"…\"} or {\"error\": {…}}",
    );
    append(
        body,
        &field(
            "Meta's response to it (optional: the body the Graph API returned)",
            &response,
        ),
    );
    // A Conversions API body does not name its pixel (it is in the request's
    // path): with several pixels on the store, the user says which.
    let pixel = text_input("pp-capi-pixel", "1234567890123456", 32);
    attr(&pixel, "inputmode", "numeric");
    append(
        body,
        &field(
            "Pixel id it was sent to (optional: when the store has several pixels, only that pixel's browser events pair with it)",
            &pixel,
        ),
    );
    let capi_btn = button("Add server payload", "");
    attr(&capi_btn, "id", "pp-capi-add");
    append(body, &capi_btn);
    append(body, &error_line("pp-capi-error"));
    fixed.push(app.on(&capi_btn, "click", |_| Some(Msg::AddCapi)));
}

/// The Shopify order: the Admin GraphQL or REST order JSON, the Orders export
/// CSV (with the order's name when it holds several), or the figures typed in.
fn build_order(app: &Ctx, body: &Element, fixed: &mut Vec<EventListener>) {
    // Not "pp-order": that is the Shopify order card's section.
    let order = textarea(
        "pp-order-json",
        3,
        "{\"data\": {\"order\": {\"name\": \"#1001\", \"totalPriceSet\": {…}, …}}} or the Orders export CSV",
    );
    append(
        body,
        &field(
            "Shopify order (Admin GraphQL or REST JSON, or the Orders export CSV)",
            &order,
        ),
    );
    let order_name = text_input("pp-order-name", "#1001", 200);
    append(
        body,
        &field("Order name (when the CSV holds several orders)", &order_name),
    );
    let order_file = el("input", "", "");
    attr(&order_file, "type", "file");
    attr(&order_file, "accept", ".json,.csv,application/json,text/csv");
    attr(&order_file, "id", "pp-order-file");
    append(
        body,
        &field("…or load a file (order JSON, or the Orders export CSV)", &order_file),
    );
    let figures = el("div", "figures", "");
    for (id, label) in TYPED_FIELDS.into_iter().zip(FIGURE_LABELS) {
        let kind = if id == "currency" { "text" } else { "number" };
        let i = el("input", "", "");
        attr(&i, "type", kind);
        attr(&i, "id", &format!("pp-fig-{id}"));
        if kind == "number" {
            attr(&i, "step", "0.01");
        }
        append(&figures, &field(label, &i));
    }
    append(body, &el("p", "muted", "…or type the figures:"));
    append(body, &figures);
    let order_btn = button("Add order", "");
    attr(&order_btn, "id", "pp-order-add");
    append(body, &order_btn);
    append(body, &error_line("pp-order-error"));
    fixed.push(app.on(&order_btn, "click", |_| Some(Msg::AddOrder)));
}

/// A HAR file, audited as a separate journey.
fn build_har(app: &Ctx, body: &Element, fixed: &mut Vec<EventListener>) {
    let har_file = el("input", "", "");
    attr(&har_file, "type", "file");
    attr(&har_file, "accept", ".har,application/json");
    attr(&har_file, "id", "pp-har-file");
    append(body, &field("Audit a HAR file (a separate journey)", &har_file));
    let har_out = el("div", "har", "");
    attr(&har_out, "id", "pp-har");
    append(body, &har_out);
    fixed.push(app.on(&har_file, "change", |_| Some(Msg::HarPicked)));
}

/// The pasted payload, or else the chosen file's text, with its label.
pub async fn capi_text(bridge: &Bridge) -> (String, String) {
    const PASTED: &str = "pasted CAPI payload";
    let pasted = value("pp-capi");
    if !pasted.trim().is_empty() {
        return (pasted, PASTED.to_owned());
    }
    let file = match by_id("pp-capi-file") {
        Some(input) => bridge::picked_file(bridge, &input).await,
        None => None,
    };
    match file {
        Some((name, bytes)) => (String::from_utf8_lossy(&bytes).into_owned(), name),
        None => (String::new(), PASTED.to_owned()),
    }
}

/// A server payload and, when one was pasted, Meta's response to it, checked
/// before either is stored.
pub struct CapiPaste {
    pub done: String,
    /// The pixel the payload was sent to, when the user said.
    pub pixel_id: Option<String>,
    /// (label, text) of Meta's response, stored right after the payload.
    pub response: Option<(String, String)>,
}

/// Checks a server payload, and the response pasted beside it, before they
/// are stored: what to store and say once stored, or `None` after putting the
/// error next to the fields.
pub fn check_capi(label: &str, text: &str) -> Option<CapiPaste> {
    let fail = |e: String| {
        set_error("pp-capi-error", Some(&e));
        None
    };
    let stated = value("pp-capi-pixel");
    let pixel_id = match Some(stated.trim())
        .filter(|p| !p.is_empty())
        .map(|p| stated_pixel_id(label, p))
        .transpose()
    {
        Ok(p) => p,
        Err(e) => return fail(e.to_string()),
    };
    let requests = match parse_capi_requests(label, text) {
        Ok(r) => r,
        Err(e) => return fail(e.to_string()),
    };
    let events: usize = requests.iter().map(|r| r.events.len()).sum();
    let pasted = value("pp-capi-response");
    let response = if pasted.trim().is_empty() {
        None
    } else {
        const RESPONSE: &str = "pasted Meta response";
        match parse_capi_response(RESPONSE, &pasted) {
            Ok(r) if r.len() > requests.len() => {
                return fail(format!(
                    "{RESPONSE}: document {}: {} responses for a payload of {} request(s); paste one response body per request",
                    requests.len() + 1,
                    r.len(),
                    requests.len()
                ))
            }
            Ok(_) => Some((RESPONSE.to_owned(), pasted)),
            Err(e) => return fail(e.to_string()),
        }
    };
    set_error("pp-capi-error", None);
    let with = if response.is_some() { " and Meta's response" } else { "" };
    let to = pixel_id
        .as_deref()
        .map(|p| format!(" to pixel {p}"))
        .unwrap_or_default();
    Some(CapiPaste {
        done: format!("Stored {events} server event(s){to} from {label}{with}."),
        pixel_id,
        response,
    })
}

/// An order checked and ready to store.
pub struct OrderPaste {
    pub label: String,
    pub text: String,
    /// Which order of an Orders export CSV holding several.
    pub name: Option<String>,
    /// The message once stored.
    pub done: String,
}

/// The pasted order, or else the chosen file's text, with its label (empty
/// text when neither: the typed figures are read then).
pub async fn order_file_text(bridge: &Bridge) -> (String, String) {
    const PASTED: &str = "pasted order";
    let pasted = value("pp-order-json");
    if !pasted.trim().is_empty() {
        return (pasted, PASTED.to_owned());
    }
    let file = match by_id("pp-order-file") {
        Some(input) => bridge::picked_file(bridge, &input).await,
        None => None,
    };
    match file {
        Some((name, bytes)) => (String::from_utf8_lossy(&bytes).into_owned(), name),
        None => (String::new(), PASTED.to_owned()),
    }
}

/// The order to store (`text` pasted or loaded, else the typed figures),
/// checked; `None` after putting the error next to the field.
pub fn order_text(text: String, label: String) -> Option<OrderPaste> {
    let typed = text.trim().is_empty();
    let name = Some(value("pp-order-name").trim().to_owned()).filter(|n| !n.is_empty() && !typed);
    let (label, text) = if typed {
        let typed: Vec<(&str, String)> = TYPED_FIELDS
            .into_iter()
            .map(|f| (f, value(&format!("pp-fig-{f}"))))
            .collect();
        match typed_figures(typed.iter().map(|(f, v)| (*f, v.as_str()))) {
            Ok(text) => ("typed figures".to_owned(), text),
            Err(e) => {
                set_error("pp-order-error", Some(&e.to_string()));
                return None;
            }
        }
    } else {
        (label, text)
    };
    match parse_order_named(&label, &text, name.as_deref()) {
        Ok(o) => {
            set_error("pp-order-error", None);
            let which = o
                .order_number
                .as_deref()
                .map(|n| format!(" of order #{n}"))
                .unwrap_or_default();
            Some(OrderPaste {
                label,
                text,
                name,
                done: format!("Stored order figures (total {:.2}){which}.", o.total),
            })
        }
        Err(e) => {
            set_error("pp-order-error", Some(&e.to_string()));
            None
        }
    }
}

/// Empties a paste field once its evidence is stored.
pub fn clear_field(id: &str) {
    if let Some(e) = by_id(id) {
        set_input_value(&e, "");
    }
}

/// Audits a HAR file as a journey of its own and shows its results; the packet
/// is kept for the download button.
pub fn audit_har(app: &Ctx, file: Option<(String, Vec<u8>)>, listeners: &mut Vec<EventListener>) -> Option<HarPacket> {
    let out = by_id("pp-har")?;
    let Some((name, bytes)) = file else {
        out.set_text_content(Some("Could not read the file; choose it again."));
        return None;
    };
    clear(&out);
    let config = DecodeConfig::default();
    let import = match pixelproof_core::har::read_har(&name, &bytes, &config) {
        Ok(import) => import,
        Err(e) => {
            let p = el("p", "error", &e.to_string());
            attr(&p, "role", "alert");
            append(&out, &p);
            return None;
        }
    };
    let mut session = Session::from_records(config, import.records);
    let packet = Packet::build(&mut session, &Review::default(), &PacketOptions::default());
    append(
        &out,
        &el(
            "p",
            "",
            &format!(
                "{name}: {} entries, {} pixel hits, verdict {}{}",
                import.entries,
                packet.hits.len(),
                packet.verdict.as_str(),
                match import.undated {
                    0 => String::new(),
                    n =>
                        format!("; {n} entries have no start time that can be read, each timed as the entry before it"),
                }
            ),
        ),
    );
    let ul = el("ul", "", "");
    for row in packet.cards.test_events.events.iter().filter(|r| r.core) {
        append(
            &ul,
            &el(
                "li",
                &format!("st-{}", row.status.as_str()),
                &format!("{}: {}", row.event, row.status.as_str()),
            ),
        );
    }
    // One line per code: its worst severity and its first instance.
    for g in &packet.findings {
        let first = g.instances.first().map(|i| i.message.as_str()).unwrap_or_default();
        let more = match g.instances.len() {
            0 | 1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        append(
            &ul,
            &el(
                "li",
                &format!("sev-{}", g.severity.as_str()),
                &format!("{} {}: {first}{more}", g.severity.as_str(), g.code),
            ),
        );
    }
    append(&out, &ul);
    let b = button("Download this HAR's packet (JSON)", "");
    append(&out, &b);
    listeners.push(app.on(&b, "click", |_| Some(Msg::DownloadHar)));
    Some(HarPacket {
        file: format!("pixelproof-{}.json", name.trim_end_matches(".har")),
        json: packet.to_json(),
    })
}
