//! The Purchases of one order, and how Meta counts them: a checkout's first
//! Purchase and the post-purchase upsells accepted after it
//! (docs/product-rules.md, "Post-purchase upsells").
//!
//! A post-purchase offer (Shopify's post-purchase checkout extensions) adds
//! items to an order that is already paid; the app that sells it sends a
//! Purchase of its own for the offer's value. That is one more *part* of the
//! same order, not a repeat of its first Purchase. A later Purchase of the same
//! order (same order_id, or the same order page) is recognised as an upsell
//! part when it carries items no earlier Purchase of the order carried:
//! - with its own event_id and only new items: an **upsell**, counted;
//! - with its own event_id, new items *and* items an earlier Purchase already
//!   carried (the whole edited order sent again): it counts the earlier
//!   items' value twice (`upsell_value_counted_twice`);
//! - with the event_id of an earlier Purchase: Meta drops it as that
//!   Purchase's duplicate, and the upsell's revenue with it
//!   (`upsell_event_id_reused`).
//!
//! Anything else later in the order (no items named, the same items again) is
//! the same Purchase sent again: `duplicate_event` / `repeated_event_id`.
//!
//! On the server side, each part's server twin (same event_id) is merged
//! into it, as Meta deduplicates them. A server Purchase that is no part's
//! twin is not made a part. When the server sent an order under more than one
//! id, the ones naming no new item are the order sent again
//! ([`server_counted_apart`], `server_purchase_duplicated`); one naming new
//! items is an upsell only the server reported.

use std::collections::{BTreeMap, HashMap};

use crate::inputs::ServerEvent;
use crate::journey::{Journey, ORDER_SCOPE};
use crate::model::Hit;
pub use crate::order_parts::Role;
use crate::order_parts::{OrderIndex, PartOf};

/// One Purchase of an order as Meta would count it.
#[derive(Debug, Clone)]
pub struct Part<'a> {
    pub role: Role,
    /// Browser hits of this Purchase, in arrival order (repeats and duplicates
    /// of it included: judged by `duplicate_event`).
    pub hits: Vec<&'a Hit>,
    /// Its server twins.
    pub server: Vec<&'a ServerEvent>,
    /// The items it names (content_ids), sorted.
    pub items: Vec<String>,
}

impl Part<'_> {
    /// The event id of its first hit (or server event).
    pub fn event_id(&self) -> Option<&str> {
        match self.hits.first() {
            Some(h) => h.event_id.as_deref(),
            None => self.server.first().and_then(|s| s.event_id.as_deref()),
        }
    }

    /// Its value and currency: those of its first browser hit with a usable
    /// value, else of its server twin.
    pub fn value(&self) -> Option<(f64, Option<&str>)> {
        if let Some((h, v)) = self.hits.iter().find_map(|h| Some((h, h.value()?))) {
            return Some((v, h.currency()));
        }
        let s = self.server.iter().find(|s| s.value.is_some())?;
        s.value.map(|v| (v, s.currency.as_deref()))
    }

    /// `#5`: its first browser hit.
    pub fn label(&self) -> String {
        self.hits.first().map(|h| format!("#{}", h.id)).unwrap_or_default()
    }

    /// How the part was recognised as what it is, for the packet.
    pub fn recognised(&self, parts: &[Part<'_>]) -> String {
        let eid = self.event_id().unwrap_or("(none)");
        let items = self.items.join(", ");
        match self.role {
            Role::First => "the order's first Purchase".to_owned(),
            Role::Upsell => format!(
                "a later Purchase of the same order with its own event_id {eid} and only items no earlier Purchase carried ({items}): a post-purchase upsell"
            ),
            Role::CountedTwice { of } => format!(
                "a later Purchase of the same order with its own event_id {eid} and new items, that also carries items Purchase {} already sent ({items})",
                parts[of].label()
            ),
            Role::ReusesEventId { of } => format!(
                "a later Purchase of the same order with new items ({items}) under the event_id {eid} of Purchase {}",
                parts[of].label()
            ),
        }
    }
}

