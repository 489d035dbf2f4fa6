//! The derived items a journey is made of: a hit (a decoded pixel request placed
//! in a page view, with its sender) and a page view. Built by [`crate::Session`]
//! from journal records and collected in [`crate::journey::Journey`].

use std::sync::Arc;

use serde::Serialize;

use crate::decode::Decoded;
use crate::journal::{Context, Origin};
use crate::tables;

/// A pixel request, decoded and placed in the journey.
#[derive(Debug, Clone)]
pub struct Hit {
    /// 1-based, in journal order.
    pub id: u32,
    /// Index of the record in the journal.
    pub record: usize,
    /// Shared with other hits, as `sender` is.
    pub pixel_id: Option<Arc<str>>,
    pub event: Option<Arc<str>>,
    /// `eid`, when present and non-empty.
    pub event_id: Option<String>,
    pub time: f64,
    /// Index into the page views.
    pub page_view: usize,
    /// Shared: a capture's hits have a handful of senders between them, and
    /// the session gives equal ones one copy.
    pub sender: Arc<Sender>,
    /// The sender label network evidence alone gives (before an fbq call the
    /// page reported refined it): what a page cannot talk the rules out of.
    pub network_sender: Arc<str>,
    /// The products the hit names (content_ids, else contents ids), joined:
    /// computed once because duplicate detection compares it often.
    pub content_key: String,
    /// `cd[order_id]`, kept apart for the same reason.
    pub order_id: Option<String>,
    /// False for privacy-sandbox trigger copies: recorded, never counted as an event.
    pub counted: bool,
    pub url: String,
    /// Shared with other hits, as `sender` is.
    pub method: Arc<str>,
    pub request_type: Option<Arc<str>>,
    pub context: Arc<Context>,
    pub origin: Origin,
    pub decoded: Decoded,
}

impl Hit {
    pub fn event_name(&self) -> &str {
        self.event.as_deref().unwrap_or("")
    }

    pub fn is_core(&self) -> bool {
        tables::is_core_event(self.event_name())
    }

    pub fn custom(&self, name: &str) -> Option<&str> {
        self.decoded.custom(name)
    }

    /// `cd[value]` parsed as a plain decimal; `None` when absent or invalid.
    pub fn value(&self) -> Option<f64> {
        self.custom("value").and_then(crate::number::parse_plain_decimal)
    }

    pub fn currency(&self) -> Option<&str> {
        self.custom("currency")
    }

    pub fn content_ids(&self) -> Vec<String> {
        if let Some(raw) = self.custom("content_ids") {
            return crate::decode::parse_content_ids(raw);
        }
        if let Some(crate::decode::Contents::Valid { items }) = &self.decoded.contents {
            return items.ids();
        }
        Vec::new()
    }
}

/// Who sent a hit (docs/product-rules.md, "Senders"), with the evidence behind the call.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Sender {
    /// `theme`, `gtm`, `shopify_custom_pixel`, `shopify_app_pixel`, `gateway`,
    /// `other:<origin>` or `unknown`.
    pub label: String,
    pub evidence: Vec<String>,
    /// Whether the label came from weak evidence only (may be refined by a
    /// later fbq call record).
    #[serde(skip)]
    pub provisional: bool,
    /// The script the label was read from (the stack's, or the fbq caller's),
    /// when a script decided it: what tells a storefront script tag or an
    /// order status page's own script apart.
    #[serde(skip)]
    pub script: Option<String>,
    /// That script was named by the page (the fbq caller), not the network.
    #[serde(skip)]
    pub script_from_page: bool,
}

impl Sender {
    pub fn unknown() -> Self {
        Sender {
            label: "unknown".into(),
            evidence: vec!["no frame, agent, stack or fbq-call evidence".into()],
            provisional: true,
            script: None,
            script_from_page: false,
        }
    }
}

/// What kind of store page a page view is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PageKind {
    Product,
    Collection,
    Cart,
    Checkout,
    ThankYou,
    Home,
    Other,
}

impl PageKind {
    /// The kind of a page from its parsed URL (`None`: it did not parse).
    pub fn from_parsed(url: Option<&url::Url>) -> PageKind {
        PageKind::from_path(url.map(url::Url::path))
    }

