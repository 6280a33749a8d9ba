/**
 * The form convention for pages, on top of src/platform/forms: a handler reads the POSTed body with
 * readPageForm (a body that is not a readable form sets the page's 4xx status and comes back as errors for
 * the page's own error summary), validates it with validateForm against a zod schema, then runs a command.
 * Handlers return { response } (a redirect) or the view model the page renders.
 */
import { bodyLimitFor } from '../server/body-limits.ts';
import type { AstroGlobal } from 'astro';
import { readForm, type FieldError, type FormLimits } from '../platform/forms/index.ts';
import { translate } from '../platform/i18n/index.ts';

export { errorFor, fieldError, typedAnswers, typedValues, validateForm, type FieldError, type FormLimits } from '../platform/forms/index.ts';

type PageCtx = Pick<AstroGlobal, 'request' | 'response'> & { locals?: { lang?: string } };

/** What a handler gives back: a response to return at once. */
export interface Done {
  response: Response;
}

/** The reader's size limit for a page's form: the body limit the server module gives its route (they must agree, or a form the server let through is refused here with nothing kept). */
export function routeFormLimit(astro: Pick<PageCtx, 'request'>): number {
  return bodyLimitFor(new URL(astro.request.url).pathname);
}

/** Read the POSTed form of a page; on refusal set the 415/413/400 status and return the error for the summary. */
export async function readPageForm(astro: PageCtx, limits: FormLimits = { multipart: true }): Promise<{ ok: true; form: FormData } | { ok: false; errors: FieldError[] }> {
  const read = await readForm(astro.request, { lang: astro.locals?.lang, ...limits });
  if (read.ok) return read;
  astro.response.status = read.status;
  return { ok: false, errors: read.errors };
}

/** Mark a re-rendered form as refused (400) unless a more precise 4xx was already set. */
export function refuseForm(astro: PageCtx, status = 400): void {
  if ((astro.response.status ?? 200) < 400) astro.response.status = status;
}

/** A 303 redirect. */
export function seeOther(location: string): Done {
  return { response: new Response(null, { status: 303, headers: { Location: location } }) };
}

/** The error for a form whose intent or hidden fields are not ones the page sent (tampered or stale). */
export function unreadableForm(lang = 'en'): FieldError[] {
  return [{ field: 'form', href: '#main-content', text: translate(lang, 'form.unreadable') }];
}
