//! A session: the journal plus everything derived from it, kept up to date one
//! record at a time.
//!
//! [`Session::add`] decodes the record, places it in a page view, attributes its
//! sender, folds it into the [`Journey`], runs the hit rules on a new hit and
//! marks the groups and page views the record touched as dirty.
//! [`Session::refresh`] reruns group rules for dirty groups only, page rules for
//! dirty page views only, and the journey rules over small summaries. Nothing is
//! recomputed from scratch, so a panel can call `add` + `refresh` per record on
//! journeys of many thousand hits. This is the only writer of the journey.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use crate::decode::{decode, DecodeConfig};
use crate::inputs::{
    parse_capi_requests, parse_capi_response, parse_order_named, stated_pixel_id, InputError, ServerEvent,
};
use crate::journal::{CapturedRequest, FbqCall, FrameType, Navigation, Record, ScriptLoad, ShopifyContext};
use crate::journey::{BrowserId, GroupKey, Journey, PageSummary, ServerRequest, ORDER_SCOPE};
use crate::model::{has_page_key, page_key, Hit, PageFacts, PageKind, PageView};
use crate::rules::{self, Finding, Scope};
use crate::{sender, tables};

/// The session: journal, journey and cached findings.
#[derive(Debug, Default)]
pub struct Session {
    config: DecodeConfig,
    records: Vec<Record>,
    journey: Journey,
    hit_findings: Vec<Finding>,
    group_findings: HashMap<GroupKey, Vec<Finding>>,
    dirty_groups: HashSet<GroupKey>,
    page_findings: Vec<Vec<Finding>>,
    dirty_pages: DirtyPages,
    journey_findings: Vec<Finding>,
    journey_dirty: bool,
    /// See [`Session::slim_hit_records`].
    slim_hit_records: bool,
    /// The records that mode did not keep: how many, and the earliest and
    /// latest of their (finite) times.
    unkept: usize,
    unkept_times: Option<(f64, f64)>,
    /// The requests (indices into `Journey::server_requests`) of the latest
    /// server payload, which a response record answers; `None` before any
    /// payload, or when the latest could not be read.
    last_payload: Option<std::ops::Range<usize>>,
    /// What hits were given lately, which the next hits share when theirs
    /// is equal (see [`Hit::sender`]).
    shared: Shared,
    /// A hash of each page view's page key, in page-view order: placing a
    /// record compares these, and the URLs only where they are equal.
    page_key_hashes: Vec<u64>,
}

/// The hash of a page key kept in [`Session::page_key_hashes`]. Unkeyed: two
/// keys of one hash cost only the exact comparison the look-back made anyway.
fn page_key_hash(key: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::default().hash_one(key)
}

/// The senders, contexts and short texts last given to hits: a capture's
/// hits have a handful of each between them, so each is held once and the
/// hits point to it.
#[derive(Debug, Default)]
struct Shared {
    senders: Recent<crate::model::Sender>,
    contexts: Recent<crate::journal::Context>,
    texts: Recent<str>,
}

/// The last few values given out, newest last.
#[derive(Debug)]
struct Recent<T: ?Sized>(Vec<Arc<T>>);

impl<T: ?Sized> Default for Recent<T> {
    fn default() -> Self {
        Recent(Vec::new())
    }
}

/// How many recent values of each kind a new hit's are compared with.
const RECENT_SHARED: usize = 16;

impl<T: ?Sized + PartialEq> Recent<T> {
    /// The recent value equal to `value`.
    fn find(&self, value: &T) -> Option<Arc<T>> {
        self.0.iter().rev().find(|v| ***v == *value).cloned()
    }

    /// Keeps `made` as the newest (the oldest goes when there are enough).
    fn keep(&mut self, made: Arc<T>) -> Arc<T> {
        if self.0.len() >= RECENT_SHARED {
            self.0.remove(0);
        }
        self.0.push(made.clone());
        made
    }
}

impl Shared {
    fn sender(&mut self, sender: crate::model::Sender) -> Arc<crate::model::Sender> {
        match self.senders.find(&sender) {
            Some(known) => known,
            None => self.senders.keep(Arc::new(sender)),
        }
    }

    fn context(&mut self, context: &crate::journal::Context) -> Arc<crate::journal::Context> {
        match self.contexts.find(context) {
            Some(known) => known,
            None => self.contexts.keep(Arc::new(context.clone())),
        }
    }

    fn text(&mut self, text: &str) -> Arc<str> {
        match self.texts.find(text) {
            Some(known) => known,
            None => self.texts.keep(Arc::from(text)),
        }
    }
}

/// The page views whose page rules must run again. Every record marks one or
/// more, nearly always ones already marked: a flag per page view answers that
/// without a search (a B-tree set of them did one per mark).
#[derive(Debug, Default)]
struct DirtyPages {
    marked: Vec<bool>,
    list: Vec<usize>,
}

impl DirtyPages {
    fn insert(&mut self, pv: usize) {
        if self.marked.len() <= pv {
            self.marked.resize(pv + 1, false);
        }
        if !self.marked[pv] {
            self.marked[pv] = true;
            self.list.push(pv);
        }
    }

    /// The marked page views in ascending order; none are marked after.
    fn take(&mut self) -> Vec<usize> {
        let mut list = std::mem::take(&mut self.list);
        for &pv in &list {
            self.marked[pv] = false;
        }
        list.sort_unstable();
        list
    }
}

/// Who is asking [`Session::pv_for`] for a page view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placer {
    /// A top-frame pixel hit: may start a page view from its `dl`.
    TopHit,
    /// Other browser evidence (requests of frames, script loads, gestures).
    Other,
    /// A page record: may not shape page views.
    Page,
}

