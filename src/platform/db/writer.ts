/**
 * The one in-process writer queue. Every write goes through here so that two write transactions never
 * overlap in this process (overlap blocks the event loop until the busy timeout, then fails).
 * Batch jobs that are waiting together are group-committed: many submissions, one commit. If a group
 * fails, each job in it is retried on its own so that one bad job cannot sink the others.
 */
import type { Client, InStatement, ResultSet } from '@libsql/client';

type BatchJob = { kind: 'batch'; stmts: InStatement[]; resolve: (r: ResultSet[]) => void; reject: (e: unknown) => void };
type ExclusiveJob = { kind: 'exclusive'; run: () => Promise<unknown>; resolve: (r: unknown) => void; reject: (e: unknown) => void };
type Job = BatchJob | ExclusiveJob;

/** Figures the writer keeps about itself. */
export interface WriterStats {
  commits: number;
  jobs: number;
  largestGroup: number;
}

/** Serialises writes on one libSQL client and group-commits batches. */
export class Writer {
  private queue: Job[] = [];
  private running = false;
  private client: Client;
  private maxGroup: number;
  readonly stats: WriterStats = { commits: 0, jobs: 0, largestGroup: 0 };
  private idleWaiters: (() => void)[] = [];

  constructor(client: Client, maxGroup = 256) {
    this.client = client;
    this.maxGroup = maxGroup;
  }

  /** Run statements atomically (all or nothing), possibly in one commit with other waiting batches. */
  batch(stmts: InStatement[]): Promise<ResultSet[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: 'batch', stmts, resolve, reject });
      this.kick();
    });
  }

  /** Run a function with the database to itself (for read-then-write transactions). */
  exclusive<T>(run: () => Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: 'exclusive', run, resolve: resolve as (r: unknown) => void, reject });
      this.kick();
    });
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private kick() {
    if (this.running) return;
    this.running = true;
    // Yield once so that requests already read from sockets can join this group.
    setImmediate(() => void this.drain());
  }

  private async drain() {
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0]!;
        if (head.kind === 'exclusive') {
          this.queue.shift();
          try {
            head.resolve(await head.run());
          } catch (error) {
            head.reject(error);
          }
          continue;
        }
        const group: BatchJob[] = [];
        while (group.length < this.maxGroup && this.queue[0]?.kind === 'batch') group.push(this.queue.shift() as BatchJob);
        await this.commitGroup(group);
      }
    } finally {
      this.running = false;
      if (this.queue.length > 0) this.kick();
      else for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private async commitGroup(group: BatchJob[]) {
    this.stats.jobs += group.length;
    this.stats.largestGroup = Math.max(this.stats.largestGroup, group.length);
    if (group.length === 1) {
      const job = group[0]!;
      try {
        this.stats.commits++;
        job.resolve(await this.client.batch(job.stmts, 'write'));
      } catch (error) {
        job.reject(error);
      }
      return;
    }
    const all = group.flatMap((j) => j.stmts);
    try {
      this.stats.commits++;
      const results = await this.client.batch(all, 'write');
      let offset = 0;
      for (const job of group) {
        job.resolve(results.slice(offset, offset + job.stmts.length));
        offset += job.stmts.length;
      }
    } catch {
      for (const job of group) {
        try {
          this.stats.commits++;
          job.resolve(await this.client.batch(job.stmts, 'write'));
        } catch (error) {
          job.reject(error);
        }
      }
    }
  }
}
