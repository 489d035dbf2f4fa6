//! `duplicate_pixel_script`: fbevents.js loaded more than once in one document,
//! or the base code ran twice.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;

pub struct Rule;

const CODE: &str = "duplicate_pixel_script";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "`fbevents.js` loaded more than once in one document, or the base code ran twice",
    explanation: "Two copies of the pixel library in one page compete for window.fbq; depending on load order events are sent twice or with the wrong settings.",
    probably_broke: "The base code is in the theme and also in a GTM tag or an app's snippet.",
    first_check: "Search the theme (theme.liquid, snippets) and GTM for the pixel base code and keep one copy.",
    not_yet: "Do not add another pixel or app integration until one base code remains.",
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
            // A page loads fbevents a handful of times at most: a list, in first-seen order.
            let mut per_doc: Vec<(&str, usize)> = Vec::new();
            for (doc, _, _) in &page.fbevents_loads {
                match per_doc.iter_mut().find(|(d, _)| *d == doc.as_str()) {
                    Some((_, n)) => *n += 1,
                    None => per_doc.push((doc.as_str(), 1)),
                }
            }
            if let Some((doc, n)) = per_doc.iter().find(|(_, n)| *n > 1) {
                reasons.push(format!("fbevents.js requested {n} times for {doc}"));
            }
            if page.fbevents_elements > 1 {
                reasons.push(format!(
                    "{} fbevents.js script elements in the document",
                    page.fbevents_elements
                ));
            }
            if page.base_code_runs > 1 {
                reasons.push(format!("the base code ran {} times", page.base_code_runs));
            }
            if !reasons.is_empty() {
                // The network loads alone are the browser's word; the element
                // count and base-code runs are the page hook's.
                let network = reasons[0].starts_with("fbevents.js requested");
                // No page URL in front: the finding names its page view, and
                // the URL was printed twice when the document was the page.
                out.push(
                    Finding::journey(CODE, SEVERITY.of_any_event(), reasons.join("; "))
                        .with_page_view(pv)
                        .page_reported(!network),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::journal::{Record, ScriptInventory, ScriptLoad};
    use crate::rules::testkit::*;

    fn load(j: J, url: &str) -> J {
        let ctx = j.ctx();
        let t = j.t + 10.0;
        j.record(Record::ScriptLoad(ScriptLoad {
            url: url.into(),
            context: ctx,
            time: t,
            ..ScriptLoad::default()
        }))
    }

    #[test]
    fn two_fbevents_loads_or_two_base_code_runs_warn() {
        let j = J::new().nav("https://shop.test/");
        let j = load(
            load(j, "https://connect.facebook.net/en_US/fbevents.js"),
            "https://connect.facebook.net/en_US/fbevents.js",
        );
        assert_eq!(j.only("duplicate_pixel_script").len(), 1);
        let j = J::new().nav("https://shop.test/");
        let (ctx, t) = (j.ctx(), j.t);
        let j = j.record(Record::Scripts(ScriptInventory {
            context: ctx,
            time: t,
            base_code_runs: 2,
            ..ScriptInventory::default()
        }));
        assert_eq!(j.only("duplicate_pixel_script").len(), 1);
    }

    #[test]
    fn one_load_per_page_and_signals_config_are_fine() {
        let j = load(
            J::new().nav("https://shop.test/a"),
            "https://connect.facebook.net/en_US/fbevents.js",
        );
        let j = load(
            j,
            "https://connect.facebook.net/signals/config/1234567890?v=2.9.179&r=stable",
        );
        let j = load(
            j.nav("https://shop.test/b"),
            "https://connect.facebook.net/en_US/fbevents.js",
        );
        assert!(j.only("duplicate_pixel_script").is_empty());
    }
}
