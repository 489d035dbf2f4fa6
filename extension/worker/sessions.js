// @ts-check
// Each tab's core session, derived from its journal and rebuilt from storage
// on demand (after a wake, or after the budget evicted records): the journal
// is the only state.
import { Session } from '../wasm/pixelproof_wasm.js';
import { lateSink, streamJournal } from '../journal-text.js';
import { journalId, local } from '../storage.js';
import { markOnce, storageReady, wasmReady } from './boot.js';
import { readReview } from './reviews.js';
import { topUrls } from './tab-state.js';

/**
 * A tab's core session and the journal position after the last record it took in.
 * @typedef {{ session: Session, applied: number }} Held
 * A session being built from the stored journal; batches written meanwhile
 * wait in `batches` (with their positions) and are added once it is built.
 * @typedef {{ built: Promise<Held>, batches: [number, string[]][], stale: boolean }} Building
 */
/** @type {Map<number, Held>} */
const sessions = new Map();
/** @type {Map<number, Building>} */
const building = new Map();

/** @param {number} tab */
export const hasSession = (tab) => sessions.has(tab);

/**
 * Runs a read of a tab's journal with its writes held (the journal store's
 * `holdingWrites`, handed over by journal.js, which imports this module).
 * @type {<T>(tab: number, read: () => Promise<T>) => Promise<T>}
 */
let holdWrites = (_tab, read) => read();
/** @param {typeof holdWrites} hold */
export function readsHeldBy(hold) {
  holdWrites = hold;
}

// Between the record texts of a batch handed to the core in one call
// (Session.addTexts): no JSON text holds it.
const SEPARATOR = '\u001e';

/**
 * Records written from position `start` (as their JSON texts); those the
 * session has already taken in (it was read from storage after they were
 * written) are skipped. The rest cross into the core in one call. A record the
 * core refuses costs no other.
 * @param {Held} held
 * @param {number} start
 * @param {string[]} records
 */
function takeIn(held, start, records) {
  const skip = Math.max(0, held.applied - start);
  if (skip >= records.length) return;
  const fresh = skip ? records.slice(skip) : records;
  held.applied = start + records.length;
  let refused;
  try {
    refused = held.session.addTexts(fresh.join(SEPARATOR), fresh.length);
  } catch (_) {
    // A text that held the separator (no record's JSON does): one at a time.
    refused = [];
    for (const [index, r] of fresh.entries()) {
      try {
        held.session.addText(r);
      } catch (e) {
        refused.push({ index, message: e instanceof Error ? e.message : String(e) });
      }
    }
  }
  for (const r of refused) console.warn(`PixelProof: record ${start + skip + r.index} refused by the core: ${r.message}`);
}

/**
 * Records the journal store has just written, from position `start`.
 * @param {number} tab
 * @param {number} start
 * @param {string[]} records
 */
export function written(tab, start, records) {
  const held = sessions.get(tab);
  if (held) takeIn(held, start, records);
  else building.get(tab)?.batches.push([start, records]);
}

/** @param {number} tab */
export function forgetSession(tab) {
  sessions.delete(tab);
  const b = building.get(tab);
  if (b) b.stale = true;
}

/**
 * The tab's session, built from its stored journal when this worker has none.
 * @param {number} tab
 * @returns {Promise<Session>}
 */
export async function sessionFor(tab) {
  const held = sessions.get(tab);
  if (held) return held.session;
  let b = building.get(tab);
  if (!b) {
    /** @type {Building} */
    const fresh = { built: Promise.resolve(/** @type {any} */ (null)), batches: [], stale: false };
    fresh.built = build(tab, fresh);
    building.set(tab, fresh);
    b = fresh;
  }
  return (await b.built).session;
}

/**
 * Reads the journal (no writes are waited for: what they add comes through
 * `written`, by position) and hands it to the core part by part as storage
 * answers, so the first records are taken in while the rest is still read.
 * When records were evicted (or the tab cleared) while it was read, it reads
 * again, this time with the tab's writes held, so that a steady stream of
 * evicting writes cannot keep every read stale.
 * @param {number} tab
 * @param {Building} b
 * @returns {Promise<Held>}
 */
async function build(tab, b) {
  try {
    await storageReady;
    // The badge asks for the review fields next: read them meanwhile.
    readReview(tab).catch(() => {});
    let wasmIn = false;
    wasmReady.then(() => { wasmIn = true; }, () => {});
    for (let pass = 0; ; pass++) {
      /** @type {Session | null} */
      let session = null;
      const sink = lateSink({
        add(bodies) {
          session ??= new Session(undefined);
          try {
            // A record the core refuses is skipped there and costs no other.
            session.addJson(`[${bodies.join(',')}]`);
          } catch (e) {
            // Only a stored text that is no list at all: the journal stays as it is.
            console.warn('PixelProof: stored journal unreadable', e);
          }
        },
        restart() {
          session?.free();
          session = null;
        },
      });
      // Parts read before the wasm is ready wait for it, then go first.
      if (wasmIn) sink.open();
      else wasmReady.then(() => sink.open(), () => {});
      let total = 0;
      try {
        const read = () => streamJournal(local(), journalId(tab), sink);
        ({ total } = await (pass
          ? holdWrites(tab, () => {
            // What was evicted before this read began is in it, and nothing is written (nor cleared) during it.
            markOnce('pp:held-read');
            b.stale = false;
            b.batches = [];
            return read();
          })
          : read()));
        markOnce('pp:journal-read');
        await wasmReady;
      } catch (e) {
        // Nothing of a read that failed is kept, nor added later.
        sink.close();
        /** @type {Session | null} */ (session)?.free();
        throw e;
      }
      sink.open();
      session ??= new Session(undefined);
      const held = { session, applied: total };
      if (b.stale) {
        // Evicted or cleared while it was read: read again, writes held.
        held.session.free();
        continue;
      }
      for (const [start, records] of b.batches) takeIn(held, start, records);
      // Read ahead for a tab that turned out to show another site, with nothing
      // stored: not kept (Meta's pixel is on many sites; each would hold one).
      if (held.applied === 0 && topUrls.get(tab) === '') return held;
      sessions.set(tab, held);
      markOnce('pp:session');
      return held;
    }
  } finally {
    building.delete(tab);
  }
}
