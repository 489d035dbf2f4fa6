//! `browser_purchase_missing`: the order page was reached but no browser Purchase left it.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;

pub struct Rule;

const CODE: &str = "browser_purchase_missing";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Fail);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "the order confirmation page was reached but no browser Purchase left it",
    explanation: "The one event that matters most never reached Meta from the browser; only a server event (if any) can report this sale.",
    probably_broke: "The Purchase sender is not active on the thank-you page: a theme snippet that Shopify's new checkout no longer runs (checkout.liquid / additional scripts), or a custom pixel not subscribed to checkout_completed.",
    first_check: "Move Purchase to a Shopify custom pixel on checkout_completed or to the Facebook & Instagram app, and place another test order.",
    not_yet: "Do not run conversion campaigns optimised for Purchase until it arrives from the order page.",
    source: None,
};

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Journey
    }
    fn check_journey(&self, j: &Journey, out: &mut Vec<Finding>) {
        // Shopify sends Purchase once per checkout, from its first order page:
        // the thank-you page or, with a post-purchase offer, the first offer
        // page (its checkout_completed event). So an order page is judged by
        // its checkout, and reloading it or coming back to it later does not
        // fire Purchase again.
        let purchase_pages: Vec<usize> = (0..j.pages.len()).filter(|&pv| j.pages[pv].purchase_hits > 0).collect();
        let sent_for = |token: &str| {
            purchase_pages
                .iter()
                .any(|&pv| checkout_token(&j.page_views[pv].url) == Some(token))
        };
        let mut missing: Vec<(&String, &Vec<usize>)> = j
            .order_pages
            .iter()
            .filter(|(url, pvs)| {
                if pvs.iter().any(|&pv| j.pages[pv].purchase_hits > 0) {
                    return false;
                }
                match checkout_token(url) {
                    Some(token) => !sent_for(token),
                    // The order status page (`/<shop id>/orders/<token>`) is
                    // where a shopper comes back to an order from its e-mail:
                    // a Purchase sent before it in the journey was that order's.
                    None => !purchase_pages.iter().any(|&pv| pv < pvs[0]),
                }
            })
            .collect();
        // By URL, as the findings have always come.
        missing.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for (url, pvs) in missing {
            out.push(
                Finding::journey(
                    CODE,
                    SEVERITY.of("Purchase"),
                    format!("the order page {url} was reached but no browser Purchase left it"),
                )
                .with_event("Purchase")
                .with_page_view(pvs[0])
                .page_reported(pvs.iter().all(|&p| j.page_views[p].kind_from_page)),
            );
        }
    }
}

/// The checkout token of a checkout page's URL: the part after `/checkouts/`
/// (after `/checkouts/c/` or `/checkouts/cn/` in checkout extensibility).
fn checkout_token(url: &str) -> Option<&str> {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = &path[path.find('/')?..];
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let mut segs = path.split('/').filter(|s| !s.is_empty());
    segs.by_ref().find(|s| s.eq_ignore_ascii_case("checkouts"))?;
    match segs.next()? {
        "c" | "cn" => segs.next(),
        token => Some(token),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn order_page_without_purchase_fails() {
        let f = J::new()
            .nav("https://shop.test/checkouts/cn/x")
            .hit("InitiateCheckout", &[])
            .nav("https://shop.test/checkouts/cn/x/thank_you")
            .hit("PageView", &[]);
        let f = f.only("browser_purchase_missing");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].page_view, Some(1));
    }

    #[test]
    fn purchase_on_first_visit_covers_a_reload() {
        let j = J::new()
            .nav("https://shop.test/checkouts/cn/x/thank_you")
            .hit("Purchase", &[("eid", "o")])
            .nav("https://shop.test/checkouts/cn/x/thank_you")
            .hit("PageView", &[]);
        assert!(j.only("browser_purchase_missing").is_empty());
        assert!(J::new()
            .nav("https://shop.test/cart")
            .hit("PageView", &[])
            .only("browser_purchase_missing")
            .is_empty());
    }

    /// Shopify's checkout_completed fires on the first post-purchase offer
    /// page instead of the thank-you page when the checkout has one.
    #[test]
    fn a_purchase_from_the_post_purchase_page_covers_its_thank_you_page() {
        let j = J::new()
            .nav("https://shop.test/checkouts/cn/Z2NwLXVz/post-purchase")
            .hit_with("Purchase", &[("eid", "order-1001"), ("cd[order_id]", "1001")], |r| r.stack.clear())
            .nav("https://shop.test/checkouts/cn/Z2NwLXVz/thank-you")
            .hit("PageView", &[]);
        assert!(j.only("browser_purchase_missing").is_empty());
        // Another checkout's Purchase covers nothing.
        let f = J::new()
            .nav("https://shop.test/checkouts/cn/Z2NwLXVz/post-purchase")
            .hit("Purchase", &[("eid", "order-1001")])
            .nav("https://shop.test/checkouts/cn/OTHER/thank-you")
            .hit("PageView", &[])
            .only("browser_purchase_missing");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].page_view, Some(1));
    }

    /// The order status page a shopper opens later from the order's e-mail.
    #[test]
    fn coming_back_to_the_order_status_page_needs_no_purchase() {
        let j = J::new()
            .nav("https://shop.test/checkouts/c/ba8996/thank-you")
            .hit("Purchase", &[("eid", "order-1001")])
            .nav("https://shop.test/55500001/orders/7f3e9a")
            .hit("PageView", &[]);
        assert!(j.only("browser_purchase_missing").is_empty());
        // Reached with no Purchase before it, it is the order page that sent none.
        let f = J::new()
            .nav("https://shop.test/55500001/orders/7f3e9a")
            .hit("PageView", &[])
            .nav("https://shop.test/products/tee")
            .hit("Purchase", &[("eid", "order-1001")])
            .only("browser_purchase_missing");
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn checkout_tokens_are_read_from_both_checkouts() {
        use super::checkout_token;
        assert_eq!(checkout_token("https://shop.test/checkouts/cn/Z2Nw/thank-you?locale=en"), Some("Z2Nw"));
        assert_eq!(checkout_token("https://shop.test/checkouts/c/ba89/post-purchase"), Some("ba89"));
        assert_eq!(checkout_token("https://shop.test/5550/checkouts/0a1b/thank_you"), Some("0a1b"));
        assert_eq!(checkout_token("https://shop.test/5550/orders/0a1b"), None);
        assert_eq!(checkout_token("https://shop.test/checkouts"), None);
    }

    /// Order pages are kept hashed; their findings still come in URL order,
    /// whichever was reached first.
    #[test]
    fn order_pages_without_purchase_come_in_url_order() {
        let mut j = J::new();
        for order in ["c", "a", "d", "b"] {
            j = j
                .nav(&format!("https://shop.test/checkouts/cn/{order}/thank_you"))
                .hit("PageView", &[]);
        }
        let urls: Vec<String> = j
            .only("browser_purchase_missing")
            .iter()
            .map(|f| f.message.split(' ').nth(3).unwrap_or_default().to_owned())
            .collect();
        assert_eq!(
            urls,
            ["a", "b", "c", "d"].map(|o| format!("https://shop.test/checkouts/cn/{o}/thank_you"))
        );
    }
}
