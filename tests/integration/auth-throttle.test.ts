/**
 * Sign-in throttles against the built server: counted before the check whatever the concurrency, the
 * client address from TRUSTED_PROXY_HOPS only, and lock-out that an attacker cannot turn on staff.
 * The server here runs with TRUSTED_PROXY_HOPS=1, so each test picks its address with X-Forwarded-For.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClient, type Client } from '@libsql/client';
import { Visitor } from '../helpers/http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { DEMO_PASSWORD, DEMO_TOTP_KEY } from '../../src/domains/identity/demo-accounts.ts';
import { parseTotpKey, totpCodeAt, totpStep } from '../../src/domains/identity/totp.ts';
import { freshCode } from './staff-sign-in.ts';

/** Timeouts long enough that a request queued behind 200 others is answered, not cut off. */
const PATIENT = { HEADERS_TIMEOUT_MS: '60000', REQUEST_TIMEOUT_MS: '120000' };

let server: TestServer;
let db: Client;
before(async () => {
  // Hundreds of parallel requests on a loaded 2-core machine can wait in the queue past the default 10 s headers
  // timeout and get 408; these tests are about throttles, not timeouts (tests/integration/server-timeouts.test.ts).
  server = await startServer({ TRUSTED_PROXY_HOPS: '1', ...PATIENT });
  db = createClient({ url: server.dbUrl, timeout: 15_000 });
});
after(async () => {
  db?.close();
  await server?.stop();
});

/** The header a proxy in front would send: whatever the client claimed, then the address the proxy saw. */
const via = (address: string, claimed?: string) => ({ 'x-forwarded-for': claimed ? `${claimed}, ${address}` : address });

/** Audit rows of an action for an e-mail (in data) or a user (subject), with their addresses. */
async function audited(action: string, mention: string): Promise<string[]> {
  const r = await db.execute({ sql: 'SELECT ip FROM audit_events WHERE action = ? AND (data LIKE ? OR subject_id = ?)', args: [action, `%"${mention}"%`, mention] });
  return r.rows.map((row) => String(row.ip));
}

async function userId(email: string): Promise<string> {
  return String((await db.execute({ sql: 'SELECT id FROM users WHERE email = ?', args: [email] })).rows[0]!.id);
}

test('60 wrong passwords sent in parallel for one account: at most 10 are checked, the rest refused with 429', async () => {
  const email = 'partner@hollowmere.example';
  const responses = await Promise.all(Array.from({ length: 60 }, (_, i) => new Visitor(server.url).post('/staff/sign-in', { email, password: `wrong-password-${i}` }, via('203.0.113.10'))));
  const statuses = responses.map((r) => r.status);
  assert.ok(statuses.every((s) => s === 400 || s === 429), `statuses ${[...new Set(statuses)]}`);
  const failed = await audited('auth.sign_in_failed', email);
  const throttled = await audited('auth.sign_in_throttled', email);
  assert.ok(failed.length >= 1 && failed.length <= 10, `${failed.length} passwords checked`);
  assert.equal(failed.length + throttled.length, 60);
  assert.equal(statuses.filter((s) => s === 400).length, failed.length);
});

test('200 wrong two-factor codes sent in parallel: at most 10 are checked', async () => {
  const email = 'triage@hollowmere.example';
  const v = new Visitor(server.url);
  const signedIn = await v.post('/staff/sign-in', { email, password: DEMO_PASSWORD }, via('198.51.100.50'));
  assert.equal(signedIn.status, 303);
  assert.match(signedIn.headers.get('location')!, /^\/staff\/two-factor/);
  const key = parseTotpKey(DEMO_TOTP_KEY);
  const now = totpStep();
  const right = new Set([-2, -1, 0, 1, 2].map((d) => totpCodeAt(key, now + d)));
  const wrong = Array.from({ length: 220 }, (_, i) => String(200000 + i * 13)).filter((c) => !right.has(c)).slice(0, 200);
  const responses = await Promise.all(wrong.map((code) => v.post('/staff/two-factor?next=%2Fstaff', { code }, via('198.51.100.50'))));
  const statuses = responses.map((r) => r.status);
  assert.ok(statuses.every((s) => s === 400 || s === 429), `statuses ${[...new Set(statuses)]}`);
  const id = await userId(email);
  const failed = await audited('auth.two_factor_failed', id);
  assert.ok(failed.length >= 1 && failed.length <= 10, `${failed.length} codes checked`);
  assert.equal(statuses.filter((s) => s === 400).length, failed.length);
  assert.ok(statuses.filter((s) => s === 429).length >= 190);
});

test('with TRUSTED_PROXY_HOPS=1 a client changing the first X-Forwarded-For value stays in its bucket, and the audit shows the address the proxy saw', async () => {
  const email = 'nobody-hops@hollowmere.example';
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) {
    const r = await new Visitor(server.url).post('/staff/sign-in', { email, password: `guess-${i}` }, via('198.51.100.7', `10.${i}.0.1`));
    statuses.push(r.status);
  }
  assert.deepEqual(statuses, [...Array(10).fill(400), 429, 429]);
  const addresses = [...(await audited('auth.sign_in_failed', email)), ...(await audited('auth.sign_in_throttled', email))];
  assert.equal(addresses.length, 12);
  assert.deepEqual([...new Set(addresses)], ['198.51.100.7']);
});