/// Largest look-back when matching a hit's `dl` to earlier page views.
const PAGE_LOOKBACK: usize = 64;
/// Records may arrive slightly out of order (page messages vs. webRequest).
const REORDER_SLACK_MS: f64 = 1000.0;
/// How far apart an fbq call and its network hit may be.
const FBQ_TO_HIT_MS: f64 = 5000.0;
/// The transition the extension records for a same-document URL change.
const HISTORY: &str = "history";

impl Session {
    pub fn new(config: DecodeConfig) -> Session {
        Session {
            config,
            ..Session::default()
        }
    }

    /// Builds a session from a whole journal.
    pub fn from_records(config: DecodeConfig, records: impl IntoIterator<Item = Record>) -> Session {
        let mut s = Session::new(config);
        for r in records {
            s.add(r);
        }
        s.refresh();
        s
    }

    /// Keeps a request that became a hit out of [`Session::records`]: the hit
    /// holds its URL, body and context, and the session counts it and its time
    /// ([`Session::record_count`], [`Session::time_span`]). For a one-shot
    /// audit of a large HAR (the CLI), whose packet reads the records only for
    /// their count and times; the panel's timeline and a stored journal keep
    /// them whole.
    pub fn slim_hit_records(mut self) -> Session {
        self.slim_hit_records = true;
        self
    }

    /// Records added, kept or not (see [`Session::slim_hit_records`]).
    pub fn record_count(&self) -> usize {
        self.records.len() + self.unkept
    }

    /// The earliest and latest finite record time, kept records or not.
    pub fn time_span(&self) -> Option<(f64, f64)> {
        self.records
            .iter()
            .filter_map(Record::time)
            .filter(|t| t.is_finite())
            .map(|t| (t, t))
            .chain(self.unkept_times)
            .reduce(|(lo, hi), (a, b)| (lo.min(a), hi.max(b)))
    }

