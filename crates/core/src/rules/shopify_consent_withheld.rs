//! `shopify_consent_withheld`: the page's Shopify Customer Privacy API said
//! marketing consent is withheld, and core events are missing.
//!
//! Shopify runs pixels that need marketing consent (web pixels, the Facebook &
//! Instagram app) only when `window.Shopify.customerPrivacy.marketingAllowed()`
//! is true (<https://shopify.dev/docs/api/customer-privacy>; a pixel's own
//! view: <https://shopify.dev/docs/api/web-pixels-api/pixel-privacy>). A tester
//! who declined the cookie banner, or never answered it where consent is
//! required, gets a store that sends no core events: the chain breaks for a
//! reason no pixel setting explains. The consent state is page evidence: it
//! explains missing events (adds doubt) and never turns a check or a finding
//! in the store's favour, so this is a warning and never a pass.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::identity::clip;
use crate::journey::Journey;
use crate::tables::CORE_EVENTS;

pub struct Rule;

const CODE: &str = "shopify_consent_withheld";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "the page's Shopify Customer Privacy API reported marketing consent withheld and core events are missing (page evidence)",
    explanation: "Shopify does not run pixels that need marketing consent (web pixels, the Facebook & Instagram app) until the visitor allows marketing cookies. With consent withheld the store sends no core events to Meta from this browser, so this test order cannot show whether the setup works: it cannot pass until the tester allows marketing cookies.",
    probably_broke: "Nothing in the pixel setup: the tester declined the cookie banner, or never answered it in a region where Shopify waits for consent, so marketingAllowed() is false.",
    first_check: "Allow marketing cookies, then repeat the test order from the product page: accept all in the store's cookie banner, or run Shopify.customerPrivacy.setTrackingConsent({marketing: true, analytics: true, preferences: true, sale_of_data: true}, () => location.reload()) in the browser console on the store page.",
    not_yet: "Do not change the pixel setup or add a second sender to get events through; test again with marketing consent given first.",
    source: Some("https://shopify.dev/docs/api/customer-privacy"),
};

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Journey
    }
    fn check_journey(&self, j: &Journey, out: &mut Vec<Finding>) {
        if j.consent_withheld.is_empty() {
            return;
        }
        let missing: Vec<&str> = CORE_EVENTS
            .iter()
            .zip(j.first_core.iter())
            .filter(|(_, first)| first.is_none())
            .map(|(ev, _)| *ev)
            .collect();
        if missing.is_empty() {
            return;
        }
        // The page views that reported it, in order, each once.
        let mut pages: Vec<usize> = j.consent_withheld.iter().map(|&i| j.consents[i].0).collect();
        pages.dedup();
        let first = &j.consents[j.consent_withheld[0]].1;
        let state = match (
            first.marketing_allowed,
            first.visitor_consent.as_ref().and_then(|v| v.marketing.as_deref()),
        ) {
            (_, Some(m)) if m.eq_ignore_ascii_case("no") => "the visitor declined marketing (marketing: \"no\")",
            (_, Some("")) => "the visitor has not answered the consent banner (marketing: \"\")",
            _ => "marketingAllowed() is false",
        };
        let named: Vec<String> = pages
            .iter()
            .take(3)
            .map(|&pv| format!("#{} ({})", pv + 1, clip(&j.page_views[pv].url)))
            .collect();
        let more = pages.len().saturating_sub(3);
        out.push(
            Finding::journey(
                CODE,
                SEVERITY.of_any_event(),
                format!(
                    "Shopify's Customer Privacy API on page view{} {}{}: {state}; {} never seen. Shopify holds back pixels that need marketing consent, so this test cannot pass until the tester allows marketing cookies",
                    if pages.len() == 1 { "" } else { "s" },
                    named.join(", "),
                    if more > 0 { format!(" and {more} more") } else { String::new() },
                    missing.join(", ")
                ),
            )
            .with_page_view(pages[0])
            .page_reported(true),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::journal::{Consent, Record, VisitorConsent};
    use crate::rules::testkit::*;

    /// What the hook records from `window.Shopify.customerPrivacy` on a store
    /// whose banner uses Shopify's Customer Privacy API: `currentVisitorConsent()`
    /// answers `{marketing, analytics, preferences, sale_of_data}` with `"yes"`,
    /// `"no"` or `""` per purpose, and `marketingAllowed()` /
    /// `analyticsProcessingAllowed()` booleans
    /// (https://shopify.dev/docs/api/customer-privacy).
    fn consent(j: &J, marketing: &str, allowed: bool) -> Record {
        Record::Consent(Consent {
            context: j.ctx(),
            time: j.t + 5.0,
            trigger: Some("api".into()),
            visitor_consent: Some(VisitorConsent {
                marketing: Some(marketing.into()),
                analytics: Some("yes".into()),
                preferences: Some(String::new()),
                sale_of_data: Some("yes".into()),
            }),
            marketing_allowed: Some(allowed),
            analytics_allowed: Some(true),
        })
    }

    #[test]
    fn withheld_consent_with_core_events_missing_warns_and_says_how_to_pass() {
        let j = J::new().nav("https://shop.test/products/tee").hit("PageView", &[]);
        let c = consent(&j, "no", false);
        let mut s = j.record(c).session();
        let f: Vec<_> = s
            .findings()
            .into_iter()
            .filter(|f| f.code == "shopify_consent_withheld")
            .collect();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, crate::rules::Severity::Warn);
        assert!(f[0].page_reported);
        assert_eq!(f[0].page_view, Some(0));
        assert_eq!(
            f[0].message,
            "Shopify's Customer Privacy API on page view #1 (https://shop.test/products/tee): the visitor declined marketing (marketing: \"no\"); ViewContent, AddToCart, InitiateCheckout, Purchase never seen. Shopify holds back pixels that need marketing consent, so this test cannot pass until the tester allows marketing cookies"
        );
        // No hit at all (the store sends nothing without consent): still said.
        let j = J::new().nav("https://shop.test/products/tee");
        let c = consent(&j, "", false);
        let f = j.record(c).only("shopify_consent_withheld");
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.contains("has not answered the consent banner"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn consent_given_or_a_complete_chain_is_silent() {
        // Marketing allowed: the missing events have another cause.
        let j = J::new().nav("https://shop.test/products/tee").hit("PageView", &[]);
        let c = consent(&j, "yes", true);
        assert!(j.record(c).only("shopify_consent_withheld").is_empty());
        // Withheld, but every core event arrived (a theme pixel that ignores
        // consent): nothing is missing for consent to explain.
        let j = clean_journey();
        let c = consent(&j, "no", false);
        assert!(j.record(c).only("shopify_consent_withheld").is_empty());
    }
}
