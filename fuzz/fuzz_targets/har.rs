#![no_main]
use libfuzzer_sys::fuzz_target;
use pixelproof_core::decode::DecodeConfig;

fuzz_target!(|data: &[u8]| {
    let _ = pixelproof_core::har::read_har("fuzz.har", data, &DecodeConfig::default());
});
