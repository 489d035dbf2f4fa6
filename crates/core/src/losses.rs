//! Evidence the extension did not keep, counted once each with its cause.
//!
//! Every pixel request a page sent ends in exactly one place: captured (a hit
//! in the journal), evicted (the journal's byte budget pushed out its chunk),
//! oversized (larger than a record may be), refused (a cap on what the page may
//! hand over) or never handed to the extension (the page's own Resource Timing
//! lists it, the browser never gave it to the worker). The journal says the
//! first four itself (`dropped` records name their reason and record kinds);
//! the last is what the pages listed minus everything else, and at least every
//! GET URL a page listed that no captured hit has (the tally can be balanced
//! by hits no page lists: see [`listed_hits`]). Counting an evicted hit again
//! as uncaptured was how a flood whose every request was captured read as
//! "21932 pixel requests not captured".
//!
//! Lost evidence is a gate fact ([`crate::results::gate`]): each loss names the
//! gate checks whose evidence it may have held ([`checks_for_kind`]), and those
//! checks cannot be `go`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::decode::Endpoint;
use crate::journal::{Dropped, FrameType};
use crate::journey::Journey;

/// Why records were lost, in the packet's words (`cause`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// The oldest records, pushed out past the journal's byte budget.
    Evicted,
    /// Each larger than a record may be.
    Oversized,
    /// Refused on the way in: the relay's caps, the page's own byte budget or
    /// the page hook's cap on calls per document.
    Refused,
    /// Listed by the pages' Resource Timing, never handed to the extension.
    Uncaptured,
    /// A reason this version does not know.
    Unknown,
}

impl Cause {
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Evicted => "evicted",
            Cause::Oversized => "oversized",
            Cause::Refused => "refused",
            Cause::Uncaptured => "uncaptured",
            Cause::Unknown => "unknown",
        }
    }

    /// The cause of a `dropped` record's reason.
    pub fn of_reason(reason: Option<&str>) -> Cause {
        match reason {
            // Journals written before reasons were kept only evicted.
            Some("journal_budget") | None => Cause::Evicted,
            Some("oversized") => Cause::Oversized,
            Some("page_budget" | "relay_caps" | "hook_caps" | "unredactable") => Cause::Refused,
            Some(_) => Cause::Unknown,
        }
    }
}

/// One `dropped` record (or the uncaptured count), classified.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Loss {
    pub count: u64,
    pub cause: Cause,
    /// The journal's reason (`journal_budget`, `oversized`, `page_budget`,
    /// `relay_caps`, `hook_caps`, `unredactable`), or `resource_timing` for
    /// the uncaptured.
    pub reason: String,
    /// How many of each record kind; empty when the journal did not say.
    pub kinds: BTreeMap<String, u64>,
}

impl Loss {
    /// The cause in a few words, for a gate check or a line of the packet.
    pub fn why(&self) -> &'static str {
        match self.reason.as_str() {
            "journal_budget" => "evicted past the journal's size budget",
            "oversized" => "each larger than a record may be",
            "page_budget" => "refused past the budget the page may use",
            "relay_caps" => "refused by the relay (too large or too many per second)",
            "hook_caps" => "refused past the page hook's limit per document",
            "unredactable" => "not stored: the customer data in it could not be masked",
            "resource_timing" => "never handed to PixelProof by the browser",
            _ => "for a reason this version does not know",
        }
    }

    /// The gate checks this loss may have held evidence for.
    pub fn checks(&self) -> Vec<&'static str> {
        if self.kinds.is_empty() {
            return HIT_CHECKS.to_vec();
        }
        let mut out: Vec<&'static str> = Vec::new();
        for kind in self.kinds.keys() {
            for c in checks_for_kind(kind) {
                if !out.contains(c) {
                    out.push(c);
                }
            }
        }
        out
    }
}

/// The gate checks that read pixel hits and where they were placed.
const HIT_CHECKS: &[&str] = &["chain", "dedup", "money", "owners"];

/// The gate checks whose evidence a lost record of `kind` may have held:
/// network evidence (hits, navigations, script loads, gestures) feeds every
/// check that reads hits; a pasted payload the dedup check; an order the money
/// check; page-reported records (fbq calls, inventories, FB_LOG, Shopify
/// context: `page_record` when the relay refused them unread) tell senders
/// apart for the owners check. A kind this version does not know may have
/// been anything.
pub fn checks_for_kind(kind: &str) -> &'static [&'static str] {
    match kind {
        "server_payload" => &["dedup"],
        "order" => &["money"],
        "fbq_call" | "scripts" | "fb_log" | "shopify" | "page_record" | "consent" => &["owners"],
        _ => HIT_CHECKS,
    }
}

