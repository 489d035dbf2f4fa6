// Chromium driver: Debian's Chromium driven by playwright-core (never a
// downloaded browser), dist/chrome-test loaded unpacked, and the local HTTPS
// server reached through --host-resolver-rules. Control messages go through
// an extension page, as the panel sends them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { chromiumArgs, startServer } from '../server.mjs';
import { withControl } from './common.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const name = 'chromium';
export const EXTENSION = join(ROOT, 'dist', 'chrome-test');
/** The store build: what a user loads. No store origin is granted at install. */
export const STORE_EXTENSION = join(ROOT, 'dist', 'chrome');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Starts the server and a browser. `extension: false` gives a browser without
 * PixelProof; a string loads the unpacked extension in that directory instead of
 * the built test variant. `dynamic` is the server's generated routes. `server`
 * reuses a running server and `profile` a profile directory (a browser
 * restart); both then outlive `close()`.
 */
export async function launch({ extension = true, siteRoot = join(ROOT, 'tests', 'e2e', 'site'), dynamic = {}, hosts = {}, headed = false, server: given = null, profile = null } = {}) {
  const server = given || (await startServer({ siteRoot, dynamic, hosts }));
  const userDataDir = profile || mkdtempSync(join(tmpdir(), 'pixelproof-profile-'));
  const owned = { server: !given, profile: !profile };
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: !headed,
      args: chromiumArgs(server.port, extension === true ? EXTENSION : extension || null),
      viewport: { width: 1100, height: 800 },
    });
  } catch (e) {
    if (owned.server) await server.close();
    if (owned.profile) rmSync(userDataDir, { recursive: true, force: true });
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
    /**
     * Every tab as {id, url}. The store build sees no tab URLs (no `tabs`
     * permission), so the top frame's URL comes from webNavigation, as the
     * panel gets it.
     */
    async tabs() {
      const page = await t.control();
      return page.evaluate(async () => Promise.all((await chrome.tabs.query({})).map(async (x) => {
        const frame = x.url ? null : await chrome.webNavigation.getFrame({ tabId: x.id, frameId: 0 }).catch(() => null);
        return { id: x.id, url: x.url || (frame && frame.url) || null };
      })));
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
     * Site access the way a user sets it on chrome://extensions: `withhold`
     * takes every host away ("on specific sites", none listed) and gives Meta's
     * hosts back; `grant` then allows one site, and the extension hears of it
     * through permissions.onAdded, as after the Watch prompt (which automation
     * cannot answer).
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
      if (owned.server) await server.close();
      if (owned.profile) rmSync(userDataDir, { recursive: true, force: true });
    },
  };
  return withControl(t);
}
