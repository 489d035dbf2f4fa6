// @ts-check
// PixelProof relay: isolated world, every frame of a watched store, document_start.
//
// Two jobs:
//   * Trusted gestures. Clicks, form submits and Enter keys are observed here,
//     in the extension's isolated world, with listeners registered before any
//     page script runs. `isTrusted` seen from this world cannot be forged by the
//     page (a dispatched or scripted event is never trusted), and a page
//     listener cannot stop ours from running: at the window, in the capture
//     phase, ours was registered first. (A copy the worker injects late into
//     a page a start left open came after the page's scripts: it claims no
//     watch over gestures, see the gesture watch below.)
//   * Page-hook records. The MAIN-world hook hands its records over as JSON
//     text in a DOM event, which the page can dispatch too: everything arriving
//     that way is page-reported evidence. This script checks shape and size and
//     forwards it; the worker checks again, stores it as `origin: "page"` and
//     fills tab, frame and document URL from the browser's own sender data.
(() => {
  'use strict';
  // One relay per document. The worker injects a late copy into the store
  // pages a browser or extension start left open (worker/watch.js): the copy
  // leaves if a relay registered for the document runs and still reaches the
  // extension, and otherwise watches what it still can.
  const g = /** @type {any} */ (globalThis);
  if (typeof g.pixelproofRelay === 'function' && g.pixelproofRelay()) return;
  const runtime = chrome.runtime;
  g.pixelproofRelay = () => { try { return typeof runtime.id === 'string'; } catch (_) { return false; } };
  // A late copy saw nothing of the document before it came: not its gestures.
  const late = g.pixelproofLate === true;
  // Kinds the hook may report. Gestures are not among them: only this script
  // records gestures.
  const KINDS = new Set(['fbq_call', 'scripts', 'fb_log', 'shopify', 'consent']);
  // One hook batch is at most 50 records of at most 16 KB each; anything larger
  // did not come from the hook.
  const MAX_EVENT_CHARS = 64 * 1024;
  const MAX_RECORD_CHARS = 16 * 1024;
  const MAX_BATCH = 50;
  // Per document: a page that loops on fbq (or forges a flood) is cut off
  // here; the worker holds every tab to a byte budget as well.
  const MAX_PER_SECOND = 100;
  const MAX_PER_DOCUMENT = 2000;
  const now = Date.now;
  let windowStart = 0;
  let inWindow = 0;
  let total = 0;
  let refused = 0;
  // What the page hook's own ceiling held back, per kind, as it reported it.
  /** @type {Record<string, number>} */
  let hookCaps = {};
  let hookCapped = false;
  const top = window === window.top;
  // relay-timing.js's part, run just before this script in this world.
  const timing = typeof pixelproofTiming === 'object' ? pixelproofTiming : null;

  // Records go out together (extension messaging is the dearest thing this
  // script does to a page): a second after the first one, at 50, or when the
  // page goes away.
  const SEND_AFTER_MS = 1000;
  const SEND_AT = 50;
  /** @type {object[]} */
  let pageRecords = [];
  // What the relay observed itself (gestures, the gesture watch, the Resource
  // Timing count, GET pixel URLs the worker asked for), kept apart from what
  // the page handed over.
  /** @type {object[]} */
  let observed = [];
  /** @type {ReturnType<typeof setTimeout> | 0} */
  let timer = 0;
  // Pixel requests this document's Resource Timing listed, and the last count sent.
  let pixelRequests = 0;
  let reported = 0;
  const send = () => {
    try {
      clearTimeout(timer);
      timer = 0;
      if (!pageRecords.length && !observed.length && !refused && !hookCapped && pixelRequests === reported) return;
      // The document's running count of pixel requests, when it changed.
      if (pixelRequests !== reported) {
        reported = pixelRequests;
        observed.push({ kind: 'request_count', count: reported, time: now() });
      }
      const msg = { type: 'page-records', records: pageRecords, observed, refused, hook_caps: hookCaps, doc: timing && timing.info() };
      pageRecords = [];
      observed = [];
      refused = 0;
      hookCaps = {};
      hookCapped = false;
      chrome.runtime.sendMessage(msg).catch(() => {});
    } catch (_) { /* the extension was reloaded; nothing to do */ }
  };
  const queued = () => {
    if (pageRecords.length + observed.length >= SEND_AT) send();
    else if (!timer) timer = setTimeout(send, SEND_AFTER_MS);
  };

  // ---- trusted gestures ------------------------------------------------------

  // Element properties are read through their prototypes: a form's own are
  // shadowed by its fields, even from this world (a Shopify product form has
  // <input name="id">, so its `id` is that input).
  /**
   * @param {object} proto
   * @param {string} name
   */
  const getter = (proto, name) => /** @type {(this: any) => any} */ (/** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(proto, name)).get);
  const tagNameOf = getter(Element.prototype, 'tagName');
  const textOf = getter(Node.prototype, 'textContent');
  const attr = Element.prototype.getAttribute;
  const closest = Element.prototype.closest;
  const contains = Node.prototype.contains;

  // A short description of the target for the timeline: tag, id, name, type, and
  // the visible label of a button or link — never what was typed into a field,
  // nor the text of anything else clicked (on an order page that can be the
  // shopper's e-mail or address).
  const FIELDS = new Set(['INPUT', 'TEXTAREA', 'SELECT']);
  const LABELLED = new Set(['BUTTON', 'A', 'SUMMARY', 'LABEL']);
  /** @param {any} el the event's target */
  const describe = (el) => {
    try {
      if (!el || typeof el !== 'object') return null;
      const tag = String(tagNameOf.call(el));
      let d = tag.toLowerCase();
      const id = attr.call(el, 'id');
      if (id) d += '#' + id.slice(0, 40);
      if (FIELDS.has(tag)) {
        const name = attr.call(el, 'name');
        const type = attr.call(el, 'type');
        if (name) d += `[name=${name.slice(0, 40)}]`;
        if (type) d += `[type=${type.slice(0, 20)}]`;
        return d;
      }
      const control = closest.call(el, 'button, a, summary, label, [role=button]');
      const labelled = LABELLED.has(tag) || attr.call(el, 'role') === 'button';
      const text = labelled ? String(textOf.call(el) || '').trim().replace(/\s+/g, ' ') : '';
      if (text) d += ' "' + text.slice(0, 40) + '"';
      else if (control && control !== el) {
        const controlId = attr.call(control, 'id');
        d += ` in ${String(tagNameOf.call(control)).toLowerCase()}${controlId ? '#' + controlId.slice(0, 40) : ''}`;
      }
      return d;
    } catch (_) {
      return null; // not an element
    }
  };
  // A trusted `submit` is not always the shopper's: the browser fires one,
  // trusted, for form.requestSubmit() and for a script's button.click() on a
  // submit button. It counts only right after a trusted click or Enter on
  // that same form (the click on its button, Enter in its field, which come
  // in the same task or the next few).
  const SUBMIT_AFTER_ACTION_MS = 1000;
  /** @type {{ target: any, time: number }} */
  let lastAction = { target: null, time: -Infinity };
  /**
   * @param {any} form the submit event's target
   * @param {any} target the last trusted action's target
   */
  const actedOn = (form, target) => {
    try {
      if (!target) return false;
      if (contains.call(form, target)) return true;
      // A control outside the form that names it (<button form="id">).
      const control = closest.call(target, 'button, input');
      return Boolean(control) && /** @type {any} */ (control).form === form;
    } catch (_) {
      return false; // not nodes: no action on that form
    }
  };
  /** @param {string} kind */
  const onGesture = (kind) => /** @param {any} e */ (e) => {
    try {
      if (!e.isTrusted) return;
      if (kind === 'keydown' && e.key !== 'Enter') return;
      const t = now();
      if (kind === 'submit') {
        if (t - lastAction.time > SUBMIT_AFTER_ACTION_MS || !actedOn(e.target, lastAction.target)) return;
      } else {
        lastAction = { target: e.target, time: t };
      }
      observed.push({ kind: 'gesture', gesture: kind, target: describe(e.target), time: t });
      queued();
    } catch (_) { /* never throw into the page */ }
  };
  for (const kind of ['click', 'submit', 'keydown']) {
    addEventListener(kind, onGesture(kind), { capture: true, passive: true });
  }
  // The top document says once that gestures are watched here, so a journey
  // without clicks is told apart from one where gestures were never observed
  // (a HAR file, a page the extension did not reach).
  // (A late copy does not say so: gestures before it came went unseen.)
  if (top && !late) {
    observed.push({ kind: 'gesture_watch', time: now() });
    queued();
  }

  // ---- what the page itself says it sent ----------------------------------------
  // relay-timing.js (run just before this script, in this world) watches the
  // document's Resource Timing: its count of pixel requests, and the URLs of
  // GET hits the worker asks for, go out with this script's records.
  // (Absent only if that script did not run: then this one still does its jobs.)
  if (timing) timing.start({
    counted: (more) => { pixelRequests += more; queued(); },
    listed: (record) => { observed.push(record); if (observed.length >= SEND_AT) send(); },
    flush: queued,
  });

  // ---- page-hook records -------------------------------------------------------

  /** @param {any} record what the page sent: checked here, never trusted */
  const check = (record) => {
    if (!record || typeof record !== 'object' || Array.isArray(record)) return null;
    if (!KINDS.has(record.kind)) return null;
    if (typeof record.time !== 'number' || !isFinite(record.time)) return null;
    // Fields the browser knows better than the page are set by the worker.
    delete record.context;
    delete record.origin;
    return record;
  };

  /**
   * Adds the hook's counts per kind; false when they are not counts of kinds it records.
   * @param {unknown} kinds
   */
  const noteHookCaps = (kinds) => {
    if (!kinds || typeof kinds !== 'object' || Array.isArray(kinds)) return false;
    const entries = Object.entries(kinds);
    if (!entries.length || !entries.every(([kind, n]) => KINDS.has(kind) && Number.isInteger(n) && n > 0 && n <= 1e6)) return false;
    for (const [kind, n] of entries) hookCaps[kind] = Math.min((hookCaps[kind] || 0) + n, 1e6);
    hookCapped = true;
    return true;
  };

  document.addEventListener('pixelproof:record', (e) => {
    try {
      const t = now();
      if (t - windowStart > 1000) {
        windowStart = t;
        inWindow = 0;
      }
      const text = /** @type {CustomEvent} */ (e).detail;
      if (typeof text !== 'string') return;
      if (text.length > MAX_EVENT_CHARS) { refused += 1; queued(); return; }
      // Everything refused is counted, and the worker files the count as a
      // `dropped` note: nothing the page handed over disappears silently.
      let value;
      try {
        value = JSON.parse(text);
      } catch (_) {
        refused += 1;
        queued();
        return;
      }
      const list = Array.isArray(value) ? value : [value];
      refused += Math.max(0, list.length - MAX_BATCH);
      for (const item of list.slice(0, MAX_BATCH)) {
        // The hook's report of what its ceiling held back: counted, not
        // forwarded as a record (the page can forge it too: it only adds doubt).
        if (item && item.kind === 'hook_caps') {
          if (!noteHookCaps(item.kinds)) refused += 1;
          continue;
        }
        const record = check(item);
        if (!record) {
          refused += 1;
          continue;
        }
        if (inWindow >= MAX_PER_SECOND || total >= MAX_PER_DOCUMENT || JSON.stringify(record).length > MAX_RECORD_CHARS) {
          refused += 1;
          continue;
        }
        inWindow += 1;
        total += 1;
        pageRecords.push(record);
      }
      if (pageRecords.length || refused || hookCapped) queued();
    } catch (_) { /* the extension was reloaded; nothing to do */ }
  });

  addEventListener('pagehide', send);
})();
