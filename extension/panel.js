// @ts-check
// Panel shell: loads the wasm and hands the Rust panel a small bridge to the
// extension APIs it needs. Everything the user sees is built in Rust
// (crates/panel), with text nodes only.
import { journalFeed, streamJournal } from './journal-text.js';
import { keptBridge, readKept, showRecent } from './recent.js';
import { journalId, loadEpoch, local, readReview } from './storage.js';

performance.mark('pp:start');
// Opening the panel is measured (bench/browser.mjs, "first full paint"), so
// everything it waits for starts at once, here: the wasm module compiles (it
// is fetched and compiled while it streams in), the wasm-bindgen glue loads,
// and the tab's journal is read, each in parallel with the others. User
// Timing marks time the parts: the bench reads them.
const compiled = WebAssembly.compileStreaming(fetch(new URL('wasm/pixelproof_panel_bg.wasm', import.meta.url))).then((m) => {
  performance.mark('pp:compiled');
  return m;
});
const glue = import('./wasm/pixelproof_panel.js');
// Instantiated as soon as both are in, while the tab is looked up and its
// journal read: nothing of it waits for those.
const ready = Promise.all([glue, compiled]).then(async ([g, m]) => {
  await g.default({ module_or_path: m });
  performance.mark('pp:instantiated');
  return g;
});
ready.catch(() => {}); // awaited below, where a failure is shown

const params = new URLSearchParams(location.search);
/** @param {string | null | undefined} u */
const originOf = (u) => { try { return new URL(/** @type {string} */ (u)).origin; } catch (_) { return null; } };
// panel.html has it.
const app = /** @type {HTMLElement} */ (document.getElementById('app'));

// The URL of the tab's top frame. PixelProof has no `tabs` permission and no
// access to a store it does not watch yet, so `tab.url` is empty there;
// `webNavigation` (already needed for page views) names the frame's URL.
/**
 * @param {chrome.tabs.Tab & { id: number }} tab
 * @returns {Promise<string | null>}
 */
async function topUrl(tab) {
  if (tab.url) return tab.url;
  try {
    const frame = await chrome.webNavigation.getFrame({ tabId: tab.id, frameId: 0 });
    return (frame && frame.url) || null;
  } catch (_) {
    return null; // a tab with no frame we may see (the browser's own pages)
  }
}

// The worker's live batches (records it appended, with their positions), heard
// from the first moment: those that come before the panel is mounted wait here.
/** @type {[number, number, object[]][]} */
let heard = [];
/** @type {((start: number, records: object[]) => void) | null} */
let onBatch = null;
/** @type {number | null} */
let tabId = null;
/** Tabs whose journal the worker could not write while the tab was not known yet. */
const resets = new Set();
chrome.runtime.onMessage.addListener((m) => {
  if (!m || typeof m.tabId !== 'number' || (tabId !== null && m.tabId !== tabId)) return;
  if (m.type === 'records') {
    if (onBatch) onBatch(m.start, m.records);
    else heard.push([m.tabId, m.start, m.records]);
  } else if (m.type === 'journal-reset') {
    // A batch we were shown could not be stored: show the journal as stored.
    if (tabId !== null) location.reload();
    else resets.add(m.tabId);
  }
});

/** The tab's journal on its way to the panel, part by part as storage answers. */
const feed = journalFeed();

/**
 * Reads the tab's journal into `feed`, straight from storage as JSON text: no
 * copy of it goes through the worker's messaging, which is slow for a long
 * journey, and the panel takes in each part as it comes. What the worker appends from now on comes as live
 * batches (heard since this page started), placed by position; what it
 * appended before must be in what is read. So the worker is asked for its
 * total once everything appended so far is written, and a read that holds
 * less is read again. The worker deals with journals a previous browser
 * session left before it sets storage.session's marker (which names this
 * session's journals): without the marker, the read waits for the worker's answer.
 * @param {number} tab
 */
