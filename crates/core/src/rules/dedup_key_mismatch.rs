//! `dedup_key_mismatch`: the server sent the same event for the action but with
//! an event_id that differs from the browser eid, so Meta counts both.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;
use crate::pairing::pairings;

pub struct Rule;

const CODE: &str = "dedup_key_mismatch";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Fail);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "a server event with the same name exists for the action but its event_id differs from the browser eid",
    explanation: "Meta merges a browser event and a server event only when name and event id are equal. Here they differ, so the action is counted twice.",
    probably_broke: "Browser and server build the id from different sources (a random id in the browser, the order id on the server), or one of them adds a prefix.",
    first_check: "Compare the browser eid and the server event_id shown here and make both come from one value, e.g. the order number for Purchase.",
    not_yet: "Do not trust Purchase counts or ROAS in Ads Manager while this stands: they are double.",
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
        for p in pairings(j)
            .into_iter()
            .filter(|p| p.twin.is_none() && !p.candidates.is_empty())
        {
            let server_ids: Vec<&str> = p
                .candidates
                .iter()
                .map(|s| s.event_id.as_deref().unwrap_or("(none)"))
                .collect();
            // With several pixels, which one: a browser-only pixel is paired
            // here when the payload's pixel was not stated.
            let pixel = match (j.pixel_ids.len() > 1, crate::pairing::certain_pixel(p.hit)) {
                (true, Some(id)) => format!(" (pixel {id})"),
                _ => String::new(),
            };
            out.push(Finding::about(
                CODE,
                SEVERITY.of(p.hit.event_name()),
                &[p.hit],
                format!(
                    "browser {} #{}{pixel} has eid {} but the server sent event_id {}{}",
                    p.hit.event_name(),
                    p.hit.id,
                    p.hit
                        .event_id
                        .as_deref()
                        .map(|e| format!("\"{e}\""))
                        .unwrap_or_else(|| "(none)".into()),
                    server_ids.join(", "),
                    crate::pairing::uncertain_pixel_note(&p)
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn different_ids_fail() {
        let j = clean_journey()
            .server(r#"[{"event_name":"Purchase","event_id":"1001","custom_data":{"value":68,"currency":"USD"}}]"#);
        let f = j.only("dedup_key_mismatch");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("\"order-1001\"") && f[0].message.contains("1001"));
    }

    #[test]
    fn equal_ids_are_fine() {
        let j = clean_journey().server(
            r#"[{"event_name":"Purchase","event_id":"order-1001","custom_data":{"value":68,"currency":"USD"}}]"#,
        );
        assert!(j.only("dedup_key_mismatch").is_empty());
    }

    /// The clean journey, and an agency's pixel that GTM sends a Purchase of
    /// its own to, from the browser only, under GTM's own event id.
    fn with_agency_pixel() -> J {
        clean_journey().wait(300.0).hit_to(
            AGENCY,
            "Purchase",
            &[
                ("eid", "gtm-4711"),
                ("cd[value]", "68.00"),
                ("cd[currency]", "USD"),
                ("cd[order_id]", "1001"),
            ],
        )
    }

    const AGENCY: &str = "987654321098765";
    const PAYLOAD: &str =
        r#"[{"event_name":"Purchase","event_id":"order-1001","custom_data":{"value":68,"currency":"USD","order_id":"1001"}}]"#;

    #[test]
    fn with_two_pixels_the_stated_pixel_of_the_payload_decides_what_pairs() {
        // Not stated: every pixel's Purchase is paired with the payload, and
        // the agency's fails, naming its pixel.
        let f = with_agency_pixel().server(PAYLOAD).only("dedup_key_mismatch");
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains(&format!("(pixel {AGENCY}) has eid \"gtm-4711\"")), "{}", f[0].message);
        // Stated: the store's pixel pairs with its twin; the agency's pixel is
        // browser-only and no part of the dedup.
        let j = with_agency_pixel().server_to(PIXEL, PAYLOAD);
        assert!(j.only("dedup_key_mismatch").is_empty());
        let mut s = with_agency_pixel().server_to(PIXEL, PAYLOAD).session();
        let agency = s.journey().hits.last().map(|h| h.id).expect("the agency's hit");
        let paired: Vec<_> = s.findings().into_iter().filter(|f| f.code.starts_with("server_") || f.code.starts_with("dedup")).collect();
        assert!(paired.iter().all(|f| !f.hit_ids.contains(&agency)), "{paired:?}");
        // The wrong pixel stated: the store's Purchase is not paired, and the
        // agency's, under another id, fails. Saying which pixel never hides a
        // mismatch of that pixel.
        let f = with_agency_pixel().server_to(AGENCY, PAYLOAD).only("dedup_key_mismatch");
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("gtm-4711"), "{}", f[0].message);
        // A page that adds a Purchase to another pixel under the server's id
        // changes nothing for the stated pixel's own mismatch.
        let mismatched = clean_journey()
            .wait(300.0)
            .hit_to(AGENCY, "Purchase", &[("eid", "1001")])
            .server_to(PIXEL, r#"[{"event_name":"Purchase","event_id":"1001","custom_data":{"value":68,"currency":"USD"}}]"#);
        let f = mismatched.only("dedup_key_mismatch");
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("\"order-1001\""), "{}", f[0].message);
    }

    /// A hit whose pixel id is written otherwise than a pixel id is (a
    /// leading zero), or that names two, may be the stated pixel's: it is
    /// paired, so a page cannot take its wrong-id Purchase out of the
    /// judgement by how it writes the id, with a decoy under the server's id.
    #[test]
    fn a_hit_whose_pixel_is_not_certain_is_paired_with_the_stated_pixel() {
        let server = r#"[{"event_name":"Purchase","event_id":"1001","custom_data":{"value":68,"currency":"USD"}}]"#;
        for id in ["id=01234567890&", &format!("id={PIXEL}&id={AGENCY}&"), "id=&", "id=12e3&"] {
            let j = clean_journey()
                .hit_with("Purchase", &[("eid", "order-1002")], |r| {
                    r.url = r.url.replacen(&format!("id={PIXEL}&"), id, 1);
                })
                .wait(100.0)
                .hit("Purchase", &[("eid", "1001")])
                .server_to(PIXEL, server);
            let f = j.only("dedup_key_mismatch");
            assert!(f.iter().any(|f| f.message.contains("\"order-1002\"")), "{id}: {f:?}");
        }
    }

    /// A hit whose pixel is not certain is never the twin of an event sent
    /// to a stated pixel: a page's decoy under the server's id, with no id, a
    /// leading zero or two, cannot stand in for the stated pixel's Purchase.
    #[test]
    fn a_hit_whose_pixel_is_not_certain_is_no_twin_of_the_stated_pixel() {
        for id in ["", "id=&", "id=0987654321098765&", &format!("id={AGENCY}&id={PIXEL}&")] {
            let j = J::new()
                .nav("https://shop.test/checkouts/cn/abc123/thank_you")
                .hit_to(AGENCY, "Purchase", &[("eid", "gtm-4711")])
                .hit_with("Purchase", &[("eid", "order-1001")], |r| {
                    r.url = r.url.replacen(&format!("id={PIXEL}&"), id, 1);
                })
                .server_to(PIXEL, PAYLOAD);
            let mut s = j.session();
            let codes: Vec<_> = s.findings().into_iter().map(|f| (f.code, f.message)).collect();
            assert!(codes.iter().any(|(c, _)| *c == "server_event_only"), "{id}: {codes:?}");
            let f: Vec<_> = codes.iter().filter(|(c, _)| *c == "dedup_key_mismatch").collect();
            assert_eq!(f.len(), 1, "{id}: {codes:?}");
            assert!(f[0].1.contains("it cannot be the twin of an event sent to a stated pixel"), "{}", f[0].1);
            let findings = s.findings();
            let gate = crate::results::gate(s.journey(), &findings, &Default::default());
            let dedup = gate.checks.iter().find(|c| c.name == "dedup").expect("dedup");
            assert_eq!(dedup.state, crate::results::CheckState::Stop, "{id}: {}", dedup.detail);
        }
    }

    /// The same id twice (in the query and again in the body) is one pixel.
    #[test]
    fn an_id_repeated_with_the_same_value_is_that_pixel() {
        let j = clean_journey()
            .hit_with("Purchase", &[], |r| {
                r.url = r.url.replacen(&format!("id={PIXEL}&"), &format!("id={PIXEL}&id={PIXEL}&"), 1);
            })
            .server_to(PIXEL, PAYLOAD);
        let mut s = j.session();
        let last = s.journey().hits.last().expect("the hit");
        assert_eq!(crate::pairing::certain_pixel(last), Some(PIXEL));
        assert!(s.findings().iter().all(|f| f.code != "server_event_only"));
    }

    /// A stated pixel that sent no Purchase of the server's: the server's
    /// Purchase has no browser twin, whatever other pixels sent.
    #[test]
    fn a_stated_pixel_without_the_browser_event_is_server_only() {
        let j = J::new()
            .nav("https://shop.test/checkouts/cn/abc123/thank_you")
            .hit_to(AGENCY, "Purchase", &[("eid", "order-1001")])
            .server_to(PIXEL, PAYLOAD);
        let f = j.only("server_event_only");
        assert_eq!(f.len(), 1, "{f:?}");
    }
}