/// The Purchases of one order sent to one pixel.
#[derive(Debug, Clone)]
pub struct Order<'a> {
    pub pixel: String,
    pub order_id: Option<String>,
    pub parts: Vec<Part<'a>>,
}

/// The sum of an order's parts, when they share one currency.
#[derive(Debug, Clone, PartialEq)]
pub struct Sum {
    pub value: f64,
    pub currency: Option<String>,
    /// `#5 59.00 + #9 20.00 (upsell)`.
    pub terms: String,
}

impl Order<'_> {
    /// Whether the order has more than its first Purchase (so its money is a sum).
    pub fn has_parts(&self) -> bool {
        self.parts.len() > 1
    }

    /// The sum of the parts `include` selects; `Err` with why when a value is
    /// missing or the currencies differ.
    pub fn sum(&self, include: impl Fn(&Part<'_>) -> bool) -> Result<Sum, String> {
        let mut value = 0.0;
        let mut currency: Option<String> = None;
        let mut terms = Vec::new();
        for p in self.parts.iter().filter(|p| include(p)) {
            let Some((v, c)) = p.value() else {
                return Err(format!("Purchase {} has no usable value", p.label()));
            };
            let c = c.map(|c| c.trim().to_ascii_uppercase());
            match (&currency, &c) {
                (Some(a), Some(b)) if a != b => {
                    return Err(format!(
                        "the order's Purchases use different currencies ({a}, {b}): their values cannot be added"
                    ))
                }
                (None, Some(_)) => currency = c.clone(),
                _ => {}
            }
            value += v;
            let role = match p.role {
                Role::First => String::new(),
                r => format!(" ({})", r.as_str().replace('_', " ")),
            };
            terms.push(format!("{} {v:.2}{role}", p.label()));
        }
        Ok(Sum {
            value,
            currency,
            terms: terms.join(" + "),
        })
    }

    /// The sum Meta counts: every part but those it drops.
    pub fn counted_sum(&self) -> Result<Sum, String> {
        self.sum(|p| p.role.counted())
    }

    /// The sum as the store sent it: every part.
    pub fn sent_sum(&self) -> Result<Sum, String> {
        self.sum(|_| true)
    }
}

/// A Purchase value, or an order's sum of them, reconciled against the order.
#[derive(Debug, Clone)]
pub struct Judged<'a> {
    /// The browser hits it is about (for an order with several parts, each
    /// part's first hit).
    pub hits: Vec<&'a Hit>,
    /// `Purchase #5`, or `Purchases #5 59.00 + #9 20.00 (upsell) = 79.00`.
    pub label: String,
    /// The comparison, or why the parts cannot be added.
    pub result: Result<crate::money::Reconciliation, String>,
    /// How many parts the order has (1: a single Purchase).
    pub parts: usize,
}

