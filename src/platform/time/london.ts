/**
 * London time, the one way: every calendar day, month key, file-name date and date in words goes through here.
 *
 * London is GMT, or BST (GMT+1) from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday
 * of October (the Summer Time Order 2002). The rule is computed directly rather than with Intl.DateTimeFormat,
 * which was the single biggest cost of creating a case (bench/results/submit.md); tests/unit/london-time.test.ts
 * checks it against the time-zone database around every clock change. Words follow the GOV.UK style guide
 * (3 September 2026; Sept in short form; 24-hour times as the staff pages always used).
 */
import { translateOr } from '../i18n/index.ts';

const HOUR = 3_600_000;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'June', 'July', 'Aug', 'Sept', 'Oct', 'Nov', 'Dec'];
const summerCache = new Map<number, [number, number]>();

/** A London wall-clock reading: month 1-12, weekday 0 (Sunday) to 6. */
export interface LondonParts {
  y: number;
  m: number;
  d: number;
  h: number;
  min: number;
  s: number;
  weekday: number;
}

/** The instant of 01:00 UTC on the last Sunday of a month (month 0-11). */
function lastSundayUtc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

/** London's offset from UTC at an instant: one hour in summer time, otherwise none. */
export function londonOffsetMs(ms: number): number {
  const year = new Date(ms).getUTCFullYear();
  let range = summerCache.get(year);
  if (!range) {
    range = [lastSundayUtc(year, 2), lastSundayUtc(year, 9)];
    summerCache.set(year, range);
  }
  return ms >= range[0] && ms < range[1] ? HOUR : 0;
}

/** The London wall-clock reading of an instant. */
export function londonParts(ms: number): LondonParts {
  const t = new Date(ms + londonOffsetMs(ms));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate(), h: t.getUTCHours(), min: t.getUTCMinutes(), s: t.getUTCSeconds(), weekday: t.getUTCDay() };
}

/** The offset London showed at an instant, measured from its wall clock (whole seconds). */
function wallOffsetAt(ms: number): number {
  const p = londonParts(ms);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, p.s) - Math.floor(ms / 1000) * 1000;
}

/** The UTC instant of a London wall-clock time on a date (month 1-12; hours may be fractional). */
export function londonTime(y: number, m: number, d: number, hour: number): number {
  const wall = Date.UTC(y, m - 1, d) + hour * HOUR;
  const guess = wall - wallOffsetAt(wall);
  return wall - wallOffsetAt(guess);
}

/** Two digits. */
function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** The London calendar date of an instant, as YYYY-MM-DD (day keys, filters and download file names). */
export function londonDate(ms: number): string {
  const p = londonParts(ms);
  return `${p.y}-${pad(p.m)}-${pad(p.d)}`;
}

/** The London calendar month of an instant, as YYYY-MM (month keys). */
export function londonMonth(ms: number): string {
  const p = londonParts(ms);
  return `${p.y}-${pad(p.m)}`;
}

/** The London month YYYY-MM as the instants it spans, [start, end), or null when it is not a month from 2000 to 2099. */
export function londonMonthRange(month: string): [number, number] | null {
  const m = /^(20\d\d)-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  return [londonTime(y, mo, 1, 0), mo === 12 ? londonTime(y + 1, 1, 1, 0) : londonTime(y, mo + 1, 1, 0)];
}

/** The parts of a YYYY-MM-DD text when it is a real calendar date, or null. */
export function parseIsoDate(day: string): { y: number; m: number; d: number } | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day.trim());
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const probe = new Date(Date.UTC(y, m - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d) return null;
  return { y, m, d };
}

/** The instant a London calendar day (YYYY-MM-DD) starts, or null when the text is not a real date. */
export function londonDayStart(day: string): number | null {
  const p = parseIsoDate(day);
  return p ? londonTime(p.y, p.m, p.d, 0) : null;
}

/** The day after a YYYY-MM-DD day, as YYYY-MM-DD. */
export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + 1));
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** A date in words, London time: "3 September 2026" (in another language, its month names: `date.month.<1-12>` keys). */
export function formatDate(ms: number, lang = 'en'): string {
  const p = londonParts(ms);
  return `${p.d} ${lang === 'en' ? MONTHS[p.m - 1] : translateOr(lang, `date.month.${p.m}`, MONTHS[p.m - 1]!)} ${p.y}`;
}

/** A time of day, London time, 24-hour: "08:05". */
export function formatTime(ms: number): string {
  const p = londonParts(ms);
  return `${pad(p.h)}:${pad(p.min)}`;
}

/** A date and time in short words, London time: "3 Sept 2026, 08:05". */
export function formatDateTime(ms: number): string {
  const p = londonParts(ms);
  return `${p.d} ${SHORT_MONTHS[p.m - 1]} ${p.y}, ${formatTime(ms)}`;
}

/** A date and time in full words, London time: "3 September 2026 at 08:05" (in another language, its month names and `date.at`: "3 Medi 2026 am 08:05"). */
export function formatDateTimeLong(ms: number, lang = 'en'): string {
  return `${formatDate(ms, lang)} ${lang === 'en' ? 'at' : translateOr(lang, 'date.at', 'at')} ${formatTime(ms)}`;
}

/** A day and time without the year, London time: "3 Sept, 08:05" (busy lists). */
export function formatDayTime(ms: number): string {
  const p = londonParts(ms);
  return `${p.d} ${SHORT_MONTHS[p.m - 1]}, ${formatTime(ms)}`;
}

/** formatDateTime, or words for a missing instant ("Never" unless told). */
export function formatWhen(ms: number | null | undefined, missing = 'Never'): string {
  return ms ? formatDateTime(ms) : missing;
}
