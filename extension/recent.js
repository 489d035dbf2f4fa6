// @ts-check
// Journeys kept from earlier browser sessions (a browser restart or crash in
// the middle of an order): the panel lists them below its own content, to
// reopen, export or delete, and opens one read-only as `panel.html?journey=ID`.
// Text nodes only: a journey's URL is the store's, which the page could shape.
import { readJournalText } from './journal-text.js';
import { loadEpoch, local, readReview } from './storage.js';

/** @typedef {import('./storage.js').Recent} Recent */

/**
 * @param {string} tag
 * @param {string} [text]
 * @param {Record<string, string>} [attrs]
 */
function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

/**
 * A kept journey's journal, review and first page, read from storage.
 * @param {string} id
 */
export async function readKept(id) {
  await loadEpoch();
  const [{ text, total }, review] = await Promise.all([readJournalText(local(), id), readReview({ id })]);
  return { text, total, review };
}

/**
 * Downloads a kept journey's journal as JSON (`pixelproof journal FILE` reads it).
 * @param {string} id
 */
async function exportJourney(id) {
  const { text } = await readKept(id);
  const href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = el('a', '', { href, download: `pixelproof-journey-${id}.json` });
  /** @type {HTMLAnchorElement} */ (a).click();
  setTimeout(() => URL.revokeObjectURL(href), 10000);
}

/**
 * The list of recent journeys, after `app` (nothing when there is none).
 * @param {HTMLElement} app
 */
export async function showRecent(app) {
  const answer = await chrome.runtime.sendMessage({ type: 'recent-journeys' }).catch(() => null);
  /** @type {Recent[]} */
  const journeys = (answer && Array.isArray(answer.journeys)) ? answer.journeys : [];
  document.getElementById('pp-recent')?.remove();
  if (!journeys.length) return;
  const section = el('section', '', { id: 'pp-recent', 'aria-labelledby': 'pp-recent-title' });
  section.append(el('h2', 'Recent journeys', { id: 'pp-recent-title' }));
  section.append(el('p', 'Kept from before the browser last stopped. Reopen one to read it, export its journal, or delete it.'));
  const list = el('ul');
  for (const j of journeys) {
    const item = el('li', '', { 'data-journey': j.id });
    const when = j.updated ? new Date(j.updated).toLocaleString() : 'unknown time';
    item.append(el('span', `${j.url || 'a journey'} — ${j.count} records, last ${when}`));
    const reopen = el('button', 'Reopen', { type: 'button', class: 'pp-recent-reopen' });
    reopen.addEventListener('click', () => { chrome.tabs.create({ url: chrome.runtime.getURL(`panel.html?journey=${encodeURIComponent(j.id)}`) }).catch(() => {}); });
    const download = el('button', 'Export', { type: 'button', class: 'pp-recent-export' });
    download.addEventListener('click', () => { exportJourney(j.id).catch(() => {}); });
    const remove = el('button', 'Delete', { type: 'button', class: 'pp-recent-delete' });
    remove.addEventListener('click', async () => {
      const done = await chrome.runtime.sendMessage({ type: 'delete-journey', id: j.id }).catch(() => null);
      if (done && done.ok) item.remove();
      if (!list.children.length) section.remove();
    });
    item.append(' ', reopen, ' ', download, ' ', remove);
    list.append(item);
  }
  section.append(list);
  app.after(section);
}

/**
 * The bridge for a kept journey opened read-only: nothing is sent to the
 * worker but "Clear", which deletes it.
 * @param {string} id
 * @param {ReturnType<typeof readKept>} read
 * @returns {Promise<Omit<import('./wasm/pixelproof_panel.js').PanelBridge, 'copy' | 'download' | 'readFile'>>}
 */
export async function keptBridge(id, read) {
  const journal = await read;
  /** @type {{ kind?: string, url?: string }[]} */
  const records = JSON.parse(journal.text);
  const first = records.find((r) => r && r.kind === 'navigation' && typeof r.url === 'string');
  return {
    tabId: -1,
    tabUrl: (first && first.url) || null,
    watched: true,
    send: async (m) => (m && m.type === 'clear'
      ? chrome.runtime.sendMessage({ type: 'delete-journey', id })
      : { error: 'this journey is kept from an earlier browser session and is read-only' }),
    // The whole journal in one part, then its total and review.
    journal: (() => {
      /** @type {({ records: string } | { done: true, total: number, review: object | null })[]} */
      const parts = [{ records: journal.text }, { done: true, total: journal.total, review: journal.review }];
      return async () => parts.shift() ?? { error: 'the journal was read already' };
    })(),
    requestOrigin: async () => false,
    reloadTab() {},
    onGranted() {},
    onRecords() {},
  };
}
