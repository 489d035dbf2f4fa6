//! `duplicate_event`: one business action sent twice to the same pixel without a
//! shared eid, so Meta counts it twice.
//!
//! What counts as one action (docs/product-rules.md, "One business action"):
//! Purchase — the same order id or the same order page view, except a
//! post-purchase upsell of the order (new items under an event id of its own:
//! `crate::purchases`), which is an action of its own; InitiateCheckout
//! and PageView — one page view; everything else — one page view, the same
//! products and no trusted gesture between the hits (or, where gestures were
//! not recorded, less than 2 s apart).

use std::collections::HashMap;

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, SeverityRule};
use crate::journey::{GroupKey, Journey};
use crate::model::Hit;
use crate::sort::distinct;
use crate::tables;

pub struct Rule;

const CODE: &str = "duplicate_event";
const SEVERITY: SeverityRule = SeverityRule::FailFor(&["Purchase", "InitiateCheckout", "AddToCart"]);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "the same pixel got the same event twice for one business action and the eids are missing or differ",
    explanation: "Meta merges repeats only when they share an event id. Two hits for one action with missing or different ids are two conversions: reported results and the bidding signal are inflated.",
    probably_broke: "Two senders (theme code and an app, GTM and a custom pixel) both fire the event, or one sender fires it twice (a listener bound twice, a page that re-renders).",
    first_check: "Look at the senders of the hits in this finding and decide which one owns the event; switch the other off.",
    not_yet: "Do not raise budgets or change bidding until this event counts once per action.",
    source: Some("https://developers.facebook.com/docs/marketing-api/conversions-api/deduplicate-pixel-and-server-events"),
};

