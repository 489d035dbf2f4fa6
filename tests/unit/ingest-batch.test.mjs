// The worker's module as built (dist/chrome/wasm): a batch of record texts
// handed over in one call (Session.addTexts, what the worker's sessions.js
// does with each batch the journal store wrote) gives the session what adding
// them one at a time gives, and reports each refused record without losing
// the others.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../support/drivers/common.mjs';

const WASM = join(ROOT, 'dist', 'chrome', 'wasm');
const SEPARATOR = '\u001e';

async function load() {
  if (!existsSync(join(WASM, 'pixelproof_wasm_bg.wasm'))) throw new Error(`no worker module in ${WASM}: run ./build.sh build first`);
  const mod = await import(join(WASM, 'pixelproof_wasm.js'));
  mod.initSync({ module: readFileSync(join(WASM, 'pixelproof_wasm_bg.wasm')) });
  return mod;
}

/**
 * Real-shaped records as the worker builds them (capture.js: a navigation per
 * page, a request per pixel hit) from the CLI's HAR fixtures, then the stored
 * journals of the consent fixtures; each as the journal store's JSON text.
 */
function recordTexts() {
  const dir = join(ROOT, 'crates', 'cli', 'tests', 'fixtures');
  const texts = [];
  for (const file of ['messy.har', 'identity-messy.har', 'clean.har', 'markets.har', 'identity.har']) {
    let page = null;
    for (const e of JSON.parse(readFileSync(join(dir, file), 'utf8')).log.entries) {
      const { url, method } = e.request;
      const time = Date.parse(e.startedDateTime);
      if (e._resourceType === 'document' && url.startsWith('https://shop.test/')) {
        page = url;
        texts.push(JSON.stringify({ kind: 'navigation', url, time, tab_id: 7, transition: null, origin: 'network' }));
      } else if (url.startsWith('https://www.facebook.com/tr/?') && method === 'GET') {
        const context = { tab_id: 7, frame_id: 0, frame_type: 'main', document_url: page, top_url: page };
        texts.push(JSON.stringify({ kind: 'request', url, method, body: null, request_type: 'image', context, initiator: 'https://shop.test', stack: [], time, origin: 'network' }));
      }
    }
  }
  for (const file of ['consent-granted.journal.json', 'consent-revoked.journal.json']) {
    for (const r of JSON.parse(readFileSync(join(dir, file), 'utf8'))) texts.push(JSON.stringify(r));
  }
  return texts;
}

const BAD = [
  '{"kind":"request","url":"https://www.facebook.com/tr/?id=1&ev=Purchase"',
  '{"kind":"teleport","time":1}',
  'not a record',
  '[{"kind":"request"}]',
];

/** The badge's count for a few review states: what the worker asks its session. */
function badges(session) {
  return [undefined, { decision: 'go' }, { decision: 'stop', reviewer: 'QA' }].map((review) => session.failing(review));
}

test('a batch gives the session what one record at a time gives, and reports each refused record at its place', async () => {
  const { Session } = await load();
  const good = recordTexts();
  assert.ok(good.filter((t) => t.startsWith('{"kind":"request"')).length >= 15, 'the fixtures give pixel hits');
  const texts = [BAD[0], ...good.slice(0, 10), BAD[1], BAD[2], ...good.slice(10), BAD[3]];

  const alone = new Session(undefined);
  const refusedAlone = [];
  texts.forEach((t, index) => {
    try {
      alone.addText(t);
    } catch (e) {
      refusedAlone.push({ index, message: e.message });
    }
  });
  const batched = new Session(undefined);
  const refused = batched.addTexts(texts.join(SEPARATOR), texts.length);

  assert.deepEqual(refused, refusedAlone);
  assert.deepEqual(refused.map((r) => r.index), [0, 11, 12, texts.length - 1]);
  for (const r of refused) assert.match(r.message, /^journal record refused: /);
  // The good records alone, through the stored-journal path: the same badge.
  const goodOnly = new Session(undefined);
  assert.equal(goodOnly.addJson(`[${good.join(',')}]`), good.length);
  const expected = badges(goodOnly);
  assert.ok(expected.some((n) => n > 0), 'the fixtures fail checks: the comparison sees them');
  assert.deepEqual(badges(batched), expected);
  assert.deepEqual(badges(alone), expected);
});

test('batches in a row equal one batch, and an empty batch adds nothing', async () => {
  const { Session } = await load();
  const texts = recordTexts();
  const whole = new Session(undefined);
  assert.deepEqual(whole.addTexts(texts.join(SEPARATOR), texts.length), []);
  const parts = new Session(undefined);
  for (let i = 0; i < texts.length; i += 7) {
    const batch = texts.slice(i, i + 7);
    assert.deepEqual(parts.addTexts(batch.join(SEPARATOR), batch.length), []);
  }
  assert.deepEqual(parts.addTexts('', 0), []);
  assert.deepEqual(badges(parts), badges(whole));
});

test('a batch whose texts do not match its count is refused whole, adding nothing', async () => {
  const { Session } = await load();
  const texts = recordTexts();
  const session = new Session(undefined);
  const before = badges(session);
  // A text holding the separator would shift every record after it.
  assert.throws(() => session.addTexts([texts[0], `{"kind":"x${SEPARATOR}"}`, ...texts.slice(1)].join(SEPARATOR), texts.length + 1), /holds \d+ texts, not \d+/);
  assert.throws(() => session.addTexts(texts.join(SEPARATOR), texts.length - 1), /holds \d+ texts, not \d+/);
  assert.deepEqual(badges(session), before);
  // The same session still takes the batch.
  assert.deepEqual(session.addTexts(texts.join(SEPARATOR), texts.length), []);
  const reference = new Session(undefined);
  for (const t of texts) reference.addText(t);
  assert.deepEqual(badges(session), badges(reference));
});

test('a page record whose text was cut inside an emoji is kept, redacted, with U+FFFD in its place', async () => {
  const { Session, redactJson } = await load();
  // A theme that cuts a product name to six UTF-16 units keeps half of the emoji.
  const name = 'Café 🍵'.slice(0, 6);
  assert.equal(name.isWellFormed(), false);
  const at = { time: 1_764_000_000_000, origin: 'page', context: { tab_id: 7, frame_id: 0, top_url: 'https://shop.test/products/tea' } };
  const init = JSON.stringify({ kind: 'fbq_call', method: 'init', args: ['1234567890', { em: 'jane.doe@example.com', fn: name }], ...at });
  const track = JSON.stringify({ kind: 'fbq_call', method: 'track', args: ['ViewContent', { content_name: name }], ...at });
  assert.match(init, /\\ud83c/, 'JSON.stringify writes the lone half as an escape');
  const stored = [init, track].map((t) => redactJson(t) ?? t);
  for (const s of stored) assert.doesNotMatch(s, /\\ud83c|jane/);
  // The init call's customer data is masked as ever; the track call keeps its text.
  assert.match(JSON.parse(stored[0]).args[1].fn, /^plain:text:[0-9a-f]{64}$/);
  assert.equal(JSON.parse(stored[1]).args[1].content_name, 'Café \ufffd');
  const session = new Session(undefined);
  assert.deepEqual(session.addTexts([init, track].join(SEPARATOR), 2), [], 'read as written too, none refused');
  assert.deepEqual(new Session(undefined).addTexts(stored.join(SEPARATOR), 2), []);
});
