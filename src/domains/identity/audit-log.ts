/** Reading the audit log for administrators: newest first, keyset pages, with the actor's and subject's names. */
import { and, asc, desc, eq, gte, inArray, lt, type SQL } from 'drizzle-orm';
import { getDatabase } from '../../platform/db/client.ts';
import { auditEvents, cases, users } from '../../platform/db/schema.ts';

/** Words for each audit action (the log shows these, and filters by them). */
export const AUDIT_ACTION_LABELS: Record<string, string> = {
  'auth.sign_in': 'Signed in',
  'auth.sign_in_failed': 'Sign-in failed',
  'auth.sign_in_throttled': 'Sign-in refused: too many attempts',
  'auth.signed_out': 'Signed out',
  'auth.signed_out_everywhere': 'Signed out everywhere',
  'auth.signed_out_other_devices': 'Signed out of other devices',
  'auth.password_ok': 'Password checked',
  'auth.password_changed': 'Password changed',
  'auth.password_reset': 'Password reset',
  'auth.reset_requested': 'Password reset asked for',
  'auth.reset_throttled': 'Password reset refused: too many requests',
  'auth.reset_unknown': 'Password reset asked for an unknown address',
  'auth.reauth_failed': 'Password check failed',
  'auth.recovery_code_used': 'Recovery code used',
  'auth.recovery_code_failed': 'Recovery code refused',
  'auth.recovery_codes_regenerated': 'New recovery codes made',
  'auth.two_factor_enabled': 'Two-factor turned on',
  'auth.two_factor_disabled': 'Two-factor turned off',
  'auth.two_factor_failed': 'Two-factor code refused',
  'auth.two_factor_replayed': 'Two-factor code used twice',
  'auth.two_factor_setup_failed': 'Two-factor set-up failed',
  'auth.two_factor_throttled': 'Two-factor refused: too many attempts',
  'user.created': 'User created',
  'user.invited': 'User invited',
  'user.invite_accepted': 'Invitation accepted',
  'user.access_changed': 'Name, role or agency changed',
  'user.deactivated': 'User deactivated',
  'user.reactivated': 'User reactivated',
  'user.signed_out_by_admin': 'User signed out by an administrator',
  'user.two_factor_reset': 'Two-factor reset by an administrator',
  'pii.view': "Reporter's details viewed",
  'pii.export': 'Queue downloaded with reporter details',
  'queue.export': 'Queue downloaded',
  'photo.view': 'Photo viewed',
  'privacy.search': 'Residents searched for',
  'privacy.export': "A resident's data downloaded",
  'privacy.erasure': "A resident's data erased",
  'case.created': 'Case received',
  'case.closed': 'Case closed (reopen window ended)',
  'case.anonymised': 'Case anonymised (retention)',
  'case.reporter_message': 'Reporter added information',
  'case.legal_hold_set': 'Legal hold placed',
  'case.legal_hold_cleared': 'Legal hold lifted',
  'case.flags_refresh_failed': 'Repeat flags could not be worked out',
  'call.logged': 'Hotline call logged',
  'calls.exported': 'Calls downloaded',
  'caller.lookup': 'Caller looked up',
  'caller.confirm': 'Caller confirmed',
  'referral.sent': 'Referred to a partner',
  'referral.disclosed': 'Details shared with a partner',
  'referral.exported': 'Referral downloaded for a partner system',
  'referral.document.download': 'Partner document downloaded',
  'referral.update.released': 'Partner update released to the reporter',
  'referral.update.withheld': 'Partner update withheld from the reporter',
  'open311.key.issued': 'API key issued',
  'open311.key.revoked': 'API key revoked',
  'open311.key.refused': 'API call refused (wrong or revoked key)',
  'open311.call': 'API call',
  'consultation.created': 'Consultation created',
  'consultation.updated': 'Consultation changed',
  'consultation.published': 'Consultation published',
  'consultation.unpublished': 'Consultation unpublished',
  'consultation.survey_changed': 'Survey changed',
  'consultation.closed': 'Consultation closed',
  'consultation.response_keyed': 'Response keyed in',
  'consultation.theme_added': 'Theme added',
  'consultation.answer_tagged': 'Answer tagged with a theme',
  'consultation.results_published': 'Consultation results published',
  'consultation.meeting_added': 'Meeting added',
  'consultation.meeting_notes': 'Meeting notes published',
  'consultation.responses_exported': 'Consultation responses downloaded',
  'content.create': 'Content item created',
  'content.save': 'Content item saved (a new version)',
  'content.restore': 'Content item: an earlier version saved again',
  'content.submit': 'Content item sent for review',
  'content.return': 'Content item returned to draft',
  'content.publish': 'Content item published',
  'content.schedule': 'Content item scheduled',
  'content.unpublish': 'Content item unpublished',
  'content.delete': 'Content item deleted (never published)',
};

