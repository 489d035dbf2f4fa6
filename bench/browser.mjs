// Browser benchmarks (prints figures; no assertions): page cost with and
// without the extension, panel latency, a 10,000-hit journey, wasm size.
// Run by `./build.sh bench` after a build. Every comparison is measured side
// by side in the same run. Figures are medians with their interquartile range;
// they are also written to target/bench/browser.json for bench/report.mjs.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { EXTENSION, launch, ROOT, sleep } from '../tests/e2e/helpers.mjs';

const LOADS = Number(process.env.BENCH_LOADS || 10);
const LATENCY_HITS = Number(process.env.BENCH_HITS || 200);
const SCALE_HITS = 10000;

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const med = (xs) => pct(xs, 50);
const fmt = (xs, unit = 'ms') => `${med(xs).toFixed(1)} ${unit} (IQR ${pct(xs, 25).toFixed(1)}–${pct(xs, 75).toFixed(1)})`;
const stats = (xs) => ({ median: med(xs), p25: pct(xs, 25), p75: pct(xs, 75), p95: pct(xs, 95), n: xs.length });
const results = {};
// The demo store's settings for the page-cost loads (the clean scenario).
const demoConfig = "window.DEMO={scenario:'clean',description:'',pixelId:'1234567890',customer:{email:'a@b.c'},order:{number:1,subtotal:60,shipping:10,tax:8,discount:0,total:78,currency:'USD',items:2}};window.DEMO.eid=function(k){return k+'-1'};";

/** A browser on the demo store (clean scenario); watching when it is PixelProof. */
async function demoBrowser(extension) {
  const t = await launch({ extension, siteRoot: join(ROOT, 'demo', 'store') });
  if (extension === true) await t.watching();
  await t.context.route('https://shop.test/demo/config.js', (x) => x.fulfill({ contentType: 'text/javascript', body: demoConfig }));
  return t;
}

// The floor any extension pays: PixelProof's own files and manifest (same
// permissions, same host access) with a worker that does nothing, so it
// registers no page script and listens to nothing.
function idleExtension() {
  const dir = mkdtempSync(join(tmpdir(), 'pixelproof-idle-'));
  cpSync(EXTENSION, dir, { recursive: true });
  writeFileSync(join(dir, 'background.js'), '// benchmark floor: an installed extension that does nothing\n');
  return dir;
}

