/**
 * The queue's month filter as the hot-spots' links use it: one London month or a range of months, and the reports the
 * figures count; read from the query string, written back, and offered in the "Received in" list.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { monthsParam, parseMonths, parseQueueQuery, queueQueryString, receivedRange } from '../../src/domains/cases/queue.ts';
import { londonMonthRange } from '../../src/platform/time/london.ts';
import { monthItems, receivedWords } from '../../src/web/staff/queue.ts';
import { wardQueueUrl } from '../../src/web/insight/hot-spots.ts';

const parse = (q: string) => parseQueueQuery(new URLSearchParams(q)).filter;

test('a month parameter is one month or a range forwards; anything else is no month', () => {
  assert.deepEqual(parseMonths('2026-07'), { month: '2026-07' });
  assert.deepEqual(parseMonths('2026-07..2026-09'), { month: '2026-07', until: '2026-09' });
  assert.deepEqual(parseMonths('2026-07..2026-07'), { month: '2026-07' });
  for (const bad of ['2026-09..2026-07', '2026-07..', '..2026-07', '2026-07..2026-13', '2026-07..2026-08..2026-09', '2026-7', 'July', '', undefined]) {
    assert.deepEqual(parseMonths(bad), {}, String(bad));
  }
  assert.equal(monthsParam('2026-07'), '2026-07');
  assert.equal(monthsParam('2026-07', '2026-09'), '2026-07..2026-09');
  assert.equal(monthsParam('2026-07', '2026-06'), '2026-07');
});

test('a range runs from the first month’s start to the last month’s end, in London time', () => {
  assert.deepEqual(receivedRange('2026-01', '2026-03'), [londonMonthRange('2026-01')![0], londonMonthRange('2026-03')![1]]);
  assert.deepEqual(receivedRange('2026-07'), londonMonthRange('2026-07'));
  assert.equal(receivedRange('2026-13'), null);
});

test('a range and the counted reports need a ward (the hot-spots’ links name one), so a count never reads every case of a range', () => {
  assert.deepEqual(
    parse('status=all&ward=mill-lane&category=noise&month=2026-07..2026-09&counted=1'),
    { status: 'all', categoryId: 'noise', districtId: undefined, wardId: 'mill-lane', priority: undefined, channel: undefined, owner: undefined, overdue: undefined, referralOverdue: undefined, flag: undefined, tag: undefined, incidentId: undefined, month: '2026-07', until: '2026-09', counted: true },
  );
  // Without its ward a range is no month at all (the form then says "Any time"), never quietly its first month.
  const noWard = parse('status=all&month=2026-07..2026-09&counted=1');
  assert.equal(noWard.month, undefined);
  assert.equal(noWard.until, undefined);
  assert.equal(parse('status=all&month=2026-07&counted=1').month, '2026-07', 'one month needs no ward');
  assert.equal(noWard.counted, undefined);
  assert.equal(parse('ward=mill-lane&counted=1').counted, undefined, 'counted needs a month');
  assert.equal(parse('ward=mill-lane&month=2026-07&counted=yes').counted, undefined);
});

test('the query string written back is the one read: the range in one parameter, counted only with a month and a ward', () => {
  const q = 'status=all&ward=mill-lane&category=noise&month=2026-07..2026-09&counted=1';
  assert.equal(queueQueryString(parse(q)), '?status=all&category=noise&ward=mill-lane&month=2026-07..2026-09&counted=1');
  assert.deepEqual(parse(queueQueryString(parse(q)).slice(1)), parse(q));
  assert.equal(queueQueryString({ month: '2026-07', until: '2026-09', counted: true }), '');
  assert.equal(queueQueryString({ month: '2026-07', counted: true }), '?month=2026-07');
  assert.equal(queueQueryString({ wardId: 'w', counted: true }), '?ward=w');
});

test('the hot-spots’ links ask for the figure’s ward, type, months and counted reports', () => {
  assert.equal(wardQueueUrl('mill-lane', 'noise', '2026-07', '2026-09'), '/staff/queue?status=all&category=noise&ward=mill-lane&month=2026-07..2026-09&counted=1');
  assert.equal(wardQueueUrl('mill-lane', undefined, '2026-09'), '/staff/queue?status=all&ward=mill-lane&month=2026-09&counted=1');
});

test('the "Received in" list offers a chosen range first, selected by its own value, then the single months', () => {
  const now = Date.UTC(2026, 9, 15);
  const items = monthItems(now, '2026-07', '2026-09');
  assert.deepEqual(items.slice(0, 3), [{ value: '', label: 'Any time' }, { value: '2026-07..2026-09', label: 'July 2026 to September 2026' }, { value: '2026-10', label: 'October 2026' }]);
  assert.equal(items.length, 2 + 36);
  assert.equal(monthItems(now, '2020-01').at(-1)!.value, '2020-01', 'an older single month is added');
  assert.equal(receivedWords('2026-07'), 'July 2026');
});
