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

/** Most prepared statements kept; the oldest is dropped beyond this. */
const MAX_PREPARED = 256;

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
function toLibsqlError(error: unknown): unknown {
  const e = error as { code?: string; rawCode?: number; message?: string } | null;
  if (!e || typeof e.rawCode !== 'number') return error;
  const base = BASE_CODES[e.rawCode & 0xff] ?? `SQLITE_UNKNOWN_${e.rawCode & 0xff}`;
  return new LibsqlError(String(e.message), base, e.code, e.rawCode, error instanceof Error ? error : undefined);
}

/** A row readable by index and by column name, as @libsql/client returns it. */
function toRow(values: unknown[], columns: string[]): Row {
  const row: Record<string | number, unknown> = {};
  Object.defineProperty(row, 'length', { value: values.length });
  for (let i = 0; i < values.length; i++) {
    const v = values[i] instanceof Buffer ? (values[i] as Buffer).buffer.slice((values[i] as Buffer).byteOffset, (values[i] as Buffer).byteOffset + (values[i] as Buffer).byteLength) : values[i];
    Object.defineProperty(row, i, { value: v });
    if (!Object.hasOwn(row, columns[i]!)) Object.defineProperty(row, columns[i]!, { value: v, enumerable: true, configurable: true, writable: true });
  }
  return row as unknown as Row;
}

/** A result set in @libsql/client's shape. */
function resultSet(columns: string[], rows: Row[], rowsAffected: number, lastInsertRowid: bigint | undefined): ResultSet {
  return { columns, columnTypes: columns.map(() => ''), rows, rowsAffected, lastInsertRowid, toJSON: () => ({ columns, rows, rowsAffected, lastInsertRowid: lastInsertRowid?.toString() ?? null }) };
}

/** Atomic write batches on one local database file with statements prepared once. */
export class FileBatcher {
  private readonly db: Database.Database;
  private readonly prepared = new Map<string, Prepared>();

  constructor(path: string, timeoutMs: number) {
    this.db = new Database(path, { timeout: timeoutMs });
  }

  /** The statement for this SQL text, prepared on first use. */
  private prepare(sql: string): Prepared {
    let p = this.prepared.get(sql);
    if (p) return p;
    const statement = this.db.prepare(sql);
    p = { statement, columns: statement.reader ? statement.columns().map((c) => c.name) : null };
    if (p.columns) statement.raw(true);
    if (this.prepared.size >= MAX_PREPARED) this.prepared.delete(this.prepared.keys().next().value!);
    this.prepared.set(sql, p);
    return p;
  }

  /** Run one statement inside the open transaction. */
  private run(stmt: InStatement): ResultSet {
    const { sql, args } = typeof stmt === 'string' ? { sql: stmt, args: [] as InValue[] } : stmt;
    const { statement, columns } = this.prepare(sql);
    const values = Array.isArray(args) ? args.map(toDriverValue) : Object.fromEntries(Object.entries(args ?? {}).map(([k, v]) => [k.replace(/^[@$:]/, ''), toDriverValue(v)]));
    if (columns) return resultSet(columns, (statement.all(values) as unknown[][]).map((r) => toRow(r, columns)), 0, undefined);
    const info = statement.run(values);
    return resultSet([], [], info.changes, BigInt(info.lastInsertRowid));
  }

  /**
   * Run statements all or nothing in one write transaction (BEGIN IMMEDIATE … COMMIT). The transaction's own
   * statements run through exec, which finishes them even when they fail: a prepared BEGIN that gave up on the
   * lock would stay in progress, and the connection's next COMMIT would then fail.
   */
  batch(stmts: InStatement[]): ResultSet[] {
    try {
      this.db.exec('BEGIN IMMEDIATE');
      const results = stmts.map((s) => this.run(s));
      this.db.exec('COMMIT');
      return results;
    } catch (error) {
      // A statement that failed is prepared afresh next time, in case it was left mid-step (failures are rare).
      this.prepared.clear();
      if (this.db.inTransaction) {
        try {
          this.db.exec('ROLLBACK');
        } catch {
          /* the connection ended the transaction itself */
        }
      }
      throw toLibsqlError(error);
    }
  }

  /** Run one read outside any transaction (a batch never leaves one open), with the statement prepared once. */
  read(stmt: InStatement): ResultSet {
    try {
      return this.run(stmt);
    } catch (error) {
      this.prepared.clear();
      throw toLibsqlError(error);
    }
  }

  /** Close the connection. */
  close(): void {
    this.prepared.clear();
    this.db.close();
  }
}
