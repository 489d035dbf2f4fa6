//! The parts of the panel built once: the header, the status line, the
//! sections in their order, and the forms inside them (whose fields must never
//! be replaced while the user types).
//!
//! Live first: a merchant reads the panel at a glance while shopping, so the
//! first screen (600 px at 400 px wide) holds the verdict, the four core
//! events with their status and one line of why, and the newest hits. The
//! header with the verdict stays in view, and its section bar reaches every
//! other part in one click: the gate and the four evidence cards in the
//! packet's reading order (docs/product-rules.md, "The packet"), the findings
//! grouped by code, the evidence inputs, the review, export and compare, and
//! the timeline. All of it stays one document (no hidden tabs), so the
//! browser's find, a screen reader's heading list and the tests reach every
//! part as it is.

use gloo::events::EventListener;
use web_sys::Element;

use crate::ctx::{Ctx, Msg};
use crate::dom::*;
use crate::{compare, export, inputs, live, review, summary};

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

/// The section bar: each part of the panel one click from the top. The
/// labels are short so the bar fits one line at 400 px and two at 320.
const SECTIONS: [(&str, &str); 7] = [
    ("pp-live", "Live"),
    ("pp-gate", "Gate"),
    ("pp-findings", "Findings"),
    ("pp-evidence", "Evidence"),
    ("pp-review", "Review"),
    ("pp-export", "Export"),
    ("pp-timeline", "Timeline"),
];

/// Builds the static parts into `root`; returns the listeners of their controls.
pub fn build(app: &Ctx, root: &Element) -> Vec<EventListener> {
    clear(root);
    // The header stays on screen while the panel scrolls (CSS `position:
    // sticky`): the verdict is always in view, and the bar reaches every part.
    let header = el("header", "top", "");
    let bar = el("div", "topline", "");
    append(&bar, &el("h1", "", "PixelProof"));
    // The verdict is the first stop of the keyboard, and leads to the gate
    // that explains it; announced when it changes (it is written only then).
    let verdict = el("a", "verdict", "…");
    attr(&verdict, "id", "pp-verdict");
    attr(&verdict, "href", "#pp-gate");
    attr(&verdict, "aria-live", "polite");
    attr(&verdict, "aria-atomic", "true");
    append(&bar, &verdict);
    let counts = el("span", "muted counts", "");
    attr(&counts, "id", "pp-counts");
    append(&bar, &counts);
    append(&header, &bar);
    let nav = el("nav", "sections", "");
    attr(&nav, "aria-label", "Panel sections");
    let ul = el("ul", "", "");
    for (id, label) in SECTIONS {
        let li = el("li", "", "");
        let a = el("a", "", label);
        attr(&a, "href", &format!("#{id}"));
        append(&li, &a);
        append(&ul, &li);
    }
    append(&nav, &ul);
    append(&header, &nav);
    append(root, &header);

    let main = el("main", "", "");
    attr(&main, "id", "pp-main");
    append(root, &main);
    let root = &main;
    let st = el("p", "status", "");
    attr(&st, "id", "pp-status");
    attr(&st, "role", "status");
    append(root, &st);
    let dropped = el("p", "dropped", "");
    attr(&dropped, "id", "pp-dropped");
    append(root, &dropped);
    let watch = el("div", "watch", "");
    attr(&watch, "id", "pp-watch");
    append(root, &watch);

    // Live first: the four core events and the newest hits fill the first
    // screen. Then the gate and the four evidence cards (Test Events with the
    // match keys, Shopify order, trigger-source inventory, review
    // reconciliation), the findings grouped by code, the evidence inputs, the
    // review, export and compare, and every record in the timeline.
    let live = section(root, "pp-live", "Core events");
    let hits = section(root, "pp-hits", "Newest hits");
    section(root, "pp-gate", "Stop/Go gate");
    let acceptance = card_section(root, "pp-acceptance", "1. Test Events");
    // Part of the Test Events card's question: can Meta tie the action to a person.
    section(root, "pp-matchkeys", "Match keys");
    card_section(root, "pp-order", "2. Shopify order");
    let inventory = card_section(root, "pp-inventory", "3. Trigger-source inventory");
    let reconciliation = card_section(root, "pp-reconciliation", "4. Review reconciliation");
    section(root, "pp-findings", "Findings");
    let evidence = section(root, "pp-evidence", "Evidence the browser cannot see");
    let review_body = section(root, "pp-review", "Review and decision record");
    let export_body = section(root, "pp-export", "Export");
    let compare_body = section(root, "pp-compare", "Compare with a saved packet");
    section(root, "pp-timeline", "Timeline");

    let mut fixed = Vec::new();
    live::build(app, &live, &hits, &mut fixed);
    fixed.push(app.on(&acceptance, "click", |e| Some(Msg::AcceptanceClicked(e.clone()))));
    summary::build_inventory(&inventory);
    review::build_reconciliation(app, &reconciliation, &mut fixed);
    inputs::build(app, &evidence, &mut fixed);
    review::build(app, &review_body, &mut fixed);
    export::build(app, &export_body, &mut fixed);
    compare::build(app, &compare_body, &mut fixed);
    fixed
}
