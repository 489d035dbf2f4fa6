// The panel as a live instrument, for any browser driver: open at 400×600 on a
// tab while the shopper browses, it keeps the verdict and the four core
// events in the first screen as 100 hits arrive, shows the newest hit on top,
// opens an event or a hit in place, and works with the keyboard, at 320 px and
// in the dark scheme (axe-core: no serious or critical violation, at 400 and
// 320 px), and reaches the verdict, the section bar and the events by keyboard. Chromium:
// tests/e2e/live.test.mjs; Firefox: tests/firefox/live.test.mjs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { until } from '../../support/drivers/common.mjs';
import { assertFirstScreen, assertStatusWords, assertTabOrder, axe, CORE, emulateDark, firstScreen, resize, scheme, SCREEN, serious, statusWords, tabOrder } from './look.mjs';

const PRODUCT = 'https://shop.test/products/tee';
const SOAK = 'https://shop.test/soak';
const LIVE = 100;

/** The live list's hits as shown, top first: their ids and one-line texts. */
const liveHits = (panel) => panel.evaluate(() => [...document.querySelectorAll('#pp-live-hits > li.t-hit')].map((li) => ({ id: Number(li.dataset.hit), text: li.textContent })));

export function liveSuite(driver) {
  describe(`${driver.name}: the live panel`, () => {
    let t;
    let tabId;
    let panel;
    let store;

    before(async () => {
      // Firefox is told the system is dark (the panel cannot be switched once
      // open there); Chromium's panel is switched below, once it is open.
      t = await driver.launch({ prefs: { 'layout.css.prefers-color-scheme.content-override': 0 } });
      await t.watching();
      store = await t.newPage();
      await store.goto(PRODUCT);
      tabId = await until(() => t.tabIdOf(PRODUCT), 'the product tab');
      await t.pageDone(tabId, PRODUCT);
      panel = await t.openPanel(tabId, { width: SCREEN.width, height: SCREEN.height, ready: '#pp-events' });
      panel.on('pageerror', (e) => t.consoleErrors.push(`panel: ${e.message}`));
      await t.panelCaughtUp(panel, tabId);
    });
    after(async () => { await t?.close(); });

    test(`${LIVE} hits arrive live: the verdict and the four core events stay in the first screen, the newest hit on top`, async () => {
      const before = (await liveHits(panel)).length;
      assert.ok(before > 0, 'the product page\'s hits are listed');
      // The shopper moves on in the same tab; the page sends 100 hits while the panel is open.
      await store.goto(SOAK);
      await store.evaluate((n) => window.soak(n, 0), LIVE);
      await t.journalUntil(tabId, (rs) => rs.filter((r) => r.kind === 'request' && /eid=soak-/.test(r.url)).length >= LIVE, `${LIVE} soak hits in the journal`, 30000);
      await t.panelCaughtUp(panel, tabId, 20000);
      const { packet } = await t.send({ type: 'get-packet', tabId });
      await until(() => panel.evaluate((n) => document.querySelector('#pp-counts').textContent.startsWith(`${n} hits`), packet.hits.length), 'the counts to follow');
      const view = await firstScreen(panel);
      assertFirstScreen(view, packet, `${driver.name} after ${LIVE} live hits`);
      const hits = await liveHits(panel);
      assert.match(hits[0].text, new RegExp(`eid soak-${LIVE - 1}\\b`), 'the newest hit is on top');
      const ids = hits.map((h) => h.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
      assert.equal(ids[0], packet.hits.length, 'the last hit of the packet');
      assert.ok(hits.length < packet.hits.length, `the live list keeps the newest (${hits.length} of ${packet.hits.length}); the timeline has them all`);
      // The top of the list is on the first screen.
      const top = await panel.evaluate(() => document.querySelector('#pp-live-hits > li').getBoundingClientRect().top);
      assert.ok(top < SCREEN.height, `the newest hit is in the first screen (at ${top} px)`);
    });

    test('an event opens in place: its details, its codes with their guidance', async () => {
      const { packet } = await t.send({ type: 'get-packet', tabId });
      // The product page's ViewContent comes from three senders: a finding with guidance.
      const row = packet.cards.test_events.events.find((r) => r.event === 'ViewContent');
      assert.ok(row.codes.length > 0, `ViewContent has codes: ${JSON.stringify(row)}`);
      await panel.click('[data-event="ViewContent"] summary');
      await until(() => panel.evaluate(() => document.querySelector('#pp-ev-ViewContent').open && /First check/.test(document.querySelector('#pp-ev-ViewContent .ev-body').textContent)), 'ViewContent to open with its guidance');
      const body = await panel.evaluate(() => document.querySelector('#pp-ev-ViewContent .ev-body').textContent);
      for (const code of row.codes) assert.ok(body.includes(code), `${code} in the open event`);
      const group = packet.findings.find((g) => g.code === row.codes[0]);
      assert.ok(body.includes(group.guidance.first_check), 'the first check, as the packet words it');
      assert.match(body, /Server twin/);
      assert.match(body, /Sender/);
      // Opened in place: the other events' statuses have not moved out of the first screen's order.
      const order = await panel.evaluate(() => [...document.querySelectorAll('#pp-events > li')].map((li) => li.dataset.event));
      assert.deepEqual(order, CORE);
    });

    test('a hit opens in place: decoded parameters, sender, server twin, codes', async () => {
      const id = await panel.evaluate(() => {
        const li = document.querySelector('#pp-live-hits > li.t-hit');
        li.querySelector('summary').click();
        return Number(li.dataset.hit);
      });
      await until(() => panel.evaluate(() => Boolean(document.querySelector('#pp-live-hits > li.t-hit details[data-filled]'))), 'the hit to open');
      const text = await panel.evaluate(() => document.querySelector('#pp-live-hits > li.t-hit details').textContent);
      const { packet } = await t.send({ type: 'get-packet', tabId });
      const hit = packet.hits.find((h) => h.id === id);
      assert.ok(text.includes(`eid soak-${LIVE - 1}`));
      assert.match(text, /Decoded parameters/);
      assert.ok(text.includes('cd[content_ids]'), 'decoded parameters');
      assert.ok(text.includes(`Sender${hit.sender}`), `sender ${hit.sender}`);
      assert.match(text, /Server twinno server payload yet/);
      // It repeats ViewContent for one product on one page view: its codes come with guidance.
      const codes = packet.findings.filter((g) => g.instances.some((i) => i.hit_ids.includes(id))).map((g) => g.code);
      for (const code of codes) assert.ok(text.includes(code), `${code} on the hit`);
      // A finding on many hits names its first ten and counts the rest, so an
      // open row does not grow with the journey.
      const wide = packet.findings.flatMap((g) => g.instances).find((i) => i.hit_ids.includes(id) && i.hit_ids.length > 10);
      assert.ok(wide, 'a finding on more than ten hits, this one among them');
      const named = `${wide.hit_ids.slice(0, 10).map((h) => `#${h}`).join(' ')} and ${wide.hit_ids.length - 10} more`;
      assert.ok(text.includes(named), `the finding's line says "${named}"`);
      assert.ok(!text.includes(`#${wide.hit_ids[9]} #${wide.hit_ids[10]}`), 'no eleventh hit named');
    });

    test('keyboard: the section bar, then the events; Enter opens one, focus stays visible and survives live updates', async () => {
      // Nothing open; the focus on the section bar's first link, the top of the page.
      await panel.evaluate(() => {
        for (const d of document.querySelectorAll('details[open]')) d.open = false;
        window.scrollTo(0, 0);
        document.querySelector('header nav a').focus();
      });
      const focused = () => panel.evaluate(() => {
        const a = document.activeElement;
        const s = getComputedStyle(a);
        return { tag: a.tagName, text: a.textContent.trim().slice(0, 40), event: a.closest('[data-event]')?.dataset.event || null, outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 };
      });
      const order = [await focused()];
      for (let i = 1; i < 7 + 4; i++) {
        await panel.keyboard.press('Tab');
        order.push(await focused());
      }
      assert.deepEqual(order.slice(0, 7).map((f) => f.text), ['Live', 'Gate', 'Findings', 'Evidence', 'Review', 'Export', 'Timeline'], 'the section bar first');
      assert.deepEqual(order.slice(7).map((f) => f.event), CORE, 'then the four core events, in funnel order');
      // (The first was focused by the test, not by a key: browsers need not ring it.)
      assert.ok(order.slice(1).every((f) => f.outline), `focus is visible on each: ${JSON.stringify(order.filter((f) => !f.outline))}`);
      // Enter on Purchase (the last one reached) opens it in place.
      await panel.keyboard.press('Enter');
      await until(() => panel.evaluate(() => document.querySelector('#pp-ev-Purchase').open), 'Purchase to open');
      // A live update re-renders the panel: the focus and the open event stay.
      const applied = await panel.evaluate(() => Number(document.getElementById('app').dataset.applied));
      await store.evaluate(() => window.soak(3, 1000));
      await until(() => panel.evaluate((n) => Number(document.getElementById('app').dataset.applied) > n, applied), 'the live update');
      await t.panelCaughtUp(panel, tabId);
      const after = await focused();
      assert.equal(after.event, 'Purchase', 'the focus stayed on Purchase');
      assert.equal(after.tag, 'SUMMARY');
      assert.ok(await panel.evaluate(() => document.querySelector('#pp-ev-Purchase').open), 'still open');
      // The section bar's links move to their section; the verdict stays in view.
      await panel.evaluate(() => document.querySelector('nav a[href="#pp-review"]').focus());
      await panel.keyboard.press('Enter');
      await until(() => panel.evaluate(() => window.scrollY > 0), 'the jump to the review');
      const seen = await panel.evaluate(() => {
        const h = document.querySelector('#pp-review-h').getBoundingClientRect();
        const v = document.querySelector('#pp-verdict').getBoundingClientRect();
        const header = document.querySelector('header.top').getBoundingClientRect();
        return { heading: h.top, headerBottom: header.bottom, verdictTop: v.top, verdictBottom: v.bottom, height: innerHeight };
      });
      assert.ok(seen.verdictTop >= 0 && seen.verdictBottom <= seen.height, `the verdict stays in view: ${JSON.stringify(seen)}`);
      assert.ok(seen.heading >= seen.headerBottom - 1 && seen.heading < seen.height, `the review's heading shows below the header: ${JSON.stringify(seen)}`);
      await panel.evaluate(() => window.scrollTo(0, 0));
    });

    test('headings and landmarks: a banner with the verdict, a navigation, a main part, one h1', async () => {
      const marks = await panel.evaluate(() => ({
        banner: Boolean(document.querySelector('body header.top #pp-verdict')),
        nav: document.querySelector('nav')?.getAttribute('aria-label'),
        main: document.querySelectorAll('main').length,
        h1: document.querySelectorAll('h1').length,
        h2: [...document.querySelectorAll('main h2')].map((h) => h.textContent),
        sectionsNamed: [...document.querySelectorAll('main section')].every((s) => s.getAttribute('aria-labelledby') && document.getElementById(s.getAttribute('aria-labelledby'))),
      }));
      assert.ok(marks.banner && marks.nav && marks.main === 1 && marks.h1 === 1, JSON.stringify(marks));
      assert.deepEqual(marks.h2.slice(0, 3), ['Core events', 'Newest hits', 'Stop/Go gate']);
      assert.ok(marks.sectionsNamed, 'every section is named by its heading');
    });

    test('dark scheme respected, and axe-core finds no serious or critical violation after the live hits', async () => {
      await emulateDark(panel);
      const drawn = await scheme(panel);
      assert.equal(drawn.dark, true, 'the browser reports the dark scheme');
      assert.ok(drawn.luminance < 0.2, `a dark background (luminance ${drawn.luminance.toFixed(2)})`);
      // With an event and a hit open, so what they open to is audited too.
      assert.deepEqual(serious(await axe(panel)), []);
    });

    test('readable at 320 px in the dark scheme: nothing scrolls sideways, the statuses stay whole, axe-core finds no serious or critical violation', async () => {
      await resize(panel, 320, SCREEN.height);
      const v = await firstScreen(panel);
      assert.ok(v.scrollWidth <= 320, `the panel is ${v.scrollWidth} px wide at 320`);
      for (const ev of CORE) assert.ok(v.events[ev].right <= 320 && v.events[ev].left >= 0, `${ev}'s status within 320 px: ${JSON.stringify(v.events[ev])}`);
      assert.equal((await scheme(panel)).dark, true, 'still the dark scheme');
      assert.deepEqual(serious(await axe(panel)), []);
      await resize(panel, SCREEN.width, SCREEN.height);
    });

    test('from the top, after the live hits: the keyboard reaches the verdict, the section bar, then the core events, the focus seen at each; statuses in words', async () => {
      assertTabOrder(await tabOrder(panel, 16), `${driver.name} live`);
      assertStatusWords(await statusWords(panel), `${driver.name} live`);
    });

    test('no console error from the extension', () => {
      assert.deepEqual(t.consoleErrors, []);
    });
  });
}
