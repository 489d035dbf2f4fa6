//! Evidence the extension did not keep, counted once each with its cause.
//!
//! Every pixel request a page sent ends in exactly one place: captured (a hit
//! in the journal), evicted (the journal's byte budget pushed out its chunk),
//! oversized (larger than a record may be), refused (a cap on what the page may
//! hand over) or never handed to the extension (the page's own Resource Timing
//! lists it, the browser never gave it to the worker). The journal says the
//! first four itself (`dropped` records name their reason and record kinds);
//! the last is what the pages listed minus everything else. Counting an evicted
//! hit again as uncaptured was how a flood whose every request was captured
//! read as "21932 pixel requests not captured".
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
            Some("page_budget" | "relay_caps" | "hook_caps") => Cause::Refused,
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
    /// `relay_caps`, `hook_caps`), or `resource_timing` for the uncaptured.
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
    /// What the pages' Resource Timing listed (`None`: no page reported).
    pub listed: Option<u64>,
}

/// Every loss of a journey and the pixel requests' tally.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Losses {
    pub requests: RequestTally,
    /// Each `dropped` record of the journal, then the uncaptured requests.
    pub lost: Vec<Loss>,
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
        if t.uncaptured > 0 {
            lost.push(Loss {
                count: t.uncaptured,
                cause: Cause::Uncaptured,
                reason: "resource_timing".into(),
                kinds: [("request".to_owned(), t.uncaptured)].into_iter().collect(),
            });
        }
        t.sent = t.captured + t.evicted + t.oversized + t.refused + t.uncaptured;
        Losses { requests: t, lost }
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
        Some(format!(
            "{} pixel requests the pages sent{listed} = {} captured + {} evicted (journal size budget) + {} oversized + {} refused (caps) + {} never handed to PixelProof",
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

/// Captured hits of the frames that reported their Resource Timing count, of
/// the kinds that count lists. Summed over every document of those frames, not
/// compared document by document: a request a page sends as it unloads (an
/// AddToCart beacon as the cart opens) is listed by the page that sent it but
/// may be placed in the next page view, and a document that leaves before its
/// relay reports lists nothing while its hits are kept, so a per-document
/// comparison calls a captured hit lost. Requests the timing does not list
/// (hidden-iframe form POSTs, workers, privacy-sandbox copies) are left out of
/// both sides.
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

    #[test]
    fn a_journey_that_lost_nothing_says_nothing() {
        let l = losses(J::new().nav("https://shop.test/").hit("PageView", &[]).request_count(1));
        assert_eq!(l.total(), 0);
        assert!(l.lines().is_empty());
        assert_eq!(l.requests.sent, 1);
    }
}
