/**
 * Another process for the outbox tests: opens the database file and sends due outbox rows to an SMTP server
 * until it is killed, one message at a time (so a kill finds exactly one in flight). Usage: node outbox-worker.ts
 * <file: URL> <smtp URL>.
 */
import { openDatabase } from '../../src/platform/db/client.ts';
import { setLogLevel } from '../../src/platform/log.ts';
import { createMailTransport } from '../../src/platform/mail/transport.ts';
import { OutboxWorker } from '../../src/platform/mail/outbox.ts';

const [url, smtpUrl] = process.argv.slice(2);
setLogLevel('silent');
await openDatabase({ url: url!, timeoutMs: 5000 });
const worker = new OutboxWorker({ transport: createMailTransport({ smtpUrl, mailDir: 'tmp/mail-unused' }), from: 'Saferline <no-reply@saferline.invalid>', intervalMs: 50, batchSize: 1000, concurrency: 1 });
for (;;) {
  await worker.runOnce();
  await new Promise((r) => setTimeout(r, 50));
}
