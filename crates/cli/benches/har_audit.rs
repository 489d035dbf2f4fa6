//! HAR audit vs a bare serde_json parse of the same file (prints figures).
//!
//! Generates a ~100 MB Chrome-shaped HAR (most bytes in response bodies, as in
//! real exports), then runs, each in a fresh child process so peak memory is
//! per phase: (1) `serde_json::from_slice::<Value>` of the file — the baseline;
//! (2) the same audit the CLI runs (read, HAR → journal, session, packet JSON).
//! Target: audit time ≤ 2× the parse time, audit peak RSS ≤ 2.5× the file size.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const TARGET_BYTES: usize = 100 * 1024 * 1024;
const RUNS: usize = 5;

fn main() {
    if let Ok(mode) = std::env::var("PIXELPROOF_BENCH_MODE") {
        let path = PathBuf::from(std::env::var("PIXELPROOF_BENCH_FILE").unwrap_or_default());
        child(&mode, &path);
        return;
    }
    let path = std::env::temp_dir().join("pixelproof-bench-100mb.har");
    if std::fs::metadata(&path).map(|m| m.len() as usize).unwrap_or(0) < TARGET_BYTES {
        let t = Instant::now();
        generate(&path);
        eprintln!("generated {} in {:.1?}", path.display(), t.elapsed());
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("HAR file: {:.1} MB", size as f64 / 1e6);
    // Alternating runs, each in a fresh process; median and range of each.
    let mut rows = Vec::new();
    for _ in 0..RUNS {
        for mode in ["parse", "audit"] {
            let exe = std::env::current_exe().unwrap_or_default();
            let out = Command::new(exe)
                .env("PIXELPROOF_BENCH_MODE", mode)
                .env("PIXELPROOF_BENCH_FILE", &path)
                .output();
            match out {
                Ok(o) => {
                    let line = String::from_utf8_lossy(&o.stdout).trim().to_string();
                    println!("{mode:>5}: {line}");
                    rows.push((mode, line));
                }
                Err(e) => println!("{mode}: child failed: {e}"),
            }
        }
    }
    let values = |m: &str, key: &str| -> Vec<f64> {
        let mut v: Vec<f64> = rows
            .iter()
            .filter(|(mode, _)| *mode == m)
            .filter_map(|(_, l)| {
                l.split_whitespace()
                    .find_map(|w| w.strip_prefix(key))
                    .and_then(|v| v.parse::<f64>().ok())
            })
            .collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let median = |v: &[f64]| v.get(v.len() / 2).copied().unwrap_or(f64::NAN);
    let range = |v: &[f64]| {
        format!(
            "{:.0}–{:.0}",
            v.first().unwrap_or(&f64::NAN),
            v.last().unwrap_or(&f64::NAN)
        )
    };
    let (pt, at) = (values("parse", "ms="), values("audit", "ms="));
    let (pm, am) = (values("parse", "peak_mb="), values("audit", "peak_mb="));
    let file_mb = size as f64 / 1e6;
    println!(
        "median of {RUNS}: parse {:.0} ms ({}), audit {:.0} ms ({}) → {:.2}× (target ≤ 2×)",
        median(&pt),
        range(&pt),
        median(&at),
        range(&at),
        median(&at) / median(&pt)
    );
    println!(
        "peak RSS: parse {:.0} MB, audit {:.0} MB → audit {:.2}× the file size (target ≤ 2.5×)",
        median(&pm),
        median(&am),
        median(&am) / file_mb
    );
    // For bench/report.mjs (docs/benchmarks.md).
    let json = serde_json::json!({
        "file_mb": file_mb, "parse_ms": pt, "audit_ms": at, "parse_peak_mb": pm, "audit_peak_mb": am,
    });
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join("har.json"), json.to_string());
    }
}

