// @ts-check
// Recovery from the page's Resource Timing: once a document's relay has
// reported its count of pixel requests and everything handed over before it
// is written, the worker asks that relay for the URLs of GET hits it never
// got, only when the core says requests went uncaptured that no URL names
// yet or a URL the relay began holding is no hit captured here, and with the keys of what it captured from that frame since the
// document began: the relay sends back only the URLs missing here (page
// records, through the page's budget). A journey that lost nothing asks
// nothing and receives no URL.
import { MSG } from '../wasm/contract.js';
import { journal } from './journal.js';
import { sessionFor } from './sessions.js';

/**
 * @param {number} tab
 * @param {number} frameId the relay's frame
 * @param {unknown} doc the relay's `{ id, since, held }` as it sent it: checked here
 */
export async function askForListing(tab, frameId, doc) {
  if (!doc || typeof doc !== 'object') return;
  const { id, since, held, fresh } = /** @type {{ id?: unknown, since?: unknown, held?: unknown, fresh?: unknown }} */ (doc);
  if (typeof id !== 'string' || id.length > 20 || typeof since !== 'number' || !Number.isFinite(since)) return;
  // A relay that holds no URL has nothing to send.
  if (held === 0) return;
  // The keys of the URLs it began holding since its last message (a key is
  // at most 14 hex digits; the relay holds at most 2,000 URLs).
  const keys = Array.isArray(fresh) ? fresh.slice(0, 2000).filter((k) => typeof k === 'string' && /^[0-9a-f]{1,14}$/.test(k)) : [];
  await journal.idle(tab);
  const have = (await sessionFor(tab)).listingWanted(frameId, since, keys);
  if (!have) return;
  await chrome.tabs.sendMessage(tab, { type: MSG.listedWanted, doc: id, have }, { frameId });
}
