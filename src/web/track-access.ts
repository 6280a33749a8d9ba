/** The short-lived, signed cookie that lets a resident see one case after proving access. */
import type { AstroGlobal } from 'astro';

type Ctx = Pick<AstroGlobal, 'cookies' | 'url'>;
import { getRuntime } from '../server/runtime.ts';
import { signValue, verifySignedValue } from '../platform/security/signing.ts';

/** The tracking cookie's name (/exit clears it too). */
const COOKIE = 'track';
/** Access lasts this long after the last view or post of the case... */
const IDLE_MS = 30 * 60_000;
/** ...and never longer than this after access was proved. */
const MAX_MS = 2 * 60 * 60_000;

/**
 * Grant access to a case for 30 minutes, never past 2 hours from `since` (when access was proved): a session cookie
 * (gone when the browser closes), the case, `since` and the limit kept in its signed value.
 */
export function grantTrackAccess(astro: Ctx, caseId: string, since = Date.now()) {
  astro.cookies.set(COOKIE, signValue(`${caseId}.${since}`, Math.min(Date.now() + IDLE_MS, since + MAX_MS)), {
    path: '/track',
    httpOnly: true,
    sameSite: 'lax',
    secure: astro.url.protocol === 'https:' || getRuntime().env.SECURE_COOKIES === true,
  });
}

/** The case id the visitor may see, with the access renewed for 30 minutes (within its 2 hours), or null. */
export function renewTrackAccess(astro: Ctx): string | null {
  const raw = astro.cookies.get(COOKIE)?.value;
  const [caseId, since] = (raw ? verifySignedValue(raw) : null)?.split('.') ?? [];
  if (!caseId || !since || !/^\d+$/.test(since)) return null;
  grantTrackAccess(astro, caseId, Number(since));
  return caseId;
}

/** True when the visitor still holds a tracking cookie (one that no longer gives access, once renewTrackAccess said no). */
export function holdsTrackCookie(astro: Ctx): boolean {
  return astro.cookies.has(COOKIE);
}

/** Forget access (sign out of tracking). */
export function endTrackAccess(astro: Ctx) {
  astro.cookies.delete(COOKIE, { path: '/track' });
}
