/** Glue for the staff hot-spots and tasking pages: the period form (GET, no JavaScript), the user's scope, queue links. */
import { z } from 'zod';
import { getConfig } from '../../server/runtime.ts';
import { caseScope, queueQueryString } from '../../domains/cases/index.ts';
import { choosableMonths, defaultPeriod, hotSpotReport, monthLabel, taskingList, type HotSpotReport, type QueueLink, type TaskingList } from '../../domains/insight/index.ts';
import { fieldError, optionalChoice, validateForm, type FieldError } from '../../platform/forms/index.ts';
import { can } from '../guards.ts';

/** The hot-spots page's model: the form's choices, the report and any errors. */
export interface HotSpotsPage {
  months: { value: string; label: string }[];
  categories: { value: string; label: string }[];
  values: { from: string; to: string; category: string };
  errors: FieldError[];
  report: HotSpotReport;
  /** True when the user may open the triage queue the lines link to. */
  queueLinks: boolean;
}

/** Read the period form, check it, and build the report in the user's scope (the default period when the form is wrong). */
export async function loadHotSpots(ctx: { url: URL; locals: App.Locals }, now = Date.now()): Promise<HotSpotsPage> {
  const config = getConfig();
  const months = choosableMonths(now);
  const categoryIds = config.categories.map((c) => c.id);
  const params = Object.fromEntries(['from', 'to', 'category'].map((k) => [k, ctx.url.searchParams.get(k) ?? undefined]));
  const schema = z.object({
    from: optionalChoice(months, 'Choose the first month from the list'),
    to: optionalChoice(months, 'Choose the last month from the list'),
    category: optionalChoice(categoryIds, 'Choose a type of report from the list'),
  });
  const fallback = defaultPeriod(now);
  const checked = validateForm(schema, params);
  const errors: FieldError[] = checked.ok ? [] : checked.errors;
  let query = { ...fallback, categoryId: undefined as string | undefined };
  if (checked.ok) {
    const from = checked.data.from ?? fallback.from;
    const to = checked.data.to ?? fallback.to;
    if (from > to) errors.push(fieldError('to', 'The last month must be the same as or after the first month'));
    else query = { from, to, categoryId: checked.data.category };
  }
  const report = await hotSpotReport(config, caseScope(ctx.locals.user!), query);
  return {
    months: months.map((m) => ({ value: m, label: monthLabel(m) })),
    categories: [{ value: '', label: 'All types' }, ...config.categories.map((c) => ({ value: c.id, label: c.name }))],
    values: errors.length ? { from: params.from ?? '', to: params.to ?? '', category: params.category ?? '' } : { from: query.from, to: query.to, category: query.categoryId ?? '' },
    errors,
    report,
    queueLinks: can(ctx.locals, 'case.read.all'),
  };
}

/** The address of the triage queue filtered as a tasking line says. */
export function queueUrl(link: QueueLink): string {
  const q = new URLSearchParams(link).toString();
  return `/staff/queue${q ? `?${q}` : ''}`;
}

/**
 * The queue address of the reports behind a hot-spot figure: a ward (and a category), over any status, received in the
 * figure's month or months, counted as the figures count them (feedback, duplicates and spam left out).
 */
export function wardQueueUrl(wardId: string, categoryId: string | undefined, from: string, to = from): string {
  return `/staff/queue${queueQueryString({ status: 'all', wardId, categoryId, month: from, until: to, counted: true })}`;
}

/** The tasking list in the user's scope. */
export async function loadTasking(ctx: { locals: App.Locals }, now = Date.now()): Promise<{ list: TaskingList; queueLinks: boolean }> {
  return { list: await taskingList(getConfig(), caseScope(ctx.locals.user!), now), queueLinks: can(ctx.locals, 'case.read.all') };
}
