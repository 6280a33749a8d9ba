/**
 * The public page cache over HTTP against the built server (src/web/page-cache.ts): every anonymous public page
 * that does not depend on the visitor is kept and a hit is answered by the server module before Astro, with the
 * same headers as the miss (security headers, ETag, Vary, Content-Language); 304 on If-None-Match; one entry per
 * page and language; signed-in staff, journey steps, a consultation with the visitor's draft and error pages are
 * never served from it or kept. Publishing across two processes is in publishing.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { Visitor } from '../helpers/http.ts';
import { signInAs } from './staff-sign-in.ts';
import { openConsultation } from './consultation-setup.ts';

let server: TestServer;
let consultation: string;
let editor: Visitor;
before(async () => {
  server = await startServer({ LOG_LEVEL: 'info' });
  editor = await signInAs(server.url, 'editor@hollowmere.example');
  consultation = `/consultations/${(await openConsultation(editor, 'Street lighting on the quay')).slug}`;
});
after(() => server?.stop());

/** Every header of an answer but the date and the cache's own hit-or-miss mark. */
function headersOf(res: Response): Record<string, string> {
  return Object.fromEntries([...res.headers].filter(([k]) => k !== 'date' && k !== 'x-content-cache'));
}

/** Two anonymous GETs of a path, with their bodies. */
async function getTwice(path: string, headers: Record<string, string> = {}): Promise<[Response, string, Response, string]> {
  const first = await fetch(server.url + path, { headers, redirect: 'manual' });
  const firstText = await first.text();
  const second = await fetch(server.url + path, { headers, redirect: 'manual' });
  return [first, firstText, second, await second.text()];
}

const PUBLIC_PAGES = [
  '/', '/report', '/advice', '/advice/noise', '/about', '/contact', '/privacy', '/accessibility', '/cookies', '/news', '/initiatives', '/improvement-plan',
  '/areas', '/areas/mill-lane', '/statistics', '/statistics/perception', '/statistics/data.csv', '/statistics/data.json', '/consultations', ':consultation',
  '/feeds/news.rss', '/feeds/meetings.ics', '/sitemap.xml', '/easy-read', '/easy-read/report', '/easy-read/advice/noise',
];

test('every anonymous public page is kept; a hit, answered before Astro, has the status, body and headers of the miss', async () => {
  for (const listed of PUBLIC_PAGES) {
    const path = listed === ':consultation' ? consultation : listed;
    const [miss, missText, hit, hitText] = await getTwice(path);
    assert.equal(miss.status, 200, path);
    assert.equal(miss.headers.get('x-content-cache'), 'miss', path);
    assert.equal(hit.headers.get('x-content-cache'), 'hit', path);
    assert.equal(hit.status, 200, path);
    assert.equal(hitText, missText, path);
    assert.deepEqual(headersOf(hit), headersOf(miss), `${path}: the same headers, security headers included`);
    assert.equal(hit.headers.get('content-security-policy'), miss.headers.get('content-security-policy'));
    assert.equal(hit.headers.get('vary'), 'Cookie', path);
    assert.equal(hit.headers.get('content-language'), 'en', path);
    assert.equal(hit.headers.get('set-cookie'), null, path);
  }
  const logged = server.output().split('\n').filter((l) => l.includes('"event":"request"') && l.includes('"path":"/advice/noise"'));
  assert.equal(logged.length, 2, 'one log line each');
  assert.match(logged[1]!, /"cache":"hit"/, 'the hit was answered by the server module, not the middleware');
  assert.equal((await fetch(`${server.url}/report`)).headers.get('cache-control'), 'no-store', 'the report start page keeps no-store (back after Exit)');
});

test('If-None-Match with the page\'s ETag gets 304 from the cache; another ETag gets the page', async () => {
  const [, , hit] = await getTwice('/advice');
  const etag = hit.headers.get('etag')!;
  const notModified = await fetch(`${server.url}/advice`, { headers: { 'if-none-match': etag } });
  assert.equal(notModified.status, 304);
  assert.equal(await notModified.text(), '');
  assert.equal(notModified.headers.get('etag'), etag);
  assert.equal(notModified.headers.get('x-frame-options'), 'DENY');
  assert.equal((await fetch(`${server.url}/advice`, { headers: { 'if-none-match': '"something-else"' } })).status, 200);
});

test('one entry per page and language: a language the site knows has its own entry and Content-Language', async () => {
  await getTwice('/cookies');
  const english = await (await fetch(`${server.url}/cookies`)).text();
  const [welsh, welshText, welshAgain, welshAgainText] = await getTwice('/cookies', { cookie: 'lang=cy' });
  assert.equal(welsh.headers.get('x-content-cache'), 'miss', 'Welsh is not served the English entry');
  assert.equal(welsh.headers.get('content-language'), 'cy');
  assert.match(welshText, /<html lang="cy"/);
  assert.notEqual(welshText, english);
  assert.equal(welshAgain.headers.get('x-content-cache'), 'hit');
  assert.equal(welshAgainText, welshText);
  const choosing = await fetch(`${server.url}/cookies?lang=cy`);
  await choosing.arrayBuffer();
  assert.equal(choosing.headers.get('x-content-cache'), null, '?lang= sets the cookie, so it is rendered');
  assert.match(choosing.headers.get('set-cookie') ?? '', /lang=cy/);
  const unknown = await fetch(`${server.url}/cookies`, { headers: { cookie: 'lang=xx' } });
  assert.equal(unknown.headers.get('x-content-cache'), 'hit');
  assert.equal(unknown.headers.get('content-language'), 'en', 'a language the site does not have is English');
  const malformed = await fetch(`${server.url}/cookies`, { headers: { cookie: 'lang=%; other=%E0%A4%A' } });
  assert.equal(malformed.status, 200, 'a malformed cookie is no language, not an error');
  assert.equal(malformed.headers.get('x-content-cache'), 'hit');
});

test('signed-in staff always get a fresh page, and what they are shown is never kept', async () => {
  const [, , anonymous] = await getTwice('/news');
  for (let i = 0; i < 2; i++) {
    const staff = await editor.get('/news');
    assert.equal(staff.status, 200);
    assert.equal(staff.headers.get('x-content-cache'), null, 'rendered for the signed-in editor');
    assert.equal(staff.headers.get('cache-control'), 'no-store');
    await staff.arrayBuffer();
  }
  const after = await fetch(`${server.url}/news`);
  assert.equal(after.headers.get('x-content-cache'), 'hit');
  assert.equal(after.headers.get('etag'), anonymous.headers.get('etag'), 'the anonymous entry is untouched');
});

test('never from the cache: journey steps, a consultation showing the visitor\'s draft, error pages', async () => {
  const visitor = new Visitor(server.url);
  for (const path of ['/report/danger', '/track', '/feedback']) {
    for (let i = 0; i < 2; i++) {
      const res = await visitor.get(path);
      await res.arrayBuffer();
      assert.equal(res.headers.get('x-content-cache'), null, path);
    }
  }
  await getTwice(consultation);
  const withDraft = await fetch(server.url + consultation, { headers: { cookie: 'consultation_draft=not-a-draft' } });
  await withDraft.arrayBuffer();
  assert.equal(withDraft.headers.get('x-content-cache'), null, 'a draft cookie means the page is rendered for this visitor');
  for (const path of ['/advice/no-such-advice', '/news/no-such-item', '/statistics?month=1999-01']) {
    const [first, , second] = await getTwice(path);
    assert.equal(first.status, 404, path);
    assert.equal(second.status, 404, path);
    assert.equal(second.headers.get('x-content-cache'), null, `${path}: an error page is not kept`);
  }
});
