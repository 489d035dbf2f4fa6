// A user's first run in Firefox: a store the extension was not
// granted at install (store2.test; the test build only declares shop.test, for
// its control page), the panel's "Watch" button, the browser's permission
// request — answered the way a user's "Allow" answers it: Firefox's own
// preference for automated runs grants optional permissions without showing
// the prompt — and capture after the reload.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as firefox from '../../support/drivers/firefox.mjs';
import { until } from '../../support/drivers/common.mjs';

const STORE = 'https://store2.test/products/tee';
const pixelHits = (server) => server.hits.filter((h) => /\/tr\/?$/.test(new URL(h.url).pathname));

test('firefox: watching a new store from the panel, then capture on reload', async () => {
  const t = await firefox.launch({ prefs: { 'extensions.webextOptionalPermissionPrompts': false } });
  try {
    await t.watching();
    const page = await t.newPage();
    await page.goto(STORE);
    await until(() => pixelHits(t.server).length >= 4, 'the store page\'s pixel hits');
    const tabId = await until(() => t.tabIdOf(STORE), 'the store tab (by its frame URL)');
    assert.deepEqual(await t.journal(tabId), [], 'nothing recorded on a store not allowed yet');

    const panel = await t.openPanel(tabId, { width: 420, height: 900, ready: '#pp-watch-hint' });
    assert.equal((await panel.$eval('#pp-watch-button', (b) => b.textContent)).trim(), 'Watch https://store2.test');
    await panel.click('#pp-watch-button');
    await panel.waitForSelector('#pp-reload-button', { timeout: 15000 });
    const status = await t.send({ type: 'status' });
    assert.ok(status.watched.some((p) => p.includes('store2.test')), `the grant is the one origin: ${JSON.stringify(status.watched)}`);
    assert.ok(status.registered.some((p) => p.includes('store2.test')), 'page scripts registered for it');

    t.server.clearHits();
    await panel.click('#pp-reload-button');
    await until(() => pixelHits(t.server).length >= 4, 'the reloaded page\'s pixel hits');
    const records = await t.journalUntil(tabId, (rs) => rs.filter((r) => r.kind === 'request').length >= 4 &&
      rs.some((r) => r.kind === 'gesture_watch') && rs.some((r) => r.kind === 'fbq_call'), 'the reloaded page captured', 20000);
    assert.ok(records.some((r) => r.kind === 'navigation' && r.url === STORE));
    assert.deepEqual(t.consoleErrors, []);
  } finally {
    await t.close();
  }
});
