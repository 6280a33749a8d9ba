/**
 * Retention and anonymisation of cases. After the retention period for its type (partnership.json
 * retentionDays: closedCases, extended per category or for feedback by byCaseType) a closed case loses its
 * personal data: the reporter's name, e-mail and phone, the free-text fields (replaced by "[removed]"), the
 * place details, tracking secrets, photos (rows and files), drafts and queued e-mail; calls tied to it lose
 * the caller's details. The statistics stay: category, ward, district, dates, status, outcome, priority.
 * A case under legal hold is never touched. An erasure request (src/domains/privacy) uses the same steps.
 */
import type { InStatement } from '@libsql/client';
import { and, eq, inArray, isNotNull, isNull, lt, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { auditStatement, type Actor } from '../../platform/audit.ts';
import { getDatabase, getDb, toStatement } from '../../platform/db/client.ts';
import { attachments, calls, caseEvents, cases, drafts, outbox, referralDocuments, referrals, reporters } from '../../platform/db/schema.ts';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { deletePhoto } from '../reports/photos.ts';

/** What replaces removed free text. */
export const REMOVED = '[removed]';

const DAY = 86_400_000;

/** The retention settings this module reads (partnership.json retentionDays). */
export interface RetentionDays {
  closedCases: number;
  calls?: number;
  byCaseType?: Record<string, number>;
}

/** A case row as anonymisation needs it. */
interface CaseToAnonymise {
  id: string;
  ref: string;
  categoryId: string | null;
  wardId: string | null;
  reporterId: string | null;
}

/** Replace a nullable text column by "[removed]" when it holds something. */
function removedIfSet(column: SQL): SQL {
  return sql`case when ${column} is null or ${column} = '' then ${column} else ${REMOVED} end`;
}

/**
 * The statements that strip personal data from cases already read in this transaction, the photos among them, and
 * the files to delete after commit (photos, and partners' documents as `documents/<key>`).
 */
export async function caseAnonymisationPlan(rows: CaseToAnonymise[], reason: 'retention' | 'request', actor: Actor, now: number): Promise<{ stmts: InStatement[]; photoKeys: string[]; fileKeys: string[] }> {
  if (rows.length === 0) return { stmts: [], photoKeys: [], fileKeys: [] };
  const db = getDb();
  const ids = rows.map((r) => r.id);
  const refs = rows.map((r) => r.ref);
  const photos = await db.select({ key: attachments.storageKey }).from(attachments).where(inArray(attachments.caseId, ids));
  const documents = await db.select({ key: referralDocuments.storageKey }).from(referralDocuments).where(inArray(referralDocuments.caseId, ids));
  const stmts: InStatement[] = [
    toStatement(
      db
        .update(cases)
        .set({
          description: REMOVED,
          whenText: removedIfSet(sql`${cases.whenText}`),
          locationText: removedIfSet(sql`${cases.locationText}`),
          peopleInvolved: removedIfSet(sql`${cases.peopleInvolved}`),
          whoAffected: removedIfSet(sql`${cases.whoAffected}`),
          postcode: null,
          lat: null,
          lon: null,
          locationSource: null,
          reporterId: null,
          trackCode: null,
          trackSecretHash: null,
          linkTokenHash: null,
          anonymisedAt: now,
          updatedAt: now,
          version: sql`${cases.version} + 1`,
        })
        .where(and(inArray(cases.id, ids), eq(cases.legalHold, false))),
    ),
    // Notes, replies and the reporter's messages can name people; the actions and their dates stay.
    toStatement(
      db
        .update(caseEvents)
        .set({ body: removedIfSet(sql`${caseEvents.body}`), data: sql`case when json_extract(${caseEvents.data}, '$.notes') is not null then json_set(${caseEvents.data}, '$.notes', ${REMOVED}) else ${caseEvents.data} end` })
        .where(inArray(caseEvents.caseId, ids)),
    ),
    // Referral snapshots are copies of what was shared: keep which fields went, on what legal basis, and drop the contents.
    toStatement(
      db
        .update(referrals)
        .set({ snapshot: sql`json_set(${referrals.snapshot}, '$.rows', json('[]'), '$.photoIds', json('[]'))`, reason: removedIfSet(sql`${referrals.reason}`), outcome: removedIfSet(sql`${referrals.outcome}`) })
        .where(inArray(referrals.caseId, ids)),
    ),
    toStatement(db.delete(attachments).where(inArray(attachments.caseId, ids))),
    toStatement(db.delete(referralDocuments).where(inArray(referralDocuments.caseId, ids))),
    toStatement(db.update(calls).set({ callerName: null, callerPhoneE164: null, callerEmail: null, notes: removedIfSet(sql`${calls.notes}`) }).where(inArray(calls.caseId, ids))),
    toStatement(db.delete(drafts).where(inArray(drafts.caseId, ids))),
    toStatement(db.delete(outbox).where(sql`json_extract(${outbox.payload}, '$.ref') in (${sql.join(refs.map((r) => sql`${r}`), sql`, `)})`)),
  ];
  const reporterIds = [...new Set(rows.map((r) => r.reporterId).filter((r): r is string => !!r))];
  if (reporterIds.length > 0) {
    stmts.push(toStatement(db.delete(reporters).where(and(inArray(reporters.id, reporterIds), sql`not exists (select 1 from cases where cases.reporter_id = ${reporters.id})`))));
  }
  for (const r of rows) stmts.push(auditStatement(actor, 'case.anonymised', { kind: 'case', id: r.id }, { ref: r.ref, category: r.categoryId, ward: r.wardId, reason }, now));
  const photoKeys = photos.map((p) => p.key);
  return { stmts, photoKeys, fileKeys: [...photoKeys, ...documents.map((d) => `documents/${d.key}`)] };
}

/** Delete photo and partner document files whose rows are gone (after the commit, so a failed write keeps them). */
export async function deletePhotoFiles(uploadDir: string, keys: string[]): Promise<void> {
  for (const key of keys) {
    if (/^documents\/[a-z0-9]+\.(pdf|jpg|png|webp|txt)$/.test(key)) await rm(join(uploadDir, key), { force: true });
    else await deletePhoto(uploadDir, key);
  }
}

/** The condition "closed before the retention period of its type began". */
function pastRetention(retention: RetentionDays, now: number): SQL {
  const cutoff = (days: number) => now - days * DAY;
  const extended = Object.entries(retention.byCaseType ?? {});
  const parts: SQL[] = [];
  const categories: string[] = [];
  for (const [type, days] of extended) {
    if (type === 'feedback') parts.push(and(eq(cases.kind, 'feedback'), lt(cases.closedAt, cutoff(days)))!);
    else {
      categories.push(type);
      parts.push(and(eq(cases.kind, 'report'), eq(cases.categoryId, type), lt(cases.closedAt, cutoff(days)))!);
    }
  }
  const standard: SQL[] = [lt(cases.closedAt, cutoff(retention.closedCases))];
  if (extended.some(([t]) => t === 'feedback')) standard.push(sql`${cases.kind} <> 'feedback'`);
  if (categories.length > 0) standard.push(or(isNull(cases.categoryId), notInArray(cases.categoryId, categories), eq(cases.kind, 'feedback'))!);
  parts.push(and(...standard)!);
  return or(...parts)!;
}

/**
 * Anonymise closed cases past their retention period (at most `limit` per run), skipping any under legal hold,
 * and strip the caller's details from calls without a case past the calls period. Returns how many cases changed.
 */
export async function anonymiseExpiredCases(retention: RetentionDays, uploadDir: string, now = Date.now(), limit = 500): Promise<number> {
  const actor: Actor = { kind: 'system' };
  const { count, photoKeys } = await getDatabase().writer.transaction(async () => {
    const due = await getDb()
      .select({ id: cases.id, ref: cases.ref, categoryId: cases.categoryId, wardId: cases.wardId, reporterId: cases.reporterId })
      .from(cases)
      .where(and(eq(cases.status, 'closed'), isNotNull(cases.closedAt), isNull(cases.anonymisedAt), eq(cases.legalHold, false), pastRetention(retention, now)))
      .limit(limit);
    const plan = await caseAnonymisationPlan(due, 'retention', actor, now);
    const callCutoff = now - (retention.calls ?? retention.closedCases) * DAY;
    plan.stmts.push(
      toStatement(
        getDb()
          .update(calls)
          .set({ callerName: null, callerPhoneE164: null, callerEmail: null, notes: removedIfSet(sql`${calls.notes}`) })
          .where(and(isNull(calls.caseId), lt(calls.startedAt, callCutoff), or(isNotNull(calls.callerName), isNotNull(calls.callerPhoneE164), isNotNull(calls.callerEmail), and(isNotNull(calls.notes), sql`${calls.notes} not in ('', ${REMOVED})`)))),
      ),
    );
    await getDatabase().writer.batch(plan.stmts);
    return { count: due.length, photoKeys: plan.fileKeys };
  });
  await deletePhotoFiles(uploadDir, photoKeys);
  return count;
}
