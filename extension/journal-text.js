// @ts-check
// A stored journal read as one JSON text: for the worker, which hands it
// to the core in one call, and for the panel, which reads it from storage
// itself. A module of its own (importing only the key shapes) so the panel can start reading
// while the rest of its code still loads. The layout it reads (chunks of JSON
// text, one meta entry per tab) is journal-store.js's; the keys are storage.js's.
import { KEY } from './storage.js';

/**
 * The records of a stored chunk as JSON text without its brackets ('' when empty).
 * @param {unknown} value
 */
function chunkBody(value) {
  const text = typeof value === 'string' ? value : JSON.stringify(Array.isArray(value) ? value : []);
  return text.slice(1, -1).trim();
}

/**
 * A tab's stored journal as one JSON text (an array of records, led by a
 * `dropped` record when the budget evicted some), and `total`: how many records
 * were ever appended, the position after the last. Read by the worker and, for
 * the panel, straight from storage (`storage` has the shape of
 * chrome.storage.local).
 *
 * Never mixes two states of the journal: the newest chunk (which appends
 * rewrite) is always taken from the same `get` as the meta that names it;
 * older chunks never change until evicted, so they may come from an earlier
 * `get`. The first `get` asks for the meta and the first `guess` chunks
 * together (a short journal is read in one round trip); then the meta and the
 * newest chunks are asked again in one `get`, and the older chunks still
 * missing in `get`s of at most `part` keys asked at the same time (storage
 * answers a few smaller `get`s sooner than one large one), and so on while
 * writes land in between.
 * @param {{ get(keys: string | string[]): Promise<Record<string, any>> }} storage
 * @param {import('./storage.js').JournalId} tab
 * @param {number} [guess] chunks asked for before the meta is known
 * @param {number} [part] older chunks asked for in one `get`, once the meta is known
 * @returns {Promise<{ text: string, total: number }>}
 */
export async function readJournalText(storage, tab, guess = 8, part = 32) {
  const metaKey = KEY.meta(tab);
  /** @param {number} n */
  const chunkKey = (n) => KEY.chunk(tab, n);
  /** Chunks read while they were not the newest: they stay as read. @type {Map<number, unknown>} */
  const settled = new Map();
  const keys = [metaKey];
  for (let n = 0; n < guess; n++) keys.push(chunkKey(n));
  /** Older chunks to ask for beside `keys`, in `get`s of their own. @type {string[]} */
  let older = [];
  for (let attempt = 0; ; attempt++) {
    const asked = [storage.get(keys)];
    for (let i = 0; i < older.length; i += part) asked.push(storage.get(older.slice(i, i + part)));
    // The meta and the newest chunk come from the same `get` (the first).
    const got = Object.assign({}, ...(await Promise.all(asked)).reverse());
    /** @type {{ first?: number, next?: number, count?: number, evicted?: number, evictedKinds?: Record<string, number>, dropped?: number } | undefined} */
    const meta = got[metaKey];
    if (!meta) return { text: '[]', total: 0 };
    const first = meta.first ?? 0;
    const next = meta.next ?? 0;
    const missing = [];
    for (let n = first; n < next; n++) {
      const k = chunkKey(n);
      if (k in got && n < next - 1) settled.set(n, got[k]);
      else if (!(k in got) && !settled.has(n)) missing.push(n);
      else if (!(k in got) && n === next - 1) missing.push(n);
    }
    if (missing.length === 0) {
      // A journal written before budgets were kept in bytes: `dropped` counted evictions.
      const evicted = meta.evicted ?? meta.dropped ?? 0;
      const parts = [];
      if (evicted > 0) {
        parts.push(JSON.stringify({ kind: 'dropped', count: evicted, kinds: meta.evictedKinds || {}, reason: 'journal_budget', time: null }));
      }
      for (let n = first; n < next; n++) {
        const body = chunkBody(n === next - 1 ? got[chunkKey(n)] : settled.get(n));
        if (body) parts.push(body);
      }
      return { text: `[${parts.join(',')}]`, total: (meta.count ?? 0) + evicted };
    }
    if (attempt > 20) throw new Error('the journal kept changing while it was read');
    // What is missing, the meta again, and the newest chunk with two after it
    // (writes landing meanwhile rarely add more).
    keys.length = 0;
    keys.push(metaKey);
    for (let n = next - 1; n < next + 2; n++) keys.push(chunkKey(n));
    older = missing.filter((n) => n < next - 1).map(chunkKey);
  }
}

/** A chunk as stored: its records' JSON texts joined. @param {string[]} texts */
export const chunkText = (texts) => `[${texts.join(',')}]`;

/**
 * A stored chunk's records: JSON text (this version) or an array (earlier ones).
 * @param {unknown} value
 * @returns {{ kind: string, [field: string]: any }[]}
 */
export function chunkRecords(value) {
  if (typeof value === 'string') return JSON.parse(value);
  return Array.isArray(value) ? value : [];
}

/**
 * A stored chunk as its records' JSON texts (the newest chunk, which appends extend).
 * @param {unknown} value
 */
export const recordTexts = (value) => chunkRecords(value).map((r) => JSON.stringify(r));
