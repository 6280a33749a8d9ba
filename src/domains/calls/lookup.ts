/**
 * Caller look-up for the call screen: by phone (any UK format, matched as E.164 with the +44 default),
 * e-mail or case reference, returning the caller's earlier cases and calls, newest first.
 */
import { and, desc, eq, inArray, isNotNull, or, type SQL } from 'drizzle-orm';
import { getDb } from '../../platform/db/client.ts';
import { calls, cases, reporters, users } from '../../platform/db/schema.ts';
import { normaliseEmail } from '../reports/answers.ts';
import { toE164 } from '../../platform/uk/phone.ts';
import { parseReference } from '../reports/reference.ts';
import { caseScopeCondition, type CaseScope } from '../cases/policy.ts';

/** What the look-up text was read as. */
export type LookupKind = 'phone' | 'email' | 'reference';

/** An earlier case of the caller. */
export interface CallerCase {
  id: string;
  ref: string;
  kind: string;
  status: string;
  channel: string;
  categoryId: string | null;
  receivedAt: number;
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
      /** The normalised value searched for (E.164, lower-case e-mail or the stored reference). */
      value: string;
      caller: { name: string | null; phoneE164: string | null; email: string | null };
      cases: CallerCase[];
      calls: CallerCall[];
    };

/** Read what the handler typed as a reference, an e-mail address or a UK phone number. */
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
  return phone ? { kind: 'phone', value: phone } : null;
}

/**
 * Find a caller's earlier cases and calls from a phone number, e-mail address or case reference. Only cases in
 * the scope are shown (a reference outside it is "not found"); a call on a case outside it shows no reference.
 */
export async function lookUpCaller(input: string, referencePrefix: string, limit = 20, scope: CaseScope = { kind: 'all' }): Promise<CallerLookup> {
  const found = classifyLookup(input, referencePrefix);
  if (!found) return { ok: false, message: `Enter a UK phone number, an email address or a case reference, like ${referencePrefix}-7K3M-9QX4` };
  const db = getDb();
  let phone: string | null = found.kind === 'phone' ? found.value : null;
  let email: string | null = found.kind === 'email' ? found.value : null;
  let name: string | null = null;
  const caseIds = new Set<string>();
  const inScope = caseScopeCondition(scope);

  if (found.kind === 'reference') {
    const [c] = await db
      .select({ id: cases.id, reporterName: reporters.name, reporterEmail: reporters.email, reporterPhone: reporters.phoneE164 })
      .from(cases)
      .leftJoin(reporters, eq(reporters.id, cases.reporterId))
      .where(and(eq(cases.ref, found.value), inScope));
    if (!c) return { ok: false, message: `No case has the reference ${found.value}` };
    caseIds.add(c.id);
    phone = c.reporterPhone;
    email = c.reporterEmail;
    name = c.reporterName;
  }

  const contactMatch: SQL[] = [];
  if (phone) contactMatch.push(eq(reporters.phoneE164, phone));
  if (email) contactMatch.push(eq(reporters.email, email));
  if (contactMatch.length > 0) {
    const people = await db.select({ id: reporters.id, name: reporters.name }).from(reporters).where(or(...contactMatch)).orderBy(desc(reporters.createdAt)).limit(200);
    name ??= people.find((p) => p.name)?.name ?? null;
    if (people.length > 0) {
      const rows = await db.select({ id: cases.id }).from(cases).where(and(inArray(cases.reporterId, people.map((p) => p.id)), inScope)).orderBy(desc(cases.receivedAt)).limit(limit);
      for (const row of rows) caseIds.add(row.id);
    }
  }

  const callMatch: SQL[] = [];
  if (phone) callMatch.push(eq(calls.callerPhoneE164, phone));
  if (email) callMatch.push(eq(calls.callerEmail, email));
  if (caseIds.size > 0) callMatch.push(inArray(calls.caseId, [...caseIds]));
  const callRows = callMatch.length
    ? await db
        .select({ id: calls.id, startedAt: calls.startedAt, reason: calls.reason, outcome: calls.outcome, caseRef: cases.ref, handlerName: users.name, callerName: calls.callerName, caseId: calls.caseId })
        .from(calls)
        .leftJoin(cases, eq(cases.id, calls.caseId))
        .leftJoin(users, eq(users.id, calls.handlerId))
        .where(or(...callMatch))
        .orderBy(desc(calls.startedAt))
        .limit(limit)
    : [];
  name ??= callRows.find((c) => c.callerName)?.callerName ?? null;
  for (const c of callRows) if (c.caseId) caseIds.add(c.caseId);

  const caseRows = caseIds.size
    ? await db
        .select({ id: cases.id, ref: cases.ref, kind: cases.kind, status: cases.status, channel: cases.channel, categoryId: cases.categoryId, receivedAt: cases.receivedAt })
        .from(cases)
        .where(and(inArray(cases.id, [...caseIds]), isNotNull(cases.ref), inScope))
        .orderBy(desc(cases.receivedAt))
        .limit(limit)
    : [];

  // Calls on cases outside the scope are still the caller's calls, but do not name those cases.
  const visible = new Set(scope.kind === 'all' ? callRows.map((c) => c.caseId ?? '') : caseRows.map((c) => c.id));
  if (scope.kind !== 'all' && caseIds.size > caseRows.length) {
    const seen = caseIds.size ? await db.select({ id: cases.id }).from(cases).where(and(inArray(cases.id, [...caseIds]), inScope)) : [];
    for (const c of seen) visible.add(c.id);
  }
  return {
    ok: true,
    kind: found.kind,
    value: found.value,
    caller: { name, phoneE164: phone, email },
    cases: caseRows,
    calls: callRows.map(({ id, startedAt, reason, outcome, caseRef, caseId, handlerName }) => ({ id, startedAt, reason, outcome, caseRef: caseId && visible.has(caseId) ? caseRef : null, handlerName })),
  };
}
