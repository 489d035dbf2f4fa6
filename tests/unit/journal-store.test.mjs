// The journal store without a browser: an in-memory storage with the
// chrome.storage.local shape.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createJournalStore } from '../../extension/journal-store.js';

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

test('past the cap the newest records stay and a dropped marker says how many went', async () => {
  const storage = memoryStorage();
  const store = createJournalStore({ storage, cap: 1000, chunk: 100 });
  for (let i = 0; i < 1234; i++) await store.append(7, rec(i));
  const got = await store.read(7);
  assert.equal(got[0].kind, 'dropped');
  const kept = got.slice(1);
  assert.equal(got[0].count + kept.length, 1234, 'dropped + kept = appended');
  assert.ok(kept.length >= 1000 - 100 && kept.length <= 1000, `${kept.length} kept`);
  assert.equal(kept[kept.length - 1].time, 1233, 'the newest record is kept');
  assert.deepEqual(kept.map((r) => r.time), [...Array(kept.length).keys()].map((i) => 1234 - kept.length + i));
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

test('the extension keeps at least 20,000 records per tab', async () => {
  const src = await import('node:fs').then((fs) => fs.readFileSync(new URL('../../extension/background.js', import.meta.url), 'utf8'));
  const cap = Number((src.match(/JOURNAL_CAP = (\d+)/) || [])[1]);
  assert.ok(cap >= 20000, `JOURNAL_CAP is ${cap}`);
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
