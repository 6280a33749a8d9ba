/**
 * Languages over HTTP: `?lang=` chooses the language and keeps it in a cookie (no JavaScript needed), the layout
 * says `<html lang>` and lists hreflang alternates, the switch names each language in itself, an unknown code
 * gives English, and staff pages stay English.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { Visitor } from '../helpers/http.ts';
import { htmlProblems } from '../helpers/html.ts';

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(() => server.stop());

/** The page's <html lang>. */
function langOf(html: string): string | undefined {
  return /<html lang="([^"]*)"/.exec(html)?.[1];
}

test('?lang=cy gives a Welsh page and a year-long lang cookie that keeps Welsh on the next request', async () => {
  const visitor = new Visitor(server.url);
  const res = await visitor.get('/report?lang=cy');
  assert.equal(res.status, 200);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('lang='));
  assert.ok(cookie, 'the lang cookie is set');
  assert.match(cookie, /^lang=cy;/);
  assert.match(cookie, /Max-Age=31536000/i);
  assert.match(cookie, /SameSite=Lax/i);
  assert.match(cookie, /Path=\//i);
  const html = await res.text();
  assert.equal(langOf(html), 'cy');
  assert.match(html, /Neidio i&#39;r prif gynnwys|Neidio i'r prif gynnwys/);
  assert.deepEqual(await htmlProblems(html, 'report-cy'), []);

  const next = await visitor.get('/track');
  assert.equal(next.status, 200);
  assert.equal(next.headers.getSetCookie().some((c) => c.startsWith('lang=')), false, 'the cookie is not set again');
  assert.equal(langOf(await next.text()), 'cy');

  const back = await visitor.get('/track?lang=en');
  assert.match(back.headers.getSetCookie().find((c) => c.startsWith('lang=')) ?? '', /^lang=en;/);
  assert.equal(langOf(await back.text()), 'en');
});

test('public pages list hreflang alternates and a language switch with each name in its own language', async () => {
  const html = await (await new Visitor(server.url).get('/track')).text();
  for (const code of ['en', 'cy', 'x-default']) {
    const href = code === 'x-default' ? 'en' : code;
    assert.match(html, new RegExp(`<link rel="alternate" hreflang="${code}" href="${server.url}/track\\?lang=${href}"`), `hreflang ${code}`);
  }
  assert.match(html, /<a href="\/track\?lang=cy" hreflang="cy" lang="cy" rel="alternate" class="language-select__link">Cymraeg<\/a>/);
  assert.match(html, /<span aria-current="true" lang="en">English<\/span>/);
});

test('an unknown language code gives English and sets no cookie', async () => {
  const res = await new Visitor(server.url).get('/report?lang=xx');
  assert.equal(res.status, 200);
  assert.equal(res.headers.getSetCookie().some((c) => c.startsWith('lang=')), false);
  assert.equal(langOf(await res.text()), 'en');
});

test('staff pages stay English whatever the cookie says', async () => {
  const visitor = new Visitor(server.url);
  visitor.cookies.set('lang', 'cy');
  const html = await (await visitor.get('/staff/sign-in')).text();
  assert.equal(langOf(html), 'en');
  assert.doesNotMatch(html, /hreflang=/);
  assert.doesNotMatch(html, /language-select/);
});
