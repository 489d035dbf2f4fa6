// @ts-check
// The per-tab journal in extension storage: append-only, chunked, held to a
// budget in bytes. Keys and limits are storage.js's; journal-layout.js places a
// batch in chunks and decides what is refused; journal-text.js reads it back.
//
// A chunk is stored as the JSON text of its records, so storage hands back one
// string per chunk and a reader that wants JSON (the core takes the journal as
// one JSON text) joins the chunks as they are. Appends are write-behind: a
// record is written as soon as the previous write for its tab finished,
// batched with whatever arrived meanwhile. Page-reported records have a budget
// and a size cap of their own, so a flood from the page can neither push out
// network hits nor fill the disk; everything else shares the journal budget,
// past which the oldest chunks go. Nothing goes silently: refused records
// become a `dropped` record where they were refused, evicted chunks one at the
// start of `read()`.
//
// `onAccepted(tab, records, start)` announces records with their positions
// (`start` counts everything ever appended) as soon as they are appended, so a
// live view need not wait for the disk; `onWritten(tab, records, evictedSome,
// seqs, texts, start)` runs once a batch is stored (`texts`: each record's
// JSON, which the worker's session reads as is); `onFailed(tab, error)` when a
// write fails (announced positions are then void). `seq` (`{w, n}`): the
// worker's inbox key of a record; the highest `n` per `w` is kept in the meta,
// in the same write, so a restarted worker replaying its inbox skips what is stored.

import { createAnnouncer, createRefusals, freshMeta, layOut, refusal } from './journal-layout.js';
import { createHolds } from './journal-holds.js';
import { readJournalText } from './journal-text.js';
import { KEY, LIMITS } from './storage.js';

export { readJournalText };

export const DEFAULT_BUDGET = { journal: LIMITS.journalBudget, page: LIMITS.pageBudget };
export const DEFAULT_RECORD_MAX = { journal: LIMITS.journalRecordMax, page: LIMITS.pageRecordMax, user: LIMITS.pasteMax };

/**
 * A journal record: `kind` and that kind's fields (crates/core/src/journal.rs).
 * @typedef {{ kind: string, [field: string]: any }} JournalRecord
 */
/** @typedef {import('./journal-layout.js').Seq} Seq */
/** @typedef {import('./journal-layout.js').Meta} Meta */
/** @typedef {import('./journal-layout.js').Item} Item */
/** @typedef {import('./storage.js').Storage} Storage */

/** @param {JournalRecord} record */
const isPage = (record) => record && record.origin === 'page';

/**
 * @param {{
 *   storage: Storage,
 *   budget?: { journal: number, page: number },
 *   recordMax?: { journal: number, page: number, user?: number },
 *   chunk?: number,
 *   idOf?: (tab: number) => import('./storage.js').JournalId,
 *   onAccepted?: (tab: number, records: JournalRecord[], start: number) => void,
 *   onWritten?: (tab: number, records: JournalRecord[], evictedSome: boolean, seqs: Seq[], texts: string[], start: number) => void,
 *   onFailed?: (tab: number, error: unknown) => void,
 * }} options
 */
