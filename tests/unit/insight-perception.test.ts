/** Perception against reality: worked examples of the comparison (pure: answers and report counts in, no database). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparePerception, publishedWardTotals, type SafetyAnswer } from '../../src/domains/insight/perception.ts';
import { cellText, suppressTable } from '../../src/domains/insight/suppression.ts';
import type { MonthStatistics } from '../../src/domains/insight/statistics.ts';

const ward = (id: string, population: number) => ({ id, name: id.toUpperCase(), kind: 'ward' as const, parent: 'd', population });
const answers = (wardId: string, list: [string | undefined, string | undefined][]): SafetyAnswer[] => list.map(([day, dark]) => ({ wardId, day, dark }));
const S = 'very-safe';
const F = 'fairly-safe';
const U = 'a-bit-unsafe';
const V = 'very-unsafe';

test('worked example: shares feeling safe, rates per 1,000, the averages and each ward against them', () => {
  const wards = [ward('a', 10_000), ward('b', 5_000), ward('c', 8_000)];
  const given = [
    // A: 6 responses; daylight 5 of 6 safe (83%), after dark 2 of 6 (33%).
    ...answers('a', [[S, S], [F, F], [S, U], [F, V], [S, U], [U, V]]),
    // B: 5 responses; daylight 5 of 5 (100%), after dark 4 of 5 (80%).
    ...answers('b', [[S, S], [S, F], [F, F], [F, S], [S, U]]),
    // C: 4 responses: fewer than 5, so not shown.
    ...answers('c', [[S, S], [S, S], [S, S], [V, V]]),
    // A ward not in the partnership is not counted.
    ...answers('elsewhere', [[S, S]]),
  ];
  // Reports: A 20 (2.0 per 1,000), B 30 (6.0 per 1,000), C 8 (1.0 per 1,000).
  const result = comparePerception(given, new Map([['a', 20], ['b', 30], ['c', 8]]), wards);
  const [a, b, c] = result.rows;
  assert.deepEqual([a!.responses, a!.safeDay, a!.safeDark, a!.perThousand], [6, 83, 33, 2]);
  assert.deepEqual([b!.responses, b!.safeDay, b!.safeDark, b!.perThousand], [5, 100, 80, 6]);
  assert.deepEqual([c!.responses, c!.suppressed, c!.safeDay, c!.safeDark, c!.perThousand], [4, true, null, null, 1]);
  // Averages over A and B: after dark (2 + 4) / (6 + 5) = 55%; (20 + 30) / 15,000 = 3.3 per 1,000.
  assert.equal(result.averageSafeDark, 55);
  assert.equal(result.averagePerThousand, 3.3);
  assert.equal(a!.gap, 'less-safe', '33% < 55% while 2.0 < 3.3: feels less safe than its reports suggest');
  assert.equal(b!.gap, 'safer', '80% > 55% while 6.0 > 3.3');
  assert.equal(c!.gap, 'unknown');
  assert.equal(result.responses, 15);
});

test('a part left unanswered counts only in the other part, and a part fewer than 5 answered is not shown; a withheld report count cannot be compared', () => {
  const wards = [ward('a', 2_000), ward('b', 3_000)];
  const given = [...answers('a', [[S, undefined], [U, S], [S, S], [F, V], [V, undefined]]), ...answers('b', [[S, S], [S, S], [S, S], [S, S], [S, S]])];
  const result = comparePerception(given, new Map([['a', null], ['b', 3]]), wards);
  const [a, b] = result.rows;
  // Daylight: 3 of 5 safe (60%); after dark only 3 answered: fewer than 5, so no share is shown (2 of 3 would give
  // away what those few said).
  assert.deepEqual([a!.safeDay, a!.safeDark, a!.reports, a!.perThousand, a!.gap], [60, null, null, null, 'unknown']);
  assert.equal(b!.gap, 'unknown', 'one ward alone has nothing to be compared with');
  assert.equal(result.averagePerThousand, 1);
});

test('a ward total is withheld when any of its monthly totals is suppressed on the statistics page', () => {
  const month = (m: string, body: number[][]): MonthStatistics => ({
    month: m,
    wards: { rowIds: ['a', 'b', '', 'total'], rows: ['A', 'B', 'Place not known', 'All wards'], columns: ['G1', 'G2', 'All groups'], grid: suppressTable(body) },
    districts: { rowIds: ['total'], rows: ['All districts'], columns: ['All sensitive groups'], grid: suppressTable([[0]]) },
  });
  // Month 1: A 9 + 7 = 16, B 6 + 5 = 11; month 2: A 6 + 0 = 6, B 5 + 5 = 10; all published, so A 22 and B 21.
  const published = [month('2026-01', [[9, 7], [6, 5], [0, 0]]), month('2026-02', [[6, 0], [5, 5], [0, 0]])];
  const totals = publishedWardTotals(published);
  assert.equal(totals.get('a'), 22);
  assert.equal(totals.get('b'), 21);
  // Month 3: B has 2 ("fewer than 5"), and A's total is withheld to protect it; both 3-month totals are withheld.
  const third = month('2026-03', [[12, 6], [2, 0], [0, 0]]);
  assert.equal(cellText(third.wards.grid[1]!.at(-1)!), 'fewer than 5');
  assert.equal(cellText(third.wards.grid[0]!.at(-1)!), 'withheld');
  const withThird = publishedWardTotals([...published, third]);
  assert.equal(withThird.get('a'), null);
  assert.equal(withThird.get('b'), null);
  assert.equal(totals.has(''), false);
});
