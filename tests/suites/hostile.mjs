// Reliability against a hostile page, for any browser driver: the
// same pages and the same assertions in Chromium (tests/e2e/hostile.test.mjs)
// and Firefox (tests/firefox/hostile.test.mjs). Anything the page can send,
// the page can forge: it may add doubt and never remove it. Each test here is
// a page that tries, and each assertion is one today's defences must hold.
//
// Pages are driven through what Playwright's and puppeteer's pages share
// (goto, click, evaluate, $eval, on('pageerror')); waiting is `until` over
// evaluate, whose signature is the same in both.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sleep, until } from '../../support/drivers/common.mjs';
import { serverHits } from './capture.mjs';

const requests = (rs) => rs.filter((r) => r.kind === 'request');
const text = (page, selector) => page.$eval(selector, (e) => e.textContent);

/**
 * Registers the hostile-page tests for `driver` (support/drivers/*.mjs).
 * `contentScript: false` leaves out the test that runs code in the relay's
 * world, for a driver that cannot reach that world.
 */
export function hostileSuite(driver, { contentScript = true } = {}) {
  /** A watched browser with `url` open, and the errors its page throws. */
  async function openWatched(url) {
    const t = await driver.launch();
    try {
      await t.watching();
      const page = await t.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(String((e && e.message) || e)));
      await page.goto(url);
      return { t, page, errors, tabId: await until(() => t.tabIdOf(url), `the tab of ${url}`) };
    } catch (e) {
      await t.close();
      throw e;
    }
  }

  describe(`${driver.name}: a hostile page`, () => {
    test('a page that fights the hook keeps working and is still captured', async () => {
      const { t, page, errors, tabId } = await openWatched('https://shop.test/hostile');
      try {
        await until(() => page.evaluate(() => window.__done === true), 'the page to finish its script');
        assert.equal(await text(page, '#ok'), 'page still works');
        const log = await page.evaluate(() => window.__log);
        assert.ok(log.includes('getter threw as the page intended'), `the page's own getter won: ${log}`);
        assert.deepEqual(errors, [], 'nothing of ours threw into the page');
        await serverHits(t.server, 5);
        await t.journalUntil(tabId, (rs) => requests(rs).length >= 5, 'five network hits');
        // The page replaced queueMicrotask, JSON.stringify, dispatchEvent and
        // CustomEvent before DOMContentLoaded; the hook took its own copies at
        // document_start, so its inventory still arrives.
        const all = await t.journalUntil(tabId, (rs) => rs.some((r) => r.kind === 'scripts'), 'the hook inventory');
        assert.deepEqual(requests(all).map((r) => r.origin), Array(5).fill('network'), 'exactly the five real hits; forged "request" records were refused');
        assert.ok(all.some((r) => r.kind === 'scripts' && r.origin === 'page'));
        assert.deepEqual(all.filter((r) => r.kind === 'gesture'), [], 'gestures the page forged never reach the journal');
        const { packet } = await t.send({ type: 'get-packet', tabId });
        assert.equal(packet.hits.length, 5);
        assert.deepEqual(t.consoleErrors, []);
      } finally {
        await t.close();
      }
    });

    test('a page with a frozen Error still gets its fbq calls recorded with their caller', async () => {
      const { t, page, errors, tabId } = await openWatched('https://shop.test/locked');
      try {
        assert.equal(await page.evaluate(() => window.__frozen), true, 'Error stayed frozen and untouched');
        const isLead = (r) => r.kind === 'fbq_call' && r.method === 'track' && r.args[0] === 'Lead';
        const lead = (await t.journalUntil(tabId, (rs) => rs.some(isLead), 'the Lead fbq call')).find(isLead);
        // The hook cannot swap Error.prepareStackTrace here and reads the stack text instead.
        assert.equal(lead.caller, 'https://shop.test/locked');
        assert.deepEqual(errors, []);
      } finally {
        await t.close();
      }
    });

    test('a forged click before an AddToCart fired on load does not clear add_to_cart_without_action', async () => {
      const url = 'https://shop.test/hostile/forged-gesture';
      const { t, tabId } = await openWatched(url);
      try {
        await serverHits(t.server, 1);
        const records = await t.journalUntil(tabId, (rs) => requests(rs).length >= 1 && rs.some((r) => r.kind === 'gesture_watch'), 'the AddToCart and the gesture watch');
        assert.deepEqual(records.filter((r) => r.kind === 'gesture'), [], 'no forged or scripted click counts as a gesture');
        const { packet } = await t.send({ type: 'get-packet', tabId });
        const atc = packet.hits.find((h) => h.event_id === 'atc-on-load');
        assert.ok(atc, 'the AddToCart hit');
        const f = packet.findings.find((x) => x.code === 'add_to_cart_without_action');
        assert.ok(f, `add_to_cart_without_action is raised: ${packet.findings.map((x) => x.code)}`);
        assert.deepEqual(f.instances.map((i) => i.hit_ids), [[atc.id]]);
        assert.equal(packet.verdict, 'stop');
      } finally {
        await t.close();
      }
    });

    test('order figures the page forged never make the money check go', async () => {
      const url = 'https://shop.test/hostile/forged-order';
      const { t, tabId } = await openWatched(url);
      try {
        await serverHits(t.server, 1);
        await t.journalUntil(tabId, (rs) => requests(rs).length >= 1 && rs.filter((r) => r.kind === 'shopify' && r.order).length >= 2, 'the Purchase and both order reports');
        const { packet } = await t.send({ type: 'get-packet', tabId });
        const money = packet.gate.checks.find((c) => c.name === 'money');
        assert.equal(money.state, 'unverified', `money: ${JSON.stringify(money)}`);
        assert.equal(money.page_reported, true, 'marked as resting on page-reported figures');
        assert.match(money.needs, /confirm against the Shopify admin order/);
        assert.notEqual(packet.verdict, 'go');
      } finally {
        await t.close();
      }
    });

    test('a page that stops every event at the window still has its clicks seen', async () => {
      const url = 'https://shop.test/hostile/silencer';
      const { t, page, tabId } = await openWatched(url);
      try {
        await page.click('#add');
        await serverHits(t.server, 1);
        const records = await t.journalUntil(tabId, (rs) => rs.some((r) => r.kind === 'gesture') && requests(rs).length >= 1, 'the click and its AddToCart');
        const click = records.find((r) => r.kind === 'gesture');
        assert.equal(click.origin, 'isolated');
        assert.match(click.target, /^button#add/);
        const { packet } = await t.send({ type: 'get-packet', tabId });
        assert.ok(!packet.findings.some((f) => f.code === 'add_to_cart_without_action'), 'the real click counts');
      } finally {
        await t.close();
      }
    });

    test('a flood of valid records from many blank frames holds to its budget and pushes out no network hit', async () => {
      const url = 'https://shop.test/hostile/flood';
      const { t, page, tabId } = await openWatched(url);
      try {
        await until(() => page.evaluate(() => window.__done === true), 'the flood to be sent');
        await serverHits(t.server, 5);
        await t.journalUntil(tabId, (rs) => requests(rs).length >= 5 && rs.some((r) => r.kind === 'dropped'), 'the five hits and a dropped record');
        // Not pageDone: the flood's own page records may be among those refused.
        await t.journalSettled(tabId);
        const all = await t.journal(tabId);
        assert.deepEqual(requests(all).map((r) => r.url.match(/eid=(flood-\d)/)[1]).sort(), ['flood-0', 'flood-1', 'flood-2', 'flood-3', 'flood-4'], 'every network hit is kept');
        const size = (r) => JSON.stringify(r).length;
        const pageBytes = all.filter((r) => r.origin === 'page').reduce((n, r) => n + size(r), 0);
        assert.ok(pageBytes > 0 && pageBytes <= 1024 * 1024, `page records hold to their 1 MB budget (${pageBytes} bytes)`);
        assert.ok(all.every((r) => size(r) <= 16 * 1024 + 1024), 'no stored record is larger than a page record may be (the 200 KB one was refused)');
        const dropped = all.filter((r) => r.kind === 'dropped');
        const reasons = new Set(dropped.map((d) => d.reason));
        assert.ok(reasons.has('relay_caps') || reasons.has('page_budget'), `dropped records say why: ${[...reasons]}`);
        assert.ok(dropped.reduce((n, d) => n + d.count, 0) > 1000, 'and how many');
        // The panel still opens on this journey and says what was not kept.
        const panel = await t.openPanel(tabId, { width: 1100, height: 800, ready: '#pp-counts' });
        await until(() => panel.evaluate(() => /\b5 hits\b/.test(document.querySelector('#pp-counts')?.textContent || '')), 'the panel to count the 5 hits', 15000);
        const said = await text(panel, '#pp-dropped');
        assert.match(said, /not kept/);
        // Every pixel request counted once, with where it ended: the page's
        // refused records are no request, and no hit was lost.
        assert.match(said, /\b5 pixel requests the pages sent( \(their Resource Timing listed 5\))? = 5 captured \+ 0 evicted \(journal size budget\) \+ 0 oversized \+ 0 refused \(caps\) \+ 0 never handed to PixelProof/, said);
        // What was refused may have told senders apart: the owners check says so
        // (unverified, or beside the problem that already stops it).
        assert.match(await text(panel, '#pp-gate-body'), /owners\s*(UNVERIFIED\s*unverified: |STOP\s*[^]*?; and )\d+ records lost \(\d+ refused/);
      } finally {
        await t.close();
      }
    });

    // A trusted `submit` the browser fires for a script's form.requestSubmit()
    // or button.click() on a submit button is no shopper's action.
    for (const [via, how] of [['requestSubmit', 'form.requestSubmit()'], ['click', "a submit button's click()"]]) {
      test(`a form the page submits itself with ${how} on load does not clear add_to_cart_without_action`, async () => {
        const url = `https://shop.test/hostile/scripted-submit?via=${via}`;
        const { t, tabId } = await openWatched(url);
        try {
          await serverHits(t.server, 1);
          // The relay sends its gesture watch and anything it observed at load together.
          const records = await t.journalUntil(tabId, (rs) => requests(rs).length >= 1 && rs.some((r) => r.kind === 'gesture_watch'), 'the AddToCart and the gesture watch');
          assert.deepEqual(records.filter((r) => r.kind === 'gesture'), [], 'the scripted submit is not recorded as a gesture');
          const { packet } = await t.send({ type: 'get-packet', tabId });
          const atc = packet.hits.find((h) => h.event_id === `atc-${via}-1`);
          assert.ok(atc, `the AddToCart hit: ${packet.hits.map((h) => h.event_id)}`);
          const f = packet.findings.find((x) => x.code === 'add_to_cart_without_action');
          assert.ok(f, `add_to_cart_without_action is raised: ${packet.findings.map((x) => x.code)}`);
          assert.deepEqual(f.instances.map((i) => i.hit_ids), [[atc.id]]);
        } finally {
          await t.close();
        }
      });
    }

    test('a shopper who clicks the add-to-cart button of a form, or presses Enter in it, has acted', async () => {
      const url = 'https://shop.test/hostile/scripted-submit?via=shopper';
      const { t, page, tabId } = await openWatched(url);
      try {
        await page.click('#add');
        await serverHits(t.server, 1);
        await page.focus('#qty');
        await page.keyboard.press('Enter');
        await serverHits(t.server, 2);
        const submits = (rs) => rs.filter((r) => r.kind === 'gesture' && r.gesture === 'submit');
        const records = await t.journalUntil(tabId, (rs) => requests(rs).length >= 2 && submits(rs).length >= 2, 'both AddToCarts and both submits');
        // The submits themselves count: each came right after the shopper's click or Enter on that form.
        assert.deepEqual(submits(records).map((r) => [r.origin, r.target]), [['isolated', 'form#product-form'], ['isolated', 'form#product-form']]);
        assert.ok(records.some((r) => r.kind === 'gesture' && r.gesture === 'click' && /^button#add/.test(r.target)), 'the click');
        assert.ok(records.some((r) => r.kind === 'gesture' && r.gesture === 'keydown'), 'the Enter');
        const { packet } = await t.send({ type: 'get-packet', tabId });
        assert.deepEqual(packet.hits.filter((h) => h.event === 'AddToCart').map((h) => h.event_id), ['atc-shopper-1', 'atc-shopper-2']);
        assert.ok(!packet.findings.some((f) => f.code === 'add_to_cart_without_action'), `no false fail: ${packet.findings.map((x) => x.code)}`);
      } finally {
        await t.close();
      }
    });

    test('a page that changes its URL before an AddToCart is still watched for gestures', async () => {
      const url = 'https://shop.test/hostile/replace-state';
      const { t, page, tabId } = await openWatched(url);
      try {
        await until(() => page.evaluate(() => window.__done === true), 'the second URL change');
        await serverHits(t.server, 2);
        const history = (rs) => rs.filter((r) => r.kind === 'navigation' && r.transition === 'history');
        await t.journalUntil(tabId, (rs) => requests(rs).length >= 2 && history(rs).length >= 2 && rs.some((r) => r.kind === 'gesture_watch'), 'both hits, both URL changes and the gesture watch');
        const { packet } = await t.send({ type: 'get-packet', tabId });
        const hits = ['atc-replaced-on-load', 'atc-replaced-later'].map((eid) => packet.hits.find((h) => h.event_id === eid));
        assert.ok(hits.every(Boolean), `both AddToCart hits: ${packet.hits.map((h) => h.event_id)}`);
        // Each is in a page view of its own URL: the document's, after the change.
        assert.deepEqual(hits.map((h) => packet.pages.find((p) => p.id === h.page_view).url), [`${url}?variant=41`, `${url}?variant=42`]);
        const f = packet.findings.find((x) => x.code === 'add_to_cart_without_action');
        assert.ok(f, `add_to_cart_without_action is raised: ${packet.findings.map((x) => x.code)}`);
        assert.deepEqual(f.instances.map((i) => i.hit_ids), hits.map((h) => [h.id]));
      } finally {
        await t.close();
      }
    });

    test('a hit the page sends itself naming a made-up page is judged under the page it came from, and the mismatch is said', async () => {
      const url = 'https://shop.test/hostile/forged-dl';
      const { t, tabId } = await openWatched(url);
      try {
        await serverHits(t.server, 1);
        await t.journalUntil(tabId, (rs) => requests(rs).length >= 1 && rs.some((r) => r.kind === 'gesture_watch'), 'the hit and the gesture watch');
        const { packet } = await t.send({ type: 'get-packet', tabId });
        const atc = packet.hits.find((h) => h.event_id === 'atc-forged-dl');
        assert.ok(atc, 'the forged AddToCart hit');
        const f = packet.findings.find((x) => x.code === 'add_to_cart_without_action');
        assert.ok(f, `add_to_cart_without_action is raised: ${packet.findings.map((x) => x.code)}`);
        assert.deepEqual(f.instances.map((i) => i.hit_ids), [[atc.id]]);
        const said = packet.findings.find((x) => x.code === 'page_url_mismatch');
        assert.ok(said, `page_url_mismatch is raised: ${packet.findings.map((x) => x.code)}`);
        assert.deepEqual(said.instances.map((i) => i.hit_ids), [[atc.id]]);
        assert.match(said.instances[0].message, /names https:\/\/shop\.test\/made-up in dl, but the browser was showing https:\/\/shop\.test\/hostile\/forged-dl /);
      } finally {
        await t.close();
      }
    });

    test('FB_LOG messages another origin\'s frame posts to the store page never reach its journal', async () => {
      const url = 'https://shop.test/hostile/fb-log-frame';
      const { t, page, tabId } = await openWatched(url);
      try {
        await until(() => page.evaluate(() => window.__done === true), 'the frame\'s 30 messages and the page\'s own');
        // Everything the page's load sends has arrived once its last inventory has.
        const records = await t.pageDone(tabId, url);
        const logs = records.filter((r) => r.kind === 'fb_log');
        assert.deepEqual(logs.map((r) => [r.level, r.message]), [['info', 'own message of this window']], 'only the window\'s own message');
        const { packet } = await t.send({ type: 'get-packet', tabId });
        assert.ok(!packet.findings.some((f) => f.code === 'fbevents_error'), `no fbevents_error: ${packet.findings.map((x) => x.code)}`);
      } finally {
        await t.close();
      }
    });

    test('fbq calls past the page hook\'s limit per page are counted and said, not lost silently', async () => {
      const url = 'https://shop.test/hostile/fbq-loop';
      const { t, page, tabId } = await openWatched(url);
      try {
        await until(() => page.evaluate(() => window.__done === true), 'the 10,000 calls');
        const heldBack = (rs) => rs.filter((r) => r.kind === 'dropped' && r.reason === 'hook_caps').reduce((n, d) => n + (d.kinds.fbq_call || 0), 0);
        // What the hook handed over, as the page saw it go: every call is either a record or counted as held back.
        const seen = await until(async () => {
          const s = await page.evaluate(() => window.__seen);
          return s.held_back > 0 && s.fbq_call + s.held_back === 10000 && s;
        }, 'the hook to account for all 10,000 calls');
        // and the count reaches the journal whole, as a dropped note with its cause.
        await t.journalUntil(tabId, (rs) => heldBack(rs) === seen.held_back, `a hook_caps note for ${seen.held_back} fbq calls`, 15000);
        const { packet } = await t.send({ type: 'get-packet', tabId });
        const lost = packet.capture.lost.filter((l) => l.reason === 'hook_caps');
        assert.deepEqual(lost.map((l) => l.cause), lost.map(() => 'refused'), 'refused, the cause the packet counts it under');
        assert.equal(lost.reduce((n, l) => n + (l.kinds.fbq_call || 0), 0), seen.held_back, 'the packet counts every call held back');
        assert.ok(packet.capture.dropped.some((d) => /fbq_call.*not kept: page-reported, past the page hook's limit/.test(d)), `and says it: ${JSON.stringify(packet.capture.dropped)}`);
      } finally {
        await t.close();
      }
    });

    // Needs code run in the relay's own world (t.inContentScript), which only
    // some drivers can reach; see the driver's test file.
    if (!contentScript) return;
    test('a content script gets no other tab\'s journal and no control over it', async () => {
      const { t, page, tabId } = await openWatched('https://shop.test/products/tee');
      try {
        await t.journalUntil(tabId, (rs) => requests(rs).length >= 1, 'a hit in the first tab');
        const other = await t.newPage();
        await other.goto('https://shop.test/queued');
        const otherTab = await until(() => t.tabIdOf('https://shop.test/queued'), 'the second tab');
        await sleep(300);
        // What a compromised or confused content script could ask for, asked from
        // the relay's own world in the first tab.
        const answers = await t.inContentScript(page, async (victim) => {
          const ask = (m) => chrome.runtime.sendMessage(m).catch((e) => ({ error: String(e) }));
          return {
            journal: await ask({ type: 'get-journal', tabId: victim }),
            packet: await ask({ type: 'get-packet', tabId: victim, rawUserData: true }),
            clear: await ask({ type: 'clear', tabId: victim }),
            evidence: await ask({ type: 'add-evidence', tabId: victim, kind: 'order', text: '{"total": 1, "currency": "USD"}' }),
            total: await ask({ type: 'get-journal-total', tabId: victim }),
            // The journals are in storage.local, which the panel reads directly:
            // the worker keeps content scripts out of it.
            storage: await (async () => chrome.storage.local.get(null))().then((v) => ({ keys: Object.keys(v) }), (e) => ({ error: String(e) })),
          };
        }, otherTab);
        const { storage, ...messages } = answers;
        for (const [what, reply] of Object.entries(messages)) {
          assert.match(String(reply && reply.error), /^refused/, `${what} is refused: ${JSON.stringify(reply).slice(0, 200)}`);
        }
        assert.ok(!storage.keys, `storage.local is closed to content scripts: ${JSON.stringify(storage).slice(0, 200)}`);
        assert.match(storage.error, /not allowed|access/i);
        const still = await t.journal(otherTab);
        assert.ok(still.length > 0, 'the other tab\'s journal is untouched');
        assert.ok(!still.some((r) => r.kind === 'order'), 'no evidence was added to it');
      } finally {
        await t.close();
      }
    });
  });
}
