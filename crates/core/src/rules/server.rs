//! What the rules about Conversions API payloads share. Not a rule itself:
//! the rules stay one per code, and use these so that every finding about a
//! server event starts the same way (`capi.json data[0] (Purchase): …`) and
//! the browser-vs-server comparison of an identifier is written once.

use super::{Finding, RuleInfo};
use crate::identity::clip;
use crate::journey::Journey;
use crate::pairing::pairings;

/// An identifier the browser hit and its server twin both send (`fbp`,
/// `fbc`) and disagree on: one finding about the hit, naming both values.
/// Pairs where either side sends none are not compared.
pub fn paired_id_mismatches(j: &Journey, info: &RuleInfo, param: &str, out: &mut Vec<Finding>) {
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
                info.code,
                info.severity.of(p.hit.event_name()),
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
