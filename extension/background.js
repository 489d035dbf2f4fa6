// @ts-check
// PixelProof service worker.
//
// Listens to pixel traffic (webRequest), navigations (webNavigation) and the
// relay (page-hook records and trusted gestures), and appends each piece of
// evidence to the tab's journal in extension storage. The journal is the only
// state: the wasm core rebuilds everything from it, so a worker that MV3
// stopped (after ~30 s idle) loses nothing. Listeners are registered
// synchronously at top level (the pattern uBlock Origin uses).
//
// Every event is first put in an inbox in `storage.session` (memory held by the
// browser, not disk) in the same task it arrives, then handled in arrival order
// and moved to the journal; a worker stopped with a backlog replays the inbox
// of its predecessor when it starts again, so nothing it was handed is lost.
import init, { Session, evidenceProblem, isMetaHost, redactRecord, requestRecordKind } from './wasm/pixelproof_wasm.js';
// The panel's module, for the packet and summary only (get-packet, get-summary:
// the tests and the demo ask; the panel computes its own). A service worker
// cannot import() later, so its small glue is imported here; its wasm (the
// whole core) is compiled only when one of those is asked for, which keeps
// every start of this worker to the smaller module above.
import initPackets, { Packets } from './wasm/pixelproof_panel.js';
// Pixel endpoints and Meta's script host, from the core's tables (generated at
// build time: the listener needs them before the wasm is loaded). Host access
// to these is declared in the manifest; the store's origin is granted by the user.
import { WEB_REQUEST_URLS } from './wasm/contract.js';
import { platform } from './platform.js';
import { createJournalStore, readJournalText } from './journal-store.js';
// Records the page hook may send (checked by the relay, checked again here).
const PAGE_KINDS = new Set(['fbq_call', 'scripts', 'fb_log', 'shopify', 'consent']);
// Records the relay observes itself, in the isolated world.
const RELAY_KINDS = new Set(['gesture', 'gesture_watch', 'request_count']);
const MAX_PAGE_RECORD_CHARS = 16 * 1024;
const MAX_RECORDS_PER_MESSAGE = 200;
// A page record's own time is used when it falls within this window of its
// arrival (the hook and relay hold records for up to ~1.3 s); otherwise the
// arrival time is: a page cannot place its evidence at a moment of its choosing.
const PAGE_LAG_MS = 3000;
const PAGE_LEAD_MS = 100;

const EXTENSION_URL = chrome.runtime.getURL('');
// This worker's name in the inbox: a restarted worker replays other names only.
const WORKER = Math.random().toString(36).slice(2, 10);
const INBOX = 'in:';

/**
 * A journal record (crates/core/src/journal.rs): `kind` and that kind's fields.
 * The core checks each one; here it is only built and passed on.
 * @typedef {{ kind: string, [field: string]: any }} JournalRecord
 */
/**
 * An event in the inbox (storage.session) until its records are stored: a pixel
 * request, a navigation or a relay message, with this worker's name and number.
 * @typedef {{ w: string, n: number, at: number }} Stamp
 * @typedef {{ t: 'request', tab: number, d: RequestEvidence }} RequestEntry
 * @typedef {{ t: 'nav', tab: number, d: { url: string, tabId: number, timeStamp: number, transition: string | null } }} NavEntry
 * @typedef {{ t: 'page', sender: { tabId: number, frameId: number | undefined, url: string | null, leaving?: boolean }, msg: { records: unknown, observed: unknown, refused: unknown } }} PageEntry
 * @typedef {(RequestEntry | NavEntry | PageEntry) & Partial<Stamp>} NewEntry
 * @typedef {(RequestEntry | NavEntry | PageEntry) & Stamp} InboxEntry
 */
/**
 * The part of a webRequest event the journal needs.
 * @typedef {{ url: string, method: string, body: object | null, type: string, frameId: number, parentFrameId: number,
 *   initiator: string | null, leaving: boolean, documentUrl: string | null, timeStamp: number }} RequestEvidence
 */

// What a start (the browser's, or a wake after MV3 stopped this worker when
// idle) does before it handles events, in parallel where it can: the wasm
// module is compiled while storage is checked, and page-script registration
// runs beside the events (it matters to pages loaded later, not to the events
// already in hand). A wake re-reads the storage.session marker and the inbox
// here; each tab's journal is read when its first event arrives (`sessionFor`).
const wasmReady = init({ module_or_path: chrome.runtime.getURL('wasm/pixelproof_wasm_bg.wasm') });
// User Timing marks of a start, once each (bench/browser.mjs reads them after a wake).
/** @param {string} name */
const markOnce = (name) => { if (!performance.getEntriesByName(name).length) performance.mark(name); };
wasmReady.then(() => markOnce('pp:wasm'), () => {});
const storageReady = prepareStorage();
const ready = start();
ready.catch((e) => console.warn('PixelProof: init failed', e));