/// What happened to the pixel requests the pages sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RequestTally {
    /// What the pages sent: the sum of the rest.
    pub sent: u64,
    pub captured: u64,
    pub evicted: u64,
    pub oversized: u64,
    pub refused: u64,
    /// Listed by the pages' Resource Timing and accounted for nowhere else.
    pub uncaptured: u64,
    /// Of the uncaptured, those whose URL the pages' Resource Timing gave
    /// (GET hits): recovered as page-reported, still not captured.
    pub recovered: u64,
    /// What the pages' Resource Timing listed (`None`: no page reported).
    pub listed: Option<u64>,
}

/// Every loss of a journey and the pixel requests' tally.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Losses {
    pub requests: RequestTally,
    /// Each `dropped` record of the journal, then the uncaptured requests.
    pub lost: Vec<Loss>,
    /// The uncaptured GET hits recovered from the pages' Resource Timing.
    pub recovered: Vec<Recovered>,
}

/// A pixel hit the browser never handed to the extension, recovered from the
/// URL a page's Resource Timing listed. Page-reported: it may name a missing
/// hit, it never stands in for a captured one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recovered {
    pub url: String,
    pub event: Option<String>,
    pub pixel_id: Option<String>,
    /// Index into the page views.
    pub page_view: usize,
    pub time: f64,
}

impl Recovered {
    /// The hit in words: event, pixel, page view and URL.
    pub fn describe(&self) -> String {
        const URL_CHARS: usize = 300;
        let url: String = self.url.chars().take(URL_CHARS).collect();
        let cut = if self.url.chars().count() > URL_CHARS {
            "…"
        } else {
            ""
        };
        format!(
            "{} to pixel {} on page view #{}, seen by the page only: recovered from the page's Resource Timing (page-reported, never captured): GET {url}{cut}",
            self.event.as_deref().unwrap_or("(no event)"),
            self.pixel_id.as_deref().unwrap_or("(none)"),
            self.page_view + 1,
        )
    }
}

impl Losses {
    pub fn of(j: &Journey) -> Losses {
        let mut lost: Vec<Loss> = j.drops.iter().filter(|d| d.count > 0).map(loss_of).collect();
        let mut t = RequestTally {
            captured: j.hits.len() as u64,
            ..RequestTally::default()
        };
        for l in &lost {
            let requests = l.kinds.get("request").copied().unwrap_or(0);
            match l.cause {
                Cause::Evicted => t.evicted += requests,
                Cause::Oversized => t.oversized += requests,
                Cause::Refused | Cause::Unknown => t.refused += requests,
                Cause::Uncaptured => {}
            }
        }
        if !j.request_counts.is_empty() {
            let listed: u64 = j.request_counts.values().sum();
            t.listed = Some(listed);
            let accounted = listed_hits(j) + t.evicted + t.oversized + t.refused;
            t.uncaptured = listed.saturating_sub(accounted);
        }
        // The counts are a tally: a hit of the store's Web Worker is reported
        // as its page's (the browser cannot tell them apart), yet it is in no
        // page's Resource Timing, so when it is captured it balances one the
        // page sent and nobody captured. A URL the page listed that matches no
        // captured hit is that request itself: at least that many went
        // uncaptured, less those the journal evicted (their hits are gone from
        // it, and counted above). Eviction takes the oldest: the newest are kept.
        let mut recovered = recover(j);
        let named = (recovered.len() as u64).saturating_sub(t.evicted);
        t.uncaptured = t.uncaptured.max(named);
        let keep = usize::try_from(t.uncaptured).unwrap_or(usize::MAX);
        if recovered.len() > keep {
            recovered.drain(..recovered.len() - keep);
        }
        t.recovered = recovered.len() as u64;
        if t.uncaptured > 0 {
            lost.push(Loss {
                count: t.uncaptured,
                cause: Cause::Uncaptured,
                reason: "resource_timing".into(),
                kinds: [("request".to_owned(), t.uncaptured)].into_iter().collect(),
            });
        }
        t.sent = t.captured + t.evicted + t.oversized + t.refused + t.uncaptured;
        Losses {
            requests: t,
            lost,
            recovered,
        }
    }

    /// Records lost, all causes.
    pub fn total(&self) -> u64 {
        self.lost.iter().map(|l| l.count).sum()
    }

