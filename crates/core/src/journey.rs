//! The journey: everything derived from the journal, in the shape the rules
//! read it — hits and page views, per-page and per-event summaries, the groups
//! a group rule judges, and the server payloads and order figures supplied.
//!
//! Only [`crate::session::Session`] writes it, one record at a time; rules and
//! results only read it. It lives apart from the session so the rules depend on
//! the data they judge and not on the engine that runs them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::inputs::{CapiResponse, InputError, OrderFigures, ServerEvent};
use crate::journal::{Consent, FbLog, FbqCall, Gesture, ScriptInventory, ScriptLoad, ShopifyContext};
use crate::model::{Hit, PageView};

/// (scope, pixel id, event name): the unit a group rule judges. The scope is
/// the page view, because one business action never spans page views — except
/// Purchase, whose order can be revisited, so Purchase uses [`ORDER_SCOPE`].
/// Hits without a pixel id or event use "".
pub type GroupKey = (usize, String, String);

/// Scope of the journey-wide Purchase group.
pub const ORDER_SCOPE: usize = usize::MAX;

/// Per (pixel, event) summaries kept up to date on every hit, so journey rules
/// about senders and ids never rescan the hits.
#[derive(Debug, Clone, Default)]
pub struct EventSummary {
    /// Sender label → index of its first hit.
    pub senders: BTreeMap<String, usize>,
    /// The same by network evidence alone (labels before page refinement).
    pub network_senders: BTreeMap<String, usize>,
    /// The first hit of each eid: what tells a repeat.
    pub by_eid: EidIndex,
    /// eids seen more than once → every hit carrying them, in arrival order.
    pub repeated: BTreeMap<String, Vec<usize>>,
}

/// The first hit carrying each eid, kept by a hash of the eid rather than
/// the eid itself: nearly every hit has an eid of its own, and a copy of each
/// (its text, a list of hits with one entry) was a tenth of the memory a
/// large capture's session takes. The hit holds the eid; the index compares
/// with it, so two eids of one hash are still told apart (the second is kept
/// by its text).
#[derive(Debug, Clone, Default)]
pub struct EidIndex {
    by_hash: HashMap<u64, usize>,
    /// eids whose hash an earlier, different eid has.
    others: HashMap<String, usize>,
}

impl EidIndex {
    /// Notes that hit `hit` carries `eid`; the first earlier hit that carried
    /// it, if one did. `hits` holds every earlier hit noted.
    pub fn first_or_insert(&mut self, eid: &str, hit: usize, hits: &[Hit]) -> Option<usize> {
        use std::collections::hash_map::Entry;
        match self.by_hash.entry(eid_hash(eid)) {
            Entry::Vacant(v) => {
                v.insert(hit);
                None
            }
            Entry::Occupied(o) if hits[*o.get()].event_id.as_deref() == Some(eid) => Some(*o.get()),
            Entry::Occupied(_) => match self.others.entry(eid.to_owned()) {
                Entry::Vacant(v) => {
                    v.insert(hit);
                    None
                }
                Entry::Occupied(o) => Some(*o.get()),
            },
        }
    }
}

/// Distinct `fbp` and `fbc` values of counted hits → the hits carrying them,
/// a map per parameter: a hit's value is looked up as the text it is (one
/// map of (parameter, value) keys was searched through a trait object).
#[derive(Debug, Clone, Default)]
pub struct BrowserIds {
    pub fbc: BTreeMap<String, Vec<usize>>,
    pub fbp: BTreeMap<String, Vec<usize>>,
}

impl BrowserIds {
    /// The map of `param` (`fbp` or `fbc`).
    pub fn of_mut(&mut self, param: BrowserId) -> &mut BTreeMap<String, Vec<usize>> {
        match param {
            BrowserId::Fbc => &mut self.fbc,
            BrowserId::Fbp => &mut self.fbp,
        }
    }

