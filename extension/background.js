// PixelProof service worker.
//
// Listens to pixel traffic (webRequest), navigations (webNavigation) and the
// page hook (via the relay), and appends each piece of evidence to the tab's
// journal in extension storage. The journal is the only state: the wasm core
// rebuilds everything from it, so a worker that MV3 stopped (after ~30 s idle)
// loses nothing. Listeners are registered synchronously at top level and await
// one init promise (the pattern uBlock Origin uses).
import init, { Session } from './wasm/pixelproof_wasm.js';
import { platform } from './platform.js';
import { createJournalStore } from './journal-store.js';

// Pixel endpoints and Meta's script host. Host access to these is declared in
// the manifest; access to the store's origin is granted by the user.
const PIXEL_URLS = [
  'https://www.facebook.com/tr*',
  'https://*.facebook.com/tr*',
  'https://www.facebook.com/privacy_sandbox/*',
  'https://www.instagram.com/tr*',
  'https://connect.facebook.net/*',
];
const PIXEL_HOSTS = new Set(['www.facebook.com', 'facebook.com', 'www.instagram.com', 'connect.facebook.net']);
// Keep the newest records beyond this many; a `dropped` record says how many went.
export const JOURNAL_CAP = 20000;

const ready = (async () => {
  await init({ module_or_path: chrome.runtime.getURL('wasm/pixelproof_wasm_bg.wasm') });
  await registerPageScripts();
})();
ready.catch((e) => console.warn('PixelProof: init failed', e));

// ---- watched origins -------------------------------------------------------

// Cached: read once per worker start and on every permission change, not per
// request (a burst of pixel hits must not wait on the permissions API).
let watchedCache = null;
async function watchedOrigins() {
  if (!watchedCache) watchedCache = readWatchedOrigins();
  return watchedCache;
}

