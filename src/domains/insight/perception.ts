/**
 * Perception against reality (issue 15 point 4): per ward, how safe residents say they feel (the standard safety
 * question of consultations that closed in the last 12 complete months) against the reports per 1,000 residents the
 * public statistics count over those 12 months.
 *
 * Method, as the page states it:
 *   - Feeling safe is the share answering "very safe" or "fairly safe", in daylight and after dark, of the counted
 *     responses that named the ward and answered that part. Responses of every such consultation are pooled.
 *   - A ward with fewer than MINIMUM_RESPONSES responses is not shown (too few to say, and a few people could be
 *     recognised).
 *   - Reports are the ward-level reports of the public statistics (not sensitive categories, no duplicates or spam)
 *     summed over the 12 months. A ward's total is withheld when any of its monthly totals is suppressed on
 *     /statistics, as the sum would reveal it.
 *   - The comparison sets each ward against the partnership's average of the wards shown: a ward where fewer feel safe
 *     after dark than on average while its report rate is below average "feels less safe than its reports suggest";
 *     more feel safe with a rate above average "feels safer than its reports suggest"; otherwise "in line".
 */
import type { Area, SiteConfig } from '../../platform/config/partnership.ts';
import { countedResponses, listAllConsultations, safetyKeys, surveyOf, SUPPRESS_UNDER } from '../consultations/index.ts';
import { londonTime } from '../../platform/time/london.ts';
import { completeMonths, publicStatistics } from './statistics.ts';

/** The fewest responses from a ward for its figures to be shown: the consultations' small-number rule. */
export const MINIMUM_RESPONSES = SUPPRESS_UNDER;

/** The answers that count as feeling safe. */
const SAFE = new Set(['very-safe', 'fairly-safe']);

/** One respondent's answers to a safety question: the ward and how safe they feel (undefined when not answered). */
export interface SafetyAnswer {
  wardId: string;
  day?: string;
  dark?: string;
}

/** How a ward's feeling of safety compares with its reports. */
export type PerceptionGap = 'less-safe' | 'safer' | 'in-line' | 'unknown';

/** Words for each comparison. */
export const GAP_LABELS: Record<PerceptionGap, string> = {
  'less-safe': 'Feels less safe than its reports suggest',
  safer: 'Feels safer than its reports suggest',
  'in-line': 'In line with its reports',
  unknown: 'Cannot compare',
};

/** One ward's line of the comparison. */
export interface PerceptionRow {
  wardId: string;
  name: string;
  population: number;
  /** Responses naming the ward. */
  responses: number;
  /** True when there are too few responses to show (fewer than MINIMUM_RESPONSES). */
  suppressed: boolean;
  /** Per cent feeling very or fairly safe, whole numbers; null when suppressed or nobody answered that part. */
  safeDay: number | null;
  safeDark: number | null;
  /** Reports over the period; null when withheld. */
  reports: number | null;
  /** Reports per 1,000 residents, one decimal place; null when withheld or the population is not known. */
  perThousand: number | null;
  gap: PerceptionGap;
}

/** The comparison and the partnership's averages over the wards shown. */
export interface Perception {
  rows: PerceptionRow[];
  averageSafeDark: number | null;
  averagePerThousand: number | null;
  /** Responses counted (naming a ward), all wards. */
  responses: number;
}

/** Per cent, rounded to a whole number. */
function percent(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 100) : null;
}

/** Reports per 1,000 residents to one decimal place. */
function rateOf(reports: number | null, population: number): number | null {
  return reports === null || population <= 0 ? null : Math.round((reports * 10_000) / population) / 10;
}

