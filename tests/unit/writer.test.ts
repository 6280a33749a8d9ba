import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openTestDatabase } from '../helpers/db.ts';
import type { Database } from '../../src/platform/db/client.ts';

let database: Database;
let cleanup: () => Promise<void>;
before(async () => ({ database, cleanup } = await openTestDatabase()));
after(() => cleanup());

test('50 concurrent writes through the writer queue all succeed', async () => {
  await database.client.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  const writes = Array.from({ length: 50 }, (_, i) =>
    database.writer.batch([
      { sql: 'INSERT INTO t (id, v) VALUES (?, ?)', args: [i, `row ${i}`] },
      { sql: 'UPDATE t SET v = v || ? WHERE id = ?', args: ['!', i] },
    ]),
  );
  const results = await Promise.all(writes);
  assert.equal(results.length, 50);
  const count = await database.client.execute('SELECT count(*) AS n FROM t WHERE v LIKE ?', ['%!']);
  assert.equal(Number(count.rows[0]!.n), 50);
  assert.ok(database.writer.stats.commits < 50, `group commit used ${database.writer.stats.commits} commits for 50 jobs`);
});

test('a failing job in a group does not sink the others, and is itself all-or-nothing', async () => {
  await database.client.execute('CREATE TABLE u (id INTEGER PRIMARY KEY)');
  const jobs = [
    database.writer.batch([{ sql: 'INSERT INTO u (id) VALUES (1)' }]),
    database.writer.batch([{ sql: 'INSERT INTO u (id) VALUES (2)' }, { sql: 'INSERT INTO u (id) VALUES (1)' }]),
    database.writer.batch([{ sql: 'INSERT INTO u (id) VALUES (3)' }]),
  ];
  const settled = await Promise.allSettled(jobs);
  assert.deepEqual(settled.map((s) => s.status), ['fulfilled', 'rejected', 'fulfilled']);
  const rows = await database.client.execute('SELECT id FROM u ORDER BY id');
  assert.deepEqual(rows.rows.map((r) => Number(r.id)), [1, 3]);
});

test('exclusive jobs run alone, between batches, without blocking on the busy timeout', async () => {
  await database.client.execute('CREATE TABLE w (id INTEGER PRIMARY KEY, n INTEGER)');
  await database.client.execute('INSERT INTO w VALUES (1, 0)');
  const started = Date.now();
  const increments = Array.from({ length: 20 }, () =>
    database.writer.exclusive(async () => {
      const tx = await database.client.transaction('write');
      try {
        const r = await tx.execute('SELECT n FROM w WHERE id = 1');
        await new Promise((res) => setTimeout(res, 1));
        await tx.execute({ sql: 'UPDATE w SET n = ? WHERE id = 1', args: [Number(r.rows[0]!.n) + 1] });
        await tx.commit();
      } finally {
        tx.close();
      }
    }),
  );
  const others = Array.from({ length: 20 }, (_, i) => database.writer.batch([{ sql: 'INSERT INTO w VALUES (?, 0)', args: [100 + i] }]));
  await Promise.all([...increments, ...others]);
  const r = await database.client.execute('SELECT n FROM w WHERE id = 1');
  assert.equal(Number(r.rows[0]!.n), 20);
  assert.ok(Date.now() - started < 4000, 'no busy-timeout stall');
});

test('the database is in WAL mode with a busy timeout', async () => {
  const mode = await database.client.execute('PRAGMA journal_mode');
  assert.equal(String(mode.rows[0]![0]).toLowerCase(), 'wal');
  const timeout = await database.client.execute('PRAGMA busy_timeout');
  assert.ok(Number(timeout.rows[0]![0]) >= 5000);
});
