//! The extension's contract with the core: what its JavaScript needs before the
//! wasm is loaded or without asking it each time. Record kinds by who may send
//! them, message types, limits and storage key shapes are declared here once;
//! the build writes them into `wasm/contract.js` with TypeScript declarations
//! (tools/contract.mjs, through the worker module's `contract()`), and `tsc`
//! checks the extension's JS against them. Nothing in the extension repeats
//! these values.
//!
//! Which records may carry customer data is the core's decision alone
//! ([`crate::privacy::REDACTED_KINDS`], which the contract carries): the worker
//! hands every record of those kinds to the core's redaction, which decides
//! the rest (which fields, whether anything is plain), and every other record
//! whose JSON text matches [`crate::privacy::EMAIL_HINT`] (an e-mail address
//! in a page URL).

use serde::Serialize;

/// Record kinds the page hook may report (page-reported: the page can forge
/// them). The relay checks them, and the worker again.
pub const PAGE_KINDS: &[&str] = &["fbq_call", "scripts", "fb_log", "shopify", "consent"];

/// Record kinds the relay observes itself, in the extension's isolated world.
/// A `listed_request` is read from the page's Resource Timing and stored as
/// page-reported.
pub const RELAY_KINDS: &[&str] = &["gesture", "gesture_watch", "request_count", "listed_request"];

/// Record kinds the user supplies in the panel (pastes, files).
pub const USER_KINDS: &[&str] = &["server_payload", "server_response", "order"];

/// A runtime message the worker answers, and who may send it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Message {
    /// The message's `type`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `relay` (a content script, for its own tab), `panel` (the extension's
    /// own pages), `worker` (the worker to an open panel), `test` (test builds
    /// only: the tests and the demo).
    pub from: &'static str,
}

const fn msg(kind: &'static str, from: &'static str) -> Message {
    Message { kind, from }
}

/// Every runtime message type of the extension.
pub const MESSAGES: &[Message] = &[
    msg("page-records", "relay"),
    msg("get-journal", "panel"),
    msg("get-journal-total", "panel"),
    msg("set-review", "panel"),
    msg("add-evidence", "panel"),
    msg("clear", "panel"),
    msg("watch-changed", "panel"),
    msg("status", "panel"),
    msg("recent-journeys", "panel"),
    msg("delete-journey", "panel"),
    msg("records", "worker"),
    msg("journal-reset", "worker"),
    // To a document's relay: the keys of what the worker captured from it,
    // when it wants the URLs of GET hits it never got.
    msg("listed-wanted", "worker"),
    msg("get-packet", "test"),
    msg("get-summary", "test"),
    // Everything the extension keeps in storage.local, as JSON text: what
    // the privacy tests search for customer data at rest.
    msg("get-stored", "test"),
    msg("tabs", "test"),
    msg("open-panel", "test"),
    msg("test-bridge", "test"),
];

/// The extension's limits, each with why it is what it is.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// Journal bytes (each record's JSON) of one tab, page records aside. A
    /// 10,000-hit journey with its page records fits; past it the oldest chunks go.
    pub journal_budget: u64,
    /// Page-reported bytes of one tab: a flood from the page can neither push
    /// out network hits nor fill the disk.
    pub page_budget: u64,
    /// One network record: a pixel request's URL and body (browsers limit
    /// beacons to 64 KB).
    pub journal_record_max: u64,
    /// One page-reported record (the hook keeps its records under 12 KB).
    pub page_record_max: u64,
    /// One piece of evidence the user pastes, redacted: stored whole up to
    /// this, refused with a message naming it past it.
    pub paste_max: u64,
    /// Records per journal chunk: every append rewrites the newest chunk.
    pub chunk_records: u64,
    /// A record of this many characters or more gets a chunk of its own.
    pub chunk_bytes: u64,
    /// Records taken from one relay message.
    pub records_per_message: u64,
    /// A page record's own time is used within this window of its arrival
    /// (the hook and relay hold records a while), else the arrival time: a
    /// page cannot place its evidence at a moment of its choosing.
    pub page_lag_ms: u64,
    pub page_lead_ms: u64,
    /// How long after a top-level navigation the leaving document's last
    /// records still belong to the page it was part of.
    pub leaving_grace_ms: u64,
    /// The badge is judged again at most this often while records keep coming.
    pub badge_interval_ms: u64,
    /// Stored inbox entries are removed in batches this long after their
    /// records are stored.
    pub inbox_done_delay_ms: u64,
    /// Journeys of earlier browser sessions kept for the panel's "recent
    /// journeys": at most this many, this old and this many bytes in all.
    pub recent_journeys: u64,
    pub recent_max_age_ms: u64,
    pub recent_budget: u64,
}

