/** Real Chromium through playwright-core, and axe checks with the WCAG 2.0/2.1/2.2 A and AA tags. */
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import assert from 'node:assert/strict';

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

/**
 * Fail with a readable list if axe finds any violation on the page as it is now. axe needs JavaScript, so for
 * a page in a no-JavaScript context the same HTML (scripts removed, CSS is inlined) is checked in a
 * JavaScript-enabled page at the same address.
 */
export async function expectAccessible(page: Page, label = page.url()) {
  let target = page;
  let checker: BrowserContext | undefined;
  if (noScriptContexts.has(page.context())) {
    const html = (await page.content()).replace(/<script\b[\s\S]*?<\/script>/gi, '');
    const browser = page.context().browser()!;
    checker = await browser.newContext({ javaScriptEnabled: true });
    target = await checker.newPage();
    const url = page.url();
    await target.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
    await target.goto(url);
  }
  try {
    const results = await new AxeBuilder({ page: target }).withTags(wcagTags).analyze();
    const problems = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help} -> ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
    assert.deepEqual(problems, [], `axe violations on ${label}`);
  } finally {
    await checker?.close();
  }
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
