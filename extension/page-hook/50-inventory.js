// @ts-check
// Page hook: the tracking scripts the document lists and the state of its fbq.

// One expression (compiled once per document) for every tracking-script URL we list.
const TRACKING = /\/fbevents(\.[a-z]+)?\.js|\/signals\/config\/|googletagmanager\.com\/gtm\.js|\/gtm\.js\?id=|\/wpm@|web-pixels-manager/;
const inventory = () => {
  try {
    /** @type {string[]} */
    const scripts = [];
    const all = document.scripts || [];
    // A theme lists dozens of scripts: one pass, no copies of the list.
    for (let i = 0; i < all.length && scripts.length < 50; i++) {
      const src = all[i].src;
      if (src && TRACKING.test(src)) scripts.push(src.slice(0, 300));
    }
    let target;
    let alias;
    try { target = window.fbq; alias = window._fbq; } catch (_) { /* a throwing getter the page installed */ }
    emit({
      kind: 'scripts',
      scripts,
      base_code_runs: baseCodeRuns,
      fbq_differs_from_fbq_alias: Boolean(target && alias && target !== alias),
      loaded: target ? typeof target.callMethod === 'function' : null,
      version: target && typeof target.version === 'string' ? target.version : null,
      queued_calls: target && Array.isArray(target.queue) ? target.queue.length : 0,
    });
  } catch (_) { /* ignore */ }
};

// Tracking scripts added after the load (tag managers) update the inventory.
// The observer starts once the document has loaded, right after an inventory
// (90-start.js): scripts inserted before are in that scan, and the page's
// parsing and loading pay nothing for it.
let pending = false;
const watchScripts = () => {
  new MutationObserver((records) => {
    try {
      if (pending) return;
      // Runs for every DOM change of the page: plain loops, no allocation.
      let added = false;
      for (let i = 0; i < records.length && !added; i++) {
        const nodes = records[i].addedNodes;
        for (let k = 0; k < nodes.length; k++) {
          const n = /** @type {any} */ (nodes[k]);
          if (n.tagName === 'SCRIPT' && n.src && TRACKING.test(n.src)) { added = true; break; }
        }
      }
      if (!added) return;
      pending = true;
      setTimer(() => { pending = false; inventory(); }, 200);
    } catch (_) { /* ignore */ }
  }).observe(document, { childList: true, subtree: true });
};
