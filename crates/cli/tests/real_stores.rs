//! The `pixelproof` binary on setups real stores run: a post-purchase upsell,
//! a Shopify Markets order in the customer's currency, and the order evidence
//! merchants can export (the GraphQL Admin order, the Orders export CSV).
//! The fixtures are written by fixtures/make_hars.py, which says where each
//! shape comes from.

// Test helpers may panic: a panic is a failed test here.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{fixture, packet, run};
use serde_json::Value;

/// (code, severity, message) of every finding instance.
fn findings(p: &Value) -> Vec<(String, String, String)> {
    let mut v = Vec::new();
    for g in p["findings"].as_array().expect("findings") {
        for i in g["instances"].as_array().expect("instances") {
            v.push((
                g["code"].as_str().unwrap_or_default().to_owned(),
                i["severity"].as_str().unwrap_or_default().to_owned(),
                i["message"].as_str().unwrap_or_default().to_owned(),
            ));
        }
    }
    v
}

fn fails(p: &Value) -> Vec<String> {
    findings(p)
        .into_iter()
        .filter(|(_, s, _)| s == "fail")
        .map(|(c, _, m)| format!("{c}: {m}"))
        .collect()
}

fn check<'a>(p: &'a Value, name: &str) -> &'a Value {
    p["gate"]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == name)
        .expect("the check")
}

fn audit(har: &str, server: Option<&str>, order: &str, extra: &[&str]) -> Value {
    let (har, order) = (fixture(har), fixture(order));
    let server = server.map(fixture);
    let mut args = vec!["audit", har.as_str(), "--order", order.as_str()];
    if let Some(s) = &server {
        args.extend(["--server", s.as_str()]);
    }
    args.extend(extra);
    packet(&args)
}

