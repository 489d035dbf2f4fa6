// The Rust crates keep their module dependencies one-way: no module of a crate
// reaches itself back through others by `use crate::…`, `super::…` or a
// `crate::…` path in its code (test-only modules aside). A module and its own
// submodules are one unit (Rust nests them: the parent declares its children,
// they use its types), and a path through the crate root's `pub use` counts
// as a use of the module it re-exports. Every crate is held to it.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function rsFiles(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) rsFiles(path, out);
    else if (name.endsWith('.rs')) out.push(path);
  }
  return out;
}

/** `a/b.rs` → "a::b", `a/mod.rs` → "a", `lib.rs` → "" (the crate root). */
function moduleOf(src, file) {
  const parts = relative(src, file).split(sep);
  const last = parts.pop().replace(/\.rs$/, '');
  if (last !== 'mod' && !(parts.length === 0 && (last === 'lib' || last === 'main'))) parts.push(last);
  return parts.join('::');
}

/** Comments, strings and char literals blanked, so paths in them do not count. */
function code(text) {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/r(#*)"[\s\S]*?"\1/g, '""')
    .replace(/"(?:\\[\s\S]|[^"\\])*"/g, '""')
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/'(?:\\.|[^'\\\n])'/g, "' '");
}

/** Test-only code (`#[cfg(test)] mod … { … }`) left out: the graph is the product's. */
function withoutTests(text) {
  let out = text;
  for (let at = out.search(/#\[cfg\(test\)\]\s*(pub\s+)?mod\s+\w+\s*\{/); at >= 0; at = out.search(/#\[cfg\(test\)\]\s*(pub\s+)?mod\s+\w+\s*\{/)) {
    let i = out.indexOf('{', at);
    let depth = 0;
    for (; i < out.length; i++) {
      if (out[i] === '{') depth++;
      else if (out[i] === '}' && --depth === 0) break;
    }
    out = out.slice(0, at) + out.slice(i + 1);
  }
  return out;
}

/** `a::{b, c::{d, e}}` → ["a::b", "a::c::d", "a::c::e"]. */
function expand(tree) {
  tree = tree.trim();
  const open = tree.indexOf('{');
  if (open < 0) return [tree.replace(/\s+as\s+\w+$/, '').replace(/\s+/g, '')];
  const prefix = tree.slice(0, open).replace(/\s+/g, '');
  const inner = tree.slice(open + 1, tree.lastIndexOf('}'));
  const items = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] === '{') depth++;
    else if (inner[i] === '}') depth--;
    else if (inner[i] === ',' && depth === 0) { items.push(inner.slice(start, i)); start = i + 1; }
  }
  items.push(inner.slice(start));
  return items.filter((s) => s.trim()).flatMap((s) => expand(s).map((p) => (p === 'self' ? prefix.replace(/::$/, '') : prefix + p)));
}

/**
 * The module graph of one crate's src/: module → the modules it names. The
 * crate root (lib.rs) is left out: it declares every module and re-exports
 * the public face, which is no dependency between the modules themselves.
 */
export function moduleGraph(src) {
  const files = rsFiles(src);
  const modules = new Set(files.map((f) => moduleOf(src, f)));
  // The crate root's re-exports: `pub use session::Session;` makes
  // `crate::Session` a use of `session`.
  const reexported = new Map();
  const root = files.find((f) => moduleOf(src, f) === '');
  if (root) {
    for (const m of code(readFileSync(root, 'utf8')).matchAll(/\bpub\s+use\s+([^;]+);/g)) {
      for (const path of expand(m[1])) {
        const segs = path.split('::');
        if (modules.has(segs[0])) reexported.set(segs[segs.length - 1], segs[0]);
      }
    }
  }
  const edges = new Map();
  for (const file of files) {
    const self = moduleOf(src, file);
    if (self === '') continue;
    const text = withoutTests(code(readFileSync(file, 'utf8')));
    const paths = [];
    for (const m of text.matchAll(/\buse\s+([^;]+);/g)) paths.push(...expand(m[1]));
    for (const m of text.matchAll(/(?<![\w:])((?:crate|super|self)(?:::\w+)+)/g)) paths.push(m[1]);
    const targets = new Set();
    for (const path of paths) {
      let segs = path.split('::').filter(Boolean);
      let base;
      if (segs[0] === 'crate') {
        base = [];
        segs = segs.slice(1);
        if (segs.length && reexported.has(segs[0])) segs = [reexported.get(segs[0]), ...segs.slice(1)];
      }
      else if (segs[0] === 'self') { base = self.split('::'); segs = segs.slice(1); }
      else if (segs[0] === 'super') {
        base = self.split('::');
        while (segs[0] === 'super') { base = base.slice(0, -1); segs = segs.slice(1); }
      } else if (modules.has([...self.split('::'), segs[0]].join('::'))) base = self.split('::');
      else continue; // another crate, or std
      // The longest prefix that is a module of this crate.
      let target = null;
      for (let k = segs.length; k >= 0; k--) {
        const name = [...base, ...segs.slice(0, k)].filter(Boolean).join('::');
        if (modules.has(name)) { target = name; break; }
      }
      const nested = (a, b) => b.startsWith(`${a}::`);
      if (target && target !== '' && target !== self && !nested(target, self) && !nested(self, target)) targets.add(target);
    }
    edges.set(self, [...targets].sort());
  }
  return edges;
}

