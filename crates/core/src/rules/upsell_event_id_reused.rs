//! `upsell_event_id_reused`: a post-purchase upsell's Purchase (new items, a
//! later Purchase of the same order) reuses the event id of an earlier
//! Purchase of the order, so Meta drops it as that Purchase's duplicate.
//!
//! How an upsell is told apart from a repeat: `crate::purchases`.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;
use crate::model::Hit;
use crate::purchases::{orders_with_parts, Role};

pub struct Rule;

const CODE: &str = "upsell_event_id_reused";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "a later Purchase of the same order carries new items (a post-purchase upsell) under the event id of an earlier Purchase of the order",
    explanation: "Meta keeps one event per event name and event id and drops the rest as duplicates. An upsell sent under the first Purchase's id is dropped, and Meta under-reports the order by the offer's value.",
    probably_broke: "The upsell app builds its event id from the order (order id or number) the same way the first Purchase does, instead of giving the offer an id of its own.",
    first_check: "Give the upsell's Purchase (browser and server alike) an event id of its own, e.g. the order's id with the offer's suffix, and keep its server twin on that same id.",
    not_yet: "Do not judge the upsell's performance from Meta's reports until its Purchase has its own event id.",
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
        for o in orders_with_parts(j) {
            for p in &o.parts {
                let Role::ReusesEventId { of } = p.role else { continue };
                let earlier = &o.parts[of];
                let hits: Vec<&Hit> = p.hits.iter().chain(earlier.hits.first()).copied().collect();
                let value = p
                    .value()
                    .map_or_else(|| "no value".to_owned(), |(v, c)| crate::money::pair_text(v, c));
                out.push(Finding::about(
                    CODE,
                    SEVERITY.of_any_event(),
                    &hits,
                    format!(
                        "Purchase {} carries new items ({}, {value}) under event_id {} of Purchase {}: Meta keeps the first and drops this one, and the upsell's {value} with it",
                        p.label(),
                        p.items.join(", "),
                        p.event_id().unwrap_or("(none)"),
                        earlier.label(),
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;
    use crate::rules::Severity;

    #[test]
    fn an_upsell_under_the_first_purchases_id_warns() {
        let f = with_upsell(r#"["socks-1"]"#, "order-1001", "20.00").only("upsell_event_id_reused");
        assert_eq!(severities(&f), vec![Severity::Warn]);
        assert_eq!(f[0].hit_ids, vec![6, 5]);
        assert_eq!(
            f[0].message,
            "Purchase #6 carries new items (socks-1, 20.00 USD) under event_id order-1001 of Purchase #5: Meta keeps the first and drops this one, and the upsell's 20.00 USD with it"
        );
    }

    #[test]
    fn its_own_id_or_the_same_items_again_is_silent() {
        assert!(with_upsell(r#"["socks-1"]"#, "order-1001-upsell-1", "20.00")
            .only("upsell_event_id_reused")
            .is_empty());
        // The first Purchase again under its id: repeated_event_id, not an upsell.
        assert!(with_upsell(r#"["tee-1"]"#, "order-1001", "68.00")
            .only("upsell_event_id_reused")
            .is_empty());
    }
}
