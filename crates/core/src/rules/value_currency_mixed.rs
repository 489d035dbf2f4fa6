//! `value_currency_mixed`: a Purchase value/currency pair mixes the order's
//! two: the customer's (presentment) amount with the shop's currency, or the
//! shop's amount with the customer's currency.
//!
//! On a store that sells in several currencies (Shopify Markets) every order
//! has two money pairs, Shopify's `MoneyBag` of `shopMoney` and
//! `presentmentMoney` (<https://shopify.dev/docs/api/admin-graphql/latest/objects/MoneyBag>).
//! Meta takes a value with its currency and converts it to the ad account's
//! currency, so either pair, sent whole, is right; a mixed pair is wrong by the
//! exchange rate. Needs the order's presentment money (the GraphQL order, or
//! the REST order's `total_price_set`): without it a pair cannot be called mixed.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::journey::Journey;
use crate::money::reconcile;
use crate::purchases::judge;

pub struct Rule;

const CODE: &str = "value_currency_mixed";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Fail);

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "a Purchase's value/currency pair mixes the order's presentment (customer) amount with the shop currency, or the shop amount with the presentment currency; names both of the order's pairs",
    explanation: "Meta converts a value from the currency sent with it. The customer's amount labelled with the shop's currency (or the reverse) is converted from the wrong currency: every order is off by the exchange rate.",
    probably_broke: "On a Shopify Markets store the sender reads the amount from one place (the checkout's presentment total) and the currency from another (the shop's currency setting), or the reverse.",
    first_check: "Send one pair whole: the order's total in the customer's currency with that currency, or the shop total with the shop currency; compare the two pairs named in this finding.",
    not_yet: "Do not compare Meta revenue with Shopify for multi-currency orders until the value and currency come from the same pair.",
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
        let Some(order) = j.order_figures() else { return };
        for judged in judge(j, order, false, true) {
            let Ok(r) = &judged.result else { continue };
            if r.mixed {
                out.push(
                    Finding::about(
                        CODE,
                        SEVERITY.of_any_event(),
                        &judged.hits,
                        format!("{}: {}", judged.label, r.detail),
                    )
                    .page_reported(j.order_from_page()),
                );
            }
        }
        for s in j.server.iter().flatten().filter(|s| s.event_name == "Purchase") {
            let Some(v) = s.value else { continue };
            let r = reconcile(v, s.currency.as_deref(), order);
            if r.mixed {
                out.push(
                    Finding::journey(
                        CODE,
                        SEVERITY.of_any_event(),
                        format!("server Purchase {}: {}", s.describe(), r.detail),
                    )
                    .with_event("Purchase")
                    .page_reported(j.order_from_page()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;
    use crate::rules::Severity;

    /// The order as the GraphQL Admin API returns it on a Markets store: 68.00
    /// USD in the shop's money, 62.80 EUR in the customer's.
    const MARKETS: &str = r##"{"data": {"order": {"name": "#1001", "currencyCode": "USD", "presentmentCurrencyCode": "EUR",
        "totalPriceSet": {"shopMoney": {"amount": "68.0", "currencyCode": "USD"}, "presentmentMoney": {"amount": "62.8", "currencyCode": "EUR"}}}}}"##;

    fn purchase(value: &str, currency: &str) -> J {
        J::new().nav("https://shop.test/checkouts/cn/abc/thank_you").hit(
            "Purchase",
            &[
                ("eid", "order-1001"),
                ("cd[order_id]", "1001"),
                ("cd[value]", value),
                ("cd[currency]", currency),
            ],
        )
    }

    #[test]
    fn the_customers_amount_with_the_shop_currency_fails_naming_both_pairs() {
        let f = purchase("62.80", "USD").order(MARKETS).only("value_currency_mixed");
        assert_eq!(severities(&f), vec![Severity::Fail]);
        assert_eq!(
            f[0].message,
            "Purchase #1: value 62.80 USD mixes the order's two pairs: 62.80 is the customer's (presentment) amount (62.80 EUR) but USD is the shop currency (68.00 USD); send one pair whole"
        );
        let f = purchase("68.00", "EUR").order(MARKETS).only("value_currency_mixed");
        assert_eq!(f.len(), 1, "the reverse too");
        assert!(
            purchase("62.80", "USD")
                .order(MARKETS)
                .only("value_mismatch")
                .is_empty(),
            "one cause, one code"
        );
        // A server event with the mixed pair.
        let f = purchase("62.80", "EUR")
            .order(MARKETS)
            .server(r#"{"data":[{"event_name":"Purchase","event_id":"order-1001","custom_data":{"value":62.8,"currency":"USD"}}]}"#)
            .only("value_currency_mixed");
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message
                .starts_with("server Purchase capi.json data[0] (Purchase): value 62.80 USD mixes"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn either_whole_pair_is_silent() {
        for (v, c) in [("62.80", "EUR"), ("68.00", "USD")] {
            let j = purchase(v, c).order(MARKETS);
            assert!(j.only("value_currency_mixed").is_empty(), "{v} {c}");
            assert!(
                purchase(v, c).order(MARKETS).only("value_mismatch").is_empty(),
                "{v} {c}"
            );
        }
        // No presentment money in the order: nothing to call mixed.
        let f = purchase("62.80", "EUR")
            .order(r#"{"total": 68.0, "currency": "USD"}"#)
            .only("value_currency_mixed");
        assert!(f.is_empty());
    }
}
