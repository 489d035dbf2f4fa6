// A new user's first run. The store build (dist/chrome) from a clean
// profile: nothing is captured on a store until the user allows it, and the
// panel offers exactly that store's origin. Automation cannot answer the
// browser's permission prompt, so the grant itself is given the way a user can
// also give it, on chrome://extensions (site access), which reaches the
// extension through the same permissions.onAdded event; from there on the
// code is the one that runs after the prompt: registration, the panel's
// "Reload the page", and capture.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launch, serverHits, sleep, STORE_EXTENSION } from './helpers.mjs';

const PRODUCT = 'https://shop.test/products/tee';

async function openPanel(t, tabId) {
  const panel = await t.context.newPage();
  panel.on('pageerror', (e) => t.consoleErrors.push(`panel: ${e.message}`));
  await panel.goto(`chrome-extension://${t.extensionId}/panel.html?tab=${tabId}`);
  await panel.waitForSelector('#pp-watch-hint');
  return panel;
}

test('store build: an unwatched store is not captured, and the panel offers to watch its origin', async () => {
  const t = await launch({ extension: STORE_EXTENSION });
  try {
    const page = await t.context.newPage();
    await page.goto(PRODUCT);
    await page.waitForLoadState('load');
    await serverHits(t.server, 4);
    assert.ok(t.server.hits.length >= 4, 'the page sent its pixel hits');
    const tabId = await t.tabIdOf(PRODUCT);
    assert.ok(tabId, 'the tab is found by its top frame URL');
    const status = await t.send({ type: 'status' });
    assert.deepEqual([status.watched, status.registered], [[], []], 'no store origin at install');
    assert.deepEqual(await t.journal(tabId), [], 'nothing recorded before the user allows it');

    const panel = await openPanel(t, tabId);
    assert.equal((await panel.textContent('#pp-watch-button')).trim(), 'Watch https://shop.test');
    assert.match(await panel.textContent('#pp-watch-hint'), /records nothing on https:\/\/shop\.test until you allow it/);

    // A tab that shows no web page: the panel says what to do instead.
    const blank = await t.context.newPage();
    await blank.goto('about:blank');
    const blankTab = await t.control().then((c) => c.evaluate(async () => {
      for (const tab of await chrome.tabs.query({})) {
        const f = await chrome.webNavigation.getFrame({ tabId: tab.id, frameId: 0 }).catch(() => null);
        if (f && f.url === 'about:blank') return tab.id;
      }
      return null;
    }));
    const other = await openPanel(t, blankTab);
    assert.equal(await other.$('#pp-watch-button'), null);
    assert.match(await other.textContent('#pp-watch-hint'), /Open your store \(an https:\/\/ page\) in this tab/);
    assert.deepEqual(t.consoleErrors, []);
  } finally {
    await t.close();
  }
});

test('store build: the worker refuses every test and demo control message, and carries no test code', async () => {
  const t = await launch({ extension: STORE_EXTENSION });
  try {
    const page = await t.context.newPage();
    await page.goto(PRODUCT);
    await serverHits(t.server, 4);
    const tabId = await t.tabIdOf(PRODUCT);
    // Asked as the tests ask the test build: from an extension page, the
    // panel's own way in. The panel's messages are answered as usual.
    assert.deepEqual((await t.send({ type: 'get-journal', tabId })).records, []);
    for (const type of ['get-packet', 'get-summary', 'tabs', 'open-panel']) {
      assert.deepEqual(await t.send({ type, tabId }), { error: 'unknown message' }, type);
    }
    assert.deepEqual(await t.send({ type: 'test-bridge', msg: { type: 'get-packet', tabId } }), { error: 'unknown message' }, 'test-bridge');
    // The worker's code as loaded holds no door: the build left it out.
    const doors = await t.control().then((c) => c.evaluate(() => fetch('/worker/doors.js').then((r) => r.text())));
    assert.match(doors, /export const doors = null;/);
    assert.doesNotMatch(doors, /pixelproof_panel|get-packet/);
    const files = await t.control().then((c) => c.evaluate(() => Promise.all(['/test-bridge.js', '/worker/doors-test.js'].map((f) => fetch(f).then((r) => r.ok, () => false)))));
    assert.deepEqual(files, [false, false], 'no test-bridge.js, no doors-test.js in the store build');
    // The two fetches above fail on purpose; nothing else may.
    assert.deepEqual(t.consoleErrors.filter((e) => !e.startsWith('control: Failed to load resource: net::ERR_FILE_NOT_FOUND')), []);
  } finally {
    await t.close();
  }
});

test('after the grant arrives, the panel offers a reload and the reloaded page is captured', async () => {
  // The test build, with its store access taken away first: the same code as
  // the store build, at the point where the user has not allowed the store yet.
  const t = await launch();
  try {
    await t.watching();
    await t.siteAccess('withhold');
    for (let i = 0; i < 50 && (await t.send({ type: 'status' })).registered.length; i++) await sleep(100);
    assert.deepEqual((await t.send({ type: 'status' })).registered, [], 'no page scripts while the store is not allowed');
    const page = await t.context.newPage();
    await page.goto(PRODUCT);
    await page.waitForLoadState('load');
    await serverHits(t.server, 4);
    const tabId = await t.tabIdOf(PRODUCT);
    await sleep(300);
    assert.deepEqual(await t.journal(tabId), [], 'nothing recorded before the grant');
    const panel = await openPanel(t, tabId);
    assert.equal((await panel.textContent('#pp-watch-button')).trim(), 'Watch https://shop.test');

    await t.siteAccess('grant', '*://shop.test/*');
    await panel.waitForSelector('#pp-reload-button', { timeout: 10000 });
    assert.match(await panel.textContent('#pp-watch-hint'), /Watching https:\/\/shop\.test\. Reload the page/);
    const status = await t.send({ type: 'status' });
    assert.ok(status.registered.some((p) => p.includes('shop.test')), `page scripts registered on the grant: ${JSON.stringify(status)}`);
    assert.deepEqual(await t.journal(tabId), [], 'the page loaded before the grant stays unrecorded');

    t.server.clearHits();
    await panel.click('#pp-reload-button');
    await serverHits(t.server, 4);
    const records = await t.journalUntil(tabId, (rs) => rs.filter((r) => r.kind === 'request').length >= 4 &&
      rs.some((r) => r.kind === 'gesture_watch') && rs.some((r) => r.kind === 'fbq_call'), 'the reloaded page captured');
    const nav = records.find((r) => r.kind === 'navigation');
    assert.equal(nav.url, PRODUCT);
    assert.equal(nav.transition, 'reload');
    assert.deepEqual(t.consoleErrors, []);
  } finally {
    await t.close();
  }
});
