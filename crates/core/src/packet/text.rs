//! The packet as terminal text, in the packet's reading order and in brief:
//! the reviewer's decision, the gate, the four evidence cards, the core event
//! rows of the Test Events card, the findings grouped by code, and the verdict
//! with what holds it. Fixed-width columns; the Markdown has the evidence. The
//! demo prints it for each scenario and the CLI writes it with `--format
//! text`, so the one renderer lives here rather than in each of them; the
//! before/after diff uses its column helpers for its own text.

use std::fmt::Write;

use super::Packet;

/// Widths of the event table's columns and of a finding code (the longest
/// code, `server_data_processing_options_invalid`, has 38 characters).
const EVENT: usize = 17;
const STATUS: usize = 9;
const SENDERS: usize = 38;
const EVENT_ID: usize = 22;
pub(super) const CODE: usize = 38;

/// `s` in exactly `width` characters: cut or padded with spaces. Characters
/// that do not print as themselves ([`shown`]) become `?`.
pub(super) fn pad(s: &str, width: usize) -> String {
    let mut out: String = s.chars().take(width).map(|c| if shown(c) { c } else { '?' }).collect();
    let n = out.chars().count();
    out.extend(std::iter::repeat_n(' ', width - n));
    out
}

/// Text of unknown length for the end of a line, with control characters made visible.
pub(super) fn tail(s: &str) -> String {
    s.chars().map(|c| if shown(c) { c } else { '?' }).collect()
}

/// Whether `c` prints as itself: not a control character (a page's text could
/// hold terminal escape sequences), not a bidirectional or invisible one.
fn shown(c: char) -> bool {
    !c.is_control() && !crate::tables::is_invisible_or_bidi(c)
}

pub fn render(p: &Packet) -> String {
    let mut s = String::new();
    decision(&mut s, p);
    let checks: Vec<String> = p
        .gate
        .checks
        .iter()
        .map(|c| format!("{}={}", c.name, c.state.as_str()))
        .collect();
    let _ = writeln!(s, "  gate: {}", checks.join("  "));
    let c = &p.cards;
    let cards: Vec<String> = [
        &c.test_events.head,
        &c.shopify_order.head,
        &c.trigger_sources.head,
        &c.reconciliation.head,
    ]
    .iter()
    .map(|h| format!("{}={}", h.title, h.state.as_str()))
    .collect();
    let _ = writeln!(s, "  cards: {}", cards.join("  "));
    events(&mut s, p);
    findings(&mut s, p);
    let _ = write!(
        s,
        "\n  verdict: {} — {}",
        p.verdict.as_str().to_ascii_uppercase(),
        super::markdown::verdict_reason(p)
    );
    trim_lines(&s)
}

/// Without the spaces padding leaves at the end of a line.
pub(super) fn trim_lines(s: &str) -> String {
    s.lines().map(str::trim_end).collect::<Vec<_>>().join("\n")
}

/// The reviewer's part of the decision record: "decision: go (reviewer QA,
/// next review 2027-01-15)".
fn decision(s: &mut String, p: &Packet) {
    let d = &p.decision;
    let mut who = Vec::new();
    if let Some(v) = &d.reviewer {
        who.push(format!("reviewer {}", tail(v)));
    }
    if let Some(v) = &d.next_review {
        who.push(format!("next review {}", tail(v)));
    }
    let _ = writeln!(
        s,
        "  decision: {}{}",
        d.decision.as_deref().map(tail).unwrap_or_else(|| "not recorded".into()),
        if who.is_empty() {
            String::new()
        } else {
            format!(" ({})", who.join(", "))
        }
    );
}

/// The core event rows of the Test Events card.
fn events(s: &mut String, p: &Packet) {
    let _ = writeln!(
        s,
        "\n  {} {} {} {} value",
        pad("event", EVENT),
        pad("status", STATUS),
        pad("senders", SENDERS),
        pad("event_id", EVENT_ID)
    );
    for r in p.cards.test_events.events.iter().filter(|r| r.core) {
        let _ = writeln!(
            s,
            "  {} {} {} {} {} {}",
            pad(&r.event, EVENT),
            pad(&r.status.as_str().replace('_', " ").to_ascii_uppercase(), STATUS),
            pad(&r.senders.join(", "), SENDERS),
            pad(&r.event_ids.join(", "), EVENT_ID),
            tail(r.value.as_deref().unwrap_or("—")),
            tail(r.currency.as_deref().unwrap_or(""))
        );
    }
}

/// One line per finding code: its worst severity, how many instances, and the
/// events they are about.
fn findings(s: &mut String, p: &Packet) {
    s.push_str("\n  findings (by code):\n");
    for g in &p.findings {
        let mut events: Vec<&str> = Vec::new();
        for e in g.instances.iter().filter_map(|i| i.event.as_deref()) {
            if !events.contains(&e) {
                events.push(e);
            }
        }
        let _ = writeln!(
            s,
            "    {} {} ×{}{}",
            pad(g.severity.as_str(), 4),
            pad(g.code, CODE),
            g.instances.len(),
            if events.is_empty() {
                String::new()
            } else {
                format!("  {}", tail(&events.join(", ")))
            }
        );
    }
    if p.findings.is_empty() {
        s.push_str("    none\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pad_cuts_pads_and_neutralises_escapes() {
        assert_eq!(pad("abc", 5), "abc  ");
        assert_eq!(pad("abcdef", 3), "abc");
        assert_eq!(pad("é—x", 4), "é—x ", "counted in characters, not bytes");
        assert_eq!(pad("\u{1b}[31mred", 8), "?[31mred");
        assert_eq!(tail("a\nb"), "a?b");
    }

    #[test]
    fn every_registered_code_fits_its_column() {
        for rule in crate::rules::RULES {
            let code = rule.code();
            assert!(code.len() <= CODE, "{code} is longer than {CODE}");
        }
    }
}
