//! A small journey builder for rule tests: real-shaped pixel URLs, real timings.
//!
//! Test-only, and the one file under `rules/` that uses the session: a rule test
//! runs the whole engine, the way the extension and the CLI do.

use crate::decode::DecodeConfig;
use crate::journal::*;
use crate::rules::{Finding, Severity};
use crate::session::Session;

pub const PIXEL: &str = "1234567890";

pub struct J {
    pub records: Vec<Record>,
    pub t: f64,
    pub page: String,
    ec: u32,
}

impl J {
    pub fn new() -> J {
        J {
            records: Vec::new(),
            t: 1_700_000_000_000.0,
            page: "https://shop.test/".into(),
            ec: 0,
        }
    }

    pub fn wait(mut self, ms: f64) -> J {
        self.t += ms;
        self
    }

    pub fn nav(mut self, url: &str) -> J {
        self.t += 500.0;
        self.page = url.into();
        self.ec = 0;
        self.records.push(Record::Navigation(Navigation {
            url: url.into(),
            time: self.t,
            tab_id: Some(1),
            ..Navigation::default()
        }));
        self
    }

    /// A URL change within the document (pushState, replaceState), as the
    /// browser reports it: a page view of the same document.
    pub fn history(mut self, url: &str) -> J {
        self.t += 50.0;
        self.page = url.into();
        self.records.push(Record::Navigation(Navigation {
            url: url.into(),
            time: self.t,
            tab_id: Some(1),
            transition: Some("history".into()),
            origin: Origin::Network,
        }));
        self
    }

    /// A GET image hit as fbevents sends it, with extra params appended.
    pub fn hit(self, ev: &str, params: &[(&str, &str)]) -> J {
        self.hit_with(ev, params, |_| {})
    }

    pub fn hit_with(mut self, ev: &str, params: &[(&str, &str)], f: impl FnOnce(&mut CapturedRequest)) -> J {
        self.t += 100.0;
        self.ec += 1;
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("id", PIXEL)
            .append_pair("ev", ev)
            .append_pair("dl", &self.page)
            .append_pair("rl", "")
            .append_pair("if", "false")
            .append_pair("ts", &format!("{}", self.t as u64))
            .append_pair("sw", "1920")
            .append_pair("sh", "1080")
            .append_pair("v", "2.9.179")
            .append_pair("r", "stable")
            .append_pair("ec", &self.ec.to_string())
            .append_pair("o", "4126")
            .append_pair("fbp", "fb.1.1700000000000.123456789")
            .append_pair("it", "1700000000000")
            .append_pair("coo", "false")
            .append_pair("rqm", "GET");
        for (k, v) in params {
            q.append_pair(k, v);
        }
        let mut req = CapturedRequest {
            url: format!("https://www.facebook.com/tr/?{}", q.finish()),
            method: "GET".into(),
            request_type: Some("image".into()),
            context: Context {
                tab_id: Some(1),
                frame_id: Some(0),
                frame_type: Some(FrameType::Main),
                document_url: Some(self.page.clone()),
                top_url: Some(self.page.clone()),
                sandboxed: None,
            },
            stack: vec!["https://shop.test/cdn/shop/t/1/assets/theme.js".into()],
            time: self.t,
            ..CapturedRequest::default()
        };
        f(&mut req);
        self.records.push(Record::Request(req));
        self
    }

    pub fn gesture(mut self) -> J {
        self.t += 50.0;
        self.records.push(Record::Gesture(Gesture {
            gesture: "click".into(),
            target: Some("button#add".into()),
            context: self.ctx(),
            time: self.t,
            origin: Origin::Isolated,
        }));
        self
    }

    /// The extension's isolated-world script watches this page for trusted
    /// gestures (what turns the gesture rules on).
    pub fn watch(mut self) -> J {
        self.records.push(Record::GestureWatch(GestureWatch {
            context: self.ctx(),
            time: self.t,
            origin: Origin::Isolated,
        }));
        self
    }

    /// The relay's report of how many pixel requests this document's Resource
    /// Timing listed so far.
    pub fn request_count(mut self, count: u64) -> J {
        self.records.push(Record::RequestCount(RequestCount {
            context: self.ctx(),
            time: self.t,
            count,
            origin: Origin::Isolated,
        }));
        self
    }

