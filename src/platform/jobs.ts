/**
 * Scheduled jobs shared by every process on one database. Each job has a row in `jobs` with a lease and the
 * time it last ran: a process runs a job only when no other process holds it and it has not run within its
 * period, so a job runs in one process at a time however many processes there are.
 */
import { and, eq, isNull, lte, or } from 'drizzle-orm';
import { getDatabase, getDb, toStatement } from './db/client.ts';
import { jobs } from './db/schema.ts';
import { whileRenewing } from './db/lease.ts';
import { newSecret } from './security/ids.ts';
import { log } from './log.ts';

/** A job to run every everyMs, in one process at a time; `run` gets the time the run was claimed at. */
export interface ScheduledJob {
  name: string;
  everyMs: number;
  run: (now: number) => Promise<void>;
}

/** Who runs jobs: a lease token for this process and how long its lease lasts without renewal. */
export interface JobRunner {
  token: string;
  leaseMs: number;
}

/** What runJobIfDue did. */
export type JobOutcome = 'ran' | 'failed' | 'skipped';

/** Run a job if it is due and no other process holds it; the lease is renewed while it runs and given back after. */
export async function runJobIfDue(job: ScheduledJob, runner: JobRunner, now = Date.now()): Promise<JobOutcome> {
  const [seen] = await getDb().select().from(jobs).where(eq(jobs.name, job.name));
  if (seen && !isJobDue(seen, job.everyMs, now)) return 'skipped';
  if (!(await claimJob(job, runner, now))) return 'skipped';
  let error: unknown;
  try {
    await whileRenewing(() => job.run(now), () => renewJob(job.name, runner), Math.max(10, Math.floor(runner.leaseMs / 3)), { job: job.name });
  } catch (e) {
    error = e;
    log.error('job.failed', { job: job.name, error: String(e) });
  }
  await finishJob(job.name, runner, error === undefined ? now : undefined, error === undefined ? null : String((error as Error)?.message ?? error).slice(0, 500));
  return error === undefined ? 'ran' : 'failed';
}

/** True when nobody holds the job's lease and its period has passed since it last ran. */
export function isJobDue(row: { leaseUntil: number | null; lastRunAt: number | null }, everyMs: number, now: number): boolean {
  return (row.leaseUntil === null || row.leaseUntil <= now) && (row.lastRunAt === null || row.lastRunAt <= now - everyMs);
}

/** Take the job's lease in one conditional statement (insert the row, or update it only if free and due); true if taken. */
async function claimJob(job: ScheduledJob, runner: JobRunner, now: number): Promise<boolean> {
  const { db, writer } = getDatabase();
  const lease = { leaseToken: runner.token, leaseUntil: now + runner.leaseMs };
  const [result] = await writer.batch([
    toStatement(
      db
        .insert(jobs)
        .values({ name: job.name, ...lease })
        .onConflictDoUpdate({
          target: jobs.name,
          set: lease,
          setWhere: and(or(isNull(jobs.leaseUntil), lte(jobs.leaseUntil, now)), or(isNull(jobs.lastRunAt), lte(jobs.lastRunAt, now - job.everyMs))),
        })
        .returning({ name: jobs.name }),
    ),
  ]);
  return result!.rows.length === 1;
}

/** Extend the lease while the job runs; false if this runner no longer holds it. */
async function renewJob(name: string, runner: JobRunner): Promise<boolean> {
  const { db, writer } = getDatabase();
  const [result] = await writer.batch([
    toStatement(
      db
        .update(jobs)
        .set({ leaseUntil: Date.now() + runner.leaseMs })
        .where(and(eq(jobs.name, name), eq(jobs.leaseToken, runner.token)))
        .returning({ name: jobs.name }),
    ),
  ]);
  return result!.rows.length === 1;
}

/** Give the lease back; record the run's start time when it succeeded, or the error when it failed. */
async function finishJob(name: string, runner: JobRunner, ranAt: number | undefined, lastError: string | null) {
  const { db, writer } = getDatabase();
  await writer.batch([
    toStatement(
      db
        .update(jobs)
        .set({ leaseToken: null, leaseUntil: null, lastError, ...(ranAt === undefined ? {} : { lastRunAt: ranAt }) })
        .where(and(eq(jobs.name, name), eq(jobs.leaseToken, runner.token))),
    ),
  ]);
}

/** Checks the scheduled jobs every tickMs and runs the due ones, one after another, in this process. */
export class JobScheduler {
  readonly runner: JobRunner;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private readonly list: ScheduledJob[];
  private readonly tickMs: number;

  constructor(list: ScheduledJob[], options: { tickMs: number; leaseMs?: number }) {
    this.list = list;
    this.tickMs = options.tickMs;
    this.runner = { token: newSecret(10), leaseMs: options.leaseMs ?? 5 * 60_000 };
  }

  /** Start checking. */
  start() {
    this.stopping = false;
    this.timer = setInterval(() => {
      if (this.running || this.stopping) return;
      this.running = this.runDue().then(
        () => undefined,
        () => undefined,
      ).finally(() => (this.running = undefined));
    }, this.tickMs);
    this.timer.unref();
  }

  /** Run every due job once now; returns what happened to each. */
  async runDue(now?: number): Promise<JobOutcome[]> {
    const outcomes: JobOutcome[] = [];
    for (const job of this.list) {
      if (this.stopping) break;
      outcomes.push(await runJobIfDue(job, this.runner, now ?? Date.now()).catch((error: unknown) => {
        log.error('job.check_failed', { job: job.name, error: String(error) });
        return 'failed' as const;
      }));
    }
    return outcomes;
  }

  /** Stop checking and wait for a running job to finish (it gives its lease back). */
  async stop() {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
