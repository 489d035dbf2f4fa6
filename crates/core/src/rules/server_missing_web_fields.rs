//! `server_missing_web_fields`: a website server event without the fields Meta
//! requires of website events.

use serde_json::Value;

use super::server::judge_server_events;
use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;

pub struct Rule;

const CODE: &str = "server_missing_web_fields";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "a `website` event without `event_source_url` or `user_data.client_user_agent`",
    explanation: "Meta requires event_source_url and client_user_agent on website events sent through the Conversions API; without them the event is weaker for matching and attribution, and Events Manager reports it as incomplete.",
    probably_broke: "The server sends the event from a webhook or a background job (Shopify's order webhook, a queue worker) that never saw the shopper's page URL or browser user agent.",
    first_check: "Capture the page URL and the browser's User-Agent header when the shopper acts (for example in cart or checkout attributes) and pass them to the server event as event_source_url and user_data.client_user_agent.",
    not_yet: "Do not fill in the server's own user agent or the shop's home page URL; Meta uses them to match the shopper's browser.",
    source: Some("https://developers.facebook.com/docs/marketing-api/conversions-api/parameters"),
};

fn filled(v: Option<&Value>) -> bool {
    match v {
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Null) | None => false,
        Some(_) => true,
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
            if s.sent.action_source.as_ref().and_then(Value::as_str) != Some("website") {
                return None;
            }
            let mut missing = Vec::new();
            if !filled(s.sent.event_source_url.as_ref()) {
                missing.push("event_source_url");
            }
            if !filled(s.sent.user_data.get("client_user_agent")) {
                missing.push("user_data.client_user_agent");
            }
            (!missing.is_empty()).then(|| format!("a website event without {}", missing.join(" and ")))
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    const UA: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

    #[test]
    fn a_website_event_with_both_fields_is_fine() {
        let body = format!(
            r#"{{"data": [{{"event_name": "Purchase", "event_time": 1700000001, "event_id": "order-1001", "action_source": "website", "event_source_url": "https://shop.test/checkouts/cn/abc123/thank_you", "user_data": {{"client_user_agent": "{UA}", "client_ip_address": "2620:10d:c094:200::1:9c87"}}}}]}}"#
        );
        assert!(clean_journey()
            .server(&body)
            .only("server_missing_web_fields")
            .is_empty());
    }

    #[test]
    fn missing_fields_warn_and_other_sources_need_neither() {
        let body = r#"{"data": [
            {"event_name": "Purchase", "event_time": 1700000001, "event_id": "order-1001", "action_source": "website", "user_data": {"client_ip_address": "203.0.113.7"}},
            {"event_name": "Purchase", "event_time": 1700000001, "event_id": "order-1001", "action_source": "website", "event_source_url": "", "user_data": {"client_user_agent": "Mozilla/5.0"}},
            {"event_name": "Purchase", "event_time": 1700000001, "event_id": "store-9", "action_source": "physical_store", "user_data": {"em": ["309a0a5c3e211326ae75ca18196d301a9bdbd1a882a4d2569511033da23f0abd"]}}
        ]}"#;
        let f = clean_journey().server(body).only("server_missing_web_fields");
        let m: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            m,
            [
                "capi.json data[0] (Purchase): a website event without event_source_url and user_data.client_user_agent",
                "capi.json data[1] (Purchase): a website event without event_source_url",
            ]
        );
        assert_eq!(f[0].severity, crate::rules::Severity::Warn);
    }
}
