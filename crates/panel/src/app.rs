//! One route for everything that happens to the panel: each user action, each
//! worker reply and each scheduled render is a [`Msg`], and [`update`] is the one
//! place that changes the [`State`] and decides what to render (the shape of
//! wasm-bindgen's todomvc example: an enum of messages and one update function).
//!
//! The message type and the queue that runs it live in `ctx`, which the view
//! modules build on; this module depends on them, never they on it.
//!
//! Rendering is incremental: the summary sections (the comparison, decision
//! record, gate, cards, match keys, findings) are small and are rebuilt at
//! most every 50 ms; the timeline only prepends new items and shows one page
//! (200) at a time.

use std::rc::Rc;

use gloo::timers::callback::Timeout;
use pixelproof_core::packet::{cards as packet_cards, decision_record, group_findings, order_input};
use pixelproof_core::results::{acceptance, gate};
use pixelproof_core::rules::Finding;
use pixelproof_core::{Packet, PacketOptions, Review};
use web_sys::Element;

use crate::bridge::{self, Bridge, JournalPart};
use crate::ctx::{App, Copy, Ctx, Msg};
use crate::dom::{attr, by_id, clear, mark, status};
use crate::state::{HarPacket, State, Watch};
use crate::{cards, compare, export, findings, inputs, layout, live, match_keys, review, summary, timeline, watch};

impl App {
    /// Coalesces renders. New timeline rows go out at once (they are appended, not
    /// rebuilt); the summary sections are rebuilt at most every 50 ms, or every
    /// 500 ms on journeys of thousands of hits where a rebuild costs more.
    fn schedule(self: &Rc<Self>) {
        if self.timeline_pending.borrow().is_none() {
            let app = self.clone();
            *self.timeline_pending.borrow_mut() = Some(Timeout::new(0, move || app.send(Msg::RenderTimeline)));
        }
        if self.summary_pending.borrow().is_none() {
            let delay = if self.state.borrow().session.journey().hits.len() > 2000 {
                500
            } else {
                50
            };
            let app = self.clone();
            *self.summary_pending.borrow_mut() = Some(Timeout::new(delay, move || app.send(Msg::RenderSummary)));
        }
    }

    fn render_summary(self: &Rc<Self>) {
        let findings = self.state.borrow_mut().session.findings();
        self.render_summary_of(findings);
    }

    /// The summary sections from `findings`, the session's findings as they are now.
    fn render_summary_of(self: &Rc<Self>, findings: Vec<Finding>) {
        let mut listeners = Vec::new();
        {
            let s = self.state.borrow();
            let j = s.session.journey();
            // Each part is the packet's: the same core calls Packet::build makes.
            let g = gate(j, &findings, &s.review);
            let order = order_input(j);
            let c = packet_cards::build(j, &findings, &g, &s.review, order.as_deref());
            let groups = group_findings(j, &findings);
            let rows = acceptance(j, &findings);
            live::render(&s, &findings, &rows, &g);
            live::mark_hits(&findings);
            summary::render(&s, &findings, &rows, &g, &c.trigger_sources);
            cards::render(&decision_record(j, &s.review, order.as_deref()), &g, &c, &groups);
            match_keys::render(j);
            findings::render(self, &s, &groups, &mut listeners);
            drop(s);
            let mut s = self.state.borrow_mut();
            s.rows = rows;
            s.gate = Some(g);
        }
        // The comparison reads this journey's whole packet, when a saved one is loaded.
        let comparing = self.state.borrow().compare.is_some();
        let now = comparing.then(|| self.build_packet(false));
        compare::render(self.state.borrow().compare.as_ref(), now.as_ref());
        self.state.borrow_mut().findings = findings;
        self.listeners.borrow_mut().summary = listeners;
        self.mark_applied();
    }

    fn render_timeline(self: &Rc<Self>) {
        let mut listeners = Vec::new();
        let rebuilt = {
            let mut s = self.state.borrow_mut();
            live::render_hits(&mut s);
            timeline::render(self, &mut s, &mut listeners)
        };
        let mut l = self.listeners.borrow_mut();
        if rebuilt {
            l.timeline = listeners;
        } else {
            l.timeline.extend(listeners);
        }
        drop(l);
        self.schedule_fill();
        self.mark_applied();
    }

