// Opening the panel, two builds side by side: `node bench/panel-ab.mjs DIR_A
// DIR_B` (two chrome-test build folders, e.g. a copy of dist/chrome-test
// before a change and the one after). Each build gets its own Chromium with
// the same journeys (AB_HITS, default "200,2000"); the panel is then opened
// on each journey, the builds alternating, AB_ROUNDS times (default 8), and
// the medians of the first full paint (as bench/browser.mjs defines it), the
// first screen (verdict and the four core events) and the panel's own marks
// are printed with their interquartile ranges. Prints figures only: a
// comparison on a busy machine is read with its spread.
import { launch } from '../support/drivers/chromium.mjs';

const [A, B] = process.argv.slice(2);
if (!A || !B) {
  console.error('usage: node bench/panel-ab.mjs DIR_A DIR_B');
  process.exit(2);
}
const SIZES = (process.env.AB_HITS || '200,2000').split(',').map(Number);
const ROUNDS = Number(process.env.AB_ROUNDS || 8);

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const fmt = (xs) => (xs.length ? `${pct(xs, 50).toFixed(0)} (${pct(xs, 25).toFixed(0)}–${pct(xs, 75).toFixed(0)})` : '–');

const WATCH = `(() => {
  window.__paint = null; window.__first = null;
  const done = () => { const app = document.getElementById('app'); return app && Number(app.dataset.applied) >= window.__expected && document.querySelector('#pp-gate-body .gate') && document.querySelector('#pp-acceptance-body table') && document.querySelector('#pp-timeline-list > li') && document.querySelector('#pp-events > li[data-status]') && document.querySelector('#pp-live-hits > li'); };
  const first = () => document.querySelectorAll('#pp-events > li[data-status]').length === 4 && document.querySelector('#pp-live-hits > li') && !/…/.test(document.getElementById('pp-verdict')?.textContent || '…');
  const check = () => { if (window.__first === null && first()) window.__first = performance.now(); if (done()) window.__paint = performance.now(); else requestAnimationFrame(check); };
  requestAnimationFrame(check);
})();`;

async function arm(dir) {
  const t = await launch({ extension: dir });
  await t.watching();
  const tabs = {};
  for (const n of SIZES) {
    const page = await t.context.newPage();
    const url = `https://shop.test/soak?ab${n}`;
    await page.goto(url);
    const tabId = await t.tabIdOf(url);
    await page.evaluate((k) => window.soak(k, 0), n);
    await t.journalUntil(tabId, (rs) => rs.filter((r) => r.kind === 'request').length >= n, `${n} hits`, 900000);
    tabs[n] = tabId;
  }
  return { t, tabs };
}

async function open(t, tabId) {
  const { total } = await t.send({ type: 'get-journal-total', tabId });
  const panel = await t.context.newPage();
  await panel.addInitScript(`window.__expected = ${total};`);
  await panel.addInitScript(WATCH);
  await panel.goto(`chrome-extension://${t.extensionId}/panel.html?tab=${tabId}`);
  await panel.waitForFunction(() => window.__paint !== null, null, { timeout: 120000, polling: 50 });
  const out = await panel.evaluate(() => {
    const mark = (name) => { const m = performance.getEntriesByName(name)[0]; return m ? m.startTime : null; };
    return { paint: window.__paint, first: window.__first, compiled: mark('pp:compiled'), instantiated: mark('pp:instantiated'), read: mark('pp:journal'), written: mark('pp:written'), start: mark('pp:start'), stored: mark('pp:stored'), parsed: performance.getEntriesByType('navigation')[0]?.domInteractive ?? null, loaded: mark('pp:loaded'), rendered: mark('pp:rendered') };
  });
  await panel.close();
  return out;
}

const arms = { A: await arm(A), B: await arm(B) };
const got = { A: {}, B: {} };
for (let k = 0; k < ROUNDS; k++) {
  // The order of the builds alternates round by round.
  for (const which of k % 2 ? ['B', 'A'] : ['A', 'B']) {
    for (const n of SIZES) (got[which][n] ??= []).push(await open(arms[which].t, arms[which].tabs[n]));
  }
}
for (const a of Object.values(arms)) await a.t.close();
console.log(`A = ${A}\nB = ${B}\n${ROUNDS} opens each, alternating; medians in ms from navigation start (IQR)`);
for (const n of SIZES) {
  for (const which of ['A', 'B']) {
    const o = got[which][n];
    const col = (f) => fmt(o.map(f).filter((x) => x != null));
    console.log(`${String(n).padStart(6)} hits ${which}: full paint ${col((x) => x.paint)}; first screen ${col((x) => x.first)}; compiled ${col((x) => x.compiled)}; instantiated ${col((x) => x.instantiated)}; page parsed ${col((x) => x.parsed)}; script ${col((x) => x.start)}; storage read ${col((x) => x.stored)}; worker's total ${col((x) => x.written)}; journal read ${col((x) => x.read)}; taken in ${col((x) => (x.loaded != null && x.read != null ? x.loaded - x.read : null))}; rendered ${col((x) => (x.rendered != null && x.loaded != null ? x.rendered - x.loaded : null))}`);
  }
}
