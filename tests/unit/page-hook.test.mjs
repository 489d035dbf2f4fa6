// The page hook as the page runs it: build's join of extension/page-hook/*.js
// (tools/page-hook.mjs), run in a bare global standing in for a page's window.
// Nothing it declares becomes a page global, the page's fbq behaves as the
// page wrote it, and what the hook reads on idle is still handed over when the
// page goes away before the browser was ever idle.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** page-hook.js as build.sh writes it. */
const joined = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'pixelproof-hook-'));
  try {
    execFileSync('node', [join(ROOT, 'tools', 'page-hook.mjs'), join(dir, 'page-hook.js')]);
    return readFileSync(join(dir, 'page-hook.js'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();
const joinPageHook = () => joined;

/** A window with the few DOM parts the hook uses; `idle` queues idle callbacks. */
function page() {
  const win = new EventTarget();
  const doc = new EventTarget();
  const idle = [];
  const sent = [];
  Object.assign(doc, { readyState: 'loading', scripts: [] });
  doc.addEventListener('pixelproof:record', (e) => sent.push(...JSON.parse(e.detail)));
  const g = vm.createContext({
    EventTarget, CustomEvent, Event, JSON, Date, Error, Object, Array, Proxy, Reflect, WeakMap, WeakSet, String, Number, Boolean, Math,
    setTimeout, clearTimeout, document: doc, location: { href: 'https://shop.test/products/tee' },
    requestIdleCallback: (fn) => idle.push(fn),
    MutationObserver: class { observe() {} },
    addEventListener: win.addEventListener.bind(win),
    dispatchEvent: win.dispatchEvent.bind(win),
  });
  g.window = g;
  return { g, doc, idle, sent, pagehide: () => g.dispatchEvent(new Event('pagehide')) };
}

test('the joined hook declares no page global but the fbq traps', () => {
  const { g } = page();
  const before = new Set(Object.getOwnPropertyNames(g));
  vm.runInContext(joinPageHook(), g);
  const added = Object.getOwnPropertyNames(g).filter((k) => !before.has(k)).sort();
  assert.deepEqual(added, ['_fbq', 'fbq']);
  // Nor a global binding: a page script may declare the hook's names itself.
  assert.doesNotThrow(() => vm.runInContext('let emit = 1, queue = 2, flush = 3, safe = 4, trap = 5, inventory = 6;', g));
});

test("the page's fbq keeps its behaviour; its calls and the idle inventory reach the relay by pagehide", () => {
  const { g, doc, idle, sent, pagehide } = page();
  const prepare = Error.prepareStackTrace;
  vm.runInContext(joinPageHook(), g);
  // The Meta base code, as a theme pastes it.
  vm.runInContext(`!function (f) {
    var n = f.fbq = function () { n.callMethod ? n.callMethod.apply(n, arguments) : n.queue.push(arguments); };
    if (!f._fbq) f._fbq = n; n.push = n; n.loaded = true; n.version = '2.0'; n.queue = [];
  }(window);
  fbq('init', '123');
  fbq('track', 'Purchase', { value: 5, currency: 'EUR' }, { eventID: 'order-1' });`, g, { filename: 'https://shop.test/cdn/theme.js' });
  assert.equal(vm.runInContext('fbq.queue.length', g), 2, 'the stub queued both calls');
  assert.equal(vm.runInContext('fbq === _fbq && fbq.push === fbq', g), true);
  doc.scripts = [{ src: 'https://shop.test/cdn/theme.js' }, { src: '' }, { src: 'https://connect.facebook.net/en_US/fbevents.js' }];
  doc.readyState = 'interactive';
  doc.dispatchEvent(new Event('DOMContentLoaded'));
  assert.equal(idle.length, 1, 'the inventory waits for an idle moment');
  assert.equal(sent.length, 0, 'nothing is handed over before a flush');
  pagehide();
  const kinds = sent.map((r) => r.kind);
  assert.deepEqual(kinds, ['fbq_call', 'fbq_call', 'scripts']);
  const purchase = sent[1];
  assert.equal(purchase.method, 'track');
  assert.deepEqual(purchase.args, ['Purchase', { value: 5, currency: 'EUR' }, { eventID: 'order-1' }]);
  assert.equal(purchase.event_id_location, 'options');
  assert.equal(purchase.queued, true);
  assert.equal(purchase.caller, 'https://shop.test/cdn/theme.js', 'the calling script, from the stack');
  assert.equal(vm.runInContext('Error.prepareStackTrace', g), prepare, "the page's Error is left as it was");
  assert.deepEqual(sent[2].scripts, ['https://connect.facebook.net/en_US/fbevents.js']);
  assert.equal(sent[2].base_code_runs, 1);
  assert.equal(sent[2].queued_calls, 2);
});

test('a page whose fbq throws still gets its exception, and the hook throws nothing of its own', () => {
  const { g, sent, pagehide } = page();
  vm.runInContext(joinPageHook(), g);
  vm.runInContext(`window.fbq = function () { throw new Error('page bug'); };
    Object.defineProperty(window, 'Shopify', { get() { throw new Error('hostile getter'); } });`, g);
  assert.throws(() => vm.runInContext("fbq('track', 'ViewContent')", g), /page bug/);
  assert.doesNotThrow(pagehide);
  assert.ok(sent.some((r) => r.kind === 'fbq_call' && r.args[0] === 'ViewContent'));
});

test('an fbq call whose arguments are too large is recorded with a marker in their place, the rest of its batch whole', () => {
  const { g, sent, pagehide } = page();
  vm.runInContext(joinPageHook(), g);
  vm.runInContext(`window.fbq = function () {};
    var big = {}; for (var i = 0; i < 10; i++) big['k' + i] = 'x'.repeat(1500);
    fbq('track', 'ViewContent', { value: 1 });
    fbq('trackCustom', 'Huge', big);`, g);
  pagehide();
  assert.equal(sent.length, 2);
  assert.deepEqual(sent[0].args, ['ViewContent', { value: 1 }]);
  assert.equal(sent[1].method, 'trackCustom');
  assert.equal(sent[1].args.length, 1);
  const size = JSON.stringify(['Huge', Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'x'.repeat(1500)]))]).length;
  assert.equal(sent[1].args[0], `[arguments too large to record: ${size} characters]`);
});
