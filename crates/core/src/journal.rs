//! The journal: the ordered list of records a session is made of.
//!
//! This is the storage format. The extension appends records to a tab's journal in
//! `chrome.storage.local`; the CLI builds one from a HAR file. Records carry raw
//! evidence only (what was seen, where and when); everything derived from them —
//! decoded hits, page views, senders, findings — is recomputed by [`crate::Session`].
//! Keeping derived data out of the journal means a newer core re-reads an old
//! journal with its newer rules.
//!
//! Every field a record may lack is optional with a serde default, because the
//! journal comes from untrusted places (a page, a HAR file, pasted JSON).

use serde::{Deserialize, Serialize};

use crate::tables;

/// Where a piece of evidence came from. Network evidence (webRequest, HAR) is
/// authoritative; page evidence is whatever the page-side hook reported and can be
/// forged by the page, so it may add doubt and never removes it (see
/// docs/product-rules.md, "Network and page evidence").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    #[default]
    Network,
    Page,
    /// Observed by the extension's isolated-world content script: trusted DOM
    /// events (`isTrusted`), which a page cannot dispatch or suppress.
    Isolated,
    /// Supplied by the user (server payloads, order figures).
    User,
}

/// One journal record. Serialised as `{"kind": "...", ...fields}`.
///
/// Read through [`WireRecord`] rather than serde's internally-tagged enum path,
/// which first copies every record into an intermediate tree to find `kind`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "WireRecord")]
pub enum Record {
    /// A network request to a Meta pixel endpoint (or a configured gateway).
    Request(CapturedRequest),
    /// A request for a tracking script (`fbevents.js`, signals config, `gtm.js`, …)
    /// seen on the network.
    ScriptLoad(ScriptLoad),
    /// A main-frame navigation (a page view of the journey).
    Navigation(Navigation),
    /// A call to `window.fbq` recorded by the page hook.
    FbqCall(FbqCall),
    /// The page hook's script inventory for one document.
    Scripts(ScriptInventory),
    /// A user gesture (click, submit, Enter key). Only gestures observed in the
    /// isolated world (`origin: isolated`) count as a shopper's action.
    Gesture(Gesture),
    /// The extension began watching a document for trusted gestures: from here
    /// on, a journey without gestures had none.
    GestureWatch(GestureWatch),
    /// How many pixel requests a document's own Resource Timing listed so far
    /// (a running count): what the page sent, to compare with what was captured.
    RequestCount(RequestCount),
    /// A GET pixel request a document's own Resource Timing listed, with its
    /// full URL (redacted like a captured request's). Page-reported: what the
    /// core recovers from it when the browser never handed the request to the
    /// extension may add doubt, never clear it.
    ListedRequest(ListedRequest),
    /// A `FB_LOG` message posted by fbevents.
    FbLog(FbLog),
    /// What a Shopify page exposes about the shop, cart and order.
    Shopify(ShopifyContext),
    /// The visitor's consent as the page's Shopify Customer Privacy API
    /// reported it (page evidence).
    Consent(Consent),
    /// A Conversions API payload pasted or loaded by the user (raw JSON text).
    ServerPayload(UserText),
    /// Meta's response to the server payload before it (raw JSON text, stored
    /// with anything it echoes masked): what Meta answered the request.
    ServerResponse(UserText),
    /// A Shopify Admin API order JSON, or typed figures, supplied by the user.
    Order(UserText),
    /// Records the extension did not keep, and why (its byte budgets, a
    /// record over its size cap): never silently.
    Dropped(Dropped),
}

/// One journal record from its JSON text. A JavaScript string may hold a lone
/// UTF-16 surrogate (a theme that cuts a product name in the middle of an
/// emoji), which `JSON.stringify` writes as an escape no Rust string can
/// hold: such a record is read with U+FFFD in its place rather than refused.
pub fn record_from_json(text: &str) -> Result<Record, serde_json::Error> {
    serde_json::from_str(text).or_else(|e| match crate::surrogates::repaired(text) {
        Some(fixed) => serde_json::from_str(&fixed),
        None => Err(e),
    })
}

