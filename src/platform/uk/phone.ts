/**
 * UK phone numbers: accept any usual way of writing one, store E.164 (+44…), show the national format.
 * Parsing and formatting are libphonenumber-js with its "min" metadata: it holds the UK numbering plan's
 * lengths and national formats (0161 496 0000, 020 7946 0000, 07700 900123), which is all we use.
 * A number is accepted when it has a possible length for the +44 plan (the Crown Dependencies share it);
 * we do not demand a currently allocated range, so Ofcom's drama ranges and newly opened ranges still work.
 */
import { parsePhoneNumberFromString, type PhoneNumber } from 'libphonenumber-js/min';

/** Parse a UK number written in any usual way, or null when it cannot be one. */
export function parseUkPhone(input: string): PhoneNumber | null {
  const text = input.trim();
  if (text === '' || text.length > 40 || /[a-z]/i.test(text)) return null;
  const number = parsePhoneNumberFromString(text.replace(/^00/, '+'), 'GB');
  if (!number || number.countryCallingCode !== '44' || number.ext || !number.isPossible()) return null;
  return number;
}

/** Convert a UK number in any usual format to E.164, or null if it cannot be a UK number. */
export function toE164(input: string): string | null {
  return parseUkPhone(input)?.number ?? null;
}

/** Show an E.164 number the way people read it: UK national format (0161 496 0000), others international. */
export function formatUkPhone(e164: string): string {
  const number = parsePhoneNumberFromString(e164);
  if (!number) return e164;
  if (number.countryCallingCode !== '44') return number.formatInternational();
  const national = number.formatNational();
  return national.startsWith('0') ? national : `0${number.nationalNumber}`;
}
