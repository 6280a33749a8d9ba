/**
 * Glue for the public alert pages: subscribe (/alerts, honeypot and a rate limit per address), the same "check your
 * e-mail" answer whatever happened, confirm (GET shows a button, since mail scanners follow links; POST confirms),
 * and unsubscribe (GET shows a button; a POST, from that button or a mail client's one-click, unsubscribes at once).
 */
import type { AstroGlobal } from 'astro';
import { alertAreaOptions, confirmSubscription, findByConfirmToken, findByUnsubscribeToken, subscribeQuestions, subscribeToAlerts, unsubscribe, type AlertLinks } from '../../domains/alerts/index.ts';
import { buildQuestionSchema, localiseQuestions } from '../../platform/questions/index.ts';
import { translate, translator } from '../../platform/i18n/index.ts';
import { describeWait, hitRateLimit, rateLimitAddress } from '../../platform/security/rate-limit.ts';
import { getConfig, getRuntime } from '../../server/runtime.ts';
import { clientAddressOf } from '../client-address.ts';
import { fieldError, readPageForm, refuseForm, seeOther, typedValues, validateForm, type FieldError } from '../forms.ts';

/** Subscriptions one address may ask for in an hour. */
const SUBSCRIBES_PER_HOUR = 10;

/** Base URL and partnership name for links in alert e-mails. */
export function alertLinks(): AlertLinks {
  return { baseUrl: getRuntime().env.PUBLIC_URL, partnership: getConfig().partnership.name };
}

/** The name of a ward or district, with "ward" or "district" for the page. */
function areaWords(areaId: string | null): string | null {
  const area = getConfig().areas.find((a) => a.id === areaId);
  return area ? area.name : null;
}

/** The subscribe page: GET shows the form (an area preselected from ?area=); POST asks for the confirmation e-mail. Words in the request's language. */
export async function subscribePage(astro: AstroGlobal) {
  const { areas } = getConfig();
  const lang = astro.locals.lang;
  const t = translator(lang);
  const options = alertAreaOptions(areas).map((o) => ({ ...o, label: o.label.replace(/ \(the whole district\)$/, ` (${t('alerts.wholeDistrict')})`) }));
  const questions = localiseQuestions(subscribeQuestions(options), lang, 'alerts.q');
  const wanted = astro.url.searchParams.get('area') ?? '';
  let values: Record<string, string> = { area: options.some((o) => o.value === wanted) ? wanted : '' };
  let errors: FieldError[] = [];
  if (astro.request.method === 'POST') {
    const read = await readPageForm(astro, { multipart: false });
    if (!read.ok) errors = read.errors;
    else {
      values = typedValues(read.form);
      const honeypot = read.form.get('website');
      const result = typeof honeypot === 'string' && honeypot !== '' ? { ok: false as const, errors: [fieldError('email', t('alerts.robot'))] } : validateForm(buildQuestionSchema(questions, { lang }), read.form);
      if (!result.ok) errors = result.errors;
      else {
        const limit = await hitRateLimit(`alerts:ip:${rateLimitAddress(clientAddressOf(astro))}`, SUBSCRIBES_PER_HOUR, 3_600_000);
        if (!limit.allowed) {
          astro.response.status = 429;
          astro.response.headers.set('Retry-After', String(Math.ceil(limit.retryAfterMs / 1000)));
          errors = [fieldError('email', t('alerts.tooMany', { wait: describeWait(limit.retryAfterMs) }))];
        } else {
          const area = areas.find((a) => a.id === String(result.data.area))!;
          await subscribeToAlerts(String(result.data.email), area, alertLinks(), Date.now(), lang);
          getRuntime().outbox.poke();
          return seeOther('/alerts/check-email');
        }
      }
    }
    refuseForm(astro);
  }
  return { questions, values, errors };
}

/** The confirm page: GET shows a button for a working link; POST confirms. A bad, expired or spent link is a 404 page state. */
export async function confirmPage(astro: AstroGlobal) {
  const token = astro.url.searchParams.get('token') ?? '';
  let area: string | null = null;
  let done = false;
  let errors: FieldError[] = [];
  if (astro.request.method === 'POST') {
    const read = await readPageForm(astro, { multipart: false });
    if (!read.ok) errors = read.errors;
    else {
      const areaId = await confirmSubscription(String(read.form.get('token') ?? token));
      area = areaWords(areaId);
      done = area !== null;
    }
  } else {
    const found = await findByConfirmToken(token);
    area = found ? areaWords(found.areaId) : null;
    done = !!found?.confirmed;
  }
  if (!area && !errors.length) errors = [fieldError('form', translate(astro.locals.lang, 'alerts.confirm.badLink'), 'main-content')];
  if (errors.length) refuseForm(astro, astro.request.method === 'POST' ? 400 : 404);
  return { token, area, done, errors };
}

/**
 * The unsubscribe page. GET: a button for a working link, or "not subscribed" once it is done. POST (the button, or
 * a mail client's one-click POST per RFC 8058, which the server module lets through without cookies): unsubscribes
 * at once from the token in the URL, without reading the body.
 */
export async function unsubscribePage(astro: AstroGlobal) {
  const token = astro.url.searchParams.get('token') ?? '';
  if (astro.request.method === 'POST') {
    const done = await unsubscribe(token);
    if (!done) refuseForm(astro);
    return { token, state: done ? ('done' as const) : ('bad' as const), area: null };
  }
  const found = await findByUnsubscribeToken(token);
  if (!found.valid) refuseForm(astro, 404);
  return { token, state: !found.valid ? ('bad' as const) : found.areaId ? ('ask' as const) : ('gone' as const), area: areaWords(found.areaId) };
}
