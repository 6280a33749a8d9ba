/**
 * "Send your report" through the thin path (src/web/report/send.ts): the common case is answered without the Astro
 * pipeline with the same answer, headers and stored rows; the rest reaches the page, and a refused send is counted
 * once, not once by each.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClient, type Client } from '@libsql/client';
import { ANSWERS_BEFORE_PHOTOS, Visitor } from '../helpers/http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let db: Client;
before(async () => {
  server = await startServer({ LOG_LEVEL: 'info', REPORTS_PER_HOUR_PER_ADDRESS: '2' });
  db = createClient({ url: server.dbUrl, timeout: 15_000 });
});
after(async () => {
  db.close();
  await server.stop();
});

const count = async (sql: string) => Number((await db.execute(sql)).rows[0]!.n);

/** A visitor who has answered every question up to check answers (named, with an e-mail address). */
async function visitorAtCheck(email: string, base = server.url): Promise<Visitor> {
  const v = new Visitor(base);
  const steps: (readonly [string, Record<string, string>])[] = [
    ...ANSWERS_BEFORE_PHOTOS,
    ['/report/photos', { intent: 'continue' }],
    ['/report/privacy', { privacy: 'named' }],
    ['/report/contact', { name: 'Sam Resident', email, phone: '', preferredContact: 'email' }],
  ];
  for (const [path, body] of steps) assert.equal((await v.post(path, body)).status, 303, `${path} accepted`);
  return v;
}

/** Request log lines for POST /report/check: answered by the thin path, or by the page. */
const sendLines = (via: 'thin' | 'page') =>
  server.output().split('\n').filter((l) => l.includes('"event":"request"') && l.includes('"method":"POST","path":"/report/check"') && l.includes('"via":"thin"') === (via === 'thin')).length;

/** Wait until the server has logged `n` sends answered this way (its output reaches us a moment after the answer). */
async function waitForSends(via: 'thin' | 'page', n: number) {
  for (let i = 0; i < 1500 && sendLines(via) < n; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(sendLines(via), n, `${n} sends logged as answered by the ${via === 'thin' ? 'thin path' : 'page'}`);
}

test('a send is answered 303 by the thin path with the security headers and no-store, and stores the case, its e-mail and the sent mark', async () => {
  const v = await visitorAtCheck('send-one@example.org');
  v.cookies.set('lang', 'cy'); // chosen earlier with ?lang=cy: the case is kept in the resident's language
  const res = await v.post('/report/check', { website: '' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/report/confirmation');
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  assert.equal(res.headers.get('x-frame-options'), 'DENY');
  await waitForSends('thin', 1);
  assert.equal(await count("SELECT count(*) AS n FROM cases WHERE idempotency_key LIKE 'draft:%'"), 1);
  assert.equal(await count("SELECT count(*) AS n FROM cases WHERE language = 'cy'"), 1);
  assert.equal(await count("SELECT count(*) AS n FROM outbox WHERE recipient = 'send-one@example.org'"), 1);
  assert.equal(await count('SELECT count(*) AS n FROM drafts WHERE case_id IS NOT NULL'), 1);
  const confirmation = await v.get('/report/confirmation');
  assert.equal(confirmation.status, 200);
  assert.match(await confirmation.text(), /HM-|reference/i);
  // sent again (a refresh): the page answers, nothing more is stored
  const again = await v.post('/report/check', { website: '' });
  assert.equal(again.status, 303);
  await waitForSends('page', 1);
  assert.equal(sendLines('thin'), 1, 'a sent draft goes to the page');
  assert.equal(await count("SELECT count(*) AS n FROM cases WHERE idempotency_key LIKE 'draft:%'"), 1);
});

test('a cross-site send or a filled honeypot goes to the page, which refuses it, and nothing is stored', async () => {
  const v = await visitorAtCheck('send-two@example.org');
  const cases = await count('SELECT count(*) AS n FROM cases');
  assert.equal((await v.post('/report/check', { website: '' }, { origin: 'https://evil.example' })).status, 403);
  assert.equal((await v.post('/report/check', { website: '' }, { origin: server.url, 'x-forwarded-host': 'evil.example' })).status, 303, 'a proxied request is left to Astro, which judges it');
  assert.equal(await count('SELECT count(*) AS n FROM cases'), cases + 1);
  const bot = await visitorAtCheck('send-bot@example.org');
  const refused = await bot.post('/report/check', { website: 'http://spam.example' });
  assert.equal(refused.status, 400);
  assert.match(await refused.text(), /could not be sent/);
  assert.equal(await count('SELECT count(*) AS n FROM cases'), cases + 1);
  await waitForSends('page', 3); // the refresh above, the proxied send and the bot's (Astro's origin check answers the 403 before the request log)
  assert.equal(sendLines('thin'), 1, 'none of these went by the thin path');
});

test('a send over the address limit gets the 429 page from the thin path\'s count, counted once', async () => {
  // the two sends above used this address's limit of 2 an hour
  const key = "report:ip:127.0.0.1";
  const hits = await count(`SELECT coalesce(sum(count), 0) AS n FROM rate_limits WHERE key = '${key}'`);
  assert.equal(hits, 2);
  const v = await visitorAtCheck('send-three@example.org');
  const res = await v.post('/report/check', { website: '' });
  assert.equal(res.status, 429);
  assert.ok(Number(res.headers.get('retry-after')) > 0);
  assert.match(await res.text(), /You have sent a lot of reports recently/);
  assert.equal(await count(`SELECT coalesce(sum(count), 0) AS n FROM rate_limits WHERE key = '${key}'`), hits + 1, 'one attempt, one count');
  assert.equal(await count("SELECT count(*) AS n FROM outbox WHERE recipient = 'send-three@example.org'"), 0);
});

test('parallel sends from one address over its limit: exactly the limit is stored, every attempt counted once, the rest refused with 429', async () => {
  const other = await startServer({ REPORTS_PER_HOUR_PER_ADDRESS: '3' });
  const otherDb = createClient({ url: other.dbUrl, timeout: 15_000 });
  try {
    const visitors: Visitor[] = [];
    for (let i = 0; i < 8; i++) visitors.push(await visitorAtCheck(`parallel-${i}@example.org`, other.url));
    const answers = await Promise.all(visitors.map((v) => v.post('/report/check', { website: '' })));
    const statuses = answers.map((r) => r.status).sort();
    await Promise.all(answers.map((r) => r.text()));
    assert.deepEqual(statuses, [303, 303, 303, 429, 429, 429, 429, 429]);
    const n = async (sql: string) => Number((await otherDb.execute(sql)).rows[0]!.n);
    assert.equal(await n("SELECT count(*) AS n FROM cases WHERE channel = 'web'"), 3);
    assert.equal(await n('SELECT count(*) AS n FROM drafts WHERE case_id IS NOT NULL'), 3);
    assert.equal(await n("SELECT count(*) AS n FROM outbox WHERE recipient LIKE 'parallel-%'"), 3);
    assert.equal(await n("SELECT coalesce(sum(count), 0) AS n FROM rate_limits WHERE key = 'report:ip:127.0.0.1'"), 8, 'each attempt counted once');
    assert.equal(await n('SELECT count(*) AS n FROM rate_limits WHERE key IS NULL'), 0);
  } finally {
    otherDb.close();
    await other.stop();
  }
});