    /// The kind of a page from its URL's path as the URL parser gives it
    /// (`None`: the URL did not parse), read by whole path segments, as
    /// Shopify lays its store out: a product called "thank-you-card" or a
    /// page at `/pages/thank-you` is not the order page.
    fn from_path(path: Option<&str>) -> PageKind {
        // Store paths are nearly always lower case already: no copy for those.
        let path: std::borrow::Cow<str> = match path {
            Some(p) if p.bytes().any(|b| b.is_ascii_uppercase()) => p.to_ascii_lowercase().into(),
            Some(p) => p.into(),
            None => "".into(),
        };
        // What the segments read so far say the page is.
        let (mut thank_you, mut checkout, mut cart, mut product, mut collection) = (false, false, false, false, false);
        // Whether a `checkouts` segment came before; the first segment; how
        // many came before this one; the one just before.
        let (mut in_checkout, mut first, mut count, mut before) = (false, "", 0usize, "");
        for seg in path.split('/').filter(|s| !s.is_empty()) {
            // Where the store's own paths begin: first, or after a Shopify
            // Markets locale (`/en-ca/cart`) or, in the checkout before
            // checkout extensibility, the shop's id (`/5550/checkouts/…`).
            let top = count == 0 || (count == 1 && (is_locale(first) || is_shop_id(first)));
            // The order page inside a checkout: `/checkouts/c/<token>/thank-you`
            // or, before checkout extensibility, `/<shop id>/checkouts/<token>/thank_you`.
            thank_you |= in_checkout && tables::THANK_YOU_SEGMENTS.contains(&seg);
            // The order status page: `/<shop id>/orders/<token>`.
            thank_you |= count == 2 && before == "orders" && is_shop_id(first);
            in_checkout |= top && seg == "checkouts";
            // `/checkout` (which redirects to the checkout) or `/checkouts/…`;
            // a product or page named "checkout" is not one.
            checkout |= top && (seg == "checkouts" || seg == "checkout");
            cart |= top && seg == "cart";
            product |= before == "products";
            collection |= before == "collections";
            if count == 0 {
                first = seg;
            }
            before = seg;
            count += 1;
        }
        if thank_you {
            PageKind::ThankYou
        } else if checkout {
            PageKind::Checkout
        } else if cart {
            PageKind::Cart
        } else if product {
            PageKind::Product
        } else if collection {
            PageKind::Collection
        } else if count == 0 || (count == 1 && is_locale(first)) {
            PageKind::Home
        } else {
            PageKind::Other
        }
    }

    pub fn from_shopify_page_type(t: &str) -> Option<PageKind> {
        Some(match t {
            "product" => PageKind::Product,
            "collection" => PageKind::Collection,
            "cart" => PageKind::Cart,
            "checkout" => PageKind::Checkout,
            "thank_you" | "order_status" | "thankyou" => PageKind::ThankYou,
            "home" | "index" => PageKind::Home,
            _ => return None,
        })
    }
}

/// A shop's numeric id, the first part of its legacy checkout and order
/// status paths.
fn is_shop_id(seg: &str) -> bool {
    !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit())
}

/// A Shopify Markets locale folder: `fr`, `en-ca`, `zh-hant` (lower case: the
/// path is lower-cased before).
fn is_locale(seg: &str) -> bool {
    let (lang, region) = seg.split_once('-').unwrap_or((seg, "ab"));
    lang.len() == 2
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && (2..=4).contains(&region.len())
        && region.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// One page load (or SPA route change) of the journey.
#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    pub id: usize,
    pub url: String,
    pub time: f64,
    pub kind: PageKind,
    /// True when no navigation was recorded and the page view was inferred from a hit's `dl`.
    pub inferred: bool,
    pub tab_id: Option<i64>,
    /// The URL's origin (`None` when it has none), kept from the parse that
    /// gave `kind`: every hit placed here compares its sender's origin with
    /// it, and parsing the page URL again per hit was a tenth of ingest.
    #[serde(skip)]
    pub origin: Option<String>,
    /// Made for a page record that arrived before any browser evidence: it takes
    /// the time of the first browser evidence placed in it.
    #[serde(skip)]
    pub made_by_page: bool,
    /// The kind came from what the page said (Shopify's page type), not its URL.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub kind_from_page: bool,
    /// The page view that began this one's document: itself after a page
    /// load; for a history navigation (pushState, replaceState) the document
    /// it changed the URL of; for a page view only a hit's `dl` named, the
    /// document the browser said the hit came from. What is watched per
    /// document (trusted gestures) covers all of its page views.
    #[serde(skip)]
    pub document: usize,
    /// For a page view inferred from a hit's `dl` while the browser was
    /// showing another page in that frame: the page it was showing. Cleared
    /// when a navigation to this URL confirms it (the hit raced its record).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shown_instead: Option<String>,
    /// The URL is Shopify's legacy order status page
    /// ([`crate::sender::is_legacy_order_status_page`]), told from the parse
    /// that gave `kind`: every hit placed here asks, and parsing the page URL
    /// again per hit was a twentieth of ingest.
    #[serde(skip)]
    pub legacy_order_status: bool,
}

