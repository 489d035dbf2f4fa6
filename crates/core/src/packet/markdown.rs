//! The packet as Markdown tables, ready to paste into a ticket.
//!
//! Every string that came from a page or a payload goes through [`cell`], which
//! escapes Markdown and HTML so a product name like `<img onerror=…>` shows as
//! text in any Markdown renderer.

use std::fmt::Write;

use super::Packet;
use crate::results::CheckState;

mod match_keys;

/// Escapes text for a Markdown table cell (and for inline text).
pub fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '|' => out.push_str("\\|"),
            '`' => out.push_str("\\`"),
            '*' | '_' | '[' | ']' | '#' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn opt(s: &Option<String>) -> String {
    s.as_deref().map(cell).unwrap_or_else(|| "—".into())
}

fn time(ms: Option<f64>) -> String {
    match ms {
        Some(t) if t.is_finite() => {
            let secs = (t / 1000.0).floor() as i64;
            match time::OffsetDateTime::from_unix_timestamp(secs) {
                Ok(d) => format!(
                    "{:04}-{:02}-{:02} {:02}:{:02}:{:02}Z",
                    d.year(),
                    d.month() as u8,
                    d.day(),
                    d.hour(),
                    d.minute(),
                    d.second()
                ),
                Err(_) => format!("{t}"),
            }
        }
        _ => "—".into(),
    }
}

