// The journal store as built (dist/chrome-test: its limits and key shapes come
// from the core's contract) without a browser: an in-memory storage with the
// chrome.storage.local shape.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createJournalStore, readJournalText } from '../../dist/chrome-test/journal-store.js';
import { KEY } from '../../dist/chrome-test/storage.js';
import { journalFeed, lateSink, streamJournal } from '../../dist/chrome-test/journal-text.js';

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

test('records appended without waiting are all written, in order', async () => {
  const storage = memoryStorage();
  const store = createJournalStore({ storage, cap: 10000, chunk: 7 });
  for (let i = 0; i < 100; i++) store.append(1, rec(i));
  await store.idle(1);
  const got = await store.read(1);
  assert.deepEqual(got.map((r) => r.time), [...Array(100).keys()]);
});

test('past the journal budget the oldest chunks go and a dropped record says how many of which kind', async () => {
  const storage = memoryStorage();
  const size = JSON.stringify(rec(0)).length;
  const store = createJournalStore({ storage, chunk: 100, budget: { journal: 1000 * size, page: 1000 } });
  for (let i = 0; i < 1234; i++) store.append(7, rec(i));
  await store.idle(7);
  const got = await store.read(7);
  assert.deepEqual({ ...got[0], count: 0 }, { kind: 'dropped', count: 0, kinds: { gesture: got[0].count }, reason: 'journal_budget', time: null });
  const kept = got.slice(1);
  assert.equal(got[0].count + kept.length, 1234, 'dropped + kept = appended');
  assert.ok(kept.length >= 900 && kept.length <= 1000, `${kept.length} kept`);
  assert.deepEqual(kept.map((r) => r.time), [...Array(kept.length).keys()].map((i) => 1234 - kept.length + i), 'the newest, in order');
});

const pageRecord = (i, pad = 0) => ({ kind: 'fbq_call', method: 'track', args: ['Lead', 'x'.repeat(pad)], time: i, origin: 'page' });
const hit = (i) => ({ kind: 'request', url: `https://www.facebook.com/tr/?id=1&ev=ViewContent&eid=e${i}`, method: 'GET', time: i, origin: 'network' });

test('page records past their own budget are refused, said where it happened, and never push out network hits', async () => {
  const storage = memoryStorage();
  const store = createJournalStore({ storage, chunk: 10, budget: { journal: 1e6, page: 20 * JSON.stringify(pageRecord(1000)).length } });
  for (let i = 0; i < 5; i++) store.append(2, hit(i));
  // A flood from the page: 500 records, with network hits among them.
  for (let i = 0; i < 500; i++) {
    store.append(2, pageRecord(1000 + i));
    if (i % 100 === 0) store.append(2, hit(5 + i / 100));
  }
  await store.idle(2);
  const got = await store.read(2);
  const hits = got.filter((r) => r.kind === 'request');
  assert.deepEqual(hits.map((r) => r.time), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'every network hit is kept');
  const pages = got.filter((r) => r.kind === 'fbq_call');
  assert.equal(pages.length, 20, 'page records up to their budget');
  const drops = got.filter((r) => r.kind === 'dropped');
  assert.ok(drops.length >= 1);
  assert.equal(drops.reduce((n, d) => n + d.count, 0), 480, 'every refused page record is counted');
  assert.ok(drops.every((d) => d.reason === 'page_budget' && Object.keys(d.kinds).join() === 'fbq_call'));
});

test('a record over its size cap is refused and counted', async () => {
  const storage = memoryStorage();
  const store = createJournalStore({ storage, recordMax: { journal: 1000, page: 300 } });
  store.append(4, pageRecord(0, 400));
  store.append(4, hit(1));
  store.append(4, { ...hit(2), url: 'https://www.facebook.com/tr/?' + 'a'.repeat(2000) });
  await store.idle(4);
  const got = await store.read(4);
  assert.deepEqual(got.filter((r) => r.kind !== 'dropped').map((r) => r.time), [1]);
  const drops = got.filter((r) => r.kind === 'dropped');
  assert.deepEqual(drops.map((d) => [d.reason, d.kinds]), [['oversized', { fbq_call: 1, request: 1 }]]);
});

