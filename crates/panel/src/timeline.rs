//! The timeline: every journal record, newest first, one page (200) at a
//! time. New records are prepended as they arrive; the list is rebuilt only
//! when what it shows changes (a filter, older records, a cleared journey).
//! A hit opens to its decoded parameters (user data redacted), decode issues,
//! sender evidence and raw request.
//!
//! A hit's item goes on the page with its one-line summary only; what it opens
//! to is filled in after the page is painted, a few items per task ([`fill_some`]),
//! or at once when it is clicked before that ([`fill_clicked`]). Building it
//! for a whole page of hits was most of the panel's first render. Clicks on the items are handled by one listener on
//! the list's section ([`listen`]), not one per item.

use gloo::events::EventListener;
use pixelproof_core::journal::Record;
use pixelproof_core::journey::Journey;
use pixelproof_core::model::Hit;
use wasm_bindgen::JsCast;
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
        if let Some(item) = item(s, j, idx) {
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

fn item(s: &State, j: &Journey, idx: usize) -> Option<Element> {
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
        // A listed request is said under the status when it was recovered.
        (Record::GestureWatch(_) | Record::RequestCount(_) | Record::ListedRequest(_), _) => return None,
        (Record::FbLog(l), _) => format!("{} FB_LOG {}: {}", clock(l.time), l.level, l.message),
        (Record::Shopify(shop), _) => format!(
            "{} Shopify {} {}",
            clock(shop.time),
            shop.shop.as_deref().unwrap_or(""),
            shop.page_type.as_deref().unwrap_or("")
        ),
        (Record::ServerPayload(t), _) => format!("server payload added: {}", t.label),
        (Record::ServerResponse(t), _) => format!("Meta's response added: {}", t.label),
        (Record::Order(t), _) => format!("order figures added: {}", t.label),
        (Record::Dropped(d), _) => {
            li.set_class_name("t-dropped");
            pixelproof_core::packet::describe_drop(d)
        }
    };
    li.set_text_content(Some(&text));
    Some(li)
}

/// What a hit opens to: its decoded parameters (user data redacted), decode
/// issues, sender evidence, the raw request and a button to copy it. Appended
/// to its `details` once (`data-filled` marks it).
fn fill(d: &Element, h: &Hit) {
    attr(d, "data-filled", "");
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
    append(d, &table);
    for issue in &h.decoded.issues {
        append(d, &el("p", "error", &format!("{}: {}", issue.place, issue.message)));
    }
    append(
        d,
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
    append(d, &raw);
    append(d, &button("Copy payload", "copy-payload"));
}

/// The hit an item shows (its `data-hit`), when it is still on the page.
fn hit_of<'j>(j: &'j Journey, li: &Element) -> Option<&'j Hit> {
    let id: usize = li.get_attribute("data-hit")?.parse().ok()?;
    j.hits.get(id.checked_sub(1)?)
}

/// Fills up to `n` hit items still showing only their summary, newest first.
/// Whether any are left.
pub fn fill_some(s: &State, n: usize) -> bool {
    let Some(list) = by_id("pp-timeline-list") else {
        return false;
    };
    let Ok(open) = list.query_selector_all("li.t-hit > details:not([data-filled])") else {
        return false;
    };
    let j = s.session.journey();
    let count = open.length() as usize;
    for i in 0..count.min(n) {
        let Some(d) = open.item(i as u32).and_then(|node| node.dyn_into::<Element>().ok()) else {
            continue;
        };
        if let Some(h) = d.parent_element().and_then(|li| hit_of(j, &li).cloned()) {
            fill(&d, &h);
        }
    }
    count > n
}

/// A click in the timeline's section: fills the item whose summary was clicked
/// (before the browser opens it), or copies a hit's payload.
pub fn clicked(s: &State, e: &web_sys::Event) -> Option<Msg> {
    // (Runs inside the click's dispatch: the item is filled before the browser's
    // default action opens it.)
    let target = e.target()?.dyn_into::<Element>().ok()?;
    if target.closest("button.copy-payload").ok().flatten().is_some() {
        let raw = target.closest("details").ok()??.query_selector("pre.raw").ok()??;
        return Some(Msg::Copy(Copy::Payload(raw.text_content().unwrap_or_default())));
    }
    let summary = target.closest("li.t-hit > details > summary").ok()??;
    let d = summary.parent_element()?;
    if d.has_attribute("data-filled") {
        return None;
    }
    let li = d.parent_element()?;
    if let Some(h) = hit_of(s.session.journey(), &li) {
        fill(&d, h);
    }
    None
}

/// The one click listener of the timeline's items (its section is built once).
pub fn listen(app: &Ctx) -> Option<EventListener> {
    let body = by_id("pp-timeline-body")?;
    Some(app.on(&body, "click", |e| Some(Msg::TimelineClicked(e.clone()))))
}