/// The records of a stored journal (a JSON array) that fit the journal
/// format, and how many did not: one bad record (say, from an older version)
/// never costs the others. An error only when the text is not an array.
pub fn lenient_records(text: &str) -> Result<(Vec<Record>, usize), serde_json::Error> {
    // Every record fits, nearly always: one pass reads them all. Only when one
    // does not is the text read again, record by record.
    if let Ok(records) = serde_json::from_str::<Vec<Record>>(text) {
        return Ok((records, 0));
    }
    let raw: Vec<&serde_json::value::RawValue> = serde_json::from_str(text)?;
    let mut bad = 0;
    let mut records = Vec::with_capacity(raw.len());
    for r in raw {
        match record_from_json(r.get()) {
            Ok(rec) => records.push(rec),
            Err(_) => bad += 1,
        }
    }
    Ok((records, bad))
}

/// The kind of record a request the extension captured (through
/// `tables::WEB_REQUEST_URLS`) is stored as: a load from Meta's script host is
/// a `script_load`; anything else is a `request` the core decodes.
pub fn request_record_kind(url: &str) -> &'static str {
    let on_script_host = url
        .strip_prefix("https://")
        .and_then(|rest| rest.strip_prefix(tables::SCRIPT_HOST))
        .is_some_and(|rest| rest.starts_with('/'));
    if on_script_host {
        "script_load"
    } else {
        "request"
    }
}

impl Record {
    /// Time of the record in ms since the Unix epoch, when it has one.
    pub fn time(&self) -> Option<f64> {
        match self {
            Record::Request(r) => Some(r.time),
            Record::ScriptLoad(r) => Some(r.time),
            Record::Navigation(r) => Some(r.time),
            Record::FbqCall(r) => Some(r.time),
            Record::Scripts(r) => Some(r.time),
            Record::Gesture(r) => Some(r.time),
            Record::GestureWatch(r) => Some(r.time),
            Record::RequestCount(r) => Some(r.time),
            Record::ListedRequest(r) => Some(r.time),
            Record::FbLog(r) => Some(r.time),
            Record::Shopify(r) => Some(r.time),
            Record::Consent(r) => Some(r.time),
            Record::ServerPayload(_) | Record::ServerResponse(_) | Record::Order(_) | Record::Dropped(_) => None,
        }
    }
}

/// A record as read: `kind` and the union of every kind's fields, each
/// defaulted when absent. Reading one flat struct in a single pass and then
/// moving the fields into the variant `kind` names is what the derived
/// internally-tagged reader did with an extra buffered copy of the record.
/// It reads a journal faster than that reader (with [`WireBody`] likewise;
/// `cargo bench -p pixelproof-core -- journal`; the panel reads the whole
/// journal when it opens), and the extension's wasm is smaller. A field
/// another kind owns is type-checked but not kept.
/// The conversion below names every field of every variant, so a field added to
/// a record struct does not compile until it is added here too.
#[derive(Deserialize, Default)]
#[serde(default)]
struct WireRecord {
    kind: Option<String>,
    url: String,
    method: String,
    body: Option<Body>,
    request_type: Option<String>,
    context: Context,
    initiator: Option<String>,
    stack: Vec<String>,
    time: Option<f64>,
    origin: Origin,
    status: Option<u16>,
    tab_id: Option<i64>,
    transition: Option<String>,
    args: Vec<serde_json::Value>,
    event_id_location: Option<String>,
    caller: Option<String>,
    queued: bool,
    scripts: Vec<String>,
    base_code_runs: u32,
    fbq_differs_from_fbq_alias: bool,
    loaded: Option<bool>,
    version: Option<String>,
    queued_calls: u32,
    gesture: String,
    target: Option<String>,
    level: String,
    message: String,
    shop: Option<String>,
    page_type: Option<String>,
    currency: Option<String>,
    cart_item_count: Option<u32>,
    cart_total: Option<f64>,
    order: Option<crate::inputs::OrderFigures>,
    trigger: Option<String>,
    visitor_consent: Option<VisitorConsent>,
    marketing_allowed: Option<bool>,
    analytics_allowed: Option<bool>,
    label: String,
    text: String,
    order_name: Option<String>,
    pixel_id: Option<String>,
    count: u64,
    kinds: std::collections::BTreeMap<String, u64>,
    reason: Option<String>,
}

/// The `kind` names, for the message about an unknown one.
const KINDS: &str = "request, script_load, navigation, fbq_call, scripts, gesture, gesture_watch, \
                     request_count, listed_request, fb_log, shopify, consent, server_payload, server_response, order, dropped";

impl TryFrom<WireRecord> for Record {
    type Error = String;

