// The README stays a user's document and the code's comments stay true: the
// README is at most 16 KB, keeps the two commands and links the benchmark
// figures; no code comment cites an issue number; no extension module grows
// past about 300 lines.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

test('the README is at most 16 KB, keeps the two commands and links the benchmarks', () => {
  const size = Buffer.byteLength(readme);
  assert.ok(size <= 16 * 1024, `README.md is ${size} bytes`);
  for (const command of ['./build.sh demo', './build.sh test']) assert.ok(readme.includes(command), command);
  assert.match(readme, /\]\(docs\/benchmarks\.md\)/);
  assert.ok(!readme.includes('bench:begin'), 'the figures live in docs/benchmarks.md');
});

test('no issue number in the code or its comments', () => {
  let found = '';
  try {
    found = execFileSync('git', ['grep', '-nE', '[Ii]ssue #[0-9]+|\\(#[12][0-9]\\)', '--', '*.rs', '*.js', '*.mjs', '*.sh', '*.toml'], { cwd: ROOT, encoding: 'utf8' });
  } catch (e) {
    if (e.status !== 1) throw e; // 1: nothing found
  }
  assert.equal(found, '');
});

test('no extension module is over about 300 lines', () => {
  const long = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.js')) {
        const lines = readFileSync(path, 'utf8').split('\n').length;
        if (lines > 320) long.push(`${path.slice(ROOT.length + 1)}: ${lines}`);
      }
    }
  };
  walk(join(ROOT, 'extension'));
  assert.deepEqual(long, []);
});
