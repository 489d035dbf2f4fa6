// @ts-check
// Page hook: which script made an fbq call.
//
// Script URLs on the stack, innermost first. V8 hands Error.prepareStackTrace
// structured call sites: the script of each frame without working out line
// and column numbers, which on a cold page is the dearest part of reading
// error.stack. The page's own handler, if any, is put back before anything else
// runs; a handler the page made an accessor or locked (or a frozen Error) is
// left alone and the text of error.stack is read instead.

const ErrorCtor = Error;
const describeOwn = Object.getOwnPropertyDescriptor;
const isExtensible = Object.isExtensible;
/** A script URL that can be the caller: the page's, neither this hook's nor Meta's library. @param {string} url */
const callerUrl = (url) => (url.startsWith('https://') || url.startsWith('http://')) && !url.includes('connect.facebook.net') && !url.includes('/fbevents');
/**
 * V8's call sites, innermost first, to the first caller's script URL in an
 * array ([''] for none): the sites after it are never asked for theirs.
 * @param {Error} _
 * @param {any[]} sites V8's call sites
 */
const firstCallerOf = (_, sites) => {
  for (const site of sites) {
    try {
      const url = String(site.getScriptNameOrSourceURL() || site.getFileName() || '');
      if (callerUrl(url)) return [url];
    } catch (_) { /* a site without a script */ }
  }
  return [''];
};
// Frames read "at fn (URL:line:col)" or "at URL:line:col" (V8), "fn@URL:line:col"
// (Firefox, where there are no call sites and this is the only way).
const FRAME_URL = /(https?:\/\/[^\s()]+?):\d+:\d+/;
/** @param {unknown} stack */
const firstCallerFromText = (stack) => {
  for (const line of String(stack || '').split('\n')) {
    const m = FRAME_URL.exec(line);
    if (m && callerUrl(m[1])) return m[1];
  }
  return '';
};
const firstCaller = () => {
  const own = describeOwn(ErrorCtor, 'prepareStackTrace');
  const swappable = own ? 'value' in own && own.writable && own.configurable : isExtensible(ErrorCtor);
  if (!swappable) return firstCallerFromText(new ErrorCtor().stack);
  ErrorCtor.prepareStackTrace = firstCallerOf;
  let stack;
  try {
    stack = new ErrorCtor().stack;
  } finally {
    if (own) ErrorCtor.prepareStackTrace = own.value;
    else delete ErrorCtor.prepareStackTrace;
  }
  // Not an array: an engine without call sites (Firefox) gave the text.
  return Array.isArray(stack) ? stack[0] : firstCallerFromText(stack);
};

// The first script on the stack that is neither this hook nor Meta's library.
const caller = () => {
  try {
    const url = firstCaller();
    if (url) return url;
    // Inline scripts show the document URL; frames without a URL show nothing.
    return location.href.startsWith('http') ? location.href : null;
  } catch (_) {
    return null;
  }
};
