//! The packet's results as terminal text: the core acceptance rows, the
//! findings, the gate and the verdict, in fixed-width columns. The demo prints
//! it for each scenario and the CLI writes it with `--format text`, so the one
//! renderer lives here rather than in each of them.

use std::fmt::Write;

use super::Packet;
use crate::results::CheckState;

/// `s` in exactly `width` characters: cut or padded with spaces. Control
/// characters (a page's text could hold terminal escape sequences) become `?`.
fn pad(s: &str, width: usize) -> String {
    let mut out: String = s
        .chars()
        .take(width)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    let n = out.chars().count();
    out.extend(std::iter::repeat_n(' ', width - n));
    out
}

/// Text of unknown length for the end of a line, with control characters made visible.
fn tail(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { '?' } else { c }).collect()
}

fn state(s: CheckState) -> &'static str {
    match s {
        CheckState::Go => "go",
        CheckState::Stop => "stop",
        CheckState::Unverified => "unverified",
    }
}

pub fn render(p: &Packet) -> String {
    let mut s = String::new();
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let _ = writeln!(
        s,
        "  {} {} {} {} value",
        pad("event", 17),
        pad("status", 9),
        pad("senders", 38),
        pad("event_id", 22)
    );
    for r in p.acceptance.iter().filter(|r| r.core) {
        let _ = writeln!(
            s,
            "  {} {} {} {} {} {}",
            pad(&r.event, 17),
            pad(&r.status.as_str().to_ascii_uppercase(), 9),
            pad(&r.senders.join(", "), 38),
            pad(&r.event_ids.join(", "), 22),
            tail(&opt(&r.value)),
            tail(r.currency.as_deref().unwrap_or(""))
        );
    }
    s.push_str("\n  findings:\n");
    for f in &p.findings {
        let _ = writeln!(
            s,
            "    {} {} {}",
            pad(f.severity.as_str(), 4),
            pad(f.code, 27),
            tail(&f.message)
        );
    }
    if p.findings.is_empty() {
        s.push_str("    none\n");
    }
    let checks: Vec<String> = p
        .gate
        .checks
        .iter()
        .map(|c| format!("{}={}", c.name, state(c.state)))
        .collect();
    let _ = write!(
        s,
        "\n  gate: {}\n  verdict: {}",
        checks.join("  "),
        p.verdict.as_str().to_ascii_uppercase()
    );
    s
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
}
