/**
 * Hostile traffic at the server module (src/server/entry.ts and src/middleware.ts): per-route body limits
 * before parsing, unknown methods, Astro routes the site does not use, hostile redirect targets, unreadable
 * bodies, error logs without personal data, the same security headers on every kind of answer, and who
 * sees the health figures; and that the image library loads on the photos step, not at start.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createClient, type Client } from '@libsql/client';
import { exchange } from '../helpers/raw-http.ts';
import { ANSWERS_BEFORE_PHOTOS, Visitor } from '../helpers/http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { signInAs } from './staff-sign-in.ts';
import { SECURITY_HEADERS } from '../../src/platform/security/headers.ts';

let server: TestServer;
let db: Client;
before(async () => {
  server = await startServer();
  db = createClient({ url: server.dbUrl, timeout: 15_000 });
});
after(async () => {
  db.close();
  await server.stop();
});

async function count(table: string): Promise<number> {
  const r = await db.execute(`SELECT count(*) AS n FROM ${table}`);
  return Number(r.rows[0]!.n);
}

/** The request head of a form POST that declares `length` bytes. */
function formHead(path: string, length: number | 'chunked', extra = ''): string {
  const size = length === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`;
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nOrigin: ${server.url}\r\nContent-Type: application/x-www-form-urlencoded\r\n${size}\r\nConnection: close\r\n${extra}\r\n`;
}

/** One chunk of a chunked body. */
function chunk(data: string): string {
  return `${Buffer.byteLength(data).toString(16)}\r\n${data}\r\n`;
}

