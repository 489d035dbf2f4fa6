//! `invalid_contents`: `cd[contents]` is not a JSON array of objects with `id`.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::decode::Contents;
use crate::journey::Journey;
use crate::model::Hit;

pub struct Rule;

const CODE: &str = "invalid_contents";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "`cd[contents]` is not a JSON array of objects with `id`",
    explanation: "Meta reads contents as a JSON array of {id, quantity, item_price}; anything else is ignored, so products and quantities are lost.",
    probably_broke: "The sender builds contents by hand (string concatenation, a single object, ids under another key).",
    first_check: "Open the hit's raw payload and check cd[contents] parses as [{\"id\": ..., \"quantity\": ...}].",
    not_yet: "Do not rely on catalogue matching or num_items for this event until contents parse.",
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
        if let Some(Contents::Invalid { reason }) = &hit.decoded.contents {
            out.push(Finding::about(
                CODE,
                SEVERITY.of(hit.event_name()),
                &[hit],
                format!("{} hit #{}: {reason}", hit.event_name(), hit.id),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn broken_json_object_and_missing_id_warn() {
        for bad in ["[{\"id\":1", "{\"id\":\"1\"}", "[{\"sku\":\"1\"}]", "[1,2]"] {
            assert_eq!(
                J::new()
                    .nav("https://shop.test/")
                    .hit("AddToCart", &[("cd[contents]", bad)])
                    .only("invalid_contents")
                    .len(),
                1,
                "{bad}"
            );
        }
    }

    #[test]
    fn valid_and_empty_arrays_are_fine() {
        for ok in ["[{\"id\":\"1\",\"quantity\":2}]", "[]"] {
            assert!(
                J::new()
                    .nav("https://shop.test/")
                    .hit("AddToCart", &[("cd[contents]", ok)])
                    .only("invalid_contents")
                    .is_empty(),
                "{ok}"
            );
        }
    }
}
