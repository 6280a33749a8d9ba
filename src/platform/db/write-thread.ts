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
import type { InStatement, ResultSet } from '@libsql/client';
import { runDriverStatements, toDriverStatement, toLibsqlError, toResultSet, type DriverResult } from './file-batch.ts';

/** A reply from the thread: the results of one batch, or its failure (message and SQLite codes). */
type Reply = { id: number; results: DriverResult[] } | { id: number; error: { message: string; code?: string; rawCode?: number } };

/** The thread's program: open the file, then run each batch it is sent and answer with its results or failure. */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const runStatements = (${runDriverStatements.toString()});
const db = new Database(workerData.path, { timeout: workerData.timeoutMs });
const prepared = new Map();
parentPort.on('message', (m) => {
  if (m.close) {
    prepared.clear();
    db.close();
    parentPort.close();
    return;
  }
  try {
    parentPort.postMessage({ id: m.id, results: runStatements(db, prepared, m.stmts, true) });
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
  private readonly pending = new Map<number, { resolve: (r: ResultSet[]) => void; reject: (e: unknown) => void }>();
  private nextId = 0;

  constructor(path: string, timeoutMs: number) {
    this.path = path;
    this.timeoutMs = timeoutMs;
  }

  /** The thread, started with the first batch (a process that only reads never starts one). */
  private get worker(): Worker {
    if (this.running) return this.running.worker;
    const driver = createRequire(import.meta.url).resolve('libsql');
    const worker = new Worker(SOURCE, { eval: true, workerData: { driver, path: this.path, timeoutMs: this.timeoutMs } });
    // The thread keeps the process alive only while a batch is waiting for it.
    worker.unref();
    worker.on('message', (reply: Reply) => this.settle(reply));
    worker.on('error', (error) => this.failAll(error));
    const exited = new Promise<void>((resolve) =>
      worker.once('exit', () => {
        this.failAll(new Error('The database writer thread stopped'));
        resolve();
      }),
    );
    this.running = { worker, exited };
    return worker;
  }

  /** Run statements all or nothing in one write transaction on the thread; resolves after the commit. */
  batch(stmts: InStatement[]): Promise<ResultSet[]> {
    return new Promise((resolve, reject) => {
      const id = ++this.nextId;
      const driverStmts = stmts.map(toDriverStatement);
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ id, stmts: driverStmts });
    });
  }

  /** Close the thread's connection and wait for the thread to end (after the batches already sent). */
  async close(): Promise<void> {
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
    if ('results' in reply) job.resolve(reply.results.map(toResultSet));
    else job.reject(toLibsqlError(Object.assign(new Error(reply.error.message), reply.error)));
  }

  private failAll(error: unknown): void {
    for (const job of this.pending.values()) job.reject(error);
    this.pending.clear();
  }
}
