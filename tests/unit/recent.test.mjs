// Journeys kept across a browser start, as built (dist/chrome-test/storage.js),
// over an in-memory chrome.storage: the last five of earlier sessions, a week
// old at most and 24 MB in all, and nothing else a previous session left.
import assert from 'node:assert/strict';
import { test } from 'node:test';

function area() {
  const data = new Map();
  const clone = (v) => (v === undefined ? v : JSON.parse(JSON.stringify(v)));
  return {
    data,
    async get(keys) {
      const out = {};
      const list = keys === null ? [...data.keys()] : [].concat(keys);
      for (const k of list) if (data.has(k)) out[k] = clone(data.get(k));
      return out;
    },
    async getKeys() { return [...data.keys()]; },
    async set(obj) { for (const [k, v] of Object.entries(obj)) data.set(k, clone(v)); },
    async remove(keys) { for (const k of [].concat(keys)) data.delete(k); },
  };
}
const local = area();
const session = area();
globalThis.chrome = { storage: { local, session } };
const storage = await import('../../dist/chrome-test/storage.js');
const { LIMITS } = storage;

const DAY = 24 * 3600 * 1000;
/** A stored journal `id` last written `age` ms ago, of `bytes`, with one navigation. */
function journal(id, age, bytes, url = `https://shop.test/${id}`) {
  local.data.set(`meta:${id}`, { first: 0, next: 1, count: 1, evicted: 0, evictedKinds: {}, bytes, pageBytes: 0, sizes: {}, committed: {}, updated: Date.now() - age });
  local.data.set(`chunk:${id}:0`, JSON.stringify([{ kind: 'navigation', url, time: 1 }]));
  local.data.set(`review:${id}`, { decision: 'stop' });
}

test('a browser start keeps the newest five journeys within a week and the budget, and removes everything else', async () => {
  for (let i = 0; i < 7; i++) journal(`old1-${i}`, i * 3600 * 1000, 1000); // seven an hour apart
  journal('old1-90', 8 * DAY, 1000); // older than a week
  journal('old1-91', 30 * 60 * 1000, LIMITS.recentBudget); // recent, but over the budget with the others
  local.data.set('meta:12', { first: 0, next: 1, count: 1 }); // an earlier version's journal
  local.data.set('chunk:12:0', '[]');
  local.data.set('top:4', 'https://shop.test/');
  await storage.startBrowserSession();
  const recent = await storage.readRecent();
  assert.deepEqual(recent.map((j) => j.id), ['old1-0', 'old1-1', 'old1-2', 'old1-3', 'old1-4'], 'newest first, five');
  assert.equal(recent[0].url, 'https://shop.test/old1-0');
  assert.equal(recent.length, LIMITS.recentJourneys);
  const left = [...local.data.keys()].sort();
  const expected = ['recent', ...recent.flatMap((j) => [`meta:${j.id}`, `chunk:${j.id}:0`, `review:${j.id}`])].sort();
  assert.deepEqual(left, expected, 'nothing else is left: not the older ones, the oversized one, the old version\'s or the tab pages');
  // This session's journals are named by its epoch, apart from the kept ones.
  const id = storage.journalId(3);
  assert.match(id, /^[0-9a-z]+-3$/);
  assert.ok(!recent.some((j) => j.id === id));
});

test('a worker restart within the session keeps everything; a kept journey is deleted with all its keys, and only a kept one', async () => {
  const before = [...local.data.keys()].sort();
  await storage.startBrowserSession(); // the marker is set: not a browser start
  assert.deepEqual([...local.data.keys()].sort(), before);
  assert.equal(await storage.deleteRecent('old1-2'), true);
  assert.ok(![...local.data.keys()].some((k) => k.includes('old1-2')));
  assert.equal((await storage.readRecent()).length, 4);
  assert.equal(await storage.deleteRecent(storage.journalId(3)), false, 'a current journal is not a kept one');
  assert.equal(await storage.deleteRecent('old1-2'), false);
});
