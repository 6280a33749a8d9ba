/** UK phone numbers: accept any common way of writing one, store E.164 (+44…). */

/** Convert a UK number in any usual format to E.164, or null if it cannot be a UK number. */
export function toE164(input: string): string | null {
  let s = input.trim().replace(/[\s().\-–]/g, '');
  if (s === '') return null;
  if (s.startsWith('00')) s = '+' + s.slice(2);
  if (s.startsWith('+44')) s = '0' + s.slice(3).replace(/^\(?0\)?/, '');
  else if (s.startsWith('44') && s.length >= 12) s = '0' + s.slice(2);
  if (s.startsWith('+')) return null;
  if (!/^0\d{9,10}$/.test(s)) return null;
  if (/^0[07]/.test(s) && s.length !== 11) return null;
  return '+44' + s.slice(1);
}

/** Show an E.164 UK number the way people read it (07700 900123, 01632 960000). */
export function formatUkPhone(e164: string): string {
  if (!e164.startsWith('+44')) return e164;
  const national = '0' + e164.slice(3);
  if (/^0(7|1\d{3}|800)/.test(national) && national.length === 11) return `${national.slice(0, 5)} ${national.slice(5)}`;
  if (/^02/.test(national)) return `${national.slice(0, 3)} ${national.slice(3, 7)} ${national.slice(7)}`;
  return `${national.slice(0, 5)} ${national.slice(5)}`;
}
