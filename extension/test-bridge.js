// @ts-check
// PixelProof test bridge: in dist/firefox-test only, never in a store build.
//
// WebDriver BiDi cannot open a moz-extension:// page, so the Firefox tests
// cannot talk to the worker from an extension page the way the Chromium tests
// do. This content script runs on one control page of the test store and
// relays the page's window.postMessage requests to the worker, wrapped as
// {type: 'test-bridge', msg}; the worker answers them only when its manifest
// declares this script and the sender is this control page.
(() => {
  'use strict';
  window.addEventListener('message', (e) => {
    const d = e.data;
    if (e.source !== window || !d || d.pixelproofBridge !== 'request') return;
    /** @param {unknown} value */
    const reply = (value) => window.postMessage({ pixelproofBridge: 'reply', id: d.id, reply: value }, '*');
    chrome.runtime.sendMessage({ type: 'test-bridge', msg: d.msg }).then(reply, (err) => reply({ error: String(err && err.message || err) }));
  });
  // The tests wait for this before their first request (document_start comes
  // before any page script, but the test must know the bridge is there at all).
  document.documentElement.dataset.pixelproofBridge = 'ready';
})();
