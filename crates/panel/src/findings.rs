//! The findings, grouped by code (the packet's `findings`), worst first: one
//! `<details>` per code with the rule's explanation and guidance once, then
//! each instance. Codes the user opened stay open across live updates
//! (`State::open_findings`); a code's hits can filter the timeline.

use std::collections::BTreeSet;

use gloo::events::EventListener;
use pixelproof_core::packet::FindingGroup;
use pixelproof_core::rules::Severity;
use web_sys::Element;

use crate::cards::page_reported_tag;
use crate::ctx::{Ctx, Msg};
use crate::dom::*;
use crate::state::State;

pub fn render(app: &Ctx, s: &State, groups: &[FindingGroup], listeners: &mut Vec<EventListener>) {
    let Some(body) = by_id("pp-findings-body") else { return };
    clear(&body);
    if groups.is_empty() {
        append(&body, &el("p", "muted", "No findings."));
        return;
    }
    // One entry per code, the guidance once, worst first (the packet's order).
    for sev in [Severity::Fail, Severity::Warn, Severity::Info] {
        let of: Vec<&FindingGroup> = groups.iter().filter(|g| g.severity == sev).collect();
        if of.is_empty() {
            continue;
        }
        let n: usize = of.iter().map(|g| g.instances.len()).sum();
        append(
            &body,
            &el(
                "h3",
                &format!("sev-{}", sev.as_str()),
                &format!(
                    "{} ({} codes, {n} findings)",
                    sev.as_str().to_ascii_uppercase(),
                    of.len()
                ),
            ),
        );
        for g in of {
            append(&body, &group(app, s, g, sev, listeners));
        }
    }
}

fn group(app: &Ctx, s: &State, g: &FindingGroup, sev: Severity, listeners: &mut Vec<EventListener>) -> Element {
    let d = create("details");
    d.set_class_name(&format!("finding sev-{}", sev.as_str()));
    attr(&d, "data-code", g.code);
    // A code stays open across live re-renders, as expanded rows do.
    if s.open_findings.contains(g.code) {
        attr(&d, "open", "");
    }
    let details = d.clone();
    let code = g.code;
    listeners.push(app.on(&d, "toggle", move |_| {
        Some(Msg::FindingToggled {
            code: code.to_owned(),
            open: details.has_attribute("open"),
        })
    }));
    let summary = el("summary", "", "");
    group_summary(g, &summary);
    append(&d, &summary);
    group_body(g, &d);
    // Built by insertion: collecting would sort, another copy of the sort code.
    let mut ids = BTreeSet::new();
    for i in &g.instances {
        ids.extend(i.hit_ids.iter().copied());
    }
    if !ids.is_empty() {
        let b = button(&show_hits_label(&ids), "link");
        append(&d, &b);
        listeners.push(app.on(&b, "click", move |_| Some(Msg::FilterHits(Some(ids.clone())))));
    }
    d
}

/// How many of a finding's hits its line names; the rest are counted (the
/// code's button shows them all in the timeline). A finding on every hit of a
/// long journey would otherwise write thousands of numbers into each view of
/// it, one in every timeline row it concerns.
const HITS_NAMED: usize = 10;

/// A finding's hits as its line names them: `#1 #2 #3`, or the first
/// [`HITS_NAMED`] and how many more.
fn hit_refs(ids: &[u32]) -> String {
    let mut out = ids
        .iter()
        .take(HITS_NAMED)
        .map(|h| format!("#{h}"))
        .collect::<Vec<_>>()
        .join(" ");
    if ids.len() > HITS_NAMED {
        out.push_str(&format!(" and {} more", ids.len() - HITS_NAMED));
    }
    out
}

/// The label of the button that filters the timeline to a code's hits: the
/// hits by number when few, else how many.
fn show_hits_label(ids: &BTreeSet<u32>) -> String {
    if ids.len() > HITS_NAMED {
        return format!("Show these {} hits in the timeline", ids.len());
    }
    format!(
        "Show hits {} in the timeline",
        ids.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(", ")
    )
}

/// A code's group, inside its `<details>`: why it matters and the guidance
/// once, then each instance (severity, event, page view, hits, message).
pub fn group_body(g: &FindingGroup, details: &Element) {
    append(details, &el("p", "", g.explanation));
    let dl = el("dl", "guidance", "");
    for (k, v) in [
        ("Probably broke", g.guidance.probably_broke),
        ("First check", g.guidance.first_check),
        ("Not yet", g.guidance.not_yet),
    ] {
        append(&dl, &el("dt", "", k));
        append(&dl, &el("dd", "", v));
    }
    append(details, &dl);
    let ul = el("ul", "instances", "");
    for i in &g.instances {
        let li = el("li", &format!("sev-{}", i.severity.as_str()), "");
        let mut head = vec![i.severity.as_str().to_owned()];
        if let Some(ev) = &i.event {
            head.push(ev.clone());
        }
        if let Some(p) = &i.page {
            head.push(p.clone());
        }
        if !i.hit_ids.is_empty() {
            head.push(hit_refs(&i.hit_ids));
        }
        append(&li, &el("span", "mono", &head.join(" · ")));
        append(&li, &el("div", "", &i.message));
        if i.page_reported {
            append(&li, &page_reported_tag());
        }
        append(&ul, &li);
    }
    append(details, &ul);
}

/// The group's summary line: code, instance count, events, page-reported.
fn group_summary(g: &FindingGroup, summary: &Element) {
    append(summary, &el("code", "", g.code));
    let events: Vec<&str> = {
        let mut v: Vec<&str> = Vec::new();
        for e in g.instances.iter().filter_map(|i| i.event.as_deref()) {
            if !v.contains(&e) {
                v.push(e);
            }
        }
        v
    };
    append(
        summary,
        &el(
            "span",
            "muted",
            &format!(
                " ×{}{}",
                g.instances.len(),
                if events.is_empty() {
                    String::new()
                } else {
                    format!(" · {}", events.join(", "))
                }
            ),
        ),
    );
    if g.instances.len() == 1 {
        append(summary, &el("span", "", &format!(" — {}", g.instances[0].message)));
    }
    if g.page_reported {
        append(summary, &page_reported_tag());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_names_its_first_hits_and_counts_the_rest() {
        assert_eq!(hit_refs(&[4]), "#4");
        let ten: Vec<u32> = (1..=10).collect();
        assert_eq!(hit_refs(&ten), "#1 #2 #3 #4 #5 #6 #7 #8 #9 #10");
        let many: Vec<u32> = (1..=10_000).collect();
        assert_eq!(hit_refs(&many), "#1 #2 #3 #4 #5 #6 #7 #8 #9 #10 and 9990 more");
    }

    #[test]
    fn the_filter_button_names_few_hits_and_counts_many() {
        assert_eq!(
            show_hits_label(&BTreeSet::from([3, 7])),
            "Show hits #3, #7 in the timeline"
        );
        assert_eq!(
            show_hits_label(&(1..=11).collect()),
            "Show these 11 hits in the timeline"
        );
    }
}
