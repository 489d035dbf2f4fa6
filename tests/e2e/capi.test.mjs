// In the extension: Conversions API payloads pasted in the panel,
// the fbp/fbc a shopper who came from an ad carries, and a consent banner that
// never grants consent. Every code is raised and stays silent exactly as the
// code table says, on what the extension stores (the paste after redaction).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launch, serverHits, sleep } from './helpers.mjs';

// The click id Meta appends to an ad's link (case-sensitive).
const CLICK = 'IwAR2F4-dbP0l7Mn1IawQQGCINEz7PYXQvwjNwB_qa2ofrHyiLjcbCRxTDGrc';
const LANDING = `https://shop.test/products/tee?fbclid=${CLICK}`;
const EM = '86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d'; // sha256("jane.doe@example.com")
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SERVER_CODES = [
  'server_event_time_invalid', 'server_action_source_invalid', 'server_missing_web_fields', 'server_user_data_unhashed',
  'server_user_data_overhashed', 'server_event_id_in_custom_data', 'test_event_code_present', 'fbp_mismatch', 'fbc_mismatch',
  'invalid_fbp_fbc',
];

const isPixel = (r) => r.kind === 'request' && /facebook\.com\/tr/.test(r.url);
const param = (r, key) => {
  const u = new URL(r.url);
  if (u.searchParams.has(key)) return u.searchParams.get(key);
  const f = r.body && r.body.type === 'form' && (r.body.fields || []).find(([k]) => k === key);
  return f ? f[1] : null;
};

