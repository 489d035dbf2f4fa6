// @ts-check
// PixelProof page hook: MAIN world, document_start, every frame.
//
// Records evidence the network cannot show — fbq calls and their callers, the
// tracking-script inventory, fbevents' FB_LOG messages, what a Shopify page
// exposes and the consent state its Customer Privacy API reports — and hands
// it to the relay as JSON text in a DOM event. The page can forge all of it,
// so it is stored as page-reported evidence that may add doubt and never
// remove it; trusted gestures are the relay's job (isolated world).
// Advanced-matching values in fbq arguments leave here as the page passed them
// and are hashed by the worker before anything is stored. Rules it lives by:
//   * never change what fbq does or what the page sends: fbq is wrapped in a
//     Proxy, so every property (queue, callMethod, loaded, version, push) is the
//     page's own, and _fbq answers with the same proxy so fbq === _fbq holds;
//   * never throw into the page: every entry point is inside try/catch;
//   * make no network request: everything here is read from the page;
//   * do before the page's first pixel call only what that call needs: the
//     rest waits for the browser to be idle.
//
// The page runs it as one classic script: build.sh joins the files of
// extension/page-hook/ in the order of their names into dist's page-hook.js,
// inside one function, so nothing here becomes a global of the page. Each file
// is type-checked on its own (tsc sees them as scripts sharing one scope).
// This file: handing records to the relay.

const EVENT = 'pixelproof:record';
// A ceiling per document keeps a page that loops on fbq from flooding us.
// What it holds back is counted per kind and handed over as a `hook_caps`
// report, which the worker files as a `dropped` note: never silently.
const MAX_PER_DOCUMENT = 5000;
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
// The relay refuses records over 16 KB: an fbq call with larger arguments is
// recorded with its arguments cut to this marker rather than lost. Checked
// here, where each record is made text anyway, not in the page's call.
const MAX_ARGS_CHARS = 12 * 1024;
/** A record as JSON text, its `args` cut to a marker when they are too large. @param {any} record */
const recordText = (record) => {
  const text = stringify(record);
  if (text.length <= MAX_ARGS_CHARS || !record.args) return text;
  const size = stringify(record.args).length;
  if (size <= MAX_ARGS_CHARS) return text;
  record.args = [`[arguments too large to record: ${size} characters]`];
  return stringify(record);
};
const flush = () => {
  const batch = queue;
  const held = capped;
  queue = null;
  capped = null;
  try {
    clearTimer(timer);
    timer = 0;
    // The same text as stringify(batch), one record at a time (a loop, not
    // the Array methods a page script may have replaced since).
    if (batch) {
      let text = '';
      for (let i = 0; i < batch.length; i++) text += (i ? ',' : '') + recordText(batch[i]);
      dispatch.call(document, new Custom(EVENT, { detail: `[${text}]` }));
    }
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
