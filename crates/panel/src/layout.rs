//! The parts of the panel built once: the header, the status line, the
//! sections in their order, and the forms inside them (whose fields must never
//! be replaced while the user types).

use gloo::events::EventListener;
use web_sys::Element;

use crate::app::Ctx;
use crate::dom::*;
use crate::{export, inputs, review, summary};

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

/// Builds the static parts into `root`; returns the listeners of their controls.
pub fn build(app: &Ctx, root: &Element) -> Vec<EventListener> {
    clear(root);
    let header = el("header", "top", "");
    append(&header, &el("h1", "", "PixelProof"));
    let verdict = el("span", "verdict", "…");
    attr(&verdict, "id", "pp-verdict");
    attr(&verdict, "role", "status");
    append(&header, &verdict);
    let counts = el("span", "muted", "");
    attr(&counts, "id", "pp-counts");
    append(&header, &counts);
    append(root, &header);
    let st = el("p", "status", "");
    attr(&st, "id", "pp-status");
    attr(&st, "aria-live", "polite");
    append(root, &st);
    let watch = el("div", "watch", "");
    attr(&watch, "id", "pp-watch");
    append(root, &watch);

    section(root, "pp-gate", "Stop/Go gate");
    section(root, "pp-acceptance", "Acceptance");
    section(root, "pp-findings", "Findings");
    let inventory = section(root, "pp-inventory", "Sender inventory");
    let evidence = section(root, "pp-evidence", "Evidence the browser cannot see");
    let review_body = section(root, "pp-review", "Review");
    let export_body = section(root, "pp-export", "Export");
    section(root, "pp-timeline", "Timeline");

    let mut fixed = Vec::new();
    summary::build_inventory(app, &inventory, &mut fixed);
    inputs::build(app, &evidence, &mut fixed);
    review::build(app, &review_body, &mut fixed);
    export::build(app, &export_body, &mut fixed);
    fixed
}