async function prepareStorage() {
  // The journals and review fields in storage.local are read by the worker and
  // the panel only; content scripts (the relay runs in every frame of a
  // watched store) are kept out where the browser allows it: Chromium does,
  // Firefox restricts storage.session alone (the call fails there, harmlessly).
  try {
    chrome.storage.local.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' }).catch(() => {});
  } catch (_) { /* no such method */ }
  // storage.session is emptied when the browser starts: a missing marker means
  // journals in storage.local belong to a previous browser session (their tab
  // ids mean nothing now). They are cleared here, before any event of this
  // session is handled, so the first page after a start is never lost to it.
  const kept = await chrome.storage.session.get(['session', 'lastTabByOrigin']);
  if (!kept.session) {
    await chrome.storage.local.clear();
    journal.reset();
    await chrome.storage.session.set({ session: Date.now() });
  }
  for (const [origin, tab] of Object.entries(kept.lastTabByOrigin || {})) lastTabByOrigin.set(origin, tab);
}

async function start() {
  await storageReady;
  registerPageScripts().catch((e) => console.warn('PixelProof: registration failed', e));
  await wasmReady;
  await replayInbox();
}

// ---- watched origins -------------------------------------------------------

// Cached: read once per worker start and on every permission change, not per
// request (a burst of pixel hits must not wait on the permissions API). A read
// that failed is not kept: the next event asks again.
/** @type {Promise<string[]> | null} */
let watchedCache = null;
async function watchedOrigins() {
  if (!watchedCache) {
    const read = readWatchedOrigins();
    watchedCache = read;
    read.catch(() => { if (watchedCache === read) watchedCache = null; });
  }
  return watchedCache;
}

