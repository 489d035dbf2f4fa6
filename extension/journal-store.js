// @ts-check
// The per-tab journal in extension storage: append-only, chunked, held to a
// budget in bytes.
//
// Records are written in chunks of `chunk` under `chunk:<tab>:<n>`, with a
// `meta:<tab>` entry (first/next chunk, count, bytes kept, what was dropped).
// A chunk is stored as the JSON text of its array of records, not as the array:
// storage then hands back one string per chunk instead of building every
// record as an object, and a reader that wants JSON (the wasm core takes the
// journal as one JSON text) joins the chunks as they are. Reading 10,000
// records took ~250 ms as objects and ~50 ms as text (Chromium 156, measured
// from an extension page). Chunks stored as arrays by earlier versions are
// still read.
// Appends are write-behind: a record is written as soon as the previous write
// for its tab finished, batched with whatever arrived meanwhile.
// `storage` has the shape of chrome.storage.local (get/set/remove, promises).
//
// Budgets (bytes of each record's JSON):
//   * page-reported records (`origin: "page"`, which the page can forge) have a
//     budget of their own and a size cap per record; past either, they are
//     refused, so a flood from the page can neither push out network hits nor
//     fill the disk;
//   * everything else (network hits, navigations, trusted gestures, the user's
//     pastes) shares the journal budget; past it the oldest chunks go.
// Nothing goes silently: refused records become a `dropped` record in the
// journal at the point they were refused (how many, of which kind, why), and
// evicted chunks a `dropped` record at the start of `read()`.
//
// `onAccepted(tab, records, start)` announces records with their positions
// (`start` counts everything ever appended, kept or evicted) as soon as they
// are appended, so a live view need not wait for the disk; `onWritten(tab,
// records, evictedSome, seqs, texts, start)` runs once a batch is stored
// (`texts`: each record's JSON, made once for its size, which the worker's
// session reads instead of stringifying the record again; `start`: the
// position of its first record); `onFailed(tab,
// error)` when a write fails (that batch is not in the journal and announced
// positions are void). Chunks are small (100) because every append rewrites
// the newest chunk.
//
// `seq` (optional, `{w, n}`): the worker's inbox key of a record. The highest
// `n` per `w` stored for a tab is kept in its meta, in the same write as the
// records, so a restarted worker replaying its inbox skips what is stored.

import { readJournalText } from './journal-text.js';

export { readJournalText };

export const DEFAULT_BUDGET = {
  // A 10,000-hit journey with its page records is about 5 MB.
  journal: 12 * 1024 * 1024,
  // Generous for fbq calls, inventories and FB_LOG messages of a long journey
  // (~2,000 records); a page cannot take more of the disk than this.
  page: 1024 * 1024,
};
export const DEFAULT_RECORD_MAX = {
  // A pixel request's URL and body: beacons are limited to 64 KB by browsers.
  journal: 128 * 1024,
  // The hook keeps its records under 12 KB and the relay refuses over 16 KB.
  page: 16 * 1024,
};

/**
 * A journal record: `kind` and that kind's fields (crates/core/src/journal.rs).
 * @typedef {{ kind: string, [field: string]: any }} JournalRecord
 */
/** The worker's inbox key of a record: worker name and number. @typedef {{ w: string, n: number }} Seq */
/**
 * What is kept per tab beside its chunks.
 * @typedef {{ first: number, next: number, count: number, evicted: number, evictedKinds: Record<string, number>,
 *   bytes: number, pageBytes: number, sizes: Record<number, [number, number]>, committed: Record<string, number> }} Meta
 */
/** A record on its way to storage, with its JSON text. @typedef {{ record: JournalRecord, text: string, size: number, page: boolean, seq: Seq | null, checked: boolean }} Item */
/** Refusals per reason, then per record kind. @typedef {Record<string, Record<string, number>>} Refusals */
/**
 * The part of chrome.storage.local this uses (a Map stands in for it in the tests).
 * @typedef {{ get(keys: string | string[]): Promise<Record<string, any>>, set(items: Record<string, any>): Promise<void>,
 *   remove(keys: string | string[]): Promise<void> }} Storage
 */

/** @param {JournalRecord} record */
const isPage = (record) => record && record.origin === 'page';

/**
 * @param {{
 *   storage: Storage,
 *   budget?: { journal: number, page: number },
 *   recordMax?: { journal: number, page: number },
 *   chunk?: number,
 *   onAccepted?: (tab: number, records: JournalRecord[], start: number) => void,
 *   onWritten?: (tab: number, records: JournalRecord[], evictedSome: boolean, seqs: Seq[], texts: string[], start: number) => void,
 *   onFailed?: (tab: number, error: unknown) => void,
 * }} options
 */
