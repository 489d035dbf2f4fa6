//! The finding rules: one module per finding code (named after it), one
//! explicit registry ([`RULES`], whose order is the order findings are listed
//! in). Rules read the [`Journey`] and never the session that runs them.
//!
//! A rule looks at one of four scopes, which is what makes the session
//! incremental:
//! - **hit** rules judge one hit on its own and run once, when the hit arrives;
//! - **group** rules judge the hits of one [`GroupKey`] — one event to one
//!   pixel within one page view (Purchase: within the whole journey) — and
//!   rerun only for the groups a new record touched;
//! - **page** rules judge one page view (its scripts, fbq calls, logs) and rerun
//!   only for page views a new record touched;
//! - **journey** rules judge the journey as a whole through small summaries,
//!   after every record.
//!
//! Where the evidence a rule needs is absent (a HAR has no gestures, no server
//! payload was supplied) the rule says nothing: absence of evidence is not a
//! finding (docs/product-rules.md, "Network and page evidence").

use serde::Serialize;

use crate::journey::{GroupKey, Journey};
use crate::model::Hit;

// Shared by the rules, not rules themselves.
mod server;
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
    /// The finding rests on page-reported evidence (the page hook's records,
    /// order or cart figures the page exposed), which the page could forge: it
    /// adds doubt, and the reader should know where it came from.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub page_reported: bool,
}

impl Finding {
    /// A finding about some hits; event and pixel are taken from the first one.
    pub fn about(code: &'static str, severity: Severity, hits: &[&Hit], message: String) -> Finding {
        let first = hits.first();
        Finding {
            code,
            severity,
            event: first.and_then(|h| h.event.as_deref().map(str::to_owned)),
            pixel_id: first.and_then(|h| h.pixel_id.as_deref().map(str::to_owned)),
            hit_ids: hits.iter().map(|h| h.id).collect(),
            page_view: first.map(|h| h.page_view),
            message,
            page_reported: false,
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
            page_reported: false,
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

    /// Marks the finding as resting on page-reported evidence when `yes`.
    pub fn page_reported(mut self, yes: bool) -> Finding {
        self.page_reported = yes;
        self
    }
}

/// The fixed text of a rule: what the code means and what to do about it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RuleInfo {
    pub code: &'static str,
    /// How the severity of each finding is chosen. The rule asks it when it
    /// emits a finding, and the code table prints it, so the two cannot drift.
    pub severity: SeverityRule,
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
    /// The Meta (or, for rules about Shopify's platform, Shopify) documentation
    /// page the rule comes from; `None` for rules that are PixelProof's own
    /// (docs/product-rules.md).
    pub source: Option<&'static str>,
}

/// How a rule picks the severity of a finding (the reasoning is in
/// docs/product-rules.md, "Finding codes and severity").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SeverityRule {
    /// Every finding has this severity.
    Always(Severity),
    /// `fail` for findings about these events, `warn` for any other.
    FailFor(&'static [&'static str]),
    /// `fail` when no known cause accounts for what was found, `warn` when one
    /// does (a value gap that shipping or tax explains may be deliberate).
    FailUnexplained,
}

impl SeverityRule {
    /// The severity of a finding about `event`. A `FailUnexplained` finding
    /// asked this way has no explanation.
    pub fn of(self, event: &str) -> Severity {
        self.of_explained(event, false)
    }

    /// The severity of a finding about no single event (a page, the store):
    /// what [`SeverityRule::of`] gives for an event no list names.
    pub fn of_any_event(self) -> Severity {
        self.of("")
    }

    /// The severity of a finding about `event` for which a cause was (or was
    /// not) found.
    pub fn of_explained(self, event: &str, explained: bool) -> Severity {
        match self {
            SeverityRule::Always(s) => s,
            SeverityRule::FailFor(events) if events.contains(&event) => Severity::Fail,
            SeverityRule::FailFor(_) => Severity::Warn,
            SeverityRule::FailUnexplained if explained => Severity::Warn,
            SeverityRule::FailUnexplained => Severity::Fail,
        }
    }

    /// Whether a finding of this rule may have severity `s`.
    pub fn allows(self, s: Severity) -> bool {
        match self {
            SeverityRule::Always(only) => s == only,
            SeverityRule::FailFor(_) | SeverityRule::FailUnexplained => matches!(s, Severity::Fail | Severity::Warn),
        }
    }

