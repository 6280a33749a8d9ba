/** Handlers of /track (prove access to a report) and /track/case (see progress, add information). */
import type { AstroGlobal } from 'astro';
import { z } from 'zod';
import { publicStatus } from '../domains/cases/index.ts';
import { addReporterInformation, loadTrackView, parseReference, verifyTrackAccess } from '../domains/reports/index.ts';
import { trackPartnerWords } from '../domains/referrals/index.ts';
import { text } from '../platform/forms/index.ts';
import { describeWait, hitRateLimit, rateLimitAddress } from '../platform/security/rate-limit.ts';
import { clientAddressOf } from './client-address.ts';
import { getConfig, getRuntime } from '../server/runtime.ts';
import { fieldError, readPageForm, refuseForm, seeOther, typedValues, validateForm, type Done, type FieldError } from './forms.ts';
import { grantTrackAccess, trackedCaseId } from './track-access.ts';

/** The /track form: a reference, and the e-mail address given or the anonymous tracking code. */
function trackSchema(prefix: string) {
  return z
    .object({
      ref: text({ label: 'Reference number', max: 30, required: 'Enter your reference number', plain: true }),
      email: text({ label: 'Email address', max: 254, plain: true }),
      code: text({ label: 'Tracking code', max: 20, plain: true }),
    })
    .transform((v, ctx) => {
      const ref = parseReference(v.ref, prefix);
      if (!ref) ctx.addIssue({ code: 'custom', path: ['ref'], message: `Reference number is not right: check it and try again. It looks like ${prefix}-7K3M-9QX4` });
      else if (!v.email && !v.code) ctx.addIssue({ code: 'custom', path: ['email'], message: 'Enter the email address you gave, or your tracking code' });
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
  const valid = validateForm(trackSchema(getConfig().partnership.referencePrefix), read.form);
  if (!valid.ok) {
    refuseForm(astro);
    return { values, errors: valid.errors };
  }
  const limit = await hitRateLimit(`track:ip:${rateLimitAddress(clientAddressOf(astro))}`, 20, 15 * 60_000);
  if (!limit.allowed) {
    astro.response.status = 429;
    return { values, errors: [fieldError('ref', `Too many attempts. Try again in ${describeWait(limit.retryAfterMs)}`)] };
  }
  const { ref, email, code } = valid.data;
  const caseId = await verifyTrackAccess(ref, { email: email || undefined, secret: code || undefined });
  if (caseId) {
    grantTrackAccess(astro, caseId);
    return seeOther('/track/case');
  }
  refuseForm(astro);
  return { values, errors: [fieldError('ref', 'We could not find a report with those details. Check the reference number and the email address or tracking code')] };
}

const informationSchema = z.object({
  information: text({ label: 'More information', max: 5000, multiline: true, required: 'Enter the information you want to add', plain: true }),
});

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

/** The case the visitor proved access to: its progress, and a form to add information (rate limited per case). */
export async function handleTrackCase(astro: AstroGlobal): Promise<Done | TrackCaseView> {
  const caseId = trackedCaseId(astro);
  if (!caseId) return seeOther('/track');
  const config = getConfig();
  let errors: FieldError[] = [];
  let information = '';
  if (astro.request.method === 'POST') {
    const read = await readPageForm(astro);
    const valid = read.ok ? validateForm(informationSchema, read.form) : read;
    if (read.ok) information = (typedValues(read.form).information ?? '').trim();
    if (!valid.ok) errors = valid.errors;
    else {
      const limit = await hitRateLimit(`track:add:${caseId}`, 10, 3_600_000);
      if (!limit.allowed) {
        astro.response.status = 429;
        errors = [fieldError('information', `You have added a lot of information in the last hour. Try again in ${describeWait(limit.retryAfterMs)}`)];
      } else {
        await addReporterInformation(caseId, valid.data.information, { ip: clientAddressOf(astro), publicUrl: getRuntime().env.PUBLIC_URL, partnership: config.partnership.name });
        getRuntime().outbox.poke();
        return seeOther('/track/case?added=1');
      }
    }
    refuseForm(astro);
  }
  const view = await loadTrackView(caseId);
  if (!view) return seeOther('/track');
  const status = (await trackPartnerWords(view.id, view.status, config.agencies)) ?? publicStatus(view.status);
  const category = config.categories.find((c) => c.id === view.categoryId)?.name ?? (view.kind === 'feedback' ? 'Feedback about the service' : 'Report');
  return { view, status, colour: STATUS_COLOURS[status.startsWith('Passed to') ? 'Passed to a partner' : status] ?? 'grey', category, information, errors };
}
