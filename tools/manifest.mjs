// Derives the per-browser manifests from the one source manifest.json.
// Usage: node tools/manifest.mjs chrome|chrome-test|firefox|firefox-test SRC OUT
//
// Why each permission (README "Permissions" repeats this):
//   webRequest        read pixel requests (URL and body) as they leave; never blocks or alters them
//   webNavigation     page views of the journey, and frame URLs for sender attribution
//   storage           the per-tab journal and review fields
//   unlimitedStorage  a 20,000-record journal is larger than storage.session's 10 MB quota;
//                     journals go when the tab closes; the last few survive a browser restart, bounded
//   scripting         register the page hook for exactly the origins the user granted
//   sidePanel         the panel (Chrome); Firefox uses sidebar_action instead
//   host: facebook.com / instagram.com / connect.facebook.net
//                     the pixel endpoints and Meta's script host, to see hits and fbevents loads
//   optional host: https://*/* http://*/*
//                     nothing is granted at install; "Watch this store" asks for one origin
import { readFileSync, writeFileSync } from 'node:fs';

const [variant, src, out] = process.argv.slice(2);
const m = JSON.parse(readFileSync(src, 'utf8'));

// The Firefox tests' control page: BiDi cannot open moz-extension:// pages, so
// the tests reach the worker through a content script on this page (test builds
// only; the tests read the URL from the built manifest).
const BRIDGE_PAGE = 'https://shop.test/__pixelproof-control';

const firefox = variant === 'firefox' || variant === 'firefox-test';
if (!['chrome', 'chrome-test', 'firefox', 'firefox-test'].includes(variant)) {
  console.error(`unknown variant ${variant}`);
  process.exit(2);
}
if (variant.endsWith('-test')) {
  // Automation cannot answer a permission prompt, so the test build declares the
  // test store's origin at install; from there on the same code treats it as watched.
  m.name += ' (test build)';
  m.host_permissions.push('*://shop.test/*');
}
if (variant === 'firefox-test') {
  // Only this build carries extension/test-bridge.js (build.sh copies it nowhere
  // else); the worker answers the bridge only when this entry is in the manifest.
  m.content_scripts = [{ matches: [BRIDGE_PAGE], js: ['test-bridge.js'], run_at: 'document_start' }];
}
if (firefox) {
  m.background = { scripts: ['background.js'], type: 'module' };
  delete m.side_panel;
  delete m.minimum_chrome_version;
  m.permissions = m.permissions.filter((p) => p !== 'sidePanel');
  m.sidebar_action = { default_panel: 'panel.html', default_title: 'PixelProof', default_icon: m.icons };
  m.browser_specific_settings = {
    gecko: {
      id: 'pixelproof@pixelproof.dev',
      strict_min_version: '142.0',
      // PixelProof sends nothing anywhere: all analysis stays in the browser.
      data_collection_permissions: { required: ['none'] },
    },
  };
}
writeFileSync(out, JSON.stringify(m, null, 2) + '\n');