/// The journey's Purchases reconciled against the order, one judgement per
/// Purchase hit of an order with one part (as sent), one per order with
/// several: the sum Meta counts (`counted`) or the sum the store sent.
/// Orders with a part that sends earlier items again are left to
/// `upsell_value_counted_twice` when `skip_counted_twice`. Hits without a
/// usable value are left out (their own codes say why).
pub fn judge<'a>(
    j: &'a Journey,
    order: &crate::inputs::OrderFigures,
    counted: bool,
    skip_counted_twice: bool,
) -> Vec<Judged<'a>> {
    let mut out = Vec::new();
    for o in orders(j) {
        if !o.has_parts() {
            for part in &o.parts {
                for &h in &part.hits {
                    let Some(v) = h.value() else { continue };
                    out.push(Judged {
                        hits: vec![h],
                        label: format!("Purchase #{}", h.id),
                        result: Ok(crate::money::reconcile(v, h.currency(), order)),
                        parts: 1,
                    });
                }
            }
            continue;
        }
        if skip_counted_twice && o.parts.iter().any(|p| matches!(p.role, Role::CountedTwice { .. })) {
            continue;
        }
        let sum = if counted { o.counted_sum() } else { o.sent_sum() };
        let hits: Vec<&Hit> = o.parts.iter().filter_map(|p| p.hits.first().copied()).collect();
        let dropped: Vec<String> = o
            .parts
            .iter()
            .filter(|p| counted && !p.role.counted())
            .map(|p| {
                format!(
                    "Purchase {} is left out: Meta drops it, it reuses event_id {}",
                    p.label(),
                    p.event_id().unwrap_or("(none)")
                )
            })
            .collect();
        let dropped = if dropped.is_empty() {
            String::new()
        } else {
            format!(" ({})", dropped.join("; "))
        };
        let (label, result) = match sum {
            Ok(s) => (
                format!("Purchases {} = {:.2}{dropped}", s.terms, s.value),
                Ok(crate::money::reconcile(s.value, s.currency.as_deref(), order)),
            ),
            Err(e) => ("Purchases of the order".to_owned(), Err(e)),
        };
        out.push(Judged {
            hits,
            label,
            result,
            parts: o.parts.len(),
        });
    }
    out
}

fn items_of(h: &Hit) -> Vec<String> {
    let mut items: Vec<String> = h
        .content_key
        .split('\u{1f}')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    items.sort();
    items.dedup();
    items
}

/// Splits the hits of one order (in arrival order) into its parts.
pub fn split<'a>(hits: &[&'a Hit]) -> Vec<Part<'a>> {
    split_by(hits, |h| h)
        .into_iter()
        .map(|p| Part {
            role: p.role,
            hits: p.hits,
            server: Vec::new(),
            items: p.items,
        })
        .collect()
}

/// [`split`] over handles `hit` resolves.
fn split_by<'a, T: Copy>(handles: &[T], hit: impl Fn(T) -> &'a Hit) -> Vec<PartOf<T>> {
    let mut parts: Vec<PartOf<T>> = Vec::new();
    for &handle in handles {
        let h = hit(handle);
        let items = items_of(h);
        let new_part = |role: Role, items: Vec<String>| PartOf {
            role,
            hits: vec![handle],
            items,
        };
        // Under the event id of an earlier part.
        if let Some(eid) = h.event_id.as_deref() {
            if let Some(of) = parts
                .iter()
                .position(|p| hit(p.hits[0]).event_id.as_deref() == Some(eid))
            {
                let known = &parts[of].items;
                if !items.is_empty() && !known.is_empty() && items.iter().any(|i| !known.contains(i)) {
                    parts.push(new_part(Role::ReusesEventId { of }, items));
                } else {
                    parts[of].hits.push(handle);
                }
                continue;
            }
        }
        if parts.is_empty() {
            parts.push(new_part(Role::First, items));
            continue;
        }
        // New items, when every earlier part says what it carried.
        let all_known = parts.iter().all(|p| !p.items.is_empty());
        if all_known && !items.is_empty() {
            let earlier = |i: &String| parts.iter().any(|p| p.items.contains(i));
            if items.iter().any(|i| !earlier(i)) {
                let role = match parts.iter().position(|p| items.iter().any(|i| p.items.contains(i))) {
                    Some(of) => Role::CountedTwice { of },
                    None => Role::Upsell,
                };
                parts.push(new_part(role, items));
                continue;
            }
        }
        // The same Purchase again: part of the one whose items it names, else the first.
        let of = parts
            .iter()
            .position(|p| !items.is_empty() && p.items == items)
            .unwrap_or(0);
        parts[of].hits.push(handle);
    }
    parts
}

