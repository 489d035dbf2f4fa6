//! Table-driven decoding tests on captures shaped like real fbevents traffic.

// Test helpers may panic: a panic is a failed test here.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use pixelproof_core::decode::{decode, Contents, DecodeConfig, Endpoint, Transport};
use pixelproof_core::journal::{Body, CapturedRequest};

const GET_IMAGE: &str = "https://www.facebook.com/tr/?id=1234567890&ev=ViewContent&dl=https%3A%2F%2Fshop.test%2Fproducts%2Fclassic-tee%3Fvariant%3D42&rl=https%3A%2F%2Fshop.test%2Fcollections%2Fall&if=false&ts=1763632800320&cd[content_ids]=%5B%22tee-blue-m%22%5D&cd[content_type]=product_group&cd[value]=30.00&cd[currency]=USD&sw=1920&sh=1080&v=2.9.179&r=stable&ec=2&o=4126&fbp=fb.1.1763632800000.118273645&ler=empty&cdl=API_unavailable&it=1763632800000&coo=false&eid=vc-7c1e&rqm=GET";

fn req(url: &str, method: &str, rtype: &str, body: Option<Body>) -> CapturedRequest {
    CapturedRequest {
        url: url.into(),
        method: method.into(),
        request_type: Some(rtype.into()),
        body,
        ..CapturedRequest::default()
    }
}

struct Case {
    name: &'static str,
    req: CapturedRequest,
    endpoint: Endpoint,
    transport: Transport,
    /// (key, value) pairs that must decode exactly.
    expect: Vec<(&'static str, &'static str)>,
    issues: usize,
}

