/** Glue for the staff pages: who is acting and from where, safe "next" links, e-mail link settings. */
import type { AstroGlobal } from 'astro';
import type { Actor } from '../../platform/audit.ts';
import { getConfig, getRuntime } from '../../server/runtime.ts';
import { clientAddressOf } from '../client-address.ts';
import { safeLocalPath } from '../redirects.ts';

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

/** The partnership name and public URL, for e-mails. */
export function linkSettings(): { baseUrl: string; partnership: string } {
  return { baseUrl: getRuntime().env.PUBLIC_URL, partnership: getConfig().partnership.name };
}

/** Dates in words come from the one London-time module; re-exported for handlers that import it from here. */
export { formatWhen } from '../../platform/time/london.ts';
