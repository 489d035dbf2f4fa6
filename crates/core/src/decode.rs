//! Decoding one captured request into a [`Decoded`] pixel hit.
//!
//! The decoder is total: any input yields either "not a pixel request" or a hit,
//! and anything it cannot decode (bad percent-encoding, non-UTF-8 bytes, broken
//! `cd[contents]` JSON, a multipart body without its boundary) is kept raw with a
//! [`DecodeIssue`] beside it. It never panics and never drops a parameter.

use base64::Engine;
use serde::Serialize;
use url::Url;

use crate::journal::{Body, CapturedRequest};
use crate::tables;

/// Which endpoint a hit went to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Endpoint {
    /// `https://www.facebook.com/tr` (no trailing slash: the noscript image form).
    Tr,
    /// `https://www.facebook.com/tr/`.
    TrSlash,
    /// `https://www.<tier>.facebook.com/tr/`.
    Regional { tier: String },
    /// `https://www.instagram.com/tr/`.
    Instagram,
    /// `/privacy_sandbox/pixel/register/trigger/`: repeats an event's query; never a second event.
    PrivacySandbox,
    /// A first-party or server-side gateway endpoint named in the configuration.
    Gateway { prefix: String },
}

/// How the hit left the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    /// Image GET (`rqm=GET`).
    Get,
    /// Fetch GET (`rqm=FGET`).
    FetchGet,
    /// `navigator.sendBeacon` (`rqm=SB`).
    Beacon,
    /// Hidden-iframe form POST (`rqm=formPOST`).
    FormPost,
    Xhr,
    Fetch,
    /// A POST whose mechanism could not be told.
    Post,
    Unknown,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Get => "get",
            Transport::FetchGet => "fetch_get",
            Transport::Beacon => "beacon",
            Transport::FormPost => "form_post",
            Transport::Xhr => "xhr",
            Transport::Fetch => "fetch",
            Transport::Post => "post",
            Transport::Unknown => "unknown",
        }
    }
}

/// A problem met while decoding; the raw text it is about is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecodeIssue {
    /// `url`, `query`, `body`, or `cd[contents]`.
    pub place: String,
    pub message: String,
}

/// One decoded parameter, as [`Params`] hands it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Param<'a> {
    pub key: &'a str,
    pub value: &'a str,
    /// `ud[…]`/`udff[…]`: redacted in the packet unless raw values are requested.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub user_data: bool,
}

/// A hit's decoded parameters, in the order they appeared (query first, then
/// body), repeated keys repeated.
///
/// A session keeps every hit's parameters for as long as it lives, and a hit
/// has ~30 of them, so they are held in two allocations rather than two per
/// parameter: one text with every value (and every key that is not one of
/// the names fbevents sends on nearly every hit, [`KNOWN_KEYS`]) end to end,
/// and one small record per parameter saying where its key and value are.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Params {
    text: Box<str>,
    spans: Box<[Span]>,
    /// Where the last parameter named each of [`KNOWN_KEYS`] is, however its
    /// key was kept (see [`LastKnown`]): a hit is asked for a dozen of these
    /// as it is taken in and by its rules.
    last_known: LastKnown,
}

/// Per [`KNOWN_KEYS`] index: 0 when no parameter has that name, `n` when the
/// last one is parameter `n - 1`, and [`UNINDEXED`] when that is too far in to
/// say in a byte (then it is searched for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LastKnown([u8; KNOWN_KEYS.len()]);

impl Default for LastKnown {
    fn default() -> Self {
        LastKnown([0; KNOWN_KEYS.len()])
    }
}

const UNINDEXED: u8 = u8::MAX;

/// Where one parameter is: it starts where the one before it ends (`0` for
/// the first); its key is a known key or the text's next `key` bytes; its
/// value runs from there to `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    /// [`KNOWN`] plus an index into [`KNOWN_KEYS`], or the key's length in `text`.
    key: u32,
    /// [`USER_DATA`] plus the byte of `text` where the value ends.
    end: u32,
}

const KNOWN: u32 = 1 << 31;
const USER_DATA: u32 = 1 << 31;
/// Most text the parameters of one request may decode to (keys and values);
/// what lies past it is not decoded, with an issue, and stays in the raw view.
pub const PARAMS_TEXT_LIMIT: usize = (1 << 31) - 1;

impl Params {
    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The parameters in order (`.rev()` for the last first).
    pub fn iter(&self) -> ParamIter<'_> {
        ParamIter {
            params: self,
            front: 0,
            back: self.spans.len(),
        }
    }

    /// The value of the last parameter named `key` (a body value overrides
    /// the query's). A hit is asked for a dozen names as it is taken in:
    /// a known name is found by its index, without reading any text, and
    /// another name only by the keys of its length.
    pub fn last(&self, key: &str) -> Option<&str> {
        let known = known_key(key.as_bytes());
        if let Some(found) = known.and_then(|k| self.indexed(k)) {
            return found;
        }
        self.last_where(known.map(|k| KNOWN | k), key.len(), |k| k == key.as_bytes())
    }

    /// The value of the last parameter named `KNOWN_KEYS[known]`, when
    /// [`Params::last_known`] says where it is (`Some(None)`: there is none).
    fn indexed(&self, known: u32) -> Option<Option<&str>> {
        match self.last_known.0[known as usize] {
            UNINDEXED => None,
            0 => Some(None),
            n => Some(Some(self.at(n as usize - 1).value)),
        }
    }

    /// The value of the last `cd[name]` parameter.
    pub fn last_custom(&self, name: &str) -> Option<&str> {
        // `cd[` + name + `]`, for the known-key look-up: custom names are short.
        let mut buf = [0u8; 32];
        let len = name.len() + 4;
        let known = (len <= buf.len())
            .then(|| {
                buf[..3].copy_from_slice(b"cd[");
                buf[3..len - 1].copy_from_slice(name.as_bytes());
                buf[len - 1] = b']';
                known_key(&buf[..len])
            })
            .flatten();
        if let Some(found) = known.and_then(|k| self.indexed(k)) {
            return found;
        }
        self.last_where(known.map(|k| KNOWN | k), len, |k| {
            k.starts_with(b"cd[") && k.ends_with(b"]") && &k[3..len - 1] == name.as_bytes()
        })
    }

    /// The value of the last parameter whose key is the known key `known`,
    /// or is kept as text of `len` bytes that `matches`.
    fn last_where(&self, known: Option<u32>, len: usize, matches: impl Fn(&[u8]) -> bool) -> Option<&str> {
        let text = self.text.as_bytes();
        for i in (0..self.spans.len()).rev() {
            let span = self.spans[i];
            let start = match i.checked_sub(1) {
                Some(before) => (self.spans[before].end & !USER_DATA) as usize,
                None => 0,
            };
            let value_start = if span.key & KNOWN != 0 {
                if Some(span.key) != known {
                    continue;
                }
                start
            } else {
                let key_end = start + span.key as usize;
                if span.key as usize != len || !matches(&text[start..key_end]) {
                    continue;
                }
                key_end
            };
            return Some(&self.text[value_start..(span.end & !USER_DATA) as usize]);
        }
        None
    }

    /// The `ud[…]`/`udff[…]` parameters, in order: told by a flag, so the
    /// others are not read.
    pub fn user_data(&self) -> impl Iterator<Item = Param<'_>> {
        (0..self.spans.len())
            .filter(|&i| self.spans[i].end & USER_DATA != 0)
            .map(|i| self.at(i))
    }

    /// The parameters whose key is none of [`KNOWN_KEYS`], in order: what a
    /// search for another name need read.
    pub fn others(&self) -> impl Iterator<Item = Param<'_>> {
        (0..self.spans.len())
            .filter(|&i| self.spans[i].key & KNOWN == 0)
            .map(|i| self.at(i))
            .filter(|p| known_key(p.key.as_bytes()).is_none())
    }

    fn at(&self, i: usize) -> Param<'_> {
        let span = self.spans[i];
        let start = match i.checked_sub(1) {
            Some(before) => (self.spans[before].end & !USER_DATA) as usize,
            None => 0,
        };
        let end = (span.end & !USER_DATA) as usize;
        let (key, value_start) = if span.key & KNOWN != 0 {
            (KNOWN_KEYS[(span.key & !KNOWN) as usize], start)
        } else {
            let key_end = start + span.key as usize;
            (&self.text[start..key_end], key_end)
        };
        Param {
            key,
            value: &self.text[value_start..end],
            user_data: span.end & USER_DATA != 0,
        }
    }
}

impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Params {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'a> IntoIterator for &'a Params {
    type Item = Param<'a>;
    type IntoIter = ParamIter<'a>;
    fn into_iter(self) -> ParamIter<'a> {
        self.iter()
    }
}

/// The parameters of a [`Params`], in order.
#[derive(Clone)]
pub struct ParamIter<'a> {
    params: &'a Params,
    front: usize,
    back: usize,
}

impl<'a> Iterator for ParamIter<'a> {
    type Item = Param<'a>;
    fn next(&mut self) -> Option<Param<'a>> {
        if self.front == self.back {
            return None;
        }
        self.front += 1;
        Some(self.params.at(self.front - 1))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.back - self.front, Some(self.back - self.front))
    }
}

impl DoubleEndedIterator for ParamIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front == self.back {
            return None;
        }
        self.back -= 1;
        Some(self.params.at(self.back))
    }
}

impl ExactSizeIterator for ParamIter<'_> {}

/// Builds a [`Params`] one parameter at a time.
pub struct ParamsBuilder {
    text: String,
    spans: Vec<Span>,
    last_known: LastKnown,
    /// [`PARAMS_TEXT_LIMIT`] (smaller in tests).
    limit: usize,
    overflowed: bool,
}

impl Default for ParamsBuilder {
    fn default() -> Self {
        ParamsBuilder::with_capacity(0, 0)
    }
}

impl ParamsBuilder {
    pub fn with_capacity(params: usize, text: usize) -> ParamsBuilder {
        ParamsBuilder {
            text: String::with_capacity(text),
            spans: Vec::with_capacity(params),
            last_known: LastKnown::default(),
            limit: PARAMS_TEXT_LIMIT,
            overflowed: false,
        }
    }

    /// Adds a parameter (a known key is recognised and kept as its index).
    pub fn push(&mut self, key: &str, value: &str, user_data: bool) {
        let mark = self.text.len();
        let key = match known_key(key.as_bytes()) {
            Some(known) => KNOWN as usize | known as usize,
            None => {
                self.text.push_str(key);
                key.len()
            }
        };
        self.text.push_str(value);
        self.close(mark, key, user_data);
    }

    /// A parameter was left out for want of room (see [`PARAMS_TEXT_LIMIT`]).
    pub fn overflowed(&self) -> bool {
        self.overflowed
    }

    /// Closes the parameter begun at `mark`, whose key (`KNOWN | index`, or
    /// the length of its text) and value are already in `text`; undone, with
    /// `overflowed` set, when the text would pass the limit.
    fn close(&mut self, mark: usize, key: usize, user_data: bool) {
        let end = self.text.len();
        let (Ok(key), Ok(end)) = (u32::try_from(key), u32::try_from(end)) else {
            return self.undo(mark);
        };
        // The limit keeps `end`, and so a key's length, below the flag bits.
        if end as usize > self.limit.min(PARAMS_TEXT_LIMIT) {
            return self.undo(mark);
        }
        let end = end | if user_data { USER_DATA } else { 0 };
        // A known name percent-encoded in a query is kept as text: indexed too.
        let known = match key & KNOWN {
            0 => known_key(&self.text.as_bytes()[mark..mark + key as usize]),
            _ => Some(key & !KNOWN),
        };
        if let Some(k) = known {
            self.last_known.0[k as usize] = u8::try_from(self.spans.len() + 1)
                .ok()
                .filter(|&n| n != UNINDEXED)
                .unwrap_or(UNINDEXED);
        }
        self.spans.push(Span { key, end });
    }

    fn undo(&mut self, mark: usize) {
        self.text.truncate(mark);
        self.overflowed = true;
    }

    pub fn finish(self) -> Params {
        Params {
            text: self.text.into_boxed_str(),
            spans: self.spans.into_boxed_slice(),
            last_known: self.last_known,
        }
    }
}

/// `cd[contents]` parsed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Contents {
    Valid { items: ContentItems },
    Invalid { reason: String },
}

/// The items of a valid `cd[contents]`: its text, read as JSON values when
/// asked (and serialised as those values). Every hit of a store carries one,
/// read only for a packet's hits and for content ids a hit does not send, so
/// a hit keeps the text rather than a tree of values made for each.
#[derive(Debug, Clone)]
pub struct ContentItems {
    text: Box<str>,
    len: usize,
}

impl ContentItems {
    /// The `id` of each item that has one, of the first
    /// [`CONTENT_IDS_MAX`] items (a string as it is, anything else as its JSON).
    pub fn ids(&self) -> Vec<String> {
        first_items::<serde_json::Value>(&self.text, CONTENT_IDS_MAX)
            .unwrap_or_default()
            .iter()
            .filter_map(|i| i.get("id"))
            .map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()))
            .collect()
    }

    /// The items as JSON values.
    pub fn values(&self) -> Vec<serde_json::Value> {
        // The text was read as a JSON array when the hit was decoded.
        match serde_json::from_str(&self.text) {
            Ok(serde_json::Value::Array(items)) => items,
            _ => Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl PartialEq for ContentItems {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text || self.values() == other.values()
    }
}

impl Serialize for ContentItems {
    /// The items one at a time, each read from the text and written before
    /// the next: a long list costs one item's JSON values, not the whole
    /// list's (tens of times its text).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::de::{Deserializer as _, SeqAccess, Visitor};
        use serde::ser::SerializeSeq;
        struct Each<'q, Q>(&'q mut Q);
        impl<'de, Q: SerializeSeq> Visitor<'de> for Each<'_, Q> {
            /// What writing an item failed with, if it did.
            type Value = Option<Q::Error>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Self::Value, A::Error> {
                while let Some(item) = items.next_element::<serde_json::Value>()? {
                    if let Err(e) = self.0.serialize_element(&item) {
                        return Ok(Some(e));
                    }
                }
                Ok(None)
            }
        }
        let mut seq = serializer.serialize_seq(Some(self.len))?;
        // The text was read as a JSON array when the hit was decoded.
        if let Ok(Some(e)) = serde_json::Deserializer::from_str(&self.text).deserialize_seq(Each(&mut seq)) {
            return Err(e);
        }
        seq.end()
    }
}

/// Configuration for decoding: extra endpoints that count as pixel hits.
#[derive(Debug, Clone, Default)]
pub struct DecodeConfig {
    /// URL prefixes of first-party or server-side gateway endpoints
    /// (e.g. `https://shop.test/metrics/tr`).
    pub gateway_prefixes: Vec<String>,
}

/// A decoded pixel request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decoded {
    pub endpoint: Endpoint,
    pub transport: Transport,
    pub params: Params,
    pub contents: Option<Contents>,
    pub issues: Vec<DecodeIssue>,
    /// The body as text for the raw payload view (lossy when not UTF-8).
    pub raw_body: Option<String>,
}

