/**
 * Open cases (the queue's active statuses) per district, ward and priority (table insight_open_counts), for the tasking
 * list's "open high-priority cases by ward": a few dozen rows instead of an index scan of every active case. Every
 * case change adds its delta statements to the same atomic write (countChangeStatements), as increments in SQL;
 * rebuildOpenCountStatements recomputes the table from the cases_status_facets index (the active cases only).
 */
import type { InStatement } from '@libsql/client';
import { getDatabase } from '../../platform/db/client.ts';
import { CASE_STATUSES, FINISHED_STATUSES } from '../cases/workflow.ts';
import { counterUpsert } from '../../platform/db/counters.ts';

/** The open statuses: the queue's ACTIVE_STATUSES (every status but the finished ones). */
const OPEN_STATUSES: readonly string[] = CASE_STATUSES.filter((s) => !FINISHED_STATUSES.includes(s));

/** The case fields the open counts read. */
export interface OpenCountedFields {
  status: string;
  districtId?: string | null;
  wardId?: string | null;
  priority?: string | null;
}

/** The key of an open case (district, ward, priority; '' for none), or null when it is finished. */
function openKeyOf(c: OpenCountedFields): string[] | null {
  if (!OPEN_STATUSES.includes(c.status)) return null;
  return [c.districtId ?? '', c.wardId ?? '', c.priority ?? ''];
}

const UPSERT = 'INSERT INTO insight_open_counts (district_id, ward_id, priority, n) VALUES (?, ?, ?, ?) ON CONFLICT (priority, district_id, ward_id) DO UPDATE SET n = n + excluded.n';

/** The statements that move a case between open counts (none unless it is or was open and its key changed). */
export function openCountStatements(before: OpenCountedFields | null, after: OpenCountedFields | null): InStatement[] {
  const from = before ? openKeyOf(before) : null;
  const to = after ? openKeyOf(after) : null;
  if (from && to && from.join('\u0000') === to.join('\u0000')) return [];
  return [...(from ? [counterUpsert(UPSERT, [...from, -1], 4)] : []), ...(to ? [counterUpsert(UPSERT, [...to, 1], 4)] : [])];
}

const OPEN_SQL = OPEN_STATUSES.map((s) => `'${s}'`).join(', ');

/** The statements that recompute the table from the open cases. */
export function rebuildOpenCountStatements(): InStatement[] {
  return [
    { sql: 'DELETE FROM insight_open_counts', args: [] },
    {
      sql: "INSERT INTO insight_open_counts (district_id, ward_id, priority, n) SELECT coalesce(district_id, ''), coalesce(ward_id, ''), coalesce(priority, ''), count(*) " +
        `FROM cases INDEXED BY cases_status_facets WHERE status IN (${OPEN_SQL}) GROUP BY 1, 2, 3`,
      args: [],
    },
  ];
}

/** The open cases counted by the table and by the cases (the start-up check: equal unless the counts drifted or were never built). */
export async function openTotals(): Promise<{ counters: number; cases: number }> {
  const r = await getDatabase().client.execute(
    `SELECT (SELECT coalesce(sum(n), 0) FROM insight_open_counts) AS counters, (SELECT count(*) FROM cases INDEXED BY cases_status_facets WHERE status IN (${OPEN_SQL})) AS cases`,
  );
  return { counters: Number(r.rows[0]!.counters), cases: Number(r.rows[0]!.cases) };
}

/** Open cases at the given priorities per ward (wards only), in the districts given (null: all), most first. */
export async function openCasesByWardFromCounts(priorities: readonly string[], districtIds: string[] | null): Promise<{ wardId: string; n: number }[]> {
  const marks = (xs: readonly unknown[]) => xs.map(() => '?').join(', ');
  const r = await getDatabase().client.execute({
    sql: `SELECT ward_id, sum(n) AS n FROM insight_open_counts WHERE priority IN (${marks(priorities)}) AND ward_id <> ''${districtIds ? ` AND district_id IN (${marks(districtIds)})` : ''}
          GROUP BY ward_id HAVING sum(n) > 0 ORDER BY n DESC, ward_id`,
    args: [...priorities, ...(districtIds ?? [])],
  });
  return r.rows.map((x) => ({ wardId: String(x.ward_id), n: Number(x.n) }));
}
