/**
 * The partner dashboard and the county view (issue 15 points 1 and 3): aggregate figures for a month or a quarter,
 * scoped to the districts a user serves, with no personal data.
 *
 * Where each figure comes from:
 *   - Report counts (category, ward, district, month, channel) come from the dashboard pre-aggregate
 *     (insight_report_counts, see report-counts.ts): four small grouped reads over the months of the period, the
 *     previous period, the same period last year and the year's trend.
 *   - Timers met, the medians, repeat victims and Case Review thresholds need per-case values (timer JSON, resolution
 *     times, flags), so they are read by bounded queries over the period's cases only (the cases_received index keeps
 *     them to the period, never a scan of all cases); medians are exact (the lower median, by a window function).
 *   - Referrals, calls and consultation responses are read by bounded queries over their own period index.
 * Duplicates and spam are not counted, as in the public statistics. Calls have no district: they are the whole hotline.
 */
import type { SiteConfig } from '../../platform/config/partnership.ts';
import { getDatabase } from '../../platform/db/client.ts';
import { londonMonth, londonTime } from '../../platform/time/london.ts';
import { caseScope, CHANNEL_LABELS, TIMER_NAMES, type TimerName } from '../cases/index.ts';
import type { PolicySubject } from '../identity/types.ts';
import { NOT_COUNTED } from './report-counts.ts';
import { COARSE, COARSE_WIDTH, dueDayBucket, histogramMedian, medianRank, OPEN_TOTAL } from './measures.ts';
import { monthLabel } from './statistics.ts';
import { readTuples } from './tuples.ts';


/** A month or a quarter: its id ("2026-03" or "2026-Q1"), its London months and its instants [from, to). */
export interface Period {
  id: string;
  kind: 'month' | 'quarter';
  label: string;
  months: string[];
  from: number;
  to: number;
}

/** The month id `k` months after year/month (k may be negative). */
function shiftMonth(y: number, m: number, k: number): { y: number; m: number } {
  const n = y * 12 + (m - 1) + k;
  return { y: Math.floor(n / 12), m: (n % 12) + 1 };
}

const monthId = ({ y, m }: { y: number; m: number }) => `${y}-${String(m).padStart(2, '0')}`;

/** The period of `months` London months starting at y/m. */
function periodOf(kind: 'month' | 'quarter', y: number, m: number): Period {
  const count = kind === 'month' ? 1 : 3;
  const months = Array.from({ length: count }, (_, i) => monthId(shiftMonth(y, m, i)));
  const end = shiftMonth(y, m, count);
  const q = Math.floor((m - 1) / 3) + 1;
  return {
    id: kind === 'month' ? months[0]! : `${y}-Q${q}`,
    kind,
    label: kind === 'month' ? monthLabel(months[0]!) : `${monthLabel(months[0]!).split(' ')[0]} to ${monthLabel(months[2]!)}`,
    months,
    from: londonTime(y, m, 1, 0),
    to: londonTime(end.y, end.m, 1, 0),
  };
}

/** The period an id names ("2026-03" a month, "2026-Q1" a quarter), or null. */
export function parsePeriod(id: string | null | undefined): Period | null {
  const month = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(id ?? '');
  if (month) return periodOf('month', Number(month[1]), Number(month[2]));
  const quarter = /^(\d{4})-Q([1-4])$/.exec(id ?? '');
  if (quarter) return periodOf('quarter', Number(quarter[1]), (Number(quarter[2]) - 1) * 3 + 1);
  return null;
}

/** The period of the same kind just before. */
export function previousPeriod(p: Period): Period {
  const [y, m] = p.months[0]!.split('-').map(Number) as [number, number];
  const s = shiftMonth(y, m, p.kind === 'month' ? -1 : -3);
  return periodOf(p.kind, s.y, s.m);
}

/** The same period a year earlier. */
export function sameLastYear(p: Period): Period {
  const [y, m] = p.months[0]!.split('-').map(Number) as [number, number];
  return periodOf(p.kind, y - 1, m);
}

/** The periods a user may choose, newest first: this month and the twelve before it, this quarter and the four before it. */
export function periodChoices(now: number): { months: Period[]; quarters: Period[] } {
  const [y, m] = londonMonth(now).split('-').map(Number) as [number, number];
  const months = Array.from({ length: 13 }, (_, i) => shiftMonth(y, m, -i)).map((x) => periodOf('month', x.y, x.m));
  const q0 = shiftMonth(y, m, -((m - 1) % 3));
  const quarters = Array.from({ length: 5 }, (_, i) => shiftMonth(q0.y, q0.m, -3 * i)).map((x) => periodOf('quarter', x.y, x.m));
  return { months, quarters };
}

