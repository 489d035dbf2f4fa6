//! The four evidence cards of the packet. Each answers one question a
//! teammate checks before Go, states its pass standard, its state and the
//! evidence behind it:
//!
//! - **Test Events**: what action happened and did Meta get it once
//!   (event order, browser and server source, deduplication, parameters);
//! - **Shopify order**: does the money match the order;
//! - **Trigger-source inventory**: which channel sent each event, one owner each;
//! - **Review reconciliation**: are the same-day gaps between Meta, Shopify,
//!   GA4 and server logs explained.
//!
//! A card's state follows the gate checks it rests on and the `fail` findings
//! about its question ([`card_of`]): it never passes on what a gate check
//! leaves unverified, so page-reported evidence cannot make a card pass either.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::inputs::{OrderFigures, ServerEvent};
use crate::journey::Journey;
use crate::model::Hit;
use crate::money::reconcile;
use crate::pairing::pairings;
use crate::results::{acceptance, inventory, Check, CheckState, Gate, RowStatus};
use crate::review::Review;
use crate::rules::{Finding, Severity};
use crate::sort::distinct;

use super::{page_label, FindingGroup};

pub use crate::rules::{card_of, CardId};

impl CardId {
    pub const ALL: [CardId; 4] = [
        CardId::TestEvents,
        CardId::ShopifyOrder,
        CardId::TriggerSources,
        CardId::Reconciliation,
    ];

