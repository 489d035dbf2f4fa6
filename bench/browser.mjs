// Browser benchmarks (prints figures against their goals; no assertions): page
// cost with and without the extension on the demo page, on a page with a
// real-sized pixel library and on a store-like page (Dawn's product page, see
// bench/store-page.mjs), panel latency, opening the panel, a woken worker's
// first badge, a 10,000-hit journey, wasm size. Run by `./build.sh bench`
// after a build. Every comparison is measured side by side in the same run,
// arms alternating. Figures are medians with their interquartile range; they
// are also written to target/bench/browser.json for bench/report.mjs.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { EXTENSION, launch } from '../support/drivers/chromium.mjs';
import { ROOT, sleep } from '../support/drivers/common.mjs';
import { startServer } from '../support/server.mjs';
import { pixelLibrary } from './pixel-library.mjs';
import { storePage } from './store-page.mjs';
import { configScript } from '../demo/scenarios.mjs';
import { GOALS, verdict } from './goals.mjs';
import { journey, wakes } from './wake.mjs';

const LOADS = Number(process.env.BENCH_LOADS || 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 4);
const LATENCY_HITS = Number(process.env.BENCH_HITS || 200);
const SCALE_HITS = 10000;
const SMALL_HITS = 200;
const WAKE_HITS = 1000;
const OPENS = Number(process.env.BENCH_OPENS || 6);
const WAKES = Number(process.env.BENCH_WAKES || 8);

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const med = (xs) => pct(xs, 50);
const fmt = (xs, unit = 'ms') => `${med(xs).toFixed(1)} ${unit} (IQR ${pct(xs, 25).toFixed(1)}–${pct(xs, 75).toFixed(1)})`;
const stats = (xs) => ({ median: med(xs), p25: pct(xs, 25), p75: pct(xs, 75), p95: pct(xs, 95), n: xs.length });
const results = {};
// BENCH_ONLY keeps the other parts' last figures (and lets a part use them).
const OUT = join(ROOT, 'target', 'bench', 'browser.json');
const kept = process.env.BENCH_ONLY && existsSync(OUT) ? JSON.parse(readFileSync(OUT, 'utf8')) : {};
/** Prints a figure against its goal (bench/goals.mjs) and keeps the verdict. */
const against = (key, value) => { const v = verdict(key, value); console.log(`  → ${v.text}`); return v; };

// The demo store's settings for the page-cost loads: the clean scenario, as
// the demo serves it (its theme's base code loads the pixel library).
const demoConfig = configScript('clean');
// Long tasks of the page, observed from before any of its scripts (or ours) run.
const LONG_TASKS = "window.__longTasks=[];try{new PerformanceObserver(function(l){l.getEntries().forEach(function(e){window.__longTasks.push(e.duration)})}).observe({type:'longtask',buffered:true})}catch(e){}";

/**
 * A browser on the demo store (clean scenario), its own server serving
 * `library` as the pixel (the demo's stand-in when null); watching when it is PixelProof.
 */
async function demoBrowser(extension, library = null, siteRoot = join(ROOT, 'demo', 'store')) {
  const server = await startServer(library ? { siteRoot, pixelText: library.fbevents, signalsConfig: library.config } : { siteRoot });
  const t = await launch({ extension, siteRoot, server });
  if (extension === true) await t.watching();
  await t.context.route('https://shop.test/demo/config.js', (x) => x.fulfill({ contentType: 'text/javascript', body: demoConfig }));
  const close = t.close;
  t.close = async () => { await close(); await server.close(); };
  return t;
}

/**
 * A copy of the test build (its manifest, permissions and host access) with
 * `files` (name → text) written over it, for a floor arm: the caller removes it.
 * @param {string} name
 * @param {Record<string, string>} files
 */
