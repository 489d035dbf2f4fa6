//! `server_user_data_overhashed`: a server event hashed a `user_data` value
//! Meta wants as it is.

use serde_json::Value;

use super::server::judge_server_events;
use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::identity::looks_hashed;
use crate::journey::Journey;
use crate::tables::PLAIN_USER_DATA_KEYS;

pub struct Rule;

const CODE: &str = "server_user_data_overhashed";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "client_ip_address, client_user_agent, fbp or fbc looks hashed (they must be sent as they are)",
    explanation: "Meta matches the IP address, user agent, browser id (fbp) and click id (fbc) as they are; hashed, they match nobody, so the event loses its strongest links to the shopper's browser and the ad click.",
    probably_broke: "The integration hashes every user_data field in one loop, including the four that Meta wants unhashed.",
    first_check: "Exclude client_ip_address, client_user_agent, fbp and fbc from hashing and send them exactly as the browser had them (the _fbp and _fbc cookies, the request's IP and User-Agent header).",
    not_yet: "Do not stop sending these fields to avoid the warning; without them the server event is harder to match than with them.",
    source: Some("https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters"),
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
            let hashed: Vec<String> = PLAIN_USER_DATA_KEYS
                .iter()
                .filter(|key| {
                    let values: Vec<&Value> = match s.user_value(key) {
                        Some(Value::Array(items)) => items.iter().collect(),
                        Some(v) => vec![v],
                        None => Vec::new(),
                    };
                    values.iter().any(|v| v.as_str().is_some_and(looks_hashed))
                })
                .map(|key| format!("user_data.{key}"))
                .collect();
            (!hashed.is_empty()).then(|| match hashed.as_slice() {
                [one] => format!("{one} looks hashed; Meta wants it as it is"),
                many => format!("{} look hashed; Meta wants them as they are", many.join(", ")),
            })
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    fn purchase(user_data: &str) -> String {
        format!(
            r#"{{"data": [{{"event_name": "Purchase", "event_time": 1700000001, "event_id": "order-1001", "action_source": "website", "user_data": {user_data}}}]}}"#
        )
    }

    #[test]
    fn values_as_the_browser_had_them_are_fine() {
        let ud = r#"{"client_ip_address": "2620:10d:c094:200::1:9c87", "client_user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)", "fbp": "fb.1.1558571054389.1098115397", "fbc": "fb.1.1554763741205.AbCdEfGhIjKlMnOpQrStUvWxYz1234567890", "em": ["86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d"]}"#;
        assert!(clean_journey()
            .server(&purchase(ud))
            .only("server_user_data_overhashed")
            .is_empty());
    }

    #[test]
    fn hashed_ip_user_agent_fbp_or_fbc_warn() {
        let h = crate::privacy::sha256_hex("203.0.113.7");
        let ud = format!(
            r#"{{"client_ip_address": "{h}", "client_user_agent": "Mozilla/5.0", "fbp": "{}", "fbc": ["{}"]}}"#,
            &h[..32],
            h.to_uppercase()
        );
        let f = clean_journey()
            .server(&purchase(&ud))
            .only("server_user_data_overhashed");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, crate::rules::Severity::Warn);
        assert_eq!(
            f[0].message,
            "capi.json data[0] (Purchase): user_data.client_ip_address, user_data.fbp, user_data.fbc look hashed; Meta wants them as they are"
        );
    }
}
