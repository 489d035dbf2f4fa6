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

/** The section bar's links, in order. */
export const SECTIONS = ['Live', 'Gate', 'Findings', 'Evidence', 'Review', 'Export', 'Timeline'];

/**
 * What the keyboard reaches, from the top of the page: `n` presses of Tab,
 * each focused element's role in the panel (the verdict, a section link by
 * its text, a core event by its name, else its tag and text) and whether its
 * focus is seen (an outline or a focus ring drawn as a box shadow).
 */
export async function tabOrder(page, n) {
  await page.evaluate(() => {
    for (const d of document.querySelectorAll('details[open]')) d.open = false;
    window.scrollTo(0, 0);
    // The sequential focus starting point at the top of the document.
    document.body.setAttribute('tabindex', '-1');
    document.body.focus();
    document.body.removeAttribute('tabindex');
  });
  const stops = [];
  for (let i = 0; i < n; i++) {
    await page.keyboard.press('Tab');
    stops.push(await page.evaluate(() => {
      const a = document.activeElement;
      if (!a || a === document.body) return { what: 'body', focusSeen: false };
      const s = getComputedStyle(a);
      const focusSeen = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || (s.boxShadow && s.boxShadow !== 'none');
      const text = a.textContent.replace(/\s+/g, ' ').trim();
      let what = `${a.tagName.toLowerCase()}: ${text.slice(0, 40)}`;
      if (a.id === 'pp-verdict') what = 'verdict';
      else if (a.closest('nav')) what = `section: ${text}`;
      else if (a.closest('#pp-events [data-event]')) what = `event: ${a.closest('[data-event]').dataset.event}`;
      return { what, focusSeen };
    }));
  }
  return stops;
}

/**
 * Asserts the keyboard order a person needs: the verdict first, then the
 * section bar in its order, then the four core events in funnel order, each
 * reached within the first stops, and the focus seen at every stop.
 */
export function assertTabOrder(stops, where) {
  const names = stops.map((s) => s.what);
  const at = (w) => names.indexOf(w);
  const want = ['verdict', ...SECTIONS.map((x) => `section: ${x}`), ...CORE.map((e) => `event: ${e}`)];
  const missing = want.filter((w) => at(w) < 0);
  assert.deepEqual(missing, [], `${where}: the keyboard reaches all of these in the first ${stops.length} stops (reached: ${names.join(' | ')})`);
  const order = want.map(at);
  assert.deepEqual(order, [...order].sort((a, b) => a - b), `${where}: verdict, then the section bar, then the core events in funnel order (reached: ${names.join(' | ')})`);
  assert.equal(at('verdict'), 0, `${where}: the verdict is the first stop (reached: ${names.join(' | ')})`);
  const unseen = stops.filter((s) => !s.focusSeen).map((s) => s.what);
  assert.deepEqual(unseen, [], `${where}: the focus is seen at every stop`);
}

/**
 * Every element the panel colours by a status (class st-… or sev-…, and the
 * verdict): its class, its words (text and any aria-label) and whether those
 * words name the status without the colour.
 */
export function statusWords(page) {
  return page.evaluate(() => {
    const WORDS = { pass: /PASS|✓/i, warn: /WARN|!/i, fail: /FAIL|✗/i, not_seen: /NOT SEEN|–/i, info: /INFO|\bi\b/i, go: /\bGO\b/, stop: /\bSTOP\b/, incomplete: /INCOMPLETE/ };
    const out = [];
    for (const e of document.querySelectorAll('[class*="st-"], [class*="sev-"], [class*="v-"]')) {
      const cls = [...e.classList].find((c) => /^(st|sev|v)-/.test(c));
      if (!cls || e.closest('[hidden]') || getComputedStyle(e).display === 'none') continue;
      const status = cls.replace(/^(st|sev|v)-/, '');
      if (!WORDS[status]) continue;
      const words = [e.textContent, e.getAttribute('aria-label') || '', ...[...e.querySelectorAll('[aria-label]')].map((x) => x.getAttribute('aria-label'))].join(' ').replace(/\s+/g, ' ').trim();
      out.push({ cls, where: e.id || e.closest('[id]')?.id || e.tagName, event: e.closest('#pp-events [data-event]')?.dataset.event || null, words: words.slice(0, 60), said: WORDS[status].test(words) });
    }
    return out;
  });
}

/** Asserts every status colour comes with its word, and that the verdict and the four core events were among those looked at. */
export function assertStatusWords(list, where) {
  assert.ok(list.some((x) => x.where === 'pp-verdict'), `${where}: the verdict carries its status class: ${JSON.stringify(list.slice(0, 8))}`);
  const events = list.filter((x) => x.event && /^st-/.test(x.cls)).map((x) => x.event);
  assert.deepEqual(events, CORE, `${where}: the four core events' statuses, coloured by status`);
  assert.deepEqual(list.filter((x) => !x.said), [], `${where}: a status shown by colour alone`);
}

/** Whether the page is drawn dark: the browser reports the dark scheme and the body's background is dark. */
export function scheme(page) {
  return page.evaluate(() => {
    const bg = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
    return { dark: matchMedia('(prefers-color-scheme: dark)').matches, luminance: (0.2126 * bg[0] + 0.7152 * bg[1] + 0.0722 * bg[2]) / 255 };
  });
}

/**
 * What a page needs to be looked at: the layout of the first screen at
 * 400×600; axe's violations in the light scheme at 400 and at 320 px wide,
 * and (where the driver can switch it: Chromium) in the dark scheme at both
 * widths, with whether the dark scheme was drawn dark; the keyboard's order
 * and focus; the status words. The demo run hands it the panel of each scenario.
 */
export async function inspectPanel(panel) {
  await resize(panel, SCREEN.width, SCREEN.height);
  const view = await firstScreen(panel);
  const light = await axe(panel);
  await resize(panel, 320, SCREEN.height);
  const narrow = await axe(panel);
  const narrowView = await firstScreen(panel);
  let dark = null;
  let darkNarrow = null;
  let darkScheme = null;
  if (await emulateDark(panel)) {
    darkNarrow = await axe(panel);
    await resize(panel, SCREEN.width, SCREEN.height);
    dark = await axe(panel);
    darkScheme = await scheme(panel);
    await panel.emulateMedia({ colorScheme: 'light' });
  }
  await resize(panel, SCREEN.width, SCREEN.height);
  const keyboard = await tabOrder(panel, 16);
  await panel.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
  const words = await statusWords(panel);
  return { view, narrowView, axe: { light, narrow, dark, darkNarrow }, darkScheme, keyboard, words };
}
