// What the worker benchmarks share (bench/browser.mjs, bench/wake-ab.mjs): a
// journey of hits on the soak page, and a woken worker's first badge.
//
// A woken worker's first badge: MV3 stops an idle worker (CDP
// ServiceWorker.stopAllWorkers does it here); the next pixel hit starts it
// again, and the time is from the hit leaving the page to the tab's badge
// changing, read by an extension page polling chrome.action.getBadgeText
// every 2 ms (the badge is first set to a mark the worker never writes). The
// worker's own marks split it: wasm ready, journal read, session built.
import { sleep } from '../support/drivers/common.mjs';

/** A tab on the soak page (`tag` tells tabs apart) holding `n` hits. */
export async function journey(t, tag, n, timeoutMs = 300000) {
  const page = await t.context.newPage();
  const url = `https://shop.test/soak?${tag}`;
  await page.goto(url);
  const tabId = await t.tabIdOf(url);
  await page.evaluate((k) => window.soak(k, 0), n);
  await t.journalUntil(tabId, (rs) => rs.filter((r) => r.kind === 'request').length >= n, `${n} hits`, timeoutMs);
  return { page, tabId };
}

/**
 * What wakes `t`'s worker with a hit from `page` (tab `tabId`): `wake(i)`
 * stops the worker, sends the i-th wake hit and resolves to the time to the
 * badge and the worker's marks (null when it could not read them).
 */
export async function waker(t, page, tabId) {
  const control = await t.control();
  const cdp = await t.context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  return async (i) => {
    await cdp.send('ServiceWorker.stopAllWorkers');
    await sleep(500);
    await control.evaluate((tab) => chrome.action.setBadgeText({ tabId: tab, text: '…' }), tabId);
    const poll = control.evaluate(async (tab) => {
      const end = Date.now() + 15000;
      while (Date.now() < end) {
        const text = await chrome.action.getBadgeText({ tabId: tab });
        if (text !== '…') return Date.now();
        await new Promise((r) => setTimeout(r, 2));
      }
      return null;
    }, tabId);
    const sent = await page.evaluate((k) => { const t0 = Date.now(); new Image().src = `https://www.facebook.com/tr/?id=1234567890&ev=ViewContent&eid=wake-${k}&rqm=GET`; return t0; }, i);
    const at = await poll;
    if (at === null) throw new Error('the badge never changed after the wake');
    const worker = t.context.serviceWorkers()[0];
    const marks = worker ? await worker.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]))).catch(() => null) : null;
    await sleep(1000);
    return { time: at - sent, marks };
  };
}

/** Wakes `t`'s stopped worker with a hit from `page` `count` times: each time to the badge, and the worker's marks. */
export async function wakes(t, page, tabId, count) {
  const wake = await waker(t, page, tabId);
  const times = [];
  const splits = [];
  for (let k = 0; k < count; k++) {
    const { time, marks } = await wake(k);
    times.push(time);
    if (marks) splits.push(marks);
  }
  return { times, splits };
}
