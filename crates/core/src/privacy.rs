//! Customer data at rest: what the extension stores instead of a plain value.
//!
//! The journal lives on disk for as long as the tab is open, so the extension
//! passes every record that can carry customer data through [`redact_record`]
//! before storing it:
//! - advanced-matching values (`ud[…]`/`udff[…]` parameters of a pixel request,
//!   `fbq('init', id, {em: …})` and `fbq('set', 'userData', {…})` arguments,
//!   `user_data` of a pasted Conversions API payload) that are not already a
//!   SHA-256 become a [`PLAIN_PREFIX`] marker: the shape of the value (an e-mail
//!   address, a phone number, text) and the SHA-256 of the value normalised the
//!   way Meta normalises it before hashing. Rules still see that the value was
//!   sent plain; a reviewer can still compare it with a hash they compute;
//! - a credential in a pasted Conversions API request (`access_token`, and the
//!   other fields of [`crate::tables::CREDENTIAL_FIELDS`]) becomes
//!   [`REMOVED_CREDENTIAL`], at any depth: it is a secret, never evidence, and
//!   the packet says it was removed ([`strip_credentials`]);
//! - Meta's pasted response to a Conversions API request keeps only the fields
//!   Meta documents for it (`events_received`, `messages`, `fbtrace_id`, the
//!   `error` object), with any e-mail address or international phone number
//!   its texts echo back masked the same way; the `fbtrace_id` stays, since
//!   Meta's support needs it;
//! - a pasted Shopify order keeps only its figures (totals, tax, shipping,
//!   discounts, line quantities, number, payment status), never the customer,
//!   addresses or contact details: in the REST or GraphQL order JSON, only the
//!   figure fields; in an Orders export CSV, only the figure columns, and only
//!   the rows of the order picked (the export holds other customers' orders).
//!
//! Values that already are a SHA-256 (what fbevents sends) are left alone.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::tables::{CREDENTIAL_FIELDS, HASHED_USER_DATA_KEYS};

/// Starts a stored stand-in for a plain value: `plain:<shape>:<sha256 hex>`.
pub const PLAIN_PREFIX: &str = "plain:";

/// What a credential's value is replaced with before anything is stored or
/// exported.
pub const REMOVED_CREDENTIAL: &str = "[removed by PixelProof: credential]";

/// Keys of advanced matching that Meta wants hashed, plus `external_id`, which
/// it recommends hashing and which often is an e-mail address or a customer id.
fn is_matching_key(key: &str) -> bool {
    HASHED_USER_DATA_KEYS.contains(&key) || key == "external_id"
}

/// A lowercase 64-hex string: a SHA-256 as Meta expects it.
pub fn is_sha256_hex(v: &str) -> bool {
    v.len() == 64 && v.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// What a plain value looks like, for the message about it. A 64-hex value
/// here is a SHA-256 in upper case (a lower-case one is not plain).
pub fn shape(v: &str) -> &'static str {
    if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) {
        "sha256_upper_case"
    } else if v.contains('@') {
        "email"
    } else if v.chars().filter(char::is_ascii_digit).count() >= 7 {
        "phone"
    } else {
        "text"
    }
}

/// A shape from [`shape`] (or a stored marker) in words, for a finding.
pub fn shape_in_words(shape: &str) -> &'static str {
    match shape {
        "email" => "an e-mail address",
        "phone" => "a phone number or date",
        "sha256_upper_case" => "a SHA-256 in upper case (Meta wants lower-case hex)",
        _ => "plain text",
    }
}

/// The shape recorded in a stored marker, when `v` is one.
pub fn marker_shape(v: &str) -> Option<&str> {
    let rest = v.strip_prefix(PLAIN_PREFIX)?;
    let (shape, hash) = rest.split_once(':')?;
    is_sha256_hex(hash).then_some(shape)
}

/// The value as Meta normalises it before hashing (Conversions API, "customer
/// information parameters"): trimmed and lower-cased; phone numbers and dates
/// as digits only (phone without leading zeros); names, cities, states, zip
/// codes and countries without spaces and punctuation; gender as `f` or `m`.
pub fn normalise(key: &str, value: &str) -> String {
    let v = value.trim().to_lowercase();
    let letters_and_digits = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).collect::<String>();
    match key {
        "ph" => v
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>()
            .trim_start_matches('0')
            .to_owned(),
        "db" => v.chars().filter(char::is_ascii_digit).collect(),
        "ge" => v
            .chars()
            .next()
            .filter(|c| matches!(c, 'f' | 'm'))
            .map(String::from)
            .unwrap_or(v),
        "fn" | "ln" | "ct" | "st" | "zp" | "country" => letters_and_digits(&v),
        _ => v,
    }
}

pub fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    out
}

/// The stand-in stored for `value` of matching key `key`, or `None` when the
/// value may be stored as it is (empty, already a SHA-256, already a marker).
pub fn mask(key: &str, value: &str) -> Option<String> {
    if value.is_empty() || is_sha256_hex(value) || marker_shape(value).is_some() {
        return None;
    }
    Some(format!(
        "{PLAIN_PREFIX}{}:{}",
        shape(value),
        sha256_hex(&normalise(key, value))
    ))
}

/// Replaces plain customer data in a journal record (as JSON) before it is
/// stored. Returns whether anything changed.
pub fn redact_record(record: &mut Value) -> bool {
    let kind = record.get("kind").and_then(Value::as_str).unwrap_or("").to_owned();
    let by_kind = redactor(&kind).is_some_and(|redact| redact(record));
    mask_strings_in(record, mask_emails) | by_kind
}

/// The record kinds that can carry customer data: those [`redactor`] has a
/// redaction for (a test keeps the two equal). The extension's contract
/// carries this list, so the worker hands the core every record of these kinds
/// and no other.
pub const REDACTED_KINDS: &[&str] = &[
    "request",
    "listed_request",
    "fbq_call",
    "server_payload",
    "server_response",
    "order",
];

/// What redacts a record of `kind`; `None` for kinds that never carry customer
/// data.
fn redactor(kind: &str) -> Option<fn(&mut Value) -> bool> {
    let redact: fn(&mut Value) -> bool = match kind {
        // A listed request's URL is masked exactly as a captured one's, so the
        // two still compare equal.
        "request" | "listed_request" => redact_request,
        "fbq_call" => redact_fbq_call,
        "server_payload" => |r| redact_text(r, redact_capi_text),
        "server_response" => |r| redact_text(r, response_fields_only),
        "order" => redact_order,
        _ => return None,
    };
    Some(redact)
}

/// A journal record's JSON text with plain customer data replaced (compact
/// JSON), or `None` when it may be stored as it is. A record that cannot carry
/// customer data (by its kind; an fbq call other than `init` or `set`; a
/// request whose text names no user-data parameter and has no raw body) and
/// does not match [`EMAIL_HINT`] is only scanned, never built.
pub fn redact_record_json(text: &str) -> Result<Option<String>, serde_json::Error> {
    // A lone UTF-16 surrogate from the page (see journal::record_from_json)
    // is stored as U+FFFD, so the record is read and redacted, never refused.
    if let Some(fixed) = crate::surrogates::repaired(text) {
        return Ok(Some(redact_record_json(&fixed)?.unwrap_or(fixed)));
    }
    #[derive(serde::Deserialize)]
    struct Peek<'a> {
        #[serde(borrow)]
        kind: Option<std::borrow::Cow<'a, str>>,
        #[serde(borrow)]
        method: Option<std::borrow::Cow<'a, str>>,
    }
    let peek = serde_json::from_str::<Peek>(text)?;
    let kind = peek.kind.unwrap_or_default();
    let skip = match kind.as_ref() {
        "fbq_call" => !matches!(peek.method.as_deref(), Some("init" | "set")),
        "request" => !names_user_data(text),
        _ => false,
    };
    let redact = redactor(&kind).filter(|_| !skip);
    let emails = may_hold_email(text);
    if redact.is_none() && !emails {
        return Ok(None);
    }
    let mut value: Value = serde_json::from_str(text)?;
    let by_kind = redact.is_some_and(|redact| redact(&mut value));
    // A rewrite by kind can turn an escaped `\u0040` into an `@`: scanned too.
    let masked = (emails || by_kind) && mask_strings_in(&mut value, mask_emails);
    Ok((by_kind || masked).then(|| value.to_string()))
}

/// What a text holding an e-mail address matches (a regular expression, for
/// the worker): an `@`, or `%40` percent-encoded any number of times (`dl` is
/// the page URL encoded once, and a page URL may already hold `%40` or
/// `%2540`). The worker hands the core every record whose JSON text matches,
/// whatever its kind; [`may_hold_email`] is the same test.
pub const EMAIL_HINT: &str = "@|%(?:25)*40";

/// Whether `text` matches [`EMAIL_HINT`].
pub fn may_hold_email(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr(b'@', bytes).is_some()
        || memchr::memchr_iter(b'%', bytes).any(|i| {
            let mut j = i + 1;
            while bytes.get(j..j + 2) == Some(b"25") {
                j += 2;
            }
            bytes.get(j..j + 2) == Some(b"40")
        })
}

