//! `consent_revoked`: the page revoked the pixel's consent before its core
//! events, so fbevents holds them back.

use std::collections::BTreeMap;

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::identity::clip;
use crate::journal::FbqCall;
use crate::journey::Journey;

pub struct Rule;

const CODE: &str = "consent_revoked";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "the page called `fbq('consent', 'revoke')` before core events, so fbevents holds them back (page evidence; names the caller)",
    explanation: "fbq('consent', 'revoke') tells the pixel to send nothing until fbq('consent', 'grant'); core events tracked in between wait in the page and are lost when the shopper leaves it. That is right while a shopper has not consented, but a revoke that is never lifted after consent silently drops the events.",
    probably_broke: "A consent banner or app calls revoke on every page (as Meta's example does) but never calls grant after the shopper accepts, or calls it in another frame or after the shopper left the page.",
    first_check: "Accept the store's cookie banner and repeat the step: check that the script named in the message (or the banner's integration) calls fbq('consent', 'grant') on each page once consent is given.",
    not_yet: "Do not remove the revoke call to get the events through; where consent is required, events must wait for it.",
    source: Some("https://developers.facebook.com/docs/meta-pixel/implementation/gdpr"),
};

fn consent(c: &FbqCall) -> Option<&str> {
    c.args.first().and_then(serde_json::Value::as_str)
}

/// Whether call `b` (journal index `bi`) came after `a` (`ai`): by time, and
/// by arrival for calls of the same millisecond.
fn after(b: &FbqCall, bi: usize, a: &FbqCall, ai: usize) -> bool {
    b.time > a.time || (b.time == a.time && bi > ai)
}

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Page
    }
    fn check_page(&self, j: &Journey, pv: usize, out: &mut Vec<Finding>) {
        let page = &j.pages[pv];
        if page.consent_calls.is_empty() || page.core_track_calls.is_empty() {
            return;
        }
        // Core event → the revoke that holds it back (the first one, in time).
        let mut held: BTreeMap<String, usize> = BTreeMap::new();
        for &ri in &page.consent_calls {
            let revoke = &j.fbq_calls[ri].1;
            if consent(revoke) != Some("revoke") {
                continue;
            }
            // Consent is per document: a grant or a track call elsewhere is another pixel.
            let same_doc = |c: &FbqCall| c.context.document_url == revoke.context.document_url;
            let granted = page.consent_calls.iter().any(|&gi| {
                let g = &j.fbq_calls[gi].1;
                consent(g) == Some("grant") && same_doc(g) && after(g, gi, revoke, ri)
            });
            if granted {
                continue;
            }
            for (ti, event) in &page.core_track_calls {
                let track = &j.fbq_calls[*ti].1;
                if !same_doc(track) || !after(track, *ti, revoke, ri) {
                    continue;
                }
                let first = held.entry(event.clone()).or_insert(ri);
                if j.fbq_calls[*first].1.time > revoke.time {
                    *first = ri;
                }
            }
        }
        for (event, ri) in held {
            let revoke = &j.fbq_calls[ri].1;
            let caller = revoke
                .caller
                .as_deref()
                .map_or_else(|| "a script the page hook could not name".to_owned(), clip);
            out.push(
                Finding::journey(
                    CODE,
                    SEVERITY.of(&event),
                    format!(
                        // Numbered from 1, as the packet numbers page views.
                        "page view #{} ({}): fbq('consent', 'revoke') from {caller} came before fbq('track', '{event}') and no fbq('consent', 'grant') followed, so fbevents holds {event} back",
                        pv + 1,
                        clip(&j.page_views[pv].url)
                    ),
                )
                .with_event(&event)
                .with_page_view(pv)
                .page_reported(true),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::journal::{FbqCall, Record};
    use crate::rules::testkit::*;

    const BANNER: &str = "https://cdn.consent.example/banner.js";

    fn call(j: &J, method: &str, args: serde_json::Value, caller: &str, dt: f64) -> Record {
        Record::FbqCall(FbqCall {
            method: method.into(),
            args: args.as_array().cloned().unwrap_or_default(),
            caller: Some(caller.into()),
            context: j.ctx(),
            time: j.t + dt,
            ..FbqCall::default()
        })
    }

    fn product_page() -> J {
        J::new().nav("https://shop.test/products/tee")
    }

    #[test]
    fn revoke_before_core_events_warns_naming_the_caller() {
        let j = product_page();
        let revoke = call(&j, "consent", serde_json::json!(["revoke"]), BANNER, 1.0);
        let track = call(
            &j,
            "track",
            serde_json::json!(["AddToCart", {"value": 30}]),
            "https://shop.test/cdn/shop/t/1/assets/theme.js",
            900.0,
        );
        let f = j.record(revoke).record(track).only("consent_revoked");
        assert_eq!(f.len(), 1);
        assert!(f[0].page_reported, "rests on what the page reported");
        assert_eq!(f[0].event.as_deref(), Some("AddToCart"));
        assert_eq!(f[0].page_view, Some(0));
        assert_eq!(
            f[0].message,
            "page view #1 (https://shop.test/products/tee): fbq('consent', 'revoke') from https://cdn.consent.example/banner.js came before fbq('track', 'AddToCart') and no fbq('consent', 'grant') followed, so fbevents holds AddToCart back"
        );
    }

    #[test]
    fn a_grant_after_the_revoke_or_a_revoke_after_the_events_is_fine() {
        let j = product_page();
        let revoke = call(&j, "consent", serde_json::json!(["revoke"]), BANNER, 1.0);
        let grant = call(&j, "consent", serde_json::json!(["grant"]), BANNER, 2000.0);
        let track = call(&j, "track", serde_json::json!(["ViewContent"]), BANNER, 900.0);
        assert!(j
            .record(revoke)
            .record(track)
            .record(grant)
            .only("consent_revoked")
            .is_empty());
        let j = product_page();
        let track = call(&j, "track", serde_json::json!(["ViewContent"]), BANNER, 1.0);
        let revoke = call(&j, "consent", serde_json::json!(["revoke"]), BANNER, 900.0);
        assert!(j.record(track).record(revoke).only("consent_revoked").is_empty());
        // A revoke with only PageView after it holds no core event.
        let j = product_page();
        let revoke = call(&j, "consent", serde_json::json!(["revoke"]), BANNER, 1.0);
        let pv = call(&j, "track", serde_json::json!(["PageView"]), BANNER, 2.0);
        assert!(j.record(revoke).record(pv).only("consent_revoked").is_empty());
    }
}
