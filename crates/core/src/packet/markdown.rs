//! The packet as Markdown, ready to paste into a ticket or a GitHub issue.
//!
//! Order: the decision record, the Stop/Go gate, the four evidence cards, the
//! findings grouped by code (guidance once, then the instances), then the raw
//! evidence (page views, hits). Everything that came from a page, a payload
//! or the reviewer goes through [`text`] (prose) or [`code`] (identifiers,
//! URLs, values), and so does the fixed guidance text (it holds `<…>` and
//! `[…]` too). Both escape once, with backslashes or inside a code span, never
//! with HTML entities: a ticket that shows Markdown raw then reads `&` and not
//! `&amp;`, and a product name like `<img src=x onerror=alert(1)>` stays text
//! in any CommonMark renderer.

use std::fmt::Write;

use super::cards::{CardHead, CardState};
use super::{FindingGroup, Packet};
use crate::results::CheckState;
use crate::rules::Severity;

mod match_keys;

/// Escapes prose for inline Markdown, table cells included: every character
/// that could start markup gets a backslash (CommonMark lets any ASCII
/// punctuation be escaped so), so `<` can open no HTML tag, `&` no entity,
/// `|` no table column, `$` no math and `#` no heading or issue link. Line
/// breaks become spaces: a cell or a list item is one line. Bidirectional and
/// invisible format characters are written as `[U+XXXX]` here and in code
/// spans (`tables::INVISIBLE_OR_BIDI`).
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut rest = s;
    // URLs become code spans: verbatim, never a link, and no backslash inside
    // (GFM's autolinks take escaped text into the link, backslashes and all).
    while let Some(at) = url_start(rest) {
        escape_into(&mut out, &rest[..at]);
        let url = &rest[at..];
        let len = url
            .find(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '`')
            .unwrap_or(url.len());
        // Closing punctuation belongs to the sentence, not the URL.
        let len = url[..len]
            .trim_end_matches(['.', ',', ';', ':', ')', ']', '!', '?'])
            .len();
        out.push_str(&fence(&url[..len].replace('|', "%7C")));
        rest = &url[len..];
    }
    escape_into(&mut out, rest);
    out
}

fn url_start(s: &str) -> Option<usize> {
    let at = [s.find("https://"), s.find("http://")].into_iter().flatten().min()?;
    // Only at a word's start: `xhttps://` is not a URL a renderer links.
    let starts_word = s[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
    if starts_word {
        Some(at)
    } else {
        let skip = at + 4;
        url_start(&s[skip..]).map(|n| n + skip)
    }
}

fn escape_into(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '$' | '#' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c if crate::tables::is_invisible_or_bidi(c) => {
                let _ = write!(out, "\\[U+{:04X}\\]", u32::from(c));
            }
            c => out.push(c),
        }
    }
}

/// A value as an inline code span (URLs, ids, labels): shown verbatim, never
/// markup, never a link. The fence is one backtick longer than any run inside;
/// `|` keeps its backslash because GitHub splits table cells before it reads
/// code spans (so this is for table cells; [`code_inline`] is for prose).
pub fn code(s: &str) -> String {
    fence(&s.replace('|', "\\|"))
}

/// [`code`] outside a table, where `\|` would show its backslash.
pub fn code_inline(s: &str) -> String {
    fence(s)
}

fn fence(s: &str) -> String {
    let mut shown = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => shown.push(' '),
            c if c.is_control() => {}
            c if crate::tables::is_invisible_or_bidi(c) => {
                let _ = write!(shown, "[U+{:04X}]", u32::from(c));
            }
            c => shown.push(c),
        }
    }
    let s = shown;
    if s.trim().is_empty() {
        return "—".into();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let ticks = "`".repeat(longest + 1);
    // A span that starts or ends with a backtick needs a space between it and
    // the fence (CommonMark strips one space on each side).
    if s.starts_with('`') || s.ends_with('`') {
        format!("{ticks} {s} {ticks}")
    } else {
        format!("{ticks}{s}{ticks}")
    }
}

