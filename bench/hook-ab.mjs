// The page hook, two versions side by side: `node bench/hook-ab.mjs HOOK_A
// HOOK_B` (two page-hook.js files, e.g. the one build.sh wrote before a
// change and the one after). Each gets a copy of dist/chrome-test with its
// hook in place and its own Chromium; the pages of bench/browser.mjs's
// page-cost part (the real-sized page, and the store-like one when Dawn can
// be had: BENCH_DAWN) are then loaded in both, the versions alternating load
// by load and their order swapped every load, AB_LOADS times each (default
// 10, after one warm-up load). Each load is profiled as bench/browser.mjs's
// ownScripts part profiles it (V8 CPU profile, 50 µs sampling, 1.5 s after
// the load event); AB_UNPROFILED=1 adds an unprofiled load after each, for
// the page's script time (CDP ScriptDuration) as the bench's page-cost part
// measures it. Prints medians with their interquartile range: the hook's
// self time, its share of the script time, and its self time per function.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXTENSION, launch } from '../support/drivers/chromium.mjs';
import { ROOT, sleep } from '../support/drivers/common.mjs';
import { startServer } from '../support/server.mjs';
import { pixelLibrary } from './pixel-library.mjs';
import { storePage } from './store-page.mjs';
import { configScript } from '../demo/scenarios.mjs';

const [A, B] = process.argv.slice(2);
if (!A || !B) {
  console.error('usage: node bench/hook-ab.mjs HOOK_A HOOK_B');
  process.exit(2);
}
const LOADS = Number(process.env.AB_LOADS || 10);
const UNPROFILED = process.env.AB_UNPROFILED === '1';
const ONLY = process.env.AB_PAGES ? process.env.AB_PAGES.split(',') : null;
const TOP = Number(process.env.AB_TOP || 12);

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN; };
const fmt = (xs, d = 2) => `${pct(xs, 50).toFixed(d)} (IQR ${pct(xs, 25).toFixed(d)}–${pct(xs, 75).toFixed(d)})`;

const lib = pixelLibrary();
const pages = { real: { library: lib, path: '/products/classic-tee', siteRoot: join(ROOT, 'demo', 'store') } };
const store = storePage();
if (store.skipped) console.log(`(store-like page skipped: ${store.skipped})`);
else pages.store = { library: lib, path: store.path, siteRoot: store.siteRoot };
const demoConfig = configScript('clean');

/** A copy of the test build with `hook` as its page hook. */
function build(hook) {
  const dir = mkdtempSync(join(tmpdir(), 'pixelproof-hook-ab-'));
  cpSync(EXTENSION, dir, { recursive: true });
  cpSync(hook, join(dir, 'page-hook.js'));
  return dir;
}

async function browser(dir, page) {
  const server = await startServer({ siteRoot: page.siteRoot, pixelText: page.library.fbevents, signalsConfig: page.library.config });
  const t = await launch({ extension: dir, siteRoot: page.siteRoot, server });
  await t.watching();
  await t.context.route('https://shop.test/demo/config.js', (x) => x.fulfill({ contentType: 'text/javascript', body: demoConfig }));
  const close = t.close;
  t.close = async () => { await close(); await server.close(); };
  return t;
}

