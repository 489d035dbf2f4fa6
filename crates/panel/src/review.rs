//! The review fields: the decision record's inputs (decision, reviewer, next
//! review, owner per core event, notes) in the review section, and the
//! count-gap note in the reconciliation card. They are input, stored
//! with the tab by the worker, and read back when the panel opens.

use gloo::events::EventListener;
use pixelproof_core::tables::CORE_EVENTS;
use pixelproof_core::Review;
use web_sys::Element;

use crate::ctx::{Ctx, Msg};
use crate::dom::*;

/// The review: decision, reviewer, next review, the owner per core event,
/// notes, then the decision record's read-only part (owners and evidence,
/// `pp-record`, filled by `cards::render`).
pub fn build(app: &Ctx, body: &Element, fixed: &mut Vec<EventListener>) {
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
    crate::summary::build_owners(app, body, fixed);
    let notes = el("textarea", "", "");
    attr(&notes, "id", "pp-notes");
    attr(&notes, "rows", "2");
    append(body, &field("Notes", &notes));
    // Owners and the evidence, read-only, as the packet records them.
    let record = el("div", "", "");
    attr(&record, "id", "pp-record");
    append(body, &record);
    for control in [&decision, &reviewer, &next, &notes] {
        fixed.push(app.on(control, "change", |_| Some(Msg::ReviewEdited)));
    }
}

/// The reconciliation card: the Purchase counts (`pp-reconciliation-counts`,
/// redrawn by `cards::render`) and the reviewer's note on same-day gaps, the
/// evidence its gate check reads.
pub fn build_reconciliation(app: &Ctx, body: &Element, fixed: &mut Vec<EventListener>) {
    let counts = el("div", "", "");
    attr(&counts, "id", "pp-reconciliation-counts");
    append(body, &counts);
    let gaps = el("textarea", "", "");
    attr(&gaps, "id", "pp-gaps");
    attr(&gaps, "rows", "2");
    append(body, &field("Why Meta, Shopify, GA4 and server counts differ", &gaps));
    fixed.push(app.on(&gaps, "change", |_| Some(Msg::ReviewEdited)));
}

/// Puts `r` into the fields (when the panel opens, and after a clear).
pub fn fill(r: &Review) {
    for ev in CORE_EVENTS {
        if let Some(e) = by_id(&format!("pp-owner-{ev}")) {
            set_input_value(&e, r.owners.get(ev).map(String::as_str).unwrap_or(""));
        }
    }
    for (id, v) in [
        ("pp-decision", &r.decision),
        ("pp-reviewer", &r.reviewer),
        ("pp-next-review", &r.next_review),
        ("pp-gaps", &r.gaps_note),
        ("pp-notes", &r.notes),
    ] {
        if let Some(e) = by_id(id) {
            set_input_value(&e, v.as_deref().unwrap_or(""));
        }
    }
}

fn opt_field(id: &str) -> Option<String> {
    by_id(id).map(|e| input_value(&e)).filter(|v| !v.trim().is_empty())
}

/// `current` with what the fields say now (owners of other events are kept).
pub fn read(current: &Review) -> Review {
    let mut r = current.clone();
    r.decision = opt_field("pp-decision");
    r.reviewer = opt_field("pp-reviewer");
    r.next_review = opt_field("pp-next-review");
    r.gaps_note = opt_field("pp-gaps");
    r.notes = opt_field("pp-notes");
    for ev in CORE_EVENTS {
        match opt_field(&format!("pp-owner-{ev}")) {
            Some(o) => {
                r.owners.insert(ev.to_owned(), o);
            }
            None => {
                r.owners.remove(ev);
            }
        }
    }
    r
}
