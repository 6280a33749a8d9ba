/**
 * The trusted-device cookie (`trusted_device`): set after a sign-in completed with two-factor, read at
 * sign-in. HttpOnly, SameSite=Lax, Path=/staff, Secure like the session cookie, lasting TRUSTED_DEVICE_MS.
 * It holds one user's signed token (src/domains/identity/trusted-device.ts); the rule it feeds is in
 * src/domains/identity/sign-in.ts.
 */
import type { AstroCookies } from 'astro';
import { issueTrustedDevice, TRUSTED_DEVICE_MS } from '../domains/identity/index.ts';
import { findUserById } from '../domains/identity/index.ts';
import { secureCookiesFor } from './session-cookie.ts';

/** The cookie's name. */
export const TRUSTED_DEVICE_COOKIE = 'trusted_device';

/** The trusted-device token this browser sent, if any. */
export function readTrustedDevice(ctx: { cookies: AstroCookies }): string | null {
  return ctx.cookies.get(TRUSTED_DEVICE_COOKIE)?.value ?? null;
}

/** Mark this browser as trusted for a user who has just completed two-factor. */
export async function trustThisDevice(ctx: { cookies: AstroCookies; url: URL }, userId: string, now = Date.now()): Promise<void> {
  const user = await findUserById(userId);
  if (!user?.totpEnabledAt) return;
  ctx.cookies.set(TRUSTED_DEVICE_COOKIE, issueTrustedDevice(user, now), { httpOnly: true, sameSite: 'lax', path: '/staff', secure: secureCookiesFor(ctx.url), maxAge: Math.floor(TRUSTED_DEVICE_MS / 1000) });
}
