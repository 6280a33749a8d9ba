/**
 * The request's language (Astro.locals.lang): `?lang=xx` chooses it and keeps it in the `lang` cookie for a year
 * (so the choice holds without JavaScript), else the cookie, else English. Staff pages are always English.
 */
import type { APIContext } from 'astro';
import { DEFAULT_LANGUAGE, availableLanguages, resolveLanguage, translateOr } from '../platform/i18n/index.ts';
import { getRuntime } from '../server/runtime.ts';

/** Name of the cookie that keeps the chosen language (a functional cookie, no personal data). */
export const LANGUAGE_COOKIE = 'lang';

/** Work out the request's language, setting the cookie when `?lang=` names a language. */
export function resolveRequestLanguage(context: Pick<APIContext, 'url' | 'cookies'>): string {
  if (context.url.pathname === '/staff' || context.url.pathname.startsWith('/staff/')) return DEFAULT_LANGUAGE;
  const asked = context.url.searchParams.get('lang');
  if (asked !== null) {
    const lang = resolveLanguage(asked);
    if (lang === asked && context.cookies.get(LANGUAGE_COOKIE)?.value !== lang) {
      const secure = context.url.protocol === 'https:' || getRuntime().env.SECURE_COOKIES === true;
      context.cookies.set(LANGUAGE_COOKIE, lang, { path: '/', maxAge: 365 * 86_400, sameSite: 'lax', httpOnly: true, secure });
    }
    return lang;
  }
  return resolveLanguage(context.cookies.get(LANGUAGE_COOKIE)?.value);
}

/** The current URL with `lang` set to a language (the language switch's links and the hreflang alternates). */
export function languageHref(url: URL, lang: string, absoluteBase?: string): string {
  const params = new URLSearchParams(url.searchParams);
  params.set('lang', lang);
  return `${absoluteBase ? absoluteBase.replace(/\/$/, '') : ''}${url.pathname}?${params.toString()}`;
}

/** The languages of the switch and the hreflang alternates. */
export function languageChoices(): { code: string; name: string }[] {
  return availableLanguages();
}

type Phone = { label: string; number: string; hint: string };
type Phones = { emergency: Phone; nonEmergency: Phone; crimestoppers: Phone; hotline: Phone & { hours: string; textRelay: string } };

/** The partnership's phone numbers with their words in a language (`partnership.phones.<id>.<field>` keys; the config's English otherwise). */
export function phonesIn<P extends Phones>(phones: P, lang: string): P {
  const out = {} as Record<string, unknown>;
  for (const [id, phone] of Object.entries(phones) as [string, Record<string, string>][]) {
    out[id] = Object.fromEntries(Object.entries(phone).map(([field, value]) => [field, field === 'number' ? value : translateOr(lang, `partnership.phones.${id}.${field}`, value)]));
  }
  return out as P;
}