/** The comparison of safety answers with ward report counts (pure). */
export function comparePerception(answers: readonly SafetyAnswer[], reports: ReadonlyMap<string, number | null>, wards: readonly Area[], minimum = MINIMUM_RESPONSES): Perception {
  const base = wards.map((w) => {
    const mine = answers.filter((a) => a.wardId === w.id);
    const day = mine.filter((a) => a.day !== undefined);
    const dark = mine.filter((a) => a.dark !== undefined);
    const suppressed = mine.length < minimum;
    const n = reports.has(w.id) ? reports.get(w.id)! : 0;
    return {
      wardId: w.id, name: w.name, population: w.population, responses: mine.length, suppressed,
      // Each share is of those who answered that part: fewer than the minimum would give away a few people's answers.
      safeDay: suppressed || day.length < minimum ? null : percent(day.filter((a) => SAFE.has(a.day!)).length, day.length),
      safeDark: suppressed || dark.length < minimum ? null : percent(dark.filter((a) => SAFE.has(a.dark!)).length, dark.length),
      reports: n, perThousand: rateOf(n, w.population),
      tally: { safe: suppressed || dark.length < minimum ? 0 : dark.filter((a) => SAFE.has(a.dark!)).length, answered: suppressed || dark.length < minimum ? 0 : dark.length },
    };
  });
  const shown = base.filter((r) => r.safeDark !== null && r.perThousand !== null);
  const averageSafeDark = percent(shown.reduce((a, r) => a + r.tally.safe, 0), shown.reduce((a, r) => a + r.tally.answered, 0));
  const averagePerThousand = rateOf(shown.reduce((a, r) => a + r.reports!, 0), shown.reduce((a, r) => a + r.population, 0));
  const rows = base.map(({ tally, ...r }): PerceptionRow => {
    void tally;
    let gap: PerceptionGap = 'unknown';
    if (r.safeDark !== null && r.perThousand !== null && averageSafeDark !== null && averagePerThousand !== null && shown.length > 1) {
      if (r.safeDark < averageSafeDark && r.perThousand < averagePerThousand) gap = 'less-safe';
      else if (r.safeDark > averageSafeDark && r.perThousand > averagePerThousand) gap = 'safer';
      else gap = 'in-line';
    }
    return { ...r, gap };
  });
  return { rows, averageSafeDark, averagePerThousand, responses: answers.filter((a) => wards.some((w) => w.id === a.wardId)).length };
}

/** The safety answers of the consultations (published) that closed between `since` and `now`, and their titles. */
export async function readSafetyAnswers(since: number, now: number): Promise<{ answers: SafetyAnswer[]; consultations: string[] }> {
  const closed = (await listAllConsultations()).filter((c) => c.status === 'published' && c.closesAt !== null && c.closesAt >= since && c.closesAt <= now);
  const answers: SafetyAnswer[] = [];
  const titles: string[] = [];
  for (const c of closed) {
    const questions = surveyOf(c).filter((q) => q.type === 'safety');
    if (questions.length === 0) continue;
    titles.push(c.title);
    for (const r of await countedResponses(c.id)) {
      for (const q of questions) {
        const keys = safetyKeys(q.key);
        const ward = r.answers[keys.ward];
        if (typeof ward !== 'string' || ward === '') continue;
        const part = (key: string) => (typeof r.answers[key] === 'string' ? String(r.answers[key]) : undefined);
        answers.push({ wardId: ward, day: part(keys.day), dark: part(keys.dark) });
      }
    }
  }
  return { answers, consultations: titles };
}

/** Each ward's reports over the public statistics' 12 months, as published: null when a monthly total is suppressed. */
export function publishedWardTotals(stats: Awaited<ReturnType<typeof publicStatistics>>): Map<string, number | null> {
  const totals = new Map<string, number | null>();
  for (const month of stats) {
    month.wards.rowIds.forEach((id, r) => {
      if (id === '' || id === 'total') return;
      const cell = month.wards.grid[r]!.at(-1)!;
      const before = totals.has(id) ? totals.get(id)! : 0;
      totals.set(id, before === null || cell.suppressed ? null : before + cell.value);
    });
  }
  return totals;
}

/** The perception page: the comparison, the months and the consultations it draws on. */
export async function perceptionAgainstReality(config: SiteConfig, now: number): Promise<Perception & { months: string[]; consultations: string[] }> {
  const stats = await publicStatistics(config, now);
  const months = completeMonths(now);
  const [y, m] = months[0]!.split('-').map(Number) as [number, number];
  const since = londonTime(y, m, 1, 0);
  const { answers, consultations } = await readSafetyAnswers(since, now);
  const wards = config.areas.filter((a) => a.kind === 'ward');
  return { ...comparePerception(answers, publishedWardTotals(stats), wards), months, consultations };
}
