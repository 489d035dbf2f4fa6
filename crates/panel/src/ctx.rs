//! The panel's context and messages, which every view module builds on: the
//! [`Msg`] each user action, worker reply and scheduled render becomes, and
//! [`App`], which holds the state and queues the messages. The views depend on
//! this module and `app` on the views; `app::update`, the one place that handles
//! a message, is handed in as a function pointer, so nothing here names `app`.
//!
//! Messages are queued: one sent while another is handled (a DOM event fired
//! by a render, a listener of an element being replaced) runs after it, never
//! inside it, so no handler sees the state half-changed.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, VecDeque};
use std::rc::Rc;

use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use wasm_bindgen_futures::spawn_local;
use web_sys::Element;

use crate::bridge::{Bridge, JournalPart};
use crate::state::State;

pub enum Msg {
    /// The next part of the stored journal, read from mount on.
    JournalPart(Result<JournalPart, String>),
    /// A live batch from the worker: records (a JS array) from position `start`.
    Records {
        start: f64,
        records: wasm_bindgen::JsValue,
    },
    /// Scheduled renders (see [`App::schedule`]).
    RenderTimeline,
    RenderSummary,
    /// After the first screen: everything else, at once (`applied`: the
    /// records the first screen showed).
    RenderRest {
        applied: f64,
    },
    /// Fill the next few timeline items with what they open to (see `timeline`).
    FillTimeline,
    /// A click in the timeline: an item's summary (filled now if it is not yet) or its copy button.
    TimelineClicked(web_sys::Event),

    /// "Watch https://origin": asks the browser for that origin, in the click's own task.
    Watch(String),
    /// The prompt's answer, or a grant heard through `onGranted` (the browser's
    /// own site-access menu, or the prompt again: handling it twice is harmless).
    WatchAnswered {
        origin: String,
        granted: bool,
    },
    /// Registered for the origin: say so and offer the reload.
    WatchRegistered(String),
    ReloadTab,

    /// A click in the acceptance table (one listener for its rows' buttons).
    AcceptanceClicked(web_sys::Event),
    /// An acceptance row's event name was clicked.
    ToggleRow(String),
    /// A core event of the live part was opened or closed.
    EventToggled {
        event: String,
        open: bool,
    },
    /// A finding's code was opened or closed.
    FindingToggled {
        code: String,
        open: bool,
    },
    /// Show only these hits in the timeline; `None` shows everything again.
    FilterHits(Option<BTreeSet<u32>>),
    ShowOlder,

    /// A packet file was chosen under "Compare with a saved packet"; its bytes come back as `CompareRead`.
    ComparePicked,
    CompareRead(Option<(String, Vec<u8>)>),

    /// "Add server payload": the text (pasted, or the chosen file's) comes back as `CapiRead`.
    AddCapi,
    CapiRead {
        text: String,
        label: String,
    },
    /// "Add order": the text (pasted, or the chosen file's) comes back as `OrderRead`.
    AddOrder,
    OrderRead {
        text: String,
        label: String,
    },
    /// The worker stored the evidence (or could not); what to say on success.
    EvidenceStored {
        result: Result<(), String>,
        done: String,
        field: &'static str,
    },
    /// A HAR file was chosen; its bytes come back as `HarRead`.
    HarPicked,
    HarRead(Option<(String, Vec<u8>)>),
    DownloadHar,

    /// A review field or an owner changed: read them all and store them with the tab.
    ReviewEdited,
    ReviewSaved(Result<(), String>),

    Copy(Copy),
    Copied {
        what: &'static str,
        ok: bool,
    },
    Download,

    ClearAsked,
    ClearKept,
    ClearConfirmed,
    Cleared(bool),
}

/// What a copy button copies.
pub enum Copy {
    Markdown,
    Json,
    /// A hit's raw request, as shown.
    Payload(String),
}

/// Listeners of the parts that are rebuilt: dropping one unregisters it.
#[derive(Default)]
pub struct Listeners {
    pub fixed: Vec<EventListener>,
    pub watch: Vec<EventListener>,
    pub har: Vec<EventListener>,
    pub confirm: Vec<EventListener>,
    pub summary: Vec<EventListener>,
    /// Listeners of timeline items: kept until the timeline is rebuilt from scratch.
    pub timeline: Vec<EventListener>,
    /// The timeline section's one click listener.
    pub timeline_click: Option<EventListener>,
}

/// The panel: its state, its message queue, the listeners and timers of what it
/// rendered. Only `app` reads and changes the state (through `update`).
pub struct App {
    pub bridge: Bridge,
    pub root: Element,
    pub state: RefCell<State>,
    /// Handles one message: `app::update`.
    update: fn(&Ctx, Msg),
    queue: RefCell<VecDeque<Msg>>,
    busy: Cell<bool>,
    pub listeners: RefCell<Listeners>,
    pub summary_pending: RefCell<Option<Timeout>>,
    pub timeline_pending: RefCell<Option<Timeout>>,
    pub fill_pending: RefCell<Option<Timeout>>,
}

pub type Ctx = Rc<App>;

impl App {
    pub fn new(root: Element, bridge: Bridge, state: State, update: fn(&Ctx, Msg)) -> Ctx {
        Rc::new(App {
            bridge,
            root,
            state: RefCell::new(state),
            update,
            queue: RefCell::new(VecDeque::new()),
            busy: Cell::new(false),
            listeners: RefCell::new(Listeners::default()),
            summary_pending: RefCell::new(None),
            timeline_pending: RefCell::new(None),
            fill_pending: RefCell::new(None),
        })
    }

    /// The one way in: handles `msg` now, or after the message being handled.
    pub fn send(self: &Rc<Self>, msg: Msg) {
        self.queue.borrow_mut().push_back(msg);
        if self.busy.replace(true) {
            return;
        }
        loop {
            let next = self.queue.borrow_mut().pop_front();
            let Some(msg) = next else { break };
            (self.update)(self, msg);
        }
        self.busy.set(false);
    }

    /// A listener that sends the message `f` makes of the event (if any).
    pub fn on(
        self: &Rc<Self>,
        target: &Element,
        event: &'static str,
        f: impl Fn(&web_sys::Event) -> Option<Msg> + 'static,
    ) -> EventListener {
        let app = self.clone();
        EventListener::new(target, event, move |e| {
            if let Some(msg) = f(e) {
                app.send(msg);
            }
        })
    }

    /// Sends `msg` when `future` is done.
    pub fn later(self: &Rc<Self>, future: impl std::future::Future<Output = Msg> + 'static) {
        let app = self.clone();
        spawn_local(async move {
            let msg = future.await;
            app.send(msg);
        });
    }
}
