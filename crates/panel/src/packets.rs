//! The packet and the summary for the service worker's `get-packet` and
//! `get-summary`, which the tests and the demo send (the panel computes its
//! own). The worker's own module holds only what capture and the badge need,
//! so that a woken worker compiles less; when one of these is asked for, it
//! instantiates this module (which has the whole core for the panel anyway),
//! builds a [`Packets`] from the tab's stored journal, answers and frees it.

use pixelproof_core::results::{acceptance, gate, inventory};
use pixelproof_core::{DecodeConfig, Packet, PacketOptions, Review, Session};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::{to_js, utf8};

/// Results the panel and the badge need, without the hit list: `get-summary`'s answer.
#[derive(Serialize)]
struct Summary<'a> {
    verdict: &'static str,
    /// Gate checks in `stop` plus fail findings: the badge number.
    failing: usize,
    hits: usize,
    records: usize,
    findings: &'a [pixelproof_core::rules::Finding],
    acceptance: Vec<pixelproof_core::results::AcceptanceRow>,
    gate: pixelproof_core::results::Gate,
    inventory: pixelproof_core::results::Inventory,
}

/// A session for one answer, in the service worker.
#[wasm_bindgen]
pub struct Packets {
    inner: Session,
}

fn review_from(value: JsValue) -> Result<Review, JsError> {
    // As the worker's own module reads them: the badge and the packet agree.
    pixelproof_js::from_js(value, "review fields")
}

#[wasm_bindgen]
impl Packets {
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Packets {
        Packets {
            inner: Session::new(DecodeConfig::default()),
        }
    }

    /// Adds the stored journal (a JSON array of records); a record that does
    /// not fit the journal format is skipped, as the worker's session skips a
    /// record it refuses. Returns how many were added.
    #[wasm_bindgen(js_name = addJson)]
    pub fn add_json(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] json: JsValue,
    ) -> Result<usize, JsError> {
        let json = utf8(&json).ok_or_else(|| JsError::new("journal JSON: not a string"))?;
        self.inner
            .add_journal_json(&json)
            .map_err(|e| JsError::new(&format!("journal JSON: {e}")))
    }

    /// Verdict, badge count, findings, acceptance rows, gate and inventory.
    pub fn summary(&mut self, review: JsValue) -> Result<JsValue, JsError> {
        let review = review_from(review)?;
        let findings = self.inner.findings();
        let j = self.inner.journey();
        let gate = gate(j, &findings, &review);
        let failing = gate.failing();
        let summary = Summary {
            verdict: gate.verdict.as_str(),
            failing,
            hits: j.hits.len(),
            records: self.inner.records().len(),
            findings: &findings,
            acceptance: acceptance(j, &findings),
            inventory: inventory(j, &review),
            gate,
        };
        to_js(&summary)
    }

    /// The review packet as a plain object.
    pub fn packet(&mut self, review: JsValue, raw_user_data: bool) -> Result<JsValue, JsError> {
        let review = review_from(review)?;
        let p = Packet::build(&mut self.inner, &review, &PacketOptions { raw_user_data });
        to_js(&p)
    }

    /// The review packet as Markdown.
    #[wasm_bindgen(js_name = packetMarkdown)]
    pub fn packet_markdown(&mut self, review: JsValue) -> Result<String, JsError> {
        let review = review_from(review)?;
        Ok(Packet::build(&mut self.inner, &review, &PacketOptions::default()).to_markdown())
    }

    /// The acceptance rows, findings, gate and verdict as terminal text (the
    /// demo prints it; the CLI's `--format text` is the same renderer).
    #[wasm_bindgen(js_name = packetText)]
    pub fn packet_text(&mut self, review: JsValue) -> Result<String, JsError> {
        let review = review_from(review)?;
        Ok(Packet::build(&mut self.inner, &review, &PacketOptions::default()).to_text())
    }
}