/// URLs in `s` without their query and fragment (`?…` marks the cut): a
/// sandbox frame's URL carries the whole event in its query, which buries the
/// sender in a table cell. The hits in the JSON keep the evidence whole.
fn without_queries(s: &str) -> String {
    s.split(' ')
        .map(|word| match word.find(['?', '#']) {
            Some(at) if word.starts_with("http://") || word.starts_with("https://") => format!("{}?…", &word[..at]),
            _ => word.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn opt_code(s: &Option<String>) -> String {
    s.as_deref().map(code).unwrap_or_else(|| "—".into())
}

fn opt_text(s: &Option<String>) -> String {
    s.as_deref().map(text).unwrap_or_else(|| "—".into())
}

fn list_code(items: &[String]) -> String {
    if items.is_empty() {
        "—".into()
    } else {
        items.iter().map(|i| code(i)).collect::<Vec<_>>().join(", ")
    }
}

fn hits(ids: &[u32]) -> String {
    if ids.is_empty() {
        "—".into()
    } else {
        ids.iter().map(|i| format!("`#{i}`")).collect::<Vec<_>>().join(" ")
    }
}

fn amount(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".into())
}

fn datetime(ms: Option<f64>) -> String {
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

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Fail => "**fail**",
        Severity::Warn => "warn",
        Severity::Info => "info",
    }
}

fn card_state(s: CardState) -> &'static str {
    match s {
        CardState::Pass => "PASS",
        CardState::Fail => "FAIL",
        CardState::Unverified => "UNVERIFIED",
    }
}

const PAGE_REPORTED: &str = "*(page-reported)*";

/// The packet as Markdown, its hit rows from `hits` (the packet's own, or
/// made one at a time from the session).
pub fn render<'a>(p: &Packet, hits: &mut dyn Iterator<Item = std::borrow::Cow<'a, super::HitOut>>) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail, and every piece written is a `str`.
    let _ = write(p, hits, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// [`render`], written to `w` as it is made: the hit rows (one per hit, most
/// of a large capture's packet) one at a time, never the whole text at once.
pub fn write<'a>(
    p: &Packet,
    hits: &mut dyn Iterator<Item = std::borrow::Cow<'a, super::HitOut>>,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut s = String::new();
    header(&mut s, p);
    decision(&mut s, p);
    gate(&mut s, p);
    cards(&mut s, p);
    findings(&mut s, &p.findings);
    evidence_head(&mut s, p);
    w.write_all(s.as_bytes())?;
    for h in hits {
        s.clear();
        hit_row(&mut s, &h);
        w.write_all(s.as_bytes())?;
    }
    s.clear();
    evidence_tail(&mut s, p);
    w.write_all(s.as_bytes())
}

fn header(s: &mut String, p: &Packet) {
    let _ = writeln!(
        s,
        "# PixelProof review packet — {}\n",
        p.verdict.as_str().to_ascii_uppercase()
    );
    let pixels: Vec<String> = p
        .pixels
        .iter()
        .map(|px| {
            // A hit without `v` names no library version.
            let version = match px.versions.join(", ") {
                v if v.is_empty() => String::new(),
                v => format!("v {}; ", text(&v)),
            };
            format!(
                "pixel {} ({version}{} hit{})",
                code_inline(&px.id),
                px.hits,
                if px.hits == 1 { "" } else { "s" }
            )
        })
        .collect();
    let _ = writeln!(
        s,
        "Store {}{} · captured {} → {} (times UTC) · {} hits in {} records · {}\n",
        p.store.origin.as_deref().map(code_inline).unwrap_or_else(|| "—".into()),
        p.store
            .shop
            .as_deref()
            .map(|shop| format!(" (shop {})", code_inline(shop)))
            .unwrap_or_default(),
        datetime(p.capture.started),
        datetime(p.capture.ended),
        p.capture.hits,
        p.capture.records,
        if pixels.is_empty() {
            "no pixel seen".to_owned()
        } else {
            pixels.join("; ")
        }
    );
    if p.capture.dropped_records > 0 {
        let _ = writeln!(s, "> **Not kept:** {}\n", text(&p.capture.dropped.join("; ")));
    }
}