    /// The page's Resource Timing lists the last captured request's URL too
    /// (what the relay reports for every GET pixel request it sees).
    pub fn listed_last(mut self) -> J {
        let url = self
            .records
            .iter()
            .rev()
            .find_map(|r| match r {
                Record::Request(q) => Some(q.url.clone()),
                _ => None,
            })
            .expect("a captured request to list");
        self.records.push(Record::ListedRequest(ListedRequest {
            url,
            context: self.ctx(),
            time: self.t,
            origin: Origin::Page,
        }));
        self
    }

    /// A GET hit the page sent and the worker never got: only the page's
    /// Resource Timing lists its URL.
    pub fn missed(self, ev: &str, params: &[(&str, &str)]) -> J {
        let mut j = self.hit(ev, params).listed_last();
        let at = j
            .records
            .iter()
            .rposition(|r| matches!(r, Record::Request(_)))
            .expect("the hit just made");
        j.records.remove(at);
        j
    }

    /// Drops the page's Resource Timing URLs: the relay reported only the count.
    pub fn record_without_listed(mut self) -> J {
        self.records.retain(|r| !matches!(r, Record::ListedRequest(_)));
        self
    }

    pub fn record(mut self, r: Record) -> J {
        self.records.push(r);
        self
    }

    pub fn ctx(&self) -> Context {
        Context {
            tab_id: Some(1),
            frame_id: Some(0),
            frame_type: Some(FrameType::Main),
            document_url: Some(self.page.clone()),
            top_url: Some(self.page.clone()),
            sandboxed: None,
        }
    }

    pub fn server(self, json: &str) -> J {
        self.record(Record::ServerPayload(UserText {
            label: "capi.json".into(),
            text: json.into(),
            ..Default::default()
        }))
    }

    /// A server payload the user said was sent to `pixel`.
    pub fn server_to(self, pixel: &str, json: &str) -> J {
        self.record(Record::ServerPayload(UserText {
            label: "capi.json".into(),
            text: json.into(),
            pixel_id: Some(pixel.into()),
            ..Default::default()
        }))
    }

    /// A hit as [`J::hit`] makes it, sent to another pixel (`id`).
    pub fn hit_to(self, pixel: &str, ev: &str, params: &[(&str, &str)]) -> J {
        self.hit_with(ev, params, |r| {
            r.url = r.url.replacen(&format!("id={PIXEL}&"), &format!("id={pixel}&"), 1);
        })
    }

    pub fn order(self, json: &str) -> J {
        self.record(Record::Order(UserText {
            label: "order.json".into(),
            text: json.into(),
            ..Default::default()
        }))
    }

    /// What the order status page exposes (`Shopify.checkout`), as the page
    /// hook reports it: page evidence.
    pub fn page_order(self, total: f64, currency: &str) -> J {
        let ctx = self.ctx();
        let t = self.t + 10.0;
        self.record(Record::Shopify(ShopifyContext {
            context: ctx,
            time: t,
            page_type: Some("thank_you".into()),
            order: Some(crate::inputs::OrderFigures {
                total,
                currency: Some(currency.into()),
                ..Default::default()
            }),
            ..ShopifyContext::default()
        }))
    }

    pub fn session(self) -> Session {
        Session::from_records(DecodeConfig::default(), self.records)
    }

    pub fn findings(self) -> Vec<Finding> {
        self.session().findings()
    }

    /// Findings with one code.
    pub fn only(self, code: &str) -> Vec<Finding> {
        self.findings().into_iter().filter(|f| f.code == code).collect()
    }
}

