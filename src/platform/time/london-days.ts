/** UK calendar days for call filters and figures (Europe/London, so a day follows BST and GMT). */

const DAY_FORMAT = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });
const TIME_FORMAT = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });

/** The London calendar day of an instant, as YYYY-MM-DD. */
export function londonDay(ms: number): string {
  return DAY_FORMAT.format(new Date(ms));
}

/** The instant a London calendar day (YYYY-MM-DD) starts, or null when the text is not a real date. */
export function londonDayStart(day: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const naive = Date.UTC(y, mo - 1, d);
  const probe = new Date(naive);
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) return null;
  // London is UTC or UTC+1: midnight local is the candidate whose London day matches.
  for (const offset of [0, -3_600_000]) if (londonDay(naive + offset) === day && londonDay(naive + offset - 1) !== day) return naive + offset;
  return naive;
}

/** The day after a YYYY-MM-DD day, as YYYY-MM-DD. */
export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** An instant in words for staff pages, London time ("23 Nov 2026, 14:05"). */
export function formatCallTime(ms: number): string {
  return TIME_FORMAT.format(new Date(ms));
}
