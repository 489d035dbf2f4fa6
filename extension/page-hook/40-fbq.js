// @ts-check
// Page hook: every call of the page's fbq, seen through a Proxy that changes
// nothing the page can observe.

const proxies = new WeakMap(); // page function → our proxy
// How many functions have been wrapped: while it is one (a page makes one
// stub), a function read on fbq that is not fbq itself is none of ours, and
// the get trap below, which runs for every function the page or Meta's library
// reads on fbq, answers without a lookup.
let wrapped = 0;
/** @param {any} fn */
const wrap = (fn) => {
  if (typeof fn !== 'function') return fn;
  const known = proxies.get(fn);
  if (known) return known;
  const proxy = new Proxy(fn, {
    apply(target, thisArg, args) {
      try {
        const method = typeof args[0] === 'string' ? args[0] : String(args[0]);
        const rest = Array.prototype.slice.call(args, 1);
        const record = {
          kind: 'fbq_call',
          method: method.slice(0, 100),
          args: rest.map((a) => safe(a)),
          event_id_location: eventIdLocation(method, rest),
          caller: caller(),
          queued: typeof target.callMethod !== 'function',
        };
        emit(record);
      } catch (_) { /* never throw into the page */ }
      return Reflect.apply(target, thisArg, args);
    },
    // The base code sets fbq.push = fbq; reading it must give the same object
    // the page sees as fbq (our proxy), or fbq.push === fbq would turn false.
    // Runs for every property the page or fbevents reads on fbq: one lookup.
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (typeof value !== 'function') return value;
      if (value === target) return proxy;
      if (wrapped === 1) return value;
      const known = proxies.get(value);
      return known === undefined ? value : known;
    },
  });
  proxies.set(fn, proxy);
  wrapped += 1;
  return proxy;
};

// How many times the base code ran (each run assigns a new stub to fbq).
let baseCodeRuns = 0;
const seenStubs = new WeakSet();
/**
 * @param {'fbq' | '_fbq'} name
 * @param {boolean} countsBaseCode
 */
const trap = (name, countsBaseCode) => {
  try {
    const existing = Object.getOwnPropertyDescriptor(window, name);
    if (existing && !existing.configurable) return;
    let current = existing ? existing.value : undefined;
    // The proxy of `current`, looked up once per value the page sets (the
    // page and fbevents read window.fbq far more often than they set it).
    let read = current;
    let answer = wrap(current);
    Object.defineProperty(window, name, {
      configurable: true,
      enumerable: true,
      get() {
        if (read !== current) {
          read = current;
          answer = wrap(current);
        }
        return answer;
      },
      set(value) {
        try {
          if (countsBaseCode && typeof value === 'function' && !seenStubs.has(value)) {
            seenStubs.add(value);
            baseCodeRuns += 1;
          }
        } catch (_) { /* ignore */ }
        // Store the page's own value: reads return the proxy of exactly this function.
        current = value;
      },
    });
  } catch (_) { /* a page that locked window.fbq keeps it; we just see less */ }
};