    /// Fills the timeline's new items in the tasks after this one, a few at a
    /// time, so a click or a live batch never waits long behind them.
    fn schedule_fill(self: &Rc<Self>) {
        if self.fill_pending.borrow().is_none() {
            let app = self.clone();
            *self.fill_pending.borrow_mut() = Some(Timeout::new(0, move || app.send(Msg::FillTimeline)));
        }
    }

    /// The first screen alone: the verdict, the four core events, the newest hits.
    fn render_first_screen(self: &Rc<Self>) {
        let findings = self.state.borrow_mut().session.findings();
        let mut s = self.state.borrow_mut();
        s.findings = findings;
        live::render_hits(&mut s);
        let j = s.session.journey();
        let g = gate(j, &s.findings, &s.review);
        let rows = acceptance(j, &s.findings);
        summary::render_header(&s, &s.findings, &g);
        live::render(&s, &s.findings, &rows, &g);
        s.rows = rows;
        s.gate = Some(g);
    }

    /// Everything, now (after a user action).
    fn render(self: &Rc<Self>) {
        self.render_summary();
        self.render_timeline();
    }

    /// Says on the root how many journal records the panel shows: set once both
    /// the summary and the timeline reflect them, so a test can wait for the
    /// panel to have caught up with the journal's total instead of for quiet.
    fn mark_applied(&self) {
        if self.summary_pending.borrow().is_some() || self.timeline_pending.borrow().is_some() {
            return;
        }
        let s = self.state.borrow();
        if s.early.is_none() {
            attr(&self.root, "data-applied", &s.applied.to_string());
        }
    }

    fn render_watch(self: &Rc<Self>) {
        let mut listeners = Vec::new();
        watch::render(self, &self.state.borrow().watch, &mut listeners);
        self.listeners.borrow_mut().watch = listeners;
    }

    fn render_confirm(self: &Rc<Self>) {
        let mut listeners = Vec::new();
        export::render_confirm(self, self.state.borrow().confirm_clear, &mut listeners);
        self.listeners.borrow_mut().confirm = listeners;
    }

    fn build_packet(&self, raw_user_data: bool) -> Packet {
        let mut s = self.state.borrow_mut();
        let review = s.review.clone();
        Packet::build(&mut s.session, &review, &PacketOptions { raw_user_data })
    }

    fn packet(&self, what: &Copy, raw_user_data: bool) -> String {
        match what {
            Copy::Markdown => self.build_packet(raw_user_data).to_markdown(),
            Copy::Json => self.build_packet(raw_user_data).to_json(),
            Copy::Payload(text) => text.clone(),
        }
    }
}

/// Mounts the panel into `root` and starts following the tab.
pub fn mount(root: Element, bridge: Bridge) {
    let tab = bridge.tab_id();
    let watch = if bridge.watched() {
        Watch::Watched
    } else {
        match bridge.tab_url().as_deref().and_then(watch::web_origin) {
            Some(origin) => Watch::Offer(origin),
            None => Watch::NotWeb,
        }
    };
    let offered = match &watch {
        Watch::Offer(origin) => Some(origin.clone()),
        _ => None,
    };
    let app = App::new(root.clone(), bridge, State::new(tab, watch), update);
    app.listeners.borrow_mut().fixed = layout::build(&app, &root);
    app.listeners.borrow_mut().timeline_click = timeline::listen(&app);
    app.render_watch();
    // The grant may come from outside the panel (the browser's site-access
    // menu), or from the prompt as well: either way it is one message.
    if let Some(origin) = offered {
        let granted = app.clone();
        let cb = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
            granted.send(Msg::WatchAnswered {
                origin: origin.clone(),
                granted: true,
            })
        });
        app.bridge.on_granted(&cb);
        cb.forget(); // lives as long as the panel page
    }
    // Subscribe before reading the journal; batches already in it are skipped by position.
    let live = app.clone();
    let cb = wasm_bindgen::closure::Closure::<dyn FnMut(f64, wasm_bindgen::JsValue)>::new(
        move |start: f64, records: wasm_bindgen::JsValue| live.send(Msg::Records { start, records }),
    );
    app.bridge.on_records(&cb);
    cb.forget(); // lives as long as the panel page
    read_journal(&app);
}

