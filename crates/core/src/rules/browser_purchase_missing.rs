//! `browser_purchase_missing`: the order page was reached but no browser Purchase left it.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;
use crate::model::PageKind;
use crate::tables;

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
        // the thank-you page or, with a post-purchase offer, the offer page
        // before it (its checkout_completed event). Reloading an order page or
        // coming back to it later does not fire Purchase again. So an order
        // page without a Purchase of its own is covered by a Purchase sent,
        // from a page the browser navigated to (not one a hit's `dl` names),
        // on another order page of its checkout or on that checkout's
        // post-purchase page before it; an order status page by one sent
        // before it from any order or post-purchase page.
        let senders: Vec<(usize, Option<&str>, bool)> = (0..j.pages.len())
            .filter(|&pv| j.pages[pv].purchase_hits > 0 && !j.page_views[pv].inferred)
            .filter_map(|pv| {
                let url = &j.page_views[pv].url;
                // An order page by its URL: a page that says it is one only adds doubt.
                let order_page = j.page_views[pv].kind == PageKind::ThankYou && !j.page_views[pv].kind_from_page;
                (order_page || is_post_purchase(url)).then(|| (pv, checkout_token(url), order_page))
            })
            .collect();
        let mut missing: Vec<(&String, &Vec<usize>)> = j
            .order_pages
            .iter()
            .filter(|(url, pvs)| {
                if pvs.iter().any(|&pv| j.pages[pv].purchase_hits > 0) {
                    return false;
                }
                let (first, own) = (pvs[0], checkout_token(url));
                !senders.iter().any(|&(pv, token, order_page)| match own {
                    Some(own) => token == Some(own) && (order_page || pv < first),
                    None => pv < first,
                })
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

/// The path of a URL: what follows its host, before its query or fragment.
fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = rest.find('/').map_or("", |at| &rest[at..]);
    path.split(['?', '#']).next().unwrap_or_default()
}

/// The checkout token of a checkout page's URL: the part after `/checkouts/`
/// (after `/checkouts/c/` or `/checkouts/cn/` in checkout extensibility).
fn checkout_token(url: &str) -> Option<&str> {
    let mut segs = path_of(url).split('/').filter(|s| !s.is_empty());
    segs.by_ref().find(|s| s.eq_ignore_ascii_case("checkouts"))?;
    match segs.next()? {
        c if c.eq_ignore_ascii_case("c") || c.eq_ignore_ascii_case("cn") => segs.next(),
        token => Some(token),
    }
}

/// Whether a URL is a checkout's post-purchase offer page
/// (`/<shop id>/checkouts/<token>/post_purchase` in Shopify's docs).
fn is_post_purchase(url: &str) -> bool {
    checkout_token(url).is_some()
        && path_of(url)
            .split('/')
            .any(|s| tables::POST_PURCHASE_SEGMENTS.iter().any(|p| s.eq_ignore_ascii_case(p)))
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

    /// What covers an order page is a Purchase sent where Shopify sends it,
    /// from a page the browser navigated to: not one fired too early on a
    /// checkout step, not one after it, not one whose `dl` only names the
    /// offer page, not one from a page that says it is an order page.
    #[test]
    fn a_purchase_sent_anywhere_else_covers_no_order_page() {
        const THANKS: &str = "https://shop.test/checkouts/cn/TOK/thank-you";
        const OFFER: &str = "https://shop.test/checkouts/cn/TOK/post-purchase";
        let fails = |j: J| j.only("browser_purchase_missing").len();
        // A custom pixel that sends Purchase on payment_info_submitted.
        let early = J::new()
            .nav("https://shop.test/checkouts/cn/TOK/payment")
            .hit("Purchase", &[("eid", "order-1001")])
            .nav(THANKS)
            .hit("PageView", &[]);
        assert_eq!(fails(early), 1);
        // From the offer page, but after the thank-you page.
        let after = J::new().nav(THANKS).hit("PageView", &[]).nav(OFFER).hit("Purchase", &[("eid", "order-1001")]);
        assert_eq!(fails(after), 1);
        // From a product page whose hit names the offer page as its page.
        let enc = |u: &str| form_urlencoded::byte_serialize(u.as_bytes()).collect::<String>();
        let named = J::new()
            .nav(THANKS)
            .hit("PageView", &[])
            .nav("https://shop.test/products/tee")
            .hit_with("Purchase", &[("eid", "order-1001")], |r| {
                r.url = r.url.replace(&enc("https://shop.test/products/tee"), &enc(OFFER));
            });
        assert_eq!(fails(named), 1);
        // From a checkout step whose page says it is the thank-you page.
        let said = J::new()
            .nav("https://shop.test/checkouts/cn/TOK/payment")
            .page_order(59.0, "USD")
            .hit("Purchase", &[("eid", "order-1001")])
            .nav(THANKS)
            .hit("PageView", &[]);
        assert_eq!(fails(said), 1);
        // An order status page after a Purchase from a product page.
        let status = J::new()
            .nav("https://shop.test/products/tee")
            .hit("Purchase", &[("eid", "order-1001")])
            .nav("https://shop.test/55500001/orders/abc/authenticate")
            .hit("PageView", &[]);
        assert_eq!(fails(status), 1);
        // Another order page of the same checkout covers it, before or after.
        let other_url = J::new()
            .nav(THANKS)
            .hit("PageView", &[])
            .nav(&format!("{THANKS}?locale=fr"))
            .hit("Purchase", &[("eid", "order-1001")]);
        assert_eq!(fails(other_url), 0);
    }

    #[test]
    fn checkout_tokens_are_read_from_both_checkouts() {
        use super::checkout_token;
        assert_eq!(checkout_token("https://shop.test/checkouts/cn/Z2Nw/thank-you?locale=en"), Some("Z2Nw"));
        assert_eq!(checkout_token("https://shop.test/checkouts/c/ba89/post-purchase"), Some("ba89"));
        assert_eq!(checkout_token("https://shop.test/5550/checkouts/0a1b/thank_you"), Some("0a1b"));
        assert_eq!(checkout_token("https://shop.test/5550/orders/0a1b"), None);
        assert_eq!(checkout_token("https://shop.test/checkouts"), None);
        assert_eq!(checkout_token("https://shop.test/Checkouts/CN/Z2Nw/thank-you"), Some("Z2Nw"));
        assert!(super::is_post_purchase("https://shop.test/5550/checkouts/0a1b/post_purchase?script_url=x"));
        assert!(!super::is_post_purchase("https://shop.test/products/post-purchase"));
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
