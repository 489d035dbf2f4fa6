//! The review packet: JSON for machines, Markdown for a ticket (what it holds:
//! docs/product-rules.md, "The packet").
//!
//! User data (`ud[…]`, `udff[…]`) is redacted by default everywhere it appears:
//! decoded params, the raw URL and the raw body. Hashes keep an 8-character
//! prefix so two packets can still be compared; plain values keep only their length.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use crate::decode::{Contents, DecodeIssue, Endpoint};
use crate::inputs::{InputError, OrderFigures, ServerEvent};
use crate::money::{reconcile, Reconciliation};
use crate::pairing::pairings;
use crate::results::{acceptance, gate, inventory, AcceptanceRow, Gate, Inventory, Verdict};
use crate::review::Review;
use crate::rules::{self, Finding};
use crate::session::Session;

pub const PACKET_VERSION: u32 = 1;

#[derive(Debug, Clone, Default)]
pub struct PacketOptions {
    /// Include raw user data instead of redacting it.
    pub raw_user_data: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Packet {
    pub packet_version: u32,
    pub tool: Tool,
    pub verdict: Verdict,
    pub store: Store,
    pub capture: Capture,
    pub pixels: Vec<Pixel>,
    pub pages: Vec<Page>,
    pub hits: Vec<HitOut>,
    pub acceptance: Vec<AcceptanceRow>,
    pub findings: Vec<FindingOut>,
    pub inventory: Inventory,
    pub server: ServerOut,
    pub order: OrderOut,
    pub gate: Gate,
    pub review: Review,
    pub input_errors: Vec<InputError>,
    pub redacted: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Store {
    pub origin: Option<String>,
    pub shop: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Capture {
    /// First and last record times (ms since the Unix epoch).
    pub started: Option<f64>,
    pub ended: Option<f64>,
    pub records: usize,
    pub hits: usize,
    /// Records the extension did not keep (never silently): the total, and each
    /// `dropped` record of the journal said in words.
    pub dropped_records: u64,
    pub dropped: Vec<String>,
    /// Requests recorded that were not pixel hits.
    pub ignored_requests: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pixel {
    pub id: String,
    pub versions: Vec<String>,
    pub hits: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub id: usize,
    pub url: String,
    pub kind: crate::model::PageKind,
    pub time: f64,
    pub inferred: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct HitOut {
    pub id: u32,
    pub pixel_id: Option<String>,
    pub event: Option<String>,
    pub event_id: Option<String>,
    pub transport: &'static str,
    pub endpoint: Endpoint,
    pub counted: bool,
    pub sender: String,
    pub sender_evidence: Vec<String>,
    pub page_view: usize,
    pub time: f64,
    pub frame: Value,
    /// Decoded parameters: key → value, or an array when the key repeats.
    pub params: BTreeMap<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contents: Option<Contents>,
    pub issues: Vec<DecodeIssue>,
    pub raw: Raw,
    /// `network` (authoritative) or `page`.
    pub evidence: crate::journal::Origin,
}

#[derive(Debug, Clone, Serialize)]
pub struct Raw {
    pub method: String,
    pub url: String,
    pub body: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingOut {
    pub code: &'static str,
    pub severity: rules::Severity,
    pub event: Option<String>,
    pub pixel_id: Option<String>,
    pub hit_ids: Vec<u32>,
    pub page_view: Option<usize>,
    pub message: String,
    pub explanation: &'static str,
    pub guidance: Guidance,
}

#[derive(Debug, Clone, Serialize)]
pub struct Guidance {
    pub probably_broke: &'static str,
    pub first_check: &'static str,
    pub not_yet: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServerOut {
    pub supplied: bool,
    pub events: Vec<ServerEvent>,
    pub pairs: Vec<PairOut>,
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
pub struct OrderOut {
    /// `user` (pasted), `page` (read from the order status page) or absent.
    pub source: Option<&'static str>,
    pub figures: Option<OrderFigures>,
    pub reconciliation: Vec<HitReconciliation>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HitReconciliation {
    pub hit_id: u32,
    #[serde(flatten)]
    pub result: Reconciliation,
}

impl Packet {
    pub fn build(session: &mut Session, review: &Review, opts: &PacketOptions) -> Packet {
        let findings = session.findings();
        let records = session.records().len();
        let j = session.journey();
        let gate = gate(j, &findings, review);
        let mut pixels: BTreeMap<String, (std::collections::BTreeSet<String>, usize)> = BTreeMap::new();
        for h in j.hits.iter().filter(|h| h.counted) {
            if let Some(id) = &h.pixel_id {
                let e = pixels.entry(id.clone()).or_default();
                e.1 += 1;
                if let Some(v) = h.decoded.get("v") {
                    e.0.insert(v.to_owned());
                }
            }
        }
        let times = session
            .records()
            .iter()
            .filter_map(|r| r.time())
            .filter(|t| t.is_finite());
        let (started, ended) = times.fold((None, None), |(lo, hi): (Option<f64>, Option<f64>), t| {
            (Some(lo.map_or(t, |l| l.min(t))), Some(hi.map_or(t, |h| h.max(t))))
        });
        let pairs = pairings(j)
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
            .collect();
        let order_source = if j.order.is_some() {
            Some("user")
        } else if j.page_order.is_some() {
            Some("page")
        } else {
            None
        };
        let reconciliation = j
            .order_figures()
            .map(|o| {
                j.hits_of("Purchase")
                    .filter_map(|h| {
                        h.value().map(|v| HitReconciliation {
                            hit_id: h.id,
                            result: reconcile(v, h.currency(), o),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Packet {
            packet_version: PACKET_VERSION,
            tool: Tool {
                name: "pixelproof",
                version: env!("CARGO_PKG_VERSION"),
            },
            verdict: gate.verdict,
            store: Store {
                origin: j.store_origin(),
                shop: j.shop.clone(),
            },
            capture: Capture {
                started,
                ended,
                records,
                hits: j.hits.len(),
                dropped_records: j.dropped,
                dropped: j.drops.iter().map(describe_drop).collect(),
                ignored_requests: j.ignored_requests,
            },
            pixels: pixels
                .into_iter()
                .map(|(id, (versions, hits))| Pixel {
                    id,
                    versions: versions.into_iter().collect(),
                    hits,
                })
                .collect(),
            pages: j
                .page_views
                .iter()
                .map(|p| Page {
                    id: p.id,
                    url: p.url.clone(),
                    kind: p.kind,
                    time: p.time,
                    inferred: p.inferred,
                })
                .collect(),
            hits: j.hits.iter().map(|h| hit_out(h, opts)).collect(),
            acceptance: acceptance(j, &findings),
            findings: findings.iter().map(finding_out).collect(),
            inventory: inventory(j, review),
            server: ServerOut {
                supplied: j.server.is_some(),
                events: j.server.clone().unwrap_or_default(),
                pairs,
            },
            order: OrderOut {
                source: order_source,
                figures: j.order_figures().cloned(),
                reconciliation,
            },
            gate,
            review: review.clone(),
            input_errors: j.input_errors.clone(),
            redacted: !opts.raw_user_data,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| format!("{{\"error\": \"packet did not serialise: {e}\"}}"))
    }

    pub fn to_markdown(&self) -> String {
        crate::packet::markdown::render(self)
    }

    /// The results as terminal text (see [`text`]).
    pub fn to_text(&self) -> String {
        crate::packet::text::render(self)
    }
}

fn finding_out(f: &Finding) -> FindingOut {
    let info = rules::info(f.code);
    FindingOut {
        code: f.code,
        severity: f.severity,
        event: f.event.clone(),
        pixel_id: f.pixel_id.clone(),
        hit_ids: f.hit_ids.clone(),
        page_view: f.page_view,
        message: f.message.clone(),
        explanation: info.map(|i| i.explanation).unwrap_or(""),
        guidance: Guidance {
            probably_broke: info.map(|i| i.probably_broke).unwrap_or(""),
            first_check: info.map(|i| i.first_check).unwrap_or(""),
            not_yet: info.map(|i| i.not_yet).unwrap_or(""),
        },
    }
}

fn hit_out(h: &crate::model::Hit, opts: &PacketOptions) -> HitOut {
    let mut params: BTreeMap<String, Value> = BTreeMap::new();
    for p in &h.decoded.params {
        let value = if p.user_data && !opts.raw_user_data {
            redact_value(&p.value)
        } else {
            p.value.clone()
        };
        match params.get_mut(p.key.as_ref()) {
            None => {
                params.insert(p.key.to_string(), Value::String(value));
            }
            Some(Value::Array(a)) => a.push(Value::String(value)),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, Value::String(value)]);
            }
        }
    }
    let has_user_data = h.decoded.params.iter().any(|p| p.user_data);
    let redact = has_user_data && !opts.raw_user_data;
    let url = if redact { redact_url(&h.url) } else { h.url.clone() };
    let body = h.decoded.raw_body.as_ref().map(|b| {
        if !redact {
            b.clone()
        } else if b.trim_start().starts_with("--") || b.trim_start().starts_with('{') {
            format!(
                "[body redacted: {} bytes; it holds user data; decoded fields are listed in params]",
                b.len()
            )
        } else {
            redact_form(b)
        }
    });
    HitOut {
        id: h.id,
        pixel_id: h.pixel_id.clone(),
        event: h.event.clone(),
        event_id: h.event_id.clone(),
        transport: h.decoded.transport.as_str(),
        endpoint: h.decoded.endpoint.clone(),
        counted: h.counted,
        sender: h.sender.label.clone(),
        sender_evidence: h.sender.evidence.clone(),
        page_view: h.page_view,
        time: h.time,
        frame: json!({
            "frame_type": h.context.frame_type,
            "frame_id": h.context.frame_id,
            "document_url": h.context.document_url,
            "tab_id": h.context.tab_id,
        }),
        params,
        contents: h.decoded.contents.clone(),
        issues: h.decoded.issues.clone(),
        raw: Raw {
            method: h.method.clone(),
            url,
            body,
        },
        evidence: h.origin,
    }
}

/// A `dropped` record in words: how many, of which kinds, and why.
pub fn describe_drop(d: &crate::journal::Dropped) -> String {
    let kinds: Vec<String> = d.kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let what = if kinds.is_empty() {
        format!("{} records", d.count)
    } else {
        format!("{} records ({})", d.count, kinds.join(", "))
    };
    let why = match d.reason.as_deref() {
        Some("journal_budget") | None => "the oldest, past the journal's size budget",
        Some("page_budget") => "page-reported, past the budget the page may use",
        Some("oversized") => "each larger than a record may be",
        Some("relay_caps") => "page-reported, refused by the relay (too large or too many per second)",
        Some(_) => "for a reason this version does not know",
    };
    format!("{what} not kept: {why}")
}

/// A SHA-256 hex keeps its first 8 characters; a plain value the extension
/// stored as a marker says its shape and the first 8 characters of its hash;
/// anything else only its length.
pub fn redact_value(v: &str) -> String {
    if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("{}…(sha256)", &v[..8])
    } else if let Some(shape) = crate::privacy::marker_shape(v) {
        let hash = v.rsplit(':').next().unwrap_or_default();
        format!("[not hashed: {shape}; stored as sha256 {}…]", &hash[..8])
    } else if v.is_empty() {
        String::new()
    } else {
        format!("[redacted: {} chars, not hashed]", v.chars().count())
    }
}

fn redact_url(url: &str) -> String {
    match url.split_once('?') {
        Some((base, rest)) => {
            let (query, frag) = match rest.split_once('#') {
                Some((q, f)) => (q, Some(f)),
                None => (rest, None),
            };
            let mut out = format!("{base}?{}", redact_form(query));
            if let Some(f) = frag {
                out.push('#');
                out.push_str(f);
            }
            out
        }
        None => url.to_owned(),
    }
}

/// Redacts the values of `ud[…]`/`udff[…]` pairs in urlencoded text, leaving
/// every other byte as it was (so bad encodings elsewhere stay visible).
fn redact_form(text: &str) -> String {
    text.split('&')
        .map(|seg| {
            let (k, v) = seg.split_once('=').unwrap_or((seg, ""));
            let key: String = percent_encoding::percent_decode_str(k).decode_utf8_lossy().into_owned();
            if (key.starts_with("ud[") || key.starts_with("udff[")) && !v.is_empty() {
                let decoded = percent_encoding::percent_decode_str(&v.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned();
                let red = redact_value(&decoded);
                format!(
                    "{k}={}",
                    form_urlencoded::byte_serialize(red.as_bytes()).collect::<String>()
                )
            } else {
                seg.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

pub mod markdown;
pub mod text;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_hash_prefix_and_hides_plain_values() {
        let h = "ab".repeat(32);
        assert_eq!(redact_value(&h), "abababab…(sha256)");
        assert_eq!(redact_value("jane@example.com"), "[redacted: 16 chars, not hashed]");
        let url = format!("https://www.facebook.com/tr/?id=1&ud%5Bem%5D=jane%40example.com&ud[ph]={h}&ev=Purchase");
        let red = redact_url(&url);
        assert!(!red.contains("jane"), "{red}");
        assert!(red.contains("ev=Purchase") && red.contains("abababab"));
    }
}
