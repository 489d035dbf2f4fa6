// The panel's reader of a stored journal in parts (journal-parts.js) against
// the whole read (readJournalText), on the journal store as built
// (dist/chrome-test), with an in-memory storage of the chrome.storage.local
// shape: the parts, taken in as the panel does (a null starts again), must
// be the whole journal, whatever lands in storage while they are read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readJournalParts } from '../../dist/chrome-test/journal-parts.js';
import { createJournalStore, readJournalText } from '../../dist/chrome-test/journal-store.js';

function memoryStorage() {
  const data = new Map();
  const clone = (v) => JSON.parse(JSON.stringify(v));
  return {
    data,
    async get(keys) {
      const out = {};
      for (const k of [].concat(keys)) if (data.has(k)) out[k] = clone(data.get(k));
      return out;
    },
    async set(obj) { for (const [k, v] of Object.entries(obj)) data.set(k, clone(v)); },
    async remove(keys) { for (const k of [].concat(keys)) data.delete(k); },
  };
}

const rec = (i) => ({ kind: 'gesture', gesture: 'click', time: i });
const size = JSON.stringify(rec(0)).length;

/** Reads in parts as the panel takes them: each part's records appended, a null forgets them. */
async function takeParts(storage, tab, options = {}) {
  let records = [];
  const log = [];
  const { total } = await readJournalParts(storage, tab, (text) => {
    log.push(text === null ? null : JSON.parse(text).length);
    if (text === null) records = [];
    else records.push(...JSON.parse(text));
  }, options);
  return { records, total, log };
}

/**
 * The reader's view of `storage`, whose `get` lets `during(call)` run
 * (appends, evictions: the store itself reads `storage` directly) before each
 * answer; gets are answered in the order they were asked, as the browser does.
 */
function meddle(storage, during) {
  let calls = 0;
  let queue = Promise.resolve();
  return {
    calls: () => calls,
    get(keys) {
      const call = ++calls;
      const answer = queue.then(async () => {
        await during(call, keys);
        return storage.get(keys);
      });
      queue = answer.catch(() => {});
      return answer;
    },
  };
}