/// The counted Purchase hits of one pixel (indices into the journey's hits)
/// grouped by order: the same order_id, or the same order page (the page
/// view, or a reload of or return to its URL), or, for a Purchase without an
/// order id on an order status page, the journey's one order so far; as
/// `duplicate_event` groups them.
fn clusters(j: &Journey, hits: &[usize]) -> Vec<Vec<usize>> {
    let mut clusters: Vec<Vec<usize>> = Vec::new();
    let mut by_order: HashMap<&str, usize> = HashMap::new();
    let mut by_page: HashMap<usize, usize> = HashMap::new();
    let mut order_pages: HashMap<&str, usize> = HashMap::new();
    for &i in hits {
        let h = j.hit(i);
        let page = j.order_page_of(&mut order_pages, h.page_view);
        let back = h.order_id.is_none() && j.is_order_status_load(h.page_view);
        let found = h
            .order_id
            .as_deref()
            .and_then(|o| by_order.get(o).copied())
            .or_else(|| by_page.get(&page).copied())
            .or_else(|| (back && clusters.len() == 1).then_some(0));
        let c = match found {
            Some(c) => c,
            None => {
                clusters.push(Vec::new());
                clusters.len() - 1
            }
        };
        clusters[c].push(i);
        if let Some(o) = h.order_id.as_deref() {
            by_order.entry(o).or_insert(c);
        }
        by_page.insert(page, c);
    }
    clusters
}

/// The orders of one pixel's counted Purchases (`hits`: its order-scope
/// Purchase group).
pub(crate) fn index(j: &Journey, hits: &[usize]) -> Vec<OrderIndex> {
    clusters(j, hits)
        .into_iter()
        .map(|cluster| OrderIndex {
            order_id: cluster.iter().find_map(|&i| j.hit(i).order_id.clone()),
            parts: split_by(&cluster, |i| j.hit(i)),
        })
        .collect()
}

/// Every pixel's orders computed from the journey's groups, as the session
/// keeps them when up to date.
pub(crate) fn index_all(j: &Journey) -> BTreeMap<String, Vec<OrderIndex>> {
    let from = (ORDER_SCOPE, String::new(), String::new());
    j.groups
        .range(from..)
        .filter(|((_, _, ev), _)| ev == "Purchase")
        .map(|((_, pixel, _), hits)| (pixel.clone(), index(j, hits)))
        .collect()
}

/// Every order of the journey, per pixel, with its parts and their server
/// twins. Empty when no browser Purchase was captured.
pub fn orders(j: &Journey) -> Vec<Order<'_>> {
    orders_where(j, |_| true)
}

/// The orders with more than one part: what the rules and cards about
/// post-purchase upsells read (an upsell, its faults, the sum of parts). Most
/// orders have one part, and these are found without building the others.
pub fn orders_with_parts(j: &Journey) -> Vec<Order<'_>> {
    orders_where(j, |o| o.parts.len() > 1)
}

fn orders_where(j: &Journey, keep: impl Fn(&OrderIndex) -> bool) -> Vec<Order<'_>> {
    let build = |pixel: &str, o: &OrderIndex| {
        let mut parts: Vec<Part<'_>> = o
            .parts
            .iter()
            .map(|p| Part {
                role: p.role,
                hits: p.hits.iter().map(|&i| j.hit(i)).collect(),
                server: Vec::new(),
                items: p.items.clone(),
            })
            .collect();
        attach_server(j, o.order_id.as_deref(), &mut parts);
        Order {
            pixel: pixel.to_owned(),
            order_id: o.order_id.clone(),
            parts,
        }
    };
    // A journey not refreshed since its Purchases changed: found afresh.
    let fresh;
    let kept = if j.purchases_stale.is_empty() {
        &j.purchase_orders
    } else {
        fresh = index_all(j);
        &fresh
    };
    kept.iter()
        .flat_map(|(pixel, os)| os.iter().filter(|o| keep(o)).map(|o| build(pixel, o)))
        .collect()
}

