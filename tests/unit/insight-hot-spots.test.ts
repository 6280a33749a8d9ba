/** The emerging hot-spot rule and the ward ranking, with worked examples (pure functions: data in, no clock, no database). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addMonths, emergingHotSpots, emergingRuleText, monthsBetween, poissonTail, poissonThreshold, rankWards, testEmerging, type MonthlyCount } from '../../src/domains/insight/hot-spots.ts';
import { taskingCsvRows, type TaskingList } from '../../src/domains/insight/tasking.ts';

const settings = { baselineMonths: 6, minimumCount: 3, chance: 0.01 };

test('the Poisson tail: with a usual 1 a month, 4 or more happens 1.9% of the time and 5 or more 0.37%', () => {
  // P(X >= 4) = 1 - e^-1 (1 + 1 + 1/2 + 1/6) = 0.018988; P(X >= 5) = 0.018988 - e^-1/24 = 0.003660
  assert.ok(Math.abs(poissonTail(1, 4) - 0.018988) < 1e-6);
  assert.ok(Math.abs(poissonTail(1, 5) - 0.003660) < 1e-6);
  assert.equal(poissonTail(0, 1), 0, 'with no usual reports, any report is beyond chance');
  assert.equal(poissonTail(3, 0), 1);
  assert.equal(poissonThreshold(1, 0.01), 5);
  // Usual 10 a month: P(X >= 18) = 0.0143, P(X >= 19) = 0.0072, so 19 is the first unusual count.
  assert.equal(poissonThreshold(10, 0.01), 19);
  assert.equal(poissonThreshold(10, 0.05), 16);
  assert.equal(poissonThreshold(0, 0.01), 1);
  // The one-pass threshold is the smallest count whose tail is below the chance, for busy wards too (means up to 400).
  for (const chance of [0.01, 0.05]) {
    for (let mean = 0.25; mean < 400; mean *= 1.37) {
      const k = poissonThreshold(mean, chance);
      assert.ok(poissonTail(mean, k) < chance && poissonTail(mean, k - 1) >= chance, `threshold at mean ${mean}`);
    }
  }
});

test('worked example: a ward with 1, 0, 2, 1, 1, 1 noise reports is flagged at 5 in the next month, not at 4', () => {
  const previous = [1, 0, 2, 1, 1, 1];
  const four = testEmerging(4, previous, settings);
  assert.deepEqual(four, { count: 4, usual: 1, flagFrom: 5, emerging: false });
  assert.equal(testEmerging(5, previous, settings).emerging, true);
});

test('worked example: after six quiet months the minimum count decides: 2 reports are not a hot-spot, 3 are', () => {
  const quiet = [0, 0, 0, 0, 0, 0];
  assert.deepEqual(testEmerging(2, quiet, settings), { count: 2, usual: 0, flagFrom: 3, emerging: false });
  assert.equal(testEmerging(3, quiet, settings).emerging, true);
  assert.equal(testEmerging(3, quiet, { ...settings, minimumCount: 5 }).emerging, false, 'the minimum is configuration');
});

test('worked example: one busy month does not hide a rise (where mean plus two standard deviations would)', () => {
  // Previous months 0, 0, 0, 0, 0, 12: mean 2, standard deviation 4.5, so mean + 2 SD = 11 would miss 9 reports.
  const previous = [0, 0, 0, 0, 0, 12];
  const verdict = testEmerging(9, previous, settings);
  assert.equal(verdict.usual, 2);
  assert.equal(verdict.flagFrom, 7, 'P(X >= 7 | 2) = 0.0045 < 0.01, P(X >= 6 | 2) = 0.0166');
  assert.equal(verdict.emerging, true);
});

test('emergingHotSpots tests each ward and category against its own previous months only', () => {
  const month = '2026-06';
  const counts: MonthlyCount[] = [];
  const add = (m: string, wardId: string, categoryId: string, n: number) => counts.push({ month: m, wardId, districtId: 'd', categoryId, n });
  // Mill Lane noise: 1 a month for six months, then 6. Northgate noise: 4 a month, then 6 (usual). Saltings vandalism: 0 then 3.
  for (const m of monthsBetween('2025-12', '2026-05')) {
    add(m, 'mill-lane', 'noise', 1);
    add(m, 'northgate', 'noise', 4);
  }
  add(month, 'mill-lane', 'noise', 6);
  add(month, 'northgate', 'noise', 6);
  add(month, 'saltings', 'vandalism', 3);
  add(month, 'saltings', 'noise', 2);
  // A month before the baseline does not count towards it.
  add('2025-11', 'saltings', 'vandalism', 50);
  const flagged = emergingHotSpots(counts, month, settings);
  assert.deepEqual(flagged.map((f) => `${f.wardId} ${f.categoryId} ${f.count} from ${f.flagFrom}`).sort(), ['mill-lane noise 6 from 5', 'saltings vandalism 3 from 3']);
  assert.equal(emergingHotSpots(counts, '2026-05', settings).length, 0, 'the steady months themselves are not flagged');
});

test('the rule is stated in plain words with the configured numbers', () => {
  const text = emergingRuleText({ baselineMonths: 4, minimumCount: 5, chance: 0.05 });
  assert.match(text, /at least 5 reports/);
  assert.match(text, /over the 4 months before/);
  assert.match(text, /less than 1 time in 20/);
});

test('month arithmetic crosses years', () => {
  assert.equal(addMonths('2026-01', -1), '2025-12');
  assert.equal(addMonths('2025-12', 1), '2026-01');
  assert.equal(addMonths('2026-03', -14), '2025-01');
  assert.deepEqual(monthsBetween('2025-11', '2026-02'), ['2025-11', '2025-12', '2026-01', '2026-02']);
  assert.deepEqual(monthsBetween('2026-02', '2026-01'), []);
});

test('worked example: wards ranked by reports per 1,000 residents, not by the count', () => {
  const wards = [
    { id: 'big', name: 'Big', kind: 'ward' as const, parent: 'd', population: 20_000 },
    { id: 'small', name: 'Small', kind: 'ward' as const, parent: 'd', population: 4_000 },
    { id: 'none', name: 'Nobody known', kind: 'ward' as const, parent: 'd', population: 0 },
    { id: 'quiet', name: 'Quiet', kind: 'ward' as const, parent: 'd', population: 5_000 },
  ];
  const counts: MonthlyCount[] = [
    { month: '2026-01', wardId: 'big', districtId: 'd', categoryId: 'noise', n: 30 },
    { month: '2026-02', wardId: 'big', districtId: 'd', categoryId: 'vandalism', n: 10 },
    { month: '2026-01', wardId: 'small', districtId: 'd', categoryId: 'noise', n: 12 },
    { month: '2026-01', wardId: 'none', districtId: 'd', categoryId: 'noise', n: 7 },
  ];
  // Big: 40 / 20,000 = 2.0 per 1,000; Small: 12 / 4,000 = 3.0 per 1,000; Quiet 0; unknown population last.
  const ranked = rankWards(counts, wards);
  assert.deepEqual(ranked.map((r) => [r.wardId, r.reports, r.perThousand]), [['small', 12, 3], ['big', 40, 2], ['quiet', 0, 0], ['none', 7, null]]);
  assert.deepEqual(rankWards(counts, wards, 'vandalism').map((r) => [r.wardId, r.reports]), [['big', 10], ['quiet', 0], ['small', 0], ['none', 0]]);
});

test('the tasking CSV has one row per line with its queue link', () => {
  const list: TaskingList = {
    emerging: [{ section: 'emerging', wardId: 'mill-lane', ward: 'Mill Lane', about: 'Noise nuisance', month: '2026-06', count: 6, detail: '6 reports', queue: { status: 'all', ward: 'mill-lane', category: 'noise' } }],
    highPriority: [{ section: 'high-priority', wardId: 'saltings', ward: 'Saltings', about: 'P1 and P2', month: '2026-06', count: 2, detail: '2 open cases', queue: { ward: 'saltings', sort: 'priority' } }],
    repeats: [],
  };
  const rows = taskingCsvRows(list, (q) => `/staff/queue?${new URLSearchParams(q)}`);
  assert.deepEqual(rows[0], ['section', 'ward_id', 'ward', 'about', 'month', 'count', 'detail', 'queue_link']);
  assert.deepEqual(rows[1], ['Emerging hot-spot', 'mill-lane', 'Mill Lane', 'Noise nuisance', '2026-06', 6, '6 reports', '/staff/queue?status=all&ward=mill-lane&category=noise']);
  assert.equal(rows.length, 3);
});
