import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cellText, disclosedCells, suppressTable, type Grid } from '../../src/domains/insight/suppression.ts';

/**
 * The attacker: every assignment of the suppressed cells that agrees with what is published (a "fewer than 5" cell is 1
 * to 4, a withheld cell 5 or more, all rows and columns add up to their published totals), found by exhaustive search.
 * Returns the suppressed cells that have the same value in every such assignment, i.e. those it recovers.
 */
function recover(grid: Grid): string[] {
  const rows = grid.length;
  const cols = grid[0]!.length;
  const lines: [number, number][][] = [
    ...Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => [r, c] as [number, number])),
    ...Array.from({ length: cols }, (_, c) => Array.from({ length: rows }, (_, r) => [r, c] as [number, number])),
  ];
  const hidden = grid.flatMap((row, r) => row.flatMap((cell, c) => (cell.suppressed ? [[r, c] as [number, number]] : [])));
  const grand = grid[rows - 1]![cols - 1]!;
  const cap = grand.suppressed ? grid.flat().reduce((a, c) => a + c.value, 0) : grand.value;
  // The attacker is even told the largest total, which only makes it stronger.
  const maxTotal = Math.max(...grid.flatMap((row, r) => row.filter((_, c) => r === rows - 1 || c === cols - 1).map((x) => x.value)));
  /** A withheld cell is at most any published total of its row or column. */
  const upper = (r: number, c: number) => Math.min(cap, maxTotal, ...[grid[r]![cols - 1]!, grid[rows - 1]![c]!].filter((t) => !t.suppressed).map((t) => t.value));
  const range = ([r, c]: [number, number]): [number, number] => (grid[r]![c]!.suppressed === 'primary' ? [1, 4] : [5, upper(r, c)]);
  const seen = hidden.map(() => new Set<number>());
  /** Fill every line with one unknown left; false when a line cannot add up. */
  const settle = (guess: (number | null)[][]): boolean => {
    for (let changed = true; changed; ) {
      changed = false;
      for (const line of lines) {
        const open = line.filter(([r, c]) => guess[r]![c] === null);
        const signed = line.reduce((a, [r, c], i) => a + (guess[r]![c] ?? 0) * (i === line.length - 1 ? -1 : 1), 0);
        if (open.length === 0) {
          if (signed !== 0) return false;
        } else if (open.length === 1) {
          const [r, c] = open[0]!;
          const isTotal = line.indexOf(open[0]!) === line.length - 1;
          const v = isTotal ? signed : -signed;
          const [lo, hi] = range([r, c]);
          if (v < lo || v > hi) return false;
          guess[r]![c] = v;
          changed = true;
        }
      }
    }
    return true;
  };
  const search = (guess: (number | null)[][]) => {
    if (!settle(guess)) return;
    const next = hidden.find(([r, c]) => guess[r]![c] === null);
    if (!next) {
      hidden.forEach(([r, c], i) => seen[i]!.add(guess[r]![c]!));
      return;
    }
    const [lo, hi] = range(next);
    for (let v = lo; v <= hi; v++) {
      const copy = guess.map((row) => [...row]);
      copy[next[0]]![next[1]] = v;
      search(copy);
    }
  };
  search(grid.map((row) => row.map((cell) => (cell.suppressed ? null : cell.value))));
  return hidden.flatMap(([r, c], i) => (seen[i]!.size === 1 ? [`${r},${c}=${[...seen[i]!][0]}`] : []));
}

const shown = (grid: Grid) => grid.map((row) => row.map(cellText));

test('worked example: one small count in a row and column gets complementary cells withheld, and totals stay published', () => {
  const grid = suppressTable([
    [3, 12, 20],
    [15, 9, 30],
    [8, 25, 11],
  ]);
  assert.equal(cellText(grid[0]![0]!), 'fewer than 5');
  assert.deepEqual(shown(grid).slice(0, 3), [
    ['fewer than 5', '12', 'withheld', '35'],
    ['15', '9', '30', '54'],
    ['withheld', '25', 'withheld', '44'],
  ], 'the rectangle closed by the smallest cells: 8 and 20, then 11');
  assert.deepEqual(shown(grid).map((row) => row[3]), ['35', '54', '44', '133'], 'row totals stay published');
  assert.deepEqual(recover(grid), []);
  assert.deepEqual(disclosedCells(grid), []);
});

test('the attacker does recover a small count when only primary suppression is applied: the test can fail', () => {
  const grid = suppressTable([
    [3, 12, 20],
    [15, 9, 30],
    [8, 25, 11],
  ]).map((row) => row.map((cell) => ({ ...cell, suppressed: cell.suppressed === 'primary' ? ('primary' as const) : null })));
  assert.deepEqual(recover(grid), ['0,0=3']);
  assert.deepEqual(disclosedCells(grid), [[0, 0]]);
});

test('a row total under 5 is itself "fewer than 5", and the pairs that would pin a count (1 + 1 = 2) are protected', () => {
  const grid = suppressTable([
    [1, 1, 0],
    [6, 7, 9],
    [0, 2, 14],
  ]);
  assert.equal(cellText(grid[0]![3]!), 'fewer than 5');
  assert.deepEqual(recover(grid), []);
});

test('no suppressed cell of many random small tables can be recovered from the published totals', () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
  let suppressedSeen = 0;
  for (let t = 0; t < 25; t++) {
    const body = Array.from({ length: 3 }, () => Array.from({ length: 3 }, () => (rand() < 0.35 ? 1 + Math.floor(rand() * 4) : rand() < 0.2 ? 0 : 5 + Math.floor(rand() * 10))));
    const grid = suppressTable(body);
    suppressedSeen += grid.flat().filter((c) => c.suppressed).length;
    assert.deepEqual(recover(grid), [], JSON.stringify(body));
  }
  assert.ok(suppressedSeen > 25, 'the tables had small counts to protect');
});
