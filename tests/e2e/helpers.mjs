// Shared setup for the browser tests. The browser itself is a driver
// (../../support/drivers/chromium.mjs here; ../../support/drivers/firefox.mjs for the Firefox tier),
// so the same test and demo code can drive either.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from '../../support/drivers/common.mjs';

export { launch, EXTENSION, STORE_EXTENSION, CHROMIUM } from '../../support/drivers/chromium.mjs';
export { sleep };

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Waits until the server has seen `n` pixel requests (or times out). */
export async function serverHits(server, n, timeout = 10000) {
  const end = Date.now() + timeout;
  while (Date.now() < end && server.hits.length < n) await sleep(50);
  return server.hits;
}

/** Pixel requests as comparable text: method, path, params without per-run values. */
export function normaliseHits(hits) {
  const volatile = new Set(['ts', 'it', 'fbp', 'ec']);
  return hits
    .map((h) => {
      const u = new URL(h.url);
      const params = [...u.searchParams.entries()];
      if (h.body) {
        if ((h.contentType || '').includes('multipart')) {
          for (const m of h.body.matchAll(/name="([^"]+)"\r\n\r\n([^\r]*)\r\n/g)) params.push([m[1], m[2]]);
        } else {
          params.push(...new URLSearchParams(h.body).entries());
        }
      }
      const kept = params.filter(([k]) => !volatile.has(k)).map(([k, v]) => `${k}=${v}`).sort();
      return `${h.method} ${u.host}${u.pathname} ${kept.join('&')}`;
    })
    .sort();
}
