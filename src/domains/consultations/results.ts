/**
 * Results of a consultation from its counted responses: counts behind every chart, counts by channel, theme
 * counts of free-text answers, who is responding against the population, and the rows of the CSV export.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { getDatabase, getDb, toStatement, write } from '../../platform/db/client.ts';
import { consultationProfileCounts, consultationResponses, consultationTags, consultationThemes } from '../../platform/db/schema.ts';
import { describeAnswer, type Question } from '../../platform/questions/index.ts';
import { newId } from '../../platform/security/ids.ts';
import { auditStatement, type Actor } from '../../platform/audit.ts';
import type { CsvRow } from '../../platform/csv.ts';
import { AGE_BANDS, SAFETY_OPTIONS, engineQuestions, safetyKeys, surveyInOrder, type SurveyQuestion, type WardOptions } from './survey.ts';
import { CHANNELS } from './responses.ts';

/** A counted response. */
type ResponseRow = typeof consultationResponses.$inferSelect;

/** The data behind one chart: a count per bar and the total answering. */
export interface ChartData {
  /** A stable id for the chart (question key, or key-part). */
  id: string;
  title: string;
  rows: { value: string; label: string; count: number }[];
  /** Respondents who answered. */
  answered: number;
}

/** The counted responses of a consultation, oldest first. */
export async function countedResponses(consultationId: string): Promise<ResponseRow[]> {
  return getDb().select().from(consultationResponses).where(and(eq(consultationResponses.consultationId, consultationId), eq(consultationResponses.state, 'counted'))).orderBy(asc(consultationResponses.submittedAt));
}

/** Count answers per option of a choice-like engine question. */
export function countOptions(q: Question, responses: readonly { answers: Record<string, unknown> }[], title = q.label): ChartData {
  const options = 'options' in q ? q.options : q.type === 'rating' ? Array.from({ length: q.points }, (_, i) => ({ value: String(i + 1), label: String(i + 1) })) : [];
  const rows = options.map((o) => ({ value: o.value, label: o.label, count: 0 }));
  let answered = 0;
  for (const r of responses) {
    const v = r.answers[q.key];
    if (v === undefined) continue;
    answered++;
    const given = q.type === 'ranking' ? [(v as string[])[0]] : Array.isArray(v) ? v : [v];
    for (const row of rows) if (given.includes(row.value)) row.count++;
  }
  return { id: q.key, title, rows, answered };
}

/** What the results say about one survey question. */
export interface QuestionResult {
  question: SurveyQuestion;
  charts: ChartData[];
  /** Free text, number and date questions: how many answered. */
  answered: number;
  /** Number questions: the smallest, middle and largest answers. */
  numbers?: { min: number; median: number; max: number };
  /** Ranking questions: the mean rank of each option (1 is first). */
  meanRanks?: { label: string; mean: number }[];
  /** Safety questions: by ward, how many answered and the share feeling very or fairly safe in daylight and after dark. */
  safetyByWard?: { ward: string; answered: number; safeDay: number; safeDark: number }[];
  /** Free-text questions: the tagged themes and their counts. */
  themes?: { id: string; name: string; count: number }[];
}