/** The words for an audit action: its label, or the code made readable ("case.something_new" is "Case something new"). */
export function describeAuditAction(action: string): string {
  const known = AUDIT_ACTION_LABELS[action];
  if (known) return known;
  const words = action.replace(/[._]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** What the audit log can be narrowed to: one action, one user (who did it), and a time range [from, to). */
/** A data key in words: "reasonCode" becomes "reason code". */
function keyInWords(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
}

/** A data value in words: yes/no for booleans, lists joined, nested records as "key: value". */
function valueInWords(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.map(valueInWords).join(', ');
  if (value && typeof value === 'object') return Object.entries(value).map(([k, v]) => `${keyInWords(k)} ${valueInWords(v)}`).join(', ');
  return String(value ?? '');
}

/** An internal id is not for reading: keys named id, or ending in "Id", "Ids" or "Hash". */
const INTERNAL_KEY = /^(id|.*Ids?|.*Hash|.*_id)$/;

/** The details of an audit event in words, internal ids left out, at most 200 characters. */
export function describeAuditData(data: Record<string, unknown> | null | undefined): string {
  if (!data) return '';
  const text = Object.entries(data)
    .filter(([k, v]) => !INTERNAL_KEY.test(k) && v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${keyInWords(k)}: ${valueInWords(v)}`)
    .join('; ');
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

export interface AuditFilter {
  action?: string;
  actorId?: string;
  from?: number;
  to?: number;
}

/** One audit row as the log page shows it. */
export interface AuditRow {
  id: string;
  at: number;
  action: string;
  actor: string;
  subject: string;
  ip: string | null;
  data: Record<string, unknown> | null;
}

/** A page of audit events older than `before` (an event id), newest first; `next` is the cursor for the following page. */
export async function listAuditEvents(options: { before?: string | null; limit?: number; filter?: AuditFilter } = {}): Promise<{ rows: AuditRow[]; next: string | null }> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const db = getDatabase().db;
  const f = options.filter ?? {};
  const where: SQL[] = [];
  if (options.before) where.push(lt(auditEvents.id, options.before));
  if (f.action) where.push(eq(auditEvents.action, f.action));
  if (f.actorId) where.push(and(eq(auditEvents.actorKind, 'user'), eq(auditEvents.actorId, f.actorId))!);
  if (f.from !== undefined) where.push(gte(auditEvents.at, f.from));
  if (f.to !== undefined) where.push(lt(auditEvents.at, f.to));
  const raw = await db.select().from(auditEvents).where(where.length ? and(...where) : undefined).orderBy(desc(auditEvents.id)).limit(limit + 1);
  const page = raw.slice(0, limit);
  const ids = [...new Set(page.flatMap((r) => [r.actorId, r.subjectKind === 'user' ? r.subjectId : null]).filter((x): x is string => !!x))];
  const caseIds = [...new Set(page.filter((r) => r.subjectKind === 'case' && r.subjectId).map((r) => r.subjectId!))];
  const [people, caseRefs] = await Promise.all([
    ids.length ? db.select({ id: users.id, name: users.name, email: users.email }).from(users).where(inArray(users.id, ids)) : Promise.resolve([]),
    caseIds.length ? db.select({ id: cases.id, ref: cases.ref }).from(cases).where(inArray(cases.id, caseIds)) : Promise.resolve([]),
  ]);
  const name = new Map(people.map((p) => [p.id, `${p.name} (${p.email})`]));
  const refOf = new Map(caseRefs.map((c) => [c.id, c.ref]));
  const rows = page.map((r) => ({
    id: r.id,
    at: r.at,
    action: describeAuditAction(r.action),
    actor: r.actorKind === 'user' ? (name.get(r.actorId ?? '') ?? r.actorId ?? 'Unknown user') : r.actorKind === 'system' ? 'System' : 'Not signed in',
    subject: describeSubject(r.subjectKind, r.subjectId, name, refOf),
    ip: r.ip,
    data: r.data,
  }));
  return { rows, next: raw.length > limit ? page[page.length - 1]!.id : null };
}

/** Words for what an event was about: a user's name, a case's reference, an API key's public id, or the kind of record (never an internal id). */
function describeSubject(kind: string | null, id: string | null, names: Map<string, string>, refs: Map<string, string | null>): string {
  if (!kind) return '';
  if (kind === 'user') return names.get(id ?? '') ?? 'A user no longer held';
  if (kind === 'case') return refs.get(id ?? '') ? `Case ${refs.get(id ?? '')}` : 'A case no longer held';
  // An API key's id is the public first part of the key, shown on the key pages, so it names the key.
  if (kind === 'api_key') return `API key ${id ?? ''}`.trim();
  return describeAuditAction(kind);
}

/** Everyone who can appear as the "who" of an event, by name, for the log's filter. */
export async function listAuditUsers(): Promise<{ id: string; name: string }[]> {
  return getDatabase().db.select({ id: users.id, name: users.name }).from(users).orderBy(asc(users.name));
}

/** The audit events about one user, newest first. */
export async function listAuditEventsForUser(userId: string, limit = 20) {
  return getDatabase().db.select().from(auditEvents).where(eq(auditEvents.subjectId, userId)).orderBy(desc(auditEvents.id)).limit(limit);
}
