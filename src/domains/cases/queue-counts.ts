/**
 * Maintained counters for the queue's counts per status: one row per status and combination of the queue facets
 * (category, district, ward, priority, channel, referred agency), and the same per owner in a second table led by the
 * owner. Active statuses are kept in queue_active_counts / queue_active_owner_counts, resolved and closed in
 * queue_finished_counts / queue_finished_owner_counts. Any combination of those facets, the owner and the viewer's
 * scope (district or partner agency) is answered by summing counter rows, never by counting cases, so the count does
 * not grow with the cases. Every change that moves a case between keys adds its delta statements to the same atomic
 * write (countChangeStatements in src/domains/insight calls queueCountStatements), as increments in SQL.
 *
 * The filters the counters cannot answer (overdue, referral overdue, flag, tag, incident) are counted over the cases
 * through one partial covering index chosen by the filter (countSource): the count reads only the cases that can
 * match (those with a running timer, an open referral past due, the flag, a tag, or the incident), never the
 * finished history. A month of receipt is counted through its range of received times in an index led by a facet
 * the filter fixes, or the status index (monthSource). See README Performance.
 */
import type { InStatement, InValue } from '@libsql/client';
import { getDatabase } from '../../platform/db/client.ts';
import { CASE_STATUSES, FINISHED_STATUSES, isCaseStatus, type CaseStatus } from './workflow.ts';
import type { QueueFilter } from './queue.ts';
import { priorityCondition } from './priority.ts';
import { counterUpsert } from '../../platform/db/counters.ts';

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

/** The facet columns of every counter table, in key order (the owner tables put owner_id first). */
const FACETS = ['status', 'category_id', 'district_id', 'ward_id', 'priority', 'channel', 'agency_id'] as const;

/** The two groups of counter tables: [facet table, owner table]. */
const TABLES = {
  active: ['queue_active_counts', 'queue_active_owner_counts'],
  finished: ['queue_finished_counts', 'queue_finished_owner_counts'],
} as const;

type Group = keyof typeof TABLES;

/** True when a status is resolved or closed. */
function isFinished(status: string): boolean {
  return (FINISHED_STATUSES as readonly string[]).includes(status);
}

/** The counter group and key of a case (status then facets, '' for none). */
function counterKeyOf(c: QueueCountedFields): { group: Group; key: string[] } {
  return {
    group: isFinished(c.status) ? 'finished' : 'active',
    key: [c.status, c.categoryId ?? '', c.districtId ?? '', c.wardId ?? '', c.priority ?? '', c.channel, c.referredAgencyId ?? ''],
  };
}

/** The upsert that adds a delta to one key of a table. */
function upsertSql(table: string, owned: boolean): string {
  const columns = owned ? ['owner_id', ...FACETS] : [...FACETS];
  return `INSERT INTO ${table} (${columns.join(', ')}, n) VALUES (${columns.map(() => '?').join(', ')}, ?) ON CONFLICT (${columns.join(', ')}) DO UPDATE SET n = n + excluded.n`;
}

/** The statements that move a case between counters: none unless a counted field changed. */
export function queueCountStatements(before: QueueCountedFields | null, after: QueueCountedFields | null): InStatement[] {
  const from = before ? counterKeyOf(before) : null;
  const to = after ? counterKeyOf(after) : null;
  const sameKey = !!from && !!to && from.group === to.group && from.key.join('\u0000') === to.key.join('\u0000');
  const sameOwner = (before?.ownerId ?? '') === (after?.ownerId ?? '');
  const stmts: InStatement[] = [];
  if (!sameKey) {
    if (from) stmts.push(counterUpsert(upsertSql(TABLES[from.group][0], false), [...from.key, -1], FACETS.length + 1));
    if (to) stmts.push(counterUpsert(upsertSql(TABLES[to.group][0], false), [...to.key, 1], FACETS.length + 1));
  }
  if (!(sameKey && sameOwner)) {
    if (from) stmts.push(counterUpsert(upsertSql(TABLES[from.group][1], true), [before!.ownerId ?? '', ...from.key, -1], FACETS.length + 2));
    if (to) stmts.push(counterUpsert(upsertSql(TABLES[to.group][1], true), [after!.ownerId ?? '', ...to.key, 1], FACETS.length + 2));
  }
  return stmts;
}

