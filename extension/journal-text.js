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
 * What a streamed read hands on: `records(bodies)` gets chunk bodies (records'
 * JSON texts joined by commas, no brackets) in journal order, as soon as they
 * are known to be the journal's; `restart()` says that what it got so far is
 * no longer the start of the journal (records were evicted, or the journal
 * removed, while it was read): everything follows again.
 * @typedef {{ records(bodies: string[]): void, restart(): void }} JournalSink
 */

/**
 * A tab's stored journal as one JSON text (an array of records, led by a
 * `dropped` record when the budget evicted some), and `total`: how many records
 * were ever appended, the position after the last. Read by the worker and, for
 * kept journeys and exports, by the panel (`storage` has the shape of
 * chrome.storage.local).
 * @param {{ get(keys: string | string[]): Promise<Record<string, any>> }} storage
 * @param {import('./storage.js').JournalId} tab
 * @param {number} [guess] chunks asked for before the meta is known
 * @param {number} [part] older chunks asked for in one `get`, once the meta is known
 * @returns {Promise<{ text: string, total: number }>}
 */
export async function readJournalText(storage, tab, guess = 16, part = 32) {
  /** @type {string[]} */
  let bodies = [];
  const sink = { records: (/** @type {string[]} */ b) => { bodies.push(...b); }, restart: () => { bodies = []; } };
  const { total } = await streamJournal(storage, tab, sink, guess, part);
  return { text: `[${bodies.join(',')}]`, total };
}

/**
 * Reads a tab's stored journal into `sink`, chunk by chunk as the `get`s
 * answer, so the reader can take in the first records while storage still
 * reads the rest; resolves to `total` once `sink` holds the whole journal.
 *
 * Never mixes two states of the journal: the newest chunk (which appends
 * rewrite) is always taken from the same `get` as the meta that names it;
 * older chunks never change until evicted, so they may come from an earlier
 * `get`. The first `get` asks for the meta and the first `guess` chunks
 * together (a short journal is read in one round trip); then the meta and the
 * newest chunks are asked again in one `get`, and the older chunks still
 * missing in `get`s of at most `part` keys asked at the same time (storage
 * answers a few smaller `get`s sooner than one large one), and so on while
 * writes land in between. Older chunks go to `sink` as each `get` answers;
 * the newest last. When the journal's start moved meanwhile (an eviction), or
 * it was cleared and begun again, `sink` is told to start again.
 * @param {{ get(keys: string | string[]): Promise<Record<string, any>> }} storage
 * @param {import('./storage.js').JournalId} tab
 * @param {JournalSink} sink
 * @param {number} [guess]
 * @param {number} [part]
 * @returns {Promise<{ total: number }>}
 */
