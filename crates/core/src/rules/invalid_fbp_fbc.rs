//! `invalid_fbp_fbc`: an fbp or fbc that is not in the form Meta documents.

use super::server::judge_server_events;
use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::identity::{clip, format_problem, hit_refs};
use crate::journey::Journey;

pub struct Rule;

const CODE: &str = "invalid_fbp_fbc";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "fbp/fbc is not `fb.<subdomain index>.<creation time in ms>.<value>` (a seconds timestamp, missing parts); one extra trailing segment is allowed",
    explanation: "Meta reads fbp and fbc by their documented form: the prefix fb, the subdomain index, the creation time in milliseconds and the value (the browser id or the ad's click id). A value in another form cannot be used for matching, and an fbc built with a time in seconds shows as a malformed click id in Events Manager.",
    probably_broke: "A server or tag manager builds the value itself (with a time in seconds, without the subdomain index, or from the bare fbclid) instead of passing the pixel's _fbp and _fbc cookies.",
    first_check: "Compare the value in the message with the _fbp/_fbc cookie in the browser; pass the cookie through, or build fbc as fb.1.<time in ms>.<fbclid exactly as in the URL>.",
    not_yet: "Do not strip or rewrite parts of a value the pixel created; send it as the cookie holds it.",
    source: Some("https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/fbp-and-fbc"),
};

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Journey
    }
    fn check_journey(&self, j: &Journey, out: &mut Vec<Finding>) {
        // Browser: each distinct value once, naming the hits that carry it.
        for ((param, value), hits) in j.browser_ids.iter() {
            let Some(problem) = format_problem(value) else { continue };
            let hits: Vec<&crate::model::Hit> = hits.iter().map(|&i| j.hit(i)).collect();
            out.push(Finding::about(
                CODE,
                SEVERITY.of_any_event(),
                &hits,
                format!(
                    "hit(s) {} send {param} {}, which {problem}",
                    hit_refs(&hits),
                    clip(value)
                ),
            ));
        }
        // Server: each event's fbp and fbc.
        judge_server_events(j, CODE, SEVERITY, out, |s| {
            let problem_with = |param| {
                let problem = match s.user_value(param)? {
                    serde_json::Value::String(v) if v.is_empty() => return None,
                    serde_json::Value::String(v) => format!("{}, which {}", clip(v), format_problem(v)?),
                    _ => "is not text".to_owned(),
                };
                Some(format!("user_data.{param} {problem}"))
            };
            ["fbp", "fbc"].into_iter().filter_map(problem_with).collect::<Vec<_>>()
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn the_pixels_own_values_are_fine() {
        // The testkit's hits carry fbp fb.1.1700000000000.123456789.
        let j = clean_journey().server(
            r#"{"data": [{"event_name": "Purchase", "event_time": 1700000001, "event_id": "order-1001", "action_source": "website", "user_data": {"fbp": "fb.1.1700000000000.123456789", "fbc": "fb.1.1554763741205.AbCdEfGhIjKlMnOpQrStUvWxYz1234567890.Bg"}}]}"#,
        );
        assert!(j.only("invalid_fbp_fbc").is_empty());
    }

    #[test]
    fn a_seconds_time_in_the_browser_warns_once_per_value() {
        let f = J::new()
            .nav("https://shop.test/products/tee")
            .hit("ViewContent", &[("fbc", "fb.1.1700000000.AbC")])
            .hit("AddToCart", &[("fbc", "fb.1.1700000000.AbC")])
            .only("invalid_fbp_fbc");
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].hit_ids, vec![1, 2]);
        assert_eq!(
            f[0].message,
            "hit(s) #1, #2 send fbc fb.1.1700000000.AbC, which has the creation time 1700000000 in seconds; Meta wants milliseconds (13 digits)"
        );
    }

    #[test]
    fn a_value_on_every_hit_names_them_all_and_lists_ten() {
        let mut j = J::new().nav("https://shop.test/products/tee");
        for i in 0..12 {
            j = j.wait(3000.0).hit(
                "ViewContent",
                &[("eid", &format!("vc-{i}")), ("fbp", "fb.1.1700000000.42")],
            );
        }
        let f = j.only("invalid_fbp_fbc");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].hit_ids.len(), 12);
        assert!(
            f[0].message.starts_with(
                "hit(s) #1, #2, #3, #4, #5, #6, #7, #8, #9, #10 and 2 more send fbp fb.1.1700000000.42, which "
            ),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn a_bare_click_id_or_a_number_on_the_server_warns() {
        let f = clean_journey()
            .server(r#"{"data": [{"event_name": "Purchase", "event_time": 1700000001, "event_id": "order-1001", "action_source": "website", "user_data": {"fbc": "IwAR2F4-dbP0l7Mn1IawQQ", "fbp": 1098115397}}]}"#)
            .only("invalid_fbp_fbc");
        let m: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            m,
            [
                "capi.json data[0] (Purchase): user_data.fbp is not text",
                "capi.json data[0] (Purchase): user_data.fbc IwAR2F4-dbP0l7Mn1IawQQ, which has 1 dot-separated part(s) where Meta's form fb.<subdomain index>.<creation time in ms>.<value> has 4",
            ]
        );
    }
}
