import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openTestDatabase } from '../helpers/db.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { equalityResponses } from '../../src/platform/db/schema.ts';
import { recordEqualityOnce } from '../../src/domains/reports/equality.ts';
import { createDraft } from '../../src/domains/reports/drafts.ts';
import { callsToCsv } from '../../src/domains/calls/csv.ts';
import type { CallRow } from '../../src/domains/calls/list.ts';
import { readUkDate } from '../../src/platform/questions/schema.ts';
import {
  formatDate, formatDateTime, formatDateTimeLong, formatDayTime, formatTime, formatWhen, londonDate, londonDayStart, londonMonth, londonMonthRange, londonTime, nextDay,
} from '../../src/platform/time/london.ts';

const intl = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const words = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric' });

let database: Database;
let cleanup: () => Promise<void>;
before(async () => ({ database, cleanup } = await openTestDatabase()));
after(() => cleanup());

test('the fast London clock agrees with the time zone database every 15 minutes around each clock change, 2024-2030', () => {
  for (let year = 2024; year <= 2030; year++) {
    for (const month of [2, 9]) {
      const start = Date.UTC(year, month, 20);
      for (let t = start; t < start + 14 * 86_400_000; t += 15 * 60_000) {
        const p = Object.fromEntries(intl.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
        assert.equal(londonDate(t), `${p.year}-${p.month}-${p.day}`, new Date(t).toISOString());
        assert.equal(londonMonth(t), `${p.year}-${p.month}`, new Date(t).toISOString());
        assert.equal(formatTime(t), `${p.hour}:${p.minute}`, new Date(t).toISOString());
        assert.equal(formatDate(t), words.format(t), new Date(t).toISOString());
        const wall = londonTime(Number(p.year), Number(p.month), Number(p.day), Number(p.hour) + Number(p.minute) / 60);
        if (!(p.hour === '01' && month === 9)) assert.equal(wall, t, `wall clock round trip at ${new Date(t).toISOString()}`);
      }
    }
  }
});

test('month keys and day keys follow London time across a month boundary in summer time', () => {
  const lateJulyUtc = Date.UTC(2026, 6, 31, 23, 30); // 00:30 BST on 1 August
  assert.equal(new Date(lateJulyUtc).toISOString().slice(0, 7), '2026-07', 'UTC would still say July');
  assert.equal(londonMonth(lateJulyUtc), '2026-08');
  assert.equal(londonDate(lateJulyUtc), '2026-08-01');
  assert.equal(londonMonth(Date.UTC(2026, 6, 31, 22, 59)), '2026-07');
  assert.equal(londonMonth(Date.UTC(2026, 11, 31, 23, 30)), '2026-12', 'GMT in winter: no shift');
});

test('a London month spans local midnight to local midnight, summer and winter; only real months are months', () => {
  assert.deepEqual(londonMonthRange('2026-01'), [Date.UTC(2026, 0, 1), Date.UTC(2026, 1, 1)]);
  // April and May start in summer time (an hour before UTC midnight); November starts in winter time.
  assert.deepEqual(londonMonthRange('2026-04'), [Date.UTC(2026, 2, 31, 23), Date.UTC(2026, 3, 30, 23)]);
  assert.deepEqual(londonMonthRange('2026-10'), [Date.UTC(2026, 8, 30, 23), Date.UTC(2026, 10, 1)]);
  assert.deepEqual(londonMonthRange('2026-12'), [Date.UTC(2026, 11, 1), Date.UTC(2027, 0, 1)]);
  const [start, end] = londonMonthRange('2026-08')!;
  assert.equal(londonMonth(start), '2026-08');
  assert.equal(londonMonth(start - 1), '2026-07');
  assert.equal(londonMonth(end - 1), '2026-08');
  assert.equal(londonMonth(end), '2026-09');
  for (const bad of ['2026-13', '2026-00', '2026-1', '26-01', '2026-01-01', '1999-12', '', 'x']) assert.equal(londonMonthRange(bad), null, bad);
});

test('London days start at local midnight, summer and winter, and only real dates are days', () => {
  assert.equal(londonDayStart('2026-07-02'), Date.UTC(2026, 6, 1, 23, 0));
  assert.equal(londonDayStart('2026-11-23'), Date.UTC(2026, 10, 23, 0, 0));
  assert.equal(londonDayStart('2026-03-29'), Date.UTC(2026, 2, 29, 0, 0), 'the day the clocks go forward starts in GMT');
  assert.equal(londonDayStart('2026-10-25'), Date.UTC(2026, 9, 24, 23, 0), 'the day the clocks go back starts in BST');
  assert.equal(londonDayStart('2026-02-30'), null);
  assert.equal(londonDayStart('26-02-03'), null);
  assert.equal(nextDay('2026-07-31'), '2026-08-01');
  assert.equal(nextDay('2026-12-31'), '2027-01-01');
});

test('dates and times in words are London time, in GOV.UK style', () => {
  const summer = Date.UTC(2026, 8, 3, 7, 5); // 08:05 BST
  assert.equal(formatDate(summer), '3 September 2026');
  assert.equal(formatTime(summer), '08:05');
  assert.equal(formatDateTime(summer), '3 Sept 2026, 08:05');
  assert.equal(formatDateTimeLong(summer), '3 September 2026 at 08:05');
  assert.equal(formatDayTime(summer), '3 Sept, 08:05');
  assert.equal(formatDateTime(Date.UTC(2026, 6, 31, 23, 30)), '1 Aug 2026, 00:30');
  assert.equal(formatDateTime(Date.UTC(2026, 10, 23, 14, 5)), '23 Nov 2026, 14:05');
  assert.equal(formatWhen(null), 'Never');
  assert.equal(formatWhen(undefined, 'Not given'), 'Not given');
  assert.equal(formatWhen(summer), '3 Sept 2026, 08:05');
});

test('equality answers given just after midnight on 1 August (BST) are filed under August', async () => {
  await recordEqualityOnce((await createDraft('report', {})).id, { age: '25-44' }, Date.UTC(2026, 6, 31, 23, 30));
  await recordEqualityOnce((await createDraft('report', {})).id, { age: '45-64' }, Date.UTC(2026, 6, 31, 22, 30));
  const rows = await database.db.select().from(equalityResponses);
  assert.deepEqual(rows.map((r) => [r.data.age, r.month]).sort(), [['25-44', '2026-08'], ['45-64', '2026-07']]);
});

test('the call export gives each call its London day, across a month boundary in summer time', () => {
  const row: CallRow = { id: 'c1', startedAt: Date.UTC(2026, 6, 31, 23, 30), handlerId: 'u1', handlerName: 'Sam', reason: 'report', outcome: 'case_created', durationS: 60, caseRef: null, caseId: null, adviceSlugs: [] };
  const [, line] = callsToCsv([row]).split('\r\n');
  assert.equal(line!.split(',')[2], '2026-08-01');
});

test('a date typed in the report journey is read as London wall-clock time', () => {
  const m = { required: 'r', missingDay: 'd', missingMonth: 'm', missingYear: 'y', real: 'x', tooEarly: 'e' };
  assert.equal(readUkDate({ day: '1', month: '8', year: '2026', time: '00:30' }, m, Date.UTC(2027, 0, 1)), Date.UTC(2026, 6, 31, 23, 30));
  assert.equal(readUkDate({ day: '1', month: '12', year: '2026', time: '00:30' }, m, Date.UTC(2027, 0, 1)), Date.UTC(2026, 11, 1, 0, 30));
});
