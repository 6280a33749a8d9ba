/**
 * Sign-in by e-mail and password. Unknown e-mail, wrong password and deactivated account all give the same
 * answer after the same Argon2 work, so nothing reveals which accounts exist; the counters are keyed by
 * the e-mail typed, so they behave the same too.
 *
 * Throttling: each attempt is counted before the password is checked, in one write transaction, so
 * parallel requests cannot slip past. It counts against every limit only when all have room, so an
 * attacker held by one limit never fills another. A success takes its attempt back and clears the pair.
 * - the lock is per (account, address) pair: 10 attempts in 5 minutes. An attacker locks only themselves.
 * - per account, from any address: a ceiling of 50 attempts in 15 minutes, with a growing delay after
 *   the 10th, to slow a distributed attack.
 * - per address (IPv6 by /64), across accounts: 100 attempts in 15 minutes, to slow password spraying.
 * A browser holding the user's trusted-device token (set after a sign-in with two-factor) is exempt from
 * the account and address limits, so neither a flood on the account nor one from a shared office
 * address locks its owner out; the pair limit still applies to it.
 */
import { eq } from 'drizzle-orm';
import { auditStatement } from '../../platform/audit.ts';
import { getDatabase, toStatement } from '../../platform/db/client.ts';
import { users } from '../../platform/db/schema.ts';
import { clearRateLimitStatement, takeRateLimits, rateLimitAddress, uncountStatements } from '../../platform/security/rate-limit.ts';
import { DEMO_EMAILS } from './demo-accounts.ts';
import { verifyDummyPassword, verifyPassword } from './password.ts';
import { isTwoFactorRequired } from './roles.ts';
import { createSessionStatement, invalidateSessionStatement, type Session } from './session.ts';
import { isTrustedDevice } from './trusted-device.ts';
import { normalizeEmail, type User } from './users.ts';

/** Attempts allowed per (account, address) pair in PAIR_WINDOW_MS: the lock. */
export const PAIR_ATTEMPT_LIMIT = 10;
/** The per-pair window. */
export const PAIR_WINDOW_MS = 5 * 60_000;
/** Attempts allowed per account from all addresses in ACCOUNT_WINDOW_MS: the ceiling (trusted devices are exempt). */
export const ACCOUNT_ATTEMPT_LIMIT = 50;
/** The per-account window. */
export const ACCOUNT_WINDOW_MS = 15 * 60_000;
/** Attempts per account in its window after which each further attempt waits ACCOUNT_DELAY_STEP_MS more. */
export const ACCOUNT_DELAY_AFTER = 10;
/** The growth of the delay per attempt over ACCOUNT_DELAY_AFTER. */
export const ACCOUNT_DELAY_STEP_MS = 100;
/** The longest delay. */
export const ACCOUNT_DELAY_MAX_MS = 2000;
/** Attempts allowed per network address (IPv6 by /64) in ADDRESS_WINDOW_MS (trusted devices are exempt). */
export const ADDRESS_ATTEMPT_LIMIT = 100;
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

/** How long to hold an attempt that is the `count`th on its account in the window (0 up to ACCOUNT_DELAY_AFTER). */
export function accountDelayMs(count: number): number {
  return Math.min(ACCOUNT_DELAY_MAX_MS, Math.max(0, count - ACCOUNT_DELAY_AFTER) * ACCOUNT_DELAY_STEP_MS);
}

/** Try to sign in; on success the session exists and the caller sets the cookie. */
export async function signIn(
  input: { email: string; password: string; ip: string | null; userAgent: string | null; demoMode: boolean; previousSessionId?: string | null; trustedDevice?: string | null },
  now = Date.now(),
): Promise<SignInResult> {
  const email = normalizeEmail(input.email).slice(0, 254);
  const address = rateLimitAddress(input.ip);
  const { db, writer } = getDatabase();
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  const trusted = isTrustedDevice(input.trustedDevice, user, now);
  const pair = { key: `signin:pair:${address}:${email}`, limit: PAIR_ATTEMPT_LIMIT, windowMs: PAIR_WINDOW_MS, scope: 'pair' };
  const account = { key: `signin:account:${email}`, limit: ACCOUNT_ATTEMPT_LIMIT, windowMs: ACCOUNT_WINDOW_MS, scope: 'account' };
  const perAddress = { key: `signin:address:${address}`, limit: ADDRESS_ATTEMPT_LIMIT, windowMs: ADDRESS_WINDOW_MS, scope: 'address' };
  const limits = trusted ? [pair] : [pair, account, perAddress];
  // Count this attempt first (or refuse it without counting); only then check the password.
  const counted = await takeRateLimits(limits, now);
  const actor = { kind: 'public' as const, ip: input.ip };
  const refused = counted.findIndex((r) => !r.allowed);
  if (refused !== -1) {
    await writer.batch([auditStatement(actor, 'auth.sign_in_throttled', null, { email, scope: limits[refused]!.scope, trustedDevice: trusted }, now)]);
    return { ok: false, reason: 'throttled', retryAfterMs: Math.max(...counted.map((r) => r.retryAfterMs)) };
  }
  const delay = trusted ? 0 : accountDelayMs(counted[1]!.count);
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  let good = false;
  if (user?.passwordHash) good = await verifyPassword(user.passwordHash, input.password);
  else await verifyDummyPassword(input.password);
  const demoRefused = !input.demoMode && DEMO_EMAILS.includes(email);
  if (!good || !user || !user.active || demoRefused) {
    const reason = !user ? 'unknown_email' : !good ? 'wrong_password' : !user.active ? 'deactivated' : 'demo_account_outside_demo_mode';
    await writer.batch([auditStatement(actor, 'auth.sign_in_failed', user ? { kind: 'user', id: user.id } : null, { email, reason }, now)]);
    return { ok: false, reason: 'invalid' };
  }
  const twoFactor = twoFactorStepFor(user);
  const created = createSessionStatement(user.id, { ip: input.ip, userAgent: input.userAgent, twoFactorVerified: twoFactor === 'none' }, now);
  // A success takes back its own count on the account and address, and clears the pair's.
  const stmts = [created.statement, clearRateLimitStatement(pair.key), ...uncountStatements(limits.slice(1), now)];
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
