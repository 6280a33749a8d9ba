/** The sign-in helper the staff tests share: never waits for the next TOTP step, and every session it returns works. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClient } from '@libsql/client';
import { startServer, type TestServer } from '../helpers/server.ts';
import { candidateSteps, signInAs, unusedCode } from './staff-sign-in.ts';
import { DEMO_TOTP_KEY } from '../../src/domains/identity/demo-accounts.ts';
import { TOTP_PERIOD } from '../../src/domains/identity/totp.ts';

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server?.stop());

test('the previous step is offered only while the current step has 3 s or more to run', () => {
  const stepStart = 1_000 * TOTP_PERIOD * 60_000_000;
  const step = stepStart / 1000 / TOTP_PERIOD;
  assert.deepEqual(candidateSteps(stepStart + 1000), [step, step + 1, step - 1]);
  assert.deepEqual(candidateSteps(stepStart + TOTP_PERIOD * 1000 - 2000), [step, step + 1]);
});

test('an account runs out of TOTP steps after three codes instead of waiting', () => {
  const now = 1_000 * TOTP_PERIOD * 60_000_000 + 5000;
  const codes = [1, 2, 3].map(() => unusedCode(DEMO_TOTP_KEY, 'a test account', now));
  assert.equal(new Set(codes).size, 3);
  assert.equal(unusedCode(DEMO_TOTP_KEY, 'a test account', now), null);
});

test('one two-factor account signs in again and again on one server (TOTP, then recovery codes) and every session works', async () => {
  const email = 'triage@hollowmere.example';
  const sessions = [await signInAs(server.url, email)];
  // Use up the TOTP steps the helper may offer now, as three quick sign-ins would.
  while (unusedCode(DEMO_TOTP_KEY, `${server.url} ${email}`) !== null);
  for (let i = 0; i < 3; i++) sessions.push(await signInAs(server.url, email));
  for (const [i, v] of sessions.entries()) assert.equal((await v.get('/staff')).status, 200, `session ${i + 1}`);
  const db = createClient({ url: server.dbUrl, timeout: 15_000 });
  try {
    const rows = await db.execute("SELECT data FROM audit_events WHERE action = 'auth.sign_in'");
    const how = rows.rows.map((r) => (JSON.parse(String(r.data)) as { secondFactor: string }).secondFactor);
    assert.ok(how.includes('recovery-code'), `second factors used: ${how.join(', ')}`);
  } finally {
    db.close();
  }
});
