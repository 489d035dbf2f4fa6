//! End-to-end tests of the `pixelproof` binary on HAR fixtures shaped like
//! Chrome's export (see fixtures/make_hars.py).

// Test helpers may panic: a panic is a failed test here.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pixelproof"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Runs the binary and fails the test unless it exits 0: output from a run
/// that failed proves nothing.
fn run_ok(args: &[&str]) -> Output {
    let out = run(args);
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn packet(args: &[&str]) -> Value {
    serde_json::from_slice(&run_ok(args).stdout).expect("stdout is JSON")
}

fn codes(p: &Value) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = p["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_owned(),
                f["severity"].as_str().unwrap_or_default().to_owned(),
                f["event"].as_str().unwrap_or("-").to_owned(),
            )
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

fn check_state(p: &Value, name: &str) -> String {
    p["gate"]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == name)
        .and_then(|c| c["state"].as_str())
        .unwrap_or("missing")
        .to_owned()
}

#[test]
fn clean_order_passes_every_row_and_is_not_stop() {
    let p = packet(&["audit", &fixture("clean.har")]);
    assert_eq!(p["packet_version"], 1);
    assert_ne!(p["verdict"], "stop");
    for row in p["acceptance"].as_array().expect("rows").iter().take(4) {
        assert_eq!(row["status"], "pass", "{row}");
    }
    let events: Vec<&str> = p["acceptance"]
        .as_array()
        .expect("rows")
        .iter()
        .take(4)
        .map(|r| r["event"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(events, ["ViewContent", "AddToCart", "InitiateCheckout", "Purchase"]);
    assert!(codes(&p).is_empty(), "{:?}", codes(&p));
    // Every transport of the fixture was decoded, and the privacy-sandbox copy is kept but not counted.
    let hits = p["hits"].as_array().expect("hits");
    let transports: Vec<&str> = hits.iter().map(|h| h["transport"].as_str().unwrap_or("")).collect();
    for t in ["get", "beacon", "form_post"] {
        assert!(transports.contains(&t), "{transports:?}");
    }
    let copies: Vec<&Value> = hits.iter().filter(|h| h["counted"] == false).collect();
    assert_eq!(copies.len(), 1);
    assert_eq!(copies[0]["endpoint"]["kind"], "privacy_sandbox");
    for h in hits {
        for key in ["id", "pixel_id", "event", "event_id", "transport", "sender", "params"] {
            assert!(h.get(key).is_some(), "hit lacks {key}: {h}");
        }
    }
    let atc = hits.iter().find(|h| h["event"] == "AddToCart").expect("AddToCart hit");
    assert_eq!(atc["params"]["cd[value]"], "60.00", "multipart beacon body decoded");
    assert_eq!(p["inventory"]["owners"][3]["senders"], serde_json::json!(["theme"]));
}

#[test]
fn clean_order_with_server_order_and_review_is_go() {
    let args = [
        "audit",
        &fixture("clean.har"),
        "--server",
        &fixture("clean.capi.json"),
        "--order",
        &fixture("clean.order.json"),
        "--review",
        &fixture("review.json"),
        "--strict",
    ];
    let p = packet(&args);
    assert_eq!(p["verdict"], "go");
    for c in ["chain", "dedup", "money", "owners", "gaps"] {
        assert_eq!(check_state(&p, c), "go", "{c}");
    }
    assert_eq!(p["server"]["pairs"].as_array().map(Vec::len), Some(4));
    assert_eq!(p["order"]["reconciliation"][0]["matches"], true);
}

#[test]
fn strict_exits_one_when_not_go() {
    let out = run(&["audit", &fixture("clean.har"), "--strict"]);
    assert_eq!(out.status.code(), Some(1));
    let p: Value = serde_json::from_slice(&out.stdout).expect("packet still printed");
    assert_eq!(p["verdict"], "incomplete");
}

#[test]
fn messy_order_raises_exactly_the_expected_codes() {
    let p = packet(&["audit", &fixture("messy.har")]);
    assert_eq!(p["verdict"], "stop");
    let expected: Vec<(String, String, String)> = [
        ("duplicate_event", "fail", "Purchase"),
        ("duplicate_event", "warn", "PageView"),
        ("duplicate_pixel_script", "warn", "-"),
        ("invalid_currency", "fail", "Purchase"),
        ("invalid_value", "fail", "Purchase"),
        ("missing_content_ids", "warn", "ViewContent"),
        ("missing_event_id", "fail", "Purchase"),
        ("missing_event_id", "warn", "AddToCart"),
        ("multiple_senders", "fail", "Purchase"),
        ("unhashed_user_data", "fail", "Purchase"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(codes(&p), expected);
    let purchase = &p["acceptance"][3];
    assert_eq!(purchase["status"], "fail");
    assert_eq!(purchase["senders"], serde_json::json!(["gtm", "theme"]));
}

#[test]
fn messy_reconciliation_stops_dedup_and_money() {
    let p = packet(&[
        "audit",
        &fixture("messy.har"),
        "--server",
        &fixture("messy.capi.json"),
        "--order",
        &fixture("clean.order.json"),
    ]);
    assert_eq!(check_state(&p, "dedup"), "stop");
    assert_eq!(check_state(&p, "money"), "stop");
    let c = codes(&p);
    assert!(
        c.contains(&("dedup_key_mismatch".into(), "fail".into(), "Purchase".into())),
        "{c:?}"
    );
    assert!(
        c.contains(&("server_event_missing".into(), "warn".into(), "AddToCart".into())),
        "{c:?}"
    );
}

#[test]
fn value_gap_explained_by_shipping_warns() {
    let p = packet(&[
        "audit",
        &fixture("clean.har"),
        "--order",
        &fixture("subtotal.order.json"),
    ]);
    let vm: Vec<&Value> = p["findings"]
        .as_array()
        .expect("f")
        .iter()
        .filter(|f| f["code"] == "value_mismatch")
        .collect();
    assert_eq!(vm.len(), 1);
    assert_eq!(vm[0]["severity"], "warn");
    assert!(vm[0]["message"].as_str().unwrap_or("").contains("shipping"));
    assert_eq!(
        p["order"]["reconciliation"][0]["explained_by"],
        serde_json::json!(["shipping"])
    );
    assert_eq!(check_state(&p, "money"), "stop");
}

#[test]
fn user_data_is_redacted_unless_asked() {
    let out = run_ok(&["audit", &fixture("messy.har")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("jane.doe"), "plain e-mail leaked into the packet");
    assert!(!text.contains("jane.doe%40example.com"));
    let raw = run_ok(&["audit", &fixture("messy.har"), "--raw-user-data"]);
    assert!(String::from_utf8_lossy(&raw.stdout).contains("jane.doe@example.com"));
}

#[test]
fn markdown_and_out_file() {
    let dir = std::env::temp_dir().join(format!("pixelproof-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let out_path = dir.join("packet.md");
    let out = run_ok(&[
        "audit",
        &fixture("messy.har"),
        "--format",
        "markdown",
        "--out",
        out_path.to_str().expect("utf8"),
    ]);
    assert!(out.stdout.is_empty());
    let md = std::fs::read_to_string(&out_path).expect("written");
    assert!(md.starts_with("# PixelProof review — verdict: **STOP**"));
    assert!(md.contains("| Purchase | **FAIL** |"));
    assert!(md.contains("Not yet: Do not"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn text_format_prints_the_rows_findings_gate_and_verdict() {
    let args = [
        "audit",
        &fixture("clean.har"),
        "--server",
        &fixture("clean.capi.json"),
        "--order",
        &fixture("clean.order.json"),
        "--review",
        &fixture("review.json"),
        "--format",
        "text",
    ];
    let text = String::from_utf8(run_ok(&args).stdout).expect("utf8");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("  event             status    senders"), "{text}");
    assert!(lines[4].starts_with("  Purchase          PASS      "), "{text}");
    assert!(text.contains("\n  findings:\n    none\n"), "{text}");
    assert!(
        text.ends_with("  gate: chain=go  dedup=go  money=go  owners=go  gaps=go\n  verdict: GO\n"),
        "{text}"
    );
}

#[test]
fn unusable_input_exits_two_with_one_line_naming_file_and_place() {
    let dir = std::env::temp_dir().join(format!("pixelproof-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let bad_har = dir.join("broken.har");
    std::fs::write(
        &bad_har,
        "{\"log\": {\"entries\": [\n  {\"request\": {\"url\": \"https://www.facebook.com/tr/\"},\n",
    )
    .expect("write");
    let out = run(&["audit", bad_har.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("broken.har") && err.contains("line 3"), "{err}");

    let bad_capi = dir.join("capi.json");
    std::fs::write(&bad_capi, "{\"data\": [{\"event_id\": \"x\"}]}").expect("write");
    let out = run(&[
        "audit",
        &fixture("clean.har"),
        "--server",
        bad_capi.to_str().expect("utf8"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("capi.json") && err.contains("data[0].event_name"), "{err}");

    let out = run(&["audit", "/nonexistent/capture.har"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/capture.har"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn codes_subcommand_lists_the_registry() {
    let out = run_ok(&["codes"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("| `browser_purchase_missing` | fail |"));
    assert_eq!(
        text.lines().filter(|l| l.starts_with("| `")).count(),
        pixelproof_core::rules::RULES.len()
    );
}

#[test]
fn readme_code_table_matches_the_registry() {
    let readme =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../README.md")).expect("README");
    let begin = readme.find("<!-- codes:begin -->\n").expect("begin marker") + "<!-- codes:begin -->\n".len();
    let end = readme.find("<!-- codes:end -->").expect("end marker");
    let out = run_ok(&["codes"]);
    assert_eq!(
        &readme[begin..end],
        String::from_utf8_lossy(&out.stdout),
        "README table drifted: run ./build.sh codes"
    );
}
