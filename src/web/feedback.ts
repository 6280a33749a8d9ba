/** Handler of /feedback: feedback, compliments and complaints become their own case type in the queue. */
import type { AstroGlobal } from 'astro';
import { z } from 'zod';
import { COMPLAINT_REPLY_WORKING_DAYS, createCase, normaliseEmail, parseReference } from '../domains/reports/index.ts';
import { choice, text } from '../platform/forms/index.ts';
import { translate } from '../platform/i18n/index.ts';
import { newSecret } from '../platform/security/ids.ts';
import { describeWait, hitRateLimit, rateLimitAddress } from '../platform/security/rate-limit.ts';
import { clientAddressOf } from './client-address.ts';
import { getConfig, getRuntime } from '../server/runtime.ts';
import { fieldError, readPageForm, refuseForm, seeOther, typedValues, validateForm, type Done, type FieldError } from './forms.ts';

const FEEDBACK_VALUES = ['feedback', 'compliment', 'complaint'] as const;

/** The kinds of feedback, as radio items, in a language. */
function feedbackTypes(lang: string): { value: string; label: string; hint?: string }[] {
  return FEEDBACK_VALUES.map((value) => ({ value, label: translate(lang, `feedback.type.${value}`), ...(value === 'complaint' ? { hint: translate(lang, 'feedback.type.complaint.hint', { days: COMPLAINT_REPLY_WORKING_DAYS }) } : {}) }));
}

/** The feedback form; a complaint needs an e-mail address to reply to, and may name the report it is about. Messages in `lang`. */
function feedbackSchema(prefix: string, lang: string) {
  const t = (key: string, params?: Record<string, string>) => translate(lang, key, params);
  return z
    .object({
      feedbackType: choice(FEEDBACK_VALUES, t('feedback.type.required')),
      message: text({ label: t('feedback.message.name'), max: 5000, multiline: true, required: t('feedback.message.required'), plain: true, lang }),
      aboutRef: text({ label: t('track.ref.label'), max: 30, plain: true, lang }).transform((v, ctx) => {
        if (!v) return null;
        const ref = parseReference(v, prefix);
        if (!ref) ctx.addIssue({ code: 'custom', message: t('track.ref.wrong', { example: `${prefix}-7K3M-9QX4` }) });
        return ref;
      }),
      name: text({ label: t('feedback.name.name'), max: 120, plain: true, lang }),
      email: text({ label: t('track.email.name'), max: 254, plain: true, lang }).refine((v) => !v || normaliseEmail(v) !== null, t('report.message.emailFormat')),
      token: text({ label: 'Form', max: 40, lang }),
    })
    .superRefine((v, ctx) => {
      if (v.feedbackType === 'complaint' && !v.email) ctx.addIssue({ code: 'custom', path: ['email'], message: t('feedback.email.complaint') });
    });
}

/** What /feedback renders. */
export interface FeedbackView {
  values: Record<string, string>;
  errors: FieldError[];
  types: { value: string; label: string; hint?: string }[];
}

/** A fresh form token unless the posted one is well formed (it makes a double submit give one case). */
function formToken(posted: string | undefined): string {
  return posted && /^[a-z2-7]{26}$/.test(posted) ? posted : newSecret(16);
}

/** Send feedback: validate, rate limit per address, create the case, then show the reference. */
export async function handleFeedback(astro: AstroGlobal): Promise<Done | FeedbackView> {
  const lang = astro.locals.lang;
  const types = feedbackTypes(lang);
  if (astro.request.method !== 'POST') return { values: { token: newSecret(16) }, errors: [], types };
  const read = await readPageForm(astro);
  if (!read.ok) return { values: { token: newSecret(16) }, errors: read.errors, types };
  const typed = typedValues(read.form);
  const values = { feedbackType: typed.feedbackType ?? '', message: (typed.message ?? '').trim(), aboutRef: (typed.aboutRef ?? '').trim(), name: (typed.name ?? '').trim(), email: (typed.email ?? '').trim(), token: formToken(typed.token?.trim()) };
  const honeypot = read.form.get('website');
  const valid = typeof honeypot === 'string' && honeypot !== '' ? { ok: false as const, errors: [fieldError('message', translate(lang, 'feedback.honeypot'))] } : validateForm(feedbackSchema(getConfig().partnership.referencePrefix, lang), read.form);
  if (!valid.ok) {
    refuseForm(astro);
    return { values, errors: valid.errors, types };
  }
  const limit = await hitRateLimit(`feedback:ip:${rateLimitAddress(clientAddressOf(astro))}`, 20, 3_600_000);
  if (!limit.allowed) {
    astro.response.status = 429;
    astro.response.headers.set('Retry-After', String(Math.ceil(limit.retryAfterMs / 1000)));
    return { values, errors: [fieldError('message', translate(lang, 'feedback.tooMany', { wait: describeWait(limit.retryAfterMs, lang) }))], types };
  }
  const { feedbackType, message, aboutRef, name } = valid.data;
  const email = valid.data.email ? normaliseEmail(valid.data.email) : null;
  const created = await createCase(
    {
      kind: 'feedback',
      channel: 'web',
      feedbackType,
      description: aboutRef ? `About report ${aboutRef}\n\n${message}` : message,
      privacy: email || name ? 'named' : 'anonymous',
      reporter: email || name ? { name, email } : null,
      idempotencyKey: `feedback:${values.token}`,
      language: lang,
    },
    { config: getConfig(), actor: { kind: 'public', ip: clientAddressOf(astro) }, publicUrl: getRuntime().env.PUBLIC_URL },
  );
  getRuntime().outbox.poke();
  return seeOther(`/feedback/sent?ref=${encodeURIComponent(created.ref)}`);
}
