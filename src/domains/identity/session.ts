/**
 * Staff sessions in the way of the Lucia guide: the token is "<id>.<secret>", only SHA-256(secret) is stored
 * and it is compared in constant time. A session ends after 30 minutes idle or 12 hours in all (ASVS 4.0.3
 * 3.3.2 at level 2); last_verified_at slides forward at most once a minute to save writes.
 */
import type { InStatement } from '@libsql/client';
import { and, asc, eq, ne } from 'drizzle-orm';
import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { getDatabase, toStatement } from '../../platform/db/client.ts';
import { sessions, users } from '../../platform/db/schema.ts';
import { newSecret } from '../../platform/security/ids.ts';

/** A session ends after this long without a request. */
export const SESSION_IDLE_MS = 30 * 60_000;
/** A session ends this long after sign-in, however busy. */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60_000;
/** last_verified_at is written at most this often. */
export const SESSION_REFRESH_MS = 60_000;

/** A stored session (never carries the secret or its hash out of this module). */
export interface Session {
  id: string;
  userId: string;
  createdAt: number;
  lastVerifiedAt: number;
  twoFactorVerified: boolean;
  ip: string | null;
  userAgent: string | null;
}

/** The user row a valid session belongs to. */
export type SessionUserRow = typeof users.$inferSelect;

function hashSecret(secret: string): Uint8Array {
  return sha256(new TextEncoder().encode(secret));
}

/** When the session ends if nothing else happens. */
export function sessionExpiresAt(s: Pick<Session, 'createdAt' | 'lastVerifiedAt'>): number {
  return Math.min(s.lastVerifiedAt + SESSION_IDLE_MS, s.createdAt + SESSION_ABSOLUTE_MS);
}

function toSession(row: typeof sessions.$inferSelect): Session {
  return { id: row.id, userId: row.userId, createdAt: row.createdAt, lastVerifiedAt: row.lastVerifiedAt, twoFactorVerified: row.twoFactorVerified, ip: row.ip, userAgent: row.userAgent };
}

/** A new session's token and the statement that stores it (batch it with the sign-in audit). */
export function createSessionStatement(userId: string, meta: { ip?: string | null; userAgent?: string | null; twoFactorVerified?: boolean }, now = Date.now()): { token: string; session: Session; statement: InStatement } {
  const id = newSecret(15);
  const secret = newSecret(20);
  const session: Session = { id, userId, createdAt: now, lastVerifiedAt: now, twoFactorVerified: meta.twoFactorVerified ?? false, ip: meta.ip?.slice(0, 64) ?? null, userAgent: meta.userAgent?.slice(0, 300) ?? null };
  const statement = toStatement(getDatabase().db.insert(sessions).values({ ...session, secretHash: Buffer.from(hashSecret(secret)) }));
  return { token: `${id}.${secret}`, session, statement };
}

/** Create and store a session; returns its token for the cookie. */
export async function createSession(userId: string, meta: { ip?: string | null; userAgent?: string | null; twoFactorVerified?: boolean }, now = Date.now()): Promise<{ token: string; session: Session }> {
  const { token, session, statement } = createSessionStatement(userId, meta, now);
  await getDatabase().writer.batch([statement]);
  return { token, session };
}

/** The session and its user for a token, or null when the token is wrong, expired or the user is deactivated. */
export async function validateSessionToken(token: string, now = Date.now()): Promise<{ session: Session; user: SessionUserRow } | null> {
  const parts = token.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1] || parts[0].length > 64 || parts[1].length > 64) return null;
  const [id, secret] = parts as [string, string];
  const { db, writer } = getDatabase();
  const [row] = await db.select({ session: sessions, user: users }).from(sessions).innerJoin(users, eq(users.id, sessions.userId)).where(eq(sessions.id, id)).limit(1);
  if (!row) return null;
  if (!constantTimeEqual(hashSecret(secret), new Uint8Array(row.session.secretHash))) return null;
  const session = toSession(row.session);
  if (now >= sessionExpiresAt(session) || !row.user.active) {
    await writer.batch([toStatement(db.delete(sessions).where(eq(sessions.id, id)))]);
    return null;
  }
  if (now - session.lastVerifiedAt >= SESSION_REFRESH_MS) {
    session.lastVerifiedAt = now;
    await writer.batch([toStatement(db.update(sessions).set({ lastVerifiedAt: now }).where(eq(sessions.id, id)))]);
  }
  return { session, user: row.user };
}

/** The statement that ends one session. */
export function invalidateSessionStatement(sessionId: string): InStatement {
  return toStatement(getDatabase().db.delete(sessions).where(eq(sessions.id, sessionId)));
}

/** End one session. */
export async function invalidateSession(sessionId: string): Promise<void> {
  await getDatabase().writer.batch([invalidateSessionStatement(sessionId)]);
}

/** The statement that ends every session of a user, except one when given (the one in use). */
export function invalidateUserSessionsStatement(userId: string, exceptSessionId?: string): InStatement {
  const db = getDatabase().db;
  const where = exceptSessionId ? and(eq(sessions.userId, userId), ne(sessions.id, exceptSessionId)) : eq(sessions.userId, userId);
  return toStatement(db.delete(sessions).where(where));
}

/** End every session of a user (sign out everywhere), except one when given. */
export async function invalidateUserSessions(userId: string, exceptSessionId?: string): Promise<void> {
  await getDatabase().writer.batch([invalidateUserSessionsStatement(userId, exceptSessionId)]);
}

/** The statement that marks a session's second factor as done. */
export function markSessionTwoFactorVerifiedStatement(sessionId: string): InStatement {
  return toStatement(getDatabase().db.update(sessions).set({ twoFactorVerified: true }).where(eq(sessions.id, sessionId)));
}

/** A user's live sessions, oldest first. */
export async function listUserSessions(userId: string, now = Date.now()): Promise<Session[]> {
  const rows = await getDatabase().db.select().from(sessions).where(eq(sessions.userId, userId)).orderBy(asc(sessions.createdAt));
  return rows.map(toSession).filter((s) => now < sessionExpiresAt(s));
}
