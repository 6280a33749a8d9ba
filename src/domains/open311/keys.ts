/**
 * Open311 API keys: administrators issue, name, scope (services; read and/or write) and revoke them. The key is
 * `id.secret` and only SHA-256(secret) is stored, compared in constant time, as for staff sessions. Each key has
 * its own rate limit, counted in one write transaction so parallel calls cannot pass it, and every call is audited.
 */
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { desc, eq, isNull, and } from 'drizzle-orm';
import { auditStatement, type Actor } from '../../platform/audit.ts';
import { getDatabase, getDb, toStatement } from '../../platform/db/client.ts';
import { apiKeys } from '../../platform/db/schema.ts';
import { newId, newSecret } from '../../platform/security/ids.ts';
import { takeRateLimits, type RateLimitResult } from '../../platform/security/rate-limit.ts';
import { hashSecret } from '../reports/submit.ts';

/** A stored key, without its hash. */
export interface ApiKey {
  id: string;
  name: string;
  /** The service codes it may use; null for every service. */
  services: string[] | null;
  canRead: boolean;
  canWrite: boolean;
  perMinute: number;
  createdBy: string | null;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

/** What an administrator chooses when issuing a key. */
export interface KeyInput {
  name: string;
  services: string[] | null;
  canRead: boolean;
  canWrite: boolean;
  perMinute: number;
}

/** The most calls a minute a key may be given. */
export const MAX_PER_MINUTE = 6000;

const columns = {
  id: apiKeys.id, name: apiKeys.name, services: apiKeys.services, canRead: apiKeys.canRead, canWrite: apiKeys.canWrite, perMinute: apiKeys.perMinute,
  createdBy: apiKeys.createdBy, createdAt: apiKeys.createdAt, revokedAt: apiKeys.revokedAt, lastUsedAt: apiKeys.lastUsedAt,
};

/** The form of an id from `newId`: ten characters of time and ten of randomness, in Crockford's base 32. */
export const KEY_ID_PATTERN = /^[0-9a-hjkmnp-tv-z]{20}$/;

/**
 * Issue a key; the full key is returned once and never stored. `id` is the one the issue form was given when it
 * was shown, so a form sent twice (a refresh, a second press) issues one key: the second gets null.
 */
export async function issueKey(input: KeyInput, actor: Actor, now = Date.now(), id = newId(now)): Promise<{ key: ApiKey; token: string } | null> {
  const secret = newSecret(20);
  const key: ApiKey = { id, name: input.name, services: input.services, canRead: input.canRead, canWrite: input.canWrite, perMinute: input.perMinute, createdBy: actor.id ?? null, createdAt: now, revokedAt: null, lastUsedAt: null };
  return getDatabase().writer.transaction(async (tx) => {
    const [taken] = await tx.db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.id, id));
    if (taken) return null;
    await tx.batch([
      toStatement(tx.db.insert(apiKeys).values({ ...key, secretHash: Buffer.from(hashSecret(secret)) })),
      auditStatement(actor, 'open311.key.issued', { kind: 'api_key', id }, { name: key.name, services: key.services, read: key.canRead, write: key.canWrite, perMinute: key.perMinute }, now),
    ]);
    return { key, token: `${id}.${secret}` };
  });
}

/** Every key, newest first. */
export async function listKeys(): Promise<ApiKey[]> {
  return getDb().select(columns).from(apiKeys).orderBy(desc(apiKeys.createdAt));
}

/** One key by id, or null. */
export async function findKey(id: string): Promise<ApiKey | null> {
  const [row] = await getDb().select(columns).from(apiKeys).where(eq(apiKeys.id, id));
  return row ?? null;
}

/** Revoke a key (at once, for every later call); false when there is no such key or it was already revoked. */
export async function revokeKey(id: string, actor: Actor, now = Date.now()): Promise<boolean> {
  const { db, writer } = getDatabase();
  const [result] = await writer.batch([
    toStatement(db.update(apiKeys).set({ revokedAt: now, revokedBy: actor.id ?? null }).where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))),
    auditStatement(actor, 'open311.key.revoked', { kind: 'api_key', id }, {}, now),
  ]);
  // The audit row is written either way; a repeat revoke is harmless and says so.
  return (result?.rowsAffected ?? 0) > 0;
}

/** The key an `api_key` value names: ok, or why not (unknown or wrong secret, or revoked). */
export async function authenticateKey(token: string): Promise<{ ok: true; key: ApiKey } | { ok: false; reason: 'invalid' | 'revoked' }> {
  const [id, secret, extra] = token.split('.');
  if (!id || !secret || extra !== undefined || id.length > 64 || secret.length > 64) return { ok: false, reason: 'invalid' };
  const [row] = await getDb().select({ ...columns, secretHash: apiKeys.secretHash }).from(apiKeys).where(eq(apiKeys.id, id));
  if (!row || !constantTimeEqual(hashSecret(secret), new Uint8Array(row.secretHash))) return { ok: false, reason: 'invalid' };
  if (row.revokedAt !== null) return { ok: false, reason: 'revoked' };
  const { secretHash: _, ...key } = row;
  return { ok: true, key };
}

/** True when the key covers the service code (every service, or the code is listed). */
export function keyCoversService(key: Pick<ApiKey, 'services'>, code: string): boolean {
  return key.services === null || key.services.includes(code);
}

/** Count one call against the key's own per-minute limit; a refused call uses nothing up. */
export async function takeKeyCall(key: Pick<ApiKey, 'id' | 'perMinute'>, now = Date.now()): Promise<RateLimitResult> {
  const [result] = await takeRateLimits([{ key: `open311-key:${key.id}`, limit: key.perMinute, windowMs: 60_000 }], now);
  return result!;
}

/** Audit one call made with a key (method, endpoint, status) and note when the key was last used. */
export async function recordKeyCall(key: Pick<ApiKey, 'id'>, call: { method: string; endpoint: string; status: number; ip?: string | null; caseId?: string | null }, now = Date.now()): Promise<void> {
  const { db, writer } = getDatabase();
  await writer.batch([
    toStatement(db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, key.id))),
    auditStatement({ kind: 'system', id: null, ip: call.ip ?? null }, 'open311.call', { kind: 'api_key', id: key.id }, { method: call.method, endpoint: call.endpoint, status: call.status, ...(call.caseId ? { caseId: call.caseId } : {}) }, now),
  ]);
}
