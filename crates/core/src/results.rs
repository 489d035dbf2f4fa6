//! What the user reads: the acceptance table, the sender inventory and the
//! Stop/Go gate, all computed from the journey and its findings.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::Serialize;

use crate::journey::Journey;
use crate::losses::Losses;
use crate::model::Hit;
use crate::pairing::{certain_pixel, pairings, Pairing};
use crate::purchases::judge;
use crate::review::Review;
use crate::rules::{Finding, Severity};
use crate::sort::{distinct, sort_by};
use crate::tables::{self, CORE_EVENTS};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    Pass,
    Warn,
    Fail,
    NotSeen,
}

impl RowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RowStatus::Pass => "pass",
            RowStatus::Warn => "warn",
            RowStatus::Fail => "fail",
            RowStatus::NotSeen => "not_seen",
        }
    }
}

/// One row of the acceptance table.
#[derive(Debug, Clone, Serialize)]
pub struct AcceptanceRow {
    pub event: String,
    pub core: bool,
    pub status: RowStatus,
    /// Counted hits of this event (all pixels).
    pub hit_ids: Vec<u32>,
    /// Page and time of the first hit (the real action).
    pub page: Option<String>,
    pub time: Option<f64>,
    pub senders: Vec<String>,
    /// What the server sent for this event, when payloads were supplied.
    pub server: Option<String>,
    pub event_ids: Vec<String>,
    pub value: Option<String>,
    pub currency: Option<String>,
    /// Finding codes behind the status.
    pub codes: Vec<&'static str>,
}

pub fn acceptance(j: &Journey, findings: &[Finding]) -> Vec<AcceptanceRow> {
    let mut events: Vec<String> = CORE_EVENTS.iter().map(|s| s.to_string()).collect();
    let mut others: Vec<(f64, String)> = Vec::new();
    for ev in j.by_event.keys() {
        if !tables::is_core_event(ev) && !ev.is_empty() && !others.iter().any(|(_, o)| o == ev) {
            let first = j.hits_of(ev).map(|h| h.time).fold(f64::INFINITY, f64::min);
            others.push((first, ev.clone()));
        }
    }
    sort_by(&mut others, |a, b| a.0.total_cmp(&b.0));
    events.extend(others.into_iter().map(|(_, e)| e));
    events.iter().map(|ev| row(j, findings, ev)).collect()
}

/// Most distinct event ids listed in one acceptance row.
const EVENT_IDS_SHOWN: usize = 20;

fn row(j: &Journey, findings: &[Finding], ev: &str) -> AcceptanceRow {
    let mut hits: Vec<&Hit> = j.hits_of(ev).collect();
    sort_by(&mut hits, |a, b| a.time.total_cmp(&b.time).then(a.id.cmp(&b.id)));
    let related: Vec<&Finding> = findings.iter().filter(|f| f.event.as_deref() == Some(ev)).collect();
    let mut unique_codes: Vec<&'static str> = Vec::new();
    for f in &related {
        if !unique_codes.contains(&f.code) {
            unique_codes.push(f.code);
        }
    }
    let status = if hits.is_empty() {
        RowStatus::NotSeen
    } else if related.iter().any(|f| f.severity == Severity::Fail) {
        RowStatus::Fail
    } else if related.iter().any(|f| f.severity == Severity::Warn) {
        RowStatus::Warn
    } else {
        RowStatus::Pass
    };
    let first = hits.first();
    let senders = j.senders_of(ev);
    // Distinct ids in first-seen order, at most EVENT_IDS_SHOWN of them: a row is
    // read by a person, and a set (not a list scan) keeps long journeys linear.
    let mut seen: HashSet<&str, foldhash::fast::FixedState> = HashSet::default();
    let mut event_ids: Vec<String> = Vec::new();
    for h in &hits {
        let e = h.event_id.as_deref().unwrap_or("(none)");
        if seen.insert(e) && event_ids.len() < EVENT_IDS_SHOWN {
            event_ids.push(e.to_owned());
        }
    }
    if seen.len() > EVENT_IDS_SHOWN {
        event_ids.push(format!("… and {} more", seen.len() - EVENT_IDS_SHOWN));
    }
    let server = j.server.as_ref().map(|server| {
        let same: Vec<_> = server.iter().filter(|s| s.event_name == ev).collect();
        if same.is_empty() {
            "none".to_string()
        } else {
            let sources = distinct(
                same.iter()
                    .map(|s| s.action_source.clone().unwrap_or_else(|| "unknown source".into())),
            );
            let ids: Vec<String> = same
                .iter()
                .map(|s| s.event_id.clone().unwrap_or_else(|| "(none)".into()))
                .collect();
            format!(
                "{} event(s), {}, event_id {}",
                same.len(),
                sources.join("/"),
                ids.join(", ")
            )
        }
    });
    AcceptanceRow {
        event: ev.to_string(),
        core: tables::is_core_event(ev),
        status,
        hit_ids: hits.iter().map(|h| h.id).collect(),
        page: first.map(|h| j.page_views[h.page_view].url.clone()),
        time: first.map(|h| h.time),
        senders: senders.into_iter().map(str::to_owned).collect(),
        server,
        event_ids,
        value: first.and_then(|h| h.custom("value").map(str::to_owned)),
        currency: first.and_then(|h| h.currency().map(str::to_owned)),
        codes: unique_codes,
    }
}

