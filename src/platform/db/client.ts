/** The database: one libSQL client (file, sqld or Turso by URL), Drizzle on top, one writer queue. */
import { createClient, type Client, type InStatement, type InValue, type Row } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as schema from './schema.ts';
import { Writer } from './writer.ts';
import { FileBatcher } from './file-batch.ts';
import { WriteThread } from './write-thread.ts';

/** The Drizzle database type used across the app. */
export type Db = LibSQLDatabase<typeof schema>;

/** An open database: the raw client, Drizzle for reads, the writer for writes. */
export interface Database {
  client: Client;
  db: Db;
  writer: Writer;
  url: string;
  /** A connection for hot-path reads with statements prepared once (readRows), on a local file. */
  fileBatcher?: FileBatcher;
  /** The writer's thread, holding its own connection for group commits, on a local file. */
  writeThread?: WriteThread;
}

/** Options for opening the database. */
export interface OpenOptions {
  url: string;
  authToken?: string;
  timeoutMs?: number;
}

let current: Database | undefined;

/** Open (or reopen) the process-wide database. Local files get WAL and the busy timeout. */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.url.startsWith('file:')) {
    const path = options.url.slice('file:'.length).split('?')[0]!;
    if (path && path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  }
  const timeout = options.timeoutMs ?? 5000;
  const client = createClient({ url: options.url, authToken: options.authToken, timeout });
  let fileBatcher: FileBatcher | undefined;
  let writeThread: WriteThread | undefined;
  if (options.url.startsWith('file:')) {
    await client.execute('PRAGMA journal_mode = WAL');
    const path = localFilePath(options.url);
    if (path) {
      fileBatcher = new FileBatcher(path, timeout);
      writeThread = new WriteThread(path, timeout);
    }
  }
  const db = drizzle(fileBatcher ? readThrough(client, fileBatcher) : client, { schema });
  current = { client, db, writer: new Writer(client, { fileBatcher: writeThread }), url: options.url, fileBatcher, writeThread };
  return current;
}

/**
 * The client Drizzle runs on for a local file: each single statement (every Drizzle read) runs on the read
 * connection with its statement prepared once; batches, migrations and transactions stay with the libSQL client.
 */
function readThrough(client: Client, reads: FileBatcher): Client {
  const execute = async (stmt: InStatement, args?: InValue[]) => reads.read(typeof stmt === 'string' ? { sql: stmt, args: args ?? [] } : stmt);
  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'execute') return execute;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The file of a plain `file:` URL, or null for an in-memory database or a URL with options (left to @libsql/client alone). */
export function localFilePath(url: string): string | null {
  const path = url.slice('file:'.length);
  if (!path || path.includes('?') || path.includes(':memory:') || path.startsWith('//')) return null;
  return path;
}

/** The open database; throws if openDatabase has not run. */
export function getDatabase(): Database {
  if (!current) throw new Error('Database is not open');
  return current;
}

/** Drizzle, for reads: inside writer.transaction, bound to that transaction so that reads that decide see what the writes will change. */
export function getDb(): Db {
  const database = getDatabase();
  return database.writer.current()?.db ?? database.db;
}

/**
 * One read on a hot path as plain SQL: inside a write transaction through it; on a local file through a
 * connection of its own with the statement prepared once (src/platform/db/file-batch.ts); otherwise through the client.
 */
export async function readRows(stmt: InStatement): Promise<Row[]> {
  const database = getDatabase();
  const tx = database.writer.current();
  if (tx) return (await tx.execute(stmt)).rows;
  if (database.fileBatcher) return database.fileBatcher.read(stmt).rows;
  return (await database.client.execute(stmt)).rows;
}

/** The first row of one hot-path read, or undefined: as readRows, but on a local file the driver stops at that row. */
export async function readFirstRow(stmt: InStatement): Promise<Row | undefined> {
  const database = getDatabase();
  if (!database.writer.current() && database.fileBatcher) return database.fileBatcher.read(stmt, true).rows[0];
  return (await readRows(stmt))[0];
}

/**
 * One hot-path read answering each row as its values in the order of the statement's columns, as readRows reads
 * (on a local file no row objects are built, which matters for reads of many rows). Blobs may come as Buffer.
 */
export async function readValues(stmt: InStatement): Promise<unknown[][]> {
  const database = getDatabase();
  if (!database.writer.current() && database.fileBatcher) return database.fileBatcher.readValues(stmt);
  return (await readRows(stmt)).map((row) => Array.from({ length: row.length }, (_, i) => row[i]));
}

/** Write statements atomically through the writer queue. */
export function write(stmts: InStatement[]) {
  return getDatabase().writer.batch(stmts);
}

/** Close the database after pending writes finish. */
export async function closeDatabase() {
  if (!current) return;
  const db = current;
  current = undefined;
  await db.writer.idle();
  await db.writeThread?.close();
  db.fileBatcher?.close();
  db.client.close();
}

/**
 * Apply committed migrations from db/migrations; safe to run again. Runs at start-up, before this process
 * writes anything, outside the writer: libSQL applies the pending migrations in one atomic batch with foreign
 * keys off (table rebuilds need that, and it cannot be switched inside a write transaction). When another
 * process starting at the same moment applied them first, our batch fails on the objects it already made and
 * is rolled back whole; the second attempt then reads that nothing is left to do.
 */
export async function migrateDatabase(database: Database, migrationsFolder = resolve(process.env.MIGRATIONS_DIR ?? 'db/migrations')) {
  await database.writer.idle();
  try {
    await migrate(database.db, { migrationsFolder });
  } catch {
    await migrate(database.db, { migrationsFolder });
  }
}

/** Turn a Drizzle query builder into a plain statement for a batch. */
export function toStatement(query: { toSQL(): { sql: string; params: unknown[] } }): InStatement {
  const { sql, params } = query.toSQL();
  return { sql, args: params as InValue[] };
}