/// Why the verdict is what it is, in a few words: "3 of 5 gate checks stop,
/// 8 fail codes" (the text renderer says it too).
pub(super) fn verdict_reason(p: &Packet) -> String {
    let stops = p.gate.checks.iter().filter(|c| c.state == CheckState::Stop).count();
    let waiting = p
        .gate
        .checks
        .iter()
        .filter(|c| c.state == CheckState::Unverified)
        .count();
    let fails = p.gate.blocking.len();
    if stops == 0 && waiting == 0 && fails == 0 {
        format!("all {} gate checks go, no fail finding", p.gate.checks.len())
    } else {
        let mut parts = Vec::new();
        if stops > 0 {
            parts.push(format!("{stops} of {} gate checks stop", p.gate.checks.len()));
        }
        if waiting > 0 {
            parts.push(format!("{waiting} unverified"));
        }
        parts.push(match fails {
            0 => "no fail finding".to_owned(),
            1 => "1 fail code".to_owned(),
            n => format!("{n} fail codes"),
        });
        parts.join(", ")
    }
}

fn decision(s: &mut String, p: &Packet) {
    let d = &p.decision;
    let _ = writeln!(s, "## Decision record\n");
    let why = verdict_reason(p);
    let _ = writeln!(
        s,
        "- **Verdict (PixelProof):** {} — {why}",
        p.verdict.as_str().to_ascii_uppercase()
    );
    let _ = writeln!(
        s,
        "- **Decision (reviewer):** {}",
        d.decision.as_deref().map(text).unwrap_or_else(|| "not recorded".into())
    );
    let _ = writeln!(s, "- **Reviewer:** {}", opt_text(&d.reviewer));
    let _ = writeln!(
        s,
        "- **Next review:** {}",
        d.next_review.as_deref().map(text).unwrap_or_else(|| "not set".into())
    );
    let owners: Vec<String> = d
        .owners
        .iter()
        .map(|o| {
            format!(
                "{} → {}",
                o.event,
                o.owner.as_deref().map(code_inline).unwrap_or_else(|| "no owner".into())
            )
        })
        .collect();
    let _ = writeln!(s, "- **Owner per core event:** {}", owners.join(" · "));
    if let Some(n) = &d.notes {
        let _ = writeln!(s, "- **Notes:** {}", text(n));
    }
    let _ = writeln!(s, "- **Evidence:**");
    for e in &d.evidence {
        let _ = writeln!(
            s,
            "  - {}{}: {}",
            e.source,
            if e.page_reported {
                format!(" {PAGE_REPORTED}")
            } else {
                String::new()
            },
            text(&e.detail)
        );
    }
    s.push('\n');
}