function extensionWith(name, files) {
  const dir = mkdtempSync(join(tmpdir(), `pixelproof-${name}-`));
  cpSync(EXTENSION, dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

// The floor any extension pays: PixelProof's own files and manifest (same
// permissions, same host access) with a worker that does nothing, so it
// registers no page script and listens to nothing.
const idleExtension = () => extensionWith('idle', { 'background.js': '// benchmark floor: an installed extension that does nothing\n' });

const PRODUCT = '/products/classic-tee';
let pagesMade = null;
/** The pages page cost is measured on (the store-like one when Dawn can be had). */
function pages() {
  if (pagesMade) return pagesMade;
  const lib = pixelLibrary();
  const mb = `${(lib.bytes / 1e6).toFixed(2)} MB: ${lib.source}`;
  pagesMade = {
    demo: { label: 'demo product page (the ~7 KB pixel stand-in)', library: null, path: PRODUCT },
    real: { label: `product page with a real-sized pixel library (${mb})`, library: lib, path: PRODUCT },
  };
  const store = storePage();
  results.storeSkipped = store.skipped || null;
  if (store.skipped) console.log(`\n(store-like page skipped: ${store.skipped})`);
  else pagesMade.store = { label: `store-like page: Dawn's product page, ${(store.themeBytes / 1e3).toFixed(0)} KB of its HTML, CSS and JS (${store.source}), with the real-sized pixel library (${mb})`, library: lib, path: store.path, siteRoot: store.siteRoot };
  return pagesMade;
}

// Page cost: the product page in three browsers — without an extension, with
// the idle extension, with PixelProof — measured in rounds, each round with
// fresh browsers (a browser instance has its own systematic drift on a shared
// machine) and the arms' order rotated; loads alternate between the arms and
// the first load of each browser warms its caches and is not counted.
// ScriptDuration and TaskDuration are CDP's per-page figures of the load.
async function pageCost() {
  const idleDir = idleExtension();
  const arms = { without: false, idle: idleDir, pixelproof: true };
  results.pageCost = {};
  for (const [key, page] of Object.entries(pages())) {
    const runs = Object.fromEntries(Object.keys(arms).map((k) => [k, { script: [], task: [], load: [], longTasks: [] }]));
    for (let round = 0; round < ROUNDS; round++) {
      const names = Object.keys(arms);
      for (let r = 0; r < round; r++) names.push(names.shift());
      const browsers = {};
      for (const name of names) browsers[name] = await demoBrowser(arms[name], page.library, page.siteRoot);
      for (let i = 0; i <= LOADS; i++) {
        for (const name of names) {
          const t = browsers[name];
          const p = await t.context.newPage();
          await p.addInitScript(LONG_TASKS);
          const cdp = await t.context.newCDPSession(p);
          await cdp.send('Performance.enable');
          await p.goto(`https://shop.test${page.path}`, { waitUntil: 'load' });
          // Long enough for work the extension defers (the relay sends a second after a record) to count.
          await sleep(1500);
          const { metrics } = await cdp.send('Performance.getMetrics');
          const metric = (m) => metrics.find((x) => x.name === m).value * 1000;
          const load = await p.evaluate(() => { const n = performance.getEntriesByType('navigation')[0]; return n.loadEventStart - n.startTime; });
          const longTasks = await p.evaluate(() => window.__longTasks || []);
          if (i > 0) {
            const run = runs[name];
            run.script.push(metric('ScriptDuration'));
            run.task.push(metric('TaskDuration'));
            run.load.push(load);
            run.longTasks.push(longTasks.length);
          }
          await p.close();
        }
      }
      for (const name of names) await browsers[name].close();
    }
    const m = (name, what) => med(runs[name][what]);
    const r = {
      label: page.label,
      rounds: ROUNDS,
      loads: runs.pixelproof.script.length,
      ...Object.fromEntries(Object.keys(arms).map((k) => [k, { script: stats(runs[k].script), task: stats(runs[k].task), load: stats(runs[k].load), longTasks: runs[k].longTasks.reduce((a, b) => a + b, 0) }])),
      scriptRatio: m('pixelproof', 'script') / m('without', 'script'),
      taskRatio: m('pixelproof', 'task') / m('without', 'task'),
      loadDelta: m('pixelproof', 'load') - m('without', 'load'),
      ownScriptRatio: m('pixelproof', 'script') / m('idle', 'script'),
      ownLoadDelta: m('pixelproof', 'load') - m('idle', 'load'),
      floorScriptRatio: m('idle', 'script') / m('without', 'script'),
      floorLoadDelta: m('idle', 'load') - m('without', 'load'),
    };
    results.pageCost[key] = r;
    const sign = (x) => `${x >= 0 ? '+' : ''}${x.toFixed(1)} ms`;
    console.log(`\n## Page cost: ${page.label}\n(${ROUNDS} rounds × ${LOADS} loads per arm, fresh browsers each round, arms alternating)`);
    for (const k of Object.keys(arms)) console.log(`${k.padEnd(10)} script ${fmt(runs[k].script)}, task ${fmt(runs[k].task)}, load event ${fmt(runs[k].load)}, long tasks ${r[k].longTasks} in ${runs[k].script.length} loads`);
    console.log(`PixelProof vs no extension: script ${r.scriptRatio.toFixed(3)}× (${sign(m('pixelproof', 'script') - m('without', 'script'))}), task ${r.taskRatio.toFixed(3)}× (${sign(m('pixelproof', 'task') - m('without', 'task'))}), load ${sign(r.loadDelta)}`);
    console.log(`of which any installed extension (idle): script ${r.floorScriptRatio.toFixed(3)}×, load ${sign(r.floorLoadDelta)}; PixelProof's own (vs idle): script ${r.ownScriptRatio.toFixed(3)}×, load ${sign(r.ownLoadDelta)}`);
    if (key === 'demo') r.verdict = against('pageCostDemo', r.scriptRatio);
  }
  rmSync(idleDir, { recursive: true, force: true });
}

// PixelProof's own scripts in the page (page hook and relay, their observers
// and listeners included), from the V8 CPU profile of each load: the self time
// of every function whose script is ours, the page hook's (page-hook.js, the
// page's MAIN world) apart from the relay's. The profile also splits the main
// thread into tasks (runs of samples between idle ones): a long task (> 50 ms)
// is PixelProof's doing when it would not be long without our time in it.
async function ownScripts() {
  results.ownScripts = {};
  for (const [key, page] of Object.entries(pages())) {
    const t = await demoBrowser(true, page.library, page.siteRoot);
    const own = [];
    const hook = [];
    const worstTask = [];
    let caused = 0;
    let long = 0;
    for (let i = 0; i <= LOADS; i++) {
      const p = await t.context.newPage();
      // A same-site page first, so the profiled navigation stays in this renderer.
      await p.goto('https://shop.test/cart');
      const cdp = await t.context.newCDPSession(p);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
      await cdp.send('Profiler.start');
      await p.goto(`https://shop.test${page.path}`, { waitUntil: 'load' });
      await sleep(1500);
      const { profile } = await cdp.send('Profiler.stop');
      const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
      let ms = 0;
      let hookMs = 0;
      let task = { total: 0, own: 0 };
      const tasks = [];
      profile.samples.forEach((id, k) => {
        const dt = (profile.timeDeltas[k + 1] || 0) / 1000;
        const frame = nodes.get(id).callFrame;
        if (frame.functionName === '(idle)') {
          if (task.total > 0) tasks.push(task);
          task = { total: 0, own: 0 };
          return;
        }
        task.total += dt;
        if (frame.url.startsWith('chrome-extension://')) {
          ms += dt;
          task.own += dt;
          if (frame.url.endsWith('/page-hook.js')) hookMs += dt;
        }
      });
      if (task.total > 0) tasks.push(task);
      if (i > 0) {
        own.push(ms);
        hook.push(hookMs);
        worstTask.push(Math.max(0, ...tasks.map((x) => x.own)));
        long += tasks.filter((x) => x.total > 50).length;
        caused += tasks.filter((x) => x.total > 50 && x.total - x.own <= 50).length;
      }
      await p.close();
    }
    await t.close();
    const costs = (results.pageCost || kept.pageCost || {})[key];
    const r = { label: page.label, self: stats(own), hook: stats(hook), worstTask: stats(worstTask), longTasks: long, caused, loads: own.length };
    if (costs) {
      r.ofScript = r.self.median / costs.pixelproof.script.median;
      r.ofTask = r.self.median / costs.pixelproof.task.median;
      r.hookOfScript = r.hook.median / costs.pixelproof.script.median;
      r.hookOfTask = r.hook.median / costs.pixelproof.task.median;
    }
    results.ownScripts[key] = r;
    console.log(`\n## PixelProof's own scripts: ${page.label}\n(CPU profile, 50 µs sampling, ${own.length} loads)`);
    console.log(`page hook + relay self time ${fmt(own)} per load${costs ? ` = ${(100 * r.ofScript).toFixed(1)} % of the page's script time, ${(100 * r.ofTask).toFixed(1)} % of its task time (PixelProof arm medians)` : ''}`);
    console.log(`of which the page hook ${fmt(hook)} per load${costs ? ` = ${(100 * r.hookOfScript).toFixed(1)} % of the page's script time, ${(100 * r.hookOfTask).toFixed(1)} % of its task time` : ''}`);
    console.log(`most of ours in one task: ${fmt(worstTask)}; tasks over 50 ms: ${long} in ${own.length} loads, ${caused} of them long because of PixelProof`);
    if (key === 'real' && costs) {
      r.verdictScript = against('ownShareScript', r.ofScript);
      r.verdictTask = against('ownShareTask', r.ofTask);
    }
    if (key === 'real') r.verdictLong = against('longTasksCaused', caused);
    if (key === 'real') r.verdictHook = against('hookSelfReal', r.hook.median);
    if (key === 'store') {
      r.verdictHook = against('hookSelfStore', r.hook.median);
      if (costs) r.verdictHookScript = against('hookShareStore', r.hookOfScript);
    }
  }
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

// "First full paint" of the panel: the first frame in which its root's
// data-applied equals the journal's total (every record is in its session and
// on the page) and the live part (the core events' statuses, the newest
// hits), the gate, the cards, the findings and the timeline's first page are
// in the DOM (at least the total read just before opening: a record may land
// meanwhile); checked on every animation frame from the panel's
// first script on, and timed from its navigation start. The panel's own
// performance marks split it: wasm compiled, journal read (the worker's
// answer that everything is written, then storage; each part is taken in as it
// comes), the last part taken in, rendered.
const FIRST_PAINT = `(() => {
  window.__paint = null;
  const done = () => {
    const app = document.getElementById('app');
    return app && Number(app.dataset.applied) >= window.__expected && document.querySelector('#pp-gate-body .gate') &&
      document.querySelector('#pp-acceptance-body table') && document.querySelector('#pp-record *') &&
      document.querySelector('#pp-timeline-list > li') && document.querySelector('#pp-events > li[data-status]') &&
      document.querySelector('#pp-live-hits > li');
  };
  // The first screen: the verdict and the four core events' statuses, and the newest hits.
  window.__first = null;
  const first = () => document.querySelectorAll('#pp-events > li[data-status]').length === 4 && document.querySelector('#pp-live-hits > li') && !/…/.test(document.getElementById('pp-verdict')?.textContent || '…');
  const check = () => { if (window.__first === null && first()) window.__first = performance.now(); if (done()) window.__paint = performance.now(); else requestAnimationFrame(check); };
  requestAnimationFrame(check);
})();`;

async function openPanel(t, tabId) {
  const { total } = await t.send({ type: 'get-journal-total', tabId });
  const panel = await t.context.newPage();
  await panel.addInitScript(`window.__expected = ${total};`);
  await panel.addInitScript(FIRST_PAINT);
  await panel.goto(`chrome-extension://${t.extensionId}/panel.html?tab=${tabId}`);
  await panel.waitForFunction(() => window.__paint !== null, null, { timeout: 60000, polling: 50 });
  const out = await panel.evaluate(() => {
    const mark = (name) => { const m = performance.getEntriesByName(name)[0]; return m ? m.startTime : null; };
    return { paint: window.__paint, first: window.__first, compiled: mark('pp:compiled'), instantiated: mark('pp:instantiated'), written: mark('pp:written'), read: mark('pp:journal'), loaded: mark('pp:loaded'), rendered: mark('pp:rendered') };
  });
  return { panel, ...out };
}

function splitOf(opens) {
  const part = (a, b) => opens.filter((o) => o[a] != null && o[b] != null).map((o) => o[b] - o[a]);
  return {
    firstScreen: stats(opens.map((o) => o.first).filter((x) => x != null)),
    compiled: stats(opens.map((o) => o.compiled).filter((x) => x != null)),
    instantiated: stats(opens.map((o) => o.instantiated).filter((x) => x != null)),
    journalRead: stats(opens.map((o) => o.read).filter((x) => x != null)),
    takenIn: stats(part('read', 'loaded')),
    rendered: stats(part('loaded', 'rendered')),
  };
}

async function scale() {
  const t = await launch({ extension: true });
  await t.watching();
  const small = await journey(t, 'small', SMALL_HITS);
  const page = await t.context.newPage();
  await page.goto('https://shop.test/soak?large');
  const tabId = await t.tabIdOf('https://shop.test/soak?large');
  const t0 = Date.now();
  await page.evaluate((n) => window.soak(n, 0), SCALE_HITS - 1);
  const records = await t.journalUntil(tabId, (rs) => rs.filter((r) => r.kind === 'request').length >= SCALE_HITS - 1, 'hits', 300000);
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
    const badge = [];
    for (let i = 0; i < 200; i++) {
      const rec = { kind: 'request', url: `https://www.facebook.com/tr/?id=1234567890&ev=ViewContent&eid=extra-${i}&cd[content_ids]=%5B%22x${i}%22%5D&rqm=GET`, method: 'GET', request_type: 'image', context: { tab_id: 1, frame_id: 0, frame_type: 'main' }, time: Date.now(), origin: 'network' };
      const a = performance.now();
      s.add(rec);
      const b = performance.now();
      s.failing(undefined);
      badge.push(performance.now() - b);
      times.push(performance.now() - a);
    }
    const a = performance.now();
    s.add({ ...journal.find((r) => r.kind === 'request'), url: 'https://www.facebook.com/tr/?id=1234567890&ev=Lead&eid=last&rqm=GET' });
    const addOnly = performance.now() - a;
    times.sort((x, y) => x - y);
    badge.sort((x, y) => x - y);
    return { build, addOnly, addBadgeP50: times[100], addBadgeP95: times[190], badgeP50: badge[100] };
  }, records);
  // Opening the panel on 200 and on 10,000 hits, alternating.
  const opens = { small: [], large: [] };
  for (let k = 0; k < OPENS; k++) {
    for (const [which, tab] of [['small', small.tabId], ['large', tabId]]) {
      const o = await openPanel(t, tab);
      opens[which].push(o);
      await o.panel.close();
    }
  }
  // The panel on the whole journey: the last hit live, and expanding /
  // collapsing a row (6 clicks).
  const { panel } = await openPanel(t, tabId);
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
  // A woken worker's first badge on the 10,000-hit journey (as workerWake does at 1,000).
  const woken = await wakes(t, page, tabId, WAKES);
  const paint = (which) => stats(opens[which].map((o) => o.paint));
  results.panelOpen = { smallHits: SMALL_HITS, largeHits: SCALE_HITS, small: paint('small'), large: paint('large'), smallSplit: splitOf(opens.small), largeSplit: splitOf(opens.large) };
  results.scale = { hits: SCALE_HITS, captureSeconds: captured / 1000, storageMB: bytes / 1e6, sessionBuildMs: addCost.build, addOneMs: addCost.addOnly, addBadgeP50: addCost.addBadgeP50, addBadgeP95: addCost.addBadgeP95, badgeP50: addCost.badgeP50, lastHitMs: lastLatency, rowToggle: stats(clicks) };
  console.log(`\n## Scale (one tab, ${SCALE_HITS.toLocaleString()} hits)`);
  console.log(`capture of ${SCALE_HITS - 1} hits sent 20 at a time: ${(captured / 1000).toFixed(1)} s; storage ${(bytes / 1e6).toFixed(1)} MB`);
  console.log(`worker wasm session from the whole journal: ${addCost.build.toFixed(0)} ms; one more hit: add ${addCost.addOnly.toFixed(3)} ms; add + badge count (failing) p50 ${addCost.addBadgeP50.toFixed(1)} ms, p95 ${addCost.addBadgeP95.toFixed(1)} ms`);
  console.log(`panel: the 10,000th hit on screen ${lastLatency} ms after it left the page; expanding or collapsing a row ${fmt(clicks)}`);
  const built = stats(woken.splits.map((m) => m['pp:session']).filter((x) => x != null));
  results.scale.wake = { badge: stats(woken.times), built };
  console.log(`a woken worker's first badge: ${fmt(woken.times)} (${WAKES} wakes; session built at ${built.median?.toFixed(0)} ms in the worker)`);
  results.scale.wakeVerdict = against('workerWakeLarge', results.scale.wake.badge.median);
  console.log(`\n## Opening the panel (first full paint, ${OPENS} opens each, alternating)`);
  for (const which of ['small', 'large']) {
    const s = results.panelOpen[`${which}Split`];
    const n = which === 'small' ? SMALL_HITS : SCALE_HITS;
    console.log(`${n.toLocaleString()} hits: ${fmt(opens[which].map((o) => o.paint))} (first screen ${s.firstScreen.n ? s.firstScreen.median.toFixed(0) : '–'} ms) — wasm compiled at ${s.compiled.median.toFixed(0)}, instantiated at ${s.instantiated.n ? s.instantiated.median.toFixed(0) : '–'}, journal read at ${s.journalRead.median.toFixed(0)}, taken in ${s.takenIn.median.toFixed(0)}, rendered ${s.rendered.median.toFixed(0)} ms (medians)`);
    results.panelOpen[`${which}Verdict`] = against(which === 'small' ? 'panelOpenSmall' : 'panelOpenLarge', results.panelOpen[which].median);
  }
  await t.close();
  results.panelOpen.floor = await panelFloor();
  const f = results.panelOpen.floor;
  console.log(`floor: an extension page whose one script writes a line of text, to the first frame showing it: ${f.median.toFixed(1)} ms (IQR ${f.p25.toFixed(1)}–${f.p75.toFixed(1)}), ${f.n} opens`);
  console.log(`floor: the same page once it has the panel's wasm ready (preloaded, compiled as it streams, instantiated): ${f.wasm.median.toFixed(1)} ms (IQR ${f.wasm.p25.toFixed(1)}–${f.wasm.p75.toFixed(1)}), ${f.wasm.n} opens`);
}

// The floors of opening the panel, each an extension page of the same
// extension opened and timed the same way (to the first frame that shows its
// line of text), alternating, in a browser of their own: one whose one module
// script writes the line, and one that first gets the panel's wasm ready as
// panel.html and panel.js do (the module preloaded from the head, compiled as
// it streams in, the glue imported, instantiated) and writes the line then —
// what any panel built on that module pays before it reads or draws anything.
async function panelFloor() {
  const page = (script, head = '') => `<!doctype html>\n<meta charset="utf-8">\n<title>floor</title>\n${head}<main id="app"></main>\n<script type="module" src="${script}"></script>\n`;
  const dir = extensionWith('floor-page', {
    'floor.html': page('floor.js'),
    'floor.js': "document.getElementById('app').textContent = 'ready';\n",
    'floor-wasm.html': page('floor-wasm.js', '<link rel="preload" href="wasm/pixelproof_panel_bg.wasm" as="fetch" type="application/wasm" crossorigin>\n<link rel="modulepreload" href="wasm/pixelproof_panel.js">\n'),
    'floor-wasm.js': [
      "const compiled = WebAssembly.compileStreaming(fetch(new URL('wasm/pixelproof_panel_bg.wasm', import.meta.url)));",
      "const [g, m] = await Promise.all([import('./wasm/pixelproof_panel.js'), compiled]);",
      'await g.default({ module_or_path: m });',
      "document.getElementById('app').textContent = 'ready';",
      '',
    ].join('\n'),
  });
  const t = await launch({ extension: dir });
  try {
    const paints = { 'floor.html': [], 'floor-wasm.html': [] };
    for (let k = 0; k < OPENS; k++) {
      for (const file of k % 2 ? ['floor-wasm.html', 'floor.html'] : ['floor.html', 'floor-wasm.html']) {
        const p = await t.context.newPage();
        await p.addInitScript("window.__paint = null; const check = () => { if (document.getElementById('app')?.textContent === 'ready') window.__paint = performance.now(); else requestAnimationFrame(check); }; requestAnimationFrame(check);");
        await p.goto(`chrome-extension://${t.extensionId}/${file}`);
        await p.waitForFunction(() => window.__paint !== null, null, { timeout: 20000, polling: 50 });
        paints[file].push(await p.evaluate(() => window.__paint));
        await p.close();
      }
    }
    return { ...stats(paints['floor.html']), wasm: stats(paints['floor-wasm.html']) };
  } finally {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// The floor of a first badge: the same wakes with PixelProof's worker swapped
// for one that only sets the badge on the hit (what any extension pays to be
// started by an event), and for one that first gets PixelProof's wasm ready
// and makes one call into it (what a worker with this module pays before its
// first judgement).
const FLOOR_WORKERS = {
  any: "chrome.webRequest.onBeforeRequest.addListener((d) => { if (d.tabId >= 0) chrome.action.setBadgeText({ tabId: d.tabId, text: '1' }); }, { urls: ['https://www.facebook.com/tr*'] });\n",
  wasm: "import init, { Session } from './wasm/pixelproof_wasm.js';\nconst ready = init({ module_or_path: chrome.runtime.getURL('wasm/pixelproof_wasm_bg.wasm') });\nchrome.webRequest.onBeforeRequest.addListener((d) => { if (d.tabId >= 0) ready.then(() => { const s = new Session(undefined); const n = s.failing(undefined); s.free(); chrome.action.setBadgeText({ tabId: d.tabId, text: String(n) }); }); }, { urls: ['https://www.facebook.com/tr*'] });\n",
};

async function wakeFloor(kind) {
  const dir = extensionWith(`floor-${kind}`, { 'background.js': `// benchmark floor of a woken worker's first badge\n${FLOOR_WORKERS[kind]}` });
  const t = await launch({ extension: dir });
  try {
    const page = await t.context.newPage();
    await page.goto(`https://shop.test${PRODUCT}`);
    const control = await t.control();
    const tabId = await control.evaluate(async () => (await chrome.tabs.query({ url: 'https://shop.test/*' }))[0]?.id);
    if (typeof tabId !== 'number') throw new Error('the floor arm found no store tab');
    return stats((await wakes(t, page, tabId, WAKES)).times);
  } finally {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function workerWake() {
  const t = await launch({ extension: true });
  await t.watching();
  const { page, tabId } = await journey(t, 'wake', WAKE_HITS);
  await sleep(1500);
  const { times, splits } = await wakes(t, page, tabId, WAKES);
  await t.close();
  const mark = (name) => stats(splits.map((m) => m[name]).filter((x) => x != null));
  const floor = { any: await wakeFloor('any'), wasm: await wakeFloor('wasm') };
  results.workerWake = { hits: WAKE_HITS, wakes: WAKES, badge: stats(times), floor, split: { wasm: mark('pp:wasm'), journalRead: mark('pp:journal-read'), built: mark('pp:session'), badge: mark('pp:badge') } };
  const s = results.workerWake.split;
  console.log(`\n## A woken worker's first badge (${WAKE_HITS.toLocaleString()}-hit journey, ${WAKES} wakes)`);
  console.log(`hit leaves the page → badge: ${fmt(times)}; in the worker (ms from its start, medians): wasm ready ${s.wasm.median?.toFixed(0)}, journal read ${s.journalRead.median?.toFixed(0)}, session built ${s.built.median?.toFixed(0)}, badge set ${s.badge.median?.toFixed(0)}`);
  console.log(`floor: a worker that only sets the badge ${floor.any.median.toFixed(1)} ms (IQR ${floor.any.p25.toFixed(1)}–${floor.any.p75.toFixed(1)}); one that gets PixelProof's wasm ready and calls it once ${floor.wasm.median.toFixed(1)} ms (IQR ${floor.wasm.p25.toFixed(1)}–${floor.wasm.p75.toFixed(1)})`);
  results.workerWake.verdict = against('workerWake', results.workerWake.badge.median);
}

function size() {
  // What each context loads: the worker its module at start (and the panel's
  // module only when asked for a packet or summary), the panel its own.
  const measure = (module) => {
    const path = join(ROOT, 'dist', 'chrome', 'wasm', `${module}_bg.wasm`);
    const raw = readFileSync(path);
    return { raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
  };
  const worker = measure('pixelproof_wasm');
  const panel = measure('pixelproof_panel');
  const zip = statSync(join(ROOT, 'dist', 'pixelproof-chrome.zip')).size;
  results.size = { wasmRaw: worker.raw, wasmGzip: worker.gzip, panelRaw: panel.raw, panelGzip: panel.gzip, chromeZip: zip };
  const kb = (n) => (n / 1000).toFixed(0);
  console.log('\n## Size (KB = 1,000 bytes)');
  // Information only: what a woken worker pays for its module is wake time
  // (its compile included), which workerWake measures.
  console.log(`worker wasm ${kb(worker.raw)} KB raw, ${kb(worker.gzip)} KB gzip; panel wasm ${kb(panel.raw)} KB raw, ${kb(panel.gzip)} KB gzip; Chrome zip ${kb(zip)} KB`);
}

// BENCH_ONLY=pageCost,size (for example) re-measures some parts and keeps the
// last figures of the others.
const parts = { size, pageCost, ownScripts, panelLatency, workerWake, scale };
const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : Object.keys(parts);
for (const name of only) {
  if (!parts[name]) throw new Error(`BENCH_ONLY: no part "${name}" (parts: ${Object.keys(parts).join(', ')})`);
  await parts[name]();
}
results.chromium = process.env.BENCH_CHROMIUM_VERSION || null;
results.goals = GOALS;
mkdirSync(join(ROOT, 'target', 'bench'), { recursive: true });
writeFileSync(OUT, JSON.stringify({ ...kept, ...results }, null, 2));
