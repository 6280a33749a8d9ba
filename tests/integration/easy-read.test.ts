/**
 * Easy read over HTTP (issue 17): every easy-read page answers 200 with valid HTML and no script, links back to
 * its standard page, and each standard page links to its easy-read version; an unknown slug is 404; with the
 * languages module, ?lang=cy shows the Welsh file.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { htmlProblems } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { Visitor } from '../helpers/http.ts';

const root = join(import.meta.dirname, '../..');
const adviceSlugs = readdirSync(join(root, 'content/advice')).filter((n) => n.endsWith('.md')).map((n) => n.replace(/\.md$/, ''));
/** Each standard page and its easy-read version. */
const pairs = [['/', '/easy-read'], ['/report', '/easy-read/report'], ...adviceSlugs.map((s) => [`/advice/${s}`, `/easy-read/advice/${s}`])] as const;

let server: TestServer;
let visitor: Visitor;
before(async () => {
  server = await startServer();
  visitor = new Visitor(server.url);
});
after(() => server?.stop());

/** The href of the link with this id on a page. */
function hrefOf(html: string, id: string): string | undefined {
  return new RegExp(`<a href="([^"]+)" id="${id}">`).exec(html)?.[1];
}

describe('easy-read pages', () => {
  for (const [standard, easy] of pairs) {
    test(`${easy} answers 200 without script, linked from ${standard} and back (HTML and size: content-pages.test.ts)`, async () => {
      const res = await visitor.get(easy);
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.ok(!/<script/i.test(html), 'no <script>');
      assert.match(html, /class="column-two-thirds easy-read" lang="en"/);
      assert.ok(!html.includes('{{'), 'every {{token}} is filled');
      assert.equal(hrefOf(html, 'standard-version'), standard, 'links back to the standard version');
      assert.match(html, /<a href="[^"]+" id="standard-version">Standard version of this page<\/a>/);
      const source = await (await visitor.get(standard)).text();
      assert.equal(hrefOf(source, 'easy-read-version'), easy, `${standard} links to its easy-read version`);
      assert.match(source, /id="easy-read-version">Easy read version<\/a>/);
    });
  }

  test('the easy-read start page lists every easy-read advice page', async () => {
    const html = await (await visitor.get('/easy-read')).text();
    for (const slug of adviceSlugs) assert.ok(html.includes(`<a href="/easy-read/advice/${slug}">`), `links to ${slug}`);
    assert.ok(html.includes('<a href="/easy-read/report">'), 'links to the easy-read report guidance');
  });

  test('the key numbers are on their own line: 999, 101 and the hotline', async () => {
    const html = await (await visitor.get('/easy-read/report')).text();
    for (const number of ['999', '101', '01632 960 000']) assert.ok(html.includes(`<p><strong>${number}</strong></p>`), `${number} on its own line`);
  });

  test('sensitive advice keeps Exit this page in easy read', async () => {
    const html = await (await visitor.get('/easy-read/advice/domestic-abuse')).text();
    assert.match(html, /href="\/exit"/);
    assert.ok(!/href="\/exit"/.test(await (await visitor.get('/easy-read/advice/noise')).text()), 'not on other advice');
  });

  test('an unknown slug, the start page or the report guidance under /easy-read/advice/ is 404', async () => {
    for (const path of ['/easy-read/advice/no-such-advice', '/easy-read/advice/home', '/easy-read/advice/report', '/easy-read/advice/Noise', '/easy-read/advice/..%2Fhome']) {
      const res = await visitor.get(path);
      assert.equal(res.status, 404, path);
      await res.body?.cancel();
    }
  });

  // The request's language comes from the languages module (?lang= or the lang cookie, content/locales).
  const languages = existsSync(join(root, 'content/locales'));
  test('?lang=cy gives the Welsh easy-read files, with valid HTML', { skip: languages ? false : 'the languages module (content/locales) is not on this branch; tests/unit/easy-read.test.ts checks the choice' }, async () => {
    const welsh = new Visitor(server.url);
    const res = await welsh.get('/easy-read/advice/noise?lang=cy');
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<h1 class="heading-l">Sŵn<\/h1>/);
    assert.match(html, /lang="cy"/);
    assert.match(html, /id="standard-version">Fersiwn safonol y dudalen hon<\/a>/);
    assert.deepEqual(await htmlProblems(html, 'noise.cy'), []);
    for (const [, easy] of pairs) {
      const page = await (await welsh.get(`${easy}?lang=cy`)).text();
      assert.match(page, /class="column-two-thirds easy-read" lang="cy"/, easy);
      assert.deepEqual(await htmlProblems(page, `${easy}.cy`), []);
    }
    const english = await (await new Visitor(server.url).get('/easy-read/advice/noise?lang=en')).text();
    assert.match(english, /<h1 class="heading-l">Noise<\/h1>/);
  });
});
