/** Password reset by e-mailed single-use link, and setting a password from a reset or invitation link. */
import { auditStatement, type Actor } from '../../platform/audit.ts';
import { getDatabase } from '../../platform/db/client.ts';
import { enqueueEmail } from '../../platform/mail/outbox.ts';
import { hitRateLimit } from '../../platform/security/rate-limit.ts';
import { hashPassword } from './password.ts';
import { consumeUserToken, createUserTokenStatement, voidUserTokensStatement, type UserTokenKind } from './user-tokens.ts';
import { findUserByEmail, normalizeEmail, setPasswordStatements, type User } from './users.ts';

/** Reset e-mails allowed per address typed in an hour (the page answers the same either way). */
export const RESET_EMAIL_LIMIT = 3;

/** Queue a reset link if the e-mail names an active account; says nothing either way (no enumeration). */
export async function requestPasswordReset(email: string, actor: Actor, links: { baseUrl: string; partnership: string }, now = Date.now()): Promise<void> {
  const normal = normalizeEmail(email).slice(0, 254);
  const [byEmail, byAddress] = await Promise.all([hitRateLimit(`reset:email:${normal}`, RESET_EMAIL_LIMIT, 3600_000, now), hitRateLimit(`reset:address:${actor.ip ?? 'unknown'}`, 20, 3600_000, now)]);
  const user = await findUserByEmail(normal);
  if (!byEmail.allowed || !byAddress.allowed) {
    await getDatabase().writer.batch([auditStatement(actor, 'auth.reset_throttled', user ? { kind: 'user', id: user.id } : null, { email: normal }, now)]);
    return;
  }
  if (!user || !user.active) {
    await getDatabase().writer.batch([auditStatement(actor, 'auth.reset_unknown', null, { email: normal }, now)]);
    return;
  }
  const { token, statement } = createUserTokenStatement(user.id, 'reset', now);
  await getDatabase().writer.batch([
    voidUserTokensStatement(user.id, 'reset', now),
    statement,
    enqueueEmail('user-link', user.email, { kind: 'reset', url: new URL(`/staff/reset-password/${token}`, links.baseUrl).href, expiresIn: '1 hour', partnership: links.partnership }, now),
    auditStatement({ ...actor, kind: 'public' }, 'auth.reset_requested', { kind: 'user', id: user.id }, undefined, now),
  ]);
}

/** Set a new password through a reset or invitation link (used up at once); every session of the user ends. */
export async function setPasswordWithToken(token: string, kind: UserTokenKind, password: string, ip: string | null, now = Date.now()): Promise<User | null> {
  const passwordHash = await hashPassword(password);
  return consumeUserToken(
    token,
    kind,
    (user) => [...setPasswordStatements(user.id, passwordHash, undefined, now), auditStatement({ kind: 'user', id: user.id, ip }, kind === 'reset' ? 'auth.password_reset' : 'user.invite_accepted', { kind: 'user', id: user.id }, undefined, now)],
    now,
  );
}
