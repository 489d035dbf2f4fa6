// @ts-check
// A stored journal read in parts, oldest first, for the panel: each part is
// handed on as soon as it and every part before it are in, so the panel takes
// in the start of a long journal while the rest is still being read. The
// layout is journal-store.js's (journal-layout.js places the chunks), the keys
// storage.js's; readJournalText (journal-text.js) reads the same journal as
// one text, with the same guarantees.
import { KEY, LIMITS } from './storage.js';

/** @typedef {{ first?: number, next?: number, count?: number, evicted?: number, evictedKinds?: Record<string, number>, dropped?: number }} StoredMeta */
/** A `get` asked for: its keys (the meta first when `withMeta`), its answer, and the meta's `next` known when it was asked. @typedef {{ keys: string[], withMeta: boolean, got: Promise<Record<string, any>>, next: number }} Asked */

/** A stored chunk as a JSON array text (this version stores text, earlier ones arrays). @param {unknown} value */
const chunkJson = (value) => (typeof value === 'string' ? value : JSON.stringify(Array.isArray(value) ? value : []));
/** A journal written before budgets were kept in bytes: `dropped` counted evictions. @param {StoredMeta} meta */
const evictedOf = (meta) => meta.evicted ?? meta.dropped ?? 0;
/**
 * Whether two metas name one state of the journal (every append counts).
 * @param {StoredMeta | null} a
 * @param {StoredMeta} b
 */
const sameState = (a, b) => !!a && a.count === b.count && a.next === b.next && a.first === b.first && evictedOf(a) === evictedOf(b);
/**
 * @param {number} from
 * @param {number} to
 */
const range = (from, to) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);

/**
 * Reads a tab's stored journal and calls `onPart(text)` with its parts in
 * order, a JSON array of records each: first the `dropped` record when the
 * budget evicted some, then each chunk. `onPart(null)` says that what was
 * handed so far is void (the oldest chunks were evicted, or the journal
 * cleared, while it was read): the parts start again from the first.
 * Resolves with `total` (how many records were ever appended, the position
 * after the last) once the last part is handed.
 *
 * Never mixes two states of the journal: a chunk is handed on only once a
 * later chunk is known to exist (only the newest chunk is ever rewritten, by
 * appends; older ones stay until evicted), and the newest one only from the
 * same `get` as the meta that names it, or an earlier one whose meta names
 * the same state (the same count of records appended). `atLeast` resolves to a total the
 * read must reach (the worker's, once all it appended is written; null when
 * unknown): when the read holds less, the newest chunk is read once more.
 * Before the meta is known, the first `get` asks for it and the first
 * `guess` chunks, and others at once for it and the chunks up to `ahead`
 * (about a full journal's worth), `aheadGet` a `get` (a chunk is judged by
 * the meta of its own `get`); what
 * is still missing then is asked for in `gets` `get`s at once. Their
 * answers come one after another and each is handed on as it comes.
 * @param {{ get(keys: string | string[]): Promise<Record<string, any>> }} storage
 * @param {import('./storage.js').JournalId} tab
 * @param {(text: string | null) => void} onPart
 * @param {{ guess?: number, ahead?: number, aheadGet?: number, gets?: number, atLeast?: Promise<number | null> }} [options]
 * @returns {Promise<{ total: number }>}
 */
