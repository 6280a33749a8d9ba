/**
 * The outbox across server processes on one database file, with a real (slow) SMTP server on loopback:
 * a kill mid-batch, two processes at once, and a clean stop then restart each deliver every message once,
 * counted by Message-ID (each outbox row is sent as <row id@saferline>, the same on every attempt).
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { createClient, type Client } from '@libsql/client';
import type { ParsedMail } from 'mailparser';
import { startServer, type TestServer } from '../helpers/server.ts';
import { startSmtp, type SmtpOptions, type TestSmtp } from '../helpers/smtp.ts';
import { enqueueEmail } from '../../src/platform/mail/outbox.ts';

/** A test SMTP server, closed when the test ends. */
async function smtpServer(t: TestContext, options: SmtpOptions) {
  const smtp = await startSmtp(options);
  t.after(() => smtp.close());
  return smtp;
}

/** A direct client on a server's database file, closed when the test ends. */
function openDb(t: TestContext, server: TestServer): Client {
  const db = createClient({ url: server.dbUrl, timeout: 15_000 });
  t.after(() => db.close());
  return db;
}

/** Queue n acknowledgements to <prefix>-<i>@example.org, as a submission would, in one write. */
async function queueMail(db: Client, prefix: string, n: number) {
  const payload = { ref: 'HM-2345-6789', partnership: 'Hollowmere CSP', promise: 'We will reply within 5 working days.', trackUrl: 'http://localhost/track' };
  await db.batch(Array.from({ length: n }, (_, i) => enqueueEmail('case-received', `${prefix}-${i}@example.org`, payload)), 'write');
}

/** True for a message to one of this test's recipients. */
const toPrefix = (prefix: string) => (m: ParsedMail) => (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).some((a) => a.value.some((v) => v.address?.startsWith(`${prefix}-`)));

/** How many copies of each Message-ID arrived for this test. */
function copies(smtp: TestSmtp, prefix: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of smtp.messages.filter(toPrefix(prefix))) counts.set(m.messageId!, (counts.get(m.messageId!) ?? 0) + 1);
  return counts;
}

