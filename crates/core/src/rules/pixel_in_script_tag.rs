//! `pixel_in_script_tag`: pixel events sent by a script a storefront script
//! tag loaded, which Shopify stops injecting on 2027-03-01.
//!
//! Evidence used (Shopify's "Storefront script tags" deprecation page and the
//! changelog "Script tags are deprecated and will stop running on March 1,
//! 2027"): no script tag can be created or updated from 2026-10-01, and from
//! 2027-03-01 Shopify no longer injects them into storefronts; the replacement
//! is an app embed block (a theme app extension) or, for a script that only
//! collects analytics or conversion data, a web pixel. How one shows on a
//! storefront: Shopify's loader in `content_for_header` (`asyncLoad`, run on
//! `load`) inserts each ScriptTag `src` with `?shop=<shop>.myshopify.com`
//! appended, as storefront HTML published on GitHub shows
//! (nocarefree/php-shopify-template src/Drops/ContentForHeader.php;
//! maryjok127/maryjok dist/client/lookbook.js). So a hit whose sender script
//! (the HAR stack, or the page hook's fbq caller) carries that query, outside
//! Shopify's `/extensions/` CDN path where app embeds live, came from a
//! script tag (`sender::is_script_tag_url`). On the order status page the same
//! script is `pixel_in_order_status_script`, which retired earlier.

use super::{Finding, Rule as RuleTrait, RuleInfo, Scope, Severity, SeverityRule};
use crate::identity::clip;
use crate::journey::Journey;

pub struct Rule;

const CODE: &str = "pixel_in_script_tag";
const SEVERITY: SeverityRule = SeverityRule::Always(Severity::Warn);

/// The day Shopify stops injecting storefront script tags.
pub const RETIRES: &str = "2027-03-01";

pub(super) static INFO: RuleInfo = RuleInfo {
    code: CODE,
    severity: SEVERITY,
    when: "pixel events come from a script a storefront script tag loads (its src carries `?shop=<shop>.myshopify.com`); Shopify stops running script tags on 2027-03-01",
    explanation: "The events work in today's test and stop on 2027-03-01, when Shopify stops injecting script tags into storefronts (none can be created or updated since 2026-10-01). Nothing on the store will say so: the events just stop arriving.",
    probably_broke: "Nothing yet: an app (or an old integration) still loads its pixel through a ScriptTag instead of an app embed block or a web pixel.",
    first_check: "Find the app that owns the script named in the message (Settings → Apps, or the script's host), and move its pixel to the app's app embed block (Online Store → Themes → Customize → App embeds) or to a web pixel (the Facebook & Instagram app, or a custom pixel in Settings → Customer events) before 2027-03-01; then repeat the test and check that one sender still owns each event.",
    not_yet: "Do not add a second pixel alongside the script tag while it still runs: both would send every event until 2027-03-01.",
    source: Some("https://shopify.dev/docs/apps/build/online-store/script-tag-deprecation/storefront"),
};

impl RuleTrait for Rule {
    fn code(&self) -> &'static str {
        CODE
    }
    fn scope(&self) -> Scope {
        Scope::Journey
    }
    fn check_journey(&self, j: &Journey, out: &mut Vec<Finding>) {
        for ((code, script), hits) in &j.retiring_sources {
            if *code != CODE {
                continue;
            }
            for (event, hits) in by_event(j, hits) {
                out.push(retiring_finding(
                    j,
                    CODE,
                    SEVERITY.of(event),
                    &hits,
                    &format!(
                        "the storefront script tag {} sent {}; Shopify stops running storefront script tags on {RETIRES}: move it to an app embed block or a web pixel",
                        clip(script),
                        sent(j, &hits)
                    ),
                ));
            }
        }
    }
}

/// A source's hits split by event, in the order each event first came: one
/// finding per (source, event), as the other per-event codes are read.
pub(super) fn by_event<'a>(j: &'a Journey, hits: &[usize]) -> Vec<(&'a str, Vec<usize>)> {
    let mut out: Vec<(&str, Vec<usize>)> = Vec::new();
    for &h in hits {
        let ev = j.hits[h].event_name();
        match out.iter_mut().find(|(e, _)| *e == ev) {
            Some((_, list)) => list.push(h),
            None => out.push((ev, vec![h])),
        }
    }
    out
}

