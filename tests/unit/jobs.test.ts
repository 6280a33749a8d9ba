import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { openTestDatabase } from '../helpers/db.ts';
import { getDatabase, getDb, toStatement } from '../../src/platform/db/client.ts';
import { jobs } from '../../src/platform/db/schema.ts';
import { runJobIfDue, type JobRunner, type ScheduledJob } from '../../src/platform/jobs.ts';

let cleanup: () => Promise<void>;
before(async () => {
  ({ cleanup } = await openTestDatabase());
});
after(async () => {
  await cleanup();
});

const MINUTE = 60_000;
/** A runner as one server process would have: its own lease token. */
const runner = (token: string): JobRunner => ({ token, leaseMs: 5 * MINUTE });

/** A job that counts its runs. */
function countingJob(name: string, run: () => Promise<void> = async () => {}) {
  const job = { name, everyMs: 10 * MINUTE, runs: 0, run: async () => {
    job.runs++;
    await run();
  } };
  return job satisfies ScheduledJob;
}

test('a job runs in one process at a time: while one holds it, the others skip it', async () => {
  let finish!: () => void;
  const job = countingJob('hold', () => new Promise<void>((r) => (finish = r)));
  const now = Date.now();
  const first = runJobIfDue(job, runner('a'), now);
  while (job.runs === 0) await new Promise((r) => setTimeout(r, 5));
  assert.equal(await runJobIfDue(job, runner('b'), now + 1000), 'skipped', 'held by a (it has never finished a run)');
  finish();
  assert.equal(await first, 'ran');
  assert.equal(job.runs, 1);
  const [row] = await getDb().select().from(jobs).where(eq(jobs.name, 'hold'));
  assert.equal(row!.lastRunAt, now, 'it records when it ran');
  assert.equal(row!.leaseToken, null, 'and gives its lease back');
});

test('ten processes asking at once: the job runs once', async () => {
  const job = countingJob('race', () => new Promise((r) => setTimeout(r, 20)));
  const now = Date.now();
  const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => runJobIfDue(job, runner(`p${i}`), now)));
  assert.equal(outcomes.filter((o) => o === 'ran').length, 1);
  assert.equal(job.runs, 1);
});

test('a job that ran recently is skipped by every process until its period has passed', async () => {
  const job = countingJob('recent');
  const now = Date.now();
  assert.equal(await runJobIfDue(job, runner('a'), now), 'ran');
  assert.equal(await runJobIfDue(job, runner('b'), now + 1000), 'skipped');
  assert.equal(await runJobIfDue(job, runner('a'), now + 9 * MINUTE), 'skipped');
  assert.equal(await runJobIfDue(job, runner('b'), now + 10 * MINUTE), 'ran');
  assert.equal(job.runs, 2);
});

test('a job whose holder died is taken over once its lease has expired', async () => {
  const job = countingJob('orphan');
  const now = Date.now();
  // a process took the lease and was killed: nobody gives it back
  await getDatabase().writer.batch([toStatement(getDb().insert(jobs).values({ name: 'orphan', leaseToken: 'dead', leaseUntil: now + 5 * MINUTE }))]);
  assert.equal(await runJobIfDue(job, runner('b'), now), 'skipped');
  assert.equal(await runJobIfDue(job, runner('b'), now + 5 * MINUTE), 'ran');
  assert.equal(job.runs, 1);
});

test('a failed job gives its lease back, records the error and is tried again at the next check', async () => {
  let fail = true;
  const job = countingJob('flaky', async () => {
    if (fail) throw new Error('disk full');
  });
  const now = Date.now();
  assert.equal(await runJobIfDue(job, runner('a'), now), 'failed');
  const [row] = await getDb().select().from(jobs).where(eq(jobs.name, 'flaky'));
  assert.equal(row!.leaseToken, null);
  assert.equal(row!.lastRunAt, null, 'a failure is not a run');
  assert.match(row!.lastError ?? '', /disk full/);
  fail = false;
  assert.equal(await runJobIfDue(job, runner('b'), now + 1000), 'ran');
  const [done] = await getDb().select().from(jobs).where(eq(jobs.name, 'flaky'));
  assert.equal(done!.lastError, null);
});
