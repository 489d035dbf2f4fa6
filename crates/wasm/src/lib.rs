//! The wasm-bindgen face of the PixelProof core: one handle type, data in and
//! out as plain JS objects. Journal records and results cross as JSON text
//! (serde_json on this side, the engine's JSON on the other), and so does the
//! small review object: one serde format keeps the module small. No logic
//! lives here that the core should own; this file only converts.
//!
//! This is the module the extension's service worker loads when it starts:
//! what capture and the badge need, nothing more. It keeps one [`Session`] per
//! tab, feeds it every journal record, and asks it for the badge count;
//! every record is redacted through it before it is stored. The packet and the
//! summary (`get-packet`, `get-summary`, which the panel never sends: it has
//! its own session) are answered with the panel's module, which has the whole
//! core and is instantiated in the worker only when one of them is asked for
//! (`Packets` in `crates/panel`). So the packet, its Markdown and text, the
//! summary's result types and their serialisers are not compiled into every
//! worker start (Chromium has no code cache for an extension's wasm: a woken
//! worker compiles its module again). Only the test builds answer those two
//! (extension/worker/doors-test.js).

use pixelproof_core::journal::Record;
use pixelproof_core::results::gate_blocked_by;
use pixelproof_core::{DecodeConfig, Review};
use pixelproof_js::{from_js, json_text, utf8};
use wasm_bindgen::prelude::*;

/// Runs when the module is instantiated: a panic then says what and where in
/// the worker's console (the release build aborts on panic, which alone shows
/// "unreachable").
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// A journal record's JSON text with plain customer data replaced before it
/// is stored (see `pixelproof_core::privacy`), or `undefined` when the record
/// may be stored as it is. The worker hands every record here: which kinds can
/// carry customer data is the core's decision alone. Text in, text out: the
/// journal stores each record's JSON anyway, and a record of a kind that never
/// carries any is only scanned for its kind.
#[wasm_bindgen(js_name = redactJson)]
pub fn redact_json(text: &str) -> Result<Option<String>, JsError> {
    pixelproof_core::privacy::redact_record_json(text).map_err(|e| JsError::new(&format!("record to redact: {e}")))
}

/// `text` (a page URL the worker keeps beside the journal) with each e-mail
/// address in it masked as the journal's records are, or `undefined` when it
/// holds none.
#[wasm_bindgen(js_name = maskEmails)]
pub fn mask_emails(text: &str) -> Option<String> {
    pixelproof_core::privacy::mask_emails(text)
}

/// Why a pasted Conversions API payload (`kind` `server_payload`), Meta's
/// response to one (`server_response`) or order (`order`: JSON or an Orders
/// export CSV, `order_name` picking one order of a CSV holding several) cannot
/// be used, as the one-line message the user sees; `None` when it reads. A
/// payload's `pixel_id`, when the user states it, must be one. The worker
/// stores only pastes that read: one that does not could hold anything, in
/// the clear.
#[wasm_bindgen(js_name = evidenceProblem)]
pub fn evidence_problem(
    kind: &str,
    label: &str,
    text: &str,
    order_name: Option<String>,
    pixel_id: Option<String>,
) -> Option<String> {
    let result = match kind {
        "server_payload" => pixel_id
            .as_deref()
            .map(|id| pixelproof_core::inputs::stated_pixel_id(label, id))
            .transpose()
            .and_then(|_| pixelproof_core::inputs::parse_capi(label, text))
            .map(|_| ()),
        "server_response" => pixelproof_core::inputs::parse_capi_response(label, text).map(|_| ()),
        "order" => pixelproof_core::inputs::parse_order_named(label, text, order_name.as_deref()).map(|_| ()),
        other => {
            return Some(format!(
                "unknown evidence kind `{other}` (server_payload, server_response or order)"
            ))
        }
    };
    result.err().map(|e| e.to_string())
}

/// A stored journal that is not a JSON array, said with its place.
fn journal_error(e: serde_json::Error) -> JsError {
    JsError::new(&format!("journal JSON, line {}, column {}: {e}", e.line(), e.column()))
}

/// What separates the record texts of a batch (`Session.addTexts`): ASCII's
/// record separator, which a JSON text never holds (unescaped control
/// characters are not allowed in its strings, and outside them only spaces,
/// tabs and line breaks are), the way JSON text sequences (RFC 7464) use it.
pub const BATCH_SEPARATOR: char = '\u{1e}';

/// One journal record from its JSON text, or why the core refuses it.
fn record_from_text(text: &str) -> Result<Record, String> {
    pixelproof_core::journal::record_from_json(text).map_err(|e| format!("journal record refused: {e}"))
}

/// How many record texts a batch holds.
fn batch_len(texts: &str) -> usize {
    texts.bytes().filter(|&b| b == BATCH_SEPARATOR as u8).count() + 1
}

