/**
 * The public page cache (src/web/page-cache.ts) on a real database: which requests may be cached, the language of
 * a request, the generation read at most every GENERATION_CHECK_MS (never per hit) on an injected clock, the
 * 60-second life of live pages, what is never kept, and the bounds on entries and bytes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openTestDatabase } from '../helpers/db.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { bumpGenerationStatement } from '../../src/domains/publishing/index.ts';
import {
  GENERATION_CHECK_MS, LIVE_TTL_MS, endRender, isCacheable, languageOfRequest, lookupPage, markPagesStale, measureCache, startRender, storePage,
} from '../../src/web/page-cache.ts';

let database: Database;
let cleanup: () => Promise<void>;
before(async () => ({ database, cleanup } = await openTestDatabase()));
after(() => cleanup());

/** A fake clock far from the others in this file, so each test starts with the generation due for a read. */
let clock = 1_000_000_000_000;
function nextClock(): number {
  clock += 10 * LIVE_TTL_MS;
  return clock;
}

/** Render-and-store a page as the middleware does; returns the answer. */
async function keep(path: string, now: number, body = `<p>${path}</p>`, init: ResponseInit = {}, setsCookie = false, cookie: string | null = null): Promise<Response> {
  const url = new URL(`http://x${path}`);
  const ticket = await startRender(url, cookie, now);
  try {
    return await storePage(ticket, new Response(body, { status: 200, headers: { 'Content-Type': 'text/html' }, ...init }), null, setsCookie);
  } finally {
    endRender(ticket);
  }
}

/** The answer the cache gives for an anonymous GET at `now`, or null. */
function look(path: string, now: number, cookie: string | null = null, ifNoneMatch: string | null = null) {
  return lookupPage('GET', new URL(`http://x${path}`), cookie, ifNoneMatch, now);
}

test('which requests may be answered from the cache', () => {
  for (const path of ['/', '/report', '/advice', '/advice/noise', '/about', '/contact', '/privacy', '/accessibility', '/cookies', '/news', '/news/a', '/initiatives', '/areas', '/areas/mill-lane', '/statistics', '/statistics/perception', '/statistics/data.csv', '/statistics/data.json', '/consultations', '/consultations/a', '/feeds/news.rss', '/feeds/meetings.ics', '/sitemap.xml', '/easy-read', '/easy-read/report', '/easy-read/advice/noise']) {
    assert.equal(isCacheable('GET', new URL(`http://x${path}`), null), true, path);
  }
  for (const path of ['/report/danger', '/report/check', '/report/confirmation', '/track', '/track/case', '/feedback', '/staff/queue', '/consultations/a/respond', '/consultations/a/done', '/meetings/1', '/alerts', '/exit', '/healthz']) {
    assert.equal(isCacheable('GET', new URL(`http://x${path}`), null), false, path);
  }
  const at = (path: string) => new URL(`http://x${path}`);
  assert.equal(isCacheable('POST', at('/'), null), false, 'only GETs');
  assert.equal(isCacheable('GET', at('/'), 'lang=cy; session=abc.def'), false, 'a staff session cookie is always rendered');
  assert.equal(isCacheable('GET', at('/consultations/a'), 'consultation_draft=t'), false, 'a consultation page with the visitor\'s own draft');
  assert.equal(isCacheable('GET', at('/consultations'), 'consultation_draft=t'), true, 'the finder shows no draft');
  assert.equal(isCacheable('GET', at('/about?lang=cy'), null), false, 'choosing a language sets its cookie');
});

test('the language of a request, as the middleware resolves it: ?lang=, else the lang cookie, else English (content/locales)', () => {
  assert.equal(languageOfRequest(new URL('http://x/?lang=cy'), 'lang=pl'), 'cy');
  assert.equal(languageOfRequest(new URL('http://x/?lang=xx'), 'lang=pl'), 'en', 'an unknown ?lang= is English, as in src/web/language.ts');
  assert.equal(languageOfRequest(new URL('http://x/'), 'a=1; lang=pl; b=2'), 'pl');
  assert.equal(languageOfRequest(new URL('http://x/'), 'lang=xx'), 'en');
  assert.equal(languageOfRequest(new URL('http://x/'), null), 'en');
  assert.equal(languageOfRequest(new URL('http://x/'), 'lang=%; x=%E0%A4%A'), 'en', 'a malformed cookie is no language, not an error');
});

test('pages are kept per language: a language the site knows (lang cookie) is its own entry', async () => {
  const t = nextClock();
  await keep('/about', t, 'English');
  assert.equal((await look('/about', t + 1, 'lang=cy')), null, 'Welsh is not the English entry');
  const welsh = await keep('/about', t, 'Cymraeg', {}, false, 'lang=cy');
  assert.equal(welsh.headers.get('content-language'), 'cy');
  assert.equal((await look('/about', t + 1, 'lang=cy'))?.body.toString(), 'Cymraeg');
  assert.equal((await look('/about?lang=cy', t + 1)), null, 'choosing a language is never answered from the cache');
  assert.equal((await look('/about', t + 1))?.body.toString(), 'English');
  assert.equal((await look('/about', t + 1, 'lang=zz'))?.body.toString(), 'English', 'an unknown language is English');
  const english = await look('/about', t + 1);
  assert.equal(english?.headers.find(([k]) => k.toLowerCase() === 'content-language')?.[1], 'en');
});

