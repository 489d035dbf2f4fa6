//! The finding rules: one module per finding code, one explicit registry.
//!
//! A rule looks at one of three scopes, which is what makes the session
//! incremental:
//! - **hit** rules judge one hit on its own and run once, when the hit arrives;
//! - **group** rules judge all hits of one (pixel, event) pair and rerun only
//!   for the group a new record touched;
//! - **page** rules judge one page view (its scripts, fbq calls, logs) and rerun
//!   only for page views a new record touched;
//! - **journey** rules judge small per-event summaries.
//!
//! Where the evidence a rule needs is absent (a HAR has no gestures, no server
//! payload was supplied) the rule says nothing: absence of evidence is not a
//! finding.

use serde::Serialize;

use crate::journey::{GroupKey, Journey};
use crate::model::Hit;

mod add_to_cart_without_action;
mod browser_purchase_missing;
mod conflicting_pixel_versions;
mod currency_mismatch;
mod dedup_key_mismatch;
mod duplicate_event;
mod duplicate_pixel_script;
mod event_chain_incomplete;
mod event_chain_out_of_order;
mod event_id_in_params;
mod fbevents_error;
mod invalid_contents;
mod invalid_currency;
mod invalid_value;
mod missing_content_ids;
mod missing_currency;
mod missing_event_id;
mod missing_value;
mod multiple_pixel_ids;
mod multiple_senders;
mod nonstandard_event;
mod num_items_mismatch;
mod pixel_initialized_twice;
mod pixel_not_loaded;
mod repeated_event_id;
mod server_event_missing;
mod server_event_only;
mod server_value_mismatch;
mod unhashed_user_data;
mod value_mismatch;
mod zero_value;

#[cfg(test)]
pub(crate) mod testkit;

/// How much a finding matters: `fail` blocks Go, `warn` needs a look, `info` is context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Fail,
    Warn,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Fail => "fail",
            Severity::Warn => "warn",
            Severity::Info => "info",
        }
    }
}

/// One finding: a code, how bad, and the hits it is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pixel_id: Option<String>,
    pub hit_ids: Vec<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_view: Option<usize>,
    /// What was seen, specific to this journey.
    pub message: String,
}

impl Finding {
    /// A finding about some hits; event and pixel are taken from the first one.
    pub fn about(code: &'static str, severity: Severity, hits: &[&Hit], message: String) -> Finding {
        let first = hits.first();
        Finding {
            code,
            severity,
            event: first.and_then(|h| h.event.clone()),
            pixel_id: first.and_then(|h| h.pixel_id.clone()),
            hit_ids: hits.iter().map(|h| h.id).collect(),
            page_view: first.map(|h| h.page_view),
            message,
        }
    }

    /// A finding about the journey as a whole.
    pub fn journey(code: &'static str, severity: Severity, message: String) -> Finding {
        Finding {
            code,
            severity,
            event: None,
            pixel_id: None,
            hit_ids: Vec::new(),
            page_view: None,
            message,
        }
    }

    pub fn with_event(mut self, event: &str) -> Finding {
        self.event = Some(event.to_owned());
        self
    }

    pub fn with_page_view(mut self, pv: usize) -> Finding {
        self.page_view = Some(pv);
        self
    }
}

/// The fixed text of a rule: what the code means and what to do about it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RuleInfo {
    pub code: &'static str,
    /// The severity rule from PRODUCT.md §4, as text ("fail for Purchase, warn otherwise").
    pub severity: &'static str,
    /// When the rule fires, in one line.
    pub when: &'static str,
    /// Why it matters, in plain language.
    pub explanation: &'static str,
    /// Guidance, part 1: what probably broke.
    pub probably_broke: &'static str,
    /// Guidance, part 2: the first thing to check.
    pub first_check: &'static str,
    /// Guidance, part 3: what not to do yet.
    pub not_yet: &'static str,
}

/// Which part of the journey a rule judges (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Hit,
    Group,
    Page,
    Journey,
}

pub trait Rule: Sync {
    fn info(&self) -> &'static RuleInfo;
    fn scope(&self) -> Scope;
    fn check_hit(&self, _j: &Journey, _hit: &Hit, _out: &mut Vec<Finding>) {}
    fn check_group(&self, _j: &Journey, _key: &GroupKey, _hits: &[usize], _out: &mut Vec<Finding>) {}
    fn check_page(&self, _j: &Journey, _pv: usize, _out: &mut Vec<Finding>) {}
    fn check_journey(&self, _j: &Journey, _out: &mut Vec<Finding>) {}
}

