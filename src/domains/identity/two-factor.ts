/**
 * The second sign-in step: set up an authenticator app (TOTP) with recovery codes, verify a code or use a
 * recovery code. Each attempt is counted before the code is checked, in one atomic write, so parallel
 * guesses cannot slip past: 10 in 5 minutes and 30 in a day per user. A success takes its own attempt back.
 * A code is accepted only once.
 */
import { and, eq, lt } from 'drizzle-orm';
import type { InStatement } from '@libsql/client';
import { auditStatement, type Actor } from '../../platform/audit.ts';
import { getDatabase, toStatement } from '../../platform/db/client.ts';
import type { WriteTransaction } from '../../platform/db/writer.ts';
import { rateLimits, users } from '../../platform/db/schema.ts';
import { takeRateLimits, uncountStatements } from '../../platform/security/rate-limit.ts';
import { markSessionTwoFactorVerifiedStatement, invalidateUserSessionsStatement } from './session.ts';
import { decryptTotpKey, encryptTotpKey, generateRecoveryCodes, generateTotpKey, hashRecoveryCode, useRecoveryCode, verifyTotpCode } from './totp.ts';
import type { User } from './users.ts';

/** Code attempts allowed per user in TWO_FACTOR_WINDOW_MS. */
export const TWO_FACTOR_ATTEMPT_LIMIT = 10;
/** The short window for code attempts. */
export const TWO_FACTOR_WINDOW_MS = 5 * 60_000;
/** Code attempts allowed per user in TWO_FACTOR_DAY_MS. */
export const TWO_FACTOR_DAILY_LIMIT = 30;
/** The long window for code attempts. */
export const TWO_FACTOR_DAY_MS = 86_400_000;

/** The result of a code check. */
export type CodeResult = { ok: true } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'throttled'; retryAfterMs: number };

/** The limits every code attempt of a user counts against. */
function codeLimits(userId: string) {
  return [
    { key: `2fa:${userId}`, limit: TWO_FACTOR_ATTEMPT_LIMIT, windowMs: TWO_FACTOR_WINDOW_MS },
    { key: `2fa-day:${userId}`, limit: TWO_FACTOR_DAILY_LIMIT, windowMs: TWO_FACTOR_DAY_MS },
  ];
}

/** Count one code attempt before checking it; a throttled result when over a limit (audited), else null. */
async function countAttempt(user: User, actor: Actor, now: number): Promise<(CodeResult & { ok: false }) | null> {
  const counted = await takeRateLimits(codeLimits(user.id), now);
  if (counted.every((r) => r.allowed)) return null;
  await getDatabase().writer.batch([auditStatement(actor, 'auth.two_factor_throttled', { kind: 'user', id: user.id }, undefined, now)]);
  return { ok: false, reason: 'throttled', retryAfterMs: Math.max(...counted.map((r) => r.retryAfterMs)) };
}

/** Record a wrong code (already counted). */
async function fail(user: User, actor: Actor, action: string, now: number): Promise<CodeResult & { ok: false }> {
  await getDatabase().writer.batch([auditStatement(actor, action, { kind: 'user', id: user.id }, undefined, now)]);
  return { ok: false, reason: 'invalid' };
}

function signedInStatements(user: User, sessionId: string, actor: Actor, how: string, now: number): InStatement[] {
  const db = getDatabase().db;
  return [
    markSessionTwoFactorVerifiedStatement(sessionId),
    toStatement(db.update(users).set({ lastSignInAt: now }).where(eq(users.id, user.id))),
    auditStatement(actor, 'auth.sign_in', { kind: 'user', id: user.id }, { secondFactor: how }, now),
    ...uncountStatements(codeLimits(user.id), now),
  ];
}

/** The TOTP key being set up for a user: the pending one if there is one, else a new one stored (encrypted) as pending. */
export async function pendingTotpKey(user: User): Promise<Uint8Array> {
  if (user.totpEnabledAt) throw new Error('two-factor already set up');
  if (user.totpKey) {
    try {
      return decryptTotpKey(user.totpKey);
    } catch {
      /* encrypted under an older SECRET_KEY: make a new one */
    }
  }
  const key = generateTotpKey();
  const db = getDatabase().db;
  await getDatabase().writer.batch([toStatement(db.update(users).set({ totpKey: encryptTotpKey(key), updatedAt: Date.now() }).where(eq(users.id, user.id)))]);
  return key;
}

/** Accept a TOTP code once: records the step so the same code cannot be replayed. Runs inside a write transaction. */
async function claimStep(tx: WriteTransaction, userId: string, step: number): Promise<boolean> {
  const key = `totp-step:${userId}`;
  const [, inserted] = await tx.batch([
    toStatement(tx.db.delete(rateLimits).where(and(eq(rateLimits.key, key), lt(rateLimits.windowStart, step - 4)))),
    toStatement(tx.db.insert(rateLimits).values({ key, windowStart: step, count: 1 }).onConflictDoNothing()),
  ]);
  return inserted!.rowsAffected === 1;
}

