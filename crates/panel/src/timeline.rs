//! The timeline: every journal record, newest first, one page (200) at a
//! time. New records are prepended as they arrive; the list is rebuilt only
//! when what it shows changes (a filter, older records, a cleared journey).
//! A hit opens to its decoded parameters (user data redacted), decode issues,
//! sender evidence and raw request.

use gloo::events::EventListener;
use pixelproof_core::journal::Record;
use pixelproof_core::journey::Journey;
use web_sys::Element;

use crate::app::{Copy, Ctx, Msg};
use crate::dom::*;
use crate::state::{State, PAGE};
use crate::summary::hit_line;

/// Adds the records not yet shown (newest first), or rebuilds the list when
/// `rendered_records` is 0. Whether it rebuilt (the caller then drops the old
/// items' listeners).
pub fn render(app: &Ctx, s: &mut State, listeners: &mut Vec<EventListener>) -> bool {
    let Some(body) = by_id("pp-timeline-body") else {
        return false;
    };
    let total = s.session.records().len();
    let rebuild = s.rendered_records == 0;
    if rebuild {
        clear(&body);
        if s.filter.is_some() {
            let bar = el("p", "filter", "Showing only the hits of one finding. ");
            let b = button("Show everything", "link");
            append(&bar, &b);
            append(&body, &bar);
            listeners.push(app.on(&b, "click", |_| Some(Msg::FilterHits(None))));
        }
        let list = el("ol", "timeline", "");
        attr(&list, "id", "pp-timeline-list");
        attr(&list, "reversed", "");
        append(&body, &list);
    }
    let Some(list) = by_id("pp-timeline-list") else {
        return rebuild;
    };
    let from = if rebuild {
        total.saturating_sub(s.shown)
    } else {
        s.rendered_records
    };
    let j = s.session.journey();
    // Newest first: each newer record goes on top.
    for idx in from..total {
        if let Some(item) = item(app, s, j, idx, listeners) {
            let _ = list.insert_before(&item, list.first_child().as_ref());
        }
    }
    s.rendered_records = total;
    // Records older than the page shown: a button pages them in. Live records
    // are added on top and change nothing below, so the button stays as built.
    let hidden = total.saturating_sub(s.shown);
    if rebuild && hidden > 0 {
        let b = button(&format!("Show {} older records", hidden.min(PAGE)), "link");
        attr(&b, "id", "pp-older");
        append(&body, &b);
        listeners.push(app.on(&b, "click", |_| Some(Msg::ShowOlder)));
    }
    rebuild
}

fn item(app: &Ctx, s: &State, j: &Journey, idx: usize, listeners: &mut Vec<EventListener>) -> Option<Element> {
    let record = s.session.records().get(idx)?;
    let hit = j.hits.binary_search_by_key(&idx, |h| h.record).ok().map(|i| &j.hits[i]);
    if let Some(filter) = &s.filter {
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
            append(&d, &el("summary", "mono", &hit_line(h)));
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
            listeners.push(app.on(&copy_btn, "click", move |_| {
                Some(Msg::Copy(Copy::Payload(payload.clone())))
            }));
            append(&li, &d);
            return Some(li);
        }
        (Record::Request(r), None) => format!("{} request (not a pixel hit) {}", clock(r.time), r.url),
        (Record::ScriptLoad(load), _) => format!("{} script {}", clock(load.time), load.url),
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
        (Record::Scripts(inv), _) => {
            let copies = inv.scripts.iter().filter(|u| u.contains("fbevents")).count();
            if copies < 2 && inv.base_code_runs < 2 && !inv.fbq_differs_from_fbq_alias {
                return None;
            }
            li.set_class_name("t-warn");
            format!(
                "{} scripts: {copies} fbevents copies, base code ran {}×{}",
                clock(inv.time),
                inv.base_code_runs,
                if inv.fbq_differs_from_fbq_alias {
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
        // Bookkeeping, not events: the start of gesture watching, and the
        // worker's count of requests the browser never handed it (said under the status).
        (Record::GestureWatch(_) | Record::RequestCount(_), _) => return None,
        (Record::FbLog(l), _) => format!("{} FB_LOG {}: {}", clock(l.time), l.level, l.message),
        (Record::Shopify(shop), _) => format!(
            "{} Shopify {} {}",
            clock(shop.time),
            shop.shop.as_deref().unwrap_or(""),
            shop.page_type.as_deref().unwrap_or("")
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