export function createJournalStore({
  storage,
  budget = DEFAULT_BUDGET,
  recordMax = DEFAULT_RECORD_MAX,
  chunk = 100,
  onAccepted = () => {},
  onWritten = () => {},
  onFailed = () => {},
}) {
  /** @param {number} tab */
  const metaKey = (tab) => `meta:${tab}`;
  /**
   * @param {number} tab
   * @param {number} n
   */
  const chunkKey = (tab, n) => `chunk:${tab}:${n}`;
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
  // Refusals not yet turned into a `dropped` record: tab → {reason → {kind → n}}.
  /** @type {Map<number, Refusals>} */
  const refusals = new Map();

  /** @returns {Meta} */
  const fresh = () => ({ first: 0, next: 0, count: 0, evicted: 0, evictedKinds: {}, bytes: 0, pageBytes: 0, sizes: {}, committed: {} });

  /**
   * @param {number} tab
   * @returns {Promise<Meta>}
   */
  async function readMeta(tab) {
    const known = metas.get(tab);
    if (known) return structuredClone(known);
    const got = (await storage.get(metaKey(tab)))[metaKey(tab)];
    if (!got) return fresh();
    // A journal written before budgets were kept in bytes: `dropped` counted evictions.
    return { ...fresh(), evicted: got.dropped || 0, ...got };
  }

  /** @param {number} tab */
  async function read(tab) {
    return (await readWithTotal(tab)).records;
  }

  /** The records, and how many were ever appended (the position after the last). */
  /** @param {number} tab */
  async function readWithTotal(tab) {
    await idle(tab);
    const { text, total } = await readJournalText(storage, tab);
    return { records: /** @type {JournalRecord[]} */ (JSON.parse(text)), total };
  }

  /**
   * Everything appended so far, as one JSON text, and its total (see
   * `readJournalText`); waits for the writes in progress first.
   * @param {number} tab
   */
  async function readText(tab) {
    await idle(tab);
    return readJournalText(storage, tab);
  }

  // Live announcements. Once a tab's meta is known, a record gets its position
  // the moment it is appended (records of one task go out together), so a live
  // view never waits behind a write in progress.
  /** @type {Map<number, number>} */
  const totals = new Map(); // tab → records ever appended (kept + evicted + in flight)
  /** @type {Map<number, { start: number, records: JournalRecord[] }>} */
  const unannounced = new Map(); // tab → { start, records } to announce at the end of this task
  /**
   * @param {number} tab
   * @param {JournalRecord[]} records
   */
  const announce = (tab, records) => {
    const start = /** @type {number} */ (totals.get(tab));
    totals.set(tab, start + records.length);
    let q = unannounced.get(tab);
    if (!q) {
      const batch = { start, records: /** @type {JournalRecord[]} */ ([]) };
      q = batch;
      unannounced.set(tab, batch);
      queueMicrotask(() => {
        unannounced.delete(tab);
        onAccepted(tab, batch.records, batch.start);
      });
    }
    q.records.push(...records);
  };

  /**
   * @param {number} tab
   * @param {string} reason
   * @param {string} kind
   */
  const refuse = (tab, reason, kind) => {
    let byReason = refusals.get(tab);
    if (!byReason) refusals.set(tab, (byReason = {}));
    byReason[reason] = byReason[reason] || {};
    byReason[reason][kind] = (byReason[reason][kind] || 0) + 1;
  };

  /** Why a record cannot be kept, or null. Page records count against the page budget. */
  /**
   * @param {number} tab
   * @param {Item} item
   * @param {Meta} meta
   */
  function refusal(tab, item, meta) {
    if (item.page) {
      if (item.size > recordMax.page) return 'oversized';
      const used = meta.pageBytes + (pageInFlight.get(tab) || 0);
      if (used + item.size > budget.page) return 'page_budget';
    } else if (item.size > recordMax.journal) {
      return 'oversized';
    }
    return null;
  }

  /** Counts `n` refusals of `kind` reported by someone else (the relay's own caps). */
  /**
   * @param {number} tab
   * @param {string} reason
   * @param {string} kind
   * @param {number} n
   */
  function refused(tab, reason, kind, n) {
    for (let i = 0; i < n; i++) refuse(tab, reason, kind);
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
   * @param {number} tab
   * @param {JournalRecord} record
   * @param {Seq | null} [seq]
   */
  function append(tab, record, seq = null) {
    const text = JSON.stringify(record);
    /** @type {Item} */
    const item = { record, text, size: text.length, page: isPage(record), seq, checked: false };
    const meta = metas.get(tab);
    if (meta) {
      // The meta is known: decide now, so a refused record is never announced.
      item.checked = true;
      const why = refusal(tab, item, meta);
      if (why) refuse(tab, why, String(record.kind));
      else accept(tab, item);
    } else {
      // First append since the worker started: decided in flush, once the meta is read.
      queued(tab).push(item);
    }
    return start(tab);
  }

  // Turns the refusals counted so far into one `dropped` record per reason, in
  // the journal where they happened.
  /** @param {number} tab */
  function materialiseRefusals(tab) {
    const byReason = refusals.get(tab);
    if (!byReason) return;
    refusals.delete(tab);
    for (const [reason, kinds] of Object.entries(byReason)) {
      const count = Object.values(kinds).reduce((a, b) => a + b, 0);
      const record = { kind: 'dropped', count, kinds, reason, time: Date.now() };
      const text = JSON.stringify(record);
      accept(tab, { record, text, size: text.length, page: false, seq: null, checked: true });
    }
  }

  /** @param {number} tab */
  async function flush(tab) {
    try {
      while ((pending.get(tab) || []).length || refusals.has(tab)) {
        const meta = await readMeta(tab);
        if (!totals.has(tab)) {
          // First write since the worker started: decide on what arrived so far,
          // then announce it, at positions after everything stored.
          totals.set(tab, meta.count + meta.evicted);
          const waiting = pending.get(tab) || [];
          pending.set(tab, []);
          metas.set(tab, structuredClone(meta));
          for (const item of waiting) {
            if (item.checked) { accept(tab, item); continue; }
            item.checked = true;
            const why = refusal(tab, item, meta);
            if (why) refuse(tab, why, String(item.record.kind));
            else accept(tab, item);
          }
        }
        materialiseRefusals(tab);
        const batch = pending.get(tab) || [];
        pending.set(tab, []);
        if (!batch.length) continue;
        const start = meta.count + meta.evicted;
        let last = meta.next - 1;
        /** @type {string[]} */
        let current = [];
        if (last >= meta.first) {
          const tail = tails.get(tab);
          current = tail && tail.n === last ? tail.texts.slice() : recordTexts((await storage.get(chunkKey(tab, last)))[chunkKey(tab, last)]);
        }
        /** @type {Record<string, any>} */
        const writes = {};
        let pageAdded = 0;
        for (const item of batch) {
          if (last < meta.first || current.length >= chunk) {
            if (last >= meta.first) writes[chunkKey(tab, last)] = chunkText(current);
            last += 1;
            current = [];
          }
          current.push(item.text);
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
        writes[chunkKey(tab, last)] = chunkText(current);
        meta.next = last + 1;
        // Past the journal budget the oldest chunks go (never the newest).
        /** @type {string[]} */
        const removed = [];
        while (meta.bytes - meta.pageBytes > budget.journal && meta.first < last) {
          const k = chunkKey(tab, meta.first);
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
        writes[metaKey(tab)] = meta;
        try {
          await storage.set(writes);
        } catch (e) {
          // Positions announced past the stored journal are void: start again from it.
          totals.delete(tab);
          metas.delete(tab);
          tails.delete(tab);
          pageInFlight.delete(tab);
          onFailed(tab, e);
          throw e;
        }
        pageInFlight.set(tab, Math.max(0, (pageInFlight.get(tab) || 0) - pageAdded));
        metas.set(tab, structuredClone(meta));
        tails.set(tab, { n: last, texts: current });
        if (removed.length) await storage.remove(removed);
        onWritten(tab, batch.map((i) => i.record), removed.length > 0, batch.flatMap((i) => (i.seq ? [i.seq] : [])), batch.map((i) => i.text), start);
      }
    } finally {
      writing.delete(tab);
    }
  }

  /** Resolves when every record appended so far for `tab` is written. */
  /** @param {number} tab */
  async function idle(tab) {
    for (let w = writing.get(tab); w; w = writing.get(tab)) await w.catch(() => {});
  }

  /** The highest inbox number of worker `w` stored in `tab`'s journal (0 when none). */
  /**
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
    clear,
    reset,
  };
}

/** @param {string[]} texts each record's JSON */
const chunkText = (texts) => `[${texts.join(',')}]`;

/**
 * A stored chunk's records: JSON text (this version) or an array (earlier ones).
 * @param {unknown} value
 * @returns {JournalRecord[]}
 */
function chunkRecords(value) {
  if (typeof value === 'string') return JSON.parse(value);
  return Array.isArray(value) ? value : [];
}

/**
 * A stored chunk as its records' JSON texts (the newest chunk, which appends extend).
 * @param {unknown} value
 */
const recordTexts = (value) => chunkRecords(value).map((r) => JSON.stringify(r));
