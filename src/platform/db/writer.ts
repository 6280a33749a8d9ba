/**
 * The one in-process writer queue. Every write goes through here so that two write transactions never
 * overlap in this process (overlap blocks the event loop until the busy timeout, then fails).
 *
 * - batch(stmts): independent writes. Batches waiting together are group-committed: many submissions, one
 *   commit, with their counter upserts of the same rows added together (counters.ts). If a group fails, each job in
 *   it is retried on its own, as written, so that one bad job cannot sink the others.
 * - gatedBatch(gate, stmts): a batch behind a check made in SQL, such as a rate limit. The gate's statements run
 *   first and always count; `gate.allows` reads their results and decides whether the batch's statements run. On
 *   the writer thread both happen in one commit, the gate's statements of every waiting job first (in order, so
 *   each sees those before it), then the statements of the jobs allowed; otherwise they are two commits. A gate
 *   that can say the same in SQL (WriteGate.sql) lets the thread decide alone: the group goes over in one message
 *   and commits if every gate allows, and only a group with a refusal takes the round trip above (the long way).
 * - On the writer thread, where a group is one message, the next group goes while one commits (once PIPELINE_MIN
 *   batches wait), so the thread does not idle while the event loop gets round to the answer. At most two are out;
 *   nothing else reaches the thread during a long way, and a transaction waits until both have landed.
 * - transaction(fn): read-decide-write. A real write transaction (BEGIN IMMEDIATE) run as one job of the queue,
 *   so it holds the database's write lock against other processes too; reads made through `tx` (or getDb())
 *   inside it see exactly what the writes will be applied to. Keep it short and batch-shaped: a few reads, one
 *   tx.batch of writes. Inside the callback, writer.batch and writer.transaction (called directly or through a
 *   helper) join the transaction, each as a savepoint, instead of queueing behind it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Client, InStatement, ResultSet, Transaction } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import * as schema from './schema.ts';
import { addCounters } from './counters.ts';

/** Drizzle bound to one open write transaction. */
export type TransactionDb = LibSQLDatabase<typeof schema>;

/** What a transaction callback gets: reads and writes inside the transaction. */
export interface WriteTransaction {
  /** Drizzle for reads (and single writes) inside the transaction. */
  db: TransactionDb;
  /** Run one statement inside the transaction. */
  execute(stmt: InStatement): Promise<ResultSet>;
  /** Run statements all-or-nothing inside the transaction (one round trip). */
  batch(stmts: InStatement[]): Promise<ResultSet[]>;
}

/** Statements that run first and always count, and the check of their results that lets the rest of a batch run. */
export interface WriteGate {
  statements: InStatement[];
  /** Called once with the results of `statements`, inside the commit: true lets the batch's statements run. Keep it quick and pure. */
  allows(results: ResultSet[]): boolean;
  /**
   * Optional: the same count and check in SQL alone, so that the writer thread can decide without asking (one message
   * a group instead of a round trip with the write lock held): `counts` do what `statements` count, then `verdict`, a
   * read, answers 1 when `allows` would say yes. A group whose verdicts are all 1 commits without calling `allows`; a
   * group with any other answer is rolled back whole and run the long way (`statements`, then `allows`), so each hit
   * is counted once either way.
   */
  sql?: { counts: InStatement[]; verdict: InStatement };
}

type BatchJob = { kind: 'batch'; stmts: InStatement[]; gate?: WriteGate; resolve: (r: ResultSet[] | null) => void; reject: (e: unknown) => void };
type TransactionJob = { kind: 'transaction'; run: (tx: WriteTransaction) => Promise<unknown>; resolve: (r: unknown) => void; reject: (e: unknown) => void };
type Job = BatchJob | TransactionJob;

/**
 * How many batches must wait before a second group is sent to the writer thread while one is out: enough to be worth
 * a commit of their own (4 and 14 measured alike in the submission bench).
 */
const PIPELINE_MIN = 8;

/** A group's results handed back to its jobs in order, each its own statements' share; null for a job not `allowed`. */
function resultsPerJob(group: BatchJob[], results: ResultSet[], allowed?: boolean[]): (ResultSet[] | null)[] {
  let offset = 0;
  return group.map((job, i) => (allowed && !allowed[i] ? null : results.slice(offset, (offset += job.stmts.length))));
}

/** The open transaction of the current async context. */
interface Open {
  writer: Writer;
  tx: OpenTransaction;
  finished: boolean;
}

const context = new AsyncLocalStorage<Open>();

