import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openTestDatabase } from '../helpers/db.ts';
import { sql } from 'drizzle-orm';
import { getDb, readFirstRow, readRows, type Database } from '../../src/platform/db/client.ts';

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

test('transactions run alone, between batches, without blocking on the busy timeout', async () => {
  await database.client.execute('CREATE TABLE w (id INTEGER PRIMARY KEY, n INTEGER)');
  await database.client.execute('INSERT INTO w VALUES (1, 0)');
  const started = Date.now();
  const increments = Array.from({ length: 20 }, () =>
    database.writer.transaction(async (tx) => {
      const r = await tx.execute('SELECT n FROM w WHERE id = 1');
      await new Promise((res) => setTimeout(res, 1));
      await tx.execute({ sql: 'UPDATE w SET n = ? WHERE id = 1', args: [Number(r.rows[0]!.n) + 1] });
    }),
  );
  const others = Array.from({ length: 20 }, (_, i) => database.writer.batch([{ sql: 'INSERT INTO w VALUES (?, 0)', args: [100 + i] }]));
  await Promise.all([...increments, ...others]);
  const r = await database.client.execute('SELECT n FROM w WHERE id = 1');
  assert.equal(Number(r.rows[0]!.n), 20);
  assert.ok(Date.now() - started < 4000, 'no busy-timeout stall');
});

test('a transaction commits what it wrote and returns its value; one that throws leaves nothing behind', async () => {
  await database.client.execute('CREATE TABLE tx1 (id INTEGER PRIMARY KEY, v TEXT)');
  const value = await database.writer.transaction(async (tx) => {
    await tx.batch([{ sql: "INSERT INTO tx1 VALUES (1, 'kept')" }]);
    const seen = await tx.execute('SELECT count(*) AS n FROM tx1');
    return Number(seen.rows[0]!.n);
  });
  assert.equal(value, 1, 'the transaction reads its own writes');
  await assert.rejects(
    database.writer.transaction(async (tx) => {
      await tx.batch([{ sql: "INSERT INTO tx1 VALUES (2, 'gone')" }, { sql: "UPDATE tx1 SET v = 'changed' WHERE id = 1" }]);
      throw new Error('decided against it');
    }),
    /decided against it/,
  );
  const rows = await database.client.execute('SELECT id, v FROM tx1 ORDER BY id');
  assert.deepEqual(rows.rows.map((r) => [Number(r.id), r.v]), [[1, 'kept']]);
});

test('inside a transaction, writer.batch, writer.transaction and getDb() join it; an inner failure undoes only the inner writes', async () => {
  await database.client.execute('CREATE TABLE tx2 (id INTEGER PRIMARY KEY)');
  const { getDb } = await import('../../src/platform/db/client.ts');
  const { sql } = await import('drizzle-orm');
  /** A helper that knows nothing about the transaction it is called from. */
  const insertThroughHelper = (id: number) => database.writer.batch([{ sql: 'INSERT INTO tx2 VALUES (?)', args: [id] }]);
  const count = async () => Number((await getDb().get<{ n: number }>(sql`SELECT count(*) AS n FROM tx2`)).n);
  const seen = await Promise.race([
    database.writer.transaction(async () => {
      await insertThroughHelper(1);
      const afterBatch = await count(); // through getDb(): inside the transaction, so it sees row 1
      await assert.rejects(
        database.writer.transaction(async () => {
          await insertThroughHelper(2);
          throw new Error('inner refused');
        }),
        /inner refused/,
      );
      await assert.rejects(insertThroughHelper(1), /UNIQUE/); // a failing joined batch is undone alone
      await database.writer.transaction(() => insertThroughHelper(3));
      return afterBatch;
    }),
    // unref: once the transaction has answered, the timer must not hold this test file open for its 5 s.
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('deadlock: a nested write waited for its own transaction')), 5000).unref()),
  ]);
  assert.equal(seen, 1);
  const rows = await database.client.execute('SELECT id FROM tx2 ORDER BY id');
  assert.deepEqual(rows.rows.map((r) => Number(r.id)), [1, 3]);
  // and all of it goes when the outer transaction fails
  await assert.rejects(
    database.writer.transaction(async () => {
      await insertThroughHelper(4);
      await database.writer.transaction(() => insertThroughHelper(5));
      throw new Error('outer refused');
    }),
    /outer refused/,
  );
  assert.equal(Number((await database.client.execute('SELECT count(*) AS n FROM tx2')).rows[0]!.n), 2);
});

test('waiting for the writer, or writing through another writer, inside a transaction fails loudly instead of deadlocking', async () => {
  const { createClient } = await import('@libsql/client');
  const { Writer } = await import('../../src/platform/db/writer.ts');
  const other = createClient({ url: database.url, timeout: 5000 });
  try {
    const otherWriter = new Writer(other);
    await database.writer.transaction(async () => {
      await assert.rejects(database.writer.idle(), /wait for itself/);
      await assert.rejects(async () => otherWriter.batch([{ sql: 'SELECT 1' }]), /wait for the transaction forever/);
    });
    // after the transaction, both work again
    await database.writer.idle();
    await otherWriter.batch([{ sql: 'SELECT 1' }]);
  } finally {
    other.close();
  }
});

