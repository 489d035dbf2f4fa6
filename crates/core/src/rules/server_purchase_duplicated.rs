//! `server_purchase_duplicated`: the server sent an order's Purchase under
//! more than one event id, and one of them no browser Purchase carries, so
//! Meta counts it apart.
//!
//! Meta merges a server event with the browser event of the same name and
//! event id, and counts every other one. A second server Purchase of an order
//! the browser did report is either a post-purchase upsell only the server
//! sent (it names items no Purchase of the order named: not this code) or the
//! order's Purchase sent once more: a second server sender (the store's own
//! integration beside an app's), or one integration posting twice. That one
//! counts the order twice. Which server Purchases are of which order:
//! `crate::purchases::server_counted_apart`.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;
use crate::model::Hit;
use crate::pairing::certain_pixel;
use crate::purchases::server_counted_apart;

pub struct Rule;

const CODE: &str = "server_purchase_duplicated";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Fail);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "the server sent a Purchase of an order the browser reported under more than one event id (naming no item the order's Purchases did not), and one of them no browser Purchase carries",
    explanation: "Meta merges a server event only with the browser event of the same name and event id, and counts every other one. This server Purchase is the order's Purchase sent once more under another id, so Meta counts the order twice, with its value.",
    probably_broke: "Two server senders report the order (the store's own Conversions API code beside an app or a gateway), or one integration posts the Purchase twice with event ids built two ways.",
    first_check: "Find which integration sent the event id named here (the payload's source and place say where it was pasted from), and keep one server sender for Purchase, on the browser's event id.",
    not_yet: "Do not compare Meta's Purchase count or revenue with Shopify's until the order is sent once from the server.",
    source: Some("https://developers.facebook.com/docs/marketing-api/conversions-api/deduplicate-pixel-and-server-events"),
};

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Journey
    }
    fn check_journey(&self, j: &Journey, out: &mut Vec<Finding>) {
        for (s, order) in server_counted_apart(j) {
            let hits: Vec<&Hit> = order.parts.iter().filter_map(|p| p.hits.first().copied()).collect();
            let eids: Vec<&str> = order.parts.iter().filter_map(|p| p.event_id()).collect();
            let which = order
                .order_id
                .as_deref()
                .map_or_else(|| "the order".to_owned(), |id| format!("order {id}"));
            let value = s
                .value
                .map_or_else(|| "no value".to_owned(), |v| crate::money::pair_text(v, s.currency.as_deref()));
            let browser = if eids.is_empty() {
                String::new()
            } else {
                format!(" (the browser's: {})", eids.join(", "))
            };
            // Sent to another pixel, perhaps, whose Purchase carries the id:
            // Meta merges per pixel, and the payload does not say which.
            let elsewhere = j
                .hits_of("Purchase")
                .filter(|h| s.event_id.is_some() && h.event_id == s.event_id)
                .find_map(|h| certain_pixel(h).filter(|p| *p != order.pixel))
                .map_or_else(String::new, |p| {
                    format!("; a Purchase to pixel {p} carries that id: if this payload went to that pixel, state which pixel each payload was sent to (--server-pixel, or the pixel id beside the paste)")
                });
            out.push(Finding::about(
                CODE,
                SEVERITY.of("Purchase"),
                &hits,
                format!(
                    "the server sent {which}'s Purchase again: {} (event_id {}, {value}) names no new item, and no browser Purchase to pixel {} carries its event id{browser}, so Meta counts it apart{elsewhere}",
                    s.describe(),
                    s.event_id.as_deref().unwrap_or("(none)"),
                    order.pixel,
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    const TWIN: &str = r#"{"event_name":"Purchase","event_id":"order-1001","custom_data":{"value":68.0,"currency":"USD","order_id":"1001","contents":[{"id":"tee-1","quantity":2}]}}"#;

    fn again_alone() -> &'static str {
        r#"{"event_name":"Purchase","event_id":"capi-1001","custom_data":{"value":68.0,"currency":"USD","order_id":"1001"}}"#
    }

    fn server(events: &[&str]) -> String {
        format!("[{}]", events.join(","))
    }

    #[test]
    fn the_order_sent_again_under_another_id_fails() {
        // A second sender: the same order, the same items, its own id.
        let again = r#"{"event_name":"Purchase","event_id":"shopify-order-5550001001","custom_data":{"value":"500.00","currency":"USD","order_id":"1001","contents":[{"id":"tee-1","quantity":2}]}}"#;
        let f = clean_journey().server(&server(&[TWIN, again])).only("server_purchase_duplicated");
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(f[0].message.contains("order 1001's Purchase again"), "{}", f[0].message);
        assert!(f[0].message.contains("shopify-order-5550001001, 500.00 USD"), "{}", f[0].message);
        assert!(f[0].message.contains("the browser's: order-1001"), "{}", f[0].message);
        // Naming no items: the order all the same.
        let no_items = r#"{"event_name":"Purchase","event_id":"capi-77","custom_data":{"value":68.0,"currency":"USD","order_id":"1001"}}"#;
        assert_eq!(clean_journey().server(&server(&[TWIN, no_items])).only("server_purchase_duplicated").len(), 1);
        // Naming no order while the browser's does: nothing ties it to this
        // order (a payload may hold an earlier test order's events).
        let bare = r#"{"event_name":"Purchase","event_id":"capi-77","custom_data":{"value":68.0,"currency":"USD"}}"#;
        assert!(clean_journey().server(&server(&[TWIN, bare])).only("server_purchase_duplicated").is_empty());
        // Sent twice and paired never: both are counted apart.
        let third = again.replace("shopify-order-5550001001", "capi-78");
        let j = clean_journey().server(&server(&[again, &third]));
        assert_eq!(j.only("server_purchase_duplicated").len(), 2);
    }

    #[test]
    fn twins_upsells_and_other_orders_are_not_duplicates() {
        // The twin, sent twice under its own id: Meta keeps one.
        assert!(clean_journey().server(&server(&[TWIN, TWIN])).only("server_purchase_duplicated").is_empty());
        // An upsell only the server sent: new items.
        let upsell = r#"{"event_name":"Purchase","event_id":"order-1001-upsell-1","custom_data":{"value":20.0,"currency":"USD","order_id":"1001","content_ids":["socks-1"]}}"#;
        assert!(clean_journey().server(&server(&[TWIN, upsell])).only("server_purchase_duplicated").is_empty());
        // An upsell both sent, each with its twin.
        let j = with_upsell(r#"["socks-1"]"#, "order-1001-upsell-1", "20.00").server(&server(&[TWIN, upsell]));
        assert!(j.only("server_purchase_duplicated").is_empty());
        // Sent once under another id than the browser's: the ids are wrong
        // (dedup_key_mismatch), not the count.
        let j = clean_journey().server(&server(&[again_alone()]));
        assert!(j.only("server_purchase_duplicated").is_empty());
        // Another order the browser never reported (server_event_only's, if any).
        let other = r#"{"event_name":"Purchase","event_id":"order-1002","custom_data":{"value":68.0,"currency":"USD","order_id":"1002","content_ids":["tee-1"]}}"#;
        assert!(clean_journey().server(&server(&[TWIN, other])).only("server_purchase_duplicated").is_empty());
        // No browser Purchase at all: server_event_only says so.
        let j = J::new().nav("https://shop.test/products/tee").hit("ViewContent", &[("eid", "vc-1")]);
        assert!(j.server(&server(&[TWIN])).only("server_purchase_duplicated").is_empty());
    }

    /// A page may send a Purchase to another pixel under the second
    /// sender's id: Meta merges nothing across pixels, and nor does this.
    #[test]
    fn a_decoy_purchase_to_another_pixel_takes_nothing_away() {
        let again = r#"{"event_name":"Purchase","event_id":"srv-app-1001","custom_data":{"value":68.0,"currency":"USD","order_id":"1001"}}"#;
        let decoy = |j: J| j.hit_to("9999999999", "Purchase", &[("eid", "srv-app-1001"), ("cd[order_id]", "1001")]);
        let j = decoy(clean_journey()).server(&server(&[TWIN, again]));
        let f = j.only("server_purchase_duplicated");
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(f[0].message.contains("srv-app-1001"), "{}", f[0].message);
        assert!(f[0].message.contains("a Purchase to pixel 9999999999 carries that id"), "{}", f[0].message);
    }

    /// A browser Purchase without an order id, and a payload that also holds
    /// an earlier test order: not this order sent again.
    #[test]
    fn a_payload_with_an_earlier_order_is_no_duplicate_of_an_order_without_id() {
        let j = J::new()
            .nav("https://shop.test/checkouts/cn/abc123/thank_you")
            .hit("Purchase", &[("eid", "e-1001"), ("cd[content_ids]", "[\"tee-1\"]")]);
        let this = r#"{"event_name":"Purchase","event_id":"e-1001","custom_data":{"value":68.0,"currency":"USD","order_id":"1001","content_ids":["tee-1"]}}"#;
        let earlier = r#"{"event_name":"Purchase","event_id":"e-1000","custom_data":{"value":68.0,"currency":"USD","order_id":"1000","content_ids":["tee-1"]}}"#;
        assert!(j.server(&server(&[this, earlier])).only("server_purchase_duplicated").is_empty());
        // The same order twice, though: counted apart.
        let j = J::new()
            .nav("https://shop.test/checkouts/cn/abc123/thank_you")
            .hit("Purchase", &[("eid", "e-1001"), ("cd[content_ids]", "[\"tee-1\"]")]);
        let again = this.replace("\"e-1001\"", "\"srv-1001\"");
        assert_eq!(j.server(&server(&[this, &again])).only("server_purchase_duplicated").len(), 1);
    }

    #[test]
    fn a_payload_stated_for_another_pixel_is_no_duplicate_of_this_one() {
        // The clean journey's Purchase goes to PIXEL; this payload went to
        // another pixel, whose browser Purchases there are none of.
        let again = r#"{"event_name":"Purchase","event_id":"agency-1001","custom_data":{"value":68.0,"currency":"USD","order_id":"1001"}}"#;
        let j = clean_journey().server_to("9999999999", &server(&[TWIN, again]));
        assert!(j.only("server_purchase_duplicated").is_empty());
        let j = clean_journey().server_to(PIXEL, &server(&[TWIN, again]));
        assert_eq!(j.only("server_purchase_duplicated").len(), 1);
    }
}
