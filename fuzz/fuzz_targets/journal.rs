#![no_main]
//! A stored or pasted journal (JSON array of records), read the way the panel and
//! the worker read it: records that parse must write back and re-read to the same
//! text, and a session built from them must not panic.
use libfuzzer_sys::fuzz_target;
use pixelproof_core::journal::Record;
use pixelproof_core::{DecodeConfig, Session};

fuzz_target!(|data: &[u8]| {
    let Ok(records) = serde_json::from_slice::<Vec<Record>>(data) else { return };
    for r in &records {
        let text = serde_json::to_string(r).expect("a read record writes");
        let back: Record = serde_json::from_str(&text).expect("a written record reads");
        assert_eq!(serde_json::to_string(&back).expect("writes again"), text);
    }
    let mut s = Session::from_records(DecodeConfig::default(), records);
    let _ = s.findings();
});
