//! The packet's parts as the panel shows them: the decision
//! record's read-only part, the four evidence cards' heads and their evidence
//! other than the acceptance and owner tables (the order against the
//! Purchases, the sources looked for and the tracking scripts, the Purchase
//! counts to reconcile). Each builder turns core data into elements (text
//! nodes only) and wires nothing; [`render`] puts them in place on each
//! summary render.

use pixelproof_core::packet::cards::{
    CardHead, CardState, Cards, ReconciliationCard, ShopifyOrderCard, TriggerSourcesCard,
};
use pixelproof_core::packet::{Decision, FindingGroup};
use pixelproof_core::results::{Check, Gate};
use web_sys::Element;

use crate::dom::*;

/// Fills the decision record and the cards' heads and evidence (`decision`:
/// the core's record for this journey and review).
pub fn render(decision: &Decision, gate: &Gate, c: &Cards, groups: &[FindingGroup]) {
    let fill = |id: &str, child: Element| {
        if let Some(box_) = by_id(id) {
            clear(&box_);
            append(&box_, &child);
        }
    };
    fill("pp-record", decision_record(decision));
    for (id, key, head) in [
        ("pp-acceptance-head", "test_events", &c.test_events.head),
        ("pp-order-head", "shopify_order", &c.shopify_order.head),
        ("pp-inventory-head", "trigger_sources", &c.trigger_sources.head),
        ("pp-reconciliation-head", "reconciliation", &c.reconciliation.head),
    ] {
        fill(id, card_head(head, key, &gate.checks, groups));
    }
    // Meta's own answer to the pasted server requests, under the Test Events head.
    if let (Some(m), Some(box_)) = (&c.test_events.meta_response, by_id("pp-acceptance-head")) {
        let l = line("Meta's response", &meta_response_text(m));
        attr(&l, "id", "pp-meta-response");
        append(&box_, &l);
    }
    fill("pp-order-body", order_card(&c.shopify_order));
    fill("pp-reconciliation-counts", reconciliation(&c.reconciliation));
    if let Some(box_) = by_id("pp-sources") {
        clear(&box_);
        append(&box_, &sources(&c.trigger_sources));
    }
}

/// Meta's answer in words: what it accepted, how many requests it answered,
/// and the fbtrace_id its support asks for.
fn meta_response_text(m: &pixelproof_core::packet::cards::MetaResponse) -> String {
    let mut t = format!("{} ({} of {} request(s) answered", m.summary, m.answered, m.requests);
    if !m.fbtrace_ids.is_empty() {
        t.push_str(&format!("; fbtrace_id {}", m.fbtrace_ids.join(", ")));
    }
    t.push(')');
    t
}

const PAGE_REPORTED_TITLE: &str =
    "Rests on what the page reported (its scripts could forge it): it adds doubt, it settles nothing";

/// The "page-reported" tag, with its explanation on hover.
pub fn page_reported_tag() -> Element {
    let tag = el("span", "tag page-reported", " page-reported");
    attr(&tag, "title", PAGE_REPORTED_TITLE);
    tag
}

fn card_pill(state: CardState) -> Element {
    let (label, class) = match state {
        CardState::Pass => ("PASS", "p-go"),
        CardState::Fail => ("FAIL", "p-stop"),
        CardState::Unverified => ("UNVERIFIED", "p-unverified"),
    };
    el("span", &format!("pill {class}"), label)
}

fn line(label: &str, text: &str) -> Element {
    let d = el("div", "kv", "");
    append(&d, &el("span", "k", &format!("{label}: ")));
    append(&d, &el("span", "", text));
    d
}

