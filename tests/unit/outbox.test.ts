import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { openTestDatabase } from '../helpers/db.ts';
import { freePort } from '../helpers/server.ts';
import { sentTo, startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { getDatabase, getDb } from '../../src/platform/db/client.ts';
import { outbox } from '../../src/platform/db/schema.ts';
import { createMailTransport } from '../../src/platform/mail/transport.ts';
import { enqueueEmail, OutboxWorker, outboxBacklog } from '../../src/platform/mail/outbox.ts';

let cleanup: () => Promise<void>;
let smtp: TestSmtp;
before(async () => {
  ({ cleanup } = await openTestDatabase());
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
