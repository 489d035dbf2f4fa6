// @ts-check
// Page hook: what starts when. Before the page's first pixel call only what
// that call needs runs (the fbq traps, listeners that cost nothing until their
// event). Reading the page's state (scripts, Shopify, consent) waits for the
// browser to be idle after parsing and again after the load; the script watch
// starts after the load, right after an inventory, so no script is missed in
// between. What is still due when the page goes away is done then, before the
// last batch leaves.

trap('fbq', true);
trap('_fbq', false);

const idle = typeof requestIdleCallback === 'function' ? requestIdleCallback.bind(window) : null;
// The longest a read waits for an idle moment on a page that is never idle.
const IDLE_TIMEOUT_MS = 1000;
// Reads asked for and not yet done: one after parsing, one after the load
// (each is its own inventory, even when both wait for the same idle moment).
let due = 0;
let loaded = false;
let watching = false;
const readPage = () => {
  inventory();
  shopify();
  readConsent();
};
const readDue = () => {
  try {
    if (!due) return;
    due -= 1;
    readPage();
    if (loaded && !watching) {
      watching = true;
      watchScripts();
    }
  } catch (_) { /* never throw into the page */ }
};
const readWhenIdle = () => {
  try {
    due += 1;
    if (idle) idle(readDue, { timeout: IDLE_TIMEOUT_MS });
    else setTimer(readDue, 50);
  } catch (_) { /* never throw into the page */ }
};

try {
  // Capture phase: at the window, capture listeners run before the relay's
  // own pagehide listener, so this last batch is in the relay's last message.
  addEventListener('pagehide', () => {
    try {
      if (due) {
        due = 0;
        readPage();
      }
    } catch (_) { /* never throw into the page */ }
    flush();
  }, { capture: true });
} catch (_) { /* ignore */ }
try { watchFbLog(); } catch (_) { /* ignore */ }
try { watchConsent(); } catch (_) { /* ignore */ }
try {
  // A frame we reach after parsing (about:blank filled by script) reads at once.
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', readWhenIdle, { once: true });
  else readPage();
  const onLoad = () => {
    loaded = true;
    readWhenIdle();
    try { setTimer(() => { inventory(); readConsent(); }, 3000); } catch (_) { /* never throw into the page */ }
  };
  if (document.readyState === 'complete') onLoad();
  else window.addEventListener('load', onLoad, { once: true });
} catch (_) { /* ignore */ }
