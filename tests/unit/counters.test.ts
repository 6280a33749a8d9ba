/** addCounters: the group commit's adding together of counter upserts (src/platform/db/counters.ts), on statements alone. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addCounters, counterUpsert } from '../../src/platform/db/counters.ts';

const UPSERT = 'INSERT INTO c (k, n) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET n = n + excluded.n';
const MULTI = 'INSERT INTO m (a, b, n) VALUES (?, ?, ?), (?, ?, ?) ON CONFLICT (a, b) DO UPDATE SET n = n + excluded.n';

test('counter upserts with the same SQL and keys become one with the counts added, at the first one\'s place; others keep their order', () => {
  const other = { sql: 'INSERT INTO cases (id) VALUES (?)', args: ['c1'] };
  const stmts = [counterUpsert(UPSERT, ['x', 1], 2), other, counterUpsert(UPSERT, ['y', 1], 2), counterUpsert(UPSERT, ['x', -1], 2), counterUpsert(UPSERT, ['x', 3], 2), counterUpsert(MULTI, ['a', 'b', 1, 'a', 'c', -1], 3), counterUpsert(MULTI, ['a', 'b', 2, 'a', 'c', 5], 3)];
  const { stmts: out, at } = addCounters(stmts);
  assert.deepEqual(out, [{ sql: UPSERT, args: ['x', 3] }, other, { sql: UPSERT, args: ['y', 1] }, { sql: MULTI, args: ['a', 'b', 3, 'a', 'c', 4] }]);
  assert.deepEqual(at, [0, 1, 2, 0, 0, 3, 3]);
  assert.deepEqual([(stmts[0] as { sql: string }).sql, (stmts[0] as { args: unknown[] }).args], [UPSERT, ['x', 1]], 'the statements given are not changed');
});

test('statements not marked as counters, and a counter just before a statement reading changes(), are left as they are', () => {
  const plain = { sql: UPSERT, args: ['x', 1] };
  const guarded = counterUpsert(UPSERT, ['x', 1], 2);
  const reads = { sql: "INSERT INTO e (id) SELECT 'e1' WHERE changes() = 1", args: [] };
  const { stmts: out, at } = addCounters([counterUpsert(UPSERT, ['x', 1], 2), plain, guarded, reads, counterUpsert(UPSERT, ['x', 2], 2)]);
  assert.equal(out.length, 4);
  assert.deepEqual(out[0], { sql: UPSERT, args: ['x', 3] });
  assert.equal(out[1], plain);
  assert.equal(out[2], guarded);
  assert.deepEqual(at, [0, 1, 2, 3, 0]);
});

test('keys whose texts hold the separator of the merge key are not taken for other keys', () => {
  const sql = 'INSERT INTO m (a, b, n) VALUES (?, ?, ?) ON CONFLICT (a, b) DO UPDATE SET n = n + excluded.n';
  const { stmts: out, at } = addCounters([counterUpsert(sql, ['x\u0001sy', 'z', 1], 3), counterUpsert(sql, ['x', 'y\u0001sz', 1], 3)]);
  assert.deepEqual(out, [{ sql, args: ['x\u0001sy', 'z', 1] }, { sql, args: ['x', 'y\u0001sz', 1] }]);
  assert.deepEqual(at, [0, 1]);
});

test('keys of different types stay apart (1, \'1\', 1n, true; null, \'null\'), and a key that is a blob or a date is never added together', () => {
  const sql = 'INSERT INTO m (a, n) VALUES (?, ?) ON CONFLICT (a) DO UPDATE SET n = n + excluded.n';
  const keys = [1, '1', 1n, true, null, 'null'] as const;
  const { stmts: out, at } = addCounters([...keys, ...keys].map((k) => counterUpsert(sql, [k, 1], 2)));
  assert.deepEqual(out, keys.map((k) => ({ sql, args: [k, 2] })));
  assert.deepEqual(at, [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]);
  const blob = new Uint8Array([1]);
  const day = new Date(0);
  const odd = addCounters([counterUpsert(sql, [blob, 1], 2), counterUpsert(sql, [blob, 1], 2), counterUpsert(sql, [day, 1], 2), counterUpsert(sql, [day, 1], 2)]);
  assert.equal(odd.stmts.length, 4);
  assert.deepEqual(odd.at, [0, 1, 2, 3]);
});
