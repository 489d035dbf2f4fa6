// The extension in headless Chromium: capture, transparency, worker restart,
// and agreement with the native core.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launch, normaliseHits, ROOT, serverHits, sleep } from './helpers.mjs';

const PRODUCT = 'https://shop.test/products/tee';
const isPixel = (r) => r.kind === 'request' && /facebook\.com\/tr/.test(r.url);
const param = (r, key) => {
  const u = new URL(r.url);
  if (u.searchParams.has(key)) return u.searchParams.get(key);
  const f = r.body && r.body.type === 'form' && r.body.fields.find(([k]) => k === key);
  return f ? f[1] : null;
};

/** Opens the product page in a watched browser and waits for its four load hits. */
async function openProduct(t, page) {
  await page.goto(PRODUCT);
  await page.waitForLoadState('load');
  await serverHits(t.server, 4); // PageView, ViewContent (theme), ViewContent (iframe), ViewContent (worker)
}

/** A watched browser with the product page open (its load hits in), and the page's tab. */
async function watchedProduct() {
  const t = await launch();
  try {
    await t.watching();
    const page = await t.context.newPage();
    await openProduct(t, page);
    return { t, page, tabId: await t.tabIdOf(PRODUCT) };
  } catch (e) {
    await t.close();
    throw e;
  }
}

/** Plays the product page: load, add to cart (beacon), check out (form POST). */
async function productJourney(t, page) {
  await openProduct(t, page);
  await page.click('#add');
  await page.click('#checkout');
  await serverHits(t.server, 6);
}