/// A run that must be refused: exit 2, one line on stderr, no packet on stdout.
fn refused(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(out.stdout.is_empty(), "no packet is printed");
    let err = String::from_utf8_lossy(&out.stderr).trim().to_owned();
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

/// Shopify fires checkout_completed on the first post-purchase offer page,
/// not again on the thank-you page; nor does the order status page a shopper
/// opens later from the e-mail; and a product called "Thank-you card" is not
/// an order page. The old reading of order pages failed all three.
#[test]
fn a_purchase_sent_from_the_post_purchase_page_covers_the_order_pages_after_it() {
    let p = audit(
        "post-purchase-page.har",
        Some("post-purchase-page.capi.json"),
        "store.order.graphql.json",
        &[],
    );
    assert!(fails(&p).is_empty(), "{:#?}", fails(&p));
    for c in ["chain", "dedup", "money"] {
        assert_eq!(check(&p, c)["state"], "go", "{c}: {}", check(&p, c)["detail"]);
    }
    let kinds: Vec<(&str, &str)> = p["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .map(|v| {
            (
                v["url"].as_str().unwrap_or_default(),
                v["kind"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("https://shop.test/products/thank-you-card", "product"),
            ("https://shop.test/products/classic-tee", "product"),
            (
                "https://shop.test/checkouts/cn/Z2NwLXVzLWNlbnRyYWwx/information",
                "checkout"
            ),
            (
                "https://shop.test/checkouts/cn/Z2NwLXVzLWNlbnRyYWwx/post-purchase",
                "checkout"
            ),
            (
                "https://shop.test/checkouts/cn/Z2NwLXVzLWNlbnRyYWwx/thank_you",
                "thank_you"
            ),
            (
                "https://shop.test/55500001/orders/8f1b2c3d4e5f60718293a4b5c6d7e8f9",
                "thank_you"
            ),
        ]
    );
}

#[test]
fn an_upsell_with_its_own_event_id_adds_up_to_the_edited_order() {
    let p = audit("upsell.har", Some("upsell.capi.json"), "upsell.order.graphql.json", &[]);
    assert!(fails(&p).is_empty(), "{:#?}", fails(&p));
    for c in ["dedup", "money"] {
        assert_eq!(check(&p, c)["state"], "go", "{c}: {}", check(&p, c)["detail"]);
    }
    assert_eq!(
        check(&p, "money")["detail"],
        "Purchase value matches the order: Purchases #5 59.00 + #6 20.00 (upsell) = 79.00: value 79.00 equals the order total"
    );
    let card = &p["cards"]["shopify_order"];
    assert_eq!(card["order"]["total"], 79.0);
    assert_eq!(card["order"]["format"], "graphql");
    let shares: Vec<(&str, &str, bool)> = card["purchases"]
        .as_array()
        .expect("purchases")
        .iter()
        .map(|v| {
            (
                v["channel"].as_str().unwrap_or_default(),
                v["share"].as_str().unwrap_or_default(),
                v["matches"].as_bool().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        shares,
        [
            ("browser", "order", true),
            ("browser", "upsell", true),
            ("server", "order", true),
            ("server", "upsell", true)
        ]
    );
    let how = card["purchases"][1]["recognised"].as_str().unwrap_or_default();
    assert!(how.contains("its own event_id order-1001-upsell-1"), "{how}");
    assert!(
        p["cards"]["reconciliation"]["summary"]
            .as_str()
            .unwrap_or_default()
            .starts_with(
                "Meta would count 2 Purchases for 1 Shopify order (its first Purchase and 1 post-purchase upsell)."
            ),
        "{}",
        p["cards"]["reconciliation"]["summary"]
    );
    // The order's item count (a tee and the socks) is the Purchases' num_items added up.
    assert!(!findings(&p).iter().any(|(c, _, _)| c == "num_items_mismatch"));
    // The Markdown packet says how the upsell was recognised, on its row.
    let (har, server, order) = (
        fixture("upsell.har"),
        fixture("upsell.capi.json"),
        fixture("upsell.order.graphql.json"),
    );
    let out = run(&[
        "audit", &har, "--server", &server, "--order", &order, "--format", "markdown",
    ]);
    assert!(out.status.success());
    let md = String::from_utf8_lossy(&out.stdout);
    let row = md
        .lines()
        .find(|l| l.starts_with("| browser `#6` |"))
        .expect("the upsell's row");
    assert!(
        row.contains("✓ upsell, 20.00 of the order") && row.contains("its own event\\_id order-1001-upsell-1"),
        "{row}"
    );
}

#[test]
fn an_upsell_that_sends_the_whole_order_again_fails() {
    let p = audit("upsell-counted-twice.har", None, "upsell.order.graphql.json", &[]);
    assert_eq!(
        fails(&p),
        ["upsell_value_counted_twice: Purchase #6 (event_id order-1001-upsell-1, 79.00 USD) sends the upsell's new items (socks-grey) with items Purchase #5 already sent (tee-blue-m, 59.00 USD): their value is counted twice; Meta would count 138.00 USD for the order"]
    );
    assert_eq!(check(&p, "money")["state"], "stop");
    assert_eq!(p["verdict"], "stop");
}

#[test]
fn an_upsell_under_the_orders_event_id_warns_and_money_is_short() {
    let p = audit("upsell-eid-reused.har", None, "upsell.order.graphql.json", &[]);
    let reused: Vec<_> = findings(&p)
        .into_iter()
        .filter(|(c, _, _)| c == "upsell_event_id_reused")
        .collect();
    assert_eq!(reused.len(), 1);
    assert_eq!(reused[0].1, "warn");
    assert!(fails(&p).is_empty(), "{:#?}", fails(&p));
    let money = check(&p, "money");
    assert_eq!(money["state"], "stop");
    assert!(
        money["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("Purchase #6 is left out: Meta drops it, it reuses event_id order-1001"),
        "{}",
        money["detail"]
    );
}

#[test]
fn a_markets_order_in_the_customers_currency_goes() {
    let p = audit(
        "markets.har",
        Some("markets.capi.json"),
        "markets.order.graphql.json",
        &[],
    );
    assert!(fails(&p).is_empty(), "{:#?}", fails(&p));
    let money = check(&p, "money");
    assert_eq!(money["state"], "go", "{}", money["detail"]);
    assert_eq!(
        money["detail"],
        "Purchase value matches the order: #5: value 54.50 equals the order total (the order's presentment pair, the customer's currency; the shop's is 59.00 USD; Meta converts the currency)"
    );
    let order = &p["cards"]["shopify_order"]["order"];
    assert_eq!(
        (
            &order["total"],
            &order["currency"],
            &order["presentment_total"],
            &order["presentment_currency"]
        ),
        (
            &Value::from(59.0),
            &Value::from("USD"),
            &Value::from(54.5),
            &Value::from("EUR")
        )
    );
}

#[test]
fn a_mixed_value_currency_pair_fails_naming_both_pairs() {
    let p = audit("markets-mixed.har", None, "markets.order.graphql.json", &[]);
    assert_eq!(
        fails(&p),
        ["value_currency_mixed: Purchase #5: value 54.50 USD mixes the order's two pairs: 54.50 is the customer's (presentment) amount (54.50 EUR) but USD is the shop currency (59.00 USD); send one pair whole"]
    );
    assert_eq!(check(&p, "money")["state"], "stop");
}

#[test]
fn the_graphql_order_and_the_orders_export_read_like_the_rest_order() {
    let rest = audit("clean.har", Some("clean.capi.json"), "clean.order.json", &[]);
    assert_eq!(check(&rest, "money")["state"], "go");
    for (order, name, format) in [
        ("clean.order.graphql.json", None, "graphql"),
        ("orders_export.csv", Some("#1001"), "csv"),
        ("orders_export.csv", Some("1001"), "csv"),
    ] {
        let extra: Vec<&str> = name.map(|n| vec!["--order-name", n]).unwrap_or_default();
        let p = audit("clean.har", Some("clean.capi.json"), order, &extra);
        let money = check(&p, "money");
        assert_eq!(money["state"], "go", "{order}: {}", money["detail"]);
        assert_eq!(
            money["detail"], "Purchase value equals the order total 78.00 USD",
            "{order}"
        );
        // The file is named as the order's source, whichever order of it was picked.
        let input = p["cards"]["shopify_order"]["input"].as_str().unwrap_or_default();
        assert!(input.ends_with(order), "{order}: {input}");
        let o = &p["cards"]["shopify_order"]["order"];
        assert_eq!(o["format"], format);
        for field in [
            "total",
            "subtotal",
            "shipping",
            "tax",
            "item_count",
            "order_number",
            "payment_status",
        ] {
            assert_eq!(
                o[field], rest["cards"]["shopify_order"]["order"][field],
                "{order}: {field}"
            );
        }
        assert!(fails(&p).is_empty(), "{order}: {:#?}", fails(&p));
    }
}

#[test]
fn an_export_of_several_orders_needs_a_name_and_bad_order_files_exit_two() {
    let har = fixture("clean.har");
    let export = fixture("orders_export.csv");
    let err = refused(&["audit", &har, "--order", &export]);
    assert_eq!(
        err,
        format!("pixelproof: {export}: (the Name column): the file holds 3 orders: #1000, #1001, #1002; pick one by its name: --order-name '#1001' on the command line, or the Order name field in the panel")
    );
    let err = refused(&["audit", &har, "--order", &export, "--order-name", "#1003"]);
    assert!(err.ends_with("no order #1003 in the file; it holds #1000, #1001, #1002; export the order again from the Shopify admin (Orders → Export → CSV), unedited"), "{err}");
    // Cut short in the middle of the order's first row.
    let cut = fixture("orders_export-truncated.csv");
    let err = refused(&["audit", &har, "--order", &cut, "--order-name", "#1001"]);
    assert!(
        err.starts_with(&format!("pixelproof: {cut}: line 3: the row has 26 fields where the header has 71: the file looks cut short or edited")),
        "{err}"
    );
    let no_total = fixture("orders_export-no-total.csv");
    let err = refused(&["audit", &har, "--order", &no_total]);
    assert!(
        err.contains(
            "line 1 (the header): not JSON, and not an Orders export CSV: the header has no Currency, Total columns"
        ),
        "{err}"
    );
    let graphql = fixture("no-total.order.graphql.json");
    let err = refused(&["audit", &har, "--order", &graphql]);
    assert!(
        err.contains("data.order.totalPriceSet: no totalPriceSet.shopMoney.amount: the order total is needed"),
        "{err}"
    );
    // A JSON order that is not the one named.
    let err = refused(&[
        "audit",
        &har,
        "--order",
        &fixture("clean.order.json"),
        "--order-name",
        "#1002",
    ]);
    assert!(err.contains("the order here is #1001, not #1002"), "{err}");
}

/// A store's own pixel, deduplicated with its Conversions API, and an
/// agency's pixel that GTM sends a Purchase to from the browser only. A
/// Conversions API body does not name its pixel: unsaid, every pixel's
/// Purchase is paired with it and the agency's fails, with a hint; said, only
/// the store's pixel is paired, and saying the wrong pixel still fails.
#[test]
fn with_two_pixels_the_payloads_stated_pixel_decides_which_purchases_pair() {
    const AGENCY: &str = "987654321098765";
    let run = |extra: &[&str]| {
        audit(
            "two-pixels.har",
            Some("store.capi.json"),
            "store.order.graphql.json",
            extra,
        )
    };
    let p = run(&[]);
    assert_eq!(p["verdict"], "stop");
    let dedup = check(&p, "dedup");
    assert_eq!(dedup["state"], "stop");
    assert!(
        dedup["detail"]
            .as_str()
            .unwrap()
            .ends_with(&format!("#6 eid gtm-5f1d2a (pixel {AGENCY})")),
        "{dedup}"
    );
    assert!(dedup["needs"].as_str().unwrap().contains("--server-pixel"), "{dedup}");
    assert_eq!(fails(&p), vec![format!("dedup_key_mismatch: browser Purchase #6 (pixel {AGENCY}) has eid \"gtm-5f1d2a\" but the server sent event_id order-1001")]);

    let p = run(&["--server-pixel", "1234567890"]);
    assert!(fails(&p).is_empty(), "{:#?}", fails(&p));
    assert_eq!(check(&p, "dedup")["state"], "go");
    assert_eq!(
        check(&p, "dedup")["detail"],
        "1 browser Purchase hit(s) share name and event_id with the server; 1 Purchase hit(s) to other pixels not paired (the payload was sent to pixel 1234567890)"
    );
    let server = p["decision"]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["source"] == "server")
        .unwrap();
    assert!(
        server["detail"]
            .as_str()
            .unwrap()
            .ends_with("4 events to pixel 1234567890"),
        "{server}"
    );
    assert!(p["server"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["pixel_id"] == "1234567890"));

    let p = run(&["--server-pixel", AGENCY]);
    assert_eq!(check(&p, "dedup")["state"], "stop");
    assert_eq!(fails(&p).len(), 1, "{:#?}", fails(&p));
    let p = run(&["--server-pixel", "5555"]);
    assert_eq!(
        check(&p, "dedup")["detail"],
        "no browser Purchase to pixel 5555 (the server payload's) to pair with the server"
    );
    // Every server event is then server-only, and the test-events card says so.
    let codes: Vec<String> = findings(&p).into_iter().map(|(c, _, _)| c).collect();
    assert!(codes.contains(&"server_event_only".to_owned()), "{codes:?}");
    let purchase = &p["cards"]["test_events"]["events"][3];
    assert_eq!(
        purchase["dedup"]["detail"], "no browser Purchase to pixel 5555; the server sent 1",
        "{purchase}"
    );

    let err = refused(&[
        "audit",
        &fixture("two-pixels.har"),
        "--server",
        &fixture("store.capi.json"),
        "--server-pixel",
        "pixel-1",
    ]);
    assert!(
        err.contains("--server-pixel: pixel id: `pixel-1` is not a pixel id; give the digits"),
        "{err}"
    );
}

/// Variants of fixtures, written to a folder of the test's own that is
/// removed when the test ends (passed or failed).
struct Variants(std::path::PathBuf);

impl Variants {
    fn new(test: &str) -> Variants {
        let dir = std::env::temp_dir().join(format!("pixelproof-real-stores-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp folder");
        Variants(dir)
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("written");
        path.display().to_string()
    }
}

impl Drop for Variants {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A second server sender (an app's Conversions API beside the store's own)
/// reports the clean order's Purchase again under an id of its own, with a
/// value of its own: Meta counts the order twice. And a server twin whose
/// value Meta cannot read may be the one Meta keeps. Both were a go.
#[test]
fn a_second_server_purchase_or_a_twin_without_a_readable_value_is_not_go() {
    let variants = Variants::new("second-sender");
    let mut capi: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("clean.capi.json")).expect("fixture")).expect("JSON");
    let events = capi["data"].as_array_mut().expect("data");
    let twin = events
        .iter()
        .position(|e| e["event_name"] == "Purchase")
        .expect("a Purchase");
    let mut again = events[twin].clone();
    again["event_id"] = "shopify-order-5550001001".into();
    again["custom_data"]["value"] = "500.00".into();
    events.push(again);
    let server = variants.write("second-sender.capi.json", &capi.to_string());
    let (har, order) = (fixture("clean.har"), fixture("clean.order.json"));
    let p = packet(&["audit", &har, "--server", &server, "--order", &order]);
    assert_eq!(p["verdict"], "stop");
    assert_eq!(check(&p, "dedup")["state"], "stop", "{}", check(&p, "dedup")["detail"]);
    let f = fails(&p);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].starts_with("server_purchase_duplicated: the server sent order 1001's Purchase again: ")
            && f[0].contains("(event_id shopify-order-5550001001, 500.00 USD)"),
        "{f:#?}"
    );
    // The twin's value written with a decimal comma: Meta cannot read it.
    let mut capi: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("clean.capi.json")).expect("fixture")).expect("JSON");
    capi["data"][twin]["custom_data"]["value"] = "78,00".into();
    let server = variants.write("comma.capi.json", &capi.to_string());
    let p = packet(&["audit", &har, "--server", &server, "--order", &order]);
    assert_eq!(p["verdict"], "stop");
    let f = fails(&p);
    assert!(
        f.iter()
            .any(|m| m.starts_with("server_value_mismatch:") && m.contains("none Meta can read")),
        "{f:#?}"
    );
}