/** The default period: the last complete month. */
export function defaultDashboardPeriod(now: number): Period {
  return periodChoices(now).months[1]!;
}

/** What a user's figures cover: the districts (null for the whole county), and for a partner officer their agency's referrals only. */
export interface InsightScope {
  districtIds: string[] | null;
  agencyId: string | null;
  /** A bound user with no district or agency on record: no figures at all. */
  none: boolean;
}

/** The figures scope of a user: the districts of their case scope (a partner agency serves the county unless it has a district team). */
export function insightScope(user: PolicySubject): InsightScope {
  const scope = caseScope(user);
  switch (scope.kind) {
    case 'all': return { districtIds: null, agencyId: null, none: false };
    case 'district': return { districtIds: scope.districtIds, agencyId: null, none: false };
    case 'agency': return { districtIds: scope.districtIds.length ? scope.districtIds : null, agencyId: scope.agencyId, none: false };
    case 'none': return { districtIds: [], agencyId: null, none: true };
  }
}

/** A count in the period, the previous period and the same period last year. */
export interface Trio {
  current: number;
  previous: number;
  lastYear: number;
}

/** One row of a breakdown. */
export interface BreakdownRow {
  id: string;
  label: string;
  counts: Trio;
}

/** Timers of one priority and name: how many fell due (or were met) and how many were met in time. */
export interface TimerFigure {
  priority: string;
  timer: TimerName;
  due: number;
  met: number;
}

/** Referrals to one agency sent in the period. */
export interface ReferralFigure {
  agencyId: string;
  label: string;
  sent: number;
  acknowledged: number;
  onTime: number;
  medianAcknowledgeMs: number | null;
}

/** Everything on the dashboard for one scope and period. */
export interface DashboardFigures {
  period: Period;
  previous: Period;
  lastYear: Period;
  total: Trio;
  byCategory: BreakdownRow[];
  byWard: BreakdownRow[];
  byDistrict: BreakdownRow[];
  /** Reports each month for the twelve months to the end of the period. */
  byMonth: { month: string; label: string; count: number }[];
  channels: { id: string; label: string; count: number }[];
  timers: TimerFigure[];
  medianAcknowledgeMs: number | null;
  medianResolveMs: number | null;
  referrals: ReferralFigure[];
  repeatVictims: number;
  caseReviews: number;
  calls: { handled: number; abandoned: number };
  consultations: { id: string; title: string; responses: number }[];
}

/** SQL placeholders for a list. */
const marks = (xs: readonly unknown[]) => xs.map(() => '?').join(', ');

/** The district condition of a scope over a column ('' when county-wide). */
function districtClause(districtIds: string[] | null, column: string): { sql: string; args: string[] } {
  return districtIds === null ? { sql: '', args: [] } : { sql: ` AND ${column} IN (${marks(districtIds)})`, args: districtIds };
}

/** The twelve months to the end of the period, oldest first (the trend chart). */
function monthsNeeded(period: Period): string[] {
  const [y, m] = period.months.at(-1)!.split('-').map(Number) as [number, number];
  return Array.from({ length: 12 }, (_, i) => monthId(shiftMonth(y, m, i - 11)));
}

/** One grouped row of report counts ('' for a field not grouped by). */
interface CountRow {
  month: string;
  districtId: string;
  wardId: string;
  categoryId: string;
  channel: string;
  n: number;
}

/**
 * Report counts from the dashboard's narrow pre-aggregate (insight_facet_counts, see report-counts.ts), four ways: by
 * category and by ward over the period, the previous period and the same period last year, by channel over the
 * period, and the trend by month (from the channel rows, the fewest per month). Each row read is one row shown or
 * summed: a few hundred at most.
 */
