import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import {
  acknowledgeDue, addWorkingDays, addWorkingMs, dueWords, isWorkingDay, nextDue, pauseTimers, resumeTimers,
  runningTimers, scheduleNextUpdate, startTimers, stopTimers, workingMsBetween,
} from '../../src/domains/cases/timers.ts';
import { londonTime } from '../../src/platform/time/london.ts';

const targets = loadSiteConfig('content').targets;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const at = londonTime;

test('weekends and bank holidays are not working days', () => {
  assert.equal(isWorkingDay('2026-11-23', targets), true); // Monday
  assert.equal(isWorkingDay('2026-11-28', targets), false); // Saturday
  assert.equal(isWorkingDay('2026-11-29', targets), false); // Sunday
  assert.equal(isWorkingDay('2026-12-25', targets), false); // Christmas Day, Friday
  assert.equal(isWorkingDay('2026-12-28', targets), false); // Boxing Day substitute, Monday
  assert.equal(isWorkingDay('2027-03-29', targets), false); // Easter Monday
});

test('one working day from Friday afternoon falls on Monday afternoon', () => {
  assert.equal(iso(addWorkingDays(at(2026, 11, 27, 17), 1, targets)), iso(at(2026, 11, 30, 17)));
});

test('a report on Saturday starts counting on Monday morning', () => {
  assert.equal(iso(addWorkingDays(at(2026, 11, 28, 11), 1, targets)), iso(at(2026, 11, 30, 18)));
  assert.equal(iso(addWorkingMs(at(2026, 11, 28, 11), 0, targets)), iso(at(2026, 11, 30, 8)));
});

test('half a working day (P1 triage) at 16:00 ends at 11:00 the next working day', () => {
  assert.equal(iso(addWorkingDays(at(2026, 11, 24, 16), 0.5, targets)), iso(at(2026, 11, 25, 11)));
});

test('Christmas: one working day from Thursday 24 December noon is Tuesday 29 December noon', () => {
  assert.equal(iso(addWorkingDays(at(2026, 12, 24, 12), 1, targets)), iso(at(2026, 12, 29, 12)));
});

test('Easter 2027 (Good Friday and Easter Monday) is skipped', () => {
  assert.equal(iso(addWorkingDays(at(2027, 3, 25, 9), 2, targets)), iso(at(2027, 3, 31, 9)));
});

test('working hours follow London time across the clock change', () => {
  // Summer time: 8:00 in London is 07:00 UTC.
  assert.equal(iso(addWorkingMs(at(2027, 6, 5, 12), 0, targets)), '2027-06-07T07:00:00.000Z');
  // Friday 23 October 2026 17:00 BST + 2 working hours = Monday 26 October 09:00 GMT.
  assert.equal(iso(addWorkingMs(at(2026, 10, 23, 17), 2 * HOUR, targets)), '2026-10-26T09:00:00.000Z');
});

test('working time between two instants skips nights, weekends and holidays', () => {
  assert.equal(workingMsBetween(at(2026, 11, 27, 17), at(2026, 11, 30, 9), targets), 2 * HOUR);
  assert.equal(workingMsBetween(at(2026, 12, 24, 17), at(2026, 12, 29, 9), targets), 2 * HOUR);
  assert.equal(workingMsBetween(at(2026, 11, 30, 9), at(2026, 11, 27, 17), targets), 0);
});

test('acknowledge counts clock hours, then moves into working time', () => {
  assert.equal(iso(acknowledgeDue(at(2026, 11, 25, 10), 24, targets)), iso(at(2026, 11, 26, 10)));
  assert.equal(iso(acknowledgeDue(at(2026, 11, 27, 17), 24, targets)), iso(at(2026, 11, 30, 8)));
  assert.equal(iso(acknowledgeDue(at(2026, 11, 27, 17), 2, targets)), iso(at(2026, 11, 30, 8)));
});

test('timers per priority come from configuration', () => {
  const received = at(2026, 11, 23, 9);
  const p1 = startTimers(received, 'P1', targets);
  assert.equal(iso(p1.acknowledge.dueAt), iso(at(2026, 11, 23, 11)));
  assert.equal(iso(p1.triage.dueAt), iso(at(2026, 11, 23, 14)));
  assert.equal(iso(p1.resolve.dueAt), iso(at(2026, 12, 7, 9)));
  const p4 = startTimers(received, 'P4', targets);
  assert.equal(iso(p4.triage.dueAt), iso(at(2026, 11, 26, 9)));
  assert.equal(nextDue(p1), p1.acknowledge.dueAt);
});

test('awaiting the reporter pauses update and resolve; resuming moves them on by the working time paused', () => {
  const received = at(2026, 11, 23, 9);
  let t = startTimers(received, 'P3', targets);
  t = { ...t, acknowledge: { ...t.acknowledge, metAt: received }, triage: { ...t.triage, metAt: received } };
  t = scheduleNextUpdate(t, targets, at(2026, 11, 23, 10));
  const before = t.resolve.dueAt;
  t = pauseTimers(t, at(2026, 11, 27, 16));
  assert.deepEqual(runningTimers(t), []);
  assert.equal(nextDue(t), null);
  t = resumeTimers(t, targets, at(2026, 11, 30, 10)); // paused 2h Friday + 2h Monday = 4 working hours
  assert.equal(t.resolve.dueAt, addWorkingMs(before, 4 * HOUR, targets));
  assert.equal(t.pausedAt, null);
  assert.equal(runningTimers(t).length, 2);
});

test('stopping timers clears everything running', () => {
  const t = stopTimers(startTimers(at(2026, 11, 23, 9), 'P2', targets), at(2026, 11, 24, 9));
  assert.equal(nextDue(t), null);
});

test('overdue and due soon read in words with a tone', () => {
  const now = at(2026, 11, 23, 12);
  assert.deepEqual(dueWords(now - 3 * 24 * HOUR, targets, now), { words: 'Overdue by 3 days', tone: 'overdue' });
  assert.deepEqual(dueWords(now - 2 * HOUR, targets, now), { words: 'Overdue by 2 hours', tone: 'overdue' });
  assert.deepEqual(dueWords(now + 4 * HOUR, targets, now), { words: 'Due in 4 hours', tone: 'soon' });
  assert.deepEqual(dueWords(now + 10 * 24 * HOUR, targets, now), { words: 'Due in 10 days', tone: 'ok' });
  assert.deepEqual(dueWords(null, targets, now), { words: 'No target', tone: 'none' });
});

test('adding working time and measuring it back agree, over ten thousand seeded instants across years, clock changes and holidays', () => {
  let seed = 20261130;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const from = at(2025, 1, 1, 0);
  const span = at(2028, 1, 1, 0) - from;
  for (let i = 0; i < 10_000; i++) {
    const start = from + Math.floor(random() * span);
    const amount = Math.floor(random() * 30 * 10 * HOUR);
    const end = addWorkingMs(start, amount, targets);
    assert.equal(workingMsBetween(start, end, targets), amount, `${iso(start)} + ${amount} ms`);
    // The millisecond before the end is working time: the end is never pushed past a night, weekend or holiday.
    if (amount > 0) assert.equal(workingMsBetween(end - 1, end, targets), 1, `${iso(end)} ends working time`);
  }
});
