/** Case reference numbers: short, unambiguous characters, and a check character that catches a mistyped reference. */
import { randomBytes } from '../../platform/security/ids.ts';

/** The 30 characters references use: no 0/O, 1/I/L or U. */
export const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
const N = REFERENCE_ALPHABET.length;

/** Luhn mod N check character for a run of reference characters. */
export function checkCharacter(body: string): string {
  let factor = 2;
  let sum = 0;
  for (let i = body.length - 1; i >= 0; i--) {
    const code = REFERENCE_ALPHABET.indexOf(body[i]!);
    if (code < 0) throw new Error(`not a reference character: ${body[i]}`);
    let addend = factor * code;
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / N) + (addend % N);
    sum += addend;
  }
  return REFERENCE_ALPHABET[(N - (sum % N)) % N]!;
}

/** A new random reference such as HM-7K3M-9QX4 (prefix, 7 random characters, 1 check character). */
export function generateReference(prefix: string): string {
  const bytes = randomBytes(7);
  let body = '';
  for (const b of bytes) body += REFERENCE_ALPHABET[b % N];
  const full = body + checkCharacter(body);
  return `${prefix}-${full.slice(0, 4)}-${full.slice(4)}`;
}

/** Normalise what someone typed ("hm 7k3m 9qx4") to the stored form, or null if it is not a valid reference. */
export function parseReference(input: string, prefix: string): string | null {
  const compact = input.toUpperCase().replace(/[\s\-–.]/g, '');
  const rest = compact.startsWith(prefix) ? compact.slice(prefix.length) : compact;
  if (!/^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}$/.test(rest)) return null;
  const body = rest.slice(0, 7);
  if (checkCharacter(body) !== rest[7]) return null;
  return `${prefix}-${rest.slice(0, 4)}-${rest.slice(4)}`;
}
