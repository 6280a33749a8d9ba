/**
 * The dashboard's pre-aggregates (tables insight_report_counts and insight_facet_counts): counted reports (kind report,
 * not resolved as duplicate or spam) per London month of receipt, district, ward, category and channel, and the same
 * counts per facet (category, channel, ward, ward x category), which the views read. Status is left out, so the frequent
 * status changes never touch it, and a month holds at most wards x categories x channels rows: the dashboard reads a
 * year of it in a few milliseconds. Kept in the same atomic write as every case change, by countChangeStatements.
 */
import { valueRows } from '../../platform/db/placeholders.ts';
import type { InStatement } from '@libsql/client';
import { londonMonth } from '../../platform/time/london.ts';
import type { CountedFields } from './counts.ts';
import { counterUpsert } from '../../platform/db/counters.ts';
import { NOT_COUNTED_RESOLUTIONS } from '../cases/workflow.ts';

/** Resolutions that are not counted: the same report twice, or not a report at all (one list with the queue's counted filter). */
export const NOT_COUNTED: readonly string[] = NOT_COUNTED_RESOLUTIONS;

/** The key of a counted report, or null for a case the dashboard does not count. */
function reportKeyOf(c: CountedFields): string[] | null {
  if (c.kind !== 'report' || NOT_COUNTED.includes(c.resolutionCode ?? '')) return null;
  return [londonMonth(c.receivedAt), c.districtId ?? '', c.wardId ?? '', c.categoryId ?? '', c.channel];
}

const UPSERT_SQL =
  'INSERT INTO insight_report_counts (month, district_id, ward_id, category_id, channel, n) VALUES (?, ?, ?, ?, ?, ?) ' +
  'ON CONFLICT (month, district_id, ward_id, category_id, channel) DO UPDATE SET n = n + excluded.n';

/**
 * The facet rows of a report key, [facet, month, district, ward, value]: insight_facet_counts keys each facet exactly by
 * what a view groups by (so a view reads a few hundred rows, not every ward x category x channel row): the dashboard's
 * breakdowns by category, channel and ward, and the statistics' and hot-spots' ward x category.
 */
function facetKeysOf([month, district, ward, category, channel]: string[]): string[][] {
  return [['category', month!, district!, '', category!], ['channel', month!, district!, '', channel!], ['ward', month!, district!, ward!, ''], ['ward_category', month!, district!, ward!, category!]];
}

const FACET_CONFLICT = 'ON CONFLICT (facet, month, district_id, ward_id, value) DO UPDATE SET n = n + excluded.n';

/** The one statement that moves a report's facet rows from one key to another (the rows whose count changes). */
function facetCountStatement(from: string[] | null, to: string[] | null): InStatement[] {
  const delta = new Map<string, { key: string[]; n: number }>();
  for (const [key, n] of [[from, -1], [to, 1]] as const) {
    for (const k of key ? facetKeysOf(key) : []) {
      const id = k.join('\u0000');
      const d = delta.get(id) ?? { key: k, n: 0 };
      d.n += n;
      delta.set(id, d);
    }
  }
  const rows = [...delta.values()].filter((d) => d.n !== 0);
  if (!rows.length) return [];
  facetSqlOfSize[rows.length] ??= `INSERT INTO insight_facet_counts (facet, month, district_id, ward_id, value, n) VALUES ${valueRows(rows.length, 6)} ${FACET_CONFLICT}`;
  return [counterUpsert(facetSqlOfSize[rows.length]!, rows.flatMap((d) => [...d.key, d.n]), 6)];
}

/** The facet counter upsert's SQL by its number of rows, each text built once. */
const facetSqlOfSize: string[] = [];

/** The statements that move a case between report keys, in insight_report_counts and its facets (none when its key did not change). */
export function reportCountStatements(before: CountedFields | null, after: CountedFields | null): InStatement[] {
  const from = before ? reportKeyOf(before) : null;
  const to = after ? reportKeyOf(after) : null;
  if (from && to && from.join('\u0000') === to.join('\u0000')) return [];
  return [...(from ? [counterUpsert(UPSERT_SQL, [...from, -1], 6)] : []), ...(to ? [counterUpsert(UPSERT_SQL, [...to, 1], 6)] : []), ...facetCountStatement(from, to)];
}

/** The statements that recompute insight_facet_counts from insight_report_counts (a few thousand rows a year: well under a second at a million cases). */
export function rebuildFacetCountStatements(): InStatement[] {
  const insert = 'INSERT INTO insight_facet_counts (facet, month, district_id, ward_id, value, n) ';
  const from = 'FROM insight_report_counts GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0';
  return [
    { sql: 'DELETE FROM insight_facet_counts', args: [] },
    { sql: `${insert}SELECT 'category', month, district_id, '', category_id, sum(n) ${from}`, args: [] },
    { sql: `${insert}SELECT 'channel', month, district_id, '', channel, sum(n) ${from}`, args: [] },
    { sql: `${insert}SELECT 'ward', month, district_id, ward_id, '', sum(n) ${from}`, args: [] },
    { sql: `${insert}SELECT 'ward_category', month, district_id, ward_id, category_id, sum(n) ${from}`, args: [] },
  ];
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
    ...rebuildFacetCountStatements(),
  ];
}