    /// Room for `records` and the hits they may make, made once: a journal
    /// read whole (the CLI's HAR) need not double its lists, and hold both
    /// copies, as they grow (nor keep up to half of them as room never used).
    pub fn reserve(&mut self, records: &[Record]) {
        self.records.reserve_exact(records.len());
        let requests = records.iter().filter(|r| matches!(r, Record::Request(_))).count();
        self.journey.hits.reserve_exact(requests);
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    pub fn journey(&self) -> &Journey {
        &self.journey
    }

    /// Adds a stored journal (a JSON array of records, as the extension keeps
    /// it) and returns how many records it added: one that does not fit the
    /// journal format (say, from an older version) is skipped and costs no
    /// other. An error only when the text is not a JSON array.
    pub fn add_journal_json(&mut self, text: &str) -> Result<usize, serde_json::Error> {
        let (records, _) = crate::journal::lenient_records(text)?;
        let n = records.len();
        for r in records {
            self.add(r);
        }
        Ok(n)
    }

    /// Adds one record. Cheap: decoding, indexing and hit rules only; call
    /// [`Session::refresh`] (or [`Session::findings`]) to bring group and journey
    /// findings up to date.
    pub fn add(&mut self, mut record: Record) {
        let index = self.record_count();
        let hits_before = self.journey.hits.len();
        // A credential in a pasted request is a secret, never evidence: gone from
        // what the session keeps and exports, whoever stored it before.
        if let Record::ServerPayload(t) = &mut record {
            let (clean, removed) = crate::privacy::strip_credentials(&t.text);
            if let Some(clean) = clean {
                t.text = clean;
            }
            if !removed.is_empty() {
                self.journey.credentials_removed.push((t.label.clone(), removed));
            }
        }
        if let Some(t) = record.time().filter(|t| t.is_finite()) {
            self.journey.last_time = self.journey.last_time.max(t);
        }
        match &mut record {
            Record::Request(req) => self.add_request(index, req),
            Record::ScriptLoad(s) => self.add_script_load(s.clone()),
            Record::Navigation(n) => self.add_navigation(n),
            Record::FbqCall(c) => self.add_fbq_call(c.clone()),
            Record::Scripts(inv) => {
                let pv = self.pv_for(inv.time, inv.context.top_url.as_deref(), Placer::Page);
                self.mark_hook(pv);
                let page = &mut self.journey.pages[pv];
                let fbevents = inv
                    .scripts
                    .iter()
                    .filter(|s| tables::tracking_script_kind(s) == Some("fbevents"))
                    .count();
                page.fbevents_elements = page.fbevents_elements.max(fbevents);
                page.base_code_runs = page.base_code_runs.max(inv.base_code_runs);
                page.fbq_differs |= inv.fbq_differs_from_fbq_alias;
                page.never_loaded = inv.loaded == Some(false) && inv.queued_calls > 0;
                self.journey.inventories.push((pv, inv.clone()));
                self.dirty_pages.insert(pv);
            }
            // A gesture the page reported could be forged: it stays in the
            // journal (and the timeline) and never counts as an action.
            Record::Gesture(g) if !g.trusted() => {}
            Record::Gesture(g) => {
                let pv = self.pv_for(g.time, g.context.top_url.as_deref(), Placer::Other);
                self.journey.gestures.push((pv, g.clone()));
                // A gesture can clear `add_to_cart_without_action` for a hit up
                // to 5 s after it, in any page view (a click that submits a form
                // and the AddToCart of the page it opens), and splits repeated
                // AddToCart/ViewContent of one page view into separate actions.
                // Either way only groups with a hit at or after the gesture can
                // change; judging fewer made live results differ from a re-run
                // when a gesture arrived after a later navigation.
                let since = g.time - rules::GESTURE_SKEW_MS;
                let hits = &self.journey.hits;
                for (key, members) in &self.journey.groups {
                    if matches!(key.2.as_str(), "InitiateCheckout" | "PageView" | "Purchase") {
                        continue;
                    }
                    if members.iter().rev().any(|&i| hits[i].time >= since) {
                        self.dirty_groups.insert(key.clone());
                    }
                }
            }
            Record::FbLog(l) => {
                let pv = self.pv_for(l.time, l.context.top_url.as_deref(), Placer::Page);
                let index = self.journey.fb_logs.len();
                self.mark_hook(pv);
                self.journey.pages[pv].fb_logs.push(index);
                self.journey.fb_logs.push((pv, l.clone()));
                self.dirty_pages.insert(pv);
            }
            Record::Shopify(s) => self.add_shopify(s.clone()),
            Record::Consent(c) => {
                let pv = self.pv_for(c.time, c.context.top_url.as_deref(), Placer::Page);
                self.mark_hook(pv);
                if c.marketing_withheld() {
                    self.journey.consent_withheld.push(self.journey.consents.len());
                }
                self.journey.consents.push((pv, c.clone()));
                self.dirty_pages.insert(pv);
            }
            Record::ServerPayload(t) => match t
                .pixel_id
                .as_deref()
                .map(|id| stated_pixel_id(&t.label, id))
                .transpose()
                .and_then(|pixel| Ok((pixel, parse_capi_requests(&t.label, &t.text)?)))
            {
                Ok((pixel, requests)) => {
                    let first = self.journey.server_requests.len();
                    let server = self.journey.server.get_or_insert_with(Vec::new);
                    for r in requests {
                        let start = server.len();
                        server.extend(r.events.into_iter().map(|e| ServerEvent {
                            pixel_id: pixel.clone(),
                            ..e
                        }));
                        self.journey.server_requests.push(ServerRequest {
                            source: t.label.clone(),
                            place: r.place,
                            events: start..server.len(),
                            response: None,
                        });
                    }
                    self.last_payload = Some(first..self.journey.server_requests.len());
                }
                Err(e) => {
                    self.last_payload = None;
                    self.journey.input_errors.push(e);
                }
            },
            Record::ServerResponse(t) => self.add_server_response(&t.label, &t.text),
            Record::Order(t) => match parse_order_named(&t.label, &t.text, t.order_name.as_deref()) {
                Ok(o) => {
                    self.journey.order = Some(o);
                    self.journey.order_label = Some(t.label.clone());
                }
                Err(e) => self.journey.input_errors.push(e),
            },
            Record::GestureWatch(w) => {
                // One watch per document, and it covers every page view of it:
                // a page that changes its URL (replaceState, pushState) stays
                // the document the relay watches.
                let pv = self.pv_for(w.time, w.context.top_url.as_deref(), Placer::Other);
                let document = self.journey.page_views[pv].document;
                for p in document..self.journey.page_views.len() {
                    if self.journey.page_views[p].document == document {
                        self.set_watched(p);
                    }
                }
            }
            Record::RequestCount(c) => {
                // A running count per document, whichever of its URLs it was
                // sent under.
                let pv = self.pv_for(c.time, c.context.top_url.as_deref(), Placer::Other);
                let document = self.journey.page_views[pv].document;
                if let Some(frame) = c.context.frame_id {
                    let n = self.journey.request_counts.entry((document, frame)).or_default();
                    *n = (*n).max(c.count);
                }
            }
            Record::ListedRequest(l) => {
                let pv = self.pv_for(l.time, l.context.top_url.as_deref(), Placer::Other);
                self.journey.listed.push(crate::journey::Listed {
                    url: l.url.clone(),
                    page_view: pv,
                    time: l.time,
                });
            }
            Record::Dropped(d) => {
                self.journey.dropped += d.count;
                self.journey.drops.push(d.clone());
            }
        }
        self.journey_dirty = true;
        // The newest page's rules depend on the clock (a call may still be in flight).
        if let Some(newest) = self.journey.page_views.len().checked_sub(1) {
            self.dirty_pages.insert(newest);
        }
        if self.slim_hit_records && self.journey.hits.len() > hits_before {
            self.unkept += 1;
            if let Some(t) = record.time().filter(|t| t.is_finite()) {
                let (lo, hi) = self.unkept_times.get_or_insert((t, t));
                (*lo, *hi) = (lo.min(t), hi.max(t));
            }
            return;
        }
        self.records.push(record);
    }

    /// Meta's response to the latest payload: its documents answer that
    /// payload's requests in order.
    fn add_server_response(&mut self, label: &str, text: &str) {
        let hint = "add Meta's response right after the Conversions API payload it answers \
                    (CLI: --server-response FILE after its --server FILE)";
        let responses = match parse_capi_response(label, text) {
            Ok(r) => r,
            Err(e) => return self.journey.input_errors.push(e),
        };
        let Some(requests) = self.last_payload.clone() else {
            return self.journey.input_errors.push(InputError {
                input: label.into(),
                place: "(top level)".into(),
                problem: "no readable Conversions API payload comes before this response".into(),
                hint: hint.into(),
            });
        };
        if responses.len() > requests.len() {
            return self.journey.input_errors.push(InputError {
                input: label.into(),
                place: format!("document {}", requests.len() + 1),
                problem: format!(
                    "{} responses for a payload of {} request(s)",
                    responses.len(),
                    requests.len()
                ),
                hint: hint.into(),
            });
        }
        for (i, r) in requests.zip(responses) {
            self.journey.server_requests[i].response = Some(r);
        }
    }

    /// A request that becomes a hit gives it its URL when the session does
    /// not keep it ([`Session::slim_hit_records`]): never copied.
    fn add_request(&mut self, index: usize, req: &mut CapturedRequest) {
        let Some(decoded) = decode(req, &self.config) else {
            if tables::tracking_script_kind(&req.url).is_some() {
                self.add_script_load(ScriptLoad {
                    url: req.url.clone(),
                    context: req.context.clone(),
                    time: req.time,
                    status: req.status,
                    origin: req.origin,
                });
            } else {
                self.journey.ignored_requests += 1;
            }
            return;
        };
        let dl = decoded.get("dl");
        let top = !matches!(req.context.frame_type, Some(FrameType::Sub) | Some(FrameType::Worker))
            && dl.is_none_or(|d| tables::shopify_sandbox_sender(d).is_none());
        let placer = if top { Placer::TopHit } else { Placer::Other };
        // The page the browser says the top frame showed when it sent this: a
        // `dl` the page wrote that names no page view of the journey makes
        // one, judged as part of that document.
        let shown = if top && req.context.frame_type == Some(FrameType::Main) {
            req.context.top_url.as_deref()
        } else {
            None
        };
        let pv = self.pv_for_hit(req.time, dl.or(req.context.top_url.as_deref()), placer, shown);
        let page_origin = self.journey.page_views[pv].origin.as_deref();
        let mut sender = sender::attribute(req, &decoded, page_origin);
        let network_sender = self.shared.text(&sender.label);
        let pixel_id = decoded.get("id").filter(|s| !s.is_empty()).map(|s| self.shared.text(s));
        let event = decoded.get("ev").filter(|s| !s.is_empty()).map(|s| self.shared.text(s));
        let event_id = decoded.get("eid").filter(|s| !s.trim().is_empty()).map(str::to_owned);
        let counted = decoded.endpoint != crate::decode::Endpoint::PrivacySandbox;
        if sender.provisional {
            if let Some(call) = self.matching_fbq_call(pv, event.as_deref(), event_id.as_deref(), req.time) {
                sender = sender::from_fbq_caller(&call, page_origin, sender.evidence);
            }
        }
        let sender = self.shared.sender(sender);
        let id = self.journey.hits.len() as u32 + 1;
        let mut hit = Hit {
            id,
            content_key: String::new(),
            order_id: None,
            record: index,
            pixel_id,
            event,
            event_id,
            time: req.time,
            page_view: pv,
            sender,
            network_sender,
            counted,
            url: if self.slim_hit_records {
                std::mem::take(&mut req.url)
            } else {
                req.url.clone()
            },
            method: self.shared.text(&req.method),
            request_type: req.request_type.as_deref().map(|t| self.shared.text(t)),
            context: self.shared.context(&req.context),
            origin: req.origin,
            decoded,
        };
        hit.content_key = hit.content_ids().join("\u{1f}");
        hit.order_id = hit.custom("order_id").map(str::to_owned);
        let hi = self.journey.hits.len();
        // Hit rules run once, now.
        if hit.counted {
            for rule in rules::of_scope(Scope::Hit) {
                rule.check_hit(&self.journey, &hit, &mut self.hit_findings);
            }
        }
        self.dirty_pages.insert(pv);
        if hit.counted {
            if !self.journey.pages[pv].gestures_watched {
                self.journey.unwatched_hit_pages.insert(pv);
            }
            self.note_retiring(None, hi, &hit.sender, &hit.network_sender, &hit.context, hit.page_view);
        }
        let page = &mut self.journey.pages[pv];
        page.hits.push(hi);
        if let Some(v) = hit.decoded.get("v").filter(|v| !v.is_empty()) {
            // Nearly every hit repeats its document's version: no copies for those.
            let doc = hit.context.document_url.as_deref().unwrap_or_default();
            match page.versions.get_mut(doc) {
                Some(versions) if versions.contains(v) => {}
                Some(versions) => {
                    versions.insert(v.to_owned());
                }
                None => {
                    page.versions.insert(doc.to_owned(), BTreeSet::from([v.to_owned()]));
                }
            }
        }
        if hit.counted {
            if hit.event.as_deref() == Some("Purchase") {
                page.purchase_hits += 1;
            }
            if let Some(p) = hit.pixel_id.as_deref().filter(|p| !self.journey.pixel_ids.contains(*p)) {
                self.journey.pixel_ids.insert(p.to_owned());
            }
            if let Some(cur) = hit.currency().filter(|_| hit.is_core()) {
                let cur = cur.trim();
                // A code already in capitals (nearly all) is looked up as it is.
                let known =
                    !cur.bytes().any(|b| b.is_ascii_lowercase()) && self.journey.core_currencies.contains_key(cur);
                if !cur.is_empty() && !known {
                    self.journey
                        .core_currencies
                        .entry(cur.to_ascii_uppercase())
                        .or_insert(hi);
                }
            }
            if hit.time.is_finite() {
                let first = self.journey.first_hit_time.get_or_insert(hit.time);
                *first = first.min(hit.time);
                let last = self.journey.last_hit_time.get_or_insert(hit.time);
                *last = last.max(hit.time);
            }
            for param in [BrowserId::Fbp, BrowserId::Fbc] {
                if let Some(v) = hit.decoded.get(param.param()).filter(|v| !v.is_empty()) {
                    // A journey's hits share their browser ids: the key is made once.
                    let ids = self.journey.browser_ids.of_mut(param);
                    match ids.get_mut(v) {
                        Some(hits) => hits.push(hi),
                        None => {
                            ids.insert(v.to_owned(), vec![hi]);
                        }
                    }
                }
            }
            if matches!(hit.event_name(), "ViewContent" | "AddToCart" | "Purchase")
                && (hit.custom("content_ids").is_some() || hit.custom("contents").is_some())
                && hit.custom("content_type").is_none_or(|t| t.trim().is_empty())
            {
                push_to(&mut self.journey.products_without_type, hit.event_name(), hi);
            }
            if hit.is_core() && hit.decoded.get("fbc").is_none_or(str::is_empty) {
                push_to(&mut self.journey.core_without_fbc, hit.event_name(), hi);
            }
            if let Some(rank) = tables::core_rank(hit.event_name()) {
                let first = &mut self.journey.first_core[rank];
                if first.is_none_or(|f| self.journey.hits[f].time > hit.time) {
                    *first = Some(hi);
                }
            }
            // Most hits join a group, an event and senders already known: the
            // group key is made once and its texts end in the event key, and
            // nothing else is copied unless it is new.
            let event = hit.event.as_deref().unwrap_or_default();
            let scope = if event == "Purchase" { ORDER_SCOPE } else { pv };
            let mut key = (
                scope,
                hit.pixel_id.as_deref().unwrap_or_default().to_owned(),
                event.to_owned(),
            );
            match self.journey.groups.get_mut(&key) {
                Some(members) => members.push(hi),
                None => {
                    self.journey.groups.insert(key.clone(), vec![hi]);
                }
            }
            if !self.dirty_groups.contains(&key) {
                self.dirty_groups.insert(key.clone());
            }
            if scope == ORDER_SCOPE && !self.journey.purchases_stale.contains(&key.1) {
                self.journey.purchases_stale.insert(key.1.clone());
            }
            push_to(&mut self.journey.by_event, event, hi);
            let event_key = (std::mem::take(&mut key.1), std::mem::take(&mut key.2));
            let summary = self.journey.events.entry(event_key).or_default();
            if !summary.senders.contains_key(&hit.sender.label) {
                summary.senders.insert(hit.sender.label.clone(), hi);
            }
            if !summary.network_senders.contains_key(&*hit.network_sender) {
                summary.network_senders.insert(hit.network_sender.to_string(), hi);
            }
            if let Some(eid) = &hit.event_id {
                if let Some(first) = summary.by_eid.first_or_insert(eid, hi, &self.journey.hits) {
                    summary
                        .repeated
                        .entry(eid.clone())
                        .or_insert_with(|| vec![first])
                        .push(hi);
                }
            }
        }
        self.journey.hits.push(hit);
    }

    fn add_script_load(&mut self, s: ScriptLoad) {
        let pv = self.pv_for(s.time, s.context.top_url.as_deref(), Placer::Other);
        if tables::tracking_script_kind(&s.url) == Some("fbevents") {
            let doc = s
                .context
                .document_url
                .clone()
                .unwrap_or_else(|| self.journey.page_views[pv].url.clone());
            self.journey.pages[pv]
                .fbevents_loads
                .push((doc, s.url.clone(), s.status));
            self.dirty_pages.insert(pv);
        }
        self.journey.script_loads.push((pv, s));
    }

    fn add_navigation(&mut self, n: &Navigation) {
        // A history navigation (pushState, replaceState: the browser reports
        // `history`) changes the URL of the document the tab shows.
        let same_document = n.transition.as_deref() == Some(HISTORY);
        // A hit that raced ahead of its navigation record already made an inferred page view.
        if let Some(last) = self.journey.page_views.last_mut() {
            let close = last.made_by_page || (last.time - n.time).abs() < 3000.0;
            if last.inferred && page_key(&last.url) == page_key(&n.url) && close {
                last.made_by_page = false;
                last.inferred = false;
                last.time = last.time.min(n.time);
                last.tab_id = n.tab_id;
                // The browser did show the page the hit named.
                last.shown_instead = None;
                let id = last.id;
                let document = if !same_document {
                    Some(id)
                } else if last.document != id {
                    None // already the document the browser said the hit came from
                } else {
                    self.current_document(n.tab_id, id)
                };
                if let Some(document) = document {
                    self.journey.page_views[id].document = document;
                    if self.journey.pages[document].gestures_watched {
                        self.set_watched(id);
                    }
                }
                return;
            }
        }
        let document = if same_document {
            self.current_document(n.tab_id, self.journey.page_views.len())
        } else {
            None
        };
        self.push_page_view(&n.url, n.time, false, n.tab_id, document);
    }

    /// The document the tab showed before page view `before`: that of the
    /// latest page view of the tab (or of unknown tab) before it.
    fn current_document(&self, tab: Option<i64>, before: usize) -> Option<usize> {
        self.journey.page_views[..before]
            .iter()
            .rev()
            .find(|p| tab.is_none() || p.tab_id.is_none() || p.tab_id == tab)
            .map(|p| p.document)
    }

    /// Turns the gesture rules on for page view `pv`; its hits' groups rerun.
    fn set_watched(&mut self, pv: usize) {
        if !self.journey.pages[pv].gestures_watched {
            self.journey.pages[pv].gestures_watched = true;
            self.journey.watched_pages += 1;
            self.journey.unwatched_hit_pages.remove(&pv);
            let from = (pv, String::new(), String::new());
            let to = (pv + 1, String::new(), String::new());
            self.dirty_groups
                .extend(self.journey.groups.range(from..to).map(|(k, _)| k.clone()));
        }
    }

    fn add_fbq_call(&mut self, c: FbqCall) {
        let pv = self.pv_for(c.time, c.context.top_url.as_deref(), Placer::Page);
        let doc = c.context.document_url.clone().unwrap_or_default();
        self.dirty_pages.insert(pv);
        self.mark_hook(pv);
        let call_index = self.journey.fbq_calls.len();
        let page = &mut self.journey.pages[pv];
        page.fbq_calls += 1;
        if c.method == "consent" {
            page.consent_calls.push(call_index);
        }
        if let Some((event, _)) = track_target(&c).filter(|(event, _)| tables::is_core_event(event)) {
            page.core_track_calls.push((call_index, event));
        }
        if track_target(&c).is_some() {
            page.track_calls += 1;
            page.last_track_call = Some(page.last_track_call.map_or(c.time, |t: f64| t.max(c.time)));
        }
        if c.method == "init" {
            if let Some(id) = c.args.first().map(json_text) {
                *page.inits.entry((doc, id)).or_default() += 1;
            }
        }
        // Refine hits that arrived before this call's record.
        if let (Some(caller), Some((event, eid))) = (c.caller.clone(), track_target(&c)) {
            let page_origin = self.journey.page_views[pv].origin.clone();
            let candidates: Vec<usize> = self.journey.pages[pv].hits.clone();
            for hi in candidates {
                let h = &self.journey.hits[hi];
                let in_window = h.time >= c.time - 50.0 && h.time <= c.time + FBQ_TO_HIT_MS;
                let same = h.event.as_deref() == Some(event.as_str())
                    && (eid.is_none() || h.event_id.is_none() || h.event_id == eid);
                if h.sender.provisional && in_window && same {
                    let refined = sender::from_fbq_caller(&caller, page_origin.as_deref(), h.sender.evidence.clone());
                    let pixel = h.pixel_id.as_deref().map(str::to_owned).unwrap_or_default();
                    let event = h.event.as_deref().map(str::to_owned).unwrap_or_default();
                    let refined = self.shared.sender(refined);
                    let scope = if event == "Purchase" { ORDER_SCOPE } else { pv };
                    let before = std::mem::replace(&mut self.journey.hits[hi].sender, refined);
                    if self.journey.hits[hi].counted {
                        let h = &self.journey.hits[hi];
                        let (sender, network, context) =
                            (h.sender.clone(), h.network_sender.clone(), h.context.clone());
                        self.note_retiring(Some(&*before), hi, &sender, &network, &context, pv);
                    }
                    self.rebuild_senders(&pixel, &event);
                    self.dirty_groups.insert((scope, pixel, event));
                    break;
                }
            }
        }
        self.journey.fbq_calls.push((pv, c));
    }

    /// Files a counted hit under the retiring source that sent it, if one did
    /// (`sender::retiring_source`); `before` is the sender an earlier
    /// attribution gave it, whose filing this replaces.
    fn note_retiring(
        &mut self,
        before: Option<&crate::model::Sender>,
        hi: usize,
        sender: &crate::model::Sender,
        network_label: &str,
        context: &crate::journal::Context,
        pv: usize,
    ) {
        let page = &self.journey.page_views[pv];
        let sources = &mut self.journey.retiring_sources;
        if let Some(old) = before {
            if let Some(key) = sender::retiring_source(old, network_label, context, page) {
                if let Some(hits) = sources.get_mut(&key) {
                    hits.retain(|&h| h != hi);
                    if hits.is_empty() {
                        sources.remove(&key);
                    }
                }
            }
        }
        if let Some(key) = sender::retiring_source(sender, network_label, context, page) {
            sources.entry(key).or_default().push(hi);
        }
    }

    /// Notes that the page hook reported from `pv`. The first report turns on the
    /// gesture-based rules for the hits already placed there, so their groups rerun.
    fn mark_hook(&mut self, pv: usize) {
        if !self.journey.pages[pv].hook_seen {
            self.journey.pages[pv].hook_seen = true;
            let from = (pv, String::new(), String::new());
            let to = (pv + 1, String::new(), String::new());
            self.dirty_groups
                .extend(self.journey.groups.range(from..to).map(|(k, _)| k.clone()));
        }
    }

    /// Recomputes one (pixel, event) sender map after a hit was re-attributed.
    fn rebuild_senders(&mut self, pixel: &str, event: &str) {
        let Some(hits) = self.journey.by_event.get(event) else {
            return;
        };
        let mut senders = BTreeMap::new();
        for &hi in hits {
            let h = &self.journey.hits[hi];
            if h.pixel_id.as_deref().unwrap_or("") == pixel {
                senders.entry(h.sender.label.clone()).or_insert(hi);
            }
        }
        if let Some(summary) = self.journey.events.get_mut(&(pixel.to_owned(), event.to_owned())) {
            summary.senders = senders;
        }
    }

    fn add_shopify(&mut self, s: ShopifyContext) {
        let pv = self.pv_for(s.time, s.context.top_url.as_deref(), Placer::Page);
        self.mark_hook(pv);
        // What the page says its type is adds detail to a page view the URL
        // could not place, and may mark an order page (adding doubt); it never
        // turns an order page by URL into something else.
        let known = self.journey.page_views[pv].kind;
        let said = s.page_type.as_deref().and_then(PageKind::from_shopify_page_type);
        if let Some(kind) =
            said.filter(|k| *k == PageKind::ThankYou || matches!(known, PageKind::Other | PageKind::Home))
        {
            if kind != known {
                self.journey.page_views[pv].kind = kind;
                self.journey.page_views[pv].kind_from_page = true;
            }
            if kind == PageKind::ThankYou {
                let key = page_key(&self.journey.page_views[pv].url).to_owned();
                let pvs = self.journey.order_pages.entry(key).or_default();
                if !pvs.contains(&pv) {
                    pvs.push(pv);
                }
            }
        }
        if let Some(shop) = &s.shop {
            self.journey.shop = Some(shop.clone());
        }
        if let Some(c) = s.cart_item_count {
            self.journey.cart_item_count = Some(c);
        }
        if let Some(o) = &s.order {
            self.journey.page_order = Some(o.clone());
        }
        self.journey.shopify.push((pv, s));
    }

    /// The fbq caller of the latest matching track call before `time`.
    fn matching_fbq_call(&self, pv: usize, event: Option<&str>, eid: Option<&str>, time: f64) -> Option<String> {
        let event = event?;
        self.journey
            .fbq_calls
            .iter()
            .rev()
            .take(256)
            .filter(|(p, _)| *p == pv)
            .filter(|(_, c)| c.time <= time + 50.0 && c.time >= time - FBQ_TO_HIT_MS)
            .find(|(_, c)| {
                track_target(c).is_some_and(|(ev, ceid)| {
                    ev == event && (ceid.is_none() || eid.is_none() || ceid.as_deref() == eid)
                })
            })
            .and_then(|(_, c)| c.caller.clone())
    }

    /// Finds (or makes) the page view a record at `time` belongs to.
    fn pv_for(&mut self, time: f64, url: Option<&str>, placer: Placer) -> usize {
        self.pv_for_hit(time, url, placer, None)
    }

    /// [`Session::pv_for`] for a hit, with the page the browser said its frame
    /// showed (`shown`).
    fn pv_for_hit(&mut self, time: f64, url: Option<&str>, placer: Placer, shown: Option<&str>) -> usize {
        let pv = self.find_pv(time, url, placer, shown);
        // A page view a page record had to make (nothing else was there yet)
        // takes the time of the first browser evidence placed in it: a page
        // record never decides where page views begin.
        if placer != Placer::Page && self.journey.page_views[pv].made_by_page {
            let view = &mut self.journey.page_views[pv];
            view.made_by_page = false;
            view.time = time;
        }
        pv
    }

    fn find_pv(&mut self, time: f64, url: Option<&str>, placer: Placer, shown: Option<&str>) -> usize {
        let web = |u: &str| u.starts_with("http://") || u.starts_with("https://");
        if let Some(url) = url.filter(|u| !u.is_empty()) {
            let key = page_key(url);
            if let Some(pv) = self.known_pv(time, key) {
                return pv;
            }
            if placer == Placer::TopHit && web(url) {
                // The `dl` names a page no navigation showed. When the browser
                // said the frame showed another page, the hit belongs to that
                // page's document whatever it claims, and says so.
                let Some(shown) = shown.filter(|s| web(s) && page_key(s) != key) else {
                    return self.push_page_view(url, time, true, None, None);
                };
                let home = match self.known_pv(time, page_key(shown)) {
                    Some(pv) => pv,
                    None => self.push_page_view(shown, time, true, None, None),
                };
                // Browser evidence of that page, as in `pv_for`.
                let view = &mut self.journey.page_views[home];
                if view.made_by_page {
                    view.made_by_page = false;
                    view.time = time;
                }
                let document = view.document;
                let id = self.push_page_view(url, time, true, None, Some(document));
                self.journey.page_views[id].shown_instead = Some(shown.to_owned());
                return id;
            }
        }
        let views = &self.journey.page_views;
        if let Some(pv) = views.iter().rev().find(|p| p.time <= time + REORDER_SLACK_MS) {
            return pv.id;
        }
        if let Some(pv) = views.first() {
            return pv.id;
        }
        let id = self.push_page_view(url.unwrap_or("(unknown page)"), time, true, None, None);
        self.journey.page_views[id].made_by_page = placer == Placer::Page;
        id
    }

    /// The page view a record at `time` naming the page `key` belongs to, if
    /// one of the latest shows it.
    fn known_pv(&self, time: f64, key: &str) -> Option<usize> {
        let views = &self.journey.page_views;
        let fits = |p: &PageView| (p.made_by_page || p.time <= time + REORDER_SLACK_MS) && has_page_key(&p.url, key);
        if self.page_key_hashes.len() != views.len() {
            return views.iter().rev().take(PAGE_LOOKBACK).find(|p| fits(p)).map(|p| p.id);
        }
        let hash = page_key_hash(key);
        let from = views.len().saturating_sub(PAGE_LOOKBACK);
        (from..views.len())
            .rev()
            .find(|&i| self.page_key_hashes[i] == hash && fits(&views[i]))
            .map(|i| views[i].id)
    }

    /// Adds a page view; `document` when it continues an earlier page view's
    /// document (else it begins its own), whose gesture watch it shares.
    fn push_page_view(
        &mut self,
        url: &str,
        time: f64,
        inferred: bool,
        tab_id: Option<i64>,
        document: Option<usize>,
    ) -> usize {
        let id = self.journey.page_views.len();
        // One read of the page URL for its kind, its origin and more.
        let PageFacts {
            kind,
            origin,
            legacy_order_status,
        } = PageFacts::of(url);
        let key = page_key(url);
        if kind == PageKind::ThankYou {
            self.journey.order_pages.entry(key.to_owned()).or_default().push(id);
        }
        if self.page_key_hashes.len() == id {
            self.page_key_hashes.push(page_key_hash(key));
        }
        self.journey.page_views.push(PageView {
            id,
            url: url.to_owned(),
            time,
            kind,
            inferred,
            tab_id,
            origin,
            made_by_page: false,
            kind_from_page: false,
            document: document.unwrap_or(id),
            shown_instead: None,
            legacy_order_status,
        });
        let watched = document.is_some_and(|d| self.journey.pages[d].gestures_watched);
        self.journey.pages.push(PageSummary {
            gestures_watched: watched,
            ..PageSummary::default()
        });
        self.page_findings.push(Vec::new());
        // The page before this one is no longer the newest: its in-flight grace ends.
        if let Some(prev) = id.checked_sub(1) {
            self.dirty_pages.insert(prev);
        }
        self.dirty_pages.insert(id);
        id
    }

    /// Brings group and journey findings up to date.
    pub fn refresh(&mut self) {
        for pixel in std::mem::take(&mut self.journey.purchases_stale) {
            let key = (ORDER_SCOPE, pixel, "Purchase".to_owned());
            let orders = match self.journey.groups.get(&key) {
                Some(hits) => crate::purchases::index(&self.journey, hits),
                None => Vec::new(),
            };
            self.journey.purchase_orders.insert(key.1, orders);
        }
        #[cfg(debug_assertions)]
        {
            let fresh = crate::purchases::index_all(&self.journey);
            debug_assert!(
                fresh == self.journey.purchase_orders,
                "orders kept apart from a fresh split"
            );
        }
        let dirty: Vec<GroupKey> = self.dirty_groups.drain().collect();
        for key in dirty {
            let mut out = Vec::new();
            if let Some(hits) = self.journey.groups.get(&key) {
                for rule in rules::of_scope(Scope::Group) {
                    rule.check_group(&self.journey, &key, hits, &mut out);
                }
            }
            self.group_findings.insert(key, out);
        }
        for pv in self.dirty_pages.take() {
            let mut out = Vec::new();
            for rule in rules::of_scope(Scope::Page) {
                rule.check_page(&self.journey, pv, &mut out);
            }
            self.page_findings[pv] = out;
        }
        if self.journey_dirty {
            let mut out = Vec::new();
            for rule in rules::of_scope(Scope::Journey) {
                rule.check_journey(&self.journey, &mut out);
            }
            self.journey_findings = out;
            self.journey_dirty = false;
        }
    }

    /// All findings, sorted by severity, then registry order, then first hit.
    pub fn findings(&mut self) -> Vec<Finding> {
        self.refresh();
        // Each code's rank is looked up once (a search of the registry), not
        // at every comparison.
        let mut all: Vec<(usize, Finding)> = self
            .cached_findings()
            .map(|f| (crate::rules::rank(f.code), f.clone()))
            .collect();
        crate::sort::sort_by(&mut all, |(ra, a), (rb, b)| {
            (a.severity, ra, a.hit_ids.first(), &a.event).cmp(&(b.severity, rb, b.hit_ids.first(), &b.event))
        });
        all.into_iter().map(|(_, f)| f).collect()
    }

    /// The codes of `fail` findings, each once, in the order [`Session::findings`]
    /// names them: what the gate's blocking list and the badge need, without
    /// copying and sorting every finding (`results::gate_blocked_by`).
    pub fn fail_codes(&mut self) -> Vec<&'static str> {
        self.refresh();
        let mut codes = rules::fail_codes(self.cached_findings());
        crate::sort::sort_by_key(&mut codes, |c| crate::rules::rank(c));
        codes
    }

