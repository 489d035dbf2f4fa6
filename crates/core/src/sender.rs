//! Sender attribution: who sent a hit, and the evidence for it (the labels and
//! their meaning: docs/product-rules.md, "Senders").
//!
//! Evidence is weighed strongest first: the frame or worker the request came
//! from (Shopify's sandbox URLs), a configured gateway endpoint, the pixel's
//! agent parameter, then the script on the stack (HAR) or the script that called
//! `fbq` (page hook). A label taken from weak evidence only is marked
//! provisional so a later fbq-call record can refine it.

use crate::decode::{Decoded, Endpoint};
use crate::journal::{CapturedRequest, Context, FrameType};
use crate::model::{is_legacy_order_status_path, origin_of, PageKind, PageView, Sender};
use crate::tables;

/// Attributes a hit. `page_origin` is the origin of the page view's URL (the
/// store page), `None` when it has none.
pub fn attribute(req: &CapturedRequest, decoded: &Decoded, page_origin: Option<&str>) -> Sender {
    let ctx = &req.context;
    let mut evidence = Vec::new();
    // 1. Frame or worker URL: Shopify's sandboxes.
    for url in [ctx.document_url.as_deref(), req.initiator.as_deref()]
        .into_iter()
        .flatten()
    {
        if let Some(label) = tables::shopify_sandbox_sender(url) {
            let what = if ctx.frame_type == Some(FrameType::Worker) {
                "worker"
            } else {
                "frame"
            };
            evidence.push(format!("{what} {url}"));
            return strong(label, evidence);
        }
    }
    // The dl of a sandboxed custom pixel is often the sandbox URL itself.
    if let Some(dl) = decoded.get("dl") {
        if let Some(label) = tables::shopify_sandbox_sender(dl) {
            evidence.push(format!("dl {dl}"));
            return strong(label, evidence);
        }
    }
    // 2. A configured gateway endpoint.
    if let Endpoint::Gateway { prefix } = &decoded.endpoint {
        evidence.push(format!("gateway endpoint {prefix}"));
        return strong("gateway", evidence);
    }
    // 3. The agent parameter.
    if let Some(agent) = decoded.get("a").filter(|a| !a.is_empty()) {
        if let Some(label) = tables::agent_sender(agent) {
            evidence.push(format!("agent a={agent}"));
            return strong(label, evidence);
        }
        evidence.push(format!("agent a={agent} (not a known sender)"));
    }
    // 4. Stack: the first script that is not Meta's own library.
    if let Some(script) = req.stack.iter().find(|u| !is_meta_script(u)) {
        return script_sender(script, page_origin, evidence, "stack");
    }
    // 5. A worker or frame of another origin.
    if matches!(ctx.frame_type, Some(FrameType::Worker) | Some(FrameType::Sub)) {
        if let Some(doc) = ctx.document_url.as_deref() {
            let doc_origin = origin_of(doc);
            if doc_origin.is_some() && doc_origin.as_deref() != page_origin {
                evidence.push(format!("frame {doc}"));
                return strong(&format!("other:{}", doc_origin.unwrap_or_default()), evidence);
            }
            evidence.push(format!(
                "{} {doc}",
                if ctx.frame_type == Some(FrameType::Worker) {
                    "worker"
                } else {
                    "frame"
                }
            ));
            let mut s = Sender {
                label: "unknown".into(),
                evidence,
                provisional: true,
                script: None,
                script_from_page: false,
            };
            if ctx.frame_type == Some(FrameType::Worker) {
                s.evidence
                    .push("a same-origin worker that is not a Shopify sandbox".into());
            }
            return s;
        }
    }
    let init_origin = req.initiator.as_deref().and_then(origin_of);
    if let (Some(init), Some(origin)) = (req.initiator.as_deref(), init_origin.as_deref()) {
        if page_origin.is_some_and(|p| p != origin) && !is_meta_script(init) {
            evidence.push(format!("initiator {init}"));
            return strong(&format!("other:{origin}"), evidence);
        }
    }
    // A request of the store page's own top frame with no agent and no other
    // evidence was built by one of the page's scripts: the theme, as far as
    // the network can tell. Provisional, so an fbq-call record can refine it.
    if ctx.frame_type == Some(FrameType::Main)
        && page_origin.is_some()
        && (init_origin.is_none() || init_origin.as_deref() == page_origin)
    {
        evidence.push("sent by the store page's own top frame (no agent, stack or fbq call)".into());
        return Sender {
            label: "theme".into(),
            evidence,
            provisional: true,
            script: None,
            script_from_page: false,
        };
    }
    if evidence.is_empty() {
        Sender::unknown()
    } else {
        Sender {
            label: "unknown".into(),
            evidence,
            provisional: true,
            script: None,
            script_from_page: false,
        }
    }
}

