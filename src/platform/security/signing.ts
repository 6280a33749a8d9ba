/** Signed values (HMAC-SHA256) with a server key kept in the database, for short-lived resident access cookies. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { getDatabase, toStatement } from '../db/client.ts';
import { meta } from '../db/schema.ts';
import { newSecret } from './ids.ts';

let key: Buffer | undefined;

/** Load the signing key, creating it on first start (or take SECRET_KEY when set). */
export async function loadSigningKey(secretFromEnv?: string): Promise<void> {
  if (secretFromEnv) {
    key = Buffer.from(secretFromEnv, 'utf8');
    return;
  }
  const { db, writer } = getDatabase();
  await writer.batch([toStatement(db.insert(meta).values({ key: 'signing_key', value: newSecret(32) }).onConflictDoNothing())]);
  const [row] = await db.select().from(meta).where(eq(meta.key, 'signing_key'));
  key = Buffer.from(row!.value, 'utf8');
}

function mac(value: string): string {
  if (!key) throw new Error('signing key not loaded');
  return createHmac('sha256', key).update(value).digest('base64url');
}

/** Sign a value that expires at a time: "value~expires~mac". */
export function signValue(value: string, expiresAt: number): string {
  const body = `${value}~${expiresAt}`;
  return `${body}~${mac(body)}`;
}

/** The value inside a signed string, or null if forged or expired. */
export function verifySignedValue(signed: string, now = Date.now()): string | null {
  const parts = signed.split('~');
  if (parts.length !== 3) return null;
  const [value, expires, given] = parts as [string, string, string];
  const expected = Buffer.from(mac(`${value}~${expires}`));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
  if (!(Number(expires) > now)) return null;
  return value;
}

/** A keyed hash of a value (e.g. an e-mail address) to find it again without storing it. */
export function keyedHash(value: string): string {
  return mac(`hash:${value}`);
}
