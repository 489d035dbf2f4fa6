#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = pixelproof_core::inputs::parse_capi("fuzz", &text);
    // Meta's response to a request, and the masking of what it echoes.
    let _ = pixelproof_core::inputs::parse_capi_response("fuzz", &text);
    let _ = pixelproof_core::privacy::mask_echoes(&text);
});