impl Decoded {
    /// Last value of `key` (a body value overrides the query's).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params.last(key)
    }

    /// Value of `cd[name]`.
    pub fn custom(&self, name: &str) -> Option<&str> {
        self.params.last_custom(name)
    }

    /// `ud[k]` and `udff[k]` pairs.
    pub fn user_data(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.user_data().filter_map(|p| {
            bracket_inner(p.key, "ud")
                .or_else(|| bracket_inner(p.key, "udff"))
                .map(|k| (k, p.value))
        })
    }
}

/// `prefix[inner]` → `inner` (the text between the first `[` and the last `]`).
pub fn bracket_inner<'a>(key: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = key.strip_prefix(prefix)?.strip_prefix('[')?;
    rest.strip_suffix(']')
}

/// Classifies a URL as a pixel endpoint. `None` for everything else (scripts,
/// signals config, other hosts).
pub fn classify_endpoint(url: &Url, config: &DecodeConfig) -> Option<Endpoint> {
    let raw = url.as_str();
    if let Some(prefix) = config
        .gateway_prefixes
        .iter()
        .find(|p| !p.is_empty() && raw.starts_with(p.as_str()))
    {
        return Some(Endpoint::Gateway { prefix: prefix.clone() });
    }
    if !matches!(url.scheme(), "https" | "http") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let path = url.path();
    let is_meta_host = tables::PIXEL_HOSTS.contains(&host.as_str())
        || (host.starts_with("www.") && host.ends_with(tables::REGIONAL_HOST_SUFFIX));
    if !is_meta_host {
        return None;
    }
    if path.starts_with("/privacy_sandbox/pixel/register/trigger") {
        return Some(Endpoint::PrivacySandbox);
    }
    if path != "/tr" && path != "/tr/" {
        return None;
    }
    if host == "www.instagram.com" {
        return Some(Endpoint::Instagram);
    }
    if host == "www.facebook.com" || host == "facebook.com" {
        return Some(if path == "/tr" { Endpoint::Tr } else { Endpoint::TrSlash });
    }
    let tier = host
        .strip_prefix("www.")
        .and_then(|h| h.strip_suffix(tables::REGIONAL_HOST_SUFFIX))
        .unwrap_or_default()
        .to_string();
    Some(Endpoint::Regional { tier })
}

/// The endpoint for the part of a URL before `?`. A journey's hits share a
/// handful of these, so the last few answers are kept (per thread, with the
/// gateway prefixes they were computed with) and the URL parser runs once per
/// distinct endpoint rather than once per hit.
fn endpoint_of(base: &str, config: &DecodeConfig) -> Option<Endpoint> {
    type Answer = (String, Vec<String>, Option<Endpoint>);
    thread_local! {
        static RECENT: std::cell::RefCell<Vec<Answer>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let known = RECENT.with(|r| {
        r.borrow()
            .iter()
            .find(|(b, g, _)| b == base && *g == config.gateway_prefixes)
            .map(|(_, _, e)| e.clone())
    });
    if let Some(endpoint) = known {
        return endpoint;
    }
    let endpoint = Url::parse(base).ok().and_then(|url| classify_endpoint(&url, config));
    RECENT.with(|r| {
        let mut r = r.borrow_mut();
        if r.len() >= 8 {
            r.remove(0);
        }
        r.push((base.to_owned(), config.gateway_prefixes.clone(), endpoint.clone()));
    });
    endpoint
}

/// Decodes a captured request. `None` when it is not a pixel request.
pub fn decode(req: &CapturedRequest, config: &DecodeConfig) -> Option<Decoded> {
    // Parse only scheme/host/path with the URL parser; the query is decoded from
    // the captured text itself so nothing is normalised away (and long queries
    // are not re-encoded by the parser).
    // memchr for the two separators: a char pattern's searcher cost more to
    // set up than the search itself.
    let without_fragment = match memchr::memchr(b'#', req.url.as_bytes()) {
        Some(at) => &req.url[..at],
        None => &req.url,
    };
    let (base, query) = match memchr::memchr(b'?', without_fragment.as_bytes()) {
        Some(at) => (&without_fragment[..at], Some(&without_fragment[at + 1..])),
        None => (without_fragment, None),
    };
    let endpoint = endpoint_of(base, config)?;
    let mut issues = Vec::new();
    // Room for the decoded query: decoding shortens text (only bytes that are
    // not UTF-8 grow, into U+FFFD), and `finish` gives back what is unused.
    let mut params = ParamsBuilder::with_capacity(32, query.map_or(0, str::len));
    if let Some(query) = query {
        decode_query(query, &mut params, &mut issues);
    }
    let raw_body = req.body.as_ref().map(|b| decode_body(b, &mut params, &mut issues));
    if params.overflowed() {
        issues.push(DecodeIssue {
            place: if raw_body.is_some() { "body" } else { "query" }.into(),
            message: format!(
                "the parameters decode to more than {PARAMS_TEXT_LIMIT} bytes; those past that are not decoded (the raw request keeps them)"
            ),
        });
    }
    // A session holds every hit's params for as long as it lives: no room
    // kept for parameters that never came.
    let params = params.finish();
    let contents = params.last("cd[contents]").map(parse_contents);
    if let Some(Contents::Invalid { reason }) = &contents {
        issues.push(DecodeIssue {
            place: "cd[contents]".into(),
            message: reason.clone(),
        });
    }
    let transport = transport_of(params.last("rqm"), req);
    Some(Decoded {
        endpoint,
        transport,
        params,
        contents,
        issues,
        raw_body,
    })
}

fn transport_of(rqm: Option<&str>, req: &CapturedRequest) -> Transport {
    match rqm {
        Some("GET") => return Transport::Get,
        Some("FGET") => return Transport::FetchGet,
        Some("SB") => return Transport::Beacon,
        Some("formPOST") => return Transport::FormPost,
        _ => {}
    }
    let post = req.method.eq_ignore_ascii_case("POST");
    match req.request_type.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("image" | "img") => Transport::Get,
        Some("ping" | "beacon") => Transport::Beacon,
        Some("sub_frame" | "subdocument" | "document" | "iframe") if post => Transport::FormPost,
        Some("xmlhttprequest" | "xhr") => Transport::Xhr,
        Some("fetch") if post => Transport::Fetch,
        Some("fetch") => Transport::FetchGet,
        _ if post => Transport::Post,
        _ if req.method.eq_ignore_ascii_case("GET") => Transport::Get,
        _ => Transport::Unknown,
    }
}

/// Decodes `application/x-www-form-urlencoded` bytes (a query string or body).
/// Bad percent-escapes and non-UTF-8 text are kept (escape verbatim, bytes
/// replaced with U+FFFD) and reported once per place.
pub fn decode_form(input: &[u8], place: &str, out: &mut ParamsBuilder, issues: &mut Vec<DecodeIssue>) {
    decode_form_of(input, None, place, out, issues);
}

/// [`decode_form`] of text (a URL's query): its keys and values that need no
/// decoding are text already, cut at ASCII separators, so they are copied
/// without checking their UTF-8 again.
fn decode_query(query: &str, out: &mut ParamsBuilder, issues: &mut Vec<DecodeIssue>) {
    decode_form_of(query.as_bytes(), Some(query), "query", out, issues);
}

