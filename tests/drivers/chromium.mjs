// Chromium driver: Debian's Chromium driven by playwright-core (never a
// downloaded browser), dist/chrome-test loaded unpacked, and the local HTTPS
// server reached through --host-resolver-rules. Control messages go through
// an extension page, as the panel sends them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { chromiumArgs, startServer } from '../e2e/server.mjs';
import { withControl } from './common.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const name = 'chromium';
export const EXTENSION = join(ROOT, 'dist', 'chrome-test');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Starts the server and a browser. `extension: false` gives a browser without
 * PixelProof; a string loads the unpacked extension in that directory instead of
 * the built test variant. `dynamic` is the server's generated routes.
 */
export async function launch({ extension = true, siteRoot = join(ROOT, 'tests', 'e2e', 'site'), dynamic = {}, headed = false } = {}) {
  const server = await startServer({ siteRoot, dynamic });
  const userDataDir = mkdtempSync(join(tmpdir(), 'pixelproof-profile-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: !headed,
      args: chromiumArgs(server.port, extension === true ? EXTENSION : extension || null),
      viewport: { width: 1100, height: 800 },
    });
  } catch (e) {
    await server.close();
    rmSync(userDataDir, { recursive: true, force: true });
    throw e;
  }
  const consoleErrors = [];
  let extensionId = null;
  if (extension) {
    const worker = context.serviceWorkers()[0] || (await context.waitForEvent('serviceworker', { timeout: 15000 }));
    extensionId = new URL(worker.url()).host;
    worker.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`worker: ${m.text()}`); });
  }
  const t = {
    name,
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
    async tabs() {
      const page = await t.control();
      return page.evaluate(async () => (await chrome.tabs.query({})).map((x) => ({ id: x.id, url: x.url || null })));
    },
    newPage: () => context.newPage(),
    /** Clicks `selector` and waits until the page has loaded a URL containing `part`. */
    async clickAndLoad(page, selector, part) {
      await page.click(selector);
      await page.waitForURL((u) => u.href.includes(part), { waitUntil: 'load' });
    },
    /** The panel pinned to `tabId`, in a tab of its own, once `ready` (a selector) shows. */
    async openPanel(tabId, { width, height, ready }) {
      const panel = await context.newPage();
      await panel.setViewportSize({ width, height });
      await panel.goto(`chrome-extension://${extensionId}/panel.html?tab=${tabId}`);
      await panel.waitForSelector(ready);
      return panel;
    },
    async close() {
      await context.close();
      await server.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
  return withControl(t);
}
