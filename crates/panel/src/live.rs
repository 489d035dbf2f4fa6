//! The live part, the panel's first screen: the four core events, each with
//! its status (pass / warn / fail / not seen, in words and a symbol, never
//! colour alone) and one line of why, and the newest hits as they arrive,
//! newest first. An event or a hit opens in place to its details.
//!
//! The four events are built once and then only written into: a live update
//! never replaces the element a keyboard user is on, and an event left open
//! stays open. What an open event shows is rebuilt only when it changed.
//! The hits are `li.t-hit` items like the timeline's, filled when opened by
//! the same code (`timeline::fill`), so both show the same details.

use std::collections::BTreeMap;

use gloo::events::EventListener;
use pixelproof_core::journey::Journey;
use pixelproof_core::model::Hit;
use pixelproof_core::packet::{group_findings, FindingGroup};
use pixelproof_core::results::{AcceptanceRow, Gate, RowStatus, Verdict};
use pixelproof_core::rules::{Finding, Severity};
use pixelproof_core::tables::CORE_EVENTS;
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::ctx::{Ctx, Msg};
use crate::dom::*;
use crate::state::State;
use crate::summary::hit_line;

/// Hits the live list keeps (the timeline holds them all).
pub const LIVE_HITS: usize = 25;

/// Hits listed inside an open event.
const EVENT_HITS_SHOWN: usize = 10;

/// The status of a row in words and a symbol, and its CSS class.
pub fn status_words(s: RowStatus) -> (&'static str, &'static str, &'static str) {
    match s {
        RowStatus::Pass => ("✓", "PASS", "st-pass"),
        RowStatus::Warn => ("!", "WARN", "st-warn"),
        RowStatus::Fail => ("✗", "FAIL", "st-fail"),
        RowStatus::NotSeen => ("–", "NOT SEEN", "st-not_seen"),
    }
}

/// What to do to see an event that was not seen yet.
fn how_to_see(event: &str) -> &'static str {
    match event {
        "ViewContent" => "Not seen yet: open a product page.",
        "AddToCart" => "Not seen yet: add a product to the cart.",
        "InitiateCheckout" => "Not seen yet: go to checkout.",
        "Purchase" => "Not seen yet: place the test order.",
        _ => "Not seen yet.",
    }
}

/// The one line of why under a core event: the worst finding about it (its
/// code and how many more are counted beside the name, see [`codes_count`]),
/// or for a clean event what was seen, or what to do to see it.
pub fn why(row: &AcceptanceRow, findings: &[Finding]) -> String {
    // Findings come sorted worst first.
    let worst = findings.iter().find(|f| f.event.as_deref() == Some(row.event.as_str()));
    match (row.status, worst) {
        (RowStatus::NotSeen, Some(f)) if f.severity == Severity::Fail => f.message.clone(),
        (RowStatus::NotSeen, _) => how_to_see(&row.event).to_owned(),
        (RowStatus::Fail | RowStatus::Warn, Some(f)) => f.message.clone(),
        _ => {
            let n = row.hit_ids.len();
            let mut parts = vec![format!(
                "{n} hit{} from {}",
                if n == 1 { "" } else { "s" },
                if row.senders.is_empty() {
                    "—".to_owned()
                } else {
                    row.senders.join(", ")
                }
            )];
            if let Some(eid) = row.event_ids.first() {
                parts.push(format!("eid {eid}"));
            }
            if let (Some(v), Some(c)) = (&row.value, &row.currency) {
                parts.push(format!("{v} {c}"));
            }
            if let Some(server) = &row.server {
                parts.push(if server == "none" {
                    "no server twin".to_owned()
                } else {
                    "server twin sent".to_owned()
                });
            }
            parts.join(" · ")
        }
    }
}

/// Beside an event's name: the codes behind its status, the worst first
/// (`missing_event_id +2`), or nothing for a clean event.
pub fn codes_count(row: &AcceptanceRow, findings: &[Finding]) -> String {
    if row.codes.is_empty() {
        return String::new();
    }
    let worst = findings
        .iter()
        .find(|f| f.event.as_deref() == Some(row.event.as_str()))
        .map(|f| f.code)
        .unwrap_or(row.codes[0]);
    match row.codes.len() {
        1 => worst.to_owned(),
        n => format!("{worst} +{}", n - 1),
    }
}

