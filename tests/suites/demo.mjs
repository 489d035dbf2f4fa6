// The whole job on the demo store, for any browser driver: both scenarios end
// with exactly the expected findings, the journey spans all four pages, the
// server payloads reconcile, and the extension stays quiet (no console error,
// no request of its own). Chromium: tests/e2e/demo.test.mjs; Firefox:
// tests/firefox/demo.test.mjs.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runScenario } from '../../demo/run.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const codes = (packet) => [...new Set(packet.findings.map((f) => `${f.severity} ${f.code}${f.event ? ' ' + f.event : ''}`))].sort();
const check = (packet, name) => packet.gate.checks.find((c) => c.name === name).state;

function common(r) {
  const kinds = r.packet.pages.map((p) => p.kind);
  for (const k of ['product', 'cart', 'checkout', 'thank_you']) assert.ok(kinds.includes(k), `page kinds ${kinds}`);
  assert.deepEqual(r.errors, [], 'no console error from the extension or the pages');
  // The server saw the journey, so an empty list below means something.
  assert.ok(r.server.requests.some((q) => q.host === 'shop.test'), 'the server saw the store pages');
  const own = r.server.requests.filter((q) => /^(chrome|moz)-extension:/.test(q.origin || '') || /^(chrome|moz)-extension:/.test(q.referer || ''));
  assert.deepEqual(own, [], 'the extension made no network request of its own');
  assert.equal(r.packet.redacted, true);
  assert.ok(!JSON.stringify(r.packet).includes('jane.doe@example.com'), 'user data is redacted in the packet');
  // Nor is it at rest: the journal stores no plain e-mail (the messy store
  // sends one in ud[em]; the order paste names the customer).
  assert.ok(r.records.length > 0, 'the journal was read');
  const stored = JSON.stringify(r.records).toLowerCase();
  assert.ok(!stored.includes('jane.doe@example.com') && !stored.includes('jane.doe%40example.com'), 'no plain e-mail in the journal');
}

export function demoSuite(driver) {
  const outDir = join(ROOT, 'target', driver.name === 'chromium' ? 'demo-test' : `demo-test-${driver.name}`);

  describe(`${driver.name}: demo store`, () => {
    test('clean scenario: every row passes, dedup and money go, verdict go', async () => {
      const r = await runScenario('clean', { driver, outDir });
      common(r);
      assert.deepEqual(codes(r.packet), []);
      for (const row of r.packet.acceptance.filter((x) => x.core)) assert.equal(row.status, 'pass', row.event);
      assert.equal(check(r.packet, 'dedup'), 'go');
      assert.equal(check(r.packet, 'money'), 'go');
      assert.equal(r.packet.verdict, 'go');
      const senders = Object.fromEntries(r.packet.inventory.owners.map((o) => [o.event, o.senders.join(',')]));
      assert.deepEqual(senders, { ViewContent: 'theme', AddToCart: 'theme', InitiateCheckout: 'shopify_custom_pixel', Purchase: 'shopify_app_pixel' });
    });

    test('messy scenario: exactly the expected findings, dedup and money stop', async () => {
      const r = await runScenario('messy', { driver, outDir });
      common(r);
      assert.deepEqual(codes(r.packet), [
        'fail add_to_cart_without_action AddToCart',
        'fail dedup_key_mismatch Purchase',
        'fail duplicate_event Purchase',
        'fail invalid_currency Purchase',
        'fail invalid_value Purchase',
        'fail missing_event_id Purchase',
        'fail multiple_senders Purchase',
        'fail unhashed_user_data Purchase',
        'warn conflicting_pixel_versions',
        'warn duplicate_pixel_script',
        'warn missing_event_id AddToCart',
        'warn pixel_initialized_twice',
        'warn server_event_missing AddToCart',
        'warn server_event_missing InitiateCheckout',
        'warn server_event_missing ViewContent',
        'warn value_mismatch Purchase',
      ]);
      assert.equal(check(r.packet, 'dedup'), 'stop');
      assert.equal(check(r.packet, 'money'), 'stop');
      assert.equal(r.packet.verdict, 'stop');
      const vm = r.packet.findings.find((f) => f.code === 'value_mismatch');
      assert.match(vm.message, /leaves out shipping and tax/);
    });
  });
}
