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
use crate::pairing::pairings;

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
