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
