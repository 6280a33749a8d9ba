/** Sign-in and two-factor throttles on a real database file: counted first, per pair, account and address, trusted devices. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { openTestDatabase } from '../helpers/db.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { toStatement } from '../../src/platform/db/client.ts';
import { users } from '../../src/platform/db/schema.ts';
import { loadSigningKey } from '../../src/platform/security/signing.ts';
import { rateLimitAddress } from '../../src/platform/security/rate-limit.ts';
import { resolveClientAddress } from '../../src/server/client-address.ts';
import { hashPassword } from '../../src/domains/identity/password.ts';
import { accountDelayMs, signIn } from '../../src/domains/identity/sign-in.ts';
import { issueTrustedDevice, isTrustedDevice } from '../../src/domains/identity/trusted-device.ts';
import { TWO_FACTOR_DAILY_LIMIT, verifyTwoFactorCode } from '../../src/domains/identity/two-factor.ts';
import { encryptTotpKey, generateTotpKey, totpCodeAt, totpStep } from '../../src/domains/identity/totp.ts';
import { createSession } from '../../src/domains/identity/session.ts';
import { createUser, findUserById, type User } from '../../src/domains/identity/users.ts';

const PASSWORD = 'lantern-meadow-harbour-42';
let database: Database;
let cleanup: () => Promise<void>;
let hash: string;
before(async () => {
  ({ database, cleanup } = await openTestDatabase());
  await loadSigningKey('unit-test-signing-key-0123456789');
  hash = await hashPassword(PASSWORD);
});
after(() => cleanup());

const T0 = Date.UTC(2026, 10, 24, 9, 0, 0);
const attempt = (email: string, password: string, now: number, ip: string, trustedDevice: string | null = null) => signIn({ email, password, ip, userAgent: 'unit', demoMode: true, trustedDevice }, now);

/** A user with two-factor on (the key returned for making codes). */
async function userWithTwoFactor(email: string): Promise<{ user: User; key: Uint8Array }> {
  const u = await createUser({ email, name: 'Two Factor', role: 'triage_officer', passwordHash: hash }, { kind: 'system' }, T0);
  const key = generateTotpKey();
  await database.writer.batch([toStatement(database.db.update(users).set({ totpKey: encryptTotpKey(key), totpEnabledAt: T0 }).where(eq(users.id, u.id)))]);
  return { user: (await findUserById(u.id))!, key };
}

/** How many rows of an audit action mention a text in their data or subject. */
async function auditCount(action: string, mention: string): Promise<number> {
  const r = await database.client.execute({ sql: 'SELECT count(*) AS n FROM audit_events WHERE action = ? AND (data LIKE ? OR subject_id = ?)', args: [action, `%${mention}%`, mention] });
  return Number(r.rows[0]!.n);
}

test('the client address is the socket address with 0 hops, and the Nth entry from the right of X-Forwarded-For with N', () => {
  assert.equal(resolveClientAddress('127.0.0.1', '203.0.113.9', 0), '127.0.0.1');
  assert.equal(resolveClientAddress('::ffff:10.0.0.2', undefined, 1), '10.0.0.2');
  assert.equal(resolveClientAddress('10.0.0.2', 'spoofed, 198.51.100.7', 1), '198.51.100.7');
  assert.equal(resolveClientAddress('10.0.0.2', ['1.1.1.1, 198.51.100.7', '10.0.0.1'], 2), '198.51.100.7');
  assert.equal(resolveClientAddress('10.0.0.2', '198.51.100.7', 3), '198.51.100.7', 'fewer entries than hops: the leftmost');
  assert.equal(resolveClientAddress('10.0.0.2', '198.51.100.7:4711', 1), '198.51.100.7');
  assert.equal(resolveClientAddress('10.0.0.2', '[2001:DB8::1]:443', 1), '2001:db8::1');
  assert.equal(resolveClientAddress('10.0.0.2', 'not-an-address', 1), '10.0.0.2', 'garbage from a proxy: the socket address');
});

