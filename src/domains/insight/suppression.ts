/**
 * Statistical disclosure control for published tables with row and column totals. Primary suppression: a count of
 * 1 to 4 is shown as "fewer than 5". Secondary suppression: further cells are withheld until no suppressed cell can be
 * worked out from what is published, checked by an audit that tries both exact linear algebra over the totals and
 * bounds reasoning (a "fewer than 5" cell is 1 to 4, a withheld cell at least 5), then by an exact search of every
 * integer table that fits what is published; when that search is too long, the totals of the affected lines are withheld.
 */

/** The smallest count published as it is; 1 to THRESHOLD-1 are "fewer than 5". */
export const THRESHOLD = 5;

/** How a published cell is shown. */
export type Suppression = 'primary' | 'secondary' | null;

/** One cell of a published grid: its true value (never published when suppressed) and how it is shown. */
export interface GridCell {
  value: number;
  suppressed: Suppression;
}

/** A grid: body rows then one total row; body columns then one total column. */
export type Grid = GridCell[][];

/** The lines (rows and columns, each with its total) as lists of [row, column] with the total last. */
function linesOf(rows: number, cols: number): [number, number][][] {
  const lines: [number, number][][] = [];
  for (let r = 0; r < rows; r++) lines.push(Array.from({ length: cols }, (_, c) => [r, c] as [number, number]));
  for (let c = 0; c < cols; c++) lines.push(Array.from({ length: rows }, (_, r) => [r, c] as [number, number]));
  return lines;
}

/** Cells whose value can be worked out from the published grid: the audit secondary suppression must pass. */
export function disclosedCells(grid: Grid): [number, number][] {
  const rows = grid.length;
  const cols = grid[0]?.length ?? 0;
  const unknown: [number, number][] = [];
  const index = new Map<string, number>();
  grid.forEach((row, r) => row.forEach((cell, c) => {
    if (cell.suppressed) {
      index.set(`${r},${c}`, unknown.length);
      unknown.push([r, c]);
    }
  }));
  if (unknown.length === 0) return [];
  // Each line: sum of body cells minus the total = 0, split into the unknown part and the published constant.
  const equations: { coef: number[]; constant: number }[] = [];
  for (const line of linesOf(rows, cols)) {
    const coef = new Array<number>(unknown.length).fill(0);
    let constant = 0;
    line.forEach(([r, c], i) => {
      const sign = i === line.length - 1 ? -1 : 1;
      const k = index.get(`${r},${c}`);
      if (k === undefined) constant -= sign * grid[r]![c]!.value;
      else coef[k] = sign;
    });
    if (coef.some((x) => x !== 0)) equations.push({ coef, constant });
  }
  const found = new Set<number>();
  linearlyDetermined(equations.map((e) => e.coef), unknown.length).forEach((k) => found.add(k));
  boundsDetermined(equations, unknown.map(([r, c]) => (grid[r]![c]!.suppressed === 'primary' ? [1, THRESHOLD - 1] : [THRESHOLD, Number.POSITIVE_INFINITY]))).forEach((k) => found.add(k));
  return [...found].sort((a, b) => a - b).map((k) => unknown[k]!);
}

/** Unknowns fixed by the equations alone: those whose unit vector lies in the row space. */
function linearlyDetermined(matrix: number[][], n: number): number[] {
  const rows = matrix.map((r) => [...r]);
  const pivots: number[] = [];
  let rank = 0;
  for (let col = 0; col < n && rank < rows.length; col++) {
    let best = rank;
    for (let r = rank + 1; r < rows.length; r++) if (Math.abs(rows[r]![col]!) > Math.abs(rows[best]![col]!)) best = r;
    if (Math.abs(rows[best]![col]!) < 1e-9) continue;
    [rows[rank], rows[best]] = [rows[best]!, rows[rank]!];
    const p = rows[rank]!;
    const scale = p[col]!;
    for (let j = 0; j < n; j++) p[j]! /= scale;
    for (let r = 0; r < rows.length; r++) {
      if (r === rank) continue;
      const f = rows[r]![col]!;
      if (f !== 0) for (let j = 0; j < n; j++) rows[r]![j]! -= f * p[j]!;
    }
    pivots.push(col);
    rank++;
  }
  // In reduced row echelon form, an unknown is determined when its pivot row has no other non-zero entry.
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const row = rows[i]!;
    if (row.every((x, j) => j === pivots[i] || Math.abs(x) < 1e-9)) out.push(pivots[i]!);
  }
  return out;
}