/// What a page view takes from its URL: its kind, its origin and whether it
/// is Shopify's legacy order status page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageFacts {
    pub kind: PageKind,
    pub origin: Option<String>,
    pub legacy_order_status: bool,
}

impl PageFacts {
    /// The facts of a page URL, as the URL parser reads it. A plain web URL
    /// ([`plain_web_url`]), nearly every store page, is read without it: the
    /// parser spent more on each new page view than the rest of placing it.
    pub fn of(url: &str) -> PageFacts {
        if let Some(plain) = plain_web_url(url) {
            return PageFacts {
                kind: PageKind::from_path(Some(plain.path)),
                origin: Some([plain.scheme, "://", plain.host].concat()),
                legacy_order_status: is_legacy_order_status_path(plain.path),
            };
        }
        let parsed = url::Url::parse(url).ok();
        PageFacts {
            kind: PageKind::from_parsed(parsed.as_ref()),
            origin: parsed.as_ref().and_then(origin_of_parsed),
            legacy_order_status: parsed.as_ref().is_some_and(|u| is_legacy_order_status_path(u.path())),
        }
    }
}

/// The parts of a URL the URL parser would leave as they are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PlainWebUrl<'a> {
    scheme: &'a str,
    host: &'a str,
    path: &'a str,
}

/// `url` split as the URL parser would parse it, when it is a plain web URL:
/// `http://` or `https://`, a host of lower-case labels that each begin with a
/// letter (no port, no user, no IP address, no IDNA `xn--` label), and a path
/// of characters the parser keeps as they are, without `.` or `..` segments
/// (what follows the path, a query or fragment, is the parser's to encode and
/// changes none of these). `None` for anything else, which the parser reads.
fn plain_web_url(url: &str) -> Option<PlainWebUrl<'_>> {
    let (scheme, rest) = match url.strip_prefix("https://") {
        Some(rest) => ("https", rest),
        None => ("http", url.strip_prefix("http://")?),
    };
    // One pass over the bytes of each part, a table look-up per byte: this
    // runs for every new page view.
    let bytes = rest.as_bytes();
    let host_end = bytes
        .iter()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(bytes.len());
    let host = &rest[..host_end];
    let plain_label = |label: &[u8]| {
        label.first().is_some_and(u8::is_ascii_lowercase)
            && !label.starts_with(b"xn--")
            && label.iter().all(|&b| URL_BYTE[b as usize] & HOST_LABEL != 0)
    };
    if !host.as_bytes().split(|&b| b == b'.').all(plain_label) {
        return None;
    }
    let path = match bytes.get(host_end) {
        Some(b'/') => {
            let after = &bytes[host_end..];
            let len = after
                .iter()
                .position(|&b| URL_BYTE[b as usize] & PATH_KEPT == 0)
                .unwrap_or(after.len());
            // The path ends at a query or fragment; any other byte the
            // parser would not keep as it is makes the URL not plain.
            if !matches!(after.get(len), None | Some(b'?' | b'#')) {
                return None;
            }
            &rest[host_end..host_end + len]
        }
        _ => "/",
    };
    (!has_dot_segment(path)).then_some(PlainWebUrl { scheme, host, path })
}

