// Derives the per-browser manifests from the one source manifest.json.
// Usage: node tools/manifest.mjs chrome|chrome-test|firefox SRC OUT
//
// Why each permission (README "Permissions" repeats this):
//   webRequest        read pixel requests (URL and body) as they leave; never blocks or alters them
//   webNavigation     page views of the journey, and frame URLs for sender attribution
//   storage           the per-tab journal and review fields
//   unlimitedStorage  a 20,000-record journal is larger than storage.session's 10 MB quota;
//                     journals are still cleared when the tab closes and at browser start
//   scripting         register the page hook for exactly the origins the user granted
//   sidePanel         the panel (Chrome); Firefox uses sidebar_action instead
//   host: facebook.com / instagram.com / connect.facebook.net
//                     the pixel endpoints and Meta's script host, to see hits and fbevents loads
//   optional host: https://*/* http://*/*
//                     nothing is granted at install; "Watch this store" asks for one origin
import { readFileSync, writeFileSync } from 'node:fs';

const [variant, src, out] = process.argv.slice(2);
const m = JSON.parse(readFileSync(src, 'utf8'));

if (variant === 'chrome-test') {
  // Automation cannot answer a permission prompt, so the test build declares the
  // test store's origin at install; from there on the same code treats it as watched.
  m.name += ' (test build)';
  m.host_permissions.push('*://shop.test/*');
} else if (variant === 'firefox') {
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
} else if (variant !== 'chrome') {
  console.error(`unknown variant ${variant}`);
  process.exit(2);
}
writeFileSync(out, JSON.stringify(m, null, 2) + '\n');