// Page cost: the demo product page in three browsers — without an extension,
// with the idle extension, with PixelProof — measured in rounds, each round
// with fresh browsers (a browser instance has its own systematic drift on a
// shared machine) and the arms' order rotated; the first load of each browser
// warms its caches and is not counted.
async function pageCost() {
  const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
  const idleDir = idleExtension();
  const arms = { without: false, idle: idleDir, pixelproof: true };
  const runs = Object.fromEntries(Object.keys(arms).map((k) => [k, { script: [], load: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    const names = Object.keys(arms);
    for (let r = 0; r < round; r++) names.push(names.shift());
    const browsers = {};
    for (const name of names) browsers[name] = await demoBrowser(arms[name]);
    for (let i = 0; i <= LOADS; i++) {
      for (const name of names) {
        const t = browsers[name];
        const page = await t.context.newPage();
        const cdp = await t.context.newCDPSession(page);
        await cdp.send('Performance.enable');
        await page.goto('https://shop.test/products/classic-tee', { waitUntil: 'load' });
        // Long enough for work the extension defers (the relay sends a second after a record) to count.
        await sleep(1500);
        const { metrics } = await cdp.send('Performance.getMetrics');
        const script = metrics.find((m) => m.name === 'ScriptDuration').value * 1000;
        const load = await page.evaluate(() => { const n = performance.getEntriesByType('navigation')[0]; return n.loadEventStart - n.startTime; });
        if (i > 0) { runs[name].script.push(script); runs[name].load.push(load); }
        await page.close();
      }
    }
    for (const name of names) await browsers[name].close();
  }
  rmSync(idleDir, { recursive: true, force: true });
  const m = (name, what) => med(runs[name][what]);
  const scriptRatio = m('pixelproof', 'script') / m('without', 'script');
  const loadDelta = m('pixelproof', 'load') - m('without', 'load');
  results.pageCost = {
    rounds: ROUNDS,
    loads: runs.pixelproof.script.length,
    ...Object.fromEntries(Object.keys(arms).map((k) => [k, { script: stats(runs[k].script), load: stats(runs[k].load) }])),
    scriptRatio,
    loadDelta,
    ownScriptRatio: m('pixelproof', 'script') / m('idle', 'script'),
    ownLoadDelta: m('pixelproof', 'load') - m('idle', 'load'),
    floorScriptRatio: m('idle', 'script') / m('without', 'script'),
    floorLoadDelta: m('idle', 'load') - m('without', 'load'),
  };
  const p = results.pageCost;
  const sign = (x) => `${x >= 0 ? '+' : ''}${x.toFixed(1)} ms`;
  console.log(`\n## Page cost (demo product page, ${ROUNDS} rounds × ${LOADS} loads per arm, fresh browsers each round)`);
  for (const k of Object.keys(arms)) console.log(`${k.padEnd(10)} script ${fmt(runs[k].script)}, load event ${fmt(runs[k].load)}`);
  console.log(`PixelProof vs no extension: script ${scriptRatio.toFixed(3)}× (target ≤ 1.02×), load ${sign(loadDelta)} (target ≤ +5 ms)`);
  console.log(`of which any installed extension (idle): script ${p.floorScriptRatio.toFixed(3)}×, load ${sign(p.floorLoadDelta)}`);
  console.log(`PixelProof's own (vs idle): script ${p.ownScriptRatio.toFixed(3)}×, load ${sign(p.ownLoadDelta)}`);
}

// PixelProof's own scripts in the page (page hook and relay), from the V8 CPU
// profile of each load: the self time of every function whose script is ours.
async function ownScripts() {
  const N = LOADS;
  const t = await demoBrowser(true);
  const own = [];
  for (let i = 0; i <= N; i++) {
    const page = await t.context.newPage();
    // A same-site page first, so the profiled navigation stays in this renderer.
    await page.goto('https://shop.test/cart');
    const cdp = await t.context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
    await cdp.send('Profiler.start');
    await page.goto('https://shop.test/products/classic-tee', { waitUntil: 'load' });
    await sleep(1500);
    const { profile } = await cdp.send('Profiler.stop');
    const self = new Map();
    profile.samples.forEach((id, k) => self.set(id, (self.get(id) || 0) + (profile.timeDeltas[k + 1] || 0) / 1000));
    const ms = profile.nodes.filter((n) => n.callFrame.url.startsWith('chrome-extension://')).reduce((sum, n) => sum + (self.get(n.id) || 0), 0);
    if (i > 0) own.push(ms);
    await page.close();
  }
  await t.close();
  results.ownScripts = stats(own);
  console.log(`\n## PixelProof's own scripts in the page (CPU profile, 50 µs sampling, ${N} loads)`);
  console.log(`page hook + relay: ${fmt(own)} per product page load`);
}

async function panelLatency() {
  const t = await launch({ extension: true });
  await t.watching();
  const page = await t.context.newPage();
  await page.goto('https://shop.test/soak');
  const tabId = await t.tabIdOf('https://shop.test/soak');
  const panel = await t.context.newPage();
  await panel.goto(`chrome-extension://${t.extensionId}/panel.html?tab=${tabId}`);
  await panel.waitForSelector('#pp-timeline-list');
  await panel.evaluate(() => {
    window.__seen = {};
    new MutationObserver(() => {
      for (const li of document.querySelectorAll('#pp-timeline-list > li.t-hit')) {
        const m = li.textContent.match(/eid lat-(\d+)/);
        if (m && !(m[1] in window.__seen)) window.__seen[m[1]] = Date.now();
      }
    }).observe(document.getElementById('pp-timeline-body'), { childList: true, subtree: true });
  });
  const lat = [];
  for (let i = 0; i < LATENCY_HITS; i++) {
    const sent = await page.evaluate((k) => { const t0 = Date.now(); new Image().src = `https://www.facebook.com/tr/?id=1234567890&ev=ViewContent&eid=lat-${k}&rqm=GET`; return t0; }, i);
    const seen = await panel.waitForFunction((k) => window.__seen[k], i, { timeout: 10000 }).then((h) => h.jsonValue());
    lat.push(seen - sent);
  }
  results.panelLatency = stats(lat);
  console.log(`\n## Panel latency (pixel request leaves the page → its row in the panel DOM, ${lat.length} hits)`);
  console.log(`p50 ${pct(lat, 50)} ms, p95 ${pct(lat, 95)} ms, max ${Math.max(...lat)} ms (target p95 < 100 ms)`);
  await t.close();
}

async function scale() {
  const t = await launch({ extension: true });
  await t.watching();
  const page = await t.context.newPage();
  await page.goto('https://shop.test/soak');
  const tabId = await t.tabIdOf('https://shop.test/soak');
  const t0 = Date.now();
  await page.evaluate((n) => window.soak(n, 0), SCALE_HITS - 1);
  const records = await t.journalUntil(tabId, (rs) => rs.filter((r) => r.kind === 'request').length >= SCALE_HITS - 1, 'hits', 180000);
  const captured = Date.now() - t0;
  const control = await t.control();
  const bytes = await control.evaluate(() => chrome.storage.local.getBytesInUse(null));
  // The core in the browser: a session holding the whole journal, then one more hit.
  const addCost = await control.evaluate(async (journal) => {
    const { default: init, Session } = await import('./wasm/pixelproof_wasm.js');
    await init({ module_or_path: './wasm/pixelproof_wasm_bg.wasm' });
    const s = new Session(undefined);
    const t1 = performance.now();
    s.addJson(JSON.stringify(journal));
    const build = performance.now() - t1;
    const times = [];
    for (let i = 0; i < 200; i++) {
      const rec = { kind: 'request', url: `https://www.facebook.com/tr/?id=1234567890&ev=ViewContent&eid=extra-${i}&cd[content_ids]=%5B%22x${i}%22%5D&rqm=GET`, method: 'GET', request_type: 'image', context: { tab_id: 1, frame_id: 0, frame_type: 'main' }, time: Date.now(), origin: 'network' };
      const a = performance.now();
      s.add(rec);
      s.summary(undefined);
      times.push(performance.now() - a);
    }
    const a = performance.now();
    s.add({ ...journal.find((r) => r.kind === 'request'), url: 'https://www.facebook.com/tr/?id=1234567890&ev=Lead&eid=last&rqm=GET' });
    const addOnly = performance.now() - a;
    times.sort((x, y) => x - y);
    return { build, addOnly, summaryP50: times[100], summaryP95: times[190] };
  }, records);
  // The panel on the whole journey: first render (3 opens), the last hit live,
  // and expanding / collapsing a row (6 clicks).
  const renders = [];
  let panel;
  for (let k = 0; k < 3; k++) {
    if (panel) await panel.close();
    panel = await t.context.newPage();
    const r0 = Date.now();
    await panel.goto(`chrome-extension://${t.extensionId}/panel.html?tab=${tabId}`);
    await panel.waitForFunction(() => /^\d+ hits/.test(document.getElementById('pp-counts')?.textContent || '') && document.querySelector('#pp-timeline-list li.t-hit'), null, { timeout: 60000 });
    renders.push(Date.now() - r0);
  }
  const sent = await page.evaluate(() => { const t0 = Date.now(); new Image().src = 'https://www.facebook.com/tr/?id=1234567890&ev=ViewContent&eid=lat-last&rqm=GET'; return t0; });
  await panel.waitForFunction(() => /eid lat-last/.test(document.querySelector('#pp-timeline-list').textContent), null, { timeout: 20000 });
  const lastLatency = Date.now() - sent;
  const clicks = [];
  for (let k = 0; k < 6; k++) {
    const c0 = Date.now();
    await panel.click('tr[data-event="ViewContent"] button');
    await panel.waitForFunction((open) => Boolean(document.querySelector('tr.row-hits')) === open, k % 2 === 0, { timeout: 20000 });
    clicks.push(Date.now() - c0);
  }
  results.scale = { hits: SCALE_HITS, captureSeconds: captured / 1000, storageMB: bytes / 1e6, sessionBuildMs: addCost.build, addOneMs: addCost.addOnly, addSummaryP50: addCost.summaryP50, addSummaryP95: addCost.summaryP95, firstRender: stats(renders), lastHitMs: lastLatency, rowToggle: stats(clicks) };
  console.log(`\n## Scale (one tab, ${SCALE_HITS.toLocaleString()} hits)`);
  console.log(`capture of ${SCALE_HITS - 1} hits sent 20 at a time: ${(captured / 1000).toFixed(1)} s; storage ${(bytes / 1e6).toFixed(1)} MB`);
  console.log(`wasm session from the whole journal: ${addCost.build.toFixed(0)} ms; one more hit: add ${addCost.addOnly.toFixed(3)} ms; add + full summary p50 ${addCost.summaryP50.toFixed(1)} ms, p95 ${addCost.summaryP95.toFixed(1)} ms (target: adding a hit < 1 ms)`);
  console.log(`panel: first render ${fmt(renders)}; the 10,000th hit on screen ${lastLatency} ms after it left the page; expanding or collapsing a row ${fmt(clicks)}`);
  await t.close();
}

function size() {
  // Two modules since the panel became its own crate: what each context loads.
  const measure = (module) => {
    const raw = readFileSync(join(ROOT, 'dist', 'chrome', 'wasm', `${module}_bg.wasm`));
    return { raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
  };
  const worker = measure('pixelproof_wasm');
  const panel = measure('pixelproof_panel');
  const zip = statSync(join(ROOT, 'dist', 'pixelproof-chrome.zip')).size;
  results.size = { wasmRaw: worker.raw, wasmGzip: worker.gzip, panelRaw: panel.raw, panelGzip: panel.gzip, chromeZip: zip };
  const kb = (n) => (n / 1024).toFixed(0);
  console.log('\n## Size');
  console.log(`worker wasm ${kb(worker.raw)} KB raw, ${kb(worker.gzip)} KB gzip (target 450 KB raw); panel wasm ${kb(panel.raw)} KB raw, ${kb(panel.gzip)} KB gzip; Chrome zip ${kb(zip)} KB`);
}

// BENCH_ONLY=pageCost,size (for example) re-measures some parts and keeps the
// last figures of the others.
const parts = { size, pageCost, ownScripts, panelLatency, scale };
const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : Object.keys(parts);
for (const name of only) {
  if (!parts[name]) throw new Error(`BENCH_ONLY: no part "${name}" (parts: ${Object.keys(parts).join(', ')})`);
  await parts[name]();
}
results.chromium = process.env.BENCH_CHROMIUM_VERSION || null;
const out = join(ROOT, 'target', 'bench', 'browser.json');
const kept = process.env.BENCH_ONLY && existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {};
mkdirSync(join(ROOT, 'target', 'bench'), { recursive: true });
writeFileSync(out, JSON.stringify({ ...kept, ...results }, null, 2));
