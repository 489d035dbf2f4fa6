// @ts-check
// What the worker knows of each tab's pages, in memory (storage holds the top
// URL too, for a restarted worker: see capture.js `tabTopUrl`).

// The top-level page of each tab: its URL while it shows a watched origin, ''
// once it shows anything else (the URL of an unwatched page is not kept).
// Kept apart from the journal's meta so a navigation never races a journal write.
/** @type {Map<number, string>} */
export const topUrls = new Map();
// The last watched page of each tab, for requests its document sends while the
// tab is already moving on (a beacon at pagehide).
/** @type {Map<number, string>} */
export const lastWatchedTop = new Map();
// The tab's page before its latest top-level navigation ('' when unwatched), and
// when that navigation came: a document that is going away sends its last
// records after it (the relay's pagehide batch), and they belong to the page it
// was part of, not to the one that replaced it.
/** @type {Map<number, {url: string, at: number}>} */
export const previousTop = new Map();
// Requests from dedicated workers carry no tab; the worker belongs to the tab
// that last showed a watched page of the same origin.
/** @type {Map<string, number>} */
export const lastTabByOrigin = new Map();

/** @param {number} tab */
export function forgetTabState(tab) {
  topUrls.delete(tab);
  lastWatchedTop.delete(tab);
  previousTop.delete(tab);
}
