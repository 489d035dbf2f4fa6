// Capture in the page and on the network, for any browser driver: the same
// journey and the same assertions in Chromium (tests/e2e/capture.test.mjs) and
// Firefox (tests/firefox/capture.test.mjs).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sleep, until } from '../../support/drivers/common.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PRODUCT = 'https://shop.test/products/tee';
export const isPixel = (r) => r.kind === 'request' && /facebook\.com\/tr/.test(r.url);
export const param = (r, key) => {
  const u = new URL(r.url);
  if (u.searchParams.has(key)) return u.searchParams.get(key);
  const f = r.body && r.body.type === 'form' && r.body.fields.find(([k]) => k === key);
  return f ? f[1] : null;
};

// The journal keeps the browser's own name for a sendBeacon request: Chromium
// calls it "ping", Firefox "beacon". The core reads either as a beacon
// (transport_of in crates/core/src/decode.rs).
const BEACON_TYPE = { chromium: 'ping', firefox: 'beacon' };

/** Waits until the server has seen at least `n` pixel requests. */
export const serverHits = (server, n, timeout = 10000) => until(() => server.hits.length >= n, `${n} pixel requests at the server (seen ${server.hits.length})`, timeout, 50);

/**
 * Registers the capture tests for `driver` (support/drivers/*.mjs). `more(state)`
 * may register further tests on the same journey; `state` holds `t` (the
 * launched browser), `tabId` and `records` once the journey is done.
 */
