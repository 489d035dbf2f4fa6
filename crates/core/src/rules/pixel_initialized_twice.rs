//! `pixel_initialized_twice`: `fbq('init', id)` twice for one id in one document.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;

pub struct Rule;

const CODE: &str = "pixel_initialized_twice";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "`fbq('init', id)` for the same id twice in one document",
    explanation: "A second init for the same pixel usually means two integrations set it up; the later one can override advanced matching or consent settings, and both may track.",
    probably_broke: "Theme code and a GTM tag (or an app snippet) each run the full base code with init.",
    first_check: "Find both init calls (the timeline shows each caller) and remove the one that is not the event owner.",
    not_yet: "Do not change advanced-matching settings until one init remains; you cannot tell which one wins.",
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
        {
            for ((doc, id), n) in page.inits.iter().filter(|(_, n)| **n > 1) {
                let mut f = Finding::journey(
                    CODE,
                    SEVERITY.of_any_event(),
                    format!(
                        "pixel {id} initialised {n} times in {}",
                        if doc.is_empty() { &j.page_views[pv].url } else { doc }
                    ),
                )
                .with_page_view(pv)
                .page_reported(true);
                f.pixel_id = Some(id.clone());
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::journal::{FbqCall, Record};
    use crate::rules::testkit::*;

    fn init(j: J, id: &str) -> J {
        let (ctx, t) = (j.ctx(), j.t + 5.0);
        j.record(Record::FbqCall(FbqCall {
            method: "init".into(),
            args: vec![serde_json::json!(id)],
            context: ctx,
            time: t,
            ..FbqCall::default()
        }))
    }

    #[test]
    fn same_id_twice_warns() {
        let j = init(init(J::new().nav("https://shop.test/"), PIXEL), PIXEL);
        assert_eq!(j.only("pixel_initialized_twice").len(), 1);
    }

    #[test]
    fn two_ids_or_two_pages_are_fine() {
        let j = init(init(J::new().nav("https://shop.test/"), PIXEL), "999");
        assert!(j.only("pixel_initialized_twice").is_empty());
        let j = init(
            init(J::new().nav("https://shop.test/"), PIXEL).nav("https://shop.test/cart"),
            PIXEL,
        );
        assert!(j.only("pixel_initialized_twice").is_empty());
    }
}