describe('body limits per route, before parsing', () => {
  for (const path of ['/feedback', '/staff/sign-in']) {
    test(`a declared 1 MB body to ${path} gets 413 at once, without the body being sent`, async () => {
      const before = await count('cases');
      // Only a few bytes of the 1 MB are sent: a server that waited for the body would not answer
      // until its request timeout (30 s); the wait here is 10 s.
      const res = await exchange(server.port, [formHead(path, 1024 * 1024), 'message=hello'], { waitMs: 10_000 });
      assert.equal(res.status, 413, `status for ${path}`);
      assert.equal(res.closed, true, 'the connection is closed');
      assert.equal(res.headers.connection, 'close');
      assert.match(res.body, /too large/);
      assert.equal(await count('cases'), before, 'nothing stored');
    });
  }

  test('a chunked body is counted as it streams: past the limit it gets 413 and the connection closes', async () => {
    const kb = 'a'.repeat(1024);
    // /staff/sign-in allows 8 kB; 12 chunks of 1 kB pass it, and the body is never finished.
    const parts = [formHead('/staff/sign-in', 'chunked'), chunk('email=x%40example.com&password=')];
    for (let i = 0; i < 12; i++) parts.push(chunk(kb));
    const res = await exchange(server.port, parts, { waitMs: 10_000 });
    assert.equal(res.status, 413);
    assert.equal(res.closed, true);
  });

  test('a refused body the client keeps sending: the 413 arrives and the connection closes without a reset, for a declared length and for chunks', async () => {
    const mb = 'a'.repeat(16 * 1024);
    for (const head of [formHead('/staff/sign-in', 3 * 1024 * 1024), formHead('/staff/sign-in', 'chunked')]) {
      // 3 MB in 16 kB writes, 1 ms apart: the server refuses after 8 kB while the client is still sending. Closing a
      // socket with unread data resets it, and the client's next write then fails before it has read the answer.
      const chunked = head.includes('chunked');
      const parts = [head, ...Array.from({ length: 192 }, () => (chunked ? chunk(mb) : mb))];
      const res = await exchange(server.port, parts, { waitMs: 10_000 });
      assert.equal(res.status, 413, chunked ? 'chunked' : 'declared length');
      assert.match(res.body, /too large/);
      assert.equal(res.closed, true);
      assert.equal(res.reset, false, 'closed, not reset');
    }
  });

  test('a request pipelined behind a refused body is not run: the connection only reads and drops what follows the answer', async () => {
    const before = await count('cases');
    const feedback = (token: string, close = '') => {
      const form = `token=${token.padEnd(26, 'a')}&feedbackType=compliment&message=The+officer+who+called+me+back+was+brilliant.`;
      return `POST /feedback HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nOrigin: ${server.url}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\n${close}\r\n${form}`;
    };
    const refused = `POST /staff/sign-in HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nOrigin: ${server.url}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 20000\r\n\r\n${'a'.repeat(20_000)}`;
    const res = await exchange(server.port, [refused + feedback('pipelined')], { waitMs: 5_000 });
    assert.equal(res.status, 413);
    // The same form on a connection of its own is stored, so a pipelined one that ran would be seen.
    const alone = await exchange(server.port, [feedback('alone', 'Connection: close\r\n')]);
    assert.equal(alone.status, 303, alone.body.slice(0, 300));
    assert.equal(await count('cases'), before + 1, 'only the form sent on its own connection was stored');
  });

  test('a chunked body within the limit reaches the page (a 400 with the form errors, not a 413)', async () => {
    const res = await exchange(server.port, [formHead('/feedback', 'chunked'), chunk('message=&name='), chunk('&email=not-an-email'), '0\r\n\r\n']);
    assert.equal(res.status, 400);
    assert.match(res.body, /Enter your feedback/);
  });

  test('a small body with more than 200 fields gets 413 from the server module before any page parses it; 200 fields reach the page', async () => {
    const before = await count('cases');
    const fields = (n: number) => ['feedbackType=compliment', ...Array.from({ length: n - 1 }, (_, i) => `f${i}=x`)].join('&');
    const over = await fetch(`${server.url}/feedback`, { method: 'POST', headers: { origin: server.url, 'content-type': 'application/x-www-form-urlencoded' }, body: fields(201) });
    assert.equal(over.status, 413);
    assert.match(over.headers.get('content-type') ?? '', /^text\/plain/, 'the server module answered, not the page');
    assert.match(await over.text(), /too many fields/);
    const boundary = 'XYZ';
    const parts = Array.from({ length: 201 }, (_, i) => `--${boundary}\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nx\r\n`).join('') + `--${boundary}--\r\n`;
    const multipart = await fetch(`${server.url}/feedback`, { method: 'POST', headers: { origin: server.url, 'content-type': `multipart/form-data; boundary=${boundary}` }, body: parts });
    assert.equal(multipart.status, 413, 'multipart parts are counted too');
    assert.match(await multipart.text(), /too many fields/);
    const within = await fetch(`${server.url}/feedback`, { method: 'POST', headers: { origin: server.url, 'content-type': 'application/x-www-form-urlencoded' }, body: fields(200) });
    assert.equal(within.status, 400, 'the page reads it and asks for the feedback');
    assert.match(await within.text(), /Enter your feedback/);
    assert.equal(await count('cases'), before, 'nothing stored');
  });

  test('a text step refuses a body over 64 kB; a declared length under the limit is read as usual', async () => {
    const v = new Visitor(server.url);
    const big = await v.post('/report/description', { description: 'x'.repeat(70 * 1024) });
    assert.equal(big.status, 413);
    const small = await v.post('/report/danger', { danger: 'no' });
    assert.equal(small.status, 303);
  });
});

