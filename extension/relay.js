// PixelProof relay: isolated world, every frame. Checks the shape and size of
// each page-hook record and forwards it to the service worker.
//
// The page can dispatch the same DOM event itself, so everything arriving here
// is page-reported evidence: the worker stores it as such and fills tab, frame
// and document URL from the browser's own sender data, never from the message.
(() => {
  'use strict';
  const KINDS = new Set(['fbq_call', 'scripts', 'gesture', 'fb_log', 'shopify']);
  // One event carries the records of one task of the page (usually 1–5).
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

  // The hook sends the records of one task as a JSON array; a lone record
  // object is accepted too. Returns the records that pass, or null.
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
      // One message per page event: the messaging cost is per call, not per record.
      chrome.runtime.sendMessage({ type: 'page-records', records: room }).catch(() => {});
    } catch (_) { /* the extension was reloaded; nothing to do */ }
  });
})();
