/**
 * Erasure on request: everything found for an e-mail address or phone number loses its personal data in one
 * write transaction (the cases as the retention schedule anonymises them, src/domains/cases/retention.ts; calls
 * without a case lose the caller's details and notes; e-mails to the address leave the outbox; the contact
 * rows and e-mail alert subscriptions go), while the statistics stay. Refused whole, changing nothing, when any of the cases is under legal hold.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { auditStatement, type Actor } from '../../platform/audit.ts';
import { getDatabase, getDb, toStatement } from '../../platform/db/client.ts';
import { alertSubscriptions, calls, outbox, reporters } from '../../platform/db/schema.ts';
import { caseAnonymisationPlan, deletePhotoFiles, REMOVED } from '../cases/retention.ts';
import { findSubjectRecords, type Subject, type SubjectRecords } from './subject.ts';
import { normaliseLookupText } from '../calls/index.ts';

/** What an erasure would remove, for the review page. */
export interface ErasurePreview {
  cases: { ref: string; status: string; receivedAt: number; held: boolean; holdReason: string | null; anonymised: boolean }[];
  calls: number;
  photos: number;
  messages: number;
  emails: number;
  contactDetails: number;
  /** References of the cases under legal hold (erasure is refused while there are any). */
  held: string[];
}

/** Summarise records for the review page (pure). */
export function summariseErasure(records: SubjectRecords): ErasurePreview {
  const list = records.cases.map((c) => ({ ref: c.ref, status: c.status, receivedAt: c.receivedAt, held: c.legalHold, holdReason: c.legalHoldReason, anonymised: c.anonymisedAt !== null }));
  return {
    cases: list,
    calls: records.calls.length,
    photos: records.photos.length,
    messages: records.messages.length,
    emails: records.emails.length,
    contactDetails: records.reporters.length,
    held: list.filter((c) => c.held).map((c) => c.ref),
  };
}

/** What a caller look-up's audit row says it searched for once the person it named has been erased. */
export const ERASED_SEARCH = '(erased)';

/** What an erasure would remove. */
export async function previewErasure(subject: Subject): Promise<ErasurePreview> {
  return summariseErasure(await findSubjectRecords(subject));
}

/** The answer to an erasure request. */
export type ErasureResult = { ok: true; cases: number; calls: number; photos: number } | { ok: false; held: string[]; message: string };

/** The refusal when cases are under legal hold. */
export function legalHoldMessage(held: string[]): string {
  return `Nothing was removed: ${held.length === 1 ? `case ${held[0]} is` : `cases ${held.join(', ')} are`} under legal hold. Lift the hold first, or ask the person to wait until it ends.`;
}

/** Remove or anonymise everything held about a person, in one write transaction; refused whole under legal hold. */
export async function eraseSubject(subject: Subject, actor: Actor, uploadDir: string, now = Date.now()): Promise<ErasureResult> {
  const outcome = await getDatabase().writer.transaction(async (tx): Promise<ErasureResult & { photoKeys?: string[] }> => {
    const records = await findSubjectRecords(subject);
    const held = records.cases.filter((c) => c.legalHold).map((c) => c.ref);
    if (held.length > 0) return { ok: false, held, message: legalHoldMessage(held) };
    const db = getDb();
    const plan = await caseAnonymisationPlan(records.cases, 'request', actor, now);
    const stmts = plan.stmts;
    const callIds = records.calls.map((c) => c.id);
    if (callIds.length > 0) {
      stmts.push(toStatement(db.update(calls).set({ callerName: null, callerPhoneE164: null, callerEmail: null, notes: sql`case when ${calls.notes} is null or ${calls.notes} = '' then ${calls.notes} else ${REMOVED} end` }).where(inArray(calls.id, callIds))));
    }
    if (subject.kind === 'email') stmts.push(toStatement(db.delete(outbox).where(eq(outbox.recipient, subject.value))), toStatement(db.delete(alertSubscriptions).where(eq(alertSubscriptions.email, subject.value))));
    // Contact rows not used by a case (the plan removes the ones its cases used).
    stmts.push(toStatement(db.delete(reporters).where(and(subject.kind === 'email' ? eq(reporters.email, subject.value) : eq(reporters.phoneE164, subject.value), sql`not exists (select 1 from cases where cases.reporter_id = ${reporters.id})`))));
    // Caller look-ups typed the person's number, address or name: the audit keeps that a look-up was made, not what was typed.
    const typed = [subject.value, ...[...records.reporters.map((r) => r.name), ...records.calls.map((c) => c.callerName)].filter((n): n is string => !!n).map(normaliseLookupText)];
    stmts.push({ sql: `update audit_events set data = json_set(data, '$.searched', ?) where action = 'caller.lookup' and json_extract(data, '$.searched') in (${typed.map(() => '?').join(', ')})`, args: [ERASED_SEARCH, ...typed] });
    stmts.push(auditStatement(actor, 'privacy.erasure', null, { kind: subject.kind, refs: records.cases.map((c) => c.ref), calls: callIds.length, photos: plan.photoKeys.length }, now));
    await tx.batch(stmts);
    return { ok: true, cases: records.cases.length, calls: callIds.length, photos: plan.photoKeys.length, photoKeys: plan.fileKeys };
  });
  if (!outcome.ok) return outcome;
  await deletePhotoFiles(uploadDir, outcome.photoKeys ?? []);
  return { ok: true, cases: outcome.cases, calls: outcome.calls, photos: outcome.photos };
}