/// [`decode_form`] of `input`, which is `text` when that is given.
fn decode_form_of(
    input: &[u8],
    text: Option<&str>,
    place: &str,
    out: &mut ParamsBuilder,
    issues: &mut Vec<DecodeIssue>,
) {
    let mut bad_escape = false;
    let mut bad_utf8 = false;
    let mut scratch = Vec::new();
    // A part of the input by its place, with its text when the input is text.
    let part = |r: std::ops::Range<usize>| (&input[r.clone()], text.and_then(|t| t.get(r)));
    // memchr finds the separators a word at a time; most of a pixel URL is long values.
    let mut at = 0;
    while at < input.len() {
        let len = memchr::memchr(b'&', &input[at..]).unwrap_or(input.len() - at);
        let segment = at..at + len;
        at += len + 1;
        if segment.is_empty() {
            continue;
        }
        // A key is a few bytes long: a plain loop finds its `=` sooner than
        // memchr is set up (which pays on the long values, for `&`).
        let (k, v) = match input[segment.clone()].iter().position(|&b| b == b'=') {
            Some(i) => (segment.start..segment.start + i, segment.start + i + 1..segment.end),
            None => (segment.clone(), segment.end..segment.end),
        };
        // Key and value are decoded straight into the parameters' text.
        let mark = out.text.len();
        let (key, user_data) = match known_key(&input[k.clone()]) {
            Some(known) => (KNOWN as usize | known as usize, false),
            None => {
                decode_component(part(k), &mut out.text, &mut scratch, &mut bad_escape, &mut bad_utf8);
                let key = &out.text[mark..];
                (key.len(), key.starts_with("ud[") || key.starts_with("udff["))
            }
        };
        decode_component(part(v), &mut out.text, &mut scratch, &mut bad_escape, &mut bad_utf8);
        out.close(mark, key, user_data);
    }
    if bad_escape {
        issues.push(DecodeIssue {
            place: place.into(),
            message: "bad percent-encoding (a '%' not followed by two hex digits); kept verbatim".into(),
        });
    }
    if bad_utf8 {
        issues.push(DecodeIssue {
            place: place.into(),
            message: "percent-decoded bytes are not UTF-8; shown with replacement characters".into(),
        });
    }
}

/// Parameter names fbevents sends on (nearly) every hit (docs/product-rules.md,
/// "Pixel parameters"): [`Params`] keeps these as their index here, not as text.
pub const KNOWN_KEYS: [&str; 40] = [
    "id",
    "ev",
    "eid",
    "dl",
    "rl",
    "if",
    "ts",
    "sw",
    "sh",
    "v",
    "r",
    "a",
    "ec",
    "o",
    "fbp",
    "fbc",
    "it",
    "coo",
    "es",
    "tm",
    "rqm",
    "exp",
    "ler",
    "cdl",
    "pmd",
    "plt",
    "dpo",
    "dpoco",
    "dpost",
    "noscript",
    "cs_est",
    "cd[value]",
    "cd[currency]",
    "cd[content_ids]",
    "cd[content_type]",
    "cd[contents]",
    "cd[content_name]",
    "cd[num_items]",
    "cd[order_id]",
    "cd[content_category]",
];

/// The index of a key in [`KNOWN_KEYS`]. A `match` on bytes compiles to a
/// length switch, so a miss costs almost nothing.
fn known_key(raw: &[u8]) -> Option<u32> {
    Some(match raw {
        b"id" => 0,
        b"ev" => 1,
        b"eid" => 2,
        b"dl" => 3,
        b"rl" => 4,
        b"if" => 5,
        b"ts" => 6,
        b"sw" => 7,
        b"sh" => 8,
        b"v" => 9,
        b"r" => 10,
        b"a" => 11,
        b"ec" => 12,
        b"o" => 13,
        b"fbp" => 14,
        b"fbc" => 15,
        b"it" => 16,
        b"coo" => 17,
        b"es" => 18,
        b"tm" => 19,
        b"rqm" => 20,
        b"exp" => 21,
        b"ler" => 22,
        b"cdl" => 23,
        b"pmd" => 24,
        b"plt" => 25,
        b"dpo" => 26,
        b"dpoco" => 27,
        b"dpost" => 28,
        b"noscript" => 29,
        b"cs_est" => 30,
        b"cd[value]" => 31,
        b"cd[currency]" => 32,
        b"cd[content_ids]" => 33,
        b"cd[content_type]" => 34,
        b"cd[contents]" => 35,
        b"cd[content_name]" => 36,
        b"cd[num_items]" => 37,
        b"cd[order_id]" => 38,
        b"cd[content_category]" => 39,
        _ => return None,
    })
}

/// Decodes one form component. Most pixel keys and values need no decoding at
/// all, so that case costs one copy.
///
/// The others are decoded in one pass, a byte at a time: the values that
/// need it (the page URLs, `cd[contents]`, `cd[content_ids]`) are mostly
/// escapes, a few bytes apart, where a search for the next `%` or `+` (the
/// memchr-driven pass this replaced) cost more to start than it skipped. It
/// decodes exactly as `percent_encoding::percent_decode` after a pass for
/// `+` did (a `%` without two hex digits after it is kept verbatim; `+` is a
/// space, `%2B` a plus); a property test checks the two agree on any input.
/// `text` is `raw` when it is known to be text.
fn decode_component(
    (raw, text): (&[u8], Option<&str>),
    out: &mut String,
    scratch: &mut Vec<u8>,
    bad_escape: &mut bool,
    bad_utf8: &mut bool,
) {
    let Some(first) = raw.iter().position(|&b| b == b'%' || b == b'+') else {
        return match text {
            Some(text) => out.push_str(text),
            None => push_utf8(raw, out, bad_utf8),
        };
    };
    let hex = |at: usize| raw.get(at).map_or(NOT_HEX, |&b| HEX[b as usize]);
    let bytes = scratch;
    bytes.clear();
    // Decoding never lengthens: room for all of it at once.
    bytes.reserve(raw.len());
    bytes.extend_from_slice(&raw[..first]);
    let mut i = first;
    while let Some(&b) = raw.get(i) {
        let (byte, step) = match b {
            b'+' => (b' ', 1),
            b'%' => match (hex(i + 1), hex(i + 2)) {
                (hi, lo) if hi != NOT_HEX && lo != NOT_HEX => (hi << 4 | lo, 3),
                _ => {
                    *bad_escape = true;
                    (b'%', 1)
                }
            },
            other => (other, 1),
        };
        bytes.push(byte);
        i += step;
    }
    push_utf8(bytes, out, bad_utf8);
}

/// [`HEX`] of a byte that is no hex digit.
const NOT_HEX: u8 = u8::MAX;

/// The value of each byte as a hex digit (either case), or [`NOT_HEX`].
const HEX: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match b as u8 {
            d @ b'0'..=b'9' => d - b'0',
            l @ b'a'..=b'f' => l - b'a' + 10,
            u @ b'A'..=b'F' => u - b'A' + 10,
            _ => NOT_HEX,
        };
        b += 1;
    }
    table
};

/// Appends `bytes` to `out` as text: U+FFFD for what is not UTF-8 (and `bad_utf8` set).
fn push_utf8(bytes: &[u8], out: &mut String, bad_utf8: &mut bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => out.push_str(s),
        Err(_) => {
            *bad_utf8 = true;
            out.push_str(&String::from_utf8_lossy(bytes));
        }
    }
}

/// Decodes a body into `out`; returns its text for the raw view.
fn decode_body(body: &Body, out: &mut ParamsBuilder, issues: &mut Vec<DecodeIssue>) -> String {
    match body {
        Body::Form { fields } => {
            for (k, v) in fields {
                out.push(k, v, k.starts_with("ud[") || k.starts_with("udff["));
            }
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .finish()
        }
        Body::Text { content_type, text } => {
            decode_bytes(text.as_bytes(), content_type.as_deref(), out, issues);
            text.clone()
        }
        Body::Bytes { content_type, base64 } => match base64::engine::general_purpose::STANDARD.decode(base64.trim()) {
            Ok(bytes) => {
                decode_bytes(&bytes, content_type.as_deref(), out, issues);
                String::from_utf8_lossy(&bytes).into_owned()
            }
            Err(e) => {
                issues.push(DecodeIssue {
                    place: "body".into(),
                    message: format!("body bytes are not valid base64 ({e}); kept raw"),
                });
                base64.clone()
            }
        },
    }
}

