/** Handler of /feedback: feedback, compliments and complaints become their own case type in the queue. */
import type { AstroGlobal } from 'astro';
import { z } from 'zod';
import { COMPLAINT_REPLY_WORKING_DAYS, createCase, normaliseEmail, parseReference } from '../domains/reports/index.ts';
import { choice, text } from '../platform/forms/index.ts';
import { newSecret } from '../platform/security/ids.ts';
import { describeWait, hitRateLimit, rateLimitAddress } from '../platform/security/rate-limit.ts';
import { clientAddressOf } from './client-address.ts';
import { getConfig, getRuntime } from '../server/runtime.ts';
import { fieldError, readPageForm, refuseForm, seeOther, typedValues, validateForm, type Done, type FieldError } from './forms.ts';

/** The kinds of feedback, as radio items. */
export const FEEDBACK_TYPES = [
  { value: 'feedback', label: 'Feedback or a suggestion' },
  { value: 'compliment', label: 'A compliment' },
  { value: 'complaint', label: 'A complaint about our service', hint: `We will reply within ${COMPLAINT_REPLY_WORKING_DAYS} working days` },
] as const;

/** The feedback form; a complaint needs an e-mail address to reply to, and may name the report it is about. */
function feedbackSchema(prefix: string) {
  return z
    .object({
      feedbackType: choice(FEEDBACK_TYPES.map((t) => t.value), 'Select what kind of feedback this is'),
      message: text({ label: 'Your feedback', max: 5000, multiline: true, required: 'Enter your feedback', plain: true }),
      aboutRef: text({ label: 'Reference number', max: 30, plain: true }).transform((v, ctx) => {
        if (!v) return null;
        const ref = parseReference(v, prefix);
        if (!ref) ctx.addIssue({ code: 'custom', message: `Reference number is not right: check it and try again. It looks like ${prefix}-7K3M-9QX4` });
        return ref;
      }),
      name: text({ label: 'Your name', max: 120, plain: true }),
      email: text({ label: 'Email address', max: 254, plain: true }).refine((v) => !v || normaliseEmail(v) !== null, 'Enter an email address in the correct format, like name@example.com'),
      token: text({ label: 'Form', max: 40 }),
    })
    .superRefine((v, ctx) => {
      if (v.feedbackType === 'complaint' && !v.email) ctx.addIssue({ code: 'custom', path: ['email'], message: 'Enter an email address so we can reply to your complaint' });
    });
}

/** What /feedback renders. */
export interface FeedbackView {
  values: Record<string, string>;
  errors: FieldError[];
  types: typeof FEEDBACK_TYPES;
}

/** A fresh form token unless the posted one is well formed (it makes a double submit give one case). */
function formToken(posted: string | undefined): string {
  return posted && /^[a-z2-7]{26}$/.test(posted) ? posted : newSecret(16);
}

/** Send feedback: validate, rate limit per address, create the case, then show the reference. */
export async function handleFeedback(astro: AstroGlobal): Promise<Done | FeedbackView> {
  if (astro.request.method !== 'POST') return { values: { token: newSecret(16) }, errors: [], types: FEEDBACK_TYPES };
  const read = await readPageForm(astro);
  if (!read.ok) return { values: { token: newSecret(16) }, errors: read.errors, types: FEEDBACK_TYPES };
  const typed = typedValues(read.form);
  const values = { feedbackType: typed.feedbackType ?? '', message: (typed.message ?? '').trim(), aboutRef: (typed.aboutRef ?? '').trim(), name: (typed.name ?? '').trim(), email: (typed.email ?? '').trim(), token: formToken(typed.token?.trim()) };
  const honeypot = read.form.get('website');
  const valid = typeof honeypot === 'string' && honeypot !== '' ? { ok: false as const, errors: [fieldError('message', 'Your feedback could not be sent. If you are not a robot, call us instead')] } : validateForm(feedbackSchema(getConfig().partnership.referencePrefix), read.form);
  if (!valid.ok) {
    refuseForm(astro);
    return { values, errors: valid.errors, types: FEEDBACK_TYPES };
  }
  const limit = await hitRateLimit(`feedback:ip:${rateLimitAddress(clientAddressOf(astro))}`, 20, 3_600_000);
  if (!limit.allowed) {
    astro.response.status = 429;
    astro.response.headers.set('Retry-After', String(Math.ceil(limit.retryAfterMs / 1000)));
    return { values, errors: [fieldError('message', `You have sent a lot of feedback recently. Try again in ${describeWait(limit.retryAfterMs)}`)], types: FEEDBACK_TYPES };
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
    },
    { config: getConfig(), actor: { kind: 'public', ip: clientAddressOf(astro) }, publicUrl: getRuntime().env.PUBLIC_URL },
  );
  getRuntime().outbox.poke();
  return seeOther(`/feedback/sent?ref=${encodeURIComponent(created.ref)}`);
}