/** Wait until n different messages for this test have arrived. */
async function allArrived(smtp: TestSmtp, prefix: string, n: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (copies(smtp, prefix).size < n) {
    if (Date.now() > deadline) assert.fail(`${copies(smtp, prefix).size} of ${n} messages arrived within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The Message-IDs of this test's rows in the given status. */
async function rowsIn(db: Client, prefix: string, status: string): Promise<string[]> {
  const r = await db.execute({ sql: 'SELECT id FROM outbox WHERE recipient LIKE ? AND status = ?', args: [`${prefix}-%`, status] });
  return r.rows.map((row) => `<${row.id}@saferline>`);
}

/** The rows of this test still leased by some process. */
async function leased(db: Client, prefix: string): Promise<number> {
  const r = await db.execute({ sql: 'SELECT count(*) AS n FROM outbox WHERE recipient LIKE ? AND lease_until IS NOT NULL', args: [`${prefix}-%`] });
  return Number(r.rows[0]!.n);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a server killed (SIGKILL) mid-batch and restarted on the same database delivers every message once; only accepted-but-unmarked messages may repeat', { timeout: 180_000 }, async (t) => {
  const N = 30;
  let kill = () => {};
  const smtp = await smtpServer(t, {
    acceptDelayMs: 100,
    onAccept: () => {
      if (smtp.messages.filter(toPrefix('kill')).length === 10) kill();
    },
  });
  const env = { SMTP_URL: smtp.url, OUTBOX_LEASE_MS: '2000', OUTBOX_CONCURRENCY: '4' };
  const first = await startServer(env);
  t.after(() => void first.proc.kill('SIGKILL')); // on failure only: it is dead already otherwise
  kill = () => first.proc.kill('SIGKILL');
  const db = openDb(t, first);
  await queueMail(db, 'kill', N);
  while (first.proc.exitCode === null && first.proc.signalCode === null) await sleep(50);
  await first.stop('SIGKILL', { keepFiles: true }); // already dead: this only waits for the exit
  assert.equal(first.proc.signalCode, 'SIGKILL');
  await sleep(300); // let the SMTP server see the connection close
  const accepted = [...copies(smtp, 'kill').keys()];
  const marked = await rowsIn(db, 'kill', 'sent');
  assert.ok(accepted.length >= 10 && accepted.length < N, `killed mid-batch (${accepted.length} accepted)`);
  assert.deepEqual(marked.filter((id) => !accepted.includes(id)), [], 'nothing is marked sent that the server did not accept');
  // The window a kill can hit: the server has accepted a message and the process has not yet marked it.
  // Each of the worker's 4 lanes marks its message before taking the next, so at most 4 can be in it; those may be sent again.
  const unmarked = accepted.filter((id) => !marked.includes(id));
  assert.ok(unmarked.length <= 4, `at most one accepted message per lane is unmarked (${unmarked.length})`);

  const second = await startServer(env, { restartOf: first });
  t.after(() => second.stop());
  await allArrived(smtp, 'kill', N, 60_000);
  await sleep(3000); // longer than a lease: any second copy would have come by now
  const counts = copies(smtp, 'kill');
  assert.equal(counts.size, N, 'every message arrived');
  const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  assert.deepEqual(twice.sort(), unmarked.sort(), 'the only messages sent twice (if any) are those accepted but unmarked at the kill');
  assert.ok([...counts.values()].every((n) => n <= 2));
  assert.equal((await rowsIn(db, 'kill', 'sent')).length, N);
});

test('two server processes sharing one database and a slow SMTP server deliver each message exactly once, though each send outlives the first lease', { timeout: 180_000 }, async (t) => {
  const N = 10;
  const smtp = await smtpServer(t, { acceptDelayMs: 2500 });
  // each send takes longer than the lease: only renewal keeps the other process off the row
  const env = { SMTP_URL: smtp.url, OUTBOX_LEASE_MS: '2000' };
  const first = await startServer(env);
  const second = await startServer(env, { shareWith: first });
  t.after(async () => {
    await second.stop();
    await first.stop();
  });
  const db = openDb(t, first);
  await queueMail(db, 'pair', N);
  await allArrived(smtp, 'pair', N, 90_000);
  await sleep(3000); // longer than a lease
  const counts = copies(smtp, 'pair');
  assert.deepEqual([...counts.values()], Array.from({ length: N }, () => 1), 'one copy of each');
  assert.equal((await rowsIn(db, 'pair', 'sent')).length, N);
});

test('a clean stop (SIGTERM) gives back the leases: a restart sends the waiting mail at once, not after the lease', { timeout: 180_000 }, async (t) => {
  const N = 10;
  let stopping: Promise<unknown> | undefined;
  let stop = (): Promise<unknown> => Promise.resolve();
  const smtp = await smtpServer(t, {
    acceptDelayMs: 300,
    onAccept: () => {
      if (smtp.messages.filter(toPrefix('term')).length === 2) stopping ??= stop();
    },
  });
  // a ten-minute lease: a restart that had to wait one out would never make the deadline below
  const env = { SMTP_URL: smtp.url, OUTBOX_LEASE_MS: '600000' };
  const first = await startServer(env);
  stop = () => first.stop('SIGTERM', { keepFiles: true });
  t.after(() => void first.proc.kill('SIGKILL')); // on failure only: it has stopped already otherwise
  const db = openDb(t, first);
  await queueMail(db, 'term', N);
  while (!stopping) await sleep(50);
  assert.equal(await stopping, 0, 'a clean exit');
  const accepted = [...copies(smtp, 'term').keys()].sort();
  assert.deepEqual((await rowsIn(db, 'term', 'sent')).sort(), accepted, 'what was accepted is marked sent');
  assert.ok(accepted.length < N, 'stopped with mail waiting');
  assert.equal(await leased(db, 'term'), 0, 'no row is left leased');

  const second = await startServer(env, { restartOf: first });
  t.after(() => second.stop());
  await allArrived(smtp, 'term', N, 30_000);
  await sleep(1000);
  assert.deepEqual([...copies(smtp, 'term').values()], Array.from({ length: N }, () => 1), 'one copy of each');
});