    fn try_from(w: WireRecord) -> Result<Self, Self::Error> {
        let time = w.time.unwrap_or_default();
        let text = || UserText {
            label: w.label,
            text: w.text,
            order_name: w.order_name,
            pixel_id: w.pixel_id,
        };
        let Some(kind) = w.kind else {
            return Err("missing field `kind`".into());
        };
        Ok(match kind.as_str() {
            "request" => Record::Request(CapturedRequest {
                url: w.url,
                method: w.method,
                body: w.body,
                request_type: w.request_type,
                context: w.context,
                initiator: w.initiator,
                stack: w.stack,
                time,
                origin: w.origin,
                status: w.status,
            }),
            "script_load" => Record::ScriptLoad(ScriptLoad {
                url: w.url,
                context: w.context,
                time,
                status: w.status,
                origin: w.origin,
            }),
            "navigation" => Record::Navigation(Navigation {
                url: w.url,
                time,
                tab_id: w.tab_id,
                transition: w.transition,
                origin: w.origin,
            }),
            "fbq_call" => Record::FbqCall(FbqCall {
                method: w.method,
                args: w.args,
                event_id_location: w.event_id_location,
                caller: w.caller,
                queued: w.queued,
                context: w.context,
                time,
            }),
            "scripts" => Record::Scripts(ScriptInventory {
                context: w.context,
                time,
                scripts: w.scripts,
                base_code_runs: w.base_code_runs,
                fbq_differs_from_fbq_alias: w.fbq_differs_from_fbq_alias,
                loaded: w.loaded,
                version: w.version,
                queued_calls: w.queued_calls,
            }),
            "gesture" => Record::Gesture(Gesture {
                gesture: w.gesture,
                target: w.target,
                context: w.context,
                time,
                origin: w.origin,
            }),
            "gesture_watch" => Record::GestureWatch(GestureWatch {
                context: w.context,
                time,
                origin: w.origin,
            }),
            "request_count" => Record::RequestCount(RequestCount {
                context: w.context,
                time,
                count: w.count,
                origin: w.origin,
            }),
            "listed_request" => Record::ListedRequest(ListedRequest {
                url: w.url,
                context: w.context,
                time,
                origin: w.origin,
            }),
            "fb_log" => Record::FbLog(FbLog {
                level: w.level,
                message: w.message,
                context: w.context,
                time,
            }),
            "shopify" => Record::Shopify(ShopifyContext {
                context: w.context,
                time,
                shop: w.shop,
                page_type: w.page_type,
                currency: w.currency,
                cart_item_count: w.cart_item_count,
                cart_total: w.cart_total,
                order: w.order,
            }),
            "consent" => Record::Consent(Consent {
                context: w.context,
                time,
                trigger: w.trigger,
                visitor_consent: w.visitor_consent,
                marketing_allowed: w.marketing_allowed,
                analytics_allowed: w.analytics_allowed,
            }),
            "server_payload" => Record::ServerPayload(text()),
            "server_response" => Record::ServerResponse(text()),
            "order" => Record::Order(text()),
            "dropped" => Record::Dropped(Dropped {
                count: w.count,
                time: w.time,
                kinds: w.kinds,
                reason: w.reason,
            }),
            other => return Err(format!("unknown record kind `{other}` (known: {KINDS})")),
        })
    }
}

/// The frame or worker a request or page record came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Context {
    /// Browser tab, when known.
    pub tab_id: Option<i64>,
    /// Frame id as the browser reports it: 0 is the top frame.
    pub frame_id: Option<i64>,
    /// `main`, `sub` (iframe), `worker`, or absent when unknown (HAR).
    pub frame_type: Option<FrameType>,
    /// URL of the document (or worker script) the request came from.
    pub document_url: Option<String>,
    /// URL of the top-level page at the time.
    pub top_url: Option<String>,
    /// Whether the frame is sandboxed (`<iframe sandbox>`), when known.
    pub sandboxed: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FrameType {
    Main,
    Sub,
    Worker,
}

/// A request body as captured. The extension gets either parsed form fields
/// (webRequest `formData`) or raw bytes; a HAR gives params or text.
///
/// Read through [`WireBody`], for the reason [`Record`] is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", try_from = "WireBody")]
pub enum Body {
    /// Already-parsed form fields, in order, repeated keys repeated.
    Form { fields: Vec<(String, String)> },
    /// Text with its content type (urlencoded, multipart, JSON, plain).
    Text {
        #[serde(default)]
        content_type: Option<String>,
        text: String,
    },
    /// Bytes that may not be UTF-8, base64-encoded.
    Bytes {
        #[serde(default)]
        content_type: Option<String>,
        base64: String,
    },
}

