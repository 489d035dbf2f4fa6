//! `server_user_data_unhashed`: customer data in a server event's `user_data`
//! that is not the SHA-256 Meta requires.

use serde_json::Value;

use super::server::judge_server_events;
use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;
use crate::privacy::{is_sha256_hex, marker_shape, shape, shape_in_words};
use crate::tables::HASHED_USER_DATA_KEYS;

pub struct Rule;

const CODE: &str = "server_user_data_unhashed";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Fail);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "em, ph, fn, ln, ge, db, ct, st, zp or country is not a lowercase 64-hex SHA-256 (plain e-mail, formatted phone)",
    explanation: "Meta's systems do not accept contact information in the clear: a plain e-mail, phone number or name in user_data is personal data sent unhashed, and Meta cannot match it, so the event loses the customer it was about.",
    probably_broke: "The integration builds user_data by hand and skips hashing (or hashes only some fields), hashes without lower-casing the hex digest, or a business SDK was replaced by a hand-written request.",
    first_check: "Normalise each value the way Meta describes (trim, lower-case; phone as digits with country code; dates as YYYYMMDD) and send the lower-case hex SHA-256 of it; Meta's business SDKs do this for you.",
    not_yet: "Do not share the pasted payload, the packet's server section or server logs outside the team until this is fixed; they hold customer data.",
    source: Some("https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters"),
};

/// What one value looks like when it is not a SHA-256 Meta accepts; `None`
/// when it is one (or empty: nothing was sent).
fn unhashed(v: &Value) -> Option<&'static str> {
    match v {
        Value::String(s) if s.is_empty() || is_sha256_hex(s) => None,
        // The extension stores a plain value as a marker with its shape.
        Value::String(s) => Some(shape_in_words(marker_shape(s).unwrap_or_else(|| shape(s)))),
        Value::Number(_) => Some("a number (a phone number or zip code in the clear)"),
        Value::Null => None,
        _ => Some("not text"),
    }
}

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Journey
    }
    fn check_journey(&self, j: &Journey, out: &mut Vec<Finding>) {
        judge_server_events(j, CODE, SEVERITY, out, |s| {
            let mut bad = Vec::new();
            for key in HASHED_USER_DATA_KEYS {
                match s.user_value(key) {
                    // The business SDKs send these as lists of hashes.
                    Some(Value::Array(items)) => {
                        for (i, item) in items.iter().enumerate() {
                            if let Some(what) = unhashed(item) {
                                bad.push(format!("user_data.{key}[{i}] looks like {what}"));
                            }
                        }
                    }
                    Some(v) => {
                        if let Some(what) = unhashed(v) {
                            bad.push(format!("user_data.{key} looks like {what}"));
                        }
                    }
                    None => {}
                }
            }
            (!bad.is_empty()).then(|| format!("unhashed customer data: {}", bad.join(", ")))
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    /// SHA-256 of "jane.doe@example.com" and of "16505550123", as the business SDKs send them.
    const EM: &str = "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d";

    fn purchase(user_data: &str) -> String {
        format!(
            r#"{{"data": [{{"event_name": "Purchase", "event_time": 1700000001, "event_id": "order-1001", "action_source": "website", "user_data": {user_data}}}]}}"#
        )
    }

    #[test]
    fn hashes_as_the_sdks_send_them_are_fine() {
        let ph = crate::privacy::sha256_hex("16505550123");
        let ud = format!(
            r#"{{"em": ["{EM}"], "ph": ["{ph}", "{EM}"], "fn": "{EM}", "external_id": ["cust-9"], "client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0", "fbp": "fb.1.1700000000000.123456789", "ge": null, "zp": ""}}"#
        );
        assert!(clean_journey()
            .server(&purchase(&ud))
            .only("server_user_data_unhashed")
            .is_empty());
    }

    #[test]
    fn plain_and_formatted_values_fail_without_being_repeated() {
        let ud = format!(
            r#"{{"em": ["jane.doe@example.com", "{EM}"], "ph": "+1 (650) 555-0123", "zp": 94025, "ct": "{}"}}"#,
            EM.to_uppercase()
        );
        let f = clean_journey().server(&purchase(&ud)).only("server_user_data_unhashed");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, crate::rules::Severity::Fail);
        assert_eq!(f[0].event.as_deref(), Some("Purchase"));
        let m = &f[0].message;
        assert_eq!(
            m,
            "capi.json data[0] (Purchase): unhashed customer data: user_data.em[0] looks like an e-mail address, \
             user_data.ph looks like a phone number or date, \
             user_data.ct looks like a SHA-256 in upper case (Meta wants lower-case hex), \
             user_data.zp looks like a number (a phone number or zip code in the clear)"
        );
        assert!(!m.contains("jane") && !m.contains("650"), "{m}");
    }

    /// The extension stores the paste after masking plain values: the marker
    /// still fires, and says what the value looked like.
    #[test]
    fn a_stored_paste_still_fails_and_says_the_shape() {
        let mut record = serde_json::json!({
            "kind": "server_payload",
            "label": "pasted CAPI payload",
            "text": purchase(r#"{"em": ["Jane.Doe@Example.com"], "ph": ["+44 20 7946 0958"], "client_ip_address": "203.0.113.7"}"#),
        });
        assert!(crate::privacy::redact_record(&mut record));
        let text = record["text"].as_str().expect("text").to_owned();
        assert!(!text.contains("Jane") && !text.contains("7946"), "{text}");
        let f = clean_journey().server(&text).only("server_user_data_unhashed");
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.ends_with(
                "user_data.em[0] looks like an e-mail address, user_data.ph[0] looks like a phone number or date"
            ),
            "{}",
            f[0].message
        );
    }
}
