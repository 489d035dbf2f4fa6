// Reliability against a hostile page: it keeps working, network capture goes
// on, and forged page messages are refused or kept as page-reported evidence.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launch, serverHits, sleep } from './helpers.mjs';

/** A watched browser with `url` open, and the errors its page throws. */
async function openWatched(url) {
  const t = await launch();
  try {
    await t.watching();
    const page = await t.context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    return { t, page, errors };
  } catch (e) {
    await t.close();
    throw e;
  }
}

test('a page that fights the hook keeps working and is still captured', async () => {
  const { t, page, errors } = await openWatched('https://shop.test/hostile');
  try {
    await page.waitForFunction(() => window.__done === true);
    assert.equal(await page.textContent('#ok'), 'page still works');
    const log = await page.evaluate(() => window.__log);
    assert.ok(log.includes('getter threw as the page intended'), `the page's own getter won: ${log}`);
    assert.deepEqual(errors, [], 'nothing of ours threw into the page');
    await serverHits(t.server, 5);
    const tabId = await t.tabIdOf('https://shop.test/hostile');
    const records = await t.journalUntil(tabId, (rs) => rs.filter((r) => r.kind === 'request').length >= 5, 'five network hits');
    await sleep(500);
    const all = await t.journal(tabId);
    const requests = all.filter((r) => r.kind === 'request');
    assert.equal(requests.length, 5, 'exactly the five real hits; forged "request" records were refused');
    assert.ok(requests.every((r) => r.origin === 'network'));
    const forged = all.filter((r) => r.kind === 'gesture' && r.target === 'forged');
    assert.ok(forged.every((r) => r.origin === 'page'), 'accepted page records are marked as page-reported');
    assert.ok(forged.length <= 200, `the relay rate-limits a flood (${forged.length} accepted)`);
    assert.ok(!all.some((r) => JSON.stringify(r).length > 70000), 'oversized payloads were refused');
    assert.ok(records.length > 0);
    // The page replaced queueMicrotask, JSON.stringify, dispatchEvent and
    // CustomEvent before DOMContentLoaded; the hook took its own copies at
    // document_start, so its inventory still arrives.
    const withInventory = await t.journalUntil(tabId, (rs) => rs.some((r) => r.kind === 'scripts'), 'the hook inventory');
    assert.ok(withInventory.filter((r) => r.kind === 'scripts').every((r) => r.origin === 'page'));
    const { packet } = await t.send({ type: 'get-packet', tabId });
    assert.equal(packet.hits.length, 5);
    assert.deepEqual(t.consoleErrors, []);
  } finally {
    await t.close();
  }
});

test('a page with a frozen Error still gets its fbq calls recorded with their caller', async () => {
  const { t, page, errors } = await openWatched('https://shop.test/locked');
  try {
    assert.equal(await page.evaluate(() => window.__frozen), true, 'Error stayed frozen and untouched');
    const tabId = await t.tabIdOf('https://shop.test/locked');
    const isLead = (r) => r.kind === 'fbq_call' && r.method === 'track' && r.args[0] === 'Lead';
    const lead = (await t.journalUntil(tabId, (rs) => rs.some(isLead), 'the Lead fbq call')).find(isLead);
    // The hook cannot swap Error.prepareStackTrace here and reads the stack text instead.
    assert.equal(lead.caller, 'https://shop.test/locked');
    assert.deepEqual(errors, []);
  } finally {
    await t.close();
  }
});
