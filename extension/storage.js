// @ts-check
// Extension storage: every key, prefix and size limit, and the only module that
// calls chrome.storage. The worker and the panel both import it; nothing here
// touches `chrome` until a function is called, so the journal store's unit
// tests import it (as built) under Node. Limits and key prefixes are the
// core's (crates/core/src/contract.rs), written into wasm/contract.js by the build.
//
// storage.local (disk, kept across browser restarts; content scripts are kept
// out where the browser allows it). A journal is named `<epoch>-<tab>`: the
// browser session's epoch (its start time) and the tab, so the journeys of an
// earlier session (whose tab ids mean nothing now) stay apart from this one's.
//   meta:<journal>, chunk:<journal>:<n>   a journal (journal-store.js writes it,
//                                         journal-text.js reads it)
//   review:<journal>              the review fields of a journey
//   top:<tab>                     the tab's top-level page while it shows a watched store
//   recent                        journeys kept from earlier browser sessions (the last
//                                 few, by age and size), which the panel offers
// storage.session (memory held by the browser, emptied when it starts):
//   session                       set once per browser session (its start time)
//   lastTabByOrigin               the last watched tab of each store origin
//   registered                    the origins the page scripts are registered for
//   in:<worker>:<n>               the inbox: events handed to the worker, until stored
import { KEY_PREFIXES as P, LIMITS } from './wasm/contract.js';

export { LIMITS };

/** @typedef {number | string} JournalId a tab id, or the id of a kept journey */
/**
 * What is kept per journal beside its chunks.
 * @typedef {{ first: number, next: number, count: number, evicted: number, evictedKinds: Record<string, number>,
 *   bytes: number, pageBytes: number, sizes: Record<number, [number, number]>, committed: Record<string, number>, updated?: number, born?: number }} Meta
 */

// The shapes of the keys come from the core (wasm/contract.js, generated).
export const KEY = {
  /** @param {JournalId} id */
  meta: (id) => `${P.meta}${id}`,
  /**
   * @param {JournalId} id
   * @param {number} n
   */
  chunk: (id, n) => `${P.chunk}${id}:${n}`,
  /** @param {JournalId} id */
  review: (id) => `${P.review}${id}`,
  /** @param {number} tab */
  top: (tab) => `${P.top}${tab}`,
  session: 'session',
  lastTabByOrigin: 'lastTabByOrigin',
  registered: 'registered',
  recent: P.recent,
  inboxPrefix: P.in,
  /**
   * @param {string} worker
   * @param {number | ''} n
   */
  inbox: (worker, n) => `${P.in}${worker}:${n}`,
};

/**
 * The part of chrome.storage.local the journal uses (a Map stands in for it in the tests).
 * @typedef {{ get(keys: string | string[] | null): Promise<Record<string, any>>, set(items: Record<string, any>): Promise<void>,
 *   remove(keys: string | string[]): Promise<void> }} Storage
 */

/** storage.local, where journals live. @returns {Storage} */
export const local = () => chrome.storage.local;

// ---- storage.local -----------------------------------------------------------

/**
 * Keeps content scripts (the relay runs in every frame of a watched store) out
 * of storage.local where the browser allows it: Chromium does; Firefox
 * restricts storage.session alone (the call fails there, harmlessly).
 */
export function closeToContentScripts() {
  try {
    chrome.storage.local.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' }).catch(() => {});
  } catch (_) { /* no such method */ }
}

/**
 * The review fields of a tab's journey, or of a kept journey by its id.
 * @param {number | { id: string }} of
 * @returns {Promise<object | null>}
 */
export async function readReview(of) {
  const key = KEY.review(typeof of === 'number' ? journalId(of) : of.id);
  return (await chrome.storage.local.get(key))[key] || null;
}

/**
 * @param {number} tab
 * @param {object} review
 */
export const writeReview = (tab, review) => chrome.storage.local.set({ [KEY.review(journalId(tab))]: review });

/**
 * @param {number} tab
 * @returns {Promise<string | null>} the tab's top URL, '' when it shows an unwatched page, null when unknown
 */