/** Finish setting up: check a code from the app, turn two-factor on, mark the session verified; returns the recovery codes to show once. */
export async function confirmTotpSetup(user: User, sessionId: string, code: string, actor: Actor, now = Date.now()): Promise<(CodeResult & { ok: false }) | { ok: true; recoveryCodes: string[] }> {
  const limited = await countAttempt(user, actor, now);
  if (limited) return limited;
  const [fresh] = await getDatabase().db.select().from(users).where(eq(users.id, user.id));
  if (!fresh?.totpKey || fresh.totpEnabledAt) return fail(user, actor, 'auth.two_factor_setup_failed', now);
  const key = decryptTotpKey(fresh.totpKey);
  const step = verifyTotpCode(key, code, now);
  if (step === null) return fail(user, actor, 'auth.two_factor_setup_failed', now);
  const recoveryCodes = generateRecoveryCodes();
  const db = getDatabase().db;
  const ok = await getDatabase().writer.transaction(async (tx) => {
    if (!(await claimStep(tx, user.id, step))) return false;
    await tx.batch(
      [
        toStatement(db.update(users).set({ totpEnabledAt: now, recoveryCodes: recoveryCodes.map(hashRecoveryCode), updatedAt: now }).where(eq(users.id, user.id))),
        auditStatement(actor, 'auth.two_factor_enabled', { kind: 'user', id: user.id }, undefined, now),
        // Setting up two-factor ends every other session of this user (ASVS 7.4.3).
        invalidateUserSessionsStatement(user.id, sessionId),
        ...signedInStatements(user, sessionId, actor, 'totp-setup', now),
      ],
    );
    return true;
  });
  if (!ok) return fail(user, actor, 'auth.two_factor_setup_failed', now);
  return { ok: true, recoveryCodes };
}

/** Verify a TOTP code as the second sign-in step; on success the session is fully signed in. */
export async function verifyTwoFactorCode(user: User, sessionId: string, code: string, actor: Actor, now = Date.now()): Promise<CodeResult> {
  const limited = await countAttempt(user, actor, now);
  if (limited) return limited;
  if (!user.totpKey || !user.totpEnabledAt) return fail(user, actor, 'auth.two_factor_failed', now);
  const step = verifyTotpCode(decryptTotpKey(user.totpKey), code, now);
  if (step === null) return fail(user, actor, 'auth.two_factor_failed', now);
  const ok = await getDatabase().writer.transaction(async (tx) => {
    if (!(await claimStep(tx, user.id, step))) return false;
    await tx.batch(signedInStatements(user, sessionId, actor, 'totp', now));
    return true;
  });
  return ok ? { ok: true } : fail(user, actor, 'auth.two_factor_replayed', now);
}

/** Use one recovery code as the second sign-in step (it is then spent). */
export async function verifyRecoveryCode(user: User, sessionId: string, code: string, actor: Actor, now = Date.now()): Promise<CodeResult & { remaining?: number }> {
  const limited = await countAttempt(user, actor, now);
  if (limited) return limited;
  const db = getDatabase().db;
  const result = await getDatabase().writer.transaction(async (tx) => {
    const [fresh] = await tx.db.select().from(users).where(eq(users.id, user.id));
    const left = fresh?.recoveryCodes ? useRecoveryCode(fresh.recoveryCodes, code) : null;
    if (!left) return null;
    await tx.batch(
      [toStatement(db.update(users).set({ recoveryCodes: left, updatedAt: now }).where(eq(users.id, user.id))), auditStatement(actor, 'auth.recovery_code_used', { kind: 'user', id: user.id }, { remaining: left.length }, now), ...signedInStatements(user, sessionId, actor, 'recovery-code', now)],
    );
    return left.length;
  });
  if (result === null) return fail(user, actor, 'auth.recovery_code_failed', now);
  return { ok: true, remaining: result };
}

/** Replace a user's recovery codes with new ones; returns them to show once. */
export async function regenerateRecoveryCodes(user: User, actor: Actor, now = Date.now()): Promise<string[]> {
  const codes = generateRecoveryCodes();
  const db = getDatabase().db;
  await getDatabase().writer.batch([toStatement(db.update(users).set({ recoveryCodes: codes.map(hashRecoveryCode), updatedAt: now }).where(eq(users.id, user.id))), auditStatement(actor, 'auth.recovery_codes_regenerated', { kind: 'user', id: user.id }, undefined, now)]);
  return codes;
}

/** Turn two-factor off for a user whose role does not require it. */
export async function disableTwoFactor(user: User, actor: Actor, now = Date.now()): Promise<void> {
  const db = getDatabase().db;
  await getDatabase().writer.batch([toStatement(db.update(users).set({ totpKey: null, totpEnabledAt: null, recoveryCodes: null, updatedAt: now }).where(eq(users.id, user.id))), auditStatement(actor, 'auth.two_factor_disabled', { kind: 'user', id: user.id }, undefined, now)]);
}