async function readWatchedOrigins() {
  // Page-script registration asks this before the wasm has compiled (both run
  // at a start): `isMetaHost` needs it. Without this wait, a start where the
  // storage check beat the compile cached a failure, and that worker dropped
  // every event and registered nothing.
  const [{ origins = [] }] = await Promise.all([chrome.permissions.getAll(), wasmReady]);
  /** @type {string[]} */
  const out = [];
  for (const pattern of origins) {
    const m = pattern.match(/^(\*|https?):\/\/([^/]+)\//);
    if (!m) continue;
    const host = m[2];
    if (isMetaHost(host) || host === '*' || host.startsWith('*.')) continue;
    out.push(pattern);
  }
  return out;
}

/**
 * @param {string} url
 * @param {string[]} patterns
 */
function originMatches(url, patterns) {
  let u;
  try {
    u = new URL(url);
  } catch (_) {
    return false;
  }
  return patterns.some((p) => {
    const m = p.match(/^(\*|https?):\/\/([^/]+)\//);
    return m && m[2] === u.host && (m[1] === '*' || m[1] + ':' === u.protocol);
  });
}

/** @param {string} url */
const originOf = (url) => {
  try {
    return new URL(url).origin;
  } catch (_) {
    return null;
  }
};

// The page hook and relay run in every frame of watched origins, registered
// for exactly the origins the user granted (nothing is injected elsewhere).
// Registrations do not persist across browser restarts: with
// persistAcrossSessions the start page of a browser never loaded (Chromium 156,
// the extension loaded unpacked; measured by tests/e2e/browser-start.test.mjs).
// So a page open before this worker first runs in a browser session is
// captured from the network only; every worker start re-syncs the registrations.
// One at a time: a grant reaches the worker twice (permissions.onAdded and the
// panel's watch-changed), and two interleaved runs registered the same id twice.
let registering = Promise.resolve();
function registerPageScripts() {
  registering = registering.catch(() => {}).then(syncPageScripts);
  return registering;
}

async function syncPageScripts() {
  const matches = await watchedOrigins();
  const existing = (await chrome.scripting.getRegisteredContentScripts()).filter((s) => s.id.startsWith('pixelproof-'));
  /** @param {chrome.scripting.RegisteredContentScript} s */
  const same = (s) => JSON.stringify([...(s.matches || [])].sort()) === JSON.stringify([...matches].sort());
  if (existing.length === 2 && existing.every(same)) {
    await chrome.storage.session.set({ registered: matches });
    return;
  }
  const ids = existing.map((s) => s.id);
  if (ids.length) await chrome.scripting.unregisterContentScripts({ ids });
  if (matches.length) {
    /** @type {Omit<chrome.scripting.RegisteredContentScript, 'id'>} */
    const common = { matches, runAt: 'document_start', allFrames: true, matchOriginAsFallback: true, persistAcrossSessions: false };
    await chrome.scripting.registerContentScripts([
      { id: 'pixelproof-hook', js: ['page-hook.js'], world: 'MAIN', ...common },
      { id: 'pixelproof-relay', js: ['relay.js'], world: 'ISOLATED', ...common },
    ]);
  }
  await chrome.storage.session.set({ registered: matches });
}

async function onPermissionsChanged() {
  watchedCache = null;
  await ready;
  await registerPageScripts();
}

// ---- the journal -------------------------------------------------------------

const journal = createJournalStore({
  storage: chrome.storage.local,
  onAccepted(tab, batch, start) {
    // An open panel follows the journal live (with no panel open nobody
    // listens); it need not wait for the storage write.
    chrome.runtime.sendMessage({ type: 'records', tabId: tab, start, records: batch }).catch(() => {});
  },
  onFailed(tab) {
    // The batch the panel already shows is not stored: it re-reads the journal.
    chrome.runtime.sendMessage({ type: 'journal-reset', tabId: tab }).catch(() => {});
  },
  onWritten(tab, batch, evictedSome, seqs, texts, start) {
    inboxDone(seqs.map((s) => inboxKey(s.w, s.n)));
    // Evicted records leave the journal: the session is built again from what is kept.
    if (evictedSome) forgetSession(tab);
    // The store's JSON of each record (made for its size): the session reads
    // it as is rather than stringifying the record once more.
    else written(tab, start, texts);
    scheduleBadge(tab);
  },
});

// The top-level page of each tab: its URL while it shows a watched origin, ''
// once it shows anything else (the URL of an unwatched page is not kept).
// Kept apart from the journal's meta so a navigation never races a journal write.
/** @type {Map<number, string>} */
const topUrls = new Map(); // tab → URL or ''; storage is the source after a restart
/**
 * @param {number} tab
 * @returns {Promise<string | null>}
 */
async function tabTopUrl(tab) {
  const known = topUrls.get(tab);
  if (known !== undefined) return known;
  const got = await chrome.storage.local.get(`top:${tab}`);
  const url = /** @type {string | undefined} */ (got[`top:${tab}`]) ?? null;
  if (url !== null) topUrls.set(tab, url);
  return url;
}
// The last watched page of each tab, for requests its document sends while the
// tab is already moving on (a beacon at pagehide).
/** @type {Map<number, string>} */
const lastWatchedTop = new Map();
// The tab's page before its latest top-level navigation ('' when unwatched), and
// when that navigation came: a document that is going away sends its last
// records after it (the relay's pagehide batch), and they belong to the page it
// was part of, not to the one that replaced it.
/** @type {Map<number, {url: string, at: number}>} */
const previousTop = new Map();
const LEAVING_GRACE_MS = 5000;

/**
 * The top URL of a tab whose navigation this worker never heard of. At browser
 * start a start page (a restored session, a link that opened the browser) can
 * commit before the extension's listeners are in place: its navigation event
 * never comes, so the tab's frame is asked, and the page view is recorded
 * from the first evidence of it.
 * @param {number} tab
 * @param {number} time
 * @param {{ w: string, n: number }} entry the inbox entry that showed the page
 * @returns {Promise<string>}
 */
async function learnTopUrl(tab, time, entry) {
  let url = null;
  try {
    const frame = await chrome.webNavigation.getFrame({ tabId: tab, frameId: 0 });
    url = frame ? frame.url : null;
  } catch (_) { /* the tab is gone */ }
  if (!url || !originMatches(url, await watchedOrigins())) {
    topUrls.set(tab, '');
    return '';
  }
  topUrls.set(tab, url);
  lastWatchedTop.set(tab, url);
  await chrome.storage.local.set({ [`top:${tab}`]: url });
  append(tab, { kind: 'navigation', url, time, tab_id: tab, transition: null, origin: 'network' }, entry);
  return url;
}

/** @param {number} tab */
async function clearTab(tab) {
  await journal.clear(tab);
  forgetSession(tab);
  reviewsEpoch += 1;
  reviews.delete(tab);
  const badge = badges.get(tab);
  if (badge && badge.timer) clearTimeout(badge.timer);
  badges.delete(tab);
  topUrls.delete(tab);
  lastWatchedTop.delete(tab);
  previousTop.delete(tab);
  await chrome.storage.local.remove([`review:${tab}`, `top:${tab}`]);
  await platform.setBadge(tab, '');
}

// ---- the inbox -----------------------------------------------------------------

let inboxN = 0;
let queue = ready.catch(() => {});
/**
 * @param {string} w
 * @param {number | ''} n
 */
const inboxKey = (w, n) => `${INBOX}${w}:${n}`;

// Called in the listener's own task: the entry is handed to the browser before
// anything is awaited, then handled after everything that arrived before it.
/** @param {NewEntry} fresh */
function enqueue(fresh) {
  const entry = /** @type {InboxEntry} */ (Object.assign(fresh, { w: WORKER, n: ++inboxN, at: Date.now() }));
  chrome.storage.session.set({ [inboxKey(entry.w, entry.n)]: entry }).catch(() => {});
  // A woken worker starts reading the tab's journal now, while its wasm is
  // still compiling: the badge after this event needs the whole journey. Not
  // for a tab known to show an unwatched site (Meta's pixel is on many).
  const tab = entry.t === 'page' ? entry.sender.tabId : entry.t === 'request' ? entry.tab : -1;
  if (tab >= 0 && !sessions.has(tab) && topUrls.get(tab) !== '') sessionFor(tab).catch(() => {});
  queue = queue.then(() => handleEntry(entry)).catch((e) => console.warn('PixelProof: event not recorded', e));
}

// Inbox entries are removed in batches once their records are stored (or the
// entry turned out to concern nothing watched).
/** @type {string[]} */
let doneKeys = [];
/** @type {ReturnType<typeof setTimeout> | 0} */
let doneTimer = 0;
/** @param {string[]} keys */
function inboxDone(keys) {
  if (!keys.length) return;
  doneKeys.push(...keys);
  if (!doneTimer) {
    doneTimer = setTimeout(() => {
      const keys = doneKeys;
      doneKeys = [];
      doneTimer = 0;
      chrome.storage.session.remove(keys).catch(() => {});
    }, 50);
  }
}

/** @param {InboxEntry} entry */
async function handleEntry(entry) {
  let appended = false;
  try {
    if (entry.t === 'request') appended = await onRequest(entry);
    else if (entry.t === 'nav') appended = await onNavigation(entry);
    else if (entry.t === 'page') appended = await onPageRecords(entry);
  } finally {
    if (!appended) inboxDone([inboxKey(entry.w, entry.n)]);
  }
}

// What a stopped worker was handed and did not store: replayed in arrival
// order, skipping what its journal already holds.
async function replayInbox() {
  const all = await chrome.storage.session.get(null);
  const entries = Object.entries(all)
    .filter(([k]) => k.startsWith(INBOX) && !k.startsWith(inboxKey(WORKER, '')))
    .map(([, v]) => /** @type {InboxEntry & { tab?: number, d?: { tabId?: number }, sender?: { tabId: number } }} */ (v))
    .sort((a, b) => a.at - b.at || a.n - b.n);
  if (!entries.length) return;
  const stale = [];
  for (const entry of entries) {
    const tab = entry.tab ?? entry.d?.tabId ?? entry.sender?.tabId;
    if (tab != null && tab >= 0 && entry.n <= (await journal.committed(tab, entry.w))) {
      stale.push(inboxKey(entry.w, entry.n));
      continue;
    }
    try {
      await handleEntry(entry);
    } catch (e) {
      console.warn('PixelProof: replayed event not recorded', e);
    }
  }
  inboxDone(stale);
}

/**
 * @param {number} tab
 * @param {JournalRecord} record
 * @param {{ w: string, n: number }} entry the inbox entry it came from
 */
function append(tab, record, entry) {
  return journal.append(tab, record, { w: entry.w, n: entry.n }).catch((e) => console.warn('PixelProof: journal write failed', e));
}

// Plain advanced-matching values never reach the disk: the core replaces each
// with the SHA-256 of its normalised form (as Meta normalises it) before the
// record is stored. Only records that can carry them go through the core.
const USER_DATA_PARAM = /(?:^|[?&])(?:ud|udff)(?:\[|%5B)/i;
/** @param {JournalRecord} record */
function mayCarryUserData(record) {
  switch (record.kind) {
    case 'request': {
      const body = record.body;
      if (USER_DATA_PARAM.test(record.url)) return true;
      if (!body) return false;
      // Parsed form fields are checked here; raw bodies (rare for pixel hits) go to the core.
      return body.type === 'form' ? body.fields.some((/** @type {[string, string]} */ [k]) => /^(ud|udff)\[/.test(k)) : true;
    }
    case 'fbq_call':
      return record.method === 'init' || record.method === 'set';
    case 'server_payload':
    case 'order':
      return true;
    default:
      return false;
  }
}
/**
 * @param {JournalRecord} record
 * @returns {JournalRecord}
 */
const redacted = (record) => (mayCarryUserData(record) ? redactRecord(record) : record);

// ---- sessions (derived, rebuilt from the journal on demand) --------------

/**
 * A tab's core session and the journal position after the last record it took in.
 * @typedef {{ session: Session, applied: number }} Held
 * A session being built from the stored journal; batches written meanwhile
 * wait in `batches` (with their positions) and are added once it is built.
 * @typedef {{ built: Promise<Held>, batches: [number, string[]][], stale: boolean }} Building
 */
/** @type {Map<number, Held>} */
const sessions = new Map();
/** @type {Map<number, Building>} */
const building = new Map();

/**
 * One record, as an object or as its JSON text.
 * @param {Session} session
 * @param {JournalRecord | string} record
 */
function addToSession(session, record) {
  try {
    if (typeof record === 'string') session.addText(record);
    else session.add(record);
  } catch (e) {
    console.warn('PixelProof: record refused by the core', e);
  }
}

/**
 * Records written from position `start` (as their JSON texts); those the
 * session has already taken in (it was read from storage after they were
 * written) are skipped.
 * @param {Held} held
 * @param {number} start
 * @param {string[]} records
 */
function takeIn(held, start, records) {
  let pos = start;
  for (const r of records) {
    if (pos >= held.applied) {
      addToSession(held.session, r);
      held.applied = pos + 1;
    }
    pos += 1;
  }
}

/**
 * @param {number} tab
 * @param {number} start
 * @param {string[]} records
 */
function written(tab, start, records) {
  const held = sessions.get(tab);
  if (held) takeIn(held, start, records);
  else building.get(tab)?.batches.push([start, records]);
}

/** @param {number} tab */
function forgetSession(tab) {
  sessions.delete(tab);
  const b = building.get(tab);
  if (b) b.stale = true;
}

/**
 * The tab's session, built from its stored journal when this worker has none.
 * @param {number} tab
 * @returns {Promise<Session>}
 */
async function sessionFor(tab) {
  const held = sessions.get(tab);
  if (held) return held.session;
  let b = building.get(tab);
  if (!b) {
    /** @type {Building} */
    const fresh = { built: Promise.resolve(/** @type {any} */ (null)), batches: [], stale: false };
    fresh.built = build(tab, fresh);
    building.set(tab, fresh);
    b = fresh;
  }
  return (await b.built).session;
}

/**
 * Reads the journal as one JSON text (no writes are waited for: what they add
 * comes through `written`, by position) and hands it to the core in one call.
 * @param {number} tab
 * @param {Building} b
 * @returns {Promise<Held>}
 */
async function build(tab, b) {
  try {
    await storageReady;
    // The badge asks for the review fields next: read them meanwhile.
    readReview(tab).catch(() => {});
    for (;;) {
      const [{ text, total }] = await Promise.all([readJournalText(chrome.storage.local, tab).then((j) => { markOnce('pp:journal-read'); return j; }), wasmReady]);
      const held = { session: new Session(undefined), applied: total };
      try {
        // A record the core refuses is skipped there and costs no other.
        held.session.addJson(text);
      } catch (e) {
        // Only a stored text that is no list at all: the journal stays as it is.
        console.warn('PixelProof: stored journal unreadable', e);
      }
      if (b.stale) {
        // Evicted or cleared while it was read: read again.
        held.session.free();
        b.stale = false;
        b.batches = [];
        continue;
      }
      for (const [start, records] of b.batches) takeIn(held, start, records);
      // Read ahead for a tab that turned out to show another site, with nothing
      // stored: not kept (Meta's pixel is on many sites; each would hold one).
      if (held.applied === 0 && topUrls.get(tab) === '') return held;
      sessions.set(tab, held);
      markOnce('pp:session');
      return held;
    }
  } finally {
    building.delete(tab);
  }
}

// The badge follows the journal: once a batch is written, the badge is
// judged again in the next task (a burst written together is judged once),
// then again at most BADGE_INTERVAL_MS after the last judgement ended while
// records keep coming, or twice as long as that judgement took if longer. With
// the session in memory a judgement is one `failing` call (~3 ms at 10,000
// hits); after a wake the first one waits for the session to be built from
// the journal (which the first event started reading), and so does the next
// one after the journal budget evicted records. It used to trail writes by a
// second so that a rebuild never competed with a loading page; that kept a
// woken worker's first badge a second late too, and the spacing above keeps a
// rebuild to a third of the worker's time at most.
const BADGE_INTERVAL_MS = 250;
/** @type {Map<number, { timer: ReturnType<typeof setTimeout> | 0, last: number, cost: number, again: boolean }>} */
const badges = new Map();
/** @param {number} tab */
function scheduleBadge(tab) {
  let b = badges.get(tab);
  if (!b) badges.set(tab, (b = { timer: 0, last: -Infinity, cost: 0, again: false }));
  if (b.timer) {
    b.again = true;
    return;
  }
  const due = Math.max(0, b.last + Math.max(BADGE_INTERVAL_MS, 2 * b.cost) - Date.now());
  const state = b;
  b.timer = setTimeout(async () => {
    state.again = false;
    const began = Date.now();
    try {
      const session = await sessionFor(tab);
      const failing = session.failing(await readReview(tab));
      await platform.setBadge(tab, failing ? String(failing) : '');
      markOnce('pp:badge');
    } catch (e) {
      console.warn('PixelProof: badge update failed', e);
    } finally {
      state.last = Date.now();
      state.cost = state.last - began;
      state.timer = 0;
      if (state.again) scheduleBadge(tab);
    }
  }, due);
}

// Review fields, kept in memory after the first read (the badge asks for them each time).
/** @type {Map<number, object>} */
const reviews = new Map();
// Bumped when a tab's review is set or cleared: a read begun before is not cached.
let reviewsEpoch = 0;
/** @param {number} tab */
async function readReview(tab) {
  const known = reviews.get(tab);
  if (known) return known;
  const epoch = reviewsEpoch;
  const got = await chrome.storage.local.get(`review:${tab}`);
  const review = got[`review:${tab}`] || {};
  if (epoch !== reviewsEpoch) return reviews.get(tab) || review;
  reviews.set(tab, review);
  return review;
}

// The panel's module, compiled on the first packet or summary asked of this worker.
/** @type {Promise<unknown> | null} */
let packetsModule = null;
/**
 * A session of the panel's module over the tab's whole stored journal (every
 * record appended so far, written), and the tab's review fields. The caller frees it.
 * @param {number} tab
 * @returns {Promise<[Packets, object]>}
 */
async function packetsFor(tab) {
  if (!packetsModule) {
    const compiling = initPackets({ module_or_path: chrome.runtime.getURL('wasm/pixelproof_panel_bg.wasm') });
    packetsModule = compiling;
    // A failed compile is not kept: the next question tries again.
    compiling.catch(() => { if (packetsModule === compiling) packetsModule = null; });
  }
  // After the start's replay of the previous worker's inbox: a packet asked for
  // right after a wake holds what that worker was handed too.
  await ready;
  const [, { text }, review] = await Promise.all([packetsModule, journal.readText(tab), readReview(tab)]);
  const p = new Packets();
  p.addJson(text);
  return [p, review];
}

// ---- evidence from the network -------------------------------------------

/** @param {Uint8Array} bytes */
function base64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, /** @type {number[]} */ (/** @type {unknown} */ (bytes.subarray(i, i + 0x8000))));
  return btoa(s);
}

/** @typedef {import('../types/platform').RequestDetails} RequestDetails */

/** @param {RequestDetails} details */
function bodyOf(details) {
  const rb = details.requestBody;
  if (!rb) return null;
  if (rb.formData) {
    /** @type {[string, string][]} */
    const fields = [];
    for (const [k, values] of Object.entries(rb.formData)) for (const v of values) fields.push([k, String(v)]);
    return { type: 'form', fields };
  }
  if (rb.raw && rb.raw.length) {
    const parts = rb.raw.flatMap((p) => (p.bytes ? [new Uint8Array(p.bytes)] : []));
    const size = parts.reduce((n, p) => n + p.length, 0);
    const all = new Uint8Array(size);
    let at = 0;
    for (const p of parts) { all.set(p, at); at += p.length; }
    return { type: 'bytes', content_type: null, base64: base64(all) };
  }
  return null;
}

// Requests from dedicated workers carry no tab; the worker belongs to the
// watched tab of the same origin that was active last.
/** @type {Map<string, number>} */
const lastTabByOrigin = new Map();

/**
 * The part of a webRequest event the journal needs, as an inbox entry.
 * @param {RequestDetails} details
 * @returns {RequestEntry}
 */
function requestEntry(details) {
  const initiator = platform.initiator(details);
  let tab = details.tabId;
  if (tab < 0 && initiator) tab = lastTabByOrigin.get(initiator) ?? -1;
  return {
    t: 'request',
    tab,
    d: {
      url: details.url,
      method: details.method,
      body: bodyOf(details),
      type: details.type,
      frameId: details.frameId,
      parentFrameId: details.parentFrameId,
      initiator,
      leaving: platform.leavingDocument(details),
      documentUrl: details.documentUrl || null,
      timeStamp: details.timeStamp,
    },
  };
}

/**
 * @param {number} tab
 * @param {number} frameId
 */
async function frameUrl(tab, frameId) {
  if (frameId === 0) return null;
  try {
    const f = await chrome.webNavigation.getFrame({ tabId: tab, frameId });
    return f ? f.url : null;
  } catch (_) {
    return null;
  }
}

/** @param {RequestEntry & Stamp} entry */
async function onRequest({ tab, d, ...entry }) {
  if (tab < 0) return false;
  const watched = await watchedOrigins();
  let top = await tabTopUrl(tab);
  if (top === null) top = await learnTopUrl(tab, d.timeStamp, entry);
  if (!top || !originMatches(top, watched)) {
    // The tab shows an unwatched page now. Only a request of the store's own
    // document that is going away (a beacon sent at pagehide) still belongs to
    // the journey; anything else from the tab stays out until it returns.
    const last = lastWatchedTop.get(tab) || null;
    if (!d.leaving || !last || !d.initiator || d.initiator !== originOf(last)) return false;
    top = last;
  }
  // A form POST into a hidden iframe is a navigation of that (blank) iframe:
  // the document that sent it is the iframe's parent. Requests of dedicated
  // workers are reported by Chrome as the owning frame's (no way to tell them
  // apart here); the sender rules then rely on the agent parameter.
  const navigation = d.type === 'sub_frame' || d.type === 'main_frame';
  const senderFrame = navigation ? d.parentFrameId : d.frameId;
  const frameType = senderFrame < 0 && !navigation ? 'worker' : senderFrame <= 0 ? 'main' : 'sub';
  const docUrl = frameType === 'main' ? top : frameType === 'sub' ? await frameUrl(tab, senderFrame) : d.initiator;
  const context = { tab_id: tab, frame_id: senderFrame, frame_type: frameType, document_url: docUrl, top_url: top };
  if (requestRecordKind(d.url) === 'script_load') {
    append(tab, { kind: 'script_load', url: d.url, context, time: d.timeStamp, origin: 'network' }, entry);
    return true;
  }
  const record = {
    kind: 'request',
    url: d.url,
    method: d.method,
    body: d.body,
    request_type: d.type,
    context,
    initiator: d.initiator,
    stack: [],
    time: d.timeStamp,
    origin: 'network',
  };
  append(tab, redacted(record), entry);
  return true;
}

/** @param {NavEntry & Stamp} entry */
async function onNavigation({ d, ...entry }) {
  const watched = await watchedOrigins();
  const tab = d.tabId;
  previousTop.set(tab, { url: topUrls.get(tab) || '', at: Date.now() });
  if (!originMatches(d.url, watched)) {
    // Leaving the store: the tab's requests stop counting for its journey.
    if (topUrls.get(tab) !== '') {
      topUrls.set(tab, '');
      await chrome.storage.local.set({ [`top:${tab}`]: '' });
    }
    return false;
  }
  topUrls.set(tab, d.url);
  lastWatchedTop.set(tab, d.url);
  await chrome.storage.local.set({ [`top:${tab}`]: d.url });
  const origin = originOf(d.url);
  if (origin && lastTabByOrigin.get(origin) !== tab) {
    lastTabByOrigin.set(origin, tab);
    chrome.storage.session.set({ lastTabByOrigin: Object.fromEntries(lastTabByOrigin) }).catch(() => {});
  }
  append(tab, { kind: 'navigation', url: d.url, time: d.timeStamp, tab_id: tab, transition: d.transition, origin: 'network' }, entry);
  return true;
}

// ---- evidence from the page --------------------------------------------------

/**
 * @param {unknown} r
 * @returns {r is Record<string, any>}
 */
const plainObject = (r) => Boolean(r) && typeof r === 'object' && !Array.isArray(r);
// The page's claimed time when plausible, else the arrival time.
/**
 * @param {unknown} claimed
 * @param {number} at
 */
const stamped = (claimed, at) => (typeof claimed === 'number' && claimed >= at - PAGE_LAG_MS && claimed <= at + PAGE_LEAD_MS ? claimed : at);

/** @param {PageEntry & Stamp} entry */
async function onPageRecords({ sender, msg, at, ...entry }) {
  const tab = sender.tabId;
  const watched = await watchedOrigins();
  // The relay sends at pagehide too, when the tab may already show the next
  // page: a top frame's records belong to the document that sent them.
  let known = await tabTopUrl(tab);
  if (known === null) known = await learnTopUrl(tab, at, entry);
  let top = known;
  let main = sender.frameId === 0;
  if (main && sender.url && /^https?:/.test(sender.url)) {
    top = sender.url;
  } else if (sender.leaving) {
    // A document being unloaded after the tab moved on (Chrome gives it a frame
    // id of its own then): the tab's previous page, or its current one when no
    // top-level navigation happened lately (an iframe that was removed).
    const prev = previousTop.get(tab);
    const page = prev && at - prev.at < LEAVING_GRACE_MS ? prev.url : known;
    main = Boolean(page) && sender.url === page;
    top = page;
  }
  if (!top || !originMatches(top, watched)) return false;
  // The browser says which frame sent it; the page does not get a vote.
  const context = {
    tab_id: tab,
    frame_id: main ? 0 : (sender.frameId ?? null),
    frame_type: main ? 'main' : 'sub',
    document_url: sender.url || null,
    top_url: top,
  };
  /** @type {JournalRecord[]} */
  const records = [];
  for (const r of /** @type {unknown[]} */ ([]).concat(msg.observed || []).slice(0, MAX_RECORDS_PER_MESSAGE)) {
    if (!plainObject(r) || !RELAY_KINDS.has(r.kind)) continue;
    /** @type {JournalRecord} */
    const record = { kind: r.kind, time: stamped(r.time, at), context, origin: 'isolated' };
    if (r.kind === 'gesture') {
      record.gesture = ['click', 'submit', 'keydown'].includes(r.gesture) ? r.gesture : 'click';
      record.target = typeof r.target === 'string' ? r.target.slice(0, 200) : null;
    } else if (r.kind === 'request_count') {
      if (!Number.isInteger(r.count) || r.count < 0) continue;
      record.count = Math.min(r.count, 1e7);
    }
    records.push(record);
  }
  let refused = typeof msg.refused === 'number' && Number.isInteger(msg.refused) && msg.refused > 0 ? Math.min(msg.refused, 1e6) : 0;
  for (const r of /** @type {unknown[]} */ ([]).concat(msg.records || []).slice(0, MAX_RECORDS_PER_MESSAGE)) {
    if (!plainObject(r) || !PAGE_KINDS.has(r.kind)) { refused += 1; continue; }
    r.origin = 'page';
    r.context = context;
    r.time = stamped(r.time, at);
    if (JSON.stringify(r).length > MAX_PAGE_RECORD_CHARS) { refused += 1; continue; }
    records.push(redacted(/** @type {JournalRecord} */ (r)));
  }
  if (refused) journal.refused(tab, 'relay_caps', 'page_record', refused);
  // Appended in one task, they land in one storage write.
  for (const r of records) append(tab, r, entry);
  return records.length > 0;
}

// ---- messages ---------------------------------------------------------------

// ---- test builds only: the Firefox test bridge ------------------------------
// BiDi cannot open moz-extension:// pages, so the Firefox tests reach this worker
// through extension/test-bridge.js on one control page. Its requests are answered
// only when the running manifest declares that script (dist/firefox-test; no store
// build carries it) and only from the top frame of that page; they are then
// handled as if an extension page had sent them.
// Firefox's getManifest() gives content script paths as full moz-extension: URLs.
const BRIDGE_JS = ['test-bridge.js', chrome.runtime.getURL('test-bridge.js')];
const TEST_BRIDGE = (chrome.runtime.getManifest().content_scripts || []).find((c) => (c.js || []).some((j) => BRIDGE_JS.includes(j)));
/**
 * @param {any} msg `{type: 'test-bridge', msg}`: checked here, never trusted
 * @param {chrome.runtime.MessageSender} sender
 */
async function fromTestBridge(msg, sender) {
  const m = msg.msg;
  if (!TEST_BRIDGE || sender.frameId !== 0 || !sender.url || !(TEST_BRIDGE.matches || []).includes(sender.url) || !m || typeof m !== 'object') {
    return { error: 'unknown message' };
  }
  switch (m.type) {
    // The Chromium tests ask the tabs API from an extension page; this is that.
    // (A tab's URL is hidden without host access; its top frame's is not.)
    case 'tabs':
      return {
        tabs: await Promise.all((await chrome.tabs.query({})).map(async (t) => {
          const frame = t.url || t.id === undefined ? null : await chrome.webNavigation.getFrame({ tabId: t.id, frameId: 0 }).catch(() => null);
          return { id: t.id, url: t.url || (frame && frame.url) || null };
        })),
      };
    // The panel in a tab of its own, for the tests to look at.
    case 'open-panel':
      return { tabId: (await chrome.tabs.create({ url: chrome.runtime.getURL(`panel.html?tab=${Number(m.tabId)}`) })).id };
    case 'test-bridge':
    case 'page-records':
      return { error: 'unknown message' };
    default:
      return control(m);
  }
}
// ---- end of the test bridge ---------------------------------------------------


// Who may ask what. Content scripts (the relay) report page evidence for the
// tab they run in, and nothing else; everything that reads, changes or clears a
// journal comes from the extension's own pages (the panel).
/** @param {chrome.runtime.MessageSender} sender */
const fromExtensionPage = (sender) => sender.id === chrome.runtime.id && typeof sender.url === 'string' && sender.url.startsWith(EXTENSION_URL);
/**
 * @param {chrome.runtime.MessageSender} sender
 * @returns {sender is chrome.runtime.MessageSender & { tab: chrome.tabs.Tab & { id: number } }}
 */
const fromContentScript = (sender) => sender.id === chrome.runtime.id && !!sender.tab && sender.tab.id !== undefined && sender.tab.id >= 0 && !fromExtensionPage(sender);

/**
 * @param {any} msg what the sender sent: checked here, never trusted
 * @param {chrome.runtime.MessageSender} sender
 */
async function handle(msg, sender) {
  const type = msg && msg.type;
  if (type === 'test-bridge') return fromTestBridge(msg, sender);
  if (type === 'page-records') {
    if (!fromContentScript(sender)) return { error: 'refused: page records come from the relay of a tab' };
    enqueue({ t: 'page', sender: { tabId: sender.tab.id, frameId: sender.frameId, url: sender.url || null, leaving: platform.senderLeaving(sender) }, msg: { records: msg.records, observed: msg.observed, refused: msg.refused } });
    return { ok: true };
  }
  if (!fromExtensionPage(sender)) return { error: `refused: "${String(type).slice(0, 40)}" is answered for the extension's own pages only` };
  return control(msg);
}

/** @param {any} msg a control message from the extension's own pages */
async function control(msg) {
  const tabId = Number(msg.tabId);
  switch (msg.type) {
    case 'get-journal': {
      await ready;
      const { records, total } = await journal.readWithTotal(tabId);
      return { records, total, review: await readReview(tabId) };
    }
    case 'get-journal-total': {
      // The panel reads the journal from storage itself (one JSON text, no
      // copy through this worker); first it asks for this: everything appended
      // so far, written. Records appended later reach it as live batches.
      await storageReady;
      await journal.idle(tabId);
      const { total } = await journal.readMeta(tabId).then((m) => ({ total: m.count + m.evicted }));
      return { total };
    }
    case 'get-summary': {
      const [p, review] = await packetsFor(tabId);
      try {
        return { summary: p.summary(review) };
      } finally {
        p.free();
      }
    }
    case 'get-packet': {
      const [p, review] = await packetsFor(tabId);
      try {
        return {
          packet: p.packet(review, Boolean(msg.rawUserData)),
          markdown: p.packetMarkdown(review),
          // The results as terminal text (the demo prints it).
          text: p.packetText(review),
        };
      } finally {
        p.free();
      }
    }
    case 'set-review':
      // After the start's storage check: on a browser's first start it clears
      // what a previous session left, and must not clear this.
      await storageReady;
      reviewsEpoch += 1;
      await chrome.storage.local.set({ [`review:${tabId}`]: msg.review || {} });
      reviews.set(tabId, msg.review || {});
      scheduleBadge(tabId);
      return { ok: true };
    case 'add-evidence': {
      // Pasted server payloads / order JSON become journal records; the core
      // reports a bad paste as an input error and keeps everything else.
      if (!['server_payload', 'order'].includes(msg.kind)) return { error: 'unknown evidence kind' };
      await ready;
      // Only what reads is stored: a paste that does not could hold anything,
      // in the clear, and the panel shows the message instead.
      const problem = evidenceProblem(msg.kind, String(msg.label || 'pasted'), String(msg.text || ''));
      if (problem) return { error: problem };
      const record = redacted({ kind: msg.kind, label: String(msg.label || 'pasted').slice(0, 200), text: String(msg.text || ''), origin: 'user' });
      await journal.append(tabId, record);
      return { ok: true };
    }
    case 'clear':
      await ready;
      await clearTab(tabId);
      return { ok: true };
    case 'watch-changed':
      await onPermissionsChanged();
      return { ok: true, watched: await watchedOrigins() };
    case 'status':
      await ready;
      return { ok: true, watched: await watchedOrigins(), registered: (await chrome.storage.session.get('registered')).registered || [] };
    default:
      return { error: 'unknown message' };
  }
}

// ---- listeners (top level, synchronous) -------------------------------------

chrome.webRequest.onBeforeRequest.addListener(
  (details) => { enqueue(requestEntry(details)); },
  { urls: WEB_REQUEST_URLS },
  ['requestBody'],
);
/** @param {string | null} transition */
const onCommitted = (transition) => /** @param {chrome.webNavigation.WebNavigationTransitionCallbackDetails} d */ (d) => {
  if (d.frameId !== 0) return;
  enqueue({ t: 'nav', tab: d.tabId, d: { url: d.url, tabId: d.tabId, timeStamp: d.timeStamp, transition } });
};
chrome.webNavigation.onCommitted.addListener((d) => onCommitted(d.transitionType || null)(d));
chrome.webNavigation.onHistoryStateUpdated.addListener(onCommitted('history'));
chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  handle(msg, sender).then(sendResponse, (e) => sendResponse({ error: String((e && e.message) || e) }));
  return true;
});
chrome.tabs.onRemoved.addListener((tab) => { ready.then(() => clearTab(tab)).catch(() => {}); });
chrome.permissions.onAdded.addListener(() => { onPermissionsChanged().catch((e) => console.warn('PixelProof: registration failed', e)); });
chrome.permissions.onRemoved.addListener(() => { onPermissionsChanged().catch((e) => console.warn('PixelProof: registration failed', e)); });
platform.init();
