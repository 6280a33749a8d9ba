/** Glue for the partner dashboard and the county view: the chosen period (a no-JS GET form), the user's scope, the figures. */
import type { AstroGlobal } from 'astro';
import { getConfig } from '../../server/runtime.ts';
import { countyFigures, dashboardFigures, DURATION_PRECISION, TIMER_DUE_RULE, defaultDashboardPeriod, insightScope, judgeTargets, parsePeriod, periodChoices, previousPeriod, timerRate, type CountyColumn, type DashboardFigures, type InsightScope, type Period, type TargetProgress, type Trio } from '../../domains/insight/index.ts';
import { CHANNEL_LABELS, TIMER_LABELS, TIMER_NAMES } from '../../domains/cases/index.ts';
import type { FieldError } from '../forms.ts';

/** How the medians and the timers are worked out, for both pages' method text. */
export const METHOD_WORDS = `Medians are read from durations grouped ${DURATION_PRECISION}. ${TIMER_DUE_RULE}`;

/** What both pages show above their figures: the period form and any error in it. */
interface PeriodView {
  period: Period;
  items: { value: string; label: string }[];
  errors: FieldError[];
  scope: InsightScope;
  /** Words for whose figures these are. */
  scopeWords: string;
}

/** The period asked for (?period=), or the last complete month with an error when it is not one of the choices. */
function choosePeriod(url: URL, now: number): { period: Period; items: { value: string; label: string }[]; errors: FieldError[] } {
  const choices = periodChoices(now);
  const items = [...choices.months.map((p) => ({ value: p.id, label: `Month: ${p.label}` })), ...choices.quarters.map((p) => ({ value: p.id, label: `Quarter: ${p.label}` }))];
  const asked = url.searchParams.get('period');
  if (asked === null || asked === '') return { period: defaultDashboardPeriod(now), items, errors: [] };
  const period = parsePeriod(asked);
  if (period && items.some((i) => i.value === period.id)) return { period, items, errors: [] };
  return { period: defaultDashboardPeriod(now), items, errors: [{ field: 'period', href: '#period', text: 'Select a month or a quarter from the list' }] };
}

/** The period and scope of a page request; the response status is 400 when the period is not one offered. */
function periodView(astro: AstroGlobal, now: number): PeriodView {
  const config = getConfig();
  const chosen = choosePeriod(astro.url, now);
  if (chosen.errors.length) astro.response.status = 400;
  const scope = insightScope(astro.locals.user!);
  const names = (ids: string[]) => ids.map((id) => config.areas.find((a) => a.id === id)?.name ?? id).join(', ');
  const agency = scope.agencyId ? config.agencies.find((a) => a.id === scope.agencyId)?.name ?? scope.agencyId : null;
  const scopeWords = scope.none ? 'Your account has no district or agency on record, so there are no figures to show.'
    : `${scope.districtIds === null ? 'Figures for the whole county' : `Figures for ${names(scope.districtIds)}`}${agency ? `; referrals to ${agency} only` : ''}.`;
  return { ...chosen, scope, scopeWords };
}

/** The dashboard page: period, figures and the targets judged on them. */
export async function loadDashboard(astro: AstroGlobal, now = Date.now()): Promise<PeriodView & { figures: DashboardFigures; targets: TargetProgress[] }> {
  const view = periodView(astro, now);
  const config = getConfig();
  const needsPrevious = config.targets.measures.some((t) => t.period === view.period.kind);
  const [figures, previous] = await Promise.all([
    dashboardFigures(config, view.scope, view.period, now),
    needsPrevious ? dashboardFigures(config, view.scope, previousPeriod(view.period), now) : Promise.resolve(null),
  ]);
  return { ...view, figures, targets: judgeTargets(config, figures, previous, now) };
}

/** The county view: a column per district in scope and the total. */
export async function loadCounty(astro: AstroGlobal, now = Date.now()): Promise<PeriodView & { columns: CountyColumn[] }> {
  const view = periodView(astro, now);
  return { ...view, columns: await countyFigures(getConfig(), view.scope, view.period, now) };
}

