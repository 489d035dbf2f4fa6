//! Before and after: two review packets compared, so a merchant fixing their
//! store sees that the fix worked — which findings it resolved, which it
//! introduced, which gate checks changed state and how each core event's value
//! and currency moved.
//!
//! It reads packets as JSON, version 1 or 2, from the CLI or saved from the
//! extension, and only the parts both versions have in common: the verdict,
//! the findings (v1 lists them flat; v2 groups them by code, each with its
//! instances), the gate checks and the hits' decoded parameters. The CLI
//! (`pixelproof diff`) and the panel ("Compare with a saved packet") share it.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::markdown::{code, code_inline, text};
use crate::inputs::InputError;
use crate::tables::CORE_EVENTS;

const HINT: &str = "give a JSON packet: `pixelproof audit --format json` or the extension's Export (JSON)";

/// What a diff reads of one packet.
#[derive(Debug, Clone)]
pub struct PacketView {
    pub label: String,
    pub version: u64,
    pub verdict: String,
    /// Every finding, one entry per instance.
    pub findings: Vec<FindingRef>,
    /// Gate checks: (name, state, detail).
    pub checks: Vec<(String, String, String)>,
    /// Per core event: the distinct values and currencies its counted hits sent.
    pub money: BTreeMap<String, Money>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingRef {
    pub code: String,
    pub severity: String,
    pub event: Option<String>,
    pub pixel_id: Option<String>,
}

/// Distinct values and currencies, in the order the hits sent them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Money {
    pub values: Vec<String>,
    pub currencies: Vec<String>,
}

/// Reads a packet from JSON text. `label` names it in errors (the file name).
pub fn read_packet(label: &str, text: &str) -> Result<PacketView, InputError> {
    let trimmed = text.trim_start();
    if trimmed.starts_with("# PixelProof") {
        return Err(err(
            label,
            "line 1",
            "this is the Markdown packet, which a diff cannot read",
        ));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        err(
            label,
            &format!("line {}, column {}", e.line(), e.column()),
            &format!("not JSON ({})", strip_position(&e.to_string())),
        )
    })?;
    view_of(label, &value)
}

