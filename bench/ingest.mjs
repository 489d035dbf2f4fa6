// Ingest in V8: the extension's own wasm, in node, against the
// Facebook Pixel decoder of Omnibug, a widely used open-source tag debugger,
// on the same 10,000 distinct ~626-byte Purchase URLs, in one process, arms
// alternating round by round. Prints figures; no assertions.
//
//   node bench/ingest.mjs [--omnibug DIR] [--wasm DIR] [--baseline DIR] [--rounds N] [--batch N] [--only ARMS]
//
// DIR for Omnibug (or OMNIBUG_DIR) holds its two provider files,
// BaseProvider.js and FacebookPixel.js (src/providers/ of the public
// repository MisterPhilip/omnibug, MIT). They are read at run time from that
// path and never committed or fetched here; without them PixelProof's figures
// are printed alone. --wasm (or PIXELPROOF_WASM_DIR) is the wasm-bindgen
// output to load, dist/chrome/wasm (what ./build.sh ships) by default;
// --baseline DIR loads a second build beside it (another wasm-bindgen output
// directory, e.g. a copy of dist/chrome/wasm from before a change) and
// measures its arms in the same rounds, for before/after figures.
//
// Arms, each over all 10,000 records once per round (a fresh Session each time):
//   omnibug    FacebookPixelProvider.parseUrl(url) per URL
//   addTexts   Session.addTexts(texts, n) per batch of --batch records
//              (default 100): live hits, as the service worker feeds its
//              session each batch the journal store wrote, with each record's
//              JSON the store already made for its size (so made outside the
//              clock; joining them is inside it)
//   addText    Session.addText(text) per record: the same one record at a
//              time (what the worker did before addTexts)
//   add        Session.add(record) per record: the same from the JS object
//              (what the worker did before addText; JSON.stringify inside)
//   addJson    Session.addJson(text) once: the stored journal array as JSON text
//              (a woken worker rebuilding a tab's session); the text is made
//              outside the clock
//   panelJson  the same text through the panel's module (Packets.addJson), as
//              the panel takes in the journal at every open: the panel's module
//              is built with its own cargo profile, its core at another level
// Figures are medians over the rounds with their range (min–max); the ratios
// are taken within each round (same moment, same machine state), then their
// median and range.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : undefined; };
const OMNIBUG_DIR = arg('omnibug') || process.env.OMNIBUG_DIR || '';
const WASM_DIR = arg('wasm') || process.env.PIXELPROOF_WASM_DIR || join(ROOT, 'dist', 'chrome', 'wasm');
const ROUNDS = Number(arg('rounds') || process.env.BENCH_INGEST_ROUNDS || 9);
const BATCH = Number(arg('batch') || process.env.BENCH_INGEST_BATCH || 100);
const N = 10000;
const URL_BYTES = 626;

// ---- the URLs and records ------------------------------------------------------

// A small deterministic generator (mulberry32), so every run ingests the same URLs.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(17);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const digits = (n) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');
const hex = (n) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
const enc = encodeURIComponent;

const PRODUCTS = [['tee-blue-m', 30], ['tee-black-l', 30], ['hoodie-grey-m', 55], ['cap-red', 18], ['socks-3pack', 12]];

/**
 * The i-th Purchase as fbevents.js sends it from a Shopify thank-you page: an
 * image GET to /tr/ with the parameters in fbevents' order (see
 * crates/core/tests/decode.rs and crates/core/src/rules/testkit.rs for the
 * shapes), each order with its own checkout token, order id, event id, items,
 * value and times; the browser id is the shopper's. The checkout token is
 * sized so that every URL is exactly URL_BYTES long.
 */
