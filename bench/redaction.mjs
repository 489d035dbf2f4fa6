// The worker's redaction in V8: every record's JSON through the core
// (`redactJson`) against the record's JSON alone (which the journal makes for
// every record anyway), for each kind of record a journey is made of, with the
// extension's own wasm as built (target/ext/wasm). Prints µs per record.
// Usage: node bench/redaction.mjs   (after ./build.sh build; WASM_DIR: another build's wasm/)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.env.WASM_DIR || join(dirname(fileURLToPath(import.meta.url)), '..', 'target', 'ext', 'wasm');
const wasm = await import(join(dir, 'pixelproof_wasm.js'));
wasm.initSync({ module: readFileSync(join(dir, 'pixelproof_wasm_bg.wasm')) });

const context = { tab_id: 7, frame_id: 0, frame_type: 'main', document_url: 'https://shop.test/products/tee', top_url: 'https://shop.test/products/tee' };
const EM = '86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d';
const hit = (i) => ({
  kind: 'request', method: 'GET', body: null, request_type: 'image', context, initiator: 'https://shop.test', stack: [], time: 1764000000000 + i, origin: 'network',
  url: `https://www.facebook.com/tr/?id=1234567890&ev=ViewContent&dl=https%3A%2F%2Fshop.test%2Fproducts%2Ftee&rl=&if=false&ts=${1764000000000 + i}&cd[content_ids]=%5B%22tee-${i}%22%5D&cd[value]=30.00&cd[currency]=USD&sw=1280&sh=800&v=2.9.179&r=stable&ec=1&o=4126&fbp=fb.1.1764000000000.123456789&ud[em]=${EM}&eid=vc-${i}&it=1764000000000&coo=false&rqm=GET`,
});
const mix = (i) => [
  hit(i),
  { kind: 'navigation', url: 'https://shop.test/products/tee', time: i, tab_id: 7, transition: 'link', origin: 'network' },
  { kind: 'gesture', gesture: 'click', target: 'button#add', time: i, context, origin: 'isolated' },
  { kind: 'fbq_call', method: 'track', args: ['ViewContent', { value: 30, currency: 'USD' }, { eventID: `vc-${i}` }], time: i, context, origin: 'page' },
][i % 4];
const { REDACTED_KINDS } = await import(join(dir, 'contract.js'));
const REDACTED = new Set(REDACTED_KINDS);
const KINDS = ['pixel hit', 'navigation', 'gesture', 'fbq call'];
const median = (a) => a.sort((x, y) => x - y)[a.length >> 1];

/** µs per record of `records`: JSON text alone, or JSON text and the core's redaction. */
function round(records, through) {
  const t0 = performance.now();
  let n = 0;
  for (const r of records) {
    const text = JSON.stringify(r);
    n += through && REDACTED.has(r.kind) ? (wasm.redactJson(text) ?? text).length : text.length;
  }
  if (n < 0) throw new Error('unreachable');
  return ((performance.now() - t0) * 1000) / records.length;
}

console.log('µs per record, median of 9 rounds of 5,000: JSON text alone → with the core\'s redaction');
KINDS.forEach((name, k) => {
  const records = Array.from({ length: 5000 }, (_, i) => mix(i * 4 + k));
  const alone = [];
  const core = [];
  for (let r = 0; r < 9; r++) {
    alone.push(round(records, false));
    core.push(round(records, true));
  }
  console.log(`  ${name.padEnd(11)} ${median(alone).toFixed(2)} → ${median(core).toFixed(2)}`);
});
