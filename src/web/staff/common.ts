/** Glue for the staff account pages: who is acting and from where, safe "next" links, form field errors. */
import type { AstroGlobal } from 'astro';
import type { Actor } from '../../platform/audit.ts';
import { getConfig, getRuntime } from '../../server/runtime.ts';
import { clientAddressOf } from '../client-address.ts';
import { safeLocalPath } from '../redirects.ts';

/** One field error for ErrorSummary and the field itself. */
export interface FieldError {
  field: string;
  href: string;
  text: string;
}

/** A field error pointing at the input with the same id. */
export function fieldError(field: string, text: string): FieldError {
  return { field, href: `#${field}`, text };
}

/** The message for a field, if it has one. */
export function errorFor(errors: FieldError[], field: string): string | undefined {
  return errors.find((e) => e.field === field)?.text;
}

/** The client's address (see src/web/client-address.ts). */
export function clientIp(astro: Pick<AstroGlobal, 'clientAddress' | 'locals'>): string | null {
  return clientAddressOf(astro);
}

/** The signed-in user as an audit actor. */
export function actorOf(astro: AstroGlobal): Actor {
  return { kind: 'user', id: astro.locals.user?.id ?? null, ip: clientIp(astro) };
}

/** A same-site path under /staff to go to after sign-in, or /staff. */
export function safeNext(next: string | null | undefined): string {
  const path = safeLocalPath(next, '/staff', '/staff');
  if (path.startsWith('/staff/sign-in') || path.startsWith('/staff/sign-out') || path.startsWith('/staff/two-factor')) return '/staff';
  return path;
}

/** A string field from a form, trimmed unless told otherwise. */
export function formText(form: FormData, name: string, trim = true): string {
  const v = form.get(name);
  const s = typeof v === 'string' ? v : '';
  return (trim ? s.trim() : s).slice(0, 2000);
}

/** The partnership name and public URL, for e-mails. */
export function linkSettings(): { baseUrl: string; partnership: string } {
  return { baseUrl: getRuntime().env.PUBLIC_URL, partnership: getConfig().partnership.name };
}

/** Dates in words come from the one London-time module; re-exported for handlers that import it from here. */
export { formatWhen } from '../../platform/time/london.ts';
