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
        // Reloading the order page does not fire Purchase again, so judge by URL.
        let mut missing: Vec<(&String, &Vec<usize>)> = j
            .order_pages
            .iter()
            .filter(|(_, pvs)| pvs.iter().all(|&pv| j.pages[pv].purchase_hits == 0))
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
