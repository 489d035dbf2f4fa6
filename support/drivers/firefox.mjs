// Firefox driver: Debian's firefox-esr driven by puppeteer-core over WebDriver
// BiDi (never a downloaded browser), dist/firefox-test installed as a temporary
// add-on, and the local HTTPS server reached as Firefox's proxy (see
// firefoxPrefs in ../e2e/server.mjs for why a proxy).
//
// BiDi cannot open moz-extension:// pages, so control messages go through the
// test build's bridge (extension/test-bridge.js) on a control page of the test
// store, and the panel is opened by the worker (tabs.create) and found among
// the browser's pages.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { firefoxPrefs, startServer } from '../server.mjs';
import { sleep, until, withControl } from './common.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const name = 'firefox';
export const EXTENSION = join(ROOT, 'dist', 'firefox-test');
export const FIREFOX = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';

/** The bridge's control page, as the test build's manifest declares it. */
function bridgePage(dir) {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const entry = (m.content_scripts || []).find((c) => c.js.includes('test-bridge.js'));
  if (!entry) throw new Error(`${dir} is not a Firefox test build: no test-bridge.js content script`);
  return entry.matches[0];
}

/**
 * Same options as the Chromium driver's launch, and `prefs`: more Firefox
 * preferences for this run.
 */
export async function launch({ extension = true, siteRoot = join(ROOT, 'tests', 'e2e', 'site'), dynamic = {}, hosts = {}, headed = false, prefs = {}, server: given = null, profile = null } = {}) {
  const dir = extension === true ? EXTENSION : extension || null;
  const control = dir ? bridgePage(dir) : null;
  const server = given || (await startServer({ siteRoot, dynamic, hosts, proxy: true }));
  const closeServer = () => (given ? Promise.resolve() : server.close());
  let browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: !headed,
      acceptInsecureCerts: true,
      defaultViewport: { width: 1100, height: 800 },
      // A profile of the caller's (kept for a restart on it), else puppeteer's own.
      ...(profile ? { userDataDir: profile } : {}),
      extraPrefsFirefox: {
        ...firefoxPrefs(server.proxyPort),
        // Console output of web content, extension pages included, goes to
        // stdout: the only place BiDi lets us read the background page's console.
        'devtools.console.stdout.content': true,
        ...prefs,
      },
    });
  } catch (e) {
    await closeServer();
    throw e;
  }
  const proc = browser.process();
  const args = proc.spawnargs;
  const usedProfile = args[args.indexOf('--profile') + 1];
  const consoleErrors = [];
  // BiDi shows no extension context, so the extension's errors are read from
  // the browser's own output: uncaught errors name their moz-extension: script,
  // and every message the extension logs starts with "PixelProof:".
  const scan = (text) => {
    for (const line of String(text).split('\n')) {
      if (/^JavaScript error: moz-extension:\/\//.test(line)) consoleErrors.push(`extension: ${line}`);
      else if (/^console\.(error|warn): "PixelProof:/.test(line)) consoleErrors.push(`extension: ${line}`);
    }
  };
  let carry = { out: '', err: '' };
  for (const stream of ['out', 'err']) {
    proc[`std${stream}`].on('data', (chunk) => {
      const text = carry[stream] + chunk;
      const cut = text.lastIndexOf('\n');
      carry[stream] = text.slice(cut + 1);
      scan(text.slice(0, cut + 1));
    });
  }
  if (dir) {
    try {
      await browser.installExtension(dir);
    } catch (e) {
      await browser.close();
      await closeServer();
      throw e;
    }
  }
  const t = {
    name,
    server,
    browser,
    consoleErrors,
    /** The control page with the bridge in it (only a test build has one). */
    async control() {
      if (!t._control) {
        if (!control) throw new Error('no extension, no control page');
        const page = await browser.newPage();
        page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`control: ${m.text()}`); });
        await page.goto(control);
        await page.waitForFunction(() => document.documentElement.dataset.pixelproofBridge === 'ready', { timeout: 10000 });
        t._control = page;
      }
      return t._control;
    },
    async send(msg) {
      const page = await t.control();
      // The reply crosses BiDi as JSON text: BiDi sends an object met twice
      // (records of one batch share their context) as a bare reference, which
      // puppeteer turns into undefined.
      const reply = await page.evaluate((m) => new Promise((resolve, reject) => {
        const id = `${Date.now()}-${Math.random()}`;
        const timer = setTimeout(() => reject(new Error(`no answer to ${m.type} from the worker`)), 10000);
        window.addEventListener('message', function onReply(e) {
          if (e.source !== window || !e.data || e.data.pixelproofBridge !== 'reply' || e.data.id !== id) return;
          window.removeEventListener('message', onReply);
          clearTimeout(timer);
          resolve(JSON.stringify(e.data.reply));
        });
        window.postMessage({ pixelproofBridge: 'request', id, msg: m }, '*');
      }), msg);
      return JSON.parse(reply);
    },
    async tabs() {
      const { tabs, error } = await t.send({ type: 'tabs' });
      if (error) throw new Error(`tabs: ${error}`);
      return tabs;
    },
    newPage: () => browser.newPage(),
    /** Clicks `selector` and waits until the page has loaded a URL containing `part`. */
    async clickAndLoad(page, selector, part) {
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
      if (!page.url().includes(part)) throw new Error(`clicking ${selector} loaded ${page.url()}, not …${part}`);
    },
    /**
     * The panel pinned to `tabId`, in a tab of its own, once `ready` (a selector)
     * shows. The worker opens it; BiDi reports a moz-extension: page's URL as
     * about:blank, so the page is told apart by asking it where it is.
     */
    async openPanel(tabId, { width, height, ready }) {
      const known = new Set(await browser.pages());
      const opened = await t.send({ type: 'open-panel', tabId });
      if (opened.error) throw new Error(`open-panel: ${opened.error}`);
      const want = `/panel.html?tab=${tabId}`;
      const panel = await until(async () => {
        for (const p of await browser.pages()) {
          if (known.has(p)) continue;
          const href = await p.evaluate(() => location.href).catch(() => '');
          if (href.startsWith('moz-extension://') && href.endsWith(want)) return p;
        }
        return null;
      }, `the panel of tab ${tabId}`);
      await panel.setViewport({ width, height });
      await panel.waitForSelector(ready);
      return panel;
    },
    /**
     * Quits Firefox the way the system asks an application to (SIGTERM, which
     * Firefox answers with its own quit), for a restart on the same profile.
     * Not BiDi's browser.close: that closes the tabs one by one first, which
     * the extension is told as tabs the user closed (their journeys go).
     */
    async quit() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((resolve) => proc.once('exit', resolve));
        proc.kill('SIGTERM');
        await exited;
      }
      await Promise.race([browser.close().catch(() => {}), sleep(3000)]);
      await closeServer();
    },
    async close() {
      try {
        await browser.close();
      } finally {
        await closeServer();
      }
      // puppeteer removes the temporary profile once Firefox has exited; a run
      // must leave neither behind (a profile of the caller's is the caller's).
      if (proc.exitCode === null && proc.signalCode === null) throw new Error(`Firefox (pid ${proc.pid}) still runs after close`);
      if (!profile && existsSync(usedProfile)) throw new Error(`Firefox profile ${usedProfile} left behind`);
    },
  };
  return withControl(t);
}
