/** Glue between the report pages and the drafts module: the draft cookie, loading, and step guards. */
import type { AstroGlobal } from 'astro';
import { getConfig, getRuntime } from '../../server/runtime.ts';
import { readForm as readFormBody, type FieldError } from '../../platform/forms/index.ts';
import { isDraftId, loadDraft, saveDraft, startDraft, type Draft, type PhotoQuota } from '../../domains/reports/index.ts';
import { describeWait } from '../../platform/security/rate-limit.ts';
import { translate } from '../../platform/i18n/index.ts';
import { clientAddressOf } from '../client-address.ts';
import { outOfAreaNotice, similarAnswers, type OutOfAreaNotice } from './where.ts';
import { questionsOnPage, shownQuestions, type Question } from '../../platform/questions/index.ts';
import { engineAnswers, reportQuestions } from '../../domains/reports/index.ts';
import { canVisit, firstIncompleteStep, isEmergencyCategory, isSensitive, nextStep, previousStep, readStep, type ReportAnswers, type Step } from '../../domains/reports/index.ts';

/** Name of the cookie that holds the draft id (strictly necessary, session-only). */
export const DRAFT_COOKIE = 'draft';

/** Paths of the journey's pages. */
export function stepPath(step: Step | 'start' | 'emergency' | 'submit' | 'equality' | 'confirmation'): string {
  if (step === 'start') return '/report';
  if (step === 'submit') return '/report/check';
  return `/report/${step}`;
}

/** How long an untouched draft lasts, from the settings. */
export function draftMaxAgeMs(): number {
  return getConfig().partnership.retentionDays.drafts * 86_400_000;
}

function setDraftCookie(astro: AstroGlobal, id: string) {
  astro.cookies.set(DRAFT_COOKIE, id, { path: '/report', httpOnly: true, sameSite: 'lax', secure: astro.url.protocol === 'https:' || getRuntime().env.SECURE_COOKIES === true });
}

/** The photo bytes allowed per day, from the settings. */
export function photoQuota(): PhotoQuota {
  const env = getRuntime().env;
  return { perAddressBytes: env.PHOTO_MB_PER_DAY_PER_ADDRESS * 1024 * 1024, totalBytes: env.PHOTO_MB_PER_DAY * 1024 * 1024 };
}

/** A refusal for the error summary that says when to try again, with the hotline; also sets 429 and Retry-After. */
export function tooManyError(astro: AstroGlobal, what: string, retryAfterMs: number, anchor = '#main-content'): FieldError {
  astro.response.status = 429;
  astro.response.headers.set('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
  return { field: 'form', href: anchor, text: translate(astro.locals.lang, 'report.tooMany', { what, wait: describeWait(retryAfterMs, astro.locals.lang), number: getConfig().partnership.phones.hotline.number }) };
}

/** Start the resident's draft with the first answers and set its cookie, unless this address or everyone started too many this hour. */
async function startReportDraft(astro: AstroGlobal, answers: ReportAnswers): Promise<{ draft: Draft<ReportAnswers> } | { error: FieldError }> {
  const env = getRuntime().env;
  const started = await startDraft<ReportAnswers>('report', answers, clientAddressOf(astro), { perAddress: env.DRAFTS_PER_HOUR_PER_ADDRESS, total: env.DRAFTS_PER_HOUR });
  if (!started.ok) return { error: tooManyError(astro, translate(astro.locals.lang, 'report.tooManyDrafts'), started.retryAfterMs) };
  setDraftCookie(astro, started.draft.id);
  return { draft: started.draft };
}

/** The outcome of loading the draft for a page. */
export type DraftLoad = { draft: Draft<ReportAnswers> } | { response: Response };

/**
 * Load the resident's draft for a step. With no draft, the journey starts again, except on the first
 * question, which gets an unsaved draft (id '') until its answer is valid (handleStep then starts it); a
 * cookie that names no draft (forged or expired) gets a 400 page telling the resident to start again.
 */
export async function loadReportDraft(astro: AstroGlobal, step: Step): Promise<DraftLoad> {
  const raw = astro.cookies.get(DRAFT_COOKIE)?.value;
  if (raw !== undefined) {
    const draft = isDraftId(raw) ? await loadDraft<ReportAnswers>('report', raw, draftMaxAgeMs()) : null;
    if (!draft) {
      astro.cookies.delete(DRAFT_COOKIE, { path: '/report' });
      return { response: await astro.rewrite('/report/expired') };
    }
    if (draft.caseId && step !== 'check') {
      // Already sent: a fresh journey starts with a new draft.
      astro.cookies.delete(DRAFT_COOKIE, { path: '/report' });
      return loadReportDraft(astro, step);
    }
    if (!canVisit(step, draft.data)) {
      return { response: astro.redirect(stepPath(firstIncompleteStep(draft.data) ?? 'check'), 303) };
    }
    return { draft };
  }
  if (step === 'danger') return { draft: { id: '', kind: 'report', data: {}, caseId: null, updatedAt: 0 } };
  return { response: astro.redirect('/report', 303) };
}

/** Where a step's form goes after a successful POST, honouring "change" links from check answers. */
export function afterStep(astro: AstroGlobal, next: string): Response {
  const change = astro.url.searchParams.get('change') === '1';
  return astro.redirect(change ? '/report/check' : next, 303);
}

/** What a question page needs to render, or a response to return at once. */
export type StepState =
  | { response: Response }
  | { draft: Draft<ReportAnswers>; errors: FieldError[]; values: Record<string, string>; sensitive: boolean; emergency: boolean; back: string; action: string; questions: Question[]; outOfArea?: OutOfAreaNotice };

/**
 * Answers as strings by form field name, for re-filling form fields. The ward is never re-filled: it is worked
 * out again from the location on every answer, and a ward picked by hand counts only on the visit it was picked.
 */
export function answerValues(a: ReportAnswers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(a)) if (typeof v === 'string' && k !== 'ward') out[k] = v;
  Object.assign(out, { 'when-day': a.whenDay ?? '', 'when-month': a.whenMonth ?? '', 'when-year': a.whenYear ?? '', 'when-time': a.whenTime ?? '' });
  return out;
}