/// An order without its currency matched a Purchase in any currency (78.00
/// JPY passed for 78.00 USD); a Markets order queried without its
/// presentmentMoney failed the correct EUR Purchase. Both are refused now,
/// saying what to add.
#[test]
fn an_order_without_the_currencies_it_needs_is_refused_with_what_to_add() {
    let variants = Variants::new("currencies");
    let har = fixture("clean.har");
    let mut order: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("clean.order.json")).expect("fixture")).expect("JSON");
    let o = order["order"].as_object_mut().expect("the REST order");
    o.retain(|k, _| !k.contains("currency") && !k.ends_with("_set"));
    let no_currency = variants.write("no-currency.order.json", &order.to_string());
    let err = refused(&["audit", &har, "--order", &no_currency]);
    assert!(
        err.contains("order.currency: the order names no currency, so its total cannot be compared"),
        "{err}"
    );
    let export = std::fs::read_to_string(fixture("orders_export.csv")).expect("fixture");
    let blank = export.replacen(",USD,", ",,", 1);
    assert_ne!(blank, export);
    let blank = variants.write("orders_export-no-currency.csv", &blank);
    let err = refused(&["audit", &har, "--order", &blank, "--order-name", "#1000"]);
    assert!(
        err.contains("(Currency): the first row of order #1000 has no Currency"),
        "{err}"
    );
    // The Markets order as a query that asked for shopMoney only.
    let mut markets: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("markets.order.graphql.json")).expect("fixture"))
            .expect("JSON");
    fn shop_money_only(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.remove("presentmentMoney");
                m.values_mut().for_each(shop_money_only);
            }
            Value::Array(a) => a.iter_mut().for_each(shop_money_only),
            _ => {}
        }
    }
    shop_money_only(&mut markets);
    let markets = variants.write("markets-shop-money.order.graphql.json", &markets.to_string());
    let err = refused(&[
        "audit",
        &fixture("markets.har"),
        "--server",
        &fixture("markets.capi.json"),
        "--order",
        &markets,
    ]);
    assert!(
        err.contains("presentmentCurrencyCode: the customer paid in EUR, but the order gives its amounts in USD")
            && err.contains("ask for presentmentMoney"),
        "{err}"
    );
}
