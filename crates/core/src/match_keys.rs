//! Match keys, side by side: per core event, which customer-information
//! parameters the browser hits carry and which the server events carry. Names
//! only, never values, and no score: Meta computes match quality from what it
//! receives, and a number made up here would only look like Meta's. What is
//! given instead is Meta's own published priority of each key
//! ([`tables::MATCH_KEY_PRIORITIES`]) and, per side, the first key worth
//! adding by that priority.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::journey::Journey;
use crate::tables::{self, CORE_EVENTS};

/// Meta's priority for a key (`high`, `medium`, `low`, `every event`), or
/// `None` when Meta publishes none for it.
pub fn priority(key: &str) -> Option<&'static str> {
    tables::MATCH_KEY_PRIORITIES
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, p)| *p)
}

/// A key with Meta's priority for a list: `em (high)`.
pub fn rated(key: &str) -> String {
    match priority(key) {
        Some(p) => format!("{key} ({p})"),
        None => key.to_owned(),
    }
}

/// Which side is sending, for [`worth_adding`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Browser,
    Server,
}

/// The first key worth adding to what a side sends: the highest priority Meta
/// publishes that it does not send, in Meta's order, preferring a key the
/// other side already sends (the store has it). The browser's `fbp` and
/// `fbc` are left out: fbevents sets them itself (fbc only after an ad
/// click). Keys Meta expects on every event (IP address, user agent) are not
/// ranked here: the browser always sends them and `server_missing_web_fields`
/// asks them of the server.
pub fn worth_adding<A: AsRef<str>, B: AsRef<str>>(side: Side, sent: &[A], other: &[B]) -> Option<&'static str> {
    fn has<T: AsRef<str>>(list: &[T], k: &str) -> bool {
        list.iter().any(|s| s.as_ref() == k)
    }
    let level = |p: &str| ["high", "medium", "low"].iter().position(|l| *l == p);
    tables::MATCH_KEY_PRIORITIES
        .iter()
        .enumerate()
        .filter(|(_, (k, _))| !has(sent, k))
        .filter(|(_, (k, _))| side == Side::Server || !matches!(*k, "fbp" | "fbc"))
        .filter_map(|(i, (k, p))| Some((level(p)?, !has(other, k), i, *k)))
        .min()
        .map(|(_, _, _, k)| k)
}

/// One core event's match keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatchKeys {
    pub event: String,
    /// Counted browser hits of the event.
    pub browser_hits: usize,
    /// Parameters the hits carry, by their Conversions API names (`ud[em]` and
    /// `udff[em]` → `em`, plus `fbp` and `fbc`), sorted.
    pub browser: Vec<String>,
    /// Server events of that name; `None` when no server payload was supplied.
    pub server_events: Option<usize>,
    /// `user_data` keys those events carry, sorted; `None` when no server
    /// payload was supplied (unknown, not empty).
    pub server: Option<Vec<String>>,
    /// The first key worth adding on each side, by Meta's priority (see
    /// [`worth_adding`]); `None` when the side sent nothing of the event, or
    /// sends every ranked key.
    pub browser_next: Option<&'static str>,
    pub server_next: Option<&'static str>,
}

impl MatchKeys {
    /// Keys one side sends and the other does not: (browser only, server only).
    /// Empty on the server side while no payload was supplied.
    pub fn one_sided(&self) -> (Vec<&str>, Vec<&str>) {
        let Some(server) = &self.server else {
            return (Vec::new(), Vec::new());
        };
        let browser_only = self
            .browser
            .iter()
            .filter(|k| !server.contains(k))
            .map(String::as_str)
            .collect();
        let server_only = server
            .iter()
            .filter(|k| !self.browser.contains(k))
            .map(String::as_str)
            .collect();
        (browser_only, server_only)
    }
}