    /// The losses that may have held evidence for gate check `check`: how many
    /// records, and their causes in words (largest first).
    pub fn for_check(&self, check: &str) -> Option<(u64, Vec<String>)> {
        let mut by_why: BTreeMap<&'static str, u64> = BTreeMap::new();
        for l in self.lost.iter().filter(|l| l.checks().contains(&check)) {
            *by_why.entry(l.why()).or_default() += l.count;
        }
        let n: u64 = by_why.values().sum();
        if n == 0 {
            return None;
        }
        let mut causes: Vec<(&str, u64)> = by_why.into_iter().collect();
        causes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        Some((n, causes.into_iter().map(|(why, c)| format!("{c} {why}")).collect()))
    }

    /// The pixel requests' account in one sentence: every request the pages
    /// sent, where it ended. `None` when there is nothing to account for.
    pub fn requests_line(&self) -> Option<String> {
        let t = &self.requests;
        if t.sent == t.captured && t.listed.is_none() {
            return None;
        }
        let listed = match t.listed {
            Some(n) => format!(" (their Resource Timing listed {n})"),
            None => String::new(),
        };
        let recovered = match t.recovered {
            0 => String::new(),
            n => format!(" ({n} of them recovered from the pages' Resource Timing, page-reported)"),
        };
        Some(format!(
            "{} pixel requests the pages sent{listed} = {} captured + {} evicted (journal size budget) + {} oversized + {} refused (caps) + {} never handed to PixelProof{recovered}",
            t.sent, t.captured, t.evicted, t.oversized, t.refused, t.uncaptured
        ))
    }

    /// Each loss in words, then the requests' account: what the packet's
    /// capture section and the panel's status line say.
    pub fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .lost
            .iter()
            .map(|l| match l.cause {
                Cause::Uncaptured => describe_uncaptured(l.count),
                _ => describe_drop(&Dropped {
                    count: l.count,
                    time: None,
                    kinds: l.kinds.clone(),
                    reason: Some(l.reason.clone()),
                }),
            })
            .collect();
        const NAMED: usize = 50;
        out.extend(self.recovered.iter().take(NAMED).map(Recovered::describe));
        if self.recovered.len() > NAMED {
            out.push(format!(
                "and {} more hits recovered from the pages' Resource Timing (the packet's JSON lists each)",
                self.recovered.len() - NAMED
            ));
        }
        if !self.lost.is_empty() {
            out.extend(self.requests_line());
        }
        out
    }
}

fn loss_of(d: &Dropped) -> Loss {
    Loss {
        count: d.count,
        cause: Cause::of_reason(d.reason.as_deref()),
        reason: d.reason.clone().unwrap_or_else(|| "journal_budget".into()),
        kinds: d.kinds.clone(),
    }
}

/// The GET hits whose URLs the pages listed and nobody captured: each listed
/// URL that no captured hit has (a URL listed twice and captured once leaves
/// one) and that decodes as a pixel hit, oldest first.
fn recover(j: &Journey) -> Vec<Recovered> {
    if j.listed.is_empty() {
        return Vec::new();
    }
    // Compared without a fragment, as the relay's key does (the network
    // never sees one; a page's Resource Timing may).
    fn bare(url: &str) -> &str {
        url.split_once('#').map_or(url, |(u, _)| u)
    }
    let mut captured: std::collections::HashMap<&str, u64> = std::collections::HashMap::new();
    for h in &j.hits {
        *captured.entry(bare(&h.url)).or_default() += 1;
    }
    let config = crate::decode::DecodeConfig::default();
    let mut out: Vec<Recovered> = Vec::new();
    for l in &j.listed {
        if let Some(n) = captured.get_mut(bare(&l.url)).filter(|n| **n > 0) {
            *n -= 1;
            continue;
        }
        let req = crate::journal::CapturedRequest {
            url: l.url.clone(),
            method: "GET".into(),
            time: l.time,
            ..Default::default()
        };
        let Some(d) = crate::decode::decode(&req, &config) else {
            continue;
        };
        if d.endpoint == Endpoint::PrivacySandbox || d.get("ev").is_none() {
            continue;
        }
        out.push(Recovered {
            url: l.url.clone(),
            event: d.get("ev").map(str::to_owned),
            pixel_id: d.get("id").map(str::to_owned),
            page_view: l.page_view,
            time: l.time,
        });
    }
    out
}