fn decode_bytes(bytes: &[u8], content_type: Option<&str>, out: &mut ParamsBuilder, issues: &mut Vec<DecodeIssue>) {
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    if ct.starts_with("multipart/") {
        decode_multipart(bytes, content_type.unwrap_or(""), out, issues);
    } else if ct.contains("json") || (ct.is_empty() && bytes.first() == Some(&b'{')) {
        decode_json_body(bytes, out, issues);
    } else if ct.is_empty() || ct.contains("x-www-form-urlencoded") || ct.starts_with("text/plain") {
        decode_form(bytes, "body", out, issues);
    } else {
        issues.push(DecodeIssue {
            place: "body".into(),
            message: format!("body of type '{ct}' is not a pixel encoding; kept raw"),
        });
    }
}

#[cfg(not(feature = "multipart"))]
fn decode_multipart(_bytes: &[u8], _content_type: &str, _out: &mut ParamsBuilder, issues: &mut Vec<DecodeIssue>) {
    issues.push(DecodeIssue {
        place: "body".into(),
        message: "raw multipart body: this build does not parse multipart (the browser hands the extension \
                  beacon FormData already parsed); kept raw. Audit the HAR with the pixelproof CLI to see its fields"
            .into(),
    });
}

#[cfg(feature = "multipart")]
fn decode_multipart(bytes: &[u8], content_type: &str, out: &mut ParamsBuilder, issues: &mut Vec<DecodeIssue>) {
    let boundary = match multer::parse_boundary(content_type) {
        Ok(b) => b,
        Err(e) => {
            issues.push(DecodeIssue {
                place: "body".into(),
                message: format!("multipart body without a usable boundary ({e}); kept raw"),
            });
            return;
        }
    };
    let chunk = bytes::Bytes::copy_from_slice(bytes);
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(chunk) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut bad_utf8 = false;
    let result: Result<(), multer::Error> = futures_executor::block_on(async {
        while let Some(field) = multipart.next_field().await? {
            let key = field.name().unwrap_or_default().to_owned();
            let data = field.bytes().await?;
            let value = std::str::from_utf8(&data)
                .map(std::borrow::Cow::Borrowed)
                .unwrap_or_else(|_| {
                    bad_utf8 = true;
                    String::from_utf8_lossy(&data)
                });
            out.push(&key, &value, key.starts_with("ud[") || key.starts_with("udff["));
        }
        Ok(())
    });
    if let Err(e) = result {
        issues.push(DecodeIssue {
            place: "body".into(),
            message: format!("multipart body is malformed ({e}); fields before the damage were kept"),
        });
    }
    if bad_utf8 {
        issues.push(DecodeIssue {
            place: "body".into(),
            message: "a multipart field is not UTF-8; shown with replacement characters".into(),
        });
    }
}

/// Some gateways post the event as JSON. Flatten the top level into params
/// (nested objects become `outer[inner]`), keeping unknown keys verbatim.
fn decode_json_body(bytes: &[u8], out: &mut ParamsBuilder, issues: &mut Vec<DecodeIssue>) {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(serde_json::Value::Object(map)) => {
            for (k, v) in map {
                match v {
                    serde_json::Value::Object(inner) => {
                        for (ik, iv) in inner {
                            let key = format!("{k}[{ik}]");
                            out.push(&key, &json_scalar(&iv), k == "ud" || k == "udff");
                        }
                    }
                    other => out.push(&k, &json_scalar(&other), false),
                }
            }
        }
        Ok(_) => issues.push(DecodeIssue {
            place: "body".into(),
            message: "JSON body is not an object; kept raw".into(),
        }),
        Err(e) => issues.push(DecodeIssue {
            place: "body".into(),
            message: format!("JSON body does not parse ({e}); kept raw"),
        }),
    }
}

fn json_scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Parses `cd[contents]`: must be a JSON array of objects, each with an `id`.
///
/// Read as [`serde_json::Value`] reads it (the same parse, so the same
/// errors), without making the values: see [`ContentItems`].
pub fn parse_contents(raw: &str) -> Contents {
    match serde_json::from_str::<contents_check::Top>(raw) {
        Ok(contents_check::Top::Array { len, first_bad: None }) => Contents::Valid {
            items: ContentItems { text: raw.into(), len },
        },
        Ok(contents_check::Top::Array {
            first_bad: Some(pos), ..
        }) => Contents::Invalid {
            reason: format!("item {pos} of cd[contents] is not an object with an \"id\""),
        },
        Ok(contents_check::Top::Other) => Contents::Invalid {
            reason: "cd[contents] is JSON but not an array".into(),
        },
        Err(e) => Contents::Invalid {
            reason: format!("cd[contents] is not valid JSON ({e})"),
        },
    }
}

/// Readers of `cd[contents]` that keep nothing but what [`parse_contents`]
/// asks. Each reads a value through `deserialize_any`, as
/// `serde_json::Value` does, so the parser checks exactly what it checks
/// for a `Value` (strings and their escapes, numbers, nesting depth).
mod contents_check {
    use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
    use std::fmt;

    /// The top of `cd[contents]`: an array (its length, and the first item
    /// that is not an object with an `id`) or anything else.
    pub enum Top {
        Array { len: usize, first_bad: Option<usize> },
        Other,
    }

    /// Any value, read and dropped.
    struct Any;
    /// An array item: whether it is an object with an `id`.
    struct Item(bool);
    /// An object key: whether it is `id`.
    struct Key(bool);

    macro_rules! scalars {
        ($value:expr) => {
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok($value)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok($value)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok($value)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok($value)
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok($value)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok($value)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                Any::deserialize(d).map(|_| $value)
            }
        };
    }

    fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<Any>()?.is_some() {}
        Ok(())
    }

    fn skip_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
        while map.next_key::<Any>()?.is_some() {
            map.next_value::<Any>()?;
        }
        Ok(())
    }

    impl<'de> Deserialize<'de> for Any {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Any;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("any JSON value")
                }
                scalars!(Any);
                fn visit_str<E>(self, _: &str) -> Result<Any, E> {
                    Ok(Any)
                }
                fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Any, A::Error> {
                    skip_seq(seq).map(|_| Any)
                }
                fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Any, A::Error> {
                    skip_map(map).map(|_| Any)
                }
            }
            d.deserialize_any(V)
        }
    }

    impl<'de> Deserialize<'de> for Key {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Key;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("an object key")
                }
                scalars!(Key(false));
                fn visit_str<E>(self, key: &str) -> Result<Key, E> {
                    Ok(Key(key == "id"))
                }
                fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Key, A::Error> {
                    skip_seq(seq).map(|_| Key(false))
                }
                fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Key, A::Error> {
                    skip_map(map).map(|_| Key(false))
                }
            }
            d.deserialize_any(V)
        }
    }

    impl<'de> Deserialize<'de> for Item {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Item;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("an item")
                }
                scalars!(Item(false));
                fn visit_str<E>(self, _: &str) -> Result<Item, E> {
                    Ok(Item(false))
                }
                fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Item, A::Error> {
                    skip_seq(seq).map(|_| Item(false))
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Item, A::Error> {
                    let mut id = false;
                    while let Some(Key(is_id)) = map.next_key::<Key>()? {
                        id |= is_id;
                        map.next_value::<Any>()?;
                    }
                    Ok(Item(id))
                }
            }
            d.deserialize_any(V)
        }
    }

    impl<'de> Deserialize<'de> for Top {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Top;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("cd[contents]")
                }
                scalars!(Top::Other);
                fn visit_str<E>(self, _: &str) -> Result<Top, E> {
                    Ok(Top::Other)
                }
                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Top, A::Error> {
                    let (mut len, mut first_bad) = (0, None);
                    while let Some(Item(ok)) = seq.next_element::<Item>()? {
                        if !ok && first_bad.is_none() {
                            first_bad = Some(len);
                        }
                        len += 1;
                    }
                    Ok(Top::Array { len, first_bad })
                }
                fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Top, A::Error> {
                    skip_map(map).map(|_| Top::Other)
                }
            }
            d.deserialize_any(V)
        }
    }
}

