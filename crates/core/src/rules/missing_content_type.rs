//! `missing_content_type`: an event names products but not what kind of
//! catalogue item they are.

use serde_json::Value;

use super::server::judge_server_events;
use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::identity::hit_refs;
use crate::journey::Journey;

pub struct Rule;

const CODE: &str = "missing_content_type";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

/// The events catalogue ads read products from.
const CATALOGUE_EVENTS: [&str; 3] = ["ViewContent", "AddToCart", "Purchase"];

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "a ViewContent, AddToCart or Purchase (browser hit or server event) carries `content_ids` or `contents` but no `content_type` (`product` or `product_group`)",
    explanation: "Catalogue and Advantage+ catalogue ads match an event to the catalogue through content_ids together with content_type, which says whether the ids are products (variants) or product groups. Without it the products are named but Meta may not tie them to catalogue items.",
    probably_broke: "The theme or app passes content_ids without content_type, or the server builds custom_data from the order's line items and leaves the type out.",
    first_check: "Check which ids the catalogue holds (Shopify variant ids are products, product ids are product groups) and send content_type \"product\" or \"product_group\" to match on every ViewContent, AddToCart and Purchase.",
    not_yet: "Do not launch catalogue or Advantage+ catalogue campaigns on these events until the content_type matches the catalogue's ids.",
    source: Some("https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/custom-data"),
};

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Journey
    }
    fn check_journey(&self, j: &Journey, out: &mut Vec<Finding>) {
        for ev in CATALOGUE_EVENTS {
            let Some(without) = j.products_without_type.get(ev) else {
                continue;
            };
            let hits: Vec<&crate::model::Hit> = without.iter().map(|&i| j.hit(i)).collect();
            out.push(Finding::about(
                CODE,
                SEVERITY.of(ev),
                &hits,
                format!(
                    "{ev} hit(s) {} name products (content_ids or contents) without a content_type",
                    hit_refs(&hits)
                ),
            ));
        }
        judge_server_events(j, CODE, SEVERITY, out, |s| {
            let typed = match &s.sent.content_type {
                Some(Value::String(t)) => !t.trim().is_empty(),
                None | Some(Value::Null) => false,
                Some(_) => true,
            };
            (CATALOGUE_EVENTS.contains(&s.event_name.as_str()) && s.sent.names_products && !typed)
                .then(|| "custom_data names products (content_ids or contents) without a content_type".to_owned())
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn browser_hits_with_products_and_no_type_warn() {
        // A theme that passes content_ids and contents but never content_type.
        let f = J::new()
            .nav("https://shop.test/products/tee")
            .hit(
                "ViewContent",
                &[("cd[content_ids]", "[\"tee-1\"]"), ("cd[content_type]", "product")],
            )
            .hit(
                "AddToCart",
                &[("cd[content_ids]", "[\"tee-1\"]"), ("cd[content_type]", "")],
            )
            .nav("https://shop.test/checkouts/cn/abc123/thank_you")
            .hit("Purchase", &[("cd[contents]", "[{\"id\":\"tee-1\",\"quantity\":2}]")])
            .only("missing_content_type");
        let m: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            m,
            [
                "AddToCart hit(s) #2 name products (content_ids or contents) without a content_type",
                "Purchase hit(s) #3 name products (content_ids or contents) without a content_type",
            ]
        );
        assert_eq!(f[0].severity, crate::rules::Severity::Warn);
        assert_eq!(f[1].hit_ids, [3]);
    }

    #[test]
    fn a_type_or_no_products_or_another_event_is_silent() {
        let j = J::new()
            .nav("https://shop.test/products/tee")
            .hit(
                "ViewContent",
                &[("cd[content_ids]", "[\"tee-1\"]"), ("cd[content_type]", "product")],
            )
            .hit("ViewContent", &[("cd[value]", "25.00")])
            .nav("https://shop.test/checkouts/cn/abc123")
            .hit("InitiateCheckout", &[("cd[content_ids]", "[\"tee-1\"]")]);
        assert!(j.only("missing_content_type").is_empty());
    }

    #[test]
    fn server_events_are_judged_too() {
        let body = r#"{"data": [
            {"event_name": "Purchase", "event_time": 1700000001, "event_id": "order-1001", "action_source": "website", "custom_data": {"value": "68.00", "currency": "USD", "content_ids": ["tee-1"]}},
            {"event_name": "Purchase", "event_time": 1700000001, "event_id": "order-1002", "action_source": "website", "custom_data": {"contents": [{"id": "tee-1", "quantity": 2}], "content_type": "product"}},
            {"event_name": "InitiateCheckout", "event_time": 1700000001, "event_id": "ic-1", "action_source": "website", "custom_data": {"content_ids": ["tee-1"]}}
        ]}"#;
        let f: Vec<String> = J::new()
            .server(body)
            .only("missing_content_type")
            .into_iter()
            .map(|f| f.message)
            .collect();
        assert_eq!(
            f,
            ["capi.json data[0] (Purchase): custom_data names products (content_ids or contents) without a content_type"]
        );
    }
}
