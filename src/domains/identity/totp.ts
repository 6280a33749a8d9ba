/**
 * Two-factor authentication: TOTP (RFC 6238, HMAC-SHA1, 30 s steps, 6 digits) with the key stored
 * encrypted (AES-256-GCM under SECRET_KEY), and single-use recovery codes stored as SHA-256 hashes.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { encodeBase32UpperCaseNoPadding, decodeBase32IgnorePadding } from '@oslojs/encoding';
import { log } from '../../platform/log.ts';

/** Seconds in one TOTP step. */
export const TOTP_PERIOD = 30;
const DIGITS = 6;

/** Generate a new random 20-byte TOTP key. */
export function generateTotpKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(20));
}

/** The key as base32 in groups of four, for typing into an authenticator app. */
export function formatTotpKey(key: Uint8Array): string {
  return encodeBase32UpperCaseNoPadding(key).replace(/(.{4})(?=.)/g, '$1 ');
}

/** Parse a base32 key (spaces and case ignored). */
export function parseTotpKey(text: string): Uint8Array {
  return decodeBase32IgnorePadding(text.replace(/\s+/g, '').toUpperCase());
}

/** The otpauth:// URI an authenticator app can import. */
export function totpUri(issuer: string, account: string, key: Uint8Array): string {
  const label = encodeURIComponent(`${issuer}:${account}`);
  const params = new URLSearchParams({ secret: encodeBase32UpperCaseNoPadding(key), issuer, algorithm: 'SHA1', digits: String(DIGITS), period: String(TOTP_PERIOD) });
  return `otpauth://totp/${label}?${params}`;
}

/** The TOTP step number at a time. */
export function totpStep(now = Date.now()): number {
  return Math.floor(now / 1000 / TOTP_PERIOD);
}

/** The code for one step (RFC 4226 HOTP with the step as counter). */
export function totpCodeAt(key: Uint8Array, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const bin = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(bin % 10 ** DIGITS).padStart(DIGITS, '0');
}

/** The step whose code matches (allowing one step of clock drift either way), or null. */
export function verifyTotpCode(key: Uint8Array, code: string, now = Date.now()): number | null {
  const clean = code.replace(/[\s-]/g, '');
  if (!/^\d{6}$/.test(clean)) return null;
  const step = totpStep(now);
  let found: number | null = null;
  for (const s of [step - 1, step, step + 1]) {
    if (timingSafeEqual(Buffer.from(totpCodeAt(key, s)), Buffer.from(clean))) found = s;
  }
  return found;
}

let encryptionKey: Buffer | undefined;

/** Derive the AES key from SECRET_KEY; in demo mode without one, a fixed development key (with a warning). */
export function configureSecretKey(secretKey: string | undefined, demoMode: boolean): void {
  if (!secretKey) {
    if (!demoMode) throw new Error('SECRET_KEY: must be set (at least 16 characters) when DEMO_MODE is off, to encrypt two-factor keys');
    log.warn('secret_key.demo', { message: 'SECRET_KEY is not set: two-factor keys are encrypted with a fixed development key. Set SECRET_KEY in production.' });
    secretKey = 'saferline-demo-only-development-key';
  }
  encryptionKey = Buffer.from(hkdfSync('sha256', Buffer.from(secretKey, 'utf8'), Buffer.alloc(0), 'saferline totp key v1', 32));
}

function aesKey(): Buffer {
  if (!encryptionKey) configureSecretKey(process.env.SECRET_KEY || undefined, !/^(false|0|no)$/i.test(process.env.DEMO_MODE ?? 'true'));
  return encryptionKey!;
}

/** Encrypt a TOTP key for storage: iv (12) | tag (16) | ciphertext. */
export function encryptTotpKey(key: Uint8Array): Buffer {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const cipher = createCipheriv('aes-256-gcm', aesKey(), iv);
  const body = Buffer.concat([cipher.update(key), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** Decrypt a stored TOTP key; throws when it was encrypted under another SECRET_KEY. */
export function decryptTotpKey(stored: Uint8Array): Uint8Array {
  const buf = Buffer.from(stored);
  const decipher = createDecipheriv('aes-256-gcm', aesKey(), buf.subarray(0, 12));
  decipher.setAuthTag(buf.subarray(12, 28));
  return new Uint8Array(Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]));
}

const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** Ten new recovery codes like "k7m2-p9qx-3hta" (about 60 bits each). */
export function generateRecoveryCodes(count = 10): string[] {
  return Array.from({ length: count }, () => {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    const chars = [...bytes].map((b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
  });
}

/** The stored form of a recovery code (hex SHA-256 of the normalised code). */
export function hashRecoveryCode(code: string): string {
  const clean = code.toLowerCase().replace(/[^a-z0-9]/g, '');
  return createHash('sha256').update(clean).digest('hex');
}

/** The remaining hashes once `code` is used, or null when it matches none. */
export function useRecoveryCode(hashes: string[], code: string): string[] | null {
  const h = Buffer.from(hashRecoveryCode(code), 'hex');
  let index = -1;
  hashes.forEach((stored, i) => {
    if (timingSafeEqual(Buffer.from(stored, 'hex'), h)) index = i;
  });
  return index === -1 ? null : hashes.filter((_, i) => i !== index);
}
