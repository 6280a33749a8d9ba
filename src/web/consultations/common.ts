/** Shared glue of the consultation pages: wards and areas from the configuration, links for e-mails, limits on the public forms. */
import type { AstroGlobal } from 'astro';
import { getConfig, getRuntime } from '../../server/runtime.ts';
import type { Area } from '../../platform/config/partnership.ts';
import { canManageArea, emailQuestion, parseEmail, type ReachPopulation } from '../../domains/consultations/index.ts';
import { DEFAULT_LANGUAGE, translate } from '../../platform/i18n/index.ts';
import type { Question, QuestionOption } from '../../platform/questions/index.ts';
import { describeWait, hitRateLimit, rateLimitAddress } from '../../platform/security/rate-limit.ts';
import { clientAddressOf } from '../client-address.ts';
import { fieldError, type FieldError } from '../forms.ts';
import type { Actor } from '../../platform/audit.ts';

/** The signed-in user as the actor of an audit row (a page or an endpoint). */
export function staffActor(ctx: { locals: App.Locals; clientAddress?: string }): Actor {
  return { kind: 'user', id: ctx.locals.user?.id ?? null, ip: clientAddressOf(ctx) };
}

/** The partnership's wards as options. */
export function wardOptions(): QuestionOption[] {
  return getConfig().areas.filter((a) => a.kind === 'ward').map((a) => ({ value: a.id, label: a.name }));
}

/** The population "who is not responding" compares against: the wards of the area (all for the partnership) and its people by age band. */
export function reachPopulation(areaId: string | null): ReachPopulation {
  const areas = getConfig().areas;
  const area = areas.find((a) => a.id === areaId);
  const wards = areas.filter((a) => a.kind === 'ward' && (!area || area.kind === 'county' || a.id === area.id || a.parent === area.id));
  return { wards: wards.map((w) => ({ value: w.id, label: w.name, population: w.population })), ageBands: area?.ageBands ?? sumAgeBands(wards) };
}

/** The age bands of several areas added up, or null unless every one has them. */
function sumAgeBands(areas: readonly Area[]): Record<string, number> | null {
  if (areas.length === 0 || areas.some((a) => !a.ageBands)) return null;
  const sum: Record<string, number> = {};
  for (const a of areas) for (const [band, n] of Object.entries(a.ageBands!)) sum[band] = (sum[band] ?? 0) + n;
  return sum;
}

/** Districts and wards as options (a consultation's or meeting's area); for a district editor only their district and its wards. */
export function areaOptions(user?: App.Locals['user']): QuestionOption[] {
  return getConfig().areas
    .filter((a) => a.kind !== 'county' && (!user || mayManageArea(user, a.id)))
    .map((a) => ({ value: a.id, label: a.kind === 'district' ? `${a.name} (district)` : a.name }));
}

/** True when the signed-in user may manage a consultation or meeting in this area (see canManageArea). */
export function mayManageArea(user: App.Locals['user'], areaId: string | null): boolean {
  if (!user) return false;
  return canManageArea({ bindsDistrict: !!user.bindsDistrict, districtId: user.districtId ?? null }, areaId, getConfig().areas);
}

/** The name of an area, or the partnership's for none. */
export function areaName(areaId: string | null): string {
  return (areaId && getConfig().areas.find((a) => a.id === areaId)?.name) || getConfig().partnership.name;
}

/** Base URL and partnership name for links in e-mails. */
export function mailLinks(): { baseUrl: string; partnership: string } {
  return { baseUrl: getRuntime().env.PUBLIC_URL, partnership: getConfig().partnership.name };
}

/** A title cut to fit in a page title (at most `max` characters, ending with an ellipsis when cut). */
export function shortTitle(title: string, max = 24): string {
  return title.length <= max ? title : `${title.slice(0, max - 1).trimEnd()}…`;
}

/** The public consultation forms, each with its own rate limit per address (a refusal says `consultations.limit.<form>`). */
type PublicForm = 'start' | 'respond' | 'resume' | 'register';

/** The e-mail address question of a public form in a language (label and hint already translated; its messages from `consultations.email.*`). */
export function emailQuestionIn(label: string, hint: string, lang: string): Question {
  const q = emailQuestion(label, hint);
  if (lang === DEFAULT_LANGUAGE) return q;
  return {
    ...q, messageLabel: translate(lang, 'consultations.email.messageLabel'), required: translate(lang, 'consultations.email.required'),
    parse: (value: string) => {
      const parsed = parseEmail(value);
      return parsed.ok ? parsed : { ok: false, message: translate(lang, 'consultations.email.invalid') };
    },
  } as Question;
}

/** Count one submission of a public form from this client; over the limit, a 429 with Retry-After and the error to show (in the request's language). */
export async function limitPublicForm(astro: Pick<AstroGlobal, 'locals' | 'response'>, form: PublicForm): Promise<FieldError | null> {
  // Starting a response (a new draft) is allowed twice as often: people start again on another device or after a cookie is cleared.
  const perHour = getRuntime().env.CONSULTATION_FORMS_PER_HOUR_PER_ADDRESS * (form === 'start' ? 2 : 1);
  const limit = await hitRateLimit(`consultation:${form}:ip:${rateLimitAddress(clientAddressOf(astro))}`, perHour, 3_600_000);
  if (limit.allowed) return null;
  astro.response.status = 429;
  astro.response.headers.set('Retry-After', String(Math.ceil(limit.retryAfterMs / 1000)));
  const lang = astro.locals.lang;
  return fieldError('form', translate(lang, `consultations.limit.${form}`, { wait: describeWait(limit.retryAfterMs, lang) }), 'main-content');
}

/** True when the hidden honeypot field ("website") was filled in: people never see it, so only automated submissions do. */
export function honeypotFilled(form: FormData): boolean {
  const value = form.get('website');
  return typeof value === 'string' && value !== '';
}
