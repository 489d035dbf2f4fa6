// Panel shell (interim): the "Watch this store" button and the tab's summary,
// built with text nodes only. The full panel is rendered in Rust (next issue).
const app = document.getElementById('app');
const tabId = Number(new URLSearchParams(location.search).get('tab')) || null;

function el(tag, text) {
  const e = document.createElement(tag);
  if (text != null) e.textContent = String(text);
  return e;
}

async function currentTab() {
  if (tabId) return { id: tabId, url: (await chrome.tabs.get(tabId)).url };
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab;
}

async function render() {
  const tab = await currentTab();
  app.replaceChildren();
  if (!tab) return app.append(el('p', 'No tab.'));
  const origin = (() => { try { return new URL(tab.url).origin; } catch (_) { return null; } })();
  const status = await chrome.runtime.sendMessage({ type: 'status' });
  const watched = (status.watched || []).some((p) => origin && p.startsWith(origin.replace(/^https?/, (m) => m)));
  if (origin && origin.startsWith('http') && !watched) {
    const b = el('button', `Watch ${origin}`);
    b.addEventListener('click', async () => {
      // One origin, asked at the moment the user wants it watched.
      const granted = await chrome.permissions.request({ origins: [origin + '/*'] });
      if (granted) await chrome.runtime.sendMessage({ type: 'watch-changed' });
      render();
    });
    app.append(b);
  }
  const { summary, error } = await chrome.runtime.sendMessage({ type: 'get-summary', tabId: tab.id });
  if (error) return app.append(el('p', error));
  app.append(el('h1', `Verdict: ${summary.verdict}`), el('p', `${summary.hits} hits, ${summary.findings.length} findings`));
  const list = el('ul');
  for (const row of summary.acceptance.filter((r) => r.core)) list.append(el('li', `${row.event}: ${row.status}`));
  app.append(list);
}

render().catch((e) => app.replaceChildren(el('p', String(e))));