/// A byte of a host label [`plain_web_url`] reads itself: `a`–`z`, `0`–`9`, `-`.
const HOST_LABEL: u8 = 1;
/// A byte the URL parser keeps as it is in a path: ASCII letters and digits
/// and `-._~!$&'()*+,;=:@/`.
const PATH_KEPT: u8 = 2;

/// [`HOST_LABEL`] and [`PATH_KEPT`] of each byte.
const URL_BYTE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' {
            table[b] |= HOST_LABEL;
        }
        if c.is_ascii_alphanumeric() {
            table[b] |= PATH_KEPT;
        }
        b += 1;
    }
    let kept = b"-._~!$&'()*+,;=:@/";
    let mut i = 0;
    while i < kept.len() {
        table[kept[i] as usize] |= PATH_KEPT;
        i += 1;
    }
    table
};

/// Whether a path has a `.` or `..` segment (found from its dots).
fn has_dot_segment(path: &str) -> bool {
    let bytes = path.as_bytes();
    memchr::memchr_iter(b'.', bytes).any(|i| {
        let starts = i == 0 || bytes[i - 1] == b'/';
        let ends = |j: usize| j == bytes.len() || bytes[j] == b'/';
        starts && (ends(i + 1) || (bytes.get(i + 1) == Some(&b'.') && ends(i + 2)))
    })
}

/// [`crate::sender::is_legacy_order_status_page`] of a parsed URL's path.
pub fn is_legacy_order_status_path(path: &str) -> bool {
    // The first part is the shop's id, all digits: nearly every path is told
    // by its first byte.
    if !path.trim_start_matches('/').starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    // The first five parts tell it (a fifth means too many): no list made.
    let mut parts = path.trim_matches('/').split('/');
    let mut first = [""; 5];
    for slot in &mut first {
        match parts.next() {
            Some(p) => *slot = p,
            None => break,
        }
    }
    let shop_id = !first[0].is_empty() && first[0].bytes().all(|b| b.is_ascii_digit());
    let [_, a, token, b, more] = first;
    shop_id
        && more.is_empty()
        && parts.next().is_none()
        && !token.is_empty()
        && matches!((a, b), ("checkouts", "thank_you") | ("orders", ""))
}

/// URL without its fragment, for matching `dl` against navigations.
pub fn page_key(url: &str) -> &str {
    match memchr::memchr(b'#', url.as_bytes()) {
        Some(at) => &url[..at],
        None => url,
    }
}

/// `page_key(url) == key` for a `key` that is itself a page key (no `#`),
/// without scanning all of `url` for its fragment. A hit is compared with up
/// to 64 earlier page views, whose URLs mostly share the store's prefix: the
/// length (or a `#` right after the key) settles most of them, and the rest are
/// compared from the end, where URLs of one store differ.
pub fn has_page_key(url: &str, key: &str) -> bool {
    let (url, key) = (url.as_bytes(), key.as_bytes());
    let fits = url.len() == key.len() || url.get(key.len()) == Some(&b'#');
    fits && url[..key.len()].iter().rev().eq(key.iter().rev())
}