    /// The rule in words, for the code table.
    pub fn describe(self) -> String {
        match self {
            SeverityRule::Always(s) => s.as_str().to_owned(),
            SeverityRule::FailFor(events) => format!("fail for {}, warn otherwise", events.join("/")),
            SeverityRule::FailUnexplained => "fail when unexplained, warn when explained".to_owned(),
        }
    }
}

/// Which part of the journey a rule judges (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Hit,
    Group,
    Page,
    Journey,
}

/// A finding rule: a unit struct in its own module, listed once in [`RULES`].
///
/// The session calls only the `check_*` method of the rule's [`Rule::scope`];
/// the others keep their empty defaults. Every `check_*` reads the journey and
/// appends findings to `out`, and nothing else: it keeps no state between
/// calls and reads no clock, because the session caches what it appended and
/// reruns it only when its scope has changed. So its answer must depend only on
/// the data its scope covers — read anything else and a change there will not
/// rerun it (the property test `incremental_results_equal_a_full_rerun` is
/// there to catch that). Where the evidence it needs is absent, it appends
/// nothing. Severities come from the rule module's `SEVERITY` (the same
/// [`SeverityRule`] its [`RuleInfo::severity`] shows).
pub trait Rule: Sync {
    /// The finding code. (The rule's [`RuleInfo`], with its guidance, is in
    /// [`INFOS`] and not reachable from here: the service worker's wasm runs
    /// the rules and never shows their texts, so they stay out of it.)
    fn code(&self) -> &'static str;
    /// Which part of the journey the rule judges, and so when it reruns.
    fn scope(&self) -> Scope;
    /// Hit scope: judges one counted hit, once, when it arrives. The hit is
    /// not in `j.hits` yet and later records never rerun this, so it must
    /// judge the hit on its own.
    fn check_hit(&self, _j: &Journey, _hit: &Hit, _out: &mut Vec<Finding>) {}
    /// Group scope: judges the counted hits of one [`GroupKey`]; `hits` are
    /// indices into `j.hits`, in arrival order. Reruns when a hit joins the
    /// group or is given another sender, and when a gesture or the page hook's
    /// first report lands on the group's page view.
    fn check_group(&self, _j: &Journey, _key: &GroupKey, _hits: &[usize], _out: &mut Vec<Finding>) {}
    /// Page scope: judges page view `pv` through `j.pages[pv]`. Reruns when a
    /// record lands on that page view, and for the newest page view after
    /// every record (a call there may still be in flight: `j.last_time` moves).
    fn check_page(&self, _j: &Journey, _pv: usize, _out: &mut Vec<Finding>) {}
    /// Journey scope: judges the journey as a whole. Reruns after every
    /// record, so it reads the small summaries (`j.events`, `j.first_core`,
    /// `j.order_pages`, …) rather than scanning every hit.
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

/// Which of the packet's four evidence cards a finding code is about (the
/// card's texts and state are in `packet::cards`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardId {
    TestEvents,
    ShopifyOrder,
    TriggerSources,
    Reconciliation,
}

/// Declares every rule once: `module => card`. The module is named after the
/// rule's code and holds its `Rule` and its `INFO`; from this one list follow
/// the module declarations, [`RULES`], [`INFOS`] and [`card_of`].
///
/// [`RULES`] is every rule, in the order findings are listed within a
/// severity. [`INFOS`] is every rule's code, severity rule and guidance in the
/// same order. Only what shows or documents findings reads [`INFOS`]: the
/// packet, the panel, the code table. A rule module keeps its code and severity
/// rule in consts (`CODE`, `SEVERITY`) that both its `INFO` and its checks use:
/// the checks never touch `INFO`, so the service worker's wasm, which runs the
/// rules and never shows their texts, does not carry the texts. [`card_of`]
/// matches on the module names for the same reason.
macro_rules! registry {
    ($($rule:ident => $card:ident,)*) => {
        $(mod $rule;)*

        pub static RULES: &[&dyn Rule] = &[$(&$rule::Rule),*];

        pub static INFOS: &[&RuleInfo] = &[$(&$rule::INFO),*];

        /// The card a finding code is about; `None` for a code no rule has.
        pub fn card_of(code: &str) -> Option<CardId> {
            match code {
                $(stringify!($rule) => Some(CardId::$card),)*
                _ => None,
            }
        }

        #[cfg(test)]
        const MODULES: &[&str] = &[$(stringify!($rule)),*];
    };
}