fn gate(s: &mut String, p: &Packet) {
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
            "| {} | {}{} | {} | {} |",
            c.name,
            state,
            if c.page_reported {
                format!(" {PAGE_REPORTED}")
            } else {
                String::new()
            },
            text(&c.detail),
            opt_text(&c.needs)
        );
    }
    if !p.gate.blocking.is_empty() {
        let _ = writeln!(
            s,
            "\nFail findings blocking Go: {}",
            p.gate
                .blocking
                .iter()
                .map(|c| code_inline(c))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    s.push('\n');
}

fn cards(s: &mut String, p: &Packet) {
    let c = &p.cards;
    let heads = [
        &c.test_events.head,
        &c.shopify_order.head,
        &c.trigger_sources.head,
        &c.reconciliation.head,
    ];
    let _ = writeln!(s, "## Evidence cards\n\n| card | state | gate checks |\n|---|---|---|");
    for (i, h) in heads.iter().enumerate() {
        let _ = writeln!(
            s,
            "| {}. {} | {} | {} |",
            i + 1,
            h.title,
            card_state_cell(h.state),
            h.checks.join(", ")
        );
    }
    s.push('\n');
    test_events_card(s, p);
    shopify_order_card(s, p);
    trigger_sources_card(s, p);
    reconciliation_card(s, p);
}

fn card_state_cell(state: CardState) -> String {
    match state {
        CardState::Fail => format!("**{}**", card_state(state)),
        _ => card_state(state).to_owned(),
    }
}

fn card_head(s: &mut String, n: usize, h: &CardHead, p: &Packet, key: &str) {
    let _ = writeln!(s, "### {n}. {} — {}\n", h.title, card_state(h.state));
    let _ = writeln!(s, "- **Pass standard:** {}", text(h.pass_standard));
    let _ = writeln!(s, "- **State:** {} — {}", card_state_cell(h.state), text(&h.summary));
    if let Some(n) = &h.needs {
        let _ = writeln!(s, "- **Still needs:** {}", text(n));
    }
    if !h.codes.is_empty() {
        let codes: Vec<String> = h
            .codes
            .iter()
            .map(|c| {
                // "1 fail, 2 warn": one code can fail for Purchase and warn for
                // AddToCart; a code found once says only its severity.
                let counts: Vec<String> = c
                    .by_severity()
                    .map(|(sev, n)| {
                        if n == 1 && c.count == 1 {
                            sev.as_str().to_owned()
                        } else {
                            format!("{n} {}", sev.as_str())
                        }
                    })
                    .collect();
                format!("{} ({})", code_inline(c.code), counts.join(", "))
            })
            .collect();
        let _ = writeln!(s, "- **Findings:** {}", codes.join(", "));
    }
    if h.page_reported {
        let what = h
            .page_reported_parts(key, &p.gate.checks, &p.findings)
            .in_words(code_inline);
        let _ = writeln!(
            s,
            "- **Page-reported:** {}what the page itself reported: it adds doubt and never makes this card pass.",
            if what.is_empty() {
                String::new()
            } else {
                format!("{} rest{} on ", what.join(", "), if what.len() == 1 { "s" } else { "" })
            }
        );
    }
    s.push('\n');
}

fn test_events_card(s: &mut String, p: &Packet) {
    let c = &p.cards;
    let card = &c.test_events;
    card_head(s, 1, &card.head, p, "test_events");
    let _ = writeln!(
        s,
        "Event order and source:\n\n| event | status | first hit | browser senders | server twin | Meta counts |\n|---|---|---|---|---|---|"
    );
    for r in &card.events {
        // The page view without its time: the hit's own time is beside it.
        let page = r
            .page
            .as_deref()
            .map(|label| label.rsplit_once(' ').map_or(label, |(place, _)| place));
        let _ = writeln!(
            s,
            "| {}{} | {} | {} | {} | {} | {} |",
            code(&r.event),
            if r.core { "" } else { " (other)" },
            match r.status.as_str() {
                "fail" => "**FAIL**".to_owned(),
                other => other.to_ascii_uppercase().replace('_', " "),
            },
            match (r.hit_ids.first(), r.time, page) {
                (Some(id), Some(t), Some(page)) => format!("`#{id}` {} in {}", super::clock(t), code(page)),
                _ => "—".to_owned(),
            },
            list_code(&r.senders),
            r.dedup
                .as_ref()
                .map(|d| format!("{}: {}", d.state.replace('_', " "), text(&d.detail)))
                .unwrap_or_else(|| "—".into()),
            if r.hit_ids.is_empty() && r.meta_count == 0 {
                "—".to_owned()
            } else {
                r.meta_count.to_string()
            }
        );
    }
    let _ = writeln!(
        s,
        "\nParameters (first hit of each event, as sent):\n\n| event | hits | event_id | value | currency | content_ids | num_items | codes |\n|---|---|---|---|---|---|---|---|"
    );
    for r in &card.events {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            code(&r.event),
            hits(&r.hit_ids),
            list_code(&r.event_ids),
            opt_code(&r.value),
            opt_code(&r.currency),
            list_code(&r.content_ids),
            opt_code(&r.num_items),
            if r.codes.is_empty() {
                "—".to_owned()
            } else {
                r.codes.iter().map(|c| code(c)).collect::<Vec<_>>().join(" ")
            }
        );
    }
    if let Some(m) = &card.meta_response {
        let _ = writeln!(
            s,
            "\nMeta's response: {} ({} of {} request(s) answered{}).",
            text(&m.summary),
            m.answered,
            m.requests,
            if m.fbtrace_ids.is_empty() {
                String::new()
            } else {
                format!("; fbtrace_id {}", list_code(&m.fbtrace_ids))
            }
        );
    }
    // The match keys (Conversions API identity) belong inside this card: they
    // answer whether Meta can tie the action to a person.
    match_keys::section(s, p);
    s.push('\n');
}