export async function streamJournal(storage, tab, sink, guess = 16, part = 32) {
  const metaKey = KEY.meta(tab);
  /** @param {number} n */
  const chunkKey = (n) => KEY.chunk(tab, n);
  /** Chunks read while they were not the newest: they stay as read. @type {Map<number, unknown>} */
  const settled = new Map();
  /** Which journal `sink` holds, where it starts (first chunk, evictions) and the next chunk it needs. @type {{ born: number | undefined, first: number, evicted: number, next: number } | null} */
  let given = null;
  const keys = [metaKey];
  for (let n = 0; n < guess; n++) keys.push(chunkKey(n));
  /** Older chunks to ask for beside `keys`, in `get`s of their own. @type {string[]} */
  let older = [];
  for (let attempt = 0; ; attempt++) {
    const asked = [storage.get(keys)];
    for (let i = 0; i < older.length; i += part) asked.push(storage.get(older.slice(i, i + part)));
    // Each is awaited in turn; one that fails before its turn is not left unhandled meanwhile.
    for (const p of asked) p.catch(() => {});
    // The meta and the newest chunk come from the same `get` (the first).
    const head = await asked[0];
    /** @type {{ first?: number, next?: number, count?: number, evicted?: number, evictedKinds?: Record<string, number>, dropped?: number, born?: number } | undefined} */
    const meta = head[metaKey];
    if (!meta) {
      if (given) sink.restart();
      return { total: 0 };
    }
    const first = meta.first ?? 0;
    const next = meta.next ?? 0;
    // A journal written before budgets were kept in bytes: `dropped` counted evictions.
    const evicted = meta.evicted ?? meta.dropped ?? 0;
    // Another journal (cleared and begun again: `born` differs, or, for a
    // journal written before it was kept, one shorter than what was handed on),
    // or records evicted: what was handed on is no longer its start.
    if (given && (given.born !== meta.born || given.first !== first || given.evicted !== evicted || next - 1 < given.next)) {
      sink.restart();
      given = null;
    }
    if (!given) {
      given = { born: meta.born, first, evicted, next: first };
      if (evicted > 0) {
        sink.records([JSON.stringify({ kind: 'dropped', count: evicted, kinds: meta.evictedKinds || {}, reason: 'journal_budget', time: null })]);
      }
    }
    const from = given;
    /** Keeps the older chunks `got` holds and hands on those next in line. @param {Record<string, unknown>} got */
    const take = (got) => {
      for (let n = from.next; n < next - 1; n++) {
        const k = chunkKey(n);
        if (k in got && !settled.has(n)) settled.set(n, got[k]);
      }
      const bodies = [];
      for (; from.next < next - 1 && settled.has(from.next); from.next++) {
        const body = chunkBody(settled.get(from.next));
        settled.delete(from.next);
        if (body) bodies.push(body);
      }
      if (bodies.length) sink.records(bodies);
    };
    take(head);
    for (const more of asked.slice(1)) take(await more);
    const newest = chunkKey(next - 1);
    if (from.next >= next - 1 && (next <= first || newest in head)) {
      if (next > first) {
        const body = chunkBody(head[newest]);
        if (body) sink.records([body]);
      }
      return { total: (meta.count ?? 0) + evicted };
    }
    if (attempt > 20) throw new Error('the journal kept changing while it was read');
    // What is missing, the meta again, and the newest chunk with two after it
    // (writes landing meanwhile rarely add more).
    keys.length = 0;
    keys.push(metaKey);
    for (let n = next - 1; n < next + 2; n++) keys.push(chunkKey(n));
    older = [];
    for (let n = from.next; n < next - 1; n++) if (!settled.has(n)) older.push(chunkKey(n));
  }
}

/**
 * A sink for a reader that is not ready when the first parts come (a woken
 * worker's wasm still loading): parts wait and go first, in order, once
 * `open()` is called; after that each goes on as it comes. `restart` drops
 * what waits, and tells the reader to start over once it was open. After
 * `close()` (the read failed) nothing more reaches the reader.
 * @param {{ add(bodies: string[]): void, restart(): void }} reader
 * @returns {JournalSink & { open(): void, close(): void }}
 */
export function lateSink(reader) {
  let open = false;
  let closed = false;
  /** @type {string[]} */
  let waiting = [];
  return {
    records(bodies) {
      if (closed) return;
      if (open) reader.add(bodies);
      else waiting.push(...bodies);
    },
    restart() {
      waiting = [];
      if (open && !closed) reader.restart();
    },
    open() {
      if (open || closed) return;
      open = true;
      if (waiting.length) reader.add(waiting.splice(0));
    },
    close() {
      closed = true;
      waiting = [];
    },
  };
}

/**
 * A journal handed to the Rust panel as it is read (the bridge's `journal()`):
 * `next()` resolves to the next part, in order: `{ records }` (a JSON array
 * text; parts waiting together are joined into one), `{ restart: true }`,
 * then `{ done: true, total, review }` or `{ error }`. `sink` is what
 * `streamJournal` writes to; `put` adds any part.
 */
export function journalFeed() {
  /** @type {({ records: string[] } | { restart: true } | { done: true, total: number, review: object | null } | { error: string })[]} */
  const parts = [];
  /** @type {(() => void) | null} */
  let wake = null;
  /** @param {(typeof parts)[number]} part */
  const put = (part) => {
    // What a restart voids need not cross into the panel at all.
    if ('restart' in part) parts.length = 0;
    const last = parts[parts.length - 1];
    if (last && 'records' in last && 'records' in part) last.records.push(...part.records);
    else parts.push(part);
    if (wake) {
      const w = wake;
      wake = null;
      w();
    }
  };
  /** @type {JournalSink} */
  const sink = { records: (bodies) => put({ records: [...bodies] }), restart: () => put({ restart: true }) };
  return {
    put,
    sink,
    async next() {
      while (!parts.length) await new Promise((r) => { wake = () => r(undefined); });
      const part = /** @type {(typeof parts)[number]} */ (parts.shift());
      return 'records' in part ? { records: `[${part.records.join(',')}]` } : part;
    },
  };
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
