/**
 * The dashboard's per-case measures, pre-aggregated (table insight_measures) per London month of receipt and district
 * of counted reports (kind report, not resolved as duplicate or spam):
 *   - timer outcomes: per priority (the one the timers came from) and timer, how many were met in time ('met'), met
 *     late ('late'), or are not met yet ('open', with the UTC day they fall due as the bucket, so "fallen due by now" is
 *     a sum over the buckets before the current day: a few rows a month rather than one per open timer);
 *   - duration histograms for the medians: time to acknowledge and time to resolve, in fixed buckets (DURATION_BUCKETS);
 *   - summary rows beside them (OPEN_TOTAL, COARSE below), so that no view reads every bucket.
 * Every case change adds its delta statement to the same atomic write as the case row (countChangeStatements), as an
 * increment in SQL, so two processes on one file stay correct; rebuildMeasureStatements recomputes the table.
 */
import { valueRows } from '../../platform/db/placeholders.ts';
import type { InStatement } from '@libsql/client';
import { londonMonth } from '../../platform/time/london.ts';
import { NOT_COUNTED } from './report-counts.ts';
import { counterUpsert } from '../../platform/db/counters.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Timer names in the order the case timers hold them (kept here so insight does not import the cases domain twice). */
const TIMERS = ['acknowledge', 'triage', 'update', 'resolve'] as const;

/** The case fields the measures read. */
export interface MeasuredFields {
  receivedAt: number;
  kind: string;
  districtId?: string | null;
  resolutionCode?: string | null;
  resolvedAt?: number | null;
  /** The case timers (JSON text or the parsed object), or null. */
  timers?: unknown;
}

/**
 * The duration buckets, in words: a quarter of an hour up to a day, an hour up to 14 days, a day up to a year, then
 * one bucket for a year or more. A median read from them is the middle of the bucket holding the exact lower median,
 * so it is within 7.5 minutes of it under a day, 30 minutes under 14 days and 12 hours under a year.
 */
export const DURATION_PRECISION = 'to the nearest quarter of an hour under a day, the nearest hour under 14 days and the nearest day after that';

const QUARTERS = 96; // buckets 0..95: 15 minutes each, up to a day
const HOURS = 13 * 24; // buckets 96..407: an hour each, from 1 to 14 days
const DAYS = 351; // buckets 408..758: a day each, from 14 days to a year
const LAST = QUARTERS + HOURS + DAYS; // 759: a year or more

/** The bucket of a duration in milliseconds (negative durations fall in the first). */
export function durationBucket(ms: number): number {
  if (ms < DAY) return Math.max(0, Math.floor(ms / (15 * MINUTE)));
  if (ms < 14 * DAY) return QUARTERS + Math.floor((ms - DAY) / HOUR);
  if (ms < 365 * DAY) return QUARTERS + HOURS + Math.floor((ms - 14 * DAY) / DAY);
  return LAST;
}

/** The same bucket in SQL, for an integer millisecond expression. */
export function durationBucketSql(expression: string): string {
  const ms = `CAST(${expression} AS INTEGER)`;
  return `CASE WHEN ${ms} < 0 THEN 0 WHEN ${ms} < ${DAY} THEN ${ms} / ${15 * MINUTE} WHEN ${ms} < ${14 * DAY} THEN ${QUARTERS} + (${ms} - ${DAY}) / ${HOUR} ` +
    `WHEN ${ms} < ${365 * DAY} THEN ${QUARTERS + HOURS} + (${ms} - ${14 * DAY}) / ${DAY} ELSE ${LAST} END`;
}

/** The duration a bucket stands for: its middle, to the minute (the start of the last, open-ended bucket). */
export function bucketMiddleMs(bucket: number): number {
  if (bucket < QUARTERS) return bucket * 15 * MINUTE + 7.5 * MINUTE;
  if (bucket < QUARTERS + HOURS) return DAY + (bucket - QUARTERS) * HOUR + 30 * MINUTE;
  if (bucket < LAST) return 14 * DAY + (bucket - QUARTERS - HOURS) * DAY + 12 * HOUR;
  return 365 * DAY;
}

/**
 * The lower median of a histogram (bucket to count), as its bucket's middle, or null when it is empty; or, given a
 * 1-based rank, the middle of the bucket holding that rank (for a slice of a histogram, with the rank within it).
 */