    /// Every (parameter, value) with its hits: the `fbc` values, then the
    /// `fbp` values, each in text order.
    pub fn iter(&self) -> impl Iterator<Item = ((&'static str, &String), &Vec<usize>)> {
        self.fbc
            .iter()
            .map(|(v, hits)| (("fbc", v), hits))
            .chain(self.fbp.iter().map(|(v, hits)| (("fbp", v), hits)))
    }
}

/// The browser id parameters [`BrowserIds`] files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrowserId {
    Fbp,
    Fbc,
}

impl BrowserId {
    pub fn param(self) -> &'static str {
        match self {
            BrowserId::Fbp => "fbp",
            BrowserId::Fbc => "fbc",
        }
    }
}

/// Per-page-view summaries the journey rules read.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PageSummary {
    /// Indices of hits placed in this page view.
    pub hits: Vec<usize>,
    pub fbq_calls: usize,
    /// `fbq('init', id)` count per (document, pixel id).
    pub inits: BTreeMap<(String, String), u32>,
    /// `v` values per document URL.
    pub versions: BTreeMap<String, BTreeSet<String>>,
    /// fbevents.js loads seen on the network: (document, url, status).
    pub fbevents_loads: Vec<(String, String, Option<u16>)>,
    /// Whether the page hook reported from this page view.
    pub hook_seen: bool,
    /// Whether the extension watched this page view for trusted gestures: the
    /// gesture rules judge only where a missing gesture means there was none.
    pub gestures_watched: bool,
    pub purchase_hits: usize,
    /// fbq track calls and the time of the latest.
    pub track_calls: usize,
    pub last_track_call: Option<f64>,
    /// From the page hook's script inventories (maxima over snapshots).
    pub fbevents_elements: usize,
    pub base_code_runs: u32,
    pub fbq_differs: bool,
    /// fbq.loaded stayed false with calls queued.
    pub never_loaded: bool,
    /// Indices into `Journey::fb_logs`.
    pub fb_logs: Vec<usize>,
    /// Indices into `Journey::fbq_calls` of `fbq('consent', …)` calls, and of
    /// track calls for a core event (with the event): what `consent_revoked` weighs.
    pub consent_calls: Vec<usize>,
    pub core_track_calls: Vec<(usize, String)>,
}

/// One Conversions API request the user supplied: where it is, which of
/// `Journey::server` are its events, and what Meta answered.
#[derive(Debug, Clone)]
pub struct ServerRequest {
    /// The payload's label.
    pub source: String,
    /// Where in the payload: `data`, `document 2: data`.
    pub place: String,
    /// Its events, as indices into `Journey::server`.
    pub events: std::ops::Range<usize>,
    /// Meta's response to it, when one was supplied (the latest wins).
    pub response: Option<CapiResponse>,
}

impl ServerRequest {
    /// The request for a message: `capi.json data (3 events)`.
    pub fn describe(&self) -> String {
        let n = self.events.len();
        format!(
            "{} {} ({n} event{})",
            self.source,
            self.place,
            if n == 1 { "" } else { "s" }
        )
    }
}

fn eid_hash(eid: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    eid.hash(&mut hasher);
    hasher.finish()
}

/// A pixel request a document's Resource Timing listed: its URL (redacted as a
/// captured one's is), the page view it was placed in and when it arrived.
#[derive(Debug, Clone)]
pub struct Listed {
    pub url: String,
    pub page_view: usize,
    pub time: f64,
}

