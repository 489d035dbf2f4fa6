//! What the rules about Conversions API payloads share. Not a rule itself:
//! the rules stay one per code, and use these so that every finding about a
//! server event starts the same way (`capi.json data[0] (Purchase): …`) and
//! the browser-vs-server comparison of an identifier is written once.
//!
//! They take a rule's code and severity, never its `INFO`: the texts in INFO
//! would then be compiled into the worker's wasm, which never shows them.

use super::{Finding, SeverityRule};
use crate::identity::clip;
use crate::inputs::ServerEvent;
use crate::journey::Journey;
use crate::model::Hit;
use crate::pairing::{hits_of_server_events, pairings};

/// How far before its browser event a server event may be: Meta refuses a
/// request whole when any event in it is older than 7 days (Server Event
/// Parameters, "event_time").
pub const MAX_AGE_MS: f64 = 7.0 * 24.0 * 3600.0 * 1000.0;

/// From here on a number is milliseconds, not seconds (1e11 s is the year 5138).
pub const MILLISECONDS_FROM: f64 = 1e11;

/// Whether an event stamped `t` (ms) is older than Meta takes, measured from
/// the browser hit it pairs with, else the capture's first hit: the age and
/// what it was measured from. With no hit there is nothing to measure from.
pub fn too_old(j: &Journey, twin: Option<&Hit>, t: f64) -> Option<(f64, String)> {
    let (reference, what) = match twin {
        Some(h) => (
            Some(h.time),
            format!("the browser {} it pairs with (hit #{})", h.event_name(), h.id),
        ),
        None => (j.first_hit_time, "the capture's first hit".to_owned()),
    };
    reference.filter(|r| r - t > MAX_AGE_MS).map(|r| (r - t, what))
}

/// An age for a message: hours under two days, else days.
pub fn span(ms: f64) -> String {
    let hours = ms / 3_600_000.0;
    if hours >= 48.0 {
        format!("{:.0} days", hours / 24.0)
    } else {
        format!("{hours:.1} hours")
    }
}

/// Per server event (in `j.server` order), the age of an `event_time` in
/// whole seconds that Meta refuses as too old; `None` for any other event.
pub fn refused_for_age(j: &Journey) -> Vec<Option<f64>> {
    let twins = hits_of_server_events(j);
    j.server
        .iter()
        .flatten()
        .zip(twins.into_iter().chain(std::iter::repeat(None)))
        .map(|(s, twin)| {
            let secs = s.sent.event_time.as_ref()?.as_f64()?;
            if secs.fract() != 0.0 || secs <= 0.0 || secs >= MILLISECONDS_FROM {
                return None;
            }
            too_old(j, twin, secs * 1000.0).map(|(age, _)| age)
        })
        .collect()
}

/// The event of a request a finding about the whole request is filed under:
/// its latest core event in funnel order (Purchase first), else its first.
pub fn most_important(events: &[ServerEvent]) -> Option<&ServerEvent> {
    events
        .iter()
        .filter_map(|s| crate::tables::core_rank(&s.event_name).map(|rank| (rank, s)))
        .max_by_key(|(rank, _)| *rank)
        .map(|(_, s)| s)
        .or(events.first())
}

/// A server event for a list of lost events: `data[0] (Purchase order-1001)`.
pub fn short(s: &ServerEvent) -> String {
    match &s.event_id {
        Some(id) => format!("{} ({} {})", s.place, s.event_name, clip(id)),
        None => format!("{} ({})", s.place, s.event_name),
    }
}

/// A list of server events for a message, the core events first, at most a
/// few named and the rest counted.
pub fn lost_list<'a>(events: impl Iterator<Item = &'a ServerEvent>) -> String {
    const SHOWN: usize = 5;
    let mut all: Vec<&ServerEvent> = events.collect();
    // Core events first (Purchase before the rest), then payload order.
    crate::sort::sort_by_key(&mut all, |s| {
        std::cmp::Reverse(crate::tables::core_rank(&s.event_name).map_or(0, |r| r + 1))
    });
    let mut out: Vec<String> = all.iter().take(SHOWN).map(|s| short(s)).collect();
    if all.len() > SHOWN {
        out.push(format!("and {} more", all.len() - SHOWN));
    }
    out.join(", ")
}

/// A finding about server event `s`: where it is in which input, then `problem`.
pub fn about_server_event(code: &'static str, severity: SeverityRule, s: &ServerEvent, problem: &str) -> Finding {
    Finding::journey(code, severity.of(&s.event_name), format!("{}: {problem}", s.describe())).with_event(&s.event_name)
}

/// Asks `problems` about every supplied server event, in payload order, and
/// reports each problem it names (none, one, or several) as a finding about
/// that event. Without a payload nothing is judged: absence of evidence is not
/// a finding.
pub fn judge_server_events<P>(
    j: &Journey,
    code: &'static str,
    severity: SeverityRule,
    out: &mut Vec<Finding>,
    mut problems: impl FnMut(&ServerEvent) -> P,
) where
    P: IntoIterator<Item = String>,
{
    for s in j.server.iter().flatten() {
        for problem in problems(s) {
            out.push(about_server_event(code, severity, s, &problem));
        }
    }
}

/// An identifier the browser hit and its server twin both send (`fbp`,
/// `fbc`) and disagree on: one finding about the hit, naming both values.
/// Pairs where either side sends none are not compared.
pub fn paired_id_mismatches(
    j: &Journey,
    code: &'static str,
    severity: SeverityRule,
    param: &str,
    out: &mut Vec<Finding>,
) {
    for p in pairings(j) {
        let Some(twin) = p.twin else { continue };
        let (Some(browser), Some(server)) = (
            p.hit.decoded.get(param).filter(|v| !v.is_empty()),
            twin.user_text(param),
        ) else {
            continue;
        };
        if browser != server {
            out.push(Finding::about(
                code,
                severity.of(p.hit.event_name()),
                &[p.hit],
                format!(
                    "{} hit #{} sends {param} {} but its server twin ({}) sends {}",
                    p.hit.event_name(),
                    p.hit.id,
                    clip(browser),
                    twin.describe(),
                    clip(server)
                ),
            ));
        }
    }
}
