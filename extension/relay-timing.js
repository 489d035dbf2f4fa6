// @ts-check
// PixelProof relay, its Resource Timing part: isolated world, every frame of a
// watched store, document_start, just before relay.js (which sends what this
// part reports, with its own records).
//
// The document's Resource Timing lists every pixel request it made (image,
// beacon, fetch). The worker can miss requests the browser never handed it
// (its worker stopped mid-burst); the count lets the core say how many went
// uncaptured instead of losing them silently. A page cannot add entries
// without really sending a request, and clearing its buffer does not reach an
// observer.
//
// A GET hit carries its whole event in its URL, which Resource Timing keeps (a
// POST's or a beacon's is in a body it does not). This part holds each such
// URL of the document (at most so many, each at most so long: fbevents
// switches to POST well before that) and sends none unless the worker asks.
// Each message carries the keys of the URLs newly held (a hash, without the
// user data). The worker asks when one of them is no hit it captured, or when
// the counts say pixel requests went uncaptured that no URL names yet, and
// tells the keys of the hits it captured from this frame since the document
// began: only the URLs it never got are sent, each once, as `listed_request`
// records (page-reported: they can only add doubt). A journey that lost
// nothing sends no URL.
// A `var`: relay.js, a script of its own in this world, reads it.
// eslint-disable-next-line no-unused-vars, no-var
var pixelproofTiming = (() => {
  'use strict';
  const PIXEL_ENDPOINT = /^https:\/\/(?:[a-z0-9-]+\.)*(?:facebook|instagram)\.com\/tr\/?(?:[?#]|$)/;
  const GET_HIT = /^https:\/\/(?:[a-z0-9-]+\.)*(?:facebook|instagram)\.com\/tr\/?\?/;
  const MAX_HELD = 2000;
  const MAX_HELD_CHARS = 4096;
  const MAX_KEYS = 20000;
  // This document, as the worker's question names it: a later document in the
  // same frame is not this one. (Only the extension reaches the listener.)
  const doc = { id: Math.random().toString(36).slice(2, 12), since: performance.timeOrigin };
  /** @type {string[]} */
  let held = [];
  // The URLs held since the last message, whose keys go with it (hashed
  // then, in a timer's task, not as the page loads): the worker asks for URLs
  // when one of them is no hit it captured.
  /** @type {string[]} */
  let fresh = [];

  // cyrb53 over UTF-16 code units, and the key of a pixel URL: what the core's
  // `losses::listing_key` computes from the stored URL, whose user-data values
  // are masked (so they are left out of the key on both sides).
  /** @param {string} str */
  const cyrb53 = (str) => {
    let h1 = 0xdeadbeef;
    let h2 = 0x41c6ce57;
    for (let i = 0; i < str.length; i++) {
      const ch = str.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
    h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
    h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return 4294967296 * (2097151 & h2) + (h1 >>> 0);
  };
  const USER_DATA_KEY = /^ud(?:ff)?(?:\[|%5[bB])/;
  // Where a user-data pair could begin: a URL without one is its own text.
  const ANY_USER_DATA = /[?&]ud(?:ff)?(?:\[|%5[bB])/;
  /** @param {string} url */
  const listingKey = (url) => {
    const hash = url.indexOf('#');
    const bare = hash < 0 ? url : url.slice(0, hash);
    const q = bare.indexOf('?');
    const text = q < 0 || !ANY_USER_DATA.test(bare) ? bare : bare.slice(0, q + 1) + bare.slice(q + 1).split('&').map((pair) => {
      const eq = pair.indexOf('=');
      return eq >= 0 && USER_DATA_KEY.test(pair.slice(0, eq)) ? pair.slice(0, eq + 1) : pair;
    }).join('&');
    return cyrb53(text).toString(16);
  };

  /**
   * Starts watching. `counted`: more pixel requests listed; `listed`: a URL
   * record to send; `flush`: records are waiting to go.
   * @param {{ counted: (more: number) => void, listed: (record: object) => void, flush: () => void }} to
   */
  const start = (to) => {
    try {
      new PerformanceObserver((list) => {
        try {
          let more = 0;
          for (const e of list.getEntries()) {
            if (!PIXEL_ENDPOINT.test(e.name)) continue;
            more += 1;
            const type = /** @type {PerformanceResourceTiming} */ (e).initiatorType;
            if (type !== 'beacon' && held.length < MAX_HELD && e.name.length <= MAX_HELD_CHARS && GET_HIT.test(e.name)) {
              held.push(e.name);
              fresh.push(e.name);
            }
          }
          if (more) to.counted(more);
        } catch (_) { /* never throw into the page */ }
      }).observe({ type: 'resource', buffered: true });
    } catch (_) { /* no Resource Timing here: nothing to compare */ }
    // The worker's question: the keys of the hits it has from this frame since
    // this document began. Each held URL one of them matches was captured (it
    // is held no longer); each other one is sent, once.
    try {
      chrome.runtime.onMessage.addListener((msg) => {
        try {
          if (!msg || msg.type !== 'listed-wanted' || msg.doc !== doc.id || !Array.isArray(msg.have)) return;
          /** @type {Map<string, number>} */
          const have = new Map();
          for (const k of msg.have.slice(0, MAX_KEYS)) if (typeof k === 'string') have.set(k, (have.get(k) || 0) + 1);
          const time = Date.now();
          const urls = held;
          held = [];
          let sent = 0;
          for (const url of urls) {
            const key = listingKey(url);
            const n = have.get(key) || 0;
            if (n) {
              have.set(key, n - 1);
              continue;
            }
            to.listed({ kind: 'listed_request', url, time });
            sent += 1;
          }
          if (sent) to.flush();
        } catch (_) { /* never throw into the page */ }
      });
    } catch (_) { /* no extension messaging here */ }
  };

  // What goes with each of the relay's messages: this document, how many URLs
  // it still holds (none: the worker need not ask), and the keys of those it
  // began holding since the last message.
  const info = () => {
    const keys = fresh.map(listingKey);
    fresh = [];
    return { id: doc.id, since: doc.since, held: held.length, fresh: keys };
  };

  return { doc, info, start };
})();
