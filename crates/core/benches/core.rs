//! Core speed figures (criterion): decode rate, full evaluation of a
//! 10,000-hit session, and the cost of adding one hit to such a session.
//! Targets (issue "Core engine and CLI"): ≥300,000 decodes/s on one core,
//! full evaluation < 20 ms, one added hit < 50 µs.

use std::cell::RefCell;

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use pixelproof_core::decode::{decode, DecodeConfig};
use pixelproof_core::journal::{CapturedRequest, Context, FrameType, Navigation, Record};
use pixelproof_core::Session;

/// A typical ~600-byte ViewContent URL as fbevents sends it.
fn typical_url(i: usize) -> String {
    format!(
        "https://www.facebook.com/tr/?id=1234567890&ev=ViewContent&dl=https%3A%2F%2Fshop.test%2Fproducts%2Fclassic-tee-{i}%3Fvariant%3D4242424242&rl=https%3A%2F%2Fshop.test%2Fcollections%2Fall&if=false&ts=1763632800320&cd[content_ids]=%5B%22tee-blue-m-{i}%22%5D&cd[content_type]=product_group&cd[content_name]=Classic%20Tee%20-%20Blue&cd[value]=30.00&cd[currency]=USD&cd[contents]=%5B%7B%22id%22%3A%22tee-blue-m%22%2C%22quantity%22%3A1%7D%5D&sw=1920&sh=1080&v=2.9.179&r=stable&ec=2&o=4126&fbp=fb.1.1763632800000.118273645&ler=empty&cdl=API_unavailable&it=1763632800000&coo=false&eid=vc-{i}-7c1e9a&rqm=GET"
    )
}

/// Event of the i-th hit on a 50-hit page: a page view, mostly product views
/// and cart adds, a few checkouts, and one Purchase (as on an order page).
fn event_at(i: usize) -> &'static str {
    match i % 50 {
        0 => "PageView",
        49 => "Purchase",
        n if n % 15 == 0 => "InitiateCheckout",
        n if n % 2 == 0 => "AddToCart",
        _ => "ViewContent",
    }
}

/// A 10,000-hit journey over 200 page views (see `event_at` for the mix).
fn journal(hits: usize) -> Vec<Record> {
    let mut out = Vec::with_capacity(hits + hits / 50);
    let mut t = 1.7e12;
    for i in 0..hits {
        let page = format!("https://shop.test/products/item-{}", i / 50);
        if i.is_multiple_of(50) {
            out.push(Record::Navigation(Navigation {
                url: page.clone(),
                time: t,
                ..Navigation::default()
            }));
        }
        t += 250.0;
        let ev = event_at(i);
        let url = typical_url(i).replace("ev=ViewContent", &format!("ev={ev}")).replace(
            "dl=https%3A%2F%2Fshop.test%2Fproducts%2Fclassic-tee",
            &format!(
                "dl={}",
                form_urlencoded::byte_serialize(page.as_bytes()).collect::<String>()
            ),
        );
        out.push(Record::Request(request(url, t)));
    }
    out
}

fn request(url: String, time: f64) -> CapturedRequest {
    CapturedRequest {
        url,
        method: "GET".into(),
        request_type: Some("image".into()),
        context: Context {
            tab_id: Some(1),
            frame_id: Some(0),
            frame_type: Some(FrameType::Main),
            ..Context::default()
        },
        time,
        ..CapturedRequest::default()
    }
}

fn bench(c: &mut Criterion) {
    let config = DecodeConfig::default();
    let url = typical_url(7);
    eprintln!("typical URL length: {} bytes", url.len());
    let req = request(url, 1.7e12);
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Elements(1));
    g.bench_function("typical_600_byte_url", |b| b.iter(|| decode(black_box(&req), &config)));
    g.finish();

    let records = journal(10_000);
    // The panel reads a tab's whole stored journal (JSON) when it opens.
    let text = serde_json::to_string(&records).unwrap_or_default();
    eprintln!("journal JSON: {} records, {} bytes", records.len(), text.len());
    let mut g = c.benchmark_group("journal");
    g.sample_size(20);
    g.bench_function("parse_10k_records", |b| {
        b.iter(|| serde_json::from_str::<Vec<Record>>(black_box(&text)).map(|r| r.len()))
    });
    g.finish();

    let mut g = c.benchmark_group("session");
    g.sample_size(10);
    // Decoding, indexing and judging 10,000 records from scratch.
    g.bench_function("ingest_10k_records", |b| {
        b.iter_batched(
            || records.clone(),
            |recs| black_box(Session::from_records(DecodeConfig::default(), recs).finding_count()),
            BatchSize::LargeInput,
        )
    });
    // Every rule rerun over an already decoded 10,000-hit session.
    let mut base = Session::from_records(DecodeConfig::default(), records.clone());
    g.sample_size(30);
    g.bench_function("full_evaluation_10k_hits", |b| {
        b.iter(|| {
            base.reevaluate();
            black_box(base.finding_count())
        })
    });
    // One more hit on the current page of a 10,000-hit session, findings
    // refreshed; the shopper moves to a new page every 50 hits, as in the journal.
    // The records are built in the untimed setup: the figure is the core's add
    // and refresh, not the bench's URL formatting. The setup also rebuilds the
    // session every RESET adds, so it stays at 10,000–11,000 hits however many
    // iterations criterion runs (left to grow, a faster run got a bigger session).
    const RESET: usize = 1000;
    let session = RefCell::new(base);
    let mut n = 0usize;
    g.sample_size(100);
    g.bench_function("add_one_hit_to_10k_session", |b| {
        b.iter_batched(
            || {
                n += 1;
                if n.is_multiple_of(RESET) {
                    *session.borrow_mut() = Session::from_records(DecodeConfig::default(), records.clone());
                }
                let t = 1.8e12 + n as f64 * 250.0;
                let page = format!("https://shop.test/products/next-{}", n / 50);
                let nav = n.is_multiple_of(50).then(|| {
                    Record::Navigation(Navigation {
                        url: page.clone(),
                        time: t - 1.0,
                        ..Navigation::default()
                    })
                });
                let dl: String = form_urlencoded::byte_serialize(page.as_bytes()).collect();
                let ev = event_at(n);
                let url = typical_url(20_000 + n)
                    .replace("ev=ViewContent", &format!("ev={ev}"))
                    .replace(
                        "dl=https%3A%2F%2Fshop.test%2Fproducts%2Fclassic-tee",
                        &format!("dl={dl}&x="),
                    );
                (nav, Record::Request(request(url, t)))
            },
            |(nav, hit)| {
                let mut s = session.borrow_mut();
                if let Some(nav) = nav {
                    s.add(nav);
                }
                s.add(hit);
                s.refresh();
                // Not finding_count(): summing every group's findings is O(groups)
                // and would measure the probe, not the add.
                black_box(s.journey().hits.len())
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
