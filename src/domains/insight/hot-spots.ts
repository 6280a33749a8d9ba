/**
 * Hot-spots (issue 15 point 2): wards ranked by reports per 1,000 residents over a period, and the emerging hot-spot
 * flag per ward and category. Everything is read from the monthly pre-aggregates (insight_counts), never by scanning
 * cases, except for a partner officer, whose scope is the cases referred to their agency: the aggregates have no
 * agency key, so their (few) cases are counted directly.
 *
 * The emerging hot-spot rule. A ward's reports of one category in a month are flagged when
 *   - there are at least `minimumCount` of them, and
 *   - a count that high would happen by chance less than `chance` of the time (1 in 100 by default) if the ward
 *     still had its usual rate: the average of the same category's monthly counts over the `baselineMonths` months
 *     (6 by default) before, taking reports as arriving independently at that rate (a Poisson count).
 * Why Poisson rather than "mean plus two standard deviations": monthly counts for one ward and category are small whole
 * numbers (often 0 to 3). The standard deviation of six such numbers is unstable: it is zero when the months were
 * equal (so any rise of one would be flagged) and is blown up by a single busy month (so a real rise is missed). The
 * Poisson tail needs only the average, gives an exact probability for small counts, and is the usual test for a rise
 * in counts of events (as in public-health exceedance reporting). The minimum count stops a ward with no reports
 * before from being flagged for one or two. It does not allow for seasons or a partnership-wide rise; the page says so.
 */
import type { InValue } from '@libsql/client';
import type { Area, Category, HotSpotSettings, SiteConfig } from '../../platform/config/partnership.ts';
import { readTuples } from './tuples.ts';
import { londonMonth } from '../../platform/time/london.ts';
import type { CaseScope } from '../cases/policy.ts';
import { monthLabel } from './statistics.ts';


/** Reports of one category in one ward in one London month. */
export interface MonthlyCount {
  month: string;
  wardId: string;
  districtId: string;
  categoryId: string;
  n: number;
}

/** The month `k` months after `month` (YYYY-MM; k may be negative). */
export function addMonths(month: string, k: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const i = y * 12 + (m - 1) + k;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** The months from `from` to `to`, both included, oldest first. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from; m <= to && out.length < 1200; m = addMonths(m, 1)) out.push(m);
  return out;
}

/** The probability that a Poisson count with the given mean is `k` or more. */
export function poissonTail(mean: number, k: number): number {
  if (k <= 0) return 1;
  if (mean <= 0) return 0;
  let below = 0;
  let logP = -mean;
  for (let i = 0; i < k; i++) {
    below += Math.exp(logP);
    logP += Math.log(mean) - Math.log(i + 1);
  }
  return Math.max(0, 1 - below);
}

/**
 * The smallest count whose chance at the usual mean is below `chance`: poissonTail for k = 1, 2, ... in one pass (the
 * same sums in the same order, so the same numbers), not a new sum for each k (quadratic in the mean, which made a
 * busy ward's threshold cost thousands of exponentials).
 */
export function poissonThreshold(mean: number, chance: number): number {
  if (mean <= 0) return 1;
  const logMean = Math.log(mean);
  let below = 0;
  let logP = -mean;
  for (let k = 1; ; k++) {
    below += Math.exp(logP);
    logP += logMean - logOf(k);
    if (Math.max(0, 1 - below) < chance) return k;
  }
}

const LOGS: number[] = [];

/** Math.log(k) of a whole number, remembered (the same number each time, so the sums stay the same). */
function logOf(k: number): number {
  while (LOGS.length <= k) LOGS.push(Math.log(LOGS.length));
  return LOGS[k]!;
}

/** The verdict of the rule on one ward and category in one month. */
export interface EmergingTest {
  count: number;
  /** The average monthly count over the baseline months. */
  usual: number;
  /** The count from which the month is flagged: the larger of minimumCount and the Poisson threshold. */
  flagFrom: number;
  emerging: boolean;
}

