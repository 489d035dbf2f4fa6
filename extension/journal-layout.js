// @ts-check
// How a batch of records lands in a journal's chunks: the storage writes of
// one append (journal-store.js decides what is kept; this places it). Keys are
// storage.js's, the chunk format journal-text.js's.
//
// A chunk holds up to `chunk` records. A large record (a pasted Conversions API
// body, an order) gets a chunk of its own, which nothing is appended to after
// it: every append rewrites the newest chunk, and must not rewrite a paste.
// Past the journal budget the oldest chunks go, never the newest.
import { chunkRecords, chunkText, recordTexts } from './journal-text.js';
import { KEY, LIMITS } from './storage.js';

/** @typedef {import('./storage.js').Meta} Meta */
/** The worker's inbox key of a record: worker name and number. @typedef {{ w: string, n: number }} Seq */
/**
 * A record on its way to storage, with its JSON text; `settle` when the caller
 * waits for this record's own outcome (stored, or refused and why).
 * @typedef {{ record: { kind: string, [field: string]: any }, text: string, size: number, page: boolean, seq: Seq | null,
 *   checked: boolean, settle?: { resolve: () => void, reject: (e: Error) => void } }} Item
 */

/** @returns {Meta} */
// `born` tells a journal from one cleared and begun again under the same key (a
// reader that spans the two must start over).
export const freshMeta = () => ({ born: Date.now() + Math.random(), first: 0, next: 0, count: 0, evicted: 0, evictedKinds: {}, bytes: 0, pageBytes: 0, sizes: {}, committed: {} });

/**
 * The writes that add `batch` to a journal whose meta is `meta` (updated in
 * place) and whose newest chunk holds `tail` (its records' texts, when known).
 * @param {{ storage: import('./storage.js').Storage, id: import('./storage.js').JournalId, meta: Meta,
 *   tail: { n: number, texts: string[] } | undefined, batch: Item[], chunk: number, journalBudget: number }} plan
 */
export async function layOut({ storage, id, meta, tail, batch, chunk, journalBudget }) {
  let last = meta.next - 1;
  /** @type {string[]} */
  let current = [];
  if (last >= meta.first) {
    current = tail && tail.n === last ? tail.texts.slice() : recordTexts((await storage.get(KEY.chunk(id, last)))[KEY.chunk(id, last)]);
  }
  /** @type {Record<string, any>} */
  const writes = {};
  let pageAdded = 0;
  // Whether `current` differs from what is stored (a full or large chunk read back is not rewritten).
  let dirty = false;
  const big = (/** @type {number} */ n) => (meta.sizes[n] || [0, 0])[0] >= LIMITS.chunkBytes;
  for (const item of batch) {
    const alone = item.size >= LIMITS.chunkBytes;
    if (last < meta.first || current.length >= chunk || big(last) || (alone && current.length > 0)) {
      if (last >= meta.first && dirty) writes[KEY.chunk(id, last)] = chunkText(current);
      last += 1;
      current = [];
    }
    current.push(item.text);
    dirty = true;
    /** @type {[number, number]} */
    const size = meta.sizes[last] || [0, 0];
    size[0] += item.size;
    if (item.page) { size[1] += item.size; pageAdded += item.size; }
    meta.sizes[last] = size;
    meta.count += 1;
    meta.bytes += item.size;
    if (item.page) meta.pageBytes += item.size;
    if (item.seq) meta.committed[item.seq.w] = Math.max(meta.committed[item.seq.w] || 0, item.seq.n);
  }
  writes[KEY.chunk(id, last)] = chunkText(current);
  meta.next = last + 1;
  /** @type {string[]} */
  const removed = [];
  while (meta.bytes - meta.pageBytes > journalBudget && meta.first < last) {
    const k = KEY.chunk(id, meta.first);
    const old = chunkRecords(writes[k] ?? (await storage.get(k))[k]);
    for (const r of old) meta.evictedKinds[r.kind] = (meta.evictedKinds[r.kind] || 0) + 1;
    const [bytes, pageBytes] = meta.sizes[meta.first] || [0, 0];
    meta.count -= old.length;
    meta.evicted += old.length;
    meta.bytes -= bytes;
    meta.pageBytes -= pageBytes;
    delete meta.sizes[meta.first];
    delete writes[k];
    removed.push(k);
    meta.first += 1;
  }
  // When it last grew: a browser start keeps the newest journeys.
  meta.updated = Date.now();
  writes[KEY.meta(id)] = meta;
  return { writes, removed, pageAdded, tail: { n: last, texts: current } };
}

