/**
 * The queue's sorts list every case that matches the filter: a sort by due time or priority lists the cases that
 * have the key first, in key order, then those without it (feedback, paused timers), oldest first, on every page size.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openTestDatabase } from '../helpers/db.ts';
import { countByStatus, fewLabelled, listQueue, type QueueFilter, type QueueSort } from '../../src/domains/cases/queue.ts';
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

test('the overdue filter over every status lists the overdue cases of any status, merged in received or priority order, on every page size', async () => {
  const place = { wardId: 'brackenford-central', districtId: 'brackenford' };
  const now = T + 100 * HOUR;
  const add = (ref: string, hoursAgo: number, status: string, nextDueAt: number | null, priority = 'P3') =>
    insertCase({ ref, receivedAt: T - hoursAgo * HOUR, status, nextDueAt, priority, ...place });
  await add('HM-V00001', 9, 'open', now - HOUR);
  await add('HM-V00002', 8, 'closed', now - 2 * HOUR, 'P2'); // finished with a due time left on it: listed all the same
  await add('HM-V00003', 7, 'new', now + HOUR); // not yet due
  await add('HM-V00004', 6, 'referred', now - 3 * HOUR, 'P1');
  await add('HM-V00005', 5, 'resolved', now - HOUR);
  await add('HM-V00006', 4, 'closed', null);
  await add('HM-V00007', 3, 'awaiting_reporter', now - 1, 'P2');
  await add('HM-V00008', 2, 'with_partner', now - 5 * HOUR, 'P4');
  await insertCase({ ref: 'HM-V00009', receivedAt: T - HOUR, status: 'open', kind: 'feedback', feedbackType: 'complaint', priority: null, nextDueAt: now - HOUR, ...place });
  const overdue = ['HM-V00001', 'HM-V00002', 'HM-V00004', 'HM-V00005', 'HM-V00007', 'HM-V00008', 'HM-V00009'];
  // By priority: P1 first, then in received order; feedback (no priority) last.
  const byPriority = ['HM-V00004', 'HM-V00002', 'HM-V00007', 'HM-V00001', 'HM-V00005', 'HM-V00008', 'HM-V00009'];
  const sorts = [['received_asc', overdue], ['received_desc', [...overdue].reverse()], ['priority', byPriority]] as const;
  for (const [sort, expected] of sorts) {
    for (const limit of [1, 2, 3, 5, 6, 50]) {
      const refs: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof listQueue>> = await listQueue({ status: 'all', overdue: true, wardId: 'brackenford-central' }, sort, cursor, now, limit);
        refs.push(...page.rows.map((r) => r.ref));
        cursor = page.next;
      } while (cursor && refs.length < 20);
      assert.deepEqual(refs, expected, `${sort}, ${limit} a page`);
    }
  }
  const active = await listQueue({ overdue: true, wardId: 'brackenford-central' }, 'received_asc', null, now);
  assert.deepEqual(active.rows.map((r) => r.ref), ['HM-V00001', 'HM-V00004', 'HM-V00007', 'HM-V00008', 'HM-V00009'], 'the active view: its own cases only');
});

test('a flag or tag: read through its partial index while few cases carry it, walked in page order once as many as the limit do; every sort lists the same cases either way', async () => {
  const place = { wardId: 'northgate', districtId: 'brackenford' };
  const now = T + 100 * HOUR;
  const add = (ref: string, hoursAgo: number, status: string, over: Record<string, unknown>) =>
    insertCase({ ref, receivedAt: T - hoursAgo * HOUR, status, tags: ['estate-patrol'], ...place, ...over });
  await add('HM-L00001', 9, 'closed', { priority: 'P2', nextDueAt: null });
  await add('HM-L00002', 8, 'open', { priority: 'P1', nextDueAt: now + 5 * HOUR });
  await add('HM-L00003', 7, 'resolved', { priority: 'P3', nextDueAt: null });
  await add('HM-L00004', 6, 'new', { priority: 'P2', nextDueAt: now + HOUR });
  await add('HM-L00005', 5, 'closed', { priority: null, kind: 'feedback', feedbackType: 'complaint', nextDueAt: null });
  await add('HM-L00006', 4, 'closed', { priority: 'P1', nextDueAt: null, tags: [] }); // not tagged
  await add('HM-L00007', 3, 'open', { priority: 'P4', nextDueAt: null });
  const filter: QueueFilter = { status: 'all', tag: 'estate-patrol', wardId: 'northgate' };
  const expected: Record<QueueSort, string[]> = {
    received_desc: ['HM-L00007', 'HM-L00005', 'HM-L00004', 'HM-L00003', 'HM-L00002', 'HM-L00001'],
    received_asc: ['HM-L00001', 'HM-L00002', 'HM-L00003', 'HM-L00004', 'HM-L00005', 'HM-L00007'],
    due: ['HM-L00004', 'HM-L00002', 'HM-L00001', 'HM-L00003', 'HM-L00005', 'HM-L00007'],
    priority: ['HM-L00002', 'HM-L00001', 'HM-L00004', 'HM-L00003', 'HM-L00007', 'HM-L00005'],
  };
  // Few: the tagged cases' index (5,000 and more in the queue; the limit is an argument so a test need not write that many).
  assert.deepEqual(await fewLabelled(filter, now), { index: 'cases_tagged_facets', clause: "c.tags <> '[]'", count: 6 });
  assert.equal((await fewLabelled({ ...filter, status: 'closed' }, now))?.index, 'cases_tagged_facets');
  assert.equal((await fewLabelled({ ...filter, status: 'active' }, now))?.count, 3, 'the active view: its own cases only');
  assert.equal(await fewLabelled({ ...filter, overdue: true }, now), undefined, 'overdue has an index of its own');
  assert.equal(await fewLabelled(filter, now, 6), undefined, 'as many as the limit: the walk in page order');
  assert.equal((await fewLabelled(filter, now, 7))?.index, 'cases_tagged_facets');
  assert.equal((await fewLabelled({ status: 'all', flag: 'asb_case_review' }, now))?.index, 'cases_flag_asb_case_review_facets');
  assert.equal(await fewLabelled({ status: 'all', flag: 'vulnerable_reporter' }, now), undefined, 'a flag without an index of its own');
  for (const sort of Object.keys(expected) as QueueSort[]) {
    for (const limit of [1, 2, 4, 6, 50]) {
      const refs: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof listQueue>> = await listQueue(filter, sort, cursor, now, limit);
        refs.push(...page.rows.map((r) => r.ref));
        cursor = page.next;
      } while (cursor && refs.length < 20);
      assert.deepEqual(refs, expected[sort], `${sort}, ${limit} a page`);
    }
  }
  assert.deepEqual((await listQueue({ ...filter, status: 'closed' }, 'received_asc', null, now)).rows.map((r) => r.ref), ['HM-L00001', 'HM-L00005']);
  assert.deepEqual((await listQueue({ ...filter, status: 'active' }, 'priority', null, now)).rows.map((r) => r.ref), ['HM-L00002', 'HM-L00004', 'HM-L00007']);
  assert.deepEqual((await listQueue({ ...filter, status: 'active' }, 'due', null, now)).rows.map((r) => r.ref), ['HM-L00004', 'HM-L00002', 'HM-L00007']);
  // A tag no case carries: the count says none, and the list is empty without reading the index again.
  assert.equal((await fewLabelled({ ...filter, tag: 'no-such-tag' }, now))?.count, 0);
  assert.deepEqual(await listQueue({ ...filter, tag: 'no-such-tag' }, 'priority', null, now), { rows: [], next: null });
});
