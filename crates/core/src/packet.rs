//! The review packet: JSON for machines, Markdown for a ticket (what it holds:
//! docs/product-rules.md, "The packet").
//!
//! Version 2 is laid out in the order a reviewer reads it: the decision record
//! (decision, owner per core event, the evidence it rests on, the next review),
//! the Stop/Go gate, the four evidence cards ([`cards`]), the findings grouped
//! by code, then the raw evidence (pages, hits, server events). Page views are
//! numbered from 1, like hits, and named `#3 /cart 17:17:49` (time UTC).
//!
//! User data (`ud[…]`, `udff[…]`) is redacted by default everywhere it appears:
//! decoded params, the raw URL and the raw body. Hashes keep an 8-character
//! prefix so two packets can still be compared; plain values keep only their length.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use crate::decode::{Contents, DecodeIssue, Endpoint};
use crate::inputs::{InputError, ServerEvent};
use crate::journal::Origin;
use crate::journey::Journey;
use crate::results::{gate, Gate, Verdict};
use crate::review::Review;
use crate::rules::{self, Finding, Severity};
use crate::session::Session;
use crate::tables::CORE_EVENTS;

pub mod cards;
pub mod diff;
pub mod markdown;
pub mod text;

pub use cards::{CardState, Cards};

pub const PACKET_VERSION: u32 = 2;

#[derive(Debug, Clone, Default)]
pub struct PacketOptions {
    /// Include raw user data instead of redacting it.
    pub raw_user_data: bool,
}