test('two writers on two clients of one file: 100 read-increment-write transactions each end at exactly 200', async () => {
  const { createClient } = await import('@libsql/client');
  const { Writer } = await import('../../src/platform/db/writer.ts');
  await database.client.execute('CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
  await database.client.execute('INSERT INTO counter VALUES (1, 0)');
  // Both clients live in this one process, whose event loop stops while SQLite waits for a lock, so a short
  // busy timeout hands the waiting to the writer's retry (across real processes the busy timeout does it).
  const clients = [createClient({ url: database.url, timeout: 10 }), createClient({ url: database.url, timeout: 10 })];
  try {
    const writers = clients.map((c) => new Writer(c));
    const increment = (w: InstanceType<typeof Writer>) =>
      w.transaction(async (tx) => {
        const r = await tx.execute('SELECT n FROM counter WHERE id = 1');
        await new Promise((res) => setImmediate(res));
        await tx.execute({ sql: 'UPDATE counter SET n = ? WHERE id = 1', args: [Number(r.rows[0]!.n) + 1] });
      });
    await Promise.all(writers.flatMap((w) => Array.from({ length: 100 }, () => increment(w))));
    const r = await database.client.execute('SELECT n FROM counter WHERE id = 1');
    assert.equal(Number(r.rows[0]!.n), 200);
    assert.ok(writers.some((w) => w.stats.busyRetries > 0), 'the writers really met each other');
  } finally {
    for (const c of clients) c.close();
  }
});

test('two processes on one file: 100 read-increment-write transactions each end at exactly 200', async () => {
  const { spawn } = await import('node:child_process');
  const { resolve } = await import('node:path');
  await database.client.execute('CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
  await database.client.execute('INSERT OR REPLACE INTO counter VALUES (1, 0)');
  const worker = resolve(import.meta.dirname, '../helpers/increment-worker.ts');
  const run = () =>
    new Promise<string>((res, rej) => {
      const p = spawn(process.execPath, [worker, database.url, '100'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      p.on('exit', (code) => (code === 0 ? res(out) : rej(new Error(`worker exited ${code}: ${out}`))));
    });
  await Promise.all([run(), run()]);
  const r = await database.client.execute('SELECT n FROM counter WHERE id = 1');
  assert.equal(Number(r.rows[0]!.n), 200);
});

test('the database is in WAL mode with a busy timeout', async () => {
  const mode = await database.client.execute('PRAGMA journal_mode');
  assert.equal(String(mode.rows[0]![0]).toLowerCase(), 'wal');
  const timeout = await database.client.execute('PRAGMA busy_timeout');
  assert.ok(Number(timeout.rows[0]![0]) >= 5000);
});

test('a read right after writer.batch sees its commit on every read path: the libSQL client, readRows, readFirstRow and Drizzle', async () => {
  await database.client.execute('CREATE TABLE seen (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
  for (let round = 1; round <= 30; round++) {
    await readRows({ sql: 'SELECT count(*) AS c FROM seen', args: [] });
    // A first row of many: the statement must not hold its read open (the next reads would not see the commit).
    if (round > 1) assert.equal(Number((await readFirstRow({ sql: 'SELECT n FROM seen ORDER BY id', args: [] }))!.n), round);
    const [insert] = await database.writer.batch([
      { sql: 'INSERT INTO seen (n) VALUES (?)', args: [round] },
      { sql: 'UPDATE seen SET n = n + 1', args: [] },
    ]);
    assert.equal(insert!.rowsAffected, 1);
    const byClient = Number((await database.client.execute('SELECT count(*) AS c FROM seen')).rows[0]!.c);
    const byReadRows = Number((await readRows({ sql: 'SELECT count(*) AS c FROM seen', args: [] }))[0]!.c);
    const byDrizzle = Number(((await getDb().all(sql`SELECT count(*) AS c FROM seen`)) as { c: number }[])[0]!.c);
    const byFirstRow = Number((await readFirstRow({ sql: 'SELECT count(*) AS c FROM seen', args: [] }))!.c);
    assert.deepEqual([byClient, byReadRows, byDrizzle, byFirstRow], [round, round, round, round], `round ${round}`);
    assert.equal(await readFirstRow({ sql: 'SELECT n FROM seen WHERE id < 0', args: [] }), undefined);
  }
});

test('first-row reads and whole reads of the same SQL answer each for its own arguments, in any order', async () => {
  await database.client.execute('CREATE TABLE firsts (id TEXT PRIMARY KEY, v TEXT NOT NULL)');
  await database.writer.batch(['a', 'b', 'c'].map((k) => ({ sql: 'INSERT INTO firsts (id, v) VALUES (?, ?)', args: [k, `value-${k}`] })));
  const sql = 'SELECT v FROM firsts WHERE id = ?';
  // The driver's get after its all on one statement answered the all's row (libsql 0.5): a draft read could have shown another draft.
  for (const [how, id] of [['all', 'a'], ['first', 'b'], ['first', 'c'], ['all', 'b'], ['first', 'a'], ['first', 'zz'], ['all', 'c'], ['first', 'b']] as const) {
    const v = how === 'all' ? (await readRows({ sql, args: [id] }))[0]?.v : (await readFirstRow({ sql, args: [id] }))?.v;
    assert.equal(v, id === 'zz' ? undefined : `value-${id}`, `${how} ${id}`);
  }
});