export function createJournalStore({
  storage,
  budget = DEFAULT_BUDGET,
  recordMax: caps = DEFAULT_RECORD_MAX,
  chunk = LIMITS.chunkRecords,
  idOf = (tab) => tab,
  onAccepted = () => {},
  onWritten = () => {},
  onFailed = () => {},
}) {
  const recordMax = { ...DEFAULT_RECORD_MAX, ...caps };
  /** @param {number} tab */
  const metaKey = (tab) => KEY.meta(idOf(tab));
  /**
   * @param {number} tab
   * @param {number} n
   */
  const chunkKey = (tab, n) => KEY.chunk(idOf(tab), n);
  /** @type {Map<number, Item[]>} */
  const pending = new Map(); // tab → [{record, text, size, page, seq, checked}]
  /** @type {Map<number, Promise<void>>} */
  const writing = new Map();
  // Write-through copies of each tab's meta and newest chunk: this store is the
  // only writer, so after the first read an append costs one storage write.
  /** @type {Map<number, Meta>} */
  const metas = new Map();
  /** @type {Map<number, { n: number, texts: string[] }>} */
  const tails = new Map(); // tab → { n, texts: each record's JSON }
  // Page bytes accepted but not yet written, per tab: the budget counts them.
  /** @type {Map<number, number>} */
  const pageInFlight = new Map();
  const refusals = createRefusals();
  const holds = createHolds();

  /**
   * @param {number} tab
   * @returns {Promise<Meta>}
   */
  async function readMeta(tab) {
    const known = metas.get(tab);
    if (known) return structuredClone(known);
    const got = (await storage.get(metaKey(tab)))[metaKey(tab)];
    if (!got) return freshMeta();
    // A journal written before budgets were kept in bytes: `dropped` counted evictions.
    return { ...freshMeta(), evicted: got.dropped || 0, ...got };
  }

  /** @param {number} tab */
  async function read(tab) {
    return (await readWithTotal(tab)).records;
  }

  /** The records, and how many were ever appended (the position after the last). @param {number} tab */
  async function readWithTotal(tab) {
    await idle(tab);
    const { text, total } = await readJournalText(storage, idOf(tab));
    return { records: /** @type {JournalRecord[]} */ (JSON.parse(text)), total };
  }

  /**
   * Everything appended so far, as one JSON text, and its total (see
   * `readJournalText`); waits for the writes in progress first.
   * @param {number} tab
   */
  async function readText(tab) {
    await idle(tab);
    return readJournalText(storage, idOf(tab));
  }

  // Live announcements: once a tab's meta is known, a record gets its position
  // the moment it is appended, so a live view never waits behind a write.
  const totals = createAnnouncer(onAccepted);
  const announce = totals.announce;

  /**
   * Decides on an item whose journal's meta is known: accepted (queued and
   * announced) or refused (counted, and its caller told when it waits).
   * @param {number} tab
   * @param {Item} item
   * @param {Meta} meta
   */
  function decide(tab, item, meta) {
    item.checked = true;
    const why = refusal(item, meta, pageInFlight.get(tab) || 0, budget, recordMax);
    if (!why) return accept(tab, item);
    refusals.count(tab, why, String(item.record.kind));
    item.settle?.reject(new Error(why === 'oversized' ? `${item.size} characters is over the limit of ${item.record.origin === 'user' ? recordMax.user : recordMax.journal}` : why));
  }

  /**
   * Counts `n` refusals of `kind` reported by someone else (the relay's own caps).
   * @param {number} tab
   * @param {string} reason
   * @param {string} kind
   * @param {number} n
   */
  function refused(tab, reason, kind, n) {
    refusals.count(tab, reason, kind, n);
    start(tab);
  }

  /**
   * @param {number} tab
   * @param {Item} item
   */
  function accept(tab, item) {
    if (item.page) pageInFlight.set(tab, (pageInFlight.get(tab) || 0) + item.size);
    queued(tab).push(item);
    if (totals.has(tab)) announce(tab, [item.record]);
  }

  /**
   * The records waiting to be written for `tab`.
   * @param {number} tab
   */
  function queued(tab) {
    let q = pending.get(tab);
    if (!q) pending.set(tab, (q = []));
    return q;
  }

  /**
   * @param {number} tab
   * @returns {Promise<void>}
   */
  function start(tab) {
    let w = writing.get(tab);
    if (!w) writing.set(tab, (w = flush(tab)));
    return w;
  }

  /**
   * Appends a record; resolves once everything appended so far is written.
   * `text`: the record's JSON when the caller has it. `confirm`: the promise
   * then settles on this record alone: resolved once it is stored, rejected
   * with the reason when it is refused or its write failed.
   * @param {number} tab
   * @param {JournalRecord} record
   * @param {Seq | null} [seq]
   * @param {{ text?: string, confirm?: boolean }} [options]
   */
  function append(tab, record, seq = null, { text = JSON.stringify(record), confirm = false } = {}) {
    /** @type {Item} */
    const item = { record, text, size: text.length, page: isPage(record), seq, checked: false };
    /** @type {Promise<void> | null} */
    const settled = confirm ? new Promise((resolve, reject) => { item.settle = { resolve, reject }; }) : null;
    const meta = metas.get(tab);
    // The meta is known: decide now, so a refused record is never announced.
    // Otherwise (the first append since the worker started) flush decides once it is read.
    if (meta) decide(tab, item, meta);
    else queued(tab).push(item);
    const written = start(tab);
    if (!settled) return written;
    written.catch(() => {}); // its failure rejects `settled`
    return settled;
  }

  /** @param {number} tab */
  async function flush(tab) {
    try {
      for (;;) {
        if (holds.waiting(tab)) await holds.handOver(tab); // held reads go between two batches
        if (!(pending.get(tab) || []).length && !refusals.has(tab)) break;
        const meta = await readMeta(tab);
        if (!totals.has(tab)) {
          // First write since the worker started: decide on what arrived so far,
          // then announce it, at positions after everything stored.
          totals.set(tab, meta.count + meta.evicted);
          const waiting = pending.get(tab) || [];
          pending.set(tab, []);
          metas.set(tab, structuredClone(meta));
          for (const item of waiting) {
            if (item.checked) accept(tab, item);
            else decide(tab, item, meta);
          }
        }
        for (const dropped of refusals.take(tab)) accept(tab, dropped);
        const batch = pending.get(tab) || [];
        pending.set(tab, []);
        if (!batch.length) continue;
        const start = meta.count + meta.evicted;
        const { writes, removed, pageAdded, tail } = await layOut({ storage, id: idOf(tab), meta, tail: tails.get(tab), batch, chunk, journalBudget: budget.journal });
        try {
          await storage.set(writes);
        } catch (e) {
          // Positions announced past the stored journal are void: start again from it.
          totals.delete(tab);
          metas.delete(tab);
          tails.delete(tab);
          pageInFlight.delete(tab);
          for (const item of batch) item.settle?.reject(e instanceof Error ? e : new Error(String(e)));
          onFailed(tab, e);
          throw e;
        }
        pageInFlight.set(tab, Math.max(0, (pageInFlight.get(tab) || 0) - pageAdded));
        metas.set(tab, structuredClone(meta));
        tails.set(tab, tail);
        for (const item of batch) item.settle?.resolve();
        if (removed.length) await storage.remove(removed);
        onWritten(tab, batch.map((i) => i.record), removed.length > 0, batch.flatMap((i) => (i.seq ? [i.seq] : [])), batch.map((i) => i.text), start);
      }
    } finally {
      writing.delete(tab);
      // After a failed write, reads still waiting get their turn from a new writer.
      if (holds.waiting(tab)) start(tab).catch(() => {});
    }
  }

  /** Runs `read` (of `tab`'s journal) with the tab's writes held (journal-holds.js); it must not wait for them. @type {<T>(tab: number, read: () => Promise<T>) => Promise<T>} */
  const holdingWrites = (tab, read) => holds.during(tab, read, () => { start(tab).catch(() => {}); });

  /** Resolves when every record appended so far for `tab` is written (and any held read is over). @param {number} tab */
  async function idle(tab) {
    for (let w = writing.get(tab); w; w = writing.get(tab)) await w.catch(() => {});
  }

  /**
   * The highest inbox number of worker `w` stored in `tab`'s journal (0 when none).
   * @param {number} tab
   * @param {string} w
   */
  async function committed(tab, w) {
    const meta = await readMeta(tab);
    return meta.committed[w] || 0;
  }

  /** @param {number} tab */
  async function clear(tab) {
    await idle(tab);
    pending.delete(tab);
    refusals.delete(tab);
    pageInFlight.delete(tab);
    const meta = await readMeta(tab);
    metas.delete(tab);
    tails.delete(tab);
    totals.delete(tab);
    const keys = [metaKey(tab)];
    for (let n = meta.first; n < meta.next; n++) keys.push(chunkKey(tab, n));
    await storage.remove(keys);
  }

  /** Forgets every cached meta and chunk (after storage was cleared underneath). */
  function reset() {
    for (const m of [pending, metas, tails, totals, pageInFlight, refusals]) m.clear();
  }

  return {
    append,
    refused,
    read,
    readWithTotal,
    readText,
    readMeta,
    committed,
    idle,
    holdingWrites,
    clear,
    reset,
  };
}
