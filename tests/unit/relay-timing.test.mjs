// The relay's Resource Timing part (extension/relay-timing.js, as shipped) in a
// context of its own: it counts every pixel request of the document, holds the
// GET ones, and sends a URL only when the worker asks, only the URLs whose key
// the worker did not name, each once. The keys are the core's
// (`losses::listing_key`, whose test pins the same values).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const SOURCE = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'extension', 'relay-timing.js'), 'utf8');
const PLAIN = 'https://www.facebook.com/tr/?id=1&ev=Purchase&ud[em]=jane%40example.com&ud%5Bph%5D=123#x';
const PAGE_VIEW = 'https://www.facebook.com/tr/?id=1234567890&ev=PageView&eid=e1';
// What the core gives for these URLs (crates/core/src/losses.rs).
const KEYS = { [PAGE_VIEW]: '1c566120bf8285', [PLAIN]: '191b79ca146b9e' };

/** relay-timing.js run once, with a fake Resource Timing observer and extension messaging. */
function load() {
  const world = { observers: [], listeners: [] };
  const context = {
    Math, Map, Array, Date, JSON, Object, String, Number,
    performance: { timeOrigin: 1_700_000_000_000.5 },
    PerformanceObserver: class {
      constructor(cb) { this.cb = cb; world.observers.push(this); }
      observe() {}
    },
    chrome: { runtime: { onMessage: { addListener: (f) => world.listeners.push(f) } } },
  };
  vm.createContext(context);
  vm.runInContext(SOURCE, context);
  const timing = context.pixelproofTiming;
  const out = { counted: 0, listed: [], flushed: 0 };
  timing.start({ counted: (n) => { out.counted += n; }, listed: (r) => out.listed.push(r), flush: () => { out.flushed += 1; } });
  /** The browser lists entries `names` (as [url, initiatorType]). */
  const entries = (list) => world.observers[0].cb({ getEntries: () => list.map(([name, initiatorType]) => ({ name, initiatorType })) });
  const ask = (msg) => world.listeners[0](msg);
  return { timing, out, entries, ask };
}

test('GET pixel URLs are counted and held, and sent only when the worker asks, only those it did not name', () => {
  const { timing, out, entries, ask } = load();
  assert.equal(typeof timing.doc.id, 'string');
  assert.equal(timing.doc.since, 1_700_000_000_000.5);
  entries([
    [PAGE_VIEW, 'img'],
    [PLAIN, 'img'],
    ['https://www.facebook.com/tr/', 'beacon'],
    ['https://shop.test/cart.js', 'fetch'],
    ['https://www.facebook.com/tr/?id=1&ev=Lead', 'beacon'],
  ]);
  assert.equal(out.counted, 4, 'every pixel request counted, beacons too; other requests not');
  assert.deepEqual(JSON.parse(JSON.stringify(timing.info())), { id: timing.doc.id, since: timing.doc.since, held: 2, fresh: [KEYS[PAGE_VIEW], KEYS[PLAIN]] },
    'the two GET hits held, and their keys told (the worker asks when one is no hit it captured)');
  assert.deepEqual([...timing.info().fresh], [], 'each key told once');
  assert.deepEqual(out.listed, [], 'nothing sent unasked');

  // A question for another document, or without keys, is not answered.
  ask({ type: 'listed-wanted', doc: 'someone-else', have: [] });
  ask({ type: 'listed-wanted', doc: timing.doc.id });
  assert.deepEqual(out.listed, []);

  // The worker has the PageView (its stored URL has the same key): only the
  // Purchase it never got is sent, as the page listed it. Beacons are not held.
  ask({ type: 'listed-wanted', doc: timing.doc.id, have: [KEYS[PAGE_VIEW]] });
  assert.deepEqual(out.listed.map((r) => [r.kind, r.url]), [['listed_request', PLAIN]]);
  assert.equal(out.flushed, 1);
  // Asked again: nothing twice; it holds nothing more, and says so.
  ask({ type: 'listed-wanted', doc: timing.doc.id, have: [] });
  assert.equal(out.listed.length, 1);
  assert.equal(timing.info().held, 0);
});

test('the relay\'s key is the core\'s, user-data values left out', () => {
  const { timing, out, entries, ask } = load();
  const masked = 'https://www.facebook.com/tr/?id=1&ev=Purchase&ud[em]=0123abcd&ud%5Bph%5D=ffff';
  entries([[PLAIN, 'img'], [PAGE_VIEW, 'img'], [PAGE_VIEW, 'img']]);
  // Named by the key of its masked form, the Purchase counts as captured; a
  // URL met twice and named once is sent once.
  ask({ type: 'listed-wanted', doc: timing.doc.id, have: [KEYS[PLAIN], KEYS[PAGE_VIEW]] });
  assert.deepEqual(out.listed.map((r) => r.url), [PAGE_VIEW]);
  const again = load();
  again.entries([[masked, 'img']]);
  again.ask({ type: 'listed-wanted', doc: again.timing.doc.id, have: [KEYS[PLAIN]] });
  assert.deepEqual(again.out.listed, [], 'the masked URL has the plain one\'s key');
});
