/** Server-side drafts: a resident's answers kept between pages, so back, refresh and change never lose them. */
import { eq, inArray, lt } from 'drizzle-orm';
import { getDatabase, getDb, readFirstRow, toStatement } from '../../platform/db/client.ts';
import type { InStatement } from '@libsql/client';
import { drafts } from '../../platform/db/schema.ts';
import { newSecret } from '../../platform/security/ids.ts';
import { rateLimitAddress, takeRateLimits } from '../../platform/security/rate-limit.ts';
import { deletePhoto } from './photos.ts';

/** A loaded draft. */
export interface Draft<T> {
  id: string;
  kind: string;
  data: T;
  caseId: string | null;
  updatedAt: number;
}

/** Draft ids are 32 base32 characters (160 random bits). */
export function isDraftId(value: string | undefined): value is string {
  return !!value && /^[a-z2-7]{32}$/.test(value);
}

/** Start a new draft. */
export async function createDraft<T extends object>(kind: string, data: T, now = Date.now()): Promise<Draft<T>> {
  const id = newSecret(20);
  await getDatabase().writer.batch([toStatement(getDb().insert(drafts).values({ id, kind, data: data as Record<string, unknown>, createdAt: now, updatedAt: now }))]);
  return { id, kind, data, caseId: null, updatedAt: now };
}

/** How many new drafts may be started in an hour: from one address, and by everyone together. */
export interface DraftLimits {
  perAddress: number;
  total: number;
}

/**
 * Start a new draft for a visitor's address, or say how long to wait when the address or everyone started
 * too many this hour. A refused start counts against neither (takeRateLimits is all-or-nothing).
 */
export async function startDraft<T extends object>(kind: string, data: T, address: string | null, limits: DraftLimits, now = Date.now()): Promise<{ ok: true; draft: Draft<T> } | { ok: false; retryAfterMs: number }> {
  const results = await takeRateLimits(
    [
      { key: `draft:ip:${rateLimitAddress(address)}`, limit: limits.perAddress, windowMs: 3_600_000 },
      { key: 'draft:all', limit: limits.total, windowMs: 3_600_000 },
    ],
    now,
  );
  if (results.some((r) => !r.allowed)) return { ok: false, retryAfterMs: Math.max(...results.map((r) => r.retryAfterMs)) };
  return { ok: true, draft: await createDraft(kind, data, now) };
}

/** Load a draft of a kind by id, or null if there is none (forged, expired or deleted). */
export async function loadDraft<T>(kind: string, id: string | undefined, maxAgeMs: number, now = Date.now()): Promise<Draft<T> | null> {
  if (!isDraftId(id)) return null;
  // Plain SQL with a statement prepared once: every page of the journey and every send loads the draft.
  const row = await readFirstRow({ sql: 'select "data", "case_id", "updated_at" from "drafts" where "id" = ? and "kind" = ?', args: [id, kind] });
  if (!row || Number(row.updated_at) < now - maxAgeMs) return null;
  return { id, kind, data: JSON.parse(String(row.data)) as T, caseId: row.case_id == null ? null : String(row.case_id), updatedAt: Number(row.updated_at) };
}

/** Merge answers into a draft that has not been sent yet. */
export async function saveDraft<T extends object>(draft: Draft<T>, changes: Partial<T>, now = Date.now()): Promise<Draft<T>> {
  const data = { ...draft.data, ...changes };
  await getDatabase().writer.batch([
    toStatement(getDb().update(drafts).set({ data: data as Record<string, unknown>, updatedAt: now }).where(eq(drafts.id, draft.id))),
  ]);
  return { ...draft, data, updatedAt: now };
}

/** Delete drafts untouched for longer than the retention period, with the photos of any that were never sent. */
export async function purgeDrafts(maxAgeMs: number, uploadDir: string, now = Date.now()): Promise<number> {
  const expired = await getDb()
    .select({ id: drafts.id, data: drafts.data, caseId: drafts.caseId })
    .from(drafts)
    .where(lt(drafts.updatedAt, now - maxAgeMs))
    .limit(2000);
  if (expired.length === 0) return 0;
  for (const d of expired) {
    if (d.caseId) continue; // sent: the photos now belong to the case
    for (const photo of (d.data.photos as { key: string }[] | undefined) ?? []) await deletePhoto(uploadDir, photo.key);
  }
  await getDatabase().writer.batch([toStatement(getDb().delete(drafts).where(inArray(drafts.id, expired.map((d) => d.id))))]);
  return expired.length;
}

/** The statement that marks a draft as sent: it records the case and keeps the tracking secret for the confirmation's first view (takeTrackSecret). */
export function draftSentStatement<T extends object>(draft: Draft<T>, caseId: string, trackSecret: string | null | undefined, now = Date.now()): InStatement {
  // Plain SQL: built for every submission, where Drizzle's query building cost more than running it.
  return { sql: 'update "drafts" set "case_id" = ?, "data" = ?, "updated_at" = ? where "id" = ?', args: [caseId, JSON.stringify({ ...(draft.data as Record<string, unknown>), trackSecret }), now, draft.id] };
}

/**
 * Take the anonymous tracking code out of a sent draft, in one write: true only for the one call that removed it
 * (the confirmation page that shows it), so it is shown once and not kept in plain text after.
 */
export async function takeTrackSecret(draftId: string, now = Date.now()): Promise<boolean> {
  const [taken] = await getDatabase().writer.batch([
    { sql: "update \"drafts\" set \"data\" = json_remove(\"data\", '$.trackSecret'), \"updated_at\" = ? where \"id\" = ? and json_extract(\"data\", '$.trackSecret') is not null", args: [now, draftId] },
  ]);
  return taken!.rowsAffected === 1;
}
