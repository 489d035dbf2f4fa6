//! Match keys, side by side: per core event, which customer-information
//! parameters the browser hits and the pasted server events send, by name
//! (the packet's `match_keys`). Part of the Test Events card's question: can
//! Meta tie the action to a person.

use pixelproof_core::journey::Journey;
use pixelproof_core::match_keys::{match_keys, rated};

use crate::dom::*;

pub fn render(j: &Journey) {
    let Some(body) = by_id("pp-matchkeys-body") else { return };
    clear(&body);
    let rows = match_keys(j);
    let supplied = rows.iter().any(|r| r.server.is_some());
    append(
        &body,
        &el(
            "p",
            "muted",
            if supplied {
                "What each side sends Meta to match the shopper, by name (values are not shown). The browser's IP address and user agent go with every pixel request."
            } else {
                "What the browser sends Meta to match the shopper, by name. Paste the Conversions API payload below to see the server's side."
            },
        ),
    );
    append(
        &body,
        &el(
            "p",
            "muted",
            "Each key carries the priority Meta's Conversions API best practices give it (high, medium, low; IP address and user agent on every event). Meta publishes no score, so none is shown.",
        ),
    );
    let list = |keys: &[&str]| {
        if keys.is_empty() {
            "—".to_owned()
        } else {
            keys.iter().map(|k| rated(k)).collect::<Vec<_>>().join(", ")
        }
    };
    let table = el("table", "matchkeys", "");
    let head = el("tr", "", "");
    for h in [
        "Event",
        "Browser sends",
        "Server sends",
        "Only one side",
        "First key worth adding",
    ] {
        append(&head, &el("th", "", h));
    }
    append(&table, &head);
    for r in &rows {
        let tr = el("tr", "", "");
        attr(&tr, "data-event", &r.event);
        append(&tr, &el("td", "", &r.event));
        let browser: Vec<&str> = r.browser.iter().map(String::as_str).collect();
        let browser_cell = if r.browser_hits == 0 {
            "no hit".to_owned()
        } else {
            list(&browser)
        };
        append(&tr, &el("td", "browser", &browser_cell));
        let (server_cell, one_side) = match (&r.server, r.server_events) {
            (Some(keys), Some(n)) if n > 0 => {
                let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
                let (b, s) = r.one_sided();
                let mut side = Vec::new();
                if !b.is_empty() {
                    side.push(format!("browser only: {}", b.join(", ")));
                }
                if !s.is_empty() {
                    side.push(format!("server only: {}", s.join(", ")));
                }
                (
                    list(&keys),
                    if side.is_empty() {
                        "—".to_owned()
                    } else {
                        side.join("; ")
                    },
                )
            }
            (Some(_), _) => ("no server event".to_owned(), "—".to_owned()),
            _ => ("no payload".to_owned(), "—".to_owned()),
        };
        append(&tr, &el("td", "server", &server_cell));
        append(&tr, &el("td", "one-side", &one_side));
        let mut next = Vec::new();
        if let Some(k) = r.browser_next {
            next.push(format!("browser: {}", rated(k)));
        }
        if let Some(k) = r.server_next {
            next.push(format!("server: {}", rated(k)));
        }
        let next = if next.is_empty() {
            "—".to_owned()
        } else {
            next.join("; ")
        };
        append(&tr, &el("td", "next", &next));
        append(&table, &tr);
    }
    append(&body, &table);
}
