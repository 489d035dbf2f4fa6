//! The timeline: every journal record, newest first, one page (200) at a
//! time. New records are prepended as they arrive; the list is rebuilt only
//! when what it shows changes (a filter, older records, a cleared journey).
//! A hit opens to its sender, server twin, codes with guidance, decoded
//! parameters (user data redacted), decode issues and raw request ([`fill`],
//! shared with the live list).
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
use pixelproof_core::packet::group_findings;
use pixelproof_core::rules::Finding;
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::ctx::{Copy, Ctx, Msg};
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
        (Record::Consent(c), _) => {
            if c.marketing_withheld() {
                li.set_class_name("t-warn");
            }
            let allowed = |v: Option<bool>| v.map_or("?", |b| if b { "allowed" } else { "withheld" });
            format!(
                "{} Shopify consent ({}): marketing {}, analytics {} (page-reported)",
                clock(c.time),
                c.trigger.as_deref().unwrap_or("api"),
                allowed(c.marketing_allowed),
                allowed(c.analytics_allowed)
            )
        }
        (Record::ServerPayload(t), _) => format!("server payload added: {}", t.label),
        (Record::ServerResponse(t), _) => format!("Meta's response added: {}", t.label),
        (Record::Order(t), _) => format!("order figures added: {}", t.label),
        (Record::Dropped(d), _) => {
            li.set_class_name("t-dropped");
            pixelproof_core::losses::describe_drop(d)
        }
    };
    li.set_text_content(Some(&text));
    Some(li)
}

/// What a hit opens to: its sender, its server twin, the codes about it with
/// their guidance, its decoded parameters (user data redacted), decode
/// issues, the raw request and a button to copy it. Appended to its `details`
/// once (`data-filled` marks it). The live list's hits open to the same.
pub fn fill(d: &Element, j: &Journey, h: &Hit, findings: &[Finding]) {
    attr(d, "data-filled", "");
    let dl = el("dl", "facts", "");
    let kv = |k: &str, v: &str| {
        append(&dl, &el("dt", "", k));
        append(&dl, &el("dd", "", v));
    };
    kv(
        "Sender",
        &format!("{} ({})", h.sender.label, h.sender.evidence.join(" · ")),
    );
    kv("Server twin", &server_twin(j, h));
    append(d, &dl);
    let mine: Vec<Finding> = findings.iter().filter(|f| f.hit_ids.contains(&h.id)).cloned().collect();
    append(d, &crate::live::codes_view(&group_findings(j, &mine)));
    let table = el("table", "params", "");
    let caption = el("caption", "", "Decoded parameters");
    append(&table, &caption);
    for p in &h.decoded.params {
        let tr = el("tr", "", "");
        let th = el("th", "mono", p.key);
        attr(&th, "scope", "row");
        append(&tr, &th);
        let v = if p.user_data {
            pixelproof_core::packet::redact_value(p.value)
        } else {
            p.value.to_owned()
        };
        append(&tr, &el("td", "mono", &v));
        append(&table, &tr);
    }
    append(d, &table);
    for issue in &h.decoded.issues {
        append(d, &el("p", "error", &format!("{}: {}", issue.place, issue.message)));
    }
    let raw = el("pre", "raw", "");
    // It scrolls when long: a keyboard must reach it, and a screen reader name it.
    attr(&raw, "tabindex", "0");
    attr(&raw, "role", "region");
    attr(&raw, "aria-label", "Raw request");
    let payload = match &h.decoded.raw_body {
        Some(b) => format!("{} {}\n\n{}", h.method, h.url, b),
        None => format!("{} {}", h.method, h.url),
    };
    raw.set_text_content(Some(&payload));
    append(d, &raw);
    append(d, &button("Copy payload", "copy-payload"));
}

/// The hit's server twin in words: the server event with its name and event
/// id, or why there is none.
fn server_twin(j: &Journey, h: &Hit) -> String {
    let Some(p) = pixelproof_core::pairing::pairing_of(j, h) else {
        return match &j.server {
            None => "no server payload yet: add it under Evidence".to_owned(),
            Some(server) => format!(
                "none expected: the server payloads were sent to pixel {}, not this one",
                pixelproof_core::inputs::stated_pixels(server).join(", ")
            ),
        };
    };
    let money = |v: Option<f64>, c: Option<&str>| match (v, c) {
        (None, None) => String::new(),
        (v, c) => format!(
            ", {} {}",
            v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".into()),
            c.unwrap_or("—")
        ),
    };
    match (p.twin, p.candidates.first()) {
        (Some(t), _) => format!(
            "{} {} ({}), event_id {}{}",
            t.source,
            t.place,
            t.event_name,
            t.event_id.as_deref().unwrap_or("(none)"),
            money(t.value, t.currency.as_deref())
        ),
        (None, Some(_)) => {
            let ids: Vec<&str> = p
                .candidates
                .iter()
                .map(|s| s.event_id.as_deref().unwrap_or("(none)"))
                .collect();
            format!(
                "none with this event_id: the server sent {} {} with event_id {}",
                p.candidates.len(),
                h.event_name(),
                ids.join(", ")
            )
        }
        (None, None) => format!("none: the server sent no {}", h.event_name()),
    }
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
        if let Some(h) = d.parent_element().and_then(|li| hit_of(j, &li)) {
            fill(&d, j, h, &s.findings);
        }
    }
    count > n
}

/// A click in the timeline or the live list: fills the item whose summary was clicked
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
    let j = s.session.journey();
    if let Some(h) = hit_of(j, &li) {
        fill(&d, j, h, &s.findings);
    }
    None
}

/// The one click listener of the timeline's items (its section is built once).
pub fn listen(app: &Ctx) -> Option<EventListener> {
    let body = by_id("pp-timeline-body")?;
    Some(app.on(&body, "click", |e| Some(Msg::TimelineClicked(e.clone()))))
}
