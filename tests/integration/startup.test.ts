import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEMO_ACCOUNTS } from '../../src/domains/identity/demo-accounts.ts';
import { listensOn, startServer, type TestServer } from '../helpers/server.ts';
import { signInAs } from './staff-sign-in.ts';

test('a bad DATABASE_URL stops start-up with a message that names it', async () => {
  const server = await startServer({ DATABASE_URL: 'postgres://localhost/saferline' }, { expectFailure: true });
  assert.notEqual(server.proc.exitCode, 0);
  assert.match(server.output(), /Saferline cannot start: .*DATABASE_URL/);
  await server.stop();
});

test('a category naming an unknown agency stops start-up with a message that names it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'saferline-content-'));
  try {
    cpSync('content', dir, { recursive: true });
    const file = join(dir, 'config', 'categories.json');
    const cats = JSON.parse(readFileSync(file, 'utf8'));
    cats[0].agencies.push('ministry-of-magic');
    writeFileSync(file, JSON.stringify(cats));
    const server = await startServer({ CONTENT_DIR: dir }, { expectFailure: true });
    assert.notEqual(server.proc.exitCode, 0);
    assert.match(server.output(), /Saferline cannot start: content\/config\/categories\.json: .*unknown agency 'ministry-of-magic'/);
    await server.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('healthz answers 200 with the database up, and the server drains and exits 0 on SIGTERM', async () => {
  const server = await startServer();
  const res = await fetch(`${server.url}/healthz`);
  assert.equal(res.status, 200);
  assert.equal((await res.json()).status, 'ok');
  const code = await server.stop('SIGTERM');
  assert.equal(code, 0);
});

test('healthz answers 503 when the database cannot answer', async () => {
  const server = await startServer();
  const { createClient } = await import('@libsql/client');
  const other = createClient({ url: server.dbUrl, timeout: 5000 });
  try {
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    // Break the database under the server (as a failed disk or a botched manual change would).
    await other.execute('ALTER TABLE meta RENAME TO meta_gone');
    const res = await fetch(`${server.url}/healthz`);
    assert.equal(res.status, 503);
    assert.equal((await res.json()).status, 'unavailable');
  } finally {
    other.close();
    await server.stop();
  }
});

test('an unexpected error shows the 500 page in the design, with no details leaked', async () => {
  const server = await startServer();
  const { createClient } = await import('@libsql/client');
  const other = createClient({ url: server.dbUrl, timeout: 5000 });
  try {
    await other.execute('ALTER TABLE drafts RENAME TO drafts_gone');
    const res = await fetch(`${server.url}/report/category`, { headers: { cookie: `draft=${'a'.repeat(32)}` }, redirect: 'manual' });
    assert.equal(res.status, 500);
    const html = await res.text();
    assert.match(html, /Sorry, there is a problem with the service/);
    assert.doesNotMatch(html, /drafts|SQLITE|at .*\.mjs/i, 'no error details in the page');
  } finally {
    other.close();
    await server.stop();
  }
});

test('demo mode loads the fictional partnership: staff accounts, a dozen reports in the queue, and a year of resolved history with an emerging hot-spot', async () => {
  const server = await startServer({ DEMO_CASES: 'true' });
  const { createClient } = await import('@libsql/client');
  const db = createClient({ url: server.dbUrl, timeout: 15_000 });
  try {
    const cases = await db.execute("SELECT count(*) AS n, sum(channel = 'phone') AS phone FROM cases WHERE status = 'new'");
    assert.equal(Number(cases.rows[0]!.n), 12);
    assert.ok(Number(cases.rows[0]!.phone) >= 1);
    const users = await db.execute('SELECT count(*) AS n FROM users');
    assert.equal(Number(users.rows[0]!.n), DEMO_ACCOUNTS.length, 'one user per demo account');
    const home = await fetch(server.url + '/');
    assert.equal(home.status, 200);
    assert.match(await home.text(), /Hollowmere/);
    const history = await db.execute("SELECT count(*) AS n, count(DISTINCT strftime('%Y-%m', received_at / 1000, 'unixepoch')) AS months, max(received_at) AS latest FROM cases WHERE status = 'resolved'");
    assert.ok(Number(history.rows[0]!.n) >= 200, `a year of resolved reports (${history.rows[0]!.n})`);
    assert.ok(Number(history.rows[0]!.months) >= 12, 'spread over the months');
    assert.ok(Number(history.rows[0]!.latest) < Date.now(), 'none in the future');
    const triage = await signInAs(server.url, 'triage@hollowmere.example');
    const hotSpots = (await (await triage.get('/staff/insight/hot-spots')).text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    assert.match(hotSpots, /Emerging hot-spots, [A-Z][a-z]+ \d{4} .*Lydgate Vehicle nuisance \d+/, 'last month\'s burst of off-road bikes in Lydgate is flagged');
  } finally {
    db.close();
    await server.stop();
  }
});

test('security headers: scripts only from our origin, no framing, no sniffing', async () => {
  const server = await startServer();
  try {
    const res = await fetch(server.url + '/report');
    const csp = res.headers.get('content-security-policy') ?? '';
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
    assert.equal(scriptSrc.trim(), "'self'");
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /form-action 'self'/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('referrer-policy'), 'same-origin');
    const staff = await fetch(server.url + '/staff/sign-in');
    assert.equal(staff.headers.get('cache-control'), 'no-store');
  } finally {
    await server.stop();
  }
});

test('migrations are idempotent: a second start on the same database works', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'saferline-twice-'));
  const url = `file:${join(dir, 'db.sqlite')}`;
  try {
    const first = await startServer({ DATABASE_URL: url });
    await first.stop();
    const second = await startServer({ DATABASE_URL: url });
    assert.equal((await fetch(`${second.url}/healthz`)).status, 200);
    await second.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Start the helper's server with its first port held by `holder`, check what came up with `check`, and stop both. */
async function startOnTakenPort(holder: NetServer, check: (server: TestServer) => Promise<void>) {
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
  const port = (holder.address() as AddressInfo).port;
  try {
    const server = await startServer({}, { firstPort: port });
    try {
      assert.notEqual(server.port, port);
      await check(server);
    } finally {
      await server.stop();
    }
  } finally {
    holder.close();
  }
}

test('the test helper starts again on another port when its free port is taken before the server binds it', async () => {
  await startOnTakenPort(createServer(), async (server) => assert.equal((await fetch(`${server.url}/healthz`)).status, 200));
});

test('the test helper does not take another server answering on its port for its own, and starts again on another port', async () => {
  const impostor = createHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok","impostor":true}'));
  await startOnTakenPort(impostor, async (server) => {
    assert.ok(listensOn(server.proc.pid!, server.port));
    assert.equal((await (await fetch(`${server.url}/healthz`)).json()).impostor, undefined);
  });
});