/// What a document's relay needs to send the URLs of GET hits nobody
/// captured, and only those: the keys ([`listing_key`]) of the hits captured
/// in its frame `frame` at or after `since` (when the document began, ms), so
/// it can leave out every URL the worker has. `fresh`: the keys of the URLs the
/// relay began holding since its last message. `None` while nothing is missing
/// that a URL could still name (the counts show no shortfall left unnamed, and
/// every fresh key is a captured hit's): then the relay is not asked and sends
/// no URL at all. The fresh keys catch what the counts cannot: a captured hit
/// of the store's Web Worker balances, in the tally, one the page sent and
/// nobody captured.
pub fn listing_wanted(j: &Journey, frame: i64, since: f64, fresh: &[String]) -> Option<Vec<String>> {
    let l = Losses::of(j);
    let shortfall = l.requests.uncaptured > l.requests.recovered;
    if !shortfall && fresh.is_empty() {
        return None;
    }
    let have: Vec<String> = j
        .hits
        .iter()
        .filter(|h| h.context.frame_id == Some(frame) && h.time >= since)
        .map(|h| listing_key(&h.url))
        .collect();
    if shortfall {
        return Some(have);
    }
    let known: std::collections::HashSet<&str> = have.iter().map(String::as_str).collect();
    fresh.iter().any(|k| !known.contains(k.as_str())).then_some(have)
}

/// The key the relay and the worker compare a pixel URL by: the URL without
/// its fragment and with the value of every user-data pair (`ud[..]`,
/// `udff[..]`, as the raw key starts) left out, so the stored URL (its
/// user data masked) and the page's own (plain) give the same key; hashed with
/// cyrb53 over UTF-16 code units to 53 bits, in hex. The relay
/// (extension/relay.js, `listingKey`) computes it the same way. Two URLs with
/// one key only make the relay leave out a URL: a missed hit stays counted as
/// not captured, unnamed.
pub fn listing_key(url: &str) -> String {
    let url = url.split_once('#').map_or(url, |(u, _)| u);
    let text = match url.split_once('?') {
        None => url.to_owned(),
        Some((head, query)) => {
            let pairs: Vec<&str> = query
                .split('&')
                .map(|pair| {
                    let key = pair.split_once('=').map_or(pair, |(k, _)| k);
                    let user_data = ["ud[", "ud%5B", "ud%5b", "udff[", "udff%5B", "udff%5b"]
                        .iter()
                        .any(|p| key.starts_with(p));
                    if user_data && key.len() < pair.len() {
                        &pair[..=key.len()]
                    } else {
                        pair
                    }
                })
                .collect();
            format!("{head}?{}", pairs.join("&"))
        }
    };
    format!("{:x}", cyrb53(&text))
}

/// cyrb53 (a public-domain 53-bit string hash), over UTF-16 code units as
/// JavaScript's `charCodeAt` gives them.
fn cyrb53(s: &str) -> u64 {
    let (mut h1, mut h2) = (0xdead_beef_u32, 0x41c6_ce57_u32);
    for ch in s.encode_utf16() {
        h1 = (h1 ^ u32::from(ch)).wrapping_mul(2_654_435_761);
        h2 = (h2 ^ u32::from(ch)).wrapping_mul(1_597_334_677);
    }
    h1 = (h1 ^ (h1 >> 16)).wrapping_mul(2_246_822_507);
    h1 ^= (h2 ^ (h2 >> 13)).wrapping_mul(3_266_489_909);
    h2 = (h2 ^ (h2 >> 16)).wrapping_mul(2_246_822_507);
    h2 ^= (h1 ^ (h1 >> 13)).wrapping_mul(3_266_489_909);
    (u64::from(h2 & 0x1f_ffff) << 32) | u64::from(h1)
}

/// Captured hits of the frames that reported their Resource Timing count, of
/// the kinds that count lists. Summed over every document of those frames, not
/// compared document by document: a request a page sends as it unloads (an
/// AddToCart beacon as the cart opens) is listed by the page that sent it but
/// may be placed in the next page view, and a document that leaves before its
/// relay reports lists nothing while its hits are kept, so a per-document
/// comparison calls a captured hit lost. Requests the timing does not list
/// (hidden-iframe form POSTs, privacy-sandbox copies, workers the browser
/// names as such) are left out of both sides. Chrome and Firefox report a
/// dedicated Web Worker's request as its page's (same tab, frame 0): that hit
/// stays on the captured side though no page lists it, so it can balance a
/// request the page sent and nobody captured; [`Losses::of`] then counts the
/// page's listed URL that no captured hit has.
fn listed_hits(j: &Journey) -> u64 {
    let frames: std::collections::BTreeSet<i64> = j.request_counts.keys().map(|(_, f)| *f).collect();
    j.hits
        .iter()
        .filter(|h| {
            h.decoded.endpoint != Endpoint::PrivacySandbox
                && h.request_type.as_deref() != Some("sub_frame")
                && h.context.frame_type != Some(FrameType::Worker)
        })
        .filter(|h| h.context.frame_id.is_some_and(|f| frames.contains(&f)))
        .count() as u64
}

