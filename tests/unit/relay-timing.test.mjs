// The relay's Resource Timing part (extension/relay-timing.js, as shipped) in a
// context of its own: it counts every pixel request of the document, holds the
// GET ones, and sends a URL only when the worker asks, only the URLs whose key
// the worker did not name, each once. The keys are the core's
// (`losses::listing_key`, whose test pins the same values).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

// The worker's module as built, for the question the worker asks.
const WASM = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'chrome', 'wasm');
async function loadCore() {
  if (!existsSync(join(WASM, 'pixelproof_wasm_bg.wasm'))) throw new Error(`no worker module in ${WASM}: run ./build.sh build first`);
  const mod = await import(join(WASM, 'pixelproof_wasm.js'));
  mod.initSync({ module: readFileSync(join(WASM, 'pixelproof_wasm_bg.wasm')) });
  return mod;
}

test('a Web Worker\'s captured hit balances the count: the keys the relay sends still get the page\'s missed URL asked for and named', async () => {
  const { Session } = await loadCore();
  const { timing, out, entries, ask } = load();
  const page = 'https://shop.test/products/tee';
  const context = { tab_id: 7, frame_id: 0, frame_type: 'main', document_url: page, top_url: page };
  const at = timing.doc.since + 100;
  // The shape of the app pixel's hit (tests/e2e/site/wpm@abc123/app: fetch from
  // a Web Worker, agent plshopify1.2), which Chrome reports as frame 0's.
  const fromWorker = 'https://www.facebook.com/tr/?id=1234567890&ev=ViewContent&dl=https%3A%2F%2Fshop.test%2Fproducts%2Ftee&rl=&if=false&ts=1700000000150&cd[content_ids]=%5B%22tee-blue-m%22%5D&cd[value]=30.00&cd[currency]=USD&v=2.9.179&r=stable&a=plshopify1.2&ec=0&eid=vc-tee-app&rqm=FGET';
  const missed = 'https://www.facebook.com/tr/?id=1234567890&ev=PageView&dl=https%3A%2F%2Fshop.test%2Fproducts%2Ftee&rl=&if=false&ts=1700000000120&v=2.9.179&r=stable&ec=0&o=4126&eid=pv-tee-1&rqm=GET';
  const s = new Session(undefined);
  const journal = [];
  const add = (r) => { journal.push(r); s.addText(JSON.stringify(r)); };
  add({ kind: 'navigation', url: page, time: at - 50, tab_id: 7, transition: 'link', origin: 'network' });
  add({ kind: 'request', url: fromWorker, method: 'GET', body: null, request_type: 'xmlhttprequest', context, initiator: 'https://shop.test', stack: [], time: at, origin: 'network' });
  // The page's own document sent one request: its PageView, which the worker never got.
  entries([[missed, 'img']]);
  const info = timing.info();
  add({ kind: 'request_count', count: out.counted, context, time: at + 900, origin: 'isolated' });
  assert.equal(out.counted, 1);
  assert.equal(s.listingWanted(0, info.since, []), undefined, 'by the tally alone nothing is missing (one listed, one captured)');
  assert.equal(s.listingWanted(0, info.since, ['zz', 42, 'not a key', {}]), undefined, 'what cannot be a key is left out');
  const have = s.listingWanted(0, info.since, info.fresh);
  assert.ok(Array.isArray(have) && have.length === 1, `the relay's key of the PageView is asked about: ${have}`);
  ask({ type: 'listed-wanted', doc: timing.doc.id, have });
  assert.deepEqual(out.listed.map((r) => r.url), [missed], 'only the URL the worker never got comes');
  add({ ...out.listed[0], context, origin: 'page' });
  assert.equal(s.listingWanted(0, info.since, []), undefined, 'named now: nothing more to ask');
  s.free();
  // The packet (the native core, as the CLI reads a stored journal): the
  // PageView is not captured and recovered, though the tally balanced.
  const dir = mkdtempSync(join(tmpdir(), 'pixelproof-listing-'));
  try {
    writeFileSync(join(dir, 'journal.json'), JSON.stringify(journal));
    const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'target', 'debug', 'pixelproof');
    const packet = JSON.parse(execFileSync(cli, ['journal', join(dir, 'journal.json')], { encoding: 'utf8' }));
    const { captured, uncaptured, recovered } = packet.capture.requests;
    assert.deepEqual({ captured, uncaptured, recovered }, { captured: 1, uncaptured: 1, recovered: 1 });
    assert.deepEqual(packet.capture.recovered.map((r) => r.event), ['PageView']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
