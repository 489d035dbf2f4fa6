//! `nonstandard_event`: an event name outside Meta's standard list.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;
use crate::model::Hit;
use crate::tables;

pub struct Rule;

const CODE: &str = "nonstandard_event";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Info);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "an `ev` outside Meta's standard events and the events fbevents sends by itself",
    explanation: "Custom events work, but Meta cannot optimise for them as it does for standard events; a misspelt standard event (addToCart) lands here too.",
    probably_broke: "Nothing, if the custom event is intended; otherwise the event name is misspelt or uses the wrong case.",
    first_check: "Compare the name with Meta's standard events list, letter case included.",
    not_yet: "Do not build conversion campaigns on a custom event before checking it was not meant to be a standard one.",
    source: Some("https://developers.facebook.com/docs/meta-pixel/reference"),
};

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Hit
    }
    fn check_hit(&self, _j: &Journey, hit: &Hit, out: &mut Vec<Finding>) {
        let ev = hit.event_name();
        if !ev.is_empty() && !tables::is_standard_event(ev) && !tables::is_automatic_event(ev) {
            let hint = tables::STANDARD_EVENTS
                .iter()
                .find(|s| s.eq_ignore_ascii_case(ev))
                .map(|s| format!(" (did you mean {s}?)"))
                .unwrap_or_default();
            out.push(Finding::about(
                CODE,
                SEVERITY.of(ev),
                &[hit],
                format!("hit #{} sends the custom event \"{ev}\"{hint}", hit.id),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn custom_and_misspelt_events_are_info() {
        let f = J::new()
            .nav("https://shop.test/")
            .hit("addToCart", &[])
            .only("nonstandard_event");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("did you mean AddToCart"));
    }

    #[test]
    fn standard_and_automatic_events_are_not_findings() {
        let j = J::new()
            .nav("https://shop.test/")
            .hit("Lead", &[])
            .hit("Microdata", &[])
            .hit("SubscribedButtonClick", &[]);
        assert!(j.only("nonstandard_event").is_empty());
    }
}
