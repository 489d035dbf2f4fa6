//! `page_hook_missing`: a page view with pixel hits where the extension's page
//! scripts never ran, so only the network speaks for it.
//!
//! The browser registers the page hook and the relay when the extension's
//! worker starts: the first page after a browser start (or one loaded while
//! the extension was being updated, or a page of an origin it does not watch)
//! can load before them. Its hits are captured from the network all the same,
//! but nothing there was watched: no fbq calls, script inventory, gestures or
//! consent state. The rules that need that evidence stay silent on it, and the
//! reader should know why. Told by the relay's own gesture watch (isolated
//! world, which a page cannot forge), not by page records, so a page cannot
//! hide it; judged only when the relay ran somewhere in the journey (a HAR
//! file has none anywhere). A relay the worker injects late into a page a
//! start left open sends no gesture watch (it saw no earlier gestures), so
//! such a page is named too; its Resource Timing count is what tells the
//! hits the extension never heard.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::identity::clip;
use crate::journey::Journey;

pub struct Rule;

const CODE: &str = "page_hook_missing";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Info);

/// How long after a page view's first hit its page scripts' first report may
/// still arrive (the relay sends a second after the first record it holds).
const REPORT_GRACE_MS: f64 = 5000.0;

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "a page view has pixel hits but the extension's page scripts did not watch it from its start (e.g. the first page after a browser start)",
    explanation: "The page's pixel hits were captured from the network, but the page hook and relay did not watch it from its start: no fbq callers, script inventory, gestures or consent state. Sender attribution rests on the network alone for it, and the rules that need page evidence said nothing about it. Hits it sent before the extension's worker was running never reached the extension: the relay, injected late into a page a start left open, counts them from the page's Resource Timing (a Web Worker's are not there).",
    probably_broke: "The page loaded before the extension's page scripts were registered (the first page after the browser started, or after the extension was updated or granted the store), or it is on an origin the extension does not watch.",
    first_check: "Reload the page named in the message (or repeat that step of the test) with the extension already running, so its page scripts watch it too.",
    not_yet: "Do not read the missing page evidence as a clean page: add-to-cart gestures, fbq calls and duplicate base code there were not checked.",
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
        // A HAR file has no page scripts anywhere. The relay ran where it
        // watched gestures or counted the page's requests (a relay injected
        // late does only the second: the one page it reached is still named).
        if j.watched_pages == 0 && j.request_counts.is_empty() {
            return;
        }
        let newest = j.page_views.len().saturating_sub(1);
        for &pv in &j.unwatched_hit_pages {
            let page = &j.pages[pv];
            let counted: Vec<&crate::model::Hit> =
                page.hits.iter().map(|&h| &j.hits[h]).filter(|h| h.counted).collect();
            let Some(first) = counted.first() else { continue };
            // The newest page's scripts may still report: wait for later records.
            if pv == newest && j.last_time < first.time + REPORT_GRACE_MS {
                continue;
            }
            let view = &j.page_views[pv];
            out.push(
                Finding::about(
                    CODE,
                    SEVERITY.of_any_event(),
                    &counted,
                    format!(
                        "page view #{} ({}): {} pixel hit{} captured from the network, but the extension's page scripts did not watch this page from its start: its fbq calls, scripts, gestures and consent state are unknown, and hits it sent before the extension was running can be missing (counted as not captured where its Resource Timing lists them)",
                        pv + 1,
                        clip(&view.url),
                        counted.len(),
                        if counted.len() == 1 { "" } else { "s" }
                    ),
                )
                .with_page_view(pv),
            );
            if let Some(f) = out.last_mut() {
                f.event = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn a_page_with_hits_the_page_scripts_never_saw_is_named() {
        // First page after a browser start: hits, no gesture watch; then the
        // extension's scripts run on the next page.
        let f = J::new()
            .nav("https://shop.test/products/tee")
            .hit("PageView", &[])
            .hit("ViewContent", &[])
            .nav("https://shop.test/cart")
            .watch()
            .hit("PageView", &[])
            .only("page_hook_missing");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, crate::rules::Severity::Info);
        assert_eq!(f[0].page_view, Some(0));
        assert_eq!(f[0].hit_ids, vec![1, 2]);
        assert_eq!(
            f[0].message,
            "page view #1 (https://shop.test/products/tee): 2 pixel hits captured from the network, but the extension's page scripts did not watch this page from its start: its fbq calls, scripts, gestures and consent state are unknown, and hits it sent before the extension was running can be missing (counted as not captured where its Resource Timing lists them)"
        );
    }

    #[test]
    fn the_one_page_a_late_relay_reached_is_named() {
        // A store page open at a browser start, the whole journey: the relay
        // injected late counts its requests and watches no gestures.
        let late = || {
            J::new()
                .nav("https://shop.test/products/tee")
                .hit("PageView", &[])
                .hit("ViewContent", &[])
                .request_count(4)
        };
        assert!(late().only("page_hook_missing").is_empty(), "its report may still come");
        let f = late().wait(6000.0).hit("AddToCart", &[]).only("page_hook_missing");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].page_view, Some(0));
        assert_eq!(f[0].hit_ids, vec![1, 2, 3]);
    }

    #[test]
    fn watched_pages_a_har_and_a_page_still_loading_are_silent() {
        // Every page watched.
        assert!(J::new()
            .nav("https://shop.test/products/tee")
            .watch()
            .hit("PageView", &[])
            .only("page_hook_missing")
            .is_empty());
        // A HAR: no page scripts anywhere, nothing to compare with.
        assert!(clean_journey().only("page_hook_missing").is_empty());
        // The newest page, its scripts' report not due yet.
        assert!(J::new()
            .nav("https://shop.test/products/tee")
            .watch()
            .hit("PageView", &[])
            .nav("https://shop.test/cart")
            .hit("PageView", &[])
            .only("page_hook_missing")
            .is_empty());
    }
}
