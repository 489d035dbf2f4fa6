#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = pixelproof_core::inputs::parse_capi("fuzz", &String::from_utf8_lossy(data));
});