/** A change in words: "+3 (+25%)", "-2 (-50%)", "no change", or "+4 (none before)". */
export function changeWords(now: number, before: number): string {
  if (now === before) return 'no change';
  const sign = now > before ? '+' : '-';
  const diff = `${sign}${Math.abs(now - before).toLocaleString('en-GB')}`;
  return before === 0 ? `${diff} (none before)` : `${diff} (${sign}${Math.round((Math.abs(now - before) / before) * 100)}%)`;
}

/** A duration in words: days and hours from a day, else hours and minutes ("2 days 3 hours", "4 hours 5 minutes"); "No figure" for null. */
export function durationWords(ms: number | null): string {
  if (ms === null) return 'No figure';
  const minutes = Math.floor(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  if (days > 0) return `${plural(days, 'day')} ${plural(hours, 'hour')}`;
  return `${plural(hours, 'hour')} ${plural(minutes % 60, 'minute')}`;
}

/** A share as a percentage with one decimal place, or "none due". */
export function percentWords(part: number, whole: number): string {
  return whole ? `${(Math.round((part / whole) * 1000) / 10).toLocaleString('en-GB')}%` : 'none due';
}

/** One table of figures as the page renders it (with an optional chart of one column before it). */
export interface FigureTable {
  id: string;
  heading: string;
  caption: string;
  head: string[];
  numeric: number[];
  rows: (string | number)[][];
  chart?: { title: string; rows: { label: string; value: number }[]; percent?: boolean };
}

/** The breakdown table of a trio: this period, the previous one and the same period last year, with the changes. */
function trioTable(id: string, heading: string, first: string, rows: { label: string; counts: Trio }[], f: DashboardFigures, chart: boolean): FigureTable {
  return {
    id, heading, caption: `${heading}, ${f.period.label}`,
    head: [first, f.period.label, `Previous (${f.previous.label})`, 'Change on previous', `Same period last year (${f.lastYear.label})`, 'Change on last year'],
    numeric: [1, 2, 3, 4, 5],
    rows: rows.map((r) => [r.label, r.counts.current, r.counts.previous, changeWords(r.counts.current, r.counts.previous), r.counts.lastYear, changeWords(r.counts.current, r.counts.lastYear)]),
    chart: chart ? { title: `${heading}, ${f.period.label}`, rows: rows.map((r) => ({ label: r.label, value: r.counts.current })) } : undefined,
  };
}

/** The dashboard's tables, in page order. */
export function dashboardTables(f: DashboardFigures): FigureTable[] {
  const channelTotal = f.channels.reduce((a, c) => a + c.count, 0);
  const timerRows = TIMER_NAMES.map((t) => ({ t, r: timerRate(f.timers, t) }));
  return [
    { id: 'by-month', heading: 'Reports each month', caption: 'Reports each month, the twelve months to the end of the period', head: ['Month', 'Reports'], numeric: [1], rows: f.byMonth.map((m) => [m.label, m.count]), chart: { title: 'Reports each month', rows: f.byMonth.map((m) => ({ label: m.label, value: m.count })) } },
    trioTable('by-category', 'Reports by category', 'Category', f.byCategory, f, true),
    trioTable('by-district', 'Reports by district', 'District', f.byDistrict, f, true),
    trioTable('by-ward', 'Reports by ward', 'Ward', f.byWard, f, false),
    { id: 'channels', heading: 'How reports came in', caption: `Reports by channel, ${f.period.label}`, head: ['Channel', 'Reports', 'Share'], numeric: [1, 2], rows: f.channels.map((c) => [c.label, c.count, percentWords(c.count, channelTotal)]), chart: { title: `Reports by channel, ${f.period.label}`, rows: f.channels.map((c) => ({ label: c.label, value: c.count })) } },
    { id: 'timers', heading: 'Timers met', caption: `Timers met by priority, reports received ${f.period.label}`, head: ['Priority', 'Timer', 'Fell due', 'Met in time', 'Met in time (%)'], numeric: [2, 3, 4], rows: f.timers.map((t) => [t.priority || 'No priority', TIMER_LABELS[t.timer], t.due, t.met, percentWords(t.met, t.due)]), chart: { title: `Timers met in time (%), ${f.period.label}`, rows: timerRows.map(({ t, r }) => ({ label: TIMER_LABELS[t], value: r.percent ?? 0 })), percent: true } },
    { id: 'referrals', heading: 'Referrals by agency', caption: `Referrals sent ${f.period.label}, by agency`, head: ['Agency', 'Sent', 'Acknowledged', 'Acknowledged on time', 'Median time to acknowledge'], numeric: [1, 2, 3, 4], rows: f.referrals.map((r) => [r.label, r.sent, r.acknowledged, r.onTime, durationWords(r.medianAcknowledgeMs)]) },
    { id: 'consultations', heading: 'Consultation reach', caption: `Consultation responses received ${f.period.label}`, head: ['Consultation', 'Responses'], numeric: [1], rows: f.consultations.map((c) => [c.title, c.responses]), chart: f.consultations.length ? { title: `Consultation responses, ${f.period.label}`, rows: f.consultations.map((c) => ({ label: c.title, value: c.responses })) } : undefined },
  ];
}

/** The headline figures of a dashboard as key and value words. */
export function headlineRows(f: DashboardFigures): { key: string; value: string }[] {
  return [
    { key: 'Reports', value: `${f.total.current.toLocaleString('en-GB')} (${changeWords(f.total.current, f.total.previous)} on the previous period; ${changeWords(f.total.current, f.total.lastYear)} on the same period last year)` },
    { key: 'Median time to acknowledge', value: durationWords(f.medianAcknowledgeMs) },
    { key: 'Median time to resolve', value: durationWords(f.medianResolveMs) },
    { key: 'Repeat victims', value: f.repeatVictims.toLocaleString('en-GB') },
    { key: 'Case Review thresholds reached', value: f.caseReviews.toLocaleString('en-GB') },
    { key: 'Hotline calls handled (whole hotline)', value: f.calls.handled.toLocaleString('en-GB') },
    { key: 'Hotline calls abandoned (whole hotline)', value: f.calls.abandoned.toLocaleString('en-GB') },
  ];
}

/** The county view's table: one row per measure, one column per district and the total. */
export function countyTable(columns: CountyColumn[]): { head: string[]; rows: string[][] } {
  const n = (x: number) => x.toLocaleString('en-GB');
  const measures: [string, (f: DashboardFigures) => string][] = [
    ['Reports', (f) => n(f.total.current)],
    ['Change on previous period', (f) => changeWords(f.total.current, f.total.previous)],
    ['Change on same period last year', (f) => changeWords(f.total.current, f.total.lastYear)],
    ...Object.keys(CHANNEL_LABELS).map((id): [string, (f: DashboardFigures) => string] => [`Reports by ${CHANNEL_LABELS[id]}`, (f) => n(f.channels.find((c) => c.id === id)?.count ?? 0)]),
    ...TIMER_NAMES.map((t): [string, (f: DashboardFigures) => string] => [`${TIMER_LABELS[t]} timers met in time`, (f) => { const r = timerRate(f.timers, t); return `${percentWords(r.met, r.due)} (${r.met} of ${r.due})`; }]),
    ['Median time to acknowledge', (f) => durationWords(f.medianAcknowledgeMs)],
    ['Median time to resolve', (f) => durationWords(f.medianResolveMs)],
    ['Referrals sent', (f) => n(f.referrals.reduce((a, r) => a + r.sent, 0))],
    ['Referrals acknowledged on time', (f) => n(f.referrals.reduce((a, r) => a + r.onTime, 0))],
    ['Repeat victims', (f) => n(f.repeatVictims)],
    ['Case Review thresholds reached', (f) => n(f.caseReviews)],
    ['Consultation responses', (f) => n(f.consultations.reduce((a, c) => a + c.responses, 0))],
  ];
  return { head: ['Measure', ...columns.map((c) => c.name)], rows: measures.map(([label, value]) => [label, ...columns.map((c) => value(c.figures))]) };
}
