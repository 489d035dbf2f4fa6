// The goals the browser figures are held to, in one place: the
// bench prints each figure against its goal as it measures it, and the report
// writes the same verdicts into docs/benchmarks.md.
// Every goal is an upper bound; `format` writes a value in the goal's unit.

const ms = (x) => `${x.toFixed(1)} ms`;
const pc = (x) => `${(100 * x).toFixed(1)} %`;

export const GOALS = {
  panelOpenSmall: { what: 'panel first full paint, 200 hits', max: 100, format: ms },
  panelOpenLarge: { what: 'panel first full paint, 10,000 hits', max: 300, format: ms },
  workerWake: { what: "a woken worker's first badge, 1,000-hit journey", max: 50, format: ms },
  workerWakeLarge: { what: "a woken worker's first badge, 10,000-hit journey", max: 100, format: ms },
  ownShareScript: { what: "page hook + relay, share of a real-sized page's script time", max: 0.03, format: pc },
  ownShareTask: { what: "page hook + relay, share of a real-sized page's task time", max: 0.03, format: pc },
  hookSelfReal: { what: 'page hook self time per load, real-sized page', max: 2, format: ms },
  hookSelfStore: { what: "page hook self time per load, store-like page (Dawn's product page)", max: 2, format: ms },
  hookShareStore: { what: "page hook, share of the store-like page's script time", max: 0.03, format: pc },
  longTasksCaused: { what: 'long tasks (> 50 ms) caused by PixelProof on the real-sized page', max: 0, format: (x) => `${x}` },
  pageCostDemo: { what: 'script time with / without PixelProof, demo page', max: 1.02, format: (x) => `${x.toFixed(2)}×` },
};

/**
 * `value` against goal `key`: `{ held, text, short }`, where `short` is what a
 * table cell says ("held, 38.2 ms under" / "not held, 12.0 ms over").
 */
export function verdict(key, value) {
  const g = GOALS[key];
  const held = value <= g.max;
  const by = Math.abs(value - g.max);
  // A relative figure says by how much in its own unit (percentage points, ×).
  const amount = g.format === pc ? `${(100 * by).toFixed(1)} points` : g.format(by);
  const short = held ? (by === 0 ? 'held' : `held, ${amount} under`) : `**not held**, ${amount} over`;
  return { held, short, text: `${g.what}: ${g.format(value)} (goal ≤ ${g.format(g.max)}): ${short.replace(/\*/g, '')}` };
}

/** The goal as a table cell says it. */
export const goalText = (key) => `≤ ${GOALS[key].format(GOALS[key].max)}`;