function purchase(i, t) {
  const items = [pick(PRODUCTS)];
  const value = items.reduce((s, [, p]) => s + p, 0).toFixed(2);
  const order = `${5_900_000_000 + i}`;
  const started = t - 4000 - Math.floor(rand() * 3000);
  const fbp = `fb.1.${started - 86_400_000}.${digits(9)}`;
  const eid = `purchase-${order}-${hex(6)}`;
  const build = (token) => {
    const page = `https://shop.test/checkouts/c/${token}/thank-you`;
    const q = [
      ['id', '1234567890'],
      ['ev', 'Purchase'],
      ['dl', page],
      // The payment step's referrer, cut to its origin by the checkout's referrer policy.
      ['rl', 'https://shop.test/'],
      ['if', 'false'],
      ['ts', `${t}`],
      ['cd[content_ids]', JSON.stringify(items.map(([id]) => id))],
      ['cd[content_type]', 'product'],
      ['cd[value]', value],
      ['cd[currency]', 'USD'],
      ['cd[num_items]', `${items.length}`],
      ['cd[order_id]', order],
      ['cd[contents]', JSON.stringify(items.map(([id, p]) => ({ id, quantity: 1, item_price: p })))],
      ['sw', '1920'],
      ['sh', '1080'],
      ['v', '2.9.179'],
      ['r', 'stable'],
      ['ec', '3'],
      ['o', '4126'],
      ['fbp', fbp],
      ['ler', 'empty'],
      ['cdl', 'API_unavailable'],
      ['it', `${started}`],
      ['coo', 'false'],
      ['eid', eid],
      ['rqm', 'GET'],
    ];
    // fbevents leaves the brackets of cd[…] as they are and escapes the values.
    const url = `https://www.facebook.com/tr/?${q.map(([k, v]) => `${k}=${enc(v)}`).join('&')}`;
    return { url, page };
  };
  const room = URL_BYTES - build('').url.length;
  // The checkout token (Shopify's are 32–60 characters) takes the room left.
  if (room < 24) throw new Error(`Purchase ${i} is too long for ${URL_BYTES} bytes`);
  return build(hex(room));
}

function makeRecords() {
  const records = [];
  let t = 1_764_000_000_000;
  for (let i = 0; i < N; i++) {
    t += 200 + Math.floor(rand() * 2000);
    const { url, page } = purchase(i, t);
    // As background.js builds it (onRequest) and journal-store.js stores it.
    records.push({
      kind: 'request',
      url,
      method: 'GET',
      body: null,
      request_type: 'image',
      context: { tab_id: 7, frame_id: 0, frame_type: 'main', document_url: page, top_url: page },
      initiator: 'https://shop.test',
      stack: [],
      time: t + 0.375, // webRequest's timeStamp has a fraction
      origin: 'network',
    });
  }
  return records;
}

// ---- the arms ------------------------------------------------------------------

/** The panel's module of a build, or null for a build from before it had one. */
async function loadPanel(dir) {
  const js = join(dir, 'pixelproof_panel.js');
  const wasmFile = join(dir, 'pixelproof_panel_bg.wasm');
  if (!existsSync(js) || !existsSync(wasmFile)) return null;
  const mod = await import(pathToFileURL(js).href);
  mod.initSync({ module: readFileSync(wasmFile) });
  return mod;
}

async function loadPixelProof(dir) {
  const js = join(dir, 'pixelproof_wasm.js');
  const wasmFile = join(dir, 'pixelproof_wasm_bg.wasm');
  if (!existsSync(js) || !existsSync(wasmFile)) throw new Error(`no wasm in ${dir}: run ./build.sh first (or pass --wasm DIR)`);
  // Each directory's glue is its own ES module, with its own instance.
  const mod = await import(pathToFileURL(js).href);
  mod.initSync({ module: readFileSync(wasmFile) });
  return mod;
}

/** Omnibug's provider class from its two files, evaluated as the extension loads them (classic scripts). */
function loadOmnibug(dir) {
  const base = readFileSync(join(dir, 'BaseProvider.js'), 'utf8');
  const fb = readFileSync(join(dir, 'FacebookPixel.js'), 'utf8');
  // eslint-disable-next-line no-new-func
  return new Function(`${base}\n${fb}\nreturn FacebookPixelProvider;`)();
}

const time = (fn) => { const t0 = process.hrtime.bigint(); const out = fn(); return [Number(process.hrtime.bigint() - t0) / 1e6, out]; };

function inputs() {
  const records = makeRecords();
  const urls = records.map((r) => r.url);
  const lengths = new Set(urls.map((u) => u.length));
  const journalText = JSON.stringify(records);
  if (new Set(urls).size !== N) throw new Error('URLs are not distinct');
  return { records, urls, lengths, journalText, recordTexts: records.map((r) => JSON.stringify(r)) };
}

/**
 * One arm, in a worker thread of its own. Each arm gets its own V8 isolate,
 * so its own heap and garbage collector: in one shared heap, Omnibug's decoder
 * (which allocates a few hundred objects per URL) ran 4-5x slower whenever the
 * addJson or addText arms had run in it, and how much slower changed from run
 * to run. In the extension each tool has its own worker too. The inputs are
 * made in each thread from the same seed, so every arm gets the same records.
 */