describe('Conversions API payloads and click ids in the panel', () => {
  let t;
  const tabs = {};
  const records = {};

  /** A shopper lands from an ad on the product page and adds to cart, in a tab of their own. */
  async function adJourney(name) {
    const page = await t.context.newPage();
    const before = t.server.hits.length;
    await page.goto(LANDING);
    await page.waitForLoadState('load');
    await serverHits(t.server, before + 4);
    await page.click('#add');
    await serverHits(t.server, before + 5);
    // Two tabs show the same URL: take the one not taken yet.
    const ids = (await t.tabs()).filter((x) => x.url === LANDING).map((x) => x.id);
    tabs[name] = ids.find((id) => !Object.values(tabs).includes(id));
    assert.ok(tabs[name] != null, `no tab for ${name}: ${ids}`);
    const rs = await t.journalUntil(tabs[name], (r) => r.filter(isPixel).some((h) => param(h, 'ev') === 'AddToCart'), 'the AddToCart hit');
    // Its page records trail the hits by seconds: the last inventory comes 3 s after load.
    await t.pageDone(tabs[name], LANDING);
    records[name] = rs;
    return page;
  }

  async function openPanel(tabId) {
    const panel = await t.context.newPage();
    panel.on('pageerror', (e) => t.consoleErrors.push(`panel: ${e.message}`));
    panel.on('console', (m) => { if (m.type() === 'error') t.consoleErrors.push(`panel: ${m.text()}`); });
    await panel.setViewportSize({ width: 420, height: 900 });
    await panel.goto(`chrome-extension://${t.extensionId}/panel.html?tab=${tabId}`);
    await t.panelCaughtUp(panel, tabId);
    return panel;
  }

  /** Pastes a payload, waits until the panel has judged it, and returns the findings shown. */
  async function paste(panel, tabId, body) {
    const stored = (await t.journal(tabId)).filter((r) => r.kind === 'server_payload').length;
    await panel.fill('#pp-capi', JSON.stringify(body));
    await panel.click('#pp-capi-add');
    await t.journalUntil(tabId, (rs) => rs.filter((r) => r.kind === 'server_payload').length > stored, 'the stored payload');
    await panel.waitForFunction(() => /Stored \d+ server event/.test(document.querySelector('#pp-status').textContent));
    // The summary re-renders within its refresh interval once the record is back from the worker.
    await panel.waitForFunction(() => document.querySelector('#pp-gate-body').textContent.includes('dedup') &&
      !/no server payloads supplied/.test(document.querySelector('#pp-gate-body').textContent), null, { timeout: 10000 });
    await sleep(300);
    return findings(panel);
  }

  // Findings are grouped by code: a group's text holds each instance's message.
  const findings = (panel) => panel.$$eval('#pp-findings-body details', (ds) => ds.map((d) => ({
    code: d.dataset.code,
    text: d.textContent,
  })));

  /** The browser's own fbp and fbc, as the theme's hit with event id `eid` carried them. */
  function ids(name, eid) {
    const hit = records[name].filter(isPixel).find((h) => param(h, 'eid') === eid);
    assert.ok(hit, `no hit with eid ${eid}`);
    return { fbp: param(hit, 'fbp'), fbc: param(hit, 'fbc') };
  }

  before(async () => {
    t = await launch();
    await t.watching();
    await adJourney('good');
    await adJourney('broken');
  });
  after(async () => { await t?.close(); });

  test('the stand-in pixel keeps the click: theme hits carry fbc with the landing fbclid', () => {
    for (const eid of ['vc-tee-1', 'atc-tee-1']) {
      const { fbp, fbc } = ids('good', eid);
      assert.match(fbp, /^fb\.1\.\d{13}\.\d+$/);
      assert.match(fbc, new RegExp(`^fb\\.1\\.\\d{13}\\.${CLICK}$`));
    }
  });

  test('a correct payload raises none of the payload or id checks', async () => {
    const tabId = tabs.good;
    const panel = await openPanel(tabId);
    const keys = (ev, cell) => panel.textContent(`#pp-matchkeys-body tr[data-event="${ev}"] td.${cell}`);
    // Before a payload: the browser's side only.
    // Each key with the priority Meta's best practices give it.
    assert.equal(await keys('AddToCart', 'browser'), 'em (high), fbc (high), fbp (medium)');
    assert.equal(await keys('AddToCart', 'server'), 'no payload');
    const now = Math.floor(Date.now() / 1000);
    const vc = ids('good', 'vc-tee-1');
    const atc = ids('good', 'atc-tee-1');
    const user = (x) => ({ em: [EM], client_ip_address: '203.0.113.7', client_user_agent: UA, fbp: x.fbp, fbc: x.fbc });
    const shown = await paste(panel, tabId, {
      data: [
        { event_name: 'ViewContent', event_time: now, event_id: 'vc-tee-1', action_source: 'website', event_source_url: LANDING,
          user_data: user(vc), custom_data: { value: 30, currency: 'USD', content_ids: ['tee-blue-m'] } },
        { event_name: 'AddToCart', event_time: now, event_id: 'atc-tee-1', action_source: 'website', event_source_url: LANDING,
          user_data: user(atc), custom_data: { value: 30, currency: 'USD', content_ids: ['tee-blue-m'] } },
      ],
    });
    const raised = shown.filter((f) => SERVER_CODES.includes(f.code));
    assert.deepEqual(raised, [], JSON.stringify(shown));
    // The custom pixel's sandboxed frame has no cookies, so its ViewContent lost the click; the theme's did not.
    const missing = shown.filter((f) => f.code === 'fbc_missing');
    assert.equal(missing.length, 1, JSON.stringify(shown));
    assert.match(missing[0].text, new RegExp(`ViewContent.*landed with fbclid ${CLICK} but ViewContent hit\\(s\\) #\\d+`));
    assert.ok(!shown.some((f) => f.code === 'fbc_missing' && /AddToCart/.test(f.text)));
    assert.ok(!shown.some((f) => f.code === 'consent_revoked'));
    // Match keys, side by side, once the server's side is known.
    assert.equal(await keys('AddToCart', 'server'), 'client_ip_address (every event), client_user_agent (every event), em (high), fbc (high), fbp (medium)');
    // The first key worth adding, by Meta's priority: neither side sends a phone number.
    assert.equal(await keys('AddToCart', 'next'), 'browser: ph (medium); server: ph (medium)');
    assert.equal(await keys('AddToCart', 'one-side'), 'server only: client_ip_address, client_user_agent');
    assert.equal(await keys('Purchase', 'browser'), 'no hit');
    assert.equal(await keys('Purchase', 'server'), 'no server event');
    assert.ok(!(await panel.textContent('#pp-matchkeys-body')).includes(EM), 'names only, no values');
    await panel.close();
  });

  test('a broken payload raises each payload and id code, on the stored (redacted) paste', async () => {
    const tabId = tabs.broken;
    const panel = await openPanel(tabId);
    const now = Math.floor(Date.now() / 1000);
    const vc = ids('broken', 'vc-tee-1');
    const shown = await paste(panel, tabId, {
      data: [
        // JavaScript's Date.now(), a capitalised source, a click id lower-cased on the way.
        { event_name: 'ViewContent', event_time: Date.now(), event_id: 'vc-tee-1', action_source: 'Website', event_source_url: LANDING,
          user_data: { em: [EM], client_ip_address: '203.0.113.7', client_user_agent: UA, fbp: vc.fbp, fbc: vc.fbc.toLowerCase() } },
        // A date word, no page URL or user agent, plain e-mail, hashed IP, the event id in custom_data,
        // another browser's fbp and a bare fbclid for fbc.
        { event_name: 'AddToCart', event_time: 'yesterday', event_id: 'atc-tee-1', action_source: 'website',
          user_data: { em: ['Jane.Doe@Example.com'], client_ip_address: 'a'.repeat(64), fbp: 'fb.1.1700000000000.987654321', fbc: CLICK },
          custom_data: { value: 30, currency: 'USD', eventID: 'atc-tee-1' } },
      ],
      test_event_code: 'TEST4242',
    });
    const codes = [...new Set(shown.map((f) => f.code))];
    for (const code of SERVER_CODES) assert.ok(codes.includes(code), `${code} missing: ${codes.join(', ')}`);
    const text = (code) => shown.filter((f) => f.code === code).map((f) => f.text).join(' | ');
    // The extension stored the paste with the e-mail masked; the finding still says what it was.
    const stored = (await t.journal(tabId)).find((r) => r.kind === 'server_payload');
    assert.ok(!stored.text.includes('Jane.Doe'), 'the plain e-mail was not stored');
    assert.match(stored.text, /plain:email:[0-9a-f]{64}/);
    assert.match(text('server_user_data_unhashed'), /pasted CAPI payload data\[1\] \(AddToCart\): unhashed customer data: user_data\.em\[0\] looks like an e-mail address/);
    assert.ok(!text('server_user_data_unhashed').includes('Jane'), 'the value is not repeated');
    assert.match(text('server_event_time_invalid'), /event_time \d{13} is in milliseconds/);
    assert.match(text('server_event_time_invalid'), /event_time is the text "yesterday"/);
    assert.match(text('server_action_source_invalid'), /"Website" must be written "website"/);
    assert.match(text('fbc_mismatch'), /carries the click id iwar2f4[^,]*, not the landing URL's fbclid IwAR2F4/);
    assert.match(text('fbp_mismatch'), /but its server twin \(pasted CAPI payload data\[1\] \(AddToCart\)\) sends fb\.1\.1700000000000\.987654321/);
    assert.match(text('test_event_code_present'), /test_event_code "TEST4242" with 2 event\(s\)/);
    // Fail codes block Go.
    assert.match(await panel.textContent('#pp-verdict'), /STOP/);
    await panel.close();
  });

  test('the access token of a pasted request is nowhere at rest, and the packet says it was removed', async () => {
    const tabId = tabs.broken;
    const panel = await openPanel(tabId);
    const now = Math.floor(Date.now() / 1000);
    // The whole request body a server sends (Conversions API, "Using the API"):
    // the events, and the token and app secret proof it is sent with.
    const TOKEN = 'EAAGm0PX4ZCpsBAKZBZCZCZAtOkEnOfThisStoreOnly';
    const PROOF = '7b1e3f0c9d2a4b6c8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e4f6a8b0c2d';
    await paste(panel, tabId, {
      data: [{ event_name: 'ViewContent', event_time: now, event_id: 'vc-tee-1', action_source: 'website', event_source_url: LANDING,
        user_data: { em: [EM], client_user_agent: UA } }],
      access_token: TOKEN,
      appsecret_proof: PROOF,
    });
    // Everything the extension keeps, every key of its storage, as text.
    const all = JSON.stringify(await panel.evaluate(() => chrome.storage.local.get(null)));
    assert.ok(all.includes('vc-tee-1'), 'the dump holds the pasted events');
    assert.ok(!all.includes(TOKEN), 'no access token at rest');
    assert.ok(!all.includes(PROOF), 'no app secret proof at rest');
    const { packet } = await t.send({ type: 'get-packet', tabId });
    assert.ok(!JSON.stringify(packet).includes(TOKEN), 'nor in the packet');
    assert.ok(packet.server.credentials_removed.some((c) => /access_token, appsecret_proof$/.test(c)), JSON.stringify(packet.server));
    const source = packet.decision.evidence.find((e) => e.source === 'server');
    assert.match(source.detail, /access_token, appsecret_proof removed: a credential, never stored or exported/);
    await panel.close();
  });

  /** `n` server events as a store's server sends a long day's batch, with `user` as each one's user_data. */
  function batch(n, user, atc) {
    const now = Math.floor(Date.now() / 1000);
    const data = [{ event_name: 'AddToCart', event_time: now, event_id: 'atc-tee-1', action_source: 'website', event_source_url: LANDING,
      user_data: { ...user(0), client_user_agent: UA, fbp: atc.fbp, fbc: atc.fbc }, custom_data: { value: 30, currency: 'USD', content_ids: ['tee-blue-m'] } }];
    for (let i = 1; i < n; i++) {
      data.push({ event_name: 'ViewContent', event_time: now - i, event_id: `vc-batch-${i}`, action_source: 'website',
        event_source_url: `https://shop.test/products/tee-${i}`, user_data: { ...user(i), fbp: `fb.1.1764000000000.${100000000 + i}` },
        custom_data: { value: 30, currency: 'USD', content_ids: [`tee-${i}`] } });
    }
    return { data };
  }

  test('a 264 KB body of 700 events is stored whole, and the dedup check and match keys read it', async () => {
    await adJourney('large');
    const tabId = tabs.large;
    const panel = await openPanel(tabId);
    const body = batch(700, () => ({ em: [EM], client_ip_address: '203.0.113.7' }), ids('large', 'atc-tee-1'));
    const size = JSON.stringify(body).length;
    assert.ok(size > 262 * 1024 && size < 270 * 1024, `${size} characters`);
    await paste(panel, tabId, body);
    assert.match(await panel.textContent('#pp-status'), /Stored 700 server event\(s\)/);
    const stored = (await t.journal(tabId)).filter((r) => r.kind === 'server_payload');
    assert.equal(stored.length, 1);
    assert.equal(stored[0].text, JSON.stringify(body), 'stored whole, as pasted (nothing to redact)');
    assert.ok(!/no server payloads supplied/.test(await panel.textContent('#pp-gate-body')));
    assert.equal(await panel.textContent('#pp-matchkeys-body tr[data-event="AddToCart"] td.server'), 'client_ip_address (every event), client_user_agent (every event), em (high), fbc (high), fbp (medium)');
    await panel.close();
  });

  test('a 62.8 KB paste with plain e-mails and phones is stored redacted, and compact', async () => {
    await adJourney('plain');
    const tabId = tabs.plain;
    const panel = await openPanel(tabId);
    const body = batch(189, (i) => ({ em: [`Shopper.${i}@Example.com`], ph: [`+1 (650) 555-${String(i).padStart(4, '0')}`] }), ids('plain', 'atc-tee-1'));
    const size = JSON.stringify(body).length;
    assert.ok(size > 62.5 * 1024 && size < 63.5 * 1024, `${size} characters`);
    await paste(panel, tabId, body);
    assert.match(await panel.textContent('#pp-status'), /Stored 189 server event\(s\)/);
    const [stored] = (await t.journal(tabId)).filter((r) => r.kind === 'server_payload');
    assert.ok(!/Example\.com|555-/.test(stored.text), 'no plain e-mail or phone at rest');
    assert.equal(stored.text.match(/plain:email:[0-9a-f]{64}/g).length, 189);
    assert.equal(stored.text.match(/plain:phone:[0-9a-f]{64}/g).length, 189);
    assert.ok(!stored.text.includes('\n'), 'compact JSON');
    assert.equal(JSON.parse(stored.text).data.length, 189);
    assert.ok((await findings(panel)).some((f) => f.code === 'server_user_data_unhashed'));
    await panel.close();
  });

  test('a paste over the limit is refused with the limit named, and nothing is said stored', async () => {
    const tabId = tabs.large;
    const panel = await openPanel(tabId);
    const body = batch(12000, () => ({ em: [EM] }), ids('large', 'atc-tee-1'));
    await panel.fill('#pp-capi', JSON.stringify(body));
    await panel.click('#pp-capi-add');
    await panel.waitForFunction(() => /Could not store/.test(document.querySelector('#pp-status').textContent), null, { timeout: 20000 });
    assert.match(await panel.textContent('#pp-status'), /over the 4096\.0 KB a paste may take/);
    assert.doesNotMatch(await panel.textContent('#pp-status'), /Stored/);
    assert.equal((await t.journal(tabId)).filter((r) => r.kind === 'server_payload').length, 1, 'only the earlier paste');
    await panel.close();
  });

  test('the pixel a payload was sent to is checked, stored with it and decides what pairs', async () => {
    await adJourney('pixel');
    const tabId = tabs.pixel;
    const panel = await openPanel(tabId);
    const atc = ids('pixel', 'atc-tee-1');
    const body = { data: [{ event_name: 'AddToCart', event_time: Math.floor(Date.now() / 1000), event_id: 'atc-tee-1', action_source: 'website',
      event_source_url: LANDING, user_data: { em: [EM], client_user_agent: UA, fbp: atc.fbp, fbc: atc.fbc }, custom_data: { value: 30, currency: 'USD' } }] };
    // Not a pixel id: refused beside the paste, nothing stored.
    await panel.fill('#pp-capi-pixel', 'pixel-1');
    await panel.fill('#pp-capi', JSON.stringify(body));
    await panel.click('#pp-capi-add');
    await panel.waitForFunction(() => /is not a pixel id/.test(document.querySelector('#pp-capi-error').textContent));
    assert.match(await panel.textContent('#pp-capi-error'), /`pixel-1` is not a pixel id; give the digits of the pixel/);
    assert.equal((await t.journal(tabId)).filter((r) => r.kind === 'server_payload').length, 0);
    // A pixel the browser never sent to: stored with the payload; no browser
    // event pairs with it, and the gate says so.
    await panel.fill('#pp-capi-pixel', ' 5555 ');
    await paste(panel, tabId, body);
    assert.match(await panel.textContent('#pp-status'), /Stored 1 server event\(s\) to pixel 5555 from/);
    const [stored] = (await t.journal(tabId)).filter((r) => r.kind === 'server_payload');
    assert.equal(stored.pixel_id, '5555');
    assert.match(await panel.textContent('#pp-gate-body'), /no browser Purchase to pixel 5555 \(the server payload's\)/);
    // A hit opened in place says why it has no twin.
    await panel.evaluate(() => document.querySelector('#pp-live-hits > li.t-hit summary').click());
    await panel.waitForFunction(() => Boolean(document.querySelector('#pp-live-hits > li.t-hit details[data-filled]')));
    assert.match(await panel.textContent('#pp-live-hits > li.t-hit details'),
      /Server twinnone expected: the server payloads were sent to pixel 5555, not this one/);
    const { packet } = await t.send({ type: 'get-packet', tabId });
    assert.deepEqual(packet.server.events.map((e) => e.pixel_id), ['5555']);
    assert.equal(packet.decision.evidence.find((e) => e.source === 'server').detail, 'pasted CAPI payload: 1 event to pixel 5555');
    await panel.close();
  });

  test('a consent banner that never grants holds core events back, and is named', async () => {
    const page = await t.context.newPage();
    await page.goto('https://shop.test/consent');
    await page.waitForLoadState('load');
    const tabId = await t.tabIdOf('https://shop.test/consent');
    await t.journalUntil(tabId, (rs) => rs.some((r) => r.kind === 'fbq_call' && r.method === 'track' && r.args[0] === 'ViewContent'), 'the ViewContent track call');
    // The same page, where the shopper accepts: the banner grants and the held events go out.
    const sent = t.server.hits.length;
    await page.goto('https://shop.test/consent?grant');
    await serverHits(t.server, sent + 2);
    await t.journalUntil(tabId, (rs) => rs.filter(isPixel).some((h) => param(h, 'eid') === 'vc-consent-1'), 'the released ViewContent');
    await t.pageDone(tabId, 'https://shop.test/consent?grant');
    const rs = await t.journal(tabId);
    assert.equal(rs.filter(isPixel).filter((h) => param(h, 'eid') === 'vc-consent-1').length, 1, 'only the granted page sent ViewContent');
    const panel = await openPanel(tabId);
    await panel.waitForSelector('#pp-findings-body details[data-code="consent_revoked"]');
    const revoked = (await findings(panel)).filter((f) => f.code === 'consent_revoked');
    assert.equal(revoked.length, 1, JSON.stringify(revoked));
    assert.match(revoked[0].text, /page view #1 \(https:\/\/shop\.test\/consent\): fbq\('consent', 'revoke'\) from https:\/\/shop\.test\/assets\/consent-banner\.js came before fbq\('track', 'ViewContent'\)/);
    assert.match(revoked[0].text, /page-reported/);
    await panel.close();
  });

  test('no console error from the extension', () => {
    assert.deepEqual(t.consoleErrors, []);
  });
});
