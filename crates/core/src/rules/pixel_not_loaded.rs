//! `pixel_not_loaded`: fbq calls were made but the library never loaded, or no
//! hit left the page.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;

pub struct Rule;

/// A track call younger than this on the newest page may still be in flight.
const GRACE_MS: f64 = 5000.0;

const CODE: &str = "pixel_not_loaded";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Fail);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "fbq calls were queued but the library never loaded or no hit left the page",
    explanation: "The page asked the pixel to track, but nothing reached Meta: the calls sit in fbq.queue because fbevents.js did not load, or its requests were blocked.",
    probably_broke: "fbevents.js is blocked (consent banner, content security policy, an ad blocker) or its script tag was removed while the fbq stub stayed.",
    first_check: "Check the script inventory for fbevents.js and the console for CSP or consent errors; retry with blockers off.",
    not_yet: "Do not judge event counts in Events Manager from this browser until hits leave the page.",
    source: None,
};

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Page
    }
    fn check_page(&self, j: &Journey, pv: usize, out: &mut Vec<Finding>) {
        let page = &j.pages[pv];
        let newest = j.page_views.len().saturating_sub(1);
        {
            if !page.hits.is_empty() {
                return;
            }
            let Some(last_call) = page.last_track_call else {
                return;
            };
            if pv == newest && j.last_time - last_call < GRACE_MS {
                return; // still in flight
            }
            let failed_load = page
                .fbevents_loads
                .iter()
                .any(|(_, _, s)| s.is_some_and(|s| s == 0 || s >= 400));
            let never_loaded = page.never_loaded;
            let why = if failed_load {
                "fbevents.js failed to load"
            } else if never_loaded {
                "fbq.loaded stayed false with calls queued"
            } else {
                "no pixel request left the page"
            };
            out.push(
                Finding::journey(
                    CODE,
                    SEVERITY.of_any_event(),
                    format!(
                        "{}: {} fbq track call(s) but {why}",
                        j.page_views[pv].url, page.track_calls
                    ),
                )
                .with_page_view(pv)
                // The track calls it counts are the page hook's report.
                .page_reported(true),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::journal::{FbqCall, Record};
    use crate::rules::testkit::*;

    fn track(j: J, ev: &str) -> J {
        let (ctx, t) = (j.ctx(), j.t + 5.0);
        j.record(Record::FbqCall(FbqCall {
            method: "track".into(),
            args: vec![serde_json::json!(ev)],
            context: ctx,
            time: t,
            ..FbqCall::default()
        }))
    }

    #[test]
    fn calls_without_hits_on_a_left_page_fail() {
        let j = track(J::new().nav("https://shop.test/p"), "ViewContent")
            .wait(1000.0)
            .nav("https://shop.test/cart")
            .hit("PageView", &[]);
        let f = j.only("pixel_not_loaded");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].page_view, Some(0));
    }

    #[test]
    fn calls_with_hits_or_still_in_flight_are_fine() {
        let j = track(J::new().nav("https://shop.test/p"), "ViewContent").hit("ViewContent", &[]);
        assert!(j.only("pixel_not_loaded").is_empty());
        let j = track(J::new().nav("https://shop.test/p"), "ViewContent");
        assert!(j.only("pixel_not_loaded").is_empty());
    }
}
