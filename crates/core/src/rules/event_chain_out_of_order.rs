//! `event_chain_out_of_order`: the first hits of the core events are not in
//! ViewContent → AddToCart → InitiateCheckout → Purchase order.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;

pub struct Rule;

const CODE: &str = "event_chain_out_of_order";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "the first hits of the core events are not in ViewContent → AddToCart → InitiateCheckout → Purchase order",
    explanation: "A step that fires before the one it follows is usually bound to the wrong trigger (AddToCart on the product page load, InitiateCheckout on the cart page).",
    probably_broke: "An event is attached to a page load or a widget that appears earlier in the journey than the action it names.",
    first_check: "Find the first hit of the later step in the timeline and see which page and action fired it.",
    not_yet: "Do not read funnel drop-off between these steps until they fire in order.",
    source: None,
};

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Journey
    }
    fn check_journey(&self, j: &Journey, out: &mut Vec<Finding>) {
        let seen: Vec<usize> = j.first_core.iter().flatten().copied().collect();
        for pair in seen.windows(2) {
            let (a, b) = (j.hit(pair[0]), j.hit(pair[1]));
            if b.time < a.time {
                let mut f = Finding::about(
                    CODE,
                    SEVERITY.of(b.event_name()),
                    &[a, b],
                    format!(
                        "first {} (#{}) came before first {} (#{})",
                        b.event_name(),
                        b.id,
                        a.event_name(),
                        a.id
                    ),
                );
                f.event = b.event.as_deref().map(str::to_owned);
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn add_to_cart_before_view_content_warns() {
        let j = J::new()
            .nav("https://shop.test/")
            .hit("AddToCart", &[])
            .hit("ViewContent", &[]);
        let f = j.only("event_chain_out_of_order");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].hit_ids, vec![2, 1]);
    }

    #[test]
    fn in_order_with_gaps_is_fine() {
        let j = J::new()
            .nav("https://shop.test/")
            .hit("ViewContent", &[])
            .hit("Purchase", &[])
            .hit("AddToCart", &[]);
        // first hits: VC(1) < Purchase(2); AddToCart(3) after VC but before Purchase? No: AddToCart came last.
        assert_eq!(j.only("event_chain_out_of_order").len(), 1);
        assert!(clean_journey().only("event_chain_out_of_order").is_empty());
    }
}
