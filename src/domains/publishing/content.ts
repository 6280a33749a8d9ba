/**
 * The content types the partnership publishes and what each holds: an achievement (news), an initiative with its
 * cost and outcome measures, and an improvement-plan recommendation with its officer, dates and progress updates.
 * Each type's data is checked with zod from the editor's form; the stored version keeps the checked data.
 */
import { z } from 'zod';
import { choice, strings, text } from '../../platform/forms/index.ts';

/** The kinds of content item. */
export const CONTENT_KINDS = ['achievement', 'initiative', 'recommendation', 'assessment', 'priority', 'group'] as const;
/** One kind of content item. */
export type ContentKind = (typeof CONTENT_KINDS)[number];

/** Words for each kind, singular. */
export const KIND_LABELS: Record<ContentKind, string> = {
  achievement: 'Achievement',
  initiative: 'Initiative',
  recommendation: 'Improvement-plan recommendation',
  assessment: 'Value-for-money self-assessment',
  priority: 'Area priority',
  group: 'Partnership board or group',
};

/** The community safety themes items are filed under. */
export const THEMES = [
  { id: 'asb', label: 'Anti-social behaviour' },
  { id: 'violence', label: 'Violence and exploitation' },
  { id: 'drugs', label: 'Drugs and alcohol' },
  { id: 'domestic-abuse', label: 'Domestic abuse' },
  { id: 'environment', label: 'Environmental crime' },
  { id: 'roads', label: 'Road safety' },
] as const;
const THEME_IDS = THEMES.map((t) => t.id);

/** The label of a theme id. */
export function themeLabel(id: string): string {
  return THEMES.find((t) => t.id === id)?.label ?? id;
}

/** Statuses of a recommendation, in words, each with its RAG rating. */
export const RECOMMENDATION_STATUSES = {
  'not-started': { label: 'Not started', rag: 'red' },
  'off-track': { label: 'Behind schedule', rag: 'red' },
  'at-risk': { label: 'Some delay, recovering', rag: 'amber' },
  'on-track': { label: 'On track', rag: 'green' },
  complete: { label: 'Complete', rag: 'green' },
} as const;
/** One recommendation status. */
export type RecommendationStatus = keyof typeof RECOMMENDATION_STATUSES;
const STATUS_IDS = Object.keys(RECOMMENDATION_STATUSES) as RecommendationStatus[];

/** Evaluation statuses of an initiative. */
export const EVALUATION_STATUSES = { 'not-started': 'Not evaluated yet', 'in-progress': 'Evaluation under way', complete: 'Evaluated' } as const;
const EVALUATION_IDS = Object.keys(EVALUATION_STATUSES) as (keyof typeof EVALUATION_STATUSES)[];

/** "As above", "ditto", "see above" and the like: a recommendation must say its own words. */
const BACK_REFERENCE = /^\s*(as\s+(above|before|previous)|ditto|see\s+above|same\s+as\s+(above|before)|"|-+)\s*\.?\s*$/i;

/** A day as YYYY-MM-DD from "27/3/2026", "27 3 2026" or "2026-03-27"; null when it is not a real date. */
export function parseDay(raw: string): string | null {
  const s = raw.trim();
  let y: number, m: number, d: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  const uk = /^(\d{1,2})[/. -](\d{1,2})[/. -](\d{4})$/.exec(s);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (uk) [d, m, y] = [Number(uk[1]), Number(uk[2]), Number(uk[3])];
  else return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || y < 1990 || y > 2100) return null;
  return date.toISOString().slice(0, 10);
}

/** A required or optional date field: "27/3/2026" becomes "2026-03-27". */
function day(label: string, required?: string) {
  return text({ label, max: 20, required }).transform((value, ctx): string => {
    if (!value) return '';
    const parsed = parseDay(value);
    if (!parsed) {
      ctx.addIssue({ code: 'custom', message: `${label} must be a real date, for example 27/3/2026` });
      return z.NEVER;
    }
    return parsed;
  });
}

/** An amount in pounds ("12,500" or "£12,500.50") as whole pence; empty is 0 unless required. */
function pounds(label: string, required?: string) {
  return text({ label, max: 20, required }).transform((value, ctx): number => {
    if (!value) return 0;
    const m = /^£?\s*(\d{1,3}(,\d{3})*|\d+)(\.\d{1,2})?$/.exec(value);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `${label} must be an amount in pounds, like 12,500` });
      return z.NEVER;
    }
    return Math.round(Number(value.replace(/[£,\s]/g, '')) * 100);
  });
}

