// Shared setup for the browser tests: Debian's Chromium driven by
// playwright-core (never a downloaded browser), the built test extension,
// and the local HTTPS server.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { chromiumArgs, startServer } from './server.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EXTENSION = join(ROOT, 'dist', 'chrome-test');
/** The store build: what a user loads. No store origin is granted at install. */
export const STORE_EXTENSION = join(ROOT, 'dist', 'chrome');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Starts the server and a browser. `extension: false` gives a browser without
 * PixelProof; a string loads the unpacked extension in that directory instead of
 * the built test variant. `userDataDir` reuses a profile (a browser restart);
 * `startUrls` are opened by the browser itself as it starts, as a link that
 * starts the browser or a restored session would.
 */
export async function launch({ extension = true, siteRoot = join(ROOT, 'tests', 'e2e', 'site'), server: given = null, userDataDir = null, startUrls = [] } = {}) {
  const server = given || (await startServer({ siteRoot }));
  const ownProfile = !userDataDir;
  const profile = userDataDir || mkdtempSync(join(tmpdir(), 'pixelproof-profile-'));
  const args = chromiumArgs(server.port, extension === true ? EXTENSION : extension || null);
  let browserProcess = null;
  let context;
  if (startUrls.length) {
    // Playwright opens its own first page; a browser that starts on a URL is
    // started here and driven over CDP.
    browserProcess = spawn(CHROMIUM, ['--headless', `--user-data-dir=${profile}`, '--remote-debugging-port=0', ...args, ...startUrls], { stdio: 'ignore' });
    const portFile = join(profile, 'DevToolsActivePort');
    for (let i = 0; i < 200 && !existsSync(portFile); i++) await sleep(50);
    const port = readFileSync(portFile, 'utf8').split('\n')[0];
    const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
    context = browser.contexts()[0];
  } else {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args,
      viewport: { width: 1100, height: 800 },
    });
  }
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
    /**
     * The id of the tab showing `url`. The store build sees no tab URLs (no
     * `tabs` permission), so the top frame's URL comes from webNavigation, as
     * the panel gets it.
     */
    async tabIdOf(url) {
      const page = await t.control();
      return page.evaluate(async (u) => {
        for (const tab of await chrome.tabs.query({})) {
          const frame = await chrome.webNavigation.getFrame({ tabId: tab.id, frameId: 0 }).catch(() => null);
          const top = tab.url || (frame && frame.url) || '';
          if (top.startsWith(u)) return tab.id;
        }
        return null;
      }, url);
    },
    /**
     * Runs `fn(...args)` in the extension's isolated world of `page` (where the
     * relay runs): what a content script can do there, through CDP.
     */
    async inContentScript(page, fn, ...args) {
      const cdp = await context.newCDPSession(page);
      const contexts = [];
      cdp.on('Runtime.executionContextCreated', (e) => contexts.push(e.context));
      await cdp.send('Runtime.enable');
      const isolated = contexts.find((c) => c.auxData && c.auxData.type === 'isolated' && c.origin === `chrome-extension://${extensionId}`) ||
        contexts.find((c) => c.auxData && c.auxData.type === 'isolated' && c.name.startsWith('PixelProof'));
      if (!isolated) throw new Error(`no PixelProof content-script world in ${page.url()}: ${JSON.stringify(contexts.map((c) => [c.name, c.origin, c.auxData]))}`);
      const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', {
        expression: `(${fn})(...${JSON.stringify(args)})`,
        contextId: isolated.id,
        awaitPromise: true,
        returnByValue: true,
      });
      await cdp.detach();
      if (exceptionDetails) throw new Error(exceptionDetails.exception?.description || exceptionDetails.text);
      return result.value;
    },
    /**
     * Site access the way a user sets it on chrome://extensions: `withhold()`
     * takes every host away ("on specific sites", none listed) and gives Meta's
     * hosts back; `grant(pattern)` then allows one site, and the extension hears
     * of it through permissions.onAdded, as after the Watch prompt. (Automation
     * cannot answer the prompt itself.)
     */
    async siteAccess(action, pattern = null) {
      if (!t._extensionsPage) {
        t._extensionsPage = await context.newPage();
        await t._extensionsPage.goto(`chrome://extensions/?id=${extensionId}`);
      }
      return t._extensionsPage.evaluate(async ([action, id, pattern]) => {
        if (action === 'withhold') {
          await chrome.developerPrivate.updateExtensionConfiguration({ extensionId: id, hostAccess: 'ON_SPECIFIC_SITES' });
          for (const h of ['https://*.facebook.com/*', 'https://connect.facebook.net/*', 'https://www.instagram.com/*']) {
            await chrome.developerPrivate.addHostPermission(id, h);
          }
        } else {
          await chrome.developerPrivate.addHostPermission(id, pattern);
        }
      }, [action, extensionId, pattern]);
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
     * Waits until the tab's journal has not grown for `quiet` ms: page records
     * reach it up to 1.25 s after they happen (hook batch, then relay).
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
    /** Closes the browser; the server and profile stay when they were given. */
    async close() {
      await context.close().catch(() => {});
      if (browserProcess) {
        browserProcess.kill();
        await new Promise((r) => (browserProcess.exitCode !== null ? r() : browserProcess.once('exit', r)));
      }
      if (!given) await server.close();
      if (ownProfile) rmSync(profile, { recursive: true, force: true });
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
