// Shared setup for the browser tests: Debian's Chromium driven by
// playwright-core (never a downloaded browser), the built test extension,
// and the local HTTPS server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { chromiumArgs, startServer } from './server.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EXTENSION = join(ROOT, 'dist', 'chrome-test');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Starts the server and a browser. `extension: false` gives a browser without
 * PixelProof; a string loads the unpacked extension in that directory instead of
 * the built test variant.
 */
export async function launch({ extension = true, siteRoot = join(ROOT, 'tests', 'e2e', 'site') } = {}) {
  const server = await startServer({ siteRoot });
  const userDataDir = mkdtempSync(join(tmpdir(), 'pixelproof-profile-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: chromiumArgs(server.port, extension === true ? EXTENSION : extension || null),
    viewport: { width: 1100, height: 800 },
  });
  const consoleErrors = [];
  let extensionId = null;
  let worker = null;
  if (extension) {
    worker = context.serviceWorkers()[0] || (await context.waitForEvent('serviceworker', { timeout: 15000 }));
    extensionId = new URL(worker.url()).host;
    worker.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`worker: ${m.text()}`); });
  }
  const t = {
    server,
    context,
    extensionId,
    consoleErrors,
    /** An extension page used to talk to the service worker. */
    async control() {
      if (!t._control) {
        t._control = await context.newPage();
        t._control.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`control: ${m.text()}`); });
        // Pinned to no tab: the page only relays messages and never reloads itself.
        await t._control.goto(`chrome-extension://${extensionId}/panel.html?tab=none`);
      }
      return t._control;
    },
    async send(msg) {
      const page = await t.control();
      return page.evaluate((m) => chrome.runtime.sendMessage(m), msg);
    },
    async tabIdOf(url) {
      const page = await t.control();
      return page.evaluate(async (u) => {
        const tabs = await chrome.tabs.query({});
        const tab = tabs.find((x) => x.url && x.url.startsWith(u));
        return tab ? tab.id : null;
      }, url);
    },
    /** Waits until the page scripts are registered for shop.test. */
    async watching() {
      for (let i = 0; i < 100; i++) {
        const s = await t.send({ type: 'status' });
        if ((s.registered || []).some((p) => p.includes('shop.test'))) return s;
        await sleep(100);
      }
      throw new Error('page scripts were never registered for shop.test');
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
     */
    async panelCaughtUp(panel, tabId, timeout = 10000) {
      const { total } = await t.send({ type: 'get-journal', tabId });
      await panel.waitForFunction((n) => Number(document.getElementById('app').dataset.applied) === n, total, { timeout });
      return total;
    },
    async close() {
      await context.close();
      await server.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
  return t;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until the server has seen `n` pixel requests (or times out). */
export async function serverHits(server, n, timeout = 10000) {
  const end = Date.now() + timeout;
  while (Date.now() < end && server.hits.length < n) await sleep(50);
  return server.hits;
}

/** Pixel requests as comparable text: method, path, params without per-run values. */
export function normaliseHits(hits) {
  const volatile = new Set(['ts', 'it', 'fbp', 'ec']);
  return hits
    .map((h) => {
      const u = new URL(h.url);
      const params = [...u.searchParams.entries()];
      if (h.body) {
        if ((h.contentType || '').includes('multipart')) {
          for (const m of h.body.matchAll(/name="([^"]+)"\r\n\r\n([^\r]*)\r\n/g)) params.push([m[1], m[2]]);
        } else {
          params.push(...new URLSearchParams(h.body).entries());
        }
      }
      const kept = params.filter(([k]) => !volatile.has(k)).map(([k, v]) => `${k}=${v}`).sort();
      return `${h.method} ${u.host}${u.pathname} ${kept.join('&')}`;
    })
    .sort();
}