/// "ViewContent (hits #1, #2, #4)".
pub(super) fn sent(j: &Journey, hits: &[usize]) -> String {
    let ids: Vec<String> = hits.iter().take(8).map(|&h| format!("#{}", j.hits[h].id)).collect();
    let more = if hits.len() > 8 {
        format!(" and {} more", hits.len() - 8)
    } else {
        String::new()
    };
    format!(
        "{} (hit{} {}{more})",
        j.hits[hits[0]].event_name(),
        if hits.len() == 1 { "" } else { "s" },
        ids.join(", ")
    )
}

/// A finding about the hits of one event one retiring source sent:
/// page-reported when every one of them was tied to the script by the page's
/// own report (the fbq caller).
pub(super) fn retiring_finding(
    j: &Journey,
    code: &'static str,
    severity: Severity,
    hits: &[usize],
    message: &str,
) -> Finding {
    let refs: Vec<&crate::model::Hit> = hits.iter().map(|&h| &j.hits[h]).collect();
    let from_page = refs.iter().all(|h| h.sender.script_from_page);
    Finding::about(code, severity, &refs, message.to_owned()).page_reported(from_page)
}

#[cfg(test)]
mod tests {
    use crate::journal::{FbqCall, Record};
    use crate::rules::testkit::*;

    /// A pixel app's storefront script as Shopify's `asyncLoad` inserts it.
    const TAG: &str = "https://pixel-app.example/pixel.js?shop=demo-store.myshopify.com";

    fn track(j: &J, ev: &str, caller: &str) -> Record {
        Record::FbqCall(FbqCall {
            method: "track".into(),
            args: vec![serde_json::json!(ev)],
            caller: Some(caller.into()),
            context: j.ctx(),
            time: j.t - 20.0,
            ..FbqCall::default()
        })
    }

    #[test]
    fn a_script_tag_on_the_stack_warns_with_the_date_and_the_replacement() {
        // HAR: the request's initiator stack names the script-tag script.
        let f = J::new()
            .nav("https://shop.test/products/tee")
            .hit_with("PageView", &[], |r| r.stack = vec![TAG.into()])
            .hit_with("ViewContent", &[("eid", "vc-1")], |r| r.stack = vec![TAG.into()])
            .hit_with("ViewContent", &[("eid", "vc-2")], |r| r.stack = vec![TAG.into()])
            .only("pixel_in_script_tag");
        assert_eq!(f.len(), 2, "one finding per script and event");
        assert_eq!(f[0].severity, crate::rules::Severity::Warn);
        assert_eq!(
            (f[0].event.as_deref(), f[0].hit_ids.clone()),
            (Some("PageView"), vec![1])
        );
        assert_eq!(
            (f[1].event.as_deref(), f[1].hit_ids.clone()),
            (Some("ViewContent"), vec![2, 3])
        );
        assert!(!f[0].page_reported, "the network's own stack");
        assert_eq!(
            f[1].message,
            "the storefront script tag https://pixel-app.example/pixel.js?shop=demo-store.myshopify.com sent ViewContent (hits #2, #3); Shopify stops running storefront script tags on 2027-03-01: move it to an app embed block or a web pixel"
        );
    }

    #[test]
    fn the_page_hooks_fbq_caller_names_it_too_as_page_evidence() {
        // Extension: no stack; the hook saw the script-tag script call fbq.
        let j = J::new().nav("https://shop.test/products/tee").wait(50.0);
        let call = track(&j, "ViewContent", TAG);
        let f = j
            .record(call)
            .hit_with("ViewContent", &[], |r| r.stack.clear())
            .only("pixel_in_script_tag");
        assert_eq!(f.len(), 1);
        assert!(f[0].page_reported);
        assert_eq!(f[0].event.as_deref(), Some("ViewContent"));
    }

    #[test]
    fn theme_assets_app_embeds_and_other_hosts_are_silent() {
        for script in [
            "https://shop.test/cdn/shop/t/1/assets/theme.js?v=1234",
            // An app embed block: Shopify's CDN, under /extensions/.
            "https://cdn.shopify.com/extensions/0f1e2d3c/pixel-app-12/assets/pixel.js?shop=demo-store.myshopify.com",
            "https://pixel-app.example/pixel.js?shop=demo-store.example.com",
            "https://pixel-app.example/pixel.js",
        ] {
            let f = J::new()
                .nav("https://shop.test/products/tee")
                .hit_with("PageView", &[], |r| r.stack = vec![script.into()])
                .only("pixel_in_script_tag");
            assert!(f.is_empty(), "{script}: {f:?}");
        }
    }
}
