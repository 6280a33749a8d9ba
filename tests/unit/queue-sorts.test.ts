/**
 * The queue's sorts list every case that matches the filter: a sort by due time or priority lists the cases that
 * have the key first, in key order, then those without it (feedback, paused timers), oldest first, on every page size.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openTestDatabase } from '../helpers/db.ts';
import { countByStatus, listQueue, type QueueSort } from '../../src/domains/cases/queue.ts';
import { insertCase } from './cases-fixtures.ts';

let cleanup: () => Promise<void>;
before(async () => ({ cleanup } = await openTestDatabase()));
after(() => cleanup());

const T = Date.UTC(2026, 10, 2, 9);
const HOUR = 3_600_000;

/** Every ref the queue lists for a sort, page by page with `limit` rows a page. */
async function allRefs(sort: QueueSort, limit: number): Promise<string[]> {
  const refs: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const page: Awaited<ReturnType<typeof listQueue>> = await listQueue({ status: 'new', wardId: 'mill-lane' }, sort, cursor, T + 100 * HOUR, limit);
    assert.ok(page.rows.length <= limit);
    refs.push(...page.rows.map((r) => r.ref));
    cursor = page.next;
    if (!cursor) return refs;
    assert.equal(page.rows.length, limit, 'a page with a next link is full');
  }
  throw new Error('the queue did not end');
}

test('sorting by due time or priority keeps feedback and cases with paused timers, after the others, oldest first', async () => {
  const place = { wardId: 'mill-lane', districtId: 'brackenford' };
  const add = (ref: string, hoursAgo: number, over: Record<string, unknown>) => insertCase({ ref, receivedAt: T - hoursAgo * HOUR, ...place, ...over });
  await add('HM-S00001', 5, { priority: 'P3', nextDueAt: T + 30 * HOUR });
  await add('HM-S00002', 4, { priority: 'P2', nextDueAt: T + 10 * HOUR });
  await add('HM-S00003', 3, { kind: 'feedback', feedbackType: 'complaint', priority: null, nextDueAt: null });
  await add('HM-S00004', 6, { priority: 'P4', nextDueAt: null });
  await add('HM-S00005', 2, { priority: 'P3', nextDueAt: T + 20 * HOUR });
  await add('HM-S00006', 7, { kind: 'feedback', feedbackType: 'compliment', priority: null, nextDueAt: null });
  const expected: Record<QueueSort, string[]> = {
    due: ['HM-S00002', 'HM-S00005', 'HM-S00001', 'HM-S00006', 'HM-S00004', 'HM-S00003'],
    priority: ['HM-S00002', 'HM-S00001', 'HM-S00005', 'HM-S00004', 'HM-S00006', 'HM-S00003'],
    received_asc: ['HM-S00006', 'HM-S00004', 'HM-S00001', 'HM-S00002', 'HM-S00003', 'HM-S00005'],
    received_desc: ['HM-S00005', 'HM-S00003', 'HM-S00002', 'HM-S00001', 'HM-S00004', 'HM-S00006'],
  };
  const counts = await countByStatus({ wardId: 'mill-lane' });
  assert.equal(counts.new, 6, 'the status tab counts all six');
  for (const sort of Object.keys(expected) as QueueSort[]) {
    for (const limit of [1, 2, 3, 4, 5, 6, 50]) {
      assert.deepEqual(await allRefs(sort, limit), expected[sort], `${sort}, ${limit} a page`);
    }
  }
});

test('a malformed cursor starts the sort again rather than failing', async () => {
  const first = await listQueue({ status: 'new', wardId: 'mill-lane' }, 'due', null, T, 2);
  for (const bogus of ['not a cursor', Buffer.from(JSON.stringify(['rest', 1, 2, 3])).toString('base64url'), Buffer.from('{"a":1}').toString('base64url')]) {
    assert.deepEqual((await listQueue({ status: 'new', wardId: 'mill-lane' }, 'due', bogus, T, 2)).rows.map((r) => r.ref), first.rows.map((r) => r.ref));
  }
});
