/**
 * Trusted devices: after a sign-in completed with two-factor, the browser gets a long-lived signed token
 * naming the user. Presented with that user's e-mail at sign-in, it exempts the browser from the
 * per-account and per-address throttles (never from the per-(account, address) one), so an attacker
 * flooding an account or an office's shared address cannot lock its staff out. The token is bound to the
 * user's password hash and two-factor set-up, so a password change or a two-factor reset revokes it.
 */
import { createHash } from 'node:crypto';
import { signValue, verifySignedValue } from '../../platform/security/signing.ts';
import type { User } from './users.ts';

/** How long a browser stays trusted after a sign-in with two-factor. */
export const TRUSTED_DEVICE_MS = 30 * 86_400_000;

/** A short fingerprint of what the trust depends on: the password hash and when two-factor was set up. */
function credentialFingerprint(user: Pick<User, 'passwordHash' | 'totpEnabledAt'>): string {
  return createHash('sha256').update(`${user.passwordHash ?? ''}|${user.totpEnabledAt ?? ''}`).digest('base64url').slice(0, 16);
}

/** Issue a trusted-device token for a user who has just completed two-factor. */
export function issueTrustedDevice(user: Pick<User, 'id' | 'passwordHash' | 'totpEnabledAt'>, now = Date.now()): string {
  return signValue(`${user.id}.${credentialFingerprint(user)}`, now + TRUSTED_DEVICE_MS);
}

/** True when a token is a valid, unexpired trusted-device token for this user with the same credentials. */
export function isTrustedDevice(token: string | null | undefined, user: Pick<User, 'id' | 'passwordHash' | 'totpEnabledAt'> | undefined, now = Date.now()): boolean {
  if (!token || !user || !user.totpEnabledAt) return false;
  return verifySignedValue(token, now) === `${user.id}.${credentialFingerprint(user)}`;
}
