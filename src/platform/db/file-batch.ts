/**
 * Group commits on a local database file through the native driver (the `libsql` package that @libsql/client
 * itself uses for files), on a connection of the writer's own, with each statement prepared once and kept by its
 * SQL text. @libsql/client prepares every statement again on every call, and probes each for rows by letting
 * the driver throw; on the submission path that cost more than running the statements. Same file, same
 * durability (the driver's defaults, WAL set on the file), same answers (ResultSet rows by index and by name).
 */
import Database from 'libsql';
import { LibsqlError, type InStatement, type InValue, type ResultSet, type Row } from '@libsql/client';

type Statement = ReturnType<Database.Database['prepare']>;

/** A prepared statement and what it returns. */
interface Prepared {
  statement: Statement;
  /** Column names when the statement returns rows, else null. */
  columns: string[] | null;
}

/** SQLite's base result codes that callers tell apart (busy, locked, constraint); others keep their number. */
const BASE_CODES: Record<number, string> = { 5: 'SQLITE_BUSY', 6: 'SQLITE_LOCKED', 19: 'SQLITE_CONSTRAINT' };

/** An argument as the driver takes it (booleans as 0/1, dates as milliseconds, buffers as Buffer), as @libsql/client converts it. */
export function toDriverValue(value: InValue | undefined): unknown {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError('Only finite numbers (not Infinity or NaN) can be passed as arguments');
    return value;
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (value instanceof Date) return value.valueOf();
  if (value === undefined) throw new TypeError('undefined cannot be passed as argument to the database');
  return value;
}

/** A driver error as the LibsqlError @libsql/client would throw (base code, extended code, raw code, message). */
export function toLibsqlError(error: unknown): unknown {
  const e = error as { code?: string; rawCode?: number; message?: string } | null;
  if (!e || typeof e.rawCode !== 'number') return error;
  const base = BASE_CODES[e.rawCode & 0xff] ?? `SQLITE_UNKNOWN_${e.rawCode & 0xff}`;
  return new LibsqlError(String(e.message), base, e.code, e.rawCode, error instanceof Error ? error : undefined);
}

/** A row readable by index and by column name, as @libsql/client returns it (blobs as ArrayBuffer). */
function toRow(values: unknown[], columns: string[]): Row {
  // A statement prepared before a schema change may answer more values than the columns it was prepared with.
  const Shape = values.length === columns.length ? rowShapeOf(columns) : null;
  if (!Shape) return toRowSlowly(values, columns);
  const row = new Shape();
  for (let i = 0; i < values.length; i++) row[columns[i]!] = fromDriverValue(values[i]);
  return row as unknown as Row;
}

/** A value as @libsql/client answers it: blobs as ArrayBuffer (the driver gives Buffer). */
function fromDriverValue(raw: unknown): unknown {
  return raw instanceof Uint8Array ? raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength) : raw;
}

/** The row as toRow builds it, property by property: for column lists a shape cannot serve. */
function toRowSlowly(values: unknown[], columns: string[]): Row {
  const row: Record<string | number, unknown> = {};
  Object.defineProperty(row, 'length', { value: values.length });
  for (let i = 0; i < values.length; i++) {
    const v = fromDriverValue(values[i]);
    Object.defineProperty(row, i, { value: v });
    if (!Object.hasOwn(row, columns[i]!)) Object.defineProperty(row, columns[i]!, { value: v, enumerable: true, configurable: true, writable: true });
  }
  return row as unknown as Row;
}

type RowShape = new () => Record<string, unknown>;
const rowShapes = new Map<string, RowShape | null>();

/**
 * A class for the rows of one column list: each row holds its values under the column names (own, enumerable, as
 * @libsql/client's rows do), and its prototype answers `length` and each index from the name. Building a row is then
 * a few plain assignments instead of two property definitions per column. Not for column lists with a repeated
 * name or a name that is an index, `length` or `__proto__` (those take toRowSlowly).
 */
