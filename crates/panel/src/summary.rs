//! The summary sections, rebuilt from the session on each throttled refresh:
//! the verdict and counts in the header, what was not kept or not captured
//! (under the status line), the Stop/Go gate, the acceptance table (the Test
//! Events card's evidence) and the sender cells of the trigger-source card's
//! owner table (its owner inputs are built once, so an owner being typed is
//! never replaced).

use gloo::events::EventListener;
use pixelproof_core::model::Hit;
use pixelproof_core::packet::cards::TriggerSourcesCard;
use pixelproof_core::results::{AcceptanceRow, CheckState, Gate, RowStatus};
use pixelproof_core::rules::Finding;
use pixelproof_core::tables::CORE_EVENTS;
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::ctx::{Ctx, Msg};
use crate::dom::*;
use crate::state::State;

/// Hits listed under an expanded acceptance row.
const ROW_HITS_SHOWN: usize = 50;

/// The header: the verdict and the counts.
pub fn render_header(s: &State, findings: &[Finding], g: &Gate) {
    if let Some(v) = by_id("pp-verdict") {
        // Written only when it changes: it is a live region, and a screen
        // reader would announce each rewrite.
        let text = format!("Verdict: {}", g.verdict.as_str().to_ascii_uppercase());
        if v.text_content().as_deref() != Some(text.as_str()) {
            v.set_text_content(Some(&text));
            v.set_class_name(&format!("verdict v-{}", g.verdict.as_str()));
        }
    }
    if let Some(c) = by_id("pp-counts") {
        c.set_text_content(Some(&format!(
            "{} hits · {} records · {} findings",
            s.session.journey().hits.len(),
            s.session.records().len(),
            findings.len()
        )));
    }
}

/// The header, losses, gate and the Test Events table (from `rows`, which the
/// caller keeps in the state afterwards) and the owners beside their senders.
pub fn render(s: &State, findings: &[Finding], rows: &[AcceptanceRow], g: &Gate, owners: &TriggerSourcesCard) {
    let j = s.session.journey();
    render_header(s, findings, g);
    // What was not kept or not captured is said where the user looks first.
    if let Some(d) = by_id("pp-dropped") {
        // Each loss once, with its cause, and where every pixel request ended.
        let lines = pixelproof_core::losses::Losses::of(j).lines();
        d.set_text_content(Some(&lines.join(" · ")));
    }
    if let Some(body) = by_id("pp-gate-body") {
        clear(&body);
        let ul = el("ul", "gate", "");
        for c in &g.checks {
            let (label, class) = match c.state {
                CheckState::Go => ("GO", "go"),
                CheckState::Stop => ("STOP", "stop"),
                CheckState::Unverified => ("UNVERIFIED", "unverified"),
            };
            let li = el("li", &format!("check c-{class}"), "");
            append(&li, &el("strong", "", &format!("{} ", c.name)));
            append(&li, &el("span", &format!("pill p-{class}"), label));
            append(&li, &el("span", "", &format!(" {}", c.detail)));
            if c.page_reported {
                let tag = el("span", "tag page-reported", " page-reported");
                attr(
                    &tag,
                    "title",
                    "Rests on figures the page exposed, which its scripts could forge",
                );
                append(&li, &tag);
            }
            if let Some(n) = &c.needs {
                append(&li, &el("div", "muted", &format!("Needs: {n}")));
            }
            append(&ul, &li);
        }
        append(&body, &ul);
        if !g.blocking.is_empty() {
            append(
                &body,
                &el(
                    "p",
                    "stop-note",
                    &format!("Fail findings blocking Go: {}", g.blocking.join(", ")),
                ),
            );
        }
    }
    acceptance_table(s, rows);
    render_owners(owners);
}

fn status_label(s: RowStatus) -> (&'static str, &'static str) {
    match s {
        RowStatus::Pass => ("PASS", "st-pass"),
        RowStatus::Warn => ("WARN", "st-warn"),
        RowStatus::Fail => ("FAIL", "st-fail"),
        RowStatus::NotSeen => ("NOT SEEN", "st-not_seen"),
    }
}

