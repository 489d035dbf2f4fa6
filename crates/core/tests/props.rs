//! Property tests: no parser of untrusted input panics, whatever it is fed; the
//! packet made from arbitrary pixel traffic holds every hit and only findings
//! about those hits; the incremental engine equals a full re-run.

// Test helpers may panic: a panic is a failed test here.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use pixelproof_core::decode::{decode, DecodeConfig};
use pixelproof_core::har::read_har;
use pixelproof_core::inputs::{parse_capi, parse_capi_response, parse_order};
use pixelproof_core::journal::{Body, CapturedRequest, Record};
use pixelproof_core::rules::{self, Severity};
use pixelproof_core::{Packet, PacketOptions, Review, Session};
use proptest::prelude::*;

fn pixel_url() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("id".to_string()),
        Just("ev".to_string()),
        Just("eid".to_string()),
        Just("dl".to_string()),
        Just("cd[value]".to_string()),
        Just("cd[currency]".to_string()),
        Just("cd[contents]".to_string()),
        Just("cd[content_ids]".to_string()),
        Just("ud[em]".to_string()),
        Just("rqm".to_string()),
        Just("cd[order_id]".to_string()),
        "[a-z\\[\\]%]{1,8}",
    ];
    let value = prop_oneof![
        Just("Purchase".to_string()),
        Just("AddToCart".to_string()),
        Just("USD".to_string()),
        Just("[{\"id\":1}]".to_string()),
        "[ -~]{0,20}",
        "%[0-9A-Fa-fZz]{0,2}",
        "\\PC{0,12}",
    ];
    let host = prop_oneof![
        Just("www.facebook.com"),
        Just("www.eu.facebook.com"),
        Just("www.instagram.com")
    ];
    let path = prop_oneof![
        Just("/tr/"),
        Just("/tr"),
        Just("/privacy_sandbox/pixel/register/trigger/")
    ];
    (host, path, prop::collection::vec((key, value), 0..24)).prop_map(|(h, p, kv)| {
        let q: Vec<String> = kv.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("https://{h}{p}?{}", q.join("&"))
    })
}

