//! `pixelproof`: run the PixelProof core over a HAR file and print the review
//! packet, or compare two packets (before and after a fix).
//!
//! Exit codes: 0 success; 1 with `--strict` when the verdict is not `go`
//! (`audit`) or when the after packet has a fail finding the before packet did
//! not (`diff`); 2 on unusable input, with one line naming the file, the place
//! and the problem.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use pixelproof_core::har::{self, read_har_each, read_har_from};
use pixelproof_core::journal::{Record, UserText};
use pixelproof_core::results::Verdict;
use pixelproof_core::{DecodeConfig, Packet, PacketOptions, Review, Session};

#[derive(Parser)]
#[command(
    name = "pixelproof",
    version,
    about = "Audit Meta Pixel traffic of a Shopify test order"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Audit a HAR capture and print the review packet.
    Audit(AuditArgs),
    /// Judge a journal exported by the extension (a JSON array of records).
    Journal(JournalArgs),
    /// Compare two packets (JSON, version 1 or 2): findings resolved, introduced
    /// and unchanged, gate checks that changed, value and currency per core event.
    Diff(DiffArgs),
    /// Print the finding-code table (Markdown), generated from the rule registry.
    Codes,
}

#[derive(clap::Args)]
struct DiffArgs {
    /// The packet before the fix (JSON, from `audit` or the extension's export).
    before: PathBuf,
    /// The packet after the fix.
    after: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Exit 1 when AFTER has a fail finding that BEFORE did not.
    #[arg(long)]
    strict: bool,
}

#[derive(clap::Args)]
struct AuditArgs {
    /// HAR 1.2 file (DevTools → Network → Save all as HAR).
    capture: PathBuf,
    /// Conversions API payload(s) the server sent (Graph API body or an array of events). Repeatable.
    #[arg(long = "server", value_name = "CAPI.json")]
    server: Vec<PathBuf>,
    /// Meta's response to a --server payload ({"events_received": N, …} or {"error": {…}}). Repeatable:
    /// the first answers the first --server file, the second the second, and so on.
    #[arg(long = "server-response", value_name = "RESPONSE.json")]
    server_response: Vec<PathBuf>,
    /// The pixel the --server payloads were sent to (the id in the request path
    /// /{pixel_id}/events). With several pixels on the store, only that pixel's
    /// browser events are paired with them; a browser-only pixel (an agency's)
    /// is then no part of the dedup check. Without it every pixel's are.
    #[arg(long = "server-pixel", value_name = "PIXEL_ID", requires = "server")]
    server_pixel: Option<String>,
    /// The Shopify order: the Admin GraphQL order JSON (with or without its
    /// {"data": {"order": …}} wrapper), the REST order JSON, the Admin's Orders
    /// export CSV, or figures like {"total": 118, "currency": "USD"}.
    #[arg(long, value_name = "ORDER.json|ORDERS.csv")]
    order: Option<PathBuf>,
    /// Which order of an Orders export CSV holding several, by name (e.g. '#1001').
    #[arg(long, value_name = "NAME", requires = "order")]
    order_name: Option<String>,
    /// Review fields (decision, owners, next_review, notes, gaps_note) as JSON.
    #[arg(long, value_name = "REVIEW.json")]
    review: Option<PathBuf>,
    /// URL prefix of a first-party or server-side gateway endpoint that receives pixel hits. Repeatable.
    #[arg(long = "gateway", value_name = "URL_PREFIX")]
    gateway: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Write the packet here instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Exit 1 when the verdict is not `go`.
    #[arg(long)]
    strict: bool,
    /// Include raw user data (ud[…]) instead of redacting it.
    #[arg(long)]
    raw_user_data: bool,
}

#[derive(clap::Args)]
struct JournalArgs {
    /// Journal JSON as the extension stores it (get-journal).
    journal: PathBuf,
    /// Review fields as JSON.
    #[arg(long, value_name = "REVIEW.json")]
    review: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    #[arg(long)]
    raw_user_data: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Json,
    Markdown,
    /// In brief, as terminal text: for a packet the decision, gate, cards,
    /// core event rows, findings by code and verdict; for a diff the headline,
    /// the findings resolved and introduced and the gate checks that changed.
    Text,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Codes => match emit(&pixelproof_core::rules::codes_markdown()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(msg) => {
                eprintln!("pixelproof: {msg}");
                ExitCode::from(2)
            }
        },
        Command::Diff(args) => match diff(&args) {
            Ok(true) if args.strict => ExitCode::from(1),
            Ok(_) => ExitCode::SUCCESS,
            Err(msg) => {
                eprintln!("pixelproof: {msg}");
                ExitCode::from(2)
            }
        },
        Command::Journal(args) => match journal(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(msg) => {
                eprintln!("pixelproof: {msg}");
                ExitCode::from(2)
            }
        },
        Command::Audit(args) => match audit(&args) {
            Ok(verdict) if args.strict && verdict != Verdict::Go => ExitCode::from(1),
            Ok(_) => ExitCode::SUCCESS,
            Err(msg) => {
                eprintln!("pixelproof: {msg}");
                ExitCode::from(2)
            }
        },
    }
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: cannot read the file ({e})", path.display()))
}

