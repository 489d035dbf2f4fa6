// The whole job on the demo store, for any browser driver: every scenario of
// the library (demo/scenarios.mjs) ends with exactly the verdict and finding
// codes written beside it, the journey spans all four pages, and the extension
// stays quiet (no console error, no request of its own, no plain e-mail at
// rest). All scenarios play in one browser, each in its own tab. The messy
// store comes first; the clean one is the same store fixed, and comparing its
// packet with the messy one shows what the fix did. Chromium plays every
// scenario (tests/e2e/demo.test.mjs); Firefox a representative few
// (tests/firefox/demo.test.mjs).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDemo, runScenario } from '../../demo/run.mjs';
import { assertFirstScreen, assertStatusWords, assertTabOrder, CORE, inspectPanel, serious } from './look.mjs';
import { SCENARIOS, SHOP } from '../../demo/scenarios.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const instances = (packet) => packet.findings.flatMap((g) => g.instances.map((i) => ({ code: g.code, ...i })));
const codes = (packet) => [...new Set(instances(packet).map((f) => `${f.severity} ${f.code}${f.event ? ' ' + f.event : ''}`))].sort();
const check = (packet, name) => packet.gate.checks.find((c) => c.name === name);
const group = (packet, code) => packet.findings.find((g) => g.code === code);
const senders = (packet) => Object.fromEntries(packet.cards.trigger_sources.owners.map((o) => [o.event, o.senders.join(',')]));

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
  // Every page was watched by the extension's page scripts: none is said to be unseen.
  assert.ok(!codes(r.packet).some((c) => c.includes('page_hook_missing')), 'every page of the journey was watched');
  // The Markdown reads in the packet's order and escapes without entities.
  const md = r.markdown;
  const at = ['## Decision record', '## Stop/Go gate', '### 1. Test Events', '### 2. Shopify order', '### 3. Trigger-source inventory', '### 4. Review reconciliation', '## Findings'].map((h) => md.indexOf(h));
  assert.ok(at.every((i, n) => i >= 0 && (n === 0 || i > at[n - 1])), `sections in order: ${at}`);
  assert.doesNotMatch(md, /&(amp|lt|gt|quot);/, 'no HTML entity in the Markdown');
  // One row per script and page view.
  const scripts = r.packet.cards.trigger_sources.scripts.map((s) => `${s.page_view} ${s.url}`);
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

/** The verdict and codes written beside the scenario in demo/scenarios.mjs. */
function expected(r) {
  const e = SCENARIOS[r.name].expect;
  assert.deepEqual(codes(r.packet), e.codes, `${r.name}: the codes written beside it`);
  assert.equal(r.packet.verdict, e.verdict, `${r.name}: the verdict written beside it`);
}

