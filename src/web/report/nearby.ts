/** The "already reported near here" step: add yourself to a similar open report, or report a new problem. */
import type { AstroGlobal } from 'astro';
import { z } from 'zod';
import { getConfig } from '../../server/runtime.ts';
import { choice, readForm, validateForm, type FieldError } from '../../platform/forms/index.ts';
import { translate, translateOr } from '../../platform/i18n/index.ts';
import { monthIn } from '../statistics.ts';
import { londonMonth } from '../../platform/time/london.ts';
import { firstIncompleteStep, isSensitive, nextStep, previousStep, saveDraft } from '../../domains/reports/index.ts';
import { afterStep, loadReportDraft, stepPath } from './flow.ts';

/** What the page renders. */
export interface NearbyStep {
  errors: FieldError[];
  rows: { key: string; value: string }[];
  value: string;
  back: string;
  action: string;
  sensitive: boolean;
}

/** Handle the nearby step in the request's language: a redirect Response, or what to render (with errors after a refused POST). */
export async function handleNearbyStep(astro: AstroGlobal): Promise<Response | NearbyStep> {
  const loaded = await loadReportDraft(astro, 'nearby');
  if ('response' in loaded) return loaded.response;
  const { draft } = loaded;
  const lang = astro.locals.lang;
  const config = getConfig();
  // A body that is not a readable form is refused with the page's error summary before anything else is decided.
  const read = astro.request.method === 'POST' ? await readForm(astro.request, { lang }) : undefined;
  const similar = draft.data.similar;
  if (!similar && read?.ok !== false) return astro.redirect(stepPath('people'), 303);
  const change = astro.url.searchParams.get('change') === '1';
  const action = change ? '/report/nearby?change=1' : '/report/nearby';
  const back = change ? '/report/check' : stepPath(previousStep('nearby', draft.data));
  let errors: FieldError[] = [];
  let value = draft.data.joinChoice ?? '';
  if (read) {
    const schema = z.object({ joinChoice: choice(['join', 'new'], translate(lang, 'report.nearby.required')) });
    const result = read.ok ? validateForm(schema, read.form) : { ok: false as const, errors: read.errors };
    if (result.ok) {
      const saved = await saveDraft(draft, { joinChoice: result.data.joinChoice });
      const next = nextStep('nearby', saved.data);
      if (change && firstIncompleteStep(saved.data) === null) return astro.redirect('/report/check', 303);
      return afterStep(astro, stepPath(next === 'submit' || next === 'emergency' ? 'check' : next));
    }
    errors = result.errors;
    value = '';
    astro.response.status = read.ok ? 400 : read.status;
  }
  const rows = similar
    ? [
        { key: translate(lang, 'report.nearby.category'), value: translateOr(lang, `category.${similar.categoryId}.name`, config.categories.find((c) => c.id === similar.categoryId)?.name ?? '') },
        { key: translate(lang, 'report.nearby.place'), value: config.areas.find((a) => a.id === similar.wardId)?.name ?? '' },
        { key: translate(lang, 'report.nearby.month'), value: monthIn(londonMonth(similar.receivedAt), lang) },
      ].filter((r) => r.value)
    : [];
  return { errors, rows, value, back, action, sensitive: isSensitive(draft.data, config) };
}