async function readCounts(period: Period, districtIds: string[] | null): Promise<{ category: CountRow[]; ward: CountRow[]; channel: CountRow[]; trend: CountRow[] }> {
  const d = districtClause(districtIds, 'district_id');
  const trend = monthsNeeded(period);
  const trio = [...period.months, ...previousPeriod(period).months, ...sameLastYear(period).months];
  const read = async (facet: 'category' | 'channel' | 'ward', months: string[]): Promise<CountRow[]> => {
    const rows = await readTuples(
      `SELECT month, district_id, ward_id, value, n FROM insight_facet_counts WHERE facet = ? AND month IN (${marks(months)})${d.sql} AND n <> 0`,
      [facet, ...months, ...d.args], ['month', 'district_id', 'ward_id', 'value', 'n'],
    );
    return rows.map(([month, districtId, wardId, value, n]) => ({
      month: String(month), districtId: String(districtId), wardId: String(wardId), categoryId: facet === 'category' ? String(value) : '', channel: facet === 'channel' ? String(value) : '', n: Number(n),
    }));
  };
  const [category, ward, channel, byMonth] = await Promise.all([read('category', trio), read('ward', trio), read('channel', period.months), read('channel', trend)]);
  return { category, ward, channel, trend: byMonth };
}

/** The condition on `cases c` for counted reports received in the period, in scope. */
function periodCases(period: Period, districtIds: string[] | null): { sql: string; args: (string | number)[] } {
  const d = districtClause(districtIds, 'c.district_id');
  return {
    sql: `c.received_at >= ? AND c.received_at < ? AND c.kind = 'report' AND coalesce(c.resolution_code, '') NOT IN (${marks(NOT_COUNTED)})${d.sql}`,
    args: [period.from, period.to, ...NOT_COUNTED, ...d.args],
  };
}

/**
 * The timers of the period's cases by group (district, or '' for all) and priority, from the pre-aggregate
 * (measures.ts): met in time, met late, and not met yet. A timer not yet met counts as fallen due once the day it
 * falls due has ended (TIMER_DUE_RULE), so what has fallen due is met + late + every open timer (the OPEN_TOTAL rows)
 * less the open timers falling due from today on (the open rows from today's bucket): two reads of a few hundred
 * rows, never every day an open timer falls due on. Every priority seen gets a row for each timer.
 */
async function readTimers(period: Period, districtIds: string[] | null, byDistrict: boolean, now: number): Promise<(TimerFigure & { group: string })[]> {
  const d = districtClause(districtIds, 'district_id');
  const g = byDistrict ? 'district_id' : "''";
  const db = getDatabase().client;
  const where = `month IN (${marks(period.months)}) AND measure IN (${marks(TIMER_NAMES)})`;
  const [totals, notDue] = await Promise.all([
    db.execute({
      sql: `SELECT ${g} AS g, priority, measure, sum(n) AS n, sum(CASE WHEN state = 'met' THEN n ELSE 0 END) AS met FROM insight_measures INDEXED BY insight_measures_state
            WHERE ${where} AND state IN ('met', 'late', '${OPEN_TOTAL}')${d.sql} GROUP BY 1, 2, 3`,
      args: [...period.months, ...TIMER_NAMES, ...d.args],
    }),
    db.execute({
      sql: `SELECT ${g} AS g, priority, measure, sum(n) AS n FROM insight_measures INDEXED BY insight_measures_state WHERE ${where} AND state = 'open' AND bucket >= ?${d.sql} GROUP BY 1, 2, 3`,
      args: [...period.months, ...TIMER_NAMES, dueDayBucket(now), ...d.args],
    }),
  ]);
  const pending = new Map(notDue.rows.map((x) => [`${String(x.g ?? '')}|${String(x.priority ?? '')}|${String(x.measure)}`, Number(x.n)]));
  const figures = new Map<string, TimerFigure & { group: string }>();
  for (const x of totals.rows) {
    if (Number(x.n) === 0) continue;
    const group = String(x.g ?? '');
    const priority = String(x.priority ?? '');
    for (const timer of TIMER_NAMES) {
      const key = `${group}|${priority}|${timer}`;
      if (!figures.has(key)) figures.set(key, { group, priority, timer, due: 0, met: 0 });
    }
    const key = `${group}|${priority}|${String(x.measure)}`;
    const f = figures.get(key)!;
    f.due += Number(x.n) - (pending.get(key) ?? 0);
    f.met += Number(x.met);
  }
  return [...figures.values()];
}

/** The group key of the total over every district read (never a district id). */
const TOTAL = '\u0000total';

/** A VALUES list for a common table expression, with its arguments. */
function valuesOf(rows: readonly (readonly (string | number | null)[])[]): { sql: string; args: (string | number | null)[] } {
  return { sql: rows.map((r) => `(${marks(r)})`).join(', '), args: rows.flat() };
}