/// Reads a packet already parsed (the panel has its own packet as a value).
pub fn view_of(label: &str, p: &Value) -> Result<PacketView, InputError> {
    let Some(obj) = p.as_object() else {
        return Err(err(
            label,
            "(top level)",
            "not a PixelProof packet: expected a JSON object",
        ));
    };
    let version = match obj.get("packet_version") {
        None => {
            return Err(err(
                label,
                "(top level)",
                "not a PixelProof packet: it has no packet_version",
            ))
        }
        Some(v) => v
            .as_u64()
            .ok_or_else(|| err(label, "packet_version", "packet_version is not a whole number"))?,
    };
    if !(1..=2).contains(&version) {
        return Err(InputError {
            input: label.into(),
            place: "packet_version".into(),
            problem: format!("packet version {version} is not one this pixelproof reads (1 or 2)"),
            hint: "compare it with the pixelproof that wrote it, or update pixelproof".into(),
        });
    }
    let verdict = obj
        .get("verdict")
        .and_then(Value::as_str)
        .ok_or_else(|| err(label, "verdict", "no verdict (go, stop or incomplete)"))?
        .to_owned();
    let list = |key: &str| -> Result<&Vec<Value>, InputError> {
        obj.get(key)
            .and_then(Value::as_array)
            .ok_or_else(|| err(label, key, &format!("no {key} list")))
    };
    let mut findings = Vec::new();
    for (i, f) in list("findings")?.iter().enumerate() {
        let code = f
            .get("code")
            .and_then(Value::as_str)
            .ok_or_else(|| err(label, &format!("findings[{i}].code"), "a finding without a code"))?;
        // v1: each entry is one finding; v2: each entry is a code's group.
        let instances: Vec<&Value> = if version == 1 {
            vec![f]
        } else {
            f.get("instances")
                .and_then(Value::as_array)
                .ok_or_else(|| {
                    err(
                        label,
                        &format!("findings[{i}].instances"),
                        "a finding group without instances",
                    )
                })?
                .iter()
                .collect()
        };
        for (k, inst) in instances.into_iter().enumerate() {
            // A damaged severity must not pass for `info`: `--strict` would
            // then miss a fail the packet holds.
            let severity = inst
                .get("severity")
                .and_then(Value::as_str)
                .filter(|s| matches!(*s, "fail" | "warn" | "info"))
                .ok_or_else(|| {
                    let place = if version == 1 {
                        format!("findings[{i}].severity")
                    } else {
                        format!("findings[{i}].instances[{k}].severity")
                    };
                    err(label, &place, "a finding without a severity of fail, warn or info")
                })?;
            findings.push(FindingRef {
                code: code.to_owned(),
                severity: severity.to_owned(),
                event: inst.get("event").and_then(Value::as_str).map(str::to_owned),
                pixel_id: inst.get("pixel_id").and_then(Value::as_str).map(str::to_owned),
            });
        }
    }
    let checks: Vec<(String, String, String)> = obj
        .get("gate")
        .and_then(|g| g.get("checks"))
        .and_then(Value::as_array)
        .ok_or_else(|| err(label, "gate.checks", "no gate checks"))?
        .iter()
        .map(|c| {
            let s = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
            (s("name"), s("state"), s("detail"))
        })
        .collect();
    consistent(label, &verdict, &findings, &checks)?;
    let mut money: BTreeMap<String, Money> = BTreeMap::new();
    for h in list("hits")? {
        if h.get("counted").and_then(Value::as_bool) == Some(false) {
            continue;
        }
        let Some(ev) = h
            .get("event")
            .and_then(Value::as_str)
            .filter(|e| CORE_EVENTS.contains(e))
        else {
            continue;
        };
        let m = money.entry(ev.to_owned()).or_default();
        let param = |k: &str| match h.get("params").and_then(|p| p.get(k)) {
            Some(Value::String(s)) => Some(s.clone()),
            // A repeated key: the last one is what fbevents' reader takes.
            Some(Value::Array(a)) => a.last().and_then(Value::as_str).map(str::to_owned),
            _ => None,
        };
        if let Some(v) = param("cd[value]") {
            if !m.values.contains(&v) {
                m.values.push(v);
            }
        }
        if let Some(c) = param("cd[currency]") {
            if !m.currencies.contains(&c) {
                m.currencies.push(c);
            }
        }
    }
    Ok(PacketView {
        label: label.to_owned(),
        version,
        verdict,
        findings,
        checks,
        money,
    })
}

/// A packet's verdict is what its findings and gate checks make it (as
/// `results::gate` decides, in both versions): stop with a fail finding or a
/// check in stop, go when every check is go, else incomplete; and the gate
/// has its five checks, each once. A packet edited or damaged so that it
/// says otherwise is refused: a diff must not report a verdict the packet's
/// own evidence does not give. An edit that changes the evidence and the
/// verdict together cannot be told from a packet: this is a check of
/// consistency, not of who wrote it.
fn consistent(
    label: &str,
    verdict: &str,
    findings: &[FindingRef],
    checks: &[(String, String, String)],
) -> Result<(), InputError> {
    let mut names: Vec<&str> = checks.iter().map(|(name, _, _)| name.as_str()).collect();
    names.sort_unstable();
    if names != GATE_CHECKS {
        return Err(InputError {
            input: label.into(),
            place: "gate.checks".into(),
            problem: format!(
                "the gate has the checks {}, not {} once each",
                if names.is_empty() {
                    "(none)".to_owned()
                } else {
                    names.join(", ")
                },
                GATE_CHECKS.join(", ")
            ),
            hint: EDITED.into(),
        });
    }
    if let Some((name, state, _)) = checks
        .iter()
        .find(|(_, state, _)| !matches!(state.as_str(), "go" | "stop" | "unverified"))
    {
        return Err(InputError {
            input: label.into(),
            place: "gate.checks".into(),
            problem: format!("the gate check {name:?} has the state {state:?}, not go, stop or unverified"),
            hint: EDITED.into(),
        });
    }
    let fails = findings.iter().filter(|f| f.severity == "fail").count();
    let stopped: Vec<&str> = checks
        .iter()
        .filter(|(_, state, _)| state == "stop")
        .map(|(name, _, _)| name.as_str())
        .collect();
    let given = if fails > 0 || !stopped.is_empty() {
        "stop"
    } else if checks.iter().all(|(_, state, _)| state == "go") {
        "go"
    } else {
        "incomplete"
    };
    if verdict == given {
        return Ok(());
    }
    let why = if given == "stop" {
        let mut parts = Vec::new();
        if fails > 0 {
            parts.push(format!("{fails} fail finding{}", if fails == 1 { "" } else { "s" }));
        }
        if !stopped.is_empty() {
            parts.push(format!("the gate check(s) {} in stop", stopped.join(", ")));
        }
        format!("it holds {}", parts.join(" and "))
    } else {
        format!("it holds no fail finding and no gate check in stop, which make it {given}")
    };
    Err(InputError {
        input: label.into(),
        place: "verdict".into(),
        problem: format!("the packet contradicts itself: its verdict is {verdict:?}, but {why}"),
        hint: EDITED.into(),
    })
}