/** Figures the writer keeps about itself. */
export interface WriterStats {
  commits: number;
  jobs: number;
  largestGroup: number;
  transactions: number;
  /** Writes started again because another process held the write lock past the busy timeout. */
  busyRetries: number;
  /** Groups sent to the writer thread while another was still out (waiting there to commit next). */
  overlapped: number;
  /** Groups that failed as a whole and were written again job by job. */
  failedGroups: number;
}

/** Options for a writer. */
export interface WriterOptions {
  /** Most batches in one group commit. */
  maxGroup?: number;
  /** For how long to keep starting a write again (after short pauses) while another process holds the database past the busy timeout. */
  busyRetryMs?: number;
  /**
   * For a local file: run group commits on this connection with statements prepared once (FileBatcher in
   * src/platform/db/file-batch.ts), or on the writer thread (WriteThread in src/platform/db/write-thread.ts).
   */
  fileBatcher?: BatchRunner;
}

/** What runs the writer's group commits on its own connection: all or nothing, settled after the commit. */
export interface BatchRunner {
  batch(stmts: InStatement[]): ResultSet[] | Promise<ResultSet[]>;
  /** Optional, for gated batches in one commit: take the lock and run statements, leaving the transaction open. */
  begin?(stmts: InStatement[]): Promise<ResultSet[]>;
  /** Run statements in the transaction begin opened and commit it. */
  finish?(stmts: InStatement[]): Promise<ResultSet[]>;
  /** Roll back the transaction begin opened. */
  abort?(): Promise<void>;
  /**
   * Optional: in one write transaction, run `head`, then, if the first value of each read at `verdicts` (indices
   * into head) is truthy, `tail`, and commit: the results of both; else roll it all back and answer null.
   */
  commitIfAllowed?(head: InStatement[], verdicts: number[], tail: InStatement[]): Promise<ResultSet[] | null>;
}

/** A runner that can hold one write transaction open across two steps. */
type PhasedRunner = Required<Omit<BatchRunner, 'commitIfAllowed'>> & Pick<BatchRunner, 'commitIfAllowed'>;

/** True if an error is SQLite's "database is locked/busy". */
export function isBusyError(error: unknown): boolean {
  const e = error as { code?: string; rawCode?: number; message?: string } | null;
  return !!e && (e.code === 'SQLITE_BUSY' || e.rawCode === 5 || /SQLITE_BUSY|database is locked/i.test(String(e.message)));
}

/** A libSQL transaction wrapped with savepoint batches and a Drizzle instance on top. */
class OpenTransaction implements WriteTransaction {
  readonly db: TransactionDb;
  private readonly raw: Transaction;
  private savepoints = 0;

  constructor(raw: Transaction) {
    this.raw = raw;
    this.db = drizzle(new TransactionClient(this) as unknown as Client, { schema });
  }

  execute(stmt: InStatement): Promise<ResultSet> {
    return this.raw.execute(stmt);
  }

  async batch(stmts: InStatement[]): Promise<ResultSet[]> {
    if (stmts.length === 0) return [];
    const name = `sl_batch_${++this.savepoints}`;
    try {
      const results = await this.raw.batch([`SAVEPOINT ${name}`, ...stmts, `RELEASE ${name}`]);
      return results.slice(1, -1);
    } catch (error) {
      await this.undo(name);
      throw error;
    }
  }

  /** Run fn inside a savepoint: its writes are undone if it throws, and the error goes on. */
  async nested<T>(fn: () => Promise<T>): Promise<T> {
    const name = `sl_tx_${++this.savepoints}`;
    await this.raw.execute(`SAVEPOINT ${name}`);
    try {
      const result = await fn();
      await this.raw.execute(`RELEASE ${name}`);
      return result;
    } catch (error) {
      await this.undo(name);
      throw error;
    }
  }

  commit() {
    return this.raw.commit();
  }

  async rollback() {
    try {
      await this.raw.rollback();
    } catch {
      /* the connection is gone or already rolled back; close() releases it */
    }
  }

  close() {
    this.raw.close();
  }

  private async undo(name: string) {
    try {
      await this.raw.batch([`ROLLBACK TO ${name}`, `RELEASE ${name}`]);
    } catch {
      /* a failed statement may already have ended the transaction; commit will then fail loudly */
    }
  }
}

