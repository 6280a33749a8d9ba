/**
 * Password hashing (Argon2id, m=19456 KiB, t=2, p=1, as the Copenhagen Book asks) and the password policy:
 * 12 to 128 characters, no composition rules, refused when it is a common password or a common password
 * with digits, symbols or letter swaps around it, or when it is built from the person's own name or e-mail.
 */
import { hash, verify } from '@node-rs/argon2';
import { COMMON_PASSWORDS, COMMON_WORDS } from './common-passwords.ts';

const ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32, algorithm: 2 /* Argon2id */ } as const;

/** The shortest password accepted. */
export const MIN_PASSWORD_LENGTH = 12;
/** The longest password accepted. */
export const MAX_PASSWORD_LENGTH = 128;

/** Hash a password for storage (PHC string with its parameters and salt). */
export function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFC'), ARGON2);
}

/** True when the password matches the stored hash; false for a malformed hash. */
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, password.normalize('NFC'));
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/** Spend the same time as verifyPassword when there is no account, so timing does not reveal which e-mails exist. */
export async function verifyDummyPassword(password: string): Promise<void> {
  dummyHash ??= hashPassword('saferline-no-such-account-' + crypto.randomUUID());
  await verifyPassword(await dummyHash, password);
}

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '@': 'a', $: 's', '!': 'i', '|': 'l', '+': 't' };
const KEYBOARD = ['qwertyuiopasdfghjklzxcvbnm', 'abcdefghijklmnopqrstuvwxyz', '01234567890', '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p', 'qazwsxedcrfvtgbyhnujmikolp', '1q2w3e4r5t6y7u8i9o0p'];

function isSequence(s: string): boolean {
  if (s.length < 4) return false;
  return KEYBOARD.some((k) => k.includes(s) || [...k].reverse().join('').includes(s));
}

/** Split "PasswordPassword!2024" style input into its core words, lower case with letter swaps undone. */
function cores(password: string): string[] {
  const lower = password.toLowerCase();
  const deleet = [...lower].map((c) => LEET[c] ?? c).join('');
  const letters = lower.replace(/[^a-z]/g, '');
  const trimmed = lower.replace(/^[^a-z]+|[^a-z]+$/g, '');
  // Digits and symbols at the ends are padding ("P@ssw0rd2026!"): drop them, then undo swaps inside.
  const middle = [...lower.replace(/^[\d\W_]+|[\d\W_]+$/g, '')].map((c) => LEET[c] ?? c).join('');
  return [...new Set([lower, deleet, letters, trimmed, middle, deleet.replace(/[^a-z]/g, '')])].filter(Boolean);
}

function repeatsOf(s: string): boolean {
  for (let n = 1; n <= s.length / 2; n++) {
    if (s.length % n === 0 && s.slice(0, n).repeat(s.length / n) === s) return true;
  }
  return false;
}

/** Why a new password is not acceptable, or null when it is. Context: the person's name and e-mail, the partnership's name. */
export function checkPasswordPolicy(password: string, context: string[] = []): string | null {
  const p = password.normalize('NFC');
  if (p.length === 0) return 'Enter a password';
  if ([...p].length < MIN_PASSWORD_LENGTH) return `Password must be ${MIN_PASSWORD_LENGTH} characters or more`;
  if ([...p].length > MAX_PASSWORD_LENGTH) return `Password must be ${MAX_PASSWORD_LENGTH} characters or fewer`;
  const lower = p.toLowerCase();
  const common = 'Password is too common: choose a password that would be hard to guess, for example three random words';
  if (COMMON_PASSWORDS.has(lower)) return common;
  if (new Set(lower).size < 5) return common;
  if (/^[0-9\W_]+$/.test(lower)) return common;
  for (const core of cores(p)) {
    if (COMMON_PASSWORDS.has(core) || isSequence(core) || repeatsOf(core)) return common;
    // A common word with only digits and symbols added: "Welcome2024!!", "Pa55word123456".
    const letters = core.replace(/[^a-z]/g, '');
    if (letters.length > 0 && (COMMON_WORDS.has(letters) || repeatsOf(letters) || isSequence(letters))) return common;
    for (const w of COMMON_WORDS) if (letters.length > 0 && letters.replaceAll(w, '') === '') return common;
  }
  const words = context
    .flatMap((c) => c.toLowerCase().split(/[^a-z0-9]+/))
    .filter((w) => w.length >= 4);
  const letters = cores(p).map((c) => c.replace(/[^a-z]/g, ''));
  for (const l of letters) {
    if (!words.some((w) => l.includes(w))) continue;
    const rest = words.reduce((acc, w) => acc.replaceAll(w, ''), l);
    if (rest.length < 5) return 'Password must not be based on your name, e-mail address or the name of the partnership';
  }
  return null;
}