/** The middle value of a sorted list. */
function median(sorted: readonly number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const SAFE = new Set(['very-safe', 'fairly-safe']);

/**
 * Ward rows fit to publish: a ward with fewer than `minimum` answers is left out and, when the wards left out hold
 * fewer than `minimum` answers between them, so are the next smallest wards, so that the totals cannot reveal them.
 */
export function suppressSmallWards<T extends { answered: number }>(rows: readonly T[], minimum: number): T[] {
  const hidden = new Set(rows.filter((r) => r.answered < minimum));
  let held = [...hidden].reduce((a, r) => a + r.answered, 0);
  for (const r of [...rows].filter((x) => !hidden.has(x)).sort((a, b) => a.answered - b.answered)) {
    if (held === 0 || held >= minimum) break;
    hidden.add(r);
    held += r.answered;
  }
  return rows.filter((r) => !hidden.has(r));
}

/**
 * The results of every survey question. Public pages pass `minimumPerWard` (SUPPRESS_UNDER): feeling safe by ward then
 * leaves out the wards with too few answers (suppressSmallWards); staff see every ward that has an answer.
 */
export async function surveyResults(consultationId: string, survey: readonly SurveyQuestion[], wards: WardOptions, options: { minimumPerWard?: number } = {}): Promise<QuestionResult[]> {
  const responses = await countedResponses(consultationId);
  const themeCounts = await themeCountsOf(consultationId);
  // In the order residents met them: by section, then as listed within it.
  return surveyInOrder(survey).map((sq) => {
    const [q] = engineQuestions([sq], wards) as [Question, ...Question[]];
    const answered = responses.filter((r) => r.answers[q.key] !== undefined).length;
    switch (sq.type) {
      case 'single': case 'multiple': case 'rating': case 'ward':
        return { question: sq, charts: [countOptions(q, responses)], answered };
      case 'ranking': {
        const options = 'options' in q ? q.options : [];
        const ranked = responses.map((r) => r.answers[q.key]).filter((v): v is string[] => Array.isArray(v));
        const meanRanks = options.map((o) => {
          const ranks = ranked.map((list) => list.indexOf(o.value) + 1).filter((n) => n > 0);
          return { label: o.label, mean: ranks.length ? Math.round((ranks.reduce((a, b) => a + b, 0) / ranks.length) * 10) / 10 : 0 };
        });
        return { question: sq, charts: [countOptions(q, responses, `${sq.label}: ranked first`)], answered, meanRanks };
      }
      case 'number': {
        const values = responses.map((r) => r.answers[q.key]).filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
        return { question: sq, charts: [], answered, numbers: values.length ? { min: values[0]!, median: median(values), max: values.at(-1)! } : undefined };
      }
      case 'date':
        return { question: sq, charts: [], answered };
      case 'text':
        return { question: sq, charts: [], answered, themes: themeCounts.filter((t) => t.questionKey === sq.key).map(({ id, name, count }) => ({ id, name, count })) };
      case 'safety': {
        const keys = safetyKeys(sq.key);
        const day = countOptions({ key: keys.day, label: '', type: 'choice', options: SAFETY_OPTIONS }, responses, `${sq.label}: in daylight`);
        const dark = countOptions({ key: keys.dark, label: '', type: 'choice', options: SAFETY_OPTIONS }, responses, `${sq.label}: after dark`);
        const byWard = wards.map((w) => {
          const inWard = responses.filter((r) => r.answers[keys.ward] === w.value);
          const share = (key: string) => inWard.length ? Math.round((inWard.filter((r) => SAFE.has(String(r.answers[key]))).length / inWard.length) * 100) : 0;
          return { ward: w.label, answered: inWard.length, safeDay: share(keys.day), safeDark: share(keys.dark) };
        }).filter((w) => w.answered > 0);
        const safetyByWard = options.minimumPerWard ? suppressSmallWards(byWard, options.minimumPerWard) : byWard;
        return { question: sq, charts: [day, dark], answered: day.answered, safetyByWard };
      }
    }
  });
}

/** Counted responses by channel (every channel listed, zero included). */
export async function countsByChannel(consultationId: string): Promise<ChartData> {
  const rows = await getDb().select({ channel: consultationResponses.channel, n: sql<number>`count(*)` }).from(consultationResponses)
    .where(and(eq(consultationResponses.consultationId, consultationId), eq(consultationResponses.state, 'counted'))).groupBy(consultationResponses.channel);
  const chart = CHANNELS.map((c) => ({ value: c.value as string, label: c.label as string, count: Number(rows.find((r) => r.channel === c.value)?.n ?? 0) }));
  return { id: 'channel', title: 'Responses by channel', rows: chart, answered: chart.reduce((a, r) => a + r.count, 0) };
}

/** The themes of a consultation. */
export async function listThemes(consultationId: string) {
  return getDb().select().from(consultationThemes).where(eq(consultationThemes.consultationId, consultationId)).orderBy(asc(consultationThemes.name));
}

/** Add a theme (an existing name is kept as it is). */
export async function addTheme(consultationId: string, name: string, actor: Actor, now = Date.now()): Promise<{ ok: true } | { ok: false; message: string }> {
  return getDatabase().writer.transaction(async (tx) => {
    // "Cost" and "cost" would be two themes that cannot be told apart in the tagging lists.
    const themes = await tx.db.select({ name: consultationThemes.name }).from(consultationThemes).where(eq(consultationThemes.consultationId, consultationId));
    const same = themes.find((t) => t.name.toLowerCase() === name.toLowerCase());
    if (same) return { ok: false, message: `There is already a theme called “${same.name}”` };
    await tx.batch([
      toStatement(getDb().insert(consultationThemes).values({ id: newId(now), consultationId, name })),
      auditStatement(actor, 'consultation.theme_added', { kind: 'consultation', id: consultationId }, { name }, now),
    ]);
    return { ok: true } as const;
  });
}

/** Set the themes of one free-text answer (replacing its earlier tags). */
export async function tagAnswer(consultationId: string, responseId: string, questionKey: string, themeIds: readonly string[], actor: Actor, now = Date.now()): Promise<boolean> {
  const [response] = await getDb().select({ id: consultationResponses.id }).from(consultationResponses).where(and(eq(consultationResponses.id, responseId), eq(consultationResponses.consultationId, consultationId)));
  if (!response) return false;
  const known = themeIds.length ? (await getDb().select({ id: consultationThemes.id }).from(consultationThemes).where(and(eq(consultationThemes.consultationId, consultationId), inArray(consultationThemes.id, [...themeIds])))).map((t) => t.id) : [];
  await write([
    toStatement(getDb().delete(consultationTags).where(and(eq(consultationTags.responseId, responseId), eq(consultationTags.questionKey, questionKey)))),
    ...known.map((themeId) => toStatement(getDb().insert(consultationTags).values({ responseId, questionKey, themeId }))),
    auditStatement(actor, 'consultation.answer_tagged', { kind: 'consultation', id: consultationId }, { responseId, questionKey, themes: known.length }, now),
  ]);
  return true;
}

/** The tags of every answer: "responseId questionKey" to theme ids. */
export async function tagsByAnswer(consultationId: string): Promise<Map<string, string[]>> {
  const rows = await getDb().select({ responseId: consultationTags.responseId, questionKey: consultationTags.questionKey, themeId: consultationTags.themeId })
    .from(consultationTags).innerJoin(consultationThemes, eq(consultationThemes.id, consultationTags.themeId)).where(eq(consultationThemes.consultationId, consultationId));
  const map = new Map<string, string[]>();
  for (const r of rows) map.set(`${r.responseId} ${r.questionKey}`, [...(map.get(`${r.responseId} ${r.questionKey}`) ?? []), r.themeId]);
  return map;
}

/** How many counted answers carry each theme, per question. */
async function themeCountsOf(consultationId: string) {
  const rows = await getDb().select({ id: consultationThemes.id, name: consultationThemes.name, questionKey: consultationTags.questionKey, n: sql<number>`count(*)` })
    .from(consultationTags).innerJoin(consultationThemes, eq(consultationThemes.id, consultationTags.themeId))
    .innerJoin(consultationResponses, eq(consultationResponses.id, consultationTags.responseId))
    .where(and(eq(consultationThemes.consultationId, consultationId), eq(consultationResponses.state, 'counted')))
    .groupBy(consultationThemes.id, consultationTags.questionKey).orderBy(asc(consultationThemes.name));
  return rows.map((r) => ({ ...r, count: Number(r.n) }));
}

/**
 * The small-number rule of everything published about respondents: counts under this are shown as "fewer than 5" or
 * left out, with the figures that would give them away (public results by ward, who is responding, perception).
 */
export const SUPPRESS_UNDER = 5;

/** One line of "who is not responding": a ward or an age band, its respondents against its population. */
export interface ReachRow {
  value: string;
  label: string;
  /** People living there or of that age; null when the configuration does not say. */
  population: number | null;
  /** Share of the population of all the rows, per cent (one decimal); null when not known. */
  populationShare: number | null;
  /** Respondents; null when fewer than 5 (suppressed). */
  respondents: number | null;
  /** Respondents per 1,000 people (one decimal); null when suppressed or the population is not known. */
  ratePer1000: number | null;
  /** Share of the respondents counted in the rows, per cent (one decimal); null when suppressed. */
  respondentShare: number | null;
  /** True when the share of respondents is under half the share of the population. */
  under: boolean;
}

/** The population "who is not responding" compares against: the wards of the consultation's area, and its people by age band. */
export interface ReachPopulation {
  wards: readonly { value: string; label: string; population: number }[];
  /** People by age band (the "about you" bands except "prefer not to say"), or null when not known. */
  ageBands: Readonly<Record<string, number>> | null;
}

/** A value rounded to one decimal place. */
function oneDecimal(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Lines of "who is not responding" from respondent counts and populations, with small counts suppressed. */
export function reachRows(groups: readonly { value: string; label: string; population: number | null }[], counts: ReadonlyMap<string, number>): ReachRow[] {
  const totalPopulation = groups.reduce((a, g) => a + (g.population ?? 0), 0);
  const totalRespondents = groups.reduce((a, g) => a + (counts.get(g.value) ?? 0), 0);
  return groups.map((g) => {
    const n = counts.get(g.value) ?? 0;
    const shown = n >= SUPPRESS_UNDER;
    const populationShare = g.population !== null && totalPopulation ? oneDecimal((g.population / totalPopulation) * 100) : null;
    const respondentShare = totalRespondents ? (n / totalRespondents) * 100 : 0;
    return {
      value: g.value, label: g.label, population: g.population, populationShare,
      respondents: shown ? n : null,
      ratePer1000: shown && g.population ? oneDecimal((n / g.population) * 1000) : null,
      respondentShare: shown ? oneDecimal(respondentShare) : null,
      // A hidden count (under SUPPRESS_UNDER) is assessed as its largest possible value, so the flag tells nothing the
      // table hides: a group is flagged when even that many respondents would be under half its share of the population.
      under: populationShare !== null && (shown ? respondentShare : totalRespondents ? ((SUPPRESS_UNDER - 1) / totalRespondents) * 100 : 0) < populationShare / 2,
    };
  });
}

/** Respondents who gave their ward and age band (the unlinked "about you" answers), against the population. */
export async function whoIsResponding(consultationId: string, population: ReachPopulation): Promise<{ wards: ReachRow[]; ages: ReachRow[]; notSaid: number | null; profiles: number }> {
  const counts = consultationProfileCounts;
  const byWard = (await getDb().select({ key: counts.wardId, n: sql<number>`sum(${counts.n})` }).from(counts).where(eq(counts.consultationId, consultationId)).groupBy(counts.wardId)).map((r) => ({ key: r.key || null, n: r.n }));
  const byAge = (await getDb().select({ key: counts.ageBand, n: sql<number>`sum(${counts.n})` }).from(counts).where(eq(counts.consultationId, consultationId)).groupBy(counts.ageBand)).map((r) => ({ key: r.key || null, n: r.n }));
  const countsOf = (rows: { key: string | null; n: number }[]) => new Map(rows.filter((r) => r.key !== null).map((r) => [r.key!, Number(r.n)]));
  const ages = countsOf(byAge);
  const notSaid = ages.get('not-say') ?? 0;
  return {
    wards: reachRows(population.wards, countsOf(byWard)),
    ages: reachRows(AGE_BANDS.filter((a) => a.value !== 'not-say').map((a) => ({ value: a.value, label: a.label, population: population.ageBands?.[a.value] ?? null })), ages),
    notSaid: notSaid >= SUPPRESS_UNDER ? notSaid : null,
    profiles: byWard.reduce((a, r) => a + Number(r.n), 0),
  };
}

/** The CSV export: one row per counted response; free text only for those allowed personal data (pii.export). */
export async function exportRows(consultationId: string, survey: readonly SurveyQuestion[], wards: WardOptions, withPersonalData: boolean): Promise<{ header: string[]; rows: CsvRow[] }> {
  const questions = engineQuestions(survey, wards);
  const responses = await countedResponses(consultationId);
  const tags = await tagsByAnswer(consultationId);
  const themes = new Map((await listThemes(consultationId)).map((t) => [t.id, t.name]));
  const textKeys = questions.filter((q) => q.type === 'text').map((q) => q.key);
  const header = ['Response', 'Channel', 'Submitted', ...questions.map((q) => q.label), ...textKeys.map((k) => `Themes (${k})`)];
  const rows = responses.map((r) => [
    r.id, r.channel, new Date(r.submittedAt).toISOString(),
    ...questions.map((q) => (q.type === 'text' && !withPersonalData && r.answers[q.key] !== undefined ? '(free text withheld: needs pii.export)' : describeAnswer(q, r.answers[q.key]))),
    ...textKeys.map((k) => (tags.get(`${r.id} ${k}`) ?? []).map((id) => themes.get(id) ?? id).join('; ')),
  ]);
  return { header, rows };
}