/** Apply the emerging hot-spot rule to a month's count and the counts of the months before it (each month once). */
export function testEmerging(count: number, previous: readonly number[], settings: HotSpotSettings): EmergingTest {
  const usual = previous.length ? previous.reduce((a, b) => a + b, 0) / previous.length : 0;
  const flagFrom = Math.max(settings.minimumCount, poissonThreshold(usual, settings.chance));
  return { count, usual, flagFrom, emerging: count >= flagFrom };
}

/** The rule in plain words, with the configured numbers. */
export function emergingRuleText(settings: HotSpotSettings): string {
  const odds = Math.round(1 / settings.chance);
  return `A ward is an emerging hot-spot for a type of report in a month when it had at least ${settings.minimumCount} reports of that type, ` +
    `and so many more than its own average over the ${settings.baselineMonths} months before that a rise this large would happen by chance less than 1 time in ${odds} if nothing had changed ` +
    '(a Poisson test: reports are taken to arrive independently at the ward\'s usual rate). The rule does not allow for seasons or for a rise across the whole partnership.';
}

/** One flagged ward and category. */
export interface EmergingHotSpot extends EmergingTest {
  month: string;
  wardId: string;
  districtId: string;
  categoryId: string;
}

/** The emerging hot-spots of a month from monthly counts that cover it and the baseline months before it. */
export function emergingHotSpots(counts: readonly MonthlyCount[], month: string, settings: HotSpotSettings): EmergingHotSpot[] {
  const baseline = monthsBetween(addMonths(month, -settings.baselineMonths), addMonths(month, -1));
  const byKey = new Map<string, { districtId: string; months: Map<string, number> }>();
  for (const c of counts) {
    if (!c.wardId || !c.categoryId) continue;
    const key = `${c.wardId}|${c.categoryId}`;
    const entry = byKey.get(key) ?? { districtId: c.districtId, months: new Map<string, number>() };
    entry.months.set(c.month, (entry.months.get(c.month) ?? 0) + c.n);
    byKey.set(key, entry);
  }
  const out: EmergingHotSpot[] = [];
  for (const [key, { districtId, months }] of byKey) {
    const count = months.get(month) ?? 0;
    if (count === 0) continue;
    const test = testEmerging(count, baseline.map((m) => months.get(m) ?? 0), settings);
    if (!test.emerging) continue;
    const [wardId, categoryId] = key.split('|') as [string, string];
    out.push({ ...test, month, wardId, districtId, categoryId });
  }
  return out.sort((a, b) => b.count / Math.max(b.usual, 0.5) - a.count / Math.max(a.usual, 0.5) || b.count - a.count || a.wardId.localeCompare(b.wardId));
}

/** One ward's line of the ranking. */
export interface WardRank {
  wardId: string;
  name: string;
  districtId: string;
  population: number;
  reports: number;
  /** Reports per 1,000 residents, or null when the population is not known (0). */
  perThousand: number | null;
}

/** Wards ranked by reports per 1,000 residents over the months counted (highest first; unknown populations last). */
export function rankWards(counts: readonly MonthlyCount[], wards: readonly Area[], categoryId?: string): WardRank[] {
  const reports = new Map<string, number>();
  for (const c of counts) if (!categoryId || c.categoryId === categoryId) reports.set(c.wardId, (reports.get(c.wardId) ?? 0) + c.n);
  return wards.map((w) => {
    const n = reports.get(w.id) ?? 0;
    return { wardId: w.id, name: w.name, districtId: w.parent ?? '', population: w.population, reports: n, perThousand: w.population > 0 ? (n * 1000) / w.population : null };
  }).sort((a, b) => (b.perThousand ?? -1) - (a.perThousand ?? -1) || b.reports - a.reports || a.name.localeCompare(b.name));
}