async function armThread({ arm, dir }) {
  const { records, urls, journalText, recordTexts } = inputs();
  let run;
  if (arm === 'omnibug') {
    const provider = new (loadOmnibug(dir))();
    run = () => {
      let fields = 0;
      const [ms] = time(() => { for (const u of urls) fields += provider.parseUrl(u).data.length; });
      return [ms, fields];
    };
  } else if (arm.split('@')[0] === 'panelJson') {
    const panel = await loadPanel(dir);
    run = (check) => {
      const p = new panel.Packets();
      const [ms] = time(() => p.addJson(journalText));
      const hits = check ? p.summary(undefined).hits : null;
      p.free();
      return [ms, hits];
    };
  } else {
    const pp = await loadPixelProof(dir);
    // The panel's module, when the build has one: since the worker's module
    // lost its summary (the worker needs capture and the badge
    // only), the hit count is asked of the panel's core on the same journal.
    const panel = await loadPanel(dir);
    const session = (fill, check) => {
      const s = new pp.Session(undefined);
      const [ms, accepted] = time(() => fill(s));
      // The hits the session holds, asked on the warm-up run only (a summary
      // refreshes every finding, which the rounds need not pay for). Without
      // a summary: every record was accepted (add and addText throw on a
      // refused one, addJson counts them), and those records make this many hits.
      let hits = null;
      if (check && typeof s.summary === 'function') hits = s.summary(undefined).hits;
      else if (check && panel && accepted === N) {
        const p = new panel.Packets();
        p.addJson(journalText);
        hits = p.summary(undefined).hits;
        p.free();
      } else if (check) hits = `${accepted} records accepted`;
      s.free();
      return [ms, hits];
    };
    const fills = {
      add: (s) => { for (const r of records) s.add(r); return records.length; },
      addText: (s) => { for (const t of recordTexts) s.addText(t); return recordTexts.length; },
      // As the worker's sessions.js: each batch joined by U+001E, one call, the
      // refused ones back (none here: a refusal fails the check).
      addTexts: (s) => {
        let taken = 0;
        for (let i = 0; i < recordTexts.length; i += BATCH) {
          const batch = recordTexts.slice(i, i + BATCH);
          const refused = s.addTexts(batch.join('\u001e'), batch.length);
          taken += batch.length - refused.length;
        }
        return taken;
      },
      addJson: (s) => s.addJson(journalText),
    };
    const fill = fills[arm.split('@')[0]];
    run = (check) => session(fill, check);
  }
  parentPort.on('message', (m) => {
    const [ms, check] = run(m === 'check');
    parentPort.postMessage({ ms, check });
  });
  parentPort.postMessage({ ready: true });
}

if (!isMainThread) {
  await armThread(workerData);
} else {
  await main();
}