export function histogramMedian(histogram: ReadonlyMap<number, number>, rankWithin?: number): number | null {
  const buckets = [...histogram.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((a, [, n]) => a + n, 0);
  if (!total) return null;
  const rank = rankWithin ?? Math.floor((total + 1) / 2); // the lower median's 1-based rank, as row_number() = (n + 1) / 2
  let seen = 0;
  for (const [bucket, n] of buckets) {
    seen += n;
    if (seen >= rank) return bucketMiddleMs(bucket);
  }
  return null;
}

/** Where the lower median lies in a histogram: its bucket, its 1-based rank and how many lie in the buckets below (null when empty). */
export function medianRank(histogram: ReadonlyMap<number, number>): { bucket: number; rank: number; below: number } | null {
  const buckets = [...histogram.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((a, [, n]) => a + n, 0);
  const rank = Math.floor((total + 1) / 2);
  let below = 0;
  for (const [bucket, n] of buckets) {
    if (below + n >= rank) return total ? { bucket, rank, below } : null;
    below += n;
  }
  return null;
}

/** One aggregate key: month, district, priority, measure, state, bucket. */
type MeasureKey = [month: string, districtId: string, priority: string, measure: string, state: string, bucket: number];

/** The case timers as an object, whatever form the row holds them in. */
function parseTimers(timers: unknown): Record<string, unknown> | null {
  if (timers == null) return null;
  if (typeof timers === 'string') {
    try {
      return JSON.parse(timers) as Record<string, unknown>;
    } catch {
      return null;
    }
  }
  return typeof timers === 'object' ? (timers as Record<string, unknown>) : null;
}

/** A number from a timer field, or null. */
const numberOrNull = (v: unknown) => (typeof v === 'number' ? v : null);

/** The aggregate keys a case falls in (none for a case the dashboard does not count). */
export function measureKeysOf(c: MeasuredFields): MeasureKey[] {
  if (c.kind !== 'report' || NOT_COUNTED.includes(c.resolutionCode ?? '')) return [];
  const month = londonMonth(c.receivedAt);
  const district = c.districtId ?? '';
  const keys: MeasureKey[] = [];
  const timers = parseTimers(c.timers);
  if (timers) {
    const priority = typeof timers.priority === 'string' ? timers.priority : '';
    for (const name of TIMERS) {
      const t = timers[name] as { dueAt?: unknown; metAt?: unknown } | null | undefined;
      const due = numberOrNull(t?.dueAt);
      if (due === null) continue;
      const met = numberOrNull(t?.metAt);
      if (met === null) keys.push([month, district, priority, name, 'open', dueDayBucket(due)], [month, district, priority, name, OPEN_TOTAL, 0]);
      else keys.push([month, district, priority, name, met <= due ? 'met' : 'late', 0]);
    }
    const ack = numberOrNull((timers.acknowledge as { metAt?: unknown } | null | undefined)?.metAt);
    if (ack !== null) keys.push(...durationKeys(month, district, 'acknowledge_ms', durationBucket(ack - c.receivedAt)));
  }
  if (c.resolvedAt != null) keys.push(...durationKeys(month, district, 'resolve_ms', durationBucket(c.resolvedAt - c.receivedAt)));
  return keys;
}

/**
 * The summary rows beside the fine ones, so a view reads a few hundred rows rather than every bucket: per priority and
 * timer, all the timers not met yet (state open_total, bucket 0: "fallen due" is then met + late + open_total minus the
 * open rows from today on); per duration, a coarse histogram (state coarse, bucket = fine bucket / COARSE_WIDTH) that
 * says which COARSE_WIDTH fine buckets hold the median.
 */
export const OPEN_TOTAL = 'open_total';
export const COARSE = 'coarse';
export const COARSE_WIDTH = 24;

/** The fine and coarse keys of one duration. */
function durationKeys(month: string, district: string, measure: string, bucket: number): MeasureKey[] {
  return [[month, district, '', measure, '', bucket], [month, district, '', measure, COARSE, Math.floor(bucket / COARSE_WIDTH)]];
}

const COLUMNS = 'month, district_id, priority, measure, state, bucket, n';
const CONFLICT = 'ON CONFLICT (month, measure, district_id, priority, state, bucket) DO UPDATE SET n = n + excluded.n';

/**
 * The statement that moves a case's measures from `before` (null: a new case) to `after` (null: a deleted case): one
 * multi-row upsert of the keys whose count changed, or none.
 */
export function measureChangeStatements(before: MeasuredFields | null, after: MeasuredFields | null): InStatement[] {
  const delta = new Map<string, { key: MeasureKey; n: number }>();
  const add = (keys: MeasureKey[], n: number) => {
    for (const key of keys) {
      const id = key.join('\u0000');
      const d = delta.get(id) ?? { key, n: 0 };
      d.n += n;
      delta.set(id, d);
    }
  };
  if (before) add(measureKeysOf(before), -1);
  if (after) add(measureKeysOf(after), 1);
  const rows = [...delta.values()].filter((d) => d.n !== 0);
  if (!rows.length) return [];
  measureSqlOfSize[rows.length] ??= `INSERT INTO insight_measures (${COLUMNS}) VALUES ${valueRows(rows.length, 7)} ${CONFLICT}`;
  return [counterUpsert(measureSqlOfSize[rows.length]!, rows.flatMap((d) => [...d.key, d.n]), 7)];
}

/** The measure counter upsert's SQL by its number of rows, each text built once. */
const measureSqlOfSize: string[] = [];

/** The statements that recompute the table from the cases (the month SQL given by the caller). */
export function rebuildMeasureStatements(monthSql: string): InStatement[] {
  const counted = `kind = 'report' AND coalesce(resolution_code, '') NOT IN (${NOT_COUNTED.map((x) => `'${x}'`).join(', ')})`;
  const insert = `INSERT INTO insight_measures (${COLUMNS}) `;
  const timers = TIMERS.map((t) => {
    const due = `(timers ->> '$.${t}.dueAt')`;
    const met = `(timers ->> '$.${t}.metAt')`;
    return {
      sql: insert +
        `SELECT ${monthSql}, coalesce(district_id, ''), coalesce(timers ->> '$.priority', ''), '${t}', ` +
        `CASE WHEN ${met} IS NULL THEN 'open' WHEN ${met} <= ${due} THEN 'met' ELSE 'late' END, CASE WHEN ${met} IS NULL THEN CAST(${due} AS INTEGER) / ${DAY} ELSE 0 END, count(*) ` +
        `FROM cases WHERE ${counted} AND timers IS NOT NULL AND ${due} IS NOT NULL GROUP BY 1, 2, 3, 5, 6`,
      args: [],
    };
  });
  const ack = `((timers ->> '$.acknowledge.metAt') - received_at)`;
  return [
    { sql: 'DELETE FROM insight_measures', args: [] },
    ...timers,
    { sql: insert + `SELECT ${monthSql}, coalesce(district_id, ''), '', 'acknowledge_ms', '', ${durationBucketSql(ack)}, count(*) FROM cases WHERE ${counted} AND (timers ->> '$.acknowledge.metAt') IS NOT NULL GROUP BY 1, 2, 6`, args: [] },
    { sql: insert + `SELECT ${monthSql}, coalesce(district_id, ''), '', 'resolve_ms', '', ${durationBucketSql('(resolved_at - received_at)')}, count(*) FROM cases WHERE ${counted} AND resolved_at IS NOT NULL GROUP BY 1, 2, 6`, args: [] },
    ...rebuildMeasureSummaryStatements(),
  ];
}

/** The statements that recompute the summary rows (OPEN_TOTAL, COARSE) from the fine rows of the table itself: about a second at a million cases. */
export function rebuildMeasureSummaryStatements(): InStatement[] {
  const insert = `INSERT INTO insight_measures (${COLUMNS}) `;
  return [
    { sql: `DELETE FROM insight_measures WHERE state IN ('${OPEN_TOTAL}', '${COARSE}')`, args: [] },
    { sql: insert + `SELECT month, district_id, priority, measure, '${OPEN_TOTAL}', 0, sum(n) FROM insight_measures WHERE state = 'open' GROUP BY month, district_id, priority, measure HAVING sum(n) <> 0`, args: [] },
    {
      sql: insert + `SELECT month, district_id, priority, measure, '${COARSE}', bucket / ${COARSE_WIDTH}, sum(n) FROM insight_measures WHERE measure IN ('acknowledge_ms', 'resolve_ms') AND state = '' ` +
        'GROUP BY month, district_id, priority, measure, bucket / ' + COARSE_WIDTH + ' HAVING sum(n) <> 0',
      args: [],
    },
  ];
}

/** The bucket of the day a timer not yet met falls due (UTC days since 1970). */
export function dueDayBucket(dueAt: number): number {
  return Math.floor(dueAt / DAY);
}

/** How the dashboard decides that a timer not yet met has fallen due (the aggregate keeps the day it falls due). */
export const TIMER_DUE_RULE = 'A timer not yet met counts as missed once the day it fell due has ended (midnight UTC, 1 am in summer time).';