fn short_url(u: &str) -> String {
    match url::Url::parse(u) {
        Ok(p) => p.path().to_owned(),
        Err(_) => u.to_owned(),
    }
}

/// One hit on one line, as an expanded row and the timeline list it.
pub fn hit_line(h: &Hit) -> String {
    format!(
        "#{} {} {} {} · {} · eid {} · {} {}",
        h.id,
        clock(h.time),
        h.event.as_deref().unwrap_or("(no ev)"),
        h.decoded.transport.as_str(),
        h.sender.label,
        h.event_id.as_deref().unwrap_or("(none)"),
        h.custom("value").unwrap_or(""),
        h.currency().unwrap_or("")
    )
}

/// The Test Events table again from the last render's rows (a row opened or closed).
pub fn render_acceptance(s: &State) {
    acceptance_table(s, &s.rows);
}

/// Which row's button a click in the Test Events table was on: its rows are
/// redrawn with each render, so the section listens once for all of them.
pub fn clicked(e: &web_sys::Event) -> Option<Msg> {
    let target = e.target()?.dyn_into::<Element>().ok()?;
    let button = target.closest("tr[data-event] > td > button").ok()??;
    let row = button.closest("tr[data-event]").ok()??;
    Some(Msg::ToggleRow(row.get_attribute("data-event")?))
}

fn acceptance_table(s: &State, rows: &[AcceptanceRow]) {
    let Some(body) = by_id("pp-acceptance-body") else {
        return;
    };
    // Redrawn only when what it shows changed: a live update that changes
    // nothing here leaves the table (and a button with the focus) as it is.
    let key = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        format!("{rows:?}").hash(&mut h);
        s.expanded_rows.hash(&mut h);
        h.finish().to_string()
    };
    if body.get_attribute("data-key").as_deref() == Some(key.as_str()) {
        return;
    }
    // The row button that has the focus (a keyboard user just opened it, or
    // sits on it while a live update redraws the table) keeps it.
    let focused = document()
        .active_element()
        .filter(|a| body.contains(Some(a)))
        .and_then(|a| a.closest("tr[data-event]").ok().flatten())
        .and_then(|tr| tr.get_attribute("data-event"));
    clear(&body);
    attr(&body, "data-key", &key);
    let j = s.session.journey();
    // Three columns so it fits a 360 px side panel: the event, its status, and
    // the details stacked as labelled lines.
    let table = el("table", "acceptance", "");
    let head = el("tr", "", "");
    for h in ["Event", "Status", "Details"] {
        let th = el("th", "", h);
        attr(&th, "scope", "col");
        append(&head, &th);
    }
    let thead = el("thead", "", "");
    append(&thead, &head);
    append(&table, &thead);
    let tbody = el("tbody", "", "");
    let mut refocus = None;
    for row in rows {
        let expanded = s.expanded_rows.contains(&row.event);
        let tr = el("tr", if row.core { "core" } else { "other" }, "");
        attr(&tr, "data-event", &row.event);
        let (label, class) = status_label(row.status);
        let name = el("td", "", "");
        let toggle = button(&row.event, "link");
        attr(&toggle, "aria-expanded", if expanded { "true" } else { "false" });
        attr(&toggle, "title", "Show the hits of this event");
        append(&name, &toggle);
        append(&tr, &name);
        if focused.as_deref() == Some(row.event.as_str()) {
            refocus = Some(toggle.clone());
        }
        append(&tr, &el("td", &format!("status {class}"), label));
        let details = el("td", "details", "");
        let line = |k: &str, v: &str| {
            let d = el("div", "", "");
            append(&d, &el("span", "k", &format!("{k}: ")));
            append(&d, &el("span", "mono", v));
            d
        };
        if let Some(page) = &row.page {
            append(
                &details,
                &line(
                    "page",
                    &format!("{} at {}", short_url(page), row.time.map(clock).unwrap_or_default()),
                ),
            );
        }
        if !row.senders.is_empty() {
            append(&details, &line("sender", &row.senders.join(", ")));
        }
        if let Some(server) = &row.server {
            append(&details, &line("server", server));
        }
        if !row.event_ids.is_empty() {
            append(&details, &line("event_id", &row.event_ids.join(", ")));
        }
        match (&row.value, &row.currency) {
            (None, None) => {}
            (v, c) => append(
                &details,
                &line(
                    "value",
                    &format!("{} {}", v.as_deref().unwrap_or("—"), c.as_deref().unwrap_or("—")),
                ),
            ),
        }
        if !row.codes.is_empty() {
            append(&details, &line("codes", &row.codes.join(" ")));
        }
        append(&tr, &details);
        append(&tbody, &tr);
        if expanded {
            let detail = el("tr", "row-hits", "");
            let td = el("td", "", "");
            attr(&td, "colspan", "3");
            let ul = el("ul", "", "");
            // An expanded row lists its first hits; the timeline holds them all.
            for id in row.hit_ids.iter().take(ROW_HITS_SHOWN) {
                if let Some(h) = j.hits.get((*id as usize).saturating_sub(1)) {
                    append(&ul, &el("li", "mono", &hit_line(h)));
                }
            }
            if row.hit_ids.len() > ROW_HITS_SHOWN {
                let more = row.hit_ids.len() - ROW_HITS_SHOWN;
                append(
                    &ul,
                    &el("li", "muted", &format!("… and {more} more (see the timeline)")),
                );
            }
            append(&td, &ul);
            append(&detail, &td);
            append(&tbody, &detail);
        }
    }
    append(&table, &tbody);
    append(&body, &table);
    if let Some(b) = refocus {
        keep_focus(&b);
    }
}