pub fn render(p: &Packet) -> String {
    let mut s = String::new();
    let verdict = p.verdict.as_str().to_ascii_uppercase();
    let _ = writeln!(s, "# PixelProof review — verdict: **{verdict}**\n");
    let _ = writeln!(
        s,
        "Store: {} (shop: {}) · captured {} → {} · {} hits in {} records{}\n",
        opt(&p.store.origin),
        opt(&p.store.shop),
        time(p.capture.started),
        time(p.capture.ended),
        p.capture.hits,
        p.capture.records,
        if p.capture.dropped_records > 0 {
            format!(" · **not kept: {}**", cell(&p.capture.dropped.join("; ")))
        } else {
            String::new()
        }
    );
    let pixels: Vec<String> = p
        .pixels
        .iter()
        .map(|px| {
            format!(
                "{} (v {}, {} hits)",
                cell(&px.id),
                cell(&px.versions.join(", ")),
                px.hits
            )
        })
        .collect();
    let _ = writeln!(
        s,
        "Pixels: {}\n",
        if pixels.is_empty() {
            "none seen".into()
        } else {
            pixels.join("; ")
        }
    );

    let _ = writeln!(
        s,
        "## Stop/Go gate\n\n| check | state | detail | still needs |\n|---|---|---|---|"
    );
    for c in &p.gate.checks {
        let state = match c.state {
            CheckState::Go => "go",
            CheckState::Stop => "**stop**",
            CheckState::Unverified => "unverified",
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            c.name,
            state,
            cell(&c.detail),
            opt(&c.needs)
        );
    }
    if !p.gate.blocking.is_empty() {
        let _ = writeln!(
            s,
            "\nFail findings blocking Go: {}",
            p.gate
                .blocking
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    let _ = writeln!(s, "\n## Acceptance\n\n| event | status | page | time | senders | server | event_id | value | currency | codes |\n|---|---|---|---|---|---|---|---|---|---|");
    for r in &p.acceptance {
        let status = match r.status.as_str() {
            "fail" => "**FAIL**".to_string(),
            other => other.to_ascii_uppercase(),
        };
        let _ = writeln!(
            s,
            "| {}{} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(&r.event),
            if r.core { "" } else { " (other)" },
            status,
            opt(&r.page),
            time(r.time),
            cell(&r.senders.join(", ")),
            opt(&r.server),
            cell(&r.event_ids.join(", ")),
            opt(&r.value),
            opt(&r.currency),
            r.codes.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(" ")
        );
    }

    let _ = writeln!(s, "\n## Findings\n");
    if p.findings.is_empty() {
        let _ = writeln!(s, "No findings.");
    }
    for f in &p.findings {
        let hits = if f.hit_ids.is_empty() {
            String::new()
        } else {
            format!(
                " (hits {})",
                f.hit_ids.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(", ")
            )
        };
        let _ = writeln!(
            s,
            "- **{}** `{}`{}: {}{}",
            f.severity.as_str(),
            f.code,
            f.event
                .as_deref()
                .map(|e| format!(" — {}", cell(e)))
                .unwrap_or_default(),
            cell(&f.message),
            hits
        );
        let _ = writeln!(s, "  - Why it matters: {}", f.explanation);
        let _ = writeln!(s, "  - Probably broke: {}", f.guidance.probably_broke);
        let _ = writeln!(s, "  - First check: {}", f.guidance.first_check);
        let _ = writeln!(s, "  - Not yet: {}", f.guidance.not_yet);
    }

    let _ = writeln!(s, "\n## Sender inventory\n\n| event | senders | owner |\n|---|---|---|");
    for o in &p.inventory.owners {
        let _ = writeln!(
            s,
            "| {} | {} | {} |",
            o.event,
            cell(&o.senders.join(", ")),
            opt(&o.owner)
        );
    }
    let _ = writeln!(s, "\n| sender | events | pixels | evidence |\n|---|---|---|---|");
    for e in &p.inventory.senders {
        let events: Vec<String> = e.events.iter().map(|(k, v)| format!("{k}×{v}")).collect();
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            cell(&e.sender),
            cell(&events.join(", ")),
            cell(&e.pixel_ids.join(", ")),
            cell(&e.evidence.join("; "))
        );
    }
    if !p.inventory.scripts.is_empty() {
        let _ = writeln!(s, "\n| page | script | kind | count | seen by |\n|---|---|---|---|---|");
        for sc in &p.inventory.scripts {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                sc.page_view,
                cell(&sc.url),
                sc.kind,
                sc.count,
                sc.seen_by
            );
        }
    }

    let _ = writeln!(s, "\n## Server and order reconciliation\n");
    if p.server.supplied {
        let _ = writeln!(s, "| event | hit | browser eid | server event_id | matched | browser value | server value |\n|---|---|---|---|---|---|---|");
        for pair in &p.server.pairs {
            let ids: Vec<String> = pair
                .server_event_ids
                .iter()
                .map(|i| i.clone().unwrap_or_else(|| "(none)".into()))
                .collect();
            let _ = writeln!(
                s,
                "| {} | #{} | {} | {} | {} | {} | {} |",
                pair.event,
                pair.hit_id,
                opt(&pair.browser_event_id),
                cell(&ids.join(", ")),
                if pair.matched { "yes" } else { "**no**" },
                pair.browser_value
                    .map(|v| format!("{v:.2}"))
                    .unwrap_or_else(|| "—".into()),
                pair.server_value
                    .map(|v| format!("{v:.2}"))
                    .unwrap_or_else(|| "—".into())
            );
        }
    } else {
        let _ = writeln!(s, "No server payloads supplied.");
    }
    match_keys::section(&mut s, p);
    match &p.order.figures {
        Some(o) => {
            let _ = writeln!(
                s,
                "\nOrder ({}): #{} total {:.2} {} · subtotal {} · shipping {} · tax {} · discount {} · items {}",
                p.order.source.unwrap_or("?"),
                opt(&o.order_number),
                o.total,
                opt(&o.currency),
                o.subtotal.map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".into()),
                o.shipping.map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".into()),
                o.tax.map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".into()),
                o.discount.map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".into()),
                o.item_count.map(|v| v.to_string()).unwrap_or_else(|| "—".into())
            );
            for r in &p.order.reconciliation {
                let _ = writeln!(s, "- Purchase #{}: {}", r.hit_id, cell(&r.result.detail));
            }
        }
        None => {
            let _ = writeln!(s, "\nNo order figures supplied.");
        }
    }

    let _ = writeln!(s, "\n## Hits\n\n| # | time | event | pixel | eid | transport | sender | value | currency | page |\n|---|---|---|---|---|---|---|---|---|---|");
    for h in &p.hits {
        let val = |k: &str| {
            h.params
                .get(k)
                .and_then(|v| v.as_str())
                .map(cell)
                .unwrap_or_else(|| "—".into())
        };
        let _ = writeln!(
            s,
            "| {}{} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            h.id,
            if h.counted { "" } else { " (copy)" },
            time(Some(h.time)),
            opt(&h.event),
            opt(&h.pixel_id),
            opt(&h.event_id),
            h.transport,
            cell(&h.sender),
            val("cd[value]"),
            val("cd[currency]"),
            h.page_view
        );
    }

    let _ = writeln!(s, "\n## Review\n");
    let r = &p.review;
    let _ = writeln!(s, "- Decision: {}", opt(&r.decision));
    let _ = writeln!(s, "- Reviewer: {}", opt(&r.reviewer));
    let _ = writeln!(s, "- Next review: {}", opt(&r.next_review));
    let _ = writeln!(s, "- Count gaps: {}", opt(&r.gaps_note));
    let _ = writeln!(s, "- Notes: {}", opt(&r.notes));
    if !p.input_errors.is_empty() {
        let _ = writeln!(s, "\n## Input errors\n");
        for e in &p.input_errors {
            let _ = writeln!(s, "- {}", cell(&e.to_string()));
        }
    }
    let _ = writeln!(
        s,
        "\n_User data is {}._",
        if p.redacted {
            "redacted (hash prefixes only)"
        } else {
            "included raw"
        }
    );
    s
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_escape_markdown_and_html() {
        assert_eq!(
            cell("<img src=x onerror=alert(1)>"),
            "&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(cell("a|b\nc"), "a\\|b c");
        assert_eq!(cell("</script>"), "&lt;/script&gt;");
    }
}