    /// The card's key in the packet's `cards` object.
    pub fn key(self) -> &'static str {
        match self {
            CardId::TestEvents => "test_events",
            CardId::ShopifyOrder => "shopify_order",
            CardId::TriggerSources => "trigger_sources",
            CardId::Reconciliation => "reconciliation",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            CardId::TestEvents => "Test Events",
            CardId::ShopifyOrder => "Shopify order",
            CardId::TriggerSources => "Trigger-source inventory",
            CardId::Reconciliation => "Review reconciliation",
        }
    }

    pub fn pass_standard(self) -> &'static str {
        match self {
            CardId::TestEvents => {
                "One test order is one Purchase action: ViewContent, AddToCart, InitiateCheckout and Purchase \
                 arrive in funnel order, each action is counted once, and every browser Purchase shares its \
                 event name and event_id with its Conversions API twin."
            }
            CardId::ShopifyOrder => {
                "The Purchase value and currency are explained by the order: each Purchase carries the order \
                 total in the order's currency, checked against an order the reviewer supplied (what the order \
                 page reports cannot settle it)."
            }
            CardId::TriggerSources => {
                "One primary owner per core event: each of ViewContent, AddToCart, InitiateCheckout and \
                 Purchase has one browser sender (a server twin that shares its event_id is fine), and the \
                 reviewer recorded who owns it."
            }
            CardId::Reconciliation => {
                "The gap is explainable: the reviewer wrote down why Meta, Shopify, GA4 and server counts for \
                 the same day differ, or that they agree. Exact equality is not required."
            }
        }
    }

    /// The gate checks the card rests on.
    pub fn checks(self) -> &'static [&'static str] {
        match self {
            CardId::TestEvents => &["chain", "dedup"],
            CardId::ShopifyOrder => &["money"],
            CardId::TriggerSources => &["owners"],
            CardId::Reconciliation => &["gaps"],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CardState {
    Pass,
    Fail,
    Unverified,
}

impl CardState {
    pub fn as_str(self) -> &'static str {
        match self {
            CardState::Pass => "pass",
            CardState::Fail => "fail",
            CardState::Unverified => "unverified",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Cards {
    pub test_events: TestEventsCard,
    pub shopify_order: ShopifyOrderCard,
    pub trigger_sources: TriggerSourcesCard,
    pub reconciliation: ReconciliationCard,
}

/// What every card says first.
#[derive(Debug, Clone, Serialize)]
pub struct CardHead {
    pub title: &'static str,
    pub pass_standard: &'static str,
    pub state: CardState,
    /// Why it is in that state, from the gate checks behind it.
    pub summary: String,
    /// What evidence it still needs, when unverified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs: Option<String>,
    /// The gate checks it rests on.
    pub checks: Vec<&'static str>,
    /// Finding codes about its question, worst first.
    pub codes: Vec<CodeCount>,
    /// Some of its evidence is what the page reported (shown, never enough to pass).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub page_reported: bool,
}

/// Which of a card's evidence the page reported, so a reader does not take the
/// whole card (a fail found on the network, say) as resting on it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageReported {
    /// The gate checks the card rests on whose detail the page reported.
    pub checks: Vec<&'static str>,
    /// The finding codes about the card's question with a page-reported instance.
    pub codes: Vec<&'static str>,
}

impl PageReported {
    /// The checks as `the money check`, then the codes as `code` writes them.
    pub fn in_words(&self, code: impl Fn(&str) -> String) -> Vec<String> {
        let checks = self.checks.iter().map(|c| format!("the {c} check"));
        checks.chain(self.codes.iter().map(|c| code(c))).collect()
    }
}

impl CardHead {
    /// What of card `key` (its key in the packet's `cards`) rests on
    /// page-reported evidence, among the packet's gate `checks` and finding
    /// `groups`.
    pub fn page_reported_parts(&self, key: &str, checks: &[Check], groups: &[FindingGroup]) -> PageReported {
        PageReported {
            checks: checks
                .iter()
                .filter(|c| c.page_reported && self.checks.contains(&c.name))
                .map(|c| c.name)
                .collect(),
            codes: groups
                .iter()
                .filter(|g| g.card == key && g.page_reported)
                .map(|g| g.code)
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CodeCount {
    pub code: &'static str,
    /// The worst severity among its instances.
    pub severity: Severity,
    pub count: usize,
    /// Instances per severity (one code can fail for Purchase and warn for AddToCart).
    pub fail: usize,
    pub warn: usize,
    pub info: usize,
}

impl CodeCount {
    /// Instances per severity, worst first, leaving out the severities it has
    /// none of: the "1 fail, 2 warn" of a card's findings line.
    pub fn by_severity(&self) -> impl Iterator<Item = (Severity, usize)> {
        [
            (Severity::Fail, self.fail),
            (Severity::Warn, self.warn),
            (Severity::Info, self.info),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
    }

    fn add(&mut self, s: Severity) {
        self.count += 1;
        self.severity = self.severity.min(s);
        match s {
            Severity::Fail => self.fail += 1,
            Severity::Warn => self.warn += 1,
            Severity::Info => self.info += 1,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TestEventsCard {
    #[serde(flatten)]
    pub head: CardHead,
    /// How many Purchase conversions Meta would count for this test.
    pub purchase_actions: usize,
    /// One row per event: the core events in funnel order, then the others.
    pub events: Vec<EventRow>,
    /// Each browser core hit and its server twin, when payloads were supplied.
    pub pairs: Vec<PairOut>,
    /// What Meta answered the supplied server requests; absent until a
    /// response is supplied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta_response: Option<MetaResponse>,
}

/// Meta's responses to the supplied Conversions API requests, summed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetaResponse {
    /// Requests supplied, and how many of them have Meta's response.
    pub requests: usize,
    pub answered: usize,
    /// Answered requests Meta refused (an error body).
    pub refused: usize,
    /// Events in all supplied requests, and what Meta's responses say it
    /// received (refused requests count 0).
    pub events_sent: usize,
    pub events_received: u64,
    /// Meta's ids of the answered requests, for its support.
    pub fbtrace_ids: Vec<String>,
    /// In words: "Meta accepted 4 of 4" only when a response accounts for
    /// every event sent.
    pub summary: String,
}

fn meta_response(j: &Journey) -> Option<MetaResponse> {
    let answered: Vec<_> = j
        .server_requests
        .iter()
        .filter_map(|r| Some((r, r.response.as_ref()?)))
        .collect();
    if answered.is_empty() {
        return None;
    }
    let requests = j.server_requests.len();
    let events_sent: usize = j.server_requests.iter().map(|r| r.events.len()).sum();
    let refused = answered.iter().filter(|(_, resp)| resp.error.is_some()).count();
    let events_received: u64 = answered.iter().filter_map(|(_, resp)| resp.events_received).sum();
    let fbtrace_ids = answered
        .iter()
        .filter_map(|(_, resp)| resp.trace_id().map(str::to_owned))
        .collect();
    let mut summary = format!("Meta accepted {events_received} of {events_sent}");
    if answered.len() < requests {
        let open: usize = j
            .server_requests
            .iter()
            .filter(|r| r.response.is_none())
            .map(|r| r.events.len())
            .sum();
        summary.push_str(&format!(
            "; {} of {requests} request(s) have no response from Meta ({open} event(s) unaccounted for)",
            requests - answered.len()
        ));
    }
    if refused > 0 {
        summary.push_str(&format!("; Meta refused {refused} request(s)"));
    }
    Some(MetaResponse {
        requests,
        answered: answered.len(),
        refused,
        events_sent,
        events_received,
        fbtrace_ids,
        summary,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    pub event: String,
    pub core: bool,
    pub status: RowStatus,
    /// Counted hits, by time.
    pub hit_ids: Vec<u32>,
    /// The page view of the first hit (numbered from 1) and its label.
    pub page_view: Option<usize>,
    pub page: Option<String>,
    pub time: Option<f64>,
    /// Browser senders.
    pub senders: Vec<String>,
    /// What the server sent for it; absent when no payload was supplied.
    pub server: Option<String>,
    /// Whether the browser hits merge with a server twin (core events only).
    pub dedup: Option<Dedup>,
    /// How many times Meta would count it: one per distinct event id across
    /// browser and server, plus one per hit or event without an id.
    pub meta_count: usize,
    pub event_ids: Vec<String>,
    /// Parameters of the first hit, as sent.
    pub value: Option<String>,
    pub currency: Option<String>,
    pub content_ids: Vec<String>,
    pub num_items: Option<String>,
    pub codes: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dedup {
    /// `merged`, `partly_merged`, `not_merged`, `browser_only` (the server sent
    /// no such event) or `no_server_payload`.
    pub state: &'static str,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PairOut {
    pub event: String,
    pub hit_id: u32,
    pub browser_event_id: Option<String>,
    pub server_event_ids: Vec<Option<String>>,
    pub matched: bool,
    pub browser_value: Option<f64>,
    pub server_value: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShopifyOrderCard {
    #[serde(flatten)]
    pub head: CardHead,
    /// `user` (supplied) or `page` (what the order status page reported).
    pub source: Option<&'static str>,
    /// The file name of the order supplied, or "pasted".
    pub input: Option<String>,
    pub order: Option<OrderFigures>,
    /// Every Purchase, browser and server, against the order.
    pub purchases: Vec<PurchaseValue>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PurchaseValue {
    /// `browser` or `server`.
    pub channel: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hit_id: Option<u32>,
    /// Where a server event is in its payload, e.g. `capi.json data[0]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// As sent.
    pub value: Option<String>,
    pub currency: Option<String>,
    /// Whether it equals the order; absent when there is no order or no usable value.
    /// For a Purchase of an order with post-purchase upsells: whether the
    /// Purchases Meta counts add up to the order (and this one is counted).
    pub matches: Option<bool>,
    pub explained_by: Vec<String>,
    pub detail: String,
    /// Its share of an order with several Purchases (`order` for the first,
    /// `upsell`, `upsell_value_counted_twice`, `upsell_event_id_reused`);
    /// absent for an order's only Purchase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<&'static str>,
    /// How that share was recognised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recognised: Option<String>,
}

/// A Purchase's share of an order with several Purchases.
struct Share {
    role: crate::purchases::Role,
    recognised: String,
    /// Whether Meta's count of the order's Purchases adds up to the order.
    sum_matches: Option<bool>,
    sum_detail: String,
}

/// The share of every Purchase (browser hit id, or server event by address)
/// in an order with several Purchases.
fn shares(j: &Journey) -> (BTreeMap<u32, Share>, Vec<(*const ServerEvent, Share)>) {
    let mut by_hit = BTreeMap::new();
    let mut by_server = Vec::new();
    let order = j.order_figures();
    for o in crate::purchases::orders_with_parts(j) {
        let (sum_matches, sum_detail) = match (o.counted_sum(), order) {
            (Ok(sum), Some(order)) => {
                let r = reconcile(sum.value, sum.currency.as_deref(), order);
                (
                    Some(r.matches),
                    format!("Meta counts {} = {:.2}: {}", sum.terms, sum.value, r.detail),
                )
            }
            (Ok(sum), None) => (None, format!("Meta counts {} = {:.2}", sum.terms, sum.value)),
            (Err(e), _) => (order.map(|_| false), e),
        };
        for p in &o.parts {
            let share = || Share {
                role: p.role,
                recognised: p.recognised(&o.parts),
                sum_matches: sum_matches.map(|m| m && p.role.counted()),
                sum_detail: sum_detail.clone(),
            };
            for h in &p.hits {
                by_hit.insert(h.id, share());
            }
            for s in &p.server {
                by_server.push((std::ptr::from_ref(*s), share()));
            }
        }
    }
    (by_hit, by_server)
}

#[derive(Debug, Clone, Serialize)]
pub struct TriggerSourcesCard {
    #[serde(flatten)]
    pub head: CardHead,
    pub owners: Vec<OwnerRow>,
    /// Theme, customer events, app, GTM, server, CRM (always listed, seen or
    /// not, so the reader sees what was looked for), then other senders.
    pub sources: Vec<SourceRow>,
    /// Tracking scripts per script and page view.
    pub scripts: Vec<ScriptRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OwnerRow {
    pub event: String,
    /// Browser senders.
    pub senders: Vec<String>,
    /// Server events of this name; absent when no payload was supplied.
    pub server_events: Option<usize>,
    /// The owner the reviewer recorded.
    pub owner: Option<String>,
    /// `one_sender`, `several_senders` or `not_seen`.
    pub state: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceRow {
    /// `theme`, `customer_events`, `app`, `gtm`, `server`, `crm` or `other`.
    pub source: &'static str,
    pub label: &'static str,
    pub seen: bool,
    /// Sender labels (browser) or payload names (server, CRM).
    pub senders: Vec<String>,
    /// Event name → count.
    pub events: BTreeMap<String, usize>,
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScriptRow {
    /// Numbered from 1.
    pub page_view: usize,
    pub page: String,
    pub url: String,
    pub kind: &'static str,
    /// Loads the network saw.
    pub network_loads: usize,
    /// Script elements the page hook reported (page-reported).
    pub page_elements: usize,
    pub seen_by: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReconciliationCard {
    #[serde(flatten)]
    pub head: CardHead,
    /// Purchase counts for this test per place a reviewer compares.
    pub counts: Vec<CountRow>,
    /// The reviewer's note on same-day gaps.
    pub gaps_note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CountRow {
    /// `shopify`, `meta`, `server` or `ga4`.
    pub source: &'static str,
    pub label: &'static str,
    /// Purchases for this test; absent when not known here.
    pub purchases: Option<usize>,
    pub value: Option<String>,
    pub detail: String,
}

pub fn build(j: &Journey, findings: &[Finding], gate: &Gate, review: &Review, order_input: Option<&str>) -> Cards {
    let events = event_rows(j, findings);
    let purchase_actions = events
        .iter()
        .find(|r| r.event == "Purchase")
        .map_or(0, |r| r.meta_count);
    let mut te_head = head(CardId::TestEvents, gate, findings);
    te_head.summary = format!(
        "Meta would count {purchase_actions} Purchase{} for this test. {}",
        if purchase_actions == 1 { "" } else { "s" },
        te_head.summary
    );
    let meta_response = meta_response(j);
    if let Some(m) = &meta_response {
        te_head.summary = format!("{} {}.", te_head.summary, m.summary);
    }
    let test_events = TestEventsCard {
        head: te_head,
        purchase_actions,
        events,
        pairs: pair_rows(j),
        meta_response,
    };
    let shopify_order = ShopifyOrderCard {
        head: head(CardId::ShopifyOrder, gate, findings),
        source: if j.order.is_some() {
            Some("user")
        } else if j.page_order.is_some() {
            Some("page")
        } else {
            None
        },
        input: order_input.map(str::to_owned),
        order: j.order_figures().cloned(),
        purchases: purchase_values(j),
    };
    let trigger_sources = TriggerSourcesCard {
        head: head(CardId::TriggerSources, gate, findings),
        owners: owner_rows(j, review),
        sources: source_rows(j, review),
        scripts: script_rows(j, review),
    };
    let mut rc_head = head(CardId::Reconciliation, gate, findings);
    let counts = count_rows(j, purchase_actions, order_input);
    if j.order_figures().is_some() && (j.has_hits() || j.server.is_some()) {
        // Post-purchase upsells are Purchases of the one order, each counted.
        let upsells = crate::purchases::orders_with_parts(j)
            .iter()
            .flat_map(|o| &o.parts)
            .filter(|p| matches!(p.role, crate::purchases::Role::Upsell))
            .count();
        let of_which = match upsells {
            0 => String::new(),
            1 => " (its first Purchase and 1 post-purchase upsell)".to_owned(),
            n => format!(" (its first Purchase and {n} post-purchase upsells)"),
        };
        rc_head.summary = format!(
            "Meta would count {purchase_actions} Purchase{} for 1 Shopify order{of_which}. {}",
            if purchase_actions == 1 { "" } else { "s" },
            rc_head.summary
        );
    }
    let reconciliation = ReconciliationCard {
        head: rc_head,
        counts,
        gaps_note: review
            .gaps_note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned),
    };
    Cards {
        test_events,
        shopify_order,
        trigger_sources,
        reconciliation,
    }
}

fn head(id: CardId, gate: &Gate, findings: &[Finding]) -> CardHead {
    let checks: Vec<_> = gate.checks.iter().filter(|c| id.checks().contains(&c.name)).collect();
    let mut codes: Vec<CodeCount> = Vec::new();
    let mut page_reported = checks.iter().any(|c| c.page_reported);
    for f in findings.iter().filter(|f| card_of(f.code) == Some(id)) {
        page_reported |= f.page_reported;
        match codes.iter_mut().find(|c| c.code == f.code) {
            Some(c) => c.add(f.severity),
            None => {
                let mut c = CodeCount {
                    code: f.code,
                    severity: f.severity,
                    count: 0,
                    fail: 0,
                    warn: 0,
                    info: 0,
                };
                c.add(f.severity);
                codes.push(c);
            }
        }
    }
    crate::sort::sort_by(&mut codes, |a, b| a.severity.cmp(&b.severity));
    let fails: Vec<&str> = codes
        .iter()
        .filter(|c| c.severity == Severity::Fail)
        .map(|c| c.code)
        .collect();
    let state = if !fails.is_empty() || checks.iter().any(|c| c.state == CheckState::Stop) {
        CardState::Fail
    } else if checks.iter().any(|c| c.state == CheckState::Unverified) {
        CardState::Unverified
    } else {
        CardState::Pass
    };
    let mut summary: Vec<String> = checks
        .iter()
        .map(|c| format!("{} {}: {}.", c.name, c.state.as_str(), c.detail))
        .collect();
    // The codes themselves are listed beside the summary (`codes`); here only
    // why the state is what the checks alone would not make it.
    if !fails.is_empty() && !checks.iter().any(|c| c.state == CheckState::Stop) {
        summary.push(format!(
            "{} fail finding code{} about this card.",
            fails.len(),
            if fails.len() == 1 { "" } else { "s" }
        ));
    }
    let needs: Vec<&str> = checks
        .iter()
        .filter(|c| c.state == CheckState::Unverified)
        .filter_map(|c| c.needs.as_deref())
        .collect();
    CardHead {
        title: id.title(),
        pass_standard: id.pass_standard(),
        state,
        summary: summary.join(" "),
        needs: (!needs.is_empty()).then(|| needs.join("; ")),
        checks: checks.iter().map(|c| c.name).collect(),
        codes,
        page_reported,
    }
}

/// Distinct event ids across `ids`, plus one per missing id: how many times
/// Meta counts what was sent (it merges repeats only by event id).
fn meta_count<'a>(ids: impl Iterator<Item = Option<&'a str>>) -> usize {
    let mut seen: std::collections::HashSet<&str, foldhash::fast::FixedState> = Default::default();
    let mut without = 0;
    for id in ids {
        match id {
            Some(id) => {
                seen.insert(id);
            }
            None => without += 1,
        }
    }
    seen.len() + without
}

/// What Meta would count of one event: per pixel (Meta counts each pixel's
/// events apart), one per distinct event id among its hits and the server
/// events sent to it, and one per hit or server event without an id. A server
/// event whose pixel was not said merges with the first pixel whose hits hold
/// its id, else counts once.
fn meta_count_by_pixel<'a>(hits: impl Iterator<Item = &'a Hit>, server: &[&'a ServerEvent]) -> usize {
    let mut by_pixel: BTreeMap<Option<&str>, Vec<Option<&str>>> = BTreeMap::new();
    for h in hits {
        by_pixel
            .entry(h.pixel_id.as_deref())
            .or_default()
            .push(h.event_id.as_deref());
    }
    let mut unsaid = Vec::new();
    for s in server {
        match s.pixel_id.as_deref() {
            Some(p) => by_pixel.entry(Some(p)).or_default().push(s.event_id.as_deref()),
            None => unsaid.push(s.event_id.as_deref()),
        }
    }
    unsaid.retain(|id| id.is_none() || !by_pixel.values().any(|ids| ids.contains(id)));
    by_pixel
        .into_values()
        .map(|ids| meta_count(ids.into_iter()))
        .sum::<usize>()
        + meta_count(unsaid.into_iter())
}

fn event_rows(j: &Journey, findings: &[Finding]) -> Vec<EventRow> {
    let pairs = pairings(j);
    acceptance(j, findings)
        .into_iter()
        .map(|row| {
            let first = row.hit_ids.first().and_then(|id| j.hits.iter().find(|h| h.id == *id));
            let server: Vec<&ServerEvent> = j
                .server
                .iter()
                .flatten()
                .filter(|s| s.event_name == row.event)
                .collect();
            let meta = meta_count_by_pixel(j.hits_of(&row.event), &server);
            let dedup = row.core.then(|| {
                let mine: Vec<_> = pairs.iter().filter(|p| p.hit.event_name() == row.event).collect();
                dedup(j, &row.event, &mine, &server)
            });
            EventRow {
                page_view: first.map(|h| h.page_view + 1),
                page: first.map(|h| page_label(j, h.page_view)),
                content_ids: first.map(|h| h.content_ids()).unwrap_or_default(),
                num_items: first.and_then(|h| h.custom("num_items")).map(str::to_owned),
                event: row.event,
                core: row.core,
                status: row.status,
                hit_ids: row.hit_ids,
                time: row.time,
                senders: row.senders,
                server: row.server,
                dedup,
                meta_count: meta,
                event_ids: row.event_ids,
                value: row.value,
                currency: row.currency,
                codes: row.codes,
            }
        })
        .collect()
}

fn dedup(j: &Journey, event: &str, pairs: &[&crate::pairing::Pairing<'_>], server: &[&ServerEvent]) -> Dedup {
    if j.server.is_none() {
        return Dedup {
            state: "no_server_payload",
            detail: "no server payload supplied".into(),
        };
    }
    // The browser hits that can pair: those of the pixel the payloads were
    // sent to, when the user said which.
    if pairs.is_empty() {
        let stated = distinct(server.iter().filter_map(|s| s.pixel_id.as_deref()));
        let to = if stated.is_empty() || j.hits_of(event).next().is_none() {
            String::new()
        } else {
            format!(" to pixel {}", stated.join(", "))
        };
        return Dedup {
            state: "browser_only",
            detail: format!("no browser {event}{to}; the server sent {}", server.len()),
        };
    }
    if server.is_empty() {
        return Dedup {
            state: "browser_only",
            detail: format!("the server sent no {event}"),
        };
    }
    let merged = pairs.iter().filter(|p| p.twin.is_some()).count();
    let unmatched: Vec<String> = pairs
        .iter()
        .filter(|p| p.twin.is_none())
        .map(|p| format!("#{} eid {}", p.hit.id, p.hit.event_id.as_deref().unwrap_or("(none)")))
        .collect();
    let server_ids = distinct(server.iter().map(|s| s.event_id.as_deref().unwrap_or("(none)")));
    if unmatched.is_empty() {
        Dedup {
            state: "merged",
            detail: format!(
                "{merged} of {} browser hit{} share{} event_id with the server",
                pairs.len(),
                if pairs.len() == 1 { "" } else { "s" },
                if merged == 1 { "s" } else { "" }
            ),
        }
    } else {
        Dedup {
            state: if merged == 0 { "not_merged" } else { "partly_merged" },
            detail: format!(
                "{} without a server twin; server event_id {}",
                unmatched.join(", "),
                server_ids.join(", ")
            ),
        }
    }
}

fn pair_rows(j: &Journey) -> Vec<PairOut> {
    pairings(j)
        .into_iter()
        .map(|p| PairOut {
            event: p.hit.event_name().to_owned(),
            hit_id: p.hit.id,
            browser_event_id: p.hit.event_id.clone(),
            server_event_ids: p.candidates.iter().map(|s| s.event_id.clone()).collect(),
            matched: p.twin.is_some(),
            browser_value: p.hit.value(),
            server_value: p.twin.and_then(|t| t.value),
        })
        .collect()
}

fn purchase_values(j: &Journey) -> Vec<PurchaseValue> {
    let order = j.order_figures();
    let judge =
        |value: Option<f64>, raw: Option<&str>, currency: Option<&str>| -> (Option<bool>, Vec<String>, String) {
            match (order, value, raw) {
                (_, None, None) => (order.map(|_| false), Vec::new(), "no value".to_owned()),
                (_, None, Some(raw)) => (
                    order.map(|_| false),
                    Vec::new(),
                    format!("value \"{raw}\" is not a plain number"),
                ),
                (None, Some(_), _) => (None, Vec::new(), "no order to compare with".to_owned()),
                (Some(o), Some(v), _) => {
                    let r = reconcile(v, currency, o);
                    (Some(r.matches), r.explained_by, r.detail)
                }
            }
        };
    let (by_hit, by_server) = shares(j);
    // A Purchase of an order with several: its share, and the order's sum.
    let with_share = |v: &mut PurchaseValue, share: Option<&Share>| {
        let Some(sh) = share else { return };
        v.share = Some(sh.role.as_str());
        v.recognised = Some(sh.recognised.clone());
        v.matches = sh.sum_matches;
        v.explained_by.clear();
        let dropped = if sh.role.counted() { "" } else { " (Meta drops it)" };
        v.detail = format!(
            "{}{dropped}, {} of the order; {}",
            sh.role.as_str().replace('_', " "),
            v.value.as_deref().unwrap_or("no value"),
            sh.sum_detail
        );
    };
    let mut out = Vec::new();
    for h in j.hits_of("Purchase") {
        let (matches, explained_by, detail) = judge(h.value(), h.custom("value"), h.currency());
        let mut v = PurchaseValue {
            channel: "browser",
            hit_id: Some(h.id),
            place: None,
            value: h.custom("value").map(str::to_owned),
            currency: h.currency().map(str::to_owned),
            matches,
            explained_by,
            detail,
            share: None,
            recognised: None,
        };
        with_share(&mut v, by_hit.get(&h.id));
        out.push(v);
    }
    for s in j.server.iter().flatten().filter(|s| s.event_name == "Purchase") {
        let (matches, explained_by, detail) = judge(s.value, None, s.currency.as_deref());
        let mut v = PurchaseValue {
            channel: "server",
            hit_id: None,
            place: Some(format!("{} {}", s.source, s.place)),
            value: s.value.map(|v| format!("{v:.2}")),
            currency: s.currency.clone(),
            matches,
            explained_by,
            detail,
            share: None,
            recognised: None,
        };
        let share = by_server.iter().find(|(p, _)| std::ptr::eq(*p, s)).map(|(_, sh)| sh);
        with_share(&mut v, share);
        out.push(v);
    }
    out
}

fn owner_rows(j: &Journey, review: &Review) -> Vec<OwnerRow> {
    inventory(j, review)
        .owners
        .into_iter()
        .map(|o| OwnerRow {
            server_events: j
                .server
                .as_ref()
                .map(|s| s.iter().filter(|e| e.event_name == o.event).count()),
            state: match o.senders.len() {
                0 => "not_seen",
                1 => "one_sender",
                _ => "several_senders",
            },
            event: o.event,
            senders: o.senders,
            owner: o.owner,
        })
        .collect()
}

/// Where a browser sender label belongs among the trigger sources.
fn source_of(sender: &str) -> &'static str {
    match sender {
        "theme" => "theme",
        "shopify_custom_pixel" => "customer_events",
        "shopify_app_pixel" => "app",
        "gtm" => "gtm",
        _ => "other",
    }
}

/// Conversions API events of a website or app are the store's server; any
/// other action source (`system_generated`, `physical_store`, `phone_call`, …)
/// is a CRM or offline upload.
fn server_source_of(e: &ServerEvent) -> &'static str {
    match e.action_source.as_deref() {
        None | Some("website") | Some("app") => "server",
        Some(_) => "crm",
    }
}

const SOURCES: [(&str, &str); 7] = [
    ("theme", "Theme code"),
    ("customer_events", "Customer events (custom pixel)"),
    ("app", "App pixel (Web Pixels)"),
    ("gtm", "Google Tag Manager"),
    ("server", "Server (Conversions API)"),
    ("crm", "CRM or offline (Conversions API)"),
    ("other", "Other senders"),
];

fn source_rows(j: &Journey, review: &Review) -> Vec<SourceRow> {
    let mut rows: Vec<SourceRow> = SOURCES
        .iter()
        .map(|(source, label)| SourceRow {
            source,
            label,
            seen: false,
            senders: Vec::new(),
            events: BTreeMap::new(),
            evidence: Vec::new(),
        })
        .collect();
    for s in inventory(j, review).senders {
        let kind = source_of(&s.sender);
        if let Some(row) = rows.iter_mut().find(|r| r.source == kind) {
            row.seen = true;
            for (ev, n) in s.events {
                *row.events.entry(ev).or_default() += n;
            }
            for line in s.evidence {
                if !row.evidence.contains(&line) {
                    row.evidence.push(line);
                }
            }
            row.senders.push(s.sender);
        }
    }
    for e in j.server.iter().flatten() {
        let kind = server_source_of(e);
        if let Some(row) = rows.iter_mut().find(|r| r.source == kind) {
            row.seen = true;
            *row.events.entry(e.event_name.clone()).or_default() += 1;
            if !row.senders.contains(&e.source) {
                row.senders.push(e.source.clone());
            }
            let line = format!("action_source {}", e.action_source.as_deref().unwrap_or("(none)"));
            if !row.evidence.contains(&line) {
                row.evidence.push(line);
            }
        }
    }
    // "Other" only when something landed there: the six named sources are the
    // checklist, listed even when not seen.
    rows.retain(|r| r.source != "other" || r.seen);
    rows
}

fn script_rows(j: &Journey, review: &Review) -> Vec<ScriptRow> {
    inventory(j, review)
        .scripts
        .into_iter()
        .map(|s| ScriptRow {
            page_view: s.page_view + 1,
            page: page_label(j, s.page_view),
            url: s.url,
            kind: s.kind,
            network_loads: s.network,
            page_elements: s.page,
            seen_by: s.seen_by,
        })
        .collect()
}

fn count_rows(j: &Journey, meta_purchases: usize, order_input: Option<&str>) -> Vec<CountRow> {
    let mut rows = Vec::new();
    rows.push(match j.order_figures() {
        Some(o) => CountRow {
            source: "shopify",
            label: "Shopify",
            purchases: Some(1),
            value: Some(money(o.total, o.currency.as_deref())),
            detail: format!(
                "order {}{}",
                o.order_number
                    .as_deref()
                    .map(|n| format!("#{n}"))
                    .unwrap_or_else(|| "(no number)".into()),
                match (order_input, j.order_from_page()) {
                    (Some(label), _) => format!(" from {label}"),
                    (None, true) => " as the order status page reported it".to_owned(),
                    (None, false) => String::new(),
                }
            ),
        },
        None => CountRow {
            source: "shopify",
            label: "Shopify",
            purchases: None,
            value: None,
            detail: "no order supplied".into(),
        },
    });
    let browser = j.hits_of("Purchase").count();
    let server: Vec<&ServerEvent> = j
        .server
        .iter()
        .flatten()
        .filter(|s| s.event_name == "Purchase")
        .collect();
    let merged = pairings(j)
        .iter()
        .filter(|p| p.hit.event_name() == "Purchase" && p.twin.is_some())
        .count();
    rows.push(CountRow {
        source: "meta",
        label: "Meta (what it would count)",
        purchases: Some(meta_purchases),
        value: None,
        detail: format!(
            "{browser} browser hit{} and {} server event{}; {merged} merged by event_id",
            if browser == 1 { "" } else { "s" },
            server.len(),
            if server.len() == 1 { "" } else { "s" }
        ),
    });
    rows.push(match &j.server {
        Some(_) => CountRow {
            source: "server",
            label: "Server log (Conversions API)",
            purchases: Some(server.len()),
            value: (!server.is_empty()).then(|| {
                server
                    .iter()
                    .map(|s| match s.value {
                        Some(v) => money(v, s.currency.as_deref()),
                        None => "no value".into(),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
            detail: distinct(server.iter().map(|s| s.source.as_str())).join(", "),
        },
        None => CountRow {
            source: "server",
            label: "Server log (Conversions API)",
            purchases: None,
            value: None,
            detail: "no server payload supplied".into(),
        },
    });
    rows.push(CountRow {
        source: "ga4",
        label: "GA4",
        purchases: None,
        value: None,
        detail: "not captured here: compare GA4's purchases for the same day".into(),
    });
    rows
}

fn money(v: f64, currency: Option<&str>) -> String {
    match currency {
        Some(c) => format!("{v:.2} {c}"),
        None => format!("{v:.2}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The "1 fail, 2 warn" of a card's findings line: worst first, none left out but zeros.
    #[test]
    fn a_code_counts_its_instances_per_severity() {
        let mut c = CodeCount {
            code: "missing_event_id",
            severity: Severity::Warn,
            count: 0,
            fail: 0,
            warn: 0,
            info: 0,
        };
        for s in [Severity::Warn, Severity::Fail, Severity::Warn] {
            c.add(s);
        }
        assert_eq!(c.severity, Severity::Fail);
        assert_eq!(
            c.by_severity().collect::<Vec<_>>(),
            [(Severity::Fail, 1), (Severity::Warn, 2)]
        );
    }

    /// The order card shows each Purchase's share of an order with an upsell.
    #[test]
    fn each_purchase_shows_its_share_of_an_order_with_an_upsell() {
        let j = crate::rules::testkit::with_upsell(r#"["socks-1"]"#, "order-1001-upsell-1", "20.00")
            .order(r#"{"total": 88.0, "currency": "USD"}"#)
            .server(
                r#"{"data":[{"event_name":"Purchase","event_id":"order-1001","custom_data":{"value":68,"currency":"USD","order_id":"1001"}},
                            {"event_name":"Purchase","event_id":"order-1001-upsell-1","custom_data":{"value":20,"currency":"USD","order_id":"1001"}}]}"#,
            );
        let s = j.session();
        let rows = purchase_values(s.journey());
        let shares: Vec<(Option<&str>, Option<bool>)> = rows.iter().map(|v| (v.share, v.matches)).collect();
        assert_eq!(
            shares,
            [
                (Some("order"), Some(true)),
                (Some("upsell"), Some(true)),
                (Some("order"), Some(true)),
                (Some("upsell"), Some(true))
            ],
            "browser #5, #6, then their server twins"
        );
        assert_eq!(
            rows[1].detail,
            "upsell, 20.00 of the order; Meta counts #5 68.00 + #6 20.00 (upsell) = 88.00: value 88.00 equals the order total"
        );
        assert!(
            rows[1].recognised.as_deref().is_some_and(|r| r
                .contains("its own event_id order-1001-upsell-1 and only items no earlier Purchase carried (socks-1)")),
            "{:?}",
            rows[1].recognised
        );
        // A single Purchase has no share.
        let s = crate::rules::testkit::clean_journey().session();
        assert!(purchase_values(s.journey()).iter().all(|v| v.share.is_none()));
    }

    #[test]
    fn meta_counts_one_per_distinct_id_and_one_per_missing_id() {
        assert_eq!(meta_count([Some("a"), Some("a")].into_iter()), 1);
        assert_eq!(meta_count([Some("a"), None, Some("b"), None].into_iter()), 4);
        assert_eq!(meta_count(std::iter::empty()), 0);
    }

    /// Meta counts each pixel's events apart: one Purchase sent to two pixels
    /// under one id is two, and the server's twin merges with one of them.
    #[test]
    fn meta_counts_each_pixel_apart() {
        use crate::rules::testkit::*;
        use crate::{Packet, PacketOptions, Review};
        let purchases = |j: J| {
            let mut s = j.session();
            Packet::build(&mut s, &Review::default(), &PacketOptions::default())
                .cards
                .test_events
                .purchase_actions
        };
        let server =
            r#"[{"event_name":"Purchase","event_id":"order-1001","custom_data":{"value":68,"currency":"USD"}}]"#;
        let two = || clean_journey().hit_to("987654321098765", "Purchase", &[("eid", "order-1001")]);
        assert_eq!(purchases(clean_journey().server(server)), 1);
        assert_eq!(purchases(two().server(server)), 2);
        assert_eq!(purchases(two().server_to(PIXEL, server)), 2);
        // Sent to a pixel the browser did not send it to: three.
        assert_eq!(purchases(two().server_to("5555", server)), 3);
    }

    /// Meta's answer in the Test Events card: "Meta accepted N of N" only
    /// when responses account for every event sent.
    #[test]
    fn the_card_says_what_meta_accepted() {
        use crate::journal::{Record, UserText};
        use crate::rules::testkit::*;
        use crate::{Packet, PacketOptions, Review};
        let web = r#""event_time":1700000001,"action_source":"website","user_data":{"client_user_agent":"Mozilla/5.0","client_ip_address":"203.0.113.7"}"#;
        let two = format!(
            r#"{{"data":[{{"event_name":"AddToCart","event_id":"atc-1",{web}}},{{"event_name":"Purchase","event_id":"order-1001",{web},"custom_data":{{"value":68.0,"currency":"USD"}}}}]}}"#
        );
        let response = |text: &str| {
            Record::ServerResponse(UserText {
                label: "response.json".into(),
                text: text.into(),
                order_name: None,
                pixel_id: None,
            })
        };
        let card = |j: J| {
            let mut s = j.session();
            Packet::build(&mut s, &Review::default(), &PacketOptions::default())
                .cards
                .test_events
        };
        assert_eq!(
            card(clean_journey().server(&two)).meta_response,
            None,
            "no response, no claim"
        );
        let all = card(clean_journey().server(&two).record(response(
            r#"{"events_received": 2, "messages": [], "fbtrace_id": "AmZ3kQ"}"#,
        )));
        let m = all.meta_response.as_ref().expect("answered");
        assert_eq!(m.summary, "Meta accepted 2 of 2");
        assert_eq!(m.fbtrace_ids, ["AmZ3kQ"]);
        assert!(
            all.head.summary.ends_with("Meta accepted 2 of 2."),
            "{}",
            all.head.summary
        );
        // A second request without a response: not every event is accounted for.
        let open = card(
            clean_journey()
                .server(&two)
                .record(response(r#"{"events_received": 2}"#))
                .server(&two),
        );
        assert_eq!(
            open.meta_response.map(|m| m.summary).as_deref(),
            Some("Meta accepted 2 of 4; 1 of 2 request(s) have no response from Meta (2 event(s) unaccounted for)")
        );
        let refused = card(clean_journey().server(&two).record(response(
            r#"{"error": {"message": "Invalid parameter", "code": 100, "fbtrace_id": "AxTz"}}"#,
        )));
        assert_eq!(
            refused.meta_response.map(|m| m.summary).as_deref(),
            Some("Meta accepted 0 of 2; Meta refused 1 request(s)")
        );
    }
}
