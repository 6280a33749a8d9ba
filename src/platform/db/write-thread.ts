/**
 * The writer's group commits on a thread of their own (node:worker_threads): the thread holds the writer's native
 * connection to the local database file and runs each batch as FileBatcher does (runDriverStatements: statements
 * prepared once, BEGIN IMMEDIATE … COMMIT), so SQLite's work and the commit's fsync run beside the event loop
 * instead of stopping it. A batch's promise settles only after the thread's COMMIT returned (durability is the
 * driver's, as before), and failures come back as the LibsqlError FileBatcher throws (busy, constraint, …).
 * The thread runs from source text (eval), so it needs no file of its own in the built server.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { InStatement, InValue, ResultSet } from '@libsql/client';
import { runDriverStatements, toDriverStatement, toDriverValue, toLibsqlError, toResultSet, WriteResultSet } from './file-batch.ts';

/**
 * A batch as it crosses to the thread: each SQL text travels once and is named by its number after that (`defs`
 * are the texts new in this message, numbered on from those already sent; `reset` forgets them all first), and
 * the arguments of all the statements travel as one flat list (`counts[i]` of them for statement i, or -1 when
 * statement i has named arguments, which travel as one object). A group commit sends the same few texts hundreds
 * of times; copying them, and an object per statement, was most of the cost of handing a batch over.
 */
interface BatchMessage {
  id: number;
  /**
   * true: BEGIN IMMEDIATE … COMMIT; 'begin': leave the transaction open; 'finish': run in it and commit; 'abort': roll
   * it back; 'checked': BEGIN IMMEDIATE, the first `split` statements, then the rest and COMMIT only if the first
   * value read by each statement at `verdicts` is truthy, else ROLLBACK and answer `refused`.
   */
  phase: true | 'begin' | 'finish' | 'abort' | 'checked';
  split?: number;
  verdicts?: number[];
  reset: boolean;
  defs: string[];
  sqls: number[];
  counts: number[];
  args: unknown[];
}

/**
 * A reply from the thread: for each statement its changes and last rowid (`info`, two numbers a statement), and
 * the columns and raw rows of those that return rows (`reads`, by statement index); or the batch's failure.
 */
type Reply =
  | { id: number; info: (number | bigint)[]; reads: [index: number, columns: string[], rows: unknown[][]][] }
  | { id: number; refused: true }
  | { id: number; error: { message: string; code?: string; rawCode?: number } };

/** How many SQL texts the thread is asked to remember before both sides start afresh. */
const MAX_SQL_TEXTS = 4096;