test('a hit reads no generation until GENERATION_CHECK_MS have passed; then a moved generation makes it a miss', async () => {
  const t = nextClock();
  const miss = await keep('/news', t);
  assert.equal(miss.headers.get('x-content-cache'), 'miss');
  await database.client.execute(bumpGenerationStatement());
  const hit = await look('/news', t + GENERATION_CHECK_MS - 1);
  assert.ok(hit, 'still served: the generation was not read again');
  assert.equal(hit.headers.find(([k]) => k === 'x-content-cache')?.[1], 'hit');
  assert.equal(await look('/news', t + GENERATION_CHECK_MS), null, 'the generation is read again and has moved');
});

test('after this process changed something (markPagesStale) the next request reads the generation at once, and live pages go', async () => {
  const t = nextClock();
  await keep('/initiatives', t);
  await keep('/consultations', t);
  assert.ok(await look('/initiatives', t + 1));
  markPagesStale();
  assert.ok(await look('/initiatives', t + 2), 'the generation has not moved: the stable page stays');
  assert.equal(await look('/consultations', t + 2), null, 'a live page is rendered again');
  await database.client.execute(bumpGenerationStatement());
  markPagesStale();
  assert.equal(await look('/initiatives', t + 3), null);
});

test('an unchanged generation keeps stable pages; live pages (statistics) last LIVE_TTL_MS', async () => {
  const t = nextClock();
  await keep('/advice/noise', t);
  await keep('/statistics', t);
  assert.ok(await look('/statistics', t + LIVE_TTL_MS - 1));
  assert.equal(await look('/statistics', t + LIVE_TTL_MS), null);
  assert.ok(await look('/advice/noise', t + LIVE_TTL_MS), 'advice changes only with a build or a publish');
});

test('ETag and 304: If-None-Match with the ETag gets 304 with no body; another gets the page', async () => {
  const t = nextClock();
  const miss = await keep('/priorities', t);
  const etag = miss.headers.get('etag')!;
  assert.match(etag, /^"[A-Za-z0-9_-]+"$/);
  assert.equal(miss.headers.get('vary'), 'Cookie');
  assert.equal(miss.headers.get('content-language'), 'en');
  const notModified = await look('/priorities', t + 1, null, `"other", ${etag}`);
  assert.equal(notModified?.status, 304);
  assert.equal(notModified?.body.length, 0);
  const whole = await look('/priorities', t + 1, null, '"other"');
  assert.equal(whole?.status, 200);
  assert.equal(whole?.body.toString(), '<p>/priorities</p>');
});

test('never kept: an error page, a response that sets a cookie, a body over 1 MB', async () => {
  const t = nextClock();
  await keep('/structure', t, 'Not found', { status: 404 });
  assert.equal(await look('/structure', t + 1), null, '404');
  await keep('/structure', t, 'Oops', { status: 500 });
  assert.equal(await look('/structure', t + 1), null, '500');
  const withCookie = await keep('/structure', t, 'page', {}, true);
  assert.equal(withCookie.headers.get('x-content-cache'), null, 'answered as rendered');
  assert.equal(await look('/structure', t + 1), null, 'Astro.cookies');
  await keep('/structure', t, 'page', { headers: { 'Set-Cookie': 'lang=cy' } });
  assert.equal(await look('/structure', t + 1), null, 'Set-Cookie header');
  await keep('/structure', t, 'x'.repeat(1024 * 1024 + 1));
  assert.equal(await look('/structure', t + 1), null, 'too large');
});

test('the cache holds at most 500 entries and 32 MB, dropping the least recently used', async () => {
  const t = nextClock();
  await keep('/news/first', t);
  for (let i = 0; i < 600; i++) {
    await keep(`/news/n${i}`, t);
    if (i % 100 === 0) assert.ok(await look('/news/first', t + 1), 'used, so kept');
  }
  assert.equal(measureCache().entries, 500);
  assert.ok(await look('/news/first', t + 1), 'the recently used entry stayed');
  assert.equal(await look('/news/n0', t + 1), null, 'the least recently used went');
  const big = 'y'.repeat(1000 * 1000);
  for (let i = 0; i < 40; i++) await keep(`/news/big${i}`, t, big + i);
  assert.ok(measureCache().bytes <= 32 * 1024 * 1024, `${measureCache().bytes} bytes`);
  assert.ok(await look('/news/big39', t + 1), 'the newest stays');
  assert.equal(await look('/news/big0', t + 1), null, 'the oldest went');
});

test('requests for a page being rendered wait for that render instead of rendering it again', async () => {
  const t = nextClock();
  const url = new URL('http://x/value-for-money');
  const ticket = await startRender(url, null, t);
  let answered = false;
  const waiting = look('/value-for-money', t + 1).then((page) => ((answered = true), page));
  await new Promise((r) => setImmediate(r));
  assert.equal(answered, false, 'the second request waits');
  await storePage(ticket, new Response('<p>rendered once</p>', { status: 200 }), null, false);
  endRender(ticket);
  const page = await waiting;
  assert.equal(page?.body.toString(), '<p>rendered once</p>');
  assert.equal(page?.headers.find(([k]) => k === 'x-content-cache')?.[1], 'hit');

  const failing = await startRender(new URL('http://x/structure'), null, t);
  const released = look('/structure', t + 1);
  endRender(failing);
  assert.equal(await released, null, 'a render that kept nothing releases the waiters to render for themselves');
});
