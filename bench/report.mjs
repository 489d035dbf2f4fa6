// Gathers the figures of one `./build.sh bench` run — criterion estimates,
// the HAR audit (target/bench/har.json) and the browser run
// (target/bench/browser.json) — into one table with its targets, prints it,
// writes docs/benchmarks.md, which the README links. A part that did not run
// is listed as such.
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/drivers/common.mjs';
import { goalText, verdict } from './goals.mjs';

const readJson = (path) => (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null);
const criterion = (group, name) => readJson(join(ROOT, 'target', 'criterion', group, name, 'new', 'estimates.json'));
const sh = (cmd) => { try { return execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch (_) { return 'unknown'; } };

const rows = []; // [area, measure, figure, target, met]
const add = (area, measure, figure, target, met) => rows.push([area, measure, figure, target, met == null ? '–' : met ? 'met' : '**not met**']);
const ns = (v) => (v >= 1e6 ? `${(v / 1e6).toFixed(1)} ms` : v >= 1e3 ? `${(v / 1e3).toFixed(1)} µs` : `${v.toFixed(0)} ns`);
const mad = (e) => `± ${ns(e.median_abs_dev.point_estimate)}`;

// Core (criterion): medians with the median absolute deviation.
const decode = criterion('decode', 'typical_600_byte_url');
if (decode) {
  const m = decode.median.point_estimate;
  add('Core', 'decode a ~600-byte pixel URL', `${ns(m)} ${mad(decode)} = ${Math.round(1e9 / m).toLocaleString('en')} hits/s`, '≥ 300,000 hits/s', 1e9 / m >= 300000);
} else add('Core', 'decode', 'not run', '≥ 300,000 hits/s', null);
const parse = criterion('journal', 'parse_10k_records');
if (parse) add('Core', 'read a stored 10,200-record journal (JSON)', `${ns(parse.median.point_estimate)} ${mad(parse)}`, '–', null);
const full = criterion('session', 'full_evaluation_10k_hits');
if (full) add('Core', 'full re-evaluation, 10,000 decoded hits', `${ns(full.median.point_estimate)} ${mad(full)}`, '< 20 ms', full.median.point_estimate < 20e6);
const ingest = criterion('session', 'ingest_10k_records');
if (ingest) add('Core', 'ingest 10,000 records from scratch', `${ns(ingest.median.point_estimate)} ${mad(ingest)}`, '–', null);
const addHit = criterion('session', 'add_one_hit_to_10k_session');
if (addHit) add('Core', 'add one hit to a 10,000-hit session + refresh', `${ns(addHit.median.point_estimate)} ${mad(addHit)}`, '< 50 µs', addHit.median.point_estimate < 50e3);

// CLI: HAR audit against a bare serde_json parse of the same file.
const har = readJson(join(ROOT, 'target', 'bench', 'har.json'));
if (har) {
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const range = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
  const ratio = med(har.audit_ms) / med(har.parse_ms);
  add('CLI', `audit a ${har.file_mb.toFixed(0)} MB HAR vs serde_json parse (median of ${har.audit_ms.length})`, `${med(har.audit_ms).toFixed(0)} ms (${range(har.audit_ms)}) vs ${med(har.parse_ms).toFixed(0)} ms (${range(har.parse_ms)}) = ${ratio.toFixed(2)}×`, '≤ 2×', ratio <= 2);
  const rss = med(har.audit_peak_mb) / har.file_mb;
  add('CLI', 'audit peak RSS / file size', `${med(har.audit_peak_mb).toFixed(0)} MB = ${rss.toFixed(2)}×`, '≤ 2.5×', rss <= 2.5);
} else add('CLI', 'HAR audit', 'not run', '≤ 2×', null);

// CLI: peak memory per pixel hit on a generated 200,000-hit HAR (har_memory bench).
const mem = readJson(join(ROOT, 'target', 'bench', 'har-memory.json'));
if (mem) {
  for (const r of mem.runs) {
    if (typeof r.peak_mb !== 'number') { add('CLI', `peak RSS, ${r.format} packet`, 'failed', '≤ file + 1 KB per hit', false); continue; }
    const perHit = ((r.peak_mb - mem.file_mb) * 1e6) / mem.hits;
    add('CLI', `peak RSS auditing a ${mem.file_mb.toFixed(0)} MB HAR of ${mem.hits.toLocaleString('en')} pixel hits, ${r.format} packet`, `${r.peak_mb.toFixed(0)} MB = file + ${perHit.toFixed(0)} bytes per hit`, `≤ file + 1,024 bytes per hit (${mem.budget_mb.toFixed(0)} MB)`, r.peak_mb <= mem.budget_mb);
  }
} else add('CLI', 'peak RSS on a 200,000-hit HAR', 'not run', '≤ file + 1 KB per hit', null);

// Browser. Every goal is judged by bench/goals.mjs, the same
// verdicts the bench printed as it measured.
const b = readJson(join(ROOT, 'target', 'bench', 'browser.json'));
const iqr = (s, unit = 'ms') => `${s.median.toFixed(1)} ${unit} (IQR ${s.p25.toFixed(1)}–${s.p75.toFixed(1)})`;
const goal = (key, value) => [goalText(key), verdict(key, value).held];
const pagesMeasured = [];
const PAGE_NAMES = { demo: 'demo page', real: 'real-sized page', store: 'store-like page' };
const signed = (x) => `${x >= 0 ? '+' : ''}${x.toFixed(1)} ms`;
for (const [key, p] of Object.entries((b && b.pageCost) || {})) {
  if (!p || !p.without) continue;
  const page = PAGE_NAMES[key] || key;
  pagesMeasured.push(`the ${page} is the ${p.label}, ${p.rounds} rounds × ${p.loads / p.rounds} loads per arm`);
  add('Page cost', `${page}: main-thread script time without → with PixelProof`, `${iqr(p.without.script)} → ${iqr(p.pixelproof.script)} = ${p.scriptRatio.toFixed(2)}×`, ...(key === 'demo' ? goal('pageCostDemo', p.scriptRatio) : ['–', null]));
  add('Page cost', `${page}: task time`, `${iqr(p.without.task)} → ${iqr(p.pixelproof.task)} = ${p.taskRatio.toFixed(2)}×`, '–', null);
  add('Page cost', `${page}: load event`, `${iqr(p.without.load)} → ${iqr(p.pixelproof.load)} = ${signed(p.loadDelta)}`, '–', null);
  add('Page cost', `${page}: of that, any installed extension (our manifest, a worker that does nothing)`, `script ${p.floorScriptRatio.toFixed(2)}×, load ${signed(p.floorLoadDelta)}`, '–', null);
}
for (const [key, o] of Object.entries((b && b.ownScripts) || {})) {
  if (!o || !o.self) continue;
  const page = PAGE_NAMES[key] || key;
  add('Page cost', `${page}: page hook + relay (CPU profile self time, ${o.loads} loads)`, `${iqr(o.self)} per load`, '–', null);
  if (o.hook) {
    const share = o.hookOfScript != null ? ` = ${(100 * o.hookOfScript).toFixed(1)} % of the page's script time, ${(100 * o.hookOfTask).toFixed(1)} % of its task time` : '';
    const hookGoal = key === 'real' ? 'hookSelfReal' : key === 'store' ? 'hookSelfStore' : null;
    add('Page cost', `${page}: page hook alone (CPU profile self time)`, `${iqr(o.hook)} per load${share}`, ...(hookGoal ? goal(hookGoal, o.hook.median) : ['–', null]));
    if (key === 'store' && o.hookOfScript != null) add('Page cost', `${page}: page hook, share of the page's script time`, `${(100 * o.hookOfScript).toFixed(1)} %`, ...goal('hookShareStore', o.hookOfScript));
  }
  if (key === 'real' && o.ofScript != null) {
    add('Page cost', `${page}: page hook + relay, share of the page's script time`, `${(100 * o.ofScript).toFixed(1)} %`, ...goal('ownShareScript', o.ofScript));
    add('Page cost', `${page}: page hook + relay, share of the page's task time`, `${(100 * o.ofTask).toFixed(1)} %`, ...goal('ownShareTask', o.ofTask));
  }
  if (key === 'real') add('Page cost', `${page}: long tasks (> 50 ms) PixelProof caused`, `${o.caused} (of ${o.longTasks} long tasks in ${o.loads} loads)`, ...goal('longTasksCaused', o.caused));
}
if (b && b.storeSkipped) add('Page cost', 'store-like page (Dawn)', `not measured: ${b.storeSkipped}`, goalText('hookShareStore'), null);
if (b && b.panelLatency) {
  const l = b.panelLatency;
  add('Panel', `latency, request leaves the page → row in the panel (${l.n} hits)`, `p50 ${l.median} ms, p95 ${l.p95} ms`, 'p95 < 100 ms', l.p95 < 100);
}
if (b && b.panelOpen) {
  const o = b.panelOpen;
  for (const which of ['small', 'large']) {
    const s = o[`${which}Split`];
    const first = s && s.firstScreen && s.firstScreen.n ? `first screen at ${s.firstScreen.median.toFixed(0)}, ` : '';
    const split = s ? ` — ${first}wasm compiled at ${s.compiled.median.toFixed(0)}, journal read (taken in part by part as it came) at ${s.journalRead.median.toFixed(0)}, the last part taken in ${s.takenIn.median.toFixed(0)} ms after` : '';
    add('Panel', `opening: first full paint, ${o[`${which}Hits`].toLocaleString('en')} hits (${o[which].n} opens)`, `${iqr(o[which])}${split}`, ...goal(which === 'small' ? 'panelOpenSmall' : 'panelOpenLarge', o[which].median));
  }
  if (o.floor) add('Panel', `opening: the floor, an extension page whose one script writes a line of text (${o.floor.n} opens)`, iqr(o.floor), '–', null);
  if (o.floor && o.floor.wasm) add('Panel', `opening: the floor with the panel's wasm, the same page once it has the module ready as panel.html does (preloaded, compiled as it streams, instantiated; ${o.floor.wasm.n} opens)`, iqr(o.floor.wasm), '–', null);
}
if (b && b.workerWake) {
  const w = b.workerWake;
  const s = w.split;
  const at = (x) => (x && x.median != null ? x.median.toFixed(0) : '?');
  add('Worker', `a woken worker's first badge, ${w.hits.toLocaleString('en')}-hit journey (${w.badge.n} wakes)`, `${iqr(w.badge)} — in the worker: wasm ready at ${at(s.wasm)}, journal read at ${at(s.journalRead)}, session built at ${at(s.built)}, badge at ${at(s.badge)} ms`, ...goal('workerWake', w.badge.median));
  if (w.floor) add('Worker', "a woken worker's first badge: the floor (the same wakes, PixelProof's worker swapped)", `a worker that only sets the badge on the hit ${iqr(w.floor.any)}; one that first gets PixelProof's wasm ready and calls it once ${iqr(w.floor.wasm)}`, '–', null);
}
if (b && b.scale) {
  const s = b.scale;
  add('Scale', `${s.hits.toLocaleString('en')}-hit journey: capture, storage`, `${s.captureSeconds.toFixed(1)} s, ${s.storageMB.toFixed(1)} MB`, '–', null);
  if (s.sessionBuildMs != null) add('Scale', "worker's wasm: a session from the whole journal", `${s.sessionBuildMs.toFixed(0)} ms`, '–', null);
  add('Scale', "worker's wasm: add one hit to it", `${s.addOneMs.toFixed(3)} ms`, '< 1 ms', s.addOneMs < 1);
  if (s.wake) add('Scale', `a woken worker's first badge, ${s.hits.toLocaleString('en')}-hit journey (${s.wake.badge.n} wakes)`, `${iqr(s.wake.badge)} — session built at ${s.wake.built.median != null ? s.wake.built.median.toFixed(0) : '?'} ms in the worker`, ...goal('workerWakeLarge', s.wake.badge.median));
  if (s.addBadgeP50 != null) add('Scale', "worker's wasm: add one hit + the badge's count", `p50 ${s.addBadgeP50.toFixed(1)} ms, p95 ${s.addBadgeP95.toFixed(1)} ms`, '–', null);
  add('Scale', 'panel: expand or collapse a row (6 clicks)', iqr(s.rowToggle), 'interactive', null);
  add('Scale', 'panel: the last hit on screen after it leaves the page', `${s.lastHitMs} ms`, '< 100 ms', s.lastHitMs < 100);
}
if (b && b.size) {
  const z = b.size;
  const kb = (n) => `${(n / 1000).toFixed(0)} KB`;
  // No size goal: a woken worker's cost is its wake time (compile included).
  add('Size', 'service worker wasm, raw / gzip', `${kb(z.wasmRaw)} / ${kb(z.wasmGzip)}`, '–', null);
  if (z.panelRaw) add('Size', 'panel wasm, raw / gzip', `${kb(z.panelRaw)} / ${kb(z.panelGzip)}`, '–', null);
  add('Size', 'Chrome zip', kb(z.chromeZip), '–', null);
}
if (!b) add('Browser', 'page cost, latency, scale, size', 'not run', '–', null);

// Ingest in V8 (bench/ingest.mjs): the extension's wasm in node against
// Omnibug's Facebook Pixel decoder, same URLs, same rounds.
const ing = readJson(join(ROOT, 'target', 'bench', 'ingest.json'));
if (ing) {
  const k = (x) => `${(x / 1000).toFixed(1)}k/s`;
  const range = (a) => `(${k(a.min)}–${k(a.max)})`;
  const omni = ing.arms.omnibug;
  const what = {
    addTexts: [`each batch the journal store wrote in one call, as the service worker (Session.addTexts, the stored JSON, batches of ${ing.batch})`, true],
    addText: ['one record at a time (Session.addText, the stored JSON)', false],
    addJson: ['the stored journal array (Session.addJson: a woken worker rebuilding a tab\'s session)', true],
    panelJson: ['the stored journal array through the panel\'s module (Packets.addJson: the panel opening; its core built at level 3, the worker\'s at "s")', false],
    add: ['one record object at a time (Session.add)', false],
  };
  for (const [arm, [measure, targeted]] of Object.entries(what)) {
    const a = ing.arms[arm];
    if (!a) continue;
    const label = `${measure}, ${ing.n.toLocaleString('en')} ${ing.urlBytes.join('/')}-byte Purchase URLs, median of ${ing.rounds} rounds`;
    if (omni && a.ratio) {
      const r = a.ratio;
      add('Ingest in V8', label, `${k(a.rate)} ${range(a)} vs Omnibug ${k(omni.rate)} ${range(omni)} = ${r.median.toFixed(2)}× (${r.min.toFixed(2)}–${r.max.toFixed(2)})`, targeted ? '≥ 1.5× Omnibug' : '–', targeted ? r.median >= 1.5 : null);
    } else {
      add('Ingest in V8', label, `${k(a.rate)} ${range(a)} (Omnibug not given: OMNIBUG_DIR)`, targeted ? '≥ 1.5× Omnibug' : '–', null);
    }
  }
} else add('Ingest in V8', 'wasm in node vs Omnibug', 'not run', '≥ 1.5× Omnibug', null);

// When each part was measured: a part re-run alone (e.g. one cargo bench) is
// newer than the rest, and the page says so rather than pass for one run.
const parts = [
  ['core (criterion)', join(ROOT, 'target', 'criterion', 'decode', 'typical_600_byte_url', 'new', 'estimates.json')],
  ['HAR audit', join(ROOT, 'target', 'bench', 'har.json')],
  ['CLI memory', join(ROOT, 'target', 'bench', 'har-memory.json')],
  ['browser', join(ROOT, 'target', 'bench', 'browser.json')],
  ['ingest in V8', join(ROOT, 'target', 'bench', 'ingest.json')],
].flatMap(([what, path]) => (existsSync(path) ? [[what, statSync(path).mtime]] : []));
const times = parts.map(([, t]) => t.getTime());
const stamp = (t) => t.toISOString().slice(0, 16).replace('T', ' ');
const mixed = times.length && Math.max(...times) - Math.min(...times) > 3600e3
  ? `Not one run: the parts were measured at ${parts.map(([what, t]) => `${what} ${stamp(t)} UTC`).join(', ')}; a part measured later ran on the code of that time.\n`
  : '';
const machine = `${cpus().length} × ${cpus()[0] ? cpus()[0].model.trim() : 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ${sh('uname -sr')}; ${sh('rustc --version')}; ${sh('/usr/bin/chromium --version')}`;
const table = [
  '| Area | Measure | Figure | Target | |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
const md = `# Benchmarks

Written by \`./build.sh bench\` (bench/report.mjs) on ${new Date().toISOString().slice(0, 10)}.
${mixed}Machine: ${machine}.

Core figures are criterion medians ± the median absolute deviation; browser figures are medians with the
interquartile range; every comparison (with / without the extension, audit / parse) is measured side by side
in the same run, alternating. A shared 2-vCPU machine varies by ±30 % from run to run. Ingest in V8
(bench/ingest.mjs, node ${process.versions.node}) runs the extension's wasm beside Omnibug's
\`FacebookPixel.parseUrl\`, read at run time from \`OMNIBUG_DIR\` (its \`src/providers\`; never committed), each
arm in a worker thread of its own (its own heap) in one process: rates are medians over alternating rounds with
their range, ratios taken within each round; where the time goes and what changed it: [ingest.md](ingest.md).
${pagesMeasured.length ? `Page cost: ${pagesMeasured.join('; ')}; fresh browsers each round, arms alternating.\n` : ''}
${table}
`;
writeFileSync(join(ROOT, 'docs', 'benchmarks.md'), md);
console.log(`\n${table}\n\nwritten to docs/benchmarks.md (the README links it)`);