/// [`parse_contents`] as it read `cd[contents]` into JSON values first: what
/// the property test holds it to.
#[cfg(test)]
fn parse_contents_by_value(raw: &str) -> Result<Vec<serde_json::Value>, String> {
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(serde_json::Value::Array(items)) => {
            if let Some(pos) = items
                .iter()
                .position(|i| !i.as_object().is_some_and(|o| o.contains_key("id")))
            {
                Err(format!("item {pos} of cd[contents] is not an object with an \"id\""))
            } else {
                Ok(items)
            }
        }
        Ok(_) => Err("cd[contents] is JSON but not an array".into()),
        Err(e) => Err(format!("cd[contents] is not valid JSON ({e})")),
    }
}

/// Most content ids read from one hit: more than a checkout holds (a Shopify
/// cart holds at most 500 lines), and a bound on what one hit can cost: the
/// rest of a longer list is read past, not kept.
pub const CONTENT_IDS_MAX: usize = 1000;

/// `cd[content_ids]` as a list (at most [`CONTENT_IDS_MAX`]): fbevents sends a
/// JSON array string; hand-written code sometimes sends a bare id or a comma
/// list.
pub fn parse_content_ids(raw: &str) -> Vec<String> {
    // Each id read as it comes, with no JSON value made of a string id.
    if let Some(ids) = first_items::<ContentId>(raw, CONTENT_IDS_MAX) {
        return ids.into_iter().map(|id| id.0).collect();
    }
    raw.split(',')
        .map(|s| s.trim().trim_matches('"').to_string())
        .filter(|s| !s.is_empty())
        .take(CONTENT_IDS_MAX)
        .collect()
}

/// The first `max` items of a JSON array text (the rest read past, not kept);
/// `None` when the text is not one JSON array of such items.
pub fn first_items<T: serde::de::DeserializeOwned>(text: &str, max: usize) -> Option<Vec<T>> {
    use serde::de::{Deserializer as _, IgnoredAny, SeqAccess, Visitor};
    struct First<T>(usize, std::marker::PhantomData<T>);
    impl<'de, T: serde::de::DeserializeOwned> Visitor<'de> for First<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut items = Vec::new();
            while items.len() < self.0 {
                match seq.next_element()? {
                    Some(item) => items.push(item),
                    None => return Ok(items),
                }
            }
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(items)
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let items = de.deserialize_seq(First(max, std::marker::PhantomData)).ok()?;
    de.end().ok()?;
    Some(items)
}

/// One item of `cd[content_ids]` as text: a string as it is, anything else
/// as its JSON.
struct ContentId(String);