export function captureSuite(driver, more = () => {}) {
  describe(`${driver.name}: capture in the page and on the network`, () => {
    const state = {};
    before(async () => {
      const t = (state.t = await driver.launch());
      await t.watching();
      const page = await t.newPage();
      page.on('console', (m) => { if (m.type() === 'error') t.consoleErrors.push(`page: ${m.text()}`); });
      // The product page: load, add to cart (beacon), check out (form POST).
      await page.goto(PRODUCT);
      await serverHits(t.server, 4); // PageView, ViewContent (theme), ViewContent (iframe), ViewContent (worker)
      await page.click('#add');
      await page.click('#checkout');
      await serverHits(t.server, 6);
      state.tabId = await t.tabIdOf(PRODUCT);
      // Everything the tests below read: the hits, the click, and the page hook's
      // record of the AddToCart call (it trails the hit: hook batch, then relay).
      const atcCall = (r) => r.kind === 'fbq_call' && r.method === 'track' && r.args[0] === 'AddToCart';
      state.records = await t.journalUntil(state.tabId, (rs) => rs.filter(isPixel).length >= 6 && rs.some((r) => r.kind === 'gesture') &&
        rs.some(atcCall) && rs.some((r) => r.kind === 'gesture_watch'), 'six pixel hits, the click, its fbq call and the gesture watch', 20000);
    });
    after(async () => { await state.t?.close(); });

    test('GET image, beacon and form POST hits reach the journal with their bodies', () => {
      const byRqm = (rqm) => state.records.filter(isPixel).find((r) => param(r, 'rqm') === rqm);
      // The page's own GET: the sandboxed iframe's GET (an opaque origin, initiator
      // "null") can reach the journal first, as the two pixel scripts load side by side.
      const get = state.records.filter(isPixel).find((r) => param(r, 'rqm') === 'GET' && param(r, 'eid') === 'pv-tee-1');
      assert.ok(get, "a GET image hit: the page's PageView");
      assert.equal(get.request_type, 'image');
      const beacon = byRqm('SB');
      assert.ok(beacon, 'a beacon hit');
      assert.equal(beacon.request_type, BEACON_TYPE[driver.name]);
      assert.equal(beacon.body.type, 'form', 'beacon body kept');
      assert.equal(param(beacon, 'ev'), 'AddToCart');
      assert.equal(param(beacon, 'cd[content_name]'), 'Classic Tee');
      const form = byRqm('formPOST');
      assert.ok(form, 'a form POST hit');
      assert.equal(form.request_type, 'sub_frame');
      assert.equal(param(form, 'ev'), 'InitiateCheckout');
      assert.equal(param(form, 'eid'), 'ic-tee-1');
      // Firefox has no initiator; its platform layer derives the same origin.
      const worker = state.records.filter(isPixel).find((r) => param(r, 'eid') === 'vc-tee-app');
      assert.deepEqual([get, beacon, form, worker].map((r) => r.initiator), Array(4).fill('https://shop.test'));
    });

    test('hits from the sandboxed iframe and the worker are attributed to different senders', async () => {
      const { t, tabId, records } = state;
      const fromFrame = records.filter(isPixel).find((r) => param(r, 'eid') === 'vc-tee-custom');
      assert.ok(fromFrame, 'the custom pixel iframe hit');
      assert.equal(fromFrame.context.frame_type, 'sub');
      assert.match(fromFrame.context.document_url, /\/custom\/web-pixel-42@1\//);
      const fromWorker = records.filter(isPixel).find((r) => param(r, 'eid') === 'vc-tee-app');
      assert.ok(fromWorker, 'the app pixel worker hit');
      const { packet } = await t.send({ type: 'get-packet', tabId });
      const hit = (eid) => packet.hits.find((h) => h.event_id === eid);
      assert.equal(hit('vc-tee-custom').sender, 'shopify_custom_pixel');
      assert.equal(hit('vc-tee-app').sender, 'shopify_app_pixel');
      assert.equal(hit('vc-tee-1').sender, 'theme');
      const vc = packet.findings.find((g) => g.code === 'multiple_senders')?.instances.find((f) => f.event === 'ViewContent');
      assert.ok(vc, 'three senders of ViewContent are a finding');
      // The same transports in both browsers.
      assert.deepEqual(['vc-tee-1', 'vc-tee-app', 'atc-tee-1', 'ic-tee-1'].map((eid) => hit(eid).transport), ['get', 'fetch_get', 'beacon', 'form_post']);
    });

    test('fbq calls and the script inventory are page evidence; clicks are observed in the isolated world', () => {
      const { tabId, records } = state;
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
      const { t, tabId } = state;
      const { packet } = await t.send({ type: 'get-packet', tabId });
      const dir = mkdtempSync(join(tmpdir(), 'pixelproof-journal-'));
      try {
        const file = join(dir, 'journal.json');
        const journal = await t.journal(tabId);
        writeFileSync(file, JSON.stringify(journal));
        const cli = join(ROOT, 'target', 'debug', 'pixelproof');
        const native = JSON.parse(execFileSync(cli, ['journal', file], { encoding: 'utf8' }));
        // Packet v2 groups findings by code: compare every instance.
        const keys = (p) => p.findings.flatMap((g) => g.instances.map((f) => `${g.code}|${f.severity}|${f.event}|${f.hit_ids.join(',')}`));
        assert.ok(packet.hits.length >= 6, `the journey's hits are in the packet (${packet.hits.length})`);
        assert.ok(keys(native).length > 0, 'the journal raises findings to compare');
        assert.deepEqual(keys(packet), keys(native));
        assert.equal(packet.verdict, native.verdict);
        assert.equal(packet.hits.length, native.hits.length);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('a journey that lost nothing counts no request as not captured and sends no Resource Timing URL', async () => {
      // The Web Worker's hit is reported as the page's and is in no page's
      // Resource Timing; the form POST is a navigation of a hidden iframe: the
      // relays' keys and counts must still add up to nothing missing, or the
      // worker would ask for URLs (each relay message carries the keys of those
      // it holds, and the worker asks when one is no captured hit's).
      const { t, tabId } = state;
      await until(async () => (await t.journal(tabId)).some((r) => r.kind === 'request_count'), "the relays' counts", 10000);
      await sleep(2500); // given time to ask, had the worker wanted to
      const records = await t.journal(tabId);
      assert.deepEqual(records.filter((r) => r.kind === 'listed_request').map((r) => r.url), [], 'no URL listed');
      const { packet } = await t.send({ type: 'get-packet', tabId });
      assert.equal(packet.capture.requests.uncaptured, 0, JSON.stringify(packet.capture.requests));
      assert.ok(packet.capture.requests.listed >= 3, `the relays counted the page's own hits: ${JSON.stringify(packet.capture.requests)}`);
    });

    test('an e-mail address in a store URL is nowhere at rest, and its page is judged as any other', async () => {
      // A newsletter link: the address percent-encoded once, as mail tools write it.
      const { t } = state;
      const url = `${PRODUCT}?utm_source=newsletter&email=Jane.Doe%40Example.com`;
      const masked = `${PRODUCT}?utm_source=newsletter&email=plain:email:${createHash('sha256').update('jane.doe@example.com').digest('hex')}`;
      const before = t.server.hits.length;
      const page = await t.newPage();
      await page.goto(url);
      await serverHits(t.server, before + 4);
      // The page sends what it would without the extension: its address, in its dl.
      assert.ok(t.server.hits.slice(before).some((h) => new URL(h.url).searchParams.get('dl') === url), 'the page sent its own URL');
      const tabId = await t.tabIdOf(url);
      const records = await t.journalUntil(tabId, (rs) => rs.filter(isPixel).length >= 4 && rs.some((r) => r.kind === 'scripts'), 'the page view, its four hits and its scripts');
      assert.deepEqual(records.filter((r) => r.kind === 'navigation').map((r) => r.url), [masked]);
      const theme = records.filter(isPixel).find((r) => param(r, 'eid') === 'vc-tee-1');
      assert.ok(theme, "the theme's ViewContent");
      assert.equal(param(theme, 'dl'), masked, 'the hit names the page as the navigation does');
      assert.equal(theme.context.document_url, masked);
      const { text } = await t.send({ type: 'get-stored' });
      assert.ok(text.includes(masked), 'the page is kept, masked');
      assert.ok(!/jane\.doe/i.test(text), 'no plain address at rest');
      // The theme's hits are judged under the page view they name, with no
      // mismatch (the test store's app pixel names the page without its query).
      const { packet } = await t.send({ type: 'get-packet', tabId });
      const shown = packet.pages.find((p) => p.url === masked);
      assert.ok(shown, 'the page view, masked');
      const own = packet.hits.filter((h) => h.event_id === 'pv-tee-1' || h.event_id === 'vc-tee-1');
      assert.deepEqual(own.map((h) => h.page_view), [shown.id, shown.id]);
      const mismatched = packet.findings.filter((g) => g.code === 'page_url_mismatch').flatMap((g) => g.instances.flatMap((f) => f.hit_ids));
      assert.deepEqual(own.filter((h) => mismatched.includes(h.id)), []);
      await page.close();
    });

    more(state);

    test('no console error came from the extension', () => {
      assert.deepEqual(state.t.consoleErrors.filter((e) => !e.startsWith('page:')), []);
    });
  });
}

/**
 * The hook asks the browser for the script elements whose src attribute can
 * name a tracking script, then checks the URL as the browser resolved it: on
 * a page of oddly written script URLs it must list exactly what a look at
 * every script of the page lists.
 */
export function oddScriptUrls(driver) {
  describe(`${driver.name}: script URLs written oddly`, () => {
    test('the inventory lists every script whose resolved URL is a tracking script, and no other', async () => {
      const url = 'https://shop.test/odd-scripts';
      const t = await driver.launch();
      try {
        await t.watching();
        const page = await t.newPage();
        await page.goto(url);
        const tabId = await t.tabIdOf(url);
        const expected = await page.evaluate(() => {
          const tracking = /\/fbevents(\.[a-z]+)?\.js|\/signals\/config\/|googletagmanager\.com\/gtm\.js|\/gtm\.js\?id=|\/wpm@|web-pixels-manager/;
          return [...document.scripts].map((s) => s.src).filter((src) => src && tracking.test(src));
        });
        assert.equal(expected.length, 10, `the page's own scan: ${JSON.stringify(expected)}`);
        const main = (r) => r.kind === 'scripts' && r.context?.frame_type === 'main';
        const records = await t.journalUntil(tabId, (rs) => rs.some(main), 'an inventory');
        assert.deepEqual(records.find(main).scripts, expected);
      } finally {
        await t.close();
      }
    });
  });
}
