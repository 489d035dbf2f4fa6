// A journey survives the browser: quit in the middle of an order, or the
// browser process killed, and after the restart the panel offers it under
// "Recent journeys", to reopen, export or delete. Chromium with a persistent
// profile, relaunched on it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { until } from '../../support/drivers/common.mjs';
import { launch, ROOT, serverHits, sleep } from './helpers.mjs';
import { startServer } from '../../support/server.mjs';

const PRODUCT = 'https://shop.test/products/tee';
const isPixel = (r) => r.kind === 'request' && /facebook\.com\/tr/.test(r.url);

/** A journey half done: the product page's hits and an add to cart, all written. */
async function halfAnOrder(t) {
  await t.watching();
  const page = await t.newPage();
  await page.goto(PRODUCT);
  await serverHits(t.server, 4);
  await page.click('#add');
  const tabId = await t.tabIdOf(PRODUCT);
  const records = await t.journalUntil(tabId, (rs) => rs.filter(isPixel).length >= 5, 'the add to cart hit');
  return { page, tabId, records };
}

/** What a stored record is, to compare one journal with another. */
const keyOf = (r) => JSON.stringify(r);

/** The process id of the browser (not its helpers) using `profile`. */
function browserPid(profile) {
  const lines = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n');
  const main = lines.find((l) => l.includes(`--user-data-dir=${profile}`) && !l.includes('--type='));
  assert.ok(main, `no browser process for ${profile}`);
  return Number(main.trim().split(/\s+/)[0]);
}

test('a journey in progress when the browser quits is offered after the restart: reopen, export, delete; a cleared one is not', async () => {
  const server = await startServer({ siteRoot: join(ROOT, 'tests', 'e2e', 'site') });
  const profile = mkdtempSync(join(tmpdir(), 'pixelproof-restart-'));
  let t = null;
  try {
    t = await launch({ server, profile });
    const { records: before } = await halfAnOrder(t);
    // A second journey, cleared by the user before the quit: it stays cleared.
    const other = await t.newPage();
    await other.goto('https://shop.test/elsewhere/');
    const otherTab = await t.tabIdOf('https://shop.test/elsewhere/');
    await t.journalUntil(otherTab, (rs) => rs.some((r) => r.kind === 'navigation'), 'the second journey');
    await other.goto('about:blank');
    await sleep(1500);
    await t.send({ type: 'clear', tabId: otherTab });
    await t.close();

    t = await launch({ server, profile });
    const { journeys } = await until(async () => {
      const r = await t.send({ type: 'recent-journeys' });
      return r.journeys && r.journeys.length ? r : null;
    }, 'the kept journeys');
    assert.equal(journeys.length, 1, `the cleared journey is not kept: ${JSON.stringify(journeys)}`);
    const [kept] = journeys;
    assert.equal(kept.url, PRODUCT);
    assert.ok(kept.count >= before.length, `${kept.count} records kept of ${before.length}`);

    // The panel of any tab lists it.
    const tab = await t.newPage();
    await tab.goto('https://shop.test/elsewhere/');
    const tabId = await t.tabIdOf('https://shop.test/elsewhere/');
    const panel = await t.openPanel(tabId, { width: 420, height: 900, ready: `#pp-recent li[data-journey="${kept.id}"]` });
    assert.match(await panel.textContent('#pp-recent'), /Recent journeys[\s\S]*https:\/\/shop\.test\/products\/tee/);
    mkdirSync(join(ROOT, 'target', 'screenshots'), { recursive: true });
    await (await panel.$('#pp-recent')).screenshot({ path: join(ROOT, 'target', 'screenshots', 'recent-journeys.png') });

    // Export: the journal as stored, every record written before the quit in it.
    const [download] = await Promise.all([panel.waitForEvent('download'), panel.click(`#pp-recent li[data-journey="${kept.id}"] .pp-recent-export`)]);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
    const kinds = new Set(exported.map(keyOf));
    assert.deepEqual(before.filter((r) => !kinds.has(keyOf(r))), [], 'every record written before the quit is kept');

    // Reopen: the panel shows that journey, read-only, with all its records.
    const [reopened] = await Promise.all([t.context.waitForEvent('page'), panel.click(`#pp-recent li[data-journey="${kept.id}"] .pp-recent-reopen`)]);
    await reopened.waitForFunction((n) => Number(document.getElementById('app')?.dataset.applied) === n, kept.count, { timeout: 15000 });
    assert.match(await reopened.textContent('#app'), /AddToCart/);

    // Delete: gone from the list and from storage.
    await panel.click(`#pp-recent li[data-journey="${kept.id}"] .pp-recent-delete`);
    await panel.waitForSelector('#pp-recent', { state: 'detached' });
    assert.deepEqual((await t.send({ type: 'recent-journeys' })).journeys, []);
    const left = await (await t.control()).evaluate((id) => chrome.storage.local.get([`meta:${id}`, `chunk:${id}:0`]), kept.id);
    assert.deepEqual(left, {});
    assert.deepEqual(t.consoleErrors, []);
  } finally {
    await t?.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

test('a journey in progress when the browser process is killed keeps everything that was written', async () => {
  const server = await startServer({ siteRoot: join(ROOT, 'tests', 'e2e', 'site') });
  const profile = mkdtempSync(join(tmpdir(), 'pixelproof-crash-'));
  let t = null;
  try {
    t = await launch({ server, profile });
    const { records: before } = await halfAnOrder(t);
    process.kill(browserPid(profile), 'SIGKILL');
    await Promise.race([t.close().catch(() => {}), sleep(5000)]);
    t = null;

    t = await launch({ server, profile });
    const { journeys } = await until(async () => {
      const r = await t.send({ type: 'recent-journeys' });
      return r.journeys && r.journeys.length ? r : null;
    }, 'the kept journey');
    assert.equal(journeys.length, 1);
    const exported = await (await t.control()).evaluate(async (id) => {
      const got = await chrome.storage.local.get(null);
      const meta = got[`meta:${id}`];
      const out = [];
      for (let n = meta.first; n < meta.next; n++) out.push(...JSON.parse(got[`chunk:${id}:${n}`]));
      return out;
    }, journeys[0].id);
    const kept = new Set(exported.map(keyOf));
    assert.deepEqual(before.filter((r) => !kept.has(keyOf(r))), [], 'every record written before the kill is kept');
    assert.ok(exported.filter(isPixel).length >= 5);
  } finally {
    await t?.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
