/**
 * "A similar problem has already been reported near here": a resident who adds themselves to an existing report
 * still gets a case of their own (so they get updates on it and it counts towards the Case Review threshold), and
 * the two cases join one incident: the existing case's incident, or a new one named after the category and ward.
 */
import type { InStatement } from '@libsql/client';
import { eq } from 'drizzle-orm';
import type { SiteConfig } from '../../platform/config/partnership.ts';
import { getDb } from '../../platform/db/client.ts';
import { caseEvents, cases } from '../../platform/db/schema.ts';
import { insertRow } from '../../platform/db/insert.ts';
import { newId } from '../../platform/security/ids.ts';

/** The case being joined, as the join needs it. */
export interface JoinTarget {
  id: string;
  ref: string;
}

/** The existing case to join, or null when it is gone. */
export async function findJoinTarget(caseId: string): Promise<JoinTarget | null> {
  const [row] = await getDb().select({ id: cases.id, ref: cases.ref }).from(cases).where(eq(cases.id, caseId));
  return row ?? null;
}

/** "Noise in Mill Lane": the title of an incident made when a resident joins a report. */
export function incidentTitle(categoryId: string | null | undefined, wardId: string | null | undefined, config: Pick<SiteConfig, 'categories' | 'areas'>): string {
  const category = config.categories.find((c) => c.id === categoryId)?.name ?? 'Report';
  const ward = config.areas.find((a) => a.id === wardId)?.name;
  return ward ? `${category} in ${ward}` : category;
}

/**
 * Statements (for the new case's own batch, after its insert) that put the new case into the existing case's
 * incident, making the incident first when the existing case has none, with a timeline entry on both.
 */
export function joinStatements(target: JoinTarget, created: JoinTarget, title: string, now: number): InStatement[] {
  const incidentId = newId(now);
  const event = (caseId: string) => insertRow(caseEvents, { id: newId(now), caseId, at: now, actorKind: 'public', action: 'case.incident.linked', visibility: 'internal', data: { with: [target.ref, created.ref], by: 'reporter' } });
  return [
    { sql: 'INSERT INTO incidents (id, title, created_by, created_at) SELECT ?, ?, NULL, ? WHERE EXISTS (SELECT 1 FROM cases WHERE id = ? AND incident_id IS NULL)', args: [incidentId, title.slice(0, 200), now, target.id] },
    { sql: 'UPDATE cases SET incident_id = ?, version = version + 1, updated_at = ? WHERE id = ? AND incident_id IS NULL', args: [incidentId, now, target.id] },
    { sql: 'UPDATE cases SET incident_id = (SELECT incident_id FROM cases WHERE id = ?) WHERE id = ?', args: [target.id, created.id] },
    event(target.id),
    event(created.id),
  ];
}