test('refusals a caller reports (the relay\'s own caps) become a dropped record too', async () => {
  const storage = memoryStorage();
  const store = createJournalStore({ storage });
  store.append(6, hit(0));
  await store.idle(6);
  store.refused(6, 'relay_caps', 'page_record', 3);
  await store.idle(6);
  const got = await store.read(6);
  assert.deepEqual(got.map((r) => r.kind), ['request', 'dropped']);
  assert.deepEqual([got[1].count, got[1].reason, got[1].kinds], [3, 'relay_caps', { page_record: 3 }]);
});

test('the default budget keeps a 10,000-hit journey whole', async () => {
  const storage = memoryStorage();
  const store = createJournalStore({ storage });
  const context = { tab_id: 9, frame_id: 0, frame_type: 'main', document_url: 'https://shop.test/products/classic-tee', top_url: 'https://shop.test/products/classic-tee' };
  for (let i = 0; i < 10000; i++) {
    store.append(9, {
      kind: 'request',
      url: `https://www.facebook.com/tr/?id=1234567890&ev=ViewContent&dl=https%3A%2F%2Fshop.test%2Fproducts%2Fclassic-tee&rl=&if=false&ts=17000000${i}&cd[content_ids]=%5B%22p${i}%22%5D&cd[value]=30.00&cd[currency]=USD&sw=1920&sh=1080&v=2.9.179&r=stable&ec=${i}&o=4126&fbp=fb.1.1700000000000.123456789&eid=vc-${i}&rqm=GET`,
      method: 'GET', body: null, request_type: 'image', context, initiator: 'https://shop.test', stack: [], time: 1.7e12 + i, origin: 'network',
    });
  }
  await store.idle(9);
  const got = await store.read(9);
  assert.equal(got.length, 10000);
  assert.ok(!got.some((r) => r.kind === 'dropped'));
});

test('the inbox numbers a batch stored are kept with it', async () => {
  const storage = memoryStorage();
  const store = createJournalStore({ storage });
  store.append(3, hit(0), { w: 'a', n: 4 });
  store.append(3, hit(1), { w: 'a', n: 9 });
  await store.idle(3);
  const again = createJournalStore({ storage });
  assert.equal(await again.committed(3, 'a'), 9);
  assert.equal(await again.committed(3, 'b'), 0);
});

test('a fresh store over the same storage (a restarted worker) reads everything back', async () => {
  const storage = memoryStorage();
  const a = createJournalStore({ storage, chunk: 10 });
  for (let i = 0; i < 25; i++) a.append(3, rec(i));
  await a.idle(3);
  const b = createJournalStore({ storage, chunk: 10 });
  b.append(3, rec(25));
  await b.idle(3);
  assert.deepEqual((await b.read(3)).map((r) => r.time), [...Array(26).keys()]);
});

test('tabs are separate and clear removes one tab only', async () => {
  const storage = memoryStorage();
  const store = createJournalStore({ storage, chunk: 4 });
  for (let i = 0; i < 9; i++) { store.append(1, rec(i)); store.append(2, rec(100 + i)); }
  await store.idle(1);
  await store.idle(2);
  await store.clear(1);
  assert.deepEqual(await store.read(1), []);
  assert.equal((await store.read(2)).length, 9);
  assert.ok([...storage.data.keys()].every((k) => !/^(meta|chunk):1(:|$)/.test(k)), 'no key of tab 1 left');
});

test('a live view hears of records while a write is still in progress, at positions that match the journal', async () => {
  const storage = memoryStorage();
  const realSet = storage.set;
  let release = [];
  storage.set = (obj) => new Promise((resolve) => release.push(() => resolve(realSet(obj))));
  const heard = [];
  const store = createJournalStore({ storage, chunk: 3, onAccepted: (tab, records, start) => heard.push([start, records.map((r) => r.time)]) });
  const tick = () => new Promise((r) => setTimeout(r, 0));
  store.append(5, rec(0));
  await tick();
  assert.deepEqual(heard, [[0, [0]]], 'announced before its write finished');
  assert.equal(release.length, 1, 'one write in progress');
  store.append(5, rec(1));
  store.append(5, rec(2));
  await tick();
  assert.deepEqual(heard, [[0, [0]], [1, [1, 2]]], 'appended in one task: one announcement, no wait for the write');
  while (release.length) { release.shift()(); await tick(); }
  await store.idle(5);
  assert.deepEqual((await store.read(5)).map((r) => r.time), [0, 1, 2]);
  // A restarted worker (a new store over the same storage) continues the positions.
  const again = createJournalStore({ storage, onAccepted: (tab, records, start) => heard.push([start, records.map((r) => r.time)]) });
  storage.set = realSet;
  await again.append(5, rec(3));
  assert.deepEqual(heard.at(-1), [3, [3]]);
});

