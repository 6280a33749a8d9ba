/** Content pages: 200, no JavaScript at all, valid HTML (html-validate), and under 30 kB gzipped with their linked CSS. */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { htmlProblems } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { Visitor } from '../helpers/http.ts';

/** Every advice slug named by content/config/categories.json must have a page. */
const adviceSlugs = ['anti-social-behaviour', 'noise', 'vandalism-and-graffiti', 'drugs', 'hate-incidents', 'domestic-abuse', 'exploitation', 'fly-tipping', 'vehicle-nuisance', 'fire-risk'];
/** The public publishing pages, with the demo content (issue 13). */
const publishingPaths = ['/news', '/news/mill-lane-underpass-reopened', '/news?theme=asb&area=brackenford&year=2026', '/initiatives', '/initiatives/street-safe-eastmere', '/improvement-plan', '/areas', '/areas/hollowmere', '/areas/brackenford', '/areas/mill-lane', '/value-for-money', '/priorities', '/structure'];
/** The easy-read versions of the start page, the report guidance and every advice page (issue 17). */
const easyReadPaths = ['/easy-read', '/easy-read/report', ...adviceSlugs.map((s) => `/easy-read/advice/${s}`)];
export const contentPaths = ['/', '/about', '/advice', ...adviceSlugs.map((s) => `/advice/${s}`), '/privacy', '/accessibility', '/cookies', '/contact', ...publishingPaths, '/statistics', ...easyReadPaths];

let server: TestServer;
let visitor: Visitor;

before(async () => {
  server = await startServer();
  visitor = new Visitor(server.url);
});
after(async () => {
  await server?.stop();
});

async function fetchPage(path: string) {
  const res = await visitor.get(path);
  return { status: res.status, type: res.headers.get('content-type') ?? '', html: await res.text() };
}

/** The stylesheets a page links to, concatenated (the CSS is linked, not inlined: see the CSP). */
async function linkedCss(html: string): Promise<string> {
  const hrefs = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]!);
  const sheets = await Promise.all(hrefs.map(async (href) => (await visitor.get(href)).text()));
  return sheets.join('');
}

describe('content pages', () => {
  for (const path of contentPaths) {
    test(`${path} responds 200 with valid HTML, no script and under 30 kB gzipped with its stylesheet`, async () => {
      const { status, type, html } = await fetchPage(path);
      assert.equal(status, 200);
      assert.match(type, /^text\/html/);
      assert.ok(!/<script/i.test(html), `${path} ships no <script>`);
      assert.match(html, /<html lang="en">/);
      assert.match(html, /<title>[^<]+ - Hollowmere CSP<\/title>/);
      assert.match(html, /<main id="main-content"/);
      assert.ok(html.includes('01632 960 000'), 'the hotline number from configuration is in the footer');
      assert.ok(!html.includes('{{'), 'every {{token}} is filled');
      assert.deepEqual(await htmlProblems(html, path), [], `html-validate on ${path}`);
      const css = await linkedCss(html);
      assert.ok(css.length > 1000, 'the page links its stylesheet');
      const gz = gzipSync(html).length + gzipSync(css).length;
      assert.ok(gz < 30 * 1024, `${path} is ${gz} bytes gzipped with its stylesheet (limit 30 kB)`);
    });
  }

  test('every component state on /design-system is valid HTML', async () => {
    const { status, html } = await fetchPage('/design-system');
    assert.equal(status, 200);
    assert.deepEqual(await htmlProblems(html, 'design-system'), []);
  });

  test('the 404 page says Page not found, with status 404 and valid HTML', async () => {
    for (const path of ['/no-such-page', '/advice/no-such-advice']) {
      const { status, html } = await fetchPage(path);
      assert.equal(status, 404, path);
      assert.match(html, /<h1[^>]*>Page not found<\/h1>/);
      assert.ok(!/<script/i.test(html));
      assert.deepEqual(await htmlProblems(html, '404'), [], path);
    }
  });

  test('advice pages show the contacts from their frontmatter with config numbers filled in', async () => {
    const { html } = await fetchPage('/advice/anti-social-behaviour');
    assert.match(html, /Who to contact/);
    assert.match(html, /href="tel:101"/);
    assert.match(html, /href="tel:01632960120"/);
    const sensitive = await fetchPage('/advice/domestic-abuse');
    assert.match(sensitive.html, /href="\/exit"/, 'sensitive advice has an Exit this page link');
    const plain = await fetchPage('/advice/noise');
    assert.ok(!plain.html.includes('href="/exit"'), 'other advice has none');
  });

  test('the advice index links to every advice page in order', async () => {
    const { html } = await fetchPage('/advice');
    const links = [...html.matchAll(/<h2><a href="\/advice\/([a-z0-9-]+)"/g)].map((m) => m[1]);
    assert.deepEqual(links, adviceSlugs);
  });

  test('the stylesheet stays well under 15 kB gzipped', async () => {
    const { html } = await fetchPage('/about');
    assert.ok(!/<style/i.test(html), 'no inline <style> (the CSP allows stylesheets from our origin only)');
    const css = await linkedCss(html);
    assert.ok(css.length > 1000, 'the stylesheet is linked');
    assert.ok(gzipSync(css).length < 15 * 1024, `CSS is ${gzipSync(css).length} bytes gzipped`);
  });

  test('/exit clears the draft cookie and redirects to a neutral site', async () => {
    const res = await visitor.get('/exit');
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), 'https://www.bbc.co.uk/weather');
    const cookies = res.headers.getSetCookie();
    assert.ok(cookies.some((c) => /^draft=;/.test(c) && /Max-Age=0/i.test(c) && /Path=\/report/i.test(c)), cookies.join(' | '));
  });
});