export async function readJournalParts(storage, tab, onPart, { guess = 8, ahead = guess + Math.ceil(LIMITS.journalBudget / LIMITS.chunkBytes), aheadGet = 32, gets = 4, atLeast = Promise.resolve(null) } = {}) {
  const metaKey = KEY.meta(tab);
  /** @param {number} n */
  const chunkKey = (n) => KEY.chunk(tab, n);
  /** Chunks read when they were not the newest, by number. @type {Map<number, unknown>} */
  const settled = new Map();
  /** The state the parts handed so far come from (once `started`), and the next chunk to hand. */
  const handed = { started: false, first: 0, evicted: 0, next: 0 };
  /** @type {number | null | undefined} */
  let wanted;
  /** @type {Asked[]} */
  let asked = [ask([metaKey, ...range(0, guess).map(chunkKey)], true, 0)];
  for (let n = guess; n < ahead; n += aheadGet) asked.push(ask([metaKey, ...range(n, Math.min(ahead, n + aheadGet)).map(chunkKey)], true, 0));
  for (let round = 0; ; round++) {
    /** @type {StoredMeta | null} */
    let meta = null;
    /** The newest chunk, from the `get` of the latest meta. @type {{ value: unknown } | null} */
    let newest = null;
    for (const a of asked) {
      const got = await a.got;
      let next = a.next;
      if (a.withMeta) {
        const before = meta;
        meta = /** @type {StoredMeta | undefined} */ (got[metaKey]) || null;
        if (!meta) {
          if (handed.started) onPart(null);
          return { total: 0 };
        }
        next = meta.next ?? 0;
        follow(meta);
        // A meta of the same state as the one before keeps its newest chunk.
        const here = chunkKey(next - 1) in got ? { value: got[chunkKey(next - 1)] } : null;
        if (here || !sameState(before, meta)) newest = here;
      }
      for (const k of a.keys) {
        const n = Number(k.slice(k.lastIndexOf(':') + 1));
        if (k !== metaKey && k in got && n < next - 1) settled.set(n, got[k]);
      }
      handOn(next - 1);
    }
    const m = /** @type {StoredMeta} */ (meta);
    const h = handed;
    const next = m.next ?? 0;
    const empty = next <= (m.first ?? 0);
    if (h.next >= next - 1 && (newest || empty)) {
      const total = (m.count ?? 0) + evictedOf(m);
      if (wanted === undefined) wanted = await atLeast;
      if (wanted == null || total >= wanted) {
        if (newest && !empty) onPart(chunkJson(newest.value));
        return { total };
      }
      wanted = null; // read once more, as for a whole read
    }
    if (round > 20) throw new Error('the journal kept changing while it was read');
    // What is missing, in `gets` parts; then the meta, with the newest chunk
    // and two after it (writes landing meanwhile rarely add more).
    const missing = range(h.next, next - 1).filter((n) => !settled.has(n));
    const size = Math.max(1, Math.ceil(missing.length / gets));
    asked = [];
    for (let i = 0; i < missing.length; i += size) asked.push(ask(missing.slice(i, i + size).map(chunkKey), false, next));
    asked.push(ask([metaKey, ...range(Math.max(h.next, next - 1), next + 2).map(chunkKey)], true, next));
  }

  /**
   * @param {string[]} keys
   * @param {boolean} withMeta
   * @param {number} next
   * @returns {Asked}
   */
  function ask(keys, withMeta, next) {
    return { keys, withMeta, got: storage.get(keys), next };
  }

  /** Starts handing parts from the state `meta` names, or starts again when it is another. @param {StoredMeta} meta */
  function follow(meta) {
    const first = meta.first ?? 0;
    const next = meta.next ?? 0;
    const evicted = evictedOf(meta);
    if (handed.started) {
      if (first === handed.first && evicted === handed.evicted && next >= handed.next) return;
      // Cleared (it starts again, lower): no chunk read before is of this journal.
      if (next < handed.next || first < handed.first) settled.clear();
      for (const n of [...settled.keys()]) if (n < first) settled.delete(n);
      onPart(null);
    }
    Object.assign(handed, { started: true, first, evicted, next: first });
    if (evicted > 0) onPart(`[${JSON.stringify({ kind: 'dropped', count: evicted, kinds: meta.evictedKinds || {}, reason: 'journal_budget', time: null })}]`);
  }

  /** Hands on the settled chunks in order, up to (not including) `to`. @param {number} to */
  function handOn(to) {
    while (handed.next < to && settled.has(handed.next)) {
      onPart(chunkJson(settled.get(handed.next)));
      handed.next += 1;
    }
  }
}
