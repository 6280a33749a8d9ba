/** Glue between the report pages and the drafts module: the draft cookie, loading, and step guards. */
import type { AstroGlobal } from 'astro';
import { getConfig, getRuntime } from './server/runtime.ts';
import { createDraft, isDraftId, loadDraft, type Draft } from './server/reports/drafts.ts';
import { canVisit, firstIncompleteStep, type ReportAnswers, type Step } from './server/reports/journey.ts';

/** Name of the cookie that holds the draft id (strictly necessary, session-only). */
export const DRAFT_COOKIE = 'draft';

/** Paths of the journey's pages. */
export function stepPath(step: Step | 'start' | 'emergency' | 'submit' | 'equality' | 'confirmation'): string {
  if (step === 'start') return '/report';
  if (step === 'submit') return '/report/check';
  return `/report/${step}`;
}

function maxAge() {
  return getConfig().partnership.retentionDays.drafts * 86_400_000;
}

function setDraftCookie(astro: AstroGlobal, id: string) {
  astro.cookies.set(DRAFT_COOKIE, id, { path: '/report', httpOnly: true, sameSite: 'lax', secure: astro.url.protocol === 'https:' || getRuntime().env.SECURE_COOKIES === true });
}

/** The outcome of loading the draft for a page. */
export type DraftLoad = { draft: Draft<ReportAnswers> } | { response: Response };

/**
 * Load the resident's draft for a step. On GET with no draft, the journey starts again; a cookie that names
 * no draft (forged or expired) gets a 400 page telling the resident to start again. On POST with no
 * cookie at all (the first answer), a new draft is created.
 */
export async function loadReportDraft(astro: AstroGlobal, step: Step, options: { create?: boolean } = {}): Promise<DraftLoad> {
  const raw = astro.cookies.get(DRAFT_COOKIE)?.value;
  if (raw !== undefined) {
    const draft = isDraftId(raw) ? await loadDraft<ReportAnswers>('report', raw, maxAge()) : null;
    if (!draft) {
      astro.cookies.delete(DRAFT_COOKIE, { path: '/report' });
      return { response: await astro.rewrite('/report/expired') };
    }
    if (draft.caseId && step !== 'check') {
      // Already sent: a fresh journey starts with a new draft.
      astro.cookies.delete(DRAFT_COOKIE, { path: '/report' });
      return loadReportDraft(astro, step, options);
    }
    if (!canVisit(step, draft.data)) {
      return { response: astro.redirect(stepPath(firstIncompleteStep(draft.data) ?? 'check'), 303) };
    }
    return { draft };
  }
  if (options.create || step === 'danger') {
    if (astro.request.method === 'POST' || options.create) {
      const draft = await createDraft<ReportAnswers>('report', {});
      setDraftCookie(astro, draft.id);
      return { draft };
    }
    return { draft: { id: '', kind: 'report', data: {}, caseId: null, updatedAt: 0 } };
  }
  return { response: astro.redirect('/report', 303) };
}

/** Where a step's form goes after a successful POST, honouring "change" links from check answers. */
export function afterStep(astro: AstroGlobal, next: string): Response {
  const change = astro.url.searchParams.get('change') === '1';
  return astro.redirect(change ? '/report/check' : next, 303);
}