function rowShapeOf(columns: string[]): RowShape | null {
  const key = columns.join('\u0000');
  let shape = rowShapes.get(key);
  if (shape === undefined) {
    const plain = new Set(columns).size === columns.length && columns.every((name) => !/^\d+$/.test(name) && name !== 'length' && name !== '__proto__');
    shape = plain ? makeRowShape(columns) : null;
    if (rowShapes.size >= 1000) rowShapes.clear();
    rowShapes.set(key, shape);
  }
  return shape;
}

function makeRowShape(columns: readonly string[]): RowShape {
  const Shape = function Row() {} as unknown as RowShape;
  Object.defineProperty(Shape.prototype, 'length', { value: columns.length });
  columns.forEach((name, i) => Object.defineProperty(Shape.prototype, i, { get(this: Record<string, unknown>) { return this[name]; } }));
  return Shape;
}

/** A statement as the driver takes it: SQL text and arguments already converted (toDriverStatement). */
export interface DriverStatement {
  sql: string;
  args: unknown[] | Record<string, unknown>;
}

/** What the driver answered for one statement: column names and raw rows when it returns rows, else changes and the last rowid. */
export interface DriverResult {
  columns: string[] | null;
  rows: unknown[][];
  changes: number;
  lastInsertRowid: number | bigint;
}

/** A statement with its arguments converted for the driver (positional, or named without their @, $ or : prefix). */
export function toDriverStatement(stmt: InStatement): DriverStatement {
  const { sql, args } = typeof stmt === 'string' ? { sql: stmt, args: [] as InValue[] } : stmt;
  return { sql, args: Array.isArray(args) ? args.map(toDriverValue) : Object.fromEntries(Object.entries(args ?? {}).map(([k, v]) => [k.replace(/^[@$:]/, ''), toDriverValue(v)])) };
}

/** A driver result in @libsql/client's ResultSet shape. */
export function toResultSet(r: DriverResult): ResultSet {
  if (!r.columns) return new WriteResultSet(r.changes, r.lastInsertRowid);
  const columns = r.columns;
  const rows = r.rows.map((values) => toRow(values, columns));
  return { columns, columnTypes: columns.map(() => ''), rows, rowsAffected: 0, lastInsertRowid: undefined, toJSON: () => ({ columns, rows, rowsAffected: 0, lastInsertRowid: null }) };
}

/**
 * The ResultSet of a statement that returns no rows, as toResultSet answered it before, but built as one small
 * object: a group commit answers hundreds of them and most callers never look. Its empty lists are new on each read.
 */
export class WriteResultSet implements ResultSet {
  readonly rowsAffected: number;
  readonly #rowid: number | bigint;

  constructor(changes: number, rowid: number | bigint) {
    this.rowsAffected = changes;
    this.#rowid = rowid;
  }

  get columns(): string[] {
    return [];
  }

  get columnTypes(): string[] {
    return [];
  }

  get rows(): Row[] {
    return [];
  }

