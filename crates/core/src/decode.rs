//! Decoding one captured request into a [`Decoded`] pixel hit.
//!
//! The decoder is total: any input yields either "not a pixel request" or a hit,
//! and anything it cannot decode (bad percent-encoding, non-UTF-8 bytes, broken
//! `cd[contents]` JSON, a multipart body without its boundary) is kept raw with a
//! [`DecodeIssue`] beside it. It never panics and never drops a parameter.

use std::borrow::Cow;

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

/// One decoded parameter, in the order it appeared (query first, then body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Param {
    /// Common keys are shared static strings: a hit has ~30 keys and most are
    /// the same short names, so this saves an allocation per parameter.
    pub key: Cow<'static, str>,
    pub value: String,
    /// `ud[…]`/`udff[…]`: redacted in the packet unless raw values are requested.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub user_data: bool,
}

/// `cd[contents]` parsed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Contents {
    Valid { items: Vec<serde_json::Value> },
    Invalid { reason: String },
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
    pub params: Vec<Param>,
    pub contents: Option<Contents>,
    pub issues: Vec<DecodeIssue>,
    /// The body as text for the raw payload view (lossy when not UTF-8).
    pub raw_body: Option<String>,
}

impl Decoded {
    /// Last value of `key` (a body value overrides the query's).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .rev()
            .find(|p| p.key == key)
            .map(|p| p.value.as_str())
    }

    /// Value of `cd[name]`.
    pub fn custom(&self, name: &str) -> Option<&str> {
        // `cd[` + name + `]`: the length check skips most keys without comparing text.
        let len = name.len() + 4;
        self.params
            .iter()
            .rev()
            .find_map(|p| (p.key.len() == len && bracket_inner(&p.key, "cd") == Some(name)).then_some(p.value.as_str()))
    }

    /// `ud[k]` and `udff[k]` pairs.
    pub fn user_data(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().filter(|p| p.user_data).filter_map(|p| {
            bracket_inner(&p.key, "ud")
                .or_else(|| bracket_inner(&p.key, "udff"))
                .map(|k| (k, p.value.as_str()))
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
    let without_fragment = req.url.split('#').next().unwrap_or(&req.url);
    let (base, query) = match without_fragment.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (without_fragment, None),
    };
    let endpoint = endpoint_of(base, config)?;
    let mut issues = Vec::new();
    let mut params = Vec::with_capacity(32);
    if let Some(query) = query {
        decode_form(query.as_bytes(), "query", &mut params, &mut issues);
    }
    let raw_body = req.body.as_ref().map(|b| decode_body(b, &mut params, &mut issues));
    let contents = params
        .iter()
        .rev()
        .find(|p| p.key == "cd[contents]")
        .map(|p| parse_contents(&p.value));
    if let Some(Contents::Invalid { reason }) = &contents {
        issues.push(DecodeIssue {
            place: "cd[contents]".into(),
            message: reason.clone(),
        });
    }
    let transport = transport_of(
        params.iter().rev().find(|p| p.key == "rqm").map(|p| p.value.as_str()),
        req,
    );
    // A session holds every hit's params for as long as it lives: no room
    // kept for parameters that never came.
    params.shrink_to_fit();
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
pub fn decode_form(input: &[u8], place: &str, out: &mut Vec<Param>, issues: &mut Vec<DecodeIssue>) {
    let mut bad_escape = false;
    let mut bad_utf8 = false;
    // memchr finds the separators a word at a time; most of a pixel URL is long values.
    let mut rest = input;
    while !rest.is_empty() {
        let (segment, next) = match memchr::memchr(b'&', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &b""[..]),
        };
        rest = next;
        if segment.is_empty() {
            continue;
        }
        let (k, v) = match memchr::memchr(b'=', segment) {
            Some(i) => (&segment[..i], &segment[i + 1..]),
            None => (segment, &b""[..]),
        };
        let key = match known_key(k) {
            Some(known) => Cow::Borrowed(known),
            None => Cow::Owned(decode_component(k, &mut bad_escape, &mut bad_utf8)),
        };
        let value = decode_component(v, &mut bad_escape, &mut bad_utf8);
        let user_data = key.starts_with("ud[") || key.starts_with("udff[");
        out.push(Param { key, value, user_data });
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
/// "Pixel parameters"), as shared static strings. A `match` on bytes compiles
/// to a length switch, so a miss costs almost nothing.
fn known_key(raw: &[u8]) -> Option<&'static str> {
    Some(match raw {
        b"id" => "id",
        b"ev" => "ev",
        b"eid" => "eid",
        b"dl" => "dl",
        b"rl" => "rl",
        b"if" => "if",
        b"ts" => "ts",
        b"sw" => "sw",
        b"sh" => "sh",
        b"v" => "v",
        b"r" => "r",
        b"a" => "a",
        b"ec" => "ec",
        b"o" => "o",
        b"fbp" => "fbp",
        b"fbc" => "fbc",
        b"it" => "it",
        b"coo" => "coo",
        b"es" => "es",
        b"tm" => "tm",
        b"rqm" => "rqm",
        b"exp" => "exp",
        b"ler" => "ler",
        b"cdl" => "cdl",
        b"pmd" => "pmd",
        b"plt" => "plt",
        b"dpo" => "dpo",
        b"dpoco" => "dpoco",
        b"dpost" => "dpost",
        b"noscript" => "noscript",
        b"cs_est" => "cs_est",
        b"cd[value]" => "cd[value]",
        b"cd[currency]" => "cd[currency]",
        b"cd[content_ids]" => "cd[content_ids]",
        b"cd[content_type]" => "cd[content_type]",
        b"cd[contents]" => "cd[contents]",
        b"cd[content_name]" => "cd[content_name]",
        b"cd[num_items]" => "cd[num_items]",
        b"cd[order_id]" => "cd[order_id]",
        b"cd[content_category]" => "cd[content_category]",
        _ => return None,
    })
}

/// Decodes one form component. Most pixel keys and values need no decoding at
/// all, so that case costs one copy.
///
/// The others are decoded in one pass that jumps (memchr) from one `%` or `+`
/// to the next and copies the text between in whole slices. This replaced
/// `percent_encoding::percent_decode` after a pass for `+` and another for bad
/// escapes: in the extension's size-optimised wasm those passes were half of
/// the decoder's time (profile in docs/ingest.md); this one pass gained
/// little (2 %) but costs nothing. It decodes exactly as that did (a `%` without two hex digits after it is
/// kept verbatim; `+` is a space, `%2B` a plus); a property test checks the
/// two agree on any input.
fn decode_component(raw: &[u8], bad_escape: &mut bool, bad_utf8: &mut bool) -> String {
    let Some(first) = memchr::memchr2(b'%', b'+', raw) else {
        return match std::str::from_utf8(raw) {
            Ok(s) => s.to_owned(),
            Err(_) => {
                *bad_utf8 = true;
                String::from_utf8_lossy(raw).into_owned()
            }
        };
    };
    let hex = |b: Option<&u8>| b.and_then(|b| char::from(*b).to_digit(16));
    let mut bytes = Vec::with_capacity(raw.len());
    bytes.extend_from_slice(&raw[..first]);
    let mut rest = &raw[first..];
    loop {
        // `rest` starts at a '%' or '+'.
        let step = match (rest.first(), hex(rest.get(1)), hex(rest.get(2))) {
            (Some(b'+'), _, _) => {
                bytes.push(b' ');
                1
            }
            (_, Some(hi), Some(lo)) => {
                // Two hex digits: at most 0xff.
                bytes.push((hi * 16 + lo) as u8);
                3
            }
            _ => {
                *bad_escape = true;
                bytes.push(b'%');
                1
            }
        };
        rest = &rest[step..];
        match memchr::memchr2(b'%', b'+', rest) {
            Some(i) => {
                bytes.extend_from_slice(&rest[..i]);
                rest = &rest[i..];
            }
            None => {
                bytes.extend_from_slice(rest);
                break;
            }
        }
    }
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            *bad_utf8 = true;
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    }
}

/// Decodes a body into `out`; returns its text for the raw view.
fn decode_body(body: &Body, out: &mut Vec<Param>, issues: &mut Vec<DecodeIssue>) -> String {
    match body {
        Body::Form { fields } => {
            for (k, v) in fields {
                out.push(Param {
                    key: Cow::Owned(k.clone()),
                    value: v.clone(),
                    user_data: k.starts_with("ud[") || k.starts_with("udff["),
                });
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

fn decode_bytes(bytes: &[u8], content_type: Option<&str>, out: &mut Vec<Param>, issues: &mut Vec<DecodeIssue>) {
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
fn decode_multipart(_bytes: &[u8], _content_type: &str, _out: &mut Vec<Param>, issues: &mut Vec<DecodeIssue>) {
    issues.push(DecodeIssue {
        place: "body".into(),
        message: "raw multipart body: this build does not parse multipart (the browser hands the extension \
                  beacon FormData already parsed); kept raw. Audit the HAR with the pixelproof CLI to see its fields"
            .into(),
    });
}

#[cfg(feature = "multipart")]
fn decode_multipart(bytes: &[u8], content_type: &str, out: &mut Vec<Param>, issues: &mut Vec<DecodeIssue>) {
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
            let value = match std::str::from_utf8(&data) {
                Ok(s) => s.to_owned(),
                Err(_) => {
                    bad_utf8 = true;
                    String::from_utf8_lossy(&data).into_owned()
                }
            };
            let user_data = key.starts_with("ud[") || key.starts_with("udff[");
            out.push(Param {
                key: Cow::Owned(key),
                value,
                user_data,
            });
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
fn decode_json_body(bytes: &[u8], out: &mut Vec<Param>, issues: &mut Vec<DecodeIssue>) {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(serde_json::Value::Object(map)) => {
            for (k, v) in map {
                match v {
                    serde_json::Value::Object(inner) => {
                        for (ik, iv) in inner {
                            let key = format!("{k}[{ik}]");
                            let user_data = k == "ud" || k == "udff";
                            out.push(Param {
                                key: Cow::Owned(key),
                                value: json_scalar(&iv),
                                user_data,
                            });
                        }
                    }
                    other => out.push(Param {
                        key: Cow::Owned(k),
                        value: json_scalar(&other),
                        user_data: false,
                    }),
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
pub fn parse_contents(raw: &str) -> Contents {
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(serde_json::Value::Array(items)) => {
            if let Some(pos) = items
                .iter()
                .position(|i| !i.as_object().is_some_and(|o| o.contains_key("id")))
            {
                Contents::Invalid {
                    reason: format!("item {pos} of cd[contents] is not an object with an \"id\""),
                }
            } else {
                Contents::Valid { items }
            }
        }
        Ok(_) => Contents::Invalid {
            reason: "cd[contents] is JSON but not an array".into(),
        },
        Err(e) => Contents::Invalid {
            reason: format!("cd[contents] is not valid JSON ({e})"),
        },
    }
}

/// `cd[content_ids]` as a list: fbevents sends a JSON array string; hand-written
/// code sometimes sends a bare id or a comma list.
pub fn parse_content_ids(raw: &str) -> Vec<String> {
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
        let s = decode_component(raw, &mut bad_escape, &mut bad_utf8);
        (s, bad_escape, bad_utf8)
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
