//! `fbevents_error`: fbevents reported an error through `FB_LOG`.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;

pub struct Rule;

const CODE: &str = "fbevents_error";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "fbevents posted an `FB_LOG` error (its text is kept)",
    explanation: "The pixel library itself reported a problem with a call, such as an invalid parameter or an unknown pixel id; Meta may drop or alter the event.",
    probably_broke: "A track or init call passed something fbevents rejects; the message names it.",
    first_check: "Read the message and find the matching fbq call in the timeline.",
    not_yet: "Do not ignore these as console noise: fbevents drops what it complains about.",
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
        for &li in &j.pages[pv].fb_logs {
            let log = &j.fb_logs[li].1;
            if log.level.to_ascii_lowercase().contains("error") {
                let text: String = log.message.chars().take(500).collect();
                out.push(
                    Finding::journey(CODE, SEVERITY.of_any_event(), format!("fbevents: {text}"))
                        .with_page_view(pv)
                        .page_reported(true),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::journal::{FbLog, Record};
    use crate::rules::testkit::*;

    fn log(j: J, level: &str) -> J {
        let (ctx, t) = (j.ctx(), j.t);
        j.record(Record::FbLog(FbLog {
            level: level.into(),
            message: "Invalid PixelID: null.".into(),
            context: ctx,
            time: t,
        }))
    }

    #[test]
    fn error_log_warns_with_its_text() {
        let f = log(J::new().nav("https://shop.test/"), "error").only("fbevents_error");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("Invalid PixelID"));
    }

    #[test]
    fn info_log_is_silent() {
        assert!(log(J::new().nav("https://shop.test/"), "info")
            .only("fbevents_error")
            .is_empty());
    }
}