fn read_text(path: &Path) -> Result<String, String> {
    let mut bytes = read(path)?;
    // A UTF-8 byte-order mark is not JSON and says nothing: skipped.
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{}: byte {}: the file is not UTF-8 text; save it as UTF-8 (JSON or CSV)",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

fn read_review(path: Option<&PathBuf>) -> Result<Review, String> {
    let Some(path) = path else {
        return Ok(Review::default());
    };
    let text = read_text(path)?;
    let parse_error = |e: serde_json::Error| {
        format!(
            "{}: line {}, column {}: review fields do not parse ({e}); expected {{\"decision\": ..., \"owners\": {{\"Purchase\": ...}}, \"gaps_note\": ...}}",
            path.display(),
            e.line(),
            e.column()
        )
    };
    let given: serde_json::Value = serde_json::from_str(&text).map_err(parse_error)?;
    // A misspelt field would otherwise be dropped without a word, and the
    // packet would say "no decision" for a file that has one.
    if let (Ok(serde_json::Value::Object(known)), Some(given)) =
        (serde_json::to_value(Review::default()), given.as_object())
    {
        if let Some(unknown) = given.keys().find(|k| !known.contains_key(k.as_str())) {
            let names: Vec<&str> = known.keys().map(String::as_str).collect();
            return Err(format!(
                "{}: unknown review field \"{unknown}\"; the fields are {}: rename or remove it",
                path.display(),
                names.join(", ")
            ));
        }
    }
    serde_json::from_str(&text).map_err(parse_error)
}

/// Prints the diff; returns whether AFTER has a fail finding BEFORE did not.
fn diff(args: &DiffArgs) -> Result<bool, String> {
    let read_packet = |path: &PathBuf| -> Result<pixelproof_core::packet::diff::PacketView, String> {
        let text = read_text(path)?;
        pixelproof_core::packet::diff::read_packet(&path.display().to_string(), &text).map_err(|e| e.to_string())
    };
    let before = read_packet(&args.before)?;
    let after = read_packet(&args.after)?;
    let d = pixelproof_core::packet::diff::diff(&before, &after);
    emit(&match args.format {
        Format::Json => format!("{}\n", d.to_json()),
        Format::Markdown => d.to_markdown(),
        Format::Text => format!("{}\n", d.to_text()),
    })?;
    Ok(d.introduces_fail)
}

fn journal(args: &JournalArgs) -> Result<(), String> {
    let text = read_text(&args.journal)?;
    // A lone UTF-16 surrogate a page left in a record reads as U+FFFD
    // (journal::record_from_json).
    let repaired = pixelproof_core::surrogates::repaired(&text);
    let records: Vec<Record> = serde_json::from_str(repaired.as_deref().unwrap_or(&text)).map_err(|e| {
        format!(
            "{}: line {}, column {}: not a journal ({}); give it a JSON array of journal records as the extension stores them",
            args.journal.display(),
            e.line(),
            e.column(),
            e.to_string().split(" at line ").next().unwrap_or_default()
        )
    })?;
    let review = read_review(args.review.as_ref())?;
    let mut session = Session::from_records(DecodeConfig::default(), records);
    let packet = Packet::build(
        &mut session,
        &review,
        &PacketOptions {
            raw_user_data: args.raw_user_data,
        },
    );
    emit(&match args.format {
        Format::Json => format!("{}\n", packet.to_json()),
        Format::Markdown => packet.to_markdown(),
        Format::Text => format!("{}\n", packet.to_text()),
    })
}

/// Writes `text` to stdout. A reader that stops early (`| head`) ends the
/// output quietly, as it does for other command-line tools; any other write
/// error is a message, never a panic.
fn emit(text: &str) -> Result<(), String> {
    to_stdout(|out| out.write_all(text.as_bytes())).map_err(|e| format!("cannot write to stdout ({e})"))
}

/// Runs `write` on stdout, flushed; a reader that stops early (`| head`) is
/// no error: the output ends quietly.
fn to_stdout(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        result => result,
    }
}

/// Meta's response to payload `payload` (of `requests` requests), checked, as
/// the record the extension would store: with what it echoes masked unless
/// raw user data was asked for.
fn server_response(path: &Path, payload: &str, requests: usize, raw: bool) -> Result<Record, String> {
    let text = read_text(path)?;
    let label = path.display().to_string();
    let responses = pixelproof_core::inputs::parse_capi_response(&label, &text).map_err(|e| e.to_string())?;
    if responses.len() > requests {
        return Err(format!(
            "{label}: document {}: {} responses for {payload}, which holds {requests} request(s); give one response body per request of the payload",
            requests + 1,
            responses.len()
        ));
    }
    let mut record = serde_json::json!({"kind": "server_response", "label": label, "text": text});
    if !raw {
        pixelproof_core::privacy::redact_record(&mut record);
    }
    serde_json::from_value(record).map_err(|e| format!("{label}: {e}"))
}