/// The gate's checks, sorted by name.
const GATE_CHECKS: [&str; 5] = ["chain", "dedup", "gaps", "money", "owners"];

const EDITED: &str = "the packet was edited or damaged: export it again from the extension or pixelproof audit";

fn err(label: &str, place: &str, problem: &str) -> InputError {
    InputError {
        input: label.into(),
        place: place.into(),
        problem: problem.into(),
        hint: HINT.into(),
    }
}

fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub before: Side,
    pub after: Side,
    pub verdict: Change,
    /// Findings in BEFORE and not in AFTER (matched by code, event and pixel).
    pub resolved: Vec<FindingChange>,
    /// Findings in AFTER and not in BEFORE.
    pub introduced: Vec<FindingChange>,
    pub unchanged: Vec<FindingChange>,
    /// Gate checks whose state changed.
    pub gate: Vec<CheckChange>,
    /// Core events whose values or currencies changed.
    pub values: Vec<ValueChange>,
    /// AFTER has a `fail` finding BEFORE did not (what `--strict` exits 1 on).
    pub introduces_fail: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub label: String,
    pub packet_version: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingChange {
    pub code: String,
    /// The worst severity among its instances (AFTER's, except for resolved ones).
    pub severity: String,
    /// BEFORE's, when it differs (unchanged findings only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity_before: Option<String>,
    pub event: Option<String>,
    pub pixel_id: Option<String>,
    pub instances_before: usize,
    pub instances_after: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckChange {
    pub name: String,
    pub before: String,
    pub after: String,
    /// AFTER's detail.
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ValueChange {
    pub event: String,
    pub before: Money,
    pub after: Money,
}

type Key = (String, Option<String>, Option<String>);

/// (worst severity, instances) per (code, event, pixel), in first-seen order.
fn tally(findings: &[FindingRef]) -> Vec<(Key, String, usize)> {
    let mut out: Vec<(Key, String, usize)> = Vec::new();
    for f in findings {
        let key = (f.code.clone(), f.event.clone(), f.pixel_id.clone());
        match out.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, sev, n)) => {
                *n += 1;
                if rank(&f.severity) < rank(sev) {
                    sev.clone_from(&f.severity);
                }
            }
            None => out.push((key, f.severity.clone(), 1)),
        }
    }
    out
}

fn rank(severity: &str) -> u8 {
    match severity {
        "fail" => 0,
        "warn" => 1,
        _ => 2,
    }
}