/// The owner per core event, in the review: built once, an input per core
/// event beside the senders seen for it (refreshed by each render), so an
/// owner being typed is never replaced.
pub fn build_owners(app: &Ctx, body: &Element, fixed: &mut Vec<EventListener>) {
    let table = el("table", "owners", "");
    let caption = el("caption", "", "Owner per core event (one primary sender each)");
    append(&table, &caption);
    let head = el("tr", "", "");
    for h in ["Event", "Senders seen", "Owner"] {
        let th = el("th", "", h);
        attr(&th, "scope", "col");
        append(&head, &th);
    }
    append(&table, &head);
    for ev in CORE_EVENTS {
        let tr = el("tr", "", "");
        let th = el("th", "", ev);
        attr(&th, "scope", "row");
        append(&tr, &th);
        let senders = el("td", "", "—");
        attr(&senders, "id", &format!("pp-senders-{ev}"));
        append(&tr, &senders);
        let td = el("td", "", "");
        let input = el("input", "", "");
        attr(&input, "id", &format!("pp-owner-{ev}"));
        attr(&input, "aria-label", &format!("Owner of {ev}"));
        attr(&input, "list", "pp-sender-list");
        append(&td, &input);
        append(&tr, &td);
        append(&table, &tr);
        fixed.push(app.on(&input, "change", |_| Some(Msg::ReviewEdited)));
    }
    append(body, &table);
    let list = el("datalist", "", "");
    attr(&list, "id", "pp-sender-list");
    append(body, &list);
}

/// The trigger-source card's evidence: the sources looked for and the
/// tracking scripts (`pp-sources`, see `cards`). The owners are typed in the
/// review (`build_owners`).
pub fn build_inventory(body: &Element) {
    let sources = el("div", "", "");
    attr(&sources, "id", "pp-sources");
    append(body, &sources);
}

/// Refreshes the sender cells of the owner table and the senders offered as owners.
fn render_owners(card: &TriggerSourcesCard) {
    for o in &card.owners {
        if let Some(cell) = by_id(&format!("pp-senders-{}", o.event)) {
            cell.set_text_content(Some(
                if o.senders.is_empty() {
                    "—".to_string()
                } else {
                    o.senders.join(", ")
                }
                .as_str(),
            ));
            cell.set_class_name(if o.senders.len() > 1 { "multi" } else { "" });
        }
    }
    if let Some(list) = by_id("pp-sender-list") {
        clear(&list);
        // Browser senders only: the server and CRM rows name payloads, not owners.
        for r in card
            .sources
            .iter()
            .filter(|r| r.source != "server" && r.source != "crm")
        {
            for sender in &r.senders {
                let o = el("option", "", "");
                attr(&o, "value", sender);
                append(&list, &o);
            }
        }
    }
}