registry! {
    missing_event_id => TestEvents,
    event_id_in_params => TestEvents,
    duplicate_event => TestEvents,
    repeated_event_id => TestEvents,
    multiple_senders => TriggerSources,
    missing_value => ShopifyOrder,
    missing_currency => ShopifyOrder,
    invalid_value => ShopifyOrder,
    zero_value => ShopifyOrder,
    invalid_currency => ShopifyOrder,
    currency_mismatch => ShopifyOrder,
    missing_content_ids => TestEvents,
    missing_content_type => TestEvents,
    invalid_contents => TestEvents,
    add_to_cart_without_action => TestEvents,
    // A script that builds pixel requests with a page URL of its own.
    page_url_mismatch => TriggerSources,
    unhashed_user_data => TestEvents,
    nonstandard_event => TestEvents,
    duplicate_pixel_script => TriggerSources,
    pixel_initialized_twice => TriggerSources,
    conflicting_pixel_versions => TriggerSources,
    multiple_pixel_ids => TriggerSources,
    pixel_not_loaded => TriggerSources,
    fbevents_error => TriggerSources,
    event_chain_incomplete => TestEvents,
    event_chain_out_of_order => TestEvents,
    browser_purchase_missing => TestEvents,
    value_mismatch => ShopifyOrder,
    value_currency_mixed => ShopifyOrder,
    upsell_value_counted_twice => ShopifyOrder,
    upsell_event_id_reused => ShopifyOrder,
    num_items_mismatch => ShopifyOrder,
    server_event_missing => TestEvents,
    dedup_key_mismatch => TestEvents,
    server_value_mismatch => TestEvents,
    server_event_only => TestEvents,
    server_purchase_duplicated => TestEvents,
    server_event_time_invalid => TestEvents,
    server_action_source_invalid => TestEvents,
    server_missing_web_fields => TestEvents,
    server_user_data_unhashed => TestEvents,
    server_user_data_overhashed => TestEvents,
    server_user_data_insufficient => TestEvents,
    server_data_processing_options_invalid => TestEvents,
    server_batch_too_large => TestEvents,
    server_response_error => TestEvents,
    server_events_received_short => TestEvents,
    server_event_id_in_custom_data => TestEvents,
    test_event_code_present => TestEvents,
    fbp_mismatch => TestEvents,
    fbc_mismatch => TestEvents,
    fbc_missing => TestEvents,
    invalid_fbp_fbc => TestEvents,
    consent_revoked => TestEvents,
    shopify_consent_withheld => TestEvents,
    pixel_in_script_tag => TriggerSources,
    pixel_in_order_status_script => TriggerSources,
    page_hook_missing => TestEvents,
}

/// The fixed text for a code.
pub fn info(code: &str) -> Option<&'static RuleInfo> {
    INFOS.iter().copied().find(|i| i.code == code)
}

/// Position of a code in the registry (for stable ordering).
pub fn rank(code: &str) -> usize {
    RULES.iter().position(|r| r.code() == code).unwrap_or(usize::MAX)
}

/// The codes of the `fail` findings among `findings`, each once, in the order
/// they first come: what the gate blocks on.
pub fn fail_codes<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = Vec::new();
    for f in findings.into_iter().filter(|f| f.severity == Severity::Fail) {
        if !codes.contains(&f.code) {
            codes.push(f.code);
        }
    }
    codes
}

/// The finding-code table as Markdown, generated from the registry so the
/// README cannot drift from the code. Each Meta documentation page is a
/// numbered reference link, defined once below the table.
pub fn codes_markdown() -> String {
    let mut pages: Vec<&str> = Vec::new();
    let mut s = String::from("| code | severity | when | Meta / Shopify doc |\n|---|---|---|---|\n");
    for i in INFOS {
        let source = match i.source {
            Some(u) => {
                let n = pages.iter().position(|p| *p == u).unwrap_or_else(|| {
                    pages.push(u);
                    pages.len() - 1
                });
                format!("[{}]", n + 1)
            }
            None => "—".to_owned(),
        };
        s.push_str(&format!(
            "| `{}` | {} | {} | {source} |\n",
            i.code,
            i.severity.describe(),
            i.when
        ));
    }
    s.push('\n');
    for (n, u) in pages.iter().enumerate() {
        s.push_str(&format!("[{}]: {u}\n", n + 1));
    }
    s
}

