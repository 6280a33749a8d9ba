/** The check-answers step: show the answers, and on "Send" turn the draft into a case (honeypot and rate limits first). */
import type { AstroGlobal } from 'astro';
import { getConfig, getRuntime } from '../../server/runtime.ts';
import { caseFromAnswers, createCase, draftSentStatement, firstIncompleteStep, type Draft, type FieldError, type ReportAnswers } from '../../domains/reports/index.ts';
import { describeWait, RateLimitGate, rateLimitAddress } from '../../platform/security/rate-limit.ts';
import { clientAddressOf } from '../client-address.ts';
import { translate } from '../../platform/i18n/index.ts';
import { loadReportDraft, readForm, stepPath } from './flow.ts';

/** What the check-answers page renders. */
export interface CheckStep {
  answers: ReportAnswers;
  errors: FieldError[];
}

const formError = (text: string): FieldError => ({ field: 'form', href: '#main-content', text });

/** The outcome of sending a draft: sent, or refused by a rate limit with how long to wait. */
export type SendOutcome = { sent: true } | { sent: false; retryAfterMs: number };

/**
 * Send a complete draft as a report in the resident's language: count it against the address's and the contact's
 * rate limits and, if both allow it, store the case and the draft's "sent" mark, all in one atomic write (the
 * hits count either way). Shared by the page below and the thin path (src/web/report/send.ts), so both count and
 * store the same way.
 */
export async function sendDraft(draft: Draft<ReportAnswers>, ip: string | null, lang: string): Promise<SendOutcome> {
  const config = getConfig();
  const a = draft.data;
  const contact = a.privacy !== 'anonymous' ? a.email || a.phoneE164 : undefined;
  const limits = new RateLimitGate([
    { key: `report:ip:${rateLimitAddress(ip)}`, limit: getRuntime().env.REPORTS_PER_HOUR_PER_ADDRESS, windowMs: 3_600_000 },
    ...(contact ? [{ key: `report:contact:${contact}`, limit: 5, windowMs: 3_600_000 }] : []),
  ]);
  const created = await createCase({ ...caseFromAnswers(a, `draft:${draft.id}`), language: lang }, {
    config,
    actor: { kind: 'public', ip },
    publicUrl: getRuntime().env.PUBLIC_URL,
    extra: (c) => [draftSentStatement(draft, c.id, c.trackSecret)],
    gate: limits,
  });
  if (!created) return { sent: false, retryAfterMs: Math.max(...limits.outcomes.map((o) => o.retryAfterMs)) };
  getRuntime().outbox.poke();
  return { sent: true };
}

/** Send the report (or take the thin path's refusal, already counted); a refusal says why. */
async function sendReport(astro: AstroGlobal, draft: Draft<ReportAnswers>): Promise<Response | FieldError> {
  const refusedFor = astro.locals.reportSendRefusedForMs;
  const outcome: SendOutcome = refusedFor !== undefined ? { sent: false, retryAfterMs: refusedFor } : await sendDraft(draft, clientAddressOf(astro), astro.locals.lang);
  if (outcome.sent) return astro.redirect('/report/confirmation', 303);
  const wait = outcome.retryAfterMs;
  astro.response.status = 429;
  astro.response.headers.set('Retry-After', String(Math.ceil(wait / 1000)));
  return formError(translate(astro.locals.lang, 'report.check.tooMany', { wait: describeWait(wait, astro.locals.lang), number: getConfig().partnership.phones.hotline.number }));
}

/** Handle the check-answers step: a redirect Response, or the answers to show (with errors after a refused send). */
export async function handleCheckStep(astro: AstroGlobal): Promise<Response | CheckStep> {
  const loaded = await loadReportDraft(astro, 'check');
  if ('response' in loaded) return loaded.response;
  const { draft } = loaded;
  if (draft.caseId) return astro.redirect('/report/confirmation', 303);
  const missing = firstIncompleteStep(draft.data);
  if (missing) return astro.redirect(stepPath(missing), 303);
  const errors: FieldError[] = [];
  if (astro.request.method === 'POST') {
    const form = await readForm(astro);
    if (!form) errors.push(formError(translate(astro.locals.lang, 'report.check.unreadable')));
    // The honeypot: people never see this field, so only automated submissions fill it in.
    else if (typeof form.get('website') === 'string' && form.get('website') !== '') errors.push(formError(translate(astro.locals.lang, 'report.check.honeypot')));
    else {
      const sent = await sendReport(astro, draft);
      if (sent instanceof Response) return sent;
      errors.push(sent);
    }
    if (astro.response.status === 200) astro.response.status = 400;
  }
  return { answers: draft.data, errors };
}
