/** Test helper: sign a demo user in over HTTP, computing TOTP codes from the documented demo key when needed. */
import assert from 'node:assert/strict';
import { Visitor } from '../helpers/http.ts';
import { DEMO_PASSWORD, DEMO_TOTP_KEY } from '../../src/domains/identity/demo-accounts.ts';
import { parseTotpKey, totpCodeAt, totpStep } from '../../src/domains/identity/totp.ts';

const usedSteps = new Map<string, Set<number>>();

/** A fresh TOTP code for a key that has not been used yet in this process (codes are single use). */
export async function freshCode(keyBase32: string, account: string): Promise<string> {
  const key = parseTotpKey(keyBase32);
  const used = usedSteps.get(account) ?? new Set<number>();
  usedSteps.set(account, used);
  for (;;) {
    const now = totpStep();
    for (const s of [now, now + 1, now - 1]) {
      if (!used.has(s)) {
        used.add(s);
        return totpCodeAt(key, s);
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Sign in as a demo account (password, then a TOTP code if asked); returns the visitor. */
export async function signInAs(base: string, email: string, password = DEMO_PASSWORD): Promise<Visitor> {
  const v = new Visitor(base);
  const res = await v.post('/staff/sign-in', { email, password });
  assert.equal(res.status, 303, `sign-in for ${email}: ${res.status}`);
  const location = res.headers.get('location')!;
  if (location.startsWith('/staff/two-factor')) {
    const code = await freshCode(DEMO_TOTP_KEY, email);
    const r2 = await v.post(location, { code });
    assert.equal(r2.status, 303, `two-factor for ${email}: ${r2.status}`);
  }
  return v;
}
