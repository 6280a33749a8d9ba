import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { openTestDatabase } from '../helpers/db.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { auditEvents, outbox } from '../../src/platform/db/schema.ts';
import { exportQueueCsv } from '../../src/domains/cases/views.ts';
import { sendReply } from '../../src/domains/cases/actions.ts';
import { insertCase, insertReporter, insertUser, settings, TRIAGE_PERMISSIONS } from './cases-fixtures.ts';

let database: Database;
let cleanup: () => Promise<void>;
before(async () => ({ database, cleanup } = await openTestDatabase()));
after(() => cleanup());

test('the queue CSV has reporter columns only with pii.export, and each export is audited by kind', async () => {
  const reporterId = await insertReporter({ name: 'Kim Export', email: 'kim.export@example.org', phoneE164: '+447700900123' });
  const c = await insertCase({ reporterId, channel: 'phone' });
  const withPii = await insertUser({}, TRIAGE_PERMISSIONS);
  const without = await insertUser({}, TRIAGE_PERMISSIONS.filter((p) => p !== 'pii.export'));

  const plain = await exportQueueCsv({ status: 'all' }, 'received_desc', without);
  const [header, ...rows] = plain.trim().split('\r\n');
  assert.doesNotMatch(header!, /reporter/);
  assert.ok(rows.some((r) => r.startsWith(c.ref) && r.includes(',phone,')));
  assert.doesNotMatch(plain, /Kim Export|kim\.export@example\.org|7700900123/);

  const full = await exportQueueCsv({ status: 'all' }, 'received_desc', withPii);
  assert.match(full.split('\r\n')[0]!, /,reporter_name,reporter_email,reporter_phone$/);
  assert.match(full, /Kim Export,kim\.export@example\.org,'\+447700900123/);

  const audits = await database.db.select().from(auditEvents);
  assert.ok(audits.some((a) => a.action === 'queue.export' && a.actorId === without.id));
  assert.ok(audits.some((a) => a.action === 'pii.export' && a.actorId === withPii.id));
});

test('the reply e-mail carries a private tracking link for that case, not the bare tracking page', async () => {
  const reporterId = await insertReporter({ email: 'track.link@example.org' });
  const c = await insertCase({ reporterId });
  const officer = await insertUser();
  assert.equal((await sendReply(c.ref, officer, 'See {{trackUrl}}', settings)).ok, true);
  const [mail] = await database.db.select().from(outbox).where(eq(outbox.recipient, 'track.link@example.org'));
  assert.match((mail!.payload as { trackUrl: string }).trackUrl, new RegExp(`^https://saferline\\.example/track/link\\?ref=${c.ref}&key=[a-z2-7]{32}$`));
});
