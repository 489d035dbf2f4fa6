//! Peak memory of `pixelproof audit` on a HAR with 200,000 pixel hits (prints
//! figures; a benchmark, not a timed test).
//!
//! Generates a Chrome-shaped HAR of pixel hits as fbevents sends them (a
//! product page's PageView, ViewContent and AddToCart with real-length URLs,
//! a document request every 50 entries), then runs the CLI binary itself, as
//! a user does, in a child process for each output format, and reads the
//! child's peak resident set from the kernel (`getrusage(RUSAGE_CHILDREN)`
//! after each run, which only grows: the formats run smallest first, and a
//! fresh bench process per format keeps them apart).
//! Target: peak RSS ≤ file size + 1 KB per pixel hit.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const HITS: usize = 200_000;
const PAGE_EVERY: usize = 50;

fn main() {
    // `cargo bench` passes `--bench`; any other argument is a filter we ignore.
    if let Ok(format) = std::env::var("PIXELPROOF_MEMORY_CHILD") {
        run_once(&format);
        return;
    }
    let path = std::env::temp_dir().join(format!("pixelproof-bench-{HITS}-hits.har"));
    if !std::fs::metadata(&path).is_ok_and(|m| m.len() > 0) {
        let t = Instant::now();
        generate(&path);
        eprintln!("generated {} in {:.1?}", path.display(), t.elapsed());
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let file_mb = size as f64 / 1e6;
    let budget_mb = (size as f64 + 1024.0 * HITS as f64) / 1e6;
    println!("HAR file: {file_mb:.1} MB, {HITS} pixel hits; budget file + 1 KB per hit = {budget_mb:.1} MB");
    let mut rows = Vec::new();
    for format in ["json", "markdown", "text"] {
        let exe = std::env::current_exe().unwrap_or_default();
        let out = Command::new(exe)
            .env("PIXELPROOF_MEMORY_CHILD", format)
            .env("PIXELPROOF_MEMORY_FILE", &path)
            .output();
        let line = match out {
            Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_owned(),
            Ok(o) => format!("failed: {}", String::from_utf8_lossy(&o.stderr).trim()),
            Err(e) => format!("failed: {e}"),
        };
        println!("{format:>8}: {line}");
        let peak = line
            .split_whitespace()
            .find_map(|w| w.strip_prefix("peak_mb="))
            .and_then(|v| v.parse::<f64>().ok());
        rows.push(serde_json::json!({"format": format, "line": line, "peak_mb": peak}));
        if let Some(peak) = peak {
            let per_hit = (peak - file_mb) * 1e6 / HITS as f64;
            println!(
                "{format:>8}: peak {peak:.1} MB = file {} {:.0} bytes per hit (goal: file + ≤ 1024 bytes per hit, {budget_mb:.1} MB) → {}, {:.0} bytes per hit in all",
                if per_hit < 0.0 { "−" } else { "+" },
                per_hit.abs(),
                if peak <= budget_mb { "met" } else { "not met" },
                peak * 1e6 / HITS as f64
            );
        }
    }
    // For bench/report.mjs (docs/benchmarks.md).
    let json = serde_json::json!({"file_mb": file_mb, "hits": HITS, "budget_mb": budget_mb, "runs": rows});
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join("har-memory.json"), json.to_string());
    }
}

/// In a fresh process: runs the CLI once and prints its peak RSS.
fn run_once(format: &str) {
    let path = PathBuf::from(std::env::var("PIXELPROOF_MEMORY_FILE").unwrap_or_default());
    let out = std::env::temp_dir().join(format!("pixelproof-bench-packet.{format}"));
    let t = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_pixelproof"))
        .arg("audit")
        .arg(&path)
        .args(["--format", format, "--out"])
        .arg(&out)
        .status();
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    let packet_mb = std::fs::metadata(&out)
        .map(|m| m.len() as f64 / 1e6)
        .unwrap_or(f64::NAN);
    let _ = std::fs::remove_file(&out);
    let peak_kb = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .map(|u| u.max_rss())
        .unwrap_or(0);
    match status {
        Ok(s) if s.success() || s.code() == Some(1) => println!(
            "ms={ms:.0} peak_mb={:.1} packet_mb={packet_mb:.1}",
            peak_kb as f64 * 1024.0 / 1e6
        ),
        Ok(s) => println!("error=exit {s}"),
        Err(e) => println!("error={e}"),
    }
}

/// Pixel hits as a product page's fbevents sends them (GET image requests with
/// every parameter of a real hit, ~700-character URLs), a document request
/// every `PAGE_EVERY` entries, Chrome's entry fields around each.
fn generate(path: &Path) {
    use std::io::Write;
    let Ok(file) = std::fs::File::create(path) else { return };
    let mut w = std::io::BufWriter::new(file);
    let _ = write!(
        w,
        r#"{{"log":{{"version":"1.2","creator":{{"name":"WebInspector","version":"537.36"}},"pages":[],"entries":["#
    );
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let mut hits = 0usize;
    let mut i = 0usize;
    while hits < HITS {
        let page = format!(
            "https://shop.test/products/item-{}?variant={}",
            i / PAGE_EVERY,
            40000 + i / PAGE_EVERY
        );
        let ms = 1_795_000_000_000u64 + i as u64 * 50;
        let (url, rtype, dest) = if i.is_multiple_of(PAGE_EVERY) {
            (page.clone(), "document", "document")
        } else {
            hits += 1;
            let ev = ["PageView", "ViewContent", "AddToCart"][i % 3];
            let url = format!(
                "https://www.facebook.com/tr/?id=1234567890123456&ev={ev}&dl={}&rl={}&if=false&ts={ms}&cd[content_ids]={}&cd[content_type]=product_group&cd[content_name]={}&cd[value]=30.00&cd[currency]=USD&sw=1920&sh=1080&v=2.9.179&r=stable&ec={}&o=4126&fbp=fb.1.1795000000000.1234567890&eid={}&ler=empty&cdl=API_unavailable&it={}&coo=false&es=automatic&tm=3&exp=p1&rqm=GET",
                enc(&page),
                enc("https://shop.test/collections/all"),
                enc(&format!("[\"{}\"]", 7_000_000_000_000u64 + i as u64)),
                enc("Organic Cotton Tee - Blue / M"),
                i % 7,
                enc(&format!("{}-{}", ev.to_ascii_lowercase(), i)),
                ms - 1500,
            );
            (url, "image", "image")
        };
        let sep = if i == 0 { "" } else { "," };
        let secs = ms / 1000;
        let _ = write!(
            w,
            r#"{sep}{{"_initiator":{{"type":"script","url":"https://connect.facebook.net/en_US/fbevents.js"}},"_resourceType":"{rtype}","cache":{{}},"pageref":"page_1","request":{{"method":"GET","url":"{url}","httpVersion":"h2","headers":[{{"name":"Sec-Fetch-Dest","value":"{dest}"}}],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0}},"response":{{"status":200,"statusText":"","httpVersion":"h2","headers":[{{"name":"content-type","value":"image/gif"}}],"cookies":[],"content":{{"size":44,"mimeType":"image/gif"}},"redirectURL":"","headersSize":-1,"bodySize":44}},"startedDateTime":"2026-11-20T{:02}:{:02}:{:02}.{:03}Z","time":12.5,"timings":{{"send":0,"wait":10,"receive":1}}}}"#,
            (secs / 3600) % 24,
            (secs / 60) % 60,
            secs % 60,
            ms % 1000
        );
        i += 1;
    }
    let _ = write!(w, "]}}}}");
    let _ = w.flush();
}
