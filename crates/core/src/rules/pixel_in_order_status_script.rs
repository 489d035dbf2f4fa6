//! `pixel_in_order_status_script`: pixel events sent from the order status
//! page's own document, which only its retired customisations could do.
//!
//! Evidence used (Shopify's "Order status script tags" deprecation page, and
//! "ScriptTag functionality to be blocked as of February 1, 2025"): script tags
//! and the "Additional scripts" of the Thank you / Order status pages stopped
//! running on 2025-08-28 for Plus stores and on 2026-08-26 for all others;
//! tracking there must be a web pixel. Since checkout extensibility, merchant
//! and app code on those pages runs only in web pixel sandboxes (a sandboxed
//! iframe for a custom pixel, a web worker for an app pixel), and Shopify's own
//! code sends with its `plshopify` agent. Only the legacy order status page
//! (`/<shop id>/checkouts/<token>/thank_you`, `/<shop id>/orders/<token>`; the
//! upgraded pages live under `/checkouts/c/…` and `/checkouts/cn/…`) still runs
//! the old customisations. So a counted hit on it sent from the page's own top
//! document by anything else came from "Additional scripts" (inline: the fbq
//! caller or stack is the page itself) or checkout.liquid; and a hit on any
//! order confirmation page whose script carries Shopify's script-tag
//! `?shop=<shop>.myshopify.com` came from a script tag with an `order_status`
//! or `all` display scope (`sender::retiring_source`). The legacy page runs it
//! today; the upgrade drops it, and that Purchase is then lost.

use super::pixel_in_script_tag::{by_event, retiring_finding, sent};
use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::identity::clip;
use crate::journey::Journey;
use crate::model::page_key;

pub struct Rule;

const CODE: &str = "pixel_in_order_status_script";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "pixel events are sent by an order-status script tag or from the legacy order status page's own document (\"Additional scripts\", checkout.liquid), which Shopify stopped running on 2025-08-28 (Plus) and 2026-08-26 (all other stores)",
    explanation: "Shopify no longer runs Additional scripts or script tags on the Thank you and Order status pages once a store's page is upgraded (Plus stores since 2025-08-28, all others since 2026-08-26). A Purchase sent that way works only on a legacy order status page and disappears with the upgrade, with no error anywhere.",
    probably_broke: "The Purchase tag was pasted into Settings → Checkout → Order status page → Additional scripts (or an app added an order-status script tag) instead of running as a web pixel.",
    first_check: "Move the Purchase to a web pixel: the Facebook & Instagram app, or a custom pixel (Settings → Customer events) subscribed to checkout_completed with the same event_id as the server; then delete the Additional scripts tag and place another test order.",
    not_yet: "Do not keep both the Additional scripts tag and its web-pixel replacement running: the Purchase would count twice until the old page is retired.",
    source: Some("https://shopify.dev/docs/apps/build/online-store/script-tag-deprecation/order-status"),
};

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Journey
    }
    fn check_journey(&self, j: &Journey, out: &mut Vec<Finding>) {
        for ((code, source), hits) in &j.retiring_sources {
            if *code != CODE {
                continue;
            }
            let page = &j.page_views[j.hits[hits[0]].page_view];
            let by = if crate::sender::is_script_tag_url(source) {
                format!("the order-status script tag {}", clip(source))
            } else if page_key(source) == page_key(&page.url) {
                "a script inline in the order status page (its \"Additional scripts\")".to_owned()
            } else {
                format!("the script {} running in the order status page", clip(source))
            };
            for (event, hits) in by_event(j, hits) {
                let mut f = retiring_finding(
                    j,
                    CODE,
                    SEVERITY.of(event),
                    &hits,
                    &format!(
                        "page view #{} ({}): {by} sent {}; Shopify stopped running order status page scripts on 2025-08-28 (Plus) and 2026-08-26 (all other stores): send it from a web pixel",
                        page.id + 1,
                        clip(&page.url),
                        sent(j, &hits)
                    ),
                );
                f.page_reported |= page.kind_from_page;
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::journal::{FbqCall, FrameType, Record};
    use crate::rules::testkit::*;

    const ORDER_PAGE: &str = "https://shop.test/55500001/checkouts/0a1b2c/thank_you";

    #[test]
    fn a_purchase_from_the_order_pages_own_document_warns() {
        // The extension: the image left the order page's top frame, and the
        // hook saw an inline script (the page itself) call fbq.
        let j = J::new().nav(ORDER_PAGE).wait(50.0);
        let call = Record::FbqCall(FbqCall {
            method: "track".into(),
            args: vec![serde_json::json!("Purchase")],
            caller: Some(ORDER_PAGE.into()),
            context: j.ctx(),
            time: j.t - 20.0,
            ..FbqCall::default()
        });
        let f = j
            .record(call)
            .hit_with("Purchase", &[("eid", "order-1001")], |r| r.stack.clear())
            .only("pixel_in_order_status_script");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].event.as_deref(), Some("Purchase"));
        assert_eq!(
            f[0].message,
            "page view #1 (https://shop.test/55500001/checkouts/0a1b2c/thank_you): a script inline in the order status page (its \"Additional scripts\") sent Purchase (hit #1); Shopify stopped running order status page scripts on 2025-08-28 (Plus) and 2026-08-26 (all other stores): send it from a web pixel"
        );
        // A script tag scoped to the order status page (HAR stack).
        let tag = "https://upsell-app.example/os.js?shop=demo-store.myshopify.com";
        let f = J::new()
            .nav(ORDER_PAGE)
            .hit_with("Purchase", &[], |r| {
                r.stack = vec![tag.into()];
                r.context.frame_type = None;
            })
            .only("pixel_in_order_status_script");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("the order-status script tag https://upsell-app.example/os.js?shop=demo-store.myshopify.com sent Purchase"), "{}", f[0].message);
        assert!(!f[0].page_reported);
    }

    #[test]
    fn web_pixels_and_shopifys_own_code_on_the_order_page_are_silent() {
        // The Facebook & Instagram app pixel in its worker sandbox.
        let f = J::new()
            .nav(ORDER_PAGE)
            .hit_with("Purchase", &[], |r| {
                r.stack.clear();
                r.context.frame_type = Some(FrameType::Worker);
                r.context.document_url =
                    Some("https://shop.test/wpm@a1/app/web-pixel-202@3/sandbox/worker.modern.js".into());
            })
            // Shopify's own code in the page, with its agent.
            .hit("PageView", &[("a", "plshopify1.2")])
            .only("pixel_in_order_status_script");
        assert!(f.is_empty(), "{f:?}");
        // The same top-frame hit on a storefront page, or on an upgraded
        // Thank you page (which runs no Additional scripts), is none of this
        // rule's business.
        for page in [
            "https://shop.test/products/tee",
            "https://shop.test/checkouts/cn/Z2NwLXVz/thank_you",
        ] {
            assert!(
                J::new()
                    .nav(page)
                    .hit("ViewContent", &[])
                    .only("pixel_in_order_status_script")
                    .is_empty(),
                "{page}"
            );
        }
    }
}