/** One profiled load: the hook's and the relay's self time, the hook's per function, the script time. */
async function profiledLoad(t, path) {
  const p = await t.context.newPage();
  await p.goto('https://shop.test/cart');
  const cdp = await t.context.newCDPSession(p);
  await cdp.send('Performance.enable');
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
  await cdp.send('Profiler.start');
  const before = await cdp.send('Performance.getMetrics');
  await p.goto(`https://shop.test${path}`, { waitUntil: 'load' });
  await sleep(1500);
  const { profile } = await cdp.send('Profiler.stop');
  const after = await cdp.send('Performance.getMetrics');
  const metric = (ms, m) => ms.metrics.find((x) => x.name === m).value * 1000;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const isHook = (n) => n.callFrame.url.endsWith('/page-hook.js');
  const nameOf = (n) => `${n.callFrame.functionName || '(anonymous)'}:${n.callFrame.lineNumber + 1}`;
  let hook = 0;
  let relay = 0;
  let samples = 0;
  const fns = {};
  const counts = {};
  const entries = {};
  profile.samples.forEach((id, k) => {
    const dt = (profile.timeDeltas[k + 1] || 0) / 1000;
    const node = nodes.get(id);
    const frame = node.callFrame;
    if (!frame.url.startsWith('chrome-extension://')) return;
    if (isHook(node)) {
      hook += dt;
      samples += 1;
      const name = nameOf(node);
      fns[name] = (fns[name] || 0) + dt;
      counts[name] = (counts[name] || 0) + 1;
      // The outermost hook frame on the stack: which entry point the time is in.
      let entry = node;
      for (let up = parent.get(node.id); up !== undefined; up = parent.get(up)) { const n = nodes.get(up); if (isHook(n)) entry = n; }
      const e = `<${nameOf(entry)}>`;
      entries[e] = (entries[e] || 0) + dt;
      counts[e] = (counts[e] || 0) + 1;
    } else relay += dt;
  });
  Object.assign(fns, entries);
  // The metrics of a new navigation start again; "before" is the cart's.
  const script = metric(after, 'ScriptDuration');
  await p.close();
  return { hook, relay, samples, fns, counts, script, scriptBefore: metric(before, 'ScriptDuration') };
}

async function plainLoad(t, path) {
  const p = await t.context.newPage();
  const cdp = await t.context.newCDPSession(p);
  await cdp.send('Performance.enable');
  await p.goto(`https://shop.test${path}`, { waitUntil: 'load' });
  await sleep(1500);
  const { metrics } = await cdp.send('Performance.getMetrics');
  await p.close();
  return metrics.find((x) => x.name === 'ScriptDuration').value * 1000;
}

const dirs = { A: build(A), B: build(B) };
try {
  for (const [key, page] of Object.entries(pages)) {
    if (ONLY && !ONLY.includes(key)) continue;
    const arms = { A: await browser(dirs.A, page), B: await browser(dirs.B, page) };
    const got = { A: [], B: [] };
    const plain = { A: [], B: [] };
    for (let i = 0; i <= LOADS; i++) {
      for (const which of i % 2 ? ['B', 'A'] : ['A', 'B']) {
        const r = await profiledLoad(arms[which], page.path);
        if (i > 0) got[which].push(r);
        if (UNPROFILED) {
          const s = await plainLoad(arms[which], page.path);
          if (i > 0) plain[which].push(s);
        }
      }
    }
    for (const a of Object.values(arms)) await a.close();
    console.log(`\n## ${key} page (${LOADS} profiled loads each, alternating)`);
    for (const which of ['A', 'B']) {
      const rs = got[which];
      const hook = rs.map((r) => r.hook);
      const script = UNPROFILED ? plain[which] : rs.map((r) => r.script);
      const share = 100 * pct(hook, 50) / pct(script, 50);
      console.log(`${which} = ${which === 'A' ? A : B}`);
      console.log(`  hook self ${fmt(hook)} ms (${fmt(rs.map((r) => r.samples), 0)} samples); relay ${fmt(rs.map((r) => r.relay))} ms; page script ${fmt(script, 1)} ms${UNPROFILED ? ' (unprofiled loads)' : ' (profiled loads)'}; hook share ${share.toFixed(2)} %`);
      const names = new Set(rs.flatMap((r) => Object.keys(r.fns)));
      const per = [...names].map((n) => [n, rs.map((r) => r.fns[n] || 0)]);
      per.sort((x, y) => y[1].reduce((a, b) => a + b, 0) - x[1].reduce((a, b) => a + b, 0));
      for (const [n, xs] of per.slice(0, TOP)) console.log(`    ${n.padEnd(34)} mean ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3)} ms, median ${pct(xs, 50).toFixed(3)}; ${rs.reduce((a, r) => a + (r.counts[n] || 0), 0)} samples in all`);
    }
  }
} finally {
  for (const d of Object.values(dirs)) rmSync(d, { recursive: true, force: true });
}
