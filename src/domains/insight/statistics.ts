/**
 * Public statistics (issue 15 point 5): reports received per London month, by ward and category group, read from
 * the pre-aggregates. No free text, no exact places: wards are the smallest area, and sensitive categories are
 * counted only at district level. Every table goes through suppressTable (counts 1-4 "fewer than 5", secondary
 * suppression so the totals cannot reveal them). Duplicates and spam are not counted.
 */
import type { SiteConfig } from '../../platform/config/partnership.ts';
import { readTuples } from './tuples.ts';
import { londonMonth } from '../../platform/time/london.ts';
import type { CsvRow } from '../../platform/csv.ts';
import { cellText, suppressTable, type Grid } from './suppression.ts';


/** How many complete months the statistics cover. */
export const STATISTICS_MONTHS = 12;

/** One published table: row and column labels (totals last) and the suppressed grid. */
export interface PublishedTable {
  rowIds: string[];
  rows: string[];
  columns: string[];
  grid: Grid;
}

/** The statistics for one month: wards by non-sensitive group, districts by sensitive group. */
export interface MonthStatistics {
  month: string;
  wards: PublishedTable;
  districts: PublishedTable;
}

/** The complete London months before `now`, oldest first. */
export function completeMonths(now: number, count = STATISTICS_MONTHS): string[] {
  const [y, m] = londonMonth(now).split('-').map(Number) as [number, number];
  return Array.from({ length: count }, (_, i) => {
    const k = y * 12 + (m - 1) - (count - i);
    return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
  });
}

const MONTH_LABELS = new Map<string, string>();

/** "March 2026" for "2026-03" (remembered: toLocaleString builds a formatter each call, a fifth of a county view's time). */
export function monthLabel(month: string): string {
  let label = MONTH_LABELS.get(month);
  if (label === undefined) {
    const [y, m] = month.split('-').map(Number) as [number, number];
    label = `${new Date(Date.UTC(y, m - 1, 15)).toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' })} ${y}`;
    if (MONTH_LABELS.size < 10_000) MONTH_LABELS.set(month, label);
  }
  return label;
}

/** The group names of the ward-level (non-sensitive) and district-level (sensitive) tables, in configuration order. */
export function categoryGroups(config: SiteConfig): { open: string[]; sensitive: string[] } {
  const uniq = (xs: string[]) => [...new Set(xs)];
  return { open: uniq(config.categories.filter((c) => !c.sensitive).map((c) => c.group)), sensitive: uniq(config.categories.filter((c) => c.sensitive).map((c) => c.group)) };
}

/** Report counts for the months, keyed month|district|ward|category, from the aggregates. */
async function readCounts(months: string[]): Promise<{ month: string; districtId: string; wardId: string; categoryId: string; n: number }[]> {
  if (months.length === 0) return [];
  // The ward x category facet of the counted reports (no duplicates or spam, no status, no channel): one row per cell summed.
  const rows = await readTuples(
    "SELECT month, district_id, ward_id, value, n FROM insight_facet_counts WHERE facet = 'ward_category' AND month >= ? AND month <= ? AND n <> 0",
    [months[0]!, months[months.length - 1]!], ['month', 'district_id', 'ward_id', 'value', 'n'],
  );
  return rows.map(([month, districtId, wardId, value, n]) => ({ month: String(month), districtId: String(districtId), wardId: String(wardId), categoryId: String(value), n: Number(n) }));
}

