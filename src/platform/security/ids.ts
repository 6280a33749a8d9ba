/** Identifiers: time-ordered ids for rows and random secrets for tokens. */
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

const pool = new Uint8Array(4096);
let poolOffset = pool.length;

/** Random bytes from a pooled buffer (one getRandomValues call per 4 kB instead of one per id): ids, secrets and references. */
export function randomBytes(n: number): Uint8Array {
  if (n > pool.length) return crypto.getRandomValues(new Uint8Array(n));
  if (poolOffset + n > pool.length) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const out = pool.slice(poolOffset, poolOffset + n);
  // Bytes handed out (a key, a token) do not stay behind in the pool until its next refill.
  pool.fill(0, poolOffset, poolOffset + n);
  poolOffset += n;
  return out;
}

/** A 20-character, time-ordered, random row id (lexical order follows creation time). */
export function newId(now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(10);
  let rand = '';
  for (const b of bytes) rand += CROCKFORD[b % 32];
  return time + rand;
}

/** A random secret of the given byte length, base32 (lower case, no padding). */
export function newSecret(bytes = 20): string {
  return encodeBase32LowerCaseNoPadding(randomBytes(bytes));
}
