// Panel shell: loads the wasm and hands the Rust panel a small bridge to the
// extension APIs it needs. Everything the user sees is built in Rust
// (crates/wasm/src/panel.rs), with text nodes only.
import init, { mountPanel } from './wasm/pixelproof_wasm.js';

const params = new URLSearchParams(location.search);

async function main() {
  await init({ module_or_path: new URL('wasm/pixelproof_wasm_bg.wasm', import.meta.url) });
  // ?tab=N pins the panel to one tab (tests, and opening the panel in a tab);
  // the side panel itself follows the active tab.
  const pinned = params.has('tab');
  const tab = pinned ? await chrome.tabs.get(Number(params.get('tab'))) : (await chrome.tabs.query({ active: true, currentWindow: true }))[0];
  // Switching tabs switches journeys. Page loads within the tab are one journey
  // and arrive live; only a move to another site reloads (for its Watch button).
  if (!pinned) {
    const originOf = (u) => { try { return new URL(u).origin; } catch (_) { return null; } };
    chrome.tabs.onActivated.addListener(() => location.reload());
    chrome.tabs.onUpdated.addListener((id, change) => {
      if (id === tab.id && change.url && originOf(change.url) !== originOf(tab.url)) location.reload();
    });
  }
  let watched = false;
  try {
    const origin = new URL(tab.url).origin;
    watched = origin.startsWith('http') && (await chrome.permissions.contains({ origins: [origin + '/*'] }));
  } catch (_) { /* not a web page */ }
  const bridge = {
    tabId: tab.id,
    tabUrl: tab.url || null,
    watched,
    send: (m) => chrome.runtime.sendMessage(m),
    copy: (text) => navigator.clipboard.writeText(text),
    download(name, text, mime) {
      const url = URL.createObjectURL(new Blob([text], { type: mime }));
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    },
    // One origin, asked at the moment the user clicks "Watch".
    requestOrigin: (origin) => chrome.permissions.request({ origins: [origin + '/*'] }),
    onRecords(cb) {
      chrome.runtime.onMessage.addListener((m) => {
        if (!m || m.tabId !== tab.id) return;
        if (m.type === 'records') cb(m.start, m.records);
        // A batch we were shown could not be stored: show the journal as stored.
        else if (m.type === 'journal-reset') location.reload();
      });
    },
    async readFile(input) {
      const f = input.files && input.files[0];
      if (!f) return { name: '', bytes: new Uint8Array() };
      return { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) };
    },
  };
  mountPanel(document.getElementById('app'), bridge);
}

main().catch((e) => {
  const p = document.createElement('p');
  p.textContent = `PixelProof could not start: ${e && e.message ? e.message : e}`;
  document.getElementById('app').replaceChildren(p);
});
