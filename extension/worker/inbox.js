// @ts-check
// Every event is first put in an inbox in storage.session (memory held by the
// browser, not disk) in the same task it arrives, then handled in arrival
// order and moved to the journal; a worker stopped with a backlog replays the
// inbox of its predecessor when it starts again, so nothing it was handed is lost.
import { inboxAll, inboxDone, inboxPut, KEY } from '../storage.js';
import { ready, WORKER } from './boot.js';
import { onNavigation, onRequest, tabOfRequest } from './capture.js';
import { journal } from './journal.js';
import { onPageRecords } from './page.js';
import { hasSession, sessionFor } from './sessions.js';
import { topUrls } from './tab-state.js';

/**
 * An event in the inbox until its records are stored: a pixel request, a
 * navigation or a relay message, with this worker's name and number.
 * @typedef {import('./capture.js').Stamp} Stamp
 * @typedef {import('./capture.js').RequestEntry | import('./capture.js').NavEntry | import('./page.js').PageEntry} Entry
 * @typedef {Entry & Partial<Stamp>} NewEntry
 * @typedef {Entry & Stamp} InboxEntry
 */

let inboxN = 0;
let queue = ready.catch(() => {});

// Called in the listener's own task: the entry is handed to the browser before
// anything is awaited, then handled after everything that arrived before it.
/** @param {NewEntry} fresh */
export function enqueue(fresh) {
  const entry = /** @type {InboxEntry} */ (Object.assign(fresh, { w: WORKER, n: ++inboxN, at: Date.now() }));
  inboxPut(KEY.inbox(entry.w, entry.n), entry);
  // A woken worker starts reading the tab's journal now, while its wasm is
  // still compiling: the badge after this event needs the whole journey. Not
  // for a tab known to show an unwatched site (Meta's pixel is on many).
  const tab = entry.t === 'page' ? entry.sender.tabId : entry.t === 'request' ? entry.tab : -1;
  if (tab >= 0 && !hasSession(tab) && topUrls.get(tab) !== '') sessionFor(tab).catch(() => {});
  queue = queue.then(() => handleEntry(entry)).catch((e) => console.warn('PixelProof: event not recorded', e));
}

/** @param {InboxEntry} entry */
async function handleEntry(entry) {
  let appended = false;
  try {
    if (entry.t === 'request') appended = await onRequest(entry);
    else if (entry.t === 'nav') appended = await onNavigation(entry);
    else if (entry.t === 'page') appended = await onPageRecords(entry);
  } finally {
    if (!appended) inboxDone([KEY.inbox(entry.w, entry.n)]);
  }
}

// What a stopped worker was handed and did not store: replayed in arrival
// order, skipping what its journal already holds.
export async function replayInbox() {
  const mine = KEY.inbox(WORKER, '');
  const entries = (await inboxAll())
    .filter(([k]) => !k.startsWith(mine))
    .map(([, v]) => /** @type {InboxEntry & { tab?: number, d?: { tabId?: number }, sender?: { tabId: number } }} */ (v))
    .sort((a, b) => a.at - b.at || a.n - b.n);
  if (!entries.length) return;
  const stale = [];
  for (const entry of entries) {
    const tab = entry.t === 'request' ? tabOfRequest(entry.tab, entry.d.initiator) : entry.d?.tabId ?? entry.sender?.tabId;
    if (tab != null && tab >= 0 && entry.n <= (await journal.committed(tab, entry.w))) {
      stale.push(KEY.inbox(entry.w, entry.n));
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
