// @ts-check
// The worker's journal store (journal-store.js over storage.local): every
// record goes through the core's redaction on its way in, an open panel hears
// of each batch, and a written batch moves the session and the badge on.
import { EMAIL_HINT, REDACTED_KINDS } from '../wasm/contract.js';
import { redactJson } from '../wasm/pixelproof_wasm.js';
import { createJournalStore } from '../journal-store.js';
import { inboxDone, journalId, KEY, local } from '../storage.js';
import { scheduleBadge } from './badge.js';
import { forgetSession, readsHeldBy, written } from './sessions.js';

/**
 * A journal record (crates/core/src/journal.rs): `kind` and that kind's fields.
 * The core checks each one; here it is only built and passed on.
 * @typedef {{ kind: string, [field: string]: any }} JournalRecord
 */

export const journal = createJournalStore({
  storage: local(),
  idOf: journalId,
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
    inboxDone(seqs.map((s) => KEY.inbox(s.w, s.n)));
    // Evicted records leave the journal: the session is built again from what is kept.
    if (evictedSome) forgetSession(tab);
    // The store's JSON of each record (made for its size): the session reads
    // it as is rather than stringifying the record once more.
    else written(tab, start, texts);
    scheduleBadge(tab);
  },
});

// A session read overtaken by evictions reads again with the tab's writes held.
readsHeldBy((tab, read) => journal.holdingWrites(tab, read));

// Plain customer data never reaches the disk: the core replaces each plain
// advanced-matching value and each e-mail address (a page URL's `?email=`)
// with the SHA-256 of its normalised form (as Meta normalises it) and keeps an
// order's figures only. It decides alone which records need it: every record
// of a kind its contract lists, and any whose text holds what an address
// holds, goes through it as JSON text.
/** @type {Set<string>} */
const REDACTED = new Set(REDACTED_KINDS);
/**
 * The record as it may be stored, and its JSON text. One the core cannot
 * redact is not stored: a `dropped` note of its kind takes its place, so the
 * loss is said (and the journey is never go), never silent.
 * @param {JournalRecord} record
 * @returns {{ record: JournalRecord, text: string }}
 */
export function redacted(record) {
  const text = JSON.stringify(record);
  let out;
  try {
    out = REDACTED.has(record.kind) || EMAIL_HINT.test(text) ? redactJson(text) : undefined;
  } catch (e) {
    console.warn('PixelProof: a record could not be redacted and is not stored', e);
    const note = { kind: 'dropped', count: 1, kinds: { [String(record.kind)]: 1 }, reason: 'unredactable', time: Date.now() };
    return { record: /** @type {JournalRecord} */ (note), text: JSON.stringify(note) };
  }
  return out === undefined ? { record, text } : { record: JSON.parse(out), text: out };
}

/**
 * Appends a record handed over in inbox entry `entry`, redacted.
 * @param {number} tab
 * @param {JournalRecord} record
 * @param {{ w: string, n: number }} entry the inbox entry it came from
 */
export function append(tab, record, entry) {
  const safe = redacted(record);
  return journal.append(tab, safe.record, { w: entry.w, n: entry.n }, { text: safe.text }).catch((e) => console.warn('PixelProof: journal write failed', e));
}