const FINISHED_SQL = FINISHED_STATUSES.map((s) => `'${s}'`).join(', ');
const ACTIVE_SQL = CASE_STATUSES.filter((s) => !isFinished(s)).map((s) => `'${s}'`).join(', ');

/** The cases of a group, as SQL over cases (an IN list, so the status index is searched, not scanned). */
function groupStatusesSql(group: Group): string {
  return `status IN (${group === 'finished' ? FINISHED_SQL : ACTIVE_SQL})`;
}
const SELECT_FACETS = "status, coalesce(category_id, ''), coalesce(district_id, ''), coalesce(ward_id, ''), coalesce(priority, ''), channel, coalesce(referred_agency_id, '')";

/** The statements that recompute one group of counter tables (both groups by default) from the cases. */
export function rebuildQueueCountStatements(groups: readonly Group[] = ['active', 'finished']): InStatement[] {
  return groups.flatMap((group) => {
    const where = groupStatusesSql(group);
    const [table, ownerTable] = TABLES[group];
    return [
      { sql: `DELETE FROM ${table}`, args: [] },
      { sql: `DELETE FROM ${ownerTable}`, args: [] },
      { sql: `INSERT INTO ${table} (${FACETS.join(', ')}, n) SELECT ${SELECT_FACETS}, count(*) FROM cases WHERE ${where} GROUP BY 1, 2, 3, 4, 5, 6, 7`, args: [] },
      { sql: `INSERT INTO ${ownerTable} (owner_id, ${FACETS.join(', ')}, n) SELECT coalesce(owner_id, ''), ${SELECT_FACETS}, count(*) FROM cases WHERE ${where} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`, args: [] },
    ];
  });
}

/** The filters the counters are asked about: the queue's filters without the status (they answer only the facets and the scope). */
export type CounterFilter = Omit<QueueFilter, 'status'>;

/** True when the counters answer a filter exactly. */
export function countersAnswer(filter: CounterFilter): boolean {
  return !filter.overdue && !filter.referralOverdue && !filter.flag && !filter.tag && !filter.incidentId && !filter.month;
}

/** WHERE clauses over a counter table for a filter the counters answer. */
function counterWhere(filter: CounterFilter): { where: string; args: InValue[] } {
  const clauses: string[] = [];
  const args: InValue[] = [];
  const eq = (column: string, value: string | undefined) => {
    if (value === undefined || value === '') return;
    clauses.push(`${column} = ?`);
    args.push(value);
  };
  if (filter.owner) {
    clauses.push('owner_id = ?');
    args.push(filter.owner === 'unassigned' ? '' : filter.owner);
  }
  eq('category_id', filter.categoryId);
  eq('district_id', filter.districtId);
  eq('ward_id', filter.wardId);
  if (filter.priority) {
    const condition = priorityCondition('priority', filter.priority);
    clauses.push(condition.clause);
    args.push(...condition.args);
  }
  eq('channel', filter.channel);
  const scope = filter.scope;
  if (scope?.kind === 'none') clauses.push('0');
  if (scope?.kind === 'agency') eq('agency_id', scope.agencyId);
  if ((scope?.kind === 'agency' || scope?.kind === 'district') && scope.districtIds.length) {
    clauses.push(`district_id IN (${scope.districtIds.map(() => '?').join(', ')})`);
    args.push(...scope.districtIds);
  }
  return { where: clauses.length ? ` WHERE ${clauses.join(' AND ')}` : '', args };
}

/** Cases per status for a filter the counters answer (countersAnswer): one query summing both groups' counter rows. */
export async function countFromCounters(filter: CounterFilter): Promise<Record<CaseStatus, number>> {
  const { where, args } = counterWhere(filter);
  const owned = filter.owner ? 1 : 0;
  const sql = `SELECT status, sum(n) AS n FROM (SELECT status, n FROM ${TABLES.active[owned]}${where} UNION ALL SELECT status, n FROM ${TABLES.finished[owned]}${where}) GROUP BY status`;
  const result = await getDatabase().client.execute({ sql, args: [...args, ...args] });
  return statusCounts(result.rows);
}

/** Every status at 0, then the counts of the rows (status, n). */
export function statusCounts(rows: readonly Record<string, unknown>[]): Record<CaseStatus, number> {
  const counts = Object.fromEntries(CASE_STATUSES.map((s) => [s, 0])) as Record<CaseStatus, number>;
  for (const r of rows) if (isCaseStatus(r.status)) counts[r.status] = Number(r.n);
  return counts;
}

