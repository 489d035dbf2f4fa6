//! `unhashed_user_data`: advanced-matching data sent in the clear.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;
use crate::model::Hit;
use crate::tables::HASHED_USER_DATA_KEYS;

pub struct Rule;

const CODE: &str = "unhashed_user_data";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Fail);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "a `ud[…]` value that should be hashed is not 64-char hex (plain e-mail, phone, name)",
    explanation: "Customer data must reach Meta as SHA-256 hashes. A plain e-mail or phone in the URL is personal data sent in the clear and may breach Meta's terms and privacy law.",
    probably_broke: "A sender builds the ud[...] parameters by hand (or passes them to a gateway) instead of letting fbevents hash the values given to fbq('init').",
    first_check: "Find the sender of the hit and pass customer data through fbq('init', id, {em: ...}) or hash it (SHA-256 of the trimmed, lower-cased value) before sending.",
    not_yet: "Do not share raw packets or HAR files from this store outside the team until this is fixed; they contain customer data.",
    source: Some("https://developers.facebook.com/docs/meta-pixel/advanced/advanced-matching"),
};

fn is_sha256_hex(v: &str) -> bool {
    v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What an unhashed value looks like, without repeating it.
fn looks_like(v: &str) -> &'static str {
    // The extension stores a plain value as a marker with its shape and hash.
    let shape = crate::privacy::marker_shape(v).unwrap_or_else(|| crate::privacy::shape(v));
    crate::privacy::shape_in_words(shape)
}

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Hit
    }
    fn check_hit(&self, _j: &Journey, hit: &Hit, out: &mut Vec<Finding>) {
        let bad: Vec<String> = hit
            .decoded
            .user_data()
            .filter(|(k, v)| HASHED_USER_DATA_KEYS.contains(k) && !v.is_empty() && !is_sha256_hex(v))
            .map(|(k, v)| format!("ud[{k}] looks like {}", looks_like(v)))
            .collect();
        if !bad.is_empty() {
            out.push(Finding::about(
                CODE,
                SEVERITY.of(hit.event_name()),
                &[hit],
                format!(
                    "{} hit #{} sends unhashed user data: {}",
                    hit.event_name(),
                    hit.id,
                    bad.join(", ")
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn plain_email_fails_without_echoing_it() {
        let f = J::new()
            .nav("https://shop.test/")
            .hit("Purchase", &[("ud[em]", "jane@example.com")])
            .only("unhashed_user_data");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("e-mail"));
        assert!(!f[0].message.contains("jane@"));
    }

    /// The extension stores a plain value as a marker (its shape and SHA-256):
    /// the finding still says what was sent.
    #[test]
    fn a_value_stored_as_a_marker_is_still_unhashed() {
        let marker = crate::privacy::mask("ph", "+1 650 555 0123").expect("masked");
        let f = J::new()
            .nav("https://shop.test/")
            .hit("Purchase", &[("ud[ph]", marker.as_str())])
            .only("unhashed_user_data");
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.contains("ud[ph] looks like a phone number"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn hashes_and_unhashed_keys_are_fine() {
        let h = "a".repeat(64);
        let f = J::new().nav("https://shop.test/").hit(
            "Purchase",
            &[
                ("ud[em]", h.as_str()),
                ("ud[external_id]", "cust-9"),
                ("udff[ph]", h.as_str()),
            ],
        );
        assert!(f.only("unhashed_user_data").is_empty());
    }
}
