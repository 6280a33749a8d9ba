/** Single-use links for password reset and invitations: the secret is e-mailed, only its SHA-256 is stored. */
import type { InStatement } from '@libsql/client';
import { and, eq, isNull } from 'drizzle-orm';
import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { getDatabase, getDb, toStatement } from '../../platform/db/client.ts';
import { userTokens, users } from '../../platform/db/schema.ts';
import { newSecret } from '../../platform/security/ids.ts';

/** A reset link works for this long. */
export const RESET_TTL_MS = 60 * 60_000;
/** An invitation works for this long. */
export const INVITE_TTL_MS = 7 * 24 * 60 * 60_000;

/** The kinds of link. */
export type UserTokenKind = 'reset' | 'invite';

function hashSecret(secret: string): Uint8Array {
  return sha256(new TextEncoder().encode(secret));
}

/** A new link token "<id>.<secret>" and the statement that stores it. */
export function createUserTokenStatement(userId: string, kind: UserTokenKind, now = Date.now()): { token: string; statement: InStatement } {
  const id = newSecret(15);
  const secret = newSecret(20);
  const expiresAt = now + (kind === 'reset' ? RESET_TTL_MS : INVITE_TTL_MS);
  const statement = toStatement(getDatabase().db.insert(userTokens).values({ id, userId, kind, secretHash: Buffer.from(hashSecret(secret)), createdAt: now, expiresAt, usedAt: null }));
  return { token: `${id}.${secret}`, statement };
}

/** The statement that voids every unused link of a kind for a user (a new reset link voids older ones). */
export function voidUserTokensStatement(userId: string, kind: UserTokenKind, now = Date.now()): InStatement {
  return toStatement(getDatabase().db.update(userTokens).set({ usedAt: now }).where(and(eq(userTokens.userId, userId), eq(userTokens.kind, kind), isNull(userTokens.usedAt))));
}

/** The user a link belongs to when it is valid (right secret, unused, not expired, user active), else null. Does not use it up. */
export async function checkUserToken(token: string, kind: UserTokenKind, now = Date.now()): Promise<{ tokenId: string; user: typeof users.$inferSelect } | null> {
  const [id, secret, extra] = token.split('.');
  if (!id || !secret || extra !== undefined || id.length > 64 || secret.length > 64) return null;
  const [row] = await getDb().select({ token: userTokens, user: users }).from(userTokens).innerJoin(users, eq(users.id, userTokens.userId)).where(and(eq(userTokens.id, id), eq(userTokens.kind, kind))).limit(1);
  if (!row) return null;
  if (!constantTimeEqual(hashSecret(secret), new Uint8Array(row.token.secretHash))) return null;
  if (row.token.usedAt !== null || now >= row.token.expiresAt || !row.user.active) return null;
  return { tokenId: id, user: row.user };
}

/** Use a link up, together with the statements of the change it allows, in one write transaction; null when it was not (or no longer) valid. */
export async function consumeUserToken(token: string, kind: UserTokenKind, statements: (user: typeof users.$inferSelect) => InStatement[], now = Date.now()): Promise<typeof users.$inferSelect | null> {
  return getDatabase().writer.transaction(async (tx) => {
    const found = await checkUserToken(token, kind, now);
    if (!found) return null;
    await tx.batch([toStatement(tx.db.update(userTokens).set({ usedAt: now }).where(and(eq(userTokens.id, found.tokenId), isNull(userTokens.usedAt)))), ...statements(found.user)]);
    return found.user;
  });
}
