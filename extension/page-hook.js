// @ts-check
// PixelProof page hook: MAIN world, document_start, every frame.
//
// Records evidence the network cannot show — fbq calls and their callers, the
// tracking-script inventory, fbevents' FB_LOG messages, what a Shopify page
// exposes and the consent state its Customer Privacy API reports — and hands it to the relay as JSON text in a DOM event. The page can
// forge all of it, so it is stored as page-reported evidence that may add doubt
// and never remove it; trusted gestures are the relay's job (isolated world).
// Advanced-matching values in fbq arguments leave here as the page passed them
// and are hashed by the worker before anything is stored. Rules it lives by:
//   * never change what fbq does or what the page sends: fbq is wrapped in a
//     Proxy, so every property (queue, callMethod, loaded, version, push) is the
//     page's own, and _fbq answers with the same proxy so fbq === _fbq holds;
//   * never throw into the page: every entry point is inside try/catch;
//   * make no network request: everything here is read from the page.
(() => {
  'use strict';
  const EVENT = 'pixelproof:record';
  const MAX_ARG_CHARS = 2000;
  // A ceiling per document keeps a page that loops on fbq from flooding us.
  // What it holds back is counted per kind and handed over as a `hook_caps`
  // report, which the worker files as a `dropped` note: never silently.
  const MAX_PER_DOCUMENT = 5000;
  // The relay refuses records over 16 KB: an fbq call with larger arguments is
  // recorded with its arguments cut to this marker rather than lost.
  const MAX_RECORD_CHARS = 12 * 1024;
  let sent = 0;

  // Records go out in batches: one JSON.stringify and one DOM event for
  // everything a document recorded in a quarter of a second (or 50 records),
  // and whatever is left when the page goes away: a product page makes one or
  // two batches instead of one per task.
  // The built-ins are taken now, at document_start, before any page script
  // could replace them.
  const stringify = JSON.stringify;
  const now = Date.now;
  const setTimer = setTimeout.bind(window);
  const clearTimer = clearTimeout.bind(window);
  const dispatch = EventTarget.prototype.dispatchEvent;
  const Custom = CustomEvent;
  const FLUSH_AFTER_MS = 250;
  const FLUSH_AT = 50;
  /** @type {object[] | null} */
  let queue = null;
  /** @type {ReturnType<typeof setTimeout> | 0} */
  let timer = 0;
  /** Records held back by the ceiling since the last report, per kind. @type {Record<string, number> | null} */
  let capped = null;
  const flush = () => {
    const batch = queue;
    const held = capped;
    queue = null;
    capped = null;
    try {
      clearTimer(timer);
      timer = 0;
      if (batch) dispatch.call(document, new Custom(EVENT, { detail: stringify(batch) }));
      // On its own: the relay takes at most one full batch per event.
      if (held) dispatch.call(document, new Custom(EVENT, { detail: stringify([{ kind: 'hook_caps', kinds: held, time: now() }]) }));
    } catch (_) { /* never throw into the page */ }
  };
  /** @param {{ kind: string, [field: string]: any }} record */
  const emit = (record) => {
    try {
      if (++sent > MAX_PER_DOCUMENT) {
        capped = capped || {};
        capped[record.kind] = (capped[record.kind] || 0) + 1;
        if (!timer) timer = setTimer(flush, FLUSH_AFTER_MS);
        return;
      }
      record.time = now();
      if (queue === null) {
        queue = [record];
        timer = setTimer(flush, FLUSH_AFTER_MS);
      } else if (queue.push(record) >= FLUSH_AT) {
        flush();
      }
    } catch (_) {
      queue = null; // never throw into the page; start a fresh batch next time
    }
  };
  // Capture phase: at the window, capture listeners run before the relay's
  // own pagehide listener, so this last batch is in the relay's last message.
  try {
    addEventListener('pagehide', flush, { capture: true });
  } catch (_) { /* ignore */ }

  // JSON-safe, size-limited copy of an fbq argument.
  /**
   * @param {any} value
   * @returns {unknown}
   */
  const safe = (value, depth = 0) => {
    try {
      if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
      if (typeof value === 'string') return value.length > MAX_ARG_CHARS ? value.slice(0, MAX_ARG_CHARS) + '…' : value;
      if (typeof value === 'function') return '[function]';
      if (typeof value !== 'object' || depth > 4) return String(value);
      if (Array.isArray(value)) return value.slice(0, 100).map((v) => safe(v, depth + 1));
      /** @type {Record<string, unknown>} */
      const out = {};
      for (const key of Object.keys(value).slice(0, 100)) out[key] = safe(value[key], depth + 1);
      return out;
    } catch (_) {
      return '[unreadable]';
    }
  };

  // Script URLs on the stack, innermost first. V8 hands Error.prepareStackTrace
  // structured call sites: the script of each frame without working out line
  // and column numbers, which on a cold page is the dearest part of reading
  // error.stack. The page's own handler, if any, is put back before anything else
  // runs; a handler the page made an accessor or locked (or a frozen Error) is
  // left alone and the text of error.stack is read instead.
  const ErrorCtor = Error;
  const describeOwn = Object.getOwnPropertyDescriptor;
  const isExtensible = Object.isExtensible;
  /**
   * @param {Error} _
   * @param {any[]} sites V8's call sites
   */
  const scriptsOf = (_, sites) => {
    const out = [];
    for (const site of sites) {
      try {
        out.push(String(site.getScriptNameOrSourceURL() || site.getFileName() || ''));
      } catch (_) {
        out.push('');
      }
    }
    return out;
  };
  // Frames read "at fn (URL:line:col)" or "at URL:line:col" (V8), "fn@URL:line:col"
  // (Firefox, where there are no call sites and this is the only way).
  const FRAME_URL = /(https?:\/\/[^\s()]+?):\d+:\d+/;
  /** @param {unknown} stack */
  const scriptsFromText = (stack) => String(stack || '').split('\n').map((line) => {
    const m = FRAME_URL.exec(line);
    return m ? m[1] : '';
  });
  const stackScripts = () => {
    const own = describeOwn(ErrorCtor, 'prepareStackTrace');
    const swappable = own ? 'value' in own && own.writable && own.configurable : isExtensible(ErrorCtor);
    if (!swappable) return scriptsFromText(new ErrorCtor().stack);
    ErrorCtor.prepareStackTrace = scriptsOf;
    let stack;
    try {
      stack = new ErrorCtor().stack;
    } finally {
      if (own) ErrorCtor.prepareStackTrace = own.value;
      else delete ErrorCtor.prepareStackTrace;
    }
    return Array.isArray(stack) ? stack : scriptsFromText(stack);
  };

  // The first script on the stack that is neither this hook nor Meta's library.
  const caller = () => {
    try {
      for (const url of stackScripts()) {
        if (!url.startsWith('https://') && !url.startsWith('http://')) continue;
        if (url.includes('connect.facebook.net') || url.includes('/fbevents')) continue;
        return url;
      }
      // Inline scripts show the document URL; frames without a URL show nothing.
      return location.href.startsWith('http') ? location.href : null;
    } catch (_) {
      return null;
    }
  };

  /**
   * @param {string} method
   * @param {unknown[]} args
   */
  const eventIdLocation = (method, args) => {
    try {
      const [paramsAt, optionsAt] = method.startsWith('trackSingle') ? [2, 3] : [1, 2];
      const opts = /** @type {any} */ (args[optionsAt]);
      if (opts && typeof opts === 'object' && opts.eventID != null) return 'options';
      const params = args[paramsAt];
      if (params && typeof params === 'object' && ('eventID' in params || 'event_id' in params)) return 'custom_data';
    } catch (_) { /* ignore */ }
    return null;
  };

  const proxies = new WeakMap(); // page function → our proxy
  /** @param {any} fn */
  const wrap = (fn) => {
    if (typeof fn !== 'function') return fn;
    const known = proxies.get(fn);
    if (known) return known;
    const proxy = new Proxy(fn, {
      apply(target, thisArg, args) {
        try {
          const method = typeof args[0] === 'string' ? args[0] : String(args[0]);
          const record = {
            kind: 'fbq_call',
            method: method.slice(0, 100),
            args: Array.prototype.slice.call(args, 1).map((a) => safe(a)),
            event_id_location: eventIdLocation(method, Array.prototype.slice.call(args, 1)),
            caller: caller(),
            queued: typeof target.callMethod !== 'function',
          };
          const size = stringify(record.args).length;
          if (size > MAX_RECORD_CHARS) record.args = [`[arguments too large to record: ${size} characters]`];
          emit(record);
        } catch (_) { /* never throw into the page */ }
        return Reflect.apply(target, thisArg, args);
      },
      // The base code sets fbq.push = fbq; reading it must give the same object
      // the page sees as fbq (our proxy), or fbq.push === fbq would turn false.
      get(target, prop) {
        const value = Reflect.get(target, prop);
        return typeof value === 'function' && proxies.has(value) ? proxies.get(value) : value;
      },
    });
    proxies.set(fn, proxy);
    return proxy;
  };

  let baseCodeRuns = 0;
  const seenStubs = new WeakSet();
  /**
   * @param {'fbq' | '_fbq'} name
   * @param {boolean} countsBaseCode
   */
  const trap = (name, countsBaseCode) => {
    try {
      const existing = Object.getOwnPropertyDescriptor(window, name);
      if (existing && !existing.configurable) return;
      let current = existing ? existing.value : undefined;
      Object.defineProperty(window, name, {
        configurable: true,
        enumerable: true,
        get() {
          return wrap(current);
        },
        set(value) {
          try {
            if (countsBaseCode && typeof value === 'function' && !seenStubs.has(value)) {
              seenStubs.add(value);
              baseCodeRuns += 1;
            }
          } catch (_) { /* ignore */ }
          // Store the page's own value: reads return the proxy of exactly this function.
          current = value;
        },
      });
    } catch (_) { /* a page that locked window.fbq keeps it; we just see less */ }
  };
  trap('fbq', true);
  trap('_fbq', false);

  // One expression (compiled once per document) for every tracking-script URL we list.
  const TRACKING = /\/fbevents(\.[a-z]+)?\.js|\/signals\/config\/|googletagmanager\.com\/gtm\.js|\/gtm\.js\?id=|\/wpm@|web-pixels-manager/;
  const inventory = () => {
    try {
      const scripts = Array.from(document.scripts || [])
        .map((s) => s.src)
        .filter((src) => src && TRACKING.test(src))
        .slice(0, 50)
        .map((src) => src.slice(0, 300));
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

  // fbevents reports problems with postMessage({..., type/name: 'FB_LOG'}).
  try {
    window.addEventListener('message', (e) => {
      try {
        // Only what this window posted to itself, as fbevents does: any frame
        // (another origin's too) can post to this window.
        if (e.source !== window) return;
        const d = e.data;
        if (!d || typeof d !== 'object') return;
        const tag = d.type || d.name || d.event;
        if (tag !== 'FB_LOG') return;
        const level = String(d.logType || d.level || d.severity || 'info');
        const message = typeof d.logMessage === 'string' ? d.logMessage : JSON.stringify(safe(d.message || d.data || d));
        emit({ kind: 'fb_log', level, message: message.slice(0, 2000) });
      } catch (_) { /* ignore */ }
    }, { passive: true });
  } catch (_) { /* ignore */ }

  /** @param {unknown} v */
  const num = (v) => {
    const n = typeof v === 'string' ? parseFloat(v) : v;
    return typeof n === 'number' && isFinite(n) ? n : null;
  };
  const shopify = () => {
    try {
      const S = window.Shopify;
      const meta = window.ShopifyAnalytics && window.ShopifyAnalytics.meta;
      if (!S && !meta) return;
      /** @type {{ kind: string, shop: string | null, [field: string]: unknown }} */
      const record = { kind: 'shopify', shop: S && typeof S.shop === 'string' ? S.shop : null };
      const pageType = meta && meta.page && meta.page.pageType;
      if (typeof pageType === 'string') record.page_type = pageType;
      const cur = S && S.currency && S.currency.active;
      if (typeof cur === 'string') record.currency = cur;
      const c = S && S.checkout;
      if (c && typeof c === 'object' && num(c.total_price) != null) {
        const items = Array.isArray(c.line_items) ? c.line_items.reduce((/** @type {number} */ n, /** @type {any} */ li) => n + (num(li && li.quantity) || 0), 0) : null;
        record.page_type = record.page_type || 'thank_you';
        record.order = {
          order_number: c.order_id != null ? String(c.order_id) : null,
          total: num(c.total_price),
          subtotal: num(c.subtotal_price),
          shipping: c.shipping_rate ? num(c.shipping_rate.price) : num(c.shipping_price),
          tax: num(c.total_tax),
          discount: num(c.discount && c.discount.amount) || num(c.total_discounts),
          currency: typeof c.currency === 'string' ? c.currency : null,
          item_count: items,
        };
      }
      emit(record);
    } catch (_) { /* ignore */ }
  };

  // The visitor's consent as the store's Shopify Customer Privacy API states it
  // (https://shopify.dev/docs/api/customer-privacy): loaded by the storefront
  // as window.Shopify.customerPrivacy, with currentVisitorConsent() (per
  // purpose "yes", "no" or "" for no decision yet), marketingAllowed() and
  // analyticsProcessingAllowed(); the `visitorConsentCollected` document event
  // carries the visitor's new decision in `detail` (marketingAllowed,
  // analyticsAllowed, …). Shopify runs pixels that need marketing consent only
  // when it is given, so it explains missing events. Only read, never set; a
  // state is sent when it differs from the last one this document sent.
  let lastConsent = '';
  /** @param {unknown} v */
  const bool = (v) => (typeof v === 'boolean' ? v : null);
  /** @param {unknown} v */
  const purpose = (v) => (typeof v === 'string' ? v.slice(0, 20) : null);
  /**
   * @param {string} trigger
   * @param {{ marketing_allowed: boolean | null, analytics_allowed: boolean | null, visitor_consent?: object | null }} state
   */
  const sendConsent = (trigger, state) => {
    const key = stringify(state);
    if (key === lastConsent) return;
    lastConsent = key;
    emit({ kind: 'consent', trigger, ...state });
  };
  const readConsent = () => {
    try {
      const S = window.Shopify;
      const cp = S && typeof S === 'object' ? S.customerPrivacy : null;
      if (!cp || typeof cp !== 'object') return;
      /** @param {string} name */
      const call = (name) => {
        try {
          return typeof cp[name] === 'function' ? cp[name]() : undefined;
        } catch (_) {
          return undefined;
        }
      };
      const v = call('currentVisitorConsent');
      sendConsent('api', {
        visitor_consent: v && typeof v === 'object'
          ? { marketing: purpose(v.marketing), analytics: purpose(v.analytics), preferences: purpose(v.preferences), sale_of_data: purpose(v.sale_of_data) }
          : null,
        marketing_allowed: bool(call('marketingAllowed')),
        analytics_allowed: bool(call('analyticsProcessingAllowed')),
      });
    } catch (_) { /* never throw into the page */ }
  };
  try {
    document.addEventListener('visitorConsentCollected', (e) => {
      try {
        const d = /** @type {any} */ (e).detail;
        if (!d || typeof d !== 'object') return;
        sendConsent('visitor_consent_collected', {
          marketing_allowed: bool(d.marketingAllowed),
          analytics_allowed: bool(d.analyticsAllowed),
        });
      } catch (_) { /* never throw into the page */ }
    }, { passive: true });
    // Storefronts load the API on demand (Shopify.loadFeatures); Hydrogen
    // announces it with this event.
    document.addEventListener('shopifyCustomerPrivacyApiLoaded', readConsent, { passive: true });
  } catch (_) { /* ignore */ }

  // Tracking scripts added after the document is parsed (tag managers) update
  // the inventory. The observer starts at DOMContentLoaded: scripts the parser
  // inserts are in that first scan, and the page's parsing pays nothing.
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

  const onReady = () => { inventory(); shopify(); readConsent(); };
  const parsed = () => {
    onReady();
    try { watchScripts(); } catch (_) { /* ignore */ }
  };
  try {
    // A frame we reach after parsing (about:blank filled by script) starts at once.
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', parsed, { once: true });
    else parsed();
    window.addEventListener('load', () => {
      onReady();
      try { setTimer(() => { inventory(); readConsent(); }, 3000); } catch (_) { /* never throw into the page */ }
    }, { once: true });
  } catch (_) { /* ignore */ }
})();
