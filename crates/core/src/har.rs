//! HAR 1.2 (DevTools "Save all as HAR", Chrome and Firefox) → journal records.
//!
//! HAR files are large (response bodies), so entries are read one at a time
//! and dropped unless they are a pixel hit, a tracking script or a main-frame
//! document. Response bodies are never materialised. We use our own serde
//! types rather than a HAR crate because those deserialise every entry in full,
//! which costs several times the file size in memory.
//!
//! Page views come from main-frame document requests (Sec-Fetch-Dest:
//! document, or Chrome's `_resourceType: document`) and from each hit's `dl`,
//! not from HAR pages: Playwright records a whole tab under a single page.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::decode::{classify_endpoint, DecodeConfig};
use crate::inputs::{json_error, InputError};
use crate::journal::{Body, CapturedRequest, Context, Navigation, Origin, Record, ScriptLoad};
use crate::tables;

const HAR_HINT: &str = "export the capture again from DevTools (Network panel → Save all as HAR)";

/// What came out of a HAR file.
#[derive(Debug)]
pub struct HarImport {
    pub records: Vec<Record>,
    /// All entries in the file.
    pub entries: usize,
    /// Entries whose start time could not be read (kept, timed by position).
    pub undated: usize,
}

/// Reads a HAR file into journal records, sorted by time.
pub fn read_har(label: &str, bytes: &[u8], config: &DecodeConfig) -> Result<HarImport, InputError> {
    // A UTF-8 byte-order mark (some editors and Windows tools write one) is
    // not JSON but says nothing false: skipped. A UTF-16 one means the whole
    // file is in an encoding JSON readers do not take: named.
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    check_not_utf16(label, bytes)?;
    read_from(label, serde_json::Deserializer::from_slice(bytes), config)
}

/// [`read_har`] from a reader (the CLI's file), which is never held whole:
/// memory is what the kept records take, however large the file (response
/// bodies are most of a real HAR). The same records and messages.
pub fn read_har_from(
    label: &str,
    mut reader: impl std::io::BufRead,
    config: &DecodeConfig,
) -> Result<HarImport, InputError> {
    let head = reader.fill_buf().map_err(|e| read_error(label, &e))?;
    if head.starts_with(UTF8_BOM) {
        reader.consume(UTF8_BOM.len());
    } else {
        check_not_utf16(label, head)?;
    }
    read_from(label, serde_json::Deserializer::from_reader(reader), config)
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fn check_not_utf16(label: &str, head: &[u8]) -> Result<(), InputError> {
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Err(InputError {
            input: label.into(),
            place: "byte 1".into(),
            problem: "the file starts with a UTF-16 byte-order mark: it is UTF-16 text, not UTF-8".into(),
            hint: "save it again as UTF-8, or export the capture again from DevTools (Network panel → Save all as HAR)"
                .into(),
        });
    }
    Ok(())
}

fn read_error(label: &str, e: &std::io::Error) -> InputError {
    InputError {
        input: label.into(),
        place: "(reading)".into(),
        problem: format!("the file could not be read ({e})"),
        hint: "check that the file is still there and readable, then run again".into(),
    }
}

fn read_from<'de, R: serde_json::de::Read<'de>>(
    label: &str,
    de: serde_json::Deserializer<R>,
    config: &DecodeConfig,
) -> Result<HarImport, InputError> {
    let mut records = Vec::new();
    let (entries, undated) = read_each(label, de, config, &mut |r| records.push(r))?;
    let mut import = HarImport {
        records,
        entries,
        undated,
    };
    // Through the shared sort: the panel imports HAR files too, and a std sort
    // here would be one more copy of the sort code in the wasm (see sort.rs).
    // Exports list entries by start time, so this is nearly always a check.
    let time = |r: &Record| r.time().unwrap_or(0.0);
    if import.records.windows(2).any(|w| !in_order(time(&w[0]), time(&w[1]))) {
        crate::sort::sort_by(&mut import.records, |a, b| time(a).total_cmp(&time(b)));
    }
    Ok(import)
}

/// Whether a record at time `b` may follow one at `a` as [`read_har`]
/// orders records (by time, equal times in file order).
pub fn in_order(a: f64, b: f64) -> bool {
    !a.total_cmp(&b).is_gt()
}