/** A number field that may be empty (null). */
function optionalNumber(label: string) {
  return text({ label, max: 20 }).transform((value, ctx): number | null => {
    if (!value) return null;
    const n = Number(value.replace(/,/g, ''));
    if (!Number.isFinite(n)) {
      ctx.addIssue({ code: 'custom', message: `${label} must be a number` });
      return z.NEVER;
    }
    return n;
  });
}

const common = {
  title: text({ label: 'Title', max: 150, required: 'Enter a title', plain: true }),
  areas: strings(50),
};

/** An achievement or news item. */
const achievementSchema = z.object({
  ...common,
  summary: text({ label: 'Summary', max: 300, required: 'Enter a summary', plain: true }),
  body: text({ label: 'Story', max: 20_000, required: 'Enter the story', multiline: true }),
  theme: choice(THEME_IDS, 'Select a theme'),
  date: day('Date', 'Enter the date of the achievement'),
  imageAlt: text({ label: 'Image description', max: 250, plain: true }),
});

/** The outcome rows an initiative form offers (blank rows are ignored). */
export const OUTCOME_ROWS = 3;
const outcomeFields = Object.fromEntries(
  Array.from({ length: OUTCOME_ROWS }, (_, i) => [
    [`measure${i}`, text({ label: `Outcome measure ${i + 1}`, max: 200, plain: true })],
    [`baseline${i}`, optionalNumber(`Baseline of measure ${i + 1}`)],
    [`target${i}`, optionalNumber(`Target of measure ${i + 1}`)],
    [`actual${i}`, optionalNumber(`Actual of measure ${i + 1}`)],
  ]).flat(),
) as Record<string, z.ZodType<string | number | null>>;

/** An initiative: aim, partners, money, dates, outcome measures and evaluation. */
const initiativeSchema = z
  .object({
    ...common,
    aim: text({ label: 'Aim', max: 2000, required: 'Enter the aim', multiline: true }),
    leadPartner: text({ label: 'Lead partner', max: 150, required: 'Enter the lead partner', plain: true }),
    partners: text({ label: 'Partners', max: 500, plain: true }),
    budget: pounds('Budget', 'Enter the budget'),
    fundingSource: text({ label: 'Funding source', max: 200, required: 'Enter the funding source', plain: true }),
    start: day('Start date', 'Enter the start date'),
    end: day('End date'),
    evaluation: choice(EVALUATION_IDS, 'Select the evaluation status'),
    ...outcomeFields,
  })
  .transform((v, ctx) => {
    const row = v as unknown as Record<string, string | number | null>;
    const outcomes: OutcomeMeasure[] = [];
    for (let i = 0; i < OUTCOME_ROWS; i++) {
      const measure = row[`measure${i}`] as string;
      const baseline = row[`baseline${i}`] as number | null;
      const target = row[`target${i}`] as number | null;
      const actual = row[`actual${i}`] as number | null;
      if (!measure && baseline === null && target === null && actual === null) continue;
      if (!measure) ctx.addIssue({ code: 'custom', path: [`measure${i}`], message: `Enter what outcome measure ${i + 1} counts` });
      else if (baseline === null) ctx.addIssue({ code: 'custom', path: [`baseline${i}`], message: `Enter the baseline of measure ${i + 1}` });
      else if (target === null) ctx.addIssue({ code: 'custom', path: [`target${i}`], message: `Enter the target of measure ${i + 1}` });
      else outcomes.push({ measure, baseline, target, actual });
    }
    if (v.end && v.start && v.end < v.start) ctx.addIssue({ code: 'custom', path: ['end'], message: 'End date must be the same as or after the start date' });
    const { title, areas, aim, leadPartner, partners, budget, fundingSource, start, end, evaluation } = v;
    return { title, areas, aim, leadPartner, partners, budget, fundingSource, start, end, evaluation, outcomes };
  });