/** The part of the libSQL Client that Drizzle uses, answered by an open transaction. */
class TransactionClient {
  private readonly tx: OpenTransaction;
  constructor(tx: OpenTransaction) {
    this.tx = tx;
  }
  execute(stmt: InStatement) {
    return this.tx.execute(stmt);
  }
  batch(stmts: InStatement[]) {
    return this.tx.batch(stmts);
  }
  migrate(stmts: InStatement[]) {
    return this.tx.batch(stmts);
  }
  transaction(): never {
    throw new Error('Use writer.transaction inside a transaction (it joins as a savepoint), not db.transaction');
  }
}

/** Serialises writes on one libSQL client, group-commits batches and runs write transactions. */
export class Writer {
  private queue: Job[] = [];
  private running = false;
  private client: Client;
  private maxGroup: number;
  private busyRetryMs: number;
  private fileBatcher: BatchRunner | undefined;
  readonly stats: WriterStats = { commits: 0, jobs: 0, largestGroup: 0, transactions: 0, busyRetries: 0, overlapped: 0, failedGroups: 0 };
  private idleWaiters: (() => void)[] = [];
  /** Groups sent to the writer thread and not settled yet (at most two: one committing, the next waiting there). */
  private readonly flying = new Set<Promise<void>>();
  /** Set while a group takes the long way (begin … finish): nothing else may reach the thread until it settles (whenClear). */
  private longWay: Promise<void> | undefined;
  /** Wakes the drain loop when a group lands or a job is queued. */
  private wake: (() => void) | undefined;

  constructor(client: Client, options: WriterOptions | number = {}) {
    const o = typeof options === 'number' ? { maxGroup: options } : options;
    this.client = client;
    this.maxGroup = o.maxGroup ?? 256;
    this.busyRetryMs = o.busyRetryMs ?? 10_000;
    this.fileBatcher = o.fileBatcher;
  }

