/** Read models for the staff case pages: one case with its timeline, photos, linked cases and owner; the officers to assign to. */
import { and, eq, inArray, ne } from 'drizzle-orm';
import { getDb } from '../../platform/db/client.ts';
import { attachments, caseEvents, cases, incidents, users } from '../../platform/db/schema.ts';
import { findCase } from './actions.ts';
import { detectCaseThresholds } from './detect.ts';
import { listCaseWorkers, ownersForCases } from './owners.ts';
import { caseScopeCondition, type CaseScope } from './policy.ts';
import { TIMELINE_OLDEST_FIRST } from './timeline.ts';

/** An officer who can be given cases. */
export interface Officer {
  id: string;
  name: string;
}

/** Every active user who can work cases (owners.ts), for the assign lists and the owner filter. */
export async function listOfficers(): Promise<Officer[]> {
  return (await listCaseWorkers()).map(({ id, name }) => ({ id, name }));
}

/**
 * The officers bulk actions may assign to: those who can work a case anywhere in the user's scope (a district
 * user's own districts, or cases in no district). The server checks each case again when assigning.
 */
export async function listBulkOwners(scope: CaseScope): Promise<Officer[]> {
  const districts = scope.kind === 'district' ? scope.districtIds : [null];
  return ownersForCases(await listCaseWorkers(), districts.map((districtId) => ({ districtId, referredAgencyId: null }))).map(({ id, name }) => ({ id, name }));
}

/** Everything the case page shows about one case, or null when there is no such case; other cases of its incident only as far as `scope` allows. */
export async function loadCaseView(ref: string, scope: CaseScope, now = Date.now()) {
  const row = await findCase(ref);
  if (!row) return null;
  const db = getDb();
  const [threshold, events, photos, officers, siblings, owner, incidentTitle] = await Promise.all([
    detectCaseThresholds(row, now),
    db.select().from(caseEvents).where(eq(caseEvents.caseId, row.id)).orderBy(...TIMELINE_OLDEST_FIRST),
    db.select().from(attachments).where(eq(attachments.caseId, row.id)),
    listCaseWorkers().then((workers) => ownersForCases(workers, [row]).map(({ id, name }) => ({ id, name }))),
    row.incidentId ? db.select({ ref: cases.ref, status: cases.status }).from(cases).where(and(eq(cases.incidentId, row.incidentId), ne(cases.id, row.id), caseScopeCondition(scope))) : Promise.resolve([]),
    row.ownerId ? db.select({ name: users.name }).from(users).where(eq(users.id, row.ownerId)) : Promise.resolve([]),
    row.incidentId ? findIncidentTitle(row.incidentId) : Promise.resolve(null),
  ]);
  // Flags are shown as they are now; they are stored only when cases change, never on a view.
  return { row: { ...row, flags: threshold.flags }, threshold: await complaintsInScope(threshold, scope), events: await withRefsInScope(events, scope), photos, officers, siblings, ownerName: owner[0]?.name ?? null, incidentTitle };
}

/** The ASB Case Review complaints the viewer may see listed, and how many others count towards it from outside their scope. */
async function complaintsInScope<T extends { complaints: { id: string }[] }>(threshold: T, scope: CaseScope): Promise<T & { complaintsElsewhere: number }> {
  const condition = caseScopeCondition(scope);
  if (condition === undefined || threshold.complaints.length === 0) return { ...threshold, complaintsElsewhere: 0 };
  const ids = threshold.complaints.map((c) => c.id);
  const seen = new Set((await getDb().select({ id: cases.id }).from(cases).where(and(inArray(cases.id, ids), condition))).map((r) => r.id));
  const complaints = threshold.complaints.filter((c) => seen.has(c.id));
  return { ...threshold, complaints, complaintsElsewhere: threshold.complaints.length - complaints.length };
}

/** What the timeline says instead of the reference of a case the viewer may not see. */
export const HIDDEN_REF = 'a case outside your area';

/**
 * Timeline events with the references of other cases (an incident's cases, the original of a duplicate) that `scope`
 * does not reach replaced by HIDDEN_REF, as the incident's case list leaves them out.
 */
async function withRefsInScope<E extends { action: string; data: Record<string, unknown> | null }>(events: E[], scope: CaseScope): Promise<E[]> {
  const refsOf = (e: E): string[] =>
    e.action === 'case.incident.linked' ? ((e.data?.with as string[] | undefined) ?? []) : e.action === 'case.duplicate.marked' && typeof e.data?.of === 'string' ? [e.data.of] : [];
  const named = [...new Set(events.flatMap(refsOf))];
  const condition = caseScopeCondition(scope);
  if (named.length === 0 || condition === undefined) return events;
  const seen = new Set((await getDb().select({ ref: cases.ref }).from(cases).where(and(inArray(cases.ref, named), condition))).map((r) => r.ref));
  const shown = (ref: string) => (seen.has(ref) ? ref : HIDDEN_REF);
  return events.map((e) => {
    if (e.action === 'case.incident.linked') return { ...e, data: { ...e.data, with: refsOf(e).map(shown) } };
    if (e.action === 'case.duplicate.marked' && refsOf(e).length) return { ...e, data: { ...e.data, of: shown(refsOf(e)[0]!) } };
    return e;
  });
}

/** The title an officer gave an incident, or null when there is no such incident. */
export async function findIncidentTitle(incidentId: string): Promise<string | null> {
  const [incident] = await getDb().select({ title: incidents.title }).from(incidents).where(eq(incidents.id, incidentId));
  return incident?.title ?? null;
}

/** The case page's read model. */
export type CaseView = NonNullable<Awaited<ReturnType<typeof loadCaseView>>>;

/** One stored photo of a case by its id, or undefined. */
export async function findCasePhoto(id: string) {
  if (!/^[0-9a-z]{20}$/.test(id)) return undefined;
  const [photo] = await getDb().select().from(attachments).where(eq(attachments.id, id));
  return photo;
}