fn body() -> impl Strategy<Value = Option<Body>> {
    prop_oneof![
        Just(None),
        (prop::option::of("[a-z/;= -]{0,40}"), "\\PC{0,200}")
            .prop_map(|(ct, text)| Some(Body::Text { content_type: ct, text })),
        "[A-Za-z0-9+/=]{0,80}".prop_map(|b| Some(Body::Bytes {
            content_type: None,
            base64: b
        })),
        ("[-A-Za-z0-9]{1,12}", prop::collection::vec(any::<u8>(), 0..200)).prop_map(|(b, bytes)| {
            let mut text = format!("--{b}\r\nContent-Disposition: form-data; name=\"ev\"\r\n\r\n");
            text.push_str(&String::from_utf8_lossy(&bytes));
            Some(Body::Text {
                content_type: Some(format!("multipart/form-data; boundary={b}")),
                text,
            })
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn decoder_never_panics_on_arbitrary_strings(url in "\\PC{0,300}", method in "[A-Z]{0,6}", b in body()) {
        let r = CapturedRequest { url, method, body: b, ..CapturedRequest::default() };
        let _ = decode(&r, &DecodeConfig::default());
    }

    #[test]
    fn pixel_shaped_requests_always_decode_and_judge(urls in prop::collection::vec((pixel_url(), body()), 1..12)) {
        let mut s = Session::new(DecodeConfig::default());
        let added = urls.len();
        for (i, (url, b)) in urls.into_iter().enumerate() {
            let r = CapturedRequest { url, method: "POST".into(), body: b, request_type: Some("ping".into()), time: 1e12 + i as f64 * 700.0, ..CapturedRequest::default() };
            prop_assert!(decode(&r, &DecodeConfig::default()).is_some());
            s.add(Record::Request(r));
        }
        let p = Packet::build(&mut s, &Review::default(), &PacketOptions::default());
        let md = p.to_markdown();
        prop_assert!(md.starts_with("# PixelProof review"), "{}", md);
        // The JSON is a packet a machine can read back, holding every hit added.
        let json: serde_json::Value = serde_json::from_str(&p.to_json()).expect("the packet's JSON parses");
        prop_assert_eq!(&json["packet_version"], 2);
        let hits = json["hits"].as_array().expect("hits");
        prop_assert_eq!(hits.len(), added);
        let ids: Vec<u64> = hits.iter().filter_map(|h| h["id"].as_u64()).collect();
        prop_assert_eq!(ids.len(), added, "every hit has an id");
        let pages = json["pages"].as_array().expect("pages").len() as u64;
        for g in json["findings"].as_array().expect("findings") {
            let code = g["code"].as_str().expect("code");
            let rule = rules::info(code).expect("a registered code");
            let instances = g["instances"].as_array().expect("instances");
            prop_assert!(!instances.is_empty(), "{} is a group without instances", code);
            for f in instances {
                // Findings point at hits and page views the packet holds, with a severity their rule can give.
                for id in f["hit_ids"].as_array().expect("hit_ids") {
                    prop_assert!(id.as_u64().is_some_and(|id| ids.contains(&id)), "{} names hit {} not in the packet", code, id);
                }
                if let Some(pv) = f["page_view"].as_u64() {
                    prop_assert!((1..=pages).contains(&pv), "{} names page view {} of {}", code, pv, pages);
                }
                let severity = f["severity"].as_str().expect("severity");
                prop_assert!(
                    [Severity::Fail, Severity::Warn, Severity::Info].iter().any(|s| s.as_str() == severity && rule.severity.allows(*s)),
                    "{} has severity {} its rule cannot give", code, severity
                );
            }
        }
    }

    #[test]
    fn har_reader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = read_har("fuzz.har", &bytes, &DecodeConfig::default());
    }

    #[test]
    fn har_reader_never_panics_on_har_shaped_json(url in "\\PC{0,60}", t in "\\PC{0,30}", ty in "[a-z]{0,8}", status in any::<i64>()) {
        let text = serde_json::json!({"log": {"entries": [{"startedDateTime": t, "_resourceType": ty, "request": {"method": "GET", "url": url, "headers": []}, "response": {"status": status}}]}}).to_string();
        let _ = read_har("fuzz.har", text.as_bytes(), &DecodeConfig::default());
    }

    #[test]
    fn capi_and_order_parsers_never_panic(text in "\\PC{0,300}") {
        let _ = parse_capi("fuzz", &text);
        let _ = parse_capi_response("fuzz", &text);
        let _ = parse_order("fuzz", &text);
    }

    #[test]
    fn echoed_contact_data_never_survives_masking(user in "[a-z][a-z0-9._]{0,12}", host in "[a-z]{1,10}", before in "\\PC{0,40}", digits in "[0-9]{7,12}") {
        let email = format!("{user}@{host}.com");
        let phone = format!("+{digits}");
        let text = format!("{before} {email} and {phone}.");
        let masked = pixelproof_core::privacy::mask_echoes(&text).expect("something to mask");
        prop_assert!(!masked.contains(&email), "{}", masked);
        prop_assert!(!masked.contains(&phone), "{}", masked);
        // Masking twice changes nothing more.
        prop_assert_eq!(pixelproof_core::privacy::mask_echoes(&masked), None);
    }

    /// Any text of the characters addresses and their encodings are made of:
    /// masking never panics, and masking what is masked changes nothing.
    #[test]
    fn masking_addresses_never_panics_and_is_settled_after_once(parts in prop::collection::vec(prop::sample::select(vec![
        "@", "%40", "%2540", "%25", "%2", "%", "25", "40", "a", "b.co", ".", "-", "_", "+", "'", "é", "%C3%A9", "%C3",
        "://", "/", "?", "#", "=", "&", ":", "plain:email:", "plain%3Aemail%3A", "x@y.de", "\u{1F600}",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    ]), 0..40)) {
        let text = parts.concat();
        let mask = pixelproof_core::privacy::mask_emails;
        // The text inside another URL's parameter (a page URL in a hit's dl)
        // is masked to the same markers.
        let inner = percent_encoding::utf8_percent_encode(&text, percent_encoding::NON_ALPHANUMERIC).to_string();
        let outer = mask(&inner).unwrap_or(inner);
        prop_assert_eq!(percent_encoding::percent_decode_str(&outer).decode_utf8_lossy(), mask(&text).unwrap_or_else(|| text.clone()));
        if let Some(masked) = mask(&text) {
            prop_assert_eq!(mask(&masked), None, "{} → {}", text, masked);
        }
    }

    /// An address in a page URL, as typed or percent-encoded once or twice,
    /// never survives, in any encoding, and is masked to the same marker.
    #[test]
    fn an_address_in_a_url_never_survives_masking(user in "[a-z0-9][a-z0-9._+-]{0,12}", host in "[a-z0-9-]{1,10}", tld in "[a-z]{2,6}", path in "[a-z0-9/._-]{0,20}", tail in "\\PC{0,30}", depth in 0usize..5) {
        // No second address in the tail; a top-level domain, not a file's extension.
        let tail = tail.replace('@', "");
        let tld = if pixelproof_core::privacy::FILE_EXTENSIONS.contains(&tld.as_str()) { format!("{tld}x") } else { tld };
        let email = format!("{user}@{host}.{tld}");
        let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let mut value = email.clone();
        for _ in 0..depth {
            value = encode(&value);
        }
        let text = format!("https://shop.test/{path}?email={value}&next={}", encode(&tail));
        let masked = pixelproof_core::privacy::mask_emails(&text).expect("an address to mask");
        let decoded = percent_encoding::percent_decode_str(&percent_encoding::percent_decode_str(&masked).decode_utf8_lossy()).decode_utf8_lossy().into_owned();
        prop_assert!(!decoded.contains(&format!("{user}@")), "{}", masked);
        let marker = pixelproof_core::privacy::mask("em", &email).expect("a marker");
        prop_assert!(masked.contains(&marker), "{}", masked);
        prop_assert_eq!(pixelproof_core::privacy::mask_emails(&masked), None);
    }

    #[test]
    fn capi_and_order_parsers_never_panic_on_json_shapes(v in any::<f64>(), s in "\\PC{0,20}", n in any::<i64>()) {
        let capi = serde_json::json!({"data": [{"event_name": s, "event_id": n, "custom_data": {"value": v, "currency": s}}]}).to_string();
        let _ = parse_capi("fuzz", &capi);
        let order = serde_json::json!({"order": {"total_price": s, "line_items": [{"quantity": n}], "total_shipping_price_set": {"shop_money": {"amount": v}}}}).to_string();
        let _ = parse_order("fuzz", &order);
        let typed = serde_json::json!({"total": v, "currency": s, "item_count": n}).to_string();
        let _ = parse_order("fuzz", &typed);
    }
}

/// The store pages of the generated journeys. The first is an ad click's
/// landing page, so the click-id rules judge too.
const PAGES: [&str; 3] = [
    "https://shop.test/products/a?fbclid=IwAR2F4-dbP0l7Mn1IawQQ",
    "https://shop.test/cart",
    "https://shop.test/checkouts/cn/1/thank_you",
];

/// Records of a plausible journey: navigations, hits with a few shapes,
/// gestures, fbq calls, script inventories and server payloads, in random
/// order and timing.
fn journey_record() -> impl Strategy<Value = (u8, u8, u8, u16)> {
    (0u8..8, 0u8..6, 0u8..4, 0u16..3000)
}

fn materialise(spec: Vec<(u8, u8, u8, u16)>) -> Vec<Record> {
    use pixelproof_core::journal::{
        Context, FbqCall, FrameType, Gesture, GestureWatch, Navigation, Origin, ScriptInventory, UserText,
    };
    let pages = PAGES;
    let events = [
        "PageView",
        "ViewContent",
        "AddToCart",
        "InitiateCheckout",
        "Purchase",
        "Lead",
    ];
    let mut t = 1.7e12;
    let mut page = pages[0].to_owned();
    let mut out = Vec::new();
    for (kind, ev, variant, dt) in spec {
        t += f64::from(dt);
        let ctx = Context {
            tab_id: Some(1),
            frame_type: Some(FrameType::Main),
            top_url: Some(page.clone()),
            document_url: Some(page.clone()),
            ..Context::default()
        };
        match kind {
            // A URL change within the document (replaceState, pushState).
            0 if variant == 3 && ev % 2 == 0 => {
                page = format!("{}?variant={ev}", page.split('?').next().unwrap_or_default());
                out.push(Record::Navigation(Navigation {
                    url: page.clone(),
                    time: t,
                    tab_id: Some(1),
                    transition: Some("history".into()),
                    ..Navigation::default()
                }));
            }
            0 => {
                page = pages[usize::from(variant) % pages.len()].to_owned();
                out.push(Record::Navigation(Navigation {
                    url: page.clone(),
                    time: t,
                    ..Navigation::default()
                }));
            }
            1..=3 => {
                let ev = events[usize::from(ev)];
                let eid = match variant {
                    0 => String::new(),
                    1 => "&eid=same".into(),
                    _ => format!("&eid=e{}", t as u64),
                };
                let extra = match variant {
                    0 => "&cd[value]=$5&cd[currency]=usd",
                    1 => "&cd[value]=5.00&cd[currency]=USD&cd[content_ids]=%5B%22a%22%5D&fbp=fb.1.1700000000000.42&fbc=fb.1.1700000000000.IwAR2F4-dbP0l7Mn1IawQQ",
                    2 => "&a=tmgoogletagmanager&cd[order_id]=9&fbc=fb.1.1700000000.iwar2f4",
                    _ => "&ud[em]=x%40y.z&fbp=fb.1.1700000000000.7",
                };
                // Now and then a request the page built with a page URL of its own.
                let dl = if kind == 3 && variant == 3 {
                    "https://shop.test/made-up"
                } else {
                    page.as_str()
                };
                let url = format!(
                    "https://www.facebook.com/tr/?id=1&ev={ev}&dl={}{eid}{extra}",
                    form_urlencoded::byte_serialize(dl.as_bytes()).collect::<String>()
                );
                out.push(Record::Request(CapturedRequest {
                    url,
                    method: "GET".into(),
                    request_type: Some("image".into()),
                    context: ctx,
                    time: t,
                    ..CapturedRequest::default()
                }));
            }
            // Trusted gestures, a gesture the page reported (never counts) and
            // the extension's gesture watch (turns the gesture rules on).
            4 if variant < 3 => out.push(Record::Gesture(Gesture {
                gesture: "click".into(),
                target: None,
                context: ctx,
                time: t,
                origin: if variant == 2 { Origin::Page } else { Origin::Isolated },
            })),
            4 => out.push(Record::GestureWatch(GestureWatch {
                context: ctx,
                time: t,
                origin: Origin::Isolated,
            })),
            5 => out.push(Record::FbqCall(FbqCall {
                method: match variant {
                    0 => "init".into(),
                    3 => "consent".into(),
                    _ => "track".into(),
                },
                args: vec![serde_json::json!(match variant {
                    0 => "1",
                    3 if ev % 2 == 0 => "revoke",
                    3 => "grant",
                    _ => events[usize::from(ev)],
                })],
                caller: Some("https://www.googletagmanager.com/gtm.js?id=GTM-1".into()),
                context: ctx,
                time: t,
                ..FbqCall::default()
            })),
            6 => out.push(Record::Scripts(ScriptInventory {
                context: ctx,
                time: t,
                base_code_runs: u32::from(variant),
                ..ScriptInventory::default()
            })),
            // Server payloads in the shapes the payload checks judge: right,
            // and wrong in each way they look for.
            _ => {
                let ev = events[usize::from(ev)];
                let secs = (t / 1000.0) as i64;
                let body = match variant {
                    0 => {
                        serde_json::json!({"data": [{"event_name": ev, "event_time": secs, "event_id": format!("e{}", t as u64),
                        "action_source": "website", "event_source_url": page,
                        "user_data": {"em": ["86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d"], "client_user_agent": "Mozilla/5.0",
                            "fbp": "fb.1.1700000000000.42", "fbc": "fb.1.1700000000000.IwAR2F4-dbP0l7Mn1IawQQ"}}]})
                    }
                    1 => serde_json::json!([{"event_name": ev, "event_time": "yesterday", "event_id": "same",
                        "custom_data": {"eventID": "same"}, "user_data": {"em": "x@y.z", "fbp": "fb.1.1700000000000.9"}}]),
                    2 => {
                        serde_json::json!({"data": [{"event_name": ev, "event_time": t as i64, "action_source": "Website",
                        "user_data": {"fbc": "fb.1.1700000000.AbC", "client_ip_address": "0123456789abcdef0123456789abcdef"}}], "test_event_code": "TEST1"})
                    }
                    _ => {
                        serde_json::json!({"event_name": ev, "event_time": secs - 8 * 86_400, "event_id": "same", "action_source": "website"})
                    }
                };
                out.push(Record::ServerPayload(UserText {
                    label: "capi.json".into(),
                    text: body.to_string(),
                    ..Default::default()
                }));
                // Meta's answer to it, of each kind: accepted, short, refused.
                let response = match secs.rem_euclid(4) {
                    0 => Some(serde_json::json!({"events_received": 1, "messages": [], "fbtrace_id": "AcRvWq5n1h8"})),
                    1 => Some(
                        serde_json::json!({"events_received": 0, "messages": ["dropped"], "fbtrace_id": "AZ8gLx2m"}),
                    ),
                    2 => Some(
                        serde_json::json!({"error": {"message": "Invalid parameter", "code": 100, "error_subcode": 2804019, "fbtrace_id": "A5bXk0Qy"}}),
                    ),
                    _ => None,
                };
                if let Some(r) = response {
                    out.push(Record::ServerResponse(UserText {
                        label: "response.json".into(),
                        text: r.to_string(),
                        order_name: None,
                        pixel_id: None,
                    }));
                }
            }
        }
    }
    out
}

/// The findings of a session refreshed after every record, as the extension
/// runs it, and of a full re-run over the same records.
fn live_and_rerun(records: Vec<Record>) -> (Vec<String>, Vec<String>) {
    let mut live = Session::new(DecodeConfig::default());
    for r in records.clone() {
        live.add(r);
        live.refresh();
    }
    let mut batch = Session::from_records(DecodeConfig::default(), records);
    batch.reevaluate();
    (sorted_findings(&mut live), sorted_findings(&mut batch))
}

fn sorted_findings(s: &mut Session) -> Vec<String> {
    let mut v: Vec<String> = s
        .findings()
        .iter()
        .map(|f| {
            format!(
                "{}|{:?}|{:?}|{:?}|{}",
                f.code, f.severity, f.event, f.hit_ids, f.message
            )
        })
        .collect();
    v.sort();
    v
}

/// Cases for the journey property: 200 in the test command, more on request
/// (`PROPTEST_CASES=20000`, which `./build.sh soak` sets).
fn journey_cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(journey_cases()))]

    /// The incremental engine (refresh after every record) gives exactly what a
    /// full re-run over the finished journal gives.
    #[test]
    fn incremental_results_equal_a_full_rerun(spec in prop::collection::vec(journey_record(), 1..60)) {
        let (incremental, rerun) = live_and_rerun(materialise(spec));
        prop_assert_eq!(incremental, rerun);
    }
}