export async function readTop(tab) {
  const got = await chrome.storage.local.get(KEY.top(tab));
  return /** @type {string | undefined} */ (got[KEY.top(tab)]) ?? null;
}

/**
 * @param {number} tab
 * @param {string} url
 */
export const writeTop = (tab, url) => chrome.storage.local.set({ [KEY.top(tab)]: url });

/** The review and top page of a tab go (its journal is the journal store's to clear). @param {number} tab */
export const forgetTab = (tab) => chrome.storage.local.remove([KEY.review(journalId(tab)), KEY.top(tab)]);

// ---- journals by browser session -----------------------------------------------

/** This browser session's epoch, once read. @type {string | null} */
let epoch = null;

/**
 * The journal of a tab in this browser session.
 * @param {number} tab
 * @returns {string}
 */
export function journalId(tab) {
  if (epoch === null) throw new Error('PixelProof: storage is not ready yet');
  return `${epoch}-${tab}`;
}

/** Reads this browser session's epoch (the panel); false while the worker has not set it. */
export async function loadEpoch() {
  const marker = (await chrome.storage.session.get(KEY.session))[KEY.session];
  if (typeof marker === 'number') epoch = marker.toString(36);
  return epoch !== null;
}

/**
 * The worker's start: reads the session marker, or, at a browser start (no
 * marker: storage.session is emptied then), keeps the journeys of earlier
 * sessions that fit (`keepRecent`), removes everything else a previous session
 * left, and sets the marker. Returns whether this start began the browser
 * session (or the extension's: an update or reload empties storage.session
 * too) and what the worker keeps across its own restarts.
 */
export async function startBrowserSession() {
  const got = await chrome.storage.session.get([KEY.session, KEY.lastTabByOrigin]);
  let marker = /** @type {number | undefined} */ (got[KEY.session]);
  const started = typeof marker !== 'number';
  if (typeof marker !== 'number') {
    marker = Date.now();
    await keepRecent(marker);
    await chrome.storage.session.set({ [KEY.session]: marker });
  }
  epoch = marker.toString(36);
  return { started, lastTabByOrigin: /** @type {Record<string, number>} */ (got[KEY.lastTabByOrigin] || {}) };
}

/** Every key in storage.local (getKeys where the browser has it). @returns {Promise<string[]>} */
async function localKeys() {
  const area = /** @type {any} */ (chrome.storage.local);
  if (typeof area.getKeys === 'function') return area.getKeys();
  return Object.keys(await chrome.storage.local.get(null));
}

/**
 * The journal a storage.local key belongs to, or null.
 * @param {string} key
 */
function journalOfKey(key) {
  for (const prefix of [P.meta, P.review]) if (key.startsWith(prefix)) return key.slice(prefix.length);
  if (key.startsWith(P.chunk)) return key.slice(P.chunk.length, key.lastIndexOf(':'));
  return null;
}

/**
 * A kept journey, as the panel lists it.
 * @typedef {{ id: string, updated: number, count: number, bytes: number, url: string | null }} Recent
 */

/**
 * At a browser start: the journals of earlier sessions become recent journeys,
 * newest first, as many as fit `LIMITS.recentJourneys`, `recentMaxAgeMs` and
 * `recentBudget`; everything else in storage.local goes.
 * @param {number} now
 */
async function keepRecent(now) {
  const keys = await localKeys();
  const metaKeys = keys.filter((k) => k.startsWith(P.meta) && /^[0-9a-z]+-\d+$/.test(k.slice(P.meta.length)));
  /** @type {Record<string, any>} */
  const metas = metaKeys.length ? await chrome.storage.local.get(metaKeys) : {};
  const found = metaKeys
    .map((k) => ({ id: k.slice(P.meta.length), meta: /** @type {Meta | undefined} */ (metas[k]) }))
    .flatMap((j) => (j.meta && j.meta.count > 0 ? [{ id: j.id, meta: j.meta }] : []))
    .sort((a, b) => (b.meta.updated || 0) - (a.meta.updated || 0));
  /** @type {Recent[]} */
  const kept = [];
  let bytes = 0;
  for (const { id, meta } of found) {
    if (kept.length >= LIMITS.recentJourneys || now - (meta.updated || 0) > LIMITS.recentMaxAgeMs || bytes + meta.bytes > LIMITS.recentBudget) continue;
    bytes += meta.bytes;
    kept.push({ id, updated: meta.updated || 0, count: meta.count, bytes: meta.bytes, url: await firstPage(id, meta.first) });
  }
  const keep = new Set(kept.map((j) => j.id));
  const gone = keys.filter((k) => { const id = journalOfKey(k); return !(id && keep.has(id)); });
  if (gone.length) await chrome.storage.local.remove(gone);
  await chrome.storage.local.set({ [KEY.recent]: kept });
}

