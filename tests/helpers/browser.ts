/** Real Chromium through playwright-core, and axe checks with the WCAG 2.0/2.1/2.2 A and AA tags. */
import axe from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

/** The Chromium binary the test command found (see scripts/test.ts). */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH;
  if (!path) throw new Error('CHROMIUM_PATH is not set: run the tests with `npm test`');
  return path;
}

/** Launch headless Chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

const noScriptContexts = new WeakSet<BrowserContext>();

/** A fresh context, with JavaScript on or off. */
export async function newContext(browser: Browser, baseURL: string, javaScriptEnabled = true): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, javaScriptEnabled });
  context.setDefaultTimeout(10_000);
  if (!javaScriptEnabled) noScriptContexts.add(context);
  return context;
}

/** The WCAG tags every page is checked against. */
export const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Hidden inputs carry tokens and times that change on every render without changing what axe checks. */
const volatileHidden = /(<input\b[^>]*\btype="hidden"[^>]*?)\svalue="[^"]*"/gi;

/** A page state as axe would see it without JavaScript: the address and the HTML, hidden inputs' values left out. */
export function stateOfHtml(url: string, html: string): string {
  const { pathname, search } = new URL(url);
  return createHash('sha256').update(`nojs ${pathname}${search}\n${html.replace(volatileHidden, '$1')}`).digest('hex');
}

/** A page state as axe sees it with JavaScript on: address, viewport, focus, form controls' current values and the DOM. */
async function stateOfLivePage(page: Page): Promise<string> {
  const snapshot = await page.evaluate(() => {
    const controls = [...document.querySelectorAll<HTMLInputElement>('input, select, textarea')].map((e) => (e.type === 'checkbox' || e.type === 'radio' ? String(e.checked) : e.type === 'hidden' ? '' : e.value));
    const root = document.documentElement.cloneNode(true) as HTMLElement;
    root.querySelectorAll('input[type="hidden"]').forEach((e) => e.removeAttribute('value'));
    return [location.pathname + location.search, `${innerWidth}x${innerHeight}`, document.activeElement?.id ?? '', controls.join('|'), root.outerHTML].join('\n');
  });
  return createHash('sha256').update(`js ${snapshot}`).digest('hex');
}

/** The states axe has passed in this test process; each is checked once. */
const passedStates = new Set<string>();
const checkers = new WeakMap<Browser, Map<string, Promise<Page>>>();

/** Run axe (WCAG tags, violations only) in the page's current document, injecting axe-core once per document. */
async function findViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
  return page.evaluate(async (tags) => {
    const run = (window as unknown as { axe: typeof axe }).axe.run;
    const results = await run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return results.violations.map((v) => `${v.id} (${v.impact}): ${v.help} -> ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
  }, wcagTags);
}

/**
 * One JavaScript-enabled page per browser in which no-JavaScript pages are checked: it stays on the server's
 * origin with axe-core loaded, and each state's HTML replaces its document (the window, and axe with it, stays).
 */
function checkerPage(browser: Browser, origin: string): Promise<Page> {
  let byOrigin = checkers.get(browser);
  if (!byOrigin) checkers.set(browser, (byOrigin = new Map()));
  let checker = byOrigin.get(origin);
  if (!checker) {
    checker = (async () => {
      const page = await (await browser.newContext({ javaScriptEnabled: true })).newPage();
      const blank = `${origin}/__axe-checker`;
      await page.route(blank, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: '<!doctype html><html lang="en"><title>axe</title></html>' }));
      await page.goto(blank);
      await page.evaluate(axe.source);
      return page;
    })();
    byOrigin.set(origin, checker);
  }
  return checker;
}

/**
 * Fail with a readable list if axe finds any violation on the page as it is now. A state already passed in this
 * process (same address and same page) is not checked again. axe needs JavaScript, so for a page in a
 * no-JavaScript context (or one with no scripts) the same HTML (scripts removed, CSS is inlined) is checked in a JavaScript-enabled page
 * on the same origin.
 */
export async function expectAccessible(page: Page, label = page.url()) {
  let problems: string[];
  let state: string;
  // A page that runs no script is its HTML, so it is checked in the shared checker page as without JavaScript.
  if (noScriptContexts.has(page.context()) || (await page.evaluate(() => document.scripts.length === 0))) {
    const html = (await page.content()).replace(/<script\b[\s\S]*?<\/script>/gi, '');
    const url = page.url();
    state = stateOfHtml(url, html);
    if (passedStates.has(state)) return;
    const checker = await checkerPage(page.context().browser()!, new URL(url).origin);
    await checker.setContent(html);
    problems = await findViolations(checker);
  } else {
    state = await stateOfLivePage(page);
    if (passedStates.has(state)) return;
    problems = await findViolations(page);
  }
  assert.deepEqual(problems, [], `axe violations on ${label}`);
  passedStates.add(state);
}

/** True once the error summary has focus; autofocus is applied on the browser's next rendering step, so poll briefly. */
export async function errorSummaryHasFocus(page: Page, timeoutMs = 2000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await page.evaluate(() => document.activeElement?.classList.contains('error-summary') ?? false)) return true;
    if (Date.now() > deadline) return false;
    await page.waitForTimeout(50);
  }
}
