/**
 * Test helper: sign a demo user in over HTTP, computing TOTP codes from the documented demo key when needed.
 * The server accepts a code for the current 30-second step or one step either side, each step once per user
 * (src/domains/identity/totp.ts, two-factor.ts). So one account can sign in three times per step on one server
 * without waiting; past that, a recovery code is used, made on the account page by an earlier session, and when no
 * session is left to make them (a test signed them all out), the helper waits for the next step.
 */
import assert from 'node:assert/strict';
import { Visitor } from '../helpers/http.ts';
import { DEMO_PASSWORD, DEMO_TOTP_KEY } from '../../src/domains/identity/demo-accounts.ts';
import { parseTotpKey, totpCodeAt, totpStep, TOTP_PERIOD } from '../../src/domains/identity/totp.ts';

const usedSteps = new Map<string, Set<number>>();
const signedIn = new Map<string, Visitor>();
const recoveryCodes = new Map<string, string[]>();

/** The steps to try, safest first: the previous step only while the current one has 3 s or more to run (the server must still be in it). */
export function candidateSteps(now = Date.now()): number[] {
  const step = totpStep(now);
  const msLeft = (step + 1) * TOTP_PERIOD * 1000 - now;
  return msLeft >= 3000 ? [step, step + 1, step - 1] : [step, step + 1];
}

/** A TOTP code for a step not yet used by `account` (name it per server: codes are single use per user), or null when none is left. */
export function unusedCode(keyBase32: string, account: string, now = Date.now()): string | null {
  const used = usedSteps.get(account) ?? new Set<number>();
  usedSteps.set(account, used);
  const step = candidateSteps(now).find((s) => !used.has(s));
  if (step === undefined) return null;
  used.add(step);
  return totpCodeAt(parseTotpKey(keyBase32), step);
}

/** A fresh TOTP code for a key that has not been used yet in this process; fails (never waits) when every accepted step is used. */
export async function freshCode(keyBase32: string, account: string): Promise<string> {
  const code = unusedCode(keyBase32, account);
  assert.ok(code, `no unused TOTP step left for ${account}: sign in once and reuse the session`);
  return code;
}

/** A recovery code for an account on a server, making a set of ten through a live session of that account; null when there is none (a test may have signed them all out). */
async function recoveryCodeFor(account: string, password: string): Promise<string | null> {
  let codes = recoveryCodes.get(account) ?? [];
  if (codes.length === 0) {
    const session = signedIn.get(account);
    if (!session) return null;
    const res = await session.post('/staff/account', { action: 'recovery-codes', codesPassword: password });
    if (res.status !== 200) return null;
    const html = await res.text();
    codes = [...html.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]!);
    assert.equal(codes.length, 10, `new recovery codes for ${account}: ${res.status}`);
  }
  const code = codes.shift()!;
  recoveryCodes.set(account, codes);
  return code;
}

/** Wait for the next TOTP step and take its code: the last resort when every accepted step is used and no session can make recovery codes. */
async function nextStepCode(account: string): Promise<string> {
  const now = Date.now();
  const waitMs = (totpStep(now) + 1) * TOTP_PERIOD * 1000 - now + 50;
  // Said out loud, so that a test which makes the suite idle here is found (sign in once and reuse the session).
  process.stderr.write(`signInAs: waiting ${(waitMs / 1000).toFixed(1)} s for the next TOTP step for ${account} (no unused step, no session to make recovery codes)\n`);
  await new Promise((r) => setTimeout(r, waitMs));
  const code = unusedCode(DEMO_TOTP_KEY, account);
  assert.ok(code, `no unused TOTP step for ${account} after waiting for the next one`);
  return code;
}

/** Sign in as a demo account (password, then a TOTP code or, when none is left, a recovery code if asked); returns the visitor. */
export async function signInAs(base: string, email: string, password = DEMO_PASSWORD): Promise<Visitor> {
  const v = new Visitor(base);
  const res = await v.post('/staff/sign-in', { email, password });
  assert.equal(res.status, 303, `sign-in for ${email}: ${res.status}`);
  const location = res.headers.get('location')!;
  if (location.startsWith('/staff/two-factor')) {
    const account = `${base} ${email}`;
    const totp = unusedCode(DEMO_TOTP_KEY, account);
    const recovery = totp ? null : await recoveryCodeFor(account, password);
    const code = totp ?? recovery ?? (await nextStepCode(account));
    const path = recovery ? `${location}${location.includes('?') ? '&' : '?'}recovery=1` : location;
    const r2 = await v.post(path, { code });
    assert.equal(r2.status, 303, `two-factor for ${email}: ${r2.status}`);
    signedIn.set(account, v);
  }
  return v;
}