/// The sender inventory: per sender, what it sent and the evidence for the label
/// (docs/product-rules.md, "Senders").
#[derive(Debug, Clone, Serialize)]
pub struct Inventory {
    pub senders: Vec<SenderEntry>,
    /// Per core event: who sends it and who owns it.
    pub owners: Vec<EventOwner>,
    /// Tracking scripts seen, per page.
    pub scripts: Vec<ScriptEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SenderEntry {
    pub sender: String,
    /// Event name → hit count.
    pub events: BTreeMap<String, usize>,
    pub pixel_ids: Vec<String>,
    /// Distinct evidence lines (first few).
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventOwner {
    pub event: String,
    pub senders: Vec<String>,
    pub owner: Option<String>,
}

/// One tracking script in one page view, however it was seen: the network's
/// loads and the page hook's script elements are two views of the same
/// script, so they share a row (a reader counted two rows as two scripts).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScriptEntry {
    /// Index into the page views.
    pub page_view: usize,
    pub url: String,
    pub kind: &'static str,
    /// Loads of it the network saw in this page view.
    pub network: usize,
    /// Script elements for it in the page hook's latest inventory (page-reported).
    pub page: usize,
    /// `network`, `page` or both, in that order.
    pub seen_by: Vec<&'static str>,
}

const EVIDENCE_LINES: usize = 5;

pub fn inventory(j: &Journey, review: &Review) -> Inventory {
    /// Per sender: event counts, pixel ids, evidence lines.
    type Tally = (BTreeMap<String, usize>, BTreeSet<String>, Vec<String>);
    let mut by_sender: BTreeMap<String, Tally> = BTreeMap::new();
    for h in j.hits.iter().filter(|h| h.counted) {
        // Keys are copied only when new: most hits repeat a sender, an event
        // and a pixel already counted.
        if !by_sender.contains_key(&h.sender.label) {
            by_sender.insert(h.sender.label.clone(), Tally::default());
        }
        let Some(e) = by_sender.get_mut(&h.sender.label) else {
            continue;
        };
        let event = h.event.as_deref().unwrap_or("(no event)");
        match e.0.get_mut(event) {
            Some(n) => *n += 1,
            None => {
                e.0.insert(event.to_owned(), 1);
            }
        }
        if let Some(p) = &h.pixel_id {
            if !e.1.contains(&**p) {
                e.1.insert(p.to_string());
            }
        }
        for line in &h.sender.evidence {
            if e.2.len() < EVIDENCE_LINES && !e.2.contains(line) {
                e.2.push(line.clone());
            }
        }
    }
    let senders = by_sender
        .into_iter()
        .map(|(sender, (events, pixels, evidence))| SenderEntry {
            sender,
            events,
            pixel_ids: pixels.into_iter().collect(),
            evidence,
        })
        .collect();
    let owners = CORE_EVENTS
        .iter()
        .map(|ev| EventOwner {
            event: ev.to_string(),
            senders: j.senders_of(ev).into_iter().map(str::to_owned).collect(),
            owner: review.owners.get(*ev).filter(|o| !o.trim().is_empty()).cloned(),
        })
        .collect();
    let mut network: BTreeMap<(usize, String), usize> = BTreeMap::new();
    for (pv, s) in &j.script_loads {
        if tables::tracking_script_kind(&s.url).is_some() {
            *network.entry((*pv, s.url.clone())).or_default() += 1;
        }
    }
    let mut page_seen: BTreeMap<(usize, String), usize> = BTreeMap::new();
    for (pv, inv) in &j.inventories {
        // The latest snapshot per page view wins; count script elements in it.
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for s in &inv.scripts {
            *counts.entry(s.clone()).or_default() += 1;
        }
        for (url, n) in counts {
            let e = page_seen.entry((*pv, url)).or_default();
            *e = (*e).max(n);
        }
    }
    let mut merged: BTreeMap<(usize, String), (usize, usize)> = BTreeMap::new();
    for (key, n) in network {
        merged.entry(key).or_default().0 = n;
    }
    for (key, n) in page_seen {
        merged.entry(key).or_default().1 = n;
    }
    // BTreeMap order is (page view, url): what the reader scans by.
    let entries = merged
        .into_iter()
        .map(|((page_view, url), (network, page))| {
            let mut seen_by = Vec::new();
            if network > 0 {
                seen_by.push("network");
            }
            if page > 0 {
                seen_by.push("page");
            }
            ScriptEntry {
                kind: tables::tracking_script_kind(&url).unwrap_or("script"),
                page_view,
                url,
                network,
                page,
                seen_by,
            }
        })
        .collect();
    Inventory {
        senders,
        owners,
        scripts: entries,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckState {
    Go,
    Stop,
    Unverified,
}

impl CheckState {
    /// The state as the packet's JSON writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckState::Go => "go",
            CheckState::Stop => "stop",
            CheckState::Unverified => "unverified",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Go,
    Stop,
    Incomplete,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Go => "go",
            Verdict::Stop => "stop",
            Verdict::Incomplete => "incomplete",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// `chain`, `dedup`, `money`, `owners`, `gaps`.
    pub name: &'static str,
    pub state: CheckState,
    pub detail: String,
    /// What evidence the check still needs, when unverified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs: Option<String>,
    /// The detail rests on page-reported evidence (figures the page exposed):
    /// shown, never enough for `go`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub page_reported: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Gate {
    pub verdict: Verdict,
    pub checks: Vec<Check>,
    /// Codes of `fail` findings (any of them makes the verdict `stop`).
    pub blocking: Vec<&'static str>,
}

impl Gate {
    /// What the extension's badge shows: checks in `stop` plus distinct fail codes.
    pub fn failing(&self) -> usize {
        self.checks.iter().filter(|c| c.state == CheckState::Stop).count() + self.blocking.len()
    }
}

fn check(name: &'static str, state: CheckState, detail: impl Into<String>, needs: Option<&str>) -> Check {
    Check {
        name,
        state,
        detail: detail.into(),
        needs: needs.map(str::to_owned),
        page_reported: false,
    }
}

pub fn gate(j: &Journey, findings: &[Finding], review: &Review) -> Gate {
    gate_blocked_by(j, crate::rules::fail_codes(findings), review)
}

/// The gate when the codes of `fail` findings are known (`blocking`, in the
/// order the sorted findings name them: `Session::fail_codes`).
pub fn gate_blocked_by(j: &Journey, blocking: Vec<&'static str>, review: &Review) -> Gate {
    let mut checks = vec![
        chain_check(j),
        dedup_check(j),
        money_check(j),
        owners_check(j, review),
        gaps_check(review),
    ];
    let losses = Losses::of(j);
    for c in &mut checks {
        if let Some((n, causes)) = losses.for_check(c.name) {
            mark_lost(c, n, &causes);
        }
    }
    // Hits recovered from the pages' Resource Timing are named in the chain
    // as seen by the page only; they are among the losses above, so they
    // never make it go.
    if let Some(c) = checks.iter_mut().find(|c| c.name == "chain") {
        if !losses.recovered.is_empty() {
            let mut events: Vec<&str> = losses
                .recovered
                .iter()
                .map(|r| r.event.as_deref().unwrap_or("(no event)"))
                .collect();
            events.sort_unstable();
            events.dedup();
            c.detail = format!(
                "{}; seen by the page only (recovered from its Resource Timing, never captured): {} hit{} ({})",
                c.detail,
                losses.recovered.len(),
                if losses.recovered.len() == 1 { "" } else { "s" },
                events.join(", ")
            );
        }
    }
    let verdict = if !blocking.is_empty() || checks.iter().any(|c| c.state == CheckState::Stop) {
        Verdict::Stop
    } else if checks.iter().all(|c| c.state == CheckState::Go) {
        Verdict::Go
    } else {
        Verdict::Incomplete
    };
    Gate {
        verdict,
        checks,
        blocking,
    }
}

/// A check whose evidence may be among lost records: what was kept may look
/// complete and is not, so it is never `go`. A `stop` stays (what was kept
/// already shows the problem) and says the loss too.
fn mark_lost(c: &mut Check, n: u64, causes: &[String]) {
    let lost = format!(
        "{n} record{} lost ({})",
        if n == 1 { "" } else { "s" },
        causes.join("; ")
    );
    match c.state {
        CheckState::Stop => c.detail = format!("{}; and {lost}", c.detail),
        CheckState::Unverified => c.detail = format!("unverified: {lost}; {}", c.detail),
        CheckState::Go => {
            c.state = CheckState::Unverified;
            c.detail = format!("unverified: {lost}; what was kept: {}", c.detail);
            c.needs = Some(
                "capture the test order again in a fresh tab, with nothing lost (the packet's capture section says what was and why)"
                    .into(),
            );
        }
    }
}

/// The chain check, and when the page's Shopify Customer Privacy API said
/// marketing consent is withheld while core events are missing, why it cannot
/// pass yet: said in the detail (page-reported), never changing the state.
fn chain_check(j: &Journey) -> Check {
    let mut c = chain_state(j);
    if c.state != CheckState::Go && !j.consent_withheld.is_empty() {
        c.detail.push_str(
            "; the page reported marketing consent withheld (Shopify's Customer Privacy API): the test cannot pass until the tester allows marketing cookies and repeats the order",
        );
        c.page_reported = true;
    }
    c
}

fn chain_state(j: &Journey) -> Check {
    if !j.has_hits() {
        return check(
            "chain",
            CheckState::Unverified,
            "no pixel hits captured yet",
            Some("place a test order: product page, add to cart, checkout, thank-you page"),
        );
    }
    let missing: Vec<&str> = CORE_EVENTS
        .iter()
        .zip(j.first_core.iter())
        .filter(|(_, f)| f.is_none())
        .map(|(e, _)| *e)
        .collect();
    if !missing.is_empty() {
        return check(
            "chain",
            CheckState::Stop,
            format!("never seen: {}", missing.join(", ")),
            None,
        );
    }
    let times: Vec<f64> = j.first_core.iter().flatten().map(|&i| j.hit(i).time).collect();
    if times.windows(2).any(|w| w[1] < w[0]) {
        return check(
            "chain",
            CheckState::Stop,
            "the four core events did not first fire in funnel order",
            None,
        );
    }
    check(
        "chain",
        CheckState::Go,
        "ViewContent → AddToCart → InitiateCheckout → Purchase, in order",
        None,
    )
}

fn dedup_check(j: &Journey) -> Check {
    if j.server.is_none() {
        return check(
            "dedup",
            CheckState::Unverified,
            "no server payloads supplied",
            Some("paste the Conversions API payload of the test order"),
        );
    }
    let purchases: Vec<_> = pairings(j)
        .into_iter()
        .filter(|p| p.hit.event_name() == "Purchase")
        .collect();
    let server = j.server.as_deref().unwrap_or_default();
    let stated = crate::inputs::stated_pixels(server).join(", ");
    if purchases.is_empty() {
        let to = if stated.is_empty() {
            String::new()
        } else {
            format!(" to pixel {stated} (the server payload's)")
        };
        return check(
            "dedup",
            CheckState::Stop,
            format!("no browser Purchase{to} to pair with the server"),
            None,
        );
    }
    let unmatched: Vec<&Pairing> = purchases.iter().filter(|p| p.twin.is_none()).collect();
    if !unmatched.is_empty() {
        let list: Vec<String> = unmatched
            .iter()
            .map(|p| {
                let pixel = match (j.pixel_ids.len() > 1, certain_pixel(p.hit)) {
                    (true, Some(id)) => format!(" (pixel {id})"),
                    _ => String::new(),
                };
                format!(
                    "#{} eid {}{pixel}{}",
                    p.hit.id,
                    p.hit.event_id.as_deref().unwrap_or("(none)"),
                    crate::pairing::uncertain_pixel_note(p)
                )
            })
            .collect();
        // With several pixels, a Purchase to one the server never sends to
        // (an agency's, from the browser only) is paired here only because
        // nobody said which pixel the payload went to: it is not guessed (a
        // page could then hide a real mismatch behind another pixel's hit).
        // Asked only when one pixel's Purchase paired and another pixel's did
        // not: saying which pixel cannot help when none paired.
        let unsaid = server.iter().any(|s| s.pixel_id.is_none());
        let paired_pixels: BTreeSet<&str> = purchases
            .iter()
            .filter(|p| p.twin.is_some())
            .filter_map(|p| certain_pixel(p.hit))
            .collect();
        let other_pixel = unmatched
            .iter()
            .filter_map(|p| certain_pixel(p.hit))
            .any(|id| !paired_pixels.contains(id));
        let hint = (unsaid && !paired_pixels.is_empty() && other_pixel)
            .then_some("if the payload went to one of the store's pixels only, state which (--server-pixel, or the pixel id beside the paste)");
        return check(
            "dedup",
            CheckState::Stop,
            format!(
                "browser Purchase without a server twin of the same event_id: {}",
                list.join(", ")
            ),
            hint,
        );
    }
    let value_off = purchases.iter().any(|p| {
        p.twin.is_some_and(|t| match (p.hit.value(), t.value) {
            (Some(a), Some(b)) => (a - b).abs() >= crate::money::TOLERANCE,
            // Meta keeps whichever comes first: the order's value, or none.
            (Some(_), None) => true,
            _ => false,
        })
    });
    if value_off {
        return check(
            "dedup",
            CheckState::Stop,
            "Purchase pairs share an id but differ in value (or the server's has none Meta can read)",
            None,
        );
    }
    if purchases.iter().any(|p| {
        p.twin
            .is_some_and(|t| p.hit.currency().is_some() && t.currency.is_none())
    }) {
        return check(
            "dedup",
            CheckState::Stop,
            "a Purchase's server twin has no currency: Meta may keep it rather than the browser's",
            None,
        );
    }
    let apart = crate::purchases::server_counted_apart(j);
    if !apart.is_empty() {
        let list: Vec<String> = apart
            .iter()
            .map(|(s, _)| format!("{} eid {}", s.describe(), s.event_id.as_deref().unwrap_or("(none)")))
            .collect();
        return check(
            "dedup",
            CheckState::Stop,
            format!(
                "server Purchase of the order under an event_id no browser Purchase carries, which Meta counts apart: {}",
                list.join(", ")
            ),
            Some("keep one server sender for Purchase, on the browser's event_id"),
        );
    }
    // Purchases to other pixels than the one stated are not paired: said, so
    // a pixel stated wrongly shows.
    let elsewhere = j
        .hits_of("Purchase")
        .filter(|h| !purchases.iter().any(|p| std::ptr::eq(p.hit, *h)))
        .count();
    let not_paired = if elsewhere == 0 {
        String::new()
    } else {
        format!("; {elsewhere} Purchase hit(s) to other pixels not paired (the payload was sent to pixel {stated})")
    };
    check(
        "dedup",
        CheckState::Go,
        format!(
            "{} browser Purchase hit(s) share name and event_id with the server{not_paired}",
            purchases.len()
        ),
        None,
    )
}

fn money_check(j: &Journey) -> Check {
    let Some(order) = j.order_figures() else {
        return check(
            "money",
            CheckState::Unverified,
            "no order figures supplied",
            Some("paste the Shopify order JSON or type the order total and currency"),
        );
    };
    let purchases: Vec<&Hit> = j.hits_of("Purchase").collect();
    if purchases.is_empty() {
        return check("money", CheckState::Stop, "no browser Purchase to reconcile", None);
    }
    let mut problems = Vec::new();
    for h in purchases.iter().filter(|h| h.value().is_none()) {
        problems.push(format!("#{} has no usable value", h.id));
    }
    // What Meta counts: each Purchase, or an order's first Purchase and its
    // upsells added up (crate::purchases), server twins merged by event id.
    let mut said = Vec::new();
    for judged in judge(j, order, true, false) {
        let label = match judged.parts {
            1 => judged.label.trim_start_matches("Purchase ").to_owned(),
            _ => judged.label.clone(),
        };
        match &judged.result {
            Err(e) => problems.push(e.clone()),
            Ok(r) if !r.matches => problems.push(format!("{label}: {}", r.detail)),
            // A match worth saying how: an order's parts added up, or one of
            // a Markets order's two pairs.
            Ok(r) if judged.parts > 1 || order.presentment().is_some() => said.push(format!("{label}: {}", r.detail)),
            Ok(_) => {}
        }
    }
    let from_page = j.order_from_page();
    let mut c = if problems.is_empty() && from_page {
        // The page's own figures agree, but the page could have forged them.
        check(
            "money",
            CheckState::Unverified,
            format!(
                "Purchase value equals the order total {:.2} {} the order page reported",
                order.total,
                order.currency.as_deref().unwrap_or("")
            ),
            Some("confirm against the Shopify admin order: paste its JSON or type its total and currency"),
        )
    } else if problems.is_empty() && !said.is_empty() {
        check(
            "money",
            CheckState::Go,
            format!("Purchase value matches the order: {}", said.join("; ")),
            None,
        )
    } else if problems.is_empty() {
        check(
            "money",
            CheckState::Go,
            format!(
                "Purchase value equals the order total {:.2} {}",
                order.total,
                order.currency.as_deref().unwrap_or("")
            ),
            None,
        )
    } else {
        let source = if from_page {
            " (order figures the order page reported)"
        } else {
            ""
        };
        check(
            "money",
            CheckState::Stop,
            format!("{}{source}", problems.join("; ")),
            None,
        )
    };
    c.page_reported = from_page;
    c
}

fn owners_check(j: &Journey, review: &Review) -> Check {
    if !j.has_hits() {
        return check(
            "owners",
            CheckState::Unverified,
            "no pixel hits captured yet",
            Some("capture a test order"),
        );
    }
    let mut problems = Vec::new();
    let mut unowned = Vec::new();
    for ev in CORE_EVENTS {
        // Per pixel: a store may send to two (its own and an agency's), each
        // from one sender, and Meta counts each pixel's events on their own.
        let per_pixel = j.senders_by_pixel(ev);
        if per_pixel.is_empty() {
            problems.push(format!("{ev} has no sender"));
        }
        let several = per_pixel.len() > 1;
        for (pixel, senders, by_network) in per_pixel {
            let of = if several && pixel.is_empty() {
                format!("{ev} (hits without a pixel id)")
            } else if several {
                format!("{ev} (pixel {pixel})")
            } else {
                ev.to_string()
            };
            // By network evidence alone too: fbq calls the page reported may
            // tell one sender apart from another, never merge two into one.
            match (senders.len(), by_network.len()) {
                (0, _) => problems.push(format!("{of} has no sender")),
                (1, 0 | 1) => {}
                (1, n) => problems.push(format!(
                    "{of} has {n} senders by network evidence ({})",
                    by_network.join(", ")
                )),
                (n, _) => problems.push(format!("{of} has {n} senders ({})", senders.join(", "))),
            }
        }
        if review.owners.get(ev).is_none_or(|o| o.trim().is_empty()) {
            unowned.push(ev);
        }
    }
    if !problems.is_empty() {
        return check("owners", CheckState::Stop, problems.join("; "), None);
    }
    if !unowned.is_empty() {
        return check(
            "owners",
            CheckState::Unverified,
            "one sender per core event",
            Some(&format!("record an owner for {}", unowned.join(", "))),
        );
    }
    check(
        "owners",
        CheckState::Go,
        "one sender and a recorded owner per core event",
        None,
    )
}

fn gaps_check(review: &Review) -> Check {
    match review.gaps_note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(_) => check(
            "gaps",
            CheckState::Go,
            "the reviewer recorded why the counts differ",
            None,
        ),
        None => check(
            "gaps",
            CheckState::Unverified,
            "no note on count differences",
            Some("write why Meta, Shopify, GA4 and server counts differ (or that they agree)"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::{clean_journey, go_journey, with_upsell, J};

    fn money(j: J) -> Check {
        let mut s = j.session();
        let findings = s.findings();
        let g = gate(s.journey(), &findings, &Review::default());
        g.checks.into_iter().find(|c| c.name == "money").expect("a money check")
    }

    /// The page put order figures equal to its Purchase on the
    /// thank-you page; with no order supplied by the user the check showed `go`.
    #[test]
    fn order_figures_the_page_reported_never_make_money_go() {
        let c = money(clean_journey().page_order(68.0, "USD"));
        assert_eq!(c.state, CheckState::Unverified, "{c:?}");
        assert!(c.page_reported);
        assert!(
            c.detail
                .contains("equals the order total 68.00 USD the order page reported"),
            "{}",
            c.detail
        );
        assert!(c.needs.as_deref().is_some_and(|n| n.contains("Shopify admin order")));
        // They can still add doubt.
        let c = money(clean_journey().page_order(91.0, "USD"));
        assert_eq!(c.state, CheckState::Stop, "{c:?}");
        assert!(c.page_reported);
        // The user's order settles it, whatever the page said.
        let order = r#"{"total": 68.0, "currency": "USD"}"#;
        let c = money(clean_journey().page_order(91.0, "USD").order(order));
        assert_eq!(c.state, CheckState::Go, "{c:?}");
        assert!(!c.page_reported);
    }

    /// The order #1001 of the clean journey, edited after a 20.00 post-purchase
    /// offer: 88.00 USD.
    const EDITED: &str = r#"{"total": 88.0, "currency": "USD", "shipping": 10.0}"#;

    #[test]
    fn an_order_and_its_upsell_add_up_to_the_edited_order() {
        let c = money(with_upsell(r#"["socks-1"]"#, "order-1001-upsell-1", "20.00").order(EDITED));
        assert_eq!(c.state, CheckState::Go, "{c:?}");
        assert_eq!(
            c.detail,
            "Purchase value matches the order: Purchases #5 68.00 + #6 20.00 (upsell) = 88.00: value 88.00 equals the order total"
        );
        // Under the first Purchase's event id, Meta drops the upsell: short by 20.00.
        let c = money(with_upsell(r#"["socks-1"]"#, "order-1001", "20.00").order(EDITED));
        assert_eq!(c.state, CheckState::Stop, "{c:?}");
        assert!(
            c.detail.starts_with("Purchases #5 68.00 = 68.00 (Purchase #6 is left out: Meta drops it, it reuses event_id order-1001): value 68.00 differs"),
            "{}",
            c.detail
        );
        // The whole order sent again: Meta counts 156.00.
        let c = money(with_upsell(r#"["tee-1","socks-1"]"#, "order-1001-upsell-1", "88.00").order(EDITED));
        assert_eq!(c.state, CheckState::Stop, "{c:?}");
        assert!(c.detail.contains("= 156.00"), "{}", c.detail);
    }

    #[test]
    fn a_markets_order_goes_with_either_pair_and_says_which() {
        let markets = r##"{"data": {"order": {"name": "#1001", "totalPriceSet": {"shopMoney": {"amount": "74.0", "currencyCode": "USD"}, "presentmentMoney": {"amount": "68.0", "currencyCode": "EUR"}}}}}"##;
        let eur = clean_journey().order(markets);
        // The clean journey sends 68.00 USD: the customer's amount with the shop's currency.
        let c = money(eur);
        assert_eq!(c.state, CheckState::Stop, "{c:?}");
        assert!(c.detail.contains("mixes the order's two pairs"), "{}", c.detail);
        let c = money(
            clean_journey().order(
                &markets
                    .replace("74.0", "68.0")
                    .replace("68.0\", \"currencyCode\": \"EUR", "62.8\", \"currencyCode\": \"EUR"),
            ),
        );
        assert_eq!(c.state, CheckState::Go, "{c:?}");
        assert!(
            c.detail
                .contains("the order's shop pair; the customer paid 62.80 EUR; Meta converts the currency"),
            "{}",
            c.detail
        );
    }

    /// Marketing consent withheld (Shopify's Customer Privacy API, page
    /// evidence) while core events are missing: the chain check says the test
    /// cannot pass until the tester allows marketing cookies, and stays stop;
    /// with the chain complete it says nothing of consent and may go.
    #[test]
    fn withheld_consent_explains_a_broken_chain_and_never_passes_it() {
        use crate::journal::{Consent, Record};
        let chain = |j: J| {
            let mut s = j.session();
            let findings = s.findings();
            let g = gate(s.journey(), &findings, &Review::default());
            g.checks.into_iter().find(|c| c.name == "chain").expect("a chain check")
        };
        let withheld = |j: &J| {
            Record::Consent(Consent {
                context: j.ctx(),
                time: j.t,
                marketing_allowed: Some(false),
                ..Consent::default()
            })
        };
        let j = J::new().nav("https://shop.test/products/a").hit("PageView", &[]);
        let c = withheld(&j);
        let c = chain(j.record(c));
        assert_eq!(c.state, CheckState::Stop, "{c:?}");
        assert!(c.page_reported);
        assert!(
            c.detail.starts_with("never seen: ViewContent, AddToCart, InitiateCheckout, Purchase; the page reported marketing consent withheld")
                && c.detail.contains("cannot pass until the tester allows marketing cookies"),
            "{}",
            c.detail
        );
        let j = clean_journey();
        let c = withheld(&j);
        let c = chain(j.record(c));
        assert_eq!(c.state, CheckState::Go, "{c:?}");
        assert!(!c.detail.contains("consent"));
    }

    /// The page's own Resource Timing against what was captured.
    #[test]
    fn requests_the_page_listed_and_nobody_captured_are_counted() {
        let j = J::new()
            .nav("https://shop.test/products/a")
            .hit("PageView", &[])
            .hit("ViewContent", &[])
            .request_count(3);
        assert_eq!(
            crate::losses::Losses::of(j.session().journey()).requests.uncaptured,
            1,
            "three listed, two captured"
        );
        let j = J::new()
            .nav("https://shop.test/products/a")
            .hit("PageView", &[])
            .request_count(1)
            .nav("https://shop.test/products/a")
            // The first document's beacon at unload, placed in the reload's page view.
            .hit("ViewContent", &[])
            .hit("PageView", &[])
            .request_count(1);
        assert_eq!(
            crate::losses::Losses::of(j.session().journey()).requests.uncaptured,
            0,
            "a reload's beacon balances out"
        );
        assert_eq!(
            crate::losses::Losses::of(
                J::new()
                    .nav("https://shop.test/")
                    .hit("PageView", &[])
                    .session()
                    .journey()
            )
            .requests
            .uncaptured,
            0,
            "no report, nothing to compare"
        );
    }

    /// A flood whose every request reached the worker: the journal's budget
    /// evicted the oldest, and those were counted again as never captured.
    #[test]
    fn evicted_hits_are_not_also_uncaptured() {
        let mut j = J::new()
            .record(crate::journal::Record::Dropped(crate::journal::Dropped {
                count: 20,
                time: None,
                kinds: [("request".to_owned(), 20)].into_iter().collect(),
                reason: Some("journal_budget".into()),
            }))
            .nav("https://shop.test/products/a");
        for _ in 0..10 {
            j = j.hit("PageView", &[]);
        }
        let mut s = j.request_count(30).session();
        assert_eq!(
            crate::losses::Losses::of(s.journey()).requests.uncaptured,
            0,
            "20 evicted, 10 kept, 30 listed"
        );
        let p = crate::Packet::build(&mut s, &Review::default(), &crate::PacketOptions::default());
        assert_eq!(p.capture.dropped_records, 20, "{:?}", p.capture.dropped);
        assert_eq!(p.capture.uncaptured_requests, 0);
        assert!(
            !p.capture.dropped.iter().any(|d| d.contains("not captured")),
            "{:?}",
            p.capture.dropped
        );
        let md = p.to_markdown();
        assert!(
            md.contains(
                "30 pixel requests the pages sent (their Resource Timing listed 30) = 10 captured + 20 evicted"
            ),
            "{md}"
        );
    }

    fn gate_of(j: J, review: &Review) -> Gate {
        let mut s = j.session();
        let findings = s.findings();
        gate(s.journey(), &findings, review)
    }

    /// A store may send to two pixels, its own and an agency's: Meta counts
    /// each pixel's events on their own, so one sender per core event is
    /// judged per pixel, and two senders to one pixel still stop.
    #[test]
    fn one_sender_per_event_is_judged_per_pixel() {
        let owners = |g: &Gate| g.checks.iter().find(|c| c.name == "owners").cloned().expect("owners");
        let agency = |r: &mut crate::journal::CapturedRequest| {
            r.url = r
                .url
                .replacen(&format!("id={}", crate::rules::testkit::PIXEL), "id=9876543210", 1);
            r.stack = vec!["https://www.googletagmanager.com/gtm.js?id=GTM-AG1".into()];
        };
        let (j, review) = go_journey();
        let two_pixels = j.hit_with("ViewContent", &[("eid", "vc-ag")], agency);
        let g = gate_of(two_pixels, &review);
        assert_eq!(owners(&g).state, CheckState::Go, "{}", owners(&g).detail);
        let (j, review) = go_journey();
        let g = gate_of(
            j.hit_with("ViewContent", &[("eid", "vc-ag")], agency)
                .hit_with("ViewContent", &[("eid", "vc-2")], |r| {
                    r.stack = vec!["https://www.googletagmanager.com/gtm.js?id=GTM-AG1".into()]
                }),
            &review,
        );
        assert_eq!(owners(&g).state, CheckState::Stop);
        assert!(
            owners(&g).detail.starts_with(&format!(
                "ViewContent (pixel {}) has 2 senders (",
                crate::rules::testkit::PIXEL
            )),
            "{}",
            owners(&g).detail
        );
    }

    /// Meta counts a server Purchase under an id no browser Purchase
    /// carries apart, and may keep a server twin without a value: the order
    /// is then not one clean signal, whatever else agrees.
    #[test]
    fn a_second_server_purchase_or_a_twin_without_value_stops_the_dedup_check() {
        let dedup = |g: &Gate| g.checks.iter().find(|c| c.name == "dedup").cloned().expect("dedup");
        let (j, review) = go_journey();
        assert_eq!(dedup(&gate_of(j, &review)).state, CheckState::Go);
        let (j, review) = go_journey();
        let again = r#"[{"event_name":"Purchase","event_id":"shopify-order-5550001001","custom_data":{"value":68.0,"currency":"USD","order_id":"1001"}}]"#;
        let g = gate_of(j.server(again), &review);
        assert_eq!(dedup(&g).state, CheckState::Stop);
        assert!(
            dedup(&g).detail.contains("eid shopify-order-5550001001"),
            "{}",
            dedup(&g).detail
        );
        assert_eq!(g.verdict, Verdict::Stop);
        let no_value =
            r#"[{"event_name":"Purchase","event_id":"order-1001","custom_data":{"currency":"USD","order_id":"1001"}}]"#;
        let g = gate_of(crate::rules::testkit::clean_journey().server(no_value), &review);
        assert_eq!(dedup(&g).state, CheckState::Stop);
        assert!(dedup(&g).detail.contains("none Meta can read"), "{}", dedup(&g).detail);
    }

    fn lost(count: u64, kind: &str, reason: &str) -> crate::journal::Record {
        crate::journal::Record::Dropped(crate::journal::Dropped {
            count,
            time: None,
            kinds: [(kind.to_owned(), count)].into_iter().collect(),
            reason: Some(reason.into()),
        })
    }

    /// A Purchase the worker never got, recovered from the thank-you page's
    /// Resource Timing: named in the chain as seen by the page only, and the
    /// chain is no better for it than without it.
    #[test]
    fn a_recovered_hit_names_the_gap_and_never_makes_the_chain_go() {
        let journey = |recover: bool| {
            let j = J::new()
                .nav("https://shop.test/products/tee")
                .hit("PageView", &[])
                .hit("ViewContent", &[("cd[content_ids]", "[\"tee-1\"]")])
                .wait(2000.0)
                .gesture()
                .hit("AddToCart", &[("cd[content_ids]", "[\"tee-1\"]")])
                .nav("https://shop.test/checkouts/c/thank-you")
                .hit("PageView", &[]);
            let j = if recover { j.listed_last() } else { j };
            let j = j.missed(
                "Purchase",
                &[
                    ("cd[value]", "25.00"),
                    ("cd[currency]", "USD"),
                    ("cd[order_id]", "1001"),
                ],
            );
            let j = if recover { j } else { j.record_without_listed() };
            // The frame's documents sent five: four captured, the Purchase not.
            j.request_count(5)
        };
        let review = Review::default();
        let without = gate_of(journey(false), &review);
        let with = gate_of(journey(true), &review);
        let chain = |g: &Gate| g.checks.iter().find(|c| c.name == "chain").expect("chain").clone();
        assert_ne!(chain(&with).state, CheckState::Go, "{:?}", chain(&with));
        assert_eq!(chain(&with).state, chain(&without).state);
        assert_eq!(with.verdict, without.verdict);
        assert!(
            chain(&with).detail.ends_with(
                "; seen by the page only (recovered from its Resource Timing, never captured): 1 hit (Purchase)"
            ),
            "{}",
            chain(&with).detail
        );
        assert!(!chain(&without).detail.contains("seen by the page only"));
        // A go journey with one hit recovered is go no longer: incomplete, as
        // it is with that hit missing and nothing recovered, never better.
        let (j, review) = go_journey();
        let g = gate_of(j.listed_last().missed("Lead", &[]).request_count(100), &review);
        assert_eq!(g.verdict, Verdict::Incomplete);
        let (j, review) = go_journey();
        let unnamed = gate_of(
            j.listed_last()
                .missed("Lead", &[])
                .record_without_listed()
                .request_count(100),
            &review,
        );
        assert_eq!(unnamed.verdict, Verdict::Incomplete);
        assert_eq!(
            g.checks.iter().map(|c| (c.name, c.state)).collect::<Vec<_>>(),
            unnamed.checks.iter().map(|c| (c.name, c.state)).collect::<Vec<_>>(),
            "every check as it is with the hit missing"
        );
        assert!(
            chain(&g).detail.contains("never captured): 1 hit (Lead)"),
            "{}",
            chain(&g).detail
        );
    }

    /// Lost evidence is a gate fact: a journey that lost records is never go,
    /// and the checks that read the lost kind say how many and why.
    #[test]
    fn a_journey_that_lost_records_is_never_go() {
        let (j, review) = go_journey();
        assert_eq!(gate_of(j, &review).verdict, Verdict::Go, "the journey itself is go");
        for (record, checks) in [
            (
                lost(3, "request", "journal_budget"),
                vec!["chain", "dedup", "money", "owners"],
            ),
            (
                lost(1, "request", "oversized"),
                vec!["chain", "dedup", "money", "owners"],
            ),
            (lost(2, "fbq_call", "hook_caps"), vec!["owners"]),
            (lost(4, "page_record", "relay_caps"), vec!["owners"]),
            (lost(1, "server_payload", "oversized"), vec!["dedup"]),
            (lost(1, "order", "oversized"), vec!["money"]),
            (
                lost(1, "teleport", "a_new_reason"),
                vec!["chain", "dedup", "money", "owners"],
            ),
        ] {
            let (j, review) = go_journey();
            let g = gate_of(j.record(record.clone()), &review);
            assert_ne!(g.verdict, Verdict::Go, "{record:?}");
            let unverified: Vec<&str> = g
                .checks
                .iter()
                .filter(|c| c.state == CheckState::Unverified)
                .map(|c| c.name)
                .collect();
            assert_eq!(unverified, checks, "{record:?}");
            for c in g.checks.iter().filter(|c| c.state == CheckState::Unverified) {
                assert!(c.detail.starts_with("unverified: "), "{}", c.detail);
                assert!(c.detail.contains(" lost ("), "{}", c.detail);
            }
        }
        let (j, review) = go_journey();
        let g = gate_of(j.record(lost(3, "request", "journal_budget")), &review);
        let chain = g.checks.iter().find(|c| c.name == "chain").expect("chain");
        assert_eq!(
            chain.detail,
            "unverified: 3 records lost (3 evicted past the journal's size budget); what was kept: ViewContent → AddToCart → InitiateCheckout → Purchase, in order"
        );
        // Requests the pages listed and nobody captured are lost too.
        let (j, review) = go_journey();
        let g = gate_of(j.request_count(40), &review);
        assert_eq!(g.verdict, Verdict::Incomplete);
        let money = g.checks.iter().find(|c| c.name == "money").expect("money");
        assert!(
            money.detail.starts_with("unverified: ")
                && money.detail.contains("never handed to PixelProof by the browser"),
            "{}",
            money.detail
        );
    }

    #[test]
    fn acceptance_lists_distinct_event_ids_and_caps_long_lists() {
        let mut j = J::new().nav("https://shop.test/products/a");
        for i in 0..25 {
            j = j.wait(3000.0).gesture().hit(
                "AddToCart",
                &[("eid", &format!("atc-{i}")), ("cd[content_ids]", "[\"a\"]")],
            );
        }
        j = j.hit("AddToCart", &[("eid", "atc-0"), ("cd[content_ids]", "[\"b\"]")]);
        let mut s = j.session();
        let findings = s.findings();
        let rows = acceptance(s.journey(), &findings);
        let atc = rows.iter().find(|r| r.event == "AddToCart").expect("row");
        assert_eq!(atc.hit_ids.len(), 26);
        assert_eq!(atc.event_ids.len(), EVENT_IDS_SHOWN + 1);
        assert_eq!(atc.event_ids[0], "atc-0");
        assert_eq!(atc.event_ids[EVENT_IDS_SHOWN], "… and 5 more");
    }
}
