/** Handlers of /track (prove access to a report) and /track/case (see progress, add information). */
import type { AstroGlobal } from 'astro';
import { z } from 'zod';
import { publicStatus } from '../domains/cases/index.ts';
import { addReporterInformation, loadTrackView, parseReference, verifyTrackAccess } from '../domains/reports/index.ts';
import { trackPartnerWords } from '../domains/referrals/index.ts';
import { text } from '../platform/forms/index.ts';
import { translate, translateOr } from '../platform/i18n/index.ts';
import { describeWait, hitRateLimit, rateLimitAddress } from '../platform/security/rate-limit.ts';
import { clientAddressOf } from './client-address.ts';
import { getConfig, getRuntime } from '../server/runtime.ts';
import { fieldError, readPageForm, refuseForm, seeOther, typedValues, validateForm, type Done, type FieldError } from './forms.ts';
import { endTrackAccess, grantTrackAccess, holdsTrackCookie, renewTrackAccess } from './track-access.ts';

/** The /track form: a reference, and the e-mail address given or the anonymous tracking code. */
function trackSchema(prefix: string, lang: string) {
  const t = (key: string, params?: Record<string, string>) => translate(lang, key, params);
  return z
    .object({
      ref: text({ label: t('track.ref.label'), max: 30, required: t('track.ref.required'), plain: true, lang }),
      email: text({ label: t('track.email.name'), max: 254, plain: true, lang }),
      code: text({ label: t('track.code.label'), max: 20, plain: true, lang }),
    })
    .transform((v, ctx) => {
      const ref = parseReference(v.ref, prefix);
      if (!ref) ctx.addIssue({ code: 'custom', path: ['ref'], message: t('track.ref.wrong', { example: `${prefix}-7K3M-9QX4` }) });
      else if (!v.email && !v.code) ctx.addIssue({ code: 'custom', path: ['email'], message: t('track.email.required') });
      return { ...v, ref: ref ?? '' };
    });
}

/** What /track renders. */
export interface TrackView {
  values: { ref: string; email: string; code: string };
  errors: FieldError[];
}

/** Check the reference with the e-mail address or tracking code, then show the case. Rate limited per address. */
export async function handleTrack(astro: AstroGlobal): Promise<Done | TrackView> {
  const empty = { ref: '', email: '', code: '' };
  if (astro.request.method !== 'POST') return { values: empty, errors: [] };
  const read = await readPageForm(astro);
  if (!read.ok) return { values: empty, errors: read.errors };
  const typed = typedValues(read.form);
  const values = { ref: (typed.ref ?? '').trim(), email: (typed.email ?? '').trim(), code: (typed.code ?? '').trim() };
  const lang = astro.locals.lang;
  const valid = validateForm(trackSchema(getConfig().partnership.referencePrefix, lang), read.form);
  if (!valid.ok) {
    refuseForm(astro);
    return { values, errors: valid.errors };
  }
  const limit = await hitRateLimit(`track:ip:${rateLimitAddress(clientAddressOf(astro))}`, 20, 15 * 60_000);
  if (!limit.allowed) {
    astro.response.status = 429;
    return { values, errors: [fieldError('ref', translate(lang, 'track.tooMany', { wait: describeWait(limit.retryAfterMs, lang) }))] };
  }
  const { ref, email, code } = valid.data;
  const caseId = await verifyTrackAccess(ref, { email: email || undefined, secret: code || undefined });
  if (caseId) {
    grantTrackAccess(astro, caseId);
    return seeOther('/track/case');
  }
  refuseForm(astro);
  return { values, errors: [fieldError('ref', translate(lang, 'track.notFound'))] };
}

/** The form to add information to a report, with its messages in `lang`. */
function informationSchema(lang: string) {
  return z.object({
    information: text({ label: translate(lang, 'track.info.name'), max: 5000, multiline: true, required: translate(lang, 'track.info.required'), plain: true, lang }),
  });
}

/** The words of a status (and of "Passed to <agencies>") in a language; the colour stays keyed on the English. */
function statusWords(status: string, lang: string): string {
  const key = { Received: 'received', 'Being looked at': 'open', 'We need more information': 'awaitingReporter', 'Passed to a partner': 'partner', Resolved: 'resolved', Closed: 'closed' }[status];
  if (key) return translate(lang, `track.status.${key}`);
  return status.startsWith('Passed to ') ? translate(lang, 'track.status.passedTo', { agencies: status.slice('Passed to '.length) }) : status;
}

/** Public words for a status and the tag colour they get. */
const STATUS_COLOURS: Record<string, string> = { Received: 'blue', 'Being looked at': 'purple', 'We need more information': 'yellow', 'Passed to a partner': 'turquoise', Resolved: 'green', Closed: 'grey' };

/** What /track/case renders. */
export interface TrackCaseView {
  view: NonNullable<Awaited<ReturnType<typeof loadTrackView>>>;
  status: string;
  colour: string;
  category: string;
  information: string;
  errors: FieldError[];
}

/**
 * The case the visitor proved access to: its progress, and a form to add information (rate limited per case). Each
 * view and post renews the access; once it has ended, a post (its text not stored) or a view goes to /track, which
 * says so.
 */
export async function handleTrackCase(astro: AstroGlobal): Promise<Done | TrackCaseView> {
  const caseId = renewTrackAccess(astro);
  if (!caseId) {
    const ended = astro.request.method === 'POST' || holdsTrackCookie(astro);
    if (ended) endTrackAccess(astro);
    return seeOther(ended ? '/track?ended=1' : '/track');
  }
  const config = getConfig();
  let errors: FieldError[] = [];
  let information = '';
  if (astro.request.method === 'POST') {
    const read = await readPageForm(astro);
    const valid = read.ok ? validateForm(informationSchema(astro.locals.lang), read.form) : read;
    if (read.ok) information = (typedValues(read.form).information ?? '').trim();
    if (!valid.ok) errors = valid.errors;
    else {
      const limit = await hitRateLimit(`track:add:${caseId}`, 10, 3_600_000);
      if (!limit.allowed) {
        astro.response.status = 429;
        errors = [fieldError('information', translate(astro.locals.lang, 'track.info.tooMany', { wait: describeWait(limit.retryAfterMs, astro.locals.lang) }))];
      } else {
        await addReporterInformation(caseId, valid.data.information, { ip: clientAddressOf(astro), publicUrl: getRuntime().env.PUBLIC_URL, partnership: config.partnership.name, targets: config.targets });
        getRuntime().outbox.poke();
        return seeOther('/track/case?added=1');
      }
    }
    refuseForm(astro);
  }
  const view = await loadTrackView(caseId);
  if (!view) return seeOther('/track');
  const status = (await trackPartnerWords(view.id, view.status, config.agencies)) ?? publicStatus(view.status);
  const lang = astro.locals.lang;
  const found = config.categories.find((c) => c.id === view.categoryId);
  const category = found ? translateOr(lang, `category.${found.id}.name`, found.name) : translate(lang, view.kind === 'feedback' ? 'track.aboutFeedback' : 'track.aboutReport');
  return { view, status: statusWords(status, lang), colour: STATUS_COLOURS[status.startsWith('Passed to') ? 'Passed to a partner' : status] ?? 'grey', category, information, errors };
}