/// The verdict's one line: what stops it, or what it still needs.
pub fn verdict_why(g: &Gate) -> String {
    match g.verdict {
        Verdict::Go => "Go: every check of the gate passes.".to_owned(),
        Verdict::Stop => {
            let checks: Vec<&str> = g
                .checks
                .iter()
                .filter(|c| c.state == pixelproof_core::results::CheckState::Stop)
                .map(|c| c.name)
                .collect();
            let mut parts = Vec::new();
            if !checks.is_empty() {
                parts.push(format!("{} stop", checks.join(", ")));
            }
            if !g.blocking.is_empty() {
                parts.push(format!(
                    "{} fail code{} block Go",
                    g.blocking.len(),
                    if g.blocking.len() == 1 { "" } else { "s" }
                ));
            }
            format!("Stop: {}.", parts.join("; "))
        }
        Verdict::Incomplete => {
            let needs: Vec<String> = g
                .checks
                .iter()
                .filter(|c| c.state == pixelproof_core::results::CheckState::Unverified)
                .map(|c| c.name.to_owned())
                .collect();
            format!("Incomplete: {} not verified yet (see the gate).", needs.join(", "))
        }
    }
}

/// Builds the four core events (in `live`) and the newest hits' list (in `hits`).
pub fn build(app: &Ctx, live: &Element, hits: &Element, fixed: &mut Vec<EventListener>) {
    let why = el("p", "verdict-why", "");
    attr(&why, "id", "pp-verdict-why");
    append(live, &why);
    let ul = el("ul", "events", "");
    attr(&ul, "id", "pp-events");
    for ev in CORE_EVENTS {
        let li = el("li", "ev", "");
        attr(&li, "data-event", ev);
        let d = create("details");
        attr(&d, "id", &format!("pp-ev-{ev}"));
        let summary = el("summary", "", "");
        let status = el("span", "status st-not_seen", "");
        let sym = el("span", "sym", "–");
        attr(&sym, "aria-hidden", "true");
        append(&status, &sym);
        append(&status, &el("span", "word", "NOT SEEN"));
        append(&summary, &status);
        let name = el("span", "name", ev);
        let chev = el("span", "chev", "▸");
        attr(&chev, "aria-hidden", "true");
        append(&name, &chev);
        append(&name, &el("span", "codes-n", ""));
        append(&summary, &name);
        append(&summary, &el("span", "why", how_to_see(ev)));
        append(&d, &summary);
        let body = el("div", "ev-body", "");
        append(&d, &body);
        append(&li, &d);
        append(&ul, &li);
        let event = ev.to_owned();
        let details = d.clone();
        fixed.push(app.on(&d, "toggle", move |_| {
            Some(Msg::EventToggled {
                event: event.clone(),
                open: details.has_attribute("open"),
            })
        }));
    }
    append(live, &ul);
    let list = el("ol", "timeline live-hits", "");
    attr(&list, "id", "pp-live-hits");
    attr(&list, "reversed", "");
    append(hits, &list);
    let empty = el(
        "p",
        "muted",
        "No pixel hit yet: browse the store and they appear here, newest first.",
    );
    attr(&empty, "id", "pp-live-empty");
    append(hits, &empty);
    let all = el("a", "", "Every record, in the timeline");
    attr(&all, "href", "#pp-timeline");
    attr(&all, "id", "pp-live-all");
    append(hits, &all);
    fixed.push(app.on(&list, "click", |e| Some(Msg::TimelineClicked(e.clone()))));
}

/// Writes the verdict's line and each core event's status and why (and what
/// an open event shows) from this render's results.
pub fn render(s: &State, findings: &[Finding], rows: &[AcceptanceRow], g: &Gate) {
    set_text("pp-verdict-why", &verdict_why(g));
    let j = s.session.journey();
    for row in rows.iter().filter(|r| r.core) {
        let Some(d) = by_id(&format!("pp-ev-{}", row.event)) else {
            continue;
        };
        let (sym, word, class) = status_words(row.status);
        if let Ok(Some(status)) = d.query_selector("summary > .status") {
            status.set_class_name(&format!("status {class}"));
            if let Ok(Some(e)) = status.query_selector(".sym") {
                set_if_changed(&e, sym);
            }
            if let Ok(Some(e)) = status.query_selector(".word") {
                set_if_changed(&e, word);
            }
        }
        if let Ok(Some(e)) = d.query_selector("summary > .why") {
            set_if_changed(&e, &why(row, findings));
        }
        if let Ok(Some(e)) = d.query_selector("summary .codes-n") {
            set_if_changed(&e, &codes_count(row, findings));
        }
        if let Some(li) = d.parent_element() {
            attr(&li, "data-status", row.status.as_str());
        }
        let Ok(Some(body)) = d.query_selector(".ev-body") else {
            continue;
        };
        if s.open_events.contains(&row.event) {
            fill_event(&body, j, row, findings);
        } else if body.has_child_nodes() {
            clear(&body);
            let _ = body.remove_attribute("data-key");
        }
    }
}