pub fn diff(before: &PacketView, after: &PacketView) -> Diff {
    let b = tally(&before.findings);
    let a = tally(&after.findings);
    let find = |list: &[(Key, String, usize)], key: &Key| list.iter().find(|(k, _, _)| k == key).cloned();
    let change = |(code, event, pixel_id): Key, severity: String, before_n: usize, after_n: usize| FindingChange {
        code,
        severity,
        severity_before: None,
        event,
        pixel_id,
        instances_before: before_n,
        instances_after: after_n,
    };
    let mut resolved = Vec::new();
    let mut unchanged = Vec::new();
    for (key, sev, n) in &b {
        match find(&a, key) {
            None => resolved.push(change(key.clone(), sev.clone(), *n, 0)),
            Some((_, after_sev, after_n)) => {
                let mut c = change(key.clone(), after_sev.clone(), *n, after_n);
                if &after_sev != sev {
                    c.severity_before = Some(sev.clone());
                }
                unchanged.push(c);
            }
        }
    }
    let mut introduced: Vec<FindingChange> = a
        .iter()
        .filter(|(key, _, _)| find(&b, key).is_none())
        .map(|(key, sev, n)| change(key.clone(), sev.clone(), 0, *n))
        .collect();
    // Worst first; the stable sort keeps the packet's order within a severity.
    for list in [&mut resolved, &mut introduced, &mut unchanged] {
        crate::sort::sort_by(list, |x, y| rank(&x.severity).cmp(&rank(&y.severity)));
    }
    let introduces_fail = introduced.iter().any(|c| c.severity == "fail")
        || unchanged
            .iter()
            .any(|c| c.severity == "fail" && c.severity_before.is_some());
    let gate = after
        .checks
        .iter()
        .filter_map(|(name, state, detail)| {
            let was = before
                .checks
                .iter()
                .find(|(n, _, _)| n == name)
                .map_or("absent", |(_, s, _)| s.as_str());
            (was != state).then(|| CheckChange {
                name: name.clone(),
                before: was.to_owned(),
                after: state.clone(),
                detail: detail.clone(),
            })
        })
        .collect();
    let values = CORE_EVENTS
        .iter()
        .filter_map(|ev| {
            let b = before.money.get(*ev).cloned().unwrap_or_default();
            let a = after.money.get(*ev).cloned().unwrap_or_default();
            (a != b).then(|| ValueChange {
                event: (*ev).to_owned(),
                before: b,
                after: a,
            })
        })
        .collect();
    Diff {
        before: Side {
            label: before.label.clone(),
            packet_version: before.version,
        },
        after: Side {
            label: after.label.clone(),
            packet_version: after.version,
        },
        verdict: Change {
            before: before.verdict.clone(),
            after: after.verdict.clone(),
        },
        resolved,
        introduced,
        unchanged,
        gate,
        values,
        introduces_fail,
    }
}