/// The match keys of the four core events, in funnel order.
pub fn match_keys(j: &Journey) -> Vec<MatchKeys> {
    CORE_EVENTS
        .iter()
        .map(|ev| {
            let mut browser: BTreeSet<&str> = BTreeSet::new();
            let mut browser_hits = 0;
            for h in j.hits_of(ev) {
                browser_hits += 1;
                browser.extend(h.decoded.user_data().filter(|(_, v)| !v.is_empty()).map(|(k, _)| k));
                for id in ["fbp", "fbc"] {
                    if h.decoded.get(id).is_some_and(|v| !v.is_empty()) {
                        browser.insert(id);
                    }
                }
            }
            let server = j.server.as_ref().map(|server| {
                let same: Vec<_> = server.iter().filter(|s| s.event_name == *ev).collect();
                let keys: BTreeSet<&str> = same.iter().flat_map(|s| s.user_data_keys()).collect();
                (same.len(), keys.into_iter().map(str::to_owned).collect::<Vec<_>>())
            });
            let browser: Vec<String> = browser.into_iter().map(str::to_owned).collect();
            let no_keys: Vec<String> = Vec::new();
            let server_keys = server.as_ref().map_or(&no_keys, |(_, k)| k);
            let browser_next = (browser_hits > 0)
                .then(|| worth_adding(Side::Browser, &browser, server_keys))
                .flatten();
            let server_next = server
                .as_ref()
                .filter(|(n, _)| *n > 0)
                .and_then(|(_, keys)| worth_adding(Side::Server, keys, &browser));
            MatchKeys {
                event: (*ev).to_owned(),
                browser_hits,
                browser,
                server_events: server.as_ref().map(|(n, _)| *n),
                server: server.map(|(_, keys)| keys),
                browser_next,
                server_next,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::*;

    #[test]
    fn both_sides_by_name_without_values() {
        let em = "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d";
        let s = clean_journey()
            .server(&format!(
                r#"{{"data": [{{"event_name": "Purchase", "event_time": 1700000001, "event_id": "order-1001", "action_source": "website",
                    "user_data": {{"em": ["{em}"], "ph": [], "external_id": ["cust-9"], "client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0", "fbp": "fb.1.1700000000000.123456789", "fbc": null}}}}]}}"#
            ))
            .session();
        let rows = match_keys(s.journey());
        let events: Vec<&str> = rows.iter().map(|r| r.event.as_str()).collect();
        assert_eq!(events, CORE_EVENTS);
        let purchase = &rows[3];
        assert_eq!(purchase.browser_hits, 1);
        assert_eq!(purchase.browser, ["em", "fbp"]);
        assert_eq!(purchase.server_events, Some(1));
        assert_eq!(
            purchase.server.as_deref(),
            Some(&["client_ip_address", "client_user_agent", "em", "external_id", "fbp"].map(String::from)[..]),
            "empty and null values are not sent keys"
        );
        assert_eq!(
            purchase.one_sided(),
            (vec![], vec!["client_ip_address", "client_user_agent", "external_id"])
        );
        // Rated by Meta's priorities: the browser sends em and fbp, so its
        // next key is the server's external_id (medium, and the store has
        // it) before ph; the server's is fbc, the other high one.
        assert_eq!(purchase.browser_next, Some("external_id"));
        assert_eq!(purchase.server_next, Some("fbc"));
        assert_eq!(rows[1].browser_next, Some("em"), "AddToCart sends only fbp");
        assert_eq!(rows[1].server_next, None, "the server sent no AddToCart");
        // An event the server never sent: known to be empty.
        assert_eq!(rows[0].server_events, Some(0));
        assert_eq!(rows[0].server.as_deref(), Some(&[][..]));
        let json = serde_json::to_string(&rows).expect("serialises");
        assert!(!json.contains(em) && !json.contains("203.0.113.7"), "keys only: {json}");
    }

    #[test]
    fn without_a_payload_the_server_side_is_unknown() {
        let s = clean_journey().session();
        let rows = match_keys(s.journey());
        assert!(rows.iter().all(|r| r.server.is_none() && r.server_events.is_none()));
        assert_eq!(rows[1].browser, ["fbp"]);
        assert_eq!(rows[1].one_sided(), (vec![], vec![]));
    }

    #[test]
    fn priorities_are_meta_published_levels_and_nothing_else() {
        assert_eq!(rated("em"), "em (high)");
        assert_eq!(rated("zp"), "zp (low)");
        assert_eq!(rated("st"), "st", "Meta publishes no priority for st");
        assert_eq!(rated("client_user_agent"), "client_user_agent (every event)");
        let none: [&str; 0] = [];
        assert_eq!(worth_adding(Side::Server, &none, &none), Some("em"));
        assert_eq!(worth_adding(Side::Server, &["em"], &none), Some("fbc"));
        assert_eq!(
            worth_adding(Side::Browser, &["em"], &none),
            Some("ph"),
            "fbevents sets fbc itself"
        );
        assert_eq!(
            worth_adding(Side::Server, &["em", "fbc"], &["db"]),
            Some("db"),
            "the other side has db"
        );
        let all: Vec<&str> = tables::MATCH_KEY_PRIORITIES.iter().map(|(k, _)| *k).collect();
        assert_eq!(worth_adding(Side::Server, &all, &none), None);
    }
}
