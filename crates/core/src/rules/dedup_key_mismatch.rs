//! `dedup_key_mismatch`: the server sent the same event for the action but with
//! an event_id that differs from the browser eid, so Meta counts both.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;
use crate::pairing::pairings;

pub struct Rule;

const CODE: &str = "dedup_key_mismatch";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Fail);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "a server event with the same name exists for the action but its event_id differs from the browser eid",
    explanation: "Meta merges a browser event and a server event only when name and event id are equal. Here they differ, so the action is counted twice.",
    probably_broke: "Browser and server build the id from different sources (a random id in the browser, the order id on the server), or one of them adds a prefix.",
    first_check: "Compare the browser eid and the server event_id shown here and make both come from one value, e.g. the order number for Purchase.",
    not_yet: "Do not trust Purchase counts or ROAS in Ads Manager while this stands: they are double.",
    source: Some("https://developers.facebook.com/docs/marketing-api/conversions-api/deduplicate-pixel-and-server-events"),
};

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Journey
    }
    fn check_journey(&self, j: &Journey, out: &mut Vec<Finding>) {
        for p in pairings(j)
            .into_iter()
            .filter(|p| p.twin.is_none() && !p.candidates.is_empty())
        {
            let server_ids: Vec<&str> = p
                .candidates
                .iter()
                .map(|s| s.event_id.as_deref().unwrap_or("(none)"))
                .collect();
            out.push(Finding::about(
                CODE,
                SEVERITY.of(p.hit.event_name()),
                &[p.hit],
                format!(
                    "browser {} #{} has eid {} but the server sent event_id {}",
                    p.hit.event_name(),
                    p.hit.id,
                    p.hit
                        .event_id
                        .as_deref()
                        .map(|e| format!("\"{e}\""))
                        .unwrap_or_else(|| "(none)".into()),
                    server_ids.join(", ")
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn different_ids_fail() {
        let j = clean_journey()
            .server(r#"[{"event_name":"Purchase","event_id":"1001","custom_data":{"value":68,"currency":"USD"}}]"#);
        let f = j.only("dedup_key_mismatch");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("\"order-1001\"") && f[0].message.contains("1001"));
    }

    #[test]
    fn equal_ids_are_fine() {
        let j = clean_journey().server(
            r#"[{"event_name":"Purchase","event_id":"order-1001","custom_data":{"value":68,"currency":"USD"}}]"#,
        );
        assert!(j.only("dedup_key_mismatch").is_empty());
    }
}
