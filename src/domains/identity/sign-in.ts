/**
 * Sign-in by e-mail and password, throttled per account (10 failures in 5 minutes) and per address
 * (100 failures in 15 minutes) with counters in the database. Unknown e-mail, wrong password and
 * deactivated account all give the same answer after the same Argon2 work, so nothing reveals which
 * accounts exist; the per-account counter is keyed by the e-mail typed, so it behaves the same too.
 */
import { eq } from 'drizzle-orm';
import { auditStatement } from '../../platform/audit.ts';
import { getDatabase, toStatement } from '../../platform/db/client.ts';
import { users } from '../../platform/db/schema.ts';
import { hitRateLimit, peekRateLimit } from '../../platform/security/rate-limit.ts';
import { DEMO_EMAILS } from './demo-accounts.ts';
import { verifyDummyPassword, verifyPassword } from './password.ts';
import { isTwoFactorRequired } from './roles.ts';
import { createSessionStatement, invalidateSessionStatement, type Session } from './session.ts';
import { normalizeEmail, type User } from './users.ts';

/** Failed sign-ins allowed per account in ACCOUNT_WINDOW_MS. */
export const ACCOUNT_FAILURE_LIMIT = 10;
/** The per-account window. */
export const ACCOUNT_WINDOW_MS = 5 * 60_000;
/** Failed sign-ins allowed per network address in ADDRESS_WINDOW_MS. */
export const ADDRESS_FAILURE_LIMIT = 100;
/** The per-address window. */
export const ADDRESS_WINDOW_MS = 15 * 60_000;

/** What the second step of sign-in needs: nothing, a code, or setting up an authenticator app. */
export type TwoFactorStep = 'none' | 'verify' | 'setup';

/** The result of a sign-in attempt. */
export type SignInResult =
  | { ok: true; token: string; session: Session; user: User; twoFactor: TwoFactorStep }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterMs: number };

/** Which second step a user needs after the password. */
export function twoFactorStepFor(user: Pick<User, 'role' | 'totpEnabledAt'>): TwoFactorStep {
  if (user.totpEnabledAt) return 'verify';
  return isTwoFactorRequired(user.role) ? 'setup' : 'none';
}

/** Try to sign in; on success the session exists and the caller sets the cookie. */
export async function signIn(
  input: { email: string; password: string; ip: string | null; userAgent: string | null; demoMode: boolean; previousSessionId?: string | null },
  now = Date.now(),
): Promise<SignInResult> {
  const email = normalizeEmail(input.email).slice(0, 254);
  const accountKey = `signin:account:${email}`;
  const addressKey = `signin:address:${input.ip ?? 'unknown'}`;
  const [account, address] = await Promise.all([peekRateLimit(accountKey, ACCOUNT_FAILURE_LIMIT, ACCOUNT_WINDOW_MS, now), peekRateLimit(addressKey, ADDRESS_FAILURE_LIMIT, ADDRESS_WINDOW_MS, now)]);
  const actor = { kind: 'public' as const, ip: input.ip };
  if (!account.allowed || !address.allowed) {
    await getDatabase().writer.batch([auditStatement(actor, 'auth.sign_in_throttled', null, { email, scope: account.allowed ? 'address' : 'account' }, now)]);
    return { ok: false, reason: 'throttled', retryAfterMs: Math.max(account.retryAfterMs, address.retryAfterMs) };
  }
  const { db, writer } = getDatabase();
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  let good = false;
  if (user?.passwordHash) good = await verifyPassword(user.passwordHash, input.password);
  else await verifyDummyPassword(input.password);
  const demoRefused = !input.demoMode && DEMO_EMAILS.includes(email);
  if (!good || !user || !user.active || demoRefused) {
    const reason = !user ? 'unknown_email' : !good ? 'wrong_password' : !user.active ? 'deactivated' : 'demo_account_outside_demo_mode';
    await Promise.all([hitRateLimit(accountKey, ACCOUNT_FAILURE_LIMIT, ACCOUNT_WINDOW_MS, now), hitRateLimit(addressKey, ADDRESS_FAILURE_LIMIT, ADDRESS_WINDOW_MS, now)]);
    await writer.batch([auditStatement(actor, 'auth.sign_in_failed', user ? { kind: 'user', id: user.id } : null, { email, reason }, now)]);
    return { ok: false, reason: 'invalid' };
  }
  const twoFactor = twoFactorStepFor(user);
  const created = createSessionStatement(user.id, { ip: input.ip, userAgent: input.userAgent, twoFactorVerified: twoFactor === 'none' }, now);
  const stmts = [created.statement];
  // A new session on every sign-in; the one from before (if any) ends (session fixation, ASVS 7.2.4).
  if (input.previousSessionId) stmts.push(invalidateSessionStatement(input.previousSessionId));
  const userActor = { kind: 'user' as const, id: user.id, ip: input.ip };
  if (twoFactor === 'none') {
    stmts.push(toStatement(db.update(users).set({ lastSignInAt: now }).where(eq(users.id, user.id))));
    stmts.push(auditStatement(userActor, 'auth.sign_in', { kind: 'user', id: user.id }, { session: created.session.id.slice(0, 6), userAgent: input.userAgent?.slice(0, 200) ?? null }, now));
  } else {
    stmts.push(auditStatement(userActor, 'auth.password_ok', { kind: 'user', id: user.id }, { next: twoFactor }, now));
  }
  await writer.batch(stmts);
  return { ok: true, token: created.token, session: created.session, user, twoFactor };
}