/**
 * Why a record cannot be kept, or null. Page records count against the page
 * budget (with `pageInFlight`: page bytes accepted but not yet written); the
 * user's pastes have a cap of their own.
 * @param {Item} item
 * @param {Meta} meta
 * @param {number} pageInFlight
 * @param {{ journal: number, page: number }} budget
 * @param {{ journal: number, page: number, user: number }} recordMax
 */
export function refusal(item, meta, pageInFlight, budget, recordMax) {
  if (item.page) {
    if (item.size > recordMax.page) return 'oversized';
    if (meta.pageBytes + pageInFlight + item.size > budget.page) return 'page_budget';
    return null;
  }
  const cap = item.record.origin === 'user' ? recordMax.user : recordMax.journal;
  return item.size > cap ? 'oversized' : null;
}

/**
 * Refusals not yet turned into a `dropped` record, per journal: reason → kind → count.
 * `take` turns them into one `dropped` record per reason, for the journal
 * where they happened.
 */
export function createRefusals() {
  /** @type {Map<number, Record<string, Record<string, number>>>} */
  const byTab = new Map();
  return {
    /**
     * @param {number} tab
     * @param {string} reason
     * @param {string} kind
     * @param {number} [n]
     */
    count(tab, reason, kind, n = 1) {
      let byReason = byTab.get(tab);
      if (!byReason) byTab.set(tab, (byReason = {}));
      byReason[reason] = byReason[reason] || {};
      byReason[reason][kind] = (byReason[reason][kind] || 0) + n;
    },
    /** @param {number} tab */
    has: (tab) => byTab.has(tab),
    /** @param {number} tab */
    delete: (tab) => byTab.delete(tab),
    clear: () => byTab.clear(),
    /**
     * @param {number} tab
     * @returns {Item[]}
     */
    take(tab) {
      const byReason = byTab.get(tab);
      byTab.delete(tab);
      return Object.entries(byReason || {}).map(([reason, kinds]) => {
        const count = Object.values(kinds).reduce((a, b) => a + b, 0);
        const record = { kind: 'dropped', count, kinds, reason, time: Date.now() };
        const text = JSON.stringify(record);
        return { record, text, size: text.length, page: false, seq: null, checked: true };
      });
    },
  };
}

/**
 * Positions for live announcements: per journal, how many records were ever
 * appended (kept, evicted and in flight); `announce` gives records theirs and
 * hands them to `onAccepted` at the end of the task (records of one task go
 * out together).
 * @param {(tab: number, records: any[], start: number) => void} onAccepted
 */
export function createAnnouncer(onAccepted) {
  /** @type {Map<number, number>} */
  const totals = new Map();
  /** @type {Map<number, { start: number, records: any[] }>} */
  const unannounced = new Map();
  return {
    /** @param {number} tab */
    has: (tab) => totals.has(tab),
    /**
     * @param {number} tab
     * @param {number} total
     */
    set: (tab, total) => { totals.set(tab, total); },
    /** @param {number} tab */
    delete: (tab) => totals.delete(tab),
    clear: () => totals.clear(),
    /**
     * @param {number} tab
     * @param {any[]} records
     */
    announce(tab, records) {
      const start = /** @type {number} */ (totals.get(tab));
      totals.set(tab, start + records.length);
      let q = unannounced.get(tab);
      if (!q) {
        const batch = { start, records: /** @type {any[]} */ ([]) };
        q = batch;
        unannounced.set(tab, batch);
        queueMicrotask(() => {
          unannounced.delete(tab);
          onAccepted(tab, batch.records, batch.start);
        });
      }
      q.records.push(...records);
    },
  };
}
