/**
 * Counter upserts that a group commit may add together. A counter upsert is `INSERT INTO t (…, n) VALUES (…, ?)[, (…,
 * ?)…] ON CONFLICT (…) DO UPDATE SET n = n + excluded.n`, with the count last in each row: two of them with the same
 * SQL and the same keys (every argument but the counts) do what one does with the counts added. The pre-aggregates
 * (insight and queue counts) are kept this way, so a group of submissions to the same place and category writes each
 * counter row once instead of once per submission.
 */
import type { InStatement, InValue } from '@libsql/client';

/** A counter upsert as a statement that knows its row width (a WeakMap of widths cost more than the rest of building it). */
class CounterUpsert {
  readonly sql: string;
  readonly args: InValue[];
  readonly width: number;

  constructor(sql: string, args: InValue[], width: number) {
    this.sql = sql;
    this.args = args;
    this.width = width;
  }
}

/** A counter upsert whose arguments come in rows of `width`, the count last in each; a group commit may add it to another. */
export function counterUpsert(sql: string, args: InValue[], width: number): InStatement {
  return new CounterUpsert(sql, args, width);
}

/**
 * The statements of one atomic group commit with counter upserts of the same SQL and keys added into the first of
 * them, and for each statement given the index of the one that carries it. Other statements keep their order. A
 * counter upsert just before a statement that reads `changes()` is left alone, since that statement reads it.
 */
export function addCounters(stmts: readonly InStatement[]): { stmts: InStatement[]; at: number[] } {
  const out: InStatement[] = [];
  const at: number[] = [];
  // By SQL text, then by the other arguments one by one (a tree of maps: no key text is built per statement).
  const firstOf = new Map<string, KeyNode>();
  for (let i = 0; i < stmts.length; i++) {
    const stmt = stmts[i]!;
    const width = stmt instanceof CounterUpsert ? stmt.width : undefined;
    if (width === undefined || typeof stmt !== 'object' || !Array.isArray(stmt.args) || !plainKeys(stmt.args, width) || readsChanges(stmts[i + 1])) {
      at.push(out.length);
      out.push(stmt);
      continue;
    }
    const args = stmt.args;
    let bySql = firstOf.get(stmt.sql);
    if (!bySql) firstOf.set(stmt.sql, (bySql = new Map()));
    const node = nodeOf(bySql, args, width);
    const first = node.get(FIRST) as number | undefined;
    if (first === undefined) {
      node.set(FIRST, out.length);
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

/** A level of the key tree: the next key argument's values, and under FIRST the index of the statement the keys so far lead to. */
type KeyNode = Map<unknown, unknown>;
const FIRST = Symbol('first');

/**
 * The node of a statement's keys (every argument but the counts, in order), made on the way when new. Map keys
 * compare as the key texts did: 1 and '1', null and 'null', 1 and 1n and true are apart.
 */
function nodeOf(root: KeyNode, args: readonly InValue[], width: number): KeyNode {
  let node = root;
  for (let j = 0; j < args.length; j++) {
    if (j % width === width - 1) continue;
    let next = node.get(args[j]) as KeyNode | undefined;
    if (!next) node.set(args[j], (next = new Map()));
    node = next;
  }
  return node;
}

/** True when every key argument is a plain value (text, number, bigint, boolean or null); a blob or a date is never added together. */
function plainKeys(args: readonly InValue[], width: number): boolean {
  for (let j = 0; j < args.length; j++) {
    if (j % width !== width - 1 && args[j] !== null && typeof args[j] === 'object') return false;
  }
  return true;
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