/**
 * The first page view's URL of a stored journal (its first chunk), for the list.
 * @param {string} id
 * @param {number} first
 */
async function firstPage(id, first) {
  const k = KEY.chunk(id, first);
  try {
    const chunk = (await chrome.storage.local.get(k))[k];
    const records = typeof chunk === 'string' ? JSON.parse(chunk) : chunk || [];
    const nav = records.find((/** @type {any} */ r) => r && r.kind === 'navigation' && typeof r.url === 'string');
    return nav ? nav.url : null;
  } catch (_) {
    return null;
  }
}

/** The journeys kept from earlier browser sessions. @returns {Promise<Recent[]>} */
export async function readRecent() {
  const got = await chrome.storage.local.get(KEY.recent);
  return /** @type {Recent[] | undefined} */ (got[KEY.recent]) || [];
}

/**
 * A kept journey goes, with its review (only one listed as kept can).
 * @param {string} id
 * @returns {Promise<boolean>} whether it was one
 */
export async function deleteRecent(id) {
  const recent = await readRecent();
  if (!recent.some((j) => j.id === id)) return false;
  const got = await chrome.storage.local.get(KEY.meta(id));
  const meta = /** @type {{ first?: number, next?: number } | undefined} */ (got[KEY.meta(id)]);
  const keys = [KEY.meta(id), KEY.review(id)];
  if (meta) for (let n = meta.first || 0; n < (meta.next || 0); n++) keys.push(KEY.chunk(id, n));
  await chrome.storage.local.set({ [KEY.recent]: recent.filter((j) => j.id !== id) });
  await chrome.storage.local.remove(keys);
  return true;
}

// ---- storage.session ---------------------------------------------------------

/** @param {Map<string, number>} map */
export const writeLastTabs = (map) => chrome.storage.session.set({ [KEY.lastTabByOrigin]: Object.fromEntries(map) });

/** @param {string[]} origins */
export const writeRegistered = (origins) => chrome.storage.session.set({ [KEY.registered]: origins });

/** @returns {Promise<string[]>} */
export async function readRegistered() {
  const got = await chrome.storage.session.get(KEY.registered);
  return /** @type {string[] | undefined} */ (got[KEY.registered]) || [];
}

// ---- the inbox (storage.session) ---------------------------------------------

/**
 * Puts an event in the inbox; handed to the browser in the caller's own task.
 * @param {string} key
 * @param {object} entry
 */
export function inboxPut(key, entry) {
  chrome.storage.session.set({ [key]: entry }).catch(() => {});
}

/** Every inbox entry, by key. @returns {Promise<[string, any][]>} */
export async function inboxAll() {
  const all = await chrome.storage.session.get(null);
  return Object.entries(all).filter(([k]) => k.startsWith(KEY.inboxPrefix));
}

// Entries are removed in batches once their records are stored (or the entry
// turned out to concern nothing watched).
/** @type {string[]} */
let doneKeys = [];
/** @type {ReturnType<typeof setTimeout> | 0} */
let doneTimer = 0;
/** @param {string[]} keys */
export function inboxDone(keys) {
  if (!keys.length) return;
  doneKeys.push(...keys);
  if (!doneTimer) {
    doneTimer = setTimeout(() => {
      const keys = doneKeys;
      doneKeys = [];
      doneTimer = 0;
      chrome.storage.session.remove(keys).catch(() => {});
    }, LIMITS.inboxDoneDelayMs);
  }
}
