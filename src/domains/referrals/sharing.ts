/**
 * What a referral shares: the fields an agency's sharing agreement allows, less those the officer unticks, frozen
 * into a snapshot with the agreement's reference and legal basis. Contact details go only with the reporter's
 * consent (and never for an anonymous report). Pure: the case, its reporter and photos are passed in.
 */
import { SHARE_FIELDS, type Agency, type ShareField, type SiteConfig } from '../../platform/config/partnership.ts';
import { caseReportRows, type ReportedCase } from '../reports/summary.ts';

/** Words for each shareable field. */
export const SHARE_FIELD_LABELS: Record<ShareField, string> = {
  category: 'What it is about',
  description: 'What happened',
  when: 'When it happened',
  location: 'Where it happened',
  people: 'Who was involved and affected',
  photos: 'Photos',
  priority: 'Priority',
  contact: "The reporter's contact details",
};

/** Which report question feeds which shared field. */
const QUESTION_FIELD: Record<string, ShareField> = {
  category: 'category', description: 'description', whenKind: 'when', when: 'when', whenText: 'when',
  postcode: 'location', place: 'location', ward: 'location', people: 'people', affected: 'people', before: 'people',
};

/** A case as far as sharing needs it. */
export interface ShareableCase extends ReportedCase {
  ref: string;
  priority: string | null;
}

/** The reporter's contact details, when there are any. */
export interface ShareableReporter {
  name: string | null;
  email: string | null;
  phoneE164: string | null;
}

/** One line of a snapshot. */
export interface SnapshotRow {
  field: ShareField;
  key: string;
  value: string;
}

/** The frozen copy of what went to the agency. */
export interface ReferralSnapshot {
  ref: string;
  agencyId: string;
  agreementReference: string;
  legalBasis: string;
  fields: ShareField[];
  rows: SnapshotRow[];
  photoIds: string[];
  sharedAt: number;
}

/** True if the value is a shareable field. */
export function isShareField(value: unknown): value is ShareField {
  return typeof value === 'string' && (SHARE_FIELDS as readonly string[]).includes(value);
}

/** Why contact details cannot go, or null when they may (consent given, not anonymous, agreement allows). */
export function contactWithheldReason(agency: Agency, c: Pick<ShareableCase, 'privacy' | 'consentShare'>): string | null {
  if (!agency.sharing?.fields.includes('contact')) return 'The sharing agreement does not cover contact details';
  if (c.privacy === 'anonymous') return 'The reporter is anonymous';
  if (agency.sharing.contactNeedsConsent && c.consentShare !== true) return 'The reporter did not consent to sharing';
  return null;
}

/** The fields the agreement lets this agency receive for this case (contact only with consent). */
export function shareableFields(agency: Agency, c: Pick<ShareableCase, 'privacy' | 'consentShare'>): ShareField[] {
  const allowed = agency.sharing?.fields ?? [];
  return SHARE_FIELDS.filter((f) => allowed.includes(f) && (f !== 'contact' || contactWithheldReason(agency, c) === null));
}

/** The snapshot rows for the chosen fields: exactly what the agency will see. */
export function snapshotRows(fields: readonly ShareField[], c: ShareableCase, reporter: ShareableReporter | null, photoCount: number, config: SiteConfig): SnapshotRow[] {
  const rows: SnapshotRow[] = [];
  for (const r of caseReportRows(c, config)) {
    const field = QUESTION_FIELD[r.question];
    if (field && fields.includes(field)) rows.push({ field, key: r.key, value: r.value });
  }
  if (fields.includes('priority')) rows.push({ field: 'priority', key: 'Priority', value: c.priority ?? 'Not set' });
  if (fields.includes('photos')) rows.push({ field: 'photos', key: 'Photos', value: photoCount ? `${photoCount} photo${photoCount === 1 ? '' : 's'}` : 'None' });
  if (fields.includes('contact') && reporter) {
    rows.push({ field: 'contact', key: 'Reporter name', value: reporter.name ?? 'Not given' });
    rows.push({ field: 'contact', key: 'Reporter e-mail', value: reporter.email ?? 'Not given' });
    rows.push({ field: 'contact', key: 'Reporter phone', value: reporter.phoneE164 ?? 'Not given' });
  }
  return rows;
}

/** Build the frozen snapshot: only fields both allowed and chosen; contact withheld without consent. */
export function buildSnapshot(agency: Agency, chosen: readonly string[], c: ShareableCase, reporter: ShareableReporter | null, photoIds: string[], config: SiteConfig, now: number): ReferralSnapshot {
  const allowed = shareableFields(agency, c);
  const fields = allowed.filter((f) => chosen.includes(f));
  return {
    ref: c.ref,
    agencyId: agency.id,
    agreementReference: agency.sharing?.reference ?? '',
    legalBasis: agency.sharing?.legalBasis ?? '',
    fields,
    rows: snapshotRows(fields, c, reporter, photoIds.length, config),
    photoIds: fields.includes('photos') ? photoIds : [],
    sharedAt: now,
  };
}

/** Read a stored snapshot (tolerates a malformed one by showing nothing). */
export function readSnapshot(value: unknown): ReferralSnapshot {
  const v = (value ?? {}) as Partial<ReferralSnapshot>;
  return {
    ref: String(v.ref ?? ''), agencyId: String(v.agencyId ?? ''), agreementReference: String(v.agreementReference ?? ''), legalBasis: String(v.legalBasis ?? ''),
    fields: Array.isArray(v.fields) ? v.fields.filter(isShareField) : [], rows: Array.isArray(v.rows) ? v.rows : [], photoIds: Array.isArray(v.photoIds) ? v.photoIds : [], sharedAt: Number(v.sharedAt ?? 0),
  };
}

/** What the reporter reads for a case with partners: "Passed to <agency>" when every agency's name may be shown, else "Passed to a partner". */
export function passedToWords(agencyIds: readonly string[], agencies: readonly Pick<Agency, 'id' | 'name' | 'publicNameVisible'>[]): string {
  const found = [...new Set(agencyIds)].map((id) => agencies.find((a) => a.id === id));
  if (!found.length || found.some((a) => !a || !a.publicNameVisible)) return 'Passed to a partner';
  const names = found.map((a) => a!.name);
  return `Passed to ${names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0]}`;
}
