//! The parts of the panel built once: the header, the status line, the
//! sections in their order, and the forms inside them (whose fields must never
//! be replaced while the user types).
//!
//! The sections follow the packet's reading order (docs/product-rules.md, "The
//! packet"): a comparison with a saved packet when one is loaded, the decision
//! record, the gate, the four evidence cards (Test Events with the match keys,
//! Shopify order, trigger-source inventory, review reconciliation), the
//! findings grouped by code; then the evidence inputs, export and the timeline.

use gloo::events::EventListener;
use web_sys::Element;

use crate::app::Ctx;
use crate::dom::*;
use crate::{compare, export, inputs, review, summary};

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

/// A section for an evidence card: its head (state, pass standard, codes:
/// `{id}-head`, redrawn on each render) above its evidence (`{id}-body`).
fn card_section(root: &Element, id: &str, title: &str) -> Element {
    let body = section(root, id, title);
    let head = el("div", "", "");
    attr(&head, "id", &format!("{id}-head"));
    if let Some(parent) = body.parent_element() {
        let _ = parent.insert_before(&head, Some(&body));
    }
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
    let dropped = el("p", "dropped", "");
    attr(&dropped, "id", "pp-dropped");
    append(root, &dropped);
    let watch = el("div", "watch", "");
    attr(&watch, "id", "pp-watch");
    append(root, &watch);

    // The packet's reading order: before/after (above the gate), decision
    // record, gate, the four cards, the findings.
    let compare_body = section(root, "pp-compare", "Compare with a saved packet");
    let review_body = section(root, "pp-review", "Decision record");
    section(root, "pp-gate", "Stop/Go gate");
    card_section(root, "pp-acceptance", "1. Test Events");
    // Part of the Test Events card's question: can Meta tie the action to a person.
    section(root, "pp-matchkeys", "Match keys");
    card_section(root, "pp-order", "2. Shopify order");
    let inventory = card_section(root, "pp-inventory", "3. Trigger-source inventory");
    let reconciliation = card_section(root, "pp-reconciliation", "4. Review reconciliation");
    section(root, "pp-findings", "Findings");
    let evidence = section(root, "pp-evidence", "Evidence the browser cannot see");
    let export_body = section(root, "pp-export", "Export");
    section(root, "pp-timeline", "Timeline");

    let mut fixed = Vec::new();
    compare::build(app, &compare_body, &mut fixed);
    review::build(app, &review_body, &mut fixed);
    summary::build_inventory(app, &inventory, &mut fixed);
    review::build_reconciliation(app, &reconciliation, &mut fixed);
    inputs::build(app, &evidence, &mut fixed);
    export::build(app, &export_body, &mut fixed);
    fixed
}