/// All derived data. Rules read it; only [`crate::Session`] writes it.
#[derive(Debug, Default)]
pub struct Journey {
    pub hits: Vec<Hit>,
    pub page_views: Vec<PageView>,
    pub pages: Vec<PageSummary>,
    /// Counted hits per group (see [`GroupKey`]), in arrival order.
    pub groups: BTreeMap<GroupKey, Vec<usize>>,
    /// Counted hits per event name, in arrival order.
    pub by_event: BTreeMap<String, Vec<usize>>,
    /// Summaries per (pixel, event).
    pub events: BTreeMap<(String, String), EventSummary>,
    pub fbq_calls: Vec<(usize, FbqCall)>,
    pub inventories: Vec<(usize, ScriptInventory)>,
    pub script_loads: Vec<(usize, ScriptLoad)>,
    pub gestures: Vec<(usize, Gesture)>,
    pub fb_logs: Vec<(usize, FbLog)>,
    /// Order confirmation pages by URL (without fragment) → their page views.
    /// Hashed, not ordered: order pages' URLs share a long prefix, and each
    /// new one was compared with a dozen others byte by byte; a reader that
    /// needs them in URL order sorts what it reports.
    pub order_pages: HashMap<String, Vec<usize>>,
    pub shopify: Vec<(usize, ShopifyContext)>,
    /// Consent states the page's Customer Privacy API reported (page evidence).
    pub consents: Vec<(usize, Consent)>,
    /// Indices into `consents` of reports that marketing consent is withheld.
    pub consent_withheld: Vec<usize>,
    /// Counted hits sent by a source Shopify is switching off, by (finding
    /// code, the script or page that sent them): what `pixel_in_script_tag`
    /// and `pixel_in_order_status_script` read.
    pub retiring_sources: BTreeMap<(&'static str, String), Vec<usize>>,
    /// Page views with counted hits where the extension's page scripts never
    /// ran (no gesture watch from its isolated world), and how many page views
    /// they did run in: what `page_hook_missing` reads.
    pub unwatched_hit_pages: BTreeSet<usize>,
    pub watched_pages: usize,
    /// `None` until the user supplies at least one valid payload.
    pub server: Option<Vec<ServerEvent>>,
    /// The requests those events came in (one per JSON document of a
    /// payload), in order, each with Meta's answer once one is supplied.
    pub server_requests: Vec<ServerRequest>,
    /// Counted ViewContent, AddToCart and Purchase hits that name products
    /// (`content_ids` or `contents`) without a `content_type`, per event.
    pub products_without_type: BTreeMap<String, Vec<usize>>,
    /// Order figures supplied by the user (latest valid wins).
    pub order: Option<OrderFigures>,
    /// The label of the input those figures came from.
    pub order_label: Option<String>,
    /// Order figures read from the order status page.
    pub page_order: Option<OrderFigures>,
    /// Latest cart item count the page exposed.
    pub cart_item_count: Option<u32>,
    pub input_errors: Vec<InputError>,
    /// Per pasted server payload (its label), the credential fields removed
    /// from it before it was kept (`tables::CREDENTIAL_FIELDS`).
    pub credentials_removed: Vec<(String, Vec<&'static str>)>,
    /// Index of the first counted hit per core event (by time).
    pub first_core: [Option<usize>; 4],
    pub pixel_ids: BTreeSet<String>,
    /// Currencies used by counted core hits (upper-cased) → first hit index.
    pub core_currencies: BTreeMap<String, usize>,
    pub dropped: u64,
    /// The `dropped` records, in journal order.
    pub drops: Vec<crate::journal::Dropped>,
    /// Pixel requests each document's Resource Timing listed, by (the page
    /// view that began the document, frame id): the highest running count
    /// reported.
    pub request_counts: BTreeMap<(usize, i64), u64>,
    /// GET pixel requests the documents' Resource Timing listed with their
    /// URLs (page-reported), in journal order.
    pub listed: Vec<Listed>,
    /// Latest record time seen (ms).
    pub last_time: f64,
    /// Earliest and latest time of a counted hit (ms): the capture as the
    /// network saw it, which page records cannot stretch.
    pub first_hit_time: Option<f64>,
    pub last_hit_time: Option<f64>,
    /// Distinct `fbp` and `fbc` values of counted hits → the hits carrying
    /// them: the identity rules judge each value once, not each hit.
    pub browser_ids: BrowserIds,
    /// Counted core hits without an `fbc`, per event.
    pub core_without_fbc: BTreeMap<String, Vec<usize>>,
    /// Requests the decoder did not treat as pixel hits.
    pub ignored_requests: u64,
    pub shop: Option<String>,
    /// Each pixel's counted Purchases split into orders and their parts
    /// ([`crate::purchases`]), by hit index. The session recomputes a pixel's
    /// in its next refresh once a Purchase joins it (`purchases_stale` names
    /// those pixels until then, and the orders are then found afresh).
    pub(crate) purchase_orders: BTreeMap<String, Vec<crate::order_parts::OrderIndex>>,
    pub(crate) purchases_stale: BTreeSet<String>,
}

impl Journey {
    pub fn hit(&self, idx: usize) -> &Hit {
        &self.hits[idx]
    }

    /// The events of one supplied request.
    pub fn request_events(&self, r: &ServerRequest) -> &[ServerEvent] {
        self.server
            .as_deref()
            .and_then(|s| s.get(r.events.clone()))
            .unwrap_or_default()
    }

    /// Order figures to reconcile against: the user's, else the page's.
    pub fn order_figures(&self) -> Option<&OrderFigures> {
        self.order.as_ref().or(self.page_order.as_ref())
    }

    /// Whether the order figures in use are only what the page exposed (no
    /// order supplied by the user): they may add doubt, never settle a check.
    pub fn order_from_page(&self) -> bool {
        self.order.is_none() && self.page_order.is_some()
    }

    /// Whether the page hook reported anything at all in this journey.
    pub fn hook_seen(&self) -> bool {
        self.pages.iter().any(|p| p.hook_seen)
    }

    /// Counted hits of one event, any pixel, in arrival order.
    pub fn hits_of<'a>(&'a self, event: &'a str) -> impl Iterator<Item = &'a Hit> + 'a {
        self.by_event
            .get(event)
            .into_iter()
            .flat_map(move |idx| idx.iter().map(move |i| &self.hits[*i]))
    }

    /// The distinct senders of `event`'s counted hits, every pixel's, sorted:
    /// read from the per-pixel event summaries (which the session keeps as
    /// hits arrive and senders are refined), not from every hit.
    pub fn senders_of(&self, event: &str) -> Vec<&str> {
        self.distinct_of(event, |s| &s.senders)
    }

    /// Per pixel that sent `event` (by pixel id): its distinct senders, and
    /// those by network evidence alone. Meta counts each pixel's events on
    /// their own, so one sender per event is judged per pixel.
    pub fn senders_by_pixel(&self, event: &str) -> Vec<(&str, Vec<&str>, Vec<&str>)> {
        self.events
            .iter()
            .filter(|((_, e), _)| e == event)
            .map(|((pixel, _), s)| {
                (
                    pixel.as_str(),
                    s.senders.keys().map(String::as_str).collect(),
                    s.network_senders.keys().map(String::as_str).collect(),
                )
            })
            .collect()
    }

    fn distinct_of<'a>(
        &'a self,
        event: &str,
        of: impl Fn(&'a EventSummary) -> &'a BTreeMap<String, usize>,
    ) -> Vec<&'a str> {
        crate::sort::distinct(
            self.events
                .iter()
                .filter(|((_, e), _)| e == event)
                .flat_map(|(_, s)| of(s).keys().map(String::as_str)),
        )
    }

