// @ts-check
// PixelProof service worker: the entry point. It checks storage, registers
// the listeners synchronously at top level (the pattern uBlock Origin uses:
// an MV3 worker is woken by the event it missed only if its listener was
// registered in the first turn of its script), and hands each event to the
// modules in worker/:
//
//   boot.js       what a start waits for (wasm, the storage check, `ready`)
//   inbox.js      every event in storage.session first, handled in order, replayed after a stop
//   capture.js    pixel requests and page views from the network
//   page.js       page-hook records and trusted gestures from the relay
//   listing.js    asks a relay for the URLs of GET hits never handed over
//   journal.js    the journal store, redaction through the core
//   sessions.js   each tab's core session, rebuilt from its journal
//   badge.js      the toolbar badge
//   watch.js      watched origins and the page scripts registered for them
//   reviews.js    the review fields
//   messages.js   runtime messages (the relay's, the panel's; test doors in test builds)
//
// The journal is the only state: the core rebuilds everything from it, so a
// worker that MV3 stopped (after ~30 s idle) loses nothing. Storage keys and
// limits are storage.js's.
import { WEB_REQUEST_URLS } from './wasm/contract.js';
import { platform } from './platform.js';
import { closeToContentScripts, startBrowserSession } from './storage.js';
import { boot, ready, wasmReady } from './worker/boot.js';
import { requestEntry } from './worker/capture.js';
import { enqueue, replayInbox } from './worker/inbox.js';
import { journal } from './worker/journal.js';
import { clearTab, handle } from './worker/messages.js';
import { lastTabByOrigin } from './worker/tab-state.js';
import { onPermissionsChanged, registerPageScripts, relayIntoOpenPages } from './worker/watch.js';

async function prepareStorage() {
  closeToContentScripts();
  // storage.session is emptied when the browser starts: a missing marker means
  // journals in storage.local belong to a previous browser session (their tab
  // ids mean nothing now). The last few are kept as recent journeys, the rest
  // removed, here, before any event of this session is handled, so the first
  // page after a start is never lost to it.
  const kept = await startBrowserSession();
  journal.reset();
  for (const [origin, tab] of Object.entries(kept.lastTabByOrigin)) lastTabByOrigin.set(origin, tab);
  return kept.started;
}

// Page-script registration runs beside the events (it matters to pages loaded
// later, not to the events already in hand), then, at a session's start, the
// late relay for pages already open; each tab's journal is read when its first
// event arrives.
const sessionStart = prepareStorage();
boot(sessionStart.then(() => {}), async () => {
  registerPageScripts()
    .then(async () => { if (await sessionStart) await relayIntoOpenPages(); })
    .catch((e) => console.warn('PixelProof: registration failed', e));
  await wasmReady;
  await replayInbox();
}).catch((e) => console.warn('PixelProof: init failed', e));

// ---- listeners (top level, synchronous) -------------------------------------

chrome.webRequest.onBeforeRequest.addListener(
  (details) => { enqueue(requestEntry(details)); },
  { urls: WEB_REQUEST_URLS },
  ['requestBody'],
);
/** @param {string | null} transition */
const onCommitted = (transition) => /** @param {chrome.webNavigation.WebNavigationTransitionCallbackDetails} d */ (d) => {
  if (d.frameId !== 0) return;
  enqueue({ t: 'nav', tab: d.tabId, d: { url: d.url, tabId: d.tabId, timeStamp: d.timeStamp, transition } });
};
chrome.webNavigation.onCommitted.addListener((d) => onCommitted(d.transitionType || null)(d));
chrome.webNavigation.onHistoryStateUpdated.addListener(onCommitted('history'));
chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  handle(msg, sender).then(sendResponse, (e) => sendResponse({ error: String((e && e.message) || e) }));
  return true;
});
// A closed tab's journey goes. Not when its window closes (the browser quitting
// closes them all): that journey is kept as a recent one at the next start.
chrome.tabs.onRemoved.addListener((tab, info) => {
  if (!info.isWindowClosing) ready.then(() => clearTab(tab)).catch(() => {});
});
chrome.permissions.onAdded.addListener(() => { onPermissionsChanged().catch((e) => console.warn('PixelProof: registration failed', e)); });
chrome.permissions.onRemoved.addListener(() => { onPermissionsChanged().catch((e) => console.warn('PixelProof: registration failed', e)); });
// Listened to so the browser starts this worker as it starts, and as the
// extension is installed, updated or reloaded, not at the first event it has
// for it: a restored session's pages are heard sooner, and store pages left
// open get their late relay at once.
// https://developer.chrome.com/docs/extensions/reference/api/runtime#event-onStartup
chrome.runtime.onStartup.addListener(() => {});
chrome.runtime.onInstalled.addListener(() => {});
platform.init();
