//! `upsell_value_counted_twice`: a later Purchase of an order sends new items
//! (a post-purchase upsell) together with items an earlier Purchase of the
//! order already sent, so Meta counts those items' value twice.
//!
//! How an upsell is told apart from a repeat: `crate::purchases`.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;
use crate::model::Hit;
use crate::purchases::{orders_with_parts, Role};

pub struct Rule;

const CODE: &str = "upsell_value_counted_twice";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Fail);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "a later Purchase of the same order, with its own event id, re-sends items (and value) an earlier Purchase of the order already sent alongside the upsell's new items",
    explanation: "Each Purchase with its own event id is counted. A post-purchase upsell's Purchase must carry the offer alone: one that sends the whole edited order again counts the first Purchase's items, and their revenue, a second time.",
    probably_broke: "The upsell app (or the theme's order-status script) fires a Purchase for the whole edited order after the offer is accepted, instead of one for the offer's items and value only.",
    first_check: "Look at the later Purchase's items and value in this finding: they should be the offer's alone (the first Purchase already counted the rest).",
    not_yet: "Do not read Meta's revenue or ROAS for orders with upsells until the upsell's Purchase carries only the offer.",
    source: Some("https://developers.facebook.com/docs/meta-pixel/reference"),
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
                let Role::CountedTwice { of } = p.role else { continue };
                let earlier = &o.parts[of];
                let again: Vec<&str> = p
                    .items
                    .iter()
                    .filter(|i| earlier.items.contains(i))
                    .map(String::as_str)
                    .collect();
                let new: Vec<&str> = p
                    .items
                    .iter()
                    .filter(|i| {
                        !o.parts
                            .iter()
                            .take_while(|q| !std::ptr::eq(*q, p))
                            .any(|q| q.items.contains(i))
                    })
                    .map(String::as_str)
                    .collect();
                let hits: Vec<&Hit> = p.hits.iter().chain(earlier.hits.first()).copied().collect();
                let value = |q: &crate::purchases::Part<'_>| {
                    q.value()
                        .map_or_else(|| "no value".to_owned(), |(v, c)| crate::money::pair_text(v, c))
                };
                let counted = o
                    .counted_sum()
                    .map(|s| {
                        format!(
                            "; Meta would count {} for the order",
                            crate::money::pair_text(s.value, s.currency.as_deref())
                        )
                    })
                    .unwrap_or_default();
                out.push(Finding::about(
                    CODE,
                    SEVERITY.of_any_event(),
                    &hits,
                    format!(
                        "Purchase {} (event_id {}, {}) sends the upsell's new items ({}) with items Purchase {} already sent ({}, {}): their value is counted twice{counted}",
                        p.label(),
                        p.event_id().unwrap_or("(none)"),
                        value(p),
                        new.join(", "),
                        earlier.label(),
                        again.join(", "),
                        value(earlier),
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
    fn the_whole_edited_order_sent_again_fails() {
        let f =
            with_upsell(r#"["tee-1","socks-1"]"#, "order-1001-upsell-1", "88.00").only("upsell_value_counted_twice");
        assert_eq!(severities(&f), vec![Severity::Fail]);
        assert_eq!(f[0].hit_ids, vec![6, 5], "the later Purchase, then the one it repeats");
        assert_eq!(
            f[0].message,
            "Purchase #6 (event_id order-1001-upsell-1, 88.00 USD) sends the upsell's new items (socks-1) with items Purchase #5 already sent (tee-1, 68.00 USD): their value is counted twice; Meta would count 156.00 USD for the order"
        );
    }

    #[test]
    fn an_upsell_of_new_items_alone_or_a_plain_repeat_is_silent() {
        assert!(with_upsell(r#"["socks-1"]"#, "order-1001-upsell-1", "20.00")
            .only("upsell_value_counted_twice")
            .is_empty());
        // The same items again: a duplicate (duplicate_event), not an upsell.
        assert!(with_upsell(r#"["tee-1"]"#, "order-1001-b", "68.00")
            .only("upsell_value_counted_twice")
            .is_empty());
    }
}