fn set_text(id: &str, text: &str) {
    if let Some(e) = by_id(id) {
        set_if_changed(&e, text);
    }
}

/// Writes text only when it differs, so unchanged parts are left alone.
fn set_if_changed(e: &Element, text: &str) {
    if e.text_content().as_deref() != Some(text) {
        e.set_text_content(Some(text));
    }
}

/// A line `label: value` of a details list.
fn kv(dl: &Element, label: &str, value: &str) {
    append(dl, &el("dt", "", label));
    append(dl, &el("dd", "", value));
}

/// What an open event shows: first seen, senders, event ids, value, server
/// twin, its codes with their guidance, its first hits. Rebuilt only when it
/// changed (`data-key` holds what it was built from).
fn fill_event(body: &Element, j: &Journey, row: &AcceptanceRow, findings: &[Finding]) {
    let mine: Vec<Finding> = findings
        .iter()
        .filter(|f| f.event.as_deref() == Some(row.event.as_str()))
        .cloned()
        .collect();
    let key = format!(
        "{:?}|{}|{:?}|{:?}|{}",
        row.status,
        row.hit_ids.len(),
        row.server,
        row.codes,
        mine.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join("|")
    );
    if body.get_attribute("data-key").as_deref() == Some(key.as_str()) {
        return;
    }
    clear(body);
    attr(body, "data-key", &key);
    let dl = el("dl", "facts", "");
    if let Some(page) = &row.page {
        kv(
            &dl,
            "First seen",
            &format!("{} at {}", page, row.time.map(clock).unwrap_or_default()),
        );
    }
    kv(&dl, "Hits", &row.hit_ids.len().to_string());
    if !row.senders.is_empty() {
        kv(&dl, "Sender", &row.senders.join(", "));
    }
    if !row.event_ids.is_empty() {
        kv(&dl, "event_id", &row.event_ids.join(", "));
    }
    if row.value.is_some() || row.currency.is_some() {
        kv(
            &dl,
            "Value",
            &format!(
                "{} {}",
                row.value.as_deref().unwrap_or("—"),
                row.currency.as_deref().unwrap_or("—")
            ),
        );
    }
    kv(
        &dl,
        "Server twin",
        row.server
            .as_deref()
            .unwrap_or("no server payload yet: add it under Evidence"),
    );
    append(body, &dl);
    let groups = group_findings(j, &mine);
    append(body, &codes_view(&groups));
    if !row.hit_ids.is_empty() {
        append(body, &el("h4", "", "Hits"));
        let ul = el("ul", "mono ev-hits", "");
        for id in row.hit_ids.iter().take(EVENT_HITS_SHOWN) {
            if let Some(h) = j.hits.get((*id as usize).saturating_sub(1)) {
                append(&ul, &el("li", "", &hit_line(h)));
            }
        }
        if row.hit_ids.len() > EVENT_HITS_SHOWN {
            append(
                &ul,
                &el(
                    "li",
                    "muted",
                    &format!("… and {} more in the timeline", row.hit_ids.len() - EVENT_HITS_SHOWN),
                ),
            );
        }
        append(body, &ul);
    }
}

/// Codes with their guidance, worst first: severity and code, what was seen,
/// why it matters, what probably broke, the first check, what not to do yet.
pub fn codes_view(groups: &[FindingGroup]) -> Element {
    let box_ = el("div", "codes", "");
    if groups.is_empty() {
        append(&box_, &el("p", "muted", "No finding."));
        return box_;
    }
    for g in groups {
        let d = el("div", &format!("code sev-{}", g.severity.as_str()), "");
        let head = el("h4", "", "");
        append(
            &head,
            &el(
                "span",
                &format!("sev sev-{}", g.severity.as_str()),
                &g.severity.as_str().to_ascii_uppercase(),
            ),
        );
        append(&head, &el("code", "", &format!(" {}", g.code)));
        append(&d, &head);
        crate::findings::group_body(g, &d);
        append(&box_, &d);
    }
    box_
}

