// What a person sees of the panel, for any browser driver's page (Playwright's
// in Chromium, puppeteer's in Firefox: both `evaluate` and press keys the same
// way): where the verdict and the four core-event statuses are on the screen,
// whether anything covers them, and axe-core's accessibility audit. The demo
// suite (tests/suites/demo.mjs) and the live suite (tests/suites/live.mjs)
// assert on these in both browsers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export const CORE = ['ViewContent', 'AddToCart', 'InitiateCheckout', 'Purchase'];

/** The first screen the acceptance tests hold the panel to: a side panel at its usual width. */
export const SCREEN = { width: 400, height: 600 };

/** Resizes a driver's page (Playwright: setViewportSize; puppeteer: setViewport). */
export async function resize(page, width, height) {
  if (page.setViewportSize) await page.setViewportSize({ width, height });
  else await page.setViewport({ width, height });
}

/**
 * What is on screen: the viewport, the scroll, and for the verdict and each
 * core event's status (the first element in document order that shows it)
 * its text, its box, and whether a person can see it: laid out, not hidden,
 * inside the viewport, and the topmost element at its centre (not under the
 * sticky header or anything else).
 */
export function firstScreen(page) {
  return page.evaluate((core) => {
    const seen = (e) => {
      if (!e) return null;
      const r = e.getBoundingClientRect();
      const style = getComputedStyle(e);
      const cx = r.left + r.width / 2;
      const cy = r.top + r.height / 2;
      const inside = r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
      const top = inside ? document.elementFromPoint(cx, cy) : null;
      return {
        text: e.textContent.replace(/\s+/g, ' ').trim(),
        top: r.top, bottom: r.bottom, left: r.left, right: r.right,
        visible: inside && style.visibility === 'visible' && Number(style.opacity) > 0 && Boolean(top && (top === e || e.contains(top))),
      };
    };
    return {
      width: innerWidth,
      height: innerHeight,
      scrollY,
      scrollWidth: document.documentElement.scrollWidth,
      verdict: seen(document.querySelector('#pp-verdict')),
      events: Object.fromEntries(core.map((ev) => [ev, seen(document.querySelector(`[data-event="${ev}"] .status`))])),
    };
  }, CORE);
}

/** A status as the panel words it: PASS, WARN, FAIL, NOT SEEN (a packet row says pass/warn/fail/not_seen). */
export const statusWord = (s) => s.replace(/_/g, ' ').toUpperCase();

/**
 * Asserts the verdict and the four core events' statuses are seen in the
 * first screen, unscrolled, and say what the packet says (`packet` from
 * get-packet: the worker's core on the same journal).
 */
export function assertFirstScreen(view, packet, where) {
  assert.equal(view.scrollY, 0, `${where}: the panel opens unscrolled`);
  assert.ok(view.verdict && view.verdict.visible, `${where}: the verdict is seen in the first ${view.height} px: ${JSON.stringify(view.verdict)}`);
  assert.equal(view.verdict.text, `Verdict: ${packet.verdict.toUpperCase()}`, `${where}: the verdict is the packet's`);
  const rows = Object.fromEntries(packet.cards.test_events.events.filter((r) => r.core).map((r) => [r.event, r.status]));
  for (const ev of CORE) {
    const s = view.events[ev];
    assert.ok(s, `${where}: no status shown for ${ev}`);
    assert.ok(s.visible, `${where}: ${ev}'s status is not seen in the first ${view.width}×${view.height} px: ${JSON.stringify(s)}`);
    // A word, not colour alone: "✗ FAIL", "✓ PASS", "! WARN", "– NOT SEEN".
    assert.match(s.text, new RegExp(`(^|[^A-Z])${statusWord(rows[ev])}$`), `${where}: ${ev} shows the packet's status ${rows[ev]}`);
  }
}

const require = createRequire(import.meta.url);
let axeSource = null;

/**
 * Runs axe-core (the npm package, devDependency) on the page as it is and
 * returns its violations: `{id, impact, help, targets}`. The script goes in
 * through the driver's evaluate (the panel's CSP allows no injected script tag).
 */
export async function axe(page) {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(`${axeSource};void 0`);
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
}

/** The violations a person relying on a screen reader, a keyboard or contrast is blocked by. */
export const serious = (violations) => violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');

/** Turns dark mode on for a Playwright page; false where the driver cannot (then the browser was launched dark). */
export async function emulateDark(page) {
  if (page.emulateMedia) {
    await page.emulateMedia({ colorScheme: 'dark' });
    return true;
  }
  return false;
}

/**
 * What a page needs to be looked at in both schemes: the layout of the first
 * screen at 400×600 and axe's violations, light and (where the driver can
 * switch it) dark. The demo run hands it the panel of each scenario.
 */
export async function inspectPanel(panel) {
  await resize(panel, SCREEN.width, SCREEN.height);
  const view = await firstScreen(panel);
  const light = await axe(panel);
  let dark = null;
  if (await emulateDark(panel)) {
    dark = await axe(panel);
    await panel.emulateMedia({ colorScheme: 'light' });
  }
  return { view, axe: { light, dark } };
}
