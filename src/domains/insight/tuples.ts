/**
 * Reading many small rows fast. libSQL's client makes an object per row with a property per column, which costs
 * about 5-20 µs a row on a busy machine: a thousand aggregate rows took longer than the SQL. readTuples asks SQLite for
 * the rows as one JSON array of arrays instead (json_group_array), one value to parse.
 */
import type { InValue } from '@libsql/client';
import { getDatabase } from '../../platform/db/client.ts';

/** The rows of `sql` as arrays of the given columns (no order: the caller groups them). */
export async function readTuples(sql: string, args: InValue[], columns: readonly string[]): Promise<(string | number | null)[][]> {
  const r = await getDatabase().client.execute({ sql: `SELECT json_group_array(json_array(${columns.join(', ')})) AS j FROM (${sql})`, args });
  return JSON.parse(String(r.rows[0]?.j ?? '[]')) as (string | number | null)[][];
}
