// The JavaScript keeps its imports one-way: no module imports itself back
// through others, and the shared support folder (browser drivers, the local
// HTTPS server) is the only thing tests, the demo and the benchmarks share.
// (The Rust crates: rust-modules.test.mjs.)
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FOLDERS = ['extension', 'support', 'tests', 'demo', 'bench'];

function sources(dir, out = [], pattern = /\.m?js$/) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'site' || name === 'store') continue;
    if (statSync(path).isDirectory()) sources(path, out, pattern);
    else if (pattern.test(name)) out.push(path);
  }
  return out;
}

/** Every relative import (static, re-export or dynamic with a literal) of each file. */
function graph() {
  const edges = new Map();
  for (const folder of FOLDERS) {
    for (const file of sources(join(ROOT, folder))) {
      const text = readFileSync(file, 'utf8');
      const targets = [];
      for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)) {
        const target = resolve(dirname(file), m[1]);
        if (existsSync(target)) targets.push(relative(ROOT, target));
      }
      edges.set(relative(ROOT, file), targets);
    }
  }
  return edges;
}

test('no JavaScript module imports itself back through others', () => {
  const edges = graph();
  assert.ok(edges.size > 40, `found only ${edges.size} modules: is the walk broken?`);
  const state = new Map(); // 1: on the path, 2: done
  const cycles = [];
  const visit = (node, path) => {
    state.set(node, 1);
    for (const next of edges.get(node) || []) {
      if (state.get(next) === 1) cycles.push([...path.slice(path.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next, [...path, next]);
    }
    state.set(node, 2);
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node, [node]);
  assert.deepEqual(cycles, []);
});

test('tests, the demo and the benchmarks share code only through support/', () => {
  const allowed = {
    support: ['support'],
    demo: ['demo', 'support'],
    bench: ['bench', 'support', 'demo'],
    tests: ['tests', 'support', 'demo', 'bench', 'dist'],
    extension: ['extension'],
  };
  const wrong = [];
  for (const [file, targets] of graph()) {
    const from = file.split('/')[0];
    for (const target of targets) {
      const to = target.split('/')[0];
      if (!allowed[from].includes(to)) wrong.push(`${file} imports ${target}`);
    }
  }
  assert.deepEqual(wrong, []);
});
