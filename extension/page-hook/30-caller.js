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
/**
 * @param {Error} _
 * @param {any[]} sites V8's call sites
 */
const scriptsOf = (_, sites) => {
  const out = [];
  for (const site of sites) {
    try {
      out.push(String(site.getScriptNameOrSourceURL() || site.getFileName() || ''));
    } catch (_) {
      out.push('');
    }
  }
  return out;
};
// Frames read "at fn (URL:line:col)" or "at URL:line:col" (V8), "fn@URL:line:col"
// (Firefox, where there are no call sites and this is the only way).
const FRAME_URL = /(https?:\/\/[^\s()]+?):\d+:\d+/;
/** @param {unknown} stack */
const scriptsFromText = (stack) => String(stack || '').split('\n').map((line) => {
  const m = FRAME_URL.exec(line);
  return m ? m[1] : '';
});
const stackScripts = () => {
  const own = describeOwn(ErrorCtor, 'prepareStackTrace');
  const swappable = own ? 'value' in own && own.writable && own.configurable : isExtensible(ErrorCtor);
  if (!swappable) return scriptsFromText(new ErrorCtor().stack);
  ErrorCtor.prepareStackTrace = scriptsOf;
  let stack;
  try {
    stack = new ErrorCtor().stack;
  } finally {
    if (own) ErrorCtor.prepareStackTrace = own.value;
    else delete ErrorCtor.prepareStackTrace;
  }
  return Array.isArray(stack) ? stack : scriptsFromText(stack);
};

// The first script on the stack that is neither this hook nor Meta's library.
const caller = () => {
  try {
    for (const url of stackScripts()) {
      if (!url.startsWith('https://') && !url.startsWith('http://')) continue;
      if (url.includes('connect.facebook.net') || url.includes('/fbevents')) continue;
      return url;
    }
    // Inline scripts show the document URL; frames without a URL show nothing.
    return location.href.startsWith('http') ? location.href : null;
  } catch (_) {
    return null;
  }
};
