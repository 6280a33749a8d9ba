import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openTestDatabase } from '../helpers/db.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { hashPassword } from '../../src/domains/identity/password.ts';
import { signIn, PAIR_ATTEMPT_LIMIT, PAIR_WINDOW_MS } from '../../src/domains/identity/sign-in.ts';
import { createUser, deactivateUser, inviteUser, setPasswordStatements } from '../../src/domains/identity/users.ts';
import { consumeUserToken, createUserTokenStatement, checkUserToken, RESET_TTL_MS } from '../../src/domains/identity/user-tokens.ts';
import { createSession, validateSessionToken } from '../../src/domains/identity/session.ts';
import { DEMO_PASSWORD } from '../../src/domains/identity/demo-accounts.ts';
import { loadRoles } from '../../src/domains/identity/roles.ts';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let database: Database;
let cleanup: () => Promise<void>;
let hash: string;
before(async () => {
  ({ database, cleanup } = await openTestDatabase());
  hash = await hashPassword('lantern-meadow-harbour-42');
});
after(() => cleanup());

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
const attempt = (email: string, password: string, now: number, ip = '10.0.0.1', demoMode = true) => signIn({ email, password, ip, userAgent: 'unit', demoMode }, now);

test('after 10 failures in 5 minutes from one address even the right password is refused there with a wait time; then it works again', async () => {
  await createUser({ email: 'throttle@example.org', name: 'T', role: 'editor', passwordHash: hash }, { kind: 'system' }, T0);
  for (let i = 0; i < PAIR_ATTEMPT_LIMIT; i++) {
    const r = await attempt('throttle@example.org', 'wrong password ' + i, T0 + i * 1000);
    assert.deepEqual(r, { ok: false, reason: 'invalid' }, `failure ${i + 1}`);
  }
  const blocked = await attempt('Throttle@Example.org', 'lantern-meadow-harbour-42', T0 + 11_000);
  assert.equal(blocked.ok, false);
  assert.equal(!blocked.ok && blocked.reason, 'throttled');
  const wait = !blocked.ok && blocked.reason === 'throttled' ? blocked.retryAfterMs : 0;
  assert.ok(wait > 0 && wait <= PAIR_WINDOW_MS + 60_000);
  const later = await attempt('throttle@example.org', 'lantern-meadow-harbour-42', T0 + 11_000 + wait);
  assert.equal(later.ok, true);
});

test('unknown e-mail, wrong password and deactivated account give the same answer; unknown e-mails are throttled alike', async () => {
  const u = await createUser({ email: 'gone@example.org', name: 'G', role: 'editor', passwordHash: hash }, { kind: 'system' }, T0);
  await deactivateUser(u.id, { kind: 'system' }, T0);
  const t = T0 + 3600_000;
  assert.deepEqual(await attempt('nobody@example.org', 'x', t), { ok: false, reason: 'invalid' });
  assert.deepEqual(await attempt('gone@example.org', 'lantern-meadow-harbour-42', t), { ok: false, reason: 'invalid' });
  for (let i = 0; i < 10; i++) await attempt('nobody@example.org', 'x', t + i);
  const r = await attempt('nobody@example.org', 'x', t + 20);
  assert.equal(!r.ok && r.reason, 'throttled');
  const audit = await database.client.execute("SELECT data FROM audit_events WHERE action = 'auth.sign_in_failed'");
  assert.ok(audit.rows.some((row) => String(row.data).includes('deactivated')));
});

test('the address limit stops one address trying many accounts', async () => {
  const t = T0 + 7200_000;
  let throttled = false;
  for (let i = 0; i < 101; i++) {
    const r = await attempt(`spray${i}@example.org`, 'x', t + i, '10.9.9.9');
    if (!r.ok && r.reason === 'throttled') throttled = true;
  }
  assert.equal(throttled, true);
  const other = await attempt('spray1000@example.org', 'x', t + 200, '10.9.9.10');
  assert.equal(!other.ok && other.reason, 'invalid');
});

test('a demo account is refused when demo mode is off', async () => {
  await createUser({ email: 'editor@hollowmere.example', name: 'Eddie', role: 'editor', passwordHash: await hashPassword(DEMO_PASSWORD) }, { kind: 'system' }, T0);
  const t = T0 + 3 * 3600_000;
  assert.equal((await attempt('editor@hollowmere.example', DEMO_PASSWORD, t, '10.1.1.1', true)).ok, true);
  assert.deepEqual(await attempt('editor@hollowmere.example', DEMO_PASSWORD, t, '10.1.1.1', false), { ok: false, reason: 'invalid' });
});

