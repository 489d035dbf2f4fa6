//! The packet leaves the panel: copied as Markdown or JSON, or downloaded as
//! both. Clearing the tab's journey sits here too, behind a confirmation.

use gloo::events::EventListener;
use web_sys::Element;

use crate::ctx::{Copy, Ctx, Msg};
use crate::dom::*;

pub fn build(app: &Ctx, body: &Element, fixed: &mut Vec<EventListener>) {
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
    // Raw user data, for one export only: the full stored values (hashes, and
    // the shape-and-hash markers that stand in for plain values, which are
    // never stored) instead of an 8-character prefix.
    let raw = create("input");
    attr(&raw, "type", "checkbox");
    attr(&raw, "id", "pp-raw");
    let label = el(
        "label",
        "muted",
        " Full stored user-data values (hashes) in the next export",
    );
    let _ = label.insert_before(&raw, label.first_child().as_ref());
    append(body, &label);
    let confirm = el("div", "confirm", "");
    attr(&confirm, "id", "pp-confirm");
    append(body, &confirm);
    fixed.push(app.on(&copy_md, "click", |_| Some(Msg::Copy(Copy::Markdown))));
    fixed.push(app.on(&copy_json, "click", |_| Some(Msg::Copy(Copy::Json))));
    fixed.push(app.on(&download, "click", |_| Some(Msg::Download)));
    fixed.push(app.on(&clear_btn, "click", |_| Some(Msg::ClearAsked)));
}

/// Whether the next export carries the full stored user-data values; reading it
/// unticks the box, so it holds for one export.
pub fn take_raw_user_data() -> bool {
    use wasm_bindgen::JsCast;
    let Some(input) = by_id("pp-raw").and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
        return false;
    };
    let on = input.checked();
    input.set_checked(false);
    on
}

/// The confirmation under the buttons, while a clear is asked.
pub fn render_confirm(app: &Ctx, asked: bool, listeners: &mut Vec<EventListener>) {
    let Some(box_) = by_id("pp-confirm") else { return };
    clear(&box_);
    if !asked {
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
    listeners.push(app.on(&yes, "click", |_| Some(Msg::ClearConfirmed)));
    listeners.push(app.on(&no, "click", |_| Some(Msg::ClearKept)));
}
