//! End-to-end tests of the `pixelproof` binary on HAR fixtures shaped like
//! Chrome's export (see fixtures/make_hars.py).

// Test helpers may panic: a panic is a failed test here.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::path::PathBuf;

use common::{fixture, packet, run, run_ok};
use serde_json::Value;

/// Every finding of a v2 packet: the instances of each code's group.
fn instances(p: &Value) -> Vec<(&str, &Value)> {
    p["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .flat_map(|g| {
            let code = g["code"].as_str().unwrap_or_default();
            g["instances"]
                .as_array()
                .expect("instances")
                .iter()
                .map(move |i| (code, i))
        })
        .collect()
}

fn codes(p: &Value) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = instances(p)
        .into_iter()
        .map(|(code, f)| {
            (
                code.to_owned(),
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
    assert_eq!(p["packet_version"], 2);
    assert_ne!(p["verdict"], "stop");
    for row in p["cards"]["test_events"]["events"]
        .as_array()
        .expect("rows")
        .iter()
        .take(4)
    {
        assert_eq!(row["status"], "pass", "{row}");
    }
    let events: Vec<&str> = p["cards"]["test_events"]["events"]
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
    assert_eq!(
        p["cards"]["trigger_sources"]["owners"][3]["senders"],
        serde_json::json!(["theme"])
    );
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
    assert_eq!(p["cards"]["test_events"]["pairs"].as_array().map(Vec::len), Some(4));
    assert_eq!(p["cards"]["shopify_order"]["purchases"][0]["matches"], true);
    for card in ["test_events", "shopify_order", "trigger_sources", "reconciliation"] {
        assert_eq!(
            p["cards"][card]["state"], "pass",
            "{card}: {}",
            p["cards"][card]["summary"]
        );
    }
    assert_eq!(p["decision"]["decision"], "go");
    assert_eq!(p["decision"]["next_review"], "2027-01-15");
    // A correct payload raises none of the payload or identity checks (nor anything else).
    assert!(codes(&p).is_empty(), "{:?}", codes(&p));
}

/// Files saved by an editor that writes a UTF-8 byte-order mark failed as
/// "expected value": the same audit, mark or not.
#[test]
fn files_with_a_byte_order_mark_audit_like_without() {
    let dir = std::env::temp_dir().join(format!("pixelproof-bom-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let with_bom = |name: &str| {
        let path = dir.join(name);
        let bytes = std::fs::read(fixture(name)).expect("fixture");
        std::fs::write(&path, [b"\xEF\xBB\xBF".as_slice(), &bytes].concat()).expect("written");
        path.display().to_string()
    };
    let (har, capi, order) = (
        with_bom("clean.har"),
        with_bom("clean.capi.json"),
        with_bom("clean.order.json"),
    );
    let p = packet(&["audit", &har, "--server", &capi, "--order", &order]);
    let plain = packet(&[
        "audit",
        &fixture("clean.har"),
        "--server",
        &fixture("clean.capi.json"),
        "--order",
        &fixture("clean.order.json"),
    ]);
    assert_eq!(p["gate"], plain["gate"]);
    assert_eq!(
        p["hits"].as_array().map(Vec::len),
        plain["hits"].as_array().map(Vec::len)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Records go into the session as they are read while the entries come in
/// time order; entries out of order are read again and sorted: the packet
/// is the one of the same entries in order.
#[test]
fn entries_out_of_time_order_audit_like_in_order() {
    let dir = std::env::temp_dir().join(format!("pixelproof-order-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut har: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("messy.har")).expect("fixture")).expect("a HAR");
    let entries = har["log"]["entries"].as_array_mut().expect("entries");
    // The latest entry first.
    let last = entries.pop().expect("an entry");
    entries.insert(0, last);
    let moved = dir.join("messy.har");
    std::fs::write(&moved, har.to_string()).expect("written");
    let p = packet(&["audit", &moved.display().to_string()]);
    let plain = packet(&["audit", &fixture("messy.har")]);
    assert!(p["hits"].as_array().is_some_and(|h| !h.is_empty()));
    for part in ["hits", "pages", "findings", "gate", "capture"] {
        assert_eq!(p[part], plain[part], "{part}");
    }
    // The same HAR through a pipe (as `audit <(zcat x.har.gz)`), which cannot
    // be read twice: read whole and sorted at once, the same packet.
    let piped = piped_packet(&har.to_string());
    for part in ["hits", "pages", "findings", "gate", "capture"] {
        assert_eq!(piped[part], plain[part], "{part} through a pipe");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The packet of a HAR the binary reads from a pipe (/dev/stdin).
fn piped_packet(har: &str) -> Value {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_pixelproof"))
        .args(["audit", "/dev/stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().expect("a pipe");
    let text = har.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let out = child.wait_with_output().expect("it ends");
    writer.join().expect("the writer").expect("the HAR written");
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
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
        ("missing_content_type", "warn", "AddToCart"),
        ("missing_content_type", "warn", "Purchase"),
        ("missing_event_id", "fail", "Purchase"),
        ("missing_event_id", "warn", "AddToCart"),
        ("multiple_senders", "fail", "Purchase"),
        ("unhashed_user_data", "fail", "Purchase"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(codes(&p), expected);
    let purchase = &p["cards"]["test_events"]["events"][3];
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
    let vm: Vec<&Value> = instances(&p)
        .into_iter()
        .filter(|(code, _)| *code == "value_mismatch")
        .map(|(_, f)| f)
        .collect();
    assert_eq!(vm.len(), 1);
    assert_eq!(vm[0]["severity"], "warn");
    assert!(vm[0]["message"].as_str().unwrap_or("").contains("shipping"));
    assert_eq!(
        p["cards"]["shopify_order"]["purchases"][0]["explained_by"],
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
    assert!(md.starts_with("# PixelProof review packet — STOP"));
    assert!(md.contains("| `Purchase` | **FAIL** |"));
    assert!(md.contains("- **Not yet:** Do not"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn text_format_prints_the_decision_gate_cards_rows_findings_and_verdict() {
    let clean = [
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
    let text = String::from_utf8(run_ok(&clean).stdout).expect("utf8");
    let lines: Vec<&str> = text.lines().collect();
    // The packet's reading order: decision, gate, cards, the Test Events rows, findings, verdict.
    assert_eq!(
        lines[0], "  decision: go (reviewer QA, next review 2027-01-15)",
        "{text}"
    );
    assert_eq!(
        lines[1], "  gate: chain=go  dedup=go  money=go  owners=go  gaps=go",
        "{text}"
    );
    assert_eq!(
        lines[2],
        "  cards: Test Events=pass  Shopify order=pass  Trigger-source inventory=pass  Review reconciliation=pass",
        "{text}"
    );
    assert!(lines[4].starts_with("  event             status    senders"), "{text}");
    assert!(lines[8].starts_with("  Purchase          PASS      theme "), "{text}");
    assert!(lines[8].ends_with(" order-1001             78.00 USD"), "{text}");
    assert!(text.contains("\n  findings (by code):\n    none\n"), "{text}");
    assert!(
        text.ends_with("\n  verdict: GO — all 5 gate checks go, no fail finding\n"),
        "{text}"
    );
    assert!(
        !text.lines().any(|l| l.ends_with(' ')),
        "no padding left at line ends: {text}"
    );

    // The messy store: one line per finding code, worst first, with its count and events.
    let messy = [
        "audit",
        &fixture("messy.har"),
        "--server",
        &fixture("messy.capi.json"),
        "--order",
        &fixture("clean.order.json"),
        "--format",
        "text",
    ];
    let text = String::from_utf8(run_ok(&messy).stdout).expect("utf8");
    assert!(text.starts_with("  decision: not recorded\n"), "{text}");
    assert!(
        text.contains("\n    fail missing_event_id                       ×2  Purchase, AddToCart\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "\n    warn server_event_missing                   ×3  ViewContent, AddToCart, InitiateCheckout\n"
        ),
        "{text}"
    );
    assert!(
        text.ends_with("  verdict: STOP — 3 of 5 gate checks stop, 1 unverified, 8 fail codes\n"),
        "{text}"
    );
}

/// A page names the scripts on its own stacks (`//# sourceURL=` in code it
/// evaluates), and a JavaScript string may hold a lone UTF-16 surrogate,
/// which DevTools writes as `\ud800`: the capture is still read, the same as
/// without it. Entries without a start time that can be read are kept and
/// said; a value of the wrong type is named as such, not as broken JSON.
#[test]
fn what_a_page_puts_in_its_stack_cannot_make_the_capture_unreadable() {
    let dir = std::env::temp_dir().join(format!("pixelproof-page-text-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let clean = std::fs::read_to_string(fixture("clean.har")).expect("fixture");
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path.display().to_string()
    };
    let lone = clean.replacen(r#""functionName": "","#, r#""functionName": "\udc00","#, 1);
    // A stack frame's URL (the request's own URL, written by the browser, is
    // percent-encoded).
    let lone = lone.replacen(
        "\"url\": \"https://connect.facebook.net/en_US/fbevents.js\",\n        \"lineNumber\"",
        "\"url\": \"https://shop.test/x.js\\ud800\",\n        \"lineNumber\"",
        1,
    );
    assert!(lone.contains(r#"x.js\ud800""#) && lone.contains(r#""functionName": "\udc00""#));
    let p = packet(&["audit", &write("lone.har", &lone)]);
    let plain = packet(&["audit", &fixture("clean.har")]);
    assert_eq!(p["gate"], plain["gate"]);
    assert_eq!(
        p["hits"].as_array().map(Vec::len),
        plain["hits"].as_array().map(Vec::len)
    );

    // The first entry's (the HAR's page has one before it).
    let at = clean.find(r#""entries""#).expect("entries");
    let undated = [
        &clean[..at],
        &clean[at..].replacen(
            r#""startedDateTime": "2026-11-20T10:00:00.000Z""#,
            r#""startedDateTime": "yesterday""#,
            1,
        ),
    ]
    .concat();
    assert!(undated.contains("yesterday"));
    let out = run_ok(&["audit", &write("undated.har", &undated)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("undated.har: note: 1 of ") && err.contains("entries have no start time that can be read"),
        "{err}"
    );
    let p: Value = serde_json::from_slice(&out.stdout).expect("a packet");
    assert_eq!(
        p["hits"].as_array().map(Vec::len),
        plain["hits"].as_array().map(Vec::len)
    );
    assert!(run_ok(&["audit", &fixture("clean.har")]).stderr.is_empty());

    // A journal the extension stored, with an fbq call whose product name a
    // theme cut inside an emoji: read, with U+FFFD in its place.
    let stored = std::fs::read_to_string(fixture("consent-revoked.journal.json")).expect("fixture");
    let call = r#"{"kind":"fbq_call","method":"track","args":["ViewContent",{"content_name":"Caf\ud83c"}],"time":1764000000000,"origin":"page","context":{"tab_id":7}}"#;
    let journal = format!("{},{call}]", stored.trim_end().trim_end_matches(']'));
    let p = packet(&["journal", &write("lone.journal.json", &journal)]);
    let plain = packet(&["journal", &fixture("consent-revoked.journal.json")]);
    assert_eq!(p["gate"], plain["gate"]);

    let typed = clean.replacen(r#""method": "GET","#, r#""method": 5,"#, 1);
    let out = run(&["audit", &write("typed.har", &typed)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("valid JSON, but not in the shape expected (invalid type: integer `5`, expected a string)"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
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

    // A misspelt review field is named, with the fields there are.
    let typo = dir.join("review.json");
    std::fs::write(&typo, "{\"decison\": \"go\", \"reviewer\": \"QA\"}").expect("write");
    let out = run(&["audit", &fixture("clean.har"), "--review", typo.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("review.json") && err.contains("\"decison\"") && err.contains("decision, "),
        "{err}"
    );
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
fn the_code_table_in_the_docs_matches_the_registry() {
    let readme = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/codes.md"))
        .expect("docs/codes.md");
    let begin = readme.find("<!-- codes:begin -->\n").expect("begin marker") + "<!-- codes:begin -->\n".len();
    let end = readme.find("<!-- codes:end -->").expect("end marker");
    let out = run_ok(&["codes"]);
    assert_eq!(
        &readme[begin..end],
        String::from_utf8_lossy(&out.stdout),
        "docs/codes.md drifted: run ./build.sh codes"
    );
}

/// A scratch directory for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("pixelproof-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("tmp");
        Scratch(dir)
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The v2 packets of both scenarios, written by `audit` from the HAR fixtures:
/// the messy store as found, and the fixed store with its server payload,
/// order and review.
fn real_packets(dir: &Scratch) -> (String, String) {
    let (messy, clean) = (dir.path("messy.json"), dir.path("clean.json"));
    run_ok(&[
        "audit",
        &fixture("messy.har"),
        "--server",
        &fixture("messy.capi.json"),
        "--order",
        &fixture("clean.order.json"),
        "--out",
        &messy,
    ]);
    run_ok(&[
        "audit",
        &fixture("clean.har"),
        "--server",
        &fixture("clean.capi.json"),
        "--order",
        &fixture("clean.order.json"),
        "--review",
        &fixture("review.json"),
        "--out",
        &clean,
    ]);
    (messy, clean)
}

fn keys(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| {
            format!(
                "{} {} {}",
                c["severity"].as_str().unwrap_or("?"),
                c["code"].as_str().unwrap_or("?"),
                c["event"].as_str().unwrap_or("-")
            )
        })
        .collect();
    v.sort();
    v
}

fn diff_json(before: &str, after: &str) -> Value {
    serde_json::from_slice(&run_ok(&["diff", before, after]).stdout).expect("the diff is JSON")
}

#[test]
fn diff_of_the_fixed_store_resolves_every_messy_finding_and_goes_from_stop_to_go() {
    let dir = Scratch::new("diff-real");
    let (messy, clean) = real_packets(&dir);
    let d = diff_json(&messy, &clean);
    assert_eq!(d["verdict"], serde_json::json!({"before": "stop", "after": "go"}));
    let messy_packet: Value = serde_json::from_str(&std::fs::read_to_string(&messy).expect("packet")).expect("json");
    let mut expected: Vec<String> = codes(&messy_packet)
        .into_iter()
        .map(|(code, sev, ev)| format!("{sev} {code} {ev}"))
        .collect();
    expected.sort();
    assert!(expected.len() >= 10, "the messy packet has its findings: {expected:?}");
    assert_eq!(keys(&d["resolved"]), expected);
    assert_eq!(d["introduced"], serde_json::json!([]));
    assert_eq!(d["unchanged"], serde_json::json!([]));
    let gate: Vec<(String, String, String)> = d["gate"]
        .as_array()
        .expect("gate")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_owned(),
                c["before"].as_str().unwrap_or_default().to_owned(),
                c["after"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let changed = |n: &str, b: &str, a: &str| (n.to_owned(), b.to_owned(), a.to_owned());
    assert_eq!(
        gate,
        [
            changed("dedup", "stop", "go"),
            changed("money", "stop", "go"),
            changed("owners", "stop", "go"),
            changed("gaps", "unverified", "go")
        ]
    );
    let purchase = d["values"]
        .as_array()
        .expect("values")
        .iter()
        .find(|v| v["event"] == "Purchase")
        .expect("Purchase moved");
    assert_eq!(
        purchase["before"]["values"],
        serde_json::json!(["$1,234.50", "1234.50"])
    );
    assert_eq!(purchase["after"]["values"], serde_json::json!(["78.00"]));
    assert_eq!(purchase["before"]["currencies"], serde_json::json!(["usd", "USD"]));
    assert_eq!(d["introduces_fail"], false);
    // Markdown, and --strict has nothing to object to.
    let out = run_ok(&["diff", &messy, &clean, "--format", "markdown", "--strict"]);
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.starts_with("# PixelProof before/after — STOP → GO"), "{md}");
    assert!(
        md.contains("| **fail** | `invalid_currency` | `Purchase` | `1234567890` | 1 → 0 |"),
        "{md}"
    );
    assert!(
        md.contains("| money | **stop** | go | Purchase value equals the order total 78.00 USD |"),
        "{md}"
    );
    // Text: the headline, each finding resolved, the gate checks that changed.
    let out = run_ok(&["diff", &messy, &clean, "--format", "text"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "  verdict STOP → GO: {} resolved, 0 introduced, 0 unchanged",
            expected.len()
        ),
        "{text}"
    );
    assert!(
        text.contains("\n    resolved    fail invalid_currency                       Purchase\n"),
        "{text}"
    );
    assert_eq!(lines.len(), expected.len() + 2, "{text}");
    assert_eq!(
        lines[lines.len() - 1],
        "  gate: dedup stop→go  money stop→go  owners stop→go  gaps unverified→go",
        "{text}"
    );
}

#[test]
fn strict_diff_exits_one_when_after_brings_a_fail_finding() {
    let dir = Scratch::new("diff-strict");
    let (messy, clean) = real_packets(&dir);
    let out = run(&["diff", &clean, &messy, "--strict"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let d: Value = serde_json::from_slice(&out.stdout).expect("the diff is still printed");
    assert_eq!(d["introduces_fail"], true);
    assert!(keys(&d["introduced"]).contains(&"fail invalid_currency Purchase".to_owned()));
    assert_eq!(d["resolved"], serde_json::json!([]));
    // Without --strict the same diff exits 0.
    assert_eq!(run(&["diff", &clean, &messy]).status.code(), Some(0));
    // A packet compared with itself changes nothing.
    let same = diff_json(&messy, &messy);
    assert_eq!(same["resolved"], serde_json::json!([]));
    assert_eq!(same["introduced"], serde_json::json!([]));
    assert_eq!(same["gate"], serde_json::json!([]));
    assert_eq!(same["values"], serde_json::json!([]));
    assert!(!keys(&same["unchanged"]).is_empty());
}

/// Packets saved before version 2, by the CLI and by the extension, still read:
/// a v1 before and a v2 after give the same answer as two v2 packets.
#[test]
fn diff_reads_version_one_packets_from_the_cli_and_the_extension() {
    let dir = Scratch::new("diff-v1");
    let (messy, clean) = real_packets(&dir);
    let v1 = |name: &str| fixture(&format!("v1/{name}"));
    let from_v1 = diff_json(&v1("messy.cli.json"), &clean);
    let from_v2 = diff_json(&messy, &clean);
    assert!(!keys(&from_v2["resolved"]).is_empty());
    // Codes added after the v1 fixtures were saved are in the v2 packet only.
    let newer = |k: &String| !k.contains("test_event_code_present") && !k.contains("missing_content_type");
    let v2_resolved: Vec<String> = keys(&from_v2["resolved"]).into_iter().filter(newer).collect();
    assert_eq!(keys(&from_v1["resolved"]), v2_resolved);
    assert_eq!(from_v1["gate"], from_v2["gate"]);
    assert_eq!(from_v1["values"], from_v2["values"]);
    assert_eq!(from_v1["before"]["packet_version"], 1);
    // Both sides v1, as the extension saved them at the end of the demo.
    let d = diff_json(&v1("messy.extension.json"), &v1("clean.extension.json"));
    assert_eq!(d["verdict"], serde_json::json!({"before": "stop", "after": "go"}));
    let resolved = keys(&d["resolved"]);
    for k in [
        "fail add_to_cart_without_action AddToCart",
        "fail dedup_key_mismatch Purchase",
        "warn pixel_initialized_twice -",
    ] {
        assert!(resolved.contains(&k.to_owned()), "{k} not in {resolved:?}");
    }
    assert_eq!(d["introduced"], serde_json::json!([]));
    // A v1 packet of the fixed store against the v2 one of the same capture: nothing moved.
    let same = diff_json(&v1("clean.cli.json"), &clean);
    assert_eq!(same["gate"], serde_json::json!([]));
    assert_eq!(same["resolved"], serde_json::json!([]));
    assert_eq!(same["introduced"], serde_json::json!([]));
}

#[test]
fn diff_of_what_is_not_a_packet_exits_two_naming_file_and_place() {
    let dir = Scratch::new("diff-bad");
    let (_, clean) = real_packets(&dir);
    let broken = dir.path("broken.json");
    std::fs::write(&broken, "{\"packet_version\": 2,\n  \"verdict\": ").expect("write");
    let markdown = dir.path("packet.md");
    std::fs::write(
        &markdown,
        String::from_utf8_lossy(&run_ok(&["audit", &fixture("clean.har"), "--format", "markdown"]).stdout).as_bytes(),
    )
    .expect("write");
    let future = dir.path("future.json");
    std::fs::write(&future, r#"{"packet_version": 3, "verdict": "go"}"#).expect("write");
    let cases: [(&str, &str, &str); 5] = [
        (&fixture("clean.har"), "clean.har", "no packet_version"),
        (&broken, "broken.json", "line 2"),
        (&markdown, "packet.md", "Markdown"),
        (&future, "future.json", "packet_version"),
        ("/nonexistent/before.json", "/nonexistent/before.json", "cannot read"),
    ];
    for (path, name, place) in cases {
        for args in [["diff", path, &clean], ["diff", &clean, path]] {
            let out = run(&args);
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            assert!(out.stdout.is_empty(), "nothing printed on stdout for {args:?}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(err.trim().lines().count(), 1, "{err}");
            assert!(err.contains(name) && err.contains(place), "{name}/{place}: {err}");
        }
    }
}

/// A packet edited or damaged so that its verdict is not what its own
/// findings and gate checks make it is refused, never compared: a diff that
/// showed STOP → GO on an edited verdict, or missed the fails a packet lost,
/// would vouch for what the evidence does not say.
#[test]
fn diff_refuses_a_packet_whose_verdict_its_own_evidence_does_not_give() {
    let dir = Scratch::new("diff-edited");
    let (messy, clean) = real_packets(&dir);
    let messy_packet: Value = serde_json::from_str(&std::fs::read_to_string(&messy).expect("messy")).expect("json");
    let edited = |name: &str, edit: &dyn Fn(&mut Value)| {
        let mut p = messy_packet.clone();
        edit(&mut p);
        let path = dir.path(name);
        std::fs::write(&path, p.to_string()).expect("write");
        path
    };
    let go = edited("go.json", &|p| p["verdict"] = "go".into());
    let no_evidence = edited("no-evidence.json", &|p| {
        p["findings"] = serde_json::json!([]);
        for c in p["gate"]["checks"].as_array_mut().expect("checks") {
            c["state"] = "go".into();
        }
    });
    let odd_state = edited("odd-state.json", &|p| p["gate"]["checks"][0]["state"] = "fine".into());
    let no_checks = edited("no-checks.json", &|p| {
        p["findings"] = serde_json::json!([]);
        p["gate"]["checks"] = serde_json::json!([]);
        p["verdict"] = "go".into();
    });
    let v1 = edited("v1.json", &|p| {
        p["packet_version"] = 1.into();
        p["verdict"] = "go".into();
    });
    for (path, says) in [
        (
            &no_checks,
            "the gate has the checks (none), not chain, dedup, gaps, money, owners once each",
        ),
        (&v1, "its verdict is \"go\", but it holds "),
        (&go, "its verdict is \"go\", but it holds "),
        (
            &no_evidence,
            "its verdict is \"stop\", but it holds no fail finding and no gate check in stop, which make it go",
        ),
        (&odd_state, "has the state \"fine\", not go, stop or unverified"),
    ] {
        let out = run(&["diff", &clean, path]);
        assert_eq!(out.status.code(), Some(2), "{path}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says) && err.contains("export it again"), "{err}");
    }
    // The packets as written compare.
    assert_eq!(run(&["diff", &messy, &clean]).status.code(), Some(0));
}

/// Output to a reader that has gone (`| head`) ends quietly: exit 0, no panic.
/// The journal's packet is larger than a pipe holds (64 KB), so its write
/// meets the closed pipe whenever the reader went.
#[test]
fn output_to_a_closed_pipe_ends_quietly() {
    let dir = Scratch::new("closed-pipe");
    let records: Vec<Value> = (0..2000)
        .map(|i| {
            serde_json::json!({"kind": "navigation", "url": format!("https://shop.test/products/p{i}"),
                "time": 1_764_000_000_000_u64 + i * 1000, "tab_id": 1, "transition": null, "origin": "network"})
        })
        .collect();
    let journal = dir.path("long.journal.json");
    std::fs::write(&journal, Value::Array(records).to_string()).expect("write");
    let (messy, clean) = real_packets(&dir);
    let big = run_ok(&["journal", &journal, "--format", "json"]).stdout.len();
    assert!(big > 64 * 1024, "{big} bytes");
    let har = fixture("messy.har");
    for args in [
        vec!["journal", journal.as_str(), "--format", "json"],
        vec!["audit", har.as_str(), "--format", "markdown"],
        vec!["diff", messy.as_str(), clean.as_str(), "--format", "markdown"],
        vec!["codes"],
    ] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pixelproof"))
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawned");
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("ran");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// The Conversions API and fbp/fbc checks, each code raised and
/// silent exactly as the code table says, through HAR + server files.
fn expected(list: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    list.iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

#[test]
fn an_ad_click_order_with_an_sdk_shaped_payload_raises_nothing() {
    // Landed with fbclid; every hit carries the click's fbc; the server posts
    // what Meta's Python SDK posts (events as JSON text), fbp/fbc as the browser had them.
    let p = packet(&[
        "audit",
        &fixture("identity.har"),
        "--server",
        &fixture("identity.capi.json"),
        "--order",
        &fixture("clean.order.json"),
        "--review",
        &fixture("review.json"),
        "--strict",
    ]);
    assert_eq!(codes(&p), expected(&[]));
    assert_eq!(p["verdict"], "go");
    assert_eq!(p["cards"]["test_events"]["pairs"].as_array().map(Vec::len), Some(4));
    assert!(p["cards"]["test_events"]["pairs"]
        .as_array()
        .expect("pairs")
        .iter()
        .all(|x| x["matched"] == true));
    // Match keys, side by side, by name only.
    let purchase = &p["match_keys"][3];
    assert_eq!(purchase["event"], "Purchase");
    assert_eq!(purchase["browser_hits"], 1);
    assert_eq!(purchase["browser"], serde_json::json!(["em", "fbc", "fbp"]));
    assert_eq!(purchase["server_events"], 1);
    assert_eq!(
        purchase["server"],
        serde_json::json!([
            "client_ip_address",
            "client_user_agent",
            "em",
            "external_id",
            "fbc",
            "fbp",
            "ph"
        ])
    );
    let text = serde_json::to_string(&p["match_keys"]).expect("json");
    assert!(
        !text.contains("2620:10d") && !text.contains("IwAR"),
        "no values: {text}"
    );
}

#[test]
fn a_broken_payload_and_broken_click_ids_raise_each_code() {
    let p = packet(&[
        "audit",
        &fixture("identity-messy.har"),
        "--server",
        &fixture("broken.capi.json"),
    ]);
    let new_codes: Vec<(String, String, String)> = codes(&p)
        .into_iter()
        .filter(|(c, _, _)| {
            c.starts_with("server_")
                || c.starts_with("fb")
                || c.starts_with("invalid_fbp")
                || c.starts_with("test_event")
        })
        .collect();
    assert_eq!(
        new_codes,
        expected(&[
            ("fbc_mismatch", "warn", "Purchase"),
            ("fbc_mismatch", "warn", "ViewContent"),
            ("fbc_missing", "warn", "AddToCart"),
            ("fbp_mismatch", "warn", "Purchase"),
            ("invalid_fbp_fbc", "warn", "AddToCart"),
            ("invalid_fbp_fbc", "warn", "InitiateCheckout"),
            ("server_action_source_invalid", "fail", "ViewContent"),
            // The InitiateCheckout replayed 8 days late sinks the whole request.
            ("server_batch_too_large", "fail", "Purchase"),
            ("server_event_id_in_custom_data", "fail", "AddToCart"),
            ("server_event_time_invalid", "fail", "AddToCart"),
            ("server_event_time_invalid", "fail", "InitiateCheckout"),
            ("server_event_time_invalid", "fail", "Purchase"),
            ("server_event_time_invalid", "fail", "ViewContent"),
            ("server_missing_web_fields", "warn", "AddToCart"),
            ("server_user_data_overhashed", "warn", "AddToCart"),
            ("server_user_data_unhashed", "fail", "InitiateCheckout"),
            ("test_event_code_present", "warn", "-"),
        ])
    );
    assert_eq!(p["verdict"], "stop");
    let message = |code: &str, event: &str| -> String {
        instances(&p)
            .into_iter()
            .filter(|(c, f)| *c == code && f["event"] == event)
            .map(|(_, f)| f["message"].as_str().unwrap_or("").to_owned())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let time = message("server_event_time_invalid", "AddToCart");
    assert!(
        time.contains("broken.capi.json data[1] (AddToCart): event_time is the text \"yesterday\""),
        "{time}"
    );
    let unhashed = message("server_user_data_unhashed", "InitiateCheckout");
    assert!(
        unhashed.contains("user_data.em[0] looks like an e-mail address"),
        "{unhashed}"
    );
    assert!(!unhashed.contains("jane.doe"), "the value is not repeated: {unhashed}");
    let click = message("fbc_mismatch", "ViewContent");
    assert!(click.contains("iwar2f4-dbp0l7mn1iawqqgcinez7pyxqvwjnwb_qa2ofrhyiljcbcrxtdgrc is not the landing URL's fbclid IwAR2F4-dbP0l7Mn1IawQQGCINEz7PYXQvwjNwB_qa2ofrHyiLjcbCRxTDGrc"), "{click}");
    // The pasted customer data is not in the packet.
    let text = serde_json::to_string(&p).expect("json");
    assert!(
        !text.contains("jane.doe@example.com") && !text.contains("555-0123"),
        "user_data leaked into the packet"
    );
    // The Markdown packet lists the match keys.
    let md = String::from_utf8(
        run_ok(&[
            "audit",
            &fixture("identity-messy.har"),
            "--server",
            &fixture("broken.capi.json"),
            "--format",
            "markdown",
        ])
        .stdout,
    )
    .expect("utf8");
    assert!(md.contains("## Match keys"), "{md}");
    assert!(
        md.contains(
            "| AddToCart | 1 | fbp (medium) | 1 | client\\_ip\\_address (every event), em (high), fbc (high), fbp (medium) | — | client\\_ip\\_address, em, fbc | browser: em (high); server: ph (medium) |"
        ),
        "{md}"
    );
}

#[test]
fn without_a_payload_only_the_browser_identity_checks_judge() {
    let p = packet(&["audit", &fixture("identity-messy.har")]);
    let c = codes(&p);
    assert!(
        c.contains(&("fbc_missing".into(), "warn".into(), "AddToCart".into())),
        "{c:?}"
    );
    assert!(
        !c.iter().any(|(code, _, _)| code.starts_with("server_")
            || code == "fbp_mismatch"
            || code == "test_event_code_present"),
        "{c:?}"
    );
    assert_eq!(p["match_keys"][0]["server"], Value::Null);
    // The clean order landed without fbclid: nothing about click ids.
    let clean = packet(&["audit", &fixture("clean.har")]);
    assert!(!codes(&clean)
        .iter()
        .any(|(code, _, _)| code.starts_with("fb") || code == "invalid_fbp_fbc"));
}

#[test]
fn a_wrong_field_type_is_a_finding_and_an_unusable_event_exits_two() {
    let dir = std::env::temp_dir().join(format!("pixelproof-types-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let odd = dir.join("odd.capi.json");
    std::fs::write(
        &odd,
        r#"{"data": [{"event_name": "Purchase", "event_id": "order-1001", "event_time": "yesterday", "action_source": ["website"], "user_data": {"em": 42}}]}"#,
    )
    .expect("write");
    let p = packet(&["audit", &fixture("clean.har"), "--server", odd.to_str().expect("utf8")]);
    let c = codes(&p);
    for code in [
        "server_event_time_invalid",
        "server_action_source_invalid",
        "server_user_data_unhashed",
    ] {
        assert!(
            c.contains(&(code.into(), "fail".into(), "Purchase".into())),
            "{code}: {c:?}"
        );
    }
    let bad = dir.join("bad.capi.json");
    std::fs::write(&bad, r#"{"data": [{"event_name": "Purchase"}, "not an event"]}"#).expect("write");
    let out = run(&["audit", &fixture("clean.har"), "--server", bad.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("bad.capi.json: data[1]: event is text that is not a JSON object"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// consent_revoked rests on page evidence: the journal the extension exports
/// carries the fbq calls a HAR cannot.
#[test]
fn a_revoke_before_core_events_is_reported_from_the_journal() {
    let p = packet(&["journal", &fixture("consent-revoked.journal.json")]);
    let revoked: Vec<&Value> = instances(&p)
        .into_iter()
        .filter(|(c, _)| *c == "consent_revoked")
        .map(|(_, f)| f)
        .collect();
    let events: Vec<&str> = revoked.iter().map(|f| f["event"].as_str().unwrap_or("")).collect();
    assert_eq!(events, ["AddToCart", "ViewContent"]);
    assert!(revoked.iter().all(|f| f["severity"] == "warn"));
    assert!(
        revoked[0]["message"].as_str().unwrap_or("").contains(
            "fbq('consent', 'revoke') from https://cdn.consent.example/banner.js came before fbq('track', 'AddToCart')"
        ),
        "{}",
        revoked[0]["message"]
    );
    let granted = packet(&["journal", &fixture("consent-granted.journal.json")]);
    assert!(
        !codes(&granted).iter().any(|(c, _, _)| c == "consent_revoked"),
        "{:?}",
        codes(&granted)
    );
}

/// The clean order with its payload and, in order, Meta's answer to it.
fn with_response(response: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "audit",
        &fixture("clean.har"),
        "--server",
        &fixture("clean.capi.json"),
        "--server-response",
        &fixture(response),
        "--order",
        &fixture("clean.order.json"),
        "--review",
        &fixture("review.json"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn refs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[test]
fn meta_accepting_every_event_is_said_in_the_test_events_card() {
    let p = packet(&refs(&with_response("clean.response.json", &[])));
    assert_eq!(p["verdict"], "go", "{}", p["findings"]);
    let m = &p["cards"]["test_events"]["meta_response"];
    assert_eq!(m["summary"], "Meta accepted 4 of 4");
    assert_eq!(m["fbtrace_ids"], serde_json::json!(["AcRvWq5n1h8UJzY0fPx3BtQ"]));
    let md = String::from_utf8(run_ok(&refs(&with_response("clean.response.json", &["--format", "markdown"]))).stdout)
        .expect("utf8");
    assert!(
        md.contains(
            "Meta's response: Meta accepted 4 of 4 (1 of 1 request(s) answered; fbtrace_id `AcRvWq5n1h8UJzY0fPx3BtQ`)."
        ),
        "{md}"
    );
    // Without a response nothing is claimed about what Meta accepted.
    let bare = packet(&["audit", &fixture("clean.har"), "--server", &fixture("clean.capi.json")]);
    assert!(bare["cards"]["test_events"].get("meta_response").is_none());
}

#[test]
fn a_refused_or_short_response_fails_quoting_meta() {
    let p = packet(&refs(&with_response("refused.response.json", &[])));
    assert_eq!(p["verdict"], "stop");
    let refused: Vec<&Value> = instances(&p)
        .into_iter()
        .filter(|(c, _)| *c == "server_response_error")
        .map(|(_, i)| i)
        .collect();
    assert_eq!(refused.len(), 1);
    let msg = refused[0]["message"].as_str().expect("message");
    assert!(
        msg.contains("\"Invalid parameter\" (code 100, error_subcode 2804019, fbtrace_id A5bXk0QyR3nLm8TgHw2cVzP)"),
        "{msg}"
    );
    // What the response echoed is masked as the extension stores it.
    let text = serde_json::to_string(&p).expect("json");
    assert!(!text.contains("jane.doe@example.com"), "echoed e-mail leaked: {msg}");
    assert!(msg.contains("The customer information plain:email:"), "{msg}");
    assert_eq!(
        p["cards"]["test_events"]["meta_response"]["summary"],
        "Meta accepted 0 of 4; Meta refused 1 request(s)"
    );

    let p = packet(&refs(&with_response("short.response.json", &[])));
    let short: Vec<(String, String, String)> = codes(&p)
        .into_iter()
        .filter(|(c, _, _)| c.starts_with("server_"))
        .collect();
    assert_eq!(short, expected(&[("server_events_received_short", "fail", "Purchase")]));
    assert_eq!(
        p["cards"]["test_events"]["meta_response"]["summary"],
        "Meta accepted 3 of 4"
    );
}

#[test]
fn a_bad_response_file_exits_two_naming_file_and_place() {
    let dir = Scratch::new("bad-response");
    let write = |name: &str, text: &str| {
        let path = dir.path(name);
        std::fs::write(&path, text).expect("write");
        path
    };
    let one_line = |args: &[&str], wants: &[&str]| {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        for w in wants {
            assert!(err.contains(w), "{w} not in {err}");
        }
    };
    let har = fixture("clean.har");
    let capi = fixture("clean.capi.json");
    let cut = write("cut.json", "{\"events_received\": 4,\n  \"messages\": [");
    one_line(
        &["audit", &har, "--server", &capi, "--server-response", &cut],
        &["cut.json", "line 2", "not valid JSON", "events_received"],
    );
    // The payload given where its response belongs.
    one_line(
        &["audit", &har, "--server", &capi, "--server-response", &capi],
        &[
            "clean.capi.json",
            "(top level)",
            "a Conversions API payload, not Meta's response",
        ],
    );
    let neither = write("neither.json", "{\"success\": true}");
    one_line(
        &["audit", &har, "--server", &capi, "--server-response", &neither],
        &["neither.json", "neither \"events_received\" nor \"error\""],
    );
    // More responses than payloads, or than the payload's requests.
    let ok = fixture("clean.response.json");
    one_line(
        &["audit", &har, "--server-response", &ok],
        &[
            "clean.response.json",
            "--server-response given 1 time(s) but --server 0 time(s)",
        ],
    );
    let two = write("two.json", "{\"events_received\": 4} {\"events_received\": 1}");
    one_line(
        &["audit", &har, "--server", &capi, "--server-response", &two],
        &["two.json", "document 2", "holds 1 request(s)"],
    );
}