impl Diff {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"diff did not serialise: {e}\"}}"))
    }

    /// One line: the verdict's move and the findings' balance.
    pub fn headline(&self) -> String {
        format!("verdict {}", self.balance())
    }

    /// The headline without its first word, where the reader already knows it
    /// is about the verdict (the panel's comparison): `STOP → GO: 4 resolved, …`.
    pub fn balance(&self) -> String {
        format!(
            "{} → {}: {} resolved, {} introduced, {} unchanged",
            self.verdict.before.to_ascii_uppercase(),
            self.verdict.after.to_ascii_uppercase(),
            self.resolved.len(),
            self.introduced.len(),
            self.unchanged.len()
        )
    }

    /// The diff as terminal text (the demo prints it; `pixelproof diff --format
    /// text` writes it): the headline, each finding resolved or introduced, the
    /// gate checks that changed.
    pub fn to_text(&self) -> String {
        use super::text::{pad, tail, trim_lines, CODE};
        use std::fmt::Write;
        let mut s = format!("  {}", tail(&self.headline()));
        for (what, list) in [("resolved", &self.resolved), ("introduced", &self.introduced)] {
            for c in list.iter() {
                let _ = write!(
                    s,
                    "\n    {} {} {} {}",
                    pad(what, 11),
                    pad(&c.severity, 4),
                    pad(&c.code, CODE),
                    tail(c.event.as_deref().unwrap_or(""))
                );
            }
        }
        let gate: Vec<String> = self
            .gate
            .iter()
            .map(|c| format!("{} {}→{}", tail(&c.name), tail(&c.before), tail(&c.after)))
            .collect();
        let _ = write!(
            s,
            "\n  gate: {}",
            if gate.is_empty() {
                "no check changed".to_owned()
            } else {
                gate.join("  ")
            }
        );
        trim_lines(&s)
    }

    pub fn to_markdown(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        // The verdicts are read from the packet files as they are: escaped like
        // every other string from them, so a forged one stays text.
        let _ = writeln!(
            s,
            "# PixelProof before/after — {} → {}\n",
            text(&self.verdict.before.to_ascii_uppercase()),
            text(&self.verdict.after.to_ascii_uppercase())
        );
        let _ = writeln!(
            s,
            "Before: {} (packet v{}) · after: {} (packet v{})\n",
            code_inline(&self.before.label),
            self.before.packet_version,
            code_inline(&self.after.label),
            self.after.packet_version
        );
        let _ = writeln!(
            s,
            "{} finding{} resolved, {} introduced, {} unchanged{}.\n",
            self.resolved.len(),
            plural(self.resolved.len()),
            self.introduced.len(),
            self.unchanged.len(),
            if self.introduces_fail {
                "; **the after packet has a fail finding the before packet did not**"
            } else {
                ""
            }
        );
        findings_table(&mut s, "Resolved", &self.resolved);
        findings_table(&mut s, "Introduced", &self.introduced);
        findings_table(&mut s, "Unchanged", &self.unchanged);
        let _ = writeln!(s, "## Gate checks that changed ({})\n", self.gate.len());
        if self.gate.is_empty() {
            let _ = writeln!(s, "None.\n");
        } else {
            let _ = writeln!(s, "| check | before | after | detail now |\n|---|---|---|---|");
            for c in &self.gate {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} |",
                    text(&c.name),
                    state(&c.before),
                    state(&c.after),
                    text(&c.detail)
                );
            }
            s.push('\n');
        }
        let _ = writeln!(
            s,
            "## Value and currency per core event ({} changed)\n",
            self.values.len()
        );
        if self.values.is_empty() {
            let _ = writeln!(s, "No change.\n");
        } else {
            let _ = writeln!(
                s,
                "| event | value before | value after | currency before | currency after |\n|---|---|---|---|---|"
            );
            let list = |v: &[String]| {
                if v.is_empty() {
                    "—".to_owned()
                } else {
                    v.iter().map(|x| code(x)).collect::<Vec<_>>().join(", ")
                }
            };
            for v in &self.values {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} |",
                    v.event,
                    list(&v.before.values),
                    list(&v.after.values),
                    list(&v.before.currencies),
                    list(&v.after.currencies)
                );
            }
            s.push('\n');
        }
        s
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn state(s: &str) -> String {
    match s {
        "stop" => "**stop**".into(),
        other => text(other),
    }
}

