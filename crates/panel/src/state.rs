//! Everything the panel knows, in one place: the core session it keeps for the
//! tab, the review fields, the packet it is compared with, and what the user
//! opened, filtered or asked. Views
//! read it; only `app::update` changes it. Nothing here touches the DOM, so the
//! bookkeeping (which live record is new, which was already read) is tested
//! natively.

use std::collections::BTreeSet;

use pixelproof_core::journal::Record;
use pixelproof_core::packet::diff::PacketView;
use pixelproof_core::results::{AcceptanceRow, Gate};
use pixelproof_core::rules::Finding;
use pixelproof_core::{DecodeConfig, Review, Session};

/// Timeline records shown at first, and added by each "Show older records".
pub const PAGE: usize = 200;

/// Where the tab stands with the user's grant (the Watch flow).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Watch {
    /// The tab's origin is watched: nothing to offer.
    Watched,
    /// Not a web page (the browser's own pages, a blank tab): a hint only.
    NotWeb,
    /// A web page of an origin not granted yet: offer "Watch https://origin".
    Offer(String),
    /// Granted just now: pages loaded before it need a reload.
    Granted(String),
}

/// The packet of a HAR file audited as a separate journey, kept for its download button.
pub struct HarPacket {
    pub file: String,
    pub json: String,
}

pub struct State {
    pub tab: f64,
    pub session: Session,
    /// Records applied so far, counting dropped ones (the journal's running total).
    pub applied: f64,
    /// Live batches (start, records as JSON text) that arrive before the
    /// journal itself is read wait here: applied first, they would be added twice.
    pub early: Option<Vec<(f64, String)>>,
    /// Records taken in from the stored journal so far, and those of it that
    /// did not fit the journal format.
    pub stored: usize,
    pub stored_unreadable: usize,
    pub review: Review,
    pub watch: Watch,
    /// Timeline: how many of the newest records are shown, and an optional hit filter.
    pub shown: usize,
    pub filter: Option<BTreeSet<u32>>,
    /// Records already in the timeline; 0 rebuilds it from scratch.
    pub rendered_records: usize,
    /// Acceptance rows the user expanded (by event name).
    pub expanded_rows: BTreeSet<String>,
    /// Core events the user opened in the live part (by event name): they
    /// stay open across live updates.
    pub open_events: BTreeSet<String>,
    /// Hits already in the live list (the journey's hit count when it was
    /// last rendered); 0 rebuilds it.
    pub live_hits: usize,
    /// The findings of the last summary render: what an opened hit shows
    /// its codes from, without computing them again.
    pub findings: Vec<Finding>,
    /// The acceptance rows and the gate of the last summary render (from
    /// `findings`): a row or an event opened redraws its part from these.
    pub rows: Vec<AcceptanceRow>,
    pub gate: Option<Gate>,
    /// Finding codes the user opened (findings are grouped by code): they stay
    /// open when a live update re-renders the list, as expanded rows do.
    pub open_findings: BTreeSet<String>,
    /// A packet loaded under "Compare with a saved packet": the journey is
    /// compared with it on every render, so the diff follows live changes.
    pub compare: Option<PacketView>,
    pub confirm_clear: bool,
    pub har: Option<HarPacket>,
}

impl State {
    pub fn new(tab: f64, watch: Watch) -> State {
        State {
            tab,
            session: Session::new(DecodeConfig::default()),
            applied: 0.0,
            early: Some(Vec::new()),
            stored: 0,
            stored_unreadable: 0,
            review: Review::default(),
            watch,
            shown: PAGE,
            filter: None,
            rendered_records: 0,
            expanded_rows: BTreeSet::new(),
            open_events: BTreeSet::new(),
            live_hits: 0,
            findings: Vec::new(),
            rows: Vec::new(),
            gate: None,
            open_findings: BTreeSet::new(),
            compare: None,
            confirm_clear: false,
            har: None,
        }
    }

