//! `fbc_mismatch`: a click id (fbc) that does not repeat the ad click the
//! shopper landed with, or that the server and the browser disagree on.

use super::server::{judge_server_events, paired_id_mismatches};
use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::identity::{clip, fbclid_of_fbc, hit_refs, landing_fbclid};
use crate::journey::Journey;

pub struct Rule;

const CODE: &str = "fbc_mismatch";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "the fbclid inside an fbc (browser or server) differs byte for byte from the landing URL's fbclid (it is case-sensitive), or server fbc differs from browser fbc",
    explanation: "fbc carries the click id (fbclid) of the ad the shopper clicked, and Meta uses it to attribute the purchase to that ad. The click id is case-sensitive: a changed one (lower-cased, truncated, from an older click) points to no click or the wrong one, and Events Manager reports it as a modified fbc.",
    probably_broke: "Something lower-cases or trims URLs and cookies (a URL normaliser, a consent tool, a server framework), the server builds fbc from a stored older click, or it reads another domain's _fbc cookie.",
    first_check: "Compare the click ids in the message with the landing URL; pass the _fbc cookie (or fb.1.<time in ms>.<fbclid> built from the landing URL) through unchanged.",
    not_yet: "Do not lower-case, trim or re-encode fbclid or fbc anywhere on the way; Meta says to use the value exactly as it arrived.",
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
        if let Some(landing) = landing_fbclid(j) {
            // Browser: each distinct fbc once, naming the hits that carry it.
            for (fbc, hits) in &j.browser_ids.fbc {
                let Some(clicked) = fbclid_of_fbc(fbc) else { continue };
                if clicked != landing {
                    let hits: Vec<&crate::model::Hit> = hits.iter().map(|&i| j.hit(i)).collect();
                    out.push(Finding::about(
                        CODE,
                        SEVERITY.of_any_event(),
                        &hits,
                        format!(
                            "hit(s) {} send fbc {} whose click id {} is not the landing URL's fbclid {}",
                            hit_refs(&hits),
                            clip(fbc),
                            clip(clicked),
                            clip(&landing)
                        ),
                    ));
                }
            }
            // Server: every event's fbc against the landing click.
            judge_server_events(j, CODE, SEVERITY, out, |s| {
                let fbc = s.user_text("fbc")?;
                let clicked = fbclid_of_fbc(fbc)?;
                (clicked != landing).then(|| {
                    format!(
                        "fbc {} carries the click id {}, not the landing URL's fbclid {}",
                        clip(fbc),
                        clip(clicked),
                        clip(&landing)
                    )
                })
            });
        }
        // Server against browser, for each paired action.
        paired_id_mismatches(j, CODE, SEVERITY, "fbc", out);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    const CLICK: &str = "IwAR2F4-dbP0l7Mn1IawQQGCINEz7PYXQvwjNwB_qa2ofrHyiLjcbCRxTDGrc";

    /// A shopper who landed from an ad: every hit carries the fbc fbevents made from the click.
    fn from_ad(fbc: &str) -> J {
        J::new()
            .nav(&format!("https://shop.test/products/tee?fbclid={CLICK}"))
            .hit("ViewContent", &[("eid", "vc-1"), ("fbc", fbc)])
            .nav("https://shop.test/checkouts/cn/abc123/thank_you")
            .hit(
                "Purchase",
                &[("eid", "order-1001"), ("cd[order_id]", "1001"), ("fbc", fbc)],
            )
    }

    fn server_fbc(fbc: &str) -> String {
        format!(
            r#"{{"data": [{{"event_name": "Purchase", "event_time": 1700000001, "event_id": "order-1001", "action_source": "website", "user_data": {{"fbc": "{fbc}"}}}}]}}"#
        )
    }

    #[test]
    fn the_landing_click_everywhere_is_fine() {
        let fbc = format!("fb.1.1700000000400.{CLICK}");
        assert!(from_ad(&fbc).server(&server_fbc(&fbc)).only("fbc_mismatch").is_empty());
        // With the parameter builder's appended part, the click id is still the fourth part.
        let appended = format!("fb.1.1700000000400.{CLICK}.Bg");
        assert!(from_ad(&appended).only("fbc_mismatch").is_empty());
    }

    #[test]
    fn a_lower_cased_click_id_in_the_browser_warns_once() {
        let fbc = format!("fb.1.1700000000400.{}", CLICK.to_lowercase());
        let f = from_ad(&fbc).only("fbc_mismatch");
        assert_eq!(f.len(), 1, "one finding for the one fbc value: {f:#?}");
        assert_eq!(f[0].hit_ids, vec![1, 2]);
        assert!(
            f[0].message
                .contains("is not the landing URL's fbclid IwAR2F4-dbP0l7Mn1IawQQ"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn the_server_repeating_another_click_warns_twice() {
        let good = format!("fb.1.1700000000400.{CLICK}");
        let older = "fb.1.1690000000000.IwAR0lderClick";
        let f = from_ad(&good).server(&server_fbc(older)).only("fbc_mismatch");
        let m: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(f.len(), 2, "{m:?}");
        assert!(m.iter().any(|m| m.starts_with("capi.json data[0] (Purchase): fbc fb.1.1690000000000.IwAR0lderClick carries the click id IwAR0lderClick")), "{m:?}");
        assert!(
            m.iter().any(|m| m.contains(
                "but its server twin (capi.json data[0] (Purchase)) sends fb.1.1690000000000.IwAR0lderClick"
            )),
            "{m:?}"
        );
    }

    #[test]
    fn without_a_landing_click_only_the_pair_is_compared() {
        // The clean journey landed without fbclid and its hits carry no fbc.
        let j = clean_journey().server(&server_fbc("fb.1.1700000000400.AbC"));
        assert!(j.only("fbc_mismatch").is_empty());
    }
}
