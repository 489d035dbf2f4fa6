// Soak: a 10,000-hit journey in one tab, with one forced service-worker restart
// in the middle, loses no record (count in = count in the packet).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launch, sleep } from './helpers.mjs';

const N = 10000;

test('10,000 hits with a worker restart in the middle: none lost', { timeout: 480000 }, async () => {
  const t = await launch();
  try {
    await t.watching();
    const page = await t.context.newPage();
    await page.goto('https://shop.test/soak');
    const tabId = await t.tabIdOf('https://shop.test/soak');
    const wait = async (n) => {
      const end = Date.now() + 120000;
      while (Date.now() < end && t.server.hits.length < n) await sleep(200);
      assert.equal(t.server.hits.length, n, 'the server saw every hit');
    };
    await page.evaluate((n) => window.soak(n, 0), N / 2);
    await wait(N / 2);
    // MV3 stops a worker when it is idle, so stop it once the first half is
    // recorded (a worker killed mid-burst loses events the browser already
    // handed it; Chrome does not do that to a busy worker).
    await t.journalUntil(tabId, (rs) => rs.filter((r) => r.kind === 'request').length >= N / 2, 'the first half recorded', 120000);
    const cdp = await t.context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await sleep(300);
    await page.evaluate((n) => window.soak(n, n), N / 2);
    await wait(N);
    let records = [];
    try {
      records = await t.journalUntil(tabId, (rs) => rs.filter((r) => r.kind === 'request').length >= N, `${N} hits in the journal`, 120000);
    } catch (e) {
      records = await t.journal(tabId);
    }
    const inJournal = records.filter((r) => r.kind === 'request').length;
    const { packet } = await t.send({ type: 'get-packet', tabId });
    assert.equal(inJournal, N);
    assert.equal(packet.hits.length, N, 'count in = count in the packet');
    assert.equal(new Set(packet.hits.map((h) => h.event_id)).size, N, 'every hit once');
    assert.equal(packet.capture.dropped_records, 0);
  } finally {
    await t.close();
  }
});
