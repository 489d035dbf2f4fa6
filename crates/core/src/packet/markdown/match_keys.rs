//! The packet's match-keys section: what each side sends Meta to match the
//! shopper, by parameter name.

use std::fmt::Write;

use super::text as cell;
use crate::packet::Packet;

/// A list of keys for a cell, or a dash.
fn keys(list: &[impl AsRef<str>]) -> String {
    if list.is_empty() {
        "—".to_owned()
    } else {
        cell(&list.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", "))
    }
}

/// Appends `## Match keys` to `s`.
pub(super) fn section(s: &mut String, p: &Packet) {
    let _ = writeln!(
        s,
        "\n### Match keys\n\nCustomer-information parameters each side sends, by name (values are not shown). \
         The browser's IP address and user agent reach Meta with every pixel request.\n"
    );
    let supplied = p.match_keys.iter().any(|r| r.server.is_some());
    let _ = writeln!(
        s,
        "| event | browser hits | browser sends | server events | server sends | only the browser | only the server |\n|---|---|---|---|---|---|---|"
    );
    for r in &p.match_keys {
        let (browser_only, server_only) = r.one_sided();
        let (events, server) = match (&r.server_events, &r.server) {
            (Some(n), Some(k)) => (n.to_string(), keys(k)),
            _ => ("—".to_owned(), "no payload".to_owned()),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} |",
            cell(&r.event),
            r.browser_hits,
            keys(&r.browser),
            events,
            server,
            if supplied {
                keys(&browser_only)
            } else {
                "—".to_owned()
            },
            if supplied { keys(&server_only) } else { "—".to_owned() },
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
            md.contains("| Purchase | 1 | em, fbp | 1 | client\\_user\\_agent, em | fbp | client\\_user\\_agent |"),
            "{md}"
        );
        assert!(md.contains("| ViewContent | 1 | fbp | 0 | — | fbp | — |"), "{md}");
        assert!(!md.contains("f1c9645d"), "no values");
        let mut bare = clean_journey().session();
        let md = Packet::build(&mut bare, &Review::default(), &PacketOptions::default()).to_markdown();
        assert!(md.contains("| AddToCart | 1 | fbp | — | no payload | — | — |"), "{md}");
    }
}