async function main() {
  const { lengths, journalText } = inputs();
  const BASELINE_DIR = arg('baseline');
  const armDirs = {};
  const armsOf = (dir, suffix) => {
    const glue = readFileSync(join(dir, 'pixelproof_wasm.js'), 'utf8');
    armDirs[`add${suffix}`] = dir;
    // Builds from before addText have no such arm.
    if (glue.includes('addText(')) armDirs[`addText${suffix}`] = dir;
    if (glue.includes('addTexts(')) armDirs[`addTexts${suffix}`] = dir;
    armDirs[`addJson${suffix}`] = dir;
    if (existsSync(join(dir, 'pixelproof_panel.js'))) armDirs[`panelJson${suffix}`] = dir;
  };
  if (!existsSync(join(WASM_DIR, 'pixelproof_wasm.js'))) throw new Error(`no wasm in ${WASM_DIR}: run ./build.sh first (or pass --wasm DIR)`);
  armsOf(WASM_DIR, '');
  if (BASELINE_DIR) armsOf(BASELINE_DIR, '@baseline');
  if (OMNIBUG_DIR) armDirs.omnibug = OMNIBUG_DIR;

  console.log(`# Ingest in V8 (node ${process.versions.node}, V8 ${process.versions.v8})`);
  console.log(`${N.toLocaleString('en')} distinct Purchase URLs of ${[...lengths].join('/')} bytes; journal JSON ${(journalText.length / 1e6).toFixed(1)} MB; wasm from ${WASM_DIR}`);
  if (!OMNIBUG_DIR) console.log('Omnibug not given (--omnibug DIR or OMNIBUG_DIR): PixelProof alone.');

  // --only add,addJson (say) measures some arms alone.
  const only = arg('only');
  const names = Object.keys(armDirs).filter((n) => !only || only.split(',').includes(n));
  const threads = {};
  for (const name of names) {
    const w = new Worker(fileURLToPath(import.meta.url), { workerData: { arm: name, dir: armDirs[name] }, argv: process.argv.slice(2) });
    const replies = [];
    let waiting = null;
    w.on('message', (m) => { if (waiting) { const r = waiting; waiting = null; r(m); } else replies.push(m); });
    w.on('error', (e) => { throw e; });
    const next = () => (replies.length ? Promise.resolve(replies.shift()) : new Promise((r) => { waiting = r; }));
    await next(); // ready
    threads[name] = { w, run: (what = 'run') => { w.postMessage(what); return next(); } };
  }
  // One warm-up run per arm (JIT, wasm tier-up, allocator), not counted.
  for (const name of names) {
    const { check } = await threads[name].run('check');
    if (name !== 'omnibug' && check !== N) throw new Error(`${name}: ${check} hits, expected ${N}`);
  }
  const ms = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order so no arm always runs right after the same other one;
    // one arm runs at a time.
    const order = names.slice(round % names.length).concat(names.slice(0, round % names.length));
    for (const name of order) ms[name].push((await threads[name].run()).ms);
  }
  for (const { w } of Object.values(threads)) await w.terminate();
  report(names, ms, lengths);
}

function report(names, ms, lengths) {
  const sorted = (xs) => [...xs].sort((a, b) => a - b);
  const median = (xs) => { const s = sorted(xs); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  const rate = (m) => (N / m) * 1000;
  const summary = {};
  for (const name of names) {
    const rates = ms[name].map(rate);
    summary[name] = { rate: median(rates), min: Math.min(...rates), max: Math.max(...rates), ms: ms[name] };
  }
  const k = (x) => `${(x / 1000).toFixed(1)}k`;
  const labels = {
    omnibug: 'Omnibug FacebookPixel.parseUrl',
    add: 'PixelProof Session.add, one record object at a time',
    addText: "PixelProof Session.addText, one record's stored JSON at a time",
    addTexts: `PixelProof Session.addTexts, stored JSON in batches of ${BATCH}`,
    addJson: 'PixelProof Session.addJson, the stored array',
    panelJson: "PixelProof panel's Packets.addJson, the stored array",
  };
  for (const n of names) labels[n] ??= `${labels[n.split('@')[0]]} (${n.split('@')[1]})`;
  console.log(`\nmedian of ${ROUNDS} alternating rounds (min–max), per second:`);
  for (const name of names) {
    const s = summary[name];
    console.log(`  ${labels[name].padEnd(64)} ${k(s.rate).padStart(7)} /s (${k(s.min)}–${k(s.max)})`);
  }
  for (const name of names.filter((n) => n.endsWith('@baseline'))) {
    const now = name.split('@')[0];
    if (!ms[now]) continue;
    const speedups = ms[name].map((b, i) => b / ms[now][i]);
    console.log(`  ${now} against the baseline: ${median(speedups).toFixed(2)}× (${Math.min(...speedups).toFixed(2)}–${Math.max(...speedups).toFixed(2)})`);
  }
  if (ms.omnibug) {
    for (const name of names.filter((n) => n !== 'omnibug')) {
      const ratios = ms.omnibug.map((o, i) => o / ms[name][i]);
      summary[name].ratio = { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
      const r = summary[name].ratio;
      console.log(`  ${name} / Omnibug: ${r.median.toFixed(2)}× (${r.min.toFixed(2)}–${r.max.toFixed(2)}) (goal ≥ 1.5×, toward 3×)`);
    }
  }
  mkdirSync(join(ROOT, 'target', 'bench'), { recursive: true });
  writeFileSync(join(ROOT, 'target', 'bench', 'ingest.json'), JSON.stringify({ n: N, urlBytes: [...lengths], rounds: ROUNDS, batch: BATCH, node: process.versions.node, v8: process.versions.v8, omnibug: Boolean(ms.omnibug), arms: summary }, null, 2));
}
