/**
 * Maintained counters of resolved and closed cases for the queue's counts (tables queue_finished_counts and
 * queue_finished_owner_counts): one row per finished status and combination of the queue facets (category, district,
 * ward, priority, channel, referred agency), and the same per owner. Finished cases are most of a mature database, so
 * counting them on view scanned a million index entries; the counters answer any combination of those facets and the
 * viewer's scope by summing a few thousand rows. Every change that moves a case into, out of or within the finished
 * statuses adds its delta statements to the same atomic write (countChangeStatements in src/domains/insight), as
 * increments in SQL; the active statuses are still counted from the cases_status_facets index (few rows).
 */
import type { InStatement, InValue } from '@libsql/client';
import { getDatabase } from '../../platform/db/client.ts';
import { FINISHED_STATUSES, type CaseStatus } from './workflow.ts';
import type { QueueFilter } from './queue.ts';

/** The case fields the counters read. */
export interface QueueCountedFields {
  status: string;
  categoryId?: string | null;
  districtId?: string | null;
  wardId?: string | null;
  priority?: string | null;
  channel: string;
  ownerId?: string | null;
  referredAgencyId?: string | null;
}

/** The facet columns of both tables, in key order (the owner table puts owner_id first). */
const FACETS = ['status', 'category_id', 'district_id', 'ward_id', 'priority', 'channel', 'agency_id'] as const;

/** The counter key of a case (status then facets, '' for none), or null when it is not finished. */
function finishedKeyOf(c: QueueCountedFields): string[] | null {
  if (!(FINISHED_STATUSES as readonly string[]).includes(c.status)) return null;
  return [c.status, c.categoryId ?? '', c.districtId ?? '', c.wardId ?? '', c.priority ?? '', c.channel, c.referredAgencyId ?? ''];
}

const UPSERT = `INSERT INTO queue_finished_counts (${FACETS.join(', ')}, n) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (${FACETS.join(', ')}) DO UPDATE SET n = n + excluded.n`;
const UPSERT_OWNER = `INSERT INTO queue_finished_owner_counts (owner_id, ${FACETS.join(', ')}, n) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (owner_id, ${FACETS.join(', ')}) DO UPDATE SET n = n + excluded.n`;

/** The statements that move a case between counters (none unless it is or was finished and something counted changed). */
export function queueCountStatements(before: QueueCountedFields | null, after: QueueCountedFields | null): InStatement[] {
  const from = before ? finishedKeyOf(before) : null;
  const to = after ? finishedKeyOf(after) : null;
  const fromOwner = before?.ownerId ?? '';
  const toOwner = after?.ownerId ?? '';
  const stmts: InStatement[] = [];
  if (!(from && to && from.join('\u0000') === to.join('\u0000'))) {
    if (from) stmts.push({ sql: UPSERT, args: [...from, -1] });
    if (to) stmts.push({ sql: UPSERT, args: [...to, 1] });
  }
  if (!(from && to && from.join('\u0000') === to.join('\u0000') && fromOwner === toOwner)) {
    if (from) stmts.push({ sql: UPSERT_OWNER, args: [fromOwner, ...from, -1] });
    if (to) stmts.push({ sql: UPSERT_OWNER, args: [toOwner, ...to, 1] });
  }
  return stmts;
}

const FINISHED_SQL = FINISHED_STATUSES.map((s) => `'${s}'`).join(', ');
const SELECT_FACETS = "status, coalesce(category_id, ''), coalesce(district_id, ''), coalesce(ward_id, ''), coalesce(priority, ''), channel, coalesce(referred_agency_id, '')";

