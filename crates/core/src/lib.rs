//! PixelProof core: from captured browser traffic to a review packet.
//!
//! Data flows one way: journal → decode → model/journey → rules → session →
//! results → packet (the module map is docs/ARCHITECTURE.md).
//!
//! A [`Session`] is built from a journal of [`journal::Record`]s — pixel requests,
//! fbq calls, gestures, navigations, pasted server payloads — one record at a
//! time. Each record is decoded once ([`decode`]), placed in a page view, given a
//! sender ([`sender`]) and folded into the [`journey`]; the rules in [`rules`]
//! judge the journey; [`results`] turns the findings into the acceptance table,
//! sender inventory and Stop/Go gate, and [`packet`] writes them as JSON and
//! Markdown.
//!
//! The one design decision to know: **the journal is the only state**. Everything
//! else is derived from it, incrementally, so the browser extension can store
//! just the journal (it survives service-worker restarts) and the CLI can build
//! the same journal from a HAR file and get the same answer.
//!
//! This crate has no wasm dependency; it builds and tests natively.

pub mod contract;
pub mod decode;
pub mod har;
pub mod identity;
pub mod inputs;
pub mod journal;
pub mod journey;
pub mod losses;
pub mod match_keys;
pub mod model;
pub mod money;
pub mod number;
pub mod order_parts;
pub mod packet;
pub mod pairing;
pub mod privacy;
pub mod purchases;
pub mod results;
pub mod review;
pub mod rules;
pub mod sender;
pub mod session;
pub mod sort;
pub mod surrogates;
pub mod tables;

pub use decode::DecodeConfig;
pub use packet::{Packet, PacketOptions};
pub use review::Review;
pub use session::Session;