/// The rules of one scope, in registry order. Computed once: the session asks
/// for every hit, and filtering the registry each time showed in profiles.
pub fn of_scope(scope: Scope) -> &'static [&'static dyn Rule] {
    static BY_SCOPE: std::sync::OnceLock<[Vec<&'static dyn Rule>; 4]> = std::sync::OnceLock::new();
    let all = BY_SCOPE.get_or_init(|| {
        [Scope::Hit, Scope::Group, Scope::Page, Scope::Journey]
            .map(|s| RULES.iter().copied().filter(|r| r.scope() == s).collect())
    });
    let i = match scope {
        Scope::Hit => 0,
        Scope::Group => 1,
        Scope::Page => 2,
        Scope::Journey => 3,
    };
    &all[i]
}

/// Every rule, in the order findings are listed within a severity.
pub static RULES: &[&dyn Rule] = &[
    &missing_event_id::Rule,
    &event_id_in_params::Rule,
    &duplicate_event::Rule,
    &repeated_event_id::Rule,
    &multiple_senders::Rule,
    &missing_value::Rule,
    &missing_currency::Rule,
    &invalid_value::Rule,
    &zero_value::Rule,
    &invalid_currency::Rule,
    &currency_mismatch::Rule,
    &missing_content_ids::Rule,
    &invalid_contents::Rule,
    &add_to_cart_without_action::Rule,
    &unhashed_user_data::Rule,
    &nonstandard_event::Rule,
    &duplicate_pixel_script::Rule,
    &pixel_initialized_twice::Rule,
    &conflicting_pixel_versions::Rule,
    &multiple_pixel_ids::Rule,
    &pixel_not_loaded::Rule,
    &fbevents_error::Rule,
    &event_chain_incomplete::Rule,
    &event_chain_out_of_order::Rule,
    &browser_purchase_missing::Rule,
    &value_mismatch::Rule,
    &num_items_mismatch::Rule,
    &server_event_missing::Rule,
    &dedup_key_mismatch::Rule,
    &server_value_mismatch::Rule,
    &server_event_only::Rule,
];

/// The fixed text for a code.
pub fn info(code: &str) -> Option<&'static RuleInfo> {
    RULES.iter().map(|r| r.info()).find(|i| i.code == code)
}

/// Position of a code in the registry (for stable ordering).
pub fn rank(code: &str) -> usize {
    RULES.iter().position(|r| r.info().code == code).unwrap_or(usize::MAX)
}

/// The finding-code table as Markdown, generated from the registry so the
/// README cannot drift from the code.
pub fn codes_markdown() -> String {
    let mut s = String::from("| code | severity | when |\n|---|---|---|\n");
    for r in RULES {
        let i = r.info();
        s.push_str(&format!("| `{}` | {} | {} |\n", i.code, i.severity, i.when));
    }
    s
}

/// Severity for events where Purchase fails and the other core events warn.
pub(crate) fn fail_for_purchase(event: &str) -> Severity {
    if event == "Purchase" {
        Severity::Fail
    } else {
        Severity::Warn
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_product_code_is_registered_once() {
        let expected = [
            "missing_event_id",
            "event_id_in_params",
            "duplicate_event",
            "repeated_event_id",
            "multiple_senders",
            "missing_value",
            "missing_currency",
            "invalid_value",
            "zero_value",
            "invalid_currency",
            "currency_mismatch",
            "missing_content_ids",
            "invalid_contents",
            "add_to_cart_without_action",
            "unhashed_user_data",
            "nonstandard_event",
            "duplicate_pixel_script",
            "pixel_initialized_twice",
            "conflicting_pixel_versions",
            "multiple_pixel_ids",
            "pixel_not_loaded",
            "fbevents_error",
            "event_chain_incomplete",
            "event_chain_out_of_order",
            "browser_purchase_missing",
            "value_mismatch",
            "num_items_mismatch",
            "server_event_missing",
            "dedup_key_mismatch",
            "server_value_mismatch",
            "server_event_only",
        ];
        let codes: Vec<&str> = RULES.iter().map(|r| r.info().code).collect();
        assert_eq!(codes, expected);
    }

    #[test]
    fn every_rule_has_three_part_guidance() {
        for r in RULES {
            let i = r.info();
            for (part, text) in [
                ("explanation", i.explanation),
                ("probably_broke", i.probably_broke),
                ("first_check", i.first_check),
                ("not_yet", i.not_yet),
            ] {
                assert!(text.len() > 20, "{} has a thin {part}", i.code);
            }
            assert!(
                i.not_yet.to_lowercase().starts_with("do not"),
                "{}: not_yet should say what not to do",
                i.code
            );
        }
    }

    #[test]
    fn markdown_table_lists_every_code() {
        let md = codes_markdown();
        for r in RULES {
            assert!(md.contains(&format!("`{}`", r.info().code)));
        }
    }
}
