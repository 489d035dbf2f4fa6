// @ts-check
// Page hook: what an fbq call's arguments say, copied so that nothing the page
// holds is kept or changed.

const MAX_ARG_CHARS = 2000;

// JSON-safe, size-limited copy of an fbq argument.
/**
 * @param {any} value
 * @returns {unknown}
 */
const safe = (value, depth = 0) => {
  try {
    if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
    if (typeof value === 'string') return value.length > MAX_ARG_CHARS ? value.slice(0, MAX_ARG_CHARS) + '…' : value;
    if (typeof value === 'function') return '[function]';
    if (typeof value !== 'object' || depth > 4) return String(value);
    if (Array.isArray(value)) return value.slice(0, 100).map((v) => safe(v, depth + 1));
    /** @type {Record<string, unknown>} */
    const out = {};
    for (const key of Object.keys(value).slice(0, 100)) out[key] = safe(value[key], depth + 1);
    return out;
  } catch (_) {
    return '[unreadable]';
  }
};

/**
 * Where the call put its event ID: Meta reads it from the options argument only.
 * @param {string} method
 * @param {unknown[]} args the arguments after the method (the event name first)
 */
const eventIdLocation = (method, args) => {
  try {
    const single = method.startsWith('trackSingle') ? 1 : 0;
    const opts = /** @type {any} */ (args[2 + single]);
    if (opts && typeof opts === 'object' && opts.eventID != null) return 'options';
    const params = args[1 + single];
    if (params && typeof params === 'object' && ('eventID' in params || 'event_id' in params)) return 'custom_data';
  } catch (_) { /* ignore */ }
  return null;
};
