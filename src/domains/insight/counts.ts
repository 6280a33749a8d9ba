/**
 * Pre-aggregated case counts (table insight_counts): one row per London month of receipt and combination of the
 * counted fields. Every case creation and every change of a counted field adds its delta statements to the same
 * atomic write as the case row itself, so the counts never drift from the cases; rebuildCounts recomputes them
 * from the cases table (start-up backfill when the table is empty, and by `npm run insight:rebuild`).
 */
import type { InStatement } from '@libsql/client';
import { getDatabase } from '../../platform/db/client.ts';
import { londonMonth } from '../../platform/time/london.ts';
import { rebuildFacetCountStatements, rebuildReportCountStatements, reportCountStatements } from './report-counts.ts';
import { COARSE, measureChangeStatements, OPEN_TOTAL, rebuildMeasureStatements, rebuildMeasureSummaryStatements } from './measures.ts';
import { openCountStatements, openTotals, rebuildOpenCountStatements } from './open-counts.ts';
import { rebuildReferralCountStatements, referralTotals } from './referral-counts.ts';
import { finishedTotals, queueCountStatements, rebuildQueueCountStatements } from '../cases/queue-counts.ts';
import { counterUpsert } from '../../platform/db/counters.ts';

/** The case fields that decide which count a case falls in. */
export interface CountedFields {
  receivedAt: number;
  kind: string;
  channel: string;
  categoryId?: string | null;
  districtId?: string | null;
  wardId?: string | null;
  status: string;
  resolutionCode?: string | null;
  /** Read by the dashboard measures (measures.ts) and the queue counters (cases/queue-counts.ts). */
  resolvedAt?: number | null;
  timers?: unknown;
  priority?: string | null;
  ownerId?: string | null;
  referredAgencyId?: string | null;
}

/** The counted case fields by name, for callers deciding whether a change touches the counts. */
export const COUNTED_FIELDS = ['receivedAt', 'kind', 'channel', 'categoryId', 'districtId', 'wardId', 'status', 'resolutionCode', 'resolvedAt', 'timers', 'priority', 'ownerId', 'referredAgencyId'] as const;

/** One aggregate key: the London month and the counted fields, '' for none. */
export type CountKey = [month: string, kind: string, channel: string, categoryId: string, districtId: string, wardId: string, status: string, resolution: string];

/** The aggregate key a case falls in. */
export function countKeyOf(c: CountedFields): CountKey {
  return [londonMonth(c.receivedAt), c.kind, c.channel, c.categoryId ?? '', c.districtId ?? '', c.wardId ?? '', c.status, c.resolutionCode ?? ''];
}

const UPSERT_SQL =
  'INSERT INTO insight_counts (month, kind, channel, category_id, district_id, ward_id, status, resolution, n) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ' +
  'ON CONFLICT (month, kind, channel, category_id, district_id, ward_id, status, resolution) DO UPDATE SET n = n + excluded.n';

/** The statement that adds `delta` to one aggregate key. */
function addCountStatement(key: CountKey, delta: number): InStatement {
  return counterUpsert(UPSERT_SQL, [...key, delta], 9);
}

/**
 * The statements that move a case between aggregate keys: from `before` (null for a new case) to `after` (null for a
 * deleted case); none when the counted fields did not change. Put them in the same batch as the case write. Besides
 * insight_counts they keep the dashboard's report counts, its timer and duration measures, and the queue's finished
 * counters: each an increment in SQL, only for the aggregates whose key moved.
 */
export function countChangeStatements(before: CountedFields | null, after: CountedFields | null): InStatement[] {
  const from = before ? countKeyOf(before) : null;
  const to = after ? countKeyOf(after) : null;
  const moved = !(from && to && from.join('\u0000') === to.join('\u0000'));
  return [
    ...(moved && from ? [addCountStatement(from, -1)] : []),
    ...(moved && to ? [addCountStatement(to, 1)] : []),
    ...(moved ? reportCountStatements(before, after) : []),
    ...measureChangeStatements(before, after),
    ...queueCountStatements(before, after),
    ...openCountStatements(before, after),
  ];
}

/**
 * SQL for the London month (YYYY-MM) of a millisecond column. London is an hour ahead of UTC only in summer time, and
 * the months that begin in summer time are exactly April to October, so an instant belongs to the UTC month of one
 * hour later when that month is April to October, and otherwise to its own UTC month.
 */