test('rate limits count IPv4 addresses whole and IPv6 addresses by their /64', () => {
  assert.equal(rateLimitAddress('198.51.100.7'), '198.51.100.7');
  assert.equal(rateLimitAddress('::ffff:198.51.100.7'), '198.51.100.7');
  assert.equal(rateLimitAddress('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(rateLimitAddress('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
  assert.equal(rateLimitAddress('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(rateLimitAddress(null), 'unknown');
});

test('the delay on an account grows after its 10th attempt and stops at 2 seconds', () => {
  assert.equal(accountDelayMs(10), 0);
  assert.equal(accountDelayMs(11), 100);
  assert.equal(accountDelayMs(15), 500);
  assert.equal(accountDelayMs(500), 2000);
});

test('60 wrong passwords in parallel for one account from one address: at most 10 are checked', async () => {
  await createUser({ email: 'parallel@example.org', name: 'P', role: 'editor', passwordHash: hash }, { kind: 'system' }, T0);
  const results = await Promise.all(Array.from({ length: 60 }, (_, i) => attempt('parallel@example.org', `wrong ${i}`, T0, '10.3.3.3')));
  const checked = results.filter((r) => !r.ok && r.reason === 'invalid').length;
  assert.equal(checked, 10, `${checked} passwords checked`);
  assert.equal(await auditCount('auth.sign_in_failed', 'parallel@example.org'), 10);
  assert.equal(await auditCount('auth.sign_in_throttled', 'parallel@example.org'), 50);
  const counted = await database.client.execute("SELECT sum(count) AS n FROM rate_limits WHERE key = 'signin:account:parallel@example.org'");
  assert.equal(Number(counted.rows[0]!.n), 10, 'refused attempts use up nothing on the account');
});

test('an attacker failing 10 times at one address, then hammering, does not lock the user out at another', async () => {
  await createUser({ email: 'target@example.org', name: 'T', role: 'editor', passwordHash: hash }, { kind: 'system' }, T0);
  const t = T0 + 3600_000;
  for (let i = 0; i < 10; i++) await attempt('target@example.org', `guess ${i}`, t + i, '203.0.113.66');
  // Refused attempts are not counted, so they never reach the account's ceiling.
  await Promise.all(Array.from({ length: 60 }, (_, i) => attempt('target@example.org', `more ${i}`, t + 10, '203.0.113.66')));
  const attacker = await attempt('target@example.org', PASSWORD, t + 20, '203.0.113.66');
  assert.equal(!attacker.ok && attacker.reason, 'throttled', 'the attacker is locked out, even with the right password');
  const owner = await attempt('target@example.org', PASSWORD, t + 30, '198.51.100.20');
  assert.equal(owner.ok, true, 'the owner signs in from elsewhere');
  const neighbour = await attempt('target@example.org', PASSWORD, t + 40, '2001:db8:5:6::99');
  assert.equal(neighbour.ok, true);
});

test('a success takes its own attempt back, so the account and address limits count failures only', async () => {
  await createUser({ email: 'often@example.org', name: 'O', role: 'editor', passwordHash: hash }, { kind: 'system' }, T0);
  const t = T0 + 2 * 3600_000;
  for (let i = 0; i < 5; i++) {
    const r = await attempt('often@example.org', PASSWORD, t + i, `10.4.${i}.1`);
    assert.equal(r.ok, true, `sign-in ${i + 1}`);
  }
  const rows = await database.client.execute("SELECT coalesce(sum(count), 0) AS n FROM rate_limits WHERE key IN ('signin:account:often@example.org', 'signin:address:10.4.0.1')");
  assert.equal(Number(rows.rows[0]!.n), 0);
});

test('the account ceiling stops a spread attack; a trusted device is exempt from it and from the address limit, but not from the pair', async () => {
  const { user } = await userWithTwoFactor('trusted@example.org');
  const t = T0 + 3 * 3600_000;
  const token = issueTrustedDevice(user, t);
  assert.equal(isTrustedDevice(token, user, t), true);
  assert.equal(isTrustedDevice(token, { ...user, id: 'someone-else' }, t), false, 'bound to the user');
  assert.equal(isTrustedDevice(token, { ...user, passwordHash: 'changed' }, t), false, 'a new password revokes it');
  assert.equal(isTrustedDevice(token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), user, t), false, 'forged');
  // Six addresses, ten guesses each, all at once: past the account's ceiling of 50.
  await Promise.all(Array.from({ length: 60 }, (_, i) => attempt('trusted@example.org', `guess ${i}`, t, `203.0.113.${1 + (i % 6)}`)));
  const stranger = await attempt('trusted@example.org', PASSWORD, t + 1000, '198.51.100.31');
  assert.equal(!stranger.ok && stranger.reason, 'throttled', 'an untrusted browser is held by the ceiling');
  const owner = await attempt('trusted@example.org', PASSWORD, t + 2000, '198.51.100.30', token);
  assert.equal(owner.ok && owner.twoFactor, 'verify', 'the trusted device signs in (and still owes its code)');
  // The office address is flooded: untrusted colleagues there are slowed, the trusted device is not.
  await Promise.all(Array.from({ length: 100 }, (_, i) => attempt(`spray${i}@example.org`, 'x', t + 3000, '198.51.100.40')));
  const colleague = await attempt('colleague@example.org', 'x', t + 4000, '198.51.100.40');
  assert.equal(!colleague.ok && colleague.reason, 'throttled');
  assert.equal((await attempt('trusted@example.org', PASSWORD, t + 5000, '198.51.100.40', token)).ok, true);
  // The pair limit still holds a trusted browser.
  for (let i = 0; i < 10; i++) await attempt('trusted@example.org', `typo ${i}`, t + 6000 + i, '198.51.100.41', token);
  const locked = await attempt('trusted@example.org', PASSWORD, t + 7000, '198.51.100.41', token);
  assert.equal(!locked.ok && locked.reason, 'throttled');
});

test('200 wrong codes in parallel: at most 10 checked; and no more than 30 a day however they are spread', async () => {
  const { user, key } = await userWithTwoFactor('codes@example.org');
  const t = T0 + 4 * 3600_000;
  const session = await createSession(user.id, {}, t);
  const right = new Set([-1, 0, 1].map((d) => totpCodeAt(key, totpStep(t) + d)));
  const wrong = Array.from({ length: 400 }, (_, i) => String(100000 + i * 7)).filter((c) => !right.has(c));
  const actor = { kind: 'user' as const, id: user.id, ip: '10.5.5.5' };
  const results = await Promise.all(wrong.slice(0, 200).map((c) => verifyTwoFactorCode(user, session.session.id, c, actor, t)));
  assert.equal(results.filter((r) => !r.ok && r.reason === 'invalid').length, 10);
  assert.equal(await auditCount('auth.two_factor_failed', user.id), 10);
  // Ten more in each later 5-minute window until the day's 30 are used.
  let checked = 10;
  for (let w = 1; w <= 4; w++) {
    const now = t + w * 6 * 60_000;
    for (const c of wrong.slice(200 + w * 12, 212 + w * 12)) {
      const r = await verifyTwoFactorCode(user, session.session.id, c, actor, now);
      if (!r.ok && r.reason === 'invalid') checked++;
    }
  }
  assert.equal(checked, TWO_FACTOR_DAILY_LIMIT);
  const code = totpCodeAt(key, totpStep(t + 30 * 60_000));
  const refused = await verifyTwoFactorCode(user, session.session.id, code, actor, t + 30 * 60_000);
  assert.equal(!refused.ok && refused.reason, 'throttled', 'even the right code waits for the day to pass');
  assert.ok(!refused.ok && refused.reason === 'throttled' && refused.retryAfterMs > 60 * 60_000);
});
