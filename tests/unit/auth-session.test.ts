import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openTestDatabase } from '../helpers/db.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { createSession, invalidateSession, invalidateUserSessions, listUserSessions, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, validateSessionToken } from '../../src/domains/identity/session.ts';
import { createUser, deactivateUser } from '../../src/domains/identity/users.ts';

let database: Database;
let cleanup: () => Promise<void>;
before(async () => ({ database, cleanup } = await openTestDatabase()));
after(() => cleanup());

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
let n = 0;
async function user() {
  return createUser({ email: `s${++n}@example.org`, name: 'Sam Session', role: 'call_handler', passwordHash: 'x' }, { kind: 'system' }, T0);
}

test('a session validates with its token and never stores the token or secret in clear', async () => {
  const u = await user();
  const { token, session } = await createSession(u.id, { ip: '127.0.0.1', userAgent: 'test' }, T0);
  const [id, secret] = token.split('.');
  assert.ok(id && secret && secret.length >= 32, 'secret has at least 160 bits in base32');
  const ok = await validateSessionToken(token, T0 + 1000);
  assert.equal(ok?.session.id, session.id);
  assert.equal(ok?.user.id, u.id);
  const rows = await database.client.execute('SELECT * FROM sessions');
  const dump = JSON.stringify(rows.rows.map((r) => Object.values(r).map((v) => (v instanceof ArrayBuffer ? Buffer.from(v).toString('hex') + Buffer.from(v).toString('latin1') : String(v)))));
  assert.ok(!dump.includes(secret!), 'secret not stored');
  assert.ok(!dump.includes(token), 'token not stored');
  assert.equal(await validateSessionToken(`${id}.${secret!.slice(0, -1)}${secret!.endsWith('x') ? 'y' : 'x'}`, T0), null, 'wrong secret refused');
  assert.equal(await validateSessionToken('garbage', T0), null);
});

test('idle expiry: 30 minutes without a request ends the session; activity slides it', async () => {
  const u = await user();
  const { token } = await createSession(u.id, {}, T0);
  // Activity every 20 minutes keeps it alive past 30 minutes in all.
  assert.ok(await validateSessionToken(token, T0 + 20 * 60_000));
  assert.ok(await validateSessionToken(token, T0 + 40 * 60_000));
  assert.ok(await validateSessionToken(token, T0 + 40 * 60_000 + SESSION_IDLE_MS - 1000));
  assert.equal(await validateSessionToken(token, T0 + 40 * 60_000 + SESSION_IDLE_MS - 1000 + SESSION_IDLE_MS), null);
  // Once expired it is deleted, so going back in time does not revive it.
  assert.equal(await validateSessionToken(token, T0 + 41 * 60_000), null);
});

test('absolute expiry: 12 hours after sign-in the session ends however busy', async () => {
  const u = await user();
  const { token } = await createSession(u.id, {}, T0);
  let t = T0;
  while (t + 20 * 60_000 < T0 + SESSION_ABSOLUTE_MS) {
    t += 20 * 60_000;
    assert.ok(await validateSessionToken(token, t), `alive at +${(t - T0) / 60_000} min`);
  }
  assert.equal(await validateSessionToken(token, T0 + SESSION_ABSOLUTE_MS), null);
});

test('last_verified_at is written at most once a minute', async () => {
  const u = await user();
  const { token, session } = await createSession(u.id, {}, T0);
  await validateSessionToken(token, T0 + 30_000);
  let row = await database.client.execute({ sql: 'SELECT last_verified_at FROM sessions WHERE id = ?', args: [session.id] });
  assert.equal(Number(row.rows[0]!.last_verified_at), T0);
  await validateSessionToken(token, T0 + 61_000);
  row = await database.client.execute({ sql: 'SELECT last_verified_at FROM sessions WHERE id = ?', args: [session.id] });
  assert.equal(Number(row.rows[0]!.last_verified_at), T0 + 61_000);
});

test('sign out ends one session; sign out everywhere ends the others; deactivation ends all at once', async () => {
  const u = await user();
  const a = await createSession(u.id, {}, T0);
  const b = await createSession(u.id, {}, T0);
  const c = await createSession(u.id, {}, T0);
  await invalidateSession(a.session.id);
  assert.equal(await validateSessionToken(a.token, T0), null);
  assert.equal((await listUserSessions(u.id, T0)).length, 2);
  await invalidateUserSessions(u.id, b.session.id);
  assert.ok(await validateSessionToken(b.token, T0));
  assert.equal(await validateSessionToken(c.token, T0), null);
  await deactivateUser(u.id, { kind: 'user', id: 'someone-else' }, T0);
  assert.equal(await validateSessionToken(b.token, T0), null);
  assert.equal((await listUserSessions(u.id, T0)).length, 0);
});