/// How far after a hit a gesture may be stamped and still count as its cause:
/// the gesture's clock (the page's) and the request's (the browser's network
/// stack) can disagree by a few ms.
pub const GESTURE_SKEW_MS: f64 = 100.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_registered_once_and_has_its_rule_file() {
        let mut seen = std::collections::BTreeSet::new();
        for r in RULES {
            let code = r.code();
            assert!(seen.insert(code), "{code} is registered twice");
            // One module per code, named after it: the code is how a reader finds the rule.
            let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("src/rules/{code}.rs"));
            assert!(file.is_file(), "{code} has no rules/{code}.rs");
        }
        // And the other way: no rule file left out of the registry (but the
        // modules the rules share).
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
        for entry in std::fs::read_dir(dir).expect("rules dir") {
            let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
            let Some(code) = name.strip_suffix(".rs") else { continue };
            if !["mod", "server", "testkit"].contains(&code) {
                assert!(seen.contains(code), "rules/{name} is not in RULES");
            }
        }
    }

    #[test]
    fn each_module_is_named_after_its_code() {
        let rules: Vec<&str> = RULES.iter().map(|r| r.code()).collect();
        let infos: Vec<&str> = INFOS.iter().map(|i| i.code).collect();
        assert_eq!(rules, MODULES);
        assert_eq!(infos, MODULES);
    }

    #[test]
    fn severity_rules_pick_and_describe() {
        let purchase = SeverityRule::FailFor(&["Purchase"]);
        assert_eq!(purchase.of("Purchase"), Severity::Fail);
        assert_eq!(purchase.of("AddToCart"), Severity::Warn);
        assert_eq!(purchase.of_any_event(), Severity::Warn);
        assert_eq!(purchase.describe(), "fail for Purchase, warn otherwise");
        let gap = SeverityRule::FailUnexplained;
        assert_eq!(gap.of_explained("Purchase", false), Severity::Fail);
        assert_eq!(gap.of_explained("Purchase", true), Severity::Warn);
        let info = SeverityRule::Always(Severity::Info);
        assert_eq!(info.of_explained("Purchase", true), Severity::Info);
        assert!(info.allows(Severity::Info) && !info.allows(Severity::Warn));
        assert!(gap.allows(Severity::Warn) && !gap.allows(Severity::Info));
    }

    #[test]
    fn every_rule_has_three_part_guidance() {
        for i in INFOS {
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
            assert!(md.contains(&format!("`{}`", r.code())));
        }
    }

    #[test]
    fn sources_are_meta_documentation_pages() {
        for i in INFOS {
            if let Some(url) = i.source {
                assert!(
                    (url.starts_with("https://developers.facebook.com/docs/")
                        || url.starts_with("https://shopify.dev/docs/"))
                        && !url.contains(' '),
                    "{}: {url}",
                    i.code
                );
            }
        }
        // The Conversions API payload and identity checks all come from Meta's documentation.
        for code in [
            "server_event_time_invalid",
            "server_action_source_invalid",
            "server_missing_web_fields",
            "server_user_data_unhashed",
            "server_user_data_overhashed",
            "server_event_id_in_custom_data",
            "test_event_code_present",
            "fbp_mismatch",
            "fbc_mismatch",
            "fbc_missing",
            "invalid_fbp_fbc",
            "consent_revoked",
            "server_user_data_insufficient",
            "server_data_processing_options_invalid",
            "server_batch_too_large",
            "missing_content_type",
            "server_response_error",
            "server_events_received_short",
            // What Shopify's platform does: its own documentation.
            "shopify_consent_withheld",
            "pixel_in_script_tag",
            "pixel_in_order_status_script",
        ] {
            assert!(info(code).is_some_and(|i| i.source.is_some()), "{code}");
        }
        let md = codes_markdown();
        assert!(md.starts_with("| code | severity | when | Meta / Shopify doc |\n"));
        assert!(md.contains(
            "| `missing_event_id` | fail for Purchase, warn otherwise | a core event hit has no `eid` | [1] |"
        ));
        assert!(md.contains(
            "\n[1]: https://developers.facebook.com/docs/marketing-api/conversions-api/deduplicate-pixel-and-server-events\n"
        ));
        assert!(md.contains("| `multiple_senders` | fail for Purchase, warn otherwise | one core event for one pixel arrives from more than one sender | — |"));
    }
}
