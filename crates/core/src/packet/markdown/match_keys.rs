//! The packet's match-keys section: what each side sends Meta to match the
//! shopper, by parameter name.

use std::fmt::Write;

use super::text as cell;
use crate::match_keys::rated;
use crate::packet::Packet;

/// A list of keys for a cell, or a dash.
fn keys(list: &[impl AsRef<str>]) -> String {
    if list.is_empty() {
        "—".to_owned()
    } else {
        cell(&list.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", "))
    }
}

/// A list of keys each with Meta's priority, or a dash.
fn rated_keys(list: &[impl AsRef<str>]) -> String {
    if list.is_empty() {
        "—".to_owned()
    } else {
        cell(&list.iter().map(|k| rated(k.as_ref())).collect::<Vec<_>>().join(", "))
    }
}

/// Appends `## Match keys` to `s`.
pub(super) fn section(s: &mut String, p: &Packet) {
    let _ = writeln!(
        s,
        "\n### Match keys\n\nCustomer-information parameters each side sends, by name (values are not shown), \
         each with the priority Meta's Conversions API best practices give it \
         (Meta documentation: `https://developers.facebook.com/docs/marketing-api/conversions-api/best-practices`); \
         Meta publishes no score, so none is given. \
         The browser's IP address and user agent reach Meta with every pixel request.\n"
    );
    let supplied = p.match_keys.iter().any(|r| r.server.is_some());
    let _ = writeln!(
        s,
        "| event | browser hits | browser sends | server events | server sends | only the browser | only the server | first key worth adding |\n|---|---|---|---|---|---|---|---|"
    );
    for r in &p.match_keys {
        let (browser_only, server_only) = r.one_sided();
        let (events, server) = match (&r.server_events, &r.server) {
            (Some(n), Some(k)) => (n.to_string(), keys(k)),
            _ => ("—".to_owned(), "no payload".to_owned()),
        };
        let (events, server) = match (&r.server_events, &r.server) {
            (Some(n), Some(k)) => (n.to_string(), rated_keys(k)),
            _ => (events, server),
        };
        let mut next = Vec::new();
        if let Some(k) = r.browser_next {
            next.push(format!("browser: {}", rated(k)));
        }
        if let Some(k) = r.server_next {
            next.push(format!("server: {}", rated(k)));
        }
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(&r.event),
            r.browser_hits,
            if r.browser_hits == 0 {
                "—".to_owned()
            } else {
                rated_keys(&r.browser)
            },
            events,
            server,
            if supplied {
                keys(&browser_only)
            } else {
                "—".to_owned()
            },
            if supplied { keys(&server_only) } else { "—".to_owned() },
            if next.is_empty() {
                "—".to_owned()
            } else {
                cell(&next.join("; "))
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;
    use crate::{Packet, PacketOptions, Review};

    #[test]
    fn the_section_lists_both_sides_by_name() {
        let mut s = clean_journey()
            .server(r#"{"data": [{"event_name": "Purchase", "event_time": 1700000001, "event_id": "order-1001", "action_source": "website", "user_data": {"em": ["f1c9645dbc14efddc7d8a322685f26eb8aa29b7f3eb6e7bd1ef1b8c5a4c7b8a9"], "client_user_agent": "Mozilla/5.0"}}]}"#)
            .session();
        let md = Packet::build(&mut s, &Review::default(), &PacketOptions::default()).to_markdown();
        assert!(md.contains("## Match keys"), "{md}");
        assert!(
            md.contains("| Purchase | 1 | em (high), fbp (medium) | 1 | client\\_user\\_agent (every event), em (high) | fbp | client\\_user\\_agent | browser: ph (medium); server: fbc (high) |"),
            "{md}"
        );
        assert!(
            md.contains("| ViewContent | 1 | fbp (medium) | 0 | — | fbp | — | browser: em (high) |"),
            "{md}"
        );
        assert!(!md.contains("f1c9645d"), "no values");
        let mut bare = clean_journey().session();
        let md = Packet::build(&mut bare, &Review::default(), &PacketOptions::default()).to_markdown();
        assert!(
            md.contains("| AddToCart | 1 | fbp (medium) | — | no payload | — | — | browser: em (high) |"),
            "{md}"
        );
    }
}
