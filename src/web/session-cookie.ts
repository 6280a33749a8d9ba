/**
 * The staff session cookie: read and validate it into context.locals (called by the middleware on every
 * request), and set or clear it at sign-in and sign-out. Cookie: `session`, HttpOnly, SameSite=Lax, Path=/,
 * Secure unless the request is plain http to localhost (SECURE_COOKIES overrides), expiring with the
 * session's 12-hour absolute limit; the 30-minute idle limit is enforced on the server.
 */
import type { APIContext, AstroCookies } from 'astro';
import { getEnv } from '../platform/config/env.ts';
import { findRole, permissionsForRole } from '../domains/identity/index.ts';
import { SESSION_ABSOLUTE_MS, validateSessionToken } from '../domains/identity/index.ts';
import { listUserDistricts, twoFactorStepFor } from '../domains/identity/index.ts';

/** The cookie's name. */
export const SESSION_COOKIE = 'session';

/** Whether cookies get the Secure flag for this request URL. */
export function secureCookiesFor(url: URL): boolean {
  const forced = getEnv().SECURE_COOKIES;
  if (forced !== undefined) return forced;
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  return !(url.protocol === 'http:' && local);
}

/** Set the session cookie after sign-in. */
export function setSessionCookie(ctx: { cookies: AstroCookies; url: URL }, token: string, createdAt = Date.now(), now = Date.now()): void {
  const maxAge = Math.max(1, Math.floor((createdAt + SESSION_ABSOLUTE_MS - now) / 1000));
  ctx.cookies.set(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/', secure: secureCookiesFor(ctx.url), maxAge });
}

/** Clear the session cookie. */
export function deleteSessionCookie(ctx: { cookies: AstroCookies; url: URL }): void {
  ctx.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: '/', secure: secureCookiesFor(ctx.url), maxAge: 0 });
}

/** Load the signed-in user (if any) into context.locals; a stale cookie is cleared. */
export async function loadSession(context: APIContext): Promise<void> {
  context.locals.user = null;
  context.locals.session = null;
  const token = context.cookies.get(SESSION_COOKIE)?.value;
  if (!token) return;
  const found = await validateSessionToken(token);
  if (!found) {
    deleteSessionCookie(context);
    return;
  }
  const { session, user } = found;
  const step = twoFactorStepFor(user);
  const pendingTwoFactor = step === 'setup' ? 'setup' : step === 'verify' && !session.twoFactorVerified ? 'verify' : null;
  context.locals.session = { id: session.id, createdAt: session.createdAt, twoFactorVerified: session.twoFactorVerified, pendingTwoFactor };
  const role = findRole(user.role);
  context.locals.user = {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    agencyId: user.agencyId,
    districtId: user.districtId,
    teamDistricts: await listUserDistricts(user.id),
    bindsAgency: role?.bindsAgency ?? false,
    bindsDistrict: role?.bindsDistrict ?? false,
    permissions: pendingTwoFactor ? [] : permissionsForRole(user.role),
  };
}
