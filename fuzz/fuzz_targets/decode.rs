//! Fuzz the decoder: the input is split into URL, content type and body, and
//! the request is also judged by a session, so the rules see odd hits too.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pixelproof_core::decode::{decode, DecodeConfig};
use pixelproof_core::journal::{Body, CapturedRequest, Record};
use pixelproof_core::{Packet, PacketOptions, Review, Session};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\n');
    let url = format!("https://www.facebook.com/tr/?{}", parts.next().unwrap_or(""));
    let ct = parts.next().map(str::to_owned);
    let body = parts.next().map(|t| Body::Text { content_type: ct, text: t.to_owned() });
    let req = CapturedRequest { url, method: "POST".into(), body, ..CapturedRequest::default() };
    let _ = decode(&req, &DecodeConfig::default());
    let mut s = Session::from_records(DecodeConfig::default(), [Record::Request(req)]);
    let p = Packet::build(&mut s, &Review::default(), &PacketOptions::default());
    let _ = p.to_markdown();
});
