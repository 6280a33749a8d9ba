/** Every content page and the 404 page in real Chromium: axe (WCAG 2.2 AA), skip link, no JavaScript shipped. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { expectAccessible, launchBrowser, newContext } from '../helpers/browser.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const adviceSlugs = ['anti-social-behaviour', 'noise', 'vandalism-and-graffiti', 'drugs', 'hate-incidents', 'domestic-abuse', 'exploitation', 'fly-tipping', 'vehicle-nuisance', 'fire-risk'];
/** The public publishing pages with the demo content (issue 13). */
const publishingPaths = ['/news', '/news/mill-lane-underpass-reopened', '/initiatives/street-safe-eastmere', '/improvement-plan', '/areas', '/areas/brackenford', '/value-for-money', '/priorities', '/structure'];
/** The easy-read pages (issue 17), and some in Welsh (?lang=cy, with the languages module). */
const easyReadPaths = ['/easy-read', '/easy-read/report', ...adviceSlugs.map((s) => `/easy-read/advice/${s}`), '/easy-read?lang=cy', '/easy-read/report?lang=cy', '/easy-read/advice/domestic-abuse?lang=cy'];
const paths = ['/', '/about', '/advice', ...adviceSlugs.map((s) => `/advice/${s}`), '/privacy', '/accessibility', '/cookies', '/contact', ...publishingPaths, '/statistics', '/statistics/perception', ...easyReadPaths];

let server: TestServer;
let browser: Browser;
let context: BrowserContext;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  context = await newContext(browser, server.url);
});
after(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
});

describe('content pages in Chromium', () => {
  for (const path of paths) {
    test(`${path} passes axe and loads no scripts`, async () => {
      const page = await context.newPage();
      const scripts: string[] = [];
      page.on('request', (r) => {
        if (r.resourceType() === 'script') scripts.push(r.url());
      });
      const response = await page.goto(path);
      assert.equal(response?.status(), 200);
      assert.equal(await page.locator('h1').count(), 1, 'exactly one h1');
      await expectAccessible(page);
      assert.deepEqual(scripts, [], 'no scripts requested');
      await page.close();
      // ?lang= keeps the language in a cookie: the later pages are checked in English again.
      if (path.includes('?lang=')) await context.clearCookies();
    });
  }

  test('representative public pages in Welsh pass axe with lang="cy", and so does the alerts form with errors', async () => {
    const welsh = await newContext(browser, server.url, false);
    await welsh.addCookies([{ name: 'lang', value: 'cy', url: server.url }]);
    const page = await welsh.newPage();
    for (const path of ['/', '/advice/domestic-abuse', '/cookies', '/consultations', '/statistics/perception', '/news/mill-lane-underpass-reopened', '/areas/brackenford', '/alerts']) {
      const response = await page.goto(path);
      assert.equal(response?.status(), 200, path);
      assert.equal(await page.getAttribute('html', 'lang'), 'cy', `${path} is in Welsh`);
      await expectAccessible(page, `${path} (cy)`);
    }
    const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
    await page.getByRole('button', { name: 'Cael rhybuddion e-bost' }).click();
    await navigated;
    await page.waitForLoadState('load');
    assert.ok(await page.getByText('Mae problem').isVisible(), 'the Welsh error summary');
    assert.ok(await page.getByText('Dewiswch ward neu ddosbarth').first().isVisible(), 'the Welsh error message');
    await expectAccessible(page, '/alerts with errors (cy)');
    await welsh.close();
  });

  test('the skip link is first and moves focus to the main content', async () => {
    const page = await context.newPage();
    await page.goto('/about');
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to main content' });
    assert.ok(await skip.evaluate((el) => el === document.activeElement));
    assert.ok(await skip.isVisible(), 'the skip link is visible when focused');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main-content');
    await page.close();
  });

  test('the 404 page passes axe', async () => {
    const page = await context.newPage();
    const response = await page.goto('/no-such-page');
    assert.equal(response?.status(), 404);
    assert.equal(await page.title(), 'Page not found - Hollowmere CSP');
    await expectAccessible(page);
    await page.close();
  });

  test('sensitive advice has a working Exit this page link without JavaScript', async () => {
    const noJs = await newContext(browser, server.url, false);
    const page = await noJs.newPage();
    await page.goto('/advice/domestic-abuse');
    const exit = page.getByRole('link', { name: /Exit this page/ });
    assert.equal(await exit.getAttribute('href'), '/exit');
    const [response] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === '/exit'), exit.click().catch(() => {})]);
    assert.equal(response.status(), 303);
    await noJs.close();
  });

  test('pages are usable at 320 px wide without horizontal scrolling', async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 320, height: 640 });
    for (const path of ['/', '/advice/anti-social-behaviour', '/cookies', '/easy-read/advice/anti-social-behaviour']) {
      await page.goto(path);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px at 320px`);
    }
    await page.close();
  });
});