/** The flags the queue can filter by, each with its own partial index (cases_flag_<flag>_facets). */
const INDEXED_FLAGS = ['repeat_reporter', 'repeat_location', 'asb_case_review'] as const;

/** True when a flag has its own partial index (the only flags a case can carry: detection sets no others). */
export function isIndexedFlag(flag: string): flag is (typeof INDEXED_FLAGS)[number] {
  return (INDEXED_FLAGS as readonly string[]).includes(flag);
}

/**
 * Where a count the counters cannot answer reads its cases, in order of preference: the incident's cases, the open
 * referrals past due, the cases with a running timer (overdue), the cases with the flag, the tagged cases. The SQL
 * `from` names the one index (or the referrals) it is bounded by; `clauses` are the partial index's own condition,
 * repeated so SQLite may use it; `answers` names a filter the source applies itself. Null when the filter has none of
 * these (the counters answer it) or only a flag no case can carry.
 */
export function countSource(filter: CounterFilter, now: number): { from: string; clauses: string[]; args: InValue[]; answers?: 'referralOverdue' } | null {
  if (filter.incidentId) return { from: 'cases c INDEXED BY cases_incident', clauses: [], args: [] };
  // A month's cases through an index led by a facet the filter fixes, then the time (a flag's or the tags' index holds
  // the received time itself, so those keep theirs; overdue in a month is counted by queueCountSql). With referral
  // overdue, the month's range and a look-up of each case's referrals (6 ms at a million) beat the referral due-time
  // index, which holds no received time (a look-up of every overdue case's row: 36–44 ms).
  if (filter.month && !labelIndex(filter)) return monthSource(filter);
  if (filter.referralOverdue) {
    return { from: 'cases c INDEXED BY cases_referral_due_facets', clauses: ['c.referral_due_at IS NOT NULL', 'c.referral_due_at <= ?'], args: [now], answers: 'referralOverdue' };
  }
  if (filter.overdue) return { from: 'cases c INDEXED BY cases_due_facets', clauses: ['c.next_due_at IS NOT NULL'], args: [] };
  const labels = labelIndex(filter);
  if (labels) return { from: `cases c INDEXED BY ${labels.index}`, clauses: [labels.clause], args: [] };
  return null;
}

/** The facet filters with an index led by the facet and then the received time (cases_<facet>_received), most selective first. */
const MONTH_INDEXES: readonly [keyof CounterFilter, string][] = [
  ['wardId', 'cases_ward_received'], ['categoryId', 'cases_category_received'], ['districtId', 'cases_district_received'],
  ['priority', 'cases_priority_received'], ['channel', 'cases_channel_received'],
];

/**
 * Where a month filter's count reads its cases: the received-time range within the most selective facet the filter
 * fixes (a ward's month is a few hundred cases at a million), the owner (or the unassigned), or the viewer's agency or
 * districts; with none, the status index over every status, so the month's range is counted from the index alone
 * (about 28,000 entries a month at a million cases over three years).
 */
function monthSource(filter: CounterFilter): { from: string; clauses: string[]; args: InValue[] } {
  const facet = MONTH_INDEXES.find(([key]) => filter[key]);
  if (facet) return { from: `cases c INDEXED BY ${facet[1]}`, clauses: [], args: [] };
  if (filter.owner) return { from: 'cases c INDEXED BY cases_owner_received', clauses: [], args: [] };
  const scope = filter.scope;
  if (scope?.kind === 'agency') return { from: 'cases c INDEXED BY cases_agency_received', clauses: [], args: [] };
  if (scope?.kind === 'district' && scope.districtIds.length) return { from: 'cases c INDEXED BY cases_district_received', clauses: [], args: [] };
  return { from: 'cases c INDEXED BY cases_status_received', clauses: [`c.status IN (${CASE_STATUSES.map((st) => `'${st}'`).join(', ')})`], args: [] };
}

/**
 * The partial index that holds every case a flag or tag filter can match (the cases with that flag; the tagged
 * cases), and its condition as the query must repeat it; null without such a filter or for a flag with no index.
 */
