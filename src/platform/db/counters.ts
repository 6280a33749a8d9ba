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
  // By SQL text, then by the other arguments: the key need not repeat the (long) SQL text.
  const firstOf = new Map<string, Map<string, number>>();
  for (let i = 0; i < stmts.length; i++) {
    const stmt = stmts[i]!;
    const width = typeof stmt === 'object' ? rowWidths.get(stmt) : undefined;
    if (width === undefined || typeof stmt !== 'object' || !Array.isArray(stmt.args) || readsChanges(stmts[i + 1])) {
      at.push(out.length);
      out.push(stmt);
      continue;
    }
    const args = stmt.args;
    const key = keyOf(args, width);
    let bySql = firstOf.get(stmt.sql);
    if (!bySql) firstOf.set(stmt.sql, (bySql = new Map()));
    const first = bySql.get(key);
    if (first === undefined) {
      bySql.set(key, out.length);
      at.push(out.length);
      out.push({ sql: stmt.sql, args: [...args] });
      continue;
    }
    const sum = (out[first] as { args: InValue[] }).args;
    for (let j = width - 1; j < args.length; j += width) sum[j] = Number(sum[j]) + Number(args[j]);
    at.push(first);
  }
  return { stmts: out, at };
}

const changesBySql = new Map<string, boolean>();

/** True when a statement reads `changes()` (remembered by SQL text, at most 1,000 texts). */
function readsChanges(stmt: InStatement | undefined): boolean {
  if (stmt === undefined) return false;
  const sql = typeof stmt === 'string' ? stmt : stmt.sql;
  let reads = changesBySql.get(sql);
  if (reads === undefined) {
    reads = /\bchanges\(\)/i.test(sql);
    if (changesBySql.size >= 1000) changesBySql.clear();
    changesBySql.set(sql, reads);
  }
  return reads;
}

/** Every argument but the counts, as one text: with the same SQL, equal texts are the same counter rows. */
function keyOf(args: readonly InValue[], width: number): string {
  let key = '';
  for (let j = 0; j < args.length; j++) {
    if (j % width === width - 1) continue;
    const v = args[j];
    // The type tag keeps 1 and '1', null and 'null' apart; a text's length keeps ['a\u0001sb'] and ['a', 'b'] apart.
    if (v === null) key += '\u0001n';
    else if (typeof v === 'string') key += `\u0001s${v.length}:${v}`;
    else key += `\u0001${typeof v === 'number' ? 'd' : 'o'}${typeof v === 'object' ? JSON.stringify(v) : String(v)}`;
  }
  return key;
}