/** Add one histogram into another. */
function mergeInto(into: Map<number, number>, from: ReadonlyMap<number, number>): void {
  for (const [bucket, n] of from) into.set(bucket, (into.get(bucket) ?? 0) + n);
}

/**
 * The lower median of a duration over the period's cases by group (district, or '' for all), read from its histogram
 * (measures.ts: the bucket's middle) in two steps: the coarse histogram says which COARSE_WIDTH fine buckets hold the
 * median and how many durations lie below them, then one statement reads only those fine buckets for every group.
 * The same bucket as walking the whole histogram. By district, the total over the districts read comes too (TOTAL).
 */
async function readMedians(period: Period, districtIds: string[] | null, byDistrict: boolean, measure: 'acknowledge_ms' | 'resolve_ms'): Promise<Map<string, number>> {
  const d = districtClause(districtIds, 'm.district_id');
  const g = byDistrict ? 'm.district_id' : "''";
  const coarse = await readTuples(
    `SELECT ${g} AS g, m.bucket AS bucket, sum(m.n) AS n FROM insight_measures m INDEXED BY insight_measures_state WHERE m.month IN (${marks(period.months)}) AND m.measure = ? AND m.state = '${COARSE}'${d.sql} GROUP BY 1, 2`,
    [...period.months, measure, ...d.args], ['g', 'bucket', 'n'],
  );
  const histograms = new Map<string, Map<number, number>>();
  for (const [g, bucket, n] of coarse) {
    const group = String(g ?? '');
    const h = histograms.get(group) ?? new Map<number, number>();
    h.set(Number(bucket), Number(n));
    histograms.set(group, h);
  }
  if (byDistrict) histograms.set(TOTAL, [...histograms.values()].reduce((all, h) => (mergeInto(all, h), all), new Map<number, number>()));
  const wants = [...histograms].flatMap(([group, h]) => {
    const at = medianRank(h);
    return at ? [{ group, at }] : [];
  });
  const medians = new Map<string, number>();
  if (!wants.length) return medians;
  const want = valuesOf(wants.map((w, k) => [k, byDistrict && w.group !== TOTAL ? w.group : null, w.at.bucket * COARSE_WIDTH, (w.at.bucket + 1) * COARSE_WIDTH]));
  const fine = await readTuples(
    `WITH want(k, g, lo, hi) AS (VALUES ${want.sql}) SELECT want.k AS k, m.bucket AS bucket, sum(m.n) AS n FROM want CROSS JOIN insight_measures m INDEXED BY insight_measures_state
     WHERE m.month IN (${marks(period.months)}) AND m.measure = ? AND m.state = '' AND m.bucket >= want.lo AND m.bucket < want.hi AND (want.g IS NULL OR m.district_id = want.g)${d.sql} GROUP BY 1, 2`,
    [...want.args, ...period.months, measure, ...d.args], ['k', 'bucket', 'n'],
  );
  wants.forEach((w, k) => {
    const median = histogramMedian(new Map(fine.filter((x) => Number(x[0]) === k).map((x) => [Number(x[1]), Number(x[2])])), w.at.rank - w.at.below);
    if (median !== null) medians.set(w.group, median);
  });
  return medians;
}

/**
 * Repeat victims (distinct reporters flagged as repeat reporters) and Case Review thresholds reached, by group: each
 * read from its partial index (cases_repeat_reporter, cases_case_review), which holds only the flagged cases.
 */