    /// Takes in records of the stored journal, in order, as its parts are
    /// read (`unreadable`: records of the part that did not fit the format).
    pub fn add_stored(&mut self, records: Vec<Record>, unreadable: usize) {
        self.stored += records.len();
        self.stored_unreadable += unreadable;
        for rec in records {
            self.session.add(rec);
        }
    }

    /// The stored journal is read again from its start (it changed while it
    /// was read, or could not be read): what was taken in from it goes.
    pub fn restart_stored(&mut self) {
        self.session = Session::new(DecodeConfig::default());
        self.stored = 0;
        self.stored_unreadable = 0;
    }

    /// The whole stored journal is in: its running total and the review
    /// fields, then the live batches heard while it was read (those the
    /// journal already had are skipped by position).
    pub fn stored_done(&mut self, total: Option<f64>, review: Option<Review>) {
        self.applied = total.unwrap_or(self.stored as f64);
        if let Some(r) = review {
            self.review = r;
        }
        self.replay_early();
    }

    /// After a journal that could not be read: live batches still count.
    pub fn replay_early(&mut self) {
        for (start, text) in self.early.take().unwrap_or_default() {
            self.apply_batch(start, &text);
        }
    }

    /// Adds a live batch (a JSON array of records whose first has position
    /// `start`). Records at positions already applied are skipped; a record
    /// that does not parse still takes its position. Before the journal is read
    /// the batch waits. Whether anything new was applied.
    pub fn apply_batch(&mut self, start: f64, text: &str) -> bool {
        if let Some(early) = self.early.as_mut() {
            early.push((start, text.to_owned()));
            return false;
        }
        let Ok(list) = serde_json::from_str::<Vec<&serde_json::value::RawValue>>(text) else {
            return false;
        };
        let before = self.applied;
        let mut pos = start;
        for r in list {
            if pos >= self.applied {
                if let Ok(rec) = pixelproof_core::journal::record_from_json(r.get()) {
                    self.session.add(rec);
                }
                self.applied = pos + 1.0;
            }
            pos += 1.0;
        }
        self.applied > before
    }

    /// Whether the stored journal is still being read (its parts are still
    /// coming): a journey cleared now would get the rest of the old one.
    pub fn reading_stored(&self) -> bool {
        self.early.is_some()
    }

    /// The journey is gone: an empty session, review and timeline.
    pub fn cleared(&mut self) {
        self.confirm_clear = false;
        self.session = Session::new(DecodeConfig::default());
        self.review = Review::default();
        self.applied = 0.0;
        self.rendered_records = 0;
        self.live_hits = 0;
        self.findings.clear();
        self.rows.clear();
        self.gate = None;
        self.filter = None;
    }

    /// Opens or closes a core event in the live part.
    pub fn event_toggled(&mut self, event: &str, open: bool) {
        if open {
            self.open_events.insert(event.to_owned());
        } else {
            self.open_events.remove(event);
        }
    }

    /// Opens or closes a finding's code (a re-render sets `open` itself and
    /// fires its toggle too: harmless, it writes the state it read).
    pub fn finding_toggled(&mut self, code: &str, open: bool) {
        if open {
            self.open_findings.insert(code.to_owned());
        } else {
            self.open_findings.remove(code);
        }
    }

    /// Opens or closes an acceptance row.
    pub fn toggle_row(&mut self, event: &str) {
        if !self.expanded_rows.remove(event) {
            self.expanded_rows.insert(event.to_owned());
        }
    }

    /// Filters the timeline to `hits`, or shows everything again with `None`.
    pub fn filter_hits(&mut self, hits: Option<BTreeSet<u32>>) {
        self.filter = hits;
        self.rendered_records = 0;
    }