test('sign-in for a role that requires two-factor leaves the session unverified and asks for set-up', async () => {
  await createUser({ email: 'triage2@example.org', name: 'T', role: 'triage_officer', passwordHash: hash }, { kind: 'system' }, T0);
  const r = await attempt('triage2@example.org', 'lantern-meadow-harbour-42', T0 + 4 * 3600_000, '10.2.2.2');
  assert.equal(r.ok && r.twoFactor, 'setup');
  assert.equal(r.ok && r.session.twoFactorVerified, false);
});

test('a reset link works once, expires, and a new password ends the other sessions', async () => {
  const u = await createUser({ email: 'reset@example.org', name: 'R', role: 'editor', passwordHash: hash }, { kind: 'system' }, T0);
  const s1 = await createSession(u.id, {}, T0);
  const { token, statement } = createUserTokenStatement(u.id, 'reset', T0);
  await database.writer.batch([statement]);
  assert.ok(await checkUserToken(token, 'reset', T0 + 1000));
  assert.equal(await checkUserToken(token, 'invite', T0 + 1000), null, 'kind must match');
  const newHash = await hashPassword('another fine password 7');
  const used = await consumeUserToken(token, 'reset', (user) => setPasswordStatements(user.id, newHash, undefined, T0 + 2000), T0 + 2000);
  assert.equal(used?.id, u.id);
  assert.equal(await consumeUserToken(token, 'reset', () => [], T0 + 3000), null, 'second use refused');
  assert.equal(await validateSessionToken(s1.token, T0 + 3000), null, 'old session ended');
  const { token: t2, statement: st2 } = createUserTokenStatement(u.id, 'reset', T0);
  await database.writer.batch([st2]);
  assert.equal(await checkUserToken(t2, 'reset', T0 + RESET_TTL_MS), null, 'expired');
});

test('inviting a user queues the e-mail in the same write and refuses a partner officer without an agency', async () => {
  const actor = { kind: 'user' as const, id: 'admin-1', ip: '10.0.0.9' };
  await assert.rejects(inviteUser({ email: 'p@example.org', name: 'P', role: 'partner_officer' }, actor, { baseUrl: 'http://x', partnership: 'H' }, T0), /agency/);
  await assert.rejects(inviteUser({ email: 'p@example.org', name: 'P', role: 'partner_officer', agencyId: 'no-such' }, actor, { baseUrl: 'http://x', partnership: 'H' }, T0), /agency/);
  const u = await inviteUser({ email: 'P@Example.org', name: 'P', role: 'partner_officer', agencyId: 'police' }, actor, { baseUrl: 'http://x', partnership: 'H' }, T0);
  assert.equal(u.email, 'p@example.org');
  const mail = await database.client.execute({ sql: "SELECT payload FROM outbox WHERE recipient = ? AND template = 'user-link'", args: ['p@example.org'] });
  assert.match(String(mail.rows[0]!.payload), /accept-invite/);
  const audit = await database.client.execute({ sql: "SELECT actor_id, ip FROM audit_events WHERE action = 'user.invited' AND subject_id = ?", args: [u.id] });
  assert.deepEqual([audit.rows[0]!.actor_id, audit.rows[0]!.ip], ['admin-1', '10.0.0.9']);
});

test('a partner officer without two-factor is sent to set it up at sign-in, unless roles.json turns it off for partner officers', async () => {
  const partnerHash = await hashPassword(DEMO_PASSWORD);
  await createUser({ email: 'new.partner@example.org', name: 'Pat Newpartner', role: 'partner_officer', agencyId: 'police', passwordHash: partnerHash }, { kind: 'system' }, T0);
  const t = T0 + 7 * 86_400_000;
  const on = await attempt('new.partner@example.org', DEMO_PASSWORD, t, '10.9.0.1');
  assert.equal(on.ok && on.twoFactor, 'setup', 'two-factor is on for partner officers by default');
  const dir = mkdtempSync(join(tmpdir(), 'roles-'));
  try {
    mkdirSync(join(dir, 'config'));
    const roles = JSON.parse(readFileSync('content/config/roles.json', 'utf8')) as Record<string, { twoFactorRequired: boolean }>;
    roles.partner_officer!.twoFactorRequired = false;
    writeFileSync(join(dir, 'config', 'roles.json'), JSON.stringify(roles));
    loadRoles(dir);
    const off = await attempt('new.partner@example.org', DEMO_PASSWORD, t + 1000, '10.9.0.2');
    assert.equal(off.ok && off.twoFactor, 'none', 'the configuration turned it off');
  } finally {
    loadRoles('content');
    rmSync(dir, { recursive: true, force: true });
  }
});
