/** A signed-in user's own account: re-check the password before sensitive changes, change the password. */
import { auditStatement, type Actor } from '../../platform/audit.ts';
import { getDatabase } from '../../platform/db/client.ts';
import { takeRateLimits, uncountStatements } from '../../platform/security/rate-limit.ts';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './password.ts';
import { PAIR_ATTEMPT_LIMIT, PAIR_WINDOW_MS } from './sign-in.ts';
import { setPasswordStatements, type User } from './users.ts';

/** The result of a password re-check. */
export type ReauthResult = { ok: true } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'throttled'; retryAfterMs: number };

/** Check the current password again: each attempt is counted first (10 in 5 minutes per user), a success is taken back. */
export async function confirmPassword(user: User, password: string, actor: Actor, now = Date.now()): Promise<ReauthResult> {
  const key = `reauth:${user.id}`;
  const [counted] = await takeRateLimits([{ key, limit: PAIR_ATTEMPT_LIMIT, windowMs: PAIR_WINDOW_MS }], now);
  if (!counted!.allowed) return { ok: false, reason: 'throttled', retryAfterMs: counted!.retryAfterMs };
  if (user.passwordHash && (await verifyPassword(user.passwordHash, password))) {
    await getDatabase().writer.batch(uncountStatements([{ key, windowMs: PAIR_WINDOW_MS }], now));
    return { ok: true };
  }
  await getDatabase().writer.batch([auditStatement(actor, 'auth.reauth_failed', { kind: 'user', id: user.id }, undefined, now)]);
  return { ok: false, reason: 'invalid' };
}

/** Change one's own password: the other sessions end, this one stays. Returns a message for the field at fault, or null. */
export async function changeOwnPassword(user: User, sessionId: string, current: string, next: string, context: string[], actor: Actor, now = Date.now()): Promise<{ field: string; message: string } | null> {
  const problem = checkPasswordPolicy(next, [user.email, user.name, ...context]);
  if (problem) return { field: 'newPassword', message: problem };
  const check = await confirmPassword(user, current, actor, now);
  if (!check.ok) return { field: 'currentPassword', message: check.reason === 'throttled' ? 'Too many wrong passwords. Try again later.' : 'Your current password is not right' };
  if (await verifyPassword(user.passwordHash!, next)) return { field: 'newPassword', message: 'Your new password must be different from your current one' };
  const hash = await hashPassword(next);
  await getDatabase().writer.batch([...setPasswordStatements(user.id, hash, sessionId, now), auditStatement(actor, 'auth.password_changed', { kind: 'user', id: user.id }, undefined, now)]);
  return null;
}