/// A journey whose records all carry the same millisecond. Live, the
/// AddToCart was judged before the click arrived and its group was never
/// re-judged (the click landed in a later page view); a full re-run saw the click.
#[test]
fn equal_times_judge_the_same_live_and_in_a_rerun() {
    // (kind, event, variant, dt): navigation, navigation, fbq init, the
    // extension's gesture watch, AddToCart without eid, navigation, click — all
    // in the same millisecond.
    let spec = vec![
        (0, 0, 0, 0),
        (0, 0, 1, 0),
        (5, 0, 0, 0),
        (4, 0, 3, 0),
        (1, 2, 0, 0),
        (0, 0, 2, 0),
        (4, 0, 0, 0),
    ];
    let (incremental, rerun) = live_and_rerun(materialise(spec));
    assert_eq!(incremental, rerun);
}

/// Page records a page could forge into a journey: gestures it reports itself,
/// fbq calls naming any caller, script inventories, FB_LOG messages, and
/// Shopify context with any page type and order figures.
fn forged_record() -> impl Strategy<Value = (u8, u8, u16, u16)> {
    (0u8..7, 0u8..8, 0u16..3000, 0u16..200)
}

fn forge(base: &[Record], forged: Vec<(u8, u8, u16, u16)>) -> Vec<Record> {
    use pixelproof_core::inputs::OrderFigures;
    use pixelproof_core::journal::{
        Consent, Context, FbLog, FbqCall, FrameType, Gesture, Origin, ScriptInventory, ShopifyContext, VisitorConsent,
    };
    let pages = PAGES;
    let callers = [
        "https://www.googletagmanager.com/gtm.js?id=GTM-1",
        "https://shop.test/cdn/shop/t/1/assets/theme.js",
        "https://apps.example/pixel.js",
    ];
    let mut out = base.to_vec();
    for (kind, variant, at, amount) in forged {
        // Anywhere in the journal (page records arrive late and out of order),
        // but sent from the page the tab showed there: the browser, not the
        // page, names the document a record comes from.
        let index = usize::from(at) % (out.len() + 1);
        let page = out[..index]
            .iter()
            .rev()
            .find_map(|r| match r {
                Record::Navigation(n) => Some(n.url.clone()),
                _ => None,
            })
            .unwrap_or_else(|| pages[0].to_string());
        let page = page.as_str();
        let time = out[..index].iter().rev().find_map(Record::time).unwrap_or(1.7e12) + f64::from(amount % 7) * 300.0;
        let context = Context {
            tab_id: Some(1),
            frame_type: Some(FrameType::Main),
            top_url: Some(page.into()),
            document_url: Some(page.into()),
            ..Context::default()
        };
        let record = match kind {
            0 => Record::Gesture(Gesture {
                gesture: "click".into(),
                target: Some("forged".into()),
                context,
                time,
                origin: Origin::Page,
            }),
            // A page can claim it revoked (or granted) the pixel's consent.
            1 if variant >= 6 => Record::FbqCall(FbqCall {
                method: "consent".into(),
                args: vec![serde_json::json!(if variant == 6 { "revoke" } else { "grant" })],
                caller: Some(callers[usize::from(variant) % callers.len()].into()),
                context,
                time,
                ..FbqCall::default()
            }),
            1 => Record::FbqCall(FbqCall {
                method: "track".into(),
                args: vec![serde_json::json!(
                    ["ViewContent", "AddToCart", "Purchase", "PageView"][usize::from(variant) % 4]
                )],
                caller: Some(callers[usize::from(variant) % callers.len()].into()),
                context,
                time,
                ..FbqCall::default()
            }),
            2 => Record::Scripts(ScriptInventory {
                context,
                time,
                base_code_runs: u32::from(variant % 3),
                loaded: Some(variant % 2 == 0),
                ..ScriptInventory::default()
            }),
            3 => Record::FbLog(FbLog {
                level: "error".into(),
                message: "forged".into(),
                context,
                time,
            }),
            // A page can claim any consent state (Shopify's Customer Privacy API).
            6 => Record::Consent(Consent {
                context,
                time,
                trigger: Some("api".into()),
                visitor_consent: Some(VisitorConsent {
                    marketing: Some(["yes", "no", ""][usize::from(variant) % 3].into()),
                    ..VisitorConsent::default()
                }),
                marketing_allowed: Some(variant % 2 == 0),
                analytics_allowed: Some(variant % 3 == 0),
            }),
            _ => Record::Shopify(ShopifyContext {
                context,
                time,
                page_type: Some(["product", "cart", "thank_you", "home"][usize::from(variant) % 4].into()),
                cart_item_count: Some(u32::from(variant)),
                order: (kind == 5).then(|| OrderFigures {
                    total: f64::from(amount) / 10.0,
                    currency: Some("USD".into()),
                    item_count: Some(u32::from(variant)),
                    ..OrderFigures::default()
                }),
                ..ShopifyContext::default()
            }),
        };
        out.insert(index, record);
    }
    out
}