/// One character of a text as [`mask_emails`] reads it, with the bytes it was
/// written as (`start..end`).
#[derive(Clone, Copy)]
struct Unit {
    start: usize,
    end: usize,
    read: Read,
}

#[derive(Clone, Copy, PartialEq)]
enum Read {
    /// An ASCII character, as is or percent-encoded (any number of times).
    Ascii(u8),
    /// A percent-encoded byte that is no UTF-8 character.
    Byte(u8),
    /// A non-ASCII character, as is or percent-encoded.
    Char(char),
}

impl Read {
    fn is(self, set: &str) -> bool {
        matches!(self, Read::Ascii(b) if set.as_bytes().contains(&b))
    }
    /// A letter or digit, in any script.
    fn is_word(self) -> bool {
        match self {
            Read::Ascii(b) => b.is_ascii_alphanumeric(),
            Read::Byte(_) => false,
            Read::Char(c) => c.is_alphanumeric(),
        }
    }
}

/// `text` read character by character: `%XX`, `%25XX`, `%2525XX`, … as the
/// one byte they encode.
fn units(text: &str) -> Vec<Unit> {
    let bytes = text.as_bytes();
    let hex = |i: usize| {
        let h = |b: u8| char::from(b).to_digit(16);
        Some((h(*bytes.get(i)?)? * 16 + h(*bytes.get(i + 1)?)?) as u8)
    };
    // The escape at `i` (any depth): where it ends and the byte it encodes.
    let escape = |i: usize| {
        if bytes.get(i) != Some(&b'%') {
            return None;
        }
        let mut j = i + 1;
        while hex(j) == Some(0x25) && hex(j + 2).is_some() {
            j += 2;
        }
        hex(j).map(|b| (j + 2, b))
    };
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let (end, read) = match escape(i) {
            Some((end, b)) if b.is_ascii() => (end, Read::Ascii(b)),
            // A non-ASCII character written as escapes of its UTF-8 bytes
            // reads as that character, as it would written as is.
            Some((mut end, b)) => {
                let len = match b {
                    0xF0.. => 4,
                    0xE0.. => 3,
                    0xC0.. => 2,
                    _ => 1,
                };
                let mut buf = vec![b];
                while buf.len() < len {
                    match escape(end) {
                        Some((next, c)) if (0x80..0xC0).contains(&c) => {
                            buf.push(c);
                            end = next;
                        }
                        _ => break,
                    }
                }
                match std::str::from_utf8(&buf).ok().and_then(|s| s.chars().next()) {
                    Some(c) if buf.len() == len => (end, Read::Char(c)),
                    _ => (escape(i).map_or(i + 1, |(e, _)| e), Read::Byte(b)),
                }
            }
            None => {
                let c = text[i..].chars().next().unwrap_or('\0');
                let read = if c.is_ascii() {
                    Read::Ascii(c as u8)
                } else {
                    Read::Char(c)
                };
                (i + c.len_utf8(), read)
            }
        };
        out.push(Unit { start: i, end, read });
        i = end;
    }
    out
}

