import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { openTestDatabase } from '../helpers/db.ts';
import { getDatabase, toStatement } from '../../src/platform/db/client.ts';
import { insertRow } from '../../src/platform/db/insert.ts';
import { outbox, sessions, users } from '../../src/platform/db/schema.ts';

let cleanup: () => Promise<void>;
before(async () => ({ cleanup } = await openTestDatabase()));
after(() => cleanup());

test('insertRow stores exactly what the Drizzle query builder stores (JSON, booleans, blobs, nulls)', async () => {
  const { db, writer } = getDatabase();
  const now = Date.now();
  const row = (id: string) => ({ id, email: `${id}@x.example`, name: 'N', role: 'editor', active: false, recoveryCodes: ['a', 'b'], totpKey: Buffer.from([1, 2, 3]), agencyId: null, createdAt: now, updatedAt: now });
  await writer.batch([insertRow(users, row('fast')), toStatement(db.insert(users).values(row('slow')))]);
  const [fast] = await db.select().from(users).where(eq(users.id, 'fast'));
  const [slow] = await db.select().from(users).where(eq(users.id, 'slow'));
  assert.deepEqual({ ...fast, id: '', email: '' }, { ...slow, id: '', email: '' });
  assert.equal(fast!.active, false);
  assert.deepEqual(fast!.recoveryCodes, ['a', 'b']);
  assert.deepEqual([...fast!.totpKey!], [1, 2, 3]);
  await writer.batch([insertRow(outbox, { id: 'o1', template: 't', recipient: 'r', payload: { ref: 'X' }, nextAttemptAt: now, createdAt: now })]);
  const [o] = await db.select().from(outbox).where(eq(outbox.id, 'o1'));
  assert.equal(o!.status, 'pending', 'omitted columns take their defaults');
  assert.deepEqual(o!.payload, { ref: 'X' });
  assert.throws(() => insertRow(sessions, { nope: 1 } as never), /no column for 'nope'/);
});

test('insertRow writes each value to its own column whatever the keys\' order and whichever keys are given', async () => {
  const { db, writer } = getDatabase();
  const now = Date.now();
  const stmts = [
    insertRow(outbox, { id: 'k1', template: 'a', recipient: 'r1', payload: { n: 1 }, nextAttemptAt: now, createdAt: now }),
    insertRow(outbox, { recipient: 'r2', createdAt: now + 1, payload: { n: 2 }, nextAttemptAt: now + 2, template: 'b', id: 'k2' }),
    insertRow(outbox, { id: 'k3', template: 'c', recipient: 'r3', payload: { n: 3 }, nextAttemptAt: now, createdAt: now, status: 'sent' }),
    insertRow(outbox, { id: 'k4', template: 'd', recipient: 'r4', payload: { n: 4 }, nextAttemptAt: now, createdAt: now, status: undefined }),
  ];
  assert.equal((stmts[3] as { sql: string }).sql, (stmts[0] as { sql: string }).sql, 'an undefined key is left out');
  assert.notEqual((stmts[1] as { sql: string }).sql, (stmts[0] as { sql: string }).sql);
  await writer.batch(stmts);
  const rows = await db.select({ id: outbox.id, template: outbox.template, recipient: outbox.recipient, payload: outbox.payload, status: outbox.status, createdAt: outbox.createdAt, nextAttemptAt: outbox.nextAttemptAt }).from(outbox).where(eq(outbox.template, 'b'));
  assert.deepEqual(rows, [{ id: 'k2', template: 'b', recipient: 'r2', payload: { n: 2 }, status: 'pending', createdAt: now + 1, nextAttemptAt: now + 2 }]);
  const sent = await db.select({ id: outbox.id, status: outbox.status }).from(outbox).where(eq(outbox.status, 'sent'));
  assert.deepEqual(sent, [{ id: 'k3', status: 'sent' }]);
});
