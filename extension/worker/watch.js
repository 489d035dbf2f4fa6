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
// runs in a browser session is captured from the network only; every worker
// start re-syncs the registrations. One at a time: a grant reaches the worker
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

export async function onPermissionsChanged() {
  watchedCache = null;
  await ready;
  await registerPageScripts();
}
