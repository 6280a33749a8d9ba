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
