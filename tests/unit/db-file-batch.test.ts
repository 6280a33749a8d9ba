import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createClient } from '@libsql/client';
import { FileBatcher, toDriverValue } from '../../src/platform/db/file-batch.ts';
import { localFilePath } from '../../src/platform/db/client.ts';
import { isBusyError, Writer } from '../../src/platform/db/writer.ts';
import { WriteThread } from '../../src/platform/db/write-thread.ts';

const dir = mkdtempSync(join(tmpdir(), 'saferline-file-batch-'));
const file = join(dir, 'batch.db');
const client = createClient({ url: `file:${file}` });
await client.execute('PRAGMA journal_mode = WAL');
await client.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE, flag INTEGER, data BLOB)');
const batcher = new FileBatcher(file, 100);
const thread = new WriteThread(file, 100);
after(async () => {
  await thread.close();
  batcher.close();
  client.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a batch answers as @libsql/client does: rows by index and by name, rows affected, the last rowid', () => {
  const [insert, update, select] = batcher.batch([
    { sql: 'INSERT INTO t (id, v, flag, data) VALUES (?, ?, ?, ?)', args: [1, 'one', true, new Uint8Array([1, 2])] },
    { sql: 'UPDATE t SET v = v || ? WHERE id = ?', args: ['!', 1] },
    { sql: 'SELECT id, v, flag FROM t WHERE id = :id', args: { ':id': 1 } },
  ]);
  assert.equal(insert!.rowsAffected, 1);
  assert.equal(insert!.lastInsertRowid, 1n);
  assert.equal(update!.rowsAffected, 1);
  assert.deepEqual(select!.columns, ['id', 'v', 'flag']);
  assert.equal(select!.rows.length, 1);
  const row = select!.rows[0]!;
  assert.deepEqual([row[0], row[1], row[2]], [1, 'one!', 1]);
  assert.deepEqual({ ...row }, { id: 1, v: 'one!', flag: 1 });
  assert.equal(row.length, 3);
});

