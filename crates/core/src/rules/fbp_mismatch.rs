//! `fbp_mismatch`: the server and the browser name different browsers (fbp)
//! for one action.

use super::server::paired_id_mismatches;
use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;

pub struct Rule;

const CODE: &str = "fbp_mismatch";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "the server's fbp for an action differs from the fbp of the browser hit it pairs with",
    explanation: "fbp is the browser id the pixel keeps in the _fbp cookie; the server event should repeat it so Meta can tie both events to one browser. A different fbp says the server read another cookie (or made one up), which weakens matching for every server event.",
    probably_broke: "The server generates its own fbp, reads the cookie from a different domain or an earlier session, or caches one value for many shoppers.",
    first_check: "Compare the two values in the message and make the server send the _fbp cookie of the request that triggered the event, unchanged.",
    not_yet: "Do not generate a new fbp on the server when the cookie exists; use the browser's.",
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
        paired_id_mismatches(j, CODE, SEVERITY, "fbp", out);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    /// The testkit's hits carry fbp `fb.1.1700000000000.123456789`.
    fn with_server_fbp(fbp: &str) -> Vec<crate::rules::Finding> {
        clean_journey()
            .server(&format!(
                r#"{{"data": [{{"event_name": "Purchase", "event_time": 1700000001, "event_id": "order-1001", "action_source": "website", "user_data": {{"fbp": "{fbp}"}}}}]}}"#
            ))
            .only("fbp_mismatch")
    }

    #[test]
    fn the_browsers_fbp_on_the_server_is_fine() {
        assert!(with_server_fbp("fb.1.1700000000000.123456789").is_empty());
        // No fbp on the server: nothing to compare.
        let j = clean_journey().server(r#"[{"event_name": "Purchase", "event_id": "order-1001"}]"#);
        assert!(j.only("fbp_mismatch").is_empty());
    }

    #[test]
    fn another_fbp_on_the_server_warns_about_the_hit() {
        let f = with_server_fbp("fb.1.1699999999999.987654321");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, crate::rules::Severity::Warn);
        assert_eq!(f[0].event.as_deref(), Some("Purchase"));
        assert_eq!(f[0].hit_ids.len(), 1);
        assert!(
            f[0].message.contains(
                "sends fbp fb.1.1700000000000.123456789 but its server twin (capi.json data[0] (Purchase)) sends fb.1.1699999999999.987654321"
            ),
            "{}",
            f[0].message
        );
    }
}
