// The extension in headless Firefox: the capture suite Chromium runs, with the
// same assertions, and the panel rendered from the same journey.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as firefox from '../../support/drivers/firefox.mjs';
import { captureSuite, oddScriptUrls, PRODUCT } from '../suites/capture.mjs';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'target', 'screenshots');

captureSuite(firefox, (state) => {
  test('the panel renders in Firefox and shows the acceptance the core computed', async () => {
    const { t, tabId } = state;
    // Page records trail the hits by seconds (the last inventory is taken 3 s
    // after load): the packet and the panel are read once the last one is in.
    await t.pageDone(tabId, PRODUCT);
    const { packet } = await t.send({ type: 'get-packet', tabId });
    const panel = await t.openPanel(tabId, { width: 440, height: 1400, ready: 'tr[data-event="AddToCart"] td.status' });
    panel.on('pageerror', (e) => t.consoleErrors.push(`panel: ${e.message}`));
    await t.panelCaughtUp(panel, tabId);
    const status = (ev) => panel.$eval(`tr[data-event="${ev}"] td.status`, (td) => td.textContent.trim());
    // The journey has no Purchase, and ViewContent comes from three senders (a warning).
    assert.equal(await status('ViewContent'), 'WARN');
    assert.equal(await status('AddToCart'), 'PASS');
    assert.equal(await status('InitiateCheckout'), 'PASS');
    assert.equal(await status('Purchase'), 'NOT SEEN');
    // Every core row as the packet (the same wasm core, asked by the worker) has it.
    for (const row of packet.cards.test_events.events.filter((r) => r.core)) {
      assert.equal(await status(row.event), row.status.replace(/_/g, ' ').toUpperCase(), row.event);
    }
    const counts = await panel.$eval('#pp-counts', (e) => e.textContent);
    assert.match(counts, new RegExp(`^${packet.hits.length} hits`), counts);
    assert.match(await panel.$eval('#pp-verdict', (e) => e.textContent), new RegExp(packet.verdict, 'i'));
    mkdirSync(SHOTS, { recursive: true });
    await panel.screenshot({ path: join(SHOTS, 'panel-firefox.png') });
  });
});

oddScriptUrls(firefox);