fn shopify_order_card(s: &mut String, p: &Packet) {
    let c = &p.cards;
    let card = &c.shopify_order;
    card_head(s, 2, &card.head, p, "shopify_order");
    match &card.order {
        Some(o) => {
            let _ = writeln!(
                s,
                "| order | payment status | total | currency | subtotal | discounts | tax | shipping | items | from |\n|---|---|---|---|---|---|---|---|---|---|"
            );
            let from = match (card.source, &card.input) {
                (Some("page"), _) => format!("the order status page {PAGE_REPORTED}"),
                (_, Some(label)) => code(label),
                _ => "—".into(),
            };
            let _ = writeln!(
                s,
                "| {} | {} | {:.2} | {} | {} | {} | {} | {} | {} | {} |",
                o.order_number
                    .as_deref()
                    .map(|n| code(&format!("#{}", n.trim_start_matches('#'))))
                    .unwrap_or_else(|| "—".into()),
                opt_text(&o.payment_status),
                o.total,
                opt_code(&o.currency),
                amount(o.subtotal),
                amount(o.discount),
                amount(o.tax),
                amount(o.shipping),
                o.item_count.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
                from
            );
            s.push('\n');
        }
        None => {
            let _ = writeln!(s, "No order supplied.\n");
        }
    }
    if card.purchases.is_empty() {
        let _ = writeln!(s, "No Purchase was sent, by the browser or the server.\n");
        return;
    }
    let _ = writeln!(
        s,
        "| Purchase | value | currency | against the order |\n|---|---|---|---|"
    );
    for v in &card.purchases {
        let who = match (v.hit_id, &v.place) {
            (Some(id), _) => format!("browser `#{id}`"),
            (None, Some(place)) => format!("server {}", code(place)),
            (None, None) => v.channel.to_owned(),
        };
        let mark = match v.matches {
            Some(true) => "✓ ",
            Some(false) => "✗ ",
            None => "",
        };
        // A Purchase of an order with several: how its share was recognised.
        let how = v
            .recognised
            .as_deref()
            .map(|r| format!(" ({})", text(r)))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "| {} | {} | {} | {}{}{how} |",
            who,
            opt_code(&v.value),
            opt_code(&v.currency),
            mark,
            text(&v.detail)
        );
    }
    s.push('\n');
}

fn trigger_sources_card(s: &mut String, p: &Packet) {
    let c = &p.cards;
    let card = &c.trigger_sources;
    card_head(s, 3, &card.head, p, "trigger_sources");
    let _ = writeln!(
        s,
        "Owner per core event:\n\n| core event | browser senders | server events | owner (recorded) |\n|---|---|---|---|"
    );
    for o in &card.owners {
        let senders = match o.state {
            "several_senders" => format!("**{}**", list_code(&o.senders)),
            _ => list_code(&o.senders),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            o.event,
            senders,
            o.server_events
                .map(|n| n.to_string())
                .unwrap_or_else(|| "no payload".into()),
            opt_code(&o.owner)
        );
    }
    let _ = writeln!(
        s,
        "\nSources looked for:\n\n| source | seen | senders | events | evidence |\n|---|---|---|---|---|"
    );
    for r in &card.sources {
        let events: Vec<String> = r.events.iter().map(|(k, v)| format!("{}×{v}", text(k))).collect();
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            r.label,
            if r.seen { "yes" } else { "no" },
            list_code(&r.senders),
            if events.is_empty() {
                "—".to_owned()
            } else {
                events.join(", ")
            },
            if r.evidence.is_empty() {
                "—".to_owned()
            } else {
                r.evidence
                    .iter()
                    .map(|e| text(&without_queries(e)))
                    .collect::<Vec<_>>()
                    .join("; ")
            }
        );
    }
    if !card.scripts.is_empty() {
        let _ = writeln!(
            s,
            "\nTracking scripts, per script and page view (network: loads the browser saw; page: script elements the page reported {PAGE_REPORTED}):\n\n| page view | script | kind | seen by |\n|---|---|---|---|"
        );
        for sc in &card.scripts {
            let mut seen = Vec::new();
            if sc.network_loads > 0 {
                seen.push(format!("network ×{}", sc.network_loads));
            }
            if sc.page_elements > 0 {
                seen.push(format!("page ×{}", sc.page_elements));
            }
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                code(&sc.page),
                code(&sc.url),
                sc.kind,
                seen.join(" · ")
            );
        }
    }
    s.push('\n');
}

