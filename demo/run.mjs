// PixelProof demo: plays a full test order on the bundled demo store in each
// scenario (demo/scenarios.mjs: a library of store setups merchants really
// run) with the extension loaded, adds the server payload and the order as a
// reviewer would, and writes the packets and a panel screenshot. The messy
// store comes first; the clean one is the same store fixed, so its packet is
// compared with the messy one (diff.md, diff.json): what the fix resolved,
// and the verdict going from stop to go.
//
//   node demo/run.mjs [--list] [--headed] [--scenario NAME] [--browser chromium|firefox] [--out DIR]
//
// `./build.sh demo` builds first and runs this. The browser is a driver
// (support/drivers/): the Chromium and Firefox test tiers play the same script,
// all scenarios in one browser (`openDemo`), each in a tab of its own.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as chromium from '../support/drivers/chromium.mjs';
import * as firefox from '../support/drivers/firefox.mjs';
import { sleep, until } from '../support/drivers/common.mjs';
import { adminOrder, configScript, SCENARIOS, serverPayload } from './scenarios.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DRIVERS = { chromium, firefox };

const isPixel = (r) => r.kind === 'request' && /\/tr/.test(r.url);

/**
 * Compares two packets with the extension's own core: the panel's wasm module
 * the build put in dist/chrome-test (its "Compare with a saved packet"), loaded
 * here in Node (the diff touches no browser API), so both browser drivers get
 * the same answer the panel gives. `{diff, markdown, text, headline}`.
 */
export async function comparePackets(before, after) {
  const dir = join(ROOT, 'dist', 'chrome-test', 'wasm');
  const wasm = await import(pathToFileURL(join(dir, 'pixelproof_panel.js')).href);
  wasm.initSync({ module: readFileSync(join(dir, 'pixelproof_panel_bg.wasm')) });
  return wasm.diffPackets(before.label, JSON.stringify(before.packet), after.label, JSON.stringify(after.packet));
}

/**
 * One browser with the extension for any number of scenarios: the store's
 * /demo/config.js serves whichever scenario `play` is on. `close()` when done.
 */
export async function openDemo({ driver = chromium, headed = false } = {}) {
  const state = { scenario: 'clean' };
  const t = await driver.launch({
    siteRoot: join(ROOT, 'demo', 'store'),
    hosts: {
      'www.googletagmanager.com': join(ROOT, 'demo', 'hosts', 'www.googletagmanager.com'),
      'pixel-app.test': join(ROOT, 'demo', 'hosts', 'pixel-app.test'),
    },
    dynamic: { '/demo/config.js': () => ['text/javascript', configScript(state.scenario)], '/': () => ['text/html; charset=utf-8', home()] },
    headed,
  });
  try {
    await t.watching();
  } catch (e) {
    await t.close();
    throw e;
  }
  return { t, state, driver, close: () => t.close() };
}

/**
 * Plays one scenario. `demo` is a browser from `openDemo` (one is opened and
 * closed for this scenario alone when absent). `compareWith: { label, packet }`
 * compares this run's packet with an earlier one (the store before the fix):
 * `result.diff`, and diff.md/diff.json in `outDir`. `panel: false` skips the
 * panel screenshot.
 */
