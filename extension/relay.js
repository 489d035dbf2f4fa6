// PixelProof relay: isolated world, every frame. Checks the shape and size of
// each page-hook record and forwards it to the service worker.
//
// The page can dispatch the same DOM event itself, so everything arriving here
// is page-reported evidence: the worker stores it as such and fills tab, frame
// and document URL from the browser's own sender data, never from the message.
(() => {
  'use strict';
  const KINDS = new Set(['fbq_call', 'scripts', 'gesture', 'fb_log', 'shopify']);
  // One event carries one batch of the hook (at most 50 records; a forged
  // event can claim more, and is cut at MAX_BATCH).
  const MAX_BYTES = 256 * 1024;
  const MAX_BATCH = 200;
  const MAX_PER_SECOND = 200;
  let windowStart = 0;
  let inWindow = 0;

  const check = (record) => {
    if (!record || typeof record !== 'object' || Array.isArray(record)) return null;
    if (!KINDS.has(record.kind)) return null;
    if (typeof record.time !== 'number' || !isFinite(record.time)) return null;
    // Fields the browser knows better than the page are set by the worker.
    delete record.context;
    delete record.origin;
    return record;
  };

  // The hook sends a batch as a JSON array; a lone record object is accepted
  // too. Returns the records that pass, or null.
  const accept = (text) => {
    if (typeof text !== 'string' || text.length > MAX_BYTES) return null;
    let value;
    try {
      value = JSON.parse(text);
    } catch (_) {
      return null;
    }
    const list = Array.isArray(value) ? value.slice(0, MAX_BATCH) : [value];
    const records = [];
    for (const item of list) {
      const record = check(item);
      if (record) records.push(record);
    }
    return records;
  };

  // Extension messaging is the dearest thing this script does to a page
  // (measured: most of its cost during page load), so records go out together:
  // a second after the first one, at 50, or when the page goes away.
  const SEND_AFTER_MS = 1000;
  const SEND_AT = 50;
  let queue = [];
  let timer = 0;
  const send = () => {
    try {
      clearTimeout(timer);
      timer = 0;
      if (!queue.length) return;
      const records = queue;
      queue = [];
      chrome.runtime.sendMessage({ type: 'page-records', records }).catch(() => {});
    } catch (_) { /* the extension was reloaded; nothing to do */ }
  };
  addEventListener('pagehide', send);

  document.addEventListener('pixelproof:record', (e) => {
    try {
      const now = Date.now();
      if (now - windowStart > 1000) {
        windowStart = now;
        inWindow = 0;
      }
      if (inWindow >= MAX_PER_SECOND) return;
      const records = accept(e.detail);
      if (!records || !records.length) return;
      const room = records.slice(0, MAX_PER_SECOND - inWindow);
      inWindow += room.length;
      queue.push(...room);
      if (queue.length >= SEND_AT) send();
      else if (!timer) timer = setTimeout(send, SEND_AFTER_MS);
    } catch (_) { /* the extension was reloaded; nothing to do */ }
  });
})();