/** Reports per 1,000 residents in words: one decimal place. */
export function formatRate(perThousand: number | null): string {
  return perThousand === null ? 'Population not known' : perThousand.toLocaleString('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

/**
 * The scope of aggregate figures: a partner officer's are those of their district team's districts (the whole county
 * when the agency has none), as on the dashboard (insightScope); case-level lists keep the case scope.
 */
export function aggregateScope(scope: CaseScope): CaseScope {
  if (scope.kind !== 'agency') return scope;
  return scope.districtIds.length ? { kind: 'district', districtIds: scope.districtIds } : { kind: 'all' };
}

/** Report counts by month, ward and category in the user's aggregate scope (aggregateScope), from the ward x category facet (insight_facet_counts). */
export async function readMonthlyCounts(caseScope: CaseScope, from: string, to: string): Promise<MonthlyCount[]> {
  const scope = aggregateScope(caseScope);
  if (scope.kind === 'none' || scope.kind === 'agency') return [];
  const districts = scope.kind === 'district' ? `AND district_id IN (${scope.districtIds.map(() => '?').join(', ')})` : '';
  const sql = `SELECT month, ward_id, district_id, value, n FROM insight_facet_counts WHERE facet = 'ward_category' AND month BETWEEN ? AND ? ${districts} AND n <> 0`;
  const args: InValue[] = [from, to, ...(scope.kind === 'district' ? scope.districtIds : [])];
  const rows = await readTuples(sql, args, ['month', 'ward_id', 'district_id', 'value', 'n']);
  return rows.map(([month, wardId, districtId, value, n]) => ({ month: String(month), wardId: String(wardId), districtId: String(districtId), categoryId: String(value), n: Number(n) }));
}

/** The wards a scope covers: every ward, or those of the user's districts. */
export function wardsInScope(config: SiteConfig, scope: CaseScope): Area[] {
  const wards = config.areas.filter((a) => a.kind === 'ward');
  if (scope.kind === 'none') return [];
  const districts = scope.kind === 'all' ? [] : scope.districtIds;
  return districts.length ? wards.filter((w) => w.parent && districts.includes(w.parent)) : wards;
}

/** What the hot-spots page asks for. */
export interface HotSpotQuery {
  from: string;
  to: string;
  categoryId?: string;
}

/** The hot-spots page: the ranking over the period and the emerging hot-spots of its last month. */
export interface HotSpotReport {
  query: HotSpotQuery;
  ranking: WardRank[];
  /** Reports in scope whose ward is not known (not ranked). */
  withoutWard: number;
  emerging: EmergingHotSpot[];
}

/** The months a user can choose: the current London month and the 23 before it, newest first. */
export function choosableMonths(now: number): string[] {
  const current = londonMonth(now);
  return Array.from({ length: 24 }, (_, i) => addMonths(current, -i));
}

/** The default period: the three complete months before `now`. */
export function defaultPeriod(now: number): { from: string; to: string } {
  const current = londonMonth(now);
  return { from: addMonths(current, -3), to: addMonths(current, -1) };
}

/** The ranking and emerging hot-spots in the user's scope (pure over the counts read once). */
export async function hotSpotReport(config: SiteConfig, scope: CaseScope, query: HotSpotQuery): Promise<HotSpotReport> {
  const counts = await readMonthlyCounts(scope, addMonths(query.to, -config.hotSpots.baselineMonths) < query.from ? addMonths(query.to, -config.hotSpots.baselineMonths) : query.from, query.to);
  const inPeriod = counts.filter((c) => c.month >= query.from && c.month <= query.to);
  const wards = wardsInScope(config, scope);
  const wardIds = new Set(wards.map((w) => w.id));
  const withoutWard = inPeriod.filter((c) => !wardIds.has(c.wardId) && (!query.categoryId || c.categoryId === query.categoryId)).reduce((a, c) => a + c.n, 0);
  const emerging = emergingHotSpots(counts.filter((c) => !query.categoryId || c.categoryId === query.categoryId), query.to, config.hotSpots).filter((e) => wardIds.has(e.wardId));
  return { query, ranking: rankWards(inPeriod, wards, query.categoryId), withoutWard, emerging };
}

/** Names for the ids of an emerging hot-spot. */
export function describeHotSpot(config: SiteConfig, e: EmergingHotSpot): { ward: string; category: string; month: string } {
  const ward = config.areas.find((a) => a.id === e.wardId)?.name ?? e.wardId;
  const category = config.categories.find((c: Category) => c.id === e.categoryId)?.name ?? e.categoryId;
  return { ward, category, month: monthLabel(e.month) };
}