  get lastInsertRowid(): bigint {
    return BigInt(this.#rowid);
  }

  toJSON() {
    return { columns: [], rows: [], rowsAffected: this.rowsAffected, lastInsertRowid: String(this.#rowid) };
  }
}

/**
 * Run statements on a native connection with each statement prepared once (kept in `prepared` by SQL text, at most
 * 256), in one write transaction (BEGIN IMMEDIATE … COMMIT, all or nothing) when `atomic` is true; `'begin'` leaves
 * that transaction open after the statements, and `'finish'` runs them in the open one and commits (a finish with no
 * transaction open fails before running any). With `firstRowOnly`, a statement that returns rows stops at its first.
 * A failure rolls the transaction back, a begun one included. The transaction's own
 * statements run through exec, which finishes them even when they fail: a prepared BEGIN that gave up on the lock
 * would stay in progress, and the connection's next COMMIT would then fail. After a failure every statement is
 * prepared afresh, in case one was left mid-step. Self-contained (it uses nothing outside itself) because the
 * writer thread (src/platform/db/write-thread.ts) runs its source text.
 */
export function runDriverStatements(
  db: Database.Database,
  prepared: Map<string, { statement: Statement; columns: string[] | null }>,
  stmts: DriverStatement[],
  atomic: boolean | 'begin' | 'finish',
  firstRowOnly = false,
): DriverResult[] {
  const blob = (v: unknown) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v);
  const run = (stmt: DriverStatement): DriverResult => {
    // A statement read for its first row (get) is prepared apart from the same SQL read whole (all): the driver's
    // get on a statement that all has run answers that run's first row again (libsql 0.5), not its own.
    const key = firstRowOnly ? `\u0000first\u0000${stmt.sql}` : stmt.sql;
    let p = prepared.get(key);
    if (!p) {
      const statement = db.prepare(stmt.sql);
      p = { statement, columns: statement.reader ? statement.columns().map((c) => c.name) : null };
      if (p.columns) statement.raw(true);
      if (prepared.size >= 256) prepared.delete(prepared.keys().next().value!);
      prepared.set(key, p);
    }
    const args = Array.isArray(stmt.args) ? stmt.args.map(blob) : Object.fromEntries(Object.entries(stmt.args).map(([k, v]) => [k, blob(v)]));
    if (p.columns && firstRowOnly) {
      const row = p.statement.get(args) as unknown[] | undefined;
      return { columns: p.columns, rows: row ? [row] : [], changes: 0, lastInsertRowid: 0 };
    }
    if (p.columns) return { columns: p.columns, rows: p.statement.all(args) as unknown[][], changes: 0, lastInsertRowid: 0 };
    const info = p.statement.run(args);
    return { columns: null, rows: [], changes: info.changes, lastInsertRowid: info.lastInsertRowid };
  };
  try {
    if (atomic === 'finish' && !db.inTransaction) throw new Error('No write transaction is open to finish');
    if (atomic === true || atomic === 'begin') db.exec('BEGIN IMMEDIATE');
    const results = stmts.map(run);
    if (atomic === true || atomic === 'finish') db.exec('COMMIT');
    return results;
  } catch (error) {
    prepared.clear();
    if (db.inTransaction) {
      try {
        db.exec('ROLLBACK');
      } catch {
        /* the connection ended the transaction itself */
      }
    }
    throw error;
  }
}

/** Atomic write batches on one local database file with statements prepared once. */
export class FileBatcher {
  private readonly db: Database.Database;
  private readonly prepared = new Map<string, Prepared>();

  constructor(path: string, timeoutMs: number) {
    this.db = new Database(path, { timeout: timeoutMs });
  }

  /** Run statements all or nothing in one write transaction (BEGIN IMMEDIATE … COMMIT). */
  batch(stmts: InStatement[]): ResultSet[] {
    try {
      return runDriverStatements(this.db, this.prepared, stmts.map(toDriverStatement), true).map(toResultSet);
    } catch (error) {
      throw toLibsqlError(error);
    }
  }

  /** Run one read outside any transaction (a batch never leaves one open), with the statement prepared once; `firstRowOnly` stops at the first row. */
  read(stmt: InStatement, firstRowOnly = false): ResultSet {
    try {
      return toResultSet(runDriverStatements(this.db, this.prepared, [toDriverStatement(stmt)], false, firstRowOnly)[0]!);
    } catch (error) {
      throw toLibsqlError(error);
    }
  }

  /** Run one read as `read` does, answering each row as its values in column order (blobs as Buffer): no row objects to build. */
  readValues(stmt: InStatement): unknown[][] {
    try {
      return runDriverStatements(this.db, this.prepared, [toDriverStatement(stmt)], false)[0]!.rows;
    } catch (error) {
      throw toLibsqlError(error);
    }
  }

  /** Close the connection. */
  close(): void {
    this.prepared.clear();
    this.db.close();
  }
}
