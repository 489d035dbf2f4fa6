// @ts-check
// What every part of the worker waits for at a start (the browser's, or a wake
// after MV3 stopped the worker when idle): the wasm module, the storage check,
// and `ready` (both, and the previous worker's inbox replayed). background.js
// opens the last two; the modules here only wait on them.
import init from '../wasm/pixelproof_wasm.js';

// User Timing marks of a start, once each (bench/browser.mjs reads them after a wake).
/** @param {string} name */
export const markOnce = (name) => { if (!performance.getEntriesByName(name).length) performance.mark(name); };

// Compiled while storage is checked.
export const wasmReady = init({ module_or_path: chrome.runtime.getURL('wasm/pixelproof_wasm_bg.wasm') });
wasmReady.then(() => markOnce('pp:wasm'), () => {});

/** @type {(p: Promise<void>) => void} */
let openStorage = () => {};
/** Journals of a previous browser session dealt with, the session marker set. @type {Promise<void>} */
export const storageReady = new Promise((resolve) => { openStorage = resolve; });
/** @type {(p: Promise<void>) => void} */
let openReady = () => {};
/** Storage checked, wasm compiled, the previous worker's inbox replayed. @type {Promise<void>} */
export const ready = new Promise((resolve) => { openReady = resolve; });

/**
 * Called once by background.js, with its storage check and its whole start.
 * @param {Promise<void>} storage
 * @param {() => Promise<void>} start
 */
export function boot(storage, start) {
  openStorage(storage);
  const started = storage.then(start);
  openReady(started);
  return started;
}

// This worker's name in the inbox: a restarted worker replays other names only.
export const WORKER = Math.random().toString(36).slice(2, 10);

const EXTENSION_URL = chrome.runtime.getURL('');
// Who may ask what. Content scripts (the relay) report page evidence for the
// tab they run in, and nothing else; everything that reads, changes or clears a
// journal comes from the extension's own pages (the panel).
/** @param {chrome.runtime.MessageSender} sender */
export const fromExtensionPage = (sender) => sender.id === chrome.runtime.id && typeof sender.url === 'string' && sender.url.startsWith(EXTENSION_URL);
/**
 * @param {chrome.runtime.MessageSender} sender
 * @returns {sender is chrome.runtime.MessageSender & { tab: chrome.tabs.Tab & { id: number } }}
 */
export const fromContentScript = (sender) => sender.id === chrome.runtime.id && !!sender.tab && sender.tab.id !== undefined && sender.tab.id >= 0 && !fromExtensionPage(sender);
