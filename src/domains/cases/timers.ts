/**
 * Case timers in working time: Monday to Friday within configured working hours (London time, from
 * src/platform/time/london.ts),
 * skipping England and Wales bank holidays from configuration. Pure: every function takes `now`.
 *
 * Timers: acknowledge (clock hours from receipt, rolled forward into working time), triage,
 * next update and resolve (working days; one working day = one full working-hours window).
 * Next update and resolve are paused while the case awaits the reporter; when it resumes,
 * their due times move on by the working time spent paused.
 */
import { londonParts, londonTime } from '../../platform/time/london.ts';
import type { Priority } from './priority.ts';

/** The calendar the timers run on. */
export interface WorkingCalendar {
  workingHours: { start: number; end: number };
  bankHolidays: readonly string[];
}

/** Targets for one priority (content/config/targets.json). */
export interface PriorityTarget {
  acknowledgeHours: number;
  triageWorkingDays: number;
  updateWorkingDays: number;
  resolveWorkingDays: number;
}

/** Calendar plus per-priority targets. */
export interface TimerTargets extends WorkingCalendar {
  priorities: Record<Priority, PriorityTarget>;
}

/** One timer: when it is due, and when it was met. */
export interface Timer {
  dueAt: number;
  metAt?: number | null;
}

/** The timers kept on a case (cases.timers). */
export interface CaseTimers {
  acknowledge: Timer;
  triage: Timer;
  update: Timer | null;
  resolve: Timer;
  /** Set while paused (awaiting the reporter). */
  pausedAt?: number | null;
  /** The priority the targets came from. */
  priority: Priority;
}

/** Timer names, in the order they fall due. */
export const TIMER_NAMES = ['acknowledge', 'triage', 'update', 'resolve'] as const;

/** A timer name. */
export type TimerName = (typeof TIMER_NAMES)[number];

/** Words for each timer. */
export const TIMER_LABELS: Record<TimerName, string> = {
  acknowledge: 'Acknowledge',
  triage: 'Triage',
  update: 'Next update',
  resolve: 'Resolve',
};

const HOUR = 3_600_000;

const DAY = 86_400_000;

/** The London calendar day of an instant as a day number (days since 1970-01-01). */
function dayOf(ms: number): number {
  const p = londonParts(ms);
  return Date.UTC(p.y, p.m - 1, p.d) / DAY;
}

