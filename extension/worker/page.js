// @ts-check
// Evidence from the page: what the page hook reported (page-reported, which
// the page can forge) and what the relay observed itself in the isolated world
// (trusted gestures, the gesture watch, the page's count of pixel requests).
// The browser says which tab and frame sent it; the page does not get a vote.
import { PAGE_KINDS as PAGE, RELAY_KINDS as RELAY } from '../wasm/contract.js';
import { LIMITS } from '../storage.js';
import { learnTopUrl, tabTopUrl } from './capture.js';
import { append, journal } from './journal.js';
import { askForListing } from './listing.js';
import { previousTop } from './tab-state.js';
import { originMatches, watchedOrigins } from './watch.js';

// Records the page hook may send (checked by the relay, checked again here),
// and those the relay observes itself, in the isolated world: the core's lists.
/** @type {Set<string>} */
const PAGE_KINDS = new Set(PAGE);
/** @type {Set<string>} */
const RELAY_KINDS = new Set(RELAY);
// A GET pixel request's URL, as the relay lists it from Resource Timing.
const LISTED_URL = /^https:\/\/(?:[a-z0-9-]+\.)*(?:facebook|instagram)\.com\/tr\/?\?/;

/**
 * @typedef {{ t: 'page', sender: { tabId: number, frameId: number | undefined, url: string | null, leaving?: boolean },
 *   msg: { records: unknown, observed: unknown, refused: unknown, hook_caps?: unknown, doc?: unknown } }} PageEntry
 * @typedef {import('./journal.js').JournalRecord} JournalRecord
 */

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
const stamped = (claimed, at) => (typeof claimed === 'number' && claimed >= at - LIMITS.pageLagMs && claimed <= at + LIMITS.pageLeadMs ? claimed : at);

/**
 * @param {PageEntry & { w: string, n: number, at: number }} entry
 * @returns {Promise<boolean>} whether a record was appended
 */
export async function onPageRecords({ sender, msg, at, ...entry }) {
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
    const page = prev && at - prev.at < LIMITS.leavingGraceMs ? prev.url : known;
    main = Boolean(page) && sender.url === page;
    top = page;
  }
  if (!top || !originMatches(top, watched)) return false;
  const context = {
    tab_id: tab,
    frame_id: main ? 0 : (sender.frameId ?? null),
    frame_type: main ? 'main' : 'sub',
    document_url: sender.url || null,
    top_url: top,
  };
  /** @type {JournalRecord[]} */
  const records = [];
  for (const r of /** @type {unknown[]} */ ([]).concat(msg.observed || []).slice(0, LIMITS.recordsPerMessage)) {
    if (!plainObject(r) || !RELAY_KINDS.has(r.kind)) continue;
    /** @type {JournalRecord} */
    const record = { kind: r.kind, time: stamped(r.time, at), context, origin: 'isolated' };
    if (r.kind === 'gesture') {
      record.gesture = ['click', 'submit', 'keydown'].includes(r.gesture) ? r.gesture : 'click';
      record.target = typeof r.target === 'string' ? r.target.slice(0, 200) : null;
    } else if (r.kind === 'request_count') {
      if (!Number.isInteger(r.count) || r.count < 0) continue;
      record.count = Math.min(r.count, 1e7);
    } else if (r.kind === 'listed_request') {
      // A URL from the page's Resource Timing: page-reported (it only ever
      // adds doubt), held to the page's budget, redacted like a request.
      if (typeof r.url !== 'string' || r.url.length > LIMITS.pageRecordMax || !LISTED_URL.test(r.url)) continue;
      record.url = r.url;
      record.origin = 'page';
    }
    records.push(record);
  }
  let refused = typeof msg.refused === 'number' && Number.isInteger(msg.refused) && msg.refused > 0 ? Math.min(msg.refused, 1e6) : 0;
  for (const r of /** @type {unknown[]} */ ([]).concat(msg.records || []).slice(0, LIMITS.recordsPerMessage)) {
    if (!plainObject(r) || !PAGE_KINDS.has(r.kind)) { refused += 1; continue; }
    r.origin = 'page';
    r.context = context;
    r.time = stamped(r.time, at);
    if (JSON.stringify(r).length > LIMITS.pageRecordMax) { refused += 1; continue; }
    records.push(/** @type {JournalRecord} */ (r));
  }
  if (refused) journal.refused(tab, 'relay_caps', 'page_record', refused);
  // What the page hook's own ceiling held back, per kind (page-reported: it can only add doubt).
  for (const [kind, n] of plainObject(msg.hook_caps) ? Object.entries(msg.hook_caps) : []) {
    if (PAGE_KINDS.has(kind) && Number.isInteger(n) && n > 0) journal.refused(tab, 'hook_caps', kind, Math.min(n, 1e6));
  }
  // Appended in one task, they land in one storage write.
  for (const r of records) append(tab, r, entry);
  // A count from a document still there: the relay may hold URLs of hits never handed over.
  if (!sender.leaving && sender.frameId !== undefined && records.some((r) => r.kind === 'request_count')) {
    askForListing(tab, sender.frameId, msg.doc).catch(() => {});
  }
  return records.length > 0;
}