fn reconciliation_card(s: &mut String, p: &Packet) {
    let c = &p.cards;
    let card = &c.reconciliation;
    card_head(s, 4, &card.head, p, "reconciliation");
    let _ = writeln!(
        s,
        "| where | Purchases for this test | value | how it is known |\n|---|---|---|---|"
    );
    for r in &card.counts {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            r.label,
            r.purchases.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
            opt_code(&r.value),
            text(&r.detail)
        );
    }
    let _ = writeln!(
        s,
        "\nThe reviewer's note on same-day gaps: {}\n",
        card.gaps_note
            .as_deref()
            .map(text)
            .unwrap_or_else(|| "none yet.".into())
    );
}

fn findings(s: &mut String, groups: &[FindingGroup]) {
    let instances: usize = groups.iter().map(|g| g.instances.len()).sum();
    let _ = writeln!(s, "## Findings\n");
    if groups.is_empty() {
        let _ = writeln!(s, "No findings.\n");
        return;
    }
    let _ = writeln!(
        s,
        "{} code{}, {} instance{}. Each code's guidance is given once, then where it was seen.\n",
        groups.len(),
        if groups.len() == 1 { "" } else { "s" },
        instances,
        if instances == 1 { "" } else { "s" }
    );
    for g in groups {
        let n = g.instances.len();
        let _ = writeln!(
            s,
            "### {} {} — {} instance{}{}\n",
            g.severity.as_str().to_ascii_uppercase(),
            code_inline(g.code),
            n,
            if n == 1 { "" } else { "s" },
            if g.page_reported {
                format!(" {PAGE_REPORTED}")
            } else {
                String::new()
            }
        );
        let _ = writeln!(s, "- **Why it matters:** {}", text(g.explanation));
        let _ = writeln!(s, "- **Probably broke:** {}", text(g.guidance.probably_broke));
        let _ = writeln!(s, "- **First check:** {}", text(g.guidance.first_check));
        let _ = writeln!(s, "- **Not yet:** {}\n", text(g.guidance.not_yet));
        let _ = writeln!(
            s,
            "| severity | event | page view | hits | what was seen |\n|---|---|---|---|---|"
        );
        for i in &g.instances {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {}{} |",
                severity(i.severity),
                opt_code(&i.event),
                opt_code(&i.page),
                hits(&i.hit_ids),
                if i.page_reported {
                    format!("{PAGE_REPORTED} ")
                } else {
                    String::new()
                },
                text(&i.message)
            );
        }
        s.push('\n');
    }
}

fn evidence_head(s: &mut String, p: &Packet) {
    let _ = writeln!(s, "## Page views\n\n| page view | kind | URL |\n|---|---|---|");
    for pv in &p.pages {
        let kind = serde_json::to_value(pv.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "| {} | {}{} | {} |",
            code(&pv.label),
            kind.replace('_', " "),
            if pv.inferred { " (inferred)" } else { "" },
            code(&pv.url)
        );
    }
    let _ = writeln!(
        s,
        "\n## Hits\n\nDecoded parameters and raw payloads are in the JSON packet.\n\n| # | time | event | pixel | eid | transport | sender | value | currency | page view |\n|---|---|---|---|---|---|---|---|---|---|"
    );
}