export async function runScenario(name, { driver = chromium, demo = null, headed = false, outDir = null, keepOpen = false, compareWith = null, panel = true, inspect = null } = {}) {
  const s = SCENARIOS[name];
  if (!s) throw new Error(`unknown scenario "${name}" (one of: ${Object.keys(SCENARIOS).join(', ')})`);
  const own = !demo;
  const d = demo || (await openDemo({ driver, headed }));
  const { t } = d;
  d.state.scenario = name;
  const { server } = t;
  // Hits and errors of this scenario only (a shared browser played others before).
  server.clearHits();
  const errors = t.consoleErrors;
  errors.length = 0;
  const result = { name, browser: d.driver.name, errors, server };
  // How many hits for `ev` the server has seen from a document whose URL
  // contains `part`: once the page's hit is there, its scripts have run and the
  // next step acts on a page that is done.
  const count = (ev, part) => server.hits.filter((h) => {
    const p = hitParams(h);
    return p.get('ev') === ev && (p.get('dl') || '').includes(part);
  }).length;
  const sent = (ev, part, atLeast = 1) => until(() => count(ev, part) >= atLeast, `${atLeast} ${ev} hit(s) from …${part}`);
  const sends = (kind) => Object.values(s.senders).some((kinds) => kinds.includes(kind));
  const consentHeld = Boolean(s.consent);
  let kept = false;
  let page = null;
  try {
    page = await t.newPage();
    page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
    // The journey: product page → add to cart → cart → checkout → pay → thank-you page.
    await page.goto('https://shop.test/products/classic-tee');
    const tab = await until(() => t.tabIdOf('https://shop.test/products/classic-tee'), 'the store tab');
    if (s.consent) {
      // The tester answers the store's cookie banner: Decline.
      await page.waitForSelector('#consent-decline');
      await page.click('#consent-decline');
    }
    if (sends('vc') && !consentHeld) await sent('ViewContent', '/products/classic-tee');
    else await sent('PageView', '/products/classic-tee');
    if (s.senders.script_tag) {
      // The script tag is inserted on load: its click listener is there once its ViewContent left.
      await sent('ViewContent', '/products/classic-tee');
    }
    await t.clickAndLoad(page, '#add-to-cart', '/cart');
    if (sends('pv')) await sent('PageView', '/cart');
    if (name === 'messy') {
      // The shopper comes back to the cart later (a refresh, no click): the
      // messy cart script fires AddToCart again with no action behind it.
      // "Later" is the scenario itself: add_to_cart_without_action looks 5 s
      // back from the hit (and 100 ms past it, for clock skew), so the refresh
      // comes 5.3 s after the add-to-cart click as the page recorded it.
      const isClick = (r) => r.kind === 'gesture' && r.gesture === 'click';
      const click = (await t.journalUntil(tab, (rs) => rs.some(isClick), 'the add-to-cart click')).find(isClick);
      await sent('AddToCart', '/cart');
      await sleep(click.time + 5300 - Date.now());
      const reloaded = Date.now();
      await page.reload();
      await sent('AddToCart', '/cart', 2);
      // The rule judges only pages the hook reported: wait for the refreshed
      // cart's page records (the relay sends them about a second on), which also
      // keeps the checkout click out of the 100 ms after the hit.
      const fresh = (r) => r.kind === 'scripts' && r.context.frame_type === 'main' && r.time >= reloaded;
      await t.journalUntil(tab, (rs) => rs.some(fresh), "the refreshed cart's page records");
    }
    await t.clickAndLoad(page, '#checkout', '/information');
    // Sent by the custom pixel's sandbox frame, whose URL is its own.
    if (!consentHeld) await sent('InitiateCheckout', '');
    await t.clickAndLoad(page, '#pay-now', '/thank_you');
    // The messy store's order page sends two (a hand-written tag and the app).
    if (!consentHeld) await sent('Purchase', '/thank_you', name === 'messy' ? 2 : 1);
    if (s.upsell) {
      // The shopper accepts the post-purchase offer.
      await page.click('#accept-offer');
      await sent('Purchase', '/thank_you', 2);
    }
    const wanted = server.hits.filter((h) => /\/tr\/?$/.test(new URL(h.url).pathname)).length;
    await t.journalUntil(tab, (rs) => rs.filter(isPixel).length >= wanted, `${wanted} pixel hits in the journal`);
    // Page records trail the hits by seconds (the last inventory is taken 3 s
    // after load): the packet is taken once the thank-you page's last one is in.
    await t.pageDone(tab, page.url());
    // What a reviewer pastes: the server payload (when the store sends one) and the Shopify order.
    const payload = serverPayload(name);
    const capi = payload ? JSON.stringify(payload, null, 2) : null;
    const order = JSON.stringify(adminOrder(name), null, 2);
    if (capi) await t.send({ type: 'add-evidence', tabId: tab, kind: 'server_payload', label: `capi-${name}.json`, text: capi });
    await t.send({ type: 'add-evidence', tabId: tab, kind: 'order', label: `order-${name}.json`, text: order });
    // The reviewer records an owner per event (from the inventory) and the count-gap note.
    const { summary } = await t.send({ type: 'get-summary', tabId: tab });
    const owners = {};
    for (const o of summary.inventory.owners) if (o.senders.length) owners[o.event] = o.senders[0];
    const review = {
      reviewer: 'Demo reviewer',
      owners,
      gaps_note: 'Demo store: Meta, Shopify and server all show this one test order; GA4 is not installed.',
      notes: `PixelProof demo, scenario ${name}`,
    };
    await t.send({ type: 'set-review', tabId: tab, review });
    // Then the decision record: what the reviewer decided from the gate, and when to look again.
    const { gate } = (await t.send({ type: 'get-summary', tabId: tab })).summary;
    // One of the panel's decision values (go, go_with_conditions, stop); the reason goes in the notes.
    review.decision = gate.verdict === 'go' ? 'go' : 'stop';
    if (gate.verdict !== 'go') review.notes += `: fix the ${gate.blocking.length} fail codes before any campaign change`;
    review.next_review = new Date(Date.now() + 30 * 86400e3).toISOString().slice(0, 10);
    await t.send({ type: 'set-review', tabId: tab, review });
    const { packet, markdown, text } = await t.send({ type: 'get-packet', tabId: tab });
    result.packet = packet;
    result.markdown = markdown;
    result.text = text;
    result.records = await t.journal(tab);
    if (compareWith) result.diff = await comparePackets(compareWith, { label: `${name}/packet.json`, packet });
    if (outDir) {
      const dir = join(outDir, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'packet.json'), JSON.stringify(packet, null, 2) + '\n');
      writeFileSync(join(dir, 'packet.md'), markdown);
      if (capi) writeFileSync(join(dir, `capi-${name}.json`), capi + '\n');
      writeFileSync(join(dir, `order-${name}.json`), order + '\n');
      if (result.diff) {
        writeFileSync(join(outDir, 'diff.json'), JSON.stringify(result.diff.diff, null, 2) + '\n');
        writeFileSync(join(outDir, 'diff.md'), result.diff.markdown);
      }
      if (panel) {
        // The panel as a merchant sees it: a side panel about 400 px wide,
        // whose first screen (600 px) is what they read at a glance.
        const view = await t.openPanel(tab, { width: 400, height: 600, ready: '#pp-timeline-list li' });
        // The panel shows the whole journal once it has applied the journal's total,
        // and the verdict shown is then the packet's.
        await t.panelCaughtUp(view, tab);
        const verdict = `Verdict: ${packet.verdict.toUpperCase()}`;
        await until(async () => (await view.evaluate(() => document.querySelector('#pp-verdict')?.textContent)) === verdict, `the panel to show "${verdict}"`);
        result.panelText = await view.evaluate(() => document.body.innerText);
        // The tests look at the panel here (layout, accessibility) before the pictures are taken.
        if (inspect) result.inspected = await inspect(view);
        await view.screenshot({ path: join(dir, 'panel-top.png') });
        await view.screenshot({ path: join(dir, 'panel.png'), fullPage: true });
        await view.close();
      }
      result.dir = dir;
    }
    if (keepOpen) {
      await page.goto('https://shop.test/products/classic-tee');
      kept = true;
    }
  } finally {
    if (!kept) {
      if (own) await d.close();
      else await page?.close();
    }
  }
  return result;
}