test('IPv6 clients are counted by their /64: a new address in the same /64 stays in the bucket, another /64 does not', async () => {
  const email = 'nobody-ipv6@hollowmere.example';
  const statuses: number[] = [];
  for (let i = 0; i < 11; i++) {
    const r = await new Visitor(server.url).post('/staff/sign-in', { email, password: `guess-${i}` }, via(`2001:db8:1:2::${(i + 1).toString(16)}`));
    statuses.push(r.status);
  }
  assert.deepEqual(statuses, [...Array(10).fill(400), 429], 'eleven addresses of one /64 share the lock');
  const elsewhere = await new Visitor(server.url).post('/staff/sign-in', { email, password: 'guess-x' }, via('2001:db8:1:3::1'));
  assert.equal(elsewhere.status, 400, 'another /64 is checked');
});

test('with TRUSTED_PROXY_HOPS=0 (the default) X-Forwarded-For is ignored: parallel attempts with changing headers share one bucket', async () => {
  const direct = await startServer(PATIENT);
  const directDb = createClient({ url: direct.dbUrl, timeout: 15_000 });
  try {
    const email = 'nobody-direct@hollowmere.example';
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => new Visitor(direct.url).post('/staff/sign-in', { email, password: `guess-${i}` }, via(`203.0.113.${i + 1}`))));
    assert.equal(responses.filter((r) => r.status === 400).length, 10);
    assert.equal(responses.filter((r) => r.status === 429).length, 20);
    const rows = await directDb.execute({ sql: "SELECT DISTINCT ip FROM audit_events WHERE action IN ('auth.sign_in_failed', 'auth.sign_in_throttled') AND data LIKE ?", args: [`%${email}%`] });
    assert.deepEqual(rows.rows.map((r) => r.ip), ['127.0.0.1']);
  } finally {
    directDb.close();
    await direct.stop();
  }
});

test('an attacker failing 10 times at one address does not stop the real user signing in from another', async () => {
  const email = 'editor@hollowmere.example';
  for (let i = 0; i < 10; i++) assert.equal((await new Visitor(server.url).post('/staff/sign-in', { email, password: `guess-${i}` }, via('203.0.113.66'))).status, 400);
  const attacker = await new Visitor(server.url).post('/staff/sign-in', { email, password: DEMO_PASSWORD }, via('203.0.113.66'));
  assert.equal(attacker.status, 429, 'the attacker is locked out, even with the right password');
  const owner = await new Visitor(server.url).post('/staff/sign-in', { email, password: DEMO_PASSWORD }, via('198.51.100.20'));
  assert.equal(owner.status, 303, 'the owner signs in from the office');
});

test('a trusted device signs in while its account is under attack from many addresses', async () => {
  const email = 'admin@hollowmere.example';
  const owner = new Visitor(server.url);
  const first = await owner.post('/staff/sign-in', { email, password: DEMO_PASSWORD }, via('198.51.100.30'));
  assert.equal(first.status, 303);
  const verified = await owner.post(first.headers.get('location')!, { code: await freshCode(DEMO_TOTP_KEY, email) }, via('198.51.100.30'));
  assert.equal(verified.status, 303);
  const cookie = verified.headers.getSetCookie().find((c) => c.startsWith('trusted_device='));
  assert.ok(cookie, 'trusted-device cookie set after two-factor');
  assert.match(cookie, /;\s*HttpOnly/i);
  assert.match(cookie, /;\s*Path=\/staff(;|$)/i);
  assert.ok(Number(/Max-Age=(\d+)/i.exec(cookie)?.[1]) >= 7 * 86_400, 'long-lived');
  // Ten guesses from each of six addresses, all at once: past the account's ceiling.
  await Promise.all(Array.from({ length: 60 }, (_, i) => new Visitor(server.url).post('/staff/sign-in', { email, password: `guess-${i}` }, via(`203.0.113.${101 + (i % 6)}`))));
  const stranger = await new Visitor(server.url).post('/staff/sign-in', { email, password: DEMO_PASSWORD }, via('198.51.100.31'));
  assert.equal(stranger.status, 429, 'a browser without the cookie is held while the attack lasts');
  // The owner's browser comes back (new session) and is let in.
  assert.equal((await owner.post('/staff/sign-out', {}, via('198.51.100.30'))).status, 303);
  assert.ok(owner.cookies.has('trusted_device'), 'signing out keeps the device trusted');
  const again = await owner.post('/staff/sign-in', { email, password: DEMO_PASSWORD }, via('198.51.100.30'));
  assert.equal(again.status, 303);
  assert.match(again.headers.get('location')!, /^\/staff\/two-factor/, 'still asked for the code');
  const done = await owner.post(again.headers.get('location')!, { code: await freshCode(DEMO_TOTP_KEY, email) }, via('198.51.100.30'));
  assert.equal(done.status, 303);
  assert.equal((await owner.get('/staff', via('198.51.100.30'))).status, 200);
  // Another account's trusted cookie does not help: the cookie is per user.
  const borrowed = new Visitor(server.url);
  borrowed.cookies.set('trusted_device', owner.cookies.get('trusted_device')!);
  assert.equal((await borrowed.post('/staff/sign-in', { email: 'calls@hollowmere.example', password: 'wrong' }, via('198.51.100.32'))).status, 400);
});