/// The packet, its fields in reading order (serde writes them in this order).
#[derive(Debug, Clone, Serialize)]
pub struct Packet {
    pub packet_version: u32,
    pub tool: Tool,
    pub verdict: Verdict,
    pub decision: Decision,
    pub gate: Gate,
    pub cards: Cards,
    /// Per core event, the customer-information parameters each side sends.
    pub match_keys: Vec<crate::match_keys::MatchKeys>,
    pub findings: Vec<FindingGroup>,
    pub store: Store,
    pub capture: Capture,
    pub pixels: Vec<Pixel>,
    pub pages: Vec<Page>,
    pub hits: Vec<HitOut>,
    pub server: ServerOut,
    /// The review fields as typed (the decision record and the cards quote them).
    pub review: Review,
    pub input_errors: Vec<InputError>,
    pub redacted: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

/// The decision record: what was decided, who owns each core event, what the
/// decision rests on and when it is looked at again.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    /// The reviewer's decision as typed (`go`, `stop`, `go with conditions`, …).
    pub decision: Option<String>,
    pub reviewer: Option<String>,
    /// The recorded owner per core event, in funnel order.
    pub owners: Vec<Owner>,
    /// Every source of evidence the packet rests on.
    pub evidence: Vec<EvidenceSource>,
    pub next_review: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Owner {
    pub event: String,
    pub owner: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceSource {
    /// `network`, `page`, `gestures`, `server`, `meta_response`, `order` or `review`.
    pub source: &'static str,
    pub detail: String,
    /// What the page reported: it may add doubt, it never settles a check.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub page_reported: bool,
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
    /// Pixel requests the pages' own Resource Timing listed that were not
    /// captured (the browser did not hand them to the extension).
    pub uncaptured_requests: u64,
    /// Every pixel request the pages sent, where it ended: captured +
    /// evicted + oversized + refused + uncaptured = sent.
    pub requests: crate::losses::RequestTally,
    /// Each loss with its cause, record kinds and reason.
    pub lost: Vec<crate::losses::Loss>,
    /// Uncaptured GET hits recovered from the pages' Resource Timing
    /// (page-reported: they name what is missing, they are not evidence that
    /// it arrived).
    pub recovered: Vec<crate::losses::Recovered>,
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
    /// Numbered from 1.
    pub id: usize,
    /// `#3 /cart 17:17:49`.
    pub label: String,
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
    /// The page view it was sent in (numbered from 1).
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
    pub evidence: Origin,
}

#[derive(Debug, Clone, Serialize)]
pub struct Raw {
    pub method: String,
    pub url: String,
    pub body: Option<String>,
}

/// The findings of one code: the guidance once, then every instance.
#[derive(Debug, Clone, Serialize)]
pub struct FindingGroup {
    pub code: &'static str,
    /// The worst severity among the instances.
    pub severity: Severity,
    /// The evidence card whose question the code is about.
    pub card: &'static str,
    pub explanation: &'static str,
    pub guidance: Guidance,
    /// Some instance rests on page-reported evidence.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub page_reported: bool,
    pub instances: Vec<FindingInstance>,
}

/// One finding: where and what was seen.
#[derive(Debug, Clone, Serialize)]
pub struct FindingInstance {
    pub severity: Severity,
    pub event: Option<String>,
    pub pixel_id: Option<String>,
    pub hit_ids: Vec<u32>,
    /// Numbered from 1.
    pub page_view: Option<usize>,
    /// `#3 /cart 17:17:49`: two page views of one URL told apart.
    pub page: Option<String>,
    pub message: String,
    /// Rests on what the page reported (its scripts could forge it).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub page_reported: bool,
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
    /// The payloads supplied (file names or "pasted"), each once.
    pub inputs: Vec<String>,
    pub events: Vec<ServerEvent>,
    /// Per payload, the credential fields (`access_token`, …) removed from it
    /// before it was stored: `pasted: access_token, appsecret_proof`.
    pub credentials_removed: Vec<String>,
}

impl Packet {
    pub fn build(session: &mut Session, review: &Review, opts: &PacketOptions) -> Packet {
        Self::build_with(session, review, opts, true)
    }

    /// The packet without its `hits`, for a writer that streams them from the
    /// session ([`Packet::write_json`], [`Packet::to_markdown_from`]): the
    /// decoded hits of a large HAR, each held once more as a [`HitOut`] (and
    /// again as JSON text), were most of the CLI's memory.
    pub fn build_lean(session: &mut Session, review: &Review, opts: &PacketOptions) -> Packet {
        Self::build_with(session, review, opts, false)
    }

    fn build_with(session: &mut Session, review: &Review, opts: &PacketOptions, with_hits: bool) -> Packet {
        let findings = session.findings();
        let record_count = session.record_count();
        let order_input = order_input(session.journey());
        let span = session.time_span();
        let (started, ended) = (span.map(|s| s.0), span.map(|s| s.1));
        let j = session.journey();
        let gate = gate(j, &findings, review);
        let losses = crate::losses::Losses::of(j);
        let mut pixels: BTreeMap<String, (std::collections::BTreeSet<String>, usize)> = BTreeMap::new();
        for h in j.hits.iter().filter(|h| h.counted) {
            if let Some(id) = &h.pixel_id {
                let e = pixels.entry(id.to_string()).or_default();
                e.1 += 1;
                if let Some(v) = h.decoded.get("v") {
                    e.0.insert(v.to_owned());
                }
            }
        }
        let cards = cards::build(j, &findings, &gate, review, order_input.as_deref());
        Packet {
            packet_version: PACKET_VERSION,
            tool: Tool {
                name: "pixelproof",
                version: env!("CARGO_PKG_VERSION"),
            },
            verdict: gate.verdict,
            decision: decision_record(j, review, order_input.as_deref()),
            gate,
            cards,
            match_keys: crate::match_keys::match_keys(j),
            findings: group_findings(j, &findings),
            store: Store {
                origin: j.store_origin(),
                shop: j.shop.clone(),
            },
            capture: Capture {
                started,
                ended,
                records: record_count,
                hits: j.hits.len(),
                dropped_records: losses.total(),
                dropped: losses.lines(),
                uncaptured_requests: losses.requests.uncaptured,
                requests: losses.requests.clone(),
                lost: losses.lost,
                recovered: losses.recovered,
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
                    id: p.id + 1,
                    label: page_label(j, p.id),
                    url: p.url.clone(),
                    kind: p.kind,
                    time: p.time,
                    inferred: p.inferred,
                })
                .collect(),
            hits: if with_hits {
                j.hits.iter().map(|h| hit_out(h, opts)).collect()
            } else {
                Vec::new()
            },
            server: ServerOut {
                supplied: j.server.is_some(),
                inputs: server_inputs(j),
                events: j.server.clone().unwrap_or_default(),
                credentials_removed: server_inputs(j)
                    .iter()
                    .filter_map(|label| credentials_removed(j, label).map(|f| format!("{label}: {f}")))
                    .collect(),
            },
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
        crate::packet::markdown::render(self, &mut self.hits.iter().map(std::borrow::Cow::Borrowed))
    }

    /// [`Packet::to_json`], written to `w` with the hits of `session` made one
    /// at a time rather than held in the packet: the same text for a packet
    /// from [`Packet::build_lean`] and the same session and options.
    pub fn write_json(
        &self,
        session: &Session,
        opts: &PacketOptions,
        w: &mut impl std::io::Write,
    ) -> std::io::Result<()> {
        let text = self.to_json();
        // The one top-level `hits` key: nested keys are indented deeper.
        let marker = "\n  \"hits\": [],\n";
        let at = match text.find(marker) {
            Some(at) if self.hits.is_empty() => at,
            _ => return w.write_all(text.as_bytes()),
        };
        w.write_all(&text.as_bytes()[..at])?;
        w.write_all(b"\n  \"hits\": [")?;
        let hits = &session.journey().hits;
        for (i, h) in hits.iter().enumerate() {
            w.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
            let one = serde_json::to_string_pretty(&hit_out(h, opts)).map_err(std::io::Error::other)?;
            // Strings in JSON hold no raw line break: every one is indentation.
            w.write_all(one.replace('\n', "\n    ").as_bytes())?;
        }
        w.write_all(if hits.is_empty() { b"],\n" } else { b"\n  ],\n" })?;
        w.write_all(&text.as_bytes()[at + marker.len()..])
    }

    /// [`Packet::to_markdown`] of a packet from [`Packet::build_lean`], its
    /// hit rows made one at a time from `session`.
    pub fn to_markdown_from(&self, session: &Session, opts: &PacketOptions) -> String {
        let mut out = Vec::new();
        // Writing to memory cannot fail, and every piece written is a `str`.
        let _ = self.write_markdown(session, opts, &mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// [`Packet::to_markdown_from`], written to `w` a hit row at a time: the
    /// whole text is never held (a large capture's is mostly hit rows).
    pub fn write_markdown(
        &self,
        session: &Session,
        opts: &PacketOptions,
        w: &mut impl std::io::Write,
    ) -> std::io::Result<()> {
        crate::packet::markdown::write(
            self,
            &mut session
                .journey()
                .hits
                .iter()
                .map(|h| std::borrow::Cow::Owned(hit_out(h, opts))),
            w,
        )
    }

    /// The results as terminal text (see [`text`]).
    pub fn to_text(&self) -> String {
        crate::packet::text::render(self)
    }
}

/// The decision record of a journey and its review fields (`order_input`:
/// see [`order_input`]); the panel shows the same one.
pub fn decision_record(j: &Journey, review: &Review, order_input: Option<&str>) -> Decision {
    Decision {
        decision: nonblank(&review.decision),
        reviewer: nonblank(&review.reviewer),
        owners: CORE_EVENTS
            .iter()
            .map(|ev| Owner {
                event: (*ev).to_owned(),
                owner: review.owners.get(*ev).filter(|o| !o.trim().is_empty()).cloned(),
            })
            .collect(),
        evidence: evidence_sources(j, review, &server_inputs(j), order_input),
        next_review: nonblank(&review.next_review),
        notes: nonblank(&review.notes),
    }
}

/// The names of the server payloads supplied, each once.
fn server_inputs(j: &Journey) -> Vec<String> {
    crate::sort::distinct(j.server.iter().flatten().map(|e| e.source.clone()))
}

fn nonblank(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// A time of day, `17:17:49` (UTC), or `—`.
pub fn clock(ms: f64) -> String {
    if !ms.is_finite() || ms < 0.0 {
        return "—".into();
    }
    let secs = (ms / 1000.0).floor() as i64;
    let day = secs.rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", day / 3600, (day % 3600) / 60, day % 60)
}

/// A page view as a reader names it: `#3 /cart 17:17:49` — its number (from 1),
/// its path (the whole URL when it is not on the store's origin) and its time
/// (UTC). Two page views of one URL differ in number and time.
pub fn page_label(j: &Journey, pv: usize) -> String {
    let Some(p) = j.page_views.get(pv) else {
        return format!("#{}", pv + 1);
    };
    let store = j.store_origin();
    let place = match url::Url::parse(&p.url) {
        Ok(u) if store.as_deref() == Some(u.origin().ascii_serialization().as_str()) => short_path(u.path()),
        Ok(u) => format!("{}{}", u.origin().ascii_serialization(), short_path(u.path())),
        Err(_) => p.url.clone(),
    };
    format!("#{} {} {}", pv + 1, place, clock(p.time))
}

/// A path with its opaque tokens cut (Shopify checkout paths carry 20- to
/// 32-character ones): `/checkouts/cn/Z2NwLXVz…/thank_you`. The number tells
/// page views apart; the whole URL is in the packet's page list.
fn short_path(path: &str) -> String {
    const LONGEST: usize = 16;
    path.split('/')
        .map(|seg| {
            if seg.chars().count() > LONGEST {
                let head: String = seg.chars().take(8).collect();
                format!("{head}…")
            } else {
                seg.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The label of the order input in use: the latest order record that parsed
/// (read with its order name; the journey keeps the latest valid one).
pub fn order_input(j: &Journey) -> Option<String> {
    j.order_label.clone()
}

/// The credential fields removed from a server payload, joined, if any.
fn credentials_removed(j: &Journey, label: &str) -> Option<String> {
    let mut fields: Vec<&str> = j
        .credentials_removed
        .iter()
        .filter(|(l, _)| l == label)
        .flat_map(|(_, f)| f.iter().copied())
        .collect();
    fields.sort_unstable();
    fields.dedup();
    (!fields.is_empty()).then(|| fields.join(", "))
}

/// Every source of evidence a packet of this journey rests on (`server`: the
/// payload names; `order`: the order input's name), for the decision record.
fn evidence_sources(j: &Journey, review: &Review, server: &[String], order: Option<&str>) -> Vec<EvidenceSource> {
    let mut out = Vec::new();
    let counted = j.hits.iter().filter(|h| h.counted).count();
    let from_page = j.hits.iter().filter(|h| h.origin == Origin::Page).count();
    let copies = j.hits.len() - counted;
    let mut network = format!(
        "{} pixel request{} in {} page view{}",
        j.hits.len(),
        plural(j.hits.len()),
        j.page_views.len(),
        plural(j.page_views.len())
    );
    if copies > 0 {
        network.push_str(&format!(
            " ({copies} privacy-sandbox cop{} not counted)",
            if copies == 1 { "y" } else { "ies" }
        ));
    }
    if !j.script_loads.is_empty() {
        network.push_str(&format!(
            "; {} tracking-script load{}",
            j.script_loads.len(),
            plural(j.script_loads.len())
        ));
    }
    out.push(EvidenceSource {
        source: "network",
        detail: network,
        page_reported: false,
    });
    if j.hook_seen() || from_page > 0 {
        let shopify = j.shopify.len();
        out.push(EvidenceSource {
            source: "page",
            detail: format!(
                "the page hook: {} fbq call{}, {} script inventor{}, {} FB_LOG message{}, {} Shopify page context{}{}",
                j.fbq_calls.len(),
                plural(j.fbq_calls.len()),
                j.inventories.len(),
                if j.inventories.len() == 1 { "y" } else { "ies" },
                j.fb_logs.len(),
                plural(j.fb_logs.len()),
                shopify,
                plural(shopify),
                match j.consents.len() {
                    0 => String::new(),
                    n => format!(", {n} consent state{}", plural(n)),
                },
            ),
            page_reported: true,
        });
    }
    if !j.gestures.is_empty() {
        let trusted = j.gestures.iter().filter(|(_, g)| g.trusted()).count();
        let page = j.gestures.len() - trusted;
        let mut detail = format!("{trusted} trusted click{}/submit{}", plural(trusted), plural(trusted));
        if page > 0 {
            detail.push_str(&format!("; {page} reported by the page"));
        }
        out.push(EvidenceSource {
            source: "gestures",
            detail,
            page_reported: page > 0,
        });
    }
    let server_detail = if server.is_empty() {
        "none supplied".to_owned()
    } else {
        server
            .iter()
            .map(|label| {
                let events: Vec<&ServerEvent> = j.server.iter().flatten().filter(|e| &e.source == label).collect();
                let n = events.len();
                let mut line = format!("{label}: {n} event{}", plural(n));
                let pixels = crate::sort::distinct(events.iter().filter_map(|e| e.pixel_id.clone()));
                if !pixels.is_empty() {
                    line.push_str(&format!(" to pixel {}", pixels.join(", ")));
                }
                if let Some(fields) = credentials_removed(j, label) {
                    line.push_str(&format!(" ({fields} removed: a credential, never stored or exported)"));
                }
                line
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    out.push(EvidenceSource {
        source: "server",
        detail: server_detail,
        page_reported: false,
    });
    let answered: Vec<&crate::inputs::CapiResponse> =
        j.server_requests.iter().filter_map(|r| r.response.as_ref()).collect();
    if !answered.is_empty() {
        let refused = answered.iter().filter(|r| r.error.is_some()).count();
        out.push(EvidenceSource {
            source: "meta_response",
            detail: format!(
                "Meta's response to {} of {} server request{}{}",
                answered.len(),
                j.server_requests.len(),
                plural(j.server_requests.len()),
                if refused > 0 {
                    format!(" ({refused} refused)")
                } else {
                    String::new()
                }
            ),
            page_reported: false,
        });
    }
    let (order_detail, page) = match (order, j.order_from_page()) {
        (Some(label), _) => (format!("{label} (supplied)"), false),
        (None, true) => ("figures the order status page reported".to_owned(), true),
        (None, false) => ("none supplied".to_owned(), false),
    };
    out.push(EvidenceSource {
        source: "order",
        detail: order_detail,
        page_reported: page,
    });
    let owned = CORE_EVENTS
        .iter()
        .filter(|ev| review.owners.get(**ev).is_some_and(|o| !o.trim().is_empty()))
        .count();
    let gaps = if nonblank(&review.gaps_note).is_some() {
        "a note on count gaps"
    } else {
        "no note on count gaps"
    };
    out.push(EvidenceSource {
        source: "review",
        detail: format!(
            "owners recorded for {owned} of {} core events; {gaps}",
            CORE_EVENTS.len()
        ),
        page_reported: false,
    });
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Findings grouped by code, in the order of their first instance (the
/// session's order: fail first, then registry order), so the worst code leads.
pub fn group_findings(j: &Journey, findings: &[Finding]) -> Vec<FindingGroup> {
    let mut groups: Vec<FindingGroup> = Vec::new();
    for f in findings {
        let instance = FindingInstance {
            severity: f.severity,
            event: f.event.clone(),
            pixel_id: f.pixel_id.clone(),
            hit_ids: f.hit_ids.clone(),
            page_view: f.page_view.map(|pv| pv + 1),
            page: f.page_view.map(|pv| page_label(j, pv)),
            message: f.message.clone(),
            page_reported: f.page_reported,
        };
        match groups.iter_mut().find(|g| g.code == f.code) {
            Some(g) => {
                g.severity = g.severity.min(f.severity);
                g.page_reported |= f.page_reported;
                g.instances.push(instance);
            }
            None => {
                let info = rules::info(f.code);
                groups.push(FindingGroup {
                    code: f.code,
                    severity: f.severity,
                    card: cards::card_of(f.code).map(|c| c.key()).unwrap_or("test_events"),
                    explanation: info.map(|i| i.explanation).unwrap_or(""),
                    guidance: Guidance {
                        probably_broke: info.map(|i| i.probably_broke).unwrap_or(""),
                        first_check: info.map(|i| i.first_check).unwrap_or(""),
                        not_yet: info.map(|i| i.not_yet).unwrap_or(""),
                    },
                    page_reported: f.page_reported,
                    instances: vec![instance],
                });
            }
        }
    }
    groups
}

fn hit_out(h: &crate::model::Hit, opts: &PacketOptions) -> HitOut {
    let mut params: BTreeMap<String, Value> = BTreeMap::new();
    for p in &h.decoded.params {
        let value = if p.user_data && !opts.raw_user_data {
            redact_value(p.value)
        } else {
            p.value.to_owned()
        };
        match params.get_mut(p.key) {
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
        pixel_id: h.pixel_id.as_deref().map(str::to_owned),
        event: h.event.as_deref().map(str::to_owned),
        event_id: h.event_id.clone(),
        transport: h.decoded.transport.as_str(),
        endpoint: h.decoded.endpoint.clone(),
        counted: h.counted,
        sender: h.sender.label.clone(),
        sender_evidence: h.sender.evidence.clone(),
        page_view: h.page_view + 1,
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
            method: h.method.to_string(),
            url,
            body,
        },
        evidence: h.origin,
    }
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

#[cfg(test)]
mod v2_tests {
    use super::*;
    use crate::journal::{FbqCall, Record, ScriptInventory, ScriptLoad, UserText};
    use crate::rules::testkit::{clean_journey, go_journey, J, PIXEL};

    fn packet(j: J, review: &Review) -> Packet {
        let mut s = j.session();
        Packet::build(&mut s, review, &PacketOptions::default())
    }

    /// The header names each pixel's library version, and no empty one when
    /// its hits carry no `v`.
    #[test]
    fn a_pixel_without_a_library_version_names_none() {
        let with = packet(
            J::new().nav("https://shop.test/").hit("PageView", &[]),
            &Review::default(),
        );
        assert!(with
            .to_markdown()
            .contains(&format!("pixel `{PIXEL}` (v 2.9.179; 1 hit)")));
        let without = packet(
            J::new()
                .nav("https://shop.test/")
                .hit_with("PageView", &[], |r| r.url = r.url.replace("&v=2.9.179", "")),
            &Review::default(),
        );
        let md = without.to_markdown();
        assert!(md.contains(&format!("pixel `{PIXEL}` (1 hit)")), "{md}");
    }

    fn init(j: J) -> J {
        let (ctx, t) = (j.ctx(), j.t + 5.0);
        j.record(Record::FbqCall(FbqCall {
            method: "init".into(),
            args: vec![serde_json::json!(PIXEL)],
            context: ctx,
            time: t,
            ..FbqCall::default()
        }))
    }

    /// The messy demo printed the same guidance once per instance, and two
    /// instances as the same `https://shop.test/cart`: the cart seen twice.
    #[test]
    fn findings_are_grouped_by_code_and_page_views_of_one_url_told_apart() {
        let j = init(init(J::new().nav("https://shop.test/cart")));
        let j = init(init(j.wait(5000.0).nav("https://shop.test/cart")));
        let p = packet(j, &Review::default());
        let groups: Vec<&FindingGroup> = p
            .findings
            .iter()
            .filter(|g| g.code == "pixel_initialized_twice")
            .collect();
        assert_eq!(groups.len(), 1, "one group per code");
        let g = groups[0];
        assert_eq!(g.instances.len(), 2);
        assert!(g.page_reported && g.instances.iter().all(|i| i.page_reported));
        let labels: Vec<&str> = g.instances.iter().filter_map(|i| i.page.as_deref()).collect();
        assert_eq!(labels.len(), 2);
        assert!(
            labels[0].starts_with("#1 /cart ") && labels[1].starts_with("#2 /cart "),
            "{labels:?}"
        );
        assert_ne!(labels[0], labels[1]);
        assert_eq!(
            g.instances.iter().map(|i| i.page_view).collect::<Vec<_>>(),
            [Some(1), Some(2)]
        );
        let md = p.to_markdown();
        let first_check = markdown::text(g.guidance.first_check);
        assert_eq!(
            md.matches(first_check.as_str()).count(),
            1,
            "guidance printed once:\n{md}"
        );
        for label in labels {
            assert!(md.contains(&format!("`{label}`")), "{label} in\n{md}");
        }
        assert!(
            md.contains("### WARN `pixel_initialized_twice` — 2 instances *(page-reported)*"),
            "{md}"
        );
        // The trigger-source card counts the code and says that it is what rests on the page.
        let head = &p.cards.trigger_sources.head;
        let parts = head.page_reported_parts("trigger_sources", &p.gate.checks, &p.findings);
        assert_eq!(parts.in_words(str::to_owned), ["pixel_initialized_twice"]);
        assert!(
            md.contains("- **Findings:** `pixel_initialized_twice` (2 warn)"),
            "{md}"
        );
        assert!(
            md.contains("- **Page-reported:** `pixel_initialized_twice` rests on what the page itself reported"),
            "{md}"
        );
    }

    #[test]
    fn a_script_seen_by_network_and_page_is_one_row() {
        let fbevents = "https://connect.facebook.net/en_US/fbevents.js";
        let j = J::new().nav("https://shop.test/products/tee");
        let (ctx, t) = (j.ctx(), j.t);
        let j = j
            .record(Record::ScriptLoad(ScriptLoad {
                url: fbevents.into(),
                context: ctx.clone(),
                time: t + 10.0,
                status: Some(200),
                origin: Origin::Network,
            }))
            .record(Record::Scripts(ScriptInventory {
                context: ctx,
                time: t + 20.0,
                scripts: vec![fbevents.into()],
                base_code_runs: 1,
                ..ScriptInventory::default()
            }))
            .hit("PageView", &[]);
        let p = packet(j, &Review::default());
        let rows = &p.cards.trigger_sources.scripts;
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].seen_by, ["network", "page"]);
        assert_eq!((rows[0].network_loads, rows[0].page_elements), (1, 1));
        assert_eq!(rows[0].page_view, 1);
        let md = p.to_markdown();
        assert!(md.contains("| network ×1 · page ×1 |"), "{md}");
        assert!(
            md.contains("page: script elements the page reported *(page-reported)*"),
            "{md}"
        );
    }

    /// The CLI writes the packet with its hits made one at a time from the
    /// session: the same JSON and Markdown as the packet built whole.
    #[test]
    fn streamed_hits_write_the_same_packet() {
        let journeys: [fn() -> J; 3] = [
            J::new,
            || clean_journey().hit("Purchase", &[("eid", "p-2"), ("ud[em]", "Jane.Doe@Example.com")]),
            || {
                J::new()
                    .nav("https://shop.test/")
                    .hit("PageView", &[("eid", "a\"b\nc")])
            },
        ];
        for journey in journeys {
            for raw_user_data in [false, true] {
                let opts = PacketOptions { raw_user_data };
                let mut whole = journey().session();
                let built = Packet::build(&mut whole, &Review::default(), &opts);
                // As the CLI builds it: requests that became hits not kept as records.
                let mut s = Session::new(crate::DecodeConfig::default()).slim_hit_records();
                for r in journey().records {
                    s.add(r);
                }
                assert_eq!(s.record_count(), whole.record_count());
                assert_eq!(s.records().len(), whole.records().len() - s.journey().hits.len());
                assert_eq!(s.time_span(), whole.time_span());
                let lean = Packet::build_lean(&mut s, &Review::default(), &opts);
                assert!(lean.hits.is_empty());
                let mut json = Vec::new();
                lean.write_json(&s, &opts, &mut json).expect("written");
                assert_eq!(String::from_utf8(json).expect("UTF-8"), built.to_json());
                assert_eq!(lean.to_markdown_from(&s, &opts), built.to_markdown());
                assert_eq!(lean.to_text(), built.to_text());
            }
        }
    }

    /// A Conversions API request pasted whole carries the access token it is
    /// sent with, a secret: stored and exported as sent, until now. The session
    /// keeps it removed, no packet form holds it, and the packet says so.
    #[test]
    fn a_pasted_access_token_is_removed_and_the_packet_says_so() {
        let token = "EAAGm0PX4ZCpsBAKZBZCZCZAtOkEnThatIsSecret";
        let proof = "0f3a9b5e8c1d2f4a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c";
        let body = format!(
            r#"{{"data":[{{"event_name":"Purchase","event_time":1700000000,"event_id":"order-1001","action_source":"website","custom_data":{{"value":68.0,"currency":"USD"}}}}],"access_token":"{token}","appsecret_proof":"{proof}"}}"#
        );
        let mut s = clean_journey().server(&body).session();
        let kept = serde_json::to_string(s.records()).expect("records as JSON");
        assert!(!kept.contains(token) && !kept.contains(proof), "{kept}");
        assert!(kept.contains(crate::privacy::REMOVED_CREDENTIAL));
        let p = Packet::build(&mut s, &Review::default(), &PacketOptions { raw_user_data: true });
        assert_eq!(p.server.events.len(), 1, "the events are still read");
        assert_eq!(
            p.server.credentials_removed,
            vec!["capi.json: access_token, appsecret_proof".to_owned()]
        );
        for out in [p.to_json(), p.to_markdown(), p.to_text()] {
            assert!(!out.contains(token) && !out.contains(proof), "{out}");
        }
        assert!(
            p.to_markdown()
                .contains("capi.json: 1 event (access\\_token, appsecret\\_proof removed: a credential, never stored or exported)"),
            "{}",
            p.to_markdown()
        );
        // A paste the worker already redacted says the same.
        let mut stored = serde_json::json!({"kind": "server_payload", "label": "pasted", "text": body});
        assert!(crate::privacy::redact_record(&mut stored));
        let text = stored["text"].as_str().expect("text").to_owned();
        assert!(!text.contains(token) && !text.contains(proof), "{text}");
        let mut s = clean_journey()
            .record(Record::ServerPayload(UserText {
                label: "pasted".into(),
                text,
                order_name: None,
                pixel_id: None,
            }))
            .session();
        let p = Packet::build(&mut s, &Review::default(), &PacketOptions::default());
        assert_eq!(
            p.server.credentials_removed,
            vec!["pasted: access_token, appsecret_proof".to_owned()]
        );
    }

    /// A product name, an event id, a URL and a note from the page or the
    /// reviewer stay text: no `<` outside a code span without its backslash,
    /// and no HTML entity anywhere (a ticket showing raw Markdown read `&amp;`).
    #[test]
    fn markdown_keeps_page_text_inert_without_entities() {
        let xss = "<img src=x onerror=alert(1)>";
        let j = J::new()
            .nav("https://shop.test/products/<script>alert(1)</script>?a=1&b=2")
            .hit(
                "Purchase",
                &[
                    ("eid", xss),
                    ("cd[value]", xss),
                    ("cd[currency]", "USD"),
                    ("cd[content_name]", xss),
                    ("cd[content_ids]", "[\"<b>x</b>\"]"),
                ],
            )
            .server(&format!(
                r#"{{"data":[{{"event_name":"Purchase","event_id":"{}","action_source":"website","custom_data":{{"value":1,"currency":"USD"}}}}]}}"#,
                "a|b`c<i>"
            ))
            .record(Record::Order(UserText {
                label: "<svg onload=alert(1)>.json".into(),
                text: r#"{"total": 1, "currency": "USD", "order_number": "<u>7</u>"}"#.into(),
                ..Default::default()
            }));
        let review = Review {
            notes: Some(format!("Tom & Jerry's {xss} | *bold*")),
            gaps_note: Some("a\nb <br> c".into()),
            owners: [("Purchase".to_owned(), xss.to_owned())].into_iter().collect(),
            ..Review::default()
        };
        let md = packet(j, &review).to_markdown();
        for entity in ["&lt;", "&gt;", "&amp;", "&quot;", "&#"] {
            assert!(!md.contains(entity), "entity {entity} in\n{md}");
        }
        for (n, line) in md.lines().enumerate() {
            let outside = outside_code_spans(line);
            let bytes = outside.as_bytes();
            for (i, b) in bytes.iter().enumerate() {
                if *b == b'<' {
                    assert!(
                        i > 0 && bytes[i - 1] == b'\\',
                        "line {}: a bare '<' outside code: {line}",
                        n + 1
                    );
                }
            }
        }
        assert!(
            md.contains("\\<img src=x onerror=alert(1)\\>"),
            "the name is still there, as text"
        );
        assert!(md.contains("Tom \\& Jerry's"));
    }

    /// A page's right-to-left override made the Markdown read "USD differs
    /// from USD"; zero-width and other invisible characters hide in ids the
    /// same way. Every string the page, a paste or the reviewer puts in the
    /// packet comes out with them written as `[U+XXXX]`.
    #[test]
    fn markdown_shows_bidi_and_invisible_characters_by_code_point() {
        let poison = "\u{202E}DSU\u{200B}\u{2066}\u{FEFF}\u{061C}\u{00AD}\u{E0041}\u{2060}";
        let bad = |s: &str| format!("{s}{poison}");
        let j = clean_journey()
            .hit(
                "Purchase",
                &[
                    ("eid", &bad("order-1001")),
                    ("cd[value]", &bad("68.00")),
                    ("cd[currency]", &bad("USD")),
                    ("cd[content_name]", &bad("Tee")),
                    ("cd[content_ids]", &format!("[\"{}\"]", bad("tee-1"))),
                ],
            )
            .server(&format!(
                r#"{{"data":[{{"event_name":"Purchase","event_id":"{}","action_source":"website","custom_data":{{"value":1,"currency":"USD"}}}}]}}"#,
                bad("order-1001")
            ))
            .record(Record::Order(UserText {
                label: bad("order.json"),
                text: format!(
                    r#"{{"total": 68, "currency": "USD", "order_number": "{}"}}"#,
                    bad("1001")
                ),
                order_name: None,
                pixel_id: None,
            }));
        let review = Review {
            notes: Some(bad("notes")),
            gaps_note: Some(bad("gaps")),
            reviewer: Some(bad("Ann")),
            owners: [("Purchase".to_owned(), bad("theme"))].into_iter().collect(),
            ..Review::default()
        };
        let md = packet(j, &review).to_markdown();
        let hidden: Vec<String> = md
            .chars()
            .filter(|c| crate::tables::is_invisible_or_bidi(*c))
            .map(|c| format!("U+{:04X}", u32::from(c)))
            .collect();
        assert!(hidden.is_empty(), "{hidden:?} in\n{md}");
        for shown in ["[U+202E]DSU", "[U+200B]", "[U+E0041]", "[U+FEFF]"] {
            assert!(md.contains(shown), "{shown} missing in\n{md}");
        }
        assert!(md.contains("\\[U+202E\\]"), "escaped brackets in prose:\n{md}");
    }

    /// The text of a line with its code spans taken out (CommonMark: a span
    /// opens with a run of backticks and closes with a run of the same length).
    fn outside_code_spans(line: &str) -> String {
        let chars: Vec<char> = line.chars().collect();
        let mut out = String::new();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == '\\' && i + 1 < chars.len() {
                out.push(chars[i]);
                out.push(chars[i + 1]);
                i += 2;
                continue;
            }
            if chars[i] == '`' {
                let run = chars[i..].iter().take_while(|c| **c == '`').count();
                let mut j = i + run;
                let mut closed = None;
                while j < chars.len() {
                    if chars[j] == '`' {
                        let r = chars[j..].iter().take_while(|c| **c == '`').count();
                        if r == run {
                            closed = Some(j + r);
                            break;
                        }
                        j += r;
                    } else {
                        j += 1;
                    }
                }
                match closed {
                    Some(end) => i = end,
                    None => {
                        out.extend(&chars[i..i + run]);
                        i += run;
                    }
                }
                continue;
            }
            out.push(chars[i]);
            i += 1;
        }
        out
    }

    #[test]
    fn sections_come_in_reading_order() {
        let md = packet(clean_journey(), &Review::default()).to_markdown();
        let at = |h: &str| md.find(h).unwrap_or_else(|| panic!("{h} missing in\n{md}"));
        let order = [
            "## Decision record",
            "## Stop/Go gate",
            "## Evidence cards",
            "### 1. Test Events",
            "### 2. Shopify order",
            "### 3. Trigger-source inventory",
            "### 4. Review reconciliation",
            "## Findings",
            "## Page views",
            "## Hits",
        ];
        let places: Vec<usize> = order.iter().map(|h| at(h)).collect();
        assert!(places.windows(2).all(|w| w[0] < w[1]), "{order:?} at {places:?}");
        let json: Value = serde_json::from_str(&packet(clean_journey(), &Review::default()).to_json()).expect("json");
        let keys: Vec<&str> = json.as_object().expect("object").keys().map(String::as_str).collect();
        // serde_json's map is sorted unless preserve_order; check the presence, not the order.
        for k in [
            "packet_version",
            "verdict",
            "decision",
            "gate",
            "cards",
            "findings",
            "hits",
            "pages",
        ] {
            assert!(keys.contains(&k), "{k} missing: {keys:?}");
        }
        assert_eq!(json["packet_version"], 2);
        for card in ["test_events", "shopify_order", "trigger_sources", "reconciliation"] {
            for k in ["title", "pass_standard", "state", "summary", "checks", "codes"] {
                assert!(json["cards"][card].get(k).is_some(), "cards.{card}.{k} missing");
            }
        }
    }

    #[test]
    fn cards_follow_their_gate_checks_and_findings() {
        // Nothing supplied: every card waits for its evidence, none passes.
        let p = packet(clean_journey(), &Review::default());
        let c = &p.cards;
        assert_eq!(
            c.test_events.head.state,
            CardState::Unverified,
            "{:?}",
            c.test_events.head
        );
        assert!(c
            .test_events
            .head
            .needs
            .as_deref()
            .is_some_and(|n| n.contains("Conversions API payload")));
        assert_eq!(c.shopify_order.head.state, CardState::Unverified);
        assert_eq!(c.trigger_sources.head.state, CardState::Unverified);
        assert_eq!(c.reconciliation.head.state, CardState::Unverified);
        assert_eq!(c.test_events.purchase_actions, 1);
        // Everything supplied and agreeing: every card passes.
        let (j, review) = go_journey();
        let p = packet(j, &review);
        let c = &p.cards;
        for h in [
            &c.test_events.head,
            &c.shopify_order.head,
            &c.trigger_sources.head,
            &c.reconciliation.head,
        ] {
            assert_eq!(h.state, CardState::Pass, "{h:?}");
        }
        assert_eq!(c.test_events.purchase_actions, 1, "browser and server Purchase merge");
        let purchase = c
            .test_events
            .events
            .iter()
            .find(|r| r.event == "Purchase")
            .expect("row");
        assert_eq!(purchase.dedup.as_ref().map(|d| d.state), Some("merged"));
        assert_eq!(
            c.shopify_order.order.as_ref().and_then(|o| o.payment_status.as_deref()),
            Some("paid")
        );
        assert_eq!(c.shopify_order.input.as_deref(), Some("order.json"));
        assert!(
            c.shopify_order.purchases.iter().all(|v| v.matches == Some(true)),
            "{:?}",
            c.shopify_order.purchases
        );
        let server_row = c
            .trigger_sources
            .sources
            .iter()
            .find(|r| r.source == "server")
            .expect("server row");
        assert!(server_row.seen && server_row.events.get("Purchase") == Some(&1));
        assert!(
            !c.trigger_sources.sources.iter().any(|r| r.source == "other"),
            "no other sender, no row"
        );
        // A second Purchase without an id fails the Test Events card by its finding.
        let p = packet(
            go_journey().0.hit(
                "Purchase",
                &[
                    ("cd[value]", "68.00"),
                    ("cd[currency]", "USD"),
                    ("cd[order_id]", "1001"),
                ],
            ),
            &review,
        );
        assert_eq!(p.cards.test_events.head.state, CardState::Fail);
        assert_eq!(p.cards.test_events.purchase_actions, 2);
        assert!(p
            .cards
            .test_events
            .head
            .codes
            .iter()
            .any(|c| c.code == "duplicate_event"));
    }

    /// Order figures only the page reported: shown, marked, and never a pass.
    #[test]
    fn page_reported_order_never_passes_the_order_card() {
        let p = packet(clean_journey().page_order(68.0, "USD"), &Review::default());
        let card = &p.cards.shopify_order;
        assert_eq!(card.head.state, CardState::Unverified);
        assert!(card.head.page_reported);
        assert_eq!(card.source, Some("page"));
        let md = p.to_markdown();
        assert!(md.contains("| money | unverified *(page-reported)* |"), "{md}");
        assert!(md.contains("the order status page *(page-reported)*"), "{md}");
        assert!(
            md.contains("order *(page-reported)*: figures the order status page reported"),
            "{md}"
        );
        let parts = card
            .head
            .page_reported_parts("shopify_order", &p.gate.checks, &p.findings);
        assert_eq!(parts.in_words(str::to_owned), ["the money check"]);
        assert!(
            md.contains("- **Page-reported:** the money check rests on what the page itself reported"),
            "{md}"
        );
    }
}
