// What every browser driver shares: the journal and tab questions the tests and
// the demo ask the extension, built on the driver's own `send` and `tabs`.
// A driver (chromium.mjs, firefox.mjs) exports `name` and `launch(options)`;
// `launch` starts the test server and a browser with the test build installed
// and returns the object `withControl` completes.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a truthy value; throws naming `what` after `timeout` ms. */
export async function until(probe, what, timeout = 10000, every = 100) {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(every);
  }
}

/**
 * Adds the shared control calls to a launched browser `t`, which brings
 * `send(msg)` (a control message to the worker, answered as to an extension
 * page) and `tabs()` (every tab as {id, url}).
 */
export function withControl(t) {
  Object.assign(t, {
    /** The id of the first tab whose URL starts with `prefix`. */
    async tabIdOf(prefix) {
      const tab = (await t.tabs()).find((x) => x.url && x.url.startsWith(prefix));
      return tab ? tab.id : null;
    },
    /** Waits until the page scripts are registered for shop.test. */
    async watching() {
      return until(async () => {
        const s = await t.send({ type: 'status' });
        return (s.registered || []).some((p) => p.includes('shop.test')) && s;
      }, 'the page scripts to be registered for shop.test');
    },
    async journal(tabId) {
      return (await t.send({ type: 'get-journal', tabId })).records;
    },
    /** Polls the journal until `pred(records)` holds. */
    async journalUntil(tabId, pred, what, timeout = 10000) {
      const end = Date.now() + timeout;
      let records = [];
      while (Date.now() < end) {
        records = await t.journal(tabId);
        if (pred(records)) return records;
        await sleep(100);
      }
      throw new Error(`timed out waiting for ${what}; journal has ${records.length} records: ${JSON.stringify(records.map((r) => r.kind))}`);
    },
    /**
     * Waits until the journal holds the last record a load of `url` sends on
     * its own: the page hook takes the script inventory at DOMContentLoaded, at
     * `load` and 3 s after `load`; the third is the last (no test adds scripts later).
     */
    async pageDone(tabId, url, timeout = 15000) {
      return t.journalUntil(tabId, (rs) => {
        const nav = rs.findLastIndex((r) => r.kind === 'navigation' && r.url === url);
        const inventories = rs.slice(nav).filter((r) => r.kind === 'scripts' && r.context?.frame_type === 'main' && r.context?.document_url === url);
        return nav >= 0 && inventories.length >= 3;
      }, `the page records of ${url}`, timeout);
    },
    /**
     * Waits until an open panel shows the whole journal of its tab: the panel
     * says on its root (`data-applied`) how many journal records its summary
     * and timeline reflect, which then equals the journal's running total.
     * `panel` is the driver's page (Playwright's or puppeteer's: both evaluate).
     */
    async panelCaughtUp(panel, tabId, timeout = 10000) {
      // The total is read again each time: a record may still arrive (the
      // relay's running count of the page's pixel requests comes last).
      const applied = () => panel.evaluate(() => Number(document.getElementById('app')?.dataset.applied));
      let total = null;
      await until(async () => {
        total = (await t.send({ type: 'get-journal', tabId })).total;
        return (await applied()) === total;
      }, 'the panel to show the whole journal', timeout, 50);
      return total;
    },
    /**
     * Waits until the tab's journal has not grown for `quiet` ms. Only for a
     * page whose own records may be refused (a flood held to its budget), where
     * `pageDone` has no last record to wait for.
     */
    async journalSettled(tabId, quiet = 1500, timeout = 15000) {
      const end = Date.now() + timeout;
      let count = (await t.journal(tabId)).length;
      let since = Date.now();
      while (Date.now() < end) {
        await sleep(100);
        const now = (await t.journal(tabId)).length;
        if (now !== count) { count = now; since = Date.now(); } else if (Date.now() - since >= quiet) return count;
      }
      throw new Error(`the journal of tab ${tabId} kept growing for ${timeout} ms`);
    },
  });
  return t;
}

/** The repository's root folder. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