async function readRepeats(period: Period, districtIds: string[] | null, group: string, withTotal = false): Promise<Map<string, { repeatVictims: number; caseReviews: number }>> {
  const w = periodCases(period, districtIds);
  const db = getDatabase().client;
  // With the total (the county view), the distinct reporters over every group come from the same scan: a reporter can
  // report in two districts, so the total is not the sum of the groups.
  const victims = withTotal
    ? `WITH x AS MATERIALIZED (SELECT ${group} AS g, c.reporter_id AS r FROM cases c INDEXED BY cases_repeat_reporter WHERE c.flags LIKE '%"repeat_reporter"%' AND ${w.sql} GROUP BY 1, 2)
       SELECT g, count(r) AS n FROM x GROUP BY g UNION ALL SELECT NULL AS g, count(DISTINCT r) AS n FROM x`
    : `SELECT ${group} AS g, count(DISTINCT c.reporter_id) AS n FROM cases c INDEXED BY cases_repeat_reporter WHERE c.flags LIKE '%"repeat_reporter"%' AND ${w.sql} GROUP BY 1`;
  const [victimRows, reviews] = await Promise.all([
    db.execute({ sql: victims, args: w.args }),
    db.execute({ sql: `SELECT ${group} AS g, count(*) AS n FROM cases c INDEXED BY cases_case_review WHERE c.flags LIKE '%"asb_case_review"%' AND ${w.sql} GROUP BY 1`, args: w.args }),
  ]);
  const out = new Map<string, { repeatVictims: number; caseReviews: number }>();
  const slot = (g: unknown) => {
    const key = String(g ?? '');
    const v = out.get(key) ?? { repeatVictims: 0, caseReviews: 0 };
    out.set(key, v);
    return v;
  };
  for (const x of victimRows.rows) slot(withTotal && x.g === null ? TOTAL : x.g).repeatVictims = Number(x.n); // the total's row has no group
  for (const x of reviews.rows) {
    slot(x.g).caseReviews = Number(x.n);
    if (withTotal) slot(TOTAL).caseReviews += Number(x.n);
  }
  return out;
}

/**
 * Referrals sent in the period by group (district, or '' for all; by district with the TOTAL over them too) and
 * agency, from the pre-aggregate (referral-counts.ts): sent, acknowledged, on time, and the median time to
 * acknowledge from the histogram, in two steps as the case medians (the coarse rows, then one statement for the fine
 * buckets holding every median).
 */
async function readReferrals(period: Period, scope: InsightScope, byDistrict: boolean): Promise<(Omit<ReferralFigure, 'label'> & { group: string })[]> {
  const d = districtClause(scope.districtIds, 'r.district_id');
  const a = scope.agencyId ? { sql: ' AND r.agency_id = ?', args: [scope.agencyId] } : { sql: '', args: [] };
  const g = byDistrict ? 'r.district_id' : "''";
  const r = await readTuples(
    `SELECT ${g} AS g, r.agency_id AS agency_id, r.state AS state, r.bucket AS bucket, sum(r.n) AS n FROM insight_referral_counts r
     WHERE r.month IN (${marks(period.months)}) AND r.state IN ('sent', 'on_time', 'ack_coarse')${d.sql}${a.sql} GROUP BY 1, 2, 3, 4`,
    [...period.months, ...d.args, ...a.args], ['g', 'agency_id', 'state', 'bucket', 'n'],
  );
  const figures = new Map<string, Omit<ReferralFigure, 'label'> & { group: string; coarse: Map<number, number> }>();
  const slot = (group: string, agencyId: string) => {
    const key = `${group}|${agencyId}`;
    const f = figures.get(key) ?? { group, agencyId, sent: 0, acknowledged: 0, onTime: 0, medianAcknowledgeMs: null, coarse: new Map<number, number>() };
    figures.set(key, f);
    return f;
  };
  for (const [g, agencyId, state, bucket, count] of r) {
    const n = Number(count);
    if (n === 0) continue;
    for (const f of [slot(String(g ?? ''), String(agencyId)), ...(byDistrict ? [slot(TOTAL, String(agencyId))] : [])]) {
      if (state === 'sent') f.sent += n;
      else if (state === 'on_time') f.onTime += n;
      else {
        f.acknowledged += n;
        f.coarse.set(Number(bucket), (f.coarse.get(Number(bucket)) ?? 0) + n);
      }
    }
  }
  const wants = [...figures.values()].flatMap((f) => {
    const at = medianRank(f.coarse);
    return at ? [{ f, at }] : [];
  });
  if (wants.length) {
    const want = valuesOf(wants.map((w, k) => [k, w.f.agencyId, byDistrict && w.f.group !== TOTAL ? w.f.group : null, w.at.bucket * COARSE_WIDTH, (w.at.bucket + 1) * COARSE_WIDTH]));
    const fine = await readTuples(
      `WITH want(k, agency, g, lo, hi) AS (VALUES ${want.sql}) SELECT want.k AS k, r.bucket AS bucket, sum(r.n) AS n FROM want CROSS JOIN insight_referral_counts r
       WHERE r.month IN (${marks(period.months)}) AND r.state = 'ack' AND r.agency_id = want.agency AND r.bucket >= want.lo AND r.bucket < want.hi AND (want.g IS NULL OR r.district_id = want.g)${d.sql} GROUP BY 1, 2`,
      [...want.args, ...period.months, ...d.args], ['k', 'bucket', 'n'],
    );
    wants.forEach((w, k) => {
      w.f.medianAcknowledgeMs = histogramMedian(new Map(fine.filter((x) => Number(x[0]) === k).map((x) => [Number(x[1]), Number(x[2])])), w.at.rank - w.at.below);
    });
  }
  return [...figures.values()].filter((f) => f.sent > 0).sort((a, b) => a.group.localeCompare(b.group) || a.agencyId.localeCompare(b.agencyId))
    .map(({ group, agencyId, sent, acknowledged, onTime, medianAcknowledgeMs }) => ({ group, agencyId, sent, acknowledged, onTime, medianAcknowledgeMs }));
}

