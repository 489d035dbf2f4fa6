// Meta's answer to a Conversions API request, pasted in the panel beside the
// payload, for any browser driver: Chromium (tests/e2e/capi-response.test.mjs)
// and Firefox (tests/firefox/capi-response.test.mjs). The panel shows the
// response field; a response that reads is stored right after its payload,
// with what it echoes masked and its fbtrace_id kept; the Test Events card says
// what Meta accepted; a refusal is a finding quoting Meta; a paste that is not
// one of Meta's two response bodies is refused next to the field.
//
// Pages are driven through what Playwright's and puppeteer's pages share
// (goto, click, evaluate, $eval, $$eval); fields are filled through evaluate.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { until } from '../../support/drivers/common.mjs';
import { PRODUCT, isPixel, param, serverHits } from './capture.mjs';

const text = (page, selector) => page.$eval(selector, (e) => e.textContent);
const setValue = (page, selector, value) =>
  page.evaluate(([s, v]) => { document.querySelector(s).value = v; }, [selector, value]);
// The button is pressed as a DOM click: a live render above it may move it
// between a pointer's scroll and its click (what is tested is what a press does).
const press = (page, selector) => page.evaluate((s) => document.querySelector(s).click(), selector);
const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

/**
 * Registers the response tests for `driver` (support/drivers/*.mjs).
 */
export function capiResponseSuite(driver) {
  describe(`${driver.name}: Meta's response beside the server payload`, () => {
    test('the panel takes the response, stores it masked after its payload and shows what Meta accepted', async () => {
      const t = await driver.launch();
      try {
        await t.watching();
        const page = await t.newPage();
        await page.goto(PRODUCT);
        await serverHits(t.server, 2);
        const tabId = await until(() => t.tabIdOf(PRODUCT), 'the product tab');
        const rs = await t.journalUntil(tabId, (r) => r.filter(isPixel).some((h) => param(h, 'ev') === 'ViewContent'), 'the ViewContent hit');
        const vc = rs.filter(isPixel).find((h) => param(h, 'ev') === 'ViewContent');
        const eid = param(vc, 'eid');
        const panel = await t.openPanel(tabId, { width: 440, height: 2400, ready: '#pp-capi-response' });
        // The field is there, labelled, beside the payload's.
        const label = await panel.evaluate(() => document.querySelector('#pp-capi-response').closest('label, .field, div').textContent);
        assert.match(label, /Meta's response to it/);
        const now = Math.floor(Date.now() / 1000);
        const event = (id) => ({
          event_name: 'ViewContent', event_time: now, event_id: id, action_source: 'website', event_source_url: PRODUCT,
          user_data: { client_ip_address: '203.0.113.7', client_user_agent: UA, fbp: param(vc, 'fbp') },
          custom_data: { content_ids: ['tee-1'], content_type: 'product', value: 25, currency: 'USD' },
        });
        const kinds = async () => (await t.journal(tabId)).filter((r) => r.kind.startsWith('server_')).map((r) => r.kind);
        // Waits for `n` server records; a timeout says what the panel said.
        const storedUntil = async (n, what) => {
          try {
            await until(async () => (await kinds()).length === n, what);
          } catch (e) {
            const said = await panel.evaluate(() => ['#pp-status', '#pp-capi-error', '#pp-capi'].map((s) => {
              const el = document.querySelector(s);
              return `${s}: ${JSON.stringify(el ? (el.value ?? el.textContent) : null).slice(0, 200)}`;
            }).join('; '));
            throw new Error(`${e.message} (journal: ${JSON.stringify(await kinds())}; ${said})`);
          }
        };

        // 1. Meta accepted the one event it was sent.
        await setValue(panel, '#pp-capi', JSON.stringify({ data: [event(eid)] }));
        await setValue(panel, '#pp-capi-response', JSON.stringify({ events_received: 1, messages: [], fbtrace_id: 'AcRvWq5n1h8UJzY0fPx3BtQ' }));
        await press(panel, '#pp-capi-add');
        await storedUntil(2, 'the payload and its response stored');
        assert.deepEqual(await kinds(), ['server_payload', 'server_response'], 'the response right after its payload');
        await until(async () => /Meta accepted 1 of 1/.test(await panel.evaluate(() => document.querySelector('#pp-meta-response')?.textContent || '')),
          'the Test Events card to say what Meta accepted');
        assert.match(await text(panel, '#pp-meta-response'), /Meta accepted 1 of 1 \(1 of 1 request\(s\) answered; fbtrace_id AcRvWq5n1h8UJzY0fPx3BtQ\)/);
        assert.equal(await panel.evaluate(() => document.querySelector('#pp-capi-response').value), '', 'the field is emptied once stored');

        // 2. A second request Meta refused: a finding quoting Meta, and the card counts it.
        await setValue(panel, '#pp-capi', JSON.stringify({ data: [event(`${eid}-retry`)] }));
        await setValue(panel, '#pp-capi-response', JSON.stringify({
          error: {
            message: 'Invalid parameter', type: 'OAuthException', code: 100, error_subcode: 2804019,
            error_user_title: 'Invalid customer information', error_user_msg: 'The value jane.doe@example.com is not hashed.',
            fbtrace_id: 'A5bXk0QyR3nLm8TgHw2cVzP',
          },
        }));
        await press(panel, '#pp-capi-add');
        await storedUntil(4, 'the second payload and its response stored');
        const stored = (await t.journal(tabId)).filter((r) => r.kind === 'server_response');
        assert.ok(!stored[1].text.includes('jane.doe'), 'the echoed e-mail is not stored');
        assert.match(stored[1].text, /plain:email:[0-9a-f]{64}/);
        assert.match(stored[1].text, /A5bXk0QyR3nLm8TgHw2cVzP/, 'the fbtrace_id is kept for Meta support');
        await panel.waitForSelector('#pp-findings-body details[data-code="server_response_error"]');
        const refused = await text(panel, '#pp-findings-body details[data-code="server_response_error"]');
        assert.match(refused, /"Invalid parameter" \(code 100, error_subcode 2804019, fbtrace_id A5bXk0QyR3nLm8TgHw2cVzP\)/);
        assert.ok(!refused.includes('jane.doe'), 'the finding quotes the masked text');
        await until(async () => /Meta accepted 1 of 2; Meta refused 1 request/.test(await text(panel, '#pp-meta-response')),
          'the card to count the refused request');
        assert.match(await text(panel, '#pp-verdict'), /STOP/);

        // 3. A response that is neither of Meta's bodies is refused beside the field; nothing is stored.
        await setValue(panel, '#pp-capi', JSON.stringify({ data: [event(`${eid}-third`)] }));
        await setValue(panel, '#pp-capi-response', '{"success": true}');
        await press(panel, '#pp-capi-add');
        await until(async () => (await text(panel, '#pp-capi-error')).length > 0, 'the error beside the field');
        assert.match(await text(panel, '#pp-capi-error'), /pasted Meta response: \(top level\): object has neither "events_received" nor "error"/);
        assert.equal((await kinds()).length, 4, 'neither the payload nor the bad response was stored');
        // The timeline names both kinds of paste.
        const timeline = await text(panel, '#pp-timeline-list');
        assert.match(timeline, /server payload added: pasted CAPI payload/);
        assert.match(timeline, /Meta's response added: pasted Meta response/);
        assert.deepEqual(t.consoleErrors, []);
      } finally {
        await t.close();
      }
    });
  });
}
