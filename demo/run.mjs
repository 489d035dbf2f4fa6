// PixelProof demo: plays a full test order on the bundled demo store in each
// scenario with the extension loaded, adds the server payload and the order
// as a reviewer would, and writes the packets and a panel screenshot.
//
//   node demo/run.mjs [--headed] [--scenario clean|messy] [--out DIR]
//
// `./build.sh demo` builds first and runs this.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { chromiumArgs, startServer } from '../tests/e2e/server.mjs';
import { adminOrder, configScript, SCENARIOS, serverPayload } from './scenarios.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const EXTENSION = join(ROOT, 'dist', 'chrome-test');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Expected pixel hits per scenario once the order page is done. */
const EXPECTED_HITS = { clean: 7, messy: 10 };

export async function runScenario(name, { headed = false, outDir = null, keepOpen = false } = {}) {
  let scenario = name;
  const server = await startServer({
    siteRoot: join(ROOT, 'demo', 'store'),
    dynamic: { '/demo/config.js': () => ['text/javascript', configScript(scenario)], '/': () => ['text/html; charset=utf-8', home()] },
  });
  const profile = mkdtempSync(join(tmpdir(), 'pixelproof-demo-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: !headed,
    args: chromiumArgs(server.port, EXTENSION),
    viewport: { width: 1100, height: 800 },
  });
  const errors = [];
  const result = { name, errors, server };
  try {
    const sw = context.serviceWorkers()[0] || (await context.waitForEvent('serviceworker', { timeout: 15000 }));
    sw.on('console', (m) => { if (m.type() === 'error') errors.push(`worker: ${m.text()}`); });
    const id = new URL(sw.url()).host;
    const control = await context.newPage();
    await control.goto(`chrome-extension://${id}/panel.html?tab=none`);
    const send = (m) => control.evaluate((x) => chrome.runtime.sendMessage(x), m);
    for (let i = 0; i < 100; i++) {
      const s = await send({ type: 'status' });
      if ((s.registered || []).some((p) => p.includes('shop.test'))) break;
      await sleep(100);
    }
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
    // The journey: product page → add to cart → cart → checkout → pay → thank-you page.
    await page.goto('https://shop.test/products/classic-tee');
    await page.waitForLoadState('load');
    await sleep(700);
    await page.click('#add-to-cart');
    await page.waitForURL('**/cart');
    await page.waitForLoadState('load');
    await sleep(500);
    if (name === 'messy') {
      // The shopper comes back to the cart later (a refresh, no click): the
      // messy cart script fires AddToCart again with no action behind it.
      await sleep(5200);
      await page.reload();
      await page.waitForLoadState('load');
      await sleep(500);
    }
    await page.click('#checkout');
    await page.waitForURL('**/information');
    await page.waitForLoadState('load');
    await sleep(700);
    await page.click('#pay-now');
    await page.waitForURL('**/thank_you**');
    await page.waitForLoadState('load');
    const tabId = await control.evaluate(async () => (await chrome.tabs.query({})).find((t) => t.url && t.url.includes('/thank_you')).id);
    const wanted = EXPECTED_HITS[name];
    let records = [];
    for (let i = 0; i < 100; i++) {
      records = (await send({ type: 'get-journal', tabId })).records;
      if (records.filter((r) => r.kind === 'request' && /\/tr/.test(r.url)).length >= wanted) break;
      await sleep(100);
    }
    await sleep(300);
    // What a reviewer pastes: the server payload and the Shopify order.
    const capi = JSON.stringify(serverPayload(name), null, 2);
    const order = JSON.stringify(adminOrder(name), null, 2);
    await send({ type: 'add-evidence', tabId, kind: 'server_payload', label: `capi-${name}.json`, text: capi });
    await send({ type: 'add-evidence', tabId, kind: 'order', label: `order-${name}.json`, text: order });
    // The reviewer records an owner per event (from the inventory) and the count-gap note.
    const { summary } = await send({ type: 'get-summary', tabId });
    const owners = {};
    for (const o of summary.inventory.owners) if (o.senders.length) owners[o.event] = o.senders[0];
    const review = {
      decision: null,
      owners,
      gaps_note: 'Demo store: Meta, Shopify and server all show this one test order; GA4 is not installed.',
      next_review: null,
      notes: `PixelProof demo, scenario ${name}`,
    };
    await send({ type: 'set-review', tabId, review });
    const { packet, markdown, text } = await send({ type: 'get-packet', tabId });
    result.packet = packet;
    result.markdown = markdown;
    result.text = text;
    result.records = (await send({ type: 'get-journal', tabId })).records;
    if (outDir) {
      const dir = join(outDir, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'packet.json'), JSON.stringify(packet, null, 2) + '\n');
      writeFileSync(join(dir, 'packet.md'), markdown);
      writeFileSync(join(dir, `capi-${name}.json`), capi + '\n');
      writeFileSync(join(dir, `order-${name}.json`), order + '\n');
      const panel = await context.newPage();
      await panel.setViewportSize({ width: 440, height: 2400 });
      await panel.goto(`chrome-extension://${id}/panel.html?tab=${tabId}`);
      // The panel shows the whole journal once it has applied the journal's total.
      const { total } = await send({ type: 'get-journal', tabId });
      await panel.waitForFunction((n) => Number(document.getElementById('app').dataset.applied) === n, total);
      await panel.screenshot({ path: join(dir, 'panel.png') });
      await panel.screenshot({ path: join(dir, 'panel-top.png'), clip: { x: 0, y: 0, width: 440, height: 1250 } });
      await panel.close();
      result.dir = dir;
    }
    if (keepOpen) {
      await page.goto('https://shop.test/products/classic-tee');
      result.context = context;
      return result;
    }
  } finally {
    if (!keepOpen) {
      await context.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }
  return result;
}

function home() {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Demo Store</title>
<link rel="stylesheet" href="/cdn/shop/t/1/assets/store.css"></head><body>
<header><a href="/">Demo Store</a><a href="/cart">Cart</a></header>
<main><h1>PixelProof demo store</h1><p>Scenarios: ${Object.keys(SCENARIOS).join(', ')}.</p>
<p><a class="button" href="/products/classic-tee">Shop the Classic Tee</a></p></main></body></html>`;
}

async function main() {
  const args = process.argv.slice(2);
  const headed = args.includes('--headed');
  const only = args.includes('--scenario') ? [args[args.indexOf('--scenario') + 1]] : Object.keys(SCENARIOS);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const outDir = resolve(args.includes('--out') ? args[args.indexOf('--out') + 1] : join(ROOT, 'out', `demo-${stamp}`));
  if (headed && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    console.error('--headed needs a display (DISPLAY is not set); running headless instead.');
  }
  const canShow = headed && (process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  for (const name of only) {
    if (!SCENARIOS[name]) throw new Error(`unknown scenario "${name}" (clean or messy)`);
    const keepOpen = Boolean(canShow) && name === only[only.length - 1];
    const r = await runScenario(name, { headed: Boolean(canShow), outDir, keepOpen });
    console.log(`\n=== scenario: ${name} — ${SCENARIOS[name].description}`);
    // The core renders the acceptance rows, findings, gate and verdict (as `pixelproof --format text` does).
    console.log(r.text);
    if (r.errors.length) console.log('  errors:', r.errors.join('; '));
    if (keepOpen) console.log('\nThe browser stays open on the demo store; close it to end.');
  }
  console.log(`\nPackets (Markdown and JSON), server payloads, orders and panel screenshots: ${outDir}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`demo failed: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  });
}