/** The strongly connected parts of more than one module (Tarjan), each sorted, with the edges inside it. */
export function circles(edges) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) || []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const part = [];
      let w;
      do { w = stack.pop(); on.delete(w); part.push(w); } while (w !== v);
      if (part.length > 1) {
        const set = new Set(part);
        const inside = part.sort().flatMap((a) => (edges.get(a) || []).filter((b) => set.has(b)).map((b) => `${a} -> ${b}`));
        out.push({ modules: part, edges: inside });
      }
    }
  };
  for (const v of [...edges.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

test('the walker finds a circle through use crate::{…}, super:: and a crate:: path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pp-modules-'));
  try {
    mkdirSync(join(dir, 'views'));
    writeFileSync(join(dir, 'lib.rs'), 'mod app;\nmod ctx;\nmod views;\nmod plain;\npub use plain::Plain;\n');
    writeFileSync(join(dir, 'app.rs'), 'use crate::{views::{self, list}, plain};\npub fn update() {}\n');
    writeFileSync(join(dir, 'ctx.rs'), '// use crate::app;\nconst S: &str = "crate::app";\npub fn send() { crate::app::update(); }\n');
    writeFileSync(join(dir, 'views', 'mod.rs'), 'pub mod list;\npub fn all() { list::one(); }\n');
    writeFileSync(join(dir, 'views', 'list.rs'), 'use super::super::ctx::send;\nuse super::all;\nfn f(p: crate::Plain) {}\n');
    writeFileSync(join(dir, 'plain.rs'), 'use std::fmt;\n#[cfg(test)]\nmod tests {\n    use crate::app;\n    fn f() { if true { crate::ctx::send(); } }\n}\n');
    const edges = moduleGraph(dir);
    assert.deepEqual(edges.get('app'), ['plain', 'views', 'views::list']);
    assert.deepEqual(edges.get('ctx'), ['app']);
    assert.deepEqual(edges.get('views::list'), ['ctx', 'plain'], 'its parent is no edge; crate::Plain is plain');
    assert.deepEqual(edges.get('views'), [], 'its own submodule is no edge');
    assert.deepEqual(circles(edges), [{ modules: ['app', 'ctx', 'views::list'], edges: ['app -> views::list', 'ctx -> app', 'views::list -> ctx'] }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no module of any crate reaches itself back through others', () => {
  let modules = 0;
  const found = [];
  for (const crate of readdirSync(join(ROOT, 'crates'))) {
    const src = join(ROOT, 'crates', crate, 'src');
    if (!existsSync(src)) continue;
    const edges = moduleGraph(src);
    modules += edges.size;
    for (const c of circles(edges)) found.push(`${crate}: ${c.edges.join('; ')}`);
  }
  assert.ok(modules > 90, `found only ${modules} modules: is the walk broken?`);
  const panel = moduleGraph(join(ROOT, 'crates', 'panel', 'src'));
  // The views build on the context, and the update on the views.
  assert.ok(panel.get('live').includes('ctx') && panel.get('app').includes('live'), 'the walk missed known uses');
  assert.deepEqual(found, []);
});