/// Refines a provisional attribution with the script that called `fbq`.
pub fn from_fbq_caller(caller: &str, page_origin: Option<&str>, mut prior: Vec<String>) -> Sender {
    prior.retain(|e| !e.starts_with("no frame"));
    let mut s = script_sender(caller, page_origin, prior, "fbq caller (page-reported)");
    s.script_from_page = true;
    s
}

fn script_sender(script: &str, page_origin: Option<&str>, evidence: Vec<String>, how: &str) -> Sender {
    let mut s = script_label(script, page_origin, evidence, how);
    s.script = Some(script.to_owned());
    s
}

fn script_label(script: &str, page_origin: Option<&str>, mut evidence: Vec<String>, how: &str) -> Sender {
    evidence.push(format!("{how} {script}"));
    if tables::GTM_SCRIPT_NEEDLES.iter().any(|n| script.contains(n)) {
        return strong("gtm", evidence);
    }
    if let Some(label) = tables::shopify_sandbox_sender(script) {
        return strong(label, evidence);
    }
    let script_origin = origin_of(script);
    let host = url::Url::parse(script)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    if script_origin.is_some()
        && (script_origin.as_deref() == page_origin || tables::STORE_CDN_HOSTS.contains(&host.as_str()))
    {
        return strong("theme", evidence);
    }
    match script_origin {
        Some(o) => strong(&format!("other:{o}"), evidence),
        None => Sender {
            label: "unknown".into(),
            evidence,
            provisional: true,
            script: None,
            script_from_page: false,
        },
    }
}

fn strong(label: &str, evidence: Vec<String>) -> Sender {
    Sender {
        label: label.to_owned(),
        evidence,
        provisional: false,
        script: None,
        script_from_page: false,
    }
}

/// Whether `url` is a script a storefront script tag loaded. Shopify's
/// storefront loader (the `asyncLoad` function in `content_for_header`) adds
/// `?shop=<shop>.myshopify.com` to the `src` of every ScriptTag it injects on
/// `load`, which no theme asset carries; app embed blocks, the replacement, are
/// served from Shopify's CDN under `/extensions/`. (Seen in storefront HTML
/// published on GitHub: nocarefree/php-shopify-template,
/// src/Drops/ContentForHeader.php, a captured `content_for_header` whose
/// `asyncLoad` loads `…/embed/loader.js?shop=test-nocarefree.myshopify.com`;
/// maryjok127/maryjok, dist/client/lookbook.js, the same loader with
/// `shopthelook.js?shop=15f63f.myshopify.com&…`.)
pub fn is_script_tag_url(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    let host = u.host_str().unwrap_or_default();
    if tables::STORE_CDN_HOSTS.contains(&host) && u.path().starts_with(tables::APP_EMBED_PATH) {
        return false;
    }
    u.query_pairs().any(|(k, v)| {
        k == tables::SCRIPT_TAG_SHOP_PARAM
            && v.len() > tables::SHOP_DOMAIN_SUFFIX.len()
            && v.to_ascii_lowercase().ends_with(tables::SHOP_DOMAIN_SUFFIX)
    })
}

/// Whether `url` is the legacy order status page, the one that still runs
/// "Additional scripts" and order-status script tags:
/// `/<shop id>/checkouts/<token>/thank_you` or `/<shop id>/orders/<token>`.
/// Upgraded pages (`/checkouts/c/…`, `/checkouts/cn/…`) run neither.
pub fn is_legacy_order_status_page(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| is_legacy_order_status_path(u.path()))
}

/// Whether a counted hit was sent by a source Shopify is switching off, as
/// (finding code, the script or page that sent it). A script-tag script
/// (`is_script_tag_url`) on a storefront page is `pixel_in_script_tag`; on an
/// order confirmation page it is a script tag scoped to the order status page,
/// `pixel_in_order_status_script`. On the legacy order status page
/// (`is_legacy_order_status_page`), any pixel sent from the page's own
/// document (not a web pixel sandbox, not Shopify's own code with its
/// `plshopify` agent) came from its "Additional scripts" or checkout.liquid,
/// which upgraded pages no longer run: `pixel_in_order_status_script` too.
///
/// Whether Shopify's own code or a web pixel sent it is read from the network
/// label (`network_label`): an fbq caller the page names cannot clear it.
pub fn retiring_source(
    sender: &Sender,
    network_label: &str,
    context: &Context,
    page: &PageView,
) -> Option<(&'static str, String)> {
    let script = sender.script.as_deref();
    let tag = script.filter(|s| is_script_tag_url(s));
    if page.kind == PageKind::ThankYou {
        let own_document = match context.frame_type {
            Some(FrameType::Main) => true,
            Some(FrameType::Sub | FrameType::Worker) => false,
            None => script.is_some(),
        };
        let shopify = network_label.starts_with("shopify_") || network_label == "gateway";
        if let Some(t) = tag {
            return Some(("pixel_in_order_status_script", t.to_owned()));
        }
        if own_document && !shopify && page.legacy_order_status {
            let what = script.map_or_else(|| crate::model::page_key(&page.url).to_owned(), str::to_owned);
            return Some(("pixel_in_order_status_script", what));
        }
        return None;
    }
    tag.map(|t| ("pixel_in_script_tag", t.to_owned()))
}

