/** The weekly rhythm of alert digests, in London time. */
import { londonDate, londonParts } from '../../platform/time/london.ts';

const DAY = 86_400_000;

/** The hour (London) on Monday from which the week's digests go out. */
export const DIGEST_HOUR = 8;

/** The London week of an instant, named by its Monday as YYYY-MM-DD. */
export function digestWeekOf(now: number): string {
  const p = londonParts(now);
  const back = (p.weekday + 6) % 7;
  return londonDate(Date.UTC(p.y, p.m - 1, p.d, 12) - back * DAY);
}

/** True once the week's digests may go out: any time in the week except Monday before DIGEST_HOUR. */
export function isDigestTime(now: number): boolean {
  const p = londonParts(now);
  return !(p.weekday === 1 && p.h < DIGEST_HOUR);
}