  /** Run statements atomically (all or nothing), possibly in one commit with other waiting batches; inside a transaction, joins it. */
  batch(stmts: InStatement[]): Promise<ResultSet[]> {
    const open = this.joinable();
    if (open) return open.tx.batch(stmts);
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: 'batch', stmts, resolve: resolve as (r: ResultSet[] | null) => void, reject });
      this.kick();
    });
  }

  /**
   * Run the gate's statements, then the batch's statements only if `gate.allows` their results: null when it did not
   * (the gate's statements are stored either way). On the writer thread, in one commit with other waiting batches;
   * inside a transaction, joins it as one savepoint. A batch that fails takes its gate's statements with it.
   */
  async gatedBatch(gate: WriteGate, stmts: InStatement[]): Promise<ResultSet[] | null> {
    const open = this.joinable();
    // Joined, in a savepoint of its own: a batch that fails takes its gate's statements with it, as in one commit.
    if (open) return open.tx.nested(async () => (gate.allows(await open.tx.batch(gate.statements)) ? open.tx.batch(stmts) : null));
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: 'batch', stmts, gate, resolve, reject });
      this.kick();
    });
  }

  /**
   * Read, decide and write in one write transaction: commits when fn resolves, rolls back when it throws.
   * Called inside another transaction of this writer, it joins it as a savepoint.
   */
  transaction<T>(fn: (tx: WriteTransaction) => Promise<T>): Promise<T> {
    const open = this.joinable();
    if (open) return open.tx.nested(() => fn(open.tx));
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: 'transaction', run: fn, resolve: resolve as (r: unknown) => void, reject });
      this.kick();
    });
  }

  /** The transaction open in this async context, if any (for reads that must see it). */
  current(): WriteTransaction | undefined {
    return this.joinable()?.tx;
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.joinable()) return Promise.reject(new Error('writer.idle() inside a transaction would wait for itself'));
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** The open transaction of this async context if it belongs to this writer; throws if it belongs to another. */
  private joinable(): Open | undefined {
    const open = context.getStore();
    if (!open || open.finished) return undefined;
    if (open.writer !== this) throw new Error('A write to another database inside a transaction would wait for the transaction forever');
    return open;
  }

  private kick() {
    if (this.running) {
      this.signal();
      return;
    }
    this.running = true;
    // Yield once so that requests already read from sockets can join this group.
    setImmediate(() => void this.drain());
  }

  /** Wake the drain loop, if it waits. */
  private signal() {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Until the next signal (a group landed, or a job was queued). */
  private changed(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  /** The batches at the head of the queue, up to maxGroup, as one group. */
  private takeGroup(): BatchJob[] {
    const group: BatchJob[] = [];
    while (group.length < this.maxGroup && this.queue[0]?.kind === 'batch') group.push(this.queue.shift() as BatchJob);
    return group;
  }

  /** Until every group sent has landed. */
  private async land() {
    while (this.flying.size > 0) await Promise.race(this.flying);
  }

  private async drain() {
    try {
      for (;;) {
        if (this.queue.length === 0) {
          if (this.flying.size === 0) break;
          await this.changed();
          continue;
        }
        const head = this.queue[0]!;
        if (head.kind === 'transaction') {
          await this.land();
          this.queue.shift();
          await this.runTransaction(head);
          continue;
        }
        if (!this.phased?.commitIfAllowed) {
          await this.commitGroup(this.takeGroup());
          continue;
        }
        // On the writer thread a group goes as one message, so the next can wait there while one commits: the thread
        // never idles between them. It goes once enough batches wait to be worth a commit of their own.
        if (this.flying.size >= 2 || this.longWay || (this.flying.size === 1 && this.queue.length < PIPELINE_MIN)) {
          await this.changed();
          continue;
        }
        if (this.flying.size > 0) this.stats.overlapped++;
        const landing: Promise<void> = this.commitGroup(this.takeGroup()).finally(() => {
          this.flying.delete(landing);
          this.signal();
        });
        this.flying.add(landing);
      }
    } finally {
      this.running = false;
      if (this.queue.length > 0) this.kick();
      else for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Run start(), again after short pauses for up to busyRetryMs, while another process keeps the write lock past the busy timeout. */
  private async retryBusy<T>(start: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.busyRetryMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await start();
      } catch (error) {
        if (!isBusyError(error) || Date.now() >= deadline) throw error;
        this.stats.busyRetries++;
        // A local connection whose BEGIN gave up on the lock keeps that statement in progress, and its next
        // COMMIT then fails ("SQL statements in progress"): drop the client's connections and open fresh ones.
        // Safe here: no transaction of this writer is open, and every other use of the client is one synchronous call.
        if (this.client.protocol === 'file') await this.client.reconnect();
        await new Promise((r) => setTimeout(r, Math.min(10 * 2 ** attempt, 200) * (0.5 + Math.random())));
      }
    }
  }

  /** BEGIN IMMEDIATE: takes the write lock now, waiting for other processes rather than failing. */
  private begin(): Promise<Transaction> {
    return this.retryBusy(() => this.client.transaction('write'));
  }

  /** One atomic batch (a locked database rolls it back whole, so it is safe to run again). */
  private writeBatch(stmts: InStatement[]): Promise<ResultSet[]> {
    const file = this.fileBatcher;
    return this.retryBusy(
      file
        ? () => this.whenClear(() => file.batch(stmts))
        : () => this.client.batch(stmts, 'write'),
    );
  }

  private async runTransaction(job: TransactionJob) {
    this.stats.jobs++;
    this.stats.transactions++;
    let tx: OpenTransaction;
    try {
      tx = new OpenTransaction(await this.begin());
    } catch (error) {
      job.reject(error);
      return;
    }
    const open: Open = { writer: this, tx, finished: false };
    try {
      const result = await context.run(open, () => job.run(tx));
      open.finished = true;
      await tx.commit();
      this.stats.commits++;
      job.resolve(result);
    } catch (error) {
      open.finished = true;
      await tx.rollback();
      job.reject(error);
    } finally {
      tx.close();
    }
  }

  /** The runner, if it can hold a transaction open across two steps (the writer thread). */
  private get phased(): PhasedRunner | undefined {
    const f = this.fileBatcher;
    return f?.begin && f.finish && f.abort ? (f as PhasedRunner) : undefined;
  }

  private async commitGroup(group: BatchJob[]) {
    this.stats.jobs += group.length;
    this.stats.largestGroup = Math.max(this.stats.largestGroup, group.length);
    const gated = group.some((j) => j.gate);
    if (group.length === 1 || (gated && !this.phased)) {
      for (const job of group) await this.commitAlone(job);
      return;
    }
    try {
      const results = gated ? await this.writeGated(group) : await this.writeTogether(group);
      group.forEach((job, i) => job.resolve(results[i]!));
    } catch {
      this.stats.failedGroups++;
      for (const job of group) await this.commitAlone(job);
    }
  }

  /** One job in commits of its own: one, or for a gated job one on the writer thread and else two. */
  private async commitAlone(job: BatchJob) {
    try {
      if (!job.gate) {
        this.stats.commits++;
        job.resolve(await this.writeBatch(job.stmts));
      } else if (this.phased) {
        job.resolve((await this.writeGated([job]))[0]!);
      } else {
        this.stats.commits++;
        const allowed = job.gate.allows(await this.writeBatch(job.gate.statements));
        if (allowed) this.stats.commits++;
        job.resolve(allowed ? await this.writeBatch(job.stmts) : null);
      }
    } catch (error) {
      job.reject(error);
    }
  }

  /** The statements of jobs in one commit, with their counter upserts of the same rows added together (addCounters). */
  private async writeTogether(group: BatchJob[]): Promise<(ResultSet[] | null)[]> {
    const { stmts: all, at } = addCounters(group.flatMap((j) => j.stmts));
    this.stats.commits++;
    const written = await this.writeBatch(all);
    return resultsPerJob(group, at.map((i) => written[i]!));
  }

  /**
   * Jobs with gates in one commit on the writer thread: the gates' statements first (begin), each gate asked about
   * its results, then the statements of the jobs allowed, counters added together (finish, which commits). Anything
   * failing rolls all of it back, gates included. A job its gate refused is answered null.
   */
  private async writeGated(group: BatchJob[]): Promise<(ResultSet[] | null)[]> {
    const runner = this.phased!;
    const checked = runner.commitIfAllowed && group.every((j) => !j.gate || j.gate.sql) ? await this.writeChecked(group, runner.commitIfAllowed.bind(runner)) : null;
    if (checked) return checked;
    // One long way at a time, and no other message to the thread from its begin to its finish (see whenClear). Checked
    // here, not in a function awaited: the turn such an await takes would let another caller, that saw none either,
    // start a long way of its own or send into this one's transaction.
    while (this.longWay) await this.longWay;
    let done!: () => void;
    this.longWay = new Promise((resolve) => (done = resolve));
    try {
      return await this.writeGatedLong(group, runner);
    } finally {
      this.longWay = undefined;
      done();
      this.signal();
    }
  }

  /**
   * send(), once no group is taking the long way: every message to the thread waits for this, except the long way's
   * own. send is called in the same turn as the last check, so no long way can begin in between.
   */
  private async whenClear<T>(send: () => T | Promise<T>): Promise<T> {
    while (this.longWay) await this.longWay;
    return send();
  }

  /** writeGated the long way: begin, ask each gate, finish; nothing else reaches the thread in between (longWay). */
  private async writeGatedLong(group: BatchJob[], runner: PhasedRunner): Promise<(ResultSet[] | null)[]> {
    const opened = await this.retryBusy(() => runner.begin(group.flatMap((j) => j.gate?.statements ?? [])));
    let offset = 0;
    let allowed: boolean[];
    let written: ResultSet[];
    let at: number[];
    try {
      allowed = group.map((j) => !j.gate || j.gate.allows(opened.slice(offset, (offset += j.gate.statements.length))));
      const together = addCounters(group.flatMap((j, i) => (allowed[i] ? j.stmts : [])));
      at = together.at;
      this.stats.commits++;
      written = await runner.finish(together.stmts);
    } catch (error) {
      // Whatever failed (a gate, or a finish that never reached the thread, such as an argument it cannot take), the
      // transaction begin opened must not stay open: it holds the write lock, and the next batch's BEGIN would fail.
      // A finish that failed on the thread rolled back already; abort then finds nothing open.
      await runner.abort().catch(() => {});
      throw error;
    }
    return resultsPerJob(group, at.map((i) => written[i]!), allowed);
  }

  /**
   * Jobs whose gates all check in SQL (WriteGate.sql), in one message to the thread: every gate's counts and verdict,
   * then the statements of all the jobs, counters added together, committed only if every verdict is 1. Null when
   * one was not: the thread rolled it all back, hits included, for writeGated to run the group the long way.
   */
  private async writeChecked(group: BatchJob[], commitIfAllowed: NonNullable<BatchRunner['commitIfAllowed']>): Promise<(ResultSet[] | null)[] | null> {
    const head: InStatement[] = [];
    const verdicts: number[] = [];
    for (const job of group) {
      if (!job.gate) continue;
      head.push(...job.gate.sql!.counts);
      verdicts.push(head.length);
      head.push(job.gate.sql!.verdict);
    }
    const together = addCounters(group.flatMap((j) => j.stmts));
    const written = await this.retryBusy(() => this.whenClear(() => commitIfAllowed(head, verdicts, together.stmts)));
    if (!written) return null;
    this.stats.commits++;
    return resultsPerJob(group, together.at.map((i) => written[head.length + i]!));
  }
}
