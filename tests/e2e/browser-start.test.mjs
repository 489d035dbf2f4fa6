// Nothing captured after browser start is lost (issue #12): a browser started
// straight onto a watched store (a restored session, a link that opens the
// browser), and a worker stopped in the middle of a burst of hits. Each time,
// what the local pixel endpoint received is compared with what the packet
// holds, hit for hit.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { launch, ROOT, serverHits, sleep } from './helpers.mjs';
import { startServer } from './server.mjs';

const PRODUCT = 'https://shop.test/products/tee';

/** A pixel request as `event|eid`, from the server's record of it. */
function serverKey(h) {
  const u = new URL(h.url);
  const params = new URLSearchParams(u.search);
  const body = h.body || '';
  const multipart = (name) => (body.match(new RegExp(`name="${name.replace(/[[\]]/g, '\\$&')}"\\r\\n\\r\\n([^\\r]*)`)) || [])[1];
  const form = (h.contentType || '').includes('multipart') ? null : new URLSearchParams(body);
  const get = (k) => params.get(k) ?? (form ? form.get(k) : multipart(k)) ?? '';
  return `${get('ev')}|${get('eid')}`;
}

const packetKeys = (packet) => packet.hits.filter((h) => h.counted).map((h) => `${h.event || ''}|${h.event_id || ''}`).sort();
const pixelHits = (server) => server.hits.filter((h) => /\/tr\/?$/.test(new URL(h.url).pathname)).map(serverKey).sort();

test('a browser started straight onto the store keeps its first page', async () => {
  const server = await startServer({ siteRoot: join(ROOT, 'tests', 'e2e', 'site') });
  const profile = mkdtempSync(join(tmpdir(), 'pixelproof-restart-'));
  try {
    // First run: install, then quit (the profile keeps the extension).
    const first = await launch({ server, userDataDir: profile });
    await first.watching();
    await first.close();
    server.clearHits();
    // The browser starts with the store as its start page: navigation and the
    // worker's start happen in the same instant.
    const t = await launch({ server, userDataDir: profile, startUrls: [PRODUCT] });
    try {
      await serverHits(server, 4);
      const page = t.context.pages().find((p) => p.url().startsWith(PRODUCT));
      assert.ok(page, `the start page opened: ${t.context.pages().map((p) => p.url())}`);
      await page.waitForLoadState('load');
      await page.click('#add');
      await page.click('#checkout');
      await serverHits(server, 6);
      await sleep(500);
      const tabId = await t.tabIdOf(PRODUCT);
      await t.journalUntil(tabId, (rs) => rs.filter((r) => r.kind === 'request').length >= server.hits.length, 'every hit the server saw', 15000);
      const { packet } = await t.send({ type: 'get-packet', tabId });
      const sent = pixelHits(server);
      assert.ok(sent.length >= 6, `the page sent its hits: ${sent}`);
      assert.deepEqual(packetKeys(packet), sent, 'every hit the store sent is in the packet, once');
      assert.ok(packet.pages.some((p) => p.url === PRODUCT && !p.inferred), 'the first page view is the navigation itself');
      assert.ok(packet.hits.some((h) => h.event === 'PageView' && h.event_id === 'pv-tee-1'), 'the first page\'s PageView');
      assert.deepEqual(t.consoleErrors, []);
    } finally {
      await t.close();
    }
  } finally {
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

test('a worker stopped in the middle of a burst loses no hit it was handed', async () => {
  const t = await launch();
  try {
    await t.watching();
    const page = await t.context.newPage();
    await page.goto('https://shop.test/soak');
    const tabId = await t.tabIdOf('https://shop.test/soak');
    const cdp = await t.context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    const N = 1500;
    await page.evaluate((n) => window.soak(n, 0), N);
    // Stopped three times while hits are still leaving the page.
    for (const at of [N / 5, N / 2, (4 * N) / 5]) {
      while (t.server.hits.length < at) await sleep(5);
      await cdp.send('ServiceWorker.stopAllWorkers');
    }
    await serverHits(t.server, N, 60000);
    assert.equal(t.server.hits.length, N, 'the server saw every hit');
    const records = await t.journalUntil(tabId, (rs) => rs.filter((r) => r.kind === 'request').length >= N, `${N} hits in the journal`, 60000).catch(() => t.journal(tabId));
    const dropped = records.filter((r) => r.kind === 'dropped');
    const { packet } = await t.send({ type: 'get-packet', tabId });
    // What a stopped worker cannot know it missed would have to be said in a
    // `dropped` record; the inbox means it has nothing to say here.
    assert.deepEqual(dropped, [], 'nothing dropped');
    assert.deepEqual(packetKeys(packet), pixelHits(t.server), 'every hit once, none twice');
  } finally {
    await t.close();
  }
});