/// Adds the hits not in the live list yet on top (newest first) and keeps
/// the newest [`LIVE_HITS`]; an item that is open or holds the focus stays.
/// Rebuilds the list when `rendered_hits` is 0 (a cleared journey).
pub fn render_hits(s: &mut State) {
    let Some(list) = by_id("pp-live-hits") else { return };
    let j = s.session.journey();
    if s.live_hits == 0 {
        clear(&list);
    }
    let total = j.hits.len();
    let from = s.live_hits.max(total.saturating_sub(LIVE_HITS));
    for h in &j.hits[from.min(total)..] {
        let li = el("li", "t-hit", "");
        attr(&li, "data-hit", &h.id.to_string());
        let d = create("details");
        let summary = el("summary", "mono", "");
        let chev = el("span", "chev", "▸");
        attr(&chev, "aria-hidden", "true");
        append(&summary, &chev);
        append(&summary, &el("span", "mark", ""));
        append(&summary, &el("span", "", &live_line(h)));
        append(&d, &summary);
        append(&li, &d);
        let _ = list.insert_before(&li, list.first_child().as_ref());
    }
    s.live_hits = total;
    let focused = document().active_element();
    while list.child_element_count() as usize > LIVE_HITS {
        let Some(last) = list.last_element_child() else { break };
        let keep = last.query_selector("details[open]").ok().flatten().is_some()
            || focused.as_ref().is_some_and(|f| last.contains(Some(f.unchecked_ref())));
        if keep {
            break;
        }
        last.remove();
    }
    // New items get their marks now, from the last summary's findings.
    mark_hits(&s.findings);
    if let Some(empty) = by_id("pp-live-empty") {
        if total == 0 {
            let _ = empty.remove_attribute("hidden");
        } else {
            attr(&empty, "hidden", "");
        }
    }
}

/// A hit in the live list, on one line read at a glance: what was sent, by
/// whom, with which eid and value, then how and when (the part an ellipsis
/// may cut at 320 px).
pub fn live_line(h: &Hit) -> String {
    let mut parts = vec![
        h.event.as_deref().unwrap_or("(no ev)").to_owned(),
        h.sender.label.clone(),
    ];
    parts.push(format!("eid {}", h.event_id.as_deref().unwrap_or("(none)")));
    if let Some(v) = h.custom("value") {
        parts.push(format!("{v} {}", h.currency().unwrap_or("")).trim_end().to_owned());
    }
    parts.push(format!("#{} {} {}", h.id, h.decoded.transport.as_str(), clock(h.time)));
    parts.join(" · ")
}

