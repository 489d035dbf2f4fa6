// @ts-check
// The toolbar badge: how many gate checks stop the journey, judged by the
// tab's session once a batch is written.
import { platform } from '../platform.js';
import { LIMITS } from '../storage.js';
import { markOnce } from './boot.js';
import { readReview } from './reviews.js';
import { sessionFor } from './sessions.js';

// Judged again in the next task after a write (a burst written together is
// judged once), then again at most `badgeIntervalMs` after the last judgement
// ended while records keep coming, or twice as long as that judgement took if
// longer. With the session in memory a judgement is one `failing` call; after
// a wake the first one waits for the session to be built from the journal
// (which the first event started reading), and so does the next one after the
// journal budget evicted records. The spacing keeps a rebuild to a third of
// the worker's time at most.
/** @type {Map<number, { timer: ReturnType<typeof setTimeout> | 0, last: number, cost: number, again: boolean }>} */
const badges = new Map();

/** @param {number} tab */
export function scheduleBadge(tab) {
  let b = badges.get(tab);
  if (!b) badges.set(tab, (b = { timer: 0, last: -Infinity, cost: 0, again: false }));
  if (b.timer) {
    b.again = true;
    return;
  }
  const due = Math.max(0, b.last + Math.max(LIMITS.badgeIntervalMs, 2 * b.cost) - Date.now());
  const state = b;
  b.timer = setTimeout(async () => {
    state.again = false;
    const began = Date.now();
    try {
      const session = await sessionFor(tab);
      const failing = session.failing(await readReview(tab));
      await platform.setBadge(tab, failing ? String(failing) : '');
      markOnce('pp:badge');
    } catch (e) {
      console.warn('PixelProof: badge update failed', e);
    } finally {
      state.last = Date.now();
      state.cost = state.last - began;
      state.timer = 0;
      if (state.again) scheduleBadge(tab);
    }
  }, due);
}

/** The tab's badge timer ends and its badge is emptied. @param {number} tab */
export async function clearBadge(tab) {
  const badge = badges.get(tab);
  if (badge && badge.timer) clearTimeout(badge.timer);
  badges.delete(tab);
  await platform.setBadge(tab, '');
}