/** What each scenario shows beyond its codes. */
const CHECKS = {
  messy(r) {
    assert.equal(check(r.packet, 'dedup').state, 'stop');
    assert.equal(check(r.packet, 'money').state, 'stop');
    const vm = instances(r.packet).find((f) => f.code === 'value_mismatch');
    assert.match(vm.message, /leaves out shipping and tax/);
    for (const card of ['test_events', 'shopify_order', 'trigger_sources']) assert.equal(r.packet.cards[card].state, 'fail', card);
    // Each code once, its guidance once; the cart's two page views told apart.
    const groups = r.packet.findings.map((g) => g.code);
    assert.equal(new Set(groups).size, groups.length, `a code listed twice: ${groups}`);
    const twice = group(r.packet, 'pixel_initialized_twice');
    const pages = twice.instances.map((i) => i.page);
    assert.equal(new Set(pages).size, pages.length, `page views told apart: ${pages}`);
    assert.equal(pages.filter((p) => / \/cart /.test(p)).length, 2, `the cart, seen twice: ${pages}`);
    assert.ok(twice.page_reported && twice.instances.every((i) => i.page_reported), 'fbq init calls are page evidence, and marked so');
    const guidance = twice.guidance.first_check.slice(0, 40);
    assert.equal(r.markdown.split(guidance).length - 1, 1, 'the guidance is printed once');
  },
  clean(r, { messy }) {
    for (const row of r.packet.cards.test_events.events.filter((x) => x.core)) assert.equal(row.status, 'pass', row.event);
    assert.equal(check(r.packet, 'dedup').state, 'go');
    assert.equal(check(r.packet, 'money').state, 'go');
    for (const [name, card] of Object.entries(r.packet.cards)) assert.equal(card.state, 'pass', `${name}: ${card.summary}`);
    assert.deepEqual(senders(r.packet), { ViewContent: 'theme', AddToCart: 'theme', InitiateCheckout: 'shopify_custom_pixel', Purchase: 'shopify_app_pixel' });
    // Before/after, in the extension's core.
    assert.ok(messy, 'the messy scenario ran first');
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
    assert.equal(readFileSync(join(r.outDir, 'diff.md'), 'utf8'), r.diff.markdown);
    assert.deepEqual(JSON.parse(readFileSync(join(r.outDir, 'diff.json'), 'utf8')), d);
    assert.match(r.diff.markdown, /^# PixelProof before\/after — STOP → GO/);
    assert.equal(r.diff.text.split('\n')[0], `  ${r.diff.headline}`);
    assert.equal(r.diff.text.split('\n').filter((l) => l.startsWith('    resolved ')).length, d.resolved.length);
  },
  fni_max(r) {
    // One owner for everything, told by the app's sandbox and its agent.
    assert.deepEqual(senders(r.packet), { ViewContent: 'shopify_app_pixel', AddToCart: 'shopify_app_pixel', InitiateCheckout: 'shopify_app_pixel', Purchase: 'shopify_app_pixel' });
    const core = r.packet.hits.filter((h) => h.counted && ['ViewContent', 'AddToCart', 'InitiateCheckout', 'Purchase'].includes(h.event));
    assert.equal(core.length, 4, 'one hit per core event');
    assert.ok(core.every((h) => h.params.a === 'plshopify1.2'), 'every hit carries the F&I agent');
    assert.equal(check(r.packet, 'dedup').state, 'go', 'browser and server share the ids');
    assert.equal(check(r.packet, 'money').state, 'go');
  },
  theme_fni_duplicate(r) {
    assert.equal(senders(r.packet).AddToCart, 'shopify_app_pixel,theme');
    const dup = instances(r.packet).find((f) => f.code === 'duplicate_event' && f.event === 'AddToCart');
    assert.equal(dup.hit_ids.length, 2, 'the two AddToCart hits of one click');
  },
  gtm_theme_duplicate(r) {
    // The container's tag sets the agent for the pixel: every hit of it says GTM.
    const vc = r.packet.hits.filter((h) => h.event === 'ViewContent');
    assert.equal(vc.length, 2);
    assert.ok(vc.every((h) => h.params.a === 'tmgoogletagmanager'), 'GTM agent on both');
    assert.ok(r.packet.cards.trigger_sources.scripts.some((s) => s.url.startsWith('https://www.googletagmanager.com/gtm.js?id=GTM-DEMO1')), 'gtm.js in the script inventory');
  },
  server_gtm_new_event_id(r) {
    assert.equal(check(r.packet, 'dedup').state, 'stop');
    const m = instances(r.packet).find((f) => f.code === 'dedup_key_mismatch' && f.event === 'Purchase');
    assert.match(m.message, /order-1006/, 'names the browser id');
  },
  upsell(r) {
    const purchases = r.packet.hits.filter((h) => h.event === 'Purchase');
    assert.deepEqual(purchases.map((h) => h.event_id), ['order-1007', 'order-1007-upsell-1']);
    assert.equal(check(r.packet, 'money').state, 'go', check(r.packet, 'money').detail);
    assert.equal(check(r.packet, 'dedup').state, 'go', check(r.packet, 'dedup').detail);
  },
  upsell_counted_twice(r) {
    assert.equal(r.packet.hits.filter((h) => h.event === 'Purchase').length, 2);
  },
  markets_presentment(r) {
    assert.equal(check(r.packet, 'money').state, 'go', check(r.packet, 'money').detail);
    const purchase = r.packet.hits.find((h) => h.event === 'Purchase');
    assert.deepEqual([purchase.params['cd[value]'], purchase.params['cd[currency]']], ['71.76', 'EUR']);
  },
  mixed_currency(r) {
    const mixed = instances(r.packet).find((f) => f.code === 'value_currency_mixed');
    assert.match(mixed.message, /71\.76/);
  },
  consent_withheld(r) {
    // The page hook read Shopify's Customer Privacy API: as the page loaded
    // (no decision yet) and from the visitorConsentCollected event (Decline).
    const consent = r.records.filter((x) => x.kind === 'consent');
    assert.ok(consent.every((c) => c.origin === 'page'), 'page evidence');
    const loaded = consent.find((c) => c.trigger === 'api');
    assert.deepEqual(loaded.visitor_consent, { marketing: '', analytics: '', preferences: '', sale_of_data: '' }, 'no decision yet on load');
    assert.equal(loaded.marketing_allowed, false);
    const decided = consent.find((c) => c.trigger === 'visitor_consent_collected');
    assert.ok(decided, `the Decline was recorded: ${JSON.stringify(consent)}`);
    assert.equal(decided.marketing_allowed, false);
    assert.equal(decided.analytics_allowed, true);
    assert.ok(consent.some((c) => c.trigger === 'api' && c.visitor_consent?.marketing === 'no'), 'later pages read the declined state');
    // Nothing but the theme's PageViews left the store.
    assert.deepEqual([...new Set(r.packet.hits.map((h) => h.event))], ['PageView']);
    // The gate says why the chain broke and what the tester must do; never a pass.
    const chain = check(r.packet, 'chain');
    assert.equal(chain.state, 'stop');
    assert.match(chain.detail, /the test cannot pass until the tester allows marketing cookies/);
    assert.equal(chain.page_reported, true);
    const g = group(r.packet, 'shopify_consent_withheld');
    assert.ok(g.page_reported);
    assert.match(g.guidance.first_check, /^Allow marketing cookies, then repeat the test order/);
    assert.match(g.instances[0].message, /^Shopify's Customer Privacy API on page views? #1 \(https:\/\/shop\.test\/products\/classic-tee\).*: the visitor (declined marketing|has not answered the consent banner)/);
    if (r.panelText != null) assert.match(r.panelText, /shopify_consent_withheld/, 'the panel shows it');
  },
  script_tag_pixel(r) {
    const tag = `https://pixel-app.test/pixel.js?shop=${SHOP}`;
    assert.ok(r.records.some((x) => x.kind === 'fbq_call' && x.caller === tag), 'the hook named the script-tag script as the fbq caller');
    const g = group(r.packet, 'pixel_in_script_tag');
    assert.ok(g.instances.every((i) => i.message.includes(tag) && i.message.includes('2027-03-01') && /app embed block or a web pixel/.test(i.message)), JSON.stringify(g.instances));
    assert.ok(g.page_reported, 'tied to the script by the page-reported fbq caller');
    assert.equal(senders(r.packet).ViewContent, 'other:https://pixel-app.test');
  },
};

/** Plays `names` (default: the whole library) in one browser of `driver`, each with its expectations. */
export function demoSuite(driver, names = Object.keys(SCENARIOS)) {
  const outDir = join(ROOT, 'target', driver.name === 'chromium' ? 'demo-test' : `demo-test-${driver.name}`);
  // The panel (screenshot, verdict shown) for a few; the rest are read from the packet.
  const panels = new Set(['messy', 'clean', 'consent_withheld']);

  describe(`${driver.name}: demo store`, () => {
    let demo = null;
    const played = {};
    before(async () => {
      demo = await openDemo({ driver });
    });
    after(async () => {
      await demo?.close();
    });

    for (const name of names) {
      const e = SCENARIOS[name].expect;
      const title = `${name}: ${e.verdict}${e.codes.length ? ' with ' + e.codes.length + ' expected code(s)' : ', no findings'}`;
      test(title, async () => {
        const compareWith = name === 'clean' && played.messy ? { label: 'messy/packet.json', packet: played.messy.packet } : null;
        const r = await runScenario(name, { demo, outDir, compareWith, panel: panels.has(name), inspect: panels.has(name) ? inspectPanel : null });
        r.outDir = outDir;
        played[name] = r;
        common(r);
        expected(r);
        CHECKS[name]?.(r, played);
      });
    }

    // What a merchant sees at a glance: the panel of each scenario the demo
    // opens, at 400×600, looked at before its screenshots are taken.
    for (const name of names.filter((n) => panels.has(n))) {
      test(`${name}: the first screen at 400×600 shows the verdict and the four core events' statuses`, () => {
        const r = played[name];
        assert.ok(r && r.inspected, `the ${name} scenario ran and its panel was looked at`);
        assertFirstScreen(r.inspected.view, r.packet, `${driver.name} ${name}`);
        assert.ok(r.inspected.view.scrollWidth <= r.inspected.view.width, `no sideways scrolling: ${r.inspected.view.scrollWidth} px wide`);
      });

      test(`${name}: axe-core finds no serious or critical violation in the panel, light and dark, at 400 and 320 px`, () => {
        const r = played[name];
        assert.ok(r && r.inspected, `the ${name} scenario ran and its panel was looked at`);
        const { light, narrow, dark, darkNarrow } = r.inspected.axe;
        assert.deepEqual(serious(light), [], 'light scheme, 400 px');
        assert.deepEqual(serious(narrow), [], 'light scheme, 320 px');
        // Chromium switches the scheme of the open panel; Firefox's live suite is launched dark instead.
        if (driver.name === 'chromium') {
          assert.ok(dark && darkNarrow, 'the dark scheme was audited');
          assert.deepEqual(serious(dark), [], 'dark scheme, 400 px');
          assert.deepEqual(serious(darkNarrow), [], 'dark scheme, 320 px');
          assert.ok(r.inspected.darkScheme.dark && r.inspected.darkScheme.luminance < 0.2, `the dark scheme is drawn dark: ${JSON.stringify(r.inspected.darkScheme)}`);
        }
      });

      // What axe cannot check alone.
      test(`${name}: readable at 320 px: nothing scrolls sideways, the core events' statuses stay whole`, () => {
        const r = played[name];
        assert.ok(r && r.inspected, `the ${name} scenario ran and its panel was looked at`);
        const v = r.inspected.narrowView;
        assert.ok(v.scrollWidth <= 320, `the panel is ${v.scrollWidth} px wide at 320`);
        for (const ev of CORE) assert.ok(v.events[ev] && v.events[ev].left >= 0 && v.events[ev].right <= 320, `${ev}'s status within 320 px: ${JSON.stringify(v.events[ev])}`);
      });

      test(`${name}: the keyboard reaches the verdict, the section bar, then the core events, the focus seen at each`, () => {
        const r = played[name];
        assert.ok(r && r.inspected, `the ${name} scenario ran and its panel was looked at`);
        assertTabOrder(r.inspected.keyboard, `${driver.name} ${name}`);
      });

      test(`${name}: no status by colour alone`, () => {
        const r = played[name];
        assert.ok(r && r.inspected, `the ${name} scenario ran and its panel was looked at`);
        assertStatusWords(r.inspected.words, `${driver.name} ${name}`);
      });
    }
  });
}
