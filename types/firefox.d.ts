// Firefox's promise-based `browser` namespace, which platform/firefox.js uses.
// Its Chrome-compatible subset is all we call, so it is typed as `chrome`.
declare const browser: typeof chrome;
