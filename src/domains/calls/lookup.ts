/**
 * Caller look-up for the call screen: by phone (any UK format, matched as E.164 with the +44 default),
 * e-mail, case reference, or a name or street, returning the matching cases (with status and the last reply)
 * and calls, newest first. A caller's details are confirmed, never revealed: the look-up returns only what the
 * handler typed, and confirmCaller says whether typed details match the reporter of a case.
 */
import { and, desc, eq, inArray, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import { getDb } from '../../platform/db/client.ts';
import { calls, caseEvents, cases, reporters, users } from '../../platform/db/schema.ts';
import { normaliseEmail } from '../reports/answers.ts';
import { toE164 } from '../../platform/uk/phone.ts';
import { normalisePostcode } from '../../platform/uk/postcode.ts';
import { parseReference } from '../reports/reference.ts';
import { caseScopeCondition, type CaseScope } from '../cases/policy.ts';
import { TIMELINE_NEWEST_FIRST } from '../cases/timeline.ts';

/** What the look-up text was read as: a phone number, an e-mail address, a reference, or a name or street. */
export type LookupKind = 'phone' | 'email' | 'reference' | 'text';

/** An earlier case of the caller, with its progress. */
export interface CallerCase {
  id: string;
  ref: string;
  kind: string;
  status: string;
  channel: string;
  categoryId: string | null;
  receivedAt: number;
  /** The last reply sent to the reporter, if any. */
  /** The last reply to the reporter; without pii.view, the reporter's name in it shows as REDACTED_NAME. */
  lastReply: { at: number; body: string } | null;
}

/** An earlier call from the caller. */
export interface CallerCall {
  id: string;
  startedAt: number;
  reason: string;
  outcome: string;
  caseRef: string | null;
  handlerName: string | null;
}

/** The look-up answer. */
export type CallerLookup =
  | { ok: false; message: string }
  | {
      ok: true;
      kind: LookupKind;
      /** The normalised value searched for (E.164, lower-case e-mail, the stored reference, or the text). */
      value: string;
      /** Only what the handler typed: the phone or e-mail searched for, never details held on a case. */
      caller: { phoneE164: string | null; email: string | null };
      cases: CallerCase[];
      calls: CallerCall[];
    };

/** The shortest name or street the look-up searches for. */
const MIN_TEXT = 3;

/** Read what the handler typed as a reference, an e-mail address, a UK phone number, or a name or street. */
export function classifyLookup(input: string, referencePrefix: string): { kind: LookupKind; value: string } | null {
  const text = input.trim();
  if (!text) return null;
  if (text.includes('@')) {
    const email = normaliseEmail(text);
    return email ? { kind: 'email', value: email } : null;
  }
  const ref = /[a-z]/i.test(text) ? parseReference(text, referencePrefix) : null;
  if (ref) return { kind: 'reference', value: ref };
  const phone = toE164(text);
  if (phone) return { kind: 'phone', value: phone };
  const words = normaliseLookupText(text);
  return /[a-z]/.test(words) && words.length >= MIN_TEXT ? { kind: 'text', value: words } : null;
}

/** Lower case, single spaces, only letters, digits, apostrophes and hyphens: how names and streets are compared. */
export function normaliseLookupText(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9'\- ]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 100);
}

/** A LIKE pattern matching the text anywhere, with LIKE's own wildcards escaped. */
function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** What a reply shows instead of the reporter's name to staff without pii.view. */
export const REDACTED_NAME = '[the reporter]';

/** A reply's text with the reporter's full name, and each part of it of two letters or more, replaced by REDACTED_NAME. */
export function withoutName(body: string, name: string | null | undefined): string {
  const parts = [...new Set([name?.trim() ?? '', ...(name ?? '').split(/[\s,]+/)].filter((p) => p.length >= 2))].sort((a, b) => b.length - a.length);
  if (!parts.length) return body;
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  return body.replace(pattern, REDACTED_NAME);
}

/** The last reply to the reporter on each case. */
async function lastReplies(caseIds: string[]): Promise<Map<string, { at: number; body: string }>> {
  const out = new Map<string, { at: number; body: string }>();
  if (!caseIds.length) return out;
  const rows = await getDb()
    .select({ caseId: caseEvents.caseId, at: caseEvents.at, body: caseEvents.body })
    .from(caseEvents)
    .where(and(inArray(caseEvents.caseId, caseIds), eq(caseEvents.action, 'case.reply'), eq(caseEvents.visibility, 'reporter')))
    .orderBy(...TIMELINE_NEWEST_FIRST);
  for (const r of rows) if (!out.has(r.caseId)) out.set(r.caseId, { at: r.at, body: r.body ?? '' });
  return out;
}

/**
 * Find a caller's earlier cases and calls from a phone number, e-mail address, case reference, or a name or street.
 * Only cases in the scope are shown (a reference outside it is "not found"); a call on a case outside it shows no
 * reference. A reference finds that case and its calls; only with `piiView` does it also find the reporter's other
 * cases through contact details the handler was not given. Nothing held about the reporter is returned.
 */
export async function lookUpCaller(input: string, referencePrefix: string, limit = 20, scope: CaseScope = { kind: 'all' }, piiView = false): Promise<CallerLookup> {
  const found = classifyLookup(input, referencePrefix);
  if (!found) return { ok: false, message: `Enter a UK phone number, an email address, a case reference like ${referencePrefix}-7K3M-9QX4, or a name or street` };
  const db = getDb();
  const typedPhone = found.kind === 'phone' ? found.value : null;
  const typedEmail = found.kind === 'email' ? found.value : null;
  let phone = typedPhone;
  let email = typedEmail;
  const caseIds = new Set<string>();
  const inScope = caseScopeCondition(scope);

  if (found.kind === 'reference') {
    const [c] = await db
      .select({ id: cases.id, reporterEmail: reporters.email, reporterPhone: reporters.phoneE164 })
      .from(cases)
      .leftJoin(reporters, eq(reporters.id, cases.reporterId))
      .where(and(eq(cases.ref, found.value), inScope));
    if (!c) return { ok: false, message: `No case has the reference ${found.value}` };
    caseIds.add(c.id);
    if (piiView) {
      phone = c.reporterPhone;
      email = c.reporterEmail;
    }
  }

  const reporterMatch: SQL[] = [];
  if (phone) reporterMatch.push(eq(reporters.phoneE164, phone));
  if (email) reporterMatch.push(eq(reporters.email, email));
  if (found.kind === 'text') reporterMatch.push(sql`lower(trim(${reporters.name})) = ${found.value}`);
  const caseMatch: SQL[] = [];
  if (reporterMatch.length > 0) {
    const people = await db.select({ id: reporters.id }).from(reporters).where(or(...reporterMatch)).orderBy(desc(reporters.createdAt)).limit(200);
    if (people.length > 0) caseMatch.push(inArray(cases.reporterId, people.map((p) => p.id)));
  }
  if (found.kind === 'text') {
    caseMatch.push(sql`lower(${cases.locationText}) like ${containing(found.value)} escape '\\'`);
    const postcode = normalisePostcode(found.value);
    if (postcode) caseMatch.push(eq(cases.postcode, postcode));
  }
  if (caseMatch.length > 0) {
    const rows = await db.select({ id: cases.id }).from(cases).where(and(or(...caseMatch), isNotNull(cases.ref), inScope)).orderBy(desc(cases.receivedAt)).limit(limit);
    for (const row of rows) caseIds.add(row.id);
  }

  const callMatch: SQL[] = [];
  if (phone) callMatch.push(eq(calls.callerPhoneE164, phone));
  if (email) callMatch.push(eq(calls.callerEmail, email));
  if (found.kind === 'text') callMatch.push(sql`lower(trim(${calls.callerName})) = ${found.value}`);
  if (caseIds.size > 0) callMatch.push(inArray(calls.caseId, [...caseIds]));
  const callRows = callMatch.length
    ? await db
        .select({ id: calls.id, startedAt: calls.startedAt, reason: calls.reason, outcome: calls.outcome, caseRef: cases.ref, handlerName: users.name, caseId: calls.caseId })
        .from(calls)
        .leftJoin(cases, eq(cases.id, calls.caseId))
        .leftJoin(users, eq(users.id, calls.handlerId))
        .where(or(...callMatch))
        .orderBy(desc(calls.startedAt))
        .limit(limit)
    : [];
  // A call found by the typed phone or e-mail names its case; a reference look-up without pii.view stays on its case.
  if (found.kind !== 'reference' || piiView) for (const c of callRows) if (c.caseId) caseIds.add(c.caseId);

  const caseRows = caseIds.size
    ? await db
        .select({ id: cases.id, ref: cases.ref, kind: cases.kind, status: cases.status, channel: cases.channel, categoryId: cases.categoryId, receivedAt: cases.receivedAt, reporterName: reporters.name })
        .from(cases)
        .leftJoin(reporters, eq(reporters.id, cases.reporterId))
        .where(and(inArray(cases.id, [...caseIds]), isNotNull(cases.ref), inScope))
        .orderBy(desc(cases.receivedAt))
        .limit(limit)
    : [];
  const replies = await lastReplies(caseRows.map((c) => c.id));

  // Calls on cases not shown are still the caller's calls, but do not name those cases.
  const visible = new Set(caseRows.map((c) => c.id));
  return {
    ok: true,
    kind: found.kind,
    value: found.value,
    caller: { phoneE164: typedPhone, email: typedEmail },
    cases: caseRows.map(({ reporterName, ...c }) => {
      const reply = replies.get(c.id);
      return { ...c, ref: c.ref!, lastReply: reply ? { at: reply.at, body: piiView ? reply.body : withoutName(reply.body, reporterName) } : null };
    }),
    calls: callRows
      .filter((c) => found.kind !== 'reference' || piiView || (c.caseId && visible.has(c.caseId)))
      .map(({ id, startedAt, reason, outcome, caseRef, caseId, handlerName }) => ({ id, startedAt, reason, outcome, caseRef: caseId && visible.has(caseId) ? caseRef : null, handlerName })),
  };
}

/** How a detail the handler typed compares with the one held on the case. */
export type DetailMatch = 'matches' | 'does-not-match' | 'not-held' | 'not-typed';

/** The answer to confirming a caller against a case. */
export type CallerConfirmation =
  | { ok: false; message: string }
  | { ok: true; ref: string; name: DetailMatch; phone: DetailMatch; email: DetailMatch };

/** Compare one typed detail with the held one (both already normalised). */
export function compareDetail(typed: string | null, held: string | null): DetailMatch {
  if (!typed) return 'not-typed';
  if (!held) return 'not-held';
  return typed === held ? 'matches' : 'does-not-match';
}

/**
 * Confirm a caller against the reporter of a case in the scope: each detail the handler typed matches or does not
 * match what is held. Nothing held is returned.
 */
export async function confirmCaller(ref: string, typed: { name?: string | null; phone?: string | null; email?: string | null }, scope: CaseScope = { kind: 'all' }): Promise<CallerConfirmation> {
  const [c] = await getDb()
    .select({ ref: cases.ref, name: reporters.name, phone: reporters.phoneE164, email: reporters.email })
    .from(cases)
    .leftJoin(reporters, eq(reporters.id, cases.reporterId))
    .where(and(eq(cases.ref, ref), caseScopeCondition(scope)));
  if (!c?.ref) return { ok: false, message: `No case has the reference ${ref}` };
  const name = (v: string | null | undefined) => (v ? normaliseLookupText(v) || null : null);
  const typedPhone = typed.phone ? (toE164(typed.phone) ?? typed.phone.trim()) : null;
  const typedEmail = typed.email ? (normaliseEmail(typed.email) ?? typed.email.trim().toLowerCase()) : null;
  return {
    ok: true,
    ref: c.ref,
    name: compareDetail(name(typed.name), name(c.name)),
    phone: compareDetail(typedPhone, c.phone),
    email: compareDetail(typedEmail, c.email ? c.email.toLowerCase() : null),
  };
}