export function londonMonthSql(column: string): string {
  const later = `strftime('%Y-%m', ${column} / 1000 + 3600, 'unixepoch')`;
  return `CASE WHEN substr(${later}, 6, 2) BETWEEN '04' AND '10' THEN ${later} ELSE strftime('%Y-%m', ${column} / 1000, 'unixepoch') END`;
}

const REBUILD_SQL =
  'INSERT INTO insight_counts (month, kind, channel, category_id, district_id, ward_id, status, resolution, n) ' +
  `SELECT ${londonMonthSql('received_at')}, kind, channel, coalesce(category_id, ''), coalesce(district_id, ''), coalesce(ward_id, ''), status, coalesce(resolution_code, ''), count(*) ` +
  'FROM cases GROUP BY 1, 2, 3, 4, 5, 6, 7, 8';

/** Recompute every aggregate from the cases table, in one write transaction; returns the number of aggregate rows. */
export async function rebuildCounts(): Promise<number> {
  return getDatabase().writer.transaction(async (tx) => {
    await tx.batch([
      { sql: 'DELETE FROM insight_counts', args: [] },
      { sql: REBUILD_SQL, args: [] },
      ...rebuildReportCountStatements(londonMonthSql('received_at')),
      ...rebuildMeasureStatements(londonMonthSql('received_at')),
      ...rebuildQueueCountStatements(),
      ...rebuildOpenCountStatements(),
      ...rebuildReferralCountStatements(londonMonthSql('r.sent_at')),
    ]);
    const rows = await tx.execute({ sql: 'SELECT count(*) AS n FROM insight_counts', args: [] });
    return Number(rows.rows[0]!.n);
  });
}

/**
 * Recompute only the narrow pre-aggregates that need no scan of every case (insight_facet_counts from
 * insight_report_counts, the summary rows of insight_measures from its fine rows, insight_open_counts from the
 * active cases' index, insight_referral_counts from the referrals): what a deployment that adds one of them needs,
 * in seconds at a million cases rather than the minutes of a full rebuild.
 */
export async function rebuildDerivedCounts(): Promise<void> {
  await getDatabase().writer.transaction(async (tx) => {
    await tx.batch([...rebuildFacetCountStatements(), ...rebuildMeasureSummaryStatements(), ...rebuildOpenCountStatements(), ...rebuildReferralCountStatements(londonMonthSql('r.sent_at'))]);
  });
}

/**
 * The start-up check: rebuild every aggregate when there are cases but no aggregates yet in a table (a new deployment
 * of a table), or when the queue's finished counters disagree with the cases (totals per status, one index count);
 * rebuild only the narrow ones (rebuildDerivedCounts) when just those are missing, or the open counts disagree with
 * the open cases, or the referral counts with the referrals. Returns whether anything was rebuilt.
 */
export async function ensureCounts(): Promise<boolean> {
  const { client } = getDatabase();
  const have = await client.execute(
    "SELECT (SELECT 1 FROM insight_counts LIMIT 1) AS counts, (SELECT 1 FROM cases LIMIT 1) AS cases, (SELECT 1 FROM insight_report_counts LIMIT 1) AS reports, " +
      "(SELECT 1 FROM cases WHERE kind = 'report' AND coalesce(resolution_code, '') NOT IN ('duplicate', 'spam') LIMIT 1) AS counted, " +
      "(SELECT 1 FROM insight_measures LIMIT 1) AS measures, (SELECT 1 FROM cases WHERE kind = 'report' AND timers IS NOT NULL AND coalesce(resolution_code, '') NOT IN ('duplicate', 'spam') LIMIT 1) AS timed, " +
      `(SELECT 1 FROM insight_facet_counts LIMIT 1) AS facets, (SELECT 1 FROM insight_measures WHERE state IN ('open', '') LIMIT 1) AS fine, (SELECT 1 FROM insight_measures WHERE state IN ('${OPEN_TOTAL}', '${COARSE}') LIMIT 1) AS summaries`,
  );
  const row = have.rows[0]!;
  const empty = (row.counts == null && row.cases != null) || (row.reports == null && row.counted != null) || (row.measures == null && row.timed != null);
  const totals = empty ? null : await finishedTotals();
  if (empty || totals!.counters !== totals!.cases || totals!.ownerCounters !== totals!.cases) {
    await rebuildCounts();
    return true;
  }
  const [open, referrals] = await Promise.all([openTotals(), referralTotals()]);
  const derivedMissing = (row.facets == null && row.reports != null) || (row.summaries == null && row.fine != null);
  if (!derivedMissing && open.counters === open.cases && referrals.counters === referrals.referrals) return false;
  await rebuildDerivedCounts();
  return true;
}
