/**
 * The weekly tasking list for the hot-spot group (issue 15 point 2): this week's emerging hot-spots (the rule of
 * hot-spots.ts applied to the month so far and to the last complete month), the wards with most open high-priority
 * cases (from the maintained open counts, open-counts.ts), and the wards with open cases over the repeat thresholds
 * (flags set by src/domains/cases/thresholds.ts).
 * Every line names a queue filter, so the page links to the cases behind it. All in the user's case scope.
 */
import type { InValue } from '@libsql/client';
import type { SiteConfig } from '../../platform/config/partnership.ts';
import { getDatabase } from '../../platform/db/client.ts';
import { londonMonth } from '../../platform/time/london.ts';
import type { CsvRow } from '../../platform/csv.ts';
import { caseScopeSql, type CaseScope } from '../cases/policy.ts';
import { ACTIVE_STATUSES } from '../cases/queue.ts';
import { HIGH_PRIORITIES, HIGH_PRIORITY } from '../cases/priority.ts';
import { FLAG_LABELS, type RepeatFlag } from '../cases/thresholds.ts';
import { openCasesByWardFromCounts } from './open-counts.ts';
import { addMonths, describeHotSpot, emergingHotSpots, readMonthlyCounts, wardsInScope, type EmergingHotSpot } from './hot-spots.ts';

/** How many wards the high-priority list shows. */
const TOP_WARDS = 10;

/** The repeat flags the list counts, in order. */
export const TASKING_FLAGS: readonly RepeatFlag[] = ['asb_case_review', 'repeat_location', 'repeat_reporter'];

/** A queue filter for a tasking line (the query-string keys of /staff/queue). */
export type QueueLink = Record<string, string>;

/** One line of the tasking list. */
export interface TaskingLine {
  section: 'emerging' | 'high-priority' | 'repeat';
  wardId: string;
  ward: string;
  /** What the line is about: a category, "P1 and P2", or a repeat flag in words. */
  about: string;
  /** For emerging hot-spots, the month tested. */
  month: string;
  count: number;
  /** In words: why the line is there. */
  detail: string;
  queue: QueueLink;
}

/** The tasking list of the week. */
export interface TaskingList {
  emerging: TaskingLine[];
  highPriority: TaskingLine[];
  repeats: TaskingLine[];
}

/**
 * Open cases in scope counted per ward, with an extra condition on `cases c`, read through `index`: the queue's
 * covering status index for priorities, a flag's partial index (cases_open_<flag>) for the repeat thresholds.
 */
async function openCasesByWard(scope: CaseScope, condition: string, conditionArgs: InValue[], index: string): Promise<{ wardId: string; n: number }[]> {
  if (scope.kind === 'none') return [];
  const scoped = caseScopeSql(scope);
  const r = await getDatabase().client.execute({
    sql: `SELECT c.ward_id AS ward_id, count(*) AS n FROM cases c INDEXED BY ${index}
          WHERE c.status IN (${ACTIVE_STATUSES.map(() => '?').join(', ')}) AND c.ward_id IS NOT NULL AND ${condition} ${scoped ? `AND ${scoped.clause}` : ''}
          GROUP BY c.ward_id ORDER BY n DESC, c.ward_id`,
    args: [...ACTIVE_STATUSES, ...conditionArgs, ...(scoped?.args ?? [])],
  });
  return r.rows.map((x) => ({ wardId: String(x.ward_id), n: Number(x.n) }));
}

/** The line of an emerging hot-spot. */
function emergingLine(config: SiteConfig, e: EmergingHotSpot, current: string): TaskingLine {
  const words = describeHotSpot(config, e);
  const usual = e.usual.toLocaleString('en-GB', { maximumFractionDigits: 1 });
  return {
    section: 'emerging', wardId: e.wardId, ward: words.ward, about: words.category, month: e.month, count: e.count,
    detail: `${e.count} reports in ${words.month}${e.month === current ? ' so far' : ''}; usually ${usual} a month; flagged from ${e.flagFrom}`,
    queue: { status: 'all', ward: e.wardId, category: e.categoryId, month: e.month, counted: '1' },
  };
}

/** The tasking list at `now` in the user's scope. */
export async function taskingList(config: SiteConfig, scope: CaseScope, now: number): Promise<TaskingList> {
  const current = londonMonth(now);
  const last = addMonths(current, -1);
  const wards = wardsInScope(config, scope);
  const name = new Map(wards.map((w) => [w.id, w.name]));
  const counts = await readMonthlyCounts(scope, addMonths(last, -config.hotSpots.baselineMonths), current);
  const emerging = [current, last].flatMap((month) => emergingHotSpots(counts, month, config.hotSpots)).filter((e) => name.has(e.wardId)).map((e) => emergingLine(config, e, current));
  // County and district scopes read the maintained open counts (a few dozen rows); a partner officer's scope is the
  // cases referred to their agency, which the counts do not key, so their (few) cases are counted directly.
  const high = scope.kind === 'all' || scope.kind === 'district'
    ? await openCasesByWardFromCounts(HIGH_PRIORITIES, scope.kind === 'district' ? scope.districtIds : null)
    : await openCasesByWard(scope, `c.priority IN (${HIGH_PRIORITIES.map(() => '?').join(', ')})`, [...HIGH_PRIORITIES], 'cases_status_facets');
  const highPriority = high.filter((h) => name.has(h.wardId)).slice(0, TOP_WARDS).map((h): TaskingLine => ({
    section: 'high-priority', wardId: h.wardId, ward: name.get(h.wardId)!, about: 'P1 and P2', month: current, count: h.n,
    detail: `${h.n} open ${h.n === 1 ? 'case' : 'cases'} at P1 or P2`, queue: { ward: h.wardId, priority: HIGH_PRIORITY, sort: 'priority' },
  }));
  const repeats: TaskingLine[] = [];
  for (const flag of TASKING_FLAGS) {
    const rows = await openCasesByWard(scope, `c.flags LIKE '%"${flag}"%'`, [], `cases_open_${flag}`);
    for (const r of rows) {
      if (!name.has(r.wardId)) continue;
      repeats.push({
        section: 'repeat', wardId: r.wardId, ward: name.get(r.wardId)!, about: FLAG_LABELS[flag], month: current, count: r.n,
        detail: `${r.n} open ${r.n === 1 ? 'case' : 'cases'} flagged "${FLAG_LABELS[flag]}"`, queue: { ward: r.wardId, flag },
      });
    }
  }
  return { emerging, highPriority, repeats };
}

/** The words for each section. */
export const SECTION_LABELS: Record<TaskingLine['section'], string> = {
  emerging: 'Emerging hot-spot',
  'high-priority': 'Open high-priority cases',
  repeat: 'Repeat threshold',
};

/** The CSV download of the list: a header row, then one row per line. */
export function taskingCsvRows(list: TaskingList, queueUrl: (q: QueueLink) => string): CsvRow[] {
  return [
    ['section', 'ward_id', 'ward', 'about', 'month', 'count', 'detail', 'queue_link'],
    ...[...list.emerging, ...list.highPriority, ...list.repeats].map((l) => [SECTION_LABELS[l.section], l.wardId, l.ward, l.about, l.month, l.count, l.detail, queueUrl(l.queue)]),
  ];
}