/// The decision record's read-only part: owner per core event and the
/// evidence the packet rests on (the decision fields themselves are inputs).
fn decision_record(d: &Decision) -> Element {
    let box_ = el("div", "record", "");
    let owners: Vec<String> = d
        .owners
        .iter()
        .map(|o| format!("{} → {}", o.event, o.owner.as_deref().unwrap_or("no owner")))
        .collect();
    append(&box_, &line("Owner per core event", &owners.join(" · ")));
    append(&box_, &el("div", "k", "Evidence:"));
    let ul = el("ul", "evidence-sources", "");
    for e in &d.evidence {
        let li = el("li", "", "");
        append(&li, &el("strong", "", e.source));
        if e.page_reported {
            append(&li, &page_reported_tag());
        }
        append(&li, &el("span", "", &format!(": {}", e.detail)));
        append(&ul, &li);
    }
    append(&box_, &ul);
    box_
}

/// A card's head: state, pass standard, why, what it still needs, its codes,
/// and which of its evidence the page reported.
fn card_head(h: &CardHead, key: &str, checks: &[Check], groups: &[FindingGroup]) -> Element {
    let head = el("div", &format!("card-head c-{}", h.state.as_str()), "");
    attr(&head, "data-state", h.state.as_str());
    let first = el("div", "", "");
    append(&first, &card_pill(h.state));
    append(&first, &el("span", "", &format!(" {}", h.summary)));
    append(&head, &first);
    append(&head, &line("Pass standard", h.pass_standard));
    if let Some(n) = &h.needs {
        append(&head, &line("Still needs", n));
    }
    if !h.codes.is_empty() {
        let codes: Vec<String> = h
            .codes
            .iter()
            .map(|c| {
                let counts: Vec<String> = c.by_severity().map(|(s, n)| format!("{n} {}", s.as_str())).collect();
                format!("{} ({})", c.code, counts.join(", "))
            })
            .collect();
        append(&head, &line("Findings", &codes.join(", ")));
    }
    if h.page_reported {
        let what = h.page_reported_parts(key, checks, groups).in_words(str::to_owned);
        let d = el("div", "", "");
        append(&d, &page_reported_tag());
        append(
            &d,
            &el(
                "span",
                "muted",
                &format!(": {} — it adds doubt and never makes this card pass.", what.join(", ")),
            ),
        );
        append(&head, &d);
    }
    head
}

/// The Shopify order card's evidence: the order, then every Purchase against it.
fn order_card(c: &ShopifyOrderCard) -> Element {
    let box_ = el("div", "order", "");
    match &c.order {
        Some(o) => {
            let from = match (c.source, &c.input) {
                (Some("page"), _) => "the order status page".to_owned(),
                (_, Some(label)) => label.clone(),
                _ => "—".to_owned(),
            };
            let fmt = |v: Option<f64>| v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".into());
            let t = el("table", "figures-table", "");
            for (k, v) in [
                (
                    "order",
                    o.order_number
                        .as_deref()
                        .map(|n| format!("#{}", n.trim_start_matches('#')))
                        .unwrap_or_else(|| "—".into()),
                ),
                ("payment status", o.payment_status.clone().unwrap_or_else(|| "—".into())),
                (
                    "total",
                    format!("{:.2} {}", o.total, o.currency.as_deref().unwrap_or("")),
                ),
                ("subtotal", fmt(o.subtotal)),
                ("discounts", fmt(o.discount)),
                ("tax", fmt(o.tax)),
                ("shipping", fmt(o.shipping)),
                (
                    "items",
                    o.item_count.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
                ),
                ("from", from),
            ] {
                let tr = el("tr", "", "");
                append(&tr, &el("th", "", k));
                let td = el("td", "mono", &v);
                if k == "from" && c.source == Some("page") {
                    append(&td, &page_reported_tag());
                }
                append(&tr, &td);
                append(&t, &tr);
            }
            append(&box_, &t);
        }
        None => append(
            &box_,
            &el(
                "p",
                "muted",
                "No order supplied: add it under Evidence the browser cannot see.",
            ),
        ),
    }
    let ul = el("ul", "purchases", "");
    for v in &c.purchases {
        let who = match (v.hit_id, &v.place) {
            (Some(id), _) => format!("browser #{id}"),
            (None, Some(place)) => format!("server {place}"),
            (None, None) => v.channel.to_owned(),
        };
        let (mark, class) = match v.matches {
            Some(true) => ("✓ ", "st-pass"),
            Some(false) => ("✗ ", "st-fail"),
            None => ("", "muted"),
        };
        let li = el("li", "", "");
        append(&li, &el("span", class, mark));
        append(
            &li,
            &el(
                "span",
                "",
                &format!(
                    "{who}: {} {} — {}{}",
                    v.value.as_deref().unwrap_or("—"),
                    v.currency.as_deref().unwrap_or(""),
                    v.detail,
                    // A Purchase of an order with several: how its share was recognised.
                    v.recognised.as_deref().map(|r| format!(" ({r})")).unwrap_or_default()
                ),
            ),
        );
        append(&ul, &li);
    }
    if c.purchases.is_empty() {
        append(
            &ul,
            &el("li", "muted", "No Purchase was sent, by the browser or the server."),
        );
    }
    append(&box_, &ul);
    box_
}