/** Hotline calls started in the period: handled, and abandoned (the caller hung up or the call dropped). */
async function readCalls(period: Period): Promise<{ handled: number; abandoned: number }> {
  const r = await getDatabase().client.execute({
    sql: "SELECT count(*) AS n, sum(CASE WHEN outcome = 'abandoned' THEN 1 ELSE 0 END) AS abandoned FROM calls WHERE started_at >= ? AND started_at < ?",
    args: [period.from, period.to],
  });
  const n = Number(r.rows[0]!.n);
  const abandoned = Number(r.rows[0]!.abandoned ?? 0);
  return { handled: n - abandoned, abandoned };
}

/** Counted consultation responses submitted in the period, per consultation, with the consultation's area. */
async function readConsultations(period: Period): Promise<{ id: string; title: string; areaId: string | null; responses: number }[]> {
  const r = await getDatabase().client.execute({
    // Counted per consultation from the period index first (consultation_responses_submitted covers it), then joined.
    sql: `SELECT c.id, c.title, c.area_id, x.n AS n FROM (SELECT consultation_id, count(*) AS n FROM consultation_responses INDEXED BY consultation_responses_submitted
          WHERE submitted_at >= ? AND submitted_at < ? AND state = 'counted' GROUP BY consultation_id) x JOIN consultations c ON c.id = x.consultation_id ORDER BY n DESC, c.title`,
    args: [period.from, period.to],
  });
  return r.rows.map((x) => ({ id: String(x.id), title: String(x.title), areaId: x.area_id == null ? null : String(x.area_id), responses: Number(x.n) }));
}

/** The district an area lies in (itself for a district, its parent for a ward), or null for the whole partnership. */
function districtOfArea(config: SiteConfig, areaId: string | null): string | null {
  const area = areaId ? config.areas.find((a) => a.id === areaId) : undefined;
  if (!area || area.kind === 'county') return null;
  return area.kind === 'district' ? area.id : (area.parent ?? null);
}

/** The consultations whose responses a scope counts: partnership-wide ones, and those of its districts and their wards. */
function consultationsFor(config: SiteConfig, rows: Awaited<ReturnType<typeof readConsultations>>, districtIds: string[] | null, partnershipWide = true) {
  return rows
    .filter((c) => {
      const district = districtOfArea(config, c.areaId);
      return district === null ? partnershipWide : districtIds === null || districtIds.includes(district);
    })
    .map(({ id, title, responses }) => ({ id, title, responses }));
}

/** Sum counts into a breakdown by a key, in the order of `order` (ids) then any others. */
function breakdown(counts: CountRow[], periods: [Period, Period, Period], key: (c: CountRow) => string, label: (id: string) => string, order: string[]): BreakdownRow[] {
  const [cur, prev, last] = periods.map((p) => new Set(p.months));
  const rows = new Map<string, Trio>();
  for (const c of counts) {
    const slot = cur!.has(c.month) ? 'current' : prev!.has(c.month) ? 'previous' : last!.has(c.month) ? 'lastYear' : null;
    if (!slot) continue;
    const id = key(c);
    const t = rows.get(id) ?? { current: 0, previous: 0, lastYear: 0 };
    t[slot] += c.n;
    rows.set(id, t);
  }
  const ids = [...order.filter((id) => rows.has(id)), ...[...rows.keys()].filter((id) => !order.includes(id)).sort()];
  return ids.map((id) => ({ id, label: label(id), counts: rows.get(id)! }));
}