    pub fn show_older(&mut self) {
        self.shown += PAGE;
        self.rendered_records = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nav(t: u32) -> String {
        format!(r#"{{"kind":"navigation","url":"https://shop.test/{t}","time":{t}}}"#)
    }

    fn batch(times: &[u32]) -> String {
        format!("[{}]", times.iter().map(|t| nav(*t)).collect::<Vec<_>>().join(","))
    }

    fn loaded(records: usize, total: Option<f64>) -> State {
        let mut s = State::new(1.0, Watch::Watched);
        let text = batch(&(1..=records as u32).collect::<Vec<_>>());
        let (records, _) = pixelproof_core::journal::lenient_records(&text).expect("records");
        s.add_stored(records, 0);
        s.stored_done(total, None);
        s
    }

    #[test]
    fn batches_heard_before_the_journal_wait_and_are_not_added_twice() {
        let mut s = State::new(1.0, Watch::Watched);
        assert!(!s.apply_batch(0.0, &batch(&[1, 2])), "waits for the journal");
        assert!(!s.apply_batch(2.0, &batch(&[3])));
        // The journal already holds the first two: only the third is new.
        let (records, _) = pixelproof_core::journal::lenient_records(&batch(&[1, 2])).expect("records");
        s.add_stored(records, 0);
        assert!(
            !s.apply_batch(3.0, &batch(&[4])),
            "still waits while the journal is read"
        );
        assert!(s.reading_stored(), "a Clear now reads the journal again");
        s.stored_done(Some(2.0), None);
        assert!(!s.reading_stored());
        assert_eq!(s.applied, 4.0);
        assert_eq!(s.session.records().len(), 4);
    }

    #[test]
    fn a_journal_read_again_from_its_start_keeps_only_what_the_second_read_gave() {
        let mut s = State::new(1.0, Watch::Watched);
        let part = |times: &[u32]| {
            pixelproof_core::journal::lenient_records(&batch(times))
                .expect("records")
                .0
        };
        s.add_stored(part(&[1, 2, 3]), 1);
        // Records 1 and 2 were evicted while the rest was read: it starts again.
        s.restart_stored();
        s.add_stored(part(&[3]), 0);
        s.add_stored(part(&[4, 5]), 0);
        s.stored_done(Some(5.0), None);
        let times: Vec<f64> = s.session.records().iter().filter_map(|r| r.time()).collect();
        assert_eq!(times, [3.0, 4.0, 5.0]);
        assert_eq!((s.stored, s.stored_unreadable, s.applied), (3, 0, 5.0));
    }

    #[test]
    fn positions_skip_what_is_applied_and_count_unreadable_records() {
        let mut s = loaded(2, Some(5.0)); // three evicted before these two
        assert!(!s.apply_batch(4.0, &batch(&[5])), "position 4 is already in");
        let mixed = format!(r#"[{}, {{"kind":"teleport"}}, {}]"#, nav(6), nav(7));
        assert!(s.apply_batch(5.0, &mixed));
        assert_eq!(s.applied, 8.0, "the unreadable record took its position");
        assert_eq!(s.session.records().len(), 4);
        assert!(!s.apply_batch(0.0, "not json"));
    }

    #[test]
    fn clearing_forgets_the_journey_but_not_what_the_user_opened() {
        let mut s = loaded(3, None);
        s.toggle_row("Purchase");
        s.finding_toggled("duplicate_event", true);
        s.event_toggled("Purchase", true);
        s.filter_hits(Some(BTreeSet::from([1])));
        s.live_hits = 3;
        s.cleared();
        assert_eq!(s.applied, 0.0);
        assert_eq!(s.live_hits, 0, "the live list is rebuilt");
        assert!(s.open_events.contains("Purchase"), "an event opened stays open");
        assert!(s.session.records().is_empty());
        assert!(s.filter.is_none());
        assert!(s.expanded_rows.contains("Purchase"));
        assert!(s.open_findings.contains("duplicate_event"));
        s.toggle_row("Purchase");
        assert!(s.expanded_rows.is_empty());
        s.finding_toggled("duplicate_event", false);
        assert!(s.open_findings.is_empty());
    }
}