/// Adds each record text of a batch (joined by [`BATCH_SEPARATOR`]) to the
/// session in order, as `Session.addText` of each would; returns the position
/// in the batch and the message of each one refused.
fn add_batch(session: &mut pixelproof_core::Session, texts: &str) -> Vec<(usize, String)> {
    let mut refused = Vec::new();
    for (index, text) in texts.split(BATCH_SEPARATOR).enumerate() {
        match record_from_text(text) {
            Ok(record) => session.add(record),
            Err(message) => refused.push((index, message)),
        }
    }
    refused
}

fn review_from(value: JsValue) -> Result<Review, JsError> {
    from_js(value, "review fields")
}

#[wasm_bindgen]
pub struct Session {
    inner: pixelproof_core::Session,
}

#[wasm_bindgen]
impl Session {
    /// `gateway_prefixes`: an array of URL prefixes of first-party or
    /// server-side gateway endpoints whose requests are pixel hits too, or
    /// `undefined` for none (what the extension passes today).
    #[wasm_bindgen(constructor)]
    pub fn new(gateway_prefixes: Option<Vec<String>>) -> Session {
        Session {
            inner: pixelproof_core::Session::new(DecodeConfig {
                gateway_prefixes: gateway_prefixes.unwrap_or_default(),
            }),
        }
    }

    /// Adds one journal record (a plain object with `kind`). A record that does
    /// not fit the journal format is refused with a message; nothing already
    /// added is touched.
    pub fn add(&mut self, record: JsValue) -> Result<(), JsError> {
        let text = json_text(&record).ok_or_else(|| JsError::new("journal record refused: not JSON-representable"))?;
        let record = record_from_text(&text).map_err(|e| JsError::new(&e))?;
        self.inner.add(record);
        Ok(())
    }

    /// Adds one journal record given as its JSON text (what the journal store
    /// already wrote for the record's size): the same as `add` of the parsed
    /// object, without a second `JSON.stringify` of it here.
    #[wasm_bindgen(js_name = addText)]
    pub fn add_text(&mut self, #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue) -> Result<(), JsError> {
        let text = utf8(&text).ok_or_else(|| JsError::new("journal record refused: not a string"))?;
        let record = record_from_text(&text).map_err(|e| JsError::new(&e))?;
        self.inner.add(record);
        Ok(())
    }

    /// Adds `count` journal records given as their JSON texts joined by
    /// [`BATCH_SEPARATOR`] (`texts.join('\x1e')`), in one call: the same as
    /// `addText` of each in turn, for one crossing and one copy of the text
    /// per batch instead of per record. Returns the records the core refused,
    /// as `{ index, message }` in the batch's order (an empty array when it took
    /// all); a refused record never costs the others. Refuses the whole batch,
    /// adding nothing, when it does not hold `count` texts (a text held the
    /// separator, so it was no record's JSON): the caller then adds them one by one.
    #[wasm_bindgen(js_name = addTexts, unchecked_return_type = "{ index: number, message: string }[]")]
    pub fn add_texts(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] texts: JsValue,
        count: usize,
    ) -> Result<JsValue, JsError> {
        let refused = js_sys::Array::new();
        if count == 0 {
            return Ok(refused.into());
        }
        let texts = utf8(&texts).ok_or_else(|| JsError::new("journal records refused: not a string"))?;
        let held = batch_len(&texts);
        if held != count {
            return Err(JsError::new(&format!(
                "journal records refused: the batch holds {held} texts, not {count} (a record's text holds U+001E); add them one by one"
            )));
        }
        for (index, message) in add_batch(&mut self.inner, &texts) {
            let r = js_sys::Object::new();
            // Setting a property on a fresh plain object cannot fail.
            let _ = js_sys::Reflect::set(&r, &"index".into(), &JsValue::from(index as u32));
            let _ = js_sys::Reflect::set(&r, &"message".into(), &JsValue::from_str(&message));
            refused.push(&r);
        }
        Ok(refused.into())
    }

    /// Adds a JSON array of journal records (as stored). Returns how many were
    /// added: a record that does not fit the journal format (say, from an older
    /// version) is skipped and never costs the others.
    #[wasm_bindgen(js_name = addJson)]
    pub fn add_json(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] json: JsValue,
    ) -> Result<usize, JsError> {
        let json = utf8(&json).ok_or_else(|| JsError::new("journal JSON: not a string"))?;
        self.inner.add_journal_json(&json).map_err(journal_error)
    }

    /// The badge number: gate checks in `stop` plus distinct fail codes.
    pub fn failing(&mut self, review: JsValue) -> Result<usize, JsError> {
        let review = review_from(review)?;
        let blocking = self.inner.fail_codes();
        Ok(gate_blocked_by(self.inner.journey(), blocking, &review).failing())
    }
}

