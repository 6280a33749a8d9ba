/** Call durations: reading what a handler typed (m:ss, h:mm:ss or whole minutes) and showing seconds as m:ss. */

/** The longest call we accept, in seconds (4 hours). */
export const MAX_DURATION_S = 4 * 3600;

/** Seconds from "4:05", "1:02:30", "7" (minutes) or "7m 30s"; null when unreadable or out of range. */
export function parseDuration(input: string): number | null {
  const s = input.trim().toLowerCase();
  let seconds: number | null = null;
  let m: RegExpExecArray | null;
  if ((m = /^(\d{1,2}):([0-5]\d):([0-5]\d)$/.exec(s))) seconds = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  else if ((m = /^(\d{1,3}):([0-5]\d)$/.exec(s))) seconds = Number(m[1]) * 60 + Number(m[2]);
  else if ((m = /^(\d{1,3})$/.exec(s))) seconds = Number(m[1]) * 60;
  else if ((m = /^(?:(\d{1,3})\s*m(?:in(?:utes?)?)?)?\s*(?:(\d{1,4})\s*s(?:ec(?:onds?)?)?)?$/.exec(s)) && (m[1] || m[2])) seconds = Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
  if (seconds === null || seconds > MAX_DURATION_S) return null;
  return seconds;
}

/** Seconds as "m:ss" (or "h:mm:ss" from an hour). */
export function formatDuration(totalSeconds: number): string {
  const t = Math.max(0, Math.round(totalSeconds));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = String(t % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** A believable screen-open time from the hidden field: within the last 12 hours, else now. */
export function readStartedAt(raw: string, now: number): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n > now + 60_000 || n < now - 12 * 3_600_000) return now;
  return Math.min(n, now);
}