describe('never a 500 for hostile input', () => {
  test('TRACE, PROPFIND and CONNECT get 405 with Allow', async () => {
    for (const method of ['TRACE', 'PROPFIND']) {
      const res = await exchange(server.port, [`${method} / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`]);
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.allow, 'GET, HEAD, POST, OPTIONS');
    }
    const connect = await exchange(server.port, [`CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n`]);
    assert.equal(connect.status, 405, 'CONNECT');
    assert.equal(connect.closed, true);
  });

  test('a request Node cannot parse, on a kept-alive connection after an answered one, gets 400 with the security headers, not a reset', async () => {
    const res = await exchange(server.port, [`GET /about HTTP/1.1\r\nHost: x\r\n\r\n`, `FOO /about HTTP/1.1\r\nHost: x\r\n\r\n`], { gapMs: 300 });
    assert.equal(res.status, 200, 'the first request is answered');
    assert.equal(res.reset, false, 'no reset');
    assert.equal(res.closed, true);
    const second = res.body.slice(res.body.indexOf('HTTP/1.1 400'));
    assert.match(second, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(second, /\r\nX-Content-Type-Options: nosniff\r\n/);
  });

  test('/_image and the other unused Astro routes answer 404', async () => {
    for (const path of ['/_image?href=https://example.com/x.png&w=10', '/_image', '/_server-islands/x', '/_actions/x']) {
      const res = await fetch(server.url + path, { redirect: 'manual' });
      assert.equal(res.status, 404, path);
    }
  });

  test('a body that is not a form, or a broken multipart form, gets a 4xx', async () => {
    const json = await fetch(`${server.url}/staff/sign-in`, { method: 'POST', headers: { origin: server.url, 'content-type': 'application/json' }, body: '{"email":"a"}' });
    assert.equal(json.status, 415);
    const broken = await fetch(`${server.url}/staff/sign-in`, {
      method: 'POST',
      headers: { origin: server.url, 'content-type': 'multipart/form-data; boundary=XYZ' },
      body: '--XYZ\r\nContent-Disposition: form-data; name="email"\r\n\r\nno end boundary',
    });
    assert.equal(broken.status, 400);
  });

  test('hostile next targets after sign-in give a safe same-site redirect', async () => {
    const v = await signInAs(server.url, 'calls@hollowmere.example');
    const cases: [string, RegExp][] = [
      ['/staff/calls/new?q=\u00e9\u4e2d', /^\/staff\/calls\/new\?q=%C3%A9%E4%B8%AD$/],
      ['/staff/\u00e9', /^\/staff\/%C3%A9$/],
      ['/staff\r\nSet-Cookie: x=1', /^\/staff$/],
      ['/staff\\..\\..\\evil', /^\/staff$/],
      ['//evil.example/staff', /^\/staff$/],
      ['/\\evil.example', /^\/staff$/],
      ['https://evil.example/staff', /^\/staff$/],
      ['/staff\u0000x', /^\/staff$/],
      ['/staff/%00', /^\/staff\/%00$/],
      ['/staffroom', /^\/staff$/],
    ];
    for (const [next, expected] of cases) {
      const res = await v.get(`/staff/sign-in?next=${encodeURIComponent(next)}`);
      assert.equal(res.status, 303, JSON.stringify(next));
      assert.match(res.headers.get('location') ?? '', expected, JSON.stringify(next));
    }
  });

  test('a hostile back target on the queue saves a clean view and redirects safely', async () => {
    const v = await signInAs(server.url, 'triage@hollowmere.example');
    const views = await count('saved_views');
    const res = await v.post('/staff/queue', { intent: 'save-view', viewName: 'Mine', back: '?status=new&q=\u00e9\u4e2d' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/staff/queue?status=new&q=%C3%A9%E4%B8%AD');
    assert.equal(await count('saved_views'), views + 1);
    const crlf = await v.post('/staff/queue', { intent: 'save-view', viewName: 'Mine too', back: '?status=new\r\nSet-Cookie: x=1' });
    assert.equal(crlf.status, 303);
    assert.equal(crlf.headers.get('location'), '/staff/queue');
    const away = await v.post('/staff/queue', { intent: 'delete-view', viewId: 'none', back: '//evil.example' });
    assert.equal(away.status, 303);
    assert.equal(away.headers.get('location'), '/staff/queue');
  });
});

describe('races', () => {
  test('20 parallel equality answers for one report store exactly one row', async () => {
    const v = new Visitor(server.url);
    const steps: (readonly [string, Record<string, string>])[] = [
      ...ANSWERS_BEFORE_PHOTOS,
      ['/report/photos', { intent: 'continue' }],
      ['/report/privacy', { privacy: 'anonymous' }],
      ['/report/check', { website: '' }],
    ];
    for (const [path, body] of steps) assert.equal((await v.post(path, body)).status, 303, `${path} accepted`);
    const before = await count('equality_responses');
    const answers = { age: '25-44', sex: 'prefer-not', disability: 'no', ethnicity: 'other' };
    const all = await Promise.all(Array.from({ length: 20 }, () => v.post('/report/equality', answers)));
    for (const res of all) assert.equal(res.status, 303);
    assert.equal(await count('equality_responses'), before + 1);
    const again = await v.post('/report/equality', answers);
    assert.equal(again.status, 303);
    assert.equal(await count('equality_responses'), before + 1, 'a later resubmission stores nothing');
  });
});

describe('the same security headers on every kind of answer', () => {
  /** The security headers of an answer, by lower-case name. */
  function securityHeadersOf(headers: Headers | Record<string, string>): Record<string, string | null> {
    const out: Record<string, string | null> = {};
    for (const name of Object.keys(SECURITY_HEADERS)) {
      const key = name.toLowerCase();
      out[key] = headers instanceof Headers ? headers.get(key) : (headers[key] ?? null);
    }
    return out;
  }
  const expected = Object.fromEntries(Object.entries(SECURITY_HEADERS).map(([k, v]) => [k.toLowerCase(), v]));

  test('the policy allows no inline script or style', () => {
    const csp = SECURITY_HEADERS['Content-Security-Policy']!;
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /style-src 'self'/);
    assert.match(csp, /script-src 'self'/);
  });

  test('pages, redirects, 304s, 404, 405, 413, 415, the origin-check 403, static files and the HTTP parser\'s 400 and 431 all carry them', async () => {
    const page = await fetch(`${server.url}/about`);
    const html = await page.text();
    const stylesheet = /<link rel="stylesheet" href="(\/_astro\/[^"]+\.css)"/.exec(html)?.[1];
    assert.ok(stylesheet, 'pages link their stylesheet');
    assert.doesNotMatch(html, /<style|style="/, 'no inline styles for the policy to block');
    const answers: [string, Headers | Record<string, string>, number][] = [
      ['page', page.headers, page.status],
      ['redirect', ...(await fetch(`${server.url}/staff/queue`, { redirect: 'manual' }).then((r) => [r.headers, r.status] as const))],
      ['404', ...(await fetch(`${server.url}/no-such-page`).then((r) => [r.headers, r.status] as const))],
      ['405', ...(await exchange(server.port, [`TRACE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]).then((r) => [r.headers, r.status] as const))],
      ['413', ...(await exchange(server.port, [formHead('/feedback', 1024 * 1024)]).then((r) => [r.headers, r.status] as const))],
      ['415', ...(await fetch(`${server.url}/feedback`, { method: 'POST', headers: { origin: server.url, 'content-type': 'text/plain' }, body: 'x' }).then((r) => [r.headers, r.status] as const))],
      [
        'origin 403',
        ...(await fetch(`${server.url}/feedback`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: 'message=x' }).then(
          (r) => [r.headers, r.status] as const,
        )),
      ],
      ['/js file', ...(await fetch(`${server.url}/js/character-count.js`).then((r) => [r.headers, r.status] as const))],
      ['/_astro file', ...(await fetch(server.url + stylesheet!).then((r) => [r.headers, r.status] as const))],
      ['static 304', ...(await fetch(server.url + stylesheet!).then((r) => fetch(server.url + stylesheet!, { headers: { 'if-none-match': r.headers.get('etag')! } })).then((r) => [r.headers, r.status] as const))],
      ['cached page 304', ...(await fetch(`${server.url}/`).then((r) => fetch(`${server.url}/`, { headers: { 'if-none-match': r.headers.get('etag')! } })).then((r) => [r.headers, r.status] as const))],
      // Answers from Node's HTTP parser, before the request reaches the server module.
      ['parser 400', ...(await exchange(server.port, [`GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n`]).then((r) => [r.headers, r.status] as const))],
      ['parser 431', ...(await exchange(server.port, [`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]).then((r) => [r.headers, r.status] as const))],
    ];
    const statuses = Object.fromEntries(answers.map(([name, , status]) => [name, status]));
    assert.deepEqual(statuses, {
      page: 200, redirect: 303, '404': 404, '405': 405, '413': 413, '415': 415, 'origin 403': 403, '/js file': 200, '/_astro file': 200,
      'static 304': 304, 'cached page 304': 304, 'parser 400': 400, 'parser 431': 431,
    });
    for (const [name, headers] of answers) {
      assert.deepEqual(securityHeadersOf(headers), expected, name);
      const hsts = headers instanceof Headers ? headers.get('strict-transport-security') : headers['strict-transport-security'];
      assert.equal(hsts ?? null, null, `${name}: no HSTS over plain http`);
    }
  });
});