fn is_meta_script(url: &str) -> bool {
    url.contains("connect.facebook.net") || url.contains("/fbevents") || url.contains("/signals/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode, DecodeConfig};
    use crate::journal::Context;

    fn req(url: &str) -> CapturedRequest {
        CapturedRequest {
            url: url.into(),
            method: "GET".into(),
            request_type: Some("image".into()),
            ..CapturedRequest::default()
        }
    }

    fn sender_of(r: &CapturedRequest) -> Sender {
        let d = decode(r, &DecodeConfig::default()).expect("pixel hit");
        attribute(r, &d, origin_of("https://shop.test/products/tee").as_deref())
    }

    #[test]
    fn custom_pixel_frame_and_app_pixel_worker() {
        let mut r = req("https://www.facebook.com/tr/?id=1&ev=PageView");
        r.context = Context {
            frame_type: Some(FrameType::Sub),
            document_url: Some("https://shop.test/wpm@abc/custom/web-pixel-9@1/sandbox/modern/".into()),
            ..Context::default()
        };
        assert_eq!(sender_of(&r).label, "shopify_custom_pixel");
        r.context.frame_type = Some(FrameType::Worker);
        r.context.document_url = Some("https://shop.test/wpm@abc/app/web-pixel-3@2/sandbox/worker.modern.js".into());
        assert_eq!(sender_of(&r).label, "shopify_app_pixel");
    }

    #[test]
    fn agent_and_stack() {
        let r = req("https://www.facebook.com/tr/?id=1&ev=PageView&a=tmgoogletagmanager");
        assert_eq!(sender_of(&r).label, "gtm");
        let mut r = req("https://www.facebook.com/tr/?id=1&ev=PageView");
        r.stack = vec![
            "https://connect.facebook.net/en_US/fbevents.js".into(),
            "https://shop.test/cdn/shop/t/1/assets/theme.js".into(),
        ];
        let s = sender_of(&r);
        assert_eq!(s.label, "theme");
        assert!(s.evidence.iter().any(|e| e.contains("theme.js")));
        r.stack = vec!["https://tags.example.net/loader.js".into()];
        assert_eq!(sender_of(&r).label, "other:https://tags.example.net");
    }

    #[test]
    fn store_top_frame_without_other_evidence_is_theme_but_provisional() {
        let mut r = req("https://www.facebook.com/tr/?id=1&ev=Purchase");
        r.context.frame_type = Some(FrameType::Main);
        r.initiator = Some("https://shop.test".into());
        let s = sender_of(&r);
        assert_eq!(s.label, "theme");
        assert!(s.provisional);
        r.initiator = Some("https://tags.example.net".into());
        assert_eq!(sender_of(&r).label, "other:https://tags.example.net");
    }

    /// What the legacy order status check said when it listed the path's parts.
    fn legacy_by_list(path: &str) -> bool {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let shop_id = parts
            .first()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        shop_id
            && match parts.as_slice() {
                [_, "checkouts", token, "thank_you"] => !token.is_empty(),
                [_, "orders", token] => !token.is_empty(),
                _ => false,
            }
    }

    proptest::proptest! {
        #[test]
        fn legacy_order_status_path_is_what_the_list_said(parts in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just(""), proptest::strategy::Just("/"), proptest::strategy::Just("123"),
                proptest::strategy::Just("checkouts"), proptest::strategy::Just("orders"),
                proptest::strategy::Just("thank_you"), proptest::strategy::Just("tok"), proptest::strategy::Just("c"),
            ],
            0..9,
        )) {
            let path = parts.join("/");
            proptest::prop_assert_eq!(is_legacy_order_status_path(&path), legacy_by_list(&path), "{}", path);
        }
    }

    #[test]
    fn no_evidence_is_unknown_and_provisional() {
        let s = sender_of(&req("https://www.facebook.com/tr/?id=1&ev=PageView"));
        assert_eq!(s.label, "unknown");
        assert!(s.provisional);
        let refined = from_fbq_caller("https://shop.test/products/tee", Some("https://shop.test"), s.evidence);
        assert_eq!(refined.label, "theme");
    }
}
