// @ts-check
// Test builds only (dist/chrome-test, dist/firefox-test): the control messages
// the tests and the demo send besides the panel's. The build copies this file
// to worker/doors.js there, and doors-store.js (no doors) everywhere else.
//
//   get-packet, get-summary   the packet and summary of a tab, computed with the
//                             panel's wasm module (the panel computes its own)
//   get-stored                everything in storage.local as JSON text, for
//                             the tests that look for customer data at rest
//   test-bridge               the Firefox tests' way in (see test-bridge.js)
import initPackets, { Packets } from '../wasm/pixelproof_panel.js';
import { fromExtensionPage, ready } from './boot.js';
import { journal } from './journal.js';
import { readReview } from './reviews.js';

// The panel's module, compiled on the first packet or summary asked of this
// worker (a service worker cannot import() later, so its small glue is
// imported above; its wasm is compiled only when asked for).
/** @type {Promise<unknown> | null} */
let packetsModule = null;
/**
 * A session of the panel's module over the tab's whole stored journal (every
 * record appended so far, written), and the tab's review fields. The caller frees it.
 * @param {number} tab
 * @returns {Promise<[Packets, object]>}
 */
async function packetsFor(tab) {
  if (!packetsModule) {
    const compiling = initPackets({ module_or_path: chrome.runtime.getURL('wasm/pixelproof_panel_bg.wasm') });
    packetsModule = compiling;
    // A failed compile is not kept: the next question tries again.
    compiling.catch(() => { if (packetsModule === compiling) packetsModule = null; });
  }
  // After the start's replay of the previous worker's inbox: a packet asked for
  // right after a wake holds what that worker was handed too.
  await ready;
  const [, { text }, review] = await Promise.all([packetsModule, journal.readText(tab), readReview(tab)]);
  const p = new Packets();
  p.addJson(text);
  return [p, review];
}

/** @param {any} msg */
async function packets(msg) {
  const [p, review] = await packetsFor(Number(msg.tabId));
  try {
    if (msg.type === 'get-summary') return { summary: p.summary(review) };
    return {
      packet: p.packet(review, Boolean(msg.rawUserData)),
      markdown: p.packetMarkdown(review),
      // The results as terminal text (the demo prints it).
      text: p.packetText(review),
    };
  } finally {
    p.free();
  }
}

/** Everything the extension keeps at rest, as the disk would hold it. */
async function stored() {
  return { text: JSON.stringify(await chrome.storage.local.get(null)) };
}

// BiDi cannot open moz-extension:// pages, so the Firefox tests reach this
// worker through extension/test-bridge.js on one control page. Its requests are
// answered only when the running manifest declares that script (dist/firefox-test
// alone) and only from the top frame of that page; they are then handled as if
// an extension page had sent them. Firefox's getManifest() gives content script
// paths as full moz-extension: URLs.
const BRIDGE_JS = ['test-bridge.js', chrome.runtime.getURL('test-bridge.js')];
const TEST_BRIDGE = (chrome.runtime.getManifest().content_scripts || []).find((c) => (c.js || []).some((j) => BRIDGE_JS.includes(j)));

/**
 * @param {any} m the bridged message
 * @param {(msg: any) => Promise<object>} control
 */
async function bridged(m, control) {
  switch (m.type) {
    // The Chromium tests ask the tabs API from an extension page; this is that.
    // (A tab's URL is hidden without host access; its top frame's is not.)
    case 'tabs':
      return {
        tabs: await Promise.all((await chrome.tabs.query({})).map(async (t) => {
          const frame = t.url || t.id === undefined ? null : await chrome.webNavigation.getFrame({ tabId: t.id, frameId: 0 }).catch(() => null);
          return { id: t.id, url: t.url || (frame && frame.url) || null };
        })),
      };
    // The panel in a tab of its own, for the tests to look at.
    case 'open-panel':
      return { tabId: (await chrome.tabs.create({ url: chrome.runtime.getURL(`panel.html?tab=${Number(m.tabId)}`) })).id };
    case 'get-packet':
    case 'get-summary':
      return packets(m);
    case 'get-stored':
      return stored();
    case 'test-bridge':
    case 'page-records':
      return { error: 'unknown message' };
    default:
      return control(m);
  }
}

/** @type {import('../../types/worker/doors').Doors} */
export const doors = {
  answer(msg, sender, control) {
    const type = msg && msg.type;
    if (type === 'test-bridge') {
      const m = msg.msg;
      if (!TEST_BRIDGE || sender.frameId !== 0 || !sender.url || !(TEST_BRIDGE.matches || []).includes(sender.url) || !m || typeof m !== 'object') {
        return Promise.resolve({ error: 'unknown message' });
      }
      return bridged(m, control);
    }
    if ((type === 'get-packet' || type === 'get-summary') && fromExtensionPage(sender)) return packets(msg);
    if (type === 'get-stored' && fromExtensionPage(sender)) return stored();
    return null;
  },
};
