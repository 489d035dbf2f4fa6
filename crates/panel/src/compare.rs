//! "Compare with a saved packet": a packet file (JSON, version 1 or 2, from
//! the CLI or saved from here) that this journey is compared with, shown above
//! the gate: the findings resolved and introduced, the gate checks that
//! changed, each core event's value and currency before and after. The core
//! reads and compares it, as `pixelproof diff` does; the saved packet is kept
//! in `State::compare`, so the diff follows the journey live.

use gloo::events::EventListener;
use pixelproof_core::packet::diff::{diff, read_packet, view_of, Diff, PacketView};
use pixelproof_core::Packet;
use web_sys::Element;

use crate::ctx::{Ctx, Msg};
use crate::dom::*;

pub fn build(app: &Ctx, body: &Element, fixed: &mut Vec<EventListener>) {
    let file = el("input", "", "");
    attr(&file, "type", "file");
    attr(&file, "accept", ".json,application/json");
    attr(&file, "id", "pp-compare-file");
    append(body, &field("A packet saved before (JSON)", &file));
    append(body, &error_line("pp-compare-error"));
    let out = el("div", "", "");
    attr(&out, "id", "pp-compare-out");
    append(body, &out);
    fixed.push(app.on(&file, "change", |_| Some(Msg::ComparePicked)));
}

/// Reads a chosen file as a packet: the view to compare with, or `None` after
/// putting the core's one-line message (file, place, what to do) under the field.
pub fn read(name: &str, bytes: &[u8]) -> Option<PacketView> {
    let err = by_id("pp-compare-error");
    match read_packet(name, &String::from_utf8_lossy(bytes)) {
        Ok(view) => {
            if let Some(e) = &err {
                e.set_text_content(None);
            }
            Some(view)
        }
        Err(e) => {
            if let Some(el) = &err {
                el.set_text_content(Some(&e.to_string()));
            }
            None
        }
    }
}

/// The diff of `before` with this journey's packet, read back the way the
/// saved one was, so both go through one reader; nothing when no packet is loaded.
pub fn render(before: Option<&PacketView>, now: Option<&Packet>) {
    let Some(out) = by_id("pp-compare-out") else { return };
    clear(&out);
    let (Some(before), Some(packet)) = (before, now) else {
        return;
    };
    let after = serde_json::to_value(packet)
        .map_err(|e| e.to_string())
        .and_then(|v| view_of("this journey", &v).map_err(|e| e.to_string()));
    match after {
        Ok(after) => append(&out, &diff_view(&diff(before, &after))),
        Err(e) => append(
            &out,
            &el(
                "p",
                "error",
                &format!("This journey's packet could not be read back: {e}"),
            ),
        ),
    }
}

fn severity_class(s: &str) -> &'static str {
    match s {
        "fail" => "sev-fail",
        "warn" => "sev-warn",
        _ => "sev-info",
    }
}

/// The before/after comparison, shown above the gate.
fn diff_view(d: &Diff) -> Element {
    let box_ = el("div", "diff", "");
    let head = el("p", "diff-verdict", &d.balance());
    attr(&head, "id", "pp-diff-verdict");
    append(&box_, &head);
    append(
        &box_,
        &el(
            "p",
            "muted",
            &format!(
                "Before: {} (packet v{}) · after: this journey",
                d.before.label, d.before.packet_version
            ),
        ),
    );
    if d.introduces_fail {
        append(
            &box_,
            &el(
                "p",
                "stop-note",
                "This journey has a fail finding the saved packet did not.",
            ),
        );
    }
    for (title, id, list) in [
        ("Resolved", "pp-diff-resolved", &d.resolved),
        ("Introduced", "pp-diff-introduced", &d.introduced),
        ("Unchanged", "pp-diff-unchanged", &d.unchanged),
    ] {
        append(&box_, &el("h3", "", &format!("{title} ({})", list.len())));
        let ul = el("ul", "", "");
        attr(&ul, "id", id);
        for c in list.iter() {
            let li = el("li", severity_class(&c.severity), "");
            attr(&li, "data-code", &c.code);
            let sev = match &c.severity_before {
                Some(b) => format!("{b} → {}", c.severity),
                None => c.severity.clone(),
            };
            append(
                &li,
                &el(
                    "span",
                    "",
                    &format!(
                        "{sev} {}{} ({} → {})",
                        c.code,
                        c.event.as_deref().map(|e| format!(" · {e}")).unwrap_or_default(),
                        c.instances_before,
                        c.instances_after
                    ),
                ),
            );
            append(&ul, &li);
        }
        append(&box_, &ul);
    }
    if !d.gate.is_empty() {
        append(&box_, &el("h3", "", "Gate checks that changed"));
        let ul = el("ul", "", "");
        for c in &d.gate {
            append(
                &ul,
                &el(
                    "li",
                    "",
                    &format!("{}: {} → {} — {}", c.name, c.before, c.after, c.detail),
                ),
            );
        }
        append(&box_, &ul);
    }
    if !d.values.is_empty() {
        append(&box_, &el("h3", "", "Value and currency per core event"));
        let ul = el("ul", "", "");
        for v in &d.values {
            append(
                &ul,
                &el(
                    "li",
                    "mono",
                    &format!(
                        "{}: {} {} → {} {}",
                        v.event,
                        v.before.values.join(", "),
                        v.before.currencies.join(", "),
                        v.after.values.join(", "),
                        v.after.currencies.join(", ")
                    ),
                ),
            );
        }
        append(&box_, &ul);
    }
    box_
}
