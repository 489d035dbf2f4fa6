//! `server_action_source_invalid`: a server event without an `action_source`
//! Meta knows.

use serde_json::Value;

use super::server::judge_server_events;
use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::identity::clip;
use crate::journey::Journey;
use crate::tables::ACTION_SOURCES;

pub struct Rule;

const CODE: &str = "server_action_source_invalid";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Fail);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "`action_source` missing or not one of website, app, email, phone_call, chat, physical_store, system_generated, business_messaging, other",
    explanation: "action_source tells Meta where the conversion happened and is required on every server event; without a value Meta accepts, the event is refused or cannot be matched to the browser's website events.",
    probably_broke: "The integration leaves action_source out (it was optional in early Conversions API versions), capitalises it (\"Website\"), or sends its own label (\"web\", \"server\", \"shopify\").",
    first_check: "Set action_source to \"website\" on every event of the store's checkout, exactly in lower case, and check the other events against Meta's list.",
    not_yet: "Do not label offline or app events \"website\" to silence this; by sending action_source you confirm to Meta that it is accurate.",
    source: Some("https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/server-event"),
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
            Some(match &s.sent.action_source {
                None | Some(Value::Null) => "action_source is missing".to_owned(),
                Some(Value::String(v)) if ACTION_SOURCES.contains(&v.as_str()) => return None,
                Some(Value::String(v)) if ACTION_SOURCES.contains(&v.trim().to_lowercase().as_str()) => format!(
                    "action_source \"{}\" must be written \"{}\" (lower case, no spaces)",
                    clip(v),
                    v.trim().to_lowercase()
                ),
                Some(Value::String(v)) => format!(
                    "action_source \"{}\" is not one of {}",
                    clip(v),
                    ACTION_SOURCES.join(", ")
                ),
                Some(_) => "action_source is not text".to_owned(),
            })
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    fn with_source(source: &str) -> Vec<String> {
        let body = format!(
            r#"{{"data": [{{"event_name": "Purchase", "event_time": 1700000001, "event_id": "order-1001"{source}}}]}}"#
        );
        clean_journey()
            .server(&body)
            .only("server_action_source_invalid")
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn every_documented_source_is_fine() {
        for s in crate::tables::ACTION_SOURCES {
            assert!(with_source(&format!(r#", "action_source": "{s}""#)).is_empty(), "{s}");
        }
    }

    #[test]
    fn missing_misspelt_unknown_and_wrong_type_fail() {
        let m = with_source("");
        assert_eq!(
            m,
            vec!["capi.json data[0] (Purchase): action_source is missing".to_owned()]
        );
        let m = with_source(r#", "action_source": "Website""#);
        assert!(m[0].contains("\"Website\" must be written \"website\""), "{m:?}");
        let m = with_source(r#", "action_source": "web""#);
        assert!(m[0].contains("\"web\" is not one of website, app,"), "{m:?}");
        let m = with_source(r#", "action_source": 1"#);
        assert!(m[0].ends_with("action_source is not text"), "{m:?}");
        let m = with_source(r#", "action_source": null"#);
        assert!(m[0].ends_with("is missing"), "{m:?}");
    }
}
