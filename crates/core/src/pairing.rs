//! Pairing browser hits with server (Conversions API) events, the way Meta
//! deduplicates them: by event name and event id. Shared by the server rules,
//! the dedup gate check and the packet's server section. (Comparing a Purchase
//! value with the order is another matter: that is [`crate::money::reconcile`].)

use crate::inputs::ServerEvent;
use crate::journey::Journey;
use crate::model::Hit;

/// A browser core hit and what the server sent for the same action.
#[derive(Debug)]
pub struct Pairing<'a> {
    pub hit: &'a Hit,
    /// Server events with the same name (narrowed to the same order for Purchase).
    pub candidates: Vec<&'a ServerEvent>,
    /// The candidate whose event_id equals the hit's eid.
    pub twin: Option<&'a ServerEvent>,
}

/// Pairs every counted browser core hit with server events: each hit of a
/// pixel the payloads were sent to (all of them, where the user did not say
/// which). Empty when no server payload was supplied.
pub fn pairings(j: &Journey) -> Vec<Pairing<'_>> {
    if j.server.is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for ev in crate::tables::CORE_EVENTS {
        for hit in j.hits_of(ev) {
            out.extend(pairing_of(j, hit));
        }
    }
    out
}

/// What the server sent for one browser hit's action: server events with its
/// name, of a payload sent to its pixel (narrowed to its order for a Purchase
/// that names one), and its twin by event id. `None` when no server payload
/// was supplied, or none was sent to the hit's pixel: a browser-only pixel
/// (an agency's) is no part of the server's dedup.
pub fn pairing_of<'a>(j: &'a Journey, hit: &'a Hit) -> Option<Pairing<'a>> {
    let server = j.server.as_ref()?;
    let pixel = certain_pixel(hit);
    if !server.is_empty() && !server.iter().any(|s| s.may_pair_with(pixel)) {
        return None;
    }
    let ev = hit.event_name();
    let mut candidates: Vec<&ServerEvent> = server
        .iter()
        .filter(|s| s.event_name == ev && s.may_pair_with(pixel))
        .collect();
    if let Some(order) = hit.custom("order_id") {
        let same_order: Vec<&ServerEvent> = candidates
            .iter()
            .copied()
            .filter(|s| s.order_id.as_deref() == Some(order))
            .collect();
        if !same_order.is_empty() {
            candidates = same_order;
        }
    }
    let twin = hit.event_id.as_deref().and_then(|eid| {
        candidates
            .iter()
            .copied()
            .find(|s| s.event_id.as_deref() == Some(eid) && s.twins_with(pixel))
    });
    Some(Pairing { hit, candidates, twin })
}

/// The pixel a hit was certainly sent to: its `id` (once, or repeated with
/// the same value: in the query and again in the body), written as a pixel
/// id is (digits, the first not 0). A hit that names none, two, or one
/// written otherwise may be any pixel's: it is paired with every payload, so
/// a page cannot take its own hit out of the judgement by how it writes the
/// id, but it is never the twin of a payload sent to a stated pixel
/// ([`ServerEvent::twins_with`]), so it cannot stand in for that pixel's.
pub fn certain_pixel(hit: &Hit) -> Option<&str> {
    let mut ids = hit.decoded.params.iter().filter(|p| p.key == "id").map(|p| p.value);
    let id = ids.next()?;
    (crate::inputs::is_pixel_id(id) && ids.all(|other| other == id)).then_some(id)
}

/// What a hit without a twin is said to be when its pixel is the reason: it
/// names no pixel for certain while its candidates went to a stated pixel.
/// Empty otherwise.
pub fn uncertain_pixel_note(p: &Pairing<'_>) -> &'static str {
    let stated = p.candidates.iter().any(|s| s.pixel_id.is_some());
    if p.twin.is_none() && stated && certain_pixel(p.hit).is_none() {
        " (its pixel id is missing, repeated or not written as one: it cannot be the twin of an event sent to a stated pixel)"
    } else {
        ""
    }
}

/// For each server event (in `j.server` order), the first browser hit it is
/// the twin of, if any. Empty when no server payload was supplied.
pub fn hits_of_server_events(j: &Journey) -> Vec<Option<&Hit>> {
    let Some(server) = j.server.as_ref() else {
        return Vec::new();
    };
    let mut out: Vec<Option<&Hit>> = vec![None; server.len()];
    for p in pairings(j) {
        let Some(twin) = p.twin else { continue };
        if let Some(i) = server.iter().position(|s| std::ptr::eq(s, twin)) {
            out[i].get_or_insert(p.hit);
        }
    }
    out
}
