/** Call durations: reading what a handler typed (seconds, m:ss, h:mm:ss or "7m 30s") and showing seconds as m:ss. */

/** The longest call we accept, in seconds (4 hours). */
export const MAX_DURATION_S = 4 * 3600;

/** What reading a typed call length gives: seconds, or the GOV.UK-style message to show. */
export type DurationRead = { ok: true; seconds: number } | { ok: false; message: string };

/** Read a typed call length: "90" is 90 seconds, "1:30" is 1 minute 30, "1:02:30" and "7m 30s" as written; at most 4 hours. */
export function readDuration(input: string): DurationRead {
  const s = input.trim().toLowerCase();
  let seconds: number | null = null;
  let m: RegExpExecArray | null;
  if ((m = /^(\d{1,2}):([0-5]\d):([0-5]\d)$/.exec(s))) seconds = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  else if ((m = /^(\d{1,3}):([0-5]\d)$/.exec(s))) seconds = Number(m[1]) * 60 + Number(m[2]);
  else if ((m = /^(\d{1,6})$/.exec(s))) seconds = Number(m[1]);
  else if ((m = /^(?:(\d{1,3})\s*m(?:ins?|inutes?)?)?\s*(?:(\d{1,5})\s*s(?:ecs?|econds?)?)?$/.exec(s)) && (m[1] || m[2])) seconds = Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
  if (seconds === null) return { ok: false, message: 'Enter how long the call took in seconds or minutes and seconds, like 90 or 1:30' };
  if (seconds > MAX_DURATION_S) return { ok: false, message: 'Call length must be 4 hours (4:00:00) or less' };
  return { ok: true, seconds };
}

/** Seconds from a typed call length, or null when unreadable or over 4 hours (see readDuration). */
export function parseDuration(input: string): number | null {
  const read = readDuration(input);
  return read.ok ? read.seconds : null;
}

/** Seconds as "m:ss" (or "h:mm:ss" from an hour). */
export function formatDuration(totalSeconds: number): string {
  const t = Math.max(0, Math.round(totalSeconds));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = String(t % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** When the call started, from the hidden field: a believable time within the last 12 hours, else null (not started). */
export function readCallStart(raw: string, now: number): number | null {
  if (!/^\d{1,16}$/.test(raw.trim())) return null;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n > now + 60_000 || n < now - 12 * 3_600_000) return null;
  return Math.min(n, now);
}

/** A believable call start from the hidden field, else now. */
export function readStartedAt(raw: string, now: number): number {
  return readCallStart(raw, now) ?? now;
}