/// A body as read: `type` and every variant's fields.
#[derive(Deserialize, Default)]
#[serde(default)]
struct WireBody {
    #[serde(rename = "type")]
    kind: Option<String>,
    fields: Option<Vec<(String, String)>>,
    content_type: Option<String>,
    text: Option<String>,
    base64: Option<String>,
}

impl TryFrom<WireBody> for Body {
    type Error = String;

    fn try_from(w: WireBody) -> Result<Self, Self::Error> {
        let missing = |field: &str| format!("missing field `{field}`");
        let content_type = w.content_type;
        match w.kind.as_deref() {
            Some("form") => Ok(Body::Form {
                fields: w.fields.ok_or_else(|| missing("fields"))?,
            }),
            Some("text") => Ok(Body::Text {
                content_type,
                text: w.text.ok_or_else(|| missing("text"))?,
            }),
            Some("bytes") => Ok(Body::Bytes {
                content_type,
                base64: w.base64.ok_or_else(|| missing("base64"))?,
            }),
            Some(other) => Err(format!("unknown body type `{other}` (known: form, text, bytes)")),
            None => Err(missing("type")),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CapturedRequest {
    pub url: String,
    pub method: String,
    pub body: Option<Body>,
    /// Request type as the browser names it: `image`, `ping`, `xmlhttprequest`,
    /// `fetch`, `sub_frame`, `main_frame`, `beacon`, `other`.
    pub request_type: Option<String>,
    pub context: Context,
    /// Initiator origin or URL (webRequest `initiator`, HAR `_initiator.url`).
    pub initiator: Option<String>,
    /// Script URLs on the initiating stack, innermost first (HAR `_initiator.stack`).
    pub stack: Vec<String>,
    /// ms since the Unix epoch.
    pub time: f64,
    pub origin: Origin,
    /// HTTP status when known (HAR); the extension records requests before they leave.
    pub status: Option<u16>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ScriptLoad {
    pub url: String,
    pub context: Context,
    pub time: f64,
    pub status: Option<u16>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Navigation {
    pub url: String,
    pub time: f64,
    pub tab_id: Option<i64>,
    /// `link`, `reload`, `form_submit`, `history` (pushState), … as reported.
    pub transition: Option<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FbqCall {
    /// `init`, `track`, `trackCustom`, `trackSingle`, `set`, `consent`, …
    pub method: String,
    /// Arguments after the method, as JSON (functions and cycles already replaced
    /// by the hook with strings).
    pub args: Vec<serde_json::Value>,
    /// Whether an eventID was given, and where: `options` (4th argument, the
    /// right place), `custom_data` (inside the parameters), or absent.
    pub event_id_location: Option<String>,
    /// Script URL of the caller, from the stack, when the hook could tell.
    pub caller: Option<String>,
    /// Whether the call happened before fbevents had loaded (it was queued).
    pub queued: bool,
    pub context: Context,
    pub time: f64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ScriptInventory {
    pub context: Context,
    pub time: f64,
    /// `src` of every tracking script element in the document, in order.
    pub scripts: Vec<String>,
    /// How many times the pixel base code ran (it sets `window._fbq`).
    pub base_code_runs: u32,
    /// `window.fbq !== window._fbq` when both exist.
    pub fbq_differs_from_fbq_alias: bool,
    /// Whether fbevents has loaded (`fbq.loaded`).
    pub loaded: Option<bool>,
    /// `fbq.version`.
    pub version: Option<String>,
    /// Calls still waiting in `fbq.queue`.
    pub queued_calls: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Gesture {
    /// `click`, `submit`, `keydown`.
    pub gesture: String,
    /// A short description of the target (tag, id, name; never a typed value),
    /// for the timeline.
    pub target: Option<String>,
    pub context: Context,
    pub time: f64,
    /// `isolated` when the extension saw a trusted event; `page` when the page
    /// reported it (a page can forge those: they never count as an action).
    pub origin: Origin,
}

impl Gesture {
    /// Whether the page could not have forged it.
    /// Only what the extension's isolated world observed: a gesture with any
    /// other origin (the page's report, or a hand-made or imported journal
    /// without one) never counts as a shopper's action.
    pub fn trusted(&self) -> bool {
        self.origin == Origin::Isolated
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestCount {
    pub context: Context,
    pub time: f64,
    /// Pixel-endpoint requests the document made so far, by its Resource Timing.
    pub count: u64,
    pub origin: Origin,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ListedRequest {
    /// The entry's name: the request's full URL.
    pub url: String,
    pub context: Context,
    pub time: f64,
    pub origin: Origin,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GestureWatch {
    pub context: Context,
    pub time: f64,
    pub origin: Origin,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FbLog {
    /// `error`, `warning`, `info` as fbevents reports it.
    pub level: String,
    pub message: String,
    pub context: Context,
    pub time: f64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ShopifyContext {
    pub context: Context,
    pub time: f64,
    /// `Shopify.shop`, e.g. `demo-store.myshopify.com`.
    pub shop: Option<String>,
    /// Shopify page type when the page says (`product`, `cart`, `checkout`, `thank_you`).
    pub page_type: Option<String>,
    pub currency: Option<String>,
    /// Cart item count (sum of quantities) from `/cart.js`.
    pub cart_item_count: Option<u32>,
    /// Cart total in major units.
    pub cart_total: Option<f64>,
    /// Order figures from the order status page, when exposed.
    pub order: Option<crate::inputs::OrderFigures>,
}

/// The visitor's consent as Shopify's Customer Privacy API states it on the
/// page (<https://shopify.dev/docs/api/customer-privacy>): what
/// `window.Shopify.customerPrivacy.currentVisitorConsent()` and the
/// `marketingAllowed()` / `analyticsProcessingAllowed()` methods answer, or the
/// `detail` of the `visitorConsentCollected` document event. The page can forge
/// it: it may add doubt (why core events are missing), never remove any.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Consent {
    pub context: Context,
    pub time: f64,
    /// When the hook read it: `api` (the page's API, on load) or
    /// `visitor_consent_collected` (the event, as the visitor decided).
    pub trigger: Option<String>,
    /// `currentVisitorConsent()` as given: per purpose `yes`, `no`, or `""`
    /// (no decision yet).
    pub visitor_consent: Option<VisitorConsent>,
    /// `marketingAllowed()`, or the event's `marketingAllowed`: whether Shopify
    /// lets pixels that need marketing consent run (this combines the shop's
    /// settings, the visitor's region and the visitor's decision).
    pub marketing_allowed: Option<bool>,
    /// `analyticsProcessingAllowed()`, or the event's `analyticsAllowed`.
    pub analytics_allowed: Option<bool>,
}

impl Consent {
    /// Whether this report says pixels that need marketing consent may not run.
    pub fn marketing_withheld(&self) -> bool {
        self.marketing_allowed == Some(false)
            || self
                .visitor_consent
                .as_ref()
                .and_then(|v| v.marketing.as_deref())
                .is_some_and(|m| m.eq_ignore_ascii_case("no"))
    }
}

/// `currentVisitorConsent()`'s object, purpose by purpose.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VisitorConsent {
    pub marketing: Option<String>,
    pub analytics: Option<String>,
    pub preferences: Option<String>,
    pub sale_of_data: Option<String>,
}

/// Text the user supplied, kept verbatim so a bad paste can be shown and fixed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct UserText {
    /// Where it came from: a file name or "pasted".
    pub label: String,
    pub text: String,
    /// For an order: which order of an Orders export CSV holding several
    /// (its name, `#1001`); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_name: Option<String>,
    /// For a Conversions API payload: the pixel it was sent to (the id in the
    /// request's path, `/{pixel_id}/events`, which the body does not hold),
    /// as the user stated it; absent when not stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pixel_id: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Dropped {
    pub count: u64,
    pub time: Option<f64>,
    /// How many of each record kind.
    pub kinds: std::collections::BTreeMap<String, u64>,
    /// `journal_budget` (oldest records evicted), `page_budget` (page records
    /// past their own budget), `oversized`, `relay_caps` (the relay's per-record
    /// and per-second caps), `hook_caps` (the page hook's limit per document);
    /// absent in journals written before reasons were kept.
    pub reason: Option<String>,
}

#[cfg(test)]
mod lone_surrogates {
    use super::*;

    /// A page record whose fbq arguments hold a product name cut in the
    /// middle of an emoji is read, and redacted, not refused; the stored text
    /// is then well-formed.
    #[test]
    fn a_record_with_a_lone_surrogate_is_read_and_redacted() {
        let call = r#"{"kind":"fbq_call","method":"init","args":["1234",{"em":"jane.doe@example.com","fn":"Caf\ud83c"}],"time":1,"origin":"page"}"#;
        assert!(
            serde_json::from_str::<Record>(call).is_err(),
            "serde_json alone refuses it"
        );
        let Record::FbqCall(c) = record_from_json(call).expect("read") else {
            panic!("an fbq call")
        };
        assert_eq!(c.args[1]["fn"], "Caf\u{fffd}");
        let stored = crate::privacy::redact_record_json(call)
            .expect("redacted")
            .expect("rewritten");
        assert!(!stored.contains("jane") && !stored.contains("\\ud83c"), "{stored}");
        assert!(serde_json::from_str::<Record>(&stored).is_ok());
        let track = r#"{"kind":"fbq_call","method":"track","args":["ViewContent",{"content_name":"Caf\ud83c"}],"time":1,"origin":"page"}"#;
        assert!(record_from_json(track).is_ok());
        // Stored well-formed too, though a track call is not a kind redacted.
        let stored = crate::privacy::redact_record_json(track)
            .expect("read")
            .expect("rewritten");
        assert_eq!(stored, track.replace("\\ud83c", "\\ufffd"));
        let (records, bad) = lenient_records(&format!("[{track},{call}]")).expect("an array");
        assert_eq!((records.len(), bad), (2, 0));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lenient_records_keep_the_good_and_count_the_bad() {
        let text = r#"[
            {"kind":"navigation","url":"https://shop.test/","time":1},
            {"kind":"teleport","time":2},
            {"kind":"gesture","gesture":"click","time":3}
        ]"#;
        let (records, bad) = lenient_records(text).expect("an array");
        assert_eq!(bad, 1);
        assert_eq!(records.len(), 2);
        assert!(matches!(records[0], Record::Navigation(_)));
        assert!(matches!(records[1], Record::Gesture(_)));
        let (clean, none_bad) =
            lenient_records(r#"[{"kind":"gesture","gesture":"click","time":3}]"#).expect("an array");
        assert_eq!((clean.len(), none_bad), (1, 0));
        assert!(lenient_records(r#"{"kind":"navigation"}"#).is_err(), "not a list");
    }

    use super::*;

    #[test]
    fn script_host_requests_are_script_loads() {
        assert_eq!(
            request_record_kind("https://connect.facebook.net/en_US/fbevents.js"),
            "script_load"
        );
        assert_eq!(
            request_record_kind("https://connect.facebook.net/signals/config/1?v=2"),
            "script_load"
        );
        assert_eq!(
            request_record_kind("https://www.facebook.com/tr/?id=1&ev=PageView"),
            "request"
        );
        assert_eq!(
            request_record_kind("https://connect.facebook.net.evil.test/x.js"),
            "request"
        );
        assert_eq!(request_record_kind("http://connect.facebook.net/x.js"), "request");
    }

    fn request(body: Option<Body>) -> Record {
        Record::Request(CapturedRequest {
            url: "https://www.facebook.com/tr/?id=1&ev=Purchase".into(),
            method: "POST".into(),
            body,
            request_type: Some("ping".into()),
            time: 1_700_000_000_000.0,
            ..CapturedRequest::default()
        })
    }

    fn all_kinds() -> Vec<Record> {
        vec![
            request(Some(Body::Form {
                fields: vec![("ev".into(), "Purchase".into()), ("ev".into(), "again".into())],
            })),
            request(Some(Body::Text {
                content_type: None,
                text: "id=1&ev=Lead".into(),
            })),
            request(Some(Body::Bytes {
                content_type: Some("application/octet-stream".into()),
                base64: "AAE=".into(),
            })),
            request(None),
            Record::ScriptLoad(ScriptLoad {
                url: "https://connect.facebook.net/en_US/fbevents.js".into(),
                ..Default::default()
            }),
            Record::Navigation(Navigation {
                url: "https://shop.test/".into(),
                transition: Some("link".into()),
                ..Default::default()
            }),
            Record::FbqCall(FbqCall {
                method: "track".into(),
                args: vec![serde_json::json!("Purchase")],
                ..Default::default()
            }),
            Record::Scripts(ScriptInventory {
                base_code_runs: 2,
                ..Default::default()
            }),
            Record::Gesture(Gesture {
                gesture: "click".into(),
                origin: Origin::Isolated,
                ..Default::default()
            }),
            Record::GestureWatch(GestureWatch::default()),
            Record::RequestCount(RequestCount {
                count: 7,
                ..Default::default()
            }),
            Record::ListedRequest(ListedRequest {
                url: "https://www.facebook.com/tr/?id=1&ev=PageView".into(),
                origin: Origin::Page,
                ..Default::default()
            }),
            Record::FbLog(FbLog {
                level: "error".into(),
                message: "bad".into(),
                ..Default::default()
            }),
            Record::Shopify(ShopifyContext {
                shop: Some("s.myshopify.com".into()),
                ..Default::default()
            }),
            Record::Consent(Consent {
                trigger: Some("api".into()),
                visitor_consent: Some(VisitorConsent {
                    marketing: Some("no".into()),
                    analytics: Some("yes".into()),
                    preferences: Some(String::new()),
                    sale_of_data: None,
                }),
                marketing_allowed: Some(false),
                analytics_allowed: Some(true),
                ..Default::default()
            }),
            Record::ServerPayload(UserText {
                label: "pasted".into(),
                text: "{\"data\":[]}".into(),
                ..Default::default()
            }),
            Record::ServerResponse(UserText {
                label: "response.json".into(),
                text: "{\"events_received\":1}".into(),
                order_name: None,
                pixel_id: None,
            }),
            Record::Order(UserText {
                label: "order.json".into(),
                text: "{}".into(),
                ..Default::default()
            }),
            Record::Dropped(Dropped {
                count: 3,
                time: Some(1.0),
                kinds: [("fbq_call".to_string(), 3)].into_iter().collect(),
                reason: Some("page_budget".into()),
            }),
        ]
    }

    #[test]
    fn every_kind_and_body_reads_back_as_written() -> Result<(), serde_json::Error> {
        for record in all_kinds() {
            let text = serde_json::to_string(&record)?;
            let back: Record = serde_json::from_str(&text)?;
            assert_eq!(serde_json::to_string(&back)?, text);
        }
        Ok(())
    }

    #[test]
    fn the_tag_may_come_anywhere_and_unknown_fields_are_ignored() -> Result<(), serde_json::Error> {
        let r: Record = serde_json::from_str(
            r#"{"url":"https://shop.test/p","extra":1,"body":{"text":"a=1","type":"text"},"kind":"request"}"#,
        )?;
        let Record::Request(req) = r else {
            panic!("not a request: {r:?}")
        };
        assert_eq!(
            req.body,
            Some(Body::Text {
                content_type: None,
                text: "a=1".into()
            })
        );
        assert_eq!(req.method, "", "absent fields take their defaults");
        Ok(())
    }

    #[test]
    fn a_bad_record_says_what_is_wrong() {
        let err = |text: &str| {
            serde_json::from_str::<Record>(text)
                .map(|r| format!("{r:?}"))
                .unwrap_or_else(|e| e.to_string())
        };
        assert!(
            err(r#"{"kind":"bogus"}"#).contains("unknown record kind `bogus` (known: request, "),
            "{}",
            err(r#"{"kind":"bogus"}"#)
        );
        assert!(err(r#"{"url":"x"}"#).contains("missing field `kind`"));
        assert!(err(r#"{"kind":5}"#).contains("invalid type: integer `5`, expected a string"));
        assert!(err(r#"{"kind":"request","time":"soon"}"#).contains("invalid type"));
        // Every field name has one type across kinds, and it is checked whatever the kind.
        assert!(err(r#"{"kind":"navigation","scripts":5}"#).contains("invalid type: integer `5`, expected a sequence"));
        let body = |b: &str| err(&format!(r#"{{"kind":"request","body":{b}}}"#));
        assert!(body(r#"{"type":"form"}"#).contains("missing field `fields`"));
        assert!(body(r#"{"type":"text","content_type":"text/plain"}"#).contains("missing field `text`"));
        assert!(body(r#"{"type":"bytes"}"#).contains("missing field `base64`"));
        assert!(body(r#"{"type":"gzip","text":"x"}"#).contains("unknown body type `gzip` (known: form, text, bytes)"));
        assert!(body(r#"{"text":"x"}"#).contains("missing field `type`"));
    }
}