/** The published statistics for each complete month of the last year. */
export async function publicStatistics(config: SiteConfig, now: number): Promise<MonthStatistics[]> {
  const months = completeMonths(now);
  const counts = await readCounts(months);
  const groups = categoryGroups(config);
  const category = new Map(config.categories.map((c) => [c.id, c]));
  const wards = config.areas.filter((a) => a.kind === 'ward');
  const districts = config.areas.filter((a) => a.kind === 'district');
  const wardRows = [...wards.map((w) => w.id), ''];
  const districtRows = [...districts.map((d) => d.id), ''];
  const name = (id: string) => config.areas.find((a) => a.id === id)?.name ?? 'Place not known';
  return months.map((month) => {
    const wardBody = wardRows.map(() => groups.open.map(() => 0));
    const districtBody = districtRows.map(() => groups.sensitive.map(() => 0));
    for (const c of counts) {
      if (c.month !== month) continue;
      const cat = category.get(c.categoryId);
      if (cat?.sensitive) {
        const r = districtRows.indexOf(districtRows.includes(c.districtId) ? c.districtId : '');
        districtBody[r]![groups.sensitive.indexOf(cat.group)]! += c.n;
      } else {
        const r = wardRows.indexOf(wardRows.includes(c.wardId) ? c.wardId : '');
        wardBody[r]![groups.open.indexOf(cat?.group ?? 'Other') === -1 ? groups.open.length - 1 : groups.open.indexOf(cat?.group ?? 'Other')]! += c.n;
      }
    }
    return {
      month,
      wards: { rowIds: [...wardRows, 'total'], rows: [...wardRows.map(name), 'All wards'], columns: [...groups.open, 'All groups'], grid: suppressTable(wardBody) },
      districts: { rowIds: [...districtRows, 'total'], rows: [...districtRows.map(name), 'All districts'], columns: [...groups.sensitive, 'All sensitive groups'], grid: suppressTable(districtBody) },
    };
  });
}

/** What each field of the downloads means. */
export const DATA_DICTIONARY: { field: string; meaning: string }[] = [
  { field: 'month', meaning: 'The calendar month (UK time) in which the reports were received, as YYYY-MM.' },
  { field: 'level', meaning: '"ward" for the ward table (categories that are not sensitive), "district" for sensitive categories, which are never published below district level.' },
  { field: 'area_id', meaning: 'The ward or district identifier; "" for reports whose place is not known, "total" for the total row.' },
  { field: 'area_name', meaning: 'The ward or district name.' },
  { field: 'group', meaning: 'The category group; "All groups" or "All sensitive groups" is the row total.' },
  { field: 'count', meaning: 'The number of reports; empty when the count is suppressed.' },
  { field: 'shown_as', meaning: 'The figure as published: a number, "fewer than 5" (a count of 1 to 4), or "withheld" (a count hidden so that totals cannot reveal a small count).' },
];

/** The long-format rows of the downloads: one per published cell. */
export function statisticsRows(stats: MonthStatistics[]): { month: string; level: string; area_id: string; area_name: string; group: string; count: number | null; shown_as: string }[] {
  return stats.flatMap((s) =>
    (['wards', 'districts'] as const).flatMap((key) => {
      const t = s[key];
      return t.grid.flatMap((row, r) => row.map((cell, c) => ({
        month: s.month, level: key === 'wards' ? 'ward' : 'district', area_id: t.rowIds[r]!, area_name: t.rows[r]!, group: t.columns[c]!,
        count: cell.suppressed ? null : cell.value, shown_as: cellText(cell),
      })));
    }),
  );
}

/** The CSV download: a header row, then statisticsRows. */
export function statisticsCsvRows(stats: MonthStatistics[]): CsvRow[] {
  return [DATA_DICTIONARY.map((d) => d.field), ...statisticsRows(stats).map((r) => [r.month, r.level, r.area_id, r.area_name, r.group, r.count, r.shown_as])];
}

/** The monthly county totals of the chart (the published grand totals of both tables; null when withheld). */
export function monthlyTotals(stats: MonthStatistics[]): { month: string; reports: number | null; shown: string }[] {
  return stats.map((s) => {
    const a = s.wards.grid.at(-1)!.at(-1)!;
    const b = s.districts.grid.at(-1)!.at(-1)!;
    const known = !a.suppressed && !b.suppressed;
    return { month: s.month, reports: known ? a.value + b.value : null, shown: known ? (a.value + b.value).toLocaleString('en-GB') : 'withheld' };
  });
}