/// Requests the pages listed and the extension never saw, in words.
pub fn describe_uncaptured(n: u64) -> String {
    format!(
        "{n} pixel requests not captured: the pages' own Resource Timing lists them, the browser did not hand them to PixelProof (its worker was stopped, or not yet running)"
    )
}

/// A `dropped` record in words: how many, of which kinds, and why.
pub fn describe_drop(d: &Dropped) -> String {
    let kinds: Vec<String> = d.kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let what = if kinds.is_empty() {
        format!("{} records", d.count)
    } else {
        format!("{} records ({})", d.count, kinds.join(", "))
    };
    let why = match d.reason.as_deref() {
        Some("journal_budget") | None => "the oldest, past the journal's size budget",
        Some("page_budget") => "page-reported, past the budget the page may use",
        Some("oversized") => "each larger than a record may be",
        Some("relay_caps") => "page-reported, refused by the relay (too large or too many per second)",
        Some("hook_caps") => "page-reported, past the page hook's limit of 5,000 records per page",
        Some(_) => "for a reason this version does not know",
    };
    format!("{what} not kept: {why}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::Record;
    use crate::rules::testkit::J;

    fn dropped(count: u64, kind: &str, reason: &str) -> Record {
        Record::Dropped(Dropped {
            count,
            time: None,
            kinds: [(kind.to_owned(), count)].into_iter().collect(),
            reason: Some(reason.into()),
        })
    }

    fn losses(j: J) -> Losses {
        Losses::of(j.session().journey())
    }

    /// A flood: the page sent 30 requests, the worker got all of them, and the
    /// journal's budget evicted the oldest 20. Those 20 were counted again as
    /// never handed over ("worker was stopped").
    #[test]
    fn evicted_hits_are_not_counted_again_as_uncaptured() {
        let mut j = J::new().record(dropped(20, "request", "journal_budget"));
        j = j.nav("https://shop.test/products/a");
        for _ in 0..10 {
            j = j.hit("PageView", &[]);
        }
        let l = losses(j.request_count(30));
        assert_eq!(l.requests.uncaptured, 0, "{l:?}");
        assert_eq!(
            (
                l.requests.sent,
                l.requests.captured,
                l.requests.evicted,
                l.requests.listed
            ),
            (30, 10, 20, Some(30))
        );
        assert_eq!(l.total(), 20);
        assert_eq!(l.lost.len(), 1);
        assert_eq!(l.lost[0].cause, Cause::Evicted);
        let lines = l.lines();
        assert!(!lines.iter().any(|s| s.contains("not captured")), "{lines:?}");
        assert_eq!(
            lines.last().map(String::as_str),
            Some("30 pixel requests the pages sent (their Resource Timing listed 30) = 10 captured + 20 evicted (journal size budget) + 0 oversized + 0 refused (caps) + 0 never handed to PixelProof")
        );
    }

    /// Every cause at once: each request counted in exactly one place, and the
    /// parts add up to what the pages listed.
    #[test]
    fn each_request_is_counted_once_with_its_cause() {
        let mut j = J::new()
            .record(dropped(5, "request", "journal_budget"))
            .record(dropped(2, "request", "oversized"))
            .record(dropped(7, "fbq_call", "hook_caps"))
            .record(dropped(3, "page_record", "relay_caps"));
        j = j.nav("https://shop.test/products/a");
        for _ in 0..4 {
            j = j.hit("PageView", &[]);
        }
        // 4 captured + 5 evicted + 2 oversized + 3 the browser never handed over.
        let l = losses(j.request_count(14));
        let t = &l.requests;
        assert_eq!(
            (t.captured, t.evicted, t.oversized, t.refused, t.uncaptured),
            (4, 5, 2, 0, 3)
        );
        assert_eq!(t.sent, 14);
        assert_eq!(t.listed, Some(t.sent));
        assert_eq!(l.total(), 5 + 2 + 7 + 3 + 3);
        let causes: Vec<(Cause, &str)> = l.lost.iter().map(|x| (x.cause, x.reason.as_str())).collect();
        assert_eq!(
            causes,
            vec![
                (Cause::Evicted, "journal_budget"),
                (Cause::Oversized, "oversized"),
                (Cause::Refused, "hook_caps"),
                (Cause::Refused, "relay_caps"),
                (Cause::Uncaptured, "resource_timing"),
            ]
        );
        // The page hook's cap is said like the relay's.
        assert!(l.lines().iter().any(|s| s == "7 records (7 fbq_call) not kept: page-reported, past the page hook's limit of 5,000 records per page"), "{:?}", l.lines());
        // Which checks each loss reaches.
        assert_eq!(
            l.for_check("money"),
            Some((
                10,
                vec![
                    "5 evicted past the journal's size budget".into(),
                    "3 never handed to PixelProof by the browser".into(),
                    "2 each larger than a record may be".into()
                ]
            ))
        );
        assert_eq!(l.for_check("owners").map(|(n, _)| n), Some(20));
        assert_eq!(l.for_check("gaps"), None);
    }

    /// The worker missed one GET hit of two: the page's Resource Timing
    /// listed both URLs, the one nobody captured is recovered and named, and
    /// the requests still add up (the recovered one is among the uncaptured).
    #[test]
    fn a_get_hit_the_worker_missed_is_recovered_from_resource_timing() {
        let j = J::new()
            .nav("https://shop.test/products/a")
            .hit("PageView", &[])
            .listed_last()
            .missed("ViewContent", &[("cd[content_ids]", "[\"a\"]")])
            .request_count(2);
        let l = losses(j);
        let t = &l.requests;
        assert_eq!((t.sent, t.captured, t.uncaptured, t.recovered), (2, 1, 1, 1), "{t:?}");
        assert_eq!(t.sent, t.captured + t.evicted + t.oversized + t.refused + t.uncaptured);
        assert_eq!(l.recovered.len(), 1);
        let r = &l.recovered[0];
        assert_eq!(r.event.as_deref(), Some("ViewContent"));
        assert_eq!(r.pixel_id.as_deref(), Some(crate::rules::testkit::PIXEL));
        assert!(r.url.starts_with("https://www.facebook.com/tr/?id="), "{}", r.url);
        let lines = l.lines();
        assert!(
            lines.iter().any(|s| s.contains("1 pixel requests not captured")),
            "{lines:?}"
        );
        assert!(
            lines.iter().any(|s| s.starts_with(
                "ViewContent to pixel 1234567890 on page view #1, seen by the page only: recovered from the page's Resource Timing (page-reported, never captured): GET https://www.facebook.com/tr/?id=1234567890&ev=ViewContent"
            )),
            "{lines:?}"
        );
        assert!(
            lines.last().is_some_and(|s| s.ends_with(
                "+ 1 never handed to PixelProof (1 of them recovered from the pages' Resource Timing, page-reported)"
            )),
            "{lines:?}"
        );
        // Still lost: every check that reads hits stays in doubt.
        assert_eq!(l.for_check("chain").map(|(n, _)| n), Some(1));
    }

    /// A URL the page listed twice and the worker captured once is a second
    /// request (the page's Resource Timing holds one entry per request sent),
    /// whatever the count says; a URL nobody listed (a POST beacon, whose data
    /// is in its body) stays counted and named as not captured.
    #[test]
    fn a_url_listed_twice_and_captured_once_is_a_second_request_and_posts_stay_uncaptured() {
        let twice = |count| {
            J::new()
                .nav("https://shop.test/")
                .hit("PageView", &[])
                .listed_last()
                .listed_last()
                .request_count(count)
        };
        for count in [1, 2] {
            let l = losses(twice(count));
            assert_eq!(
                (l.requests.uncaptured, l.requests.recovered),
                (1, 1),
                "count {count}: {l:?}"
            );
            assert_eq!(l.recovered[0].event.as_deref(), Some("PageView"));
        }
        let once = losses(
            J::new()
                .nav("https://shop.test/")
                .hit("PageView", &[])
                .listed_last()
                .request_count(1),
        );
        assert_eq!((once.requests.uncaptured, once.requests.recovered), (0, 0), "{once:?}");

        // Two requests the worker missed: a GET it can recover, a POST it cannot.
        let j = J::new()
            .nav("https://shop.test/checkouts/c/thank-you")
            .hit("PageView", &[])
            .listed_last()
            .missed("Purchase", &[("cd[value]", "10.00"), ("cd[currency]", "EUR")])
            .request_count(3);
        let l = losses(j);
        let t = &l.requests;
        assert_eq!((t.sent, t.captured, t.uncaptured, t.recovered), (3, 1, 2, 1), "{t:?}");
        assert_eq!(l.recovered[0].event.as_deref(), Some("Purchase"));
        assert!(
            l.lines().iter().any(|s| s.starts_with("2 pixel requests not captured")),
            "{:?}",
            l.lines()
        );
    }

    /// What a browser start left in CI once: the store's Web Worker sent a
    /// ViewContent the worker captured (the browser reports it as the page's:
    /// same tab and frame), while the page's own PageView and ViewContent went
    /// uncaptured. The page's Resource Timing lists only its own two, so the
    /// tally says one went missing; both URLs it listed match no captured hit,
    /// so both are uncaptured, both recovered and named.
    #[test]
    fn a_listed_url_nobody_captured_is_uncaptured_even_when_a_web_workers_hit_balances_the_count() {
        let j = J::new()
            .nav("https://shop.test/products/tee")
            .hit("ViewContent", &[("eid", "vc-tee-app")])
            .missed("PageView", &[("eid", "pv-tee-1")])
            .missed("ViewContent", &[("eid", "vc-tee-1")])
            .request_count(2);
        let l = losses(j);
        let t = &l.requests;
        assert_eq!((t.sent, t.captured, t.uncaptured, t.recovered), (3, 1, 2, 2), "{t:?}");
        let named: Vec<_> = l.recovered.iter().map(|r| r.event.as_deref()).collect();
        assert_eq!(named, [Some("PageView"), Some("ViewContent")]);
        assert!(
            l.recovered[1].url.contains("eid=vc-tee-1"),
            "the page's own, not the worker's: {}",
            l.recovered[1].url
        );
        // Balanced exactly (one page hit missed, one worker hit captured): the
        // tally says nothing is missing; the URL still does.
        let j = J::new()
            .nav("https://shop.test/products/tee")
            .hit("ViewContent", &[("eid", "vc-tee-app")])
            .missed("PageView", &[("eid", "pv-tee-1")])
            .request_count(1);
        let l = losses(j);
        assert_eq!((l.requests.uncaptured, l.requests.recovered), (1, 1), "{l:?}");
        assert_eq!(
            l.for_check("chain").map(|(n, _)| n),
            Some(1),
            "it keeps the chain in doubt"
        );
    }

    /// A listed URL whose hit the journal evicted is no longer among the hits,
    /// but it was captured: counted as evicted, not again as uncaptured (the
    /// oldest are evicted, so the newest listed URLs are the ones kept).
    #[test]
    fn a_listed_url_of_an_evicted_hit_is_not_uncaptured_again() {
        let j = J::new()
            .record(dropped(1, "request", "journal_budget"))
            .nav("https://shop.test/")
            .missed("PageView", &[("eid", "evicted")])
            .hit("ViewContent", &[])
            .listed_last()
            .request_count(2);
        let l = losses(j);
        let t = &l.requests;
        assert_eq!((t.evicted, t.uncaptured, t.recovered), (1, 0, 0), "{t:?}");
        let j = J::new()
            .record(dropped(1, "request", "journal_budget"))
            .nav("https://shop.test/")
            .missed("PageView", &[("eid", "evicted")])
            .missed("ViewContent", &[("eid", "missed")])
            .request_count(2);
        let l = losses(j);
        assert_eq!((l.requests.uncaptured, l.requests.recovered), (1, 1), "{l:?}");
        assert!(l.recovered[0].url.contains("eid=missed"), "{:?}", l.recovered);
    }

    /// The network never carries a fragment; a page's Resource Timing may: a
    /// listed URL that differs from a captured hit's only there is that hit.
    #[test]
    fn a_listed_url_with_a_fragment_is_the_captured_hit_without_it() {
        let mut j = J::new().nav("https://shop.test/").hit("PageView", &[]).listed_last();
        if let Some(Record::ListedRequest(l)) = j.records.last_mut() {
            l.url.push_str("#frag");
        }
        assert!(
            matches!(j.records.last(), Some(Record::ListedRequest(l)) if l.url.ends_with("#frag")),
            "the listed URL has a fragment"
        );
        let l = losses(j.request_count(1));
        assert_eq!((l.requests.uncaptured, l.requests.recovered), (0, 0), "{l:?}");
    }

    /// A listed URL that is not a pixel hit recovers nothing: a URL the page
    /// listed can only add doubt (a request really sent, that nobody
    /// captured), never a hit.
    #[test]
    fn a_listed_url_without_an_event_recovers_nothing() {
        let listed = |url: &str| {
            Record::ListedRequest(crate::journal::ListedRequest {
                url: url.into(),
                context: J::new().ctx(),
                time: 1_700_000_000_700.0,
                origin: crate::journal::Origin::Page,
            })
        };
        let j = J::new()
            .nav("https://shop.test/")
            .hit("PageView", &[])
            .listed_last()
            .record(listed("https://www.facebook.com/tr/"))
            .record(listed("https://www.facebook.com/tr/?id=1234567890"))
            .request_count(2);
        let l = losses(j);
        assert_eq!((l.requests.uncaptured, l.requests.recovered), (1, 0), "{l:?}");
    }

    /// The relay computes the same key in JavaScript (extension/relay.js):
    /// these values are what it gives for the same URLs.
    #[test]
    fn the_listing_key_is_the_relays_and_ignores_user_data_values() {
        assert_eq!(cyrb53("a"), 7_929_297_801_672_961, "cyrb53's published value");
        assert_eq!(cyrb53("é€😀"), 7_085_986_628_057_341);
        assert_eq!(
            listing_key("https://www.facebook.com/tr/?id=1234567890&ev=PageView&eid=e1"),
            "1c566120bf8285"
        );
        let plain = "https://www.facebook.com/tr/?id=1&ev=Purchase&ud[em]=jane%40example.com&ud%5Bph%5D=123#x";
        assert_eq!(listing_key(plain), "191b79ca146b9e");
        // The stored URL has its user data masked: same key as the page's own.
        let mut stored = serde_json::json!({"kind": "request", "url": plain, "method": "GET"});
        assert!(crate::privacy::redact_record(&mut stored));
        let stored = stored["url"].as_str().unwrap_or_default().to_owned();
        assert_ne!(stored, plain);
        assert_eq!(listing_key(&stored), listing_key(plain));
        // Anything else in the URL tells two hits apart.
        assert_ne!(
            listing_key("https://www.facebook.com/tr/?id=1&ev=Purchase&ud[em]=x"),
            listing_key("https://www.facebook.com/tr/?id=1&ev=Lead&ud[em]=x")
        );
    }

    /// Nothing lost, or everything lost already recovered: the relay is not
    /// asked (it sends no URL). A shortfall: it is told the keys of what its
    /// frame captured since it began, and nothing from before or from other frames.
    #[test]
    fn the_relay_is_asked_for_urls_only_while_a_shortfall_is_unnamed() {
        let whole = || {
            J::new()
                .nav("https://shop.test/")
                .hit("PageView", &[])
                .hit("ViewContent", &[])
        };
        let j = whole().request_count(2).session();
        assert_eq!(listing_wanted(j.journey(), 0, 0.0, &[]), None, "nothing missing");

        let missed = || {
            whole()
                .missed("AddToCart", &[])
                .record_without_listed()
                .request_count(3)
        };
        let j = missed().session();
        let hits = &j.journey().hits;
        let since = hits[1].time;
        assert_eq!(
            listing_wanted(j.journey(), 0, since, &[]),
            Some(vec![listing_key(&hits[1].url)]),
            "the keys of what the frame captured since the document began"
        );
        assert_eq!(listing_wanted(j.journey(), 0, 0.0, &[]).map(|k| k.len()), Some(2));
        assert_eq!(
            listing_wanted(j.journey(), 7, 0.0, &[]),
            Some(vec![]),
            "another frame captured nothing"
        );

        // Once the missed hit's URL came, there is nothing more to ask for.
        let j = whole().missed("AddToCart", &[]).request_count(3).session();
        assert_eq!(Losses::of(j.journey()).requests.recovered, 1);
        assert_eq!(listing_wanted(j.journey(), 0, 0.0, &[]), None);
    }

    /// The counts balance (a Web Worker's captured hit stands in for one the
    /// page sent), yet a URL the relay began holding is no captured hit's: the
    /// relay is asked. When every fresh key is a captured hit's, it is not.
    #[test]
    fn the_relay_is_asked_when_a_url_it_holds_is_no_captured_hits() {
        let j = J::new()
            .nav("https://shop.test/products/tee")
            .hit("ViewContent", &[("eid", "vc-tee-app")])
            .hit("PageView", &[("eid", "pv-tee-1")])
            .request_count(1)
            .session();
        let hits = &j.journey().hits;
        let captured = listing_key(&hits[1].url);
        let missed = listing_key(&hits[1].url.replace("pv-tee-1", "pv-tee-2"));
        assert_eq!(
            listing_wanted(j.journey(), 0, 0.0, std::slice::from_ref(&captured)),
            None
        );
        assert_eq!(
            listing_wanted(j.journey(), 0, 0.0, &[captured.clone(), missed]),
            Some(vec![listing_key(&hits[0].url), captured]),
            "asked, with the keys of everything the frame captured"
        );
    }

    #[test]
    fn a_journey_that_lost_nothing_says_nothing() {
        let l = losses(J::new().nav("https://shop.test/").hit("PageView", &[]).request_count(1));
        assert_eq!(l.total(), 0);
        assert!(l.lines().is_empty());
        assert_eq!(l.requests.sent, 1);
    }
}
