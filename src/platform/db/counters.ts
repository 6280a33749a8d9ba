/**
 * Counter upserts that a group commit may add together. A counter upsert is `INSERT INTO t (…, n) VALUES (…, ?)[, (…,
 * ?)…] ON CONFLICT (…) DO UPDATE SET n = n + excluded.n`, with the count last in each row: two of them with the same
 * SQL and the same keys (every argument but the counts) do what one does with the counts added. The pre-aggregates
 * (insight and queue counts) are kept this way, so a group of submissions to the same place and category writes each
 * counter row once instead of once per submission.
 */
import type { InStatement, InValue } from '@libsql/client';

const rowWidths = new WeakMap<object, number>();

/** A counter upsert whose arguments come in rows of `width`, the count last in each; a group commit may add it to another. */
export function counterUpsert(sql: string, args: InValue[], width: number): InStatement {
  const stmt = { sql, args };
  rowWidths.set(stmt, width);
  return stmt;
}

/**
 * The statements of one atomic group commit with counter upserts of the same SQL and keys added into the first of
 * them, and for each statement given the index of the one that carries it. Other statements keep their order. A
 * counter upsert just before a statement that reads `changes()` is left alone, since that statement reads it.
 */
export function addCounters(stmts: readonly InStatement[]): { stmts: InStatement[]; at: number[] } {
  const out: InStatement[] = [];
  const at: number[] = [];
  const firstOf = new Map<string, number>();
  stmts.forEach((stmt, i) => {
    const width = typeof stmt === 'object' ? rowWidths.get(stmt) : undefined;
    const next = stmts[i + 1];
    const readsChanges = next !== undefined && /\bchanges\(\)/i.test(typeof next === 'string' ? next : next.sql);
    if (width === undefined || typeof stmt !== 'object' || !Array.isArray(stmt.args) || readsChanges) {
      at.push(out.length);
      out.push(stmt);
      return;
    }
    const args = stmt.args;
    const key = `${stmt.sql}\u0001${JSON.stringify(args.filter((_, j) => j % width !== width - 1))}`;
    const first = firstOf.get(key);
    if (first === undefined) {
      firstOf.set(key, out.length);
      at.push(out.length);
      out.push({ sql: stmt.sql, args: [...args] });
      return;
    }
    const sum = (out[first] as { args: InValue[] }).args;
    for (let j = width - 1; j < args.length; j += width) sum[j] = Number(sum[j]) + Number(args[j]);
    at.push(first);
  });
  return { stmts: out, at };
}