/// A clean four-step journey (ViewContent → AddToCart → InitiateCheckout → Purchase)
/// for one pixel, one sender per event, eids everywhere, values in USD.
pub fn clean_journey() -> J {
    J::new()
        .nav("https://shop.test/products/tee")
        .hit("PageView", &[("eid", "pv-1")])
        .hit(
            "ViewContent",
            &[
                ("eid", "vc-1"),
                ("cd[content_ids]", "[\"tee-1\"]"),
                ("cd[content_type]", "product"),
                ("cd[value]", "25.00"),
                ("cd[currency]", "USD"),
            ],
        )
        .wait(2000.0)
        .gesture()
        .hit(
            "AddToCart",
            &[
                ("eid", "atc-1"),
                ("cd[content_ids]", "[\"tee-1\"]"),
                ("cd[content_type]", "product"),
                ("cd[value]", "25.00"),
                ("cd[currency]", "USD"),
            ],
        )
        .nav("https://shop.test/checkouts/cn/abc123")
        .hit(
            "InitiateCheckout",
            &[
                ("eid", "ic-1"),
                ("cd[contents]", "[{\"id\":\"tee-1\",\"quantity\":2}]"),
                ("cd[value]", "50.00"),
                ("cd[currency]", "USD"),
                ("cd[num_items]", "2"),
            ],
        )
        .nav("https://shop.test/checkouts/cn/abc123/thank_you")
        // From the Facebook & Instagram app's pixel (its agent): since checkout
        // extensibility no theme code runs on the order page.
        .hit(
            "Purchase",
            &[
                ("a", "plshopify1.2"),
                ("eid", "order-1001"),
                ("cd[contents]", "[{\"id\":\"tee-1\",\"quantity\":2}]"),
                ("cd[content_type]", "product"),
                ("cd[value]", "68.00"),
                ("cd[currency]", "USD"),
                ("cd[order_id]", "1001"),
                ("cd[num_items]", "2"),
                (
                    "ud[em]",
                    "f1c9645dbc14efddc7d8a322685f26eb8aa29b7f3eb6e7bd1ef1b8c5a4c7b8a9",
                ),
            ],
        )
}

/// The clean journey (its Purchase: 68.00 USD for two tees, eid
/// `order-1001`) followed by a post-purchase offer's Purchase on the same
/// order: `ids` its content_ids, `eid` its event id, `value` in USD.
pub fn with_upsell(ids: &str, eid: &str, value: &str) -> J {
    clean_journey().wait(4000.0).hit(
        "Purchase",
        &[
            ("eid", eid),
            ("cd[content_ids]", ids),
            ("cd[value]", value),
            ("cd[currency]", "USD"),
            ("cd[order_id]", "1001"),
            ("cd[num_items]", "1"),
        ],
    )
}

pub fn severities(f: &[Finding]) -> Vec<Severity> {
    f.iter().map(|f| f.severity).collect()
}

#[test]
fn clean_journey_has_no_findings_of_note() {
    let f = clean_journey().findings();
    let notable: Vec<_> = f.iter().filter(|f| f.severity != Severity::Info).collect();
    assert!(notable.is_empty(), "{notable:#?}");
}

/// The clean journey with everything supplied and agreeing — server twins
/// sharing every event id, the order, an owner per event and the gaps note —
/// so the gate says go.
pub fn go_journey() -> (J, crate::review::Review) {
    // As a correct server sends them: Unix seconds, the page, a hashed e-mail
    // and the user agent.
    let web = r#""event_time":1700000001,"action_source":"website","event_source_url":"https://shop.test/","user_data":{"em":["973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b"],"client_user_agent":"Mozilla/5.0","client_ip_address":"203.0.113.7"}"#;
    let server = format!(
        r#"{{"data":[
        {{"event_name":"ViewContent","event_id":"vc-1",{web}}},
        {{"event_name":"AddToCart","event_id":"atc-1",{web}}},
        {{"event_name":"InitiateCheckout","event_id":"ic-1",{web}}},
        {{"event_name":"Purchase","event_id":"order-1001",{web},"custom_data":{{"value":68.0,"currency":"USD","order_id":"1001"}}}}]}}"#
    );
    let order = r#"{"order":{"order_number":1001,"financial_status":"paid","currency":"USD","total_price":"68.00"}}"#;
    let review = crate::review::Review {
        owners: crate::tables::CORE_EVENTS
            .iter()
            .map(|e| ((*e).to_owned(), "theme".to_owned()))
            .collect(),
        gaps_note: Some("Meta and Shopify both show the one test order.".into()),
        ..crate::review::Review::default()
    };
    (clean_journey().server(&server).order(order), review)
}