/** A recommendation of the improvement plan, with the progress update being added (if any). */
const recommendationSchema = z
  .object({
    ...common,
    plan: text({ label: 'Plan', max: 150, required: 'Enter the plan the recommendation belongs to', plain: true }),
    recommendation: text({ label: 'Recommendation', max: 3000, required: 'Enter the recommendation', multiline: true }),
    responsibleRole: text({ label: 'Responsible role', max: 150, required: 'Enter the responsible role', plain: true }),
    officer: text({ label: 'Named officer', max: 150, required: 'Enter the named officer', plain: true }),
    originalTarget: day('Original target date', 'Enter the original target date'),
    currentTarget: day('Current target date'),
    status: choice(STATUS_IDS, 'Select the status'),
    updateDate: day('Date of the progress update'),
    updateText: text({ label: 'Progress update', max: 3000, multiline: true }),
  })
  .superRefine((v, ctx) => {
    if (BACK_REFERENCE.test(v.recommendation) || v.recommendation.length < 15) {
      ctx.addIssue({ code: 'custom', path: ['recommendation'], message: 'Write the recommendation in full, not "as above"' });
    }
    if (v.updateText && !v.updateDate) ctx.addIssue({ code: 'custom', path: ['updateDate'], message: 'Enter the date of the progress update' });
    if (v.updateDate && !v.updateText) ctx.addIssue({ code: 'custom', path: ['updateText'], message: 'Enter the progress update' });
    if (v.updateText && BACK_REFERENCE.test(v.updateText)) ctx.addIssue({ code: 'custom', path: ['updateText'], message: 'Write the progress update in full, not "as above"' });
  });

/** Value-for-money ratings, worst to best: the five steps of Red, Amber, Green with the in-between ratings. */
export const VFM_RATINGS = { red: 'Red', 'red-amber': 'Red/Amber', amber: 'Amber', 'amber-green': 'Green/Amber', green: 'Green' } as const;
/** One value-for-money rating. */
export type VfmRating = keyof typeof VFM_RATINGS;
const VFM_IDS = Object.keys(VFM_RATINGS) as VfmRating[];

/** The rows a self-assessment form offers (blank rows are ignored). */
export const ASSESSMENT_ROWS = 6;
const ratingFields = Object.fromEntries(
  Array.from({ length: ASSESSMENT_ROWS }, (_, i) => [
    [`aspect${i}`, text({ label: `Area assessed ${i + 1}`, max: 150, plain: true })],
    [`rating${i}`, text({ label: `Rating ${i + 1}`, max: 20 })],
    [`evidence${i}`, text({ label: `Evidence ${i + 1}`, max: 2000, multiline: true })],
  ]).flat(),
) as Record<string, z.ZodType<string>>;

/** A value-for-money self-assessment: a dated set of rated areas, each with its evidence. */
const assessmentSchema = z
  .object({ ...common, date: day('Date of the assessment', 'Enter the date of the assessment'), ...ratingFields })
  .transform((v, ctx) => {
    const row = v as unknown as Record<string, string>;
    const ratings: { aspect: string; rating: VfmRating; evidence: string }[] = [];
    for (let i = 0; i < ASSESSMENT_ROWS; i++) {
      const [aspect, rating, evidence] = [row[`aspect${i}`] ?? '', row[`rating${i}`] ?? '', row[`evidence${i}`] ?? ''];
      if (!aspect && !rating && !evidence) continue;
      if (!aspect) ctx.addIssue({ code: 'custom', path: [`aspect${i}`], message: `Enter the area assessed in row ${i + 1}` });
      else if (!VFM_IDS.includes(rating as VfmRating)) ctx.addIssue({ code: 'custom', path: [`rating${i}`], message: `Select the rating of ${aspect}` });
      else if (!evidence) ctx.addIssue({ code: 'custom', path: [`evidence${i}`], message: `Enter the evidence for the rating of ${aspect}` });
      else ratings.push({ aspect, rating: rating as VfmRating, evidence });
    }
    if (!ratings.length && !ctx.issues?.length) ctx.addIssue({ code: 'custom', path: ['aspect0'], message: 'Rate at least one area' });
    return { title: v.title, areas: v.areas, date: v.date, ratings };
  });

