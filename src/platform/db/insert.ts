/**
 * Fast INSERT statements for hot paths: the SQL text is built once per table and column set from the Drizzle
 * schema, and values go through each column's own driver mapping (JSON, booleans, blobs). Building the same
 * insert with Drizzle's query builder on every request cost more than the database work (bench/results/submit.md).
 */
import type { InStatement, InValue } from '@libsql/client';
import { getTableConfig, type SQLiteColumn, type SQLiteTable } from 'drizzle-orm/sqlite-core';

type Insertable<T extends SQLiteTable> = T['$inferInsert'];

const tableColumns = new WeakMap<SQLiteTable, { name: string; byKey: Map<string, SQLiteColumn> }>();
/** The INSERT text of each table and key set, found by walking the keys given (no key text is built per row). */
interface KeyTrie {
  sql?: string;
  next: Map<string, KeyTrie>;
}
const sqlByKeys = new WeakMap<SQLiteTable, KeyTrie>();

function describe(table: SQLiteTable) {
  let info = tableColumns.get(table);
  if (!info) {
    const config = getTableConfig(table);
    const byKey = new Map<string, SQLiteColumn>();
    for (const [key, column] of Object.entries(table)) {
      if (config.columns.includes(column as SQLiteColumn)) byKey.set(key, column as SQLiteColumn);
    }
    info = { name: config.name, byKey };
    tableColumns.set(table, info);
  }
  return info;
}

/** An INSERT of one row as a plain statement for a batch (keys as in the Drizzle schema; undefined keys are left to defaults). */
export function insertRow<T extends SQLiteTable>(table: T, values: Insertable<T>): InStatement {
  const { name, byKey } = describe(table);
  const args: InValue[] = [];
  let node: KeyTrie | undefined = sqlByKeys.get(table);
  if (!node) sqlByKeys.set(table, (node = { next: new Map() }));
  const record = values as Record<string, unknown>;
  for (const key in record) {
    const value = record[key];
    if (value === undefined) continue;
    const column = byKey.get(key);
    if (!column) throw new Error(`${name} has no column for '${key}'`);
    let next: KeyTrie | undefined = node.next.get(key);
    if (!next) node.next.set(key, (next = { next: new Map() }));
    node = next;
    args.push(value === null ? null : (column.mapToDriverValue(value) as InValue));
  }
  let sql = node.sql;
  if (!sql) {
    const names = Object.keys(record).filter((key) => record[key] !== undefined).map((key) => byKey.get(key)!.name);
    sql = node.sql = `insert into "${name}" (${names.map((n) => `"${n}"`).join(', ')}) values (${names.map(() => '?').join(', ')})`;
  }
  return { sql, args };
}
