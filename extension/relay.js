// PixelProof relay: isolated world, every frame. Checks the shape and size of
// each page-hook record and forwards it to the service worker.
//
// The page can dispatch the same DOM event itself, so everything arriving here
// is page-reported evidence: the worker stores it as such and fills tab, frame
// and document URL from the browser's own sender data, never from the message.
(() => {
  'use strict';
  const KINDS = new Set(['fbq_call', 'scripts', 'gesture', 'fb_log', 'shopify']);
  const MAX_BYTES = 64 * 1024;
  const MAX_PER_SECOND = 200;
  let windowStart = 0;
  let inWindow = 0;
  let rejected = 0;

  const accept = (text) => {
    if (typeof text !== 'string' || text.length > MAX_BYTES) return null;
    let record;
    try {
      record = JSON.parse(text);
    } catch (_) {
      return null;
    }
    if (!record || typeof record !== 'object' || Array.isArray(record)) return null;
    if (!KINDS.has(record.kind)) return null;
    if (typeof record.time !== 'number' || !isFinite(record.time)) return null;
    // Fields the browser knows better than the page are set by the worker.
    delete record.context;
    delete record.origin;
    return record;
  };

  document.addEventListener('pixelproof:record', (e) => {
    try {
      const now = Date.now();
      if (now - windowStart > 1000) {
        windowStart = now;
        inWindow = 0;
      }
      if (++inWindow > MAX_PER_SECOND) {
        rejected++;
        return;
      }
      const record = accept(e.detail);
      if (!record) {
        rejected++;
        return;
      }
      chrome.runtime.sendMessage({ type: 'page-record', record, rejected }).catch(() => {});
      rejected = 0;
    } catch (_) { /* the extension was reloaded; nothing to do */ }
  });
})();
