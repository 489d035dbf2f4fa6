// @ts-check
// Page hook: the tracking scripts the document lists and the state of its fbq.

// One expression (compiled once per document) for every tracking-script URL we list.
const TRACKING = /\/fbevents(\.[a-z]+)?\.js|\/signals\/config\/|googletagmanager\.com\/gtm\.js|\/gtm\.js\?id=|\/wpm@|web-pixels-manager/;
// The script elements whose URL can match it, found by the browser in one
// call instead of a look at every script of the page: the words of TRACKING in
// the src attribute in any case, or a src the URL parser rewrites (escapes,
// tabs, line breaks). TRACKING then decides on the URL as the browser resolved
// it. A document whose own base URL has one of the words resolves a relative
// src into a match: there every script is looked at.
const CANDIDATES = 'script[src*="fbevents" i],script[src*="signals" i],script[src*="gtm.js" i],script[src*="wpm@" i],' +
  'script[src*="web-pixels-manager" i],script[src*="%"],script[src*="\\9"],script[src*="\\a"],script[src*="\\d"]';
const WORDS = /fbevents|signals|gtm\.js|wpm@|web-pixels-manager/i;
/** @type {((this: ParentNode, selectors: string) => NodeListOf<Element>) | null} */
const selectAll = (() => {
  try { return Document.prototype.querySelectorAll; } catch (_) { return null; }
})();
const inventory = () => {
  try {
    /** @type {string[]} */
    const scripts = [];
    /** @type {ArrayLike<any>} */
    let all = [];
    try {
      all = selectAll && !WORDS.test(String(document.baseURI)) ? selectAll.call(document, CANDIDATES) : document.scripts || [];
    } catch (_) {
      all = document.scripts || [];
    }
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
