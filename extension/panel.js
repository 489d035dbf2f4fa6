// @ts-check
// Panel shell: loads the wasm and hands the Rust panel a small bridge to the
// extension APIs it needs. Everything the user sees is built in Rust
// (crates/panel), with text nodes only.
import init, { mountPanel } from './wasm/pixelproof_panel.js';

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

async function main() {
  await init({ module_or_path: new URL('wasm/pixelproof_panel_bg.wasm', import.meta.url) });
  // ?tab=N pins the panel to one tab (tests, and opening the panel in a tab);
  // the side panel itself follows the active tab.
  const pinned = params.has('tab');
  const tab = /** @type {chrome.tabs.Tab & { id: number }} */ (pinned ? await chrome.tabs.get(Number(params.get('tab'))) : (await chrome.tabs.query({ active: true, currentWindow: true }))[0]);
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
  /** @type {import('./wasm/pixelproof_panel.js').PanelBridge} */
  const bridge = {
    tabId: tab.id,
    tabUrl: url,
    watched,
    send: (m) => chrome.runtime.sendMessage(m),
    copy: (text) => navigator.clipboard.writeText(text),
    download(name, text, mime) {
      const href = URL.createObjectURL(new Blob([text], { type: mime }));
      const a = document.createElement('a');
      a.href = href;
      a.download = name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(href), 10000);
    },
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
      chrome.runtime.onMessage.addListener((m) => {
        if (!m || m.tabId !== tab.id) return;
        if (m.type === 'records') cb(m.start, m.records);
        // A batch we were shown could not be stored: show the journal as stored.
        else if (m.type === 'journal-reset') location.reload();
      });
    },
    async readFile(input) {
      const f = input instanceof HTMLInputElement && input.files && input.files[0];
      if (!f) return { name: '', bytes: new Uint8Array() };
      return { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) };
    },
  };
  mountPanel(app, bridge);
}

main().catch((e) => {
  const p = document.createElement('p');
  p.textContent = `PixelProof could not start: ${e && e.message ? e.message : e}`;
  app.replaceChildren(p);
});
