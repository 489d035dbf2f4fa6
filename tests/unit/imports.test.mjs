// Imports run one way. In the JavaScript no module imports itself back through
// others, and the shared support folder (browser drivers, the local HTTPS
// server) is the only thing tests, the demo and the benchmarks share. In each
// Rust crate no module reaches itself back through `crate::` or `super::`
// paths (a module and its own submodules excepted: Rust nests them).
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

/** Strongly connected groups of more than one node in `edges` (Tarjan). */
function circles(edges) {
  const index = new Map(), low = new Map(), stack = [], on = new Set(), groups = [];
  let next = 0;
  const connect = (v) => {
    index.set(v, next); low.set(v, next); next++; stack.push(v); on.add(v);
    for (const w of edges.get(v) || []) {
      if (!index.has(w)) { connect(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const group = [];
      let w;
      do { w = stack.pop(); on.delete(w); group.push(w); } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) connect(v);
  return groups;
}

/**
 * The module graph of one Rust crate from its source files: module path ->
 * modules it names through `crate::` or `super::` (brace groups and the crate
 * root's `pub use` re-exports resolved). Comments and `#[cfg(test)]` code are
 * left out: tests may reach anywhere.
 */
function rustModules(src) {
  const text = new Map();
  for (const file of sources(src, [], /\.rs$/)) {
    let path = relative(src, file).replace(/\.rs$/, '').split('/').join('::').replace(/::mod$/, '');
    if (path === 'lib' || path === 'main') path = '';
    let code = readFileSync(file, 'utf8').replace(/\/\/[^\n]*/g, '');
    const test = code.indexOf('#[cfg(test)]');
    if (test >= 0) code = code.slice(0, test);
    text.set(path, code);
  }
  const reexport = new Map();
  for (const m of (text.get('') || '').matchAll(/pub use ([a-z_0-9]+)::(?:\{([^}]*)\}|([A-Za-z_0-9]+));/g)) {
    for (const name of (m[2] || m[3]).split(',').map((n) => n.trim()).filter(Boolean)) reexport.set(name, m[1]);
  }
  const resolve = (path) => {
    const parts = path.split('::');
    if (parts.length === 1 && reexport.has(parts[0])) return reexport.get(parts[0]);
    for (let k = parts.length; k > 0; k--) if (text.has(parts.slice(0, k).join('::'))) return parts.slice(0, k).join('::');
    return null;
  };
  const names = (group) => group.split(',').map((n) => n.trim().split(/\s|::\{/)[0]).filter(Boolean);
  const edges = new Map();
  for (const [module, code] of text) {
    if (module.includes('testkit')) continue;
    const parent = module.split('::').slice(0, -1).join('::');
    const targets = new Set();
    const add = (base, path) => { const t = resolve(base ? `${base}::${path}` : path); if (t) targets.add(t); };
    for (const [prefix, base] of [['crate', ''], ['super', parent]]) {
      for (const m of code.matchAll(new RegExp(`\\b${prefix}::\\{([^}]*)\\}`, 'g'))) for (const n of names(m[1])) add(base, n);
      for (const m of code.matchAll(new RegExp(`\\b${prefix}::((?:[A-Za-z_0-9]+::)*[A-Za-z_0-9]+)`, 'g'))) add(base, m[1]);
    }
    edges.set(module, [...targets].filter((t) => t && t !== module && !t.includes('testkit') && !module.startsWith(`${t}::`) && !t.startsWith(`${module}::`)));
  }
  return edges;
}

test('no Rust module reaches itself back through others, in any crate', () => {
  const found = [];
  let modules = 0;
  for (const crate of readdirSync(join(ROOT, 'crates'))) {
    const src = join(ROOT, 'crates', crate, 'src');
    if (!existsSync(src)) continue;
    const edges = rustModules(src);
    modules += edges.size;
    for (const group of circles(edges)) found.push(`${crate}: ${group.join(' <-> ')}`);
  }
  assert.ok(modules > 100, `found only ${modules} Rust modules: is the walk broken?`);
  assert.deepEqual(found, []);
});