fn audit(args: &AuditArgs) -> Result<Verdict, String> {
    let config = DecodeConfig {
        gateway_prefixes: args.gateway.clone(),
    };
    let label = args.capture.display().to_string();
    // Read as a stream, never whole: a HAR is mostly response bodies, which
    // are skipped as they pass.
    let cannot_read = |e: &dyn std::fmt::Display| format!("{label}: cannot read the file ({e})");
    let open = || -> Result<_, String> {
        let file = std::fs::File::open(&args.capture).map_err(|e| cannot_read(&e))?;
        let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
        // A directory opens; its first read fails.
        std::io::BufRead::fill_buf(&mut reader).map_err(|e| cannot_read(&e))?;
        Ok(reader)
    };
    // Requests that became hits are kept once, in their hits.
    let mut session = Session::new(config.clone()).slim_hit_records();
    // Each record goes into the session as it is read, and no list of them
    // is ever held, while they come in time order (exports list entries by
    // start time): the session then gets them in the order a whole read
    // sorts them into.
    // Only a regular file can be read again (not a pipe such as <(zcat …)):
    // anything else is read whole and sorted at once.
    let regular = std::fs::metadata(&args.capture).is_ok_and(|m| m.is_file());
    let mut last: Option<f64> = None;
    let mut in_order = regular;
    let (mut entries, mut undated) = (0, 0);
    if regular {
        (entries, undated) = read_har_each(&label, open()?, &config, &mut |r| {
            let time = r.time().unwrap_or(0.0);
            in_order &= last.is_none_or(|last| har::in_order(last, time));
            last = Some(time);
            if in_order {
                session.add(r);
            }
        })
        .map_err(|e| e.to_string())?;
    }
    if !in_order {
        // Read (again), whole and sorted.
        session = Session::new(config.clone()).slim_hit_records();
        let import = read_har_from(&label, open()?, &config).map_err(|e| e.to_string())?;
        (entries, undated) = (import.entries, import.undated);
        // Records move into the session one at a time, and the list they leave is
        // given back as it empties, so the two lists are never both whole.
        let mut records = import.records;
        records.reverse();
        session.reserve(&records);
        while let Some(r) = records.pop() {
            session.add(r);
            if records.len() < records.capacity() / 2 {
                records.shrink_to_fit();
            }
        }
    }
    if undated > 0 {
        // Said, not refused: the entries are kept, and the packet's times
        // rest on them.
        eprintln!(
            "pixelproof: {label}: note: {undated} of {entries} entries have no start time that can be read (startedDateTime, RFC 3339); each is timed as the entry before it in the file (the first as 1970-01-01), so times and the order of pages may be off"
        );
    }
    // Server and order files are checked up front so a bad one stops the run with its
    // own message instead of surfacing only inside the packet.
    if args.server_response.len() > args.server.len() {
        return Err(format!(
            "{}: --server-response given {} time(s) but --server {} time(s); give each response after the payload file it answers, in the same order",
            args.server_response[args.server.len()].display(),
            args.server_response.len(),
            args.server.len()
        ));
    }
    let pixel_id = args
        .server_pixel
        .as_deref()
        .map(|id| pixelproof_core::inputs::stated_pixel_id("--server-pixel", id))
        .transpose()
        .map_err(|e| e.to_string())?;
    for (i, path) in args.server.iter().enumerate() {
        let text = read_text(path)?;
        let label = path.display().to_string();
        let requests = pixelproof_core::inputs::parse_capi_requests(&label, &text).map_err(|e| e.to_string())?;
        session.add(Record::ServerPayload(UserText {
            label: label.clone(),
            text,
            pixel_id: pixel_id.clone(),
            ..Default::default()
        }));
        if let Some(rpath) = args.server_response.get(i) {
            session.add(server_response(rpath, &label, requests.len(), args.raw_user_data)?);
        }
    }
    if let Some(path) = &args.order {
        let text = read_text(path)?;
        let label = path.display().to_string();
        let name = args.order_name.clone();
        pixelproof_core::inputs::parse_order_named(&label, &text, name.as_deref()).map_err(|e| e.to_string())?;
        session.add(Record::Order(UserText {
            label,
            text,
            order_name: name,
            ..Default::default()
        }));
    }
    let review = read_review(args.review.as_ref())?;
    let opts = PacketOptions {
        raw_user_data: args.raw_user_data,
    };
    // The hits are written from the session one at a time, never held a second
    // time in the packet: memory stays near the session's own.
    let packet = Packet::build_lean(&mut session, &review, &opts);
    let write = |w: &mut dyn std::io::Write| -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(w);
        match args.format {
            Format::Json => {
                packet.write_json(&session, &opts, &mut w)?;
                w.write_all(b"\n")?;
            }
            Format::Markdown => packet.write_markdown(&session, &opts, &mut w)?,
            Format::Text => writeln!(w, "{}", packet.to_text())?,
        }
        w.flush()
    };
    match &args.out {
        Some(path) => std::fs::File::create(path)
            .and_then(|mut f| write(&mut f))
            .map_err(|e| format!("{}: cannot write the packet ({e})", path.display()))?,
        None => to_stdout(write).map_err(|e| format!("cannot write the packet ({e})"))?,
    }
    Ok(packet.verdict)
}
