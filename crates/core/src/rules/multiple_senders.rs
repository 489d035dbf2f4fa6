//! `multiple_senders`: one core event for one pixel sent by more than one sender.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, SeverityRule};
use crate::journey::Journey;
use crate::model::Hit;
use crate::tables;

pub struct Rule;

const CODE: &str = "multiple_senders";
const SEVERITY: SeverityRule = SeverityRule::FailFor(&["Purchase"]);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "one core event for one pixel arrives from more than one sender",
    explanation: "Each event should have one owner. Two senders double-count unless they share ids, drift apart when one of them is changed, and make every later fix a guess.",
    probably_broke: "A Shopify app (Facebook & Instagram channel) was installed while older theme code, GTM tags or a custom pixel still send the same event.",
    first_check: "Open the sender inventory, pick one owner for this event (usually the Facebook & Instagram app or the custom pixel) and remove the others.",
    not_yet: "Do not remove a sender before the owner is confirmed to send the event with value, currency and eid.",
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
        for ((pixel, ev), summary) in &j.events {
            if !tables::is_core_event(ev) {
                continue;
            }
            // Senders as attributed (fbq callers the page reported included),
            // and by network evidence alone: the page may split one sender in
            // two, never merge two into one.
            let (senders, how) = if summary.senders.len() >= 2 {
                (&summary.senders, "")
            } else if summary.network_senders.len() >= 2 {
                (
                    &summary.network_senders,
                    " (by network evidence; fbq calls the page reported name one)",
                )
            } else {
                continue;
            };
            // The first hit of each sender, by both views (the same hits unless
            // the page's fbq calls re-attributed some).
            let mut first: Vec<usize> = senders
                .values()
                .chain(summary.network_senders.values())
                .copied()
                .collect();
            first.sort_unstable();
            first.dedup();
            let mut examples: Vec<&Hit> = first.into_iter().map(|i| j.hit(i)).collect();
            crate::sort::sort_by_key(&mut examples, |h| h.id);
            let names: Vec<&str> = senders.keys().map(String::as_str).collect();
            let refined = examples.iter().any(|h| *h.sender.label != *h.network_sender);
            out.push(
                Finding::about(
                    CODE,
                    SEVERITY.of(ev),
                    &examples,
                    format!(
                        "{ev} for pixel {pixel} comes from {} senders{how}: {}",
                        names.len(),
                        names.join(", ")
                    ),
                )
                .page_reported(refined && how.is_empty()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::journal::{Context, FrameType};
    use crate::rules::testkit::*;
    use crate::rules::Severity;

    fn app_worker(r: &mut crate::journal::CapturedRequest) {
        r.stack.clear();
        r.context = Context {
            frame_type: Some(FrameType::Worker),
            document_url: Some("https://shop.test/wpm@1/app/web-pixel-7@1/sandbox/worker.modern.js".into()),
            ..Context::default()
        };
    }

    #[test]
    fn theme_and_app_pixel_purchase_fails() {
        let f = J::new()
            .nav("https://shop.test/thank_you")
            .hit("Purchase", &[("eid", "o-1")])
            .hit_with("Purchase", &[("eid", "o-1")], app_worker)
            .only("multiple_senders");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Fail);
        assert!(f[0].message.contains("shopify_app_pixel") && f[0].message.contains("theme"));
    }

    #[test]
    fn one_sender_many_hits_or_different_events_are_fine() {
        let j = J::new()
            .nav("https://shop.test/")
            .hit("AddToCart", &[])
            .hit("AddToCart", &[])
            .hit_with("PageView", &[], app_worker);
        assert!(j.only("multiple_senders").is_empty());
    }
}
