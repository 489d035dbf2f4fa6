// Every permission the shipped manifests ask for is justified in the README's
// permissions table and in tools/manifest.mjs, and the store build grants no
// store origin at install (issue: "the manifest asks for no permission the
// README does not justify").
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const tool = readFileSync(join(ROOT, 'tools', 'manifest.mjs'), 'utf8');
// The first column of the README's "| permission | why |" table.
const tableStart = readme.indexOf('| permission | why |');
const justified = readme.slice(tableStart).split('\n\n')[0].split('\n').slice(2).map((row) => row.split('|')[1]);

function built(variant) {
  const dir = mkdtempSync(join(tmpdir(), 'pixelproof-manifest-'));
  try {
    execFileSync('node', [join(ROOT, 'tools', 'manifest.mjs'), variant, join(ROOT, 'manifest.json'), join(dir, 'manifest.json')]);
    return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// A host pattern as the README writes it: `www.facebook.com` for https://www.facebook.com/*.
const shortHost = (p) => p.replace(/^(\*|https?):\/\//, '').replace(/\/\*$/, '');

for (const variant of ['chrome', 'firefox']) {
  test(`${variant}: each permission is justified in the README and in tools/manifest.mjs`, () => {
    const m = built(variant);
    assert.ok(tableStart > 0, 'README has the permissions table');
    for (const p of m.permissions) {
      assert.ok(justified.some((cell) => cell.includes(`\`${p}\``)), `README justifies ${p}`);
      assert.match(tool, new RegExp(`^//\\s+${p}\\s`, 'm'), `tools/manifest.mjs justifies ${p}`);
    }
    for (const h of m.host_permissions) {
      assert.ok(justified.some((cell) => cell.startsWith(' host:') && cell.includes(`\`${shortHost(h)}\``)), `README justifies host ${h}`);
    }
    for (const h of m.optional_host_permissions || []) {
      assert.ok(justified.some((cell) => cell.startsWith(' optional host:') && cell.includes(`\`${h}\``)), `README justifies optional host ${h}`);
    }
  });
}

test('the store build reaches only Meta hosts at install; a store origin is asked for at "Watch"', () => {
  const m = built('chrome');
  for (const h of m.host_permissions) assert.match(h, /^https:\/\/(www\.|\*\.)?(facebook\.com|instagram\.com)\/\*$|^https:\/\/connect\.facebook\.net\/\*$/, h);
  assert.ok(!m.permissions.includes('tabs') && !m.permissions.includes('<all_urls>'), 'no tabs / all-URLs permission');
  const t = built('chrome-test');
  assert.deepEqual(t.host_permissions.filter((h) => !m.host_permissions.includes(h)), ['*://shop.test/*'], 'the test build adds only the test store');
});

test('the Firefox test bridge is in dist/firefox-test only, and only for its control page', () => {
  // The worker answers the bridge only where the manifest declares it, so a
  // store build must neither carry the file nor declare it.
  const files = (dir) => readdirSync(join(ROOT, 'dist', dir), { recursive: true }).map(String);
  assert.ok(existsSync(join(ROOT, 'dist', 'firefox-test')), 'dist/ is built (./build.sh) before the unit tests run');
  for (const store of ['chrome', 'firefox', 'chrome-test']) {
    assert.ok(files(store).includes('manifest.json'), `dist/${store} is built`);
    assert.ok(!files(store).some((f) => f.includes('test-bridge')), `dist/${store} has no test bridge`);
    const m = JSON.parse(readFileSync(join(ROOT, 'dist', store, 'manifest.json'), 'utf8'));
    assert.equal(m.content_scripts, undefined, `dist/${store} declares no content script`);
  }
  assert.ok(files('firefox-test').includes('test-bridge.js'));
  const t = built('firefox-test');
  assert.deepEqual(t.content_scripts, [{ matches: ['https://shop.test/__pixelproof-control'], js: ['test-bridge.js'], run_at: 'document_start' }]);
  assert.deepEqual(t.host_permissions.filter((h) => !built('firefox').host_permissions.includes(h)), ['*://shop.test/*'], 'the test build adds only the test store');
  assert.deepEqual(built('firefox').content_scripts, undefined);
});