/** The thread's program: open the file, then run each batch it is sent and answer with its results or failure. */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const runStatements = (${runDriverStatements.toString()});
const db = new Database(workerData.path, { timeout: workerData.timeoutMs });
const prepared = new Map();
const texts = [];
parentPort.on('message', (m) => {
  if (m.close) {
    prepared.clear();
    db.close();
    parentPort.close();
    return;
  }
  if (m.reset) texts.length = 0;
  for (const sql of m.defs) texts.push(sql);
  if (m.phase === 'abort') {
    try {
      if (db.inTransaction) db.exec('ROLLBACK');
    } catch {}
    parentPort.postMessage({ id: m.id, info: [], reads: [] });
    return;
  }
  try {
    const stmts = new Array(m.sqls.length);
    for (let i = 0, k = 0; i < stmts.length; i++) {
      const count = m.counts[i];
      stmts[i] = { sql: texts[m.sqls[i]], args: count < 0 ? m.args[k++] : m.args.slice(k, (k += count)) };
    }
    let results;
    if (m.phase === 'checked') {
      results = runStatements(db, prepared, stmts.slice(0, m.split), 'begin');
      if (!m.verdicts.every((v) => results[v].rows.length > 0 && results[v].rows[0][0])) {
        db.exec('ROLLBACK');
        parentPort.postMessage({ id: m.id, refused: true });
        return;
      }
      results = results.concat(runStatements(db, prepared, stmts.slice(m.split), 'finish'));
    } else results = runStatements(db, prepared, stmts, m.phase);
    const info = new Array(results.length * 2);
    const reads = [];
    for (let i = 0; i < results.length; i++) {
      const r = results[i];
      info[2 * i] = r.changes;
      info[2 * i + 1] = r.lastInsertRowid;
      if (r.columns) reads.push([i, r.columns, r.rows]);
    }
    parentPort.postMessage({ id: m.id, info, reads });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: { message: String(e && e.message), code: e && e.code, rawCode: e && e.rawCode } });
  }
});
`;

/** Atomic write batches on a local database file, run on a thread of their own. */
export class WriteThread {
  private readonly path: string;
  private readonly timeoutMs: number;
  private running: { worker: Worker; exited: Promise<void> } | undefined;
  private readonly pending = new Map<number, { resolve: (r: ResultSet[] | null) => void; reject: (e: unknown) => void }>();
  private nextId = 0;
  /** Set by close: a batch after it fails rather than starting a thread again. */
  private closed = false;
  /** The SQL texts sent to the thread, by their numbers there. */
  private readonly sqlNumbers = new Map<string, number>();

  constructor(path: string, timeoutMs: number) {
    this.path = path;
    this.timeoutMs = timeoutMs;
  }

  /** The thread, started with the first batch (a process that only reads never starts one). */
  private get worker(): Worker {
    if (this.running) return this.running.worker;
    const driver = createRequire(import.meta.url).resolve('libsql');
    this.sqlNumbers.clear();
    const worker = new Worker(SOURCE, { eval: true, workerData: { driver, path: this.path, timeoutMs: this.timeoutMs } });
    // The thread keeps the process alive only while a batch is waiting for it.
    worker.unref();
    worker.on('message', (reply: Reply) => this.settle(reply));
    // A thread that failed (its 'error' comes a while before its 'exit') or stopped (closed, or crashed) is never sent
    // another batch: the next batch starts a new one, which knows no SQL texts (the getter forgets the numbers). Those
    // sent to this one fail here, once; those sent to the new one are not this one's to fail.
    const stopped = (error: unknown) => {
      if (this.running?.worker !== worker) return;
      this.running = undefined;
      this.failAll(error);
    };
    worker.on('error', stopped);
    const exited = new Promise<void>((resolve) =>
      worker.once('exit', () => {
        stopped(new Error('The database writer thread stopped'));
        resolve();
      }),
    );
    this.running = { worker, exited };
    return worker;
  }

  /** Run statements all or nothing in one write transaction on the thread; resolves after the commit. */
  batch(stmts: InStatement[]): Promise<ResultSet[]> {
    return this.send(stmts, true);
  }

  /**
   * Take the write lock (BEGIN IMMEDIATE) and run statements, leaving the transaction open for `finish` or `abort`,
   * which must follow with nothing else sent between (the writer queue sends one job at a time). A failure rolls it back.
   */
  begin(stmts: InStatement[]): Promise<ResultSet[]> {
    return this.send(stmts, 'begin');
  }

  /** Run statements in the transaction `begin` opened, then commit; resolves after the commit. A failure rolls it all back. */
  finish(stmts: InStatement[]): Promise<ResultSet[]> {
    return this.send(stmts, 'finish');
  }

  /**
   * In one write transaction: `head`, then, only if the first value of each read at `verdicts` (indices into head) is
   * truthy, `tail`, and commit; the results of both. Otherwise everything is rolled back and the answer is null.
   */
  commitIfAllowed(head: InStatement[], verdicts: number[], tail: InStatement[]): Promise<ResultSet[] | null> {
    return this.send([...head, ...tail], 'checked', { split: head.length, verdicts });
  }

  /** Roll back the transaction `begin` opened, if it is still open (a thread that stopped took it with it: none is started to abort). */
  async abort(): Promise<void> {
    if (!this.running) return;
    await this.send([], 'abort');
  }

  private send(stmts: InStatement[], phase: BatchMessage['phase']): Promise<ResultSet[]>;
  private send(stmts: InStatement[], phase: 'checked', check: { split: number; verdicts: number[] }): Promise<ResultSet[] | null>;
  private send(stmts: InStatement[], phase: BatchMessage['phase'], check?: { split: number; verdicts: number[] }): Promise<ResultSet[] | null> {
    return new Promise((resolve, reject) => {
      if (this.closed) throw new Error('The database writer thread is closed');
      // The thread first: a new thread knows no SQL texts yet (encode numbers them for the thread it will reach).
      const worker = this.worker;
      const { message, fresh } = this.encode(++this.nextId, stmts, phase);
      if (check) Object.assign(message, check);
      worker.postMessage(message);
      // The thread has the texts now: only a batch that was sent numbers them.
      if (message.reset) this.sqlNumbers.clear();
      for (const [sql, n] of fresh) this.sqlNumbers.set(sql, n);
      this.pending.set(message.id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
    });
  }

  /**
   * The batch as the thread reads it (BatchMessage), its arguments converted as toDriverStatement converts them, and
   * the numbers it gives texts new to the thread (`fresh`, for batch to keep once the message is sent).
   */
  private encode(id: number, stmts: InStatement[], phase: BatchMessage['phase'] = true): { message: BatchMessage; fresh: Map<string, number> } {
    const reset = this.sqlNumbers.size + stmts.length > MAX_SQL_TEXTS;
    const known = reset ? new Map<string, number>() : this.sqlNumbers;
    const fresh = new Map<string, number>();
    const message: BatchMessage = { id, phase, reset, defs: [], sqls: new Array<number>(stmts.length), counts: new Array<number>(stmts.length), args: [] };
    for (let i = 0; i < stmts.length; i++) {
      const stmt = stmts[i]!;
      const sql = typeof stmt === 'string' ? stmt : stmt.sql;
      let n = known.get(sql) ?? fresh.get(sql);
      if (n === undefined) {
        n = known.size + fresh.size;
        fresh.set(sql, n);
        message.defs.push(sql);
      }
      message.sqls[i] = n;
      const args = typeof stmt === 'string' ? [] : (stmt.args ?? []);
      if (Array.isArray(args)) {
        message.counts[i] = args.length;
        for (const value of args as InValue[]) message.args.push(toDriverValue(value));
      } else {
        message.counts[i] = -1;
        message.args.push(toDriverStatement(stmt).args);
      }
    }
    return { message, fresh };
  }

  /** Close the thread's connection and wait for the thread to end (after the batches already sent). */
  async close(): Promise<void> {
    this.closed = true;
    if (!this.running) return;
    // Held until the thread has ended, or a process with nothing else to do would exit first.
    this.running.worker.ref();
    this.running.worker.postMessage({ close: true });
    await this.running.exited;
  }

  private settle(reply: Reply): void {
    const job = this.pending.get(reply.id);
    if (!job) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.running?.worker.unref();
    if ('error' in reply) return job.reject(toLibsqlError(Object.assign(new Error(reply.error.message), reply.error)));
    if ('refused' in reply) return job.resolve(null);
    const results: ResultSet[] = new Array(reply.info.length / 2);
    for (const [i, columns, rows] of reply.reads) results[i] = toResultSet({ columns, rows, changes: 0, lastInsertRowid: 0 });
    for (let i = 0; i < results.length; i++) results[i] ??= new WriteResultSet(reply.info[2 * i] as number, reply.info[2 * i + 1]!);
    job.resolve(results);
  }

  private failAll(error: unknown): void {
    for (const job of this.pending.values()) job.reject(error);
    this.pending.clear();
  }
}
