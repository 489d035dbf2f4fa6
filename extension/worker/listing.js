// @ts-check
// Recovery from the page's Resource Timing: once a document's relay has
// reported its count of pixel requests and everything handed over before it
// is written, the worker asks that relay for the URLs of GET hits it never
// got. It asks only when the core says requests went uncaptured that no URL
// names yet, or when a key the relay sent (of a URL it began holding) is no
// hit captured here: a Web Worker's captured hit can balance the counts. It
// tells the keys of what it captured from that frame since the document
// began, and the relay sends back only the URLs missing here (page records,
// through the page's budget). A journey that lost nothing asks nothing and
// receives no URL.
import { MSG } from '../wasm/contract.js';
import { journal } from './journal.js';
import { sessionFor } from './sessions.js';

/**
 * @param {number} tab
 * @param {number} frameId the relay's frame
 * @param {unknown} doc the relay's `{ id, since, held, fresh }` as it sent it: checked here
 */
export async function askForListing(tab, frameId, doc) {
  if (!doc || typeof doc !== 'object') return;
  const { id, since, held, fresh } = /** @type {{ id?: unknown, since?: unknown, held?: unknown, fresh?: unknown }} */ (doc);
  if (typeof id !== 'string' || id.length > 20 || typeof since !== 'number' || !Number.isFinite(since)) return;
  // A relay that holds no URL has nothing to send.
  if (held === 0) return;
  await journal.idle(tab);
  // `fresh`: the keys of the URLs it began holding since its last message
  // (checked by the session).
  const have = (await sessionFor(tab)).listingWanted(frameId, since, fresh);
  if (!have) return;
  await chrome.tabs.sendMessage(tab, { type: MSG.listedWanted, doc: id, have }, { frameId });
}
