//! `server_event_time_invalid`: a server event's `event_time` Meta would refuse
//! or misplace.

use serde_json::Value;

use super::server::{judge_server_events, span, too_old, MILLISECONDS_FROM};
use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::identity::clip;
use crate::journey::Journey;
use crate::pairing::hits_of_server_events;

pub struct Rule;

const CODE: &str = "server_event_time_invalid";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Fail);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "`event_time` is not Unix seconds (milliseconds, a string, missing), is more than 7 days before the browser event it pairs with (or the capture's first hit when unpaired), or more than one hour after the capture",
    explanation: "Meta reads event_time as a Unix time in seconds and refuses the whole request when any event in it is more than 7 days old; a time in milliseconds or in the future puts the event at a moment the shopper never acted, so it cannot be deduplicated with its browser twin or attributed to the right ad.",
    probably_broke: "The server integration writes the time in milliseconds (JavaScript's Date.now()), as a date string, from a stored order date, or not at all, or replays old events from a queue.",
    first_check: "Look at the event_time the message quotes and make the integration send the moment of the shopper's action as whole seconds since 1970 (Math.floor(Date.now() / 1000), Python's int(time.time()), PHP's time()).",
    not_yet: "Do not resend the old events with a fresh event_time to get them accepted; Meta would count them at the wrong moment.",
    source: Some("https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/server-event"),
};

/// How far after the capture a server event may be stamped (clock skew,
/// queues): more is a time in the future or in the wrong unit.
const MAX_AHEAD_MS: f64 = 3600.0 * 1000.0;

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Journey
    }
    fn check_journey(&self, j: &Journey, out: &mut Vec<Finding>) {
        // The browser hit each server event pairs with, in payload order: the
        // order the events are judged in.
        let mut twins = hits_of_server_events(j).into_iter();
        judge_server_events(j, CODE, SEVERITY, out, |s| {
            let twin = twins.next().flatten();
            match &s.sent.event_time {
                None | Some(Value::Null) => Some("event_time is missing".to_owned()),
                Some(Value::String(text)) => Some(match text.trim().parse::<f64>() {
                    Ok(_) => format!("event_time is the text \"{}\", not a number", clip(text)),
                    Err(_) => format!("event_time is the text \"{}\", not a Unix time", clip(text)),
                }),
                Some(Value::Number(n)) => match n.as_f64() {
                    Some(secs) if secs.fract() != 0.0 => {
                        Some(format!("event_time {n} is not a whole number of seconds"))
                    }
                    Some(secs) if secs >= MILLISECONDS_FROM => Some(format!(
                        "event_time {n} is in milliseconds; Meta wants seconds ({})",
                        (secs / 1000.0).floor()
                    )),
                    Some(secs) if secs <= 0.0 => Some(format!("event_time {n} is not a Unix time")),
                    Some(secs) => window_problem(j, twin, secs * 1000.0),
                    None => Some(format!("event_time {n} is not a Unix time")),
                },
                Some(other) => Some(format!("event_time is {}, not a number", json_kind(other))),
            }
        });
    }
}

/// Whether a time in seconds (as ms) falls outside the window around the
/// action: 7 days before the paired browser hit (else the first hit) up to an
/// hour after the last hit. With no hit there is nothing to compare with.
fn window_problem(j: &Journey, twin: Option<&crate::model::Hit>, t: f64) -> Option<String> {
    if let Some((age, what)) = too_old(j, twin, t) {
        return Some(format!(
            "event_time {} is {} before {what}; Meta refuses events older than 7 days",
            t / 1000.0,
            span(age)
        ));
    }
    if let Some(last) = j.last_hit_time.filter(|l| t - l > MAX_AHEAD_MS) {
        return Some(format!(
            "event_time {} is {} after the capture's last hit",
            t / 1000.0,
            span(t - last)
        ));
    }
    None
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    /// The clean journey's Purchase hit is at 1_700_000_001_xxx ms.
    fn purchase(event_time: &str) -> String {
        format!(
            r#"{{"data": [{{"event_name": "Purchase", "event_time": {event_time}, "event_id": "order-1001", "action_source": "website"}}]}}"#
        )
    }

    fn messages(event_time: &str) -> Vec<String> {
        clean_journey()
            .server(&purchase(event_time))
            .only("server_event_time_invalid")
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn seconds_near_the_action_are_fine() {
        assert_eq!(messages("1700000001"), Vec::<String>::new());
        // A whole number written with a fraction part is still whole seconds.
        assert_eq!(messages("1700000001.0"), Vec::<String>::new());
    }

    #[test]
    fn milliseconds_strings_and_absence_fail() {
        let m = messages("1700000001234");
        assert_eq!(m.len(), 1);
        assert!(
            m[0].contains("in milliseconds; Meta wants seconds (1700000001)"),
            "{}",
            m[0]
        );
        assert!(m[0].starts_with("capi.json data[0] (Purchase): "), "{}", m[0]);
        let m = messages("\"yesterday\"");
        assert!(m[0].contains("the text \"yesterday\", not a Unix time"), "{m:?}");
        let m = messages("\"1700000001\"");
        assert!(m[0].contains("not a number"), "{m:?}");
        let m = messages("1700000001.5");
        assert!(m[0].contains("not a whole number"), "{m:?}");
        let missing = clean_journey()
            .server(r#"[{"event_name": "Purchase", "event_id": "order-1001", "action_source": "website"}]"#)
            .only("server_event_time_invalid");
        assert_eq!(missing.len(), 1);
        assert!(missing[0].message.ends_with("event_time is missing"));
        assert_eq!(missing[0].severity, crate::rules::Severity::Fail);
        assert_eq!(missing[0].event.as_deref(), Some("Purchase"));
    }

    #[test]
    fn older_than_a_week_before_its_twin_fails() {
        // 8 days before the Purchase hit.
        let m = messages(&(1_700_000_001 - 8 * 86_400).to_string());
        assert_eq!(m.len(), 1);
        assert!(
            m[0].contains("8 days before the browser Purchase it pairs with (hit #"),
            "{}",
            m[0]
        );
        // 6 days before is old but accepted.
        assert!(messages(&(1_700_000_001 - 6 * 86_400).to_string()).is_empty());
    }

    #[test]
    fn unpaired_events_are_measured_from_the_first_hit() {
        let j = clean_journey().server(&format!(
            r#"[{{"event_name": "Lead", "event_time": {}, "action_source": "website"}}]"#,
            1_700_000_000 - 10 * 86_400
        ));
        let f = j.only("server_event_time_invalid");
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.contains("before the capture's first hit"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn more_than_an_hour_after_the_capture_fails() {
        let m = messages(&(1_700_000_001 + 2 * 3600).to_string());
        assert_eq!(m.len(), 1);
        assert!(m[0].contains("after the capture's last hit"), "{}", m[0]);
        assert!(messages(&(1_700_000_001 + 1800).to_string()).is_empty());
    }

    #[test]
    fn without_hits_only_the_form_is_judged() {
        let j = J::new().server(&purchase("1500000000"));
        assert!(
            j.only("server_event_time_invalid").is_empty(),
            "nothing to compare with"
        );
        assert_eq!(
            J::new()
                .server(&purchase("\"now\""))
                .only("server_event_time_invalid")
                .len(),
            1
        );
    }
}
