/**
 * Subject access: everything held about an e-mail address or phone number as one JSON document, its fields
 * described in db/data-map.md. The export itself is audited (action privacy.export).
 */
import { auditStatement, type Actor } from '../../platform/audit.ts';
import { getDatabase } from '../../platform/db/client.ts';
import { findSubjectRecords, type Subject, type SubjectRecords } from './subject.ts';

/** The format name and version written into every export. */
export const EXPORT_FORMAT = 'saferline-subject-access/1';

/** What the export says about data it cannot contain. */
export const EXPORT_NOTES = [
  'Equality monitoring answers are stored by month with a random id and no link to any person or report, by design, so they cannot be found or included.',
  'Anonymous reports hold no contact details, so they cannot be linked to this email address or phone number.',
  'Internal case notes are not included automatically: review them for exemptions (for example the prevention or detection of crime) before disclosing them.',
  'Photos are listed by their details; copies can be taken from the case page.',
];

const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null);

/** Build the export document from records already found (pure). */
export function buildExport(subject: Subject, records: SubjectRecords, partnership: string, now: number) {
  const refOf = new Map(records.cases.map((c) => [c.id, c.ref]));
  return {
    format: EXPORT_FORMAT,
    generatedAt: iso(now),
    controller: partnership,
    searchedFor: subject,
    notes: EXPORT_NOTES,
    contactDetails: records.reporters.map((r) => ({ name: r.name, email: r.email, phone: r.phoneE164, preferredContact: r.preferredContact, givenAt: iso(r.createdAt) })),
    reports: records.cases.map((c) => ({
      ref: c.ref,
      kind: c.kind,
      channel: c.channel,
      receivedAt: iso(c.receivedAt),
      category: c.categoryId,
      feedbackType: c.feedbackType,
      description: c.description,
      when: { kind: c.whenKind, at: iso(c.happenedAt), text: c.whenText },
      where: { place: c.locationText, postcode: c.postcode, ward: c.wardId },
      peopleInvolved: c.peopleInvolved,
      whoAffected: c.whoAffected,
      happenedBefore: c.happenedBefore,
      privacy: c.privacy,
      consentShare: c.consentShare,
      status: c.status,
      outcome: c.resolutionCode,
      closedAt: iso(c.closedAt),
      photos: records.photos.filter((p) => p.caseId === c.id).map((p) => ({ id: p.id, type: p.mime, bytes: p.bytes, width: p.width, height: p.height, addedAt: iso(p.createdAt) })),
      messages: records.messages
        .filter((m) => m.caseId === c.id)
        .map((m) => ({ at: iso(m.at), from: m.actorKind === 'public' ? 'you' : 'us', kind: m.action === 'case.reply' ? 'reply' : m.action === 'reporter.message' ? 'your message' : m.action, body: m.body })),
    })),
    calls: records.calls.map((c) => ({
      startedAt: iso(c.startedAt),
      durationSeconds: c.durationS,
      reason: c.reason,
      outcome: c.outcome,
      caseRef: c.caseRef,
      callerName: c.callerName,
      callerPhone: c.callerPhoneE164,
      callerEmail: c.callerEmail,
      notes: c.notes,
    })),
    emails: records.emails.map((e) => ({ template: e.template, to: e.recipient, ref: typeof e.payload.ref === 'string' ? e.payload.ref : null, status: e.status, queuedAt: iso(e.createdAt), sentAt: iso(e.sentAt) })),
    disclosures: records.referrals.map((r) => ({ caseRef: refOf.get(r.caseId) ?? null, agency: r.agencyId, sentAt: iso(r.sentAt), status: r.status, shared: r.snapshot })),
    alertSubscriptions: records.alerts.map((a) => ({ area: a.areaId, status: a.status, askedAt: iso(a.createdAt), confirmedAt: iso(a.confirmedAt) })),
    staffViews: records.views.map((v) => ({ at: iso(v.at), caseRef: v.caseId ? (refOf.get(v.caseId) ?? null) : null, what: 'viewed your contact details', staffRole: v.role })),
  };
}

/** The subject access document. */
export type SubjectExport = ReturnType<typeof buildExport>;

/** Find and export everything held about a person, recording the export in the audit log (the audit row holds counts and references, not the contact detail). */
export async function exportSubjectData(subject: Subject, actor: Actor, partnership: string, now = Date.now()): Promise<SubjectExport> {
  const records = await findSubjectRecords(subject);
  const document = buildExport(subject, records, partnership, now);
  await getDatabase().writer.batch([
    auditStatement(actor, 'privacy.export', null, { kind: subject.kind, refs: records.cases.map((c) => c.ref), calls: records.calls.length, emails: records.emails.length, disclosures: records.referrals.length }, now),
  ]);
  return document;
}

/** The download's file name: no personal data in it. */
export function exportFileName(now = Date.now()): string {
  return `subject-access-${new Date(now).toISOString().slice(0, 10)}.json`;
}
