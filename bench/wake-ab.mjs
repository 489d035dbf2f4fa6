// A woken worker's first badge, two builds side by side: `node
// bench/wake-ab.mjs DIR_A DIR_B` (two chrome-test build folders, e.g. a copy
// of dist/chrome-test built one way and one built another). Each build gets
// its own Chromium with the same journey (AB_HITS hits, default 1000); then
// each worker is stopped and woken by a hit, the builds alternating (and
// which goes first alternating too), AB_ROUNDS times (default 10), as
// bench/browser.mjs wakes them. Prints the medians (interquartile ranges) of
// the time from the hit to the badge and of the worker's own marks. Figures
// only: a comparison on a busy machine is read with its spread.
import { launch } from '../support/drivers/chromium.mjs';
import { journey, waker } from './wake.mjs';

const [A, B] = process.argv.slice(2);
if (!A || !B) {
  console.error('usage: node bench/wake-ab.mjs DIR_A DIR_B');
  process.exit(2);
}
const HITS = Number(process.env.AB_HITS || 1000);
const ROUNDS = Number(process.env.AB_ROUNDS || 10);
// AB_MARKS: other marks to print (a build with marks of its own added).
const MARKS = (process.env.AB_MARKS || 'pp:wasm,pp:journal-read,pp:session,pp:badge').split(',');

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const fmt = (xs) => (xs.length ? `${pct(xs, 50).toFixed(0)} (${pct(xs, 25).toFixed(0)}–${pct(xs, 75).toFixed(0)})` : '–');

async function arm(name, dir) {
  const t = await launch({ extension: dir });
  await t.watching();
  const { page, tabId } = await journey(t, `ab-${name}`, HITS, 900000);
  return { name, t, wake: await waker(t, page, tabId), times: [], marks: Object.fromEntries(MARKS.map((m) => [m, []])) };
}

const arms = [await arm('A', A), await arm('B', B)];
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const a of r % 2 ? [...arms].reverse() : arms) {
      const { time, marks } = await a.wake(r);
      a.times.push(time);
      for (const m of MARKS) if (marks && marks[m] != null) a.marks[m].push(marks[m]);
    }
  }
  console.log(`a woken worker's first badge, ${HITS} hits, ${ROUNDS} wakes each, ms: median (IQR)`);
  for (const a of arms) {
    console.log(`${a.name} (${a.name === 'A' ? A : B}): badge ${fmt(a.times)}; in the worker: ${MARKS.map((m) => `${m.slice(3)} ${fmt(a.marks[m])}`).join(', ')}`);
  }
} finally {
  for (const a of arms) await a.t.close();
}
