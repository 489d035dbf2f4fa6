// Joins the page hook's sources (extension/page-hook/*.js, in the order of
// their names) into the one classic script the page runs, page-hook.js. The
// MAIN world cannot import, so the files share one scope: the join puts them
// inside one strict-mode function, and nothing they declare becomes a global
// of the page. Their `// @ts-check` lines (for tsc, which checks each file) are
// dropped.
// Usage: node tools/page-hook.mjs OUT_FILE
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCES = join(dirname(fileURLToPath(import.meta.url)), '..', 'extension', 'page-hook');

/** The joined script's text. */
export function joinPageHook(dir = SOURCES) {
  const files = readdirSync(dir).filter((name) => name.endsWith('.js')).sort();
  if (!files.length) throw new Error(`no page-hook sources in ${dir}`);
  const parts = files.map((name) => {
    const text = readFileSync(join(dir, name), 'utf8').replace(/^\/\/ @ts-check\n/, '');
    if (/^\s*(import|export)\s/m.test(text)) throw new Error(`extension/page-hook/${name}: the page hook runs as a classic script; it cannot import or export`);
    return `// ---- ${name}\n${text}`;
  });
  return `// PixelProof page hook (built by tools/page-hook.mjs from extension/page-hook/; edit those files)\n(() => {\n'use strict';\n${parts.join('\n')}})();\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) throw new Error('usage: node tools/page-hook.mjs OUT_FILE');
  writeFileSync(out, joinPageHook());
}
