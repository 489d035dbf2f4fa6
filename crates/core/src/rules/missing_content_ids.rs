//! `missing_content_ids`: a core event that names no product.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;
use crate::model::Hit;

pub struct Rule;

const CODE: &str = "missing_content_ids";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "a core event has neither `content_ids` nor `contents`",
    explanation: "Without product ids the event cannot be matched to the catalogue, so dynamic ads and catalogue reporting miss it.",
    probably_broke: "The sender does not pass content_ids/contents, or passes them under another name.",
    first_check: "Check that content_ids use the same ids as the Meta catalogue (Shopify variant or product ids, as the catalogue is set up).",
    not_yet: "Do not launch catalogue (Advantage+ catalogue) ads on this event until products are named.",
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
        if hit.is_core() && hit.custom("content_ids").is_none() && hit.custom("contents").is_none() {
            out.push(Finding::about(
                CODE,
                SEVERITY.of(hit.event_name()),
                &[hit],
                format!("{} hit #{} names no content_ids or contents", hit.event_name(), hit.id),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn core_event_without_products_warns() {
        assert_eq!(
            J::new()
                .nav("https://shop.test/")
                .hit("ViewContent", &[("cd[value]", "1")])
                .only("missing_content_ids")
                .len(),
            1
        );
    }

    #[test]
    fn either_field_is_enough_and_page_view_needs_none() {
        let j = J::new()
            .nav("https://shop.test/")
            .hit("ViewContent", &[("cd[content_ids]", "[\"1\"]")])
            .hit("Purchase", &[("cd[contents]", "[{\"id\":\"1\"}]")])
            .hit("PageView", &[]);
        assert!(j.only("missing_content_ids").is_empty());
    }
}
