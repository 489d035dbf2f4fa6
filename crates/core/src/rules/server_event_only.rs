//! `server_event_only`: a server core event with no browser twin.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;
use crate::tables;

pub struct Rule;

const CODE: &str = "server_event_only";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "a server core event has no browser twin (browser source missing)",
    explanation: "The server reports this event but the browser never sent it, so Meta loses the browser signals (click id, cookies) that help match it to an ad.",
    probably_broke: "The browser sender for this event is missing or blocked, while the server integration works.",
    first_check: "Repeat the step with the panel open and check whether any browser sender fires the event.",
    not_yet: "Do not switch off the server event to 'fix' the mismatch; add the browser event instead.",
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
        let Some(server) = &j.server else { return };
        for ev in tables::CORE_EVENTS {
            let server_events: Vec<_> = server.iter().filter(|s| s.event_name == ev).collect();
            // A browser hit of a pixel none of them was sent to is no twin,
            // nor one whose pixel is not certain.
            let seen = j
                .hits_of(ev)
                .any(|h| server_events.iter().any(|s| s.twins_with(crate::pairing::certain_pixel(h))));
            if !server_events.is_empty() && !seen {
                let places: Vec<String> = server_events
                    .iter()
                    .map(|s| format!("{} {}", s.source, s.place))
                    .collect();
                out.push(
                    Finding::journey(
                        CODE,
                        SEVERITY.of(ev),
                        format!(
                            "the server sent {ev} ({}) but no browser {ev} was seen",
                            places.join(", ")
                        ),
                    )
                    .with_event(ev),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn server_only_purchase_warns() {
        let j = J::new()
            .nav("https://shop.test/products/a")
            .hit("ViewContent", &[])
            .server(r#"[{"event_name":"Purchase","event_id":"o-1"}]"#);
        let f = j.only("server_event_only");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("capi.json [0]"));
    }

    #[test]
    fn twin_present_is_fine() {
        let j = clean_journey().server(r#"[{"event_name":"Purchase","event_id":"order-1001"}]"#);
        assert!(j.only("server_event_only").is_empty());
    }
}