/// [`read_har_from`] without the sort: each record handed to `each` as it is
/// read, in file order, and none kept. What [`read_har_from`] gives when the
/// records come in time order (exports list entries by start time; check
/// with [`in_order`] on each record's time, `0` when it has none), at the
/// memory of one entry. Returns the entries read, and how many were undated.
pub fn read_har_each(
    label: &str,
    mut reader: impl std::io::BufRead,
    config: &DecodeConfig,
    each: &mut dyn FnMut(Record),
) -> Result<(usize, usize), InputError> {
    let head = reader.fill_buf().map_err(|e| read_error(label, &e))?;
    if head.starts_with(UTF8_BOM) {
        reader.consume(UTF8_BOM.len());
    } else {
        check_not_utf16(label, head)?;
    }
    read_each(label, serde_json::Deserializer::from_reader(reader), config, each)
}

fn read_each<'de, R: serde_json::de::Read<'de>>(
    label: &str,
    mut de: serde_json::Deserializer<R>,
    config: &DecodeConfig,
    each: &mut dyn FnMut(Record),
) -> Result<Counts, InputError> {
    let seed = HarSeed { config, sink: each };
    let counts = de::DeserializeSeed::deserialize(seed, &mut de).map_err(|e| {
        if e.is_io() {
            InputError {
                place: format!("line {}, column {}", e.line(), e.column()),
                ..read_error(label, &std::io::Error::other(e.to_string()))
            }
        } else if e.is_data() && e.to_string().starts_with("HAR:") {
            InputError {
                input: label.into(),
                place: format!("line {}, column {}", e.line(), e.column()),
                problem: e
                    .to_string()
                    .trim_start_matches("HAR: ")
                    .split(" at line ")
                    .next()
                    .unwrap_or("")
                    .to_owned(),
                hint: HAR_HINT.into(),
            }
        } else {
            json_error(label, &e, HAR_HINT)
        }
    })?;
    de.end().map_err(|e| json_error(label, &e, HAR_HINT))?;
    Ok(counts)
}

/// Entries read, and of them undated (see [`HarImport`]).
type Counts = (usize, usize);

/// Where the records read go, in file order.
type Sink<'s> = &'s mut dyn FnMut(Record);

struct HarSeed<'c, 's> {
    config: &'c DecodeConfig,
    sink: Sink<'s>,
}

impl<'de> de::DeserializeSeed<'de> for HarSeed<'_, '_> {
    type Value = Counts;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Counts, D::Error> {
        d.deserialize_map(TopVisitor {
            config: self.config,
            sink: self.sink,
        })
    }
}

struct TopVisitor<'c, 's> {
    config: &'c DecodeConfig,
    sink: Sink<'s>,
}

impl<'de> Visitor<'de> for TopVisitor<'_, '_> {
    type Value = Counts;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a HAR object with \"log\"")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Counts, A::Error> {
        let mut out = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == "log" {
                // Its entries would be read twice.
                if out.is_some() {
                    return Err(de::Error::custom("HAR: the file has two \"log\" objects"));
                }
                out = Some(map.next_value_seed(LogSeed {
                    config: self.config,
                    sink: &mut *self.sink,
                })?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        out.ok_or_else(|| de::Error::custom("HAR: the file has no \"log\" object"))
    }
}

struct LogSeed<'c, 's> {
    config: &'c DecodeConfig,
    sink: Sink<'s>,
}

impl<'de> de::DeserializeSeed<'de> for LogSeed<'_, '_> {
    type Value = Counts;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Counts, D::Error> {
        d.deserialize_map(LogVisitor {
            config: self.config,
            sink: self.sink,
        })
    }
}

struct LogVisitor<'c, 's> {
    config: &'c DecodeConfig,
    sink: Sink<'s>,
}

impl<'de> Visitor<'de> for LogVisitor<'_, '_> {
    type Value = Counts;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the HAR \"log\" object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Counts, A::Error> {
        let mut out = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == "entries" {
                if out.is_some() {
                    return Err(de::Error::custom("HAR: \"log\" has two \"entries\" arrays"));
                }
                out = Some(map.next_value_seed(EntriesSeed {
                    config: self.config,
                    sink: &mut *self.sink,
                })?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        out.ok_or_else(|| de::Error::custom("HAR: \"log\" has no \"entries\" array"))
    }
}

struct EntriesSeed<'c, 's> {
    config: &'c DecodeConfig,
    sink: Sink<'s>,
}

impl<'de> de::DeserializeSeed<'de> for EntriesSeed<'_, '_> {
    type Value = Counts;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Counts, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EntriesSeed<'_, '_> {
    type Value = Counts;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of HAR entries")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Counts, A::Error> {
        let (mut entries, mut undated) = (0, 0);
        let mut last_time = 0.0;
        while let Some(entry) = seq.next_element::<Entry>()? {
            entries += 1;
            let time = match parse_time(&entry.started_date_time) {
                Some(t) => t,
                None => {
                    undated += 1;
                    last_time
                }
            };
            last_time = time;
            if let Some(r) = to_record(entry, time, self.config) {
                (self.sink)(r);
            }
        }
        Ok((entries, undated))
    }
}

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "startedDateTime", default)]
    started_date_time: String,
    request: Request,
    #[serde(default)]
    response: Option<Response>,
    #[serde(rename = "_resourceType", default)]
    resource_type: Option<String>,
    #[serde(rename = "_initiator", default)]
    initiator: Option<Initiator>,
}

