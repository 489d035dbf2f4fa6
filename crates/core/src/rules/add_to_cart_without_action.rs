//! `add_to_cart_without_action`: AddToCart with no trusted user gesture in the
//! 5 s before it — fired on load or refresh rather than by a shopper.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::{GroupKey, Journey};

pub struct Rule;

/// A gesture this long before the hit still counts.
const WINDOW_MS: f64 = 5000.0;

const CODE: &str = "add_to_cart_without_action";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Fail);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "AddToCart with no trusted user gesture in the same tab in the preceding 5 s (fired on load or refresh)",
    explanation: "An AddToCart that no click caused is not a shopper's action: it inflates add-to-cart counts and teaches the algorithm to find people who merely load pages.",
    probably_broke: "The event is bound to page load (cart page render, a cart drawer opening, a 'product added' parameter in the URL) instead of the add-to-cart button or the cart API response to a click.",
    first_check: "Reload the page without clicking and watch the timeline: if AddToCart fires again, move it to the button's click/submit handler.",
    not_yet: "Do not optimise any campaign for AddToCart until it fires only after a click.",
    source: None,
};

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Group
    }
    fn check_group(&self, j: &Journey, key: &GroupKey, hits: &[usize], out: &mut Vec<Finding>) {
        if key.2 != "AddToCart" {
            return;
        }
        for &hi in hits {
            let h = j.hit(hi);
            // Only where the extension watched for trusted gestures: a HAR, or a
            // page the extension never reached, says nothing about clicks.
            if !j.pages[h.page_view].gestures_watched {
                continue;
            }
            if j.gestures_between(h.context.tab_id, h.time - WINDOW_MS, h.time + super::GESTURE_SKEW_MS) == 0 {
                out.push(Finding::about(
                    CODE,
                    SEVERITY.of(h.event_name()),
                    &[h],
                    format!(
                        "AddToCart hit #{} fired with no click, submit or Enter in the 5 s before it",
                        h.id
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::journal::{Gesture, GestureWatch, Origin, Record};
    use crate::rules::testkit::*;

    fn watched(j: J) -> J {
        j.watch()
    }

    #[test]
    fn add_to_cart_on_load_fails() {
        let j = watched(J::new().nav("https://shop.test/cart")).hit("AddToCart", &[]);
        assert_eq!(j.only("add_to_cart_without_action").len(), 1);
    }

    #[test]
    fn click_before_or_no_gesture_watch_is_fine() {
        let j = watched(J::new().nav("https://shop.test/p"))
            .wait(1000.0)
            .gesture()
            .hit("AddToCart", &[]);
        assert!(j.only("add_to_cart_without_action").is_empty());
        // A HAR has no gestures at all: say nothing.
        let j = J::new().nav("https://shop.test/cart").hit("AddToCart", &[]);
        assert!(j.only("add_to_cart_without_action").is_empty());
    }

    #[test]
    fn a_click_long_before_does_not_count() {
        let j = watched(J::new().nav("https://shop.test/p"))
            .gesture()
            .wait(6000.0)
            .hit("AddToCart", &[]);
        assert_eq!(j.only("add_to_cart_without_action").len(), 1);
    }

    /// A page dispatched a "click" through the hook's DOM event just
    /// before an AddToCart that fires on load. The page can forge that; the
    /// finding stays.
    #[test]
    fn a_gesture_the_page_reported_does_not_clear_it() {
        let j = watched(J::new().nav("https://shop.test/cart")).wait(50.0);
        let forged = Record::Gesture(Gesture {
            gesture: "click".into(),
            target: Some("button#add".into()),
            context: j.ctx(),
            time: j.t,
            origin: Origin::Page,
        });
        let j = j.record(forged).wait(20.0).hit("AddToCart", &[]);
        assert_eq!(j.only("add_to_cart_without_action").len(), 1);
    }

    /// A page that changes its URL (replaceState) before its AddToCart is
    /// still the document the extension watches.
    #[test]
    fn a_url_change_within_the_document_stays_watched() {
        let j = watched(J::new().nav("https://shop.test/products/tee"))
            .history("https://shop.test/products/tee?variant=42")
            .hit("AddToCart", &[]);
        assert_eq!(j.only("add_to_cart_without_action").len(), 1);
        // The watch may be recorded after the URL changed, under either URL:
        // it covers every page view of the document, before and after.
        for watch_url in [
            "https://shop.test/products/tee",
            "https://shop.test/products/tee?variant=42",
        ] {
            let j = J::new().nav("https://shop.test/products/tee");
            let start = j.t;
            let j = j
                .hit("AddToCart", &[("eid", "before")])
                .history("https://shop.test/products/tee?variant=42")
                .hit("AddToCart", &[("eid", "after")]);
            let mut ctx = j.ctx();
            ctx.top_url = Some(watch_url.into());
            let j = j.record(Record::GestureWatch(GestureWatch {
                context: ctx,
                time: start,
                origin: Origin::Isolated,
            }));
            let f = j.only("add_to_cart_without_action");
            assert_eq!(
                f.iter().map(|f| f.hit_ids.clone()).collect::<Vec<_>>(),
                vec![vec![1], vec![2]],
                "watch recorded under {watch_url}"
            );
        }
    }

    /// A new document is watched on its own: a page load never inherits the
    /// watch of the page before it.
    #[test]
    fn a_page_load_is_not_covered_by_the_previous_document() {
        let j = watched(J::new().nav("https://shop.test/products/tee"))
            .nav("https://shop.test/cart")
            .hit("AddToCart", &[]);
        assert!(j.only("add_to_cart_without_action").is_empty());
    }

    /// A hit the page sent itself, naming a page nobody navigated to: judged
    /// under the document it came from, which is watched.
    #[test]
    fn a_made_up_dl_is_judged_under_the_page_it_came_from() {
        let j = watched(J::new().nav("https://shop.test/cart")).wait(50.0);
        let dl = |u: &str| {
            format!(
                "dl={}",
                form_urlencoded::byte_serialize(u.as_bytes()).collect::<String>()
            )
        };
        let j = j.hit_with("AddToCart", &[], |r| {
            r.url = r
                .url
                .replace(&dl("https://shop.test/cart"), &dl("https://shop.test/made-up"));
        });
        let mut s = j.session();
        let pv = s.journey().hits[0].page_view;
        assert_eq!(s.journey().page_views[pv].url, "https://shop.test/made-up");
        let codes: Vec<_> = s.findings().iter().map(|f| f.code).collect();
        assert!(codes.contains(&"add_to_cart_without_action"), "{codes:?}");
        assert!(
            codes.contains(&"page_url_mismatch"),
            "and the mismatch is said: {codes:?}"
        );
    }

    /// The page hook's own reports do not turn the rule on or off: only the
    /// isolated world's watch does (a page can silence its hook).
    #[test]
    fn the_rule_follows_the_gesture_watch_not_the_hook() {
        use crate::journal::ScriptInventory;
        let j = J::new().nav("https://shop.test/cart");
        let ctx = j.ctx();
        let t = j.t;
        let j = j
            .record(Record::Scripts(ScriptInventory {
                context: ctx,
                time: t,
                ..ScriptInventory::default()
            }))
            .hit("AddToCart", &[]);
        assert!(j.only("add_to_cart_without_action").is_empty());
    }
}