/// Hits up to which opening the panel builds everything in one task.
const REST_NOW_HITS: usize = 1000;

/// Asks for the stored journal's next part: each is taken in as it comes, so
/// the first records are in while storage still reads the rest.
fn read_journal(app: &Ctx) {
    let bridge = app.bridge.clone();
    app.later(async move { Msg::JournalPart(bridge::journal_next(&bridge).await) });
}

pub fn update(app: &Ctx, msg: Msg) {
    let tab = app.state.borrow().tab;
    match msg {
        Msg::JournalPart(part) => {
            match part {
                Ok(JournalPart::Records { records, unreadable }) => {
                    app.state.borrow_mut().add_stored(records, unreadable);
                    return read_journal(app);
                }
                Ok(JournalPart::Restart) => {
                    app.state.borrow_mut().restart_stored();
                    return read_journal(app);
                }
                Ok(JournalPart::Done { total, review }) => {
                    let mut s = app.state.borrow_mut();
                    s.stored_done(total, review);
                    let unreadable = s.stored_unreadable;
                    drop(s);
                    if unreadable > 0 {
                        status(&format!(
                            "{unreadable} journal record(s) did not fit the journal format and were skipped; the rest is shown."
                        ));
                    }
                }
                Err(e) => {
                    status(&format!("Could not read the journal: {e}"));
                    // Nothing of a journal half read is shown as if it were the journey.
                    let mut s = app.state.borrow_mut();
                    s.restart_stored();
                    s.replay_early();
                }
            }
            review::fill(&app.state.borrow().review);
            mark("pp:loaded");
            // The first screen (verdict, core events, newest hits) is painted
            // before the rest is built, which follows in the next task, not
            // held back by the throttle that coalesces live updates (up to 500 ms).
            app.render_first_screen();
            mark("pp:first-screen");
            let applied = app.state.borrow().applied;
            // A short journey's rest costs less than the frame a later task
            // would wait for: it is built now and painted with the first screen.
            if app.state.borrow().session.journey().hits.len() <= REST_NOW_HITS {
                return update(app, Msg::RenderRest { applied });
            }
            let rest = app.clone();
            Timeout::new(0, move || rest.send(Msg::RenderRest { applied })).forget();
        }
        Msg::RenderRest { applied } => {
            // The first screen's findings, unless a live batch came in between.
            let same = app.state.borrow().applied == applied;
            if same {
                let findings = app.state.borrow().findings.clone();
                app.render_summary_of(findings);
            } else {
                app.render_summary();
            }
            app.render_timeline();
            mark("pp:rendered");
        }
        Msg::Records { start, records } => {
            let Some(text) = crate::json_text(&records) else { return };
            if app.state.borrow_mut().apply_batch(start, &text) {
                app.schedule();
            }
        }
        Msg::RenderTimeline => {
            app.timeline_pending.borrow_mut().take();
            app.render_timeline();
        }
        Msg::RenderSummary => {
            app.summary_pending.borrow_mut().take();
            app.render_summary();
        }
        Msg::FillTimeline => {
            app.fill_pending.borrow_mut().take();
            if timeline::fill_some(&app.state.borrow(), 20) {
                app.schedule_fill();
            }
        }
        Msg::TimelineClicked(e) => {
            let then = timeline::clicked(&app.state.borrow(), &e);
            if let Some(msg) = then {
                app.send(msg);
            }
        }

        Msg::Watch(origin) => {
            let request = app.bridge.request_origin(&origin);
            app.later(async move {
                let granted = bridge::request_origin(request).await;
                Msg::WatchAnswered { origin, granted }
            });
        }
        Msg::WatchAnswered { origin, granted } => {
            if !granted {
                status("Access was not granted; nothing is captured on this store.");
                return;
            }
            // The worker registers the page scripts; the page must load again for them to run in it.
            let bridge = app.bridge.clone();
            app.later(async move {
                bridge::watch_changed(&bridge, tab).await;
                Msg::WatchRegistered(origin)
            });
        }
        Msg::WatchRegistered(origin) => {
            status(&format!("Watching {origin}. Reload the page to start capturing."));
            app.state.borrow_mut().watch = Watch::Granted(origin);
            app.render_watch();
        }
        Msg::ReloadTab => {
            app.bridge.reload_tab();
            status("Capturing: browse the store and place a test order.");
        }

        Msg::AcceptanceClicked(e) => {
            if let Some(msg) = summary::clicked(&e) {
                app.send(msg);
            }
        }
        Msg::ToggleRow(event) => {
            app.state.borrow_mut().toggle_row(&event);
            // A click is answered at once, not at the next throttled refresh,
            // and redraws the table alone, from the last render's rows (the
            // rest of the summary does not change with it).
            summary::render_acceptance(&app.state.borrow());
        }
        Msg::FindingToggled { code, open } => app.state.borrow_mut().finding_toggled(&code, open),
        Msg::EventToggled { event, open } => {
            app.state.borrow_mut().event_toggled(&event, open);
            // Its details are filled now, not at the next throttled refresh,
            // from the last render's rows and findings.
            let s = app.state.borrow();
            if let (true, Some(g)) = (open, &s.gate) {
                live::render(&s, &s.findings, &s.rows, g);
            }
        }
        Msg::FilterHits(hits) => {
            let filtered = hits.is_some();
            app.state.borrow_mut().filter_hits(hits);
            if filtered {
                if let Some(t) = by_id("pp-timeline-body") {
                    clear(&t);
                }
            }
            app.render();
            if filtered {
                if let Some(t) = by_id("pp-timeline") {
                    t.scroll_into_view();
                }
            }
        }
        Msg::ShowOlder => {
            app.state.borrow_mut().show_older();
            app.render();
        }

        Msg::ComparePicked => {
            let bridge = app.bridge.clone();
            app.later(async move {
                let file = match by_id("pp-compare-file") {
                    Some(input) => bridge::picked_file(&bridge, &input).await,
                    None => None,
                };
                Msg::CompareRead(file)
            });
        }
        Msg::CompareRead(file) => {
            // No file chosen (the dialog was cancelled): the comparison stays as it was.
            let Some((name, bytes)) = file else { return };
            let view = compare::read(&name, &bytes);
            if view.is_some() {
                status(&format!("Comparing this journey with {name}."));
            }
            app.state.borrow_mut().compare = view;
            app.render();
        }

        Msg::AddCapi => {
            let bridge = app.bridge.clone();
            app.later(async move {
                let (text, label) = inputs::capi_text(&bridge).await;
                Msg::CapiRead { text, label }
            });
        }
        Msg::CapiRead { text, label } => {
            if let Some(paste) = inputs::check_capi(&label, &text) {
                store_capi(app, label, text, paste);
            }
        }
        Msg::AddOrder => {
            let bridge = app.bridge.clone();
            app.later(async move {
                let (text, label) = inputs::order_file_text(&bridge).await;
                Msg::OrderRead { text, label }
            });
        }
        Msg::OrderRead { text, label } => {
            if let Some(order) = inputs::order_text(text, label) {
                store_evidence(
                    app,
                    "order",
                    order.label,
                    order.text,
                    order.name,
                    order.done,
                    "pp-order-json",
                );
            }
        }
        Msg::EvidenceStored { result, done, field } => match result {
            Ok(()) => {
                status(&done);
                inputs::clear_field(field);
                if field == "pp-capi" {
                    inputs::clear_field("pp-capi-response");
                }
                if field == "pp-order-json" {
                    inputs::clear_field("pp-order-name");
                    inputs::clear_field("pp-order-file");
                }
            }
            Err(e) => status(&format!("Could not store the evidence: {e}")),
        },
        Msg::HarPicked => {
            let bridge = app.bridge.clone();
            app.later(async move {
                let file = match by_id("pp-har-file") {
                    Some(input) => bridge::picked_file(&bridge, &input).await,
                    None => None,
                };
                Msg::HarRead(file)
            });
        }
        Msg::HarRead(file) => {
            let mut listeners = Vec::new();
            let packet = inputs::audit_har(app, file, &mut listeners);
            app.state.borrow_mut().har = packet;
            app.listeners.borrow_mut().har = listeners;
        }
        Msg::DownloadHar => {
            if let Some(HarPacket { file, json }) = &app.state.borrow().har {
                app.bridge.download(file, json, "application/json");
            }
        }

        Msg::ReviewEdited => {
            let edited = review::read(&app.state.borrow().review);
            app.state.borrow_mut().review = edited.clone();
            let bridge = app.bridge.clone();
            app.later(async move { Msg::ReviewSaved(bridge::set_review(&bridge, tab, &edited).await) });
            app.schedule();
        }
        Msg::ReviewSaved(result) => match result {
            Ok(()) => status("Review saved."),
            Err(e) => status(&format!("Review not saved: {e}")),
        },

        Msg::Copy(what) => {
            let raw = !matches!(what, Copy::Payload(_)) && export::take_raw_user_data();
            let text = app.packet(&what, raw);
            let label = match what {
                Copy::Markdown => "Markdown",
                Copy::Json => "JSON",
                Copy::Payload(_) => "payload",
            };
            let bridge = app.bridge.clone();
            app.later(async move {
                let ok = bridge::copy(&bridge, &text).await;
                Msg::Copied { what: label, ok }
            });
        }
        Msg::Copied { what, ok } => status(&if ok {
            format!("Packet copied as {what}.")
        } else {
            "The clipboard refused; use Download instead.".to_owned()
        }),
        Msg::Download => {
            let raw = export::take_raw_user_data();
            let (md, json) = (app.packet(&Copy::Markdown, raw), app.packet(&Copy::Json, raw));
            app.bridge.download("pixelproof-packet.md", &md, "text/markdown");
            app.bridge.download("pixelproof-packet.json", &json, "application/json");
        }

        Msg::ClearAsked | Msg::ClearKept => {
            app.state.borrow_mut().confirm_clear = matches!(msg, Msg::ClearAsked);
            app.render_confirm();
        }
        Msg::ClearConfirmed => {
            let bridge = app.bridge.clone();
            app.later(async move { Msg::Cleared(bridge::clear(&bridge, tab).await.is_ok()) });
        }
        Msg::Cleared(false) => {
            // The journal is still there: so is what the panel shows of it.
            app.state.borrow_mut().confirm_clear = false;
            app.render_confirm();
            status("Could not clear the journey.");
        }
        Msg::Cleared(true) => {
            // Cleared before the stored journal was all read: the parts still
            // to come are the old journal's, and a restart of that read could
            // come from before the clear or after it. The panel starts again
            // and reads the journal as it is now (empty, or what came since).
            if app.state.borrow().reading_stored() {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().reload();
                }
                return;
            }
            app.state.borrow_mut().cleared();
            if let Some(t) = by_id("pp-timeline-body") {
                clear(&t);
            }
            review::fill(&Review::default());
            app.render_confirm();
            status("Journey cleared.");
            app.schedule();
        }
    }
}