describe('errors are logged with route and cause, without personal data', () => {
  test('an unhandled error is logged at error level with its route and cause, not the cookie or path tokens', async () => {
    const other = await startServer();
    const broken = createClient({ url: other.dbUrl });
    try {
      const v = new Visitor(other.url);
      assert.equal((await v.post('/report/danger', { danger: 'no' })).status, 303);
      const draftId = v.cookies.get('draft')!;
      await broken.execute('ALTER TABLE drafts RENAME TO drafts_gone');
      const res = await v.get('/report/category');
      assert.equal(res.status, 500);
      await res.text();
      const lines = other
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const failure = lines.find((l) => l.event === 'request.failed');
      assert.ok(failure, 'the failure is logged');
      assert.equal(failure.level, 'error');
      assert.equal(failure.route, '/report/category');
      assert.match(String(failure.cause), /no such table: drafts/);
      assert.ok(!other.output().includes(draftId), 'the draft id is not logged');
    } finally {
      broken.close();
      await other.stop('SIGKILL');
    }
  });
});

describe('healthz', () => {
  test('loopback clients see the outbox backlog, writer figures and flag refresh backlog', async () => {
    const body = await (await fetch(`${server.url}/healthz`)).json();
    assert.equal(body.status, 'ok');
    assert.ok(body.outbox && body.writer, JSON.stringify(body));
    assert.equal(typeof body.flagRefresh.waiting, 'number');
    assert.equal(typeof body.flagRefresh.heldById, 'number');
    assert.equal(typeof body.flagRefresh.oldestWaitMs, 'number');
    assert.equal(typeof body.flagRefresh.deferredPasses, 'number');
  });

  test('the requests in flight are counted in and out (the flag refresh gives way to them): a half-sent form counts until its connection closes', async () => {
    const inFlight = async () => ((await (await fetch(`${server.url}/healthz`)).json()) as { requests: { inFlight: number } }).requests.inFlight;
    assert.equal(await inFlight(), 1, 'the health request itself');
    const { port, hostname } = new URL(server.url);
    const socket = connect(Number(port), hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`POST /report/check HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nwebsite=`);
    let seen = 0;
    for (let i = 0; i < 50 && seen !== 2; i++) {
      seen = await inFlight();
      if (seen !== 2) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(seen, 2, 'the half-sent form and the health request');
    socket.destroy();
    for (let i = 0; i < 50 && seen !== 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      seen = await inFlight();
    }
    assert.equal(seen, 1, 'counted out when its connection closed');
  });

  test('other clients get the status only, unless signed in as staff', async () => {
    // Behind one trusted proxy (TRUSTED_PROXY_HOPS=1) the client is the address the proxy appended.
    const proxied = await startServer({ TRUSTED_PROXY_HOPS: '1' });
    try {
      const outside = { 'x-forwarded-for': '203.0.113.9' };
      const anonymous = await (await fetch(`${proxied.url}/healthz`, { headers: outside })).json();
      assert.deepEqual(anonymous, { status: 'ok' });
      const inside = await (await fetch(`${proxied.url}/healthz`, { headers: { 'x-forwarded-for': '127.0.0.1' } })).json();
      assert.ok(inside.outbox && inside.writer, 'a loopback client behind the proxy sees the figures');
      const staff = await signInAs(proxied.url, 'calls@hollowmere.example');
      const body = await (await staff.get('/healthz', outside)).json();
      assert.ok(body.outbox && body.writer, JSON.stringify(body));
    } finally {
      await proxied.stop();
    }
  });
});

describe('the image library loads when it is needed, not at start', () => {
  test('a started server has not loaded sharp (libvips) until a resident reaches the photos step, then loads it before the upload', async () => {
    const other = await startServer();
    const libvipsMapped = () => readFileSync(`/proc/${other.proc.pid}/maps`, 'utf8').includes('libvips');
    try {
      const v = new Visitor(other.url);
      for (const path of ['/', '/report', '/advice/noise']) assert.equal((await v.get(path)).status, 200, path);
      for (const [path, body] of ANSWERS_BEFORE_PHOTOS) assert.equal((await v.post(path, body)).status, 303, `${path} accepted`);
      assert.equal(libvipsMapped(), false, 'sharp is not loaded by the pages before the photos step');
      assert.equal((await v.get('/report/photos')).status, 200);
      // The load starts with the page and finishes on its own; wait for it rather than for a fixed time.
      for (let i = 0; i < 200 && !libvipsMapped(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
      assert.equal(libvipsMapped(), true, 'the photos page loads sharp');
    } finally {
      await other.stop();
    }
  });
});