/** A priority of an area: the issue, when it was raised, the action and when it was taken. */
const prioritySchema = z
  .object({
    ...common,
    issue: text({ label: 'Issue', max: 2000, required: 'Enter the issue', multiline: true }),
    dateRaised: day('Date raised', 'Enter the date the issue was raised'),
    action: text({ label: 'Action', max: 2000, multiline: true }),
    dateTaken: day('Date the action was taken'),
  })
  .superRefine((v, ctx) => {
    if (v.areas.length === 0) ctx.addIssue({ code: 'custom', path: ['areas'], message: 'Select the area the priority belongs to' });
    if (v.dateTaken && !v.action) ctx.addIssue({ code: 'custom', path: ['action'], message: 'Enter the action taken' });
    if (v.dateTaken && v.dateTaken < v.dateRaised) ctx.addIssue({ code: 'custom', path: ['dateTaken'], message: 'Date the action was taken must be the same as or after the date raised' });
  });

/** Kinds of group in the partnership's structure, in the order the structure page shows them. */
export const GROUP_TYPES = { board: 'Board', group: 'Group', 'theme-group': 'Theme group', 'delivery-group': 'Delivery group' } as const;
const GROUP_IDS = Object.keys(GROUP_TYPES) as (keyof typeof GROUP_TYPES)[];

/** A board or group of the partnership: purpose, chair, member organisations, action-plan owner, meeting cadence, and the group it reports to. */
const groupSchema = z.object({
  ...common,
  type: choice(GROUP_IDS, 'Select the kind of group'),
  purpose: text({ label: 'Purpose', max: 2000, required: 'Enter the purpose', multiline: true }),
  chair: text({ label: 'Chair', max: 150, required: 'Enter the chair', plain: true }),
  members: text({ label: 'Member organisations', max: 1000, required: 'Enter the member organisations', plain: true }),
  actionPlanOwner: text({ label: 'Action-plan owner', max: 150, plain: true }),
  cadence: text({ label: 'Meeting cadence', max: 150, required: 'Enter how often it meets', plain: true }),
  reportsTo: text({ label: 'Reports to', max: 150, plain: true }),
});

/** An outcome measure of an initiative. */
export interface OutcomeMeasure {
  measure: string;
  baseline: number;
  target: number;
  actual: number | null;
}

/** A dated progress update of a recommendation. */
export interface ProgressUpdate {
  date: string;
  text: string;
}

/** An achievement's image: the re-encoded file's key under the content upload folder, its size and its alt text. */
export interface ContentImage {
  key: string;
  alt: string;
  width: number;
  height: number;
}

/** The stored data of an achievement (the image is added by the editor's glue after the upload is cleaned). */
export type AchievementData = z.output<typeof achievementSchema> & { image?: ContentImage };
/** The stored data of an initiative. */
export type InitiativeData = z.output<typeof initiativeSchema>;
/** The stored data of a recommendation: the form's fields less the update being added, plus every update so far. */
export type RecommendationData = Omit<z.output<typeof recommendationSchema>, 'updateDate' | 'updateText'> & { updates: ProgressUpdate[] };

/** The data each kind stores. */
export interface ContentData {
  achievement: AchievementData;
  initiative: InitiativeData;
  recommendation: RecommendationData;
  assessment: z.output<typeof assessmentSchema>;
  priority: z.output<typeof prioritySchema>;
  group: z.output<typeof groupSchema>;
}

/** The zod schema of each kind's form. */
export const KIND_SCHEMAS = { achievement: achievementSchema, initiative: initiativeSchema, recommendation: recommendationSchema, assessment: assessmentSchema, priority: prioritySchema, group: groupSchema } as const;

/** Turn a recommendation form's checked values into stored data: the new update joins the earlier ones, newest first. */
export function recommendationData(form: z.output<typeof recommendationSchema>, earlier: ProgressUpdate[]): RecommendationData {
  const { updateDate, updateText, ...rest } = form;
  const updates = updateText ? [{ date: updateDate, text: updateText }, ...earlier] : earlier;
  return { ...rest, currentTarget: rest.currentTarget || rest.originalTarget, updates: [...updates].sort((a, b) => b.date.localeCompare(a.date)) };
}

/** Checks that every area id is one of the partnership's; returns the unknown ones. */
export function unknownAreas(ids: string[], known: readonly string[]): string[] {
  return ids.filter((id) => !known.includes(id));
}

/** A URL slug from a title: lower case words joined by hyphens, at most 60 characters. */
export function slugify(title: string): string {
  return (
    title
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9\s-]/g, '')
      .trim()
      .replace(/[\s-]+/g, '-')
      .slice(0, 60)
      .replace(/-+$/, '') || 'item'
  );
}