fn multipart(fields: &[(&str, &str)]) -> Body {
    let b = "----WebKitFormBoundaryq8Zl3bD9uXc2PfRt";
    let mut text = String::new();
    for (k, v) in fields {
        text.push_str(&format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    text.push_str(&format!("--{b}--\r\n"));
    Body::Text {
        content_type: Some(format!("multipart/form-data; boundary={b}")),
        text,
    }
}

fn cases() -> Vec<Case> {
    let beacon_fields = [
        ("id", "1234567890"),
        ("ev", "AddToCart"),
        ("eid", "atc-1"),
        ("cd[value]", "60.00"),
        ("cd[currency]", "USD"),
        ("rqm", "SB"),
    ];
    vec![
        Case {
            name: "GET image",
            req: req(GET_IMAGE, "GET", "image", None),
            endpoint: Endpoint::TrSlash,
            transport: Transport::Get,
            expect: vec![
                ("id", "1234567890"),
                ("ev", "ViewContent"),
                ("dl", "https://shop.test/products/classic-tee?variant=42"),
                ("cd[content_ids]", "[\"tee-blue-m\"]"),
                ("eid", "vc-7c1e"),
                ("cdl", "API_unavailable"),
            ],
            issues: 0,
        },
        Case {
            name: "beacon multipart",
            req: req(
                "https://www.facebook.com/tr/",
                "POST",
                "ping",
                Some(multipart(&beacon_fields)),
            ),
            endpoint: Endpoint::TrSlash,
            transport: Transport::Beacon,
            expect: vec![("ev", "AddToCart"), ("cd[value]", "60.00"), ("eid", "atc-1")],
            issues: 0,
        },
        Case {
            name: "beacon urlencoded text",
            req: req(
                "https://www.facebook.com/tr/",
                "POST",
                "ping",
                Some(Body::Text {
                    content_type: Some("application/x-www-form-urlencoded;charset=UTF-8".into()),
                    text: "id=1&ev=AddToCart&cd%5Bvalue%5D=60.00&cd[content_name]=Classic+Tee+%E2%80%93+Blue&rqm=SB"
                        .into(),
                }),
            ),
            endpoint: Endpoint::TrSlash,
            transport: Transport::Beacon,
            expect: vec![("cd[value]", "60.00"), ("cd[content_name]", "Classic Tee – Blue")],
            issues: 0,
        },
        Case {
            name: "beacon parsed formData from webRequest",
            req: req(
                "https://www.facebook.com/tr/",
                "POST",
                "ping",
                Some(Body::Form {
                    fields: vec![
                        ("id".into(), "1".into()),
                        ("ev".into(), "Purchase".into()),
                        ("ud[em]".into(), "a".repeat(64)),
                    ],
                }),
            ),
            endpoint: Endpoint::TrSlash,
            transport: Transport::Beacon,
            expect: vec![("ev", "Purchase")],
            issues: 0,
        },
        Case {
            name: "beacon raw bytes (base64)",
            req: req(
                "https://www.facebook.com/tr/",
                "POST",
                "ping",
                Some(Body::Bytes {
                    content_type: None,
                    base64: "aWQ9MSZldj1MZWFkJnJxbT1TQg==".into(),
                }),
            ),
            endpoint: Endpoint::TrSlash,
            transport: Transport::Beacon,
            expect: vec![("id", "1"), ("ev", "Lead")],
            issues: 0,
        },
        Case {
            name: "hidden iframe form POST",
            req: req(
                "https://www.facebook.com/tr/",
                "POST",
                "sub_frame",
                Some(Body::Text {
                    content_type: Some("application/x-www-form-urlencoded".into()),
                    text: "id=1&ev=InitiateCheckout&cd[num_items]=2&rqm=formPOST".into(),
                }),
            ),
            endpoint: Endpoint::TrSlash,
            transport: Transport::FormPost,
            expect: vec![("cd[num_items]", "2")],
            issues: 0,
        },
        Case {
            name: "form POST without rqm is inferred from the request type",
            req: req(
                "https://www.facebook.com/tr/",
                "POST",
                "sub_frame",
                Some(Body::Text {
                    content_type: None,
                    text: "id=1&ev=Lead".into(),
                }),
            ),
            endpoint: Endpoint::TrSlash,
            transport: Transport::FormPost,
            expect: vec![("ev", "Lead")],
            issues: 0,
        },
        Case {
            name: "regional tier host",
            req: req(
                "https://www.eu.facebook.com/tr/?id=1&ev=PageView&rqm=FGET",
                "GET",
                "fetch",
                None,
            ),
            endpoint: Endpoint::Regional { tier: "eu".into() },
            transport: Transport::FetchGet,
            expect: vec![("ev", "PageView")],
            issues: 0,
        },
        Case {
            name: "instagram endpoint",
            req: req("https://www.instagram.com/tr/?id=1&ev=PageView", "GET", "image", None),
            endpoint: Endpoint::Instagram,
            transport: Transport::Get,
            expect: vec![("id", "1")],
            issues: 0,
        },
        Case {
            name: "noscript image on /tr",
            req: req(
                "https://www.facebook.com/tr?id=1&ev=PageView&noscript=1",
                "GET",
                "image",
                None,
            ),
            endpoint: Endpoint::Tr,
            transport: Transport::Get,
            expect: vec![("noscript", "1")],
            issues: 0,
        },
        Case {
            name: "privacy sandbox trigger copy",
            req: req(
                "https://www.facebook.com/privacy_sandbox/pixel/register/trigger/?id=1&ev=Purchase&eid=o-1",
                "GET",
                "other",
                None,
            ),
            endpoint: Endpoint::PrivacySandbox,
            transport: Transport::Get,
            expect: vec![("ev", "Purchase"), ("eid", "o-1")],
            issues: 0,
        },
        Case {
            name: "bad percent-encoding is kept verbatim and reported",
            req: req(
                "https://www.facebook.com/tr/?id=1&ev=Purchase&cd[content_name]=100%25%20cotton%ZZ&cd[value]=1",
                "GET",
                "image",
                None,
            ),
            endpoint: Endpoint::TrSlash,
            transport: Transport::Get,
            expect: vec![("cd[content_name]", "100% cotton%ZZ"), ("cd[value]", "1")],
            issues: 1,
        },
        Case {
            name: "non-UTF-8 percent bytes are replaced and reported",
            req: req(
                "https://www.facebook.com/tr/?id=1&ev=Lead&cd[x]=%FF%FE",
                "GET",
                "image",
                None,
            ),
            endpoint: Endpoint::TrSlash,
            transport: Transport::Get,
            expect: vec![("cd[x]", "\u{FFFD}\u{FFFD}")],
            issues: 1,
        },
        Case {
            name: "gateway endpoint from configuration",
            req: req("https://shop.test/metrics/tr?id=1&ev=Purchase", "GET", "image", None),
            endpoint: Endpoint::Gateway {
                prefix: "https://shop.test/metrics/".into(),
            },
            transport: Transport::Get,
            expect: vec![("ev", "Purchase")],
            issues: 0,
        },
    ]
}

#[test]
fn decoding_table() {
    let config = DecodeConfig {
        gateway_prefixes: vec!["https://shop.test/metrics/".into()],
    };
    for c in cases() {
        let d = decode(&c.req, &config).unwrap_or_else(|| panic!("{}: not decoded as a hit", c.name));
        assert_eq!(d.endpoint, c.endpoint, "{}", c.name);
        assert_eq!(d.transport, c.transport, "{}", c.name);
        for (k, v) in &c.expect {
            assert_eq!(d.get(k), Some(*v), "{}: {k}", c.name);
        }
        assert_eq!(d.issues.len(), c.issues, "{}: {:?}", c.name, d.issues);
    }
}

#[test]
fn not_pixel_hits() {
    let config = DecodeConfig::default();
    for url in [
        "https://connect.facebook.net/signals/config/1234567890?v=2.9.179&r=stable",
        "https://connect.facebook.net/en_US/fbevents.js",
        "https://www.facebook.com/tracking/",
        "https://www.facebook.com/trx?id=1",
        "https://evil.example/tr/?id=1&ev=Purchase",
        "https://www.facebook.com.evil.example/tr/?id=1",
        "not a url",
        "chrome-extension://abc/tr/",
    ] {
        assert!(decode(&req(url, "GET", "image", None), &config).is_none(), "{url}");
    }
}

#[test]
fn contents_valid_empty_and_broken() {
    let config = DecodeConfig::default();
    let with = |c: &str| {
        let url = format!(
            "https://www.facebook.com/tr/?id=1&ev=Purchase&cd[contents]={}",
            urlencode(c)
        );
        decode(&req(&url, "GET", "image", None), &config).expect("hit")
    };
    match with("[{\"id\":\"tee\",\"quantity\":2,\"item_price\":30}]").contents {
        Some(Contents::Valid { items }) => assert_eq!(items.len(), 1),
        other => panic!("{other:?}"),
    }
    assert!(matches!(with("[]").contents, Some(Contents::Valid { items }) if items.is_empty()));
    let broken = with("[{\"id\":\"tee\"");
    assert!(matches!(broken.contents, Some(Contents::Invalid { .. })));
    assert_eq!(broken.get("cd[contents]"), Some("[{\"id\":\"tee\""), "raw text kept");
    assert_eq!(broken.issues.len(), 1);
}

#[test]
fn very_long_url_and_repeated_keys() {
    let long_name = "x".repeat(60_000);
    let url =
        format!("https://www.facebook.com/tr/?id=1&ev=ViewContent&cd[content_name]={long_name}&cd[tag]=a&cd[tag]=b");
    let d = decode(&req(&url, "GET", "image", None), &DecodeConfig::default()).expect("hit");
    assert_eq!(d.get("cd[content_name]").map(str::len), Some(60_000));
    let tags: Vec<&str> = d
        .params
        .iter()
        .filter(|p| p.key == "cd[tag]")
        .map(|p| p.value)
        .collect();
    assert_eq!(tags, ["a", "b"], "repeated keys are all kept, in order");
}

#[test]
fn user_data_is_marked_for_redaction() {
    let url = "https://www.facebook.com/tr/?id=1&ev=Purchase&ud[em]=abc&udff[ph]=123&cd[value]=1";
    let d = decode(&req(url, "GET", "image", None), &DecodeConfig::default()).expect("hit");
    let marked: Vec<&str> = d.params.iter().filter(|p| p.user_data).map(|p| p.key).collect();
    assert_eq!(marked, ["ud[em]", "udff[ph]"]);
}

#[test]
fn malformed_multipart_keeps_fields_before_the_damage() {
    let body = Body::Text {
        content_type: Some("multipart/form-data; boundary=XYZ".into()),
        text: "--XYZ\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n1\r\n--XYZ\r\nContent-Disposition: form-data; name=\"ev\"\r\n\r\nPurch".into(),
    };
    let d = decode(
        &req("https://www.facebook.com/tr/", "POST", "ping", Some(body)),
        &DecodeConfig::default(),
    )
    .expect("hit");
    assert_eq!(d.get("id"), Some("1"));
    assert!(!d.issues.is_empty());
    let no_boundary = Body::Text {
        content_type: Some("multipart/form-data".into()),
        text: "garbage".into(),
    };
    let d = decode(
        &req("https://www.facebook.com/tr/", "POST", "ping", Some(no_boundary)),
        &DecodeConfig::default(),
    )
    .expect("hit");
    assert!(d.issues[0].message.contains("boundary"));
    assert_eq!(d.raw_body.as_deref(), Some("garbage"));
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