/** The figures that come from the pre-aggregated counts (already filtered to the districts wanted). */
function countFigures(config: SiteConfig, counts: Awaited<ReturnType<typeof readCounts>>, period: Period) {
  const periods: [Period, Period, Period] = [period, previousPeriod(period), sameLastYear(period)];
  const name = (id: string) => config.areas.find((a) => a.id === id)?.name ?? 'Place not known';
  const byCategory = breakdown(counts.category, periods, (c) => c.categoryId, (id) => config.categories.find((c) => c.id === id)?.name ?? 'Category not known', config.categories.map((c) => c.id));
  const byWard = breakdown(counts.ward, periods, (c) => c.wardId, name, config.areas.filter((a) => a.kind === 'ward').map((a) => a.id));
  const byDistrict = breakdown(counts.ward, periods, (c) => c.districtId, name, config.areas.filter((a) => a.kind === 'district').map((a) => a.id));
  const total = byDistrict.reduce((t, r) => ({ current: t.current + r.counts.current, previous: t.previous + r.counts.previous, lastYear: t.lastYear + r.counts.lastYear }), { current: 0, previous: 0, lastYear: 0 });
  const byMonth = monthsNeeded(period).map((month) => ({ month, label: monthLabel(month), count: counts.trend.filter((c) => c.month === month).reduce((a, c) => a + c.n, 0) }));
  const channels = Object.keys(CHANNEL_LABELS).map((id) => ({ id, label: CHANNEL_LABELS[id]!, count: counts.channel.filter((c) => c.channel === id).reduce((a, c) => a + c.n, 0) }));
  return { total, byCategory, byWard, byDistrict, byMonth, channels };
}

/** The counts of one district. */
function countsOf(counts: Awaited<ReturnType<typeof readCounts>>, districtId: string): Awaited<ReturnType<typeof readCounts>> {
  const keep = (rows: CountRow[]) => rows.filter((c) => c.districtId === districtId);
  return { category: keep(counts.category), ward: keep(counts.ward), channel: keep(counts.channel), trend: keep(counts.trend) };
}

/** An empty set of figures (a user with no scope). */
function emptyFigures(period: Period): DashboardFigures {
  const zero = { current: 0, previous: 0, lastYear: 0 };
  return {
    period, previous: previousPeriod(period), lastYear: sameLastYear(period), total: zero, byCategory: [], byWard: [], byDistrict: [], byMonth: [], channels: [],
    timers: [], medianAcknowledgeMs: null, medianResolveMs: null, referrals: [], repeatVictims: 0, caseReviews: 0, calls: { handled: 0, abandoned: 0 }, consultations: [],
  };
}

/** A referral figure without its group key, named. */
function withoutGroup(r: Omit<ReferralFigure, 'label'> & { group: string }, name: (id: string) => string): ReferralFigure {
  return { agencyId: r.agencyId, label: name(r.agencyId), sent: r.sent, acknowledged: r.acknowledged, onTime: r.onTime, medianAcknowledgeMs: r.medianAcknowledgeMs };
}


/** The dashboard for a scope and period, as of `now`. */
export async function dashboardFigures(config: SiteConfig, scope: InsightScope, period: Period, now: number): Promise<DashboardFigures> {
  if (scope.none) return emptyFigures(period);
  const d = scope.districtIds;
  const [counts, timers, ack, resolve, repeats, referrals, calls, consultations] = await Promise.all([
    readCounts(period, d), readTimers(period, d, false, now), readMedians(period, d, false, 'acknowledge_ms'), readMedians(period, d, false, 'resolve_ms'),
    readRepeats(period, d, "''"), readReferrals(period, scope, false), readCalls(period), readConsultations(period),
  ]);
  const agencyName = (id: string) => config.agencies.find((a) => a.id === id)?.name ?? id;
  return {
    period, previous: previousPeriod(period), lastYear: sameLastYear(period),
    ...countFigures(config, counts, period),
    timers: sortTimers(timers.map(({ priority, timer, due, met }) => ({ priority, timer, due, met }))),
    medianAcknowledgeMs: ack.get('') ?? null,
    medianResolveMs: resolve.get('') ?? null,
    referrals: referrals.map((r) => withoutGroup(r, agencyName)).sort((a, b) => a.label.localeCompare(b.label)),
    repeatVictims: repeats.get('')?.repeatVictims ?? 0,
    caseReviews: repeats.get('')?.caseReviews ?? 0,
    calls,
    consultations: consultationsFor(config, consultations, d),
  };
}

/** One column of the county view: a district, or the county total (id ''). */
export interface CountyColumn {
  id: string;
  name: string;
  figures: DashboardFigures;
}