fn hit_row(s: &mut String, h: &super::HitOut) {
    let val = |k: &str| {
        h.params
            .get(k)
            .and_then(|v| v.as_str())
            .map(code)
            .unwrap_or_else(|| "—".into())
    };
    let _ = writeln!(
        s,
        "| {}{} | {} | {} | {} | {} | {} | {}{} | {} | {} | `#{}` |",
        h.id,
        if h.counted { "" } else { " (copy)" },
        super::clock(h.time),
        opt_code(&h.event),
        opt_code(&h.pixel_id),
        opt_code(&h.event_id),
        h.transport,
        code(&h.sender),
        if h.evidence == crate::journal::Origin::Page {
            format!(" {PAGE_REPORTED}")
        } else {
            String::new()
        },
        val("cd[value]"),
        val("cd[currency]"),
        h.page_view
    );
}

fn evidence_tail(s: &mut String, p: &Packet) {
    if !p.server.events.is_empty() {
        let _ = writeln!(
            s,
            "\n## Server events\n\n| payload | place | event | event_id | action_source | value | currency | order_id |\n|---|---|---|---|---|---|---|---|"
        );
        for e in &p.server.events {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                code(&e.source),
                code(&e.place),
                code(&e.event_name),
                opt_code(&e.event_id),
                opt_code(&e.action_source),
                amount(e.value),
                opt_code(&e.currency),
                opt_code(&e.order_id)
            );
        }
    }
    if !p.input_errors.is_empty() {
        let _ = writeln!(s, "\n## Input errors\n");
        for e in &p.input_errors {
            let _ = writeln!(s, "- {}", text(&e.to_string()));
        }
    }
    let _ = writeln!(
        s,
        "\n_User data is {}. Page views are numbered from 1; {} marks what the page itself reported (its scripts could forge it: it adds doubt, it never makes a check go)._",
        if p.redacted {
            "redacted (hash prefixes only)"
        } else {
            "included raw"
        },
        PAGE_REPORTED
    );
}

#[cfg(test)]
mod tests {
    use super::{code, code_inline, text};

    #[test]
    fn text_escapes_with_backslashes_never_entities() {
        assert_eq!(text("<img src=x onerror=alert(1)>"), "\\<img src=x onerror=alert(1)\\>");
        assert_eq!(text("a|b\nc"), "a\\|b c");
        assert_eq!(
            text("Tom & Jerry's *best* [tee] #1 $5"),
            "Tom \\& Jerry's \\*best\\* \\[tee\\] \\#1 \\$5"
        );
        assert!(!text("<>&\"'").contains("&lt;") && !text("&amp;").contains("&amp;amp;"));
        assert_eq!(text("a\\b"), "a\\\\b");
    }

    /// GFM autolinks took the escapes into the link (`.../en\_US/...`): URLs
    /// in prose are code spans instead, verbatim.
    #[test]
    fn urls_in_prose_become_code_spans() {
        assert_eq!(
            text("fbevents.js requested 2 times for https://shop.test/en_US/a?x=1|2&y=<b>."),
            "fbevents.js requested 2 times for `https://shop.test/en_US/a?x=1%7C2&y=<b>`."
        );
        assert_eq!(
            text("(https://a.test/x), http://b.test"),
            "(`https://a.test/x`), `http://b.test`"
        );
        assert_eq!(text("xhttps://a_b"), "xhttps://a\\_b");
        // A backtick ends the URL and is escaped like any other.
        assert_eq!(text("\"https://a.test/`x`\""), "\"`https://a.test/`\\`x\\`\"");
    }

    #[test]
    fn code_spans_hold_anything_verbatim() {
        assert_eq!(code("https://shop.test/a?b=1&c=2"), "`https://shop.test/a?b=1&c=2`");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code_inline("a|b"), "`a|b`");
        assert_eq!(code("x`y"), "``x`y``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code(""), "—");
        assert_eq!(code("a\nb"), "`a b`");
    }
}
