// The pixel library the real-sized page-cost bench loads: Meta's fbevents.js
// and its signals config are ~1.3 MB of script together, against the ~7 KB
// stand-in the demo store uses. Meta's files are not part of this repository:
// give copies at run time,
//
//   BENCH_FBEVENTS=/path/fbevents.js BENCH_FBCONFIG=/path/config.js ./build.sh bench
//
// (a copy saved by the Wayback Machine works: its web.archive.org URL prefixes
// are taken out as it is served). Without them the bench generates a library of
// the same size and shape: the demo's stand-in (which sends the hits) plus
// modules registered and required through `fbq`, as fbevents does
// (`f.ensureModuleRegistered`, `f.getFbeventsModules` on `f = window.fbq`),
// in a 274 KB library and a 1,074 KB config.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/drivers/common.mjs';

// The sizes of the copies measured on 2026-11-30 (fbevents 2.9.15 and its config).
const FBEVENTS_BYTES = 274086;
const CONFIG_BYTES = 1074028;

/** Takes out the prefixes a Wayback Machine copy puts before every URL. */
const unarchive = (text) => text.replace(/https?:\/\/web\.archive\.org\/web\/[0-9a-z_]*\//g, '');

/**
 * `{ source, fbevents, config(pixelId), bytes }`: the library to serve as
 * connect.facebook.net/en_US/fbevents.js and signals/config/<id>.
 */
export function pixelLibrary() {
  const lib = process.env.BENCH_FBEVENTS;
  const cfg = process.env.BENCH_FBCONFIG;
  if (lib && cfg) {
    if (!existsSync(lib) || !existsSync(cfg)) throw new Error(`BENCH_FBEVENTS / BENCH_FBCONFIG: no file at ${existsSync(lib) ? cfg : lib}`);
    const fbevents = unarchive(readFileSync(lib, 'utf8'));
    const config = unarchive(readFileSync(cfg, 'utf8'));
    // The config registers itself for the pixel it was fetched for: served for ours.
    const own = [...config.matchAll(/registerPlugin\(\s*"(\d+)"/g)].map((m) => m[1]).pop();
    return {
      source: 'Meta fbevents.js and signals config (copies given at run time)',
      fbevents,
      config: (id) => (own ? config.replaceAll(own, id) : config),
      bytes: Buffer.byteLength(fbevents) + Buffer.byteLength(config),
    };
  }
  const standIn = readFileSync(join(ROOT, 'demo', 'pixel', 'fbevents.js'), 'utf8');
  const fbevents = `${standIn}\n${bundle('SignalsFBEvents', FBEVENTS_BYTES - standIn.length, true)}`;
  const config = bundle('SignalsConfigPlugin', CONFIG_BYTES, false);
  return {
    source: 'generated library of the same size and shape (no BENCH_FBEVENTS / BENCH_FBCONFIG given)',
    fbevents,
    config: () => config,
    bytes: Buffer.byteLength(fbevents) + Buffer.byteLength(config),
  };
}

/**
 * Modules of ordinary minified-library code, `bytes` long: each is registered
 * on fbq and requires the one before it, as fbevents' own module system does,
 * and all are required at the end (which runs their bodies).
 */
function bundle(prefix, bytes, defineRegistry) {
  let seed = prefix.length * 7919;
  const rand = (n) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  const words = ['event', 'pixel', 'param', 'value', 'currency', 'content', 'match', 'user', 'data', 'cookie', 'plugin', 'config', 'signal', 'batch', 'queue', 'agent'];
  const word = () => words[rand(words.length)];
  const head = `(function (a, b, c, d) {
  var f = a.fbq;
  if (!f) return;
  ${defineRegistry ? `f.__fbeventsModules || (f.__fbeventsModules = {}, f.__fbeventsResolvedModules = {},
  f.getFbeventsModules = function (a) { f.__fbeventsResolvedModules[a] || (f.__fbeventsResolvedModules[a] = f.__fbeventsModules[a]()); return f.__fbeventsResolvedModules[a]; },
  f.fbIsModuleLoaded = function (a) { return !!f.__fbeventsModules[a]; },
  f.ensureModuleRegistered = function (b, a) { f.fbIsModuleLoaded(b) || (f.__fbeventsModules[b] = a); });` : ''}
`;
  const parts = [head];
  let size = head.length + 400;
  let n = 0;
  while (size < bytes) {
    const name = `${prefix}${n}`;
    const dep = n > 0 ? `${prefix}${n - 1}` : null;
    const strings = Array.from({ length: 6 }, () => `"${word()}_${word()}_${rand(1000)}"`).join(', ');
    const m = `  f.ensureModuleRegistered("${name}", function () {
    return (function (g, h, i, j) {
      var k = { exports: {} };
      (function () {
        "use strict";
        var a = ${dep ? `f.getFbeventsModules("${dep}")` : '{ norm: function (x) { return String(x); } }'}, b = a.norm, c = [${strings}];
        function d(e) { var l = []; for (var m = 0; m < e.length; m++) l.push(b(e[m]) + ":${rand(100)}"); return l.join(","); }
        function n(o) { return typeof o === "string" ? o.trim().toLowerCase().replace(/[^a-z0-9_]/g, "") : o == null ? "" : String(o); }
        function p(q, r) { var s = {}; for (var t in q) Object.prototype.hasOwnProperty.call(q, t) && (s[n(t)] = r ? r(q[t]) : q[t]); return s; }
        var u = p({ ${words.slice(0, 4).map((w, i) => `${w}: c[${i}]`).join(', ')} }, n);
        k.exports = { norm: n, join: d, map: p, table: u, size: d(c).length + ${rand(50)} };
      })();
      return k.exports;
    })(a, b, c, d);
  });
`;
    parts.push(m);
    size += m.length;
    n += 1;
  }
  parts.push(`  for (var x = 0; x < ${n}; x++) f.getFbeventsModules("${prefix}" + x);\n})(window, document, location, history);\n`);
  return parts.join('');
}
