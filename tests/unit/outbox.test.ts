import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { eq, like } from 'drizzle-orm';
import { openTestDatabase } from '../helpers/db.ts';
import { freePort } from '../helpers/server.ts';
import { sentTo, startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { getDatabase, getDb, toStatement } from '../../src/platform/db/client.ts';
import { outbox } from '../../src/platform/db/schema.ts';
import { createMailTransport } from '../../src/platform/mail/transport.ts';
import { enqueueEmail, OutboxWorker, outboxBacklog } from '../../src/platform/mail/outbox.ts';

let cleanup: () => Promise<void>;
let dbUrl: string;
let smtp: TestSmtp;
before(async () => {
  let database;
  ({ cleanup, database } = await openTestDatabase());
  dbUrl = database.url;
  smtp = await startSmtp();
});
after(async () => {
  await smtp.close();
  await cleanup();
});

const payload = (ref: string) => ({ ref, partnership: 'Hollowmere CSP', promise: 'We will reply within 5 working days.', trackUrl: 'http://localhost/track' });
const worker = (smtpUrl: string, maxAttempts = 52) => new OutboxWorker({ transport: createMailTransport({ smtpUrl, mailDir: 'tmp/mail-unused' }), from: 'Saferline <no-reply@saferline.invalid>', intervalMs: 60_000, retryBaseMs: 1000, maxAttempts });

test('queued mail reaches a real SMTP server with plain text and HTML parts, and is marked sent', async () => {
  await getDatabase().writer.batch([enqueueEmail('case-received', 'first@example.com', payload('HM-2345-6789'))]);
  const w = worker(smtp.url);
  assert.equal(await w.runOnce(), 1);
  const mail = await smtp.waitFor((m) => sentTo(m, 'first@example.com'));
  assert.match(mail.subject ?? '', /HM-2345-6789/);
  assert.match(mail.text ?? '', /HM-2345-6789/);
  assert.match(String(mail.html), /HM-2345-6789/);
  const [row] = await getDb().select().from(outbox).where(eq(outbox.recipient, 'first@example.com'));
  assert.equal(row!.status, 'sent');
  assert.equal(row!.attempts, 1);
  await w.stop();
});

test('a mail server outage keeps the message, retries later with back-off, and it is delivered once the server is back', async () => {
  await getDatabase().writer.batch([enqueueEmail('case-received', 'outage@example.com', payload('HM-3456-7892'))]);
  const downUrl = `smtp://127.0.0.1:${await freePort()}`; // nothing listens here
  const down = worker(downUrl);
  const t0 = Date.now();
  assert.equal(await down.runOnce(t0), 0);
  const [failed] = await getDb().select().from(outbox).where(eq(outbox.recipient, 'outage@example.com'));
  assert.equal(failed!.status, 'pending');
  assert.equal(failed!.attempts, 1);
  assert.ok(failed!.lastError);
  assert.ok(failed!.nextAttemptAt > t0, 'next attempt is later');
  await down.stop();
  const backlog = await outboxBacklog();
  assert.ok(backlog.pending >= 1);
  const up = worker(smtp.url);
  assert.equal(await up.runOnce(t0), 0, 'not retried before its time');
  assert.equal(await up.runOnce(failed!.nextAttemptAt + 1), 1);
  await smtp.waitFor((m) => sentTo(m, 'outage@example.com'));
  const [row] = await getDb().select().from(outbox).where(eq(outbox.recipient, 'outage@example.com'));
  assert.equal(row!.status, 'sent');
  assert.equal(row!.attempts, 2);
  await up.stop();
});

test('a run sends several messages at once, each once: a slow mail server is not a queue of one', async () => {
  const recipients = Array.from({ length: 8 }, (_, i) => `lane-${i}@example.com`);
  await getDatabase().writer.batch(recipients.map((r, i) => enqueueEmail('case-received', r, payload(`HM-LANE-${i}`))));
  let inFlight = 0;
  let most = 0;
  const slow = await startSmtp({
    acceptDelayMs: 150,
    onReceive: () => (most = Math.max(most, ++inFlight)),
    onAccept: () => inFlight--,
  });
  try {
    const w = new OutboxWorker({ transport: createMailTransport({ smtpUrl: slow.url, mailDir: 'tmp/mail-unused' }), from: 'Saferline <no-reply@saferline.invalid>', intervalMs: 60_000, concurrency: 4 });
    assert.equal(await w.runOnce(), 8);
    await w.stop();
    assert.ok(most >= 2, `the server had ${most} message(s) on their way at most`);
    assert.ok(most <= 4, `no more than the worker's concurrency at once (${most})`);
    for (const r of recipients) assert.equal(slow.messages.filter((m) => sentTo(m, r)).length, 1, r);
    const rows = await getDb().select().from(outbox).where(like(outbox.recipient, 'lane-%'));
    assert.deepEqual(rows.map((r) => r.status), Array(8).fill('sent'));
  } finally {
    await slow.close();
  }
});

test('after a run that stopped at its batch size with mail still due, the worker runs again at once, not after its interval (10 minutes here)', async () => {
  const recipients = Array.from({ length: 5 }, (_, i) => `backlog-${i}@example.com`);
  await getDatabase().writer.batch(recipients.map((r, i) => enqueueEmail('case-received', r, payload(`HM-BACK-${i}`))));
  // An interval far longer than the test: only the runs' asking again can send the rest.
  const w = new OutboxWorker({ transport: createMailTransport({ smtpUrl: smtp.url, mailDir: 'tmp/mail-unused' }), from: 'Saferline <no-reply@saferline.invalid>', intervalMs: 600_000, batchSize: 2, concurrency: 1 });
  const runs: number[] = [];
  const runOnce = w.runOnce.bind(w);
  w.runOnce = async (now?: number) => {
    const sent = await runOnce(now);
    runs.push(sent);
    return sent;
  };
  w.start();
  w.poke(); // as a commit that queued mail does
  for (const r of recipients) await smtp.waitFor((m) => sentTo(m, r));
  await w.stop();
  // Three runs sent the five (2, 2, 1), one after the other, none waiting for the interval.
  assert.deepEqual(runs.slice(0, 3), [2, 2, 1]);
});

test('two workers at once send each message once (the lease)', async () => {
  await getDatabase().writer.batch([enqueueEmail('case-received', 'once@example.com', payload('HM-4567-8923'))]);
  const a = worker(smtp.url);
  const b = worker(smtp.url);
  const [x, y] = await Promise.all([a.runOnce(), b.runOnce()]);
  assert.equal(x + y, 1);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(smtp.messages.filter((m) => sentTo(m, 'once@example.com')).length, 1);
  await a.stop();
  await b.stop();
});

test('a message that keeps failing is marked dead after the maximum attempts', async () => {
  await getDatabase().writer.batch([enqueueEmail('case-received', 'dead@example.com', payload('HM-5678-9234'))]);
  const downUrl = `smtp://127.0.0.1:${await freePort()}`;
  const w = worker(downUrl, 2);
  await w.runOnce();
  const [first] = await getDb().select().from(outbox).where(eq(outbox.recipient, 'dead@example.com'));
  await w.runOnce(first!.nextAttemptAt + 1);
  const [row] = await getDb().select().from(outbox).where(eq(outbox.recipient, 'dead@example.com'));
  assert.equal(row!.status, 'dead');
  assert.equal((await outboxBacklog()).dead, 1);
  await w.stop();
});

test('the last check before sending: a recipient that is not exactly one mailbox is never sent to, and is dead at once', async () => {
  await getDatabase().writer.batch([
    enqueueEmail('case-received', 'a,victim@example.org', payload('HM-6789-2345')),
    enqueueEmail('case-received', '"x" <victim2@example.org>', payload('HM-6789-2346')),
    enqueueEmail('case-received', 'Fine@Example.ORG', payload('HM-6789-2347')),
  ]);
  const w = worker(smtp.url);
  assert.equal(await w.runOnce(), 1);
  await smtp.waitFor((m) => sentTo(m, 'fine@example.org'));
  assert.ok(!smtp.messages.some((m) => sentTo(m, 'victim@example.org') || sentTo(m, 'victim2@example.org')));
  for (const recipient of ['a,victim@example.org', '"x" <victim2@example.org>']) {
    const [row] = await getDb().select().from(outbox).where(eq(outbox.recipient, recipient));
    assert.equal(row!.status, 'dead', recipient);
    assert.equal(row!.attempts, 1);
    assert.match(row!.lastError ?? '', /not exactly one e-mail address/);
  }
  await w.stop();
});

/** The outbox row queued for a recipient. */
async function rowFor(recipient: string) {
  const [row] = await getDb().select().from(outbox).where(eq(outbox.recipient, recipient));
  return row!;
}

test('a row leased by one worker cannot be changed by another: a worker that lost its lease does not undo the new holder', async () => {
  await getDatabase().writer.batch([enqueueEmail('case-received', 'holder@example.com', payload('HM-6789-2345'))]);
  // A's mail server is slow and then refuses for now (451): A's send outlives A's lease
  let receivedByA!: () => void;
  const aReceived = new Promise<void>((r) => (receivedByA = r));
  const slow = await startSmtp({ acceptDelayMs: 1500, onReceive: () => receivedByA(), refuseData: () => 451 });
  const a = worker(slow.url);
  const sendingA = a.runOnce();
  await aReceived;
  const leased = await rowFor('holder@example.com');
  assert.ok(leased.leaseUntil, 'A holds the row while it sends');
  // A's lease lapses (a stalled process); B takes the row, sends it and marks it sent
  await getDatabase().writer.batch([toStatement(getDb().update(outbox).set({ leaseUntil: 0 }).where(eq(outbox.id, leased.id)))]);
  const b = worker(smtp.url);
  assert.equal(await b.runOnce(), 1);
  assert.equal((await rowFor('holder@example.com')).status, 'sent');
  // A's send now fails: its failure path must not put the sent row back in the queue
  assert.equal(await sendingA, 0);
  const row = await rowFor('holder@example.com');
  assert.equal(row.status, 'sent', 'still sent');
  assert.equal(row.attempts, 1, 'one attempt: the holder\'s');
  assert.equal(row.lastError, null, 'A\'s failure was not recorded on a row it no longer holds');
  assert.equal(row.leaseToken, null);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(smtp.messages.filter((m) => sentTo(m, 'holder@example.com')).length, 1);
  await a.stop();
  await b.stop();
  await slow.close();
});

test('a permanent refusal (5xx) is dead after one attempt; a refusal for now (4xx) is retried later', async () => {
  const refusing = await startSmtp({ refuseRecipient: (address) => (address === 'nobody@example.com' ? 550 : address === 'busy@example.com' ? 450 : undefined) });
  await getDatabase().writer.batch([enqueueEmail('case-received', 'nobody@example.com', payload('HM-7892-3456'))]);
  const w = worker(refusing.url);
  const t0 = Date.now();
  assert.equal(await w.runOnce(t0), 0);
  const dead = await rowFor('nobody@example.com');
  assert.equal(dead.status, 'dead');
  assert.equal(dead.attempts, 1);
  assert.match(dead.lastError ?? '', /550/);
  await getDatabase().writer.batch([enqueueEmail('case-received', 'busy@example.com', payload('HM-8923-4567'))]);
  assert.equal(await w.runOnce(), 0);
  const busy = await rowFor('busy@example.com');
  assert.equal(busy.status, 'pending');
  assert.equal(busy.attempts, 1);
  assert.ok(busy.nextAttemptAt > Date.now(), 'retried on the schedule');
  assert.equal(busy.leaseToken, null, 'the lease is given back');
  await w.stop();
  await refusing.close();
  // out of the way of the tests that follow
  await getDatabase().writer.batch([toStatement(getDb().update(outbox).set({ status: 'dead' }).where(eq(outbox.id, busy.id)))]);
});

test('rows are marked sent one by one: a worker process killed mid-batch leaves every message the server accepted marked sent', async () => {
  const recipients = Array.from({ length: 6 }, (_, i) => `batch-${i}@example.com`);
  await getDatabase().writer.batch(recipients.map((r, i) => enqueueEmail('case-received', r, payload(`HM-BATCH-${i}`))));
  let received = 0;
  let kill = () => {};
  const slow = await startSmtp({
    acceptDelayMs: 50,
    // the fourth message is on the wire and the server stalls on it: kill the worker
    stall: () => received === 4,
    onReceive: () => {
      if (++received === 4) kill();
    },
  });
  const child = spawn(process.execPath, [resolve(import.meta.dirname, '../helpers/outbox-worker.ts'), dbUrl, slow.url], { stdio: 'ignore' });
  kill = () => child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  after(() => slow.close());
  assert.ok(received >= 4, 'the worker was killed mid-batch');
  const accepted = slow.messages.map((m) => m.messageId);
  assert.equal(accepted.length, 3, 'three messages were accepted before the kill');
  const rows = await getDb().select().from(outbox).where(like(outbox.recipient, 'batch-%'));
  const sent = rows.filter((r) => r.status === 'sent').map((r) => `<${r.id}@saferline>`);
  assert.deepEqual(sent.sort(), accepted.sort(), 'each accepted message is marked sent, and only those');
});

test('queueing checks the template renders, even after the same template rendered with other kinds of field', () => {
  assert.throws(() => enqueueEmail('no-such-template', 'x@example.org', payload('HM-7777-2345')), /Unknown mail template/);
  const digest = (unsubscribeUrl: string) => ({ area: 'Mill Lane', partnership: 'Hollowmere CSP', unsubscribeUrl });
  // A digest with its unsubscribe link queues (twice: the second time from the remembered shape) …
  enqueueEmail('alert-digest', 'x@example.org', digest('http://localhost/alerts/unsubscribe?key=a'));
  enqueueEmail('alert-digest', 'x@example.org', digest('http://localhost/alerts/unsubscribe?key=b'));
  // … and one without still fails before anything is stored: an empty text is not the shape that rendered.
  assert.throws(() => enqueueEmail('alert-digest', 'x@example.org', digest('')), /unsubscribe link/);
  assert.throws(() => enqueueEmail('alert-digest', 'x@example.org', { area: 'Mill Lane', partnership: 'Hollowmere CSP' }), /unsubscribe link/);
});
