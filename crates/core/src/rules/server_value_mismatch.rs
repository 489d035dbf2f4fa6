//! `server_value_mismatch`: browser and server twins disagree on value or currency.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;
use crate::money::TOLERANCE;
use crate::pairing::pairings;

pub struct Rule;

const CODE: &str = "server_value_mismatch";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Fail);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "browser and server events with the same name and id differ in value or currency",
    explanation: "Meta keeps one of the two deduplicated events; when their values differ, reported revenue depends on which arrived first.",
    probably_broke: "Browser and server compute value differently (with or without shipping and tax, shop vs customer currency).",
    first_check: "Compare the two values shown and make both use the same total and currency.",
    not_yet: "Do not compare Meta revenue with Shopify until both sides send the same value.",
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
        for p in pairings(j) {
            let Some(twin) = p.twin else { continue };
            let mut diffs = Vec::new();
            // A Purchase's value and currency are required on both sides
            // (Meta's custom_data parameters): a server twin without them,
            // or with a value Meta cannot read ("78,00"), may be the one
            // Meta keeps.
            let purchase = p.hit.event_name() == "Purchase";
            match (p.hit.value(), twin.value) {
                (Some(b), Some(s)) if (b - s).abs() >= TOLERANCE => {
                    diffs.push(format!("value {b:.2} in the browser vs {s:.2} on the server"));
                }
                (Some(b), None) if purchase => {
                    diffs.push(format!("value {b:.2} in the browser vs none Meta can read on the server"));
                }
                _ => {}
            }
            match (p.hit.currency(), twin.currency.as_deref()) {
                (Some(b), Some(s)) if !b.trim().eq_ignore_ascii_case(s.trim()) => {
                    diffs.push(format!("currency {b} vs {s}"));
                }
                (Some(b), None) if purchase => diffs.push(format!("currency {b} vs none on the server")),
                _ => {}
            }
            if !diffs.is_empty() {
                out.push(Finding::about(
                    CODE,
                    SEVERITY.of(p.hit.event_name()),
                    &[p.hit],
                    format!(
                        "{} #{} and its server twin differ: {}",
                        p.hit.event_name(),
                        p.hit.id,
                        diffs.join("; ")
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn different_value_fails() {
        let j = clean_journey().server(
            r#"[{"event_name":"Purchase","event_id":"order-1001","custom_data":{"value":"60.00","currency":"USD"}}]"#,
        );
        assert_eq!(j.only("server_value_mismatch").len(), 1);
    }

    #[test]
    fn a_purchase_twin_without_a_readable_value_or_currency_fails() {
        for custom in [
            r#"{"currency":"USD"}"#,
            r#"{"value":"68,00","currency":"USD"}"#,
            r#"{"value":68.0}"#,
        ] {
            let j = clean_journey().server(&format!(
                r#"[{{"event_name":"Purchase","event_id":"order-1001","custom_data":{custom}}}]"#
            ));
            let f = j.only("server_value_mismatch");
            assert_eq!(f.len(), 1, "{custom}");
            assert!(f[0].message.contains("vs none"), "{}", f[0].message);
        }
        // Other events need neither (Meta requires them for Purchase).
        let j = clean_journey().server(r#"[{"event_name":"ViewContent","event_id":"vc-1"}]"#);
        assert!(j.only("server_value_mismatch").is_empty());
    }

    #[test]
    fn same_value_as_number_or_string_is_fine() {
        let j = clean_journey().server(
            r#"[{"event_name":"Purchase","event_id":"order-1001","custom_data":{"value":"68.00","currency":"USD"}}]"#,
        );
        assert!(j.only("server_value_mismatch").is_empty());
    }
}
