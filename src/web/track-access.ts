/** The short-lived, signed cookie that lets a resident see one case after proving access. */
import type { AstroGlobal } from 'astro';

type Ctx = Pick<AstroGlobal, 'cookies' | 'url'>;
import { getRuntime } from '../server/runtime.ts';
import { signValue, verifySignedValue } from '../platform/security/signing.ts';

/** The tracking cookie's name (/exit clears it too). */
const COOKIE = 'track';
const LIFETIME_MS = 30 * 60_000;

/** Grant access to a case for 30 minutes: a session cookie (gone when the browser closes), the limit kept in its signed value. */
export function grantTrackAccess(astro: Ctx, caseId: string) {
  astro.cookies.set(COOKIE, signValue(caseId, Date.now() + LIFETIME_MS), {
    path: '/track',
    httpOnly: true,
    sameSite: 'lax',
    secure: astro.url.protocol === 'https:' || getRuntime().env.SECURE_COOKIES === true,
  });
}

/** The case id the visitor may see, or null. */
export function trackedCaseId(astro: Ctx): string | null {
  const raw = astro.cookies.get(COOKIE)?.value;
  return raw ? verifySignedValue(raw) : null;
}

/** Forget access (sign out of tracking). */
export function endTrackAccess(astro: Ctx) {
  astro.cookies.delete(COOKIE, { path: '/track' });
}
