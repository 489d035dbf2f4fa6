// @ts-check
// Evidence from the network: pixel requests (webRequest) and the tab's page
// views (webNavigation) become journal records of the tab whose watched page
// sent or showed them.
import { maskEmails, requestRecordKind } from '../wasm/pixelproof_wasm.js';
import { platform } from '../platform.js';
import { readTop, writeLastTabs, writeTop } from '../storage.js';
import { append } from './journal.js';
import { lastTabByOrigin, lastWatchedTop, previousTop, topUrls } from './tab-state.js';
import { originMatches, originOf, watchedOrigins } from './watch.js';

/** @typedef {import('../../types/platform').RequestDetails} RequestDetails */
/**
 * The part of a webRequest event the journal needs.
 * @typedef {{ url: string, method: string, body: object | null, type: string, frameId: number, parentFrameId: number,
 *   initiator: string | null, leaving: boolean, documentUrl: string | null, timeStamp: number }} RequestEvidence
 * @typedef {{ w: string, n: number, at: number }} Stamp
 * @typedef {{ t: 'request', tab: number, d: RequestEvidence }} RequestEntry
 * @typedef {{ t: 'nav', tab: number, d: { url: string, tabId: number, timeStamp: number, transition: string | null } }} NavEntry
 */

/** @param {Uint8Array} bytes */
function base64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, /** @type {number[]} */ (/** @type {unknown} */ (bytes.subarray(i, i + 0x8000))));
  return btoa(s);
}

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

/**
 * The tab of a request: a dedicated worker's carries none, and belongs to the
 * tab that last showed a watched page of its origin. Asked again when the entry
 * is handled: at a start, the navigation that names that tab can still be
 * waiting in the inbox when the worker's first hits arrive.
 * @param {number} tab
 * @param {string | null} initiator
 */
export const tabOfRequest = (tab, initiator) => (tab >= 0 || !initiator ? tab : lastTabByOrigin.get(initiator) ?? -1);

/**
 * The tab that last showed a watched page of `url`'s origin (what a Web
 * Worker's hit is given), kept for a restarted worker too.
 * @param {string} url
 * @param {number} tab
 */
function noteTabOfOrigin(url, tab) {
  const origin = originOf(url);
  if (origin && lastTabByOrigin.get(origin) !== tab) {
    lastTabByOrigin.set(origin, tab);
    writeLastTabs(lastTabByOrigin).catch(() => {});
  }
}

/**
 * The part of a webRequest event the journal needs, as an inbox entry.
 * @param {RequestDetails} details
 * @returns {RequestEntry}
 */
export function requestEntry(details) {
  const initiator = platform.initiator(details);
  return {
    t: 'request',
    tab: tabOfRequest(details.tabId, initiator),
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

/**
 * Keeps the tab's top URL for a later worker, with any e-mail address in it
 * masked as the journal's records have it (a restarted worker takes it as the
 * document URL of the tab's next hits, which are masked alike).
 * @param {number} tab
 * @param {string} url
 */
const keepTop = (tab, url) => {
  let kept;
  try {
    kept = maskEmails(url) ?? url;
  } catch (_) {
    kept = originOf(url) || ''; // the store's origin alone: never the address
  }
  return writeTop(tab, kept);
};

/**
 * The tab's top URL ('' when unwatched), from memory or, after a restart, storage.
 * @param {number} tab
 * @returns {Promise<string | null>}
 */
export async function tabTopUrl(tab) {
  const known = topUrls.get(tab);
  if (known !== undefined) return known;
  const url = await readTop(tab);
  if (url !== null) topUrls.set(tab, url);
  return url;
}

// Page views learnt from their first evidence, by tab. At a start the browser
// can deliver a page's commit after a hit from that page: a commit of the same
// URL from before the hit is that page view, not a second one.
/** @type {Map<number, { url: string, time: number }>} */
const learnt = new Map();

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
export async function learnTopUrl(tab, time, entry) {
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
  await keepTop(tab, url);
  noteTabOfOrigin(url, tab);
  learnt.set(tab, { url, time });
  append(tab, { kind: 'navigation', url, time, tab_id: tab, transition: null, origin: 'network' }, entry);
  return url;
}

/**
 * @param {RequestEntry & Stamp} entry
 * @returns {Promise<boolean>} whether a record was appended
 */
export async function onRequest({ tab: heard, d, ...entry }) {
  const tab = tabOfRequest(heard, d.initiator);
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
  append(tab, record, entry);
  return true;
}

/**
 * @param {NavEntry & Stamp} entry
 * @returns {Promise<boolean>} whether a record was appended
 */
export async function onNavigation({ d, ...entry }) {
  const watched = await watchedOrigins();
  const tab = d.tabId;
  const taught = learnt.get(tab);
  learnt.delete(tab);
  if (taught && taught.url === d.url && d.timeStamp <= taught.time) return false;
  previousTop.set(tab, { url: topUrls.get(tab) || '', at: Date.now() });
  if (!originMatches(d.url, watched)) {
    // Leaving the store: the tab's requests stop counting for its journey.
    if (topUrls.get(tab) !== '') {
      topUrls.set(tab, '');
      await writeTop(tab, '');
    }
    return false;
  }
  topUrls.set(tab, d.url);
  lastWatchedTop.set(tab, d.url);
  await keepTop(tab, d.url);
  noteTabOfOrigin(d.url, tab);
  append(tab, { kind: 'navigation', url: d.url, time: d.timeStamp, tab_id: tab, transition: d.transition, origin: 'network' }, entry);
  return true;
}
