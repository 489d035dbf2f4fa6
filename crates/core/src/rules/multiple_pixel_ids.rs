//! `multiple_pixel_ids`: more than one pixel id on the store.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;

pub struct Rule;

const CODE: &str = "multiple_pixel_ids";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Info);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "more than one pixel id on the store",
    explanation: "Several pixels are legitimate (an agency pixel, a second ad account), but each one receives and counts every event it is sent.",
    probably_broke: "Nothing, if each pixel is known; an unknown id is often a leftover from a former agency or app.",
    first_check: "Check each pixel id against the ad accounts you run; remove ids nobody owns.",
    not_yet: "Do not delete a pixel whose owner you have not identified; campaigns may still use it.",
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
        if j.pixel_ids.len() > 1 {
            let ids: Vec<&str> = j.pixel_ids.iter().map(String::as_str).collect();
            out.push(Finding::journey(
                CODE,
                SEVERITY.of_any_event(),
                format!("{} pixel ids receive events: {}", ids.len(), ids.join(", ")),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn two_ids_are_info() {
        let j = J::new()
            .nav("https://shop.test/")
            .hit("PageView", &[])
            .hit_with("PageView", &[], |r| r.url = r.url.replace("id=1234567890", "id=555"));
        assert_eq!(j.only("multiple_pixel_ids").len(), 1);
    }

    #[test]
    fn one_id_is_silent() {
        assert!(J::new()
            .nav("https://shop.test/")
            .hit("PageView", &[])
            .hit("ViewContent", &[])
            .only("multiple_pixel_ids")
            .is_empty());
    }
}