/// The server Purchases that report an order the browser reported once more,
/// each with that order: Meta merges a server Purchase only with a browser
/// Purchase of the same event id sent to the same pixel, and counts every
/// other one; when the server sent the order under more than one event id,
/// the ones no browser Purchase of the order carries are extra. A server
/// Purchase is of each order (one per pixel it may have been sent to) of its
/// `order_id`; one of an order without one when that is the only order it may
/// have been sent to (the order is then judged only if its server Purchases
/// name one order id at most: a payload holding an earlier test order is not
/// this one sent again), and one without an order id of no other. One that names an item the
/// order's Purchases did not is an upsell only the server sent, and one under
/// the id of a merged server Purchase is that one again, which Meta drops.
/// With a single server Purchase under another id than the browser's, the
/// ids are what is wrong (`dedup_key_mismatch`), not the count. A browser
/// Purchase of another pixel under a server Purchase's id merges nothing here:
/// a page cannot take the finding away by sending one.
pub fn server_counted_apart(j: &Journey) -> Vec<(&ServerEvent, Order<'_>)> {
    let Some(server) = j.server.as_deref() else {
        return Vec::new();
    };
    let all = orders(j);
    let purchases: Vec<&ServerEvent> = server.iter().filter(|s| s.event_name == "Purchase").collect();
    // The server Purchases of each order.
    let mut of_order: Vec<Vec<&ServerEvent>> = vec![Vec::new(); all.len()];
    for &s in &purchases {
        let candidates: Vec<usize> = (0..all.len())
            .filter(|&k| s.may_pair_with(Some(all[k].pixel.as_str())))
            .collect();
        let by_id: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&k| all[k].order_id.is_some() && all[k].order_id == s.order_id)
            .collect();
        let of: Vec<usize> = match candidates.as_slice() {
            _ if !by_id.is_empty() => by_id,
            [k] if all[*k].order_id.is_none() => vec![*k],
            _ => Vec::new(),
        };
        for k in of {
            let named = |i: &String| all[k].parts.iter().any(|p| p.items.contains(i));
            if s.sent.items.iter().all(named) {
                of_order[k].push(s);
            }
        }
    }
    let mut out: Vec<(&ServerEvent, Order<'_>)> = Vec::new();
    for (k, sent) in of_order.into_iter().enumerate() {
        let mut ids: Vec<Option<&str>> = Vec::new();
        for s in &sent {
            let id = s.event_id.as_deref();
            if id.is_none() || !ids.contains(&id) {
                ids.push(id);
            }
        }
        let mut order_ids: Vec<&str> = sent.iter().filter_map(|s| s.order_id.as_deref()).collect();
        order_ids.sort_unstable();
        order_ids.dedup();
        if ids.len() < 2 || order_ids.len() > 1 {
            continue;
        }
        // Merged: a browser Purchase of this order (its pixel) carries the id.
        let merged = |s: &ServerEvent| {
            s.event_id.as_deref().is_some_and(|eid| {
                all[k]
                    .parts
                    .iter()
                    .flat_map(|p| &p.hits)
                    .any(|h| h.event_id.as_deref() == Some(eid) && s.twins_with(crate::pairing::certain_pixel(h)))
            })
        };
        let mut seen: Vec<&str> = Vec::new();
        for s in sent {
            // Each id once: Meta keeps one event per name and id.
            if let Some(id) = s.event_id.as_deref() {
                if seen.contains(&id) {
                    continue;
                }
                seen.push(id);
            }
            let already = out.iter().any(|(o, _)| std::ptr::eq(*o, s));
            if !merged(s) && !already {
                out.push((s, all[k].clone()));
            }
        }
    }
    out
}