/** The calendar date of a day number. */
function dateOf(day: number): { y: number; m: number; d: number } {
  const t = new Date(day * DAY);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** A day number as YYYY-MM-DD. */
function isoOf(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

/** True if the London date is a working day (Monday to Friday and not a bank holiday). */
export function isWorkingDay(isoDate: string, calendar: WorkingCalendar): boolean {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !calendar.bankHolidays.includes(isoDate);
}

const windowCache = new WeakMap<WorkingCalendar, Map<number, [number, number] | null>>();

/** The working window (start and end instants) of a day number, or null on a day off; kept per calendar by day. */
function windowOf(day: number, calendar: WorkingCalendar): [number, number] | null {
  let cache = windowCache.get(calendar);
  if (!cache) {
    cache = new Map();
    windowCache.set(calendar, cache);
  }
  let w = cache.get(day);
  if (w === undefined) {
    const { y, m, d } = dateOf(day);
    w = isWorkingDay(isoOf(day), calendar) ? [londonTime(y, m, d, calendar.workingHours.start), londonTime(y, m, d, calendar.workingHours.end)] : null;
    if (cache.size > 5000) cache.clear();
    cache.set(day, w);
  }
  return w;
}

/** Length of one working day in milliseconds. */
export function workingDayMs(calendar: WorkingCalendar): number {
  return (calendar.workingHours.end - calendar.workingHours.start) * HOUR;
}

/** Add working time to an instant; with 0 it returns the next working moment (or the instant itself if in working time). */
export function addWorkingMs(start: number, amount: number, calendar: WorkingCalendar): number {
  let remaining = Math.max(0, amount);
  let day = dayOf(start);
  let t = start;
  for (let i = 0; i < 3700; i++) {
    const w = windowOf(day, calendar);
    if (w) {
      if (t < w[0]) t = w[0];
      if (t < w[1]) {
        const available = w[1] - t;
        if (remaining <= available) return t + remaining;
        remaining -= available;
      }
    }
    day++;
    t = -Infinity;
  }
  throw new Error('addWorkingMs: no working time found within ten years');
}

/** Add working days (fractions allowed) to an instant. */
export function addWorkingDays(start: number, days: number, calendar: WorkingCalendar): number {
  return addWorkingMs(start, days * workingDayMs(calendar), calendar);
}

/** The working time between two instants (0 if b is not after a). */
export function workingMsBetween(a: number, b: number, calendar: WorkingCalendar): number {
  if (b <= a) return 0;
  let total = 0;
  let day = dayOf(a);
  const last = dayOf(b);
  for (let i = 0; i < 3700; i++) {
    const w = windowOf(day, calendar);
    if (w) total += Math.max(0, Math.min(w[1], b) - Math.max(w[0], a));
    if (day >= last) break;
    day++;
  }
  return total;
}

/** The acknowledge deadline: clock hours after receipt, moved forward into working time. */
export function acknowledgeDue(receivedAt: number, hours: number, calendar: WorkingCalendar): number {
  return addWorkingMs(receivedAt + hours * HOUR, 0, calendar);
}

/** New timers for a case received at `receivedAt` with the given priority. */
export function startTimers(receivedAt: number, priority: Priority, targets: TimerTargets): CaseTimers {
  const t = targets.priorities[priority];
  return {
    priority,
    acknowledge: { dueAt: acknowledgeDue(receivedAt, t.acknowledgeHours, targets), metAt: null },
    triage: { dueAt: addWorkingDays(receivedAt, t.triageWorkingDays, targets), metAt: null },
    update: null,
    resolve: { dueAt: addWorkingDays(receivedAt, t.resolveWorkingDays, targets), metAt: null },
    pausedAt: null,
  };
}

/** Recalculate unmet targets after a priority change, from the original receipt time (time already paused still counts). */
export function reprioritiseTimers(timers: CaseTimers, receivedAt: number, priority: Priority, targets: TimerTargets): CaseTimers {
  const fresh = startTimers(receivedAt, priority, targets);
  return {
    ...timers,
    priority,
    acknowledge: timers.acknowledge.metAt ? timers.acknowledge : fresh.acknowledge,
    triage: timers.triage.metAt ? timers.triage : fresh.triage,
    resolve: timers.resolve.metAt ? timers.resolve : { dueAt: fresh.resolve.dueAt + (timers.resolve.dueAt - startTimers(receivedAt, timers.priority, targets).resolve.dueAt), metAt: null },
    update: timers.update && !timers.update.metAt ? { dueAt: timers.update.dueAt, metAt: null } : timers.update,
  };
}

/** Mark a timer met at `now` if it is not already. */
export function meetTimer(timers: CaseTimers, name: TimerName, now: number): CaseTimers {
  const timer = timers[name];
  if (!timer || timer.metAt) return timers;
  return { ...timers, [name]: { ...timer, metAt: now } };
}

/** After an update to the reporter: the next update falls due updateWorkingDays later. */
export function scheduleNextUpdate(timers: CaseTimers, targets: TimerTargets, now: number): CaseTimers {
  const days = targets.priorities[timers.priority].updateWorkingDays;
  return { ...timers, update: { dueAt: addWorkingDays(now, days, targets), metAt: null } };
}

/** Pause the update and resolve timers (the case now awaits the reporter). */
export function pauseTimers(timers: CaseTimers, now: number): CaseTimers {
  if (timers.pausedAt != null) return timers;
  return { ...timers, pausedAt: now };
}

/** Resume paused timers: unmet update and resolve targets move on by the working time spent paused. */
export function resumeTimers(timers: CaseTimers, targets: WorkingCalendar, now: number): CaseTimers {
  if (timers.pausedAt == null) return timers;
  const paused = workingMsBetween(timers.pausedAt, now, targets);
  const shift = (t: Timer | null): Timer | null => (t && !t.metAt ? { dueAt: addWorkingMs(t.dueAt, paused, targets), metAt: null } : t);
  return { ...timers, pausedAt: null, update: shift(timers.update), resolve: shift(timers.resolve)! };
}

/** Stop all timers (resolved or closed): the resolve timer is met, the update timer cleared. */
export function stopTimers(timers: CaseTimers, now: number): CaseTimers {
  const resumed = { ...timers, pausedAt: null };
  return { ...meetTimer(meetTimer(meetTimer(resumed, 'acknowledge', now), 'triage', now), 'resolve', now), update: null };
}

/** The timers that are running (not met, not paused), with their due times. */
export function runningTimers(timers: CaseTimers): { name: TimerName; dueAt: number }[] {
  const out: { name: TimerName; dueAt: number }[] = [];
  for (const name of TIMER_NAMES) {
    const t = timers[name];
    if (!t || t.metAt) continue;
    if (timers.pausedAt != null && (name === 'update' || name === 'resolve')) continue;
    out.push({ name, dueAt: t.dueAt });
  }
  return out;
}

/** The earliest due time among running timers (stored as cases.next_due_at), or null. */
export function nextDue(timers: CaseTimers | null | undefined): number | null {
  if (!timers) return null;
  const running = runningTimers(timers);
  return running.length ? Math.min(...running.map((t) => t.dueAt)) : null;
}

/** How a due time reads: overdue (red), due soon (amber: within one working day) or on time. */
export interface DueWords {
  words: string;
  tone: 'overdue' | 'soon' | 'ok' | 'none';
}

function span(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${Math.max(1, minutes)} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(ms / HOUR);
  if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'}`;
  const days = Math.round(ms / (24 * HOUR));
  return `${days} day${days === 1 ? '' : 's'}`;
}

/** Words and a colour tone for a due time, e.g. "Overdue by 3 days" or "Due in 4 hours". */
export function dueWords(dueAt: number | null | undefined, calendar: WorkingCalendar, now: number): DueWords {
  if (dueAt == null) return { words: 'No target', tone: 'none' };
  if (dueAt <= now) return { words: `Overdue by ${span(now - dueAt)}`, tone: 'overdue' };
  const soon = workingMsBetween(now, dueAt, calendar) <= workingDayMs(calendar);
  return { words: `Due in ${span(dueAt - now)}`, tone: soon ? 'soon' : 'ok' };
}

/** Read stored timers JSON (or null if missing or malformed). */
export function readTimers(value: unknown): CaseTimers | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Partial<CaseTimers>;
  if (!v.acknowledge || !v.triage || !v.resolve || !v.priority) return null;
  return v as CaseTimers;
}