impl<'de> serde::Deserialize<'de> for ContentId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
        use serde::de::{MapAccess, SeqAccess, Visitor};
        use serde_json::Value;
        struct Text;
        impl<'de> Visitor<'de> for Text {
            type Value = ContentId;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a content id")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ContentId, E> {
                Ok(ContentId(v.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<ContentId, E> {
                Ok(ContentId(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ContentId, E> {
                Ok(ContentId(Value::from(v).to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<ContentId, E> {
                Ok(ContentId(Value::from(v).to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<ContentId, E> {
                Ok(ContentId(Value::from(v).to_string()))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<ContentId, E> {
                Ok(ContentId(Value::from(v).to_string()))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<ContentId, E> {
                Ok(ContentId(Value::Null.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ContentId, A::Error> {
                let v: Value = serde::Deserialize::deserialize(SeqAccessDeserializer::new(seq))?;
                Ok(ContentId(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ContentId, A::Error> {
                let v: Value = serde::Deserialize::deserialize(MapAccessDeserializer::new(map))?;
                Ok(ContentId(v.to_string()))
            }
        }
        d.deserialize_any(Text)
    }
}

#[cfg(test)]
mod multipart_feature {
    use super::*;
    use crate::journal::{Body, CapturedRequest};

    fn beacon() -> CapturedRequest {
        let b = "----WebKitFormBoundaryq8Zl3bD9uXc2PfRt";
        let text = format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"ev\"\r\n\r\nAddToCart\r\n\
             --{b}\r\nContent-Disposition: form-data; name=\"eid\"\r\n\r\natc-1\r\n--{b}--\r\n"
        );
        CapturedRequest {
            url: "https://www.facebook.com/tr/?id=1234567890".into(),
            method: "POST".into(),
            body: Some(Body::Text {
                content_type: Some(format!("multipart/form-data; boundary={b}")),
                text,
            }),
            request_type: Some("ping".into()),
            ..CapturedRequest::default()
        }
    }

    /// With the `multipart` feature (CLI, native tests) the fields are read.
    #[cfg(feature = "multipart")]
    #[test]
    fn raw_multipart_fields_are_read() {
        let d = decode(&beacon(), &DecodeConfig::default()).expect("a pixel hit");
        assert_eq!(d.get("ev"), Some("AddToCart"));
        assert_eq!(d.get("eid"), Some("atc-1"));
        assert!(d.issues.is_empty(), "{:?}", d.issues);
    }

    /// Without it (the extension's wasm) the body is kept raw with a message
    /// that says why and what to do; the hit itself is still a hit.
    #[cfg(not(feature = "multipart"))]
    #[test]
    fn raw_multipart_is_reported_and_kept() {
        let d = decode(&beacon(), &DecodeConfig::default()).expect("still a pixel hit");
        assert_eq!(d.get("ev"), None);
        assert_eq!(d.issues.len(), 1);
        assert!(
            d.issues[0].message.contains("pixelproof CLI"),
            "{}",
            d.issues[0].message
        );
        assert!(d.raw_body.as_deref().is_some_and(|b| b.contains("AddToCart")));
    }
}

#[cfg(test)]
mod component_decoding {
    use super::*;
    use proptest::prelude::*;

    /// What `decode_component` did before its one-pass loop, with the
    /// `percent-encoding` crate: the reference it must equal.
    fn reference(raw: &[u8]) -> (String, bool, bool) {
        let bad_escape =
            raw.iter().enumerate().filter(|(_, b)| **b == b'%').any(|(at, _)| {
                !(raw.len() > at + 2 && raw[at + 1].is_ascii_hexdigit() && raw[at + 2].is_ascii_hexdigit())
            });
        let plus_free: Vec<u8> = raw.iter().map(|b| if *b == b'+' { b' ' } else { *b }).collect();
        let bytes: Vec<u8> = percent_encoding::percent_decode(&plus_free).collect();
        let bad_utf8 = std::str::from_utf8(&bytes).is_err();
        (String::from_utf8_lossy(&bytes).into_owned(), bad_escape, bad_utf8)
    }

    fn decoded(raw: &[u8]) -> (String, bool, bool) {
        let (mut bad_escape, mut bad_utf8) = (false, false);
        // Appended after text already there, with a scratch buffer that held other bytes.
        let (mut out, mut scratch) = ("before".to_owned(), b"stale".to_vec());
        decode_component((raw, None), &mut out, &mut scratch, &mut bad_escape, &mut bad_utf8);
        let decoded = (out.split_off("before".len()), bad_escape, bad_utf8);
        // Given as text (when it is), the same.
        if let Ok(text) = std::str::from_utf8(raw) {
            let (mut bad_escape, mut bad_utf8) = (false, false);
            let mut out = String::new();
            decode_component(
                (raw, Some(text)),
                &mut out,
                &mut scratch,
                &mut bad_escape,
                &mut bad_utf8,
            );
            assert_eq!((out, bad_escape, bad_utf8), decoded);
        }
        decoded
    }

    #[test]
    fn edge_cases() {
        for raw in [
            &b""[..],
            b"%",
            b"%4",
            b"%41",
            b"%%41",
            b"%+41",
            b"a+b%2Bc",
            b"%zz%20",
            b"100%",
            b"%E2%80%93",
            b"%E2%80",
            b"%ff",
            b"caf\xc3",
        ] {
            assert_eq!(decoded(raw), reference(raw), "{:?}", String::from_utf8_lossy(raw));
        }
    }

    proptest! {
        #[test]
        fn equals_the_percent_encoding_crate(raw in proptest::collection::vec(
            prop_oneof![Just(b'%'), Just(b'+'), Just(b'2'), Just(b'B'), Just(b'f'), Just(b'F'), Just(b'z'), any::<u8>()],
            0..40,
        )) {
            prop_assert_eq!(decoded(&raw), reference(&raw));
        }
    }
}

#[cfg(test)]
mod compact_params {
    use super::*;

    #[test]
    fn every_known_key_is_found_at_its_index() {
        for (i, k) in KNOWN_KEYS.iter().enumerate() {
            assert_eq!(known_key(k.as_bytes()), Some(i as u32), "{k}");
        }
        assert_eq!(known_key(b"cd[colour]"), None);
        assert_eq!(known_key(b""), None);
    }

    /// What the parameters held as one struct each (key, value, user data)
    /// gave back: every one, in order, repeated keys repeated, from either end.
    #[test]
    fn parameters_come_back_as_pushed() {
        let pushed = [
            ("id", "1234567890", false),
            ("ev", "", false),
            ("cd[colour]", "blå / M", false),
            ("", "no key", false),
            ("ud[em]", "f1a2", true),
            ("cd[colour]", "again", false),
            ("ev", "Purchase", false),
            ("udff[ph]", "", true),
        ];
        let mut b = ParamsBuilder::default();
        for (k, v, u) in pushed {
            b.push(k, v, u);
        }
        let params = b.finish();
        let got: Vec<(&str, &str, bool)> = params.iter().map(|p| (p.key, p.value, p.user_data)).collect();
        assert_eq!(got, pushed);
        let back: Vec<(&str, &str, bool)> = params.iter().rev().map(|p| (p.key, p.value, p.user_data)).collect();
        assert_eq!(back, pushed.iter().rev().copied().collect::<Vec<_>>());
        assert_eq!(params.len(), pushed.len());
        assert!(ParamsBuilder::default().finish().is_empty());
    }

    /// The packet and the panel read the parameters as JSON the same as
    /// before they were held compactly.
    #[test]
    fn serialises_as_a_list_of_key_value_records() {
        let mut b = ParamsBuilder::default();
        b.push("ev", "Purchase", false);
        b.push("ud[em]", "f1a2", true);
        assert_eq!(
            serde_json::to_string(&b.finish()).expect("JSON"),
            r#"[{"key":"ev","value":"Purchase"},{"key":"ud[em]","value":"f1a2","user_data":true}]"#
        );
    }

    /// A request whose parameters decode past the limit keeps those before
    /// it, says so, and drops none silently: the raw request keeps the rest.
    #[test]
    fn past_the_limit_parameters_are_reported_not_kept_half() {
        let mut b = ParamsBuilder {
            limit: 20,
            ..ParamsBuilder::default()
        };
        b.push("ev", "PageView", false);
        b.push("cd[long]", "0123456789abcdef", false);
        b.push("id", "1", false);
        assert!(b.overflowed());
        let params = b.finish();
        let got: Vec<(&str, &str)> = params.iter().map(|p| (p.key, p.value)).collect();
        assert_eq!(got, [("ev", "PageView"), ("id", "1")]);
    }

    /// Hostile input: many parameters, long ones, bad escapes and bytes that
    /// are not UTF-8 are all kept, each where it was, with the issues named.
    #[test]
    fn many_long_and_broken_parameters_are_all_kept() {
        let mut url = String::from("https://www.facebook.com/tr/?id=1&ev=PageView");
        for i in 0..20_000 {
            url.push_str(&format!("&cd[k{i}]=v{i}"));
        }
        url.push_str("&cd[bad]=%zz%E2%80&cd[big]=");
        url.push_str(&"x".repeat(100_000));
        let req = CapturedRequest {
            url,
            method: "GET".into(),
            ..CapturedRequest::default()
        };
        let d = decode(&req, &DecodeConfig::default()).expect("a pixel hit");
        assert_eq!(d.params.len(), 2 + 20_000 + 2);
        assert_eq!(d.custom("k19999"), Some("v19999"));
        assert_eq!(d.custom("bad"), Some("%zz\u{fffd}"));
        assert_eq!(d.custom("big").map(str::len), Some(100_000));
        let places: Vec<&str> = d.issues.iter().map(|i| i.message.as_str()).collect();
        assert!(places.iter().any(|m| m.contains("bad percent-encoding")), "{places:?}");
        assert!(places.iter().any(|m| m.contains("not UTF-8")), "{places:?}");
    }

    /// The look-ups by name find what a scan of every parameter from the
    /// end finds, whether a key was kept as a known index or as text (a
    /// known name percent-encoded in the query decodes to text).
    mod lookups {
        use super::*;
        use proptest::prelude::*;

        fn scan<'a>(params: &'a Params, key: &str) -> Option<&'a str> {
            params.iter().rev().find(|p| p.key == key).map(|p| p.value)
        }

        fn scan_custom<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
            params
                .iter()
                .rev()
                .find_map(|p| (bracket_inner(p.key, "cd") == Some(name)).then_some(p.value))
        }

        const KEYS: [&str; 12] = [
            "id",
            "ev",
            "dl",
            "cd[value]",
            "cd[currency]",
            "cd[colour]",
            "cd[]",
            "cd[value",
            "value",
            "",
            "ud[em]",
            "cd[content_ids]",
        ];
        const NAMES: [&str; 7] = ["value", "currency", "colour", "", "content_ids", "value]", "x"];

        proptest! {
            #[test]
            fn find_what_a_scan_finds(
                pushed in proptest::collection::vec((0..KEYS.len(), "[a-z]{0,3}", any::<bool>()), 0..12),
                query in proptest::collection::vec((0..KEYS.len(), any::<bool>()), 0..8),
            ) {
                let mut b = ParamsBuilder::default();
                let mut issues = Vec::new();
                // Query keys as fbevents writes them, or percent-encoded (kept as text).
                let raw: Vec<String> = query
                    .iter()
                    .map(|&(k, encode)| {
                        let key = if encode { KEYS[k].replace('d', "%64") } else { KEYS[k].to_owned() };
                        format!("{key}=q{k}")
                    })
                    .collect();
                decode_form(raw.join("&").as_bytes(), "query", &mut b, &mut issues);
                for (k, v, u) in &pushed {
                    b.push(KEYS[*k], v, *u);
                }
                let params = b.finish();
                for key in KEYS {
                    prop_assert_eq!(params.last(key), scan(&params, key), "{}", key);
                }
                for name in NAMES {
                    prop_assert_eq!(params.last_custom(name), scan_custom(&params, name), "{}", name);
                }
            }
        }

        proptest! {
            /// A query read as text decodes as its bytes do.
            #[test]
            fn a_query_as_text_decodes_as_its_bytes(parts in proptest::collection::vec(
                proptest::sample::select(vec!["&", "=", "%", "%2", "%41", "%C3%A9", "%FF", "+", "é", "ev", "cd[value]", "ud[em]", "x", "€"]),
                0..16,
            )) {
                let query = parts.concat();
                let (mut by_bytes, mut by_text) = (ParamsBuilder::default(), ParamsBuilder::default());
                let (mut issues_by_bytes, mut issues_by_text) = (Vec::new(), Vec::new());
                decode_form(query.as_bytes(), "query", &mut by_bytes, &mut issues_by_bytes);
                decode_query(&query, &mut by_text, &mut issues_by_text);
                prop_assert_eq!(by_bytes.finish(), by_text.finish(), "{}", query);
                prop_assert_eq!(issues_by_bytes, issues_by_text, "{}", query);
            }
        }

        /// Past the parameters whose place the index can hold, a name is
        /// still found where it last is.
        #[test]
        fn names_far_in_are_found() {
            let mut b = ParamsBuilder::default();
            b.push("ev", "first", false);
            b.push("cd[value]", "1", false);
            for i in 0..300 {
                b.push(&format!("x{i}"), "", false);
            }
            b.push("ev", "last", false);
            b.push("cd%5Bcurrency%5D", "", false);
            let mut issues = Vec::new();
            decode_form(b"cd%5Bcurrency%5D=EUR", "query", &mut b, &mut issues);
            let params = b.finish();
            assert_eq!(params.last("ev"), Some("last"));
            assert_eq!(params.last_custom("value"), Some("1"));
            assert_eq!(params.last_custom("currency"), Some("EUR"));
            assert_eq!(params.last("id"), None);
        }

        #[test]
        fn a_long_custom_name_is_found_as_text() {
            let name = "n".repeat(40);
            let mut b = ParamsBuilder::default();
            b.push(&format!("cd[{name}]"), "v", false);
            assert_eq!(b.finish().last_custom(&name), Some("v"));
        }
    }
}

#[cfg(test)]
mod contents_reading {
    use super::*;
    use proptest::prelude::*;

    fn check(raw: &str) -> Result<(), TestCaseError> {
        match (parse_contents(raw), parse_contents_by_value(raw)) {
            (Contents::Valid { items }, Ok(values)) => {
                prop_assert_eq!(items.len(), values.len(), "{}", raw);
                prop_assert_eq!(
                    serde_json::to_string(&items).expect("serialises"),
                    serde_json::to_string(&values).expect("serialises"),
                    "{}",
                    raw
                );
                prop_assert_eq!(items.values(), values, "{}", raw);
            }
            (Contents::Invalid { reason }, Err(by_value)) => prop_assert_eq!(reason, by_value, "{}", raw),
            (read, by_value) => prop_assert!(false, "{}: {:?} against {:?}", raw, read, by_value),
        }
        Ok(())
    }

    #[test]
    fn edge_cases() {
        for raw in [
            "",
            "[]",
            "[{\"id\":\"tee\",\"quantity\":1,\"item_price\":30}]",
            "[{\"\\u0069d\":1}]",
            "[{\"id\":1},2]",
            "[{\"ids\":1}]",
            "{\"id\":1}",
            "[{\"id\":\"\\ud800\"}]",
            "[{\"id\":1e400}]",
            "[{\"id\":18446744073709551616}]",
            "[{\"id\":-0.0,\"a\":[null,true,{}]}] ",
            "[{\"id\":1}] x",
            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        ] {
            check(raw).expect(raw);
        }
    }

    proptest! {
        /// `cd[contents]` read without its values is read as the values were.
        #[test]
        fn reads_as_json_values_do(parts in proptest::collection::vec(
            proptest::sample::select(vec![
                "[", "]", "{", "}", ",", ":", "\"id\"", "\"i\\u0064\"", "\"x\"", "1", "-2.5e3", "1e999", "null",
                "true", " ", "\"\\ud800\"", "\"\\n\"", "\"", "\\",
            ]),
            0..24,
        )) {
            check(&parts.concat())?;
        }

        /// The same, over arrays of whole items, valid or not.
        #[test]
        fn arrays_of_items_read_as_json_values_do(items in proptest::collection::vec(
            proptest::sample::select(vec![
                "{\"id\":\"tee\",\"quantity\":1,\"item_price\":30}", "{\"id\":1}", "{\"quantity\":2,\"id\":[1,{}]}",
                "{\"i\\u0064\":0.5}", "{\"x\":1}", "{}", "1", "[]", "\"id\"", "null", "{\"id\":1,\"id\":2}",
                "{\"id\":\"\\ud800\"}", "{\"id\":1e999}", "{\"id\" 1}",
            ]),
            0..6,
        ), wrap in any::<bool>()) {
            let inner = items.join(",");
            check(&if wrap { format!("[{inner}]") } else { inner })?;
        }
    }
}

#[cfg(test)]
mod form_splitting {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A form is cut into keys and values where the `form_urlencoded`
        /// crate cuts it, and each decodes as that crate decodes it.
        #[test]
        fn cuts_as_form_urlencoded_does(parts in proptest::collection::vec(
            proptest::sample::select(vec!["&", "=", "&&", "==", "id", "ev", "cd[value]", "x", "%41", "+", "%3D", "%26", "é", ""]),
            0..16,
        )) {
            let raw = parts.concat();
            let mut b = ParamsBuilder::default();
            let mut issues = Vec::new();
            decode_query(&raw, &mut b, &mut issues);
            let params = b.finish();
            let ours: Vec<(String, String)> = params.iter().map(|p| (p.key.to_owned(), p.value.to_owned())).collect();
            let theirs: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes()).into_owned().collect();
            prop_assert_eq!(ours, theirs, "{}", raw);
        }
    }
}

#[cfg(test)]
mod content_ids {
    use super::*;
    use proptest::prelude::*;

    /// How the ids were read before the bound: the whole list at once.
    fn whole(raw: &str) -> Vec<String> {
        if let Ok(ids) = serde_json::from_str::<Vec<String>>(raw) {
            return ids;
        }
        if let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(raw) {
            return items
                .iter()
                .map(|v| match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
        }
        raw.split(',')
            .map(|s| s.trim().trim_matches('"').to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }

    proptest! {
        #[test]
        fn ids_are_the_first_of_what_the_whole_list_reads(parts in proptest::collection::vec(
            prop_oneof![
                Just("\"tee-blue-m\""), Just("42"), Just("4.5"), Just("-7"), Just("true"), Just("null"),
                Just("{\"id\": 1}"), Just("[1, \"a\"]"), Just("\"a,b\""), Just("\"\\u00e9\""), Just(" "),
            ],
            0..12,
        ), wrapped in any::<bool>()) {
            let raw = if wrapped { format!("[{}]", parts.join(",")) } else { parts.join(",") };
            prop_assert_eq!(parse_content_ids(&raw), whole(&raw), "{}", raw);
        }
    }

    /// A list longer than any checkout is read up to the bound, as the whole
    /// list's first ids; so are the ids of `cd[contents]`.
    #[test]
    fn a_long_list_is_read_up_to_its_bound() {
        let ids: Vec<String> = (0..5000).map(|i| format!("sku-{i}")).collect();
        let raw = serde_json::to_string(&ids).expect("json");
        assert_eq!(parse_content_ids(&raw), ids[..CONTENT_IDS_MAX]);
        let numbers = format!("[{}]", vec!["1"; 5000].join(","));
        assert_eq!(parse_content_ids(&numbers), vec!["1"; CONTENT_IDS_MAX]);
        assert_eq!(parse_content_ids(&vec!["x"; 5000].join(",")).len(), CONTENT_IDS_MAX);
        let contents: Vec<serde_json::Value> = (0..5000)
            .map(|i| serde_json::json!({"id": format!("sku-{i}"), "quantity": 1}))
            .collect();
        let items = ContentItems {
            text: serde_json::to_string(&contents).expect("json").into(),
            len: contents.len(),
        };
        assert_eq!(items.ids(), ids[..CONTENT_IDS_MAX]);
        assert_eq!(items.values().len(), 5000, "the packet still shows every item");
        assert_eq!(
            serde_json::to_value(&items).expect("written item by item"),
            serde_json::Value::Array(contents)
        );
    }
}