/// Stores a server payload, then Meta's response to it: the core reads a
/// response as the answer to the payload just before it, so the second waits
/// for the first.
fn store_capi(app: &Ctx, label: String, text: String, paste: inputs::CapiPaste) {
    let bridge = app.bridge.clone();
    let tab = app.state.borrow().tab;
    app.later(async move {
        let which = bridge::Which {
            pixel_id: paste.pixel_id.as_deref(),
            ..Default::default()
        };
        let mut result = bridge::add_evidence(&bridge, tab, "server_payload", &label, &text, which).await;
        if let (Ok(()), Some((rlabel, rtext))) = (&result, &paste.response) {
            result = bridge::add_evidence(&bridge, tab, "server_response", rlabel, rtext, Default::default()).await;
        }
        Msg::EvidenceStored {
            result,
            done: paste.done,
            field: "pp-capi",
        }
    });
}

/// Hands pasted evidence to the worker, which stores it as a journal record.
fn store_evidence(
    app: &Ctx,
    kind: &'static str,
    label: String,
    text: String,
    order_name: Option<String>,
    done: String,
    field: &'static str,
) {
    let bridge = app.bridge.clone();
    let tab = app.state.borrow().tab;
    app.later(async move {
        let which = bridge::Which {
            order_name: order_name.as_deref(),
            ..Default::default()
        };
        let result = bridge::add_evidence(&bridge, tab, kind, &label, &text, which).await;
        Msg::EvidenceStored { result, done, field }
    });
}