#[derive(Deserialize)]
struct Request {
    #[serde(default)]
    method: String,
    url: String,
    #[serde(default)]
    headers: Vec<Header>,
    #[serde(rename = "postData", default)]
    post_data: Option<PostData>,
}

#[derive(Deserialize)]
struct Header {
    #[serde(default)]
    name: String,
    #[serde(default)]
    value: String,
}

#[derive(Deserialize)]
struct PostData {
    #[serde(rename = "mimeType", default)]
    mime_type: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    params: Vec<PostParam>,
}

#[derive(Deserialize)]
struct PostParam {
    #[serde(default)]
    name: String,
    #[serde(default)]
    value: Option<String>,
}

#[derive(Deserialize)]
struct Response {
    #[serde(default)]
    status: i64,
    #[serde(default)]
    content: Option<ResponseContent>,
}

/// Only the MIME type; `text` (the body) is skipped without being stored.
#[derive(Deserialize)]
struct ResponseContent {
    #[serde(rename = "mimeType", default)]
    mime_type: Option<String>,
}

#[derive(Deserialize)]
struct Initiator {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    url: Option<PageText>,
    #[serde(default)]
    stack: Option<Stack>,
}

#[derive(Deserialize)]
struct Stack {
    #[serde(rename = "callFrames", default)]
    call_frames: Vec<CallFrame>,
    #[serde(default)]
    parent: Option<Box<Stack>>,
}

#[derive(Deserialize)]
struct CallFrame {
    #[serde(default)]
    url: PageText,
}

/// A string the page chose, such as a script URL on a stack, which a page
/// names itself with `//# sourceURL=` in code it evaluates. A JavaScript
/// string may hold a lone UTF-16 surrogate, which DevTools writes as a `\ud800`
/// escape that no Rust string can hold: read as U+FFFD, so that a page cannot
/// make its own capture unreadable.
#[derive(Default)]
struct PageText(String);

