/**
 * The one e-mail address parser: it decides both whether an address is valid and who the mail goes to.
 *
 * nodemailer's address parser (the one that reads the To header when we send) must find exactly one mailbox
 * with no display name, group or comment, and that mailbox must be the whole of what was typed, so
 * "a,victim@example.org", "x <y@z.org>" and "y@z.org (x)" are all refused. The mailbox must then be a plain
 * dot-atom in ASCII before the @ (no quoted local parts, no SMTPUTF8, which relays do not all carry) and a
 * domain with a dot; an internationalised domain is stored in its ASCII (punycode) form. At most 254
 * characters (RFC 5321). The result is lower-cased: the domain by rule, and the local part because the
 * addresses are keys for sign-in, tracking and duplicate checks, and stored addresses have always been lower case.
 */
import { domainToASCII } from 'node:url';
import addressparser from 'nodemailer/lib/addressparser';

/** RFC 5322 dot-atom text: atext characters, single dots between them. */
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
/** One DNS label: letters, digits and inner hyphens, 1-63 characters. */
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** The longest address we accept (RFC 5321 path limit less the angle brackets). */
export const MAX_EMAIL_LENGTH = 254;

/** A domain as stored: lower-case ASCII with at least one dot and a non-numeric top level, or null. */
function asciiDomain(domain: string): string | null {
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (domain === '' || /[\s\u0000-\u001F\u007F]/.test(domain)) return null;
  const ascii = domainToASCII(domain.toLowerCase());
  if (!ascii || ascii.length > 253) return null;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  return /^[0-9]+$/.test(labels.at(-1)!) ? null : ascii;
}

/** Exactly one mailbox, normalised (lower case, ASCII domain), or null when the text is anything else. */
export function parseEmailAddress(input: string): string | null {
  const text = input.trim();
  if (text === '' || text.length > 2 * MAX_EMAIL_LENGTH) return null;
  const parsed = addressparser(text);
  if (parsed.length !== 1) return null;
  const only = parsed[0]!;
  if ('group' in only || only.name !== '' || only.address !== text) return null;
  const at = text.lastIndexOf('@');
  const local = text.slice(0, at);
  if (at < 1 || local.length > 64 || !DOT_ATOM.test(local)) return null;
  const domain = asciiDomain(text.slice(at + 1));
  if (!domain) return null;
  const address = `${local.toLowerCase()}@${domain}`;
  return address.length <= MAX_EMAIL_LENGTH ? address : null;
}

/** True when the text is exactly one mailbox as parseEmailAddress reads it. */
export function isEmailAddress(input: string): boolean {
  return parseEmailAddress(input) !== null;
}

/** Thrown when a message's recipient is not exactly one mailbox; sending it again would not help. */
export class RecipientRefused extends Error {}

/** The last check before sending: the recipient as one normalised mailbox, or RecipientRefused. */
export function checkedRecipient(recipient: string): string {
  const address = parseEmailAddress(recipient);
  if (address === null) throw new RecipientRefused('Refused to send: the recipient is not exactly one e-mail address');
  return address;
}
