import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decryptTotpKey, encryptTotpKey, formatTotpKey, generateRecoveryCodes, hashRecoveryCode, parseTotpKey, totpCodeAt, totpUri, useRecoveryCode, verifyTotpCode, configureSecretKey } from '../../src/domains/identity/totp.ts';

test('TOTP matches the RFC 6238 SHA-1 test vectors', () => {
  const key = new TextEncoder().encode('12345678901234567890');
  // RFC 6238 appendix B, 8-digit values truncated to the last 6 digits.
  const vectors: [number, string][] = [[59, '287082'], [1111111109, '081804'], [1111111111, '050471'], [1234567890, '005924'], [2000000000, '279037']];
  for (const [t, code] of vectors) assert.equal(totpCodeAt(key, Math.floor(t / 30)), code, `t=${t}`);
  assert.equal(verifyTotpCode(key, '287082', 59_000), 1);
  assert.equal(verifyTotpCode(key, '287 082', 59_000 + 30_000), 1, 'one step of drift allowed');
  assert.equal(verifyTotpCode(key, '287082', 59_000 + 90_000), null, 'older codes refused');
  assert.equal(verifyTotpCode(key, 'abcdef', 59_000), null);
});

test('the key round-trips through base32 groups and the otpauth URI', () => {
  const key = crypto.getRandomValues(new Uint8Array(20));
  const grouped = formatTotpKey(key);
  assert.match(grouped, /^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
  assert.deepEqual(parseTotpKey(grouped), key);
  assert.match(totpUri('Hollowmere CSP', 'a@b.example', key), /^otpauth:\/\/totp\/Hollowmere%20CSP%3Aa%40b\.example\?secret=[A-Z2-7]+&issuer=Hollowmere\+CSP/);
});

test('TOTP keys are stored encrypted (AES-256-GCM) and cannot be read under another SECRET_KEY', () => {
  configureSecretKey('first-secret-key-0123456789', false);
  const key = crypto.getRandomValues(new Uint8Array(20));
  const stored = encryptTotpKey(key);
  assert.ok(!Buffer.from(stored).includes(Buffer.from(key)), 'not in clear');
  assert.deepEqual(decryptTotpKey(stored), key);
  configureSecretKey('second-secret-key-0123456789', false);
  assert.throws(() => decryptTotpKey(stored));
  assert.throws(() => configureSecretKey(undefined, false), /SECRET_KEY/);
});

test('recovery codes are single use', () => {
  const codes = generateRecoveryCodes();
  assert.equal(codes.length, 10);
  assert.equal(new Set(codes).size, 10);
  const hashes = codes.map(hashRecoveryCode);
  const left = useRecoveryCode(hashes, codes[3]!.toUpperCase());
  assert.equal(left?.length, 9);
  assert.equal(useRecoveryCode(left!, codes[3]!), null);
});
