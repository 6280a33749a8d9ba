/**
 * Retention of closed cases: after the configured period a closed case is deleted with its timeline, photos
 * and (when no other case uses it) its reporter. A minimal tombstone stays in the audit log: reference,
 * category, ward, closed date. Nothing that identifies a person is kept.
 */
import type { InStatement } from '@libsql/client';
import { and, eq, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import { auditStatement } from '../../platform/audit.ts';
import { getDatabase, getDb, toStatement } from '../../platform/db/client.ts';
import { attachments, cases, reporters } from '../../platform/db/schema.ts';
import { deletePhoto } from '../reports/photos.ts';

/** Delete closed cases past their retention period (at most `limit` per run); returns how many went. */
export async function disposeClosedCases(retentionDays: number, uploadDir: string, now = Date.now(), limit = 500): Promise<number> {
  const db = getDb();
  const cutoff = now - retentionDays * 86_400_000;
  const due = await db
    .select({ id: cases.id, ref: cases.ref, categoryId: cases.categoryId, wardId: cases.wardId, closedAt: cases.closedAt, reporterId: cases.reporterId })
    .from(cases)
    .where(and(eq(cases.status, 'closed'), isNotNull(cases.closedAt), lt(cases.closedAt, cutoff)))
    .limit(limit);
  if (due.length === 0) return 0;
  const ids = due.map((c) => c.id);
  const photos = await db.select({ key: attachments.storageKey }).from(attachments).where(inArray(attachments.caseId, ids));
  const stmts: InStatement[] = [];
  for (const c of due) {
    stmts.push(auditStatement({ kind: 'system' }, 'case.disposed', { kind: 'case', id: c.id }, { ref: c.ref, category: c.categoryId, ward: c.wardId, closedAt: c.closedAt }, now));
  }
  // Timeline entries and attachment rows go with the case (ON DELETE CASCADE).
  stmts.push(toStatement(db.delete(cases).where(inArray(cases.id, ids))));
  const reporterIds = [...new Set(due.map((c) => c.reporterId).filter((r): r is string => !!r))];
  if (reporterIds.length > 0) {
    stmts.push(toStatement(db.delete(reporters).where(and(inArray(reporters.id, reporterIds), sql`not exists (select 1 from cases where cases.reporter_id = ${reporters.id})`))));
  }
  await getDatabase().writer.batch(stmts);
  for (const p of photos) await deletePhoto(uploadDir, p.key);
  return due.length;
}