test('a failed write is reported and its positions are used again by the next batch', async () => {
  const storage = memoryStorage();
  const realSet = storage.set;
  let failNext = true;
  storage.set = async (obj) => {
    if (failNext) { failNext = false; throw new Error('quota'); }
    return realSet(obj);
  };
  const starts = [];
  const failed = [];
  const store = createJournalStore({ storage, onAccepted: (tab, batch, start) => starts.push(start), onFailed: (tab, e) => failed.push([tab, e.message]) });
  await assert.rejects(store.append(8, rec(0)), /quota/);
  await store.append(8, rec(1));
  assert.deepEqual(failed, [[8, 'quota']]);
  assert.deepEqual(starts, [0, 0], 'after a failed write positions start again from the stored journal');
  assert.deepEqual((await store.read(8)).map((r) => r.time), [1]);
});

test('chunks are stored as JSON text, and chunks an earlier version stored as arrays still read', async () => {
  const storage = memoryStorage();
  const store = createJournalStore({ storage, chunk: 3 });
  for (let i = 0; i < 5; i++) store.append(4, rec(i));
  await store.idle(4);
  assert.equal(typeof storage.data.get('chunk:4:0'), 'string');
  assert.deepEqual(JSON.parse(storage.data.get('chunk:4:1')).map((r) => r.time), [3, 4]);
  // The journal of an earlier version: chunks as arrays, the newest one then extended.
  storage.data.set('chunk:4:0', [rec(0), rec(1), rec(2)]);
  storage.data.set('chunk:4:1', [rec(3), rec(4)]);
  const again = createJournalStore({ storage, chunk: 3 });
  again.append(4, rec(5));
  again.append(4, rec(6));
  await again.idle(4);
  assert.deepEqual((await again.read(4)).map((r) => r.time), [0, 1, 2, 3, 4, 5, 6]);
  const { text, total } = await readJournalText(storage, 4);
  assert.deepEqual(JSON.parse(text).map((r) => r.time), [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(total, 7);
});

test('a reader of the stored text never sees meta and chunks of different writes', async () => {
  const storage = memoryStorage();
  const store = createJournalStore({ storage, chunk: 2 });
  for (let i = 0; i < 3; i++) store.append(6, rec(i));
  await store.idle(6);
  // Writes land while the reader's gets are on their way (it asks for one chunk
  // before it knows the meta): the newest chunk grows and new chunks appear.
  const realGet = storage.get;
  let calls = 0;
  let next = 3;
  storage.get = async (keys) => {
    if (++calls <= 2) {
      for (const end = next + 5; next < end; next++) store.append(6, rec(next));
      await store.idle(6);
    }
    return realGet(keys);
  };
  const { text, total } = await readJournalText(storage, 6, 1);
  storage.get = realGet;
  assert.ok(calls >= 3, `asked again (${calls} gets)`);
  const times = JSON.parse(text).map((r) => r.time);
  assert.equal(times.length, total, 'the total counts exactly the records read');
  assert.deepEqual(times, [...Array(13).keys()]);
  assert.deepEqual(await readJournalText(storage, 99), { text: '[]', total: 0 });
});

test('a long journal is read whole, its older chunks asked for in parts at the same time, writes landing meanwhile', async () => {
  const storage = memoryStorage();
  const store = createJournalStore({ storage, chunk: 2 });
  for (let i = 0; i < 41; i++) store.append(8, rec(i));
  await store.idle(8);
  const realGet = storage.get;
  const sizes = [];
  let inFlight = 0;
  let most = 0;
  let next = 41;
  storage.get = async (keys) => {
    const list = [].concat(keys);
    const withMeta = list.includes(KEY.meta(8));
    sizes.push({ withMeta, n: list.length });
    inFlight++;
    most = Math.max(most, inFlight);
    // The first part of older chunks asked: records land (the newest chunk grows, new ones appear).
    if (!withMeta && sizes.filter((s) => !s.withMeta).length === 1) {
      for (const end = next + 3; next < end; next++) store.append(8, rec(next));
      await store.idle(8);
    }
    const got = await realGet(keys);
    inFlight--;
    return got;
  };
  const { text, total } = await readJournalText(storage, 8, 1, 4);
  storage.get = realGet;
  const times = JSON.parse(text).map((r) => r.time);
  assert.equal(times.length, total, 'the total counts exactly the records read');
  assert.deepEqual(times, [...Array(total).keys()], 'every record once, in order, none of a later write without its meta');
  assert.ok(total >= 41, `at least what was there before the read (${total})`);
  const parts = sizes.filter((s) => !s.withMeta);
  assert.ok(parts.length >= 5, `the 19 older chunks in parts (${parts.length} gets)`);
  assert.ok(parts.every((s) => s.n <= 4), `no part over 4 keys: ${JSON.stringify(parts)}`);
  assert.ok(most >= 2, 'parts asked at the same time');
});

/** A sink that keeps what a streamed read handed on: `bodies` since the last restart. */
function keepingSink() {
  const sink = { bodies: [], restarts: 0, records(b) { sink.bodies.push(...b); }, restart() { sink.restarts++; sink.bodies = []; } };
  return sink;
}

test('a streamed read hands on the older chunks as each get answers, before the last one has', async () => {
  const storage = memoryStorage();
  const store = createJournalStore({ storage, chunk: 2 });
  for (let i = 0; i < 41; i++) store.append(9, rec(i));
  await store.idle(9);
  const realGet = storage.get;
  // The gets of older chunks answer one at a time, when the test lets them.
  const held = [];
  storage.get = (keys) => ([].concat(keys).includes(KEY.meta(9)) ? realGet(keys) : new Promise((r) => held.push(() => r(realGet(keys)))));
  const sink = keepingSink();
  let done = false;
  const read = streamJournal(storage, 9, sink, 1, 4).then((r) => { done = true; return r; });
  const settle = () => new Promise((r) => setTimeout(r, 0));
  await settle();
  const handed = () => JSON.parse(`[${sink.bodies.join(',')}]`).map((r) => r.time);
  // The first get (the meta and chunk 0) is in: chunk 0's records are handed on.
  assert.deepEqual(handed(), [0, 1]);
  assert.ok(held.length >= 4, `the older chunks asked for in parts (${held.length} gets)`);
  held.shift()();
  await settle();
  assert.deepEqual(handed(), [...Array(10).keys()], 'the first part handed on while the others are still out');
  assert.equal(done, false);
  while (held.length) { held.shift()(); await settle(); }
  const { total } = await read;
  storage.get = realGet;
  assert.deepEqual(handed(), [...Array(41).keys()]);
  assert.equal(total, 41);
  assert.equal(sink.restarts, 0);
});

test('a streamed read starts again when evictions move the start of the journal while it is read', async () => {
  const storage = memoryStorage();
  const size = JSON.stringify(rec(0)).length;
  const store = createJournalStore({ storage, chunk: 2, budget: { journal: 30 * size, page: 100 } });
  for (let i = 0; i < 30; i++) store.append(10, rec(i));
  await store.idle(10);
  const realGet = storage.get;
  let olderGets = 0;
  let next = 30;
  storage.get = async (keys) => {
    // Once the first part of older chunks has been asked for: enough lands to evict the oldest chunks.
    if (![].concat(keys).includes(KEY.meta(10)) && ++olderGets === 1) {
      for (const end = next + 8; next < end; next++) store.append(10, rec(next));
      await store.idle(10);
    }
    return realGet(keys);
  };
  const sink = keepingSink();
  const { total } = await streamJournal(storage, 10, sink, 1, 4);
  storage.get = realGet;
  assert.ok(sink.restarts >= 1, 'told to start again');
  const got = JSON.parse(`[${sink.bodies.join(',')}]`);
  assert.equal(got[0].kind, 'dropped');
  const kept = got.slice(1).map((r) => r.time);
  assert.equal(got[0].count + kept.length, total, 'dropped + kept = the total');
  assert.deepEqual(kept, [...Array(kept.length).keys()].map((i) => total - kept.length + i), 'what is kept, once each, in order');
  // The same as a read of the journal now, which nothing changes.
  assert.deepEqual({ text: `[${sink.bodies.join(',')}]`, total }, await streamRead(storage, 10));
});

test('a streamed read spanning a Clear and new records starts again and holds only the new journal', async () => {
  const storage = memoryStorage();
  const store = createJournalStore({ storage, chunk: 2 });
  for (let i = 0; i < 40; i++) store.append(12, rec(i));
  await store.idle(12);
  const realGet = storage.get;
  let metaGets = 0;
  storage.get = async (keys) => {
    const got = await realGet(keys);
    // After the first get (the meta and chunk 0): the panel's Clear, then three new records.
    if ([].concat(keys).includes(KEY.meta(12)) && ++metaGets === 1) {
      await store.clear(12);
      for (let i = 1000; i < 1003; i++) store.append(12, rec(i));
      await store.idle(12);
    }
    return got;
  };
  const sink = keepingSink();
  const { total } = await streamJournal(storage, 12, sink, 1, 4);
  storage.get = realGet;
  assert.ok(sink.restarts >= 1, 'told to start again');
  assert.deepEqual(JSON.parse(`[${sink.bodies.join(',')}]`).map((r) => r.time), [1000, 1001, 1002]);
  assert.equal(total, 3);
});

test('a get that fails fails the read, and leaves no rejection unhandled', async () => {
  const storage = memoryStorage();
  const store = createJournalStore({ storage, chunk: 2 });
  for (let i = 0; i < 41; i++) store.append(13, rec(i));
  await store.idle(13);
  const realGet = storage.get;
  const unhandled = [];
  const onUnhandled = (e) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  // The meta's get is slow; every get of older chunks fails at once.
  storage.get = (keys) => ([].concat(keys).includes(KEY.meta(13))
    ? new Promise((r) => setTimeout(() => r(realGet(keys)), 20))
    : Promise.reject(new Error('storage is gone')));
  const first = await streamJournal(storage, 13, keepingSink(), 1, 4).then(() => null, (e) => e);
  // The first round asks for the meta and chunk 0 only; the older chunks fail in the second.
  assert.match(String(first), /storage is gone/);
  await new Promise((r) => setTimeout(r, 50));
  process.off('unhandledRejection', onUnhandled);
  storage.get = realGet;
  assert.deepEqual(unhandled, []);
});

const streamRead = async (storage, tab) => {
  const sink = keepingSink();
  const { total } = await streamJournal(storage, tab, sink);
  return { text: `[${sink.bodies.join(',')}]`, total };
};

test('a reader that opens late (a waking worker\'s wasm) gets the parts that waited first, in order', async () => {
  const storage = memoryStorage();
  const store = createJournalStore({ storage, chunk: 2 });
  for (let i = 0; i < 41; i++) store.append(11, rec(i));
  await store.idle(11);
  const realGet = storage.get;
  const held = [];
  storage.get = (keys) => ([].concat(keys).includes(KEY.meta(11)) ? realGet(keys) : new Promise((r) => held.push(() => r(realGet(keys)))));
  const taken = [];
  const reader = { add: (bodies) => taken.push(...JSON.parse(`[${bodies.join(',')}]`).map((r) => r.time)), restart: () => taken.splice(0) };
  const sink = lateSink(reader);
  const read = streamJournal(storage, 11, sink, 1, 4);
  const settle = () => new Promise((r) => setTimeout(r, 0));
  await settle();
  held.shift()();
  await settle();
  assert.deepEqual(taken, [], 'nothing reaches a reader that is not open');
  sink.open();
  assert.deepEqual(taken, [...Array(10).keys()], 'what waited, in order, at once');
  while (held.length) { held.shift()(); await settle(); }
  await read;
  storage.get = realGet;
  assert.deepEqual(taken, [...Array(41).keys()]);
  sink.restart();
  assert.deepEqual(taken, [], 'an open reader is told to start over');
  const early = lateSink(reader);
  early.records(['{"time":1}']);
  early.restart();
  early.records(['{"time":2}']);
  early.open();
  early.open();
  assert.deepEqual(taken, [2], 'a restart before it opens drops what waited; opening twice adds nothing twice');
});

test('the panel feed joins the parts waiting together, drops records a restart voids, and ends with the total', async () => {
  const feed = journalFeed();
  feed.sink.records(['{"time":1}', '{"time":2}']);
  feed.sink.records(['{"time":3}']);
  assert.deepEqual(await feed.next(), { records: '[{"time":1},{"time":2},{"time":3}]' });
  feed.sink.records(['{"time":4}']);
  feed.sink.restart();
  feed.sink.records(['{"time":1}']);
  assert.deepEqual(await feed.next(), { restart: true }, 'record 4, voided, never crosses');
  assert.deepEqual(await feed.next(), { records: '[{"time":1}]' });
  const waiting = feed.next();
  feed.put({ done: true, total: 1, review: null });
  assert.deepEqual(await waiting, { done: true, total: 1, review: null });
});

test('a journal cleared between two reads of its text reads as empty, never as a mix', async () => {
  const storage = memoryStorage();
  const store = createJournalStore({ storage, chunk: 2 });
  for (let i = 0; i < 7; i++) store.append(7, rec(i));
  await store.idle(7);
  const realGet = storage.get;
  // Gets that ask for the meta: one per attempt (older chunks may come in gets of their own).
  let calls = 0;
  storage.get = async (keys) => {
    const got = await realGet(keys);
    // After the first get (the meta and chunk 0 only): the panel's Clear.
    if ([].concat(keys).includes(KEY.meta(7)) && ++calls === 1) await store.clear(7);
    return got;
  };
  const read = await readJournalText(storage, 7, 1);
  storage.get = realGet;
  assert.equal(calls, 2, 'the first get lacked chunks, so the reader asked again');
  assert.deepEqual(read, { text: '[]', total: 0 });
});

test('a written batch comes with the position of its first record', async () => {
  const storage = memoryStorage();
  const written = [];
  const store = createJournalStore({ storage, chunk: 2, onWritten: (tab, records, evicted, seqs, texts, start) => written.push([start, records.map((r) => r.time)]) });
  store.append(2, rec(0));
  await store.idle(2);
  store.append(2, rec(1));
  store.append(2, rec(2));
  await store.idle(2);
  assert.deepEqual(written, [[0, [0]], [1, [1, 2]]]);
  const dropped = [];
  const size = JSON.stringify(rec(0)).length;
  const small = createJournalStore({ storage: memoryStorage(), chunk: 2, budget: { journal: 4 * size, page: 100 }, onWritten: (tab, records, evicted, seqs, texts, start) => dropped.push([start, evicted]) });
  for (let i = 0; i < 7; i++) { small.append(3, rec(i)); await small.idle(3); }
  assert.deepEqual(dropped.map(([start]) => start), [0, 1, 2, 3, 4, 5, 6], 'positions count evicted records too');
  assert.ok(dropped.some(([, evicted]) => evicted));
});

test('a written batch comes with each record\'s JSON, as the session reads it', async () => {
  const storage = memoryStorage();
  const written = [];
  const store = createJournalStore({ storage, chunk: 3, onWritten: (tab, records, evicted, seqs, texts) => written.push({ records, texts }) });
  for (let i = 0; i < 7; i++) store.append(5, i % 2 ? hit(i) : rec(i));
  await store.idle(5);
  const records = written.flatMap((w) => w.records);
  assert.equal(records.length, 7);
  assert.deepEqual(written.flatMap((w) => w.texts), records.map((r) => JSON.stringify(r)));
});

// A pasted Conversions API body as the panel sends it: 700 events, ~264 KB.
const paste = (n) => ({
  kind: 'server_payload',
  label: 'capi.json',
  origin: 'user',
  text: JSON.stringify({ data: Array.from({ length: n }, (_, i) => ({ event_name: 'Purchase', event_id: `order-${i}`, event_time: 1764000000 + i, action_source: 'website', user_data: { em: ['a'.repeat(64)], client_user_agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36' }, custom_data: { value: 78, currency: 'USD', contents: [{ id: 'sku-1', quantity: 2 }] } })) }),
});

test('a paste larger than a network record is stored whole, in a chunk of its own that later appends never rewrite', async () => {
  const storage = memoryStorage();
  const writes = [];
  const set = storage.set.bind(storage);
  storage.set = async (obj) => { writes.push(Object.keys(obj)); return set(obj); };
  const store = createJournalStore({ storage, chunk: 10 });
  store.append(5, hit(0));
  const big = paste(700);
  assert.ok(JSON.stringify(big).length > 250 * 1024, `${JSON.stringify(big).length} characters`);
  await store.append(5, big, null, { confirm: true });
  writes.length = 0;
  for (let i = 1; i <= 25; i++) await store.append(5, hit(i));
  const got = await store.read(5);
  assert.deepEqual(got.map((r) => r.kind), ['request', 'server_payload', ...Array(25).fill('request')]);
  assert.equal(got[1].text, big.text, 'stored whole');
  const pasteChunk = [...storage.data.entries()].find(([, v]) => typeof v === 'string' && v.includes('order-699'))[0];
  assert.equal(JSON.parse(storage.data.get(pasteChunk)).length, 1, 'alone in its chunk');
  assert.ok(writes.every((keys) => !keys.includes(pasteChunk)), 'appends after it never rewrite it');
});

test('a record over its cap, waited for, is refused with the limit named (and counted)', async () => {
  const storage = memoryStorage();
  const store = createJournalStore({ storage, recordMax: { journal: 1000, page: 300, user: 2000 } });
  await store.append(6, hit(0));
  await assert.rejects(store.append(6, { kind: 'order', origin: 'user', text: 'x'.repeat(3000) }, null, { confirm: true }), /over the limit of 2000/);
  await store.append(6, { kind: 'order', origin: 'user', text: 'x'.repeat(1500) }, null, { confirm: true });
  const got = await store.read(6);
  assert.deepEqual(got.map((r) => r.kind), ['request', 'dropped', 'order']);
  assert.equal(got[1].reason, 'oversized');
});

test('a waited-for record whose write fails is rejected, never reported stored', async () => {
  const storage = memoryStorage();
  const store = createJournalStore({ storage });
  await store.append(8, hit(0));
  storage.set = async () => { throw new Error('QUOTA_BYTES quota exceeded'); };
  await assert.rejects(store.append(8, paste(3), null, { confirm: true }), /quota/);
});

test('a read with the writes held waits for the batch being written, sees no write land while it reads, and every record appended meanwhile is written after it', async () => {
  const storage = memoryStorage();
  const size = JSON.stringify(rec(0)).length;
  const written = [];
  // At the budget: batches evict chunks, as a busy tab does once its journal is full.
  const store = createJournalStore({ storage, chunk: 10, budget: { journal: 50 * size, page: 1000 }, onWritten: (tab, records, evictedSome) => written.push([records.length, evictedSome]) });
  for (let i = 0; i < 80; i++) store.append(3, rec(i));
  await store.idle(3);
  // The next batch's write waits for `release`: it is in progress when the read asks.
  const realSet = storage.set;
  let release;
  let landed = false;
  storage.set = (obj) => new Promise((r) => { release = () => r(realSet(obj).then(() => { landed = true; })); });
  store.append(3, rec(80));
  while (!release) await new Promise((r) => setTimeout(r, 0));
  let openGate;
  const gate = new Promise((r) => { openGate = r; });
  let during = null;
  const held = store.holdingWrites(3, async () => {
    const landedAtStart = landed;
    const before = (await storage.get(KEY.meta(3)))[KEY.meta(3)];
    await gate;
    const records = JSON.parse((await readJournalText(storage, 3)).text);
    during = { landedAtStart, before, after: (await storage.get(KEY.meta(3)))[KEY.meta(3)], records };
    return 'read';
  });
  const appended = [];
  for (let i = 81; i < 120; i++) appended.push(store.append(3, rec(i)));
  let stored = false;
  const last = appended.at(-1).then(() => { stored = true; });
  storage.set = realSet;
  release();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(stored, false, 'an append made during the hold is not reported written');
  openGate();
  assert.equal(await held, 'read');
  assert.equal(during.landedAtStart, true, 'the read began after the batch in progress was stored');
  assert.deepEqual(during.after, during.before, 'nothing was written while the read was held');
  assert.equal(during.records.at(-1).time, 80, 'the read holds the batch that was in progress, and nothing after it');
  await last;
  const got = await store.read(3);
  assert.equal(got.at(-1).time, 119, 'the records appended during the hold were written after it');
  assert.equal(got[0].kind, 'dropped');
  assert.equal(got[0].count + got.length - 1, 120, 'dropped + kept = appended: nothing lost');
  assert.ok(written.some(([, evicted]) => evicted), 'evicting as usual');
});

test('a held read gets its turn under a steady stream of appends that never lets the writer go idle', async () => {
  const storage = memoryStorage();
  const realSet = storage.set;
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  // Each write takes a few milliseconds; two records arrive every millisecond: there is always a next batch.
  storage.set = async (obj) => { await sleep(3); return realSet(obj); };
  const size = JSON.stringify(rec(0)).length;
  const store = createJournalStore({ storage, chunk: 10, budget: { journal: 50 * size, page: 1000 } });
  let streaming = true;
  let n = 0;
  const stream = (async () => {
    while (streaming) {
      store.append(4, rec(n++));
      store.append(4, rec(n++));
      await sleep(1);
    }
  })();
  while (!(await store.readMeta(4)).evicted) await sleep(5);
  const read = store.holdingWrites(4, async () => JSON.parse((await readJournalText(storage, 4)).text));
  const got = await Promise.race([read, sleep(5000).then(() => 'starved')]);
  streaming = false;
  await stream;
  await store.idle(4);
  assert.notEqual(got, 'starved', 'the held read ran while the stream went on');
  assert.equal(got[0].kind, 'dropped', 'it read a journal at its budget');
  const times = got.slice(1).map((r) => r.time);
  assert.deepEqual(times, times.map((_, i) => times[0] + i), 'one state of the journal: consecutive records');
  assert.equal(got[0].count + times.length, times.at(-1) + 1, 'dropped + kept = everything before its end');
  const all = await store.read(4);
  assert.equal(all[0].count + all.length - 1, n, 'every record appended is stored or counted as dropped');
});

test('a held read waiting behind a write that fails still gets its turn, and a clear waits for a held read', async () => {
  const storage = memoryStorage();
  const realSet = storage.set;
  const store = createJournalStore({ storage, chunk: 10 });
  await store.append(6, rec(0));
  let fail;
  storage.set = () => new Promise((resolve, reject) => { fail = () => reject(new Error('quota')); });
  const failing = store.append(6, rec(1));
  failing.catch(() => {});
  while (!fail) await new Promise((r) => setTimeout(r, 0));
  const read = store.holdingWrites(6, async () => JSON.parse((await readJournalText(storage, 6)).text).map((r) => r.time));
  storage.set = realSet;
  fail();
  await assert.rejects(failing, /quota/);
  assert.deepEqual(await Promise.race([read, new Promise((r) => setTimeout(() => r('waited forever'), 2000))]), [0], 'the read ran, on the journal as stored');

  let openGate;
  const gate = new Promise((r) => { openGate = r; });
  const slow = store.holdingWrites(6, async () => { await gate; return JSON.parse((await readJournalText(storage, 6)).text).length; });
  let cleared = false;
  const clearing = store.clear(6).then(() => { cleared = true; });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(cleared, false, 'the clear waits for the held read');
  openGate();
  assert.equal(await slow, 1, 'the held read saw the journal before the clear');
  await clearing;
  assert.deepEqual(await store.read(6), [], 'then the clear emptied it');
});