async function readJournal(tab) {
  const asked = chrome.runtime.sendMessage({ type: 'get-journal-total', tabId: tab }).catch(() => null);
  if (!(await loadEpoch())) {
    await asked;
    await loadEpoch();
  }
  const review = readReview(tab);
  let read = streamJournal(local(), journalId(tab), feed.sink);
  read.then(() => performance.mark('pp:stored'), () => {});
  const answer = await asked;
  performance.mark('pp:written');
  let { total } = await read;
  if (answer && typeof answer.total === 'number' && total < answer.total) {
    feed.sink.restart();
    ({ total } = await streamJournal(local(), journalId(tab), feed.sink));
  }
  performance.mark('pp:journal');
  feed.put({ done: true, total, review: await review });
}

/**
 * @param {string} name
 * @param {string} text
 * @param {string} mime
 */
function download(name, text, mime) {
  const href = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(href), 10000);
}

/** @param {Element} input */
async function readFile(input) {
  const f = input instanceof HTMLInputElement && input.files && input.files[0];
  if (!f) return { name: '', bytes: new Uint8Array() };
  return { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) };
}

/** A journey kept from an earlier browser session, opened read-only (`?journey=ID`). */
async function mainKept(/** @type {string} */ id) {
  const read = readKept(id);
  const [{ mountPanel }, base] = await Promise.all([ready, keptBridge(id, read)]);
  mountPanel(app, { ...base, copy: (text) => navigator.clipboard.writeText(text), download, readFile });
}

async function main() {
  if (params.has('journey')) return mainKept(params.get('journey') || '');
  // ?tab=N pins the panel to one tab (tests, and opening the panel in a tab);
  // the side panel itself follows the active tab.
  const pinned = params.has('tab');
  // A pinned tab's journal is read before the tab itself is looked up.
  let journal = pinned && /^\d+$/.test(params.get('tab') || '') ? readJournal(Number(params.get('tab'))) : null;
  const tab = /** @type {chrome.tabs.Tab & { id: number }} */ (pinned ? await chrome.tabs.get(Number(params.get('tab'))) : (await chrome.tabs.query({ active: true, currentWindow: true }))[0]);
  tabId = tab.id;
  if (resets.has(tabId)) location.reload();
  if (!journal) journal = readJournal(tab.id);
  // The panel says what went wrong.
  journal.catch((e) => feed.put({ error: e && e.message ? e.message : String(e) }));
  const url = await topUrl(tab);
  // Switching tabs switches journeys. Page loads within the tab are one journey
  // and arrive live; only a move to another site reloads (for its Watch button).
  if (!pinned) {
    chrome.tabs.onActivated.addListener(() => location.reload());
    chrome.webNavigation.onCommitted.addListener((d) => {
      if (d.tabId === tab.id && d.frameId === 0 && originOf(d.url) !== originOf(url)) location.reload();
    });
  }
  let watched = false;
  const origin = originOf(url);
  if (origin && /^https?:/.test(origin)) watched = await chrome.permissions.contains({ origins: [origin + '/*'] });
  const { mountPanel } = await ready;
  /** @type {import('./wasm/pixelproof_panel.js').PanelBridge} */
  const bridge = {
    tabId: tab.id,
    tabUrl: url,
    watched,
    send: (m) => chrome.runtime.sendMessage(m),
    journal: () => feed.next(),
    copy: (text) => navigator.clipboard.writeText(text),
    download,
    // One origin, asked at the moment the user clicks "Watch".
    requestOrigin: (o) => chrome.permissions.request({ origins: [o + '/*'] }),
    // Pages loaded before the grant run without the page scripts.
    reloadTab: () => { chrome.tabs.reload(tab.id).catch(() => {}); },
    onGranted(cb) {
      chrome.permissions.onAdded.addListener(async () => {
        if (origin && (await chrome.permissions.contains({ origins: [origin + '/*'] }))) cb();
      });
    },
    onRecords(cb) {
      for (const [t, start, records] of heard) if (t === tab.id) cb(start, records);
      heard = [];
      onBatch = cb;
    },
    readFile,
  };
  mountPanel(app, bridge);
  // Journeys kept from before the browser last stopped, below the panel.
  showRecent(app).catch(() => {});
}

main().catch((e) => {
  const p = document.createElement('p');
  p.textContent = `PixelProof could not start: ${e && e.message ? e.message : e}`;
  app.replaceChildren(p);
});