describe('capture in the page and on the network', () => {
  let t;
  let tabId;
  let records;
  before(async () => {
    t = await launch();
    await t.watching();
    const page = await t.context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') t.consoleErrors.push(`page: ${m.text()}`); });
    await productJourney(t, page);
    tabId = await t.tabIdOf(PRODUCT);
    records = await t.journalUntil(tabId, (rs) => rs.filter(isPixel).length >= 6 && rs.some((r) => r.kind === 'gesture'), 'six pixel hits and a gesture');
  });
  after(async () => { await t?.close(); });

  test('GET image, beacon and form POST hits reach the journal with their bodies', () => {
    const byRqm = (rqm) => records.filter(isPixel).find((r) => param(r, 'rqm') === rqm);
    const get = byRqm('GET');
    assert.ok(get, 'a GET image hit');
    assert.equal(get.request_type, 'image');
    const beacon = byRqm('SB');
    assert.ok(beacon, 'a beacon hit');
    assert.equal(beacon.request_type, 'ping');
    assert.equal(beacon.body.type, 'form', 'beacon body kept');
    assert.equal(param(beacon, 'ev'), 'AddToCart');
    assert.equal(param(beacon, 'cd[content_name]'), 'Classic Tee');
    const form = byRqm('formPOST');
    assert.ok(form, 'a form POST hit');
    assert.equal(form.request_type, 'sub_frame');
    assert.equal(param(form, 'ev'), 'InitiateCheckout');
    assert.equal(param(form, 'eid'), 'ic-tee-1');
  });

  test('hits from the sandboxed iframe and the worker are attributed to different senders', async () => {
    const fromFrame = records.filter(isPixel).find((r) => param(r, 'eid') === 'vc-tee-custom');
    assert.ok(fromFrame, 'the custom pixel iframe hit');
    assert.equal(fromFrame.context.frame_type, 'sub');
    assert.match(fromFrame.context.document_url, /\/custom\/web-pixel-42@1\//);
    const fromWorker = records.filter(isPixel).find((r) => param(r, 'eid') === 'vc-tee-app');
    assert.ok(fromWorker, 'the app pixel worker hit');
    const { packet } = await t.send({ type: 'get-packet', tabId });
    const sender = (eid) => packet.hits.find((h) => h.event_id === eid).sender;
    assert.equal(sender('vc-tee-custom'), 'shopify_custom_pixel');
    assert.equal(sender('vc-tee-app'), 'shopify_app_pixel');
    assert.equal(sender('vc-tee-1'), 'theme');
    const vc = packet.findings.find((f) => f.code === 'multiple_senders' && f.event === 'ViewContent');
    assert.ok(vc, 'three senders of ViewContent are a finding');
  });

  test('fbq calls and the script inventory are page evidence; clicks are observed in the isolated world', () => {
    const calls = records.filter((r) => r.kind === 'fbq_call');
    assert.ok(calls.some((c) => c.method === 'init' && c.args[0] === '1234567890'));
    const atc = calls.find((c) => c.method === 'track' && c.args[0] === 'AddToCart');
    assert.ok(atc, 'the AddToCart call');
    assert.equal(atc.event_id_location, 'options');
    assert.match(atc.caller, /\/assets\/theme\.js$/);
    assert.equal(atc.origin, 'page');
    assert.equal(atc.context.tab_id, tabId);
    const inv = records.filter((r) => r.kind === 'scripts' && r.context.frame_type === 'main').pop();
    assert.ok(inv, 'a script inventory of the top document');
    assert.ok(inv.scripts.some((s) => s.endsWith('/en_US/fbevents.js')));
    assert.equal(inv.base_code_runs, 1);
    assert.equal(inv.fbq_differs_from_fbq_alias, false);
    const clicks = records.filter((r) => r.kind === 'gesture');
    assert.ok(clicks.some((g) => g.gesture === 'click' && /button#add/.test(g.target)));
    assert.ok(clicks.every((g) => g.origin === 'isolated'), 'every gesture comes from the relay, none from the page');
    const watch = records.filter((r) => r.kind === 'gesture_watch');
    assert.equal(watch.length, 1, 'the top document says once that gestures are watched');
    assert.equal(watch[0].context.frame_type, 'main');
    // The page passed {em: 'Jane.Doe@Example.com'} to fbq('init'): stored as its hash only.
    const init = calls.find((c) => c.method === 'init');
    assert.match(init.args[1].em, /^plain:email:[0-9a-f]{64}$/);
    assert.ok(!JSON.stringify(records).includes('Jane.Doe'), 'no plain e-mail in the journal');
    assert.ok(records.some((r) => r.kind === 'shopify' && r.shop === 'test-store.myshopify.com'));
    assert.ok(records.some((r) => r.kind === 'navigation' && r.url === PRODUCT));
    assert.ok(records.some((r) => r.kind === 'script_load' && r.url.endsWith('/en_US/fbevents.js')));
  });

  test('get-packet matches the native core on the same journal', async () => {
    const { packet } = await t.send({ type: 'get-packet', tabId });
    const dir = mkdtempSync(join(tmpdir(), 'pixelproof-journal-'));
    const file = join(dir, 'journal.json');
    const journal = await t.journal(tabId);
    writeFileSync(file, JSON.stringify(journal));
    const cli = join(ROOT, 'target', 'debug', 'pixelproof');
    const native = JSON.parse(execFileSync(cli, ['journal', file], { encoding: 'utf8' }));
    const key = (f) => `${f.code}|${f.severity}|${f.event}|${f.hit_ids.join(',')}`;
    assert.deepEqual(packet.findings.map(key), native.findings.map(key));
    assert.equal(packet.verdict, native.verdict);
    assert.equal(packet.hits.length, native.hits.length);
  });

  test('no console error came from the extension', () => {
    assert.deepEqual(t.consoleErrors.filter((e) => !e.startsWith('page:')), []);
  });
});

describe('transparency', () => {
  async function run(extension) {
    const t = await launch({ extension });
    try {
      if (extension) await t.watching();
      const page = await t.context.newPage();
      await productJourney(t, page);
      await sleep(300);
      const product = normaliseHits(t.server.hits);
      t.server.clearHits();
      await page.goto('https://shop.test/queued');
      await page.waitForFunction(() => window.__result, null, { timeout: 10000 });
      const result = await page.evaluate(() => window.__result);
      await serverHits(t.server, 2);
      await sleep(300);
      let lead = null;
      if (extension) {
        const tabId = await t.tabIdOf('https://shop.test/queued');
        const isLead = (r) => r.kind === 'fbq_call' && r.method === 'track' && r.args[0] === 'Lead';
        lead = (await t.journalUntil(tabId, (rs) => rs.some(isLead), 'the Lead fbq call')).find(isLead);
      }
      return { product, queued: normaliseHits(t.server.hits), result, lead };
    } finally {
      await t.close();
    }
  }

  test('the page sends the same pixel requests and sees the same fbq with and without the extension', async () => {
    const without = await run(false);
    const withExt = await run(true);
    assert.equal(without.product.length, 6);
    assert.deepEqual(withExt.product, without.product);
    assert.deepEqual(withExt.queued, without.queued);
    assert.deepEqual(withExt.result, without.result);
    assert.equal(without.result.before.queued, 2, 'calls before the library loaded were queued');
    assert.equal(without.result.after.hasCallMethod, 'function');
    assert.equal(withExt.result.after.same, true, 'fbq === _fbq still holds');
    assert.deepEqual(withExt.result.after.stack, { same: true, writable: true, enumerable: true, configurable: true, text: 'mine:' },
      "the page's own Error.prepareStackTrace is still in place and still used");
    // The hook reads the stack through call sites while the page's handler is set aside.
    assert.equal(withExt.lead.caller, 'https://shop.test/queued', 'the inline script that called fbq');
  });
});

describe('leaving the store', () => {
  test('page records sent as the page goes away belong to the page that made them', async () => {
    const { t, page, tabId } = await watchedProduct();
    try {
      // A click, then straight off to a site that is not watched: the hook and
      // the relay still hold the click (they batch for up to 1.25 s) and must
      // send it at pagehide (without that flush this test times out).
      await page.click('#add');
      // The test server has no page there (404): the store page is left all the same.
      await page.goto('https://elsewhere.test/').catch(() => {});
      const records = await t.journalUntil(tabId, (rs) => rs.some((r) => r.kind === 'gesture'), 'the click made before leaving');
      const click = records.find((r) => r.kind === 'gesture');
      assert.equal(click.context.top_url, PRODUCT);
      assert.equal(click.origin, 'isolated', 'a trusted click the relay observed');
      assert.ok(!records.some((r) => (r.context?.top_url || '').includes('elsewhere.test')), 'nothing recorded from the unwatched site');
    } finally {
      await t.close();
    }
  });
});

describe('service worker restart', () => {
  test('stopping the worker mid-journey loses no record and capture continues', async () => {
    const { t, page, tabId } = await watchedProduct();
    try {
      await t.journalUntil(tabId, (rs) => rs.filter(isPixel).length >= 4, 'four hits before the restart');
      // Stop the worker the way Chrome does when it is idle.
      const cdp = await t.context.newCDPSession(page);
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      await sleep(500);
      await page.click('#add');
      await page.click('#checkout');
      await serverHits(t.server, 6);
      const records = await t.journalUntil(tabId, (rs) => rs.filter(isPixel).length >= 6, 'hits after the restart');
      const journalUrls = records.filter(isPixel).map((r) => r.url.split('?')[0] + '|' + param(r, 'eid')).sort();
      const serverUrls = t.server.hits.filter((h) => /\/tr/.test(h.url)).map((h) => {
        const u = new URL(h.url);
        const eid = u.searchParams.get('eid') || (h.body.match(/name="eid"\r\n\r\n([^\r]*)/) || [])[1] || new URLSearchParams(h.body).get('eid');
        return `${u.origin}${u.pathname}|${eid}`;
      }).sort();
      assert.deepEqual(journalUrls, serverUrls, 'every request the server saw is in the journal');
    } finally {
      await t.close();
    }
  });
});