/** Unknowns pinned to one value by propagating bounds through the equations (sum of coef*x = constant). */
function boundsDetermined(equations: { coef: number[]; constant: number }[], bounds: [number, number][]): number[] {
  const lo = bounds.map((b) => b[0]);
  const hi = bounds.map((b) => b[1]);
  for (let round = 0, changed = true; changed && round < 50; round++) {
    changed = false;
    for (const { coef, constant } of equations) {
      coef.forEach((a, i) => {
        if (a === 0) return;
        let restLo = 0;
        let restHi = 0;
        coef.forEach((b, j) => {
          if (j === i || b === 0) return;
          restLo += b > 0 ? b * lo[j]! : b * hi[j]!;
          restHi += b > 0 ? b * hi[j]! : b * lo[j]!;
        });
        // a * x_i = constant - rest
        const [p, q] = [(constant - restHi) / a, (constant - restLo) / a];
        const newLo = Math.max(lo[i]!, Math.ceil(Math.min(p, q) - 1e-9));
        const newHi = Math.min(hi[i]!, Math.floor(Math.max(p, q) + 1e-9));
        if (newLo > lo[i]!) {
          lo[i] = newLo;
          changed = true;
        }
        if (newHi < hi[i]!) {
          hi[i] = newHi;
          changed = true;
        }
      });
    }
  }
  return lo.flatMap((l, i) => (l === hi[i] ? [i] : []));
}

/** Published grids by table, so that a month whose counts did not change is not audited again. */
const published = new Map<string, Grid>();

/** The published grid of a table of counts (cached by its counts): totals added, small counts suppressed, then enough others to protect them. */
export function suppressTable(body: number[][]): Grid {
  const key = JSON.stringify(body);
  let grid = published.get(key);
  if (!grid) {
    if (published.size >= 500) published.delete(published.keys().next().value!);
    grid = protectTable(body);
    published.set(key, grid);
  }
  return grid.map((row) => row.map((cell) => ({ ...cell })));
}

/** Totals added, small counts suppressed, then enough others withheld that none can be worked out. */
function protectTable(body: number[][]): Grid {
  const cols = body[0]?.length ?? 0;
  const withTotals = body.map((row) => [...row, row.reduce((a, b) => a + b, 0)]);
  const totalRow = Array.from({ length: cols + 1 }, (_, c) => withTotals.reduce((a, row) => a + row[c]!, 0));
  const grid: Grid = [...withTotals, totalRow].map((row) => row.map((value) => ({ value, suppressed: value > 0 && value < THRESHOLD ? 'primary' : null })));
  for (let guard = 0; guard < 1000; guard++) {
    let disclosed = disclosedCells(grid);
    if (disclosed.length === 0) {
      const exact = exactDisclosures(grid);
      if (exact === null) return withholdTotals(grid);
      disclosed = exact;
    }
    if (disclosed.length === 0) return grid;
    const next = complementFor(grid, disclosed);
    if (!next) break;
    grid[next[0]]![next[1]]!.suppressed = 'secondary';
  }
  return withholdTotals(grid);
}

/** The safe fallback when the audit cannot finish: every total with a suppressed cell in its line is withheld too. */
function withholdTotals(grid: Grid): Grid {
  const rows = grid.length;
  const cols = grid[0]?.length ?? 0;
  const rowHas = grid.map((row) => row.some((c) => c.suppressed));
  const colHas = Array.from({ length: cols }, (_, j) => grid.some((row) => row[j]!.suppressed));
  const any = rowHas.some(Boolean);
  grid.forEach((row, i) => row.forEach((cell, j) => {
    const total = i === rows - 1 || j === cols - 1;
    if (total && !cell.suppressed && cell.value > 0 && (any && (i === rows - 1 && j === cols - 1 ? true : i === rows - 1 ? colHas[j] : rowHas[i]))) cell.suppressed = 'secondary';
  }));
  // Grand total and margins withheld wherever a line held a suppressed cell: no equation is left that involves one.
  return grid;
}

/** How many search steps the exact audit may take before the safe fallback is used instead. */
const SEARCH_BUDGET = 5_000;

/**
 * The exact audit: every integer assignment of the suppressed cells that agrees with the published grid, found by
 * search (lines with one unknown left are filled in directly). The cells with one possible value are disclosed; null
 * when the search would take more than SEARCH_BUDGET steps.
 */