/// Scheme + host (+ port) of a URL, e.g. `https://shop.test`.
///
/// The same few URLs come back hit after hit (the initiator is the store's
/// origin, the stack and the fbq caller are the theme's scripts), so the last
/// few answers are kept, per thread, and the URL parser runs once per
/// distinct URL rather than once per hit.
pub fn origin_of(url: &str) -> Option<String> {
    thread_local! {
        static RECENT: std::cell::RefCell<Vec<(String, Option<String>)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    if let Some(known) = RECENT.with(|r| r.borrow().iter().find(|(u, _)| u == url).map(|(_, o)| o.clone())) {
        return known;
    }
    let origin = origin_of_parsed(&url::Url::parse(url).ok()?);
    RECENT.with(|r| {
        let mut r = r.borrow_mut();
        if r.len() >= 8 {
            r.remove(0);
        }
        r.push((url.to_owned(), origin.clone()));
    });
    origin
}

/// The origin of a parsed URL; `None` when it is opaque (`data:`, `about:`, …).
pub fn origin_of_parsed(url: &url::Url) -> Option<String> {
    // A web page's origin is its scheme, host and port as the URL already
    // spells them (the parser leaves out a default port): no tuple of copies
    // formatted again, for every new page view.
    if let ("http" | "https", Some(host)) = (url.scheme(), url.host_str()) {
        let mut origin = String::with_capacity(url.scheme().len() + 3 + host.len() + 6);
        origin.push_str(url.scheme());
        origin.push_str("://");
        origin.push_str(host);
        if let Some(port) = url.port() {
            origin.push(':');
            origin.push_str(&port.to_string());
        }
        return Some(origin);
    }
    match url.origin() {
        origin @ url::Origin::Tuple(..) => Some(origin.ascii_serialization()),
        url::Origin::Opaque(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kind of a path as its list of segments says it.
    fn kind_by_segments(path: &str) -> PageKind {
        let path = path.to_ascii_lowercase();
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let followed = |name: &str| segs.windows(2).any(|w| w[0] == name);
        let locale = |s: &str| {
            let (lang, region) = s.split_once('-').unwrap_or((s, "ab"));
            lang.len() == 2
                && lang.chars().all(|c| c.is_ascii_lowercase())
                && (2..=4).contains(&region.len())
                && region.chars().all(|c| c.is_ascii_alphanumeric())
        };
        let top = |i: usize, name: &str| {
            segs.get(i) == Some(&name)
                && (i == 0 || (i == 1 && (locale(segs[0]) || segs[0].chars().all(|c| c.is_ascii_digit()))))
        };
        let in_checkout = (0..2).find(|&i| top(i, "checkouts")).is_some_and(|i| {
            segs[i + 1..]
                .iter()
                .any(|s| ["thank-you", "thank_you", "thankyou"].contains(s))
        });
        let order_status = segs.len() >= 3
            && !segs[0].is_empty()
            && segs[0].chars().all(|c| c.is_ascii_digit())
            && segs[1] == "orders";
        if in_checkout || order_status {
            PageKind::ThankYou
        } else if (0..2).any(|i| top(i, "checkouts") || top(i, "checkout")) {
            PageKind::Checkout
        } else if (0..2).any(|i| top(i, "cart")) {
            PageKind::Cart
        } else if followed("products") {
            PageKind::Product
        } else if followed("collections") {
            PageKind::Collection
        } else if segs.is_empty() || (segs.len() == 1 && locale(segs[0])) {
            PageKind::Home
        } else {
            PageKind::Other
        }
    }

    proptest::proptest! {
        #[test]
        fn page_kind_is_what_the_path_segments_say(parts in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just("/"), proptest::strategy::Just("thank_you"), proptest::strategy::Just("Thank-You"),
                proptest::strategy::Just("thankyou"), proptest::strategy::Just("orders"), proptest::strategy::Just("12345"),
                proptest::strategy::Just("c"), proptest::strategy::Just("checkout"), proptest::strategy::Just("checkouts"),
                proptest::strategy::Just("cart"), proptest::strategy::Just("products"), proptest::strategy::Just("Collections"),
                proptest::strategy::Just("en-ca"), proptest::strategy::Just("fr"), proptest::strategy::Just("tee"),
                proptest::strategy::Just("x"), proptest::strategy::Just("-card"), proptest::strategy::Just("%20"),
            ],
            0..9,
        )) {
            let path = parts.concat();
            let url = url::Url::parse(&format!("https://shop.test/{}", path.trim_start_matches('/'))).ok();
            let parsed_path = url.as_ref().map(|u| u.path().to_owned()).unwrap_or_default();
            proptest::prop_assert_eq!(PageKind::from_parsed(url.as_ref()), kind_by_segments(&parsed_path), "{}", parsed_path);
        }
    }

    /// Shopify's page URLs, and store pages whose names only look like them.
    #[test]
    fn store_urls_are_told_by_their_kind() {
        let cases = [
            // Checkout extensibility's thank-you page (Shopify's docs, checkout_completed).
            ("https://shop.test/checkouts/c/ba8996e1/thank-you", PageKind::ThankYou),
            (
                "https://shop.test/checkouts/cn/Z2NwLXVz/thank_you?locale=en",
                PageKind::ThankYou,
            ),
            // The checkout before it, and its order status page.
            (
                "https://shop.test/55500001/checkouts/0a1b2c/thank_you",
                PageKind::ThankYou,
            ),
            (
                "https://shop.test/55500001/orders/7f3e9a/authenticate?key=k",
                PageKind::ThankYou,
            ),
            (
                "https://shop.test/checkouts/cn/Z2NwLXVz/post-purchase",
                PageKind::Checkout,
            ),
            (
                "https://shop.test/checkouts/cn/Z2NwLXVz/information",
                PageKind::Checkout,
            ),
            ("https://shop.test/checkout", PageKind::Checkout),
            ("https://shop.test/cart", PageKind::Cart),
            ("https://shop.test/en-ca/cart", PageKind::Cart),
            ("https://shop.test/en-ca/products/tee", PageKind::Product),
            ("https://shop.test/collections/tees/products/tee", PageKind::Product),
            ("https://shop.test/fr", PageKind::Home),
            ("https://shop.test/", PageKind::Home),
            // Names that only look like an order, checkout or cart page.
            ("https://shop.test/products/thank-you-card", PageKind::Product),
            ("https://shop.test/products/thank-you", PageKind::Product),
            ("https://shop.test/collections/thankyou-gifts", PageKind::Collection),
            ("https://shop.test/pages/thank-you", PageKind::Other),
            ("https://shop.test/account/orders/5550001001", PageKind::Other),
            ("https://shop.test/products/checkout-bag", PageKind::Product),
            ("https://shop.test/products/checkout", PageKind::Product),
            ("https://shop.test/pages/checkout", PageKind::Other),
            ("https://shop.test/cartoon-prints", PageKind::Other),
            ("https://shop.test/blogs/news/order-status", PageKind::Other),
        ];
        for (url, kind) in cases {
            assert_eq!(PageFacts::of(url).kind, kind, "{url}");
        }
    }

    /// What the URL parser reads from a page URL.
    fn facts_by_parser(url: &str) -> PageFacts {
        let parsed = url::Url::parse(url).ok();
        PageFacts {
            kind: PageKind::from_parsed(parsed.as_ref()),
            origin: parsed.as_ref().and_then(|u| match u.origin() {
                origin @ url::Origin::Tuple(..) => Some(origin.ascii_serialization()),
                url::Origin::Opaque(_) => None,
            }),
            legacy_order_status: parsed.as_ref().is_some_and(|u| is_legacy_order_status_path(u.path())),
        }
    }

    proptest::proptest! {
        /// A URL read as plain is what the parser makes of it, and the
        /// facts of any URL are the parser's.
        #[test]
        fn plain_web_urls_are_what_the_parser_reads(parts in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just("https://"), proptest::strategy::Just("http://"), proptest::strategy::Just("HTTPS://"),
                proptest::strategy::Just("shop"), proptest::strategy::Just("."), proptest::strategy::Just(".test"),
                proptest::strategy::Just("xn--"), proptest::strategy::Just("1"), proptest::strategy::Just("0x"),
                proptest::strategy::Just("-"), proptest::strategy::Just(":"), proptest::strategy::Just("8080"),
                proptest::strategy::Just("@"), proptest::strategy::Just("/"), proptest::strategy::Just("%2e"),
                proptest::strategy::Just(".."), proptest::strategy::Just("?"), proptest::strategy::Just("#"),
                proptest::strategy::Just("A"), proptest::strategy::Just(" "), proptest::strategy::Just("\t"),
                proptest::strategy::Just("\\"), proptest::strategy::Just("^"),
                proptest::strategy::Just("'"), proptest::strategy::Just("thank_you"), proptest::strategy::Just("checkouts"),
                proptest::strategy::Just("orders"), proptest::strategy::Just("products"), proptest::strategy::Just("~!$&()*+,;=@"),
            ],
            0..12,
        )) {
            let url = parts.concat();
            for url in [url.clone(), format!("https://shop.test/{url}"), format!("https://shop{url}")] {
                if let Some(plain) = plain_web_url(&url) {
                    let parsed = url::Url::parse(&url);
                    proptest::prop_assert!(parsed.is_ok(), "{}", url);
                    let parsed = parsed.expect("checked");
                    proptest::prop_assert_eq!(plain.scheme, parsed.scheme(), "{}", url);
                    proptest::prop_assert_eq!(Some(plain.host), parsed.host_str(), "{}", url);
                    proptest::prop_assert_eq!(None, parsed.port(), "{}", url);
                    proptest::prop_assert_eq!(plain.path, parsed.path(), "{}", url);
                }
                proptest::prop_assert_eq!(PageFacts::of(&url), facts_by_parser(&url), "{}", url);
            }
        }
    }

    /// The legacy order-status path as read before its first-byte check.
    fn legacy_by_parts(path: &str) -> bool {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let shop_id = !parts[0].is_empty() && parts[0].bytes().all(|b| b.is_ascii_digit());
        shop_id
            && match parts.as_slice() {
                [_, "checkouts", token, "thank_you"] | [_, "orders", token] => !token.is_empty(),
                _ => false,
            }
    }

    proptest::proptest! {
        /// The table-driven reads of a path agree with the plain ones.
        #[test]
        fn path_reads_agree_with_splitting(parts in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just("/"), proptest::strategy::Just("."), proptest::strategy::Just(".."),
                proptest::strategy::Just("12"), proptest::strategy::Just("orders"), proptest::strategy::Just("checkouts"),
                proptest::strategy::Just("thank_you"), proptest::strategy::Just("a.b"), proptest::strategy::Just("x"),
                proptest::strategy::Just(""),
            ],
            0..8,
        )) {
            let path = parts.concat();
            let dot = path.split('/').any(|s| s == "." || s == "..");
            proptest::prop_assert_eq!(has_dot_segment(&path), dot, "{}", path);
            proptest::prop_assert_eq!(is_legacy_order_status_path(&path), legacy_by_parts(&path), "{}", path);
        }
    }

    proptest::proptest! {
        /// A page key is the URL up to its first `#`, as splitting it gives.
        #[test]
        fn page_keys_are_the_url_before_its_fragment(parts in proptest::collection::vec(
            proptest::sample::select(vec!["https://shop.test/", "#", "?", "a", "é", "#x", "%23"]),
            0..8,
        )) {
            let url = parts.concat();
            proptest::prop_assert_eq!(page_key(&url), url.split('#').next().unwrap_or(&url));
        }
    }

    #[test]
    fn store_pages_are_plain() {
        for url in [
            "https://shop.test/checkouts/c/ba8996/thank-you",
            "https://shop.test/",
            "https://shop.test",
            "https://my-store.myshopify.com/products/tee?variant=1#reviews",
            "https://shop.test/12345/orders/abc",
        ] {
            assert!(plain_web_url(url).is_some(), "{url}");
            assert_eq!(PageFacts::of(url), facts_by_parser(url), "{url}");
        }
    }

    /// A web page's origin is what the URL parser's serialisation of its
    /// origin says.
    #[test]
    fn web_origins_are_the_parsers() {
        for url in [
            "https://shop.test/products/tee",
            "HTTPS://Shop.Test:443/x?y#z",
            "http://shop.test:80/",
            "http://shop.test:8080/",
            "https://user:pass@shop.test:8443/a",
            "https://[::1]:9000/",
            "https://[0:0:0:0:0:0:0:1]/",
            "http://192.168.000.1/",
            "https://xn--bcher-kva.example./",
            "blob:https://shop.test/uuid",
            "ws://shop.test/",
            "file:///tmp/x",
            "data:text/plain,x",
        ] {
            let parsed = url::Url::parse(url).expect("a URL");
            let by_parser = match parsed.origin() {
                origin @ url::Origin::Tuple(..) => Some(origin.ascii_serialization()),
                url::Origin::Opaque(_) => None,
            };
            assert_eq!(origin_of_parsed(&parsed), by_parser, "{url}");
        }
    }

    #[test]
    fn has_page_key_is_page_key_equality() {
        let key = page_key("https://shop.test/products/tee#reviews");
        for (url, same) in [
            ("https://shop.test/products/tee", true),
            ("https://shop.test/products/tee#top", true),
            ("https://shop.test/products/tee-2", false),
            ("https://shop.test/products/te", false),
            ("https://shop.test/products/tee?variant=1", false),
        ] {
            assert_eq!(has_page_key(url, key), same, "{url}");
            assert_eq!(page_key(url) == key, same, "{url}");
        }
    }
}
