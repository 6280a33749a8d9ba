import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { after, test } from 'node:test';
import { createClient } from '@libsql/client';
import { WriteThread } from '../../src/platform/db/write-thread.ts';

const dir = mkdtempSync(join(tmpdir(), 'saferline-write-thread-'));
const file = join(dir, 'thread.db');
const client = createClient({ url: `file:${file}` });
await client.execute('PRAGMA journal_mode = WAL');
await client.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
const thread = new WriteThread(file, 100);
after(async () => {
  await thread.close();
  client.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The thread's worker, as the class holds it (to stop it as a crash would). */
function workerOf(t: WriteThread): Worker {
  return (t as unknown as { running: { worker: Worker } }).running.worker;
}

test('a batch the thread cannot be sent (an argument that cannot be cloned) leaves its new text unknown to both sides', async () => {
  const sql = 'SELECT ? AS a, ? AS b';
  await assert.rejects(thread.batch([{ sql, args: [1, Symbol('not cloneable') as never] }]), /could not be cloned/);
  const [r] = await thread.batch([{ sql, args: [3, 'c'] }]);
  assert.deepEqual([r!.rows[0]!.a, r!.rows[0]!.b], [3, 'c']);
});

test('one batch of more distinct texts than the thread remembers, then batches that reuse some of them', async () => {
  const stmts = Array.from({ length: 5000 }, (_, j) => ({ sql: `SELECT ${j} AS n, ? AS x`, args: [j] }));
  const results = await thread.batch(stmts);
  results.forEach((r, j) => assert.deepEqual([r.rows[0]!.n, r.rows[0]!.x], [j, j]));
  const again = await thread.batch([stmts[4999]!, stmts[0]!, { sql: 'SELECT 7 AS n, ? AS x', args: ['seven'] }]);
  assert.deepEqual(again.map((r) => [r.rows[0]!.n, r.rows[0]!.x]), [[4999, 4999], [0, 0], [7, 'seven']]);
});

test('after the thread stops (a crash), batches are not left waiting forever: a new thread takes them, knowing no texts yet', { timeout: 20_000 }, async () => {
  const insert = 'INSERT INTO t (id, v) VALUES (?, ?)';
  await thread.batch([{ sql: insert, args: [1, 'one'] }]);
  await workerOf(thread).terminate();
  // A batch sent while the stopped thread is being noticed may fail; it must not wait forever, and the next one works.
  await thread.batch([{ sql: insert, args: [2, 'two'] }]).catch((error: Error) => assert.match(error.message, /writer thread stopped/));
  const [r] = await thread.batch([{ sql: insert, args: [3, 'three'] }]);
  assert.equal(r!.rowsAffected, 1);
  assert.equal(r!.lastInsertRowid, 3n);
  assert.deepEqual((await client.execute('SELECT v FROM t WHERE id IN (1, 3) ORDER BY id')).rows.map((row) => row.v), ['one', 'three']);
});

test('a batch after close fails at once instead of waiting forever or opening the file again', { timeout: 20_000 }, async () => {
  const closing = new WriteThread(file, 100);
  await closing.batch([{ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', args: [10, 'ten'] }]);
  await closing.close();
  await assert.rejects(closing.batch([{ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', args: [11, 'eleven'] }]), /writer thread is closed/);
  assert.equal(Number((await client.execute('SELECT count(*) AS n FROM t WHERE id = 11')).rows[0]!.n), 0);
});
