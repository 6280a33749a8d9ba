/**
 * The dashboard's pre-aggregate (table insight_report_counts): counted reports (kind report, not resolved as duplicate
 * or spam) per London month of receipt, district, ward, category and channel. Status is left out, so the frequent
 * status changes never touch it, and a month holds at most wards x categories x channels rows: the dashboard reads a
 * year of it in a few milliseconds. Kept in the same atomic write as every case change, by countChangeStatements.
 */
import type { InStatement } from '@libsql/client';
import { londonMonth } from '../../platform/time/london.ts';
import type { CountedFields } from './counts.ts';

/** Resolutions that are not counted: the same report twice, or not a report at all. */
export const NOT_COUNTED = ['duplicate', 'spam'];

/** The key of a counted report, or null for a case the dashboard does not count. */
function reportKeyOf(c: CountedFields): string[] | null {
  if (c.kind !== 'report' || NOT_COUNTED.includes(c.resolutionCode ?? '')) return null;
  return [londonMonth(c.receivedAt), c.districtId ?? '', c.wardId ?? '', c.categoryId ?? '', c.channel];
}

const UPSERT_SQL =
  'INSERT INTO insight_report_counts (month, district_id, ward_id, category_id, channel, n) VALUES (?, ?, ?, ?, ?, ?) ' +
  'ON CONFLICT (month, district_id, ward_id, category_id, channel) DO UPDATE SET n = n + excluded.n';

/** The statements that move a case between report keys (none when its key did not change). */
export function reportCountStatements(before: CountedFields | null, after: CountedFields | null): InStatement[] {
  const from = before ? reportKeyOf(before) : null;
  const to = after ? reportKeyOf(after) : null;
  if (from && to && from.join('\u0000') === to.join('\u0000')) return [];
  return [...(from ? [{ sql: UPSERT_SQL, args: [...from, -1] }] : []), ...(to ? [{ sql: UPSERT_SQL, args: [...to, 1] }] : [])];
}

/** The statements that recompute the table from the cases (the month SQL given by the caller). */
export function rebuildReportCountStatements(monthSql: string): InStatement[] {
  return [
    { sql: 'DELETE FROM insight_report_counts', args: [] },
    {
      sql: 'INSERT INTO insight_report_counts (month, district_id, ward_id, category_id, channel, n) ' +
        `SELECT ${monthSql}, coalesce(district_id, ''), coalesce(ward_id, ''), coalesce(category_id, ''), channel, count(*) FROM cases ` +
        `WHERE kind = 'report' AND coalesce(resolution_code, '') NOT IN (${NOT_COUNTED.map((x) => `'${x}'`).join(', ')}) GROUP BY 1, 2, 3, 4, 5`,
      args: [],
    },
  ];
}