async function readWatchedOrigins() {
  const { origins = [] } = await chrome.permissions.getAll();
  const out = [];
  for (const pattern of origins) {
    const m = pattern.match(/^(\*|https?):\/\/([^/]+)\//);
    if (!m) continue;
    const host = m[2];
    if (PIXEL_HOSTS.has(host) || host.endsWith('.facebook.com') || host === '*' || host.startsWith('*.')) continue;
    out.push(pattern);
  }
  return out;
}

function originMatches(url, patterns) {
  let u;
  try {
    u = new URL(url);
  } catch (_) {
    return false;
  }
  return patterns.some((p) => {
    const m = p.match(/^(\*|https?):\/\/([^/]+)\//);
    return m && m[2] === u.host && (m[1] === '*' || m[1] + ':' === u.protocol);
  });
}

// The page hook and relay run in every frame of watched origins, registered
// for exactly the origins the user granted (nothing is injected elsewhere).
async function registerPageScripts() {
  const matches = await watchedOrigins();
  const existing = await chrome.scripting.getRegisteredContentScripts();
  const ids = existing.map((s) => s.id).filter((id) => id.startsWith('pixelproof-'));
  if (ids.length) await chrome.scripting.unregisterContentScripts({ ids });
  if (!matches.length) return;
  const common = { matches, runAt: 'document_start', allFrames: true, matchOriginAsFallback: true, persistAcrossSessions: false };
  await chrome.scripting.registerContentScripts([
    { id: 'pixelproof-hook', js: ['page-hook.js'], world: 'MAIN', ...common },
    { id: 'pixelproof-relay', js: ['relay.js'], world: 'ISOLATED', ...common },
  ]);
  await chrome.storage.session.set({ registered: matches });
}

// ---- the journal -------------------------------------------------------------

const journal = createJournalStore({
  storage: chrome.storage.local,
  cap: JOURNAL_CAP,
  onAccepted(tab, batch, start) {
    // An open panel follows the journal live (with no panel open nobody
    // listens); it need not wait for the storage write.
    chrome.runtime.sendMessage({ type: 'records', tabId: tab, start, records: batch }).catch(() => {});
  },
  onFailed(tab) {
    // The batch the panel already shows is not stored: it re-reads the journal.
    chrome.runtime.sendMessage({ type: 'journal-reset', tabId: tab }).catch(() => {});
  },
  onWritten(tab, batch, droppedSome) {
    const s = sessions.get(tab);
    if (s && !droppedSome) {
      for (const r of batch) addToSession(s, r);
    } else {
      sessions.delete(tab);
    }
    scheduleBadge(tab);
  },
});
const append = (tab, record) => journal.append(tab, record).catch((e) => console.warn('PixelProof: journal write failed', e));
export const readJournal = (tab) => journal.read(tab);

// The top-level page of each tab, kept apart from the journal's own meta so a
// navigation never races a journal write.
const topUrls = new Map(); // tab → top URL; storage is the source after a restart
async function tabTopUrl(tab) {
  if (topUrls.has(tab)) return topUrls.get(tab);
  const got = await chrome.storage.local.get(`top:${tab}`);
  const url = got[`top:${tab}`] || null;
  if (url) topUrls.set(tab, url);
  return url;
}

async function clearTab(tab) {
  await journal.clear(tab);
  sessions.delete(tab);
  topUrls.delete(tab);
  await chrome.storage.local.remove([`review:${tab}`, `top:${tab}`]);
  await platform.setBadge(tab, '');
}

// ---- sessions (derived, rebuilt from the journal on demand) --------------

const sessions = new Map(); // tab → { session, loading }

function addToSession(s, record) {
  try {
    s.session.add(record);
  } catch (e) {
    console.warn('PixelProof: record refused by the core', e);
  }
}

async function sessionFor(tab) {
  await ready;
  for (;;) {
    const s = sessions.get(tab);
    if (s) return s.session;
    const built = { session: new Session(undefined) };
    const records = await readJournal(tab);
    for (const r of records) addToSession(built, r);
    // A write that landed while we read would be missing: read again.
    if (!journal.busy(tab)) {
      sessions.set(tab, built);
      return built.session;
    }
    built.session.free();
  }
}

// The badge trails the journal by up to a second so that rebuilding it never
// competes for the CPU with a page that is still loading.
const BADGE_DELAY_MS = 1000;
const badgeTimers = new Map();
function scheduleBadge(tab) {
  if (badgeTimers.has(tab)) return;
  badgeTimers.set(tab, setTimeout(async () => {
    badgeTimers.delete(tab);
    try {
      const session = await sessionFor(tab);
      const failing = session.failing(await readReview(tab));
      await platform.setBadge(tab, failing ? String(failing) : '');
    } catch (e) {
      console.warn('PixelProof: badge update failed', e);
    }
  }, BADGE_DELAY_MS));
}

async function readReview(tab) {
  const got = await chrome.storage.local.get(`review:${tab}`);
  return got[`review:${tab}`] || {};
}

// ---- evidence from the network -------------------------------------------

function base64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function bodyOf(details) {
  const rb = details.requestBody;
  if (!rb) return null;
  if (rb.formData) {
    const fields = [];
    for (const [k, values] of Object.entries(rb.formData)) for (const v of values) fields.push([k, String(v)]);
    return { type: 'form', fields };
  }
  if (rb.raw && rb.raw.length) {
    const parts = rb.raw.filter((p) => p.bytes).map((p) => new Uint8Array(p.bytes));
    const size = parts.reduce((n, p) => n + p.length, 0);
    const all = new Uint8Array(size);
    let at = 0;
    for (const p of parts) { all.set(p, at); at += p.length; }
    return { type: 'bytes', content_type: null, base64: base64(all) };
  }
  return null;
}

async function frameUrl(tab, frameId) {
  if (frameId === 0) return null;
  try {
    const f = await chrome.webNavigation.getFrame({ tabId: tab, frameId });
    return f ? f.url : null;
  } catch (_) {
    return null;
  }
}

// Requests from dedicated workers carry no tab; the worker belongs to the
// watched tab of the same origin that was active last.
const lastTabByOrigin = new Map();

async function onRequest(details) {
  await ready;
  const watched = await watchedOrigins();
  let tab = details.tabId;
  const initiator = platform.initiator(details);
  if (tab < 0) {
    tab = initiator ? lastTabByOrigin.get(initiator) ?? -1 : -1;
    if (tab < 0) return;
  }
  const top = await tabTopUrl(tab);
  if (!top || !originMatches(top, watched)) return;
  // A form POST into a hidden iframe is a navigation of that (blank) iframe:
  // the document that sent it is the iframe's parent. Requests of dedicated
  // workers are reported by Chrome as the owning frame's (no way to tell them
  // apart here); the sender rules then rely on the agent parameter.
  const navigation = details.type === 'sub_frame' || details.type === 'main_frame';
  const senderFrame = navigation ? details.parentFrameId : details.frameId;
  const frameType = senderFrame < 0 && !navigation ? 'worker' : senderFrame <= 0 ? 'main' : 'sub';
  const docUrl = frameType === 'main' ? top : frameType === 'sub' ? await frameUrl(tab, senderFrame) : initiator;
  const context = { tab_id: tab, frame_id: senderFrame, frame_type: frameType, document_url: docUrl, top_url: top };
  if (details.url.startsWith('https://connect.facebook.net/')) {
    await append(tab, { kind: 'script_load', url: details.url, context, time: details.timeStamp, origin: 'network' });
    return;
  }
  await append(tab, {
    kind: 'request',
    url: details.url,
    method: details.method,
    body: bodyOf(details),
    request_type: details.type,
    context,
    initiator,
    stack: [],
    time: details.timeStamp,
    origin: 'network',
  });
}

async function onNavigation(details, transition) {
  if (details.frameId !== 0) return;
  await ready;
  const watched = await watchedOrigins();
  if (!originMatches(details.url, watched)) return;
  topUrls.set(details.tabId, details.url);
  await chrome.storage.local.set({ [`top:${details.tabId}`]: details.url });
  try { lastTabByOrigin.set(new URL(details.url).origin, details.tabId); } catch (_) { /* ignore */ }
  await append(details.tabId, { kind: 'navigation', url: details.url, time: details.timeStamp, tab_id: details.tabId, transition, origin: 'network' });
}

// ---- messages ---------------------------------------------------------------

async function onPageRecords(msg, sender) {
  const tab = sender.tab && sender.tab.id;
  if (tab == null || tab < 0 || !Array.isArray(msg.records)) return { ok: false };
  const watched = await watchedOrigins();
  // The relay sends at pagehide too, when the tab may already show the next
  // page: a top frame's records belong to the document that sent them.
  const top = sender.frameId === 0 && /^https?:/.test(sender.url || '') ? sender.url : await tabTopUrl(tab);
  if (!top || !originMatches(top, watched)) return { ok: false };
  // The browser says which frame sent it; the page does not get a vote.
  const context = {
    tab_id: tab,
    frame_id: sender.frameId ?? null,
    frame_type: sender.frameId === 0 ? 'main' : 'sub',
    document_url: sender.url || null,
    top_url: top,
  };
  // Appended together, they land in one storage write.
  const written = [];
  for (const record of msg.records) {
    if (!record || typeof record !== 'object') continue;
    record.origin = 'page';
    record.context = context;
    written.push(append(tab, record));
  }
  await Promise.all(written);
  return { ok: true };
}

// ---- test builds only: the Firefox test bridge ------------------------------
// BiDi cannot open moz-extension:// pages, so the Firefox tests reach this worker
// through extension/test-bridge.js on one control page. Its requests are answered
// only when the running manifest declares that script (dist/firefox-test; no store
// build carries it) and only from the top frame of that page; they are then
// handled as if an extension page had sent them.
// Firefox's getManifest() gives content script paths as full moz-extension: URLs.
const BRIDGE_JS = ['test-bridge.js', chrome.runtime.getURL('test-bridge.js')];
const TEST_BRIDGE = (chrome.runtime.getManifest().content_scripts || []).find((c) => (c.js || []).some((j) => BRIDGE_JS.includes(j)));
async function fromTestBridge(msg, sender) {
  const m = msg.msg;
  if (!TEST_BRIDGE || sender.frameId !== 0 || !TEST_BRIDGE.matches.includes(sender.url) || !m || typeof m !== 'object') {
    return { error: 'unknown message' };
  }
  switch (m.type) {
    // The Chromium tests ask the tabs API from an extension page; this is that.
    case 'tabs':
      return { tabs: (await chrome.tabs.query({})).map((t) => ({ id: t.id, url: t.url || null })) };
    // The panel in a tab of its own, for the tests to look at.
    case 'open-panel':
      return { tabId: (await chrome.tabs.create({ url: chrome.runtime.getURL(`panel.html?tab=${Number(m.tabId)}`) })).id };
    case 'test-bridge':
    case 'page-records':
      return { error: 'unknown message' };
    default:
      return handle(m, { id: chrome.runtime.id, url: chrome.runtime.getURL('panel.html') });
  }
}
// ---- end of the test bridge ---------------------------------------------------

async function handle(msg, sender) {
  switch (msg && msg.type) {
    case 'test-bridge':
      return fromTestBridge(msg, sender);
    case 'page-records':
      return onPageRecords(msg, sender);
    case 'get-journal': {
      const { records, total } = await journal.readWithTotal(msg.tabId);
      return { records, total, review: await readReview(msg.tabId) };
    }
    case 'get-summary': {
      await journal.idle(msg.tabId);
      const session = await sessionFor(msg.tabId);
      return { summary: session.summary(await readReview(msg.tabId)) };
    }
    case 'get-packet': {
      await journal.idle(msg.tabId);
      const session = await sessionFor(msg.tabId);
      const review = await readReview(msg.tabId);
      return { packet: session.packet(review, Boolean(msg.rawUserData)), markdown: session.packetMarkdown(review) };
    }
    case 'set-review':
      await chrome.storage.local.set({ [`review:${msg.tabId}`]: msg.review || {} });
      scheduleBadge(msg.tabId);
      return { ok: true };
    case 'add-evidence': {
      // Pasted server payloads / order JSON become journal records; the core
      // reports a bad paste as an input error and keeps everything else.
      if (!['server_payload', 'order'].includes(msg.kind)) return { error: 'unknown evidence kind' };
      await append(msg.tabId, { kind: msg.kind, label: String(msg.label || 'pasted'), text: String(msg.text || '') });
      return { ok: true };
    }
    case 'clear':
      await clearTab(msg.tabId);
      return { ok: true };
    case 'watch-changed':
      watchedCache = null;
      await registerPageScripts();
      return { ok: true, watched: await watchedOrigins() };
    case 'status':
      await ready;
      return { ok: true, watched: await watchedOrigins(), registered: (await chrome.storage.session.get('registered')).registered || [] };
    default:
      return { error: 'unknown message' };
  }
}

// ---- listeners (top level, synchronous) -------------------------------------

chrome.webRequest.onBeforeRequest.addListener(
  (details) => { onRequest(details).catch((e) => console.warn('PixelProof: request not recorded', e)); },
  { urls: PIXEL_URLS },
  ['requestBody'],
);
chrome.webNavigation.onCommitted.addListener((d) => { onNavigation(d, d.transitionType || null).catch(() => {}); });
chrome.webNavigation.onHistoryStateUpdated.addListener((d) => { onNavigation(d, 'history').catch(() => {}); });
chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  handle(msg, sender).then(sendResponse, (e) => sendResponse({ error: String(e && e.message || e) }));
  return true;
});
chrome.tabs.onRemoved.addListener((tab) => { clearTab(tab).catch(() => {}); });
chrome.permissions.onAdded.addListener(() => { watchedCache = null; ready.then(registerPageScripts).catch(() => {}); });
chrome.permissions.onRemoved.addListener(() => { watchedCache = null; ready.then(registerPageScripts).catch(() => {}); });
chrome.runtime.onStartup.addListener(() => {
  // Journals belong to one browser session: start clean after a restart.
  chrome.storage.local.clear().catch(() => {});
});
platform.init();