/// The trigger-source card's evidence beyond the owner table: the sources
/// looked for (seen or not) and the tracking scripts per script and page view.
fn sources(c: &TriggerSourcesCard) -> Element {
    let box_ = el("div", "sources", "");
    append(&box_, &el("h3", "", "Sources looked for"));
    let ul = el("ul", "senders", "");
    attr(&ul, "id", "pp-sender-details");
    for r in &c.sources {
        let li = el("li", if r.seen { "seen" } else { "muted" }, "");
        attr(&li, "data-source", r.source);
        append(&li, &el("strong", "", r.label));
        if !r.seen {
            append(&li, &el("span", "", ": not seen"));
        } else {
            let events: Vec<String> = r.events.iter().map(|(k, v)| format!("{k}×{v}")).collect();
            append(
                &li,
                &el(
                    "span",
                    "",
                    &format!(": {} — {}", r.senders.join(", "), events.join(", ")),
                ),
            );
            append(&li, &el("div", "muted", &r.evidence.join(" · ")));
        }
        append(&ul, &li);
    }
    append(&box_, &ul);
    if !c.scripts.is_empty() {
        append(&box_, &el("h3", "", "Tracking scripts, per script and page view"));
        let list = el("ul", "scripts", "");
        attr(&list, "id", "pp-scripts");
        for s in &c.scripts {
            let li = el("li", "", "");
            append(&li, &el("span", "mono", &format!("{} ", s.page)));
            append(&li, &el("span", "mono", &s.url));
            let mut seen = Vec::new();
            if s.network_loads > 0 {
                seen.push(format!("network ×{}", s.network_loads));
            }
            if s.page_elements > 0 {
                seen.push(format!("page ×{}", s.page_elements));
            }
            append(&li, &el("span", "muted", &format!(" — {}", seen.join(" · "))));
            if s.page_elements > 0 {
                append(&li, &page_reported_tag());
            }
            append(&list, &li);
        }
        append(&box_, &list);
    }
    box_
}

/// The reconciliation card's counts (the gaps note is an input beside it).
fn reconciliation(c: &ReconciliationCard) -> Element {
    let t = el("table", "counts", "");
    let head = el("tr", "", "");
    for h in ["Where", "Purchases", "How it is known"] {
        append(&head, &el("th", "", h));
    }
    append(&t, &head);
    for r in &c.counts {
        let tr = el("tr", "", "");
        attr(&tr, "data-source", r.source);
        append(&tr, &el("td", "", r.label));
        append(
            &tr,
            &el(
                "td",
                "",
                &r.purchases.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
            ),
        );
        let detail = match &r.value {
            Some(v) => format!("{} ({v})", r.detail),
            None => r.detail.clone(),
        };
        append(&tr, &el("td", "", &detail));
        append(&t, &tr);
    }
    t
}