impl<'de> Deserialize<'de> for PageText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Lossy;
        impl Visitor<'_> for Lossy {
            type Value = PageText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            // serde_json hands a string asked for as bytes over as WTF-8.
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<PageText, E> {
                Ok(PageText(crate::surrogates::from_wtf8_lossy(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PageText, E> {
                Ok(PageText(v.to_owned()))
            }
        }
        d.deserialize_bytes(Lossy)
    }
}

/// Most stack URLs kept per request.
const STACK_LIMIT: usize = 32;

fn parse_time(s: &str) -> Option<f64> {
    let t = OffsetDateTime::parse(s, &Rfc3339).ok()?;
    Some((t.unix_timestamp_nanos() / 1_000_000) as f64)
}

fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

fn to_record(e: Entry, time: f64, config: &DecodeConfig) -> Option<Record> {
    let status = e.response.as_ref().map(|r| r.status.clamp(0, u16::MAX as i64) as u16);
    let url = e.request.url.as_str();
    let parsed = url::Url::parse(url).ok()?;
    let dest = header(&e.request, "sec-fetch-dest").map(str::to_ascii_lowercase);
    let mut stack = Vec::new();
    if let Some(init) = &e.initiator {
        let mut s = init.stack.as_ref();
        while let Some(st) = s {
            for f in &st.call_frames {
                if !f.url.0.is_empty() && !stack.contains(&f.url.0) && stack.len() < STACK_LIMIT {
                    stack.push(f.url.0.clone());
                }
            }
            s = st.parent.as_deref();
        }
    }
    let initiator_url = e.initiator.as_ref().and_then(|i| i.url.as_ref().map(|u| u.0.clone()));
    if classify_endpoint(&parsed, config).is_some() {
        let body = e.request.post_data.map(|pd| match pd.text {
            Some(text) => Body::Text {
                content_type: pd.mime_type,
                text,
            },
            None => Body::Form {
                fields: pd
                    .params
                    .into_iter()
                    .map(|p| (p.name, p.value.unwrap_or_default()))
                    .collect(),
            },
        });
        let request_type = e
            .resource_type
            .as_deref()
            .map(|t| match t {
                "xhr" => "xmlhttprequest".to_string(),
                "document" => "sub_frame".to_string(),
                other => other.to_string(),
            })
            .or_else(|| {
                dest.as_deref().and_then(|d| match d {
                    "image" => Some("image".to_string()),
                    "iframe" | "frame" => Some("sub_frame".to_string()),
                    _ => None,
                })
            });
        return Some(Record::Request(CapturedRequest {
            url: e.request.url,
            method: e.request.method,
            body,
            request_type,
            context: Context::default(),
            initiator: initiator_url,
            stack,
            time,
            origin: Origin::Network,
            status,
        }));
    }
    let is_html = e
        .response
        .as_ref()
        .and_then(|r| r.content.as_ref())
        .and_then(|c| c.mime_type.as_deref())
        .is_some_and(|m| m.starts_with("text/html"));
    let is_script = e.resource_type.as_deref() == Some("script")
        || dest.as_deref() == Some("script")
        || (e.resource_type.is_none() && dest.is_none() && !is_html);
    if is_script && tables::tracking_script_kind(url).is_some() {
        // A parser-inserted script's initiator is the document that holds it.
        let document_url = e
            .initiator
            .as_ref()
            .filter(|i| i.kind.as_deref() == Some("parser"))
            .and_then(|i| i.url.as_ref().map(|u| u.0.clone()));
        return Some(Record::ScriptLoad(ScriptLoad {
            url: e.request.url,
            context: Context {
                document_url,
                ..Context::default()
            },
            time,
            status,
            origin: Origin::Network,
        }));
    }
    let main_frame = match dest.as_deref() {
        Some(d) => d == "document",
        None => e.resource_type.as_deref() == Some("document") || (e.resource_type.is_none() && is_html),
    };
    let ok = status.is_none_or(|s| (200..300).contains(&s));
    if main_frame && ok && e.request.method.eq_ignore_ascii_case("GET") {
        return Some(Record::Navigation(Navigation {
            url: e.request.url,
            time,
            tab_id: None,
            transition: None,
            origin: Origin::Network,
        }));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn har(entries: &str) -> String {
        format!(
            r#"{{"log":{{"version":"1.2","creator":{{"name":"t","version":"1"}},"pages":[],"entries":[{entries}]}}}}"#
        )
    }

    fn entry(url: &str, extra: &str) -> String {
        format!(
            r#"{{"startedDateTime":"2026-11-20T10:00:00.000Z","time":5,"request":{{"method":"GET","url":"{url}","httpVersion":"h2","headers":[],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0}},"response":{{"status":200,"statusText":"","httpVersion":"h2","headers":[],"cookies":[],"content":{{"size":4,"mimeType":"text/html","text":"<p>"}},"redirectURL":"","headersSize":-1,"bodySize":4}},"cache":{{}},"timings":{{"send":0,"wait":1,"receive":1}}{extra}}}"#
        )
    }

    /// A stack frame a page named with a lone surrogate is kept, with one
    /// U+FFFD where the surrogate was.
    #[test]
    fn a_lone_surrogate_in_a_stack_url_is_one_replacement_character() {
        let initiator = r#","_initiator":{"type":"script","stack":{"callFrames":[{"functionName":"\udc00","url":"https://shop.test/x.js\ud800?v=1"}]}},"_resourceType":"image""#;
        let text = har(&entry("https://www.facebook.com/tr/?id=1&ev=PageView", initiator));
        let import = read_har("x.har", text.as_bytes(), &DecodeConfig::default()).expect("read");
        let Some(Record::Request(r)) = import.records.first() else {
            panic!("a hit: {:?}", import.records)
        };
        assert_eq!(r.stack, ["https://shop.test/x.js\u{fffd}?v=1"]);
    }

    /// A second `log` (or `entries`) would have its entries read twice.
    #[test]
    fn a_log_or_entries_named_twice_is_refused() {
        let one = har(&entry("https://shop.test/", ""));
        let log = one
            .strip_prefix('{')
            .and_then(|s| s.strip_suffix('}'))
            .expect("an object");
        let twice = format!("{{{log},{log}}}");
        let e = read_har("x.har", twice.as_bytes(), &DecodeConfig::default()).expect_err("two logs");
        assert_eq!(e.problem, "the file has two \"log\" objects");
        let entries = one.replace(r#""entries":["#, r#""entries":[],"entries":["#);
        let e = read_har("x.har", entries.as_bytes(), &DecodeConfig::default()).expect_err("two lists");
        assert_eq!(e.problem, "\"log\" has two \"entries\" arrays");
    }

    #[test]
    fn keeps_pixel_hits_scripts_and_documents_only() {
        let text = har(&[
            entry("https://shop.test/products/a", r#","_resourceType":"document""#),
            entry("https://shop.test/cdn/app.css", r#","_resourceType":"stylesheet""#),
            entry(
                "https://connect.facebook.net/en_US/fbevents.js",
                r#","_resourceType":"script""#,
            ),
            entry(
                "https://www.facebook.com/tr/?id=1&ev=PageView",
                r#","_resourceType":"image""#,
            ),
        ]
        .join(","));
        let imp = read_har("t.har", text.as_bytes(), &DecodeConfig::default()).expect("reads");
        assert_eq!(imp.entries, 4);
        let kinds: Vec<&str> = imp
            .records
            .iter()
            .map(|r| match r {
                Record::Navigation(_) => "nav",
                Record::ScriptLoad(_) => "script",
                Record::Request(_) => "hit",
                _ => "other",
            })
            .collect();
        assert_eq!(kinds, vec!["nav", "script", "hit"]);
    }

    #[test]
    fn iframe_documents_are_not_page_views() {
        let iframe = entry("https://shop.test/wpm@1/custom/web-pixel-1@1/sandbox/", "").replace(
            "\"headers\":[],\"queryString\"",
            "\"headers\":[{\"name\":\"Sec-Fetch-Dest\",\"value\":\"iframe\"}],\"queryString\"",
        );
        let imp = read_har("t.har", har(&iframe).as_bytes(), &DecodeConfig::default()).expect("reads");
        assert!(imp.records.is_empty());
    }

    /// A HAR saved by an editor that writes a byte-order mark failed as
    /// "expected value" without naming the mark.
    #[test]
    fn a_byte_order_mark_is_skipped_or_named() {
        let text = har(&entry(
            "https://www.facebook.com/tr/?id=1&ev=PageView",
            r#","_resourceType":"image""#,
        ));
        let with_bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        let imp = read_har("bom.har", &with_bom, &DecodeConfig::default()).expect("a UTF-8 BOM is skipped");
        assert_eq!(imp.records.len(), 1);
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let e = read_har("utf16.har", &utf16, &DecodeConfig::default()).expect_err("UTF-16");
        assert!(e.problem.contains("UTF-16 byte-order mark"), "{e}");
        assert!(e.hint.contains("UTF-8"), "{e}");
    }

    #[test]
    fn errors_name_the_place() {
        let e = read_har(
            "bad.har",
            b"{\"log\": {\"entries\": [ {\"request\": 5} ]}}",
            &DecodeConfig::default(),
        )
        .expect_err("bad entry");
        assert!(e.place.starts_with("line 1"), "{e}");
        let e = read_har("bad.har", b"{\"nolog\": 1}", &DecodeConfig::default()).expect_err("no log");
        assert!(e.problem.contains("no \"log\""), "{e}");
        let e = read_har("bad.har", b"{\"log\": {\"entries\": [", &DecodeConfig::default()).expect_err("truncated");
        assert!(e.problem.contains("not valid JSON"), "{e}");
    }

    /// Read from a stream (the CLI), a HAR gives the same records, in the same
    /// order, as read whole (the panel), and the same messages when bad.
    #[test]
    fn streamed_reads_equal_whole_reads() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../cli/tests/fixtures");
        let mut read = 0;
        for entry in std::fs::read_dir(&dir).expect("the CLI's fixtures") {
            let path = entry.expect("an entry").path();
            if path.extension().is_none_or(|e| e != "har") {
                continue;
            }
            let bytes = std::fs::read(&path).expect("a fixture");
            let config = DecodeConfig::default();
            let whole = read_har("f.har", &bytes, &config).expect("reads whole");
            // A small buffer, so entries straddle its refills.
            let streamed = read_har_from("f.har", std::io::BufReader::with_capacity(7, bytes.as_slice()), &config)
                .expect("reads streamed");
            let json = |i: &HarImport| serde_json::to_string(&i.records).expect("records as JSON");
            assert_eq!(json(&streamed), json(&whole), "{}", path.display());
            assert_eq!((streamed.entries, streamed.undated), (whole.entries, whole.undated));
            read += 1;
        }
        assert!(read >= 5, "only {read} fixtures read");
        let text = har(&entry(
            "https://www.facebook.com/tr/?id=1&ev=PageView",
            r#","_resourceType":"image""#,
        ));
        let with_bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        let imp = read_har_from("bom.har", with_bom.as_slice(), &DecodeConfig::default()).expect("BOM skipped");
        assert_eq!(imp.records.len(), 1);
        for bad in [&b"\xFF\xFE{"[..], b"{\"log\": {\"entries\": [", b"{\"nolog\": 1}"] {
            let whole = read_har("bad.har", bad, &DecodeConfig::default()).expect_err("bad");
            let streamed = read_har_from("bad.har", bad, &DecodeConfig::default()).expect_err("bad");
            assert_eq!(streamed.to_string(), whole.to_string());
        }
    }

    /// Read record by record (the CLI), a HAR gives its records in file
    /// order: those of a whole read when the file is in time order, and
    /// entries out of order are told by `in_order`.
    #[test]
    fn records_read_one_by_one_come_in_file_order() {
        let config = DecodeConfig::default();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../cli/tests/fixtures");
        let bytes = std::fs::read(dir.join("messy.har")).expect("a fixture");
        let mut each = Vec::new();
        let counts = read_har_each("f.har", bytes.as_slice(), &config, &mut |r| each.push(r)).expect("reads");
        let whole = read_har("f.har", &bytes, &config).expect("reads whole");
        let json = |r: &[Record]| serde_json::to_string(r).expect("records as JSON");
        assert_eq!(json(&each), json(&whole.records));
        assert_eq!(counts, (whole.entries, whole.undated));
        let at = |url: &str, t: &str| entry(url, r#","_resourceType":"image""#).replace("2026-11-20T10:00:00.000Z", t);
        let text = har(&[
            at("https://www.facebook.com/tr/?id=1&ev=B", "2026-11-20T10:00:02.000Z"),
            at("https://www.facebook.com/tr/?id=1&ev=A", "2026-11-20T10:00:01.000Z"),
        ]
        .join(","));
        let mut times = Vec::new();
        read_har_each("t.har", text.as_bytes(), &config, &mut |r| {
            times.push(r.time().unwrap_or(0.0))
        })
        .expect("reads");
        assert!(!in_order(times[0], times[1]), "{times:?}");
        assert!(in_order(times[1], times[0]) && in_order(times[0], times[0]));
    }

    /// A file that fails while being read says so, not "invalid JSON".
    #[test]
    fn a_read_failure_is_named() {
        struct Failing(usize);
        impl std::io::Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0 == 0 {
                    return Err(std::io::Error::other("device gone"));
                }
                self.0 = 0;
                buf[..9].copy_from_slice(b"{\"log\": {");
                Ok(9)
            }
        }
        let e = read_har_from(
            "gone.har",
            std::io::BufReader::new(Failing(1)),
            &DecodeConfig::default(),
        )
        .expect_err("fails");
        assert!(
            e.problem.contains("could not be read") && e.problem.contains("device gone"),
            "{e}"
        );
    }

    /// Entries out of time order are sorted (stably: equal times keep file order).
    #[test]
    fn records_come_out_in_time_order() {
        let at = |url: &str, t: &str| entry(url, r#","_resourceType":"image""#).replace("2026-11-20T10:00:00.000Z", t);
        let text = har(&[
            at("https://www.facebook.com/tr/?id=1&ev=B", "2026-11-20T10:00:02.000Z"),
            at("https://www.facebook.com/tr/?id=1&ev=A", "2026-11-20T10:00:01.000Z"),
            at("https://www.facebook.com/tr/?id=1&ev=C", "2026-11-20T10:00:02.000Z"),
        ]
        .join(","));
        let imp = read_har("t.har", text.as_bytes(), &DecodeConfig::default()).expect("reads");
        let urls: Vec<&str> = imp
            .records
            .iter()
            .filter_map(|r| match r {
                Record::Request(q) => q.url.rsplit('=').next(),
                _ => None,
            })
            .collect();
        assert_eq!(urls, ["A", "B", "C"]);
    }

    #[test]
    fn firefox_offsets_parse() {
        assert_eq!(
            parse_time("2026-11-20T11:00:00.250+01:00"),
            parse_time("2026-11-20T10:00:00.250Z")
        );
        assert!(parse_time("yesterday").is_none());
    }
}
