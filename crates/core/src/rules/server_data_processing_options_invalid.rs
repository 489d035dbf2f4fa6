//! `server_data_processing_options_invalid`: data processing options Meta
//! does not accept on a server event.

use serde_json::Value;

use super::server::judge_server_events;
use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::identity::clip;
use crate::journey::Journey;
use crate::tables::{DPO_COUNTRIES, DPO_STATES};

pub struct Rule;

const CODE: &str = "server_data_processing_options_invalid";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Fail);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "`data_processing_options` is not `[]` or `[\"LDU\"]`; with LDU, `data_processing_options_country` is not 0 or 1 or `data_processing_options_state` is not 0 or 1000–1013; or a country or state is given without LDU",
    explanation: "Limited Data Use is how a store tells Meta to process a US shopper's data under the state privacy laws. Meta reads only the option \"LDU\", the country 0 (Meta geolocates) or 1 (the US) and its own state codes; anything else is an invalid parameter, so the event is refused or the shopper's choice is not applied.",
    probably_broke: "The integration writes the option in another case or as text (\"ldu\", \"LDU\" without a list), uses ISO codes (\"US\", \"CA\") instead of Meta's numbers, or sends a country and state while LDU is off.",
    first_check: "Send data_processing_options as [\"LDU\"] with data_processing_options_country 0 and data_processing_options_state 0 (Meta geolocates) for shoppers who opted out, and [] with neither field for everyone else.",
    not_yet: "Do not drop data_processing_options to make the events pass; for shoppers who opted out of sale or sharing that would ignore their choice.",
    source: Some("https://developers.facebook.com/docs/marketing-apis/data-processing-options"),
};

/// A JSON value for a message.
fn shown(v: &Value) -> String {
    clip(&v.to_string())
}

/// Whether the event turns Limited Data Use on, and what is wrong with its
/// options list.
fn options(v: Option<&Value>) -> (bool, Option<String>) {
    match v {
        None | Some(Value::Null) => (false, None),
        Some(Value::Array(a)) if a.is_empty() => (false, None),
        Some(Value::Array(a)) if a.len() == 1 && a[0] == "LDU" => (true, None),
        Some(other) => (
            false,
            Some(format!(
                "data_processing_options is {}; Meta accepts [] or [\"LDU\"]",
                shown(other)
            )),
        ),
    }
}

fn present(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| !v.is_null())
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
            let mut problems = Vec::new();
            let (ldu, bad) = options(s.sent.data_processing_options.as_ref());
            problems.extend(bad);
            let country = present(s.sent.data_processing_options_country.as_ref());
            let state = present(s.sent.data_processing_options_state.as_ref());
            if ldu {
                if let Some(c) = country.filter(|c| !c.as_i64().is_some_and(|c| DPO_COUNTRIES.contains(&c))) {
                    problems.push(format!(
                        "data_processing_options_country is {}; with LDU Meta accepts 0 (Meta geolocates) or 1 (the US)",
                        shown(c)
                    ));
                }
                if let Some(st) = state.filter(|st| !st.as_i64().is_some_and(|st| st == 0 || DPO_STATES.contains(&st)))
                {
                    problems.push(format!(
                        "data_processing_options_state is {}; with LDU Meta accepts 0 (Meta geolocates) or a state code from {} to {}",
                        shown(st),
                        DPO_STATES.start(),
                        DPO_STATES.end()
                    ));
                }
            } else {
                let given: Vec<&str> = [
                    ("data_processing_options_country", country),
                    ("data_processing_options_state", state),
                ]
                .into_iter()
                .filter(|(_, v)| v.is_some())
                .map(|(k, _)| k)
                .collect();
                if !given.is_empty() {
                    problems.push(format!(
                        "{} given without Limited Data Use (data_processing_options [\"LDU\"])",
                        given.join(" and ")
                    ));
                }
            }
            problems
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    fn purchase(options: &str) -> String {
        format!(
            r#"{{"data": [{{"event_name": "Purchase", "event_time": 1700000001, "event_id": "order-1001", "action_source": "website", "user_data": {{"em": ["309a0a5c3e211326ae75ca18196d301a9bdbd1a882a4d2569511033da23f0abd"], "client_ip_address": "203.0.113.7"}}{options}}}]}}"#
        )
    }

    fn messages(options: &str) -> Vec<String> {
        clean_journey()
            .server(&purchase(options))
            .only("server_data_processing_options_invalid")
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn meta_documented_forms_are_fine() {
        for ok in [
            "",
            r#", "data_processing_options": []"#,
            r#", "data_processing_options": ["LDU"]"#,
            r#", "data_processing_options": ["LDU"], "data_processing_options_country": 0, "data_processing_options_state": 0"#,
            r#", "data_processing_options": ["LDU"], "data_processing_options_country": 1, "data_processing_options_state": 1000"#,
        ] {
            assert_eq!(messages(ok), Vec::<String>::new(), "{ok}");
        }
    }

    #[test]
    fn an_unknown_state_code_with_ldu_fails() {
        let m = messages(
            r#", "data_processing_options": ["LDU"], "data_processing_options_country": 1, "data_processing_options_state": 5000"#,
        );
        assert_eq!(
            m,
            ["capi.json data[0] (Purchase): data_processing_options_state is 5000; with LDU Meta accepts 0 (Meta geolocates) or a state code from 1000 to 1013"]
        );
        let m = messages(r#", "data_processing_options": ["LDU"], "data_processing_options_country": "US""#);
        assert!(
            m[0].ends_with(
                "data_processing_options_country is \"US\"; with LDU Meta accepts 0 (Meta geolocates) or 1 (the US)"
            ),
            "{m:?}"
        );
    }

    #[test]
    fn other_options_and_location_without_ldu_fail() {
        let m = messages(r#", "data_processing_options": ["ldu"]"#);
        assert!(
            m[0].ends_with("data_processing_options is [\"ldu\"]; Meta accepts [] or [\"LDU\"]"),
            "{m:?}"
        );
        assert_eq!(messages(r#", "data_processing_options": "LDU""#).len(), 1);
        let m = messages(
            r#", "data_processing_options": [], "data_processing_options_country": 1, "data_processing_options_state": 1000"#,
        );
        assert_eq!(
            m,
            ["capi.json data[0] (Purchase): data_processing_options_country and data_processing_options_state given without Limited Data Use (data_processing_options [\"LDU\"])"]
        );
        let f = clean_journey()
            .server(&purchase(r#", "data_processing_options_state": 1000"#))
            .only("server_data_processing_options_invalid");
        assert_eq!(f[0].severity, crate::rules::Severity::Fail);
    }
}