/** A pixel hit's parameters: query string, or a url-encoded or multipart body. */
function hitParams(h) {
  const p = new URLSearchParams(new URL(h.url).search);
  if (!h.body) return p;
  if ((h.contentType || '').includes('multipart')) {
    for (const m of h.body.matchAll(/name="([^"]+)"\r\n\r\n([^\r]*)\r\n/g)) p.append(m[1], m[2]);
  } else {
    for (const [k, v] of new URLSearchParams(h.body)) p.append(k, v);
  }
  return p;
}

function home() {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Demo Store</title>
<link rel="stylesheet" href="/cdn/shop/t/1/assets/store.css"></head><body>
<header><a href="/">Demo Store</a><a href="/cart">Cart</a></header>
<main><h1>PixelProof demo store</h1><p>Scenarios: ${Object.keys(SCENARIOS).join(', ')}.</p>
<p><a class="button" href="/products/classic-tee">Shop the Classic Tee</a></p></main></body></html>`;
}

/** The scenario list `--list` prints: name, expected verdict and codes, the setup. */
export function listScenarios() {
  const lines = [];
  for (const [name, s] of Object.entries(SCENARIOS)) {
    const e = s.expect;
    lines.push(`${name.padEnd(24)} ${e.verdict.toUpperCase().padEnd(5)} ${e.codes.length ? e.codes.join(', ') : '(no findings)'}`);
    lines.push(`${''.padEnd(24)} ${s.setup}`);
  }
  return lines.join('\n');
}

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('--list')) {
    console.log(listScenarios());
    return;
  }
  const headed = args.includes('--headed');
  // The store as found, then the same store fixed, then the rest of the library.
  const only = args.includes('--scenario') ? [args[args.indexOf('--scenario') + 1]] : Object.keys(SCENARIOS);
  const browser = args.includes('--browser') ? args[args.indexOf('--browser') + 1] : 'chromium';
  if (!DRIVERS[browser]) throw new Error(`unknown browser "${browser}" (chromium or firefox)`);
  for (const name of only) {
    if (!SCENARIOS[name]) throw new Error(`unknown scenario "${name}" (one of: ${Object.keys(SCENARIOS).join(', ')}; --list describes them)`);
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const outDir = resolve(args.includes('--out') ? args[args.indexOf('--out') + 1] : join(ROOT, 'out', `demo-${stamp}`));
  if (headed && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    console.error('--headed needs a display (DISPLAY is not set); running headless instead.');
  }
  const canShow = headed && (process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  const packets = {};
  const demo = await openDemo({ driver: DRIVERS[browser], headed: Boolean(canShow) });
  let keptOpen = false;
  try {
    for (const name of only) {
      const keepOpen = Boolean(canShow) && name === only[only.length - 1];
      const compareWith = name === 'clean' && packets.messy ? { label: 'messy/packet.json', packet: packets.messy } : null;
      const r = await runScenario(name, { demo, outDir, keepOpen, compareWith });
      keptOpen = keepOpen;
      packets[name] = r.packet;
      const e = SCENARIOS[name].expect;
      console.log(`\n=== scenario: ${name} (${browser}) — ${SCENARIOS[name].description}`);
      console.log(`  expected: ${e.verdict.toUpperCase()}${e.codes.length ? ' with ' + e.codes.join(', ') : ', no findings'}`);
      // The core renders the decision, gate, cards, events and findings (as `pixelproof --format text` does).
      console.log(r.text);
      if (r.diff) {
        console.log('\n=== before/after: the messy store fixed (messy → clean)');
        console.log(r.diff.text);
      }
      if (r.errors.length) console.log('  errors:', r.errors.join('; '));
      if (keepOpen) console.log('\nThe browser stays open on the demo store; close it to end.');
    }
  } finally {
    if (!keptOpen) await demo.close();
  }
  console.log(`\nPackets (Markdown and JSON), server payloads, orders, panel screenshots${packets.messy && packets.clean ? ' and the before/after diff (diff.md, diff.json)' : ''}: ${outDir}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`demo failed: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  });
}