fn findings_table(s: &mut String, title: &str, list: &[FindingChange]) {
    use std::fmt::Write;
    let _ = writeln!(s, "## {title} ({})\n", list.len());
    if list.is_empty() {
        let _ = writeln!(s, "None.\n");
        return;
    }
    let _ = writeln!(
        s,
        "| severity | code | event | pixel | instances before → after |\n|---|---|---|---|---|"
    );
    for c in list {
        let severity = match &c.severity_before {
            Some(b) => format!("{} → {}", text(b), text(&c.severity)),
            None if c.severity == "fail" => "**fail**".to_owned(),
            None => text(&c.severity),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} → {} |",
            severity,
            code(&c.code),
            c.event.as_deref().map(code).unwrap_or_else(|| "—".into()),
            c.pixel_id.as_deref().map(code).unwrap_or_else(|| "—".into()),
            c.instances_before,
            c.instances_after
        );
    }
    s.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The gate's five checks, all go but `money`.
    fn checks(money: &str) -> Value {
        let check = |name: &str, state: &str| serde_json::json!({"name": name, "state": state, "detail": "d"});
        serde_json::json!({"checks": [check("chain", "go"), check("dedup", "go"), check("money", money),
            check("owners", "go"), check("gaps", "go")]})
    }

    fn v1(verdict: &str, findings: Value, value: &str) -> String {
        serde_json::json!({
            "packet_version": 1,
            "verdict": verdict,
            "findings": findings,
            "gate": checks(if verdict == "go" { "go" } else { "stop" }),
            "hits": [{"event": "Purchase", "counted": true, "params": {"cd[value]": value, "cd[currency]": "USD"}}],
        })
        .to_string()
    }

    #[test]
    fn v1_and_v2_findings_match_by_code_event_and_pixel() {
        let before = read_packet(
            "before.json",
            &v1(
                "stop",
                serde_json::json!([
                    {"code": "missing_event_id", "severity": "fail", "event": "Purchase", "pixel_id": "1"},
                    {"code": "missing_event_id", "severity": "warn", "event": "AddToCart", "pixel_id": "1"},
                    {"code": "duplicate_pixel_script", "severity": "warn"},
                    {"code": "duplicate_pixel_script", "severity": "warn"}
                ]),
                "60.00",
            ),
        )
        .expect("v1 reads");
        let after = serde_json::json!({
            "packet_version": 2, "verdict": "stop",
            "gate": checks("go"),
            "findings": [
                {"code": "missing_event_id", "severity": "fail", "instances": [
                    {"severity": "fail", "event": "AddToCart", "pixel_id": "1"}]},
                {"code": "invalid_currency", "severity": "fail", "instances": [
                    {"severity": "fail", "event": "Purchase", "pixel_id": "1"}]}
            ],
            "hits": [{"event": "Purchase", "counted": true, "params": {"cd[value]": "78.00", "cd[currency]": "USD"}},
                     {"event": "Purchase", "counted": false, "params": {"cd[value]": "1.00"}}],
        });
        let after = view_of("after.json", &after).expect("v2 reads");
        let d = diff(&before, &after);
        let keys = |v: &[FindingChange]| {
            v.iter()
                .map(|c| format!("{} {}", c.code, c.event.as_deref().unwrap_or("-")))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            keys(&d.resolved),
            ["missing_event_id Purchase", "duplicate_pixel_script -"]
        );
        assert_eq!(d.resolved[1].instances_before, 2);
        assert_eq!(keys(&d.introduced), ["invalid_currency Purchase"]);
        assert_eq!(keys(&d.unchanged), ["missing_event_id AddToCart"]);
        assert_eq!(d.unchanged[0].severity_before.as_deref(), Some("warn"));
        assert!(d.introduces_fail);
        assert_eq!(d.gate.len(), 1);
        assert_eq!((d.gate[0].before.as_str(), d.gate[0].after.as_str()), ("stop", "go"));
        assert_eq!(d.values.len(), 1);
        assert_eq!(d.values[0].before.values, ["60.00"]);
        assert_eq!(
            d.values[0].after.values,
            ["78.00"],
            "a hit that is not counted is not a value"
        );
    }

    /// A packet file is input like any other: a verdict that is markup is no
    /// verdict its gate gives, and is refused before anything is written.
    #[test]
    fn a_forged_verdict_cannot_write_markup_into_the_markdown() {
        let e = read_packet(
            "after.json",
            &v1("<img src=x onerror=alert(1)>\n# go", serde_json::json!([]), "1.00"),
        )
        .expect_err("refused");
        assert_eq!(e.place, "verdict");
        assert!(
            e.problem
                .starts_with("the packet contradicts itself: its verdict is \"<img"),
            "{e}"
        );
    }

    #[test]
    fn what_is_not_a_packet_is_named_with_its_place() {
        let e = read_packet("x.json", "{\"a\": ").expect_err("bad JSON");
        assert_eq!(e.place, "line 1, column 6");
        let e = read_packet("x.har", r#"{"log": {"entries": []}}"#).expect_err("a HAR");
        assert!(e.problem.contains("no packet_version"), "{e}");
        assert!(e.hint.contains("--format json"));
        let e = read_packet("p.md", "# PixelProof review packet — STOP\n").expect_err("markdown");
        assert!(e.problem.contains("Markdown"), "{e}");
        let e = read_packet("p.json", r#"{"packet_version": 9, "verdict": "go"}"#).expect_err("future");
        assert_eq!(e.place, "packet_version");
        let e = read_packet("p.json", r#"{"packet_version": 2, "verdict": "go", "findings": [{"code": "x"}], "gate": {"checks": []}, "hits": []}"#)
            .expect_err("a v2 group without instances");
        assert_eq!(e.place, "findings[0].instances");
    }
}