/** The statements that recompute both tables from the cases. */
export function rebuildQueueCountStatements(): InStatement[] {
  return [
    { sql: 'DELETE FROM queue_finished_counts', args: [] },
    { sql: 'DELETE FROM queue_finished_owner_counts', args: [] },
    { sql: `INSERT INTO queue_finished_counts (${FACETS.join(', ')}, n) SELECT ${SELECT_FACETS}, count(*) FROM cases WHERE status IN (${FINISHED_SQL}) GROUP BY 1, 2, 3, 4, 5, 6, 7`, args: [] },
    { sql: `INSERT INTO queue_finished_owner_counts (owner_id, ${FACETS.join(', ')}, n) SELECT coalesce(owner_id, ''), ${SELECT_FACETS}, count(*) FROM cases WHERE status IN (${FINISHED_SQL}) GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`, args: [] },
  ];
}

/** The filters the counters are asked about: the queue's filters without the status (they answer only the facets and the scope). */
export type CounterFilter = Omit<QueueFilter, 'status'>;

/** True when the counters answer a filter exactly. */
export function countersAnswer(filter: CounterFilter): boolean {
  return !filter.overdue && !filter.referralOverdue && !filter.flag && !filter.tag && !filter.incidentId;
}

/** Resolved and closed cases for a filter the counters answer (countersAnswer), from the counters. */
export async function countFinished(filter: CounterFilter): Promise<Partial<Record<CaseStatus, number>>> {
  const clauses: string[] = [];
  const args: InValue[] = [];
  const eq = (column: string, value: string | undefined) => {
    if (value === undefined || value === '') return;
    clauses.push(`${column} = ?`);
    args.push(value);
  };
  const owned = filter.owner !== undefined && filter.owner !== '';
  if (owned) {
    clauses.push('owner_id = ?');
    args.push(filter.owner === 'unassigned' ? '' : filter.owner!);
  }
  eq('category_id', filter.categoryId);
  eq('district_id', filter.districtId);
  eq('ward_id', filter.wardId);
  eq('priority', filter.priority);
  eq('channel', filter.channel);
  const scope = filter.scope;
  if (scope?.kind === 'none') clauses.push('0');
  if (scope?.kind === 'agency') {
    clauses.push('agency_id = ?');
    args.push(scope.agencyId);
  }
  if ((scope?.kind === 'agency' || scope?.kind === 'district') && scope.districtIds.length) {
    clauses.push(`district_id IN (${scope.districtIds.map(() => '?').join(', ')})`);
    args.push(...scope.districtIds);
  }
  const table = owned ? 'queue_finished_owner_counts' : 'queue_finished_counts';
  const where = clauses.length ? ` WHERE ${clauses.join(' AND ')}` : '';
  const result = await getDatabase().client.execute({ sql: `SELECT status, sum(n) AS n FROM ${table}${where} GROUP BY status`, args });
  const counts: Partial<Record<CaseStatus, number>> = Object.fromEntries(FINISHED_STATUSES.map((s) => [s, 0]));
  for (const r of result.rows) if ((FINISHED_STATUSES as readonly unknown[]).includes(r.status)) counts[r.status as CaseStatus] = Number(r.n);
  return counts;
}

/** The finished totals by status in the counters and in the cases, for the start-up check. */
export async function finishedTotals(): Promise<{ counters: string; ownerCounters: string; cases: string }> {
  const r = await getDatabase().client.execute(
    `SELECT (SELECT group_concat(status || ':' || n) FROM (SELECT status, sum(n) AS n FROM queue_finished_counts GROUP BY status HAVING sum(n) <> 0 ORDER BY status)) AS counters, ` +
      `(SELECT group_concat(status || ':' || n) FROM (SELECT status, sum(n) AS n FROM queue_finished_owner_counts GROUP BY status HAVING sum(n) <> 0 ORDER BY status)) AS owners, ` +
      `(SELECT group_concat(status || ':' || n) FROM (SELECT status, count(*) AS n FROM cases WHERE status IN (${FINISHED_SQL}) GROUP BY status ORDER BY status)) AS cases`,
  );
  const row = r.rows[0]!;
  return { counters: String(row.counters ?? ''), ownerCounters: String(row.owners ?? ''), cases: String(row.cases ?? '') };
}