    /// Whether any counted hit was captured.
    pub fn has_hits(&self) -> bool {
        !self.by_event.is_empty()
    }

    /// The order page a page view shows, as its URL without query and
    /// fragment, when its URL says it is one (a thank-you page holds its
    /// checkout's token, an order status page its order's): a reload of it,
    /// or a return to it, is a page view of the same order. `None` for any
    /// other page, and for one only the page said was an order page.
    pub fn order_page_key(&self, pv: usize) -> Option<&str> {
        let page = self.page_views.get(pv)?;
        if page.kind != crate::model::PageKind::ThankYou || page.kind_from_page {
            return None;
        }
        let url = page.url.as_str();
        Some(url.split(['?', '#']).next().unwrap_or(url))
    }

    /// The page view a Purchase placed in `pv` is grouped by, as `seen`
    /// remembers order pages: the first page view of its order-page URL (a
    /// reload of the thank-you page, or a return to it, is the same order),
    /// else `pv` itself. What `duplicate_event` and the orders share.
    pub fn order_page_of<'a>(&'a self, seen: &mut HashMap<&'a str, usize>, pv: usize) -> usize {
        match self.order_page_key(pv) {
            Some(key) => *seen.entry(key).or_insert(pv),
            None => pv,
        }
    }

    /// Whether a page view is a load of Shopify's order status page
    /// (`/<shop id>/orders/<token>`), where a shopper comes back from the
    /// order's e-mail. Not the legacy checkout's own thank-you page, and not a
    /// page view the page made (a history entry) or only a hit's `dl` named.
    pub fn is_order_status_load(&self, pv: usize) -> bool {
        self.page_views
            .get(pv)
            .is_some_and(|p| p.legacy_order_status && !p.inferred && p.document == pv && p.url.contains("/orders/"))
            && self.order_page_key(pv).is_some()
    }

    /// Trusted gestures recorded in [from, to] ms, in the same tab when known.
    pub fn gestures_between(&self, tab: Option<i64>, from: f64, to: f64) -> usize {
        self.gestures
            .iter()
            .filter(|(_, g)| g.time >= from && g.time <= to)
            .filter(|(_, g)| tab.is_none() || g.context.tab_id.is_none() || g.context.tab_id == tab)
            .count()
    }

    /// The origin of the store (first page view's origin).
    pub fn store_origin(&self) -> Option<String> {
        self.page_views.iter().find_map(|p| p.origin.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::{eid_hash, EidIndex};
    use crate::rules::testkit::*;

    /// Repeats are told by the eid, not its hash: an eid whose hash an
    /// earlier, different eid has is no repeat of it, and is one of itself.
    #[test]
    fn eids_of_one_hash_are_told_apart() {
        let s = J::new()
            .nav("https://shop.test/thank_you")
            .hit("Purchase", &[("eid", "o-1")])
            .hit("Purchase", &[("eid", "o-2")])
            .hit("Purchase", &[("eid", "o-2")])
            .hit("Purchase", &[("eid", "o-1")])
            .session();
        let hits = &s.journey().hits;
        let mut index = EidIndex::default();
        assert_eq!(index.first_or_insert("o-1", 0, hits), None);
        // As if "o-2" hashed to what "o-1" does.
        index.by_hash.insert(eid_hash("o-2"), 0);
        assert_eq!(index.first_or_insert("o-2", 1, hits), None, "not a repeat of o-1");
        assert_eq!(index.first_or_insert("o-2", 2, hits), Some(1));
        assert_eq!(index.first_or_insert("o-1", 3, hits), Some(0));
        let repeated = &s.journey().events[&(PIXEL.to_owned(), "Purchase".to_owned())].repeated;
        assert_eq!(repeated["o-1"], [0, 3]);
        assert_eq!(repeated["o-2"], [1, 2]);
    }

    /// A document's running count of pixel requests covers its hits under
    /// every URL it had: a theme that puts the chosen variant in the URL
    /// (replaceState) has not lost the hits sent before.
    #[test]
    fn a_document_that_changed_its_url_counts_all_its_hits() {
        let j = J::new()
            .nav("https://shop.test/products/tee")
            .hit("PageView", &[])
            .hit("ViewContent", &[])
            .history("https://shop.test/products/tee?variant=42")
            .hit("AddToCart", &[])
            .request_count(3);
        let s = j.session();
        let journey = s.journey();
        assert_eq!(journey.page_views.len(), 2, "two page views, one document");
        assert_eq!(crate::losses::Losses::of(journey).requests.uncaptured, 0);
        let j = J::new()
            .nav("https://shop.test/products/tee")
            .hit("PageView", &[])
            .history("https://shop.test/products/tee?variant=42")
            .request_count(2);
        assert_eq!(
            crate::losses::Losses::of(j.session().journey()).requests.uncaptured,
            1,
            "one listed and never captured"
        );
    }
}