function exactDisclosures(grid: Grid): [number, number][] | null {
  const rows = grid.length;
  const cols = grid[0]!.length;
  const lines: [number, number][][] = linesOf(rows, cols);
  const hidden = grid.flatMap((row, r) => row.flatMap((cell, c) => (cell.suppressed ? [[r, c] as [number, number]] : [])));
  if (hidden.length === 0) return [];
  const cap = grid.flat().reduce((a, c) => a + c.value, 0);
  const range = ([r, c]: [number, number]): [number, number] => (grid[r]![c]!.suppressed === 'primary' ? [1, THRESHOLD - 1] : [THRESHOLD, cap]);
  const values = hidden.map(() => new Set<number>());
  let steps = 0;
  const settle = (guess: (number | null)[][]): boolean => {
    for (let changed = true; changed; ) {
      changed = false;
      for (const line of lines) {
        let open: [number, number] | null = null;
        let openCount = 0;
        let signed = 0;
        line.forEach(([r, c], i) => {
          const v = guess[r]![c]!;
          if (v === null) {
            open = [r, c];
            openCount++;
          } else signed += i === line.length - 1 ? -v : v;
        });
        if (openCount === 0 && signed !== 0) return false;
        if (openCount === 1) {
          const [r, c] = open as unknown as [number, number];
          const v = r === line[line.length - 1]![0] && c === line[line.length - 1]![1] ? signed : -signed;
          const [lo, hi] = range([r, c]);
          if (v < lo || v > hi) return false;
          guess[r]![c] = v;
          changed = true;
        }
      }
    }
    return true;
  };
  const search = (guess: (number | null)[][]): boolean => {
    if (++steps > SEARCH_BUDGET) return false;
    if (!settle(guess)) return true;
    const next = hidden.find(([r, c]) => guess[r]![c] === null);
    if (!next) {
      hidden.forEach(([r, c], i) => values[i]!.add(guess[r]![c]!));
      return true;
    }
    const [lo, hi] = range(next);
    for (let v = lo; v <= hi; v++) {
      const copy = guess.map((row) => [...row]);
      copy[next[0]]![next[1]] = v;
      if (!search(copy)) return false;
    }
    return true;
  };
  if (!search(grid.map((row) => row.map((cell) => (cell.suppressed ? null : cell.value))))) return null;
  return hidden.filter((_, i) => values[i]!.size === 1);
}

/**
 * The cell to withhold next to protect the disclosed cells, from their rows or columns: body cells before totals, cells
 * that share their row and column with other counts first, then those closing a rectangle, smallest first; else the
 * smallest published non-zero cell anywhere.
 */
function complementFor(grid: Grid, disclosed: [number, number][]): [number, number] | null {
  const rows = grid.length;
  const cols = grid[0]!.length;
  const rowHas = (i: number) => grid[i]!.some((cell) => cell.suppressed);
  const colHas = (j: number) => grid.some((row) => row[j]!.suppressed);
  const open = ([i, j]: [number, number]) => !grid[i]![j]!.suppressed && grid[i]![j]!.value > 0;
  const isTotal = ([i, j]: [number, number]) => i === rows - 1 || j === cols - 1;
  const closes = ([i, j]: [number, number]) => rowHas(i) && colHas(j);
  const nonZero = (cells: GridCell[]) => cells.filter((x) => x.value > 0).length;
  // A cell alone in its row or column would drag that line's total in after it.
  const lonely = ([i, j]: [number, number]) => nonZero(grid[i]!.slice(0, cols - 1)) < 2 || nonZero(grid.slice(0, rows - 1).map((row) => row[j]!)) < 2;
  const rank = (cell: [number, number]) => (isTotal(cell) ? 4 : 0) + (lonely(cell) ? 2 : 0) + (closes(cell) ? 0 : 1);
  const inLines = disclosed.flatMap(([r, c]) => [...Array.from({ length: cols }, (_, j) => [r, j] as [number, number]), ...Array.from({ length: rows }, (_, i) => [i, c] as [number, number])]).filter(open);
  const byValue = (a: [number, number], b: [number, number]) => grid[a[0]]![a[1]]!.value - grid[b[0]]![b[1]]!.value;
  const best = inLines.sort((a, b) => rank(a) - rank(b) || byValue(a, b))[0];
  return best ?? grid.flatMap((row, i) => row.map((_, j) => [i, j] as [number, number])).filter(open).sort(byValue)[0] ?? null;
}

/** The words a published cell shows. */
export function cellText(cell: GridCell): string {
  if (cell.suppressed === 'primary') return 'fewer than 5';
  if (cell.suppressed === 'secondary') return 'withheld';
  return cell.value.toLocaleString('en-GB');
}
