// Renders Markdown the way a reader sees it — GitHub-flavoured, through
// `marked`, which passes raw HTML through unsanitised (so markup that leaked
// out of the packet's escaping would show here) — and screenshots it in
// Debian's Chromium.
//
//   node tools/render-markdown.mjs FILE.md [OUT_DIR] [--width 1000] [--split 1400]
//
// Writes OUT_DIR/<name>.html and OUT_DIR/<name>.png (default OUT_DIR:
// target/render); --split also writes the page in slices <name>-1.png, … of
// that height, small enough to read at full size. Used to look at
// docs/packet-*.md and docs/diff.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { marked } from 'marked';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

// A small GitHub-like stylesheet: tables with borders, code spans shaded.
const CSS = `
body { font: 14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1f2328; margin: 24px; max-width: 1100px; }
h1 { font-size: 24px; border-bottom: 1px solid #d1d9e0; padding-bottom: 6px; }
h2 { font-size: 20px; border-bottom: 1px solid #d1d9e0; padding-bottom: 4px; margin-top: 28px; }
h3 { font-size: 16px; margin-top: 22px; }
table { border-collapse: collapse; margin: 8px 0 16px; display: block; overflow: auto; }
th, td { border: 1px solid #d1d9e0; padding: 4px 10px; vertical-align: top; }
th { background: #f6f8fa; text-align: left; }
tr:nth-child(2n) td { background: #f6f8fa; }
code { background: rgba(129,139,152,.15); border-radius: 4px; padding: 1px 4px; font-size: 85%; }
blockquote { border-left: 4px solid #d1d9e0; color: #59636e; margin: 0; padding: 0 12px; }
`;

/** Markdown text → a whole HTML page. */
export function renderHtml(markdown, title = 'packet') {
  const body = marked.parse(markdown, { gfm: true });
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title.replace(/</g, '&lt;')}</title><style>${CSS}</style></head><body>${body}</body></html>`;
}

async function main() {
  const args = process.argv.slice(2);
  const widthAt = args.indexOf('--width');
  const width = widthAt >= 0 ? Number(args.splice(widthAt, 2)[1]) : 1000;
  const splitAt = args.indexOf('--split');
  const slice = splitAt >= 0 ? Number(args.splice(splitAt, 2)[1]) : 0;
  const [file, outArg] = args;
  if (!file) {
    console.error('usage: node tools/render-markdown.mjs FILE.md [OUT_DIR] [--width PX]');
    process.exit(2);
  }
  const out = resolve(outArg || join(ROOT, 'target', 'render'));
  mkdirSync(out, { recursive: true });
  const name = basename(file).replace(/\.md$/, '');
  const html = renderHtml(readFileSync(file, 'utf8'), name);
  const htmlPath = join(out, `${name}.html`);
  writeFileSync(htmlPath, html);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: true });
  try {
    const page = await browser.newPage({ viewport: { width, height: 800 } });
    await page.goto(`file://${htmlPath}`);
    const png = join(out, `${name}.png`);
    await page.screenshot({ path: png, fullPage: true });
    console.log(png);
    if (slice > 0) {
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      for (let i = 0, y = 0; y < height; i++, y += slice) {
        const path = join(out, `${name}-${i + 1}.png`);
        await page.screenshot({ path, fullPage: true, clip: { x: 0, y, width, height: Math.min(slice, height - y) } });
        console.log(path);
      }
    }
  } finally {
    await browser.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`render-markdown: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  });
}