/// Marks each hit in the live list with the worst finding about it (a
/// symbol and a word for screen readers), after each summary render.
pub fn mark_hits(findings: &[Finding]) {
    let Some(list) = by_id("pp-live-hits") else { return };
    let Ok(items) = list.query_selector_all("li.t-hit") else {
        return;
    };
    let mut worst: BTreeMap<u32, Severity> = BTreeMap::new();
    let shown: Vec<(u32, Element)> = (0..items.length())
        .filter_map(|i| items.item(i).and_then(|n| n.dyn_into::<Element>().ok()))
        .filter_map(|li| Some((li.get_attribute("data-hit")?.parse().ok()?, li)))
        .collect();
    let lowest = shown.iter().map(|(id, _)| *id).min().unwrap_or(u32::MAX);
    for f in findings {
        for id in f.hit_ids.iter().filter(|id| **id >= lowest) {
            let w = worst.entry(*id).or_insert(f.severity);
            *w = (*w).min(f.severity);
        }
    }
    for (id, li) in shown {
        let (sym, word, class) = match worst.get(&id) {
            Some(Severity::Fail) => ("✗", "fail", "mark sev-fail"),
            Some(Severity::Warn) => ("!", "warn", "mark sev-warn"),
            Some(Severity::Info) => ("i", "info", "mark sev-info"),
            None => ("✓", "no finding", "mark ok"),
        };
        let Ok(Some(mark)) = li.query_selector("summary > .mark") else {
            continue;
        };
        if mark.get_attribute("data-sev").as_deref() == Some(word) {
            continue;
        }
        attr(&mark, "data-sev", word);
        mark.set_class_name(class);
        clear(&mark);
        let s = el("span", "", sym);
        attr(&s, "aria-hidden", "true");
        append(&mark, &s);
        append(&mark, &el("span", "sr-only", &format!("{word}: ")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pixelproof_core::results::{Check, CheckState};

    fn row(event: &str, status: RowStatus, codes: Vec<&'static str>) -> AcceptanceRow {
        AcceptanceRow {
            event: event.to_owned(),
            core: true,
            status,
            hit_ids: if status == RowStatus::NotSeen { vec![] } else { vec![3] },
            page: None,
            time: None,
            senders: vec!["theme".to_owned()],
            server: None,
            event_ids: vec!["vc-1".to_owned()],
            value: Some("30.00".to_owned()),
            currency: Some("USD".to_owned()),
            codes,
        }
    }

    fn finding(code: &'static str, severity: Severity, event: &str, message: &str) -> Finding {
        Finding::journey(code, severity, message.to_owned()).with_event(event)
    }

    #[test]
    fn a_failing_event_says_its_worst_finding_and_how_many_more() {
        // Sorted worst first, as the session gives them; another event's finding comes first.
        let findings = vec![
            finding("invalid_value", Severity::Fail, "Purchase", "value is $10"),
            finding(
                "multiple_senders",
                Severity::Warn,
                "ViewContent",
                "sent by theme and gtm",
            ),
            finding("missing_content_ids", Severity::Warn, "ViewContent", "no content_ids"),
        ];
        let r = row(
            "ViewContent",
            RowStatus::Warn,
            vec!["missing_content_ids", "multiple_senders"],
        );
        assert_eq!(why(&r, &findings), "sent by theme and gtm");
        assert_eq!(codes_count(&r, &findings), "multiple_senders +1");
        let one = row("ViewContent", RowStatus::Warn, vec!["multiple_senders"]);
        assert_eq!(codes_count(&one, &findings[1..2]), "multiple_senders");
        assert_eq!(codes_count(&row("AddToCart", RowStatus::Pass, vec![]), &findings), "");
    }

    #[test]
    fn a_clean_event_says_what_was_seen_and_its_server_twin() {
        let mut r = row("AddToCart", RowStatus::Pass, vec![]);
        assert_eq!(why(&r, &[]), "1 hit from theme · eid vc-1 · 30.00 USD");
        r.server = Some("1 event(s), website, event_id vc-1".to_owned());
        assert_eq!(
            why(&r, &[]),
            "1 hit from theme · eid vc-1 · 30.00 USD · server twin sent"
        );
        r.server = Some("none".to_owned());
        assert!(why(&r, &[]).ends_with("no server twin"));
    }

    #[test]
    fn an_event_not_seen_says_what_to_do_unless_its_absence_fails() {
        let r = row("Purchase", RowStatus::NotSeen, vec!["event_chain_incomplete"]);
        let warn = [finding(
            "event_chain_incomplete",
            Severity::Warn,
            "Purchase",
            "never seen",
        )];
        assert_eq!(why(&r, &warn), "Not seen yet: place the test order.");
        let fail = [finding(
            "browser_purchase_missing",
            Severity::Fail,
            "Purchase",
            "the order page was reached",
        )];
        assert_eq!(why(&r, &fail), "the order page was reached");
    }

    fn check(name: &'static str, state: CheckState) -> Check {
        Check {
            name,
            state,
            detail: String::new(),
            needs: None,
            page_reported: false,
        }
    }

    #[test]
    fn the_verdict_line_names_what_stops_it_or_what_it_needs() {
        let g = Gate {
            verdict: Verdict::Stop,
            checks: vec![check("chain", CheckState::Go), check("dedup", CheckState::Stop)],
            blocking: vec!["invalid_value", "missing_event_id"],
        };
        assert_eq!(verdict_why(&g), "Stop: dedup stop; 2 fail codes block Go.");
        let g = Gate {
            verdict: Verdict::Incomplete,
            checks: vec![
                check("chain", CheckState::Go),
                check("dedup", CheckState::Unverified),
                check("money", CheckState::Unverified),
            ],
            blocking: vec![],
        };
        assert_eq!(
            verdict_why(&g),
            "Incomplete: dedup, money not verified yet (see the gate)."
        );
    }
}
