//! `server_event_missing`: server payloads were supplied, but a browser core
//! event has no server event with the same name.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;
use crate::model::Hit;
use crate::pairing::{certain_pixel, pairings};

pub struct Rule;

const CODE: &str = "server_event_missing";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "server payloads were supplied but a browser core event has no server event with the same name",
    explanation: "The server payloads you supplied do not include this event, so it relies on the browser alone and is lost whenever the browser blocks the pixel.",
    probably_broke: "The Conversions API integration sends only some events (often Purchase only), or sends this one under another name.",
    first_check: "Check the server integration's event list (the app's data-sharing level, the gateway's or GTM server container's tags).",
    not_yet: "Do not expect browser and server counts to match for this event until the server sends it.",
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
        // Per event name, in name order; a few core events at most.
        let mut missing: Vec<(&str, Vec<&Hit>)> = Vec::new();
        for p in pairings(j).into_iter().filter(|p| p.candidates.is_empty()) {
            let has_any = j
                .server
                .iter()
                .flatten()
                .any(|s| {
                    Some(s.event_name.as_str()) == p.hit.event.as_deref() && s.may_pair_with(certain_pixel(p.hit))
                });
            if !has_any {
                let ev = p.hit.event_name();
                match missing.iter_mut().find(|(e, _)| *e == ev) {
                    Some((_, hits)) => hits.push(p.hit),
                    None => missing.push((ev, vec![p.hit])),
                }
            }
        }
        crate::sort::sort_by(&mut missing, |a, b| a.0.cmp(b.0));
        for (ev, hits) in missing {
            out.push(Finding::about(
                CODE,
                SEVERITY.of(ev),
                &hits,
                format!("the browser sent {ev} but the server payloads have no {ev}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn browser_event_without_server_name_warns() {
        let j = clean_journey().server(r#"{"data":[{"event_name":"Purchase","event_id":"order-1001","custom_data":{"value":68,"currency":"USD"}}]}"#);
        let f = j.only("server_event_missing");
        let events: Vec<_> = f.iter().filter_map(|f| f.event.clone()).collect();
        assert_eq!(events, vec!["ViewContent", "AddToCart", "InitiateCheckout"]);
    }

    #[test]
    fn no_server_payload_means_no_finding() {
        assert!(clean_journey().only("server_event_missing").is_empty());
    }
}