// Each test twice: chunks asked for before the meta is known, and only after.
for (const [name, shape] of [['chunks asked for ahead', {}], ['chunks asked for once the meta is known', { ahead: 0 }]]) {
  const take = (storage, tab, options = {}) => takeParts(storage, tab, { ...shape, ...options });
  test(`${name}: a quiet journal read in parts is the journal read whole, the dropped record first`, async () => {
    const storage = memoryStorage();
    const store = createJournalStore({ storage, chunk: 10, budget: { journal: 100 * size, page: 1000 } });
    for (let i = 0; i < 345; i++) store.append(1, rec(i));
    await store.idle(1);
    const whole = await readJournalText(storage, 1);
    const read = await take(storage, 1, { guess: 2, gets: 3 });
    assert.equal(read.records[0].kind, 'dropped');
    assert.deepEqual(read.records, JSON.parse(whole.text));
    assert.equal(read.total, whole.total);
    assert.equal(read.total, 345);
    assert.ok(read.log.length > 5, `in parts (${read.log.length})`);
    assert.ok(!read.log.includes(null));
    assert.deepEqual(await take(storage, 99), { records: [], total: 0, log: [] });
  });

  test(`${name}: parts are handed on while the rest is still being read`, async () => {
    const storage = memoryStorage();
    const store = createJournalStore({ storage, chunk: 10 });
    for (let i = 0; i < 200; i++) store.append(2, rec(i));
    await store.idle(2);
    let handed = 0;
    const seenAtGet = [];
    const m = meddle(storage, async () => { seenAtGet.push(handed); await new Promise((r) => setTimeout(r, 5)); });
    await readJournalParts(m, 2, () => { handed += 1; }, { ...shape, guess: 2, gets: 4 });
    // The gets after the first are asked for at once; their answers come one
    // after another, and each is handed on before the next is awaited.
    assert.ok(m.calls() >= 5, `${m.calls()} gets`);
    assert.ok(handed >= 20);
    assert.ok(seenAtGet.some((n) => n > 0 && n < handed), `parts handed before the last get: ${seenAtGet}`);
  });

  test(`${name}: records the worker appends during the read are read once, in order, never a mix`, async () => {
    const storage = memoryStorage();
    const store = createJournalStore({ storage, chunk: 4 });
    let next = 0;
    for (; next < 30; next++) store.append(3, rec(next));
    await store.idle(3);
    const m = meddle(storage, async (call) => {
      if (call <= 4) {
        for (const end = next + 5; next < end; next++) store.append(3, rec(next));
        await store.idle(3);
      }
    });
    const read = await take(m, 3, { guess: 2, gets: 2 });
    assert.equal(read.records.length, read.total, 'the total counts exactly the records read');
    assert.deepEqual(read.records.map((r) => r.time), [...Array(read.total).keys()]);
    assert.ok(read.total >= 45, `appends landing meanwhile were read too (${read.total})`);
    const whole = await readJournalText(storage, 3);
    assert.deepEqual(read.records, JSON.parse(whole.text), 'appends stopped: the same as a whole read now');
  });

  test(`${name}: a record appended to the newest chunk between two gets is read, never a stale newest chunk`, async () => {
    const storage = memoryStorage();
    const store = createJournalStore({ storage, chunk: 10 });
    for (let i = 0; i < 25; i++) store.append(8, rec(i));
    await store.idle(8);
    // The first get holds every chunk; the next ones (asked at once) only the
    // meta, which by then names a newest chunk one record longer.
    const m = meddle(storage, async (call) => { if (call === 2) { store.append(8, rec(25)); await store.idle(8); } });
    const read = await take(m, 8, { guess: 8, aheadGet: 8 });
    assert.equal(read.records.length, read.total, 'the total counts exactly the records read');
    assert.deepEqual(read.records.map((r) => r.time), [...Array(read.total).keys()]);
    assert.ok(read.total >= 25);
  });

  test(`${name}: a chunk evicted during the read makes the parts start again, with the new dropped record`, async () => {
    const storage = memoryStorage();
    const store = createJournalStore({ storage, chunk: 5, budget: { journal: 60 * size, page: 1000 } });
    let next = 0;
    for (; next < 50; next++) store.append(4, rec(next));
    await store.idle(4);
    const m = meddle(storage, async (call) => {
      // After the first get (meta and the oldest chunks, handed on): the budget evicts them.
      if (call === 2) {
        for (const end = next + 23; next < end; next++) store.append(4, rec(next));
        await store.idle(4);
      }
    });
    const read = await take(m, 4, { guess: 3, gets: 2 });
    assert.ok(read.log.includes(null), `started again: ${JSON.stringify(read.log)}`);
    const whole = await readJournalText(storage, 4);
    assert.equal(JSON.parse(whole.text)[0].kind, 'dropped');
    assert.deepEqual(read.records, JSON.parse(whole.text));
    assert.equal(read.total, whole.total);
    assert.equal(read.records[0].count + read.records.length - 1, 73, 'dropped + kept = appended');
  });

  test(`${name}: a journal cleared during the read reads as empty, never as a mix`, async () => {
    const storage = memoryStorage();
    const store = createJournalStore({ storage, chunk: 2 });
    for (let i = 0; i < 9; i++) store.append(5, rec(i));
    await store.idle(5);
    const m = meddle(storage, async (call) => { if (call === 2) await store.clear(5); });
    const read = await take(m, 5, { guess: 1, gets: 2 });
    assert.deepEqual(read.records, []);
    assert.equal(read.total, 0);
  });

  test(`${name}: a read holding less than the worker's total reads the newest chunk again`, async () => {
    const storage = memoryStorage();
    const store = createJournalStore({ storage, chunk: 4 });
    for (let i = 0; i < 10; i++) store.append(7, rec(i));
    await store.idle(7);
    // The worker answers once two more records it held are written, after the read's gets.
    let answer;
    const atLeast = new Promise((r) => { answer = r; });
    const m = meddle(storage, async (call) => {
      if (call === 1) setTimeout(async () => { store.append(7, rec(10)); store.append(7, rec(11)); await store.idle(7); answer(12); }, 10);
    });
    const read = await take(m, 7, { guess: 8, atLeast });
    assert.ok(m.calls() >= 2, 'read again');
    assert.deepEqual(read.records.map((r) => r.time), [...Array(12).keys()]);
    assert.equal(read.total, 12);
  });
}