/// Resource Timing recovery: what the worker asks a document's relay.
#[wasm_bindgen]
impl Session {
    /// For the relay of the document in frame `frame` that began at `since`
    /// (ms since the epoch): the keys of the hits captured from that frame
    /// since then, when pixel requests went uncaptured that no URL the pages
    /// listed recovers yet, or when one of `fresh` (the keys of the URLs the
    /// relay began holding since its last message, as the relay sent them:
    /// anything else in it is left out) is no captured hit's; `undefined` when
    /// the relay need send nothing.
    #[wasm_bindgen(js_name = listingWanted)]
    pub fn listing_wanted(
        &self,
        frame: f64,
        since: f64,
        #[wasm_bindgen(unchecked_param_type = "unknown")] fresh: JsValue,
    ) -> Option<Vec<String>> {
        if !frame.is_finite() || !since.is_finite() {
            return None;
        }
        let fresh = listing_keys(&fresh);
        pixelproof_core::losses::listing_wanted(self.inner.journey(), frame as i64, since, &fresh)
    }
}

/// The keys a relay sent (page-side data, checked here): the strings of an
/// array that can be listing keys (cyrb53's 53 bits in lower-case hex, at most
/// 14 digits), at most as many as a relay holds URLs.
fn listing_keys(value: &JsValue) -> Vec<String> {
    const MAX_KEYS: u32 = 2000;
    let Some(array) = value.dyn_ref::<js_sys::Array>() else {
        return Vec::new();
    };
    (0..array.length().min(MAX_KEYS))
        .filter_map(|i| array.get(i).as_string())
        .filter(|k| (1..=14).contains(&k.len()) && k.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .collect()
}

/// The extension's contract with the core (`pixelproof_core::contract`) as
/// JSON: the build writes it into wasm/contract.js (tools/contract.mjs).
#[wasm_bindgen]
pub fn contract() -> String {
    serde_json::to_string(&pixelproof_core::contract::CONTRACT).unwrap_or_default()
}

/// The URL patterns the worker hands `webRequest` (`tables::WEB_REQUEST_URLS`).
/// The worker must register its listener before the wasm is loaded, so the
/// build writes them into wasm/contract.js with this (tools/contract.mjs).
#[wasm_bindgen(js_name = webRequestUrls)]
pub fn web_request_urls() -> Vec<String> {
    pixelproof_core::tables::WEB_REQUEST_URLS
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
}

/// The journal kind (`"request"` or `"script_load"`) of a captured request.
#[wasm_bindgen(js_name = requestRecordKind, unchecked_return_type = "'request' | 'script_load'")]
pub fn request_record_kind(url: &str) -> String {
    pixelproof_core::journal::request_record_kind(url).to_owned()
}

/// Whether a host is one of Meta's (so a grant for it is not a watched store).
#[wasm_bindgen(js_name = isMetaHost)]
pub fn is_meta_host(host: &str) -> bool {
    pixelproof_core::tables::is_meta_host(host)
}

#[cfg(test)]
mod tests {
    use super::{add_batch, batch_len, record_from_text, BATCH_SEPARATOR};
    use pixelproof_core::results::gate;
    use pixelproof_core::{DecodeConfig, Review, Session};

    /// Real-shaped records as the journal stores them (each one's JSON text):
    /// every record of the CLI's HAR fixtures and stored journals.
    fn fixture_texts() -> Vec<String> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../cli/tests/fixtures");
        let mut texts = Vec::new();
        for har in ["messy.har", "markets.har", "identity-messy.har", "clean.har"] {
            let bytes = std::fs::read(format!("{dir}/{har}")).expect("fixture HAR");
            let import = pixelproof_core::har::read_har(har, &bytes, &DecodeConfig::default()).expect("HAR reads");
            texts.extend(
                import
                    .records
                    .iter()
                    .map(|r| serde_json::to_string(r).expect("record writes")),
            );
        }
        for journal in ["consent-granted.journal.json", "consent-revoked.journal.json"] {
            let text = std::fs::read_to_string(format!("{dir}/{journal}")).expect("fixture journal");
            let records: Vec<serde_json::Value> = serde_json::from_str(&text).expect("journal parses");
            texts.extend(records.iter().map(|r| r.to_string()));
        }
        texts
    }

    /// What one session holds, compared: its records, its findings (each
    /// with the hits it is about) and the badge's count.
    fn state(session: &mut Session) -> (String, Vec<pixelproof_core::rules::Finding>, usize) {
        let records = serde_json::to_string(session.records()).expect("records write");
        let findings = session.findings();
        let failing = gate(session.journey(), &findings, &Review::default()).failing();
        (records, findings, failing)
    }

    /// A batch gives the session exactly what adding its records one at a time
    /// gives, and refuses the same records with the same messages at the same
    /// places, without losing the records around them.
    #[test]
    fn a_batch_adds_what_one_by_one_adds_and_reports_each_refused_record() {
        let good = fixture_texts();
        assert!(good.len() > 40, "the fixtures hold {} records", good.len());
        let bad = [
            r#"{"kind":"request","url":"https://www.facebook.com/tr/?id=1&ev=Purchase""#.to_owned(),
            r#"{"kind":"teleport","time":1}"#.to_owned(),
            "not a record".to_owned(),
            r#"[{"kind":"request"}]"#.to_owned(),
            String::new(),
        ];
        // Bad records first, in the middle and last; one good record written
        // pretty (line breaks are whitespace, not separators).
        let mut texts: Vec<String> = Vec::new();
        texts.push(bad[0].clone());
        for (i, t) in good.iter().enumerate() {
            texts.push(t.clone());
            if i == good.len() / 3 {
                texts.push(bad[1].clone());
                texts.push(bad[2].clone());
            }
            if i == good.len() / 2 {
                let value: serde_json::Value = serde_json::from_str(t).expect("a good record parses");
                texts.push(serde_json::to_string_pretty(&value).expect("writes"));
                texts.push(bad[3].clone());
            }
        }
        texts.push(bad[4].clone());

        let mut one_by_one = Session::new(DecodeConfig::default());
        let mut refused_alone = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            match record_from_text(t) {
                Ok(r) => one_by_one.add(r),
                Err(e) => refused_alone.push((i, e)),
            }
        }
        let joined = texts.join(&BATCH_SEPARATOR.to_string());
        assert_eq!(batch_len(&joined), texts.len());
        let mut batched = Session::new(DecodeConfig::default());
        let refused = add_batch(&mut batched, &joined);

        assert_eq!(refused, refused_alone);
        let places: Vec<usize> = refused.iter().map(|(i, _)| *i).collect();
        let expected: Vec<usize> = texts
            .iter()
            .enumerate()
            .filter(|(_, t)| bad.contains(t))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(
            places, expected,
            "each bad record is reported at its place, and only those"
        );
        assert!(refused.iter().all(|(_, m)| m.starts_with("journal record refused: ")));
        assert_eq!(batched.records().len(), good.len() + 1, "every good record is kept");
        let state_batched = state(&mut batched);
        assert_eq!(state_batched, state(&mut one_by_one));
        assert!(
            !state_batched.1.is_empty(),
            "the fixtures make findings: the comparison sees them"
        );
        assert!(
            state_batched.2 > 0,
            "the fixtures fail checks: the comparison sees them"
        );
    }

    /// The badge's gate, built from the fail codes alone, is the gate the
    /// panel and the packet build from every finding (its blocking codes in
    /// the same order), on the fixtures' journeys.
    #[test]
    fn the_badge_gate_from_fail_codes_equals_the_gate_from_findings() {
        let mut session = Session::new(DecodeConfig::default());
        let mut most = 0;
        for t in fixture_texts() {
            session.add(record_from_text(&t).expect("a fixture record reads"));
            let findings = session.findings();
            let full = gate(session.journey(), &findings, &Review::default());
            let codes = session.fail_codes();
            let badge = super::gate_blocked_by(session.journey(), codes, &Review::default());
            assert_eq!(
                serde_json::to_string(&badge).expect("writes"),
                serde_json::to_string(&full).expect("writes")
            );
            most = most.max(full.blocking.len());
        }
        assert!(
            most >= 3,
            "the fixtures fail {most} codes at most: the order is not tested"
        );
    }

    /// A text holding the separator would shift every record after it: the
    /// count of texts tells.
    #[test]
    fn a_text_holding_the_separator_changes_the_batch_count() {
        let texts = ["{\"kind\":\"x\u{1e}\"}", "{}"];
        assert_eq!(batch_len(&texts.join("\u{1e}")), 3);
    }
    /// Every URL pattern the worker hands `webRequest` is on a host the
    /// manifest grants at install: webRequest reports nothing for the others.
    #[test]
    fn the_manifest_grants_every_web_request_host() {
        let manifest: serde_json::Value =
            serde_json::from_str(include_str!("../../../manifest.json")).expect("manifest.json parses");
        let granted: Vec<&str> = manifest["host_permissions"]
            .as_array()
            .expect("host_permissions")
            .iter()
            .filter_map(|p| p.as_str()?.strip_suffix('*'))
            .collect();
        for url in pixelproof_core::tables::WEB_REQUEST_URLS {
            let origin = &url[..url[8..].find('/').expect("a path") + 9];
            assert!(granted.contains(&origin), "{url}: no host permission {origin}*");
        }
    }
}
