//! `conflicting_pixel_versions`: two pixel libraries fight over one document.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;

pub struct Rule;

const CODE: &str = "conflicting_pixel_versions";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "`fbq !== _fbq`, or different `v` values within one document",
    explanation: "Two different copies of the pixel library are active in one page; each keeps its own queue and settings, so events can be sent twice or lose their parameters.",
    probably_broke: "An app or tag manager loads its own pinned copy of fbevents next to the theme's.",
    first_check: "Look at the script inventory for this page and remove the extra loader.",
    not_yet: "Do not debug individual event parameters until one library version remains.",
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
            let mut reasons = Vec::new();
            for (doc, versions) in page.versions.iter().filter(|(_, v)| v.len() > 1) {
                let list: Vec<&str> = versions.iter().map(String::as_str).collect();
                let doc = if doc.is_empty() {
                    j.page_views[pv].url.as_str()
                } else {
                    doc.as_str()
                };
                reasons.push(format!("hits from {doc} carry library versions {}", list.join(" and ")));
            }
            if page.fbq_differs {
                reasons.push("window.fbq and window._fbq are different functions".into());
            }
            if !reasons.is_empty() {
                // Versions come from the hits; `fbq !== _fbq` only from the page hook.
                let page_only = page.versions.values().all(|v| v.len() < 2);
                out.push(
                    Finding::journey(CODE, SEVERITY.of_any_event(), reasons.join("; "))
                        .with_page_view(pv)
                        .page_reported(page_only),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::journal::{Record, ScriptInventory};
    use crate::rules::testkit::*;

    #[test]
    fn two_versions_in_one_document_warn() {
        let j = J::new()
            .nav("https://shop.test/")
            .hit("PageView", &[])
            .hit("ViewContent", &[("v", "2.9.100")]);
        assert_eq!(j.only("conflicting_pixel_versions").len(), 1);
        let j = J::new().nav("https://shop.test/");
        let (ctx, t) = (j.ctx(), j.t);
        let j = j.record(Record::Scripts(ScriptInventory {
            context: ctx,
            time: t,
            fbq_differs_from_fbq_alias: true,
            ..ScriptInventory::default()
        }));
        assert_eq!(j.only("conflicting_pixel_versions").len(), 1);
    }

    #[test]
    fn one_version_per_document_is_fine() {
        let j = J::new()
            .nav("https://shop.test/")
            .hit("PageView", &[])
            .nav("https://shop.test/b")
            .hit("PageView", &[("v", "2.9.100")]);
        assert!(j.only("conflicting_pixel_versions").is_empty());
    }
}