/// Gives each part its server twins (same event_id, and the same order when
/// both name one).
fn attach_server<'a>(j: &'a Journey, order_id: Option<&str>, parts: &mut [Part<'a>]) {
    let Some(server) = j.server.as_ref() else { return };
    for s in server.iter().filter(|s| s.event_name == "Purchase") {
        if let (Some(a), Some(b)) = (order_id, s.order_id.as_deref()) {
            if a != b {
                continue;
            }
        }
        let Some(eid) = s.event_id.as_deref() else { continue };
        // Of a pixel it was sent to (any, unless the user said which).
        let to_its_pixel =
            |p: &Part<'_>| p.hits.is_empty() || p.hits.iter().any(|h| s.twins_with(crate::pairing::certain_pixel(h)));
        if let Some(p) = parts.iter().position(|p| p.event_id() == Some(eid) && to_its_pixel(p)) {
            parts[p].server.push(s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::J;

    fn roles(j: J) -> Vec<Vec<&'static str>> {
        let s = j.session();
        orders(s.journey())
            .iter()
            .map(|o| o.parts.iter().map(|p| p.role.as_str()).collect())
            .collect()
    }

    fn buy(j: J, eid: &str, ids: &str, value: &str) -> J {
        j.hit(
            "Purchase",
            &[
                ("eid", eid),
                ("cd[order_id]", "1001"),
                ("cd[content_ids]", ids),
                ("cd[value]", value),
                ("cd[currency]", "USD"),
            ],
        )
    }

    #[test]
    fn a_later_purchase_of_new_items_is_an_upsell_part() {
        let thank_you = || J::new().nav("https://shop.test/checkouts/c/abc/thank_you");
        let j = buy(thank_you(), "order-1001", r#"["SHIRT"]"#, "59.00");
        let j = buy(j, "order-1001-upsell-1", r#"["SOCKS"]"#, "20.00");
        assert_eq!(roles(j), vec![vec!["order", "upsell"]]);
        // The whole edited order sent again: counted twice.
        let j = buy(thank_you(), "order-1001", r#"["SHIRT"]"#, "59.00");
        let j = buy(j, "order-1001-upsell-1", r#"["SHIRT","SOCKS"]"#, "79.00");
        assert_eq!(roles(j), vec![vec!["order", "upsell_value_counted_twice"]]);
        // The first Purchase's event id again, for the offer.
        let j = buy(thank_you(), "order-1001", r#"["SHIRT"]"#, "59.00");
        let j = buy(j, "order-1001", r#"["SOCKS"]"#, "20.00");
        assert_eq!(roles(j), vec![vec!["order", "upsell_event_id_reused"]]);
    }

    #[test]
    fn the_same_items_again_or_no_items_are_one_part() {
        let j = buy(
            J::new().nav("https://shop.test/thank_you"),
            "a",
            r#"["SHIRT"]"#,
            "59.00",
        );
        let j = buy(j, "b", r#"["SHIRT"]"#, "59.00");
        assert_eq!(roles(j), vec![vec!["order"]]);
        let j = J::new()
            .nav("https://shop.test/thank_you")
            .hit("Purchase", &[("eid", "a"), ("cd[value]", "59.00")])
            .hit("Purchase", &[("eid", "b"), ("cd[value]", "20.00")]);
        assert_eq!(
            roles(j),
            vec![vec!["order"]],
            "without items nothing tells an upsell apart"
        );
    }

    #[test]
    fn server_twins_merge_and_a_server_event_alone_is_no_part() {
        let j = buy(J::new().nav("https://shop.test/thank_you"), "order-1001", r#"["SHIRT"]"#, "59.00").server(
            r#"{"data":[{"event_name":"Purchase","event_id":"order-1001","custom_data":{"value":59,"currency":"USD","order_id":"1001"}},
                        {"event_name":"Purchase","event_id":"order-1001-upsell-1","custom_data":{"value":20,"currency":"USD","order_id":"1001"}}]}"#,
        );
        let s = j.session();
        let o = orders(s.journey());
        assert_eq!(o.len(), 1);
        assert_eq!(
            o[0].parts.len(),
            1,
            "the server's second Purchase names no items: no part"
        );
        assert_eq!(o[0].parts[0].server.len(), 1, "the twin merged into the first part");
        let sum = o[0].counted_sum().expect("one currency");
        assert_eq!((sum.value, sum.currency.as_deref()), (59.0, Some("USD")));
    }
}