/** Read the posted form, or null when the body is not a form (wrong type, too large, broken). */
export async function readForm(astro: AstroGlobal): Promise<FormData | null> {
  try {
    return await astro.request.formData();
  } catch {
    return null;
  }
}

/** Handle one question page: load the draft, on POST validate and save then redirect, else render. */
export async function handleStep(astro: AstroGlobal, step: Step): Promise<StepState> {
  const loaded = await loadReportDraft(astro, step);
  if ('response' in loaded) return loaded;
  let { draft } = loaded;
  const config = getConfig();
  const change = astro.url.searchParams.get('change') === '1';
  const action = change ? `${stepPath(step)}?change=1` : stepPath(step);
  const back = change ? (step === 'when-details' ? '/report/when?change=1' : '/report/check') : stepPath(previousStep(step, draft.data));
  const sensitive = isSensitive(draft.data, config);
  const emergency = isEmergencyCategory(draft.data, config);
  const lang = astro.locals.lang;
  const questions = shownQuestions(questionsOnPage(reportQuestions(config, lang), step), engineAnswers(draft.data as Record<string, unknown>));
  if (astro.request.method === 'POST') {
    const read = await readFormBody(astro.request, { lang });
    if (!read.ok) {
      astro.response.status = read.status;
      return { draft, errors: read.errors, values: answerValues(draft.data), sensitive, emergency, back, action, questions };
    }
    const outOfArea = step === 'where' ? outOfAreaNotice(read.form, config, lang) : null;
    if (outOfArea) return { draft, errors: [], values: answerValues(draft.data), sensitive, emergency, back, action, questions, outOfArea };
    const result = readStep(step, read.form, draft.data, config, Date.now(), lang);
    if (result.errors.length === 0) {
      // A new place or a new category finds the similar report again (a choice made for another is dropped).
      if (step === 'where' || (step === 'category' && result.answers.category !== draft.data.category)) Object.assign(result.answers, await similarAnswers(draft.data, result.answers, config));
      if (draft.id) draft = await saveDraft(draft, result.answers);
      else {
        const started = await startReportDraft(astro, result.answers);
        if ('error' in started) return { draft, errors: [started.error], values: { ...answerValues(draft.data), ...result.values }, sensitive, emergency, back, action, questions };
        draft = started.draft;
      }
      const next = nextStep(step, draft.data);
      // A change goes on to the step it leaves unanswered; "when" always goes on to its details, to correct them.
      const ahead = step === 'when' ? 'when-details' : firstIncompleteStep(draft.data);
      if (change && ahead !== null && next !== 'submit' && next !== 'emergency') {
        return { response: astro.redirect(`${stepPath(ahead)}?change=1`, 303) };
      }
      return { response: afterStep(astro, stepPath(next)) };
    }
    astro.response.status = 400;
    return { draft, errors: result.errors, values: { ...answerValues(draft.data), ...result.values }, sensitive, emergency, back, action, questions };
  }
  return { draft, errors: [], values: answerValues(draft.data), sensitive, emergency, back, action, questions };
}