fn child(mode: &str, path: &Path) {
    let t = Instant::now();
    let summary = match mode {
        "parse" => {
            let bytes = std::fs::read(path).unwrap_or_default();
            let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
            format!("entries={}", v["log"]["entries"].as_array().map(Vec::len).unwrap_or(0))
        }
        _ => {
            let bytes = std::fs::read(path).unwrap_or_default();
            let config = pixelproof_core::DecodeConfig::default();
            match pixelproof_core::har::read_har("bench.har", &bytes, &config) {
                Ok(import) => {
                    drop(bytes);
                    let mut s = pixelproof_core::Session::from_records(config, import.records);
                    let p = pixelproof_core::Packet::build(
                        &mut s,
                        &pixelproof_core::Review::default(),
                        &pixelproof_core::PacketOptions::default(),
                    );
                    format!(
                        "entries={} hits={} packet_bytes={}",
                        import.entries,
                        p.hits.len(),
                        p.to_json().len()
                    )
                }
                Err(e) => format!("error={e}"),
            }
        }
    };
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    println!("ms={ms:.0} peak_mb={:.0} {summary}", peak_rss_mb());
}

/// VmHWM (peak resident set) of this process, from /proc.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// A Chrome-shaped HAR: a page every 40 entries, pixel hits among scripts,
/// images and XHRs, responses with bodies.
fn generate(path: &Path) {
    use std::io::Write;
    let Ok(file) = std::fs::File::create(path) else { return };
    let mut w = std::io::BufWriter::new(file);
    let body = "x".repeat(6000);
    let _ = write!(
        w,
        r#"{{"log":{{"version":"1.2","creator":{{"name":"WebInspector","version":"537.36"}},"pages":[],"entries":["#
    );
    let mut written = 0usize;
    let mut i = 0usize;
    while written < TARGET_BYTES {
        let page = format!("https://shop.test/products/item-{}", i / 40);
        let (url, rtype, dest) = match i % 40 {
            0 => (page.clone(), "document", "document"),
            1 => ("https://connect.facebook.net/en_US/fbevents.js".to_string(), "script", "script"),
            n if n % 4 == 0 => (
                format!("https://www.facebook.com/tr/?id=1234567890&ev={}&dl={}&eid=e{i}&cd[value]=30.00&cd[currency]=USD&cd[content_ids]=%5B%22p{i}%22%5D&v=2.9.179&ec={n}&rqm=GET",
                    if n % 8 == 0 { "ViewContent" } else { "AddToCart" },
                    form_urlencoded::byte_serialize(page.as_bytes()).collect::<String>()),
                "image", "image"),
            n if n % 3 == 0 => (format!("https://shop.test/cdn/shop/files/img-{i}.webp"), "image", "image"),
            _ => (format!("https://shop.test/api/recommendations?item={i}"), "xhr", "empty"),
        };
        let sep = if i == 0 { "" } else { "," };
        let entry = format!(
            r#"{sep}{{"_initiator":{{"type":"script","stack":{{"callFrames":[{{"functionName":"","scriptId":"1","url":"https://shop.test/cdn/shop/t/3/assets/theme.js","lineNumber":1,"columnNumber":1}}]}}}},"_resourceType":"{rtype}","cache":{{}},"pageref":"page_1","request":{{"method":"GET","url":"{url}","httpVersion":"h2","headers":[{{"name":"Sec-Fetch-Dest","value":"{dest}"}},{{"name":"User-Agent","value":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"}}],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0}},"response":{{"status":200,"statusText":"","httpVersion":"h2","headers":[{{"name":"content-type","value":"text/html"}}],"cookies":[],"content":{{"size":6000,"mimeType":"text/html","text":"{body}"}},"redirectURL":"","headersSize":-1,"bodySize":6000}},"startedDateTime":"2026-11-20T10:{:02}:{:02}.{:03}Z","time":12.5,"timings":{{"send":0,"wait":10,"receive":1}}}}"#,
            (i / 60000) % 60,
            (i / 1000) % 60,
            i % 1000
        );
        written += entry.len();
        let _ = w.write_all(entry.as_bytes());
        i += 1;
    }
    let _ = write!(w, "]}}}}");
    let _ = w.flush();
}