test('a batch is all or nothing; a constraint failure is a LibsqlError naming the constraint, and the next batch works', async () => {
  assert.throws(
    () => batcher.batch([{ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', args: [2, 'two'] }, { sql: 'INSERT INTO t (id, v) VALUES (?, ?)', args: [3, 'one!'] }]),
    (e: { code?: string; message?: string; name?: string }) => e.name === 'LibsqlError' && e.code === 'SQLITE_CONSTRAINT' && /UNIQUE constraint failed: t\.v/.test(String(e.message)),
  );
  assert.equal(Number((await client.execute('SELECT count(*) AS n FROM t')).rows[0]!.n), 1, 'the first insert was rolled back');
  batcher.batch([{ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', args: [2, 'two'] }]);
  assert.equal(Number((await client.execute('SELECT count(*) AS n FROM t')).rows[0]!.n), 2);
});

test('statements prepared before a schema change still run after it', async () => {
  const sql = 'SELECT * FROM t WHERE id = ?';
  assert.deepEqual(batcher.batch([{ sql, args: [1] }])[0]!.columns, ['id', 'v', 'flag', 'data']);
  await client.execute('ALTER TABLE t ADD COLUMN extra TEXT');
  batcher.batch([{ sql: 'UPDATE t SET extra = ? WHERE id = ?', args: ['x', 1] }]);
  assert.equal(batcher.batch([{ sql, args: [1] }])[0]!.rows[0]![4], 'x');
});

test('while another connection holds the write lock, a batch fails as busy (for the writer to retry) and changes nothing', async () => {
  const tx = await client.transaction('write');
  try {
    assert.throws(() => batcher.batch([{ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', args: [9, 'nine'] }]), (e) => isBusyError(e));
  } finally {
    await tx.rollback();
  }
  batcher.batch([{ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', args: [9, 'nine'] }]);
  assert.equal(Number((await client.execute('SELECT count(*) AS n FROM t WHERE id = 9')).rows[0]!.n), 1);
});

test('arguments are converted as @libsql/client converts them; only plain file URLs get their own connection', () => {
  assert.equal(toDriverValue(true), 1);
  assert.equal(toDriverValue(new Date(5)), 5);
  assert.throws(() => toDriverValue(Number.NaN), RangeError);
  assert.throws(() => toDriverValue(undefined), TypeError);
  assert.equal(localFilePath('file:data/saferline.db'), 'data/saferline.db');
  assert.equal(localFilePath('file::memory:'), null);
  assert.equal(localFilePath('file:data/x.db?mode=ro'), null);
});

test('a read outside a batch sees what the batches committed, by index and by name', () => {
  batcher.batch([{ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', args: [20, 'twenty'] }]);
  const read = batcher.read({ sql: 'SELECT v FROM t WHERE id = ?', args: [20] });
  assert.equal(read.rows[0]!.v, 'twenty');
  assert.equal(read.rows[0]![0], 'twenty');
  assert.equal(batcher.read({ sql: 'SELECT v FROM t WHERE id = ?', args: [21] }).rows.length, 0);
});

test('rows read look to their readers as @libsql/client\'s do: names, indexes, length, spread, JSON, blobs; repeated and numeric column names too', async () => {
  batcher.batch([{ sql: 'INSERT INTO t (id, v, flag, data) VALUES (?, ?, ?, ?)', args: [25, 'twenty-five', 1, new Uint8Array([5, 6])] }]);
  const seen = (row: Record<string | number, unknown> & { length: number }) => ({
    names: { ...row }, json: JSON.stringify(row), keys: Object.keys(row), length: row.length,
    byIndex: Array.from({ length: row.length }, (_, i) => (row[i] instanceof ArrayBuffer ? [...new Uint8Array(row[i] as ArrayBuffer)] : row[i])),
  });
  for (const sql of ['SELECT id, v, flag, data FROM t WHERE id = 25', 'SELECT v AS a, id AS a, 7 FROM t WHERE id = 25', 'SELECT 1, 2 AS length, 3 AS "0"']) {
    const ours = batcher.read({ sql, args: [] }).rows[0]!;
    const theirs = (await client.execute(sql)).rows[0]!;
    assert.deepEqual(seen(ours as never), seen(theirs as never), sql);
  }
  // Many rows of one shape share it, each with its own values.
  const rows = batcher.read({ sql: 'SELECT id, v FROM t ORDER BY id', args: [] }).rows;
  assert.deepEqual(rows.map((r) => [r[0], r.v]), (await client.execute('SELECT id, v FROM t ORDER BY id')).rows.map((r) => [r[0], r.v]));
});

test('the writer thread answers a batch as FileBatcher does, and only after its commit: rows, rows affected, last rowid, blobs', async () => {
  const [insert, select] = await thread.batch([
    { sql: 'INSERT INTO t (id, v, flag, data) VALUES (?, ?, ?, ?)', args: [30, 'thirty', false, new Uint8Array([7, 8]).buffer] },
    { sql: 'SELECT id, v, flag, data FROM t WHERE id = :id', args: { ':id': 30 } },
  ]);
  assert.equal(insert!.rowsAffected, 1);
  assert.equal(insert!.lastInsertRowid, 30n);
  const row = select!.rows[0]!;
  assert.deepEqual([row.id, row.v, row.flag], [30, 'thirty', 0]);
  assert.deepEqual([...new Uint8Array(row.data as ArrayBuffer)], [7, 8]);
  // Committed when the promise resolved: another connection reads it at once.
  assert.equal(Number((await client.execute('SELECT count(*) AS n FROM t WHERE id = 30')).rows[0]!.n), 1);
});

test('the writer thread is all or nothing; its failures are the LibsqlErrors the writer tells apart (constraint, busy)', async () => {
  await assert.rejects(
    thread.batch([{ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', args: [31, 'a'] }, { sql: 'INSERT INTO t (id, v) VALUES (?, ?)', args: [32, 'thirty'] }]),
    (e: { code?: string; message?: string; name?: string }) => e.name === 'LibsqlError' && e.code === 'SQLITE_CONSTRAINT' && /UNIQUE constraint failed: t\.v/.test(String(e.message)),
  );
  assert.equal(Number((await client.execute('SELECT count(*) AS n FROM t WHERE id = 31')).rows[0]!.n), 0);
  await assert.rejects(thread.batch([{ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', args: [33, undefined as never] }]), TypeError);
  const tx = await client.transaction('write');
  try {
    await assert.rejects(thread.batch([{ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', args: [34, 'x'] }]), (e) => isBusyError(e));
  } finally {
    await tx.rollback();
  }
  await thread.batch([{ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', args: [34, 'x'] }]);
  assert.equal(Number((await client.execute('SELECT count(*) AS n FROM t WHERE id = 34')).rows[0]!.n), 1);
});

test('the writer thread gets each SQL text once and numbers it after: past thousands of texts, after a batch that failed to convert, with named and positional arguments mixed', async () => {
  // Texts it knows, new texts, and texts again after the thread was told to forget them (more than 4,096 texts).
  for (let round = 0; round < 3; round++) {
    for (let start = 0; start < 5000; start += 500) {
      const stmts = Array.from({ length: 500 }, (_, j) => ({ sql: `SELECT ? + ${start + j} AS n`, args: [round] }));
      const results = await thread.batch(stmts);
      results.forEach((r, j) => assert.equal(r.rows[0]!.n, round + start + j, `round ${round}, text ${start + j}`));
    }
  }
  // A batch whose arguments fail to convert is never sent, so its new text is not taken as known.
  const fresh = 'SELECT ? AS fresh_text, ? AS other';
  await assert.rejects(thread.batch([{ sql: fresh, args: [1, undefined as never] }]), TypeError);
  const [again] = await thread.batch([{ sql: fresh, args: [2, 'b'] }]);
  assert.deepEqual([again!.rows[0]!.fresh_text, again!.rows[0]!.other], [2, 'b']);
  // Named and positional arguments, statements with none, and a statement as plain text, in one batch.
  const mixed = await thread.batch([
    { sql: 'SELECT :a AS a, :b AS b', args: { ':a': 'x', $b: 7 } },
    'SELECT 41 + 1 AS n',
    { sql: 'SELECT ? AS a, ? AS b, ? AS c', args: [null, 2.5, 'three'] },
    { sql: 'INSERT INTO t (id, v) VALUES (?, ?)', args: [200, 'two hundred'] },
    { sql: 'SELECT @v AS v', args: { '@v': 'named' } },
  ]);
  assert.deepEqual([mixed[0]!.rows[0]!.a, mixed[0]!.rows[0]!.b], ['x', 7]);
  assert.equal(mixed[1]!.rows[0]!.n, 42);
  assert.deepEqual([mixed[2]!.rows[0]!.a, mixed[2]!.rows[0]!.b, mixed[2]!.rows[0]!.c], [null, 2.5, 'three']);
  assert.deepEqual([mixed[3]!.rowsAffected, mixed[3]!.lastInsertRowid, mixed[3]!.rows.length, mixed[3]!.columns.length], [1, 200n, 0, 0]);
  assert.deepEqual(JSON.parse(JSON.stringify(mixed[3])), { columns: [], rows: [], rowsAffected: 1, lastInsertRowid: '200' });
  assert.equal(mixed[4]!.rows[0]!.v, 'named');
});

test('a writer on the thread group-commits concurrent batches: every one stored, each answered with its own results', async () => {
  const writer = new Writer(client, { fileBatcher: thread });
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => writer.batch([{ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', args: [100 + i, `v${i}`] }, { sql: 'SELECT v FROM t WHERE id = ?', args: [100 + i] }])));
  results.forEach((r, i) => assert.equal(r[1]!.rows[0]!.v, `v${i}`));
  assert.ok(writer.stats.commits < 40, 'batches waiting together share a commit');
  assert.equal(Number((await client.execute('SELECT count(*) AS n FROM t WHERE id >= 100 AND id < 140')).rows[0]!.n), 40);
});
