//! The review fields: what the reviewer records about a journey (decision,
//! owners, notes). They are user input, not results: the extension keeps them
//! beside the journal, the CLI reads them from a file, and the gate and the
//! packet read them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Review fields the user fills in (kept with the journal by the extension).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Review {
    /// The reviewer's decision, e.g. `go`, `stop`, `go with conditions`.
    pub decision: Option<String>,
    /// Owner (sender or team) per core event.
    pub owners: BTreeMap<String, String>,
    /// ISO date of the next review.
    pub next_review: Option<String>,
    pub notes: Option<String>,
    /// Why Meta, Shopify, GA4 and server counts differ (the gaps check).
    pub gaps_note: Option<String>,
    pub reviewer: Option<String>,
}
