// The whole job on the demo store, for any browser driver: both scenarios end
// with exactly the expected findings, the journey spans all four pages, the
// server payloads reconcile, and the extension stays quiet (no console error,
// no request of its own). The messy store comes first; the clean one is the
// same store fixed, and comparing its packet with the messy one shows what
// the fix did. Chromium: tests/e2e/demo.test.mjs; Firefox:
// tests/firefox/demo.test.mjs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runScenario } from '../../demo/run.mjs';
import { assertFirstScreen, inspectPanel, serious } from './look.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const instances = (packet) => packet.findings.flatMap((g) => g.instances.map((i) => ({ code: g.code, ...i })));
const codes = (packet) => [...new Set(instances(packet).map((f) => `${f.severity} ${f.code}${f.event ? ' ' + f.event : ''}`))].sort();
const check = (packet, name) => packet.gate.checks.find((c) => c.name === name).state;

function common(r) {
  const kinds = r.packet.pages.map((p) => p.kind);
  for (const k of ['product', 'cart', 'checkout', 'thank_you']) assert.ok(kinds.includes(k), `page kinds ${kinds}`);
  assert.deepEqual(r.errors, [], 'no console error from the extension or the pages');
  // The server saw the journey, so an empty list below means something.
  assert.ok(r.server.requests.some((q) => q.host === 'shop.test'), 'the server saw the store pages');
  const own = r.server.requests.filter((q) => /^(chrome|moz)-extension:/.test(q.origin || '') || /^(chrome|moz)-extension:/.test(q.referer || ''));
  assert.deepEqual(own, [], 'the extension made no network request of its own');
  assert.equal(r.packet.packet_version, 2);
  assert.equal(r.packet.redacted, true);
  assert.ok(!JSON.stringify(r.packet).includes('jane.doe@example.com'), 'user data is redacted in the packet');
  // Nor is it at rest: the journal stores no plain e-mail (the messy store
  // sends one in ud[em]; the order paste names the customer).
  assert.ok(r.records.length > 0, 'the journal was read');
  const stored = JSON.stringify(r.records).toLowerCase();
  assert.ok(!stored.includes('jane.doe@example.com') && !stored.includes('jane.doe%40example.com'), 'no plain e-mail in the journal');
  // The Markdown reads in the packet's order and escapes without entities.
  const md = r.markdown;
  const at = ['## Decision record', '## Stop/Go gate', '### 1. Test Events', '### 2. Shopify order', '### 3. Trigger-source inventory', '### 4. Review reconciliation', '## Findings'].map((h) => md.indexOf(h));
  assert.ok(at.every((i, n) => i >= 0 && (n === 0 || i > at[n - 1])), `sections in order: ${at}`);
  assert.doesNotMatch(md, /&(amp|lt|gt|quot);/, 'no HTML entity in the Markdown');
  // One row per script and page view.
  const scripts = r.packet.cards.trigger_sources.scripts.map((s) => `${s.page_view} ${s.url}`);
  assert.ok(scripts.length > 0, 'the tracking scripts are listed');
  assert.equal(new Set(scripts).size, scripts.length, `a script listed twice in one page view: ${scripts}`);
  // The report the demo prints is the core's text of the same packet: the
  // decision, the gate, the cards, the core events, one line per code, the verdict.
  const text = r.text.split('\n');
  assert.equal(text[0], `  decision: ${r.packet.decision.decision} (reviewer Demo reviewer, next review ${r.packet.decision.next_review})`);
  assert.equal(text[1], `  gate: ${r.packet.gate.checks.map((c) => `${c.name}=${c.state}`).join('  ')}`);
  assert.equal(text[2], `  cards: ${Object.values(r.packet.cards).map((c) => `${c.title}=${c.state}`).join('  ')}`);
  for (const g of r.packet.findings) assert.ok(text.some((l) => l.startsWith(`    ${g.severity.padEnd(4)} ${g.code} `)), `${g.code} in the text report`);
  assert.match(text[text.length - 1], new RegExp(`^  verdict: ${r.packet.verdict.toUpperCase()} — `));
}

