// @ts-check
// Watched origins (the stores the user granted) and the page scripts
// registered for exactly those origins: nothing is injected elsewhere.
import { isMetaHost } from '../wasm/pixelproof_wasm.js';
import { writeRegistered } from '../storage.js';
import { ready, wasmReady } from './boot.js';

// Cached: read once per worker start and on every permission change, not per
// request (a burst of pixel hits must not wait on the permissions API). A read
// that failed is not kept: the next event asks again.
/** @type {Promise<string[]> | null} */
let watchedCache = null;
export async function watchedOrigins() {
  if (!watchedCache) {
    const read = readWatchedOrigins();
    watchedCache = read;
    read.catch(() => { if (watchedCache === read) watchedCache = null; });
  }
  return watchedCache;
}

async function readWatchedOrigins() {
  // Page-script registration asks this before the wasm has compiled (both run
  // at a start): `isMetaHost` needs it. Without this wait, a start where the
  // storage check beat the compile cached a failure, and that worker dropped
  // every event and registered nothing.
  const [{ origins = [] }] = await Promise.all([chrome.permissions.getAll(), wasmReady]);
  /** @type {string[]} */
  const out = [];
  for (const pattern of origins) {
    const m = pattern.match(/^(\*|https?):\/\/([^/]+)\//);
    if (!m) continue;
    const host = m[2];
    if (isMetaHost(host) || host === '*' || host.startsWith('*.')) continue;
    out.push(pattern);
  }
  return out;
}

/**
 * @param {string} url
 * @param {string[]} patterns
 */
export function originMatches(url, patterns) {
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

/** @param {string} url */
export const originOf = (url) => {
  try {
    return new URL(url).origin;
  } catch (_) {
    return null;
  }
};

// The page hook and relay run in every frame of watched origins, registered
// for exactly the origins the user granted. Registrations do not persist
// across browser restarts: with persistAcrossSessions the start page of a
// browser never loaded (the extension loaded unpacked; see
// tests/e2e/browser-start.test.mjs). So a page open before this worker first
// runs in a browser session has no page scripts, only the relay injected late
// (`relayIntoOpenPages`); every worker start re-syncs the registrations. One at a time: a grant reaches the worker
// twice (permissions.onAdded and the panel's watch-changed), and two
// interleaved runs registered the same id twice.
let registering = Promise.resolve();
export function registerPageScripts() {
  registering = registering.catch(() => {}).then(syncPageScripts);
  return registering;
}

async function syncPageScripts() {
  const matches = await watchedOrigins();
  const existing = (await chrome.scripting.getRegisteredContentScripts()).filter((s) => s.id.startsWith('pixelproof-'));
  /** @param {chrome.scripting.RegisteredContentScript} s */
  const same = (s) => JSON.stringify([...(s.matches || [])].sort()) === JSON.stringify([...matches].sort());
  if (existing.length === 2 && existing.every(same)) {
    await writeRegistered(matches);
    return;
  }
  const ids = existing.map((s) => s.id);
  if (ids.length) await chrome.scripting.unregisterContentScripts({ ids });
  if (matches.length) {
    /** @type {Omit<chrome.scripting.RegisteredContentScript, 'id'>} */
    const common = { matches, runAt: 'document_start', allFrames: true, matchOriginAsFallback: true, persistAcrossSessions: false };
    await chrome.scripting.registerContentScripts([
      { id: 'pixelproof-hook', js: ['page-hook.js'], world: 'MAIN', ...common },
      { id: 'pixelproof-relay', js: ['relay-timing.js', 'relay.js'], world: 'ISOLATED', ...common },
    ]);
  }
  await writeRegistered(matches);
}

/**
 * At a browser or extension start, store pages already open loaded before
 * the page scripts were registered (a restored session, a link that opened
 * the browser, an update mid-journey). The relay is injected into them late:
 * it counts from their Resource Timing the pixel requests they sent before
 * the worker could hear them, so a miss is counted and, for a GET hit,
 * recovered instead of silent. Late, it watches no earlier gestures, and the
 * page hook is not injected (fbq's earlier calls are gone): such a page stays
 * one the page scripts never watched.
 */
export async function relayIntoOpenPages() {
  const matches = await watchedOrigins();
  if (!matches.length) return;
  for (const tab of await chrome.tabs.query({ url: matches })) {
    if (tab.id === undefined) continue;
    // The frames whose URL is on a watched origin (not a Meta frame the
    // extension may also read; blank and srcdoc frames, which registration
    // reaches through their parent's origin, are left out), one at a time (a
    // frame that refuses costs only itself).
    const frames = (await chrome.webNavigation.getAllFrames({ tabId: tab.id }).catch(() => null)) || [];
    for (const frame of frames.filter((f) => originMatches(f.url, matches))) {
      const target = { tabId: tab.id, frameIds: [frame.frameId] };
      try {
        await chrome.scripting.executeScript({ target, func: () => { /** @type {any} */ (globalThis).pixelproofLate = true; } });
        await chrome.scripting.executeScript({ target, files: ['relay-timing.js', 'relay.js'] });
      } catch (_) { /* the frame is gone, or shut to extensions */ }
    }
  }
}

export async function onPermissionsChanged() {
  watchedCache = null;
  await ready;
  await registerPageScripts();
}
