//! `server_user_data_insufficient`: a server event whose `user_data` Meta
//! cannot match to anyone.

use super::server::judge_server_events;
use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;
use crate::match_keys::{rated, worth_adding, Side};
use crate::tables::{INVALID_MATCH_KEY_SETS, MATCH_KEYS};

pub struct Rule;

const CODE: &str = "server_user_data_insufficient";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Fail);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "a server event's `user_data` holds no key Meta matches on, or only keys inside a combination Meta calls invalid ({ct, country, st, zp, ge, client_user_agent}, {db, client_user_agent}, {fn, ge}, {ln, ge})",
    explanation: "Since Graph API v13.0 Meta refuses events whose customer information cannot identify anyone: nothing at all, or only coarse keys such as city, country, zip and the user agent. The event is not counted, so the server side of the setup adds nothing for it.",
    probably_broke: "The server builds user_data from the order's shipping address alone (a webhook without the customer's e-mail, a guest checkout, a privacy filter that strips contact details) or drops the browser ids it was given.",
    first_check: "Look at the keys the message names and add the first key it suggests: the hashed e-mail (em) the order holds, the fbc and fbp the browser sent, and the shopper's IP address with the user agent.",
    not_yet: "Do not fill user_data with placeholder or shared values (the shop's own e-mail, a fixed phone number) to get events accepted; Meta would match every event to the same wrong person.",
    source: Some("https://developers.facebook.com/docs/marketing-api/conversions-api/best-practices#baseline-requirements-for-matching"),
};

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Journey
    }
    fn check_journey(&self, j: &Journey, out: &mut Vec<Finding>) {
        judge_server_events(j, CODE, SEVERITY, out, |s| {
            let keys: Vec<&str> = s.user_data_keys().filter(|k| MATCH_KEYS.contains(k)).collect();
            let none: [&str; 0] = [];
            let next = worth_adding(Side::Server, &keys, &none)
                .map(|k| format!("; the first key worth adding is {}", rated(k)))
                .unwrap_or_default();
            if keys.is_empty() {
                return Some(format!("user_data holds no key Meta matches on{next}"));
            }
            let invalid = INVALID_MATCH_KEY_SETS
                .iter()
                .any(|set| keys.iter().all(|k| set.contains(k)));
            invalid.then(|| {
                format!(
                    "user_data holds only {}, a combination Meta calls invalid for matching{next}",
                    keys.join(", ")
                )
            })
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    const UA: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
    // SHA-256 of the normalised values, as Meta's docs show them hashed.
    const CT: &str = "6195198a9b5dad4d2c4b8c7b9d2c3f1d5b4d2f1c9a5f1d2b3c4d5e6f7a8b9c0d";
    const ZP: &str = "3ef5b3a3c0a4b2a2f3c9d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5";
    const COUNTRY: &str = "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621";
    const EM: &str = "309a0a5c3e211326ae75ca18196d301a9bdbd1a882a4d2569511033da23f0abd";

    fn purchase(user_data: &str) -> String {
        format!(
            r#"{{"data": [{{"event_name": "Purchase", "event_time": 1700000001, "event_id": "order-1001", "action_source": "website", "event_source_url": "https://shop.test/checkouts/cn/abc123/thank_you", "user_data": {user_data}, "custom_data": {{"value": "68.00", "currency": "USD"}}}}]}}"#
        )
    }

    fn messages(user_data: &str) -> Vec<String> {
        clean_journey()
            .server(&purchase(user_data))
            .only("server_user_data_insufficient")
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn a_shipping_address_and_the_user_agent_alone_fail() {
        let m = messages(&format!(
            r#"{{"ct": ["{CT}"], "country": ["{COUNTRY}"], "zp": ["{ZP}"], "client_user_agent": "{UA}"}}"#
        ));
        assert_eq!(
            m,
            ["capi.json data[0] (Purchase): user_data holds only client_user_agent, country, ct, zp, a combination Meta calls invalid for matching; the first key worth adding is em (high)"]
        );
        let f = clean_journey()
            .server(&purchase(r#"{"db": ["6d5a1d4ad5f0a3f4b0e8c8b0b0a0f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0"], "client_user_agent": "Mozilla/5.0"}"#))
            .only("server_user_data_insufficient");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, crate::rules::Severity::Fail);
        assert_eq!(f[0].event.as_deref(), Some("Purchase"));
    }

    #[test]
    fn no_usable_key_fails() {
        assert_eq!(
            messages(r#"{"em": [], "fbc": null, "customer_tier": "gold"}"#),
            ["capi.json data[0] (Purchase): user_data holds no key Meta matches on; the first key worth adding is em (high)"]
        );
        assert_eq!(messages(r#"{}"#).len(), 1);
    }

    #[test]
    fn one_key_outside_the_invalid_sets_is_enough() {
        // The same coarse keys plus the shopper's IP address, or an e-mail.
        assert!(messages(&format!(
            r#"{{"ct": ["{CT}"], "country": ["{COUNTRY}"], "zp": ["{ZP}"], "client_user_agent": "{UA}", "client_ip_address": "203.0.113.7"}}"#
        ))
        .is_empty());
        assert!(messages(&format!(r#"{{"em": ["{EM}"]}}"#)).is_empty());
        assert!(messages(r#"{"fbp": "fb.1.1700000000000.123456789"}"#).is_empty());
        // No payload, nothing judged.
        assert!(clean_journey().only("server_user_data_insufficient").is_empty());
    }
}