/** Timers in the dashboard's order: by priority, then in timer order. */
function sortTimers(timers: TimerFigure[]): TimerFigure[] {
  return timers.sort((a, b) => a.priority.localeCompare(b.priority) || TIMER_NAMES.indexOf(a.timer) - TIMER_NAMES.indexOf(b.timer));
}

/** The timers of every group added up per priority and timer. */
function sumTimers(timers: readonly (TimerFigure & { group: string })[]): TimerFigure[] {
  const out = new Map<string, TimerFigure>();
  for (const t of timers) {
    const f = out.get(`${t.priority}|${t.timer}`) ?? { priority: t.priority, timer: t.timer, due: 0, met: 0 };
    f.due += t.due;
    f.met += t.met;
    out.set(`${t.priority}|${t.timer}`, f);
  }
  return [...out.values()];
}

/**
 * The county view: the same measures for every district in scope, then the total over them (the county total for
 * county-wide users), each exactly what dashboardFigures gives for that scope. The total comes from the same reads as
 * the columns (report counts, timers, calls and consultations added up; the medians' and referrals' histograms merged),
 * and reads only what cannot be added: the repeat victims (distinct reporters) and the fine buckets of its medians.
 */
export async function countyFigures(config: SiteConfig, scope: InsightScope, period: Period, now: number): Promise<CountyColumn[]> {
  if (scope.none) return [];
  const districts = config.areas.filter((a) => a.kind === 'district' && (scope.districtIds === null || scope.districtIds.includes(a.id)));
  const d = scope.districtIds;
  const g = "coalesce(c.district_id, '')";
  const [counts, timers, ack, resolve, repeats, referrals, calls, consultations] = await Promise.all([
    readCounts(period, d), readTimers(period, d, true, now), readMedians(period, d, true, 'acknowledge_ms'), readMedians(period, d, true, 'resolve_ms'),
    readRepeats(period, d, g, true), readReferrals(period, scope, true), readCalls(period), readConsultations(period),
  ]);
  const agencyName = (id: string) => config.agencies.find((a) => a.id === id)?.name ?? id;
  const columns = districts.map((district): CountyColumn => ({
    id: district.id,
    name: district.name,
    figures: {
      period, previous: previousPeriod(period), lastYear: sameLastYear(period),
      ...countFigures(config, countsOf(counts, district.id), period),
      timers: sortTimers(timers.filter((t) => t.group === district.id).map(({ priority, timer, due, met }) => ({ priority, timer, due, met }))),
      medianAcknowledgeMs: ack.get(district.id) ?? null,
      medianResolveMs: resolve.get(district.id) ?? null,
      referrals: referrals.filter((r) => r.group === district.id).map((r) => withoutGroup(r, agencyName)),
      repeatVictims: repeats.get(district.id)?.repeatVictims ?? 0,
      caseReviews: repeats.get(district.id)?.caseReviews ?? 0,
      calls,
      consultations: consultationsFor(config, consultations, [district.id], false),
    },
  }));
  const total: DashboardFigures = {
    period, previous: previousPeriod(period), lastYear: sameLastYear(period),
    ...countFigures(config, counts, period),
    timers: sortTimers(sumTimers(timers)),
    medianAcknowledgeMs: ack.get(TOTAL) ?? null,
    medianResolveMs: resolve.get(TOTAL) ?? null,
    referrals: referrals.filter((r) => r.group === TOTAL).map((r) => withoutGroup(r, agencyName)).sort((a, b) => a.label.localeCompare(b.label)),
    repeatVictims: repeats.get(TOTAL)?.repeatVictims ?? 0,
    caseReviews: repeats.get(TOTAL)?.caseReviews ?? 0,
    calls,
    consultations: consultationsFor(config, consultations, d),
  };
  return [...columns, { id: '', name: scope.districtIds === null ? 'County total' : 'Total of your districts', figures: total }];
}

/** Timers met as a share of those due, over all priorities for one timer (null when none fell due). */
export function timerRate(timers: readonly TimerFigure[], timer: TimerName): { due: number; met: number; percent: number | null } {
  const due = timers.filter((t) => t.timer === timer).reduce((a, t) => a + t.due, 0);
  const met = timers.filter((t) => t.timer === timer).reduce((a, t) => a + t.met, 0);
  return { due, met, percent: due ? Math.round((met / due) * 1000) / 10 : null };
}