/// Hits `a` and `b` (a before b) are the same business action.
fn same_action(j: &Journey, a: &Hit, b: &Hit) -> bool {
    let ev = b.event_name();
    match ev {
        "InitiateCheckout" | "PageView" => a.page_view == b.page_view,
        _ => {
            if a.page_view != b.page_view || a.content_key != b.content_key {
                return false;
            }
            if j.pages[b.page_view].gestures_watched {
                j.gestures_between(b.context.tab_id, a.time, b.time) == 0
            } else {
                (b.time - a.time).abs() < 2000.0
            }
        }
    }
}

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Group
    }
    fn check_group(&self, j: &Journey, key: &GroupKey, hits: &[usize], out: &mut Vec<Finding>) {
        let ev = key.2.as_str();
        if ev.is_empty() || tables::is_automatic_event(ev) || hits.len() < 2 {
            return;
        }
        // Clusters of hits that are one action. Hits arrive in time order, so a
        // hit joins a cluster by comparing with its newest member; candidates
        // are found by hash (page view, products; or order id), never by scan.
        // Clusters as parallel arrays (newest member and size per cluster, the
        // cluster of each hit): a journey-wide Purchase group is re-judged on
        // every new Purchase, and one allocation per hit showed in profiles.
        let mut newest: Vec<&Hit> = Vec::with_capacity(hits.len());
        let mut size: Vec<u32> = Vec::with_capacity(hits.len());
        let mut cluster_of: Vec<usize> = Vec::with_capacity(hits.len());
        let mut by_bucket: HashMap<(usize, &str), Vec<usize>> = HashMap::new();
        let mut by_order: HashMap<&str, usize> = HashMap::new();
        let per_page = matches!(ev, "Purchase" | "InitiateCheckout" | "PageView");
        // A Purchase's page is its order page: a reload of the thank-you page,
        // or a return to it, is the same order (the first page view of it).
        let mut order_pages: HashMap<&str, usize> = HashMap::new();
        for &hi in hits {
            let h = j.hit(hi);
            let purchase = ev == "Purchase";
            let order = if purchase { h.order_id.as_deref() } else { None };
            let page = if purchase {
                j.order_page_of(&mut order_pages, h.page_view)
            } else {
                h.page_view
            };
            let bucket = (page, if per_page { "" } else { h.content_key.as_str() });
            let found = order.and_then(|o| by_order.get(o).copied()).or_else(|| {
                let in_bucket = by_bucket.get(&bucket)?;
                if purchase {
                    in_bucket.last().copied()
                } else {
                    in_bucket.iter().rev().find(|&&c| same_action(j, newest[c], h)).copied()
                }
            });
            // A Purchase without an order id on an order status page (the
            // shopper back from the order's e-mail), when the journey has one
            // order so far: that order.
            let found = found.or_else(|| {
                let back = purchase && order.is_none() && j.is_order_status_load(h.page_view);
                (back && newest.len() == 1).then_some(0)
            });
            let c = match found {
                Some(c) => {
                    newest[c] = h;
                    size[c] += 1;
                    c
                }
                None => {
                    newest.push(h);
                    size.push(1);
                    newest.len() - 1
                }
            };
            cluster_of.push(c);
            let in_bucket = by_bucket.entry(bucket).or_default();
            if !in_bucket.contains(&c) {
                in_bucket.push(c);
            }
            if let Some(o) = order {
                by_order.entry(o).or_insert(c);
            }
        }
        // Members of the clusters with more than one hit, in arrival order.
        let mut clusters: Vec<Vec<&Hit>> = vec![Vec::new(); size.len()];
        for (&hi, &c) in hits.iter().zip(&cluster_of) {
            if size[c] > 1 {
                clusters[c].push(j.hit(hi));
            }
        }
        // An order's post-purchase upsells are Purchases of their own
        // (crate::purchases): each part of the order is judged apart.
        if ev == "Purchase" {
            clusters = clusters
                .iter()
                .filter(|c| c.len() > 1)
                .flat_map(|c| crate::purchases::split(c).into_iter().map(|p| p.hits))
                .collect();
        }
        for cluster in clusters.iter().filter(|c| c.len() > 1) {
            let eids = distinct(cluster.iter().filter_map(|h| h.event_id.as_deref()));
            let without = cluster.iter().filter(|h| h.event_id.is_none()).count();
            if eids.len() + without < 2 {
                continue; // all share one eid: that is repeated_event_id
            }
            let senders = distinct(cluster.iter().map(|h| h.sender.label.as_str()));
            let scope = match (ev, cluster[0].order_id.as_deref()) {
                ("Purchase", Some(o)) => format!("one order (order_id {o})"),
                _ => "one action".to_string(),
            };
            out.push(Finding::about(
                CODE,
                SEVERITY.of(ev),
                cluster,
                format!(
                    "{ev} sent {} times for {scope} by {} with {}: Meta will count it {} times",
                    cluster.len(),
                    senders.join(", "),
                    if without == cluster.len() {
                        "no eid".to_string()
                    } else if without > 0 {
                        "eids missing on some".to_string()
                    } else {
                        "different eids".to_string()
                    },
                    eids.len() + without
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;
    use crate::rules::Severity;

    #[test]
    fn two_purchases_for_one_order_without_shared_eid_fail() {
        let f = J::new()
            .nav("https://shop.test/thank_you")
            .hit("Purchase", &[("eid", "order-1001"), ("cd[order_id]", "1001")])
            .hit_with("Purchase", &[("cd[order_id]", "1001")], |r| r.stack.clear())
            .only("duplicate_event");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Fail);
        assert_eq!(f[0].hit_ids, vec![1, 2]);
    }

    /// A reload of the thank-you page, or the shopper back on the order
    /// status page from the order's e-mail, sends the Purchase again: the
    /// same order, though a page view of its own and without an order id.
    #[test]
    fn a_reloaded_or_revisited_order_page_sends_the_same_order_again() {
        let thank_you = "https://shop.test/checkouts/cn/Z2NwLXVzLWNlbnRyYWwx/thank_you";
        let first = |j: J| j.hit("Purchase", &[("eid", "order-1001"), ("cd[order_id]", "1001")]);
        let again = |j: J| j.hit_with("Purchase", &[("eid", "gtm-77")], |r| r.stack.clear());
        let reload = again(first(J::new().nav(thank_you)).wait(5000.0).nav(thank_you));
        let f = reload.only("duplicate_event");
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].severity, Severity::Fail);
        assert_eq!(f[0].hit_ids, vec![1, 2]);
        // With a query the second time (Shopify adds one on some returns).
        let reload = again(first(J::new().nav(thank_you)).nav(&format!("{thank_you}?locale=en")));
        assert_eq!(reload.only("duplicate_event").len(), 1);
        let status = "https://shop.test/55500/orders/b1946ac92492d2347c6235b4d2611184";
        let back = again(first(J::new().nav(thank_you)).wait(60_000.0).nav(status));
        assert_eq!(back.only("duplicate_event").len(), 1);
        // Two checkouts, two thank-you pages, no order ids: two orders.
        let two = J::new()
            .nav(thank_you)
            .hit("Purchase", &[("eid", "a-1")])
            .nav("https://shop.test/checkouts/cn/OTHERTOKEN/thank_you")
            .hit("Purchase", &[("eid", "b-1")]);
        assert!(two.only("duplicate_event").is_empty());
        // The legacy checkout's own thank-you pages, two orders without
        // order ids: two orders (no "back from the e-mail" there).
        let legacy = J::new()
            .nav("https://shop.test/55500/checkouts/aaa/thank_you")
            .hit("Purchase", &[("eid", "a-1")])
            .nav("https://shop.test/55500/checkouts/bbb/thank_you")
            .hit("Purchase", &[("eid", "b-1")]);
        assert!(legacy.only("duplicate_event").is_empty());
        // A status page the page made with pushState is no return.
        let pushed = first(J::new().nav(thank_you)).history(status);
        let pushed = pushed.hit_with("Purchase", &[("eid", "gtm-77")], |r| r.stack.clear());
        assert!(pushed.only("duplicate_event").is_empty());
        // Back on a status page after two orders: which one is not known.
        let j = J::new()
            .nav(thank_you)
            .hit("Purchase", &[("eid", "a-1"), ("cd[order_id]", "1001")])
            .nav("https://shop.test/checkouts/cn/OTHERTOKEN/thank_you")
            .hit("Purchase", &[("eid", "b-1"), ("cd[order_id]", "1002")])
            .nav(status)
            .hit("Purchase", &[("eid", "gtm-79")]);
        assert!(j.only("duplicate_event").is_empty());
    }

    #[test]
    fn shared_eid_or_separate_orders_are_not_duplicates() {
        let j = J::new()
            .nav("https://shop.test/thank_you")
            .hit("Purchase", &[("eid", "o-1"), ("cd[order_id]", "1")])
            .hit("Purchase", &[("eid", "o-1"), ("cd[order_id]", "1")]);
        assert!(j.only("duplicate_event").is_empty());
        let j = J::new()
            .nav("https://shop.test/thank_you")
            .hit("Purchase", &[("eid", "o-1"), ("cd[order_id]", "1")])
            .nav("https://shop.test/orders/2/thank_you")
            .hit("Purchase", &[("eid", "o-2"), ("cd[order_id]", "2")]);
        assert!(j.only("duplicate_event").is_empty());
    }

    #[test]
    fn a_post_purchase_upsell_is_not_a_duplicate_but_its_repeat_is() {
        let upsell = || {
            J::new()
                .nav("https://shop.test/checkouts/c/abc/thank_you")
                .hit(
                    "Purchase",
                    &[
                        ("eid", "order-1001"),
                        ("cd[order_id]", "1001"),
                        ("cd[content_ids]", "[\"SHIRT\"]"),
                    ],
                )
                .hit(
                    "Purchase",
                    &[
                        ("eid", "order-1001-upsell-1"),
                        ("cd[order_id]", "1001"),
                        ("cd[content_ids]", "[\"SOCKS\"]"),
                    ],
                )
        };
        assert!(upsell().only("duplicate_event").is_empty());
        // The upsell sent again by a second sender without its id: a duplicate of the upsell.
        let f = upsell()
            .hit(
                "Purchase",
                &[("cd[order_id]", "1001"), ("cd[content_ids]", "[\"SOCKS\"]")],
            )
            .only("duplicate_event");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].hit_ids, vec![2, 3]);
    }

    #[test]
    fn add_to_cart_twice_split_by_a_gesture_is_two_actions() {
        let base = || J::new().nav("https://shop.test/products/tee").watch().gesture();
        let atc = [("cd[content_ids]", "[\"tee\"]")];
        let twice_no_gesture = base().hit("AddToCart", &atc).wait(3000.0).hit("AddToCart", &atc);
        assert_eq!(twice_no_gesture.only("duplicate_event").len(), 1);
        let twice_with_gesture = base()
            .hit("AddToCart", &atc)
            .wait(3000.0)
            .gesture()
            .hit("AddToCart", &atc);
        assert!(twice_with_gesture.only("duplicate_event").is_empty());
    }

    #[test]
    fn without_gesture_evidence_two_seconds_decide() {
        let atc = [("cd[content_ids]", "[\"tee\"]")];
        let close = J::new()
            .nav("https://shop.test/p")
            .hit("AddToCart", &atc)
            .wait(500.0)
            .hit("AddToCart", &atc);
        assert_eq!(close.only("duplicate_event").len(), 1);
        let apart = J::new()
            .nav("https://shop.test/p")
            .hit("AddToCart", &atc)
            .wait(5000.0)
            .hit("AddToCart", &atc);
        assert!(apart.only("duplicate_event").is_empty());
    }

    #[test]
    fn duplicate_page_view_warns_and_automatic_events_never_count() {
        let j = J::new()
            .nav("https://shop.test/")
            .hit("PageView", &[])
            .hit("PageView", &[])
            .hit("Microdata", &[])
            .hit("Microdata", &[]);
        let f = j.only("duplicate_event");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warn);
        assert_eq!(f[0].event.as_deref(), Some("PageView"));
    }
}