export function demoSuite(driver) {
  const outDir = join(ROOT, 'target', driver.name === 'chromium' ? 'demo-test' : `demo-test-${driver.name}`);

  describe(`${driver.name}: demo store`, () => {
    let messy;
    let clean;

    test('messy scenario: exactly the expected findings, grouped by code; dedup and money stop', async () => {
      messy = await runScenario('messy', { driver, outDir, inspect: inspectPanel });
      const r = messy;
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
        'warn missing_content_type AddToCart',
        'warn missing_content_type Purchase',
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
      const vm = instances(r.packet).find((f) => f.code === 'value_mismatch');
      assert.match(vm.message, /leaves out shipping and tax/);
      for (const card of ['test_events', 'shopify_order', 'trigger_sources']) assert.equal(r.packet.cards[card].state, 'fail', card);
      // Each code once, its guidance once; the cart's two page views told apart.
      const groups = r.packet.findings.map((g) => g.code);
      assert.equal(new Set(groups).size, groups.length, `a code listed twice: ${groups}`);
      const twice = r.packet.findings.find((g) => g.code === 'pixel_initialized_twice');
      const pages = twice.instances.map((i) => i.page);
      assert.equal(new Set(pages).size, pages.length, `page views told apart: ${pages}`);
      assert.equal(pages.filter((p) => / \/cart /.test(p)).length, 2, `the cart, seen twice: ${pages}`);
      assert.ok(twice.page_reported && twice.instances.every((i) => i.page_reported), 'fbq init calls are page evidence, and marked so');
      const guidance = twice.guidance.first_check.slice(0, 40);
      assert.equal(r.markdown.split(guidance).length - 1, 1, 'the guidance is printed once');
    });

    test('clean scenario: every row passes, verdict go; compared with the messy packet it resolves every finding', async () => {
      assert.ok(messy, 'the messy scenario ran first');
      const r = (clean = await runScenario('clean', { driver, outDir, inspect: inspectPanel, compareWith: { label: 'messy/packet.json', packet: messy.packet } }));
      common(r);
      assert.deepEqual(codes(r.packet), []);
      for (const row of r.packet.cards.test_events.events.filter((x) => x.core)) assert.equal(row.status, 'pass', row.event);
      assert.equal(check(r.packet, 'dedup'), 'go');
      assert.equal(check(r.packet, 'money'), 'go');
      assert.equal(r.packet.verdict, 'go');
      for (const [name, card] of Object.entries(r.packet.cards)) assert.equal(card.state, 'pass', `${name}: ${card.summary}`);
      const senders = Object.fromEntries(r.packet.cards.trigger_sources.owners.map((o) => [o.event, o.senders.join(',')]));
      assert.deepEqual(senders, { ViewContent: 'theme', AddToCart: 'theme', InitiateCheckout: 'shopify_custom_pixel', Purchase: 'shopify_app_pixel' });
      // Before/after, in the extension's core.
      const d = r.diff.diff;
      assert.deepEqual(d.verdict, { before: 'stop', after: 'go' });
      const resolved = [...new Set(d.resolved.map((c) => `${c.severity} ${c.code}${c.event ? ' ' + c.event : ''}`))].sort();
      assert.deepEqual(resolved, codes(messy.packet), 'every messy finding is resolved');
      assert.deepEqual(d.introduced, []);
      assert.equal(d.introduces_fail, false);
      assert.deepEqual(d.gate.map((c) => `${c.name} ${c.before}→${c.after}`), ['dedup stop→go', 'money stop→go', 'owners stop→go']);
      const purchase = d.values.find((v) => v.event === 'Purchase');
      assert.deepEqual(purchase.after, { values: ['78.00'], currencies: ['USD'] });
      assert.equal(r.diff.headline, `verdict STOP → GO: ${d.resolved.length} resolved, 0 introduced, 0 unchanged`);
      assert.equal(readFileSync(join(outDir, 'diff.md'), 'utf8'), r.diff.markdown);
      assert.deepEqual(JSON.parse(readFileSync(join(outDir, 'diff.json'), 'utf8')), d);
      assert.match(r.diff.markdown, /^# PixelProof before\/after — STOP → GO/);
      assert.equal(r.diff.text.split('\n')[0], `  ${r.diff.headline}`);
      assert.equal(r.diff.text.split('\n').filter((l) => l.startsWith('    resolved ')).length, d.resolved.length);
    });

    // What a merchant sees at a glance: the panel of each scenario, opened at
    // 400×600 by the demo run and looked at before its screenshots are taken.
    for (const [name, get] of [['messy', () => messy], ['clean', () => clean]]) {
      test(`${name}: the first screen at 400×600 shows the verdict and the four core events' statuses`, () => {
        const r = get();
        assert.ok(r && r.inspected, `the ${name} scenario ran and its panel was looked at`);
        assertFirstScreen(r.inspected.view, r.packet, `${driver.name} ${name}`);
        assert.ok(r.inspected.view.scrollWidth <= r.inspected.view.width, `no sideways scrolling: ${r.inspected.view.scrollWidth} px wide`);
      });

      test(`${name}: axe-core finds no serious or critical violation in the panel`, () => {
        const r = get();
        assert.ok(r && r.inspected, `the ${name} scenario ran and its panel was looked at`);
        const { light, dark } = r.inspected.axe;
        assert.deepEqual(serious(light), [], 'light scheme');
        if (dark) assert.deepEqual(serious(dark), [], 'dark scheme');
      });
    }
  });
}
