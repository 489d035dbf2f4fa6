//! The findings, grouped by severity, each a `<details>` with the rule's
//! explanation and guidance. Findings the user opened stay open across live
//! updates (`State::open_findings`); a finding's hits can filter the timeline.

use std::collections::BTreeSet;

use gloo::events::EventListener;
use pixelproof_core::rules::{self, Finding, Severity};

use crate::app::{Ctx, Msg};
use crate::dom::*;
use crate::state::State;

/// A finding's identity across re-renders.
pub fn key(f: &Finding) -> String {
    format!(
        "{}|{}|{}|{:?}|{:?}",
        f.code,
        f.event.as_deref().unwrap_or(""),
        f.pixel_id.as_deref().unwrap_or(""),
        f.page_view,
        f.hit_ids.first()
    )
}

pub fn render(app: &Ctx, s: &State, findings: &[Finding], listeners: &mut Vec<EventListener>) {
    let Some(body) = by_id("pp-findings-body") else { return };
    clear(&body);
    if findings.is_empty() {
        append(&body, &el("p", "muted", "No findings."));
        return;
    }
    for sev in [Severity::Fail, Severity::Warn, Severity::Info] {
        let group: Vec<&Finding> = findings.iter().filter(|f| f.severity == sev).collect();
        if group.is_empty() {
            continue;
        }
        append(
            &body,
            &el(
                "h3",
                &format!("sev-{}", sev.as_str()),
                &format!("{} ({})", sev.as_str().to_ascii_uppercase(), group.len()),
            ),
        );
        for f in group {
            append(&body, &finding(app, s, f, sev, listeners));
        }
    }
}

fn finding(app: &Ctx, s: &State, f: &Finding, sev: Severity, listeners: &mut Vec<EventListener>) -> web_sys::Element {
    let d = create("details");
    d.set_class_name(&format!("finding sev-{}", sev.as_str()));
    attr(&d, "data-code", f.code);
    let key = key(f);
    if s.open_findings.contains(&key) {
        attr(&d, "open", "");
    }
    let details = d.clone();
    listeners.push(app.on(&d, "toggle", move |_| {
        Some(Msg::FindingToggled {
            key: key.clone(),
            open: details.has_attribute("open"),
        })
    }));
    let summary = el("summary", "", "");
    append(&summary, &el("code", "", f.code));
    if let Some(ev) = &f.event {
        append(&summary, &el("span", "muted", &format!(" {ev}")));
    }
    append(&summary, &el("span", "", &format!(" — {}", f.message)));
    if f.page_reported {
        let tag = el("span", "tag page-reported", " page-reported");
        attr(
            &tag,
            "title",
            "Rests on what the page reported (its scripts could forge it): it adds doubt, it settles nothing",
        );
        append(&summary, &tag);
    }
    append(&d, &summary);
    if let Some(info) = rules::info(f.code) {
        append(&d, &el("p", "", info.explanation));
        let dl = el("dl", "guidance", "");
        for (k, v) in [
            ("Probably broke", info.probably_broke),
            ("First check", info.first_check),
            ("Not yet", info.not_yet),
        ] {
            append(&dl, &el("dt", "", k));
            append(&dl, &el("dd", "", v));
        }
        append(&d, &dl);
    }
    if !f.hit_ids.is_empty() {
        let b = button(
            &format!(
                "Show hits {} in the timeline",
                f.hit_ids.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(", ")
            ),
            "link",
        );
        append(&d, &b);
        // Built by insertion: collecting would sort, another copy of the sort code.
        let mut ids = BTreeSet::new();
        ids.extend(f.hit_ids.iter().copied());
        listeners.push(app.on(&b, "click", move |_| Some(Msg::FilterHits(Some(ids.clone())))));
    }
    d
}