    /// Every finding cached, in no particular order.
    fn cached_findings(&self) -> impl Iterator<Item = &Finding> {
        self.hit_findings
            .iter()
            .chain(self.group_findings.values().flatten())
            .chain(self.page_findings.iter().flatten())
            .chain(self.journey_findings.iter())
    }

    /// Number of findings currently cached (after `refresh`), without cloning them.
    pub fn finding_count(&self) -> usize {
        self.hit_findings.len()
            + self.group_findings.values().map(Vec::len).sum::<usize>()
            + self.page_findings.iter().map(Vec::len).sum::<usize>()
            + self.journey_findings.len()
    }

    /// Reruns every rule over the whole journey (what a non-incremental engine
    /// would do on each record). Used by the benchmark and to apply new rules
    /// to an old journal; results equal the incremental ones.
    pub fn reevaluate(&mut self) {
        self.journey.purchase_orders = crate::purchases::index_all(&self.journey);
        self.journey.purchases_stale.clear();
        self.hit_findings.clear();
        for hit in self.journey.hits.iter().filter(|h| h.counted) {
            for rule in rules::of_scope(Scope::Hit) {
                rule.check_hit(&self.journey, hit, &mut self.hit_findings);
            }
        }
        // Every group, in place: the cached entries keep their keys (cloning and
        // dropping 10,000 keys' strings was a fifth of this function).
        self.group_findings
            .retain(|key, _| self.journey.groups.contains_key(key));
        for (key, hits) in &self.journey.groups {
            let out = match self.group_findings.get_mut(key) {
                Some(out) => {
                    out.clear();
                    out
                }
                None => self.group_findings.entry(key.clone()).or_default(),
            };
            for rule in rules::of_scope(Scope::Group) {
                rule.check_group(&self.journey, key, hits, out);
            }
        }
        self.dirty_groups.clear();
        for pv in 0..self.journey.page_views.len() {
            self.dirty_pages.insert(pv);
        }
        self.journey_dirty = true;
        self.refresh();
    }
}

/// Adds `hit` to the list of `key`; the key is copied only when it is new.
fn push_to(map: &mut BTreeMap<String, Vec<usize>>, key: &str, hit: usize) {
    match map.get_mut(key) {
        Some(hits) => hits.push(hit),
        None => {
            map.insert(key.to_owned(), vec![hit]);
        }
    }
}

/// For a track call: (event name, eventID from the options argument).
pub(crate) fn track_target(c: &FbqCall) -> Option<(String, Option<String>)> {
    let (ev_arg, opts_arg) = match c.method.as_str() {
        "track" | "trackCustom" => (0, 2),
        "trackSingle" | "trackSingleCustom" => (1, 3),
        _ => return None,
    };
    let event = c.args.get(ev_arg).map(json_text)?;
    let eid = c.args.get(opts_arg).and_then(|o| o.get("eventID")).map(json_text);
    Some((event, eid))
}

fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