/// Findings per (code, event, pixel): the most severe instance and every hit
/// named. A page record may not take a finding away, lower it, or clear a hit
/// from it (it may split one finding into several, or name more hits).
type Doubt = std::collections::BTreeMap<String, (pixelproof_core::rules::Severity, std::collections::BTreeSet<u32>)>;
fn finding_keys(s: &mut Session) -> Doubt {
    let mut out = Doubt::new();
    for f in s.findings() {
        let e = out
            .entry(format!("{}|{:?}|{:?}", f.code, f.event, f.pixel_id))
            .or_insert((f.severity, Default::default()));
        e.0 = e.0.min(f.severity);
        e.1.extend(f.hit_ids.iter().copied());
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(journey_cases()))]

    /// Anything the page can send may add doubt, never remove it.
    /// Every finding of the journey without page records is still there, at
    /// least as severe, once forged page records are mixed in; no gate check is
    /// better than without them.
    #[test]
    fn page_records_add_doubt_and_never_remove_it(
        spec in prop::collection::vec(journey_record(), 1..40),
        forged in prop::collection::vec(forged_record(), 0..12),
    ) {
        use pixelproof_core::results::{gate, CheckState};
        // The journey as the network and the isolated world saw it.
        let base: Vec<Record> = materialise(spec)
            .into_iter()
            .filter(|r| !matches!(r, Record::FbqCall(_) | Record::Scripts(_)))
            .collect();
        let with_page = forge(&base, forged);
        let mut clean = Session::from_records(DecodeConfig::default(), base);
        let mut dirty = Session::from_records(DecodeConfig::default(), with_page);
        let before = finding_keys(&mut clean);
        let after = finding_keys(&mut dirty);
        for (key, (severity, hits)) in &before {
            let now = after.get(key);
            prop_assert!(now.is_some(), "page records removed {key}; after: {:?}", after.keys().collect::<Vec<_>>());
            prop_assert!(now.is_some_and(|(s, _)| s <= severity), "page records lowered {key}");
            prop_assert!(now.is_some_and(|(_, h)| h.is_superset(hits)), "page records cleared hits of {key}: {:?} → {:?}", hits, now.map(|n| &n.1));
        }
        let rank = |s: CheckState| match s {
            CheckState::Stop => 0,
            CheckState::Unverified => 1,
            CheckState::Go => 2,
        };
        let review = Review::default();
        let (fa, fb) = (clean.findings(), dirty.findings());
        let g0 = gate(clean.journey(), &fa, &review);
        let g1 = gate(dirty.journey(), &fb, &review);
        for (c0, c1) in g0.checks.iter().zip(&g1.checks) {
            prop_assert!(rank(c1.state) <= rank(c0.state), "page records raised the {} check: {:?} → {:?}", c0.name, c0.state, c1.state);
        }
    }
}
