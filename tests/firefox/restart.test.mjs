// A journey survives a Firefox restart: quit in the middle of an order, and
// after the restart the panel offers it under "Recent journeys", to reopen or
// delete; a journey the user cleared before the quit is not offered.
//
// How the restart is done. WebDriver BiDi installs the build as a temporary
// add-on, and Firefox removes a temporary add-on when it quits: started again
// on the same profile, the add-on is gone (the control page gets no bridge).
// So the second run installs the same build again, as puppeteer's
// installExtension does every run; Firefox keeps an add-on's storage.local by
// its id across that, which is what a permanently installed add-on finds at a
// browser start. What starts is the same: a new browser session (empty
// storage.session), so the worker's start files the previous session's
// journals as recent journeys. Firefox is quit as the system asks it to
// (SIGTERM, see the driver's quit): BiDi's browser.close closes the tabs one
// by one first, and the extension rightly drops a journey whose tab the user
// closed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as firefox from '../../support/drivers/firefox.mjs';
import { sleep, until } from '../../support/drivers/common.mjs';
import { startServer } from '../../support/server.mjs';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const PRODUCT = 'https://shop.test/products/tee';
const isPixel = (r) => r.kind === 'request' && /facebook\.com\/tr/.test(r.url);

test('firefox: a journey in progress when the browser quits is offered after the restart: reopen, delete; a cleared one is not', async () => {
  const server = await startServer({ siteRoot: join(ROOT, 'tests', 'e2e', 'site'), proxy: true });
  const profile = mkdtempSync(join(tmpdir(), 'pixelproof-ff-restart-'));
  let t = null;
  try {
    t = await firefox.launch({ server, profile });
    await t.watching();
    const page = await t.newPage();
    await page.goto(PRODUCT);
    await until(() => server.hits.length >= 4, 'the product page hits', 15000);
    await page.click('#add');
    const tabId = await t.tabIdOf(PRODUCT);
    const before = await t.journalUntil(tabId, (rs) => rs.filter(isPixel).length >= 5, 'the add to cart hit', 15000);
    // A second journey, cleared by the user before the quit: it stays cleared.
    const other = await t.newPage();
    await other.goto('https://shop.test/elsewhere/');
    const otherTab = await t.tabIdOf('https://shop.test/elsewhere/');
    await t.journalUntil(otherTab, (rs) => rs.some((r) => r.kind === 'navigation'), 'the second journey');
    await other.goto('about:blank');
    await sleep(1500);
    assert.deepEqual(await t.send({ type: 'clear', tabId: otherTab }), { ok: true });
    await t.quit();
    t = null;

    t = await firefox.launch({ server, profile });
    const { journeys } = await until(async () => {
      const r = await t.send({ type: 'recent-journeys' });
      return r.journeys && r.journeys.length ? r : null;
    }, 'the kept journeys', 15000);
    // The control page of the tests' bridge is a page of the store too: its
    // tab's journey is kept as well, and left aside here.
    const stores = journeys.filter((j) => !j.url.includes('/__pixelproof-control'));
    assert.equal(stores.length, 1, `the cleared journey is not kept: ${JSON.stringify(journeys)}`);
    const [kept] = stores;
    assert.equal(kept.url, PRODUCT);
    assert.ok(kept.count >= before.length, `${kept.count} records kept of ${before.length}`);

    // The panel of any tab lists it; reopened, it shows that journey with all its records.
    const tab = await t.newPage();
    await tab.goto('https://shop.test/elsewhere/');
    const tabId2 = await t.tabIdOf('https://shop.test/elsewhere/');
    const panel = await t.openPanel(tabId2, { width: 420, height: 900, ready: `#pp-recent li[data-journey="${kept.id}"]` });
    assert.match(await panel.$eval('#pp-recent', (e) => e.textContent), /Recent journeys[\s\S]*https:\/\/shop\.test\/products\/tee/);
    const known = new Set(await t.browser.pages());
    await panel.click(`#pp-recent li[data-journey="${kept.id}"] .pp-recent-reopen`);
    const want = `/panel.html?journey=${encodeURIComponent(kept.id)}`;
    const reopened = await until(async () => {
      for (const p of await t.browser.pages()) {
        if (known.has(p)) continue;
        const href = await p.evaluate(() => location.href).catch(() => '');
        if (href.startsWith('moz-extension://') && href.endsWith(want)) return p;
      }
      return null;
    }, 'the reopened journey', 15000);
    await reopened.waitForFunction((n) => Number(document.getElementById('app')?.dataset.applied) === n, { timeout: 15000 }, kept.count);
    assert.match(await reopened.$eval('#app', (e) => e.textContent), /AddToCart/);

    // Delete: gone from the list.
    await panel.click(`#pp-recent li[data-journey="${kept.id}"] .pp-recent-delete`);
    await panel.waitForSelector(`#pp-recent li[data-journey="${kept.id}"]`, { hidden: true });
    assert.deepEqual((await t.send({ type: 'recent-journeys' })).journeys.filter((j) => j.id === kept.id), []);
    assert.deepEqual(t.consoleErrors, []);
  } finally {
    await t?.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