const KB: u64 = 1024;
const MB: u64 = 1024 * KB;

// A paste fits a journey's budget twice over, a chunk of its own is smaller
// than a network record's cap, and the kept journeys hold at least one whole
// journey: checked when the core compiles.
const _: () = {
    assert!(LIMITS.paste_max < LIMITS.journal_budget / 2);
    assert!(LIMITS.chunk_bytes < LIMITS.journal_record_max);
    assert!(LIMITS.recent_budget >= LIMITS.journal_budget);
};

pub const LIMITS: Limits = Limits {
    journal_budget: 12 * MB,
    page_budget: MB,
    journal_record_max: 128 * KB,
    page_record_max: 16 * KB,
    paste_max: 4 * MB,
    chunk_records: 100,
    chunk_bytes: 64 * KB,
    records_per_message: 200,
    page_lag_ms: 3000,
    page_lead_ms: 100,
    leaving_grace_ms: 5000,
    badge_interval_ms: 250,
    inbox_done_delay_ms: 50,
    recent_journeys: 5,
    recent_max_age_ms: 7 * 24 * 3600 * 1000,
    recent_budget: 24 * MB,
};

/// Storage key prefixes (extension/storage.js builds every key from these).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct KeyPrefixes {
    /// `meta:<journal>`: a journal's meta (a journal is `<epoch>-<tab>`: the
    /// browser session's start in base 36, and the tab) (chunks, counts, bytes, what was dropped).
    pub meta: &'static str,
    /// `chunk:<journal>:<n>`: a journal's chunk, the JSON text of its records.
    pub chunk: &'static str,
    /// `review:<journal>`: the review fields of a journey.
    pub review: &'static str,
    /// `top:<tab>`: the tab's top-level page while it shows a watched store.
    pub top: &'static str,
    /// `in:<worker>:<n>`: the inbox (storage.session), an event until it is stored.
    #[serde(rename = "in")]
    pub inbox: &'static str,
    /// `recent`: the journeys kept from earlier browser sessions (one key).
    pub recent: &'static str,
}

pub const KEY_PREFIXES: KeyPrefixes = KeyPrefixes {
    meta: "meta:",
    chunk: "chunk:",
    review: "review:",
    top: "top:",
    inbox: "in:",
    recent: "recent",
};

/// The whole contract, as tools/contract.mjs writes it out.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Contract {
    pub page_kinds: &'static [&'static str],
    pub relay_kinds: &'static [&'static str],
    pub user_kinds: &'static [&'static str],
    pub redacted_kinds: &'static [&'static str],
    /// A regular expression a record's JSON text matches when it may hold
    /// an e-mail address.
    pub email_hint: &'static str,
    pub messages: &'static [Message],
    pub limits: Limits,
    pub key_prefixes: KeyPrefixes,
}

pub const CONTRACT: Contract = Contract {
    page_kinds: PAGE_KINDS,
    relay_kinds: RELAY_KINDS,
    user_kinds: USER_KINDS,
    redacted_kinds: crate::privacy::REDACTED_KINDS,
    email_hint: crate::privacy::EMAIL_HINT,
    messages: MESSAGES,
    limits: LIMITS,
    key_prefixes: KEY_PREFIXES,
};

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind the extension lets through is one the journal reads.
    #[test]
    fn every_listed_kind_is_a_journal_kind() {
        for kind in PAGE_KINDS.iter().chain(RELAY_KINDS).chain(USER_KINDS) {
            let parsed = serde_json::from_str::<crate::journal::Record>(&format!(r#"{{"kind":"{kind}"}}"#));
            if let Err(e) = parsed {
                assert!(!e.to_string().contains("unknown record kind"), "{kind}: {e}");
            }
        }
    }

    #[test]
    fn who_sends_what_is_one_of_four_and_no_type_twice() {
        let mut seen = std::collections::BTreeSet::new();
        for m in MESSAGES {
            assert!(["relay", "panel", "worker", "test"].contains(&m.from), "{m:?}");
            assert!(seen.insert(m.kind), "{} listed twice", m.kind);
        }
    }

    /// Key shapes never overlap: a prefix of one is never a prefix of another.
    #[test]
    fn key_prefixes_are_distinct() {
        let value = serde_json::to_value(KEY_PREFIXES).expect("serialises");
        let prefixes: Vec<&str> = value
            .as_object()
            .expect("an object")
            .values()
            .filter_map(|v| v.as_str())
            .collect();
        for (i, a) in prefixes.iter().enumerate() {
            for b in &prefixes[i + 1..] {
                assert!(!a.starts_with(b) && !b.starts_with(a), "{a} and {b} overlap");
            }
        }
    }
}