export function labelIndex(filter: Pick<CounterFilter, 'flag' | 'tag'>): { index: string; clause: string } | null {
  if (filter.flag && isIndexedFlag(filter.flag)) return { index: `cases_flag_${filter.flag}_facets`, clause: `c.flags LIKE '%"${filter.flag}"%'` };
  if (filter.tag) return { index: 'cases_tagged_facets', clause: "c.tags <> '[]'" };
  return null;
}

/** The referral statuses still open, and the due time that counts for each: acknowledge while sent, then complete. */
const OPEN_REFERRAL_DUE_SQL =
  "SELECT min(CASE WHEN r.status = 'sent' THEN r.acknowledge_due_at ELSE r.complete_due_at END) FROM referrals r " +
  "WHERE r.case_id = cases.id AND r.status IN ('sent', 'acknowledged', 'accepted', 'in_progress')";

/** The statement that sets a case's referral_due_at from its open referrals (null when none): last in every batch that sends or moves a referral. */
export function referralDueStatement(caseId: string): InStatement {
  return { sql: `UPDATE cases SET referral_due_at = (${OPEN_REFERRAL_DUE_SQL}) WHERE id = ?`, args: [caseId] };
}

/** Statements that set referral_due_at on every case from the referrals (after the migration that adds it, or when it disagrees). */
export function rebuildReferralDueStatements(): InStatement[] {
  return [
    { sql: "UPDATE cases SET referral_due_at = NULL WHERE referral_due_at IS NOT NULL", args: [] },
    { sql: `UPDATE cases SET referral_due_at = (${OPEN_REFERRAL_DUE_SQL}) WHERE id IN (SELECT case_id FROM referrals WHERE status IN ('sent', 'acknowledged', 'accepted', 'in_progress'))`, args: [] },
  ];
}

/** True when the cases carrying a referral due time are exactly those with an open referral that has one (the start-up check). */
async function referralDueAgrees(): Promise<boolean> {
  const r = await getDatabase().client.execute(
    "SELECT (SELECT count(*) FROM cases INDEXED BY cases_referral_due_facets WHERE referral_due_at IS NOT NULL) AS carried, " +
      "(SELECT count(DISTINCT case_id) FROM referrals WHERE (status = 'sent' AND acknowledge_due_at IS NOT NULL) OR (status IN ('acknowledged', 'accepted', 'in_progress') AND complete_due_at IS NOT NULL)) AS open",
  );
  return Number(r.rows[0]!.carried) === Number(r.rows[0]!.open);
}

/** The totals by status in one group's counters and in the cases, for the start-up check. */
async function groupTotals(group: Group): Promise<{ counters: string; ownerCounters: string; cases: string }> {
  const [table, ownerTable] = TABLES[group];
  const statuses = groupStatusesSql(group);
  const totals = (from: string) => `(SELECT group_concat(status || ':' || n) FROM (SELECT status, sum(n) AS n FROM ${from} GROUP BY status HAVING sum(n) <> 0 ORDER BY status))`;
  const r = await getDatabase().client.execute(
    `SELECT ${totals(table)} AS counters, ${totals(ownerTable)} AS owners, ` +
      `(SELECT group_concat(status || ':' || n) FROM (SELECT status, count(*) AS n FROM cases WHERE ${statuses} GROUP BY status ORDER BY status)) AS cases`,
  );
  const row = r.rows[0]!;
  return { counters: String(row.counters ?? ''), ownerCounters: String(row.owners ?? ''), cases: String(row.cases ?? '') };
}

/** The finished totals by status in the counters and in the cases, for the insight start-up check (ensureCounts). */
export function finishedTotals(): Promise<{ counters: string; ownerCounters: string; cases: string }> {
  return groupTotals('finished');
}

/**
 * The start-up check of the queue counters: rebuild a group of counter tables from the cases when its totals per
 * status disagree with the cases (a new deployment of the tables, or drift). Returns the groups rebuilt.
 */
export async function ensureQueueCounts(): Promise<Group[]> {
  const stale: Group[] = [];
  for (const group of ['active', 'finished'] as const) {
    const t = await groupTotals(group);
    if (t.counters !== t.cases || t.ownerCounters !== t.cases) stale.push(group);
  }
  if (stale.length) await getDatabase().writer.transaction((tx) => tx.batch(rebuildQueueCountStatements(stale)));
  if (!(await referralDueAgrees())) await getDatabase().writer.transaction((tx) => tx.batch(rebuildReferralDueStatements()));
  return stale;
}
