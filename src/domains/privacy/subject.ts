/**
 * Who a rights request is about: an e-mail address (normalised as the report journey stores it) or a UK
 * phone number (matched as E.164), and every record that holds it.
 */
import { and, asc, eq, inArray, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { getDb } from '../../platform/db/client.ts';
import { alertSubscriptions, attachments, auditEvents, calls, caseEvents, cases, outbox, referrals, reporters, users } from '../../platform/db/schema.ts';
import { text } from '../../platform/forms/index.ts';
import { toE164 } from '../../platform/uk/phone.ts';
import { normaliseEmail } from '../reports/answers.ts';
import { TIMELINE_OLDEST_FIRST } from '../cases/timeline.ts';

/** The person a request is about. */
export interface Subject {
  kind: 'email' | 'phone';
  /** Lower-case e-mail address or E.164 phone number. */
  value: string;
}

/** Read what an administrator typed as an e-mail address or a UK phone number, or null. */
export function readSubject(input: string): Subject | null {
  const value = input.trim();
  if (value.includes('@')) {
    const email = normaliseEmail(value);
    return email ? { kind: 'email', value: email } : null;
  }
  const phone = toE164(value);
  return phone ? { kind: 'phone', value: phone } : null;
}

/** The form field for the person: required, an e-mail address or a UK phone number. */
export const subjectSchema = z.object({
  subject: text({ label: 'Email address or phone number', max: 254, required: 'Enter the email address or phone number of the person' }).transform((value, ctx): Subject => {
    const subject = readSubject(value);
    if (!subject) {
      ctx.addIssue({ code: 'custom', message: 'Enter an email address in the correct format, like name@example.com, or a UK phone number, like 01632 960 001' });
      return z.NEVER;
    }
    return subject;
  }),
});

/** Every record that holds the person's e-mail address or phone number. */
export interface SubjectRecords {
  reporters: (typeof reporters.$inferSelect)[];
  cases: (typeof cases.$inferSelect)[];
  calls: (typeof calls.$inferSelect & { caseRef: string | null })[];
  photos: (typeof attachments.$inferSelect)[];
  /** Case timeline entries meant for the reporter: our replies and their own messages. */
  messages: (typeof caseEvents.$inferSelect)[];
  /** E-mails to the address (the outbox keeps them until the case is anonymised). */
  emails: (typeof outbox.$inferSelect)[];
  /** Referrals of their cases to partner agencies: what was disclosed, to whom, when and on what legal basis. */
  referrals: (typeof referrals.$inferSelect)[];
  /** E-mail alert subscriptions of the address (area alerts). */
  alerts: (typeof alertSubscriptions.$inferSelect)[];
  /** Staff views of the reporter's details on their cases. */
  views: { at: number; action: string; caseId: string | null; role: string | null }[];
}

/** Find everything held about a person (reads only; inside a write transaction it sees what the writes will change). */
export async function findSubjectRecords(subject: Subject): Promise<SubjectRecords> {
  const db = getDb();
  const reporterRows = await db
    .select()
    .from(reporters)
    .where(subject.kind === 'email' ? eq(reporters.email, subject.value) : eq(reporters.phoneE164, subject.value))
    .orderBy(asc(reporters.createdAt));
  const reporterIds = reporterRows.map((r) => r.id);
  const caseRows = reporterIds.length ? await db.select().from(cases).where(inArray(cases.reporterId, reporterIds)).orderBy(asc(cases.receivedAt)) : [];
  const caseIds = caseRows.map((c) => c.id);
  const callMatch: SQL[] = [subject.kind === 'email' ? eq(calls.callerEmail, subject.value) : eq(calls.callerPhoneE164, subject.value)];
  const callRows = await db
    .select({ call: calls, caseRef: cases.ref })
    .from(calls)
    .leftJoin(cases, eq(cases.id, calls.caseId))
    .where(or(...callMatch))
    .orderBy(asc(calls.startedAt));
  const photos = caseIds.length ? await db.select().from(attachments).where(inArray(attachments.caseId, caseIds)).orderBy(asc(attachments.createdAt)) : [];
  const messages = caseIds.length
    ? await db.select().from(caseEvents).where(and(inArray(caseEvents.caseId, caseIds), eq(caseEvents.visibility, 'reporter'))).orderBy(...TIMELINE_OLDEST_FIRST)
    : [];
  const referralRows = caseIds.length ? await db.select().from(referrals).where(inArray(referrals.caseId, caseIds)).orderBy(asc(referrals.sentAt)) : [];
  const emails = subject.kind === 'email' ? await db.select().from(outbox).where(eq(outbox.recipient, subject.value)).orderBy(asc(outbox.createdAt)) : [];
  const alerts = subject.kind === 'email' ? await db.select().from(alertSubscriptions).where(eq(alertSubscriptions.email, subject.value)).orderBy(asc(alertSubscriptions.createdAt)) : [];
  const views = caseIds.length
    ? await db
        .select({ at: auditEvents.at, action: auditEvents.action, caseId: auditEvents.subjectId, role: users.role })
        .from(auditEvents)
        .leftJoin(users, eq(users.id, auditEvents.actorId))
        .where(and(eq(auditEvents.action, 'pii.view'), eq(auditEvents.subjectKind, 'case'), inArray(auditEvents.subjectId, caseIds)))
        .orderBy(asc(auditEvents.at))
    : [];
  return {
    reporters: reporterRows,
    cases: caseRows,
    calls: callRows.map((r) => ({ ...r.call, caseRef: r.caseRef })),
    photos,
    messages,
    emails,
    referrals: referralRows,
    alerts,
    views,
  };
}