/// The text `units` encode, as UTF-8 (bytes that are none read as U+FFFD).
fn decoded(units: &[Unit]) -> String {
    let mut bytes = Vec::with_capacity(units.len());
    for u in units {
        match u.read {
            Read::Ascii(b) | Read::Byte(b) => bytes.push(b),
            Read::Char(c) => bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Last labels that are file names' extensions, not top-level domains
/// (`logo@2x.png`, `app@1.2.js`).
pub const FILE_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "ico", "js", "mjs", "css", "json", "map", "html", "woff",
    "woff2", "ttf", "mp4", "webm", "pdf", "txt", "xml", "wasm",
];

/// `text` with each e-mail address in it replaced by its stored marker
/// (`plain:email:<SHA-256 of the normalised address>`), `None` when it holds
/// none. Page URLs carry addresses (a newsletter link's `?email=`, a sign-up
/// redirect), as they are and inside other URLs: the `dl` and `rl` of a pixel
/// request are the page URL percent-encoded once more. The address is read
/// through any depth of percent-encoding, and in any script, so the marker is
/// the same however it was written, and a navigation and the `dl` of its hits
/// still name the same page. The marker holds no character a URL must
/// encode. Not addresses: an `@` in the authority of a URL, nested ones
/// included (`https://user@host/`: a user name), a package version
/// (`react@18.2.0`: a domain's last label starts with a letter) and a file
/// name (`logo@2x.png`).
pub fn mask_emails(text: &str) -> Option<String> {
    if !may_hold_email(text) {
        return None;
    }
    let units = units(text);
    // Units inside a URL's authority (after `://`, up to the first character
    // no authority holds: the path's `/`, `?`, `#`, or the `&`, quote or space
    // after an origin-only URL), read through the encoding: the outer URL's
    // and nested ones'.
    let mut in_authority = vec![false; units.len()];
    let mut inside = false;
    for (k, u) in units.iter().enumerate() {
        if inside && !(u.read.is_word() || u.read.is("-._~:@[]!$'()*+;=")) {
            inside = false;
        }
        in_authority[k] = inside;
        if k >= 2 && u.read.is("/") && units[k - 1].read.is("/") && units[k - 2].read.is(":") {
            inside = true;
        }
    }
    let local = |r: Read| r.is_word() || r.is("._+-'");
    let domain = |r: Read| r.is_word() || r.is(".-");
    let mut out = String::new();
    let mut copied = 0;
    // Units before `lo` are part of an address already replaced.
    let mut lo = 0;
    let mut k = 0;
    while k < units.len() {
        if !units[k].read.is("@") || in_authority[k] {
            k += 1;
            continue;
        }
        let mut start = k;
        while start > lo && local(units[start - 1].read) {
            start -= 1;
        }
        // A marker's hash (`plain:email:<hex>`, read through the encoding)
        // is never part of a name: masking what is masked changes nothing. A
        // marker whose prefix an address just replaced took in is none.
        const PREFIX: &str = "plain:email:";
        let hash_at = |i: usize| {
            i >= lo + PREFIX.len()
                && i + 64 <= k
                && decoded(&units[i - PREFIX.len()..i]) == PREFIX
                && is_sha256_hex(&decoded(&units[i..i + 64]))
        };
        if hash_at(start) {
            start += 64;
        }
        while start < k && units[start].read.is(".'") {
            start += 1;
        }
        let mut end = k + 1;
        while end < units.len() && domain(units[end].read) {
            end += 1;
        }
        while end > k + 1 && units[end - 1].read.is(".-") {
            end -= 1;
        }
        let host = decoded(&units[k + 1..end]);
        let labels: Vec<&str> = host.split('.').collect();
        let is_address = start < k
            && labels.len() >= 2
            && labels.iter().all(|l| !l.is_empty())
            && labels.last().is_some_and(|tld| {
                tld.chars().count() >= 2
                    && tld.starts_with(char::is_alphabetic)
                    && !FILE_EXTENSIONS.contains(&tld.to_ascii_lowercase().as_str())
            });
        if !is_address {
            k += 1;
            continue;
        }
        let address = decoded(&units[start..end]);
        out.push_str(&text[copied..units[start].start]);
        out.push_str(&mask("em", &address).unwrap_or(address));
        copied = units[end - 1].end;
        lo = end;
        k = end;
    }
    (copied > 0).then(|| {
        out.push_str(&text[copied..]);
        out
    })
}

/// Whether a request record's JSON text can hold a user-data value: it names a
/// `ud[…]`/`udff[…]` parameter (as is, or percent-encoded), or carries a raw
/// body (base64: only decoding tells).
fn names_user_data(text: &str) -> bool {
    let bytes = text.as_bytes();
    let at = |i: usize, needle: &[u8]| {
        bytes
            .get(i..i + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    };
    let named = bytes.iter().enumerate().any(|(i, b)| {
        (*b | 0x20) == b'u'
            && at(i + 1, b"d")
            && [&b"["[..], b"%5b", b"ff[", b"ff%5b"].iter().any(|rest| at(i + 2, rest))
    });
    named || text.contains(r#""bytes""#)
}

/// `ud[key]` / `udff[key]` → `key`.
fn user_data_key(name: &str) -> Option<&str> {
    crate::decode::bracket_inner(name, "ud").or_else(|| crate::decode::bracket_inner(name, "udff"))
}

/// Rewrites the values of matching user-data pairs in an urlencoded string,
/// keeping every other byte as it was (the raw request stays the evidence).
fn redact_query(query: &str) -> Option<String> {
    let mut changed = false;
    let parts: Vec<String> = query
        .split('&')
        .map(|pair| {
            let Some((raw_key, raw_value)) = pair.split_once('=') else {
                return pair.to_owned();
            };
            let key: String = form_urlencoded::parse(format!("{raw_key}=").as_bytes())
                .next()
                .map(|(k, _)| k.into_owned())
                .unwrap_or_default();
            let Some(inner) = user_data_key(&key).filter(|k| is_matching_key(k)) else {
                return pair.to_owned();
            };
            let value: String = form_urlencoded::parse(format!("v={raw_value}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            match mask(inner, &value) {
                Some(m) => {
                    changed = true;
                    format!(
                        "{raw_key}={}",
                        form_urlencoded::byte_serialize(m.as_bytes()).collect::<String>()
                    )
                }
                None => pair.to_owned(),
            }
        })
        .collect();
    changed.then(|| parts.join("&"))
}

fn redact_request(record: &mut Value) -> bool {
    let mut changed = false;
    if let Some(url) = record.get("url").and_then(Value::as_str) {
        if let Some((head, query)) = url.split_once('?') {
            let (query, fragment) = match query.split_once('#') {
                Some((q, f)) => (q, Some(f)),
                None => (query, None),
            };
            if let Some(q) = redact_query(query) {
                let mut url = format!("{head}?{q}");
                if let Some(f) = fragment {
                    url.push('#');
                    url.push_str(f);
                }
                record["url"] = Value::String(url);
                changed = true;
            }
        }
    }
    let Some(body) = record.get_mut("body").filter(|b| b.is_object()) else {
        return changed;
    };
    match body.get("type").and_then(Value::as_str) {
        Some("form") => {
            if let Some(fields) = body.get_mut("fields").and_then(Value::as_array_mut) {
                for field in fields {
                    let Some(pair) = field.as_array_mut().filter(|p| p.len() == 2) else {
                        continue;
                    };
                    let key = pair[0].as_str().and_then(user_data_key).filter(|k| is_matching_key(k));
                    let masked = key.and_then(|k| pair[1].as_str().and_then(|v| mask(k, v)));
                    if let Some(m) = masked {
                        pair[1] = Value::String(m);
                        changed = true;
                    }
                }
            }
        }
        Some("text") => {
            let redone = body.get("text").and_then(Value::as_str).and_then(redact_body_text);
            if let Some(text) = redone {
                body["text"] = Value::String(text);
                changed = true;
            }
        }
        Some("bytes") => {
            use base64::Engine;
            let engine = base64::engine::general_purpose::STANDARD;
            let bytes = body
                .get("base64")
                .and_then(Value::as_str)
                .and_then(|b| engine.decode(b).ok());
            if let Some(out) = bytes.and_then(redact_raw_body) {
                body["base64"] = Value::String(engine.encode(out));
                changed = true;
            }
        }
        _ => {}
    }
    changed
}

/// A raw (base64) body with its user data and e-mail addresses (the hit's
/// `dl`) masked, `None` when it holds none. A body that is not UTF-8 is read
/// one character a byte (Latin-1) first, so an address in a Latin-1 form is
/// masked and every other byte written back as it came; then as the decoder
/// reads it (invalid bytes as U+FFFD), and if that reading still shows
/// something to mask (an address with UTF-8 letters beside a stray byte), the
/// body is stored as that reading, masked: what the checks read, nothing more.
fn redact_raw_body(bytes: Vec<u8>) -> Option<Vec<u8>> {
    let redact = |text: &str| {
        let redone = redact_body_text(text);
        mask_emails(redone.as_deref().unwrap_or(text)).or(redone)
    };
    let latin1 = match String::from_utf8(bytes) {
        Ok(text) => return redact(&text).map(String::into_bytes),
        Err(e) => e.into_bytes(),
    };
    let text: String = latin1.iter().map(|&b| char::from(b)).collect();
    let first = redact(&text).map(|q| latin1_bytes(&q));
    let read = String::from_utf8_lossy(first.as_deref().unwrap_or(&latin1)).into_owned();
    match redact(&read) {
        Some(q) => Some(q.into_bytes()),
        None => first,
    }
}

/// The bytes of a text read one character a byte (Latin-1); a character past
/// U+00FF (none of the masks has one) is written as UTF-8.
fn latin1_bytes(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(b) => out.push(b),
            Err(_) => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    out
}

/// A raw request body: urlencoded (what a form POST or fetch of fbevents
/// sends), else multipart or JSON, whose user-data fields are found by name.
fn redact_body_text(text: &str) -> Option<String> {
    redact_query(text).or_else(|| redact_named_values(text))
}

/// Masks user-data values in a body that is not urlencoded: a multipart part
/// (`name="ud[em]"` … blank line … value) or a JSON member (`"ud[em]": "…"`).
/// Anything else in the body keeps its bytes.
fn redact_named_values(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(at) = rest.find("ud") {
        // The key starts at a quote: `"ud[em]"` (JSON, multipart's name="…").
        let starts_key = at > 0 && rest.as_bytes()[at - 1] == b'"';
        let key_end = rest[at..].find('"').map(|n| at + n);
        let Some(key_end) = key_end.filter(|_| starts_key) else {
            out.push_str(&rest[..at + 2]);
            rest = &rest[at + 2..];
            continue;
        };
        let key = &rest[at..key_end];
        let Some(inner) = user_data_key(key).filter(|k| is_matching_key(k)) else {
            out.push_str(&rest[..key_end]);
            rest = &rest[key_end..];
            continue;
        };
        // Where the value starts and ends, by the body's form.
        let after = &rest[key_end + 1..];
        let span = if let Some(v) = after.strip_prefix("\r\n\r\n") {
            // multipart: up to the next line break
            let len = v.find("\r\n").unwrap_or(v.len());
            Some((key_end + 1 + 4, len))
        } else {
            let colon = after.trim_start();
            colon.strip_prefix(':').and_then(|v| {
                let v = v.trim_start();
                let v = v.strip_prefix('"')?;
                let len = v.find('"')?;
                Some((rest.len() - v.len(), len))
            })
        };
        let Some((start, len)) = span else {
            out.push_str(&rest[..key_end]);
            rest = &rest[key_end..];
            continue;
        };
        out.push_str(&rest[..start]);
        let value = &rest[start..start + len];
        match mask(inner, value) {
            Some(m) => {
                out.push_str(&m);
                changed = true;
            }
            None => out.push_str(value),
        }
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// Masks the matching keys of one object of advanced-matching values.
fn redact_matching_object(obj: &mut Map<String, Value>) -> bool {
    let mut changed = false;
    for (key, value) in obj.iter_mut() {
        if !is_matching_key(key) {
            continue;
        }
        changed |= redact_matching_value(key, value);
    }
    changed
}

/// A value or an array of values (the Conversions API takes arrays).
fn redact_matching_value(key: &str, value: &mut Value) -> bool {
    match value {
        Value::String(s) => match mask(key, s) {
            Some(m) => {
                *s = m;
                true
            }
            None => false,
        },
        Value::Number(n) => {
            // A phone number or zip code written as a number is still plain.
            let masked = mask(key, &n.to_string());
            masked.map(|m| *value = Value::String(m)).is_some()
        }
        Value::Array(items) => items.iter_mut().fold(false, |c, v| redact_matching_value(key, v) | c),
        _ => false,
    }
}

fn redact_fbq_call(record: &mut Value) -> bool {
    let method = record.get("method").and_then(Value::as_str).unwrap_or("");
    // fbq('init', id, {em: …}) and fbq('set', 'userData', {em: …}): the
    // arguments after the method, so the object is the second either way.
    let user_data = match method {
        "init" => true,
        "set" => record.pointer("/args/0").and_then(Value::as_str) == Some("userData"),
        _ => false,
    };
    if !user_data {
        return false;
    }
    match record.pointer_mut("/args/1").and_then(Value::as_object_mut) {
        Some(obj) => redact_matching_object(obj),
        None => false,
    }
}

/// Applies `f` to the `text` of a user-supplied record.
fn redact_text(record: &mut Value, f: fn(&str) -> Option<String>) -> bool {
    let redone = record.get("text").and_then(Value::as_str).and_then(f);
    match redone {
        Some(text) => {
            record["text"] = Value::String(text);
            true
        }
        None => false,
    }
}

/// A Conversions API paste (one or more JSON documents) with plain
/// `user_data` values masked; `None` when nothing changed or it is not JSON
/// (the worker refuses such a paste before storing it: `evidenceProblem`).
fn redact_capi_text(text: &str) -> Option<String> {
    let mut docs: Vec<Value> = Vec::new();
    for doc in serde_json::Deserializer::from_str(text).into_iter::<Value>() {
        docs.push(doc.ok()?);
    }
    let mut changed = false;
    for doc in &mut docs {
        changed |= remove_credentials(doc);
        changed |= match doc {
            Value::Array(items) => redact_events(items),
            Value::Object(o) => match o.get_mut("data") {
                Some(Value::Array(items)) => redact_events(items),
                // A form-encoded body carries the array as JSON text.
                Some(Value::String(text)) => redact_json_text(text, |v| match v {
                    Value::Array(items) => redact_events(items),
                    _ => false,
                }),
                _ => redact_event(doc),
            },
            _ => false,
        };
    }
    if !changed {
        return None;
    }
    // Compact, as pasted bodies usually are: a pretty-printed rewrite grew a
    // paste past what it was when it was checked.
    let texts: Vec<String> = docs.iter().map(Value::to_string).collect();
    Some(texts.join("\n"))
}

/// Replaces the value of every credential field of a JSON document, at any
/// depth, with [`REMOVED_CREDENTIAL`]. Returns whether anything changed.
fn remove_credentials(v: &mut Value) -> bool {
    match v {
        Value::Object(o) => o.iter_mut().fold(false, |changed, (key, value)| {
            if !CREDENTIAL_FIELDS.contains(&key.as_str()) {
                return remove_credentials(value) | changed;
            }
            if value.as_str() == Some(REMOVED_CREDENTIAL) {
                return changed;
            }
            *value = Value::String(REMOVED_CREDENTIAL.into());
            true
        }),
        Value::Array(items) => items.iter_mut().fold(false, |c, item| remove_credentials(item) | c),
        _ => false,
    }
}

/// The credential fields of a JSON document whose value was removed.
fn removed_credentials(v: &Value, out: &mut Vec<&'static str>) {
    match v {
        Value::Object(o) => {
            for (key, value) in o {
                match CREDENTIAL_FIELDS.iter().find(|c| **c == key) {
                    Some(c) if value.as_str() == Some(REMOVED_CREDENTIAL) => {
                        if !out.contains(c) {
                            out.push(c);
                        }
                    }
                    _ => removed_credentials(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| removed_credentials(item, out)),
        _ => {}
    }
}

/// A pasted Conversions API request (one or more JSON documents) with its
/// credentials removed: the text to keep when it changed (compact JSON), and
/// the credential fields the text now says were removed, whether here or
/// before it was stored. Text that is not JSON is left to the parser's error
/// (nothing unparsable is stored).
pub fn strip_credentials(text: &str) -> (Option<String>, Vec<&'static str>) {
    if !CREDENTIAL_FIELDS.iter().any(|c| text.contains(c)) {
        return (None, Vec::new());
    }
    let mut docs: Vec<Value> = Vec::new();
    for doc in serde_json::Deserializer::from_str(text).into_iter::<Value>() {
        match doc {
            Ok(d) => docs.push(d),
            Err(_) => return (None, Vec::new()),
        }
    }
    let changed = docs.iter_mut().fold(false, |c, d| remove_credentials(d) | c);
    let mut removed = Vec::new();
    docs.iter().for_each(|d| removed_credentials(d, &mut removed));
    removed.sort_unstable();
    let text = changed.then(|| docs.iter().map(Value::to_string).collect::<Vec<_>>().join("\n"));
    (text, removed)
}

/// Masks the `user_data` of each event of a list (as `parse_capi` reads it:
/// an object, or an object as JSON text, as Meta's Python SDK sends it).
fn redact_events(items: &mut [Value]) -> bool {
    items.iter_mut().fold(false, |changed, item| {
        let now = match item {
            Value::String(text) => redact_json_text(text, redact_event),
            event => redact_event(event),
        };
        changed | now
    })
}

fn redact_event(event: &mut Value) -> bool {
    match event.get_mut("user_data").and_then(Value::as_object_mut) {
        Some(ud) => redact_matching_object(ud),
        None => false,
    }
}

/// Applies `f` to JSON held as text and writes it back when it changed.
fn redact_json_text(text: &mut String, f: impl FnOnce(&mut Value) -> bool) -> bool {
    let Ok(mut inner) = serde_json::from_str::<Value>(text) else {
        return false;
    };
    if !f(&mut inner) {
        return false;
    }
    *text = inner.to_string();
    true
}

/// The fields of Meta's response body and of its `error` object (Graph API,
/// "Handling Errors"); anything else a paste carries is not kept.
const RESPONSE_FIELDS: &[&str] = &["events_received", "messages", "fbtrace_id", "error"];
const RESPONSE_ERROR_FIELDS: &[&str] = &[
    "message",
    "type",
    "code",
    "error_subcode",
    "is_transient",
    "error_user_title",
    "error_user_msg",
    "fbtrace_id",
];

/// A response paste with only Meta's fields, and e-mail addresses and phone
/// numbers in its texts masked; `None` when nothing changed or it is not
/// JSON (the worker refuses such a paste before storing it).
fn response_fields_only(text: &str) -> Option<String> {
    let mut docs: Vec<Value> = Vec::new();
    for doc in serde_json::Deserializer::from_str(text).into_iter::<Value>() {
        docs.push(doc.ok()?);
    }
    let mut changed = false;
    for doc in &mut docs {
        let Value::Object(top) = doc else { continue };
        changed |= keep_only(top, RESPONSE_FIELDS);
        if let Some(Value::Object(e)) = top.get_mut("error") {
            changed |= keep_only(e, RESPONSE_ERROR_FIELDS);
            for (k, v) in e.iter_mut() {
                if k != "fbtrace_id" {
                    changed |= mask_strings_in(v, mask_echoes);
                }
            }
        } else if top.get("error").is_some() {
            changed |= top.remove("error").is_some();
        }
        if let Some(m) = top.get_mut("messages") {
            changed |= mask_strings_in(m, mask_echoes);
        }
    }
    changed.then(|| {
        docs.iter()
            .filter_map(|d| serde_json::to_string_pretty(d).ok())
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// Applies `mask` to every string of `v`; whether any changed.
fn mask_strings_in(v: &mut Value, mask: fn(&str) -> Option<String>) -> bool {
    match v {
        Value::String(s) => match mask(s) {
            Some(masked) => {
                *s = masked;
                true
            }
            None => false,
        },
        Value::Array(items) => items.iter_mut().fold(false, |c, i| mask_strings_in(i, mask) | c),
        Value::Object(o) => o.values_mut().fold(false, |c, i| mask_strings_in(i, mask) | c),
        _ => false,
    }
}

/// `text` with each e-mail address and each phone number written with its
/// country code (`+1 415 555 0100`) replaced by a stored-marker stand-in;
/// `None` when it holds neither.
pub fn mask_echoes(text: &str) -> Option<String> {
    let is_sep = |c: char| c.is_whitespace() || "\"'`,;<>()[]{}".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut rest = text;
    while !rest.is_empty() {
        let start = rest.find(|c: char| !is_sep(c)).unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        // A phone number may hold spaces: take the longest run of digits,
        // spaces and - . ( ) after a '+'.
        let end = if rest.starts_with('+') {
            let n = rest
                .char_indices()
                .skip(1)
                .find(|(_, c)| !(c.is_ascii_digit() || " -.()".contains(*c)))
                .map_or(rest.len(), |(i, _)| i);
            rest[..n].trim_end_matches([' ', '-', '.', '(']).len()
        } else {
            rest.find(is_sep).unwrap_or(rest.len())
        };
        let token = &rest[..end];
        let email = token
            .split_once('@')
            .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'));
        let phone = token.starts_with('+') && token.chars().filter(char::is_ascii_digit).count() >= 7;
        if email || phone {
            let key = if email { "em" } else { "ph" };
            let value = token.trim_end_matches(['.', ':']);
            out.push_str(&mask(key, value).unwrap_or_else(|| value.to_owned()));
            out.push_str(&token[value.len()..]);
            changed = true;
        } else {
            out.push_str(token);
        }
        rest = &rest[end..];
        if end == 0 && !rest.is_empty() {
            // Defensive: never loop on a character that is neither.
            let c = rest.chars().next().map_or(1, char::len_utf8);
            out.push_str(&rest[..c]);
            rest = &rest[c..];
        }
    }
    changed.then_some(out)
}

/// The fields of a Shopify Admin API order that the checks read, and nothing
/// about the customer.
const ORDER_FIELDS: &[&str] = &[
    "id",
    "name",
    "order_number",
    "number",
    "test",
    "created_at",
    "processed_at",
    "financial_status",
    "currency",
    "presentment_currency",
    "taxes_included",
    "total_price",
    "total_price_set",
    "subtotal_price",
    "subtotal_price_set",
    "total_tax",
    "total_tax_set",
    "total_discounts",
    "total_discounts_set",
    "total_line_items_price",
    "total_shipping_price_set",
    "current_total_price",
    "shipping_lines",
    "line_items",
    "discount_codes",
];
/// The fields of typed order figures (`inputs::order::OrderFigures`).
const TYPED_ORDER_FIELDS: &[&str] = &[
    "order_number",
    "total",
    "subtotal",
    "shipping",
    "tax",
    "discount",
    "currency",
    "item_count",
    "presentment_currency",
    "presentment_total",
];
const LINE_FIELDS: &[&str] = &[
    "id",
    "quantity",
    "price",
    "price_set",
    "sku",
    "product_id",
    "variant_id",
    "title",
    "code",
    "amount",
    "type",
    "total_discount",
];

fn keep_only(obj: &mut Map<String, Value>, fields: &[&str]) -> bool {
    let before = obj.len();
    obj.retain(|k, _| fields.contains(&k.as_str()));
    obj.len() != before
}

/// An order paste (JSON or an Orders export CSV) reduced to its figures;
/// whether anything was removed.
fn redact_order(record: &mut Value) -> bool {
    let Some(text) = record.get("text").and_then(Value::as_str) else {
        return false;
    };
    let name = record.get("order_name").and_then(Value::as_str);
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let redone = match body.trim_start().chars().next() {
        Some('{' | '[') | None => order_figures_only(body),
        Some(_) => csv_figures_only(body, name),
    };
    match redone {
        Some(text) => {
            record["text"] = Value::String(text);
            true
        }
        None => false,
    }
}

/// The Orders export columns the order figures are read from
/// (`inputs::order::csv_export`).
const CSV_COLUMNS: &[&str] = &[
    "Name",
    "Financial Status",
    "Currency",
    "Subtotal",
    "Shipping",
    "Taxes",
    "Total",
    "Discount Amount",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem sku",
];

/// An Orders export with only [`CSV_COLUMNS`], and only the rows of order
/// `name` when one is given; `None` when nothing was removed or it does not
/// read (the worker stores only an order that reads: `evidenceProblem`).
fn csv_figures_only(text: &str, name: Option<&str>) -> Option<String> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header = reader.headers().ok()?.clone();
    let keep: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| CSV_COLUMNS.iter().any(|c| c.eq_ignore_ascii_case(h.trim())))
        .map(|(i, _)| i)
        .collect();
    let name_col = header.iter().position(|h| h.trim().eq_ignore_ascii_case("Name"));
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(keep.iter().map(|&i| &header[i])).ok()?;
    let mut changed = keep.len() != header.len();
    for row in reader.records() {
        let row = row.ok()?;
        let picked = match (name, name_col.and_then(|c| row.get(c))) {
            (Some(want), Some(have)) => crate::inputs::order::same_name(want, have),
            _ => true,
        };
        if !picked {
            changed = true;
            continue;
        }
        out.write_record(keep.iter().map(|&i| row.get(i).unwrap_or_default()))
            .ok()?;
    }
    let bytes = out.into_inner().ok()?;
    changed.then(|| String::from_utf8(bytes).ok()).flatten()
}

/// The fields of a GraphQL Admin order that the checks read
/// (`inputs::order::graphql`), and nothing about the customer.
const GRAPHQL_ORDER_FIELDS: &[&str] = &[
    "id",
    "name",
    "legacyResourceId",
    "test",
    "createdAt",
    "processedAt",
    "currencyCode",
    "presentmentCurrencyCode",
    "displayFinancialStatus",
    "taxesIncluded",
    "totalPriceSet",
    "currentTotalPriceSet",
    "subtotalPriceSet",
    "totalTaxSet",
    "totalShippingPriceSet",
    "totalDiscountsSet",
    "lineItems",
];
const GRAPHQL_LINE_FIELDS: &[&str] = &[
    "id",
    "name",
    "title",
    "sku",
    "quantity",
    "originalUnitPriceSet",
    "discountedUnitPriceSet",
];

/// A MoneyBag (`{shopMoney {amount currencyCode} presentmentMoney {…}}`) with nothing else.
fn keep_money_bag(v: &mut Value) -> bool {
    let Some(bag) = v.as_object_mut() else { return false };
    let mut changed = keep_only(bag, &["shopMoney", "presentmentMoney"]);
    for m in bag.values_mut().filter_map(Value::as_object_mut) {
        changed |= keep_only(m, &["amount", "currencyCode"]);
    }
    changed
}

/// A GraphQL order object reduced to [`GRAPHQL_ORDER_FIELDS`].
fn graphql_figures_only(order: &mut Map<String, Value>) -> bool {
    let mut changed = keep_only(order, GRAPHQL_ORDER_FIELDS);
    for (k, v) in order.iter_mut() {
        if k.ends_with("Set") {
            changed |= keep_money_bag(v);
        }
    }
    if let Some(items) = order.get_mut("lineItems") {
        let mut nodes: Vec<&mut Value> = Vec::new();
        match items {
            Value::Object(conn) => {
                changed |= keep_only(conn, &["edges", "nodes"]);
                for (k, list) in conn.iter_mut() {
                    let Value::Array(list) = list else { continue };
                    if k == "nodes" {
                        nodes.extend(list.iter_mut());
                        continue;
                    }
                    for e in list.iter_mut() {
                        if let Some(edge) = e.as_object_mut() {
                            changed |= keep_only(edge, &["node"]);
                        }
                        nodes.extend(e.get_mut("node"));
                    }
                }
            }
            Value::Array(list) => nodes.extend(list.iter_mut()),
            _ => {}
        }
        for node in nodes.into_iter().filter_map(Value::as_object_mut) {
            changed |= keep_only(node, GRAPHQL_LINE_FIELDS);
            for (k, v) in node.iter_mut() {
                if k.ends_with("Set") {
                    changed |= keep_money_bag(v);
                }
            }
        }
    }
    changed
}

/// An order paste reduced to its figures; `None` when it holds nothing else
/// or is not JSON.
fn order_figures_only(text: &str) -> Option<String> {
    let mut value: Value = serde_json::from_str(text).ok()?;
    // A GraphQL response: only data.order, and of it only the figures.
    if let Some(top) = value.as_object_mut().filter(|t| t.contains_key("data")) {
        let mut changed = keep_only(top, &["data"]);
        if let Some(data) = top.get_mut("data").and_then(Value::as_object_mut) {
            changed |= keep_only(data, &["order"]);
            if let Some(order) = data.get_mut("order").and_then(Value::as_object_mut) {
                changed |= graphql_figures_only(order);
            }
        }
        return changed.then(|| value.to_string());
    }
    {
        let order = match value.get_mut("order") {
            Some(o) => o,
            None => &mut value,
        };
        if let Some(obj) = order
            .as_object_mut()
            .filter(|o| crate::inputs::order::graphql::looks_like(o))
        {
            let mut changed = graphql_figures_only(obj);
            if let Some(top) = value.as_object_mut().filter(|t| t.contains_key("order")) {
                changed |= keep_only(top, &["order"]);
            }
            return changed.then(|| value.to_string());
        }
    }
    let order = match value.get_mut("order") {
        Some(o) => o,
        None => &mut value,
    };
    let obj = order.as_object_mut()?;
    if !obj.contains_key("total_price") && !obj.contains_key("total_price_set") {
        // Typed figures ({"total": …}): the figures, and nothing else pasted with them.
        return keep_only(obj, TYPED_ORDER_FIELDS).then(|| value.to_string());
    }
    let mut changed = keep_only(obj, ORDER_FIELDS);
    for list in ["line_items", "shipping_lines", "discount_codes"] {
        if let Some(items) = obj.get_mut(list).and_then(Value::as_array_mut) {
            for item in items.iter_mut().filter_map(Value::as_object_mut) {
                changed |= keep_only(item, LINE_FIELDS);
            }
        }
    }
    if let Some(Value::Object(top)) = Some(&mut value) {
        if top.contains_key("order") {
            changed |= keep_only(top, &["order"]);
        }
    }
    changed.then(|| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const JANE: &str = "jane.doe@example.com";

    #[test]
    fn normalisation_follows_meta() {
        assert_eq!(normalise("em", "  Jane.Doe@Example.COM "), JANE);
        assert_eq!(normalise("ph", "+1 (650) 555-0123"), "16505550123");
        assert_eq!(normalise("ph", "0044 20 7946 0958"), "442079460958");
        assert_eq!(normalise("db", "1990-02-15"), "19900215");
        assert_eq!(normalise("ge", "Female"), "f");
        assert_eq!(normalise("ct", "San Francisco"), "sanfrancisco");
        assert_eq!(normalise("fn", "Mary-Jane"), "maryjane");
        // The digest of the normalised e-mail, as `sha256sum` prints it.
        assert_eq!(
            sha256_hex(JANE),
            "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d"
        );
        assert!(is_sha256_hex(&sha256_hex(JANE)));
    }

    #[test]
    fn plain_values_become_markers_and_hashes_stay() {
        let m = mask("em", "Jane.Doe@Example.com").expect("masked");
        assert_eq!(m, format!("plain:email:{}", sha256_hex(JANE)));
        assert_eq!(marker_shape(&m), Some("email"));
        assert_eq!(mask("em", &sha256_hex(JANE)), None, "a hash is stored as it is");
        assert_eq!(mask("em", &m), None, "a marker is not masked twice");
        assert_eq!(
            mask("ph", "+1 650 555 0123").as_deref().and_then(marker_shape),
            Some("phone")
        );
        // A hash in upper case is not what Meta takes; its marker says so.
        let upper = sha256_hex(JANE).to_uppercase();
        assert_eq!(
            mask("em", &upper).as_deref().and_then(marker_shape),
            Some("sha256_upper_case")
        );
    }

    #[test]
    fn a_request_keeps_every_byte_but_the_plain_values() {
        let mut r = json!({
            "kind": "request",
            "url": "https://www.facebook.com/tr/?id=1&ev=Purchase&ud[em]=jane.doe%40example.com&ud%5Bph%5D=%2B1%20650%20555%200123&ud[fn]=0a1b&cd[value]=1,5",
            "body": {"type": "form", "fields": [["ud[em]", "Jane.Doe@Example.com"], ["ev", "Purchase"], ["udff[ln]", "Doe"]]},
        });
        assert!(redact_record(&mut r));
        let url = r["url"].as_str().expect("url");
        assert!(!url.contains("jane") && !url.contains("650"), "{url}");
        assert!(
            url.starts_with("https://www.facebook.com/tr/?id=1&ev=Purchase&ud[em]=plain%3Aemail%3A"),
            "{url}"
        );
        assert!(
            url.contains("&ud[fn]=plain%3Atext%3A"),
            "a short plain value is masked too: {url}"
        );
        assert!(
            url.ends_with("&cd[value]=1,5"),
            "other parameters keep their bytes: {url}"
        );
        let fields = r["body"]["fields"].as_array().expect("fields");
        assert_eq!(fields[0][1], json!(format!("plain:email:{}", sha256_hex(JANE))));
        assert_eq!(fields[1][1], json!("Purchase"));
        assert!(fields[2][1].as_str().is_some_and(|v| v.starts_with("plain:text:")));
        let mut hashed =
            json!({"kind": "request", "url": format!("https://www.facebook.com/tr/?ud[em]={}", sha256_hex(JANE))});
        assert!(!redact_record(&mut hashed), "hashed values are stored as sent");
    }

    #[test]
    fn fbq_advanced_matching_and_capi_user_data_are_masked() {
        let mut init = json!({"kind": "fbq_call", "method": "init", "args": ["1234", {"em": "Jane.Doe@Example.com", "external_id": 42}]});
        assert!(redact_record(&mut init));
        assert_eq!(
            init["args"][1]["em"],
            json!(format!("plain:email:{}", sha256_hex(JANE)))
        );
        assert!(init["args"][1]["external_id"]
            .as_str()
            .is_some_and(|v| v.starts_with("plain:text:")));
        let mut set = json!({"kind": "fbq_call", "method": "set", "args": ["userData", {"ph": "6505550123"}]});
        assert!(redact_record(&mut set));
        let mut track = json!({"kind": "fbq_call", "method": "track", "args": ["Purchase", {"value": 1}]});
        assert!(!redact_record(&mut track));
        let capi = json!({"data": [{"event_name": "Purchase", "user_data": {"em": [JANE], "client_ip_address": "203.0.113.7", "ph": sha256_hex("16505550123")}}]});
        let mut paste = json!({"kind": "server_payload", "label": "capi.json", "text": capi.to_string()});
        assert!(redact_record(&mut paste));
        let text = paste["text"].as_str().expect("text");
        assert!(!text.contains(JANE), "{text}");
        assert!(text.contains("203.0.113.7"), "fields Meta takes unhashed stay");
        assert!(text.contains(&sha256_hex("16505550123")));
        assert_eq!(
            crate::inputs::parse_capi("capi.json", text).map(|e| e.len()).ok(),
            Some(1)
        );
    }

    /// The page's Resource Timing lists a request's URL as sent, plain e-mail
    /// and all: masked exactly as the captured request's, so no plain value is
    /// kept and the two URLs still compare equal.
    #[test]
    fn a_listed_url_is_masked_like_the_captured_request() {
        let url = "https://www.facebook.com/tr/?id=1&ev=Purchase&ud[em]=jane%40example.com";
        let mut captured = json!({"kind": "request", "url": url, "method": "GET"});
        let mut listed = json!({"kind": "listed_request", "url": url});
        assert!(redact_record(&mut captured));
        assert!(redact_record(&mut listed));
        assert_eq!(listed["url"], captured["url"]);
        assert!(!listed["url"].as_str().unwrap_or_default().contains("jane"), "{listed}");
    }

    #[test]
    fn the_redacted_kinds_are_the_kinds_with_a_redaction() {
        let known = [
            "request",
            "script_load",
            "navigation",
            "fbq_call",
            "scripts",
            "gesture",
            "gesture_watch",
            "request_count",
            "listed_request",
            "fb_log",
            "shopify",
            "server_payload",
            "order",
            "dropped",
            "consent",
            "server_response",
        ];
        for kind in known {
            assert_eq!(redactor(kind).is_some(), REDACTED_KINDS.contains(&kind), "{kind}");
        }
        for kind in REDACTED_KINDS {
            assert!(redactor(kind).is_some(), "{kind}");
        }
    }

    #[test]
    fn records_as_json_text_are_redacted_by_kind() {
        let hit = json!({"kind": "request", "url": "https://www.facebook.com/tr/?id=1&ud[em]=jane.doe%40example.com"});
        let out = redact_record_json(&hit.to_string()).expect("JSON").expect("redacted");
        assert!(!out.contains("jane") && out.contains("plain%3Aemail%3A"), "{out}");
        // Any kind: an e-mail address in a page URL is masked too.
        let nav = json!({"kind": "navigation", "url": "https://shop.test/?email=jane.doe@example.com", "time": 1});
        let out = redact_record_json(&nav.to_string()).expect("JSON").expect("masked");
        assert_eq!(
            serde_json::from_str::<Value>(&out).expect("JSON")["url"],
            json!(format!("https://shop.test/?email=plain:email:{}", sha256_hex(JANE)))
        );
        let plain = json!({"kind": "navigation", "url": "https://shop.test/products/tee", "time": 1});
        assert_eq!(
            redact_record_json(&plain.to_string()).ok(),
            Some(None),
            "nothing to mask"
        );
        let hashed =
            json!({"kind": "request", "url": format!("https://www.facebook.com/tr/?ud[em]={}", sha256_hex(JANE))});
        assert_eq!(
            redact_record_json(&hashed.to_string()).ok(),
            Some(None),
            "nothing to change"
        );
        assert!(redact_record_json("[1]").is_err());
        // A raw body is decoded to be judged; a track call is never redacted.
        let body = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            "ud%5Bem%5D=jane.doe%40example.com",
        );
        let raw = json!({"kind": "request", "url": "https://www.facebook.com/tr/", "body": {"type": "bytes", "base64": body}});
        assert!(redact_record_json(&raw.to_string()).expect("JSON").is_some());
        // A raw body's page URL is masked where it can be read.
        let body = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            "id=1&ev=Purchase&dl=https%3A%2F%2Fshop.test%2F%3Femail%3Djane.doe%2540example.com",
        );
        let raw = json!({"kind": "request", "url": "https://www.facebook.com/tr/", "body": {"type": "bytes", "base64": body}});
        let out: Value =
            serde_json::from_str(&redact_record_json(&raw.to_string()).expect("JSON").expect("masked")).expect("JSON");
        let sent = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            out["body"]["base64"].as_str().expect("base64"),
        )
        .expect("base64");
        assert_eq!(
            String::from_utf8(sent).expect("UTF-8"),
            format!(
                "id=1&ev=Purchase&dl=https%3A%2F%2Fshop.test%2F%3Femail%3Dplain:email:{}",
                sha256_hex(JANE)
            )
        );
        let udff =
            json!({"kind": "request", "url": "https://www.facebook.com/tr/?udff%5Bem%5D=jane.doe%40example.com"});
        assert!(redact_record_json(&udff.to_string()).expect("JSON").is_some());
        let track = json!({"kind": "fbq_call", "method": "track", "args": ["Lead", {"content_name": "Tee"}]});
        assert_eq!(redact_record_json(&track.to_string()).ok(), Some(None));
        // An address in a track call's custom data is no advanced matching,
        // but customer data all the same.
        let track = json!({"kind": "fbq_call", "method": "track", "args": ["Lead", {"em": "jane.doe@example.com"}]});
        let out = redact_record_json(&track.to_string()).expect("JSON").expect("masked");
        assert!(!out.contains("jane") && out.contains("plain:email:"), "{out}");
        let init = json!({"kind": "fbq_call", "method": "init", "args": ["1", {"em": "jane.doe@example.com"}]});
        assert!(redact_record_json(&init.to_string()).expect("JSON").is_some());
    }

    /// A raw body that is not UTF-8 (a Latin-1 form, a stray byte) is masked
    /// as its UTF-8 twin is, and every byte but the masked ones stays.
    #[test]
    fn a_raw_body_that_is_not_utf8_is_masked_too() {
        use base64::Engine;
        let engine = base64::engine::general_purpose::STANDARD;
        let redacted_body = |bytes: &[u8]| -> Option<Vec<u8>> {
            let raw = json!({"kind": "request", "url": "https://www.facebook.com/tr/", "body": {"type": "bytes", "base64": engine.encode(bytes)}});
            let out = redact_record_json(&raw.to_string()).expect("JSON")?;
            let out: Value = serde_json::from_str(&out).expect("JSON");
            Some(
                engine
                    .decode(out["body"]["base64"].as_str().expect("base64"))
                    .expect("base64"),
            )
        };
        let sent = b"id=1&ev=Purchase&ud%5Bem%5D=jane.doe%40example.com&dl=https%3A%2F%2Fshop.test%2F%3Femail%3Djane.doe%2540example.com";
        let twin = redacted_body(sent).expect("the UTF-8 body is masked");
        // Latin-1 bytes (`Café`, `é` as 0xE9) and a stray 0xFF, before and
        // after the user data.
        let mut odd = b"cd%5Bcontent_name%5D=Caf\xe9&".to_vec();
        odd.extend_from_slice(sent);
        odd.extend_from_slice(b"&x=\xff\xfe");
        assert!(std::str::from_utf8(&odd).is_err());
        let out = redacted_body(&odd).expect("masked");
        let mut expected = b"cd%5Bcontent_name%5D=Caf\xe9&".to_vec();
        expected.extend_from_slice(&twin);
        expected.extend_from_slice(b"&x=\xff\xfe");
        assert_eq!(out, expected);
        assert!(!out.windows(4).any(|w| w == b"jane"));
        // An address with a Latin-1 letter in its name is masked whole.
        let latin = b"dl=https%3A%2F%2Fshop.test%2F%3Femail%3Djos\xe9%40example.com";
        let out = redacted_body(latin).expect("masked");
        let out = String::from_utf8(out).expect("the mask is ASCII and nothing else is left");
        assert!(
            out.starts_with("dl=https%3A%2F%2Fshop.test%2F%3Femail%3Dplain:email:"),
            "{out}"
        );
        // Nothing to mask: not rewritten.
        assert_eq!(redacted_body(b"id=1&ev=Purchase&cd%5Bcontent_name%5D=Caf\xe9"), None);
        // UTF-8 letters beside a stray byte: read as Latin-1 they are two
        // characters each (`é` as `Ã©`), and the address was missed.
        for odd in [
            "{\"n\":\"jos\u{e9}@example.com\",\"x\":\"\u{1}\"}",
            "dl=https%3A%2F%2Fshop.test%2F%3Femail%3Djane%40ex\u{e4}mple.de&x=\u{1}",
        ] {
            let mut bytes = odd.as_bytes().to_vec();
            let at = bytes.iter().position(|&b| b == 1).expect("the marker");
            bytes[at] = 0xff;
            let out = redacted_body(&bytes).expect("masked");
            let out = String::from_utf8_lossy(&out);
            assert!(!out.contains("jos") && !out.contains("jane"), "{out}");
            assert!(out.contains("plain:email:"), "{out}");
        }
    }

    /// A pasted body is rewritten compact: a pretty-printed rewrite grew a
    /// paste past the size it had when it was checked.
    #[test]
    fn a_redacted_paste_stays_compact() {
        let events: Vec<Value> = (0..50)
            .map(|i| json!({"event_name": "Purchase", "event_id": format!("o{i}"), "user_data": {"em": format!("buyer{i}@example.com"), "ph": "+1 650 555 0123"}}))
            .collect();
        let capi = json!({ "data": events }).to_string();
        let mut paste = json!({"kind": "server_payload", "label": "capi.json", "text": capi});
        assert!(redact_record(&mut paste));
        let text = paste["text"].as_str().expect("text");
        assert!(
            !text.contains('\n') && !text.contains(": "),
            "compact: {}",
            &text[..200]
        );
        assert!(!text.contains("example.com") && !text.contains("650 555"));
        assert_eq!(
            crate::inputs::parse_capi("capi.json", text).map(|e| e.len()).ok(),
            Some(50)
        );
        let mut order = json!({"kind": "order", "text": json!({"order": {"total_price": "78.00", "currency": "USD", "email": JANE}}).to_string()});
        assert!(redact_record(&mut order));
        assert!(!order["text"].as_str().expect("text").contains('\n'));
    }

    /// Meta's Python SDK posts each event as JSON text, and a form-encoded
    /// body carries the array as text: plain values there are masked too.
    #[test]
    fn capi_events_sent_as_json_text_are_masked() {
        let event =
            json!({"event_name": "Purchase", "user_data": {"em": [JANE], "fbp": "fb.1.1558571054389.1098115397"}});
        for capi in [
            json!({"data": [event.to_string()], "test_event_code": "TEST4242"}),
            json!({"data": json!([event]).to_string()}),
        ] {
            let mut paste = json!({"kind": "server_payload", "label": "capi.json", "text": capi.to_string()});
            assert!(redact_record(&mut paste), "{capi}");
            let text = paste["text"].as_str().expect("text");
            assert!(!text.contains(JANE), "{text}");
            assert!(
                text.contains("fb.1.1558571054389.1098115397"),
                "fbp is not customer data"
            );
            let events = crate::inputs::parse_capi("capi.json", text).expect("still a payload");
            assert_eq!(
                events[0].user_value("em"),
                Some(&json!([format!("plain:email:{}", sha256_hex(JANE))]))
            );
        }
        // An address written with a JSON escape outside user_data comes out
        // of the rewrite as an `@`, and is masked too.
        let paste = json!({"kind": "server_payload", "label": "capi.json",
            "text": r#"{"data": [{"event_name": "Lead", "user_data": {"em": "x"}, "custom_data": {"contact": "jane.doe\u0040example.com"}}]}"#});
        let out = redact_record_json(&paste.to_string()).expect("JSON").expect("redacted");
        assert!(!out.contains("jane.doe") && out.contains("plain:email:"), "{out}");
    }

    #[test]
    fn multipart_and_json_bodies_are_masked_by_field_name() {
        let multipart = "--b\r\nContent-Disposition: form-data; name=\"ev\"\r\n\r\nPurchase\r\n--b\r\nContent-Disposition: form-data; name=\"ud[em]\"\r\n\r\njane.doe@example.com\r\n--b--\r\n";
        let mut r = json!({"kind": "request", "url": "https://www.facebook.com/tr/", "body": {"type": "text", "content_type": "multipart/form-data; boundary=b", "text": multipart}});
        assert!(redact_record(&mut r));
        let text = r["body"]["text"].as_str().expect("text");
        assert!(!text.contains("jane"), "{text}");
        assert!(
            text.contains(&format!(
                "name=\"ud[em]\"\r\n\r\nplain:email:{}\r\n--b--",
                sha256_hex(JANE)
            )),
            "{text}"
        );
        assert!(
            text.contains("name=\"ev\"\r\n\r\nPurchase"),
            "other parts keep their bytes"
        );
        let json_body = r#"{"ev":"Purchase","ud[ph]": "+1 650 555 0123","udff[em]":"0000"}"#;
        let mut r = json!({"kind": "request", "url": "https://www.facebook.com/tr/", "body": {"type": "text", "text": json_body}});
        assert!(redact_record(&mut r));
        let text = r["body"]["text"].as_str().expect("text");
        assert!(!text.contains("650"), "{text}");
        assert!(
            text.starts_with(r#"{"ev":"Purchase","ud[ph]": "plain:phone:"#),
            "{text}"
        );
        assert!(text.contains(r#""udff[em]":"plain:text:"#), "{text}");
    }

    #[test]
    fn typed_figures_keep_the_figures_only() {
        let mut typed = json!({"kind": "order", "text": r#"{"total": 78, "currency": "USD", "email": "jane.doe@example.com", "customer": {"name": "Jane"}}"#});
        assert!(redact_record(&mut typed));
        let text = typed["text"].as_str().expect("text");
        assert!(!text.contains("jane") && !text.contains("Jane"), "{text}");
        assert_eq!(crate::inputs::parse_order("o", text).map(|o| o.total).ok(), Some(78.0));
    }

    #[test]
    fn an_order_keeps_its_figures_only() {
        let order = json!({"order": {
            "order_number": 1001, "email": JANE, "financial_status": "paid", "currency": "USD",
            "total_price": "78.00", "subtotal_price": "60.00", "total_tax": "8.00",
            "customer": {"first_name": "Jane", "email": JANE},
            "shipping_address": {"address1": "1 Main St"},
            "line_items": [{"quantity": 2, "price": "30.00", "title": "Classic Tee", "properties": [{"name": "engraving", "value": "Jane"}]}],
            "total_shipping_price_set": {"shop_money": {"amount": "10.00", "currency_code": "USD"}}
        }});
        let mut paste = json!({"kind": "order", "label": "order.json", "text": order.to_string()});
        assert!(redact_record(&mut paste));
        let text = paste["text"].as_str().expect("text");
        assert!(
            !text.contains("Jane") && !text.contains("Main St") && !text.contains("jane"),
            "{text}"
        );
        let before = crate::inputs::parse_order("o", &order.to_string()).expect("order");
        let after = crate::inputs::parse_order("o", text).expect("still an order");
        assert_eq!(before, after, "the figures the checks read are all still there");
        let mut typed = json!({"kind": "order", "text": "{\"total\": 78, \"currency\": \"USD\"}"});
        assert!(!redact_record(&mut typed), "typed figures alone are stored as typed");
    }

    #[test]
    fn a_graphql_order_keeps_its_figures_only() {
        let money = |a: &str| json!({"shopMoney": {"amount": a, "currencyCode": "USD"}, "presentmentMoney": {"amount": a, "currencyCode": "USD"}});
        let order = json!({"data": {"order": {
            "name": "#1001", "email": JANE, "phone": "+16505550123", "currencyCode": "USD",
            "customer": {"displayName": "Jane Doe", "email": JANE},
            "shippingAddress": {"address1": "1 Main St", "name": "Jane Doe"},
            "totalPriceSet": money("78.00"), "totalTaxSet": money("8.00"),
            "totalShippingPriceSet": money("10.00"),
            "lineItems": {"edges": [{"cursor": "x", "node": {"quantity": 2, "name": "Tee", "customAttributes": [{"key": "engraving", "value": "Jane"}]}}]}
        }}, "extensions": {"cost": {}}});
        let mut paste = json!({"kind": "order", "label": "order.json", "text": order.to_string()});
        assert!(redact_record(&mut paste));
        let text = paste["text"].as_str().expect("text");
        assert!(
            !text.contains("Jane") && !text.contains("jane") && !text.contains("Main St") && !text.contains("555"),
            "{text}"
        );
        let before = crate::inputs::parse_order("o", &order.to_string()).expect("order");
        let after = crate::inputs::parse_order("o", text).expect("still an order");
        assert_eq!(before, after);
    }

    #[test]
    fn an_orders_export_keeps_the_figure_columns_of_the_picked_order_only() {
        let csv = "Name,Email,Financial Status,Currency,Subtotal,Shipping,Taxes,Total,Discount Amount,Lineitem quantity,Lineitem name,Billing Name,Billing Street\n\
                   #1001,jane.doe@example.com,paid,USD,49.00,10.00,0.00,59.00,0.00,1,Linen shirt,Jane Doe,\"1 Main St, Apt 2\"\n\
                   #1001,jane.doe@example.com,,,,,,,,1,Socks,,\n\
                   #1002,joe@example.com,paid,USD,20.00,0.00,0.00,20.00,0.00,2,Cap,Joe Bloggs,2 Side St\n";
        let mut paste = json!({"kind": "order", "label": "orders_export.csv", "text": csv, "order_name": "#1001"});
        assert!(redact_record(&mut paste));
        let text = paste["text"].as_str().expect("text");
        assert_eq!(
            text,
            "Name,Financial Status,Currency,Subtotal,Shipping,Taxes,Total,Discount Amount,Lineitem quantity,Lineitem name\n\
             #1001,paid,USD,49.00,10.00,0.00,59.00,0.00,1,Linen shirt\n\
             #1001,,,,,,,,1,Socks\n"
        );
        let name = Some("#1001");
        let before = crate::inputs::parse_order_named("o", csv, name).expect("order");
        let after = crate::inputs::parse_order_named("o", text, name).expect("still the order");
        assert_eq!(before, after);
    }

    #[test]
    fn a_response_keeps_meta_fields_and_its_trace_id_and_masks_echoes() {
        let pasted = json!({
            "error": {
                "message": "Invalid parameter",
                "type": "OAuthException",
                "code": 100,
                "error_subcode": 2804019,
                "error_user_title": "Invalid user_data",
                "error_user_msg": "The value jane.doe@example.com for em is not hashed; nor is +1 (415) 555-0100.",
                "fbtrace_id": "AxTz9kLq2bW",
                "debug_payload": {"em": "jane.doe@example.com"}
            },
            "access_token": "EAAB..."
        });
        let mut record = json!({"kind": "server_response", "label": "response.json", "text": pasted.to_string()});
        assert!(redact_record(&mut record));
        let text = record["text"].as_str().expect("text");
        assert!(!text.contains("jane.doe"), "{text}");
        assert!(
            !text.contains("555-0100") && !text.contains("access_token") && !text.contains("debug_payload"),
            "{text}"
        );
        assert!(text.contains("AxTz9kLq2bW") && text.contains("2804019"), "{text}");
        assert!(
            text.contains(&format!("plain:email:{}", sha256_hex("jane.doe@example.com"))),
            "{text}"
        );
        assert!(
            text.contains(&format!("plain:phone:{}", sha256_hex("14155550100"))),
            "{text}"
        );
        assert!(text.contains("for em is not hashed; nor is plain:phone:"), "{text}");
        // What the core reads is still there.
        let r = crate::inputs::parse_capi_response("response.json", text).expect("still a response");
        assert_eq!(r[0].error.as_ref().and_then(|e| e.code), Some(100));
        // A clean success body is stored as it is.
        let mut ok = json!({"kind": "server_response", "label": "r", "text": "{\"events_received\": 2, \"messages\": [], \"fbtrace_id\": \"AbC\"}"});
        assert!(!redact_record(&mut ok));
        assert_eq!(mask_echoes("Object with ID '1234567890' does not exist"), None);
    }

    /// Every way a page URL carries an address: as typed, percent-encoded
    /// once (a newsletter link), inside a pixel request's `dl` (encoded once
    /// more), and what is no address.
    #[test]
    fn e_mail_addresses_in_urls_are_masked_however_they_are_encoded() {
        let marker = format!("plain:email:{}", sha256_hex(JANE));
        for (text, want) in [
            ("https://shop.test/?email=Jane.Doe@Example.com&utm_source=x", format!("https://shop.test/?email={marker}&utm_source=x")),
            ("https://shop.test/?email=jane.doe%40example.com", format!("https://shop.test/?email={marker}")),
            ("https://shop.test/?email=jane.doe%2540example.com", format!("https://shop.test/?email={marker}")),
            ("https://shop.test/account/jane.doe@example.com/", format!("https://shop.test/account/{marker}/")),
            ("Write to jane.doe@example.com.", format!("Write to {marker}.")),
            (
                "https://www.facebook.com/tr/?id=1&dl=https%3A%2F%2Fshop.test%2F%3Femail%3Djane.doe%40example.com%26x%3D1&rl=",
                format!("https://www.facebook.com/tr/?id=1&dl=https%3A%2F%2Fshop.test%2F%3Femail%3D{marker}%26x%3D1&rl="),
            ),
        ] {
            let masked = mask_emails(text).unwrap_or_else(|| panic!("{text}: nothing masked"));
            assert_eq!(masked, want, "{text}");
            assert_eq!(mask_emails(&masked), None, "masking twice changes nothing: {masked}");
        }
        // The `dl` above names the same page as the navigation, masked.
        let hit = mask_emails(
            "https://www.facebook.com/tr/?dl=https%3A%2F%2Fshop.test%2F%3Femail%3Djane.doe%2540example.com",
        )
        .expect("masked");
        let dl = url::Url::parse(&hit)
            .expect("URL")
            .query_pairs()
            .find(|(k, _)| k == "dl")
            .expect("dl")
            .1
            .into_owned();
        assert_eq!(Some(dl), mask_emails("https://shop.test/?email=jane.doe%40example.com"));
        for text in [
            "https://jane@shop.test/products/tee",
            "https://www.facebook.com/tr/?dl=https%3A%2F%2Fpreview%3Apass%40shop.test%2F",
            "https://cdn.jsdelivr.net/npm/react@18.2.0/umd/react.js",
            "https://shop.test/wpm@0.0.314@6f8e2e27w/custom/web-pixel-42@1/sandbox/",
            "https://shop.test/cdn/shop/files/logo@2x.png?v=1",
            "https://shop.test/?q=%40home",
            "@ a@b a@.com a@b. jane@example.c",
            "no address",
        ] {
            assert_eq!(mask_emails(text), None, "{text}");
        }
        // Encoded any number of times, in any script, with an apostrophe:
        // one marker for one address however it is written.
        let of = |a: &str| format!("plain:email:{}", sha256_hex(a));
        for (text, address) in [
            ("?e=jane.doe%252540example.com", JANE),
            ("?e=jos%C3%A9%40example.com", "josé@example.com"),
            ("?e=jos%25C3%25A9%2540example.com", "josé@example.com"),
            ("?e=josé@example.com", "josé@example.com"),
            ("?e=jane%40m%C3%BCnchen.de", "jane@münchen.de"),
            ("?e=o'brien@example.com", "o'brien@example.com"),
        ] {
            assert_eq!(mask_emails(text), Some(format!("?e={}", of(address))), "{text}");
        }
        // After an origin-only URL, nested or not, the address is no user name.
        for (text, want) in [
            (
                "https://shop.test/pages/join?origin=https%3A%2F%2Fshop.test&email=jane.doe%40example.com",
                format!(
                    "https://shop.test/pages/join?origin=https%3A%2F%2Fshop.test&email={}",
                    of(JANE)
                ),
            ),
            (
                "?ref=https://partner.test&email=jane.doe@example.com",
                format!("?ref=https://partner.test&email={}", of(JANE)),
            ),
            (
                r#"{"event_source_url":"https://shop.test","contact":"jane.doe@example.com"}"#,
                format!(r#"{{"event_source_url":"https://shop.test","contact":"{}"}}"#, of(JANE)),
            ),
        ] {
            assert_eq!(mask_emails(text).as_deref(), Some(want.as_str()), "{text}");
        }
        // Addresses side by side (which once ran the scan into the one just
        // replaced): each is masked, once.
        for (text, want) in [
            (
                "?to=jane%40example.com%2Bbob%40example.org",
                format!(
                    "?to={}{}",
                    of(JANE.replace("jane.doe", "jane").as_str()),
                    of("+bob@example.org")
                ),
            ),
            (
                "jane@example.com@example.org",
                format!("{}@example.org", of("jane@example.com")),
            ),
            ("a@b.co_c@d.co", format!("{}{}", of("a@b.co"), of("_c@d.co"))),
        ] {
            let masked = mask_emails(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(masked, want, "{text}");
            assert_eq!(mask_emails(&masked), None, "{masked}");
        }
    }
}
