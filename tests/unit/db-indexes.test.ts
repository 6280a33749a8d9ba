/** The indexes a partner officer's reads rely on at a million cases, checked in SQLite's query plan on a migrated database. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openTestDatabase } from '../helpers/db.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { caseScopeSql } from '../../src/domains/cases/policy.ts';
import { claimStatement } from '../../src/platform/mail/outbox.ts';
import { spanReadStatement } from '../../src/domains/cases/flag-waiting.ts';

let database: Database;
let cleanup: () => Promise<void>;
before(async () => {
  ({ database, cleanup } = await openTestDatabase());
});
after(async () => cleanup());

/**
 * The query plan's lines for a statement. EXPLAIN through the libSQL client leaves this connection's read snapshot open
 * (tursodatabase/libsql-js#232): later reads here miss later writes, so a test that writes and reads back goes elsewhere.
 */
async function planOf(sql: string, args: (string | number)[]): Promise<string> {
  const rows = (await database.client.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args })).rows;
  return rows.map((r) => String(r.detail)).join('\n');
}

test("a partner officer's cases (referred to their agency) are found by index, not by scanning every case", async () => {
  for (const districtIds of [[], ['brackenford']]) {
    const scope = caseScopeSql({ kind: 'agency', agencyId: 'police', districtIds })!;
    const plan = await planOf(`SELECT count(*) FROM cases c WHERE ${scope.clause} AND c.received_at >= ? AND c.received_at < ?`, [...scope.args, 0, 1]);
    assert.match(plan, /USING (COVERING )?INDEX cases_agency_received/, plan);
    assert.doesNotMatch(plan, /^SCAN c$/m, plan);
  }
});

test('the outbox claim finds the message it leases by its key, not by walking every pending message', async () => {
  const claim = claimStatement('token', 60_000, Date.now(), Date.now());
  const plan = await planOf(claim.sql, claim.args as (string | number)[]);
  const [outer] = plan.split('\n');
  assert.match(outer!, /SEARCH outbox USING INDEX sqlite_autoindex_outbox_1 \(id=\?\)/, plan);
  assert.match(plan, /SEARCH outbox USING INDEX outbox_due \(status=\? AND next_attempt_at<\?\)/, plan);
});

test('new cases waiting for their flags as a span of received times are read back by the received index, not by scanning every case', async () => {
  const read = spanReadStatement([Date.now() - 60_000, ''], Date.now(), 1000);
  const plan = await planOf(read.sql, read.args as (string | number)[]);
  assert.match(plan, /SEARCH cases USING COVERING INDEX cases_received \(\(received_at,id\)>\(\?,\?\) AND received_at<\?\)/, plan);
  assert.doesNotMatch(plan, /TEMP B-TREE/, plan);
});

test("the queue's second phase of a sort by due time or priority (the cases without the key) reads a bounded index range, or every case only where most match", async () => {
  const { queueSql } = await import('../../src/domains/cases/queue.ts');
  const expected: [sort: 'due' | 'priority', status: 'new' | 'active' | 'all', plan: RegExp][] = [
    // One status: its cases, in received order.
    ['due', 'new', /^SEARCH c USING INDEX cases_status_received \(status=\?\)$/],
    ['priority', 'new', /^SEARCH c USING INDEX cases_status_received \(status=\?\)$/],
    // The open statuses: the active cases' own index in received order (covering the due time), no sort.
    ['due', 'active', /^SCAN c USING (COVERING )?INDEX cases_active_received$/],
    // Every status: most cases (every closed one) have no due time, so walking them in received order finds a page at once.
    ['due', 'all', /^SCAN c USING INDEX cases_received$/],
    // No priority: feedback only, through the priority index in received order.
    ['priority', 'active', /^SEARCH c USING INDEX cases_priority_received \(priority=\?\)$/],
    ['priority', 'all', /^SEARCH c USING INDEX cases_priority_received \(priority=\?\)$/],
  ];
  for (const [sort, status, want] of expected) {
    const { sql, args } = queueSql({ status }, sort, null, 50, Date.now(), true);
    // The inner query, which pages the cases (the outer one only sorts the page's rows again with their owners' names).
    const plan = (await planOf(sql, args as (string | number)[])).split('\n').filter((l) => l !== 'CO-ROUTINE p').join('\n').split('\nSCAN p')[0]!;
    assert.match(plan, want, `${sort} ${status}:\n${plan}`);
  }
});

test("a partner's referral list pages through its own agency's referrals in id order, with no sort of them all", async () => {
  const plan = await planOf("SELECT * FROM referrals WHERE agency_id = ? AND status IN ('sent', 'acknowledged') AND id < ? ORDER BY id DESC LIMIT 51", ['police', 'z']);
  assert.match(plan, /SEARCH referrals USING INDEX referrals_agency_list \(agency_id=\? AND id<\?\)/, plan);
  assert.doesNotMatch(plan, /TEMP B-TREE/, plan);
});

test('resolved cases whose reopen window ended are found by the cases_resolved_reopen index in window order, not by reading every resolved case', async () => {
  const { dueToCloseQuery } = await import('../../src/domains/cases/auto-close.ts');
  const query = dueToCloseQuery(Date.now(), 100).toSQL();
  const plan = await planOf(query.sql, query.params as (string | number)[]);
  assert.match(plan, /^SEARCH cases USING INDEX cases_resolved_reopen \(status=\? AND reopen_until<\?\)$/, plan);
  assert.doesNotMatch(plan, /TEMP B-TREE/, plan);
});

test("an incident's cases are searched in its index for the queue's list and counts, even after ANALYZE saw only cases without an incident", async () => {
  const { queueCountSql, queueSql } = await import('../../src/domains/cases/queue.ts');
  // Statistics gathered while no case belonged to an incident: on a full index of incident_id they said an incident
  // matches every case, and the planner scanned the whole index (38 ms for a count, 480 ms for a list of five at a million cases).
  const { insertCase } = await import('./cases-fixtures.ts');
  for (let i = 0; i < 300; i++) await insertCase({ status: i % 3 ? 'closed' : 'open' });
  await database.client.execute('ANALYZE');
  for (let i = 0; i < 3; i++) await insertCase({ status: 'open', incidentId: 'incident-1' });
  // Statistics as a million cases with a handful in incidents would give them, however they mislead: the list must
  // still read the incident's cases through its index (INDEXED BY), not walk every case in received order.
  await database.client.execute("UPDATE sqlite_stat1 SET stat = '1000000 1 1' WHERE idx = 'cases_received'");
  await database.client.execute("UPDATE sqlite_stat1 SET stat = '1000000 1000000' WHERE idx = 'cases_incident'");
  await database.client.execute("INSERT INTO sqlite_stat1 (tbl, idx, stat) SELECT 'cases', 'cases_incident', '1000000 1000000' WHERE NOT EXISTS (SELECT 1 FROM sqlite_stat1 WHERE idx = 'cases_incident')");
  await database.client.execute('ANALYZE sqlite_schema');
  const now = Date.now();
  const count = queueCountSql({ incidentId: 'incident-1' }, now)!;
  // The index is partial (only cases in an incident), so even a scan of it reads only those.
  assert.match(await planOf(count.sql, count.args as (string | number)[]), /(SEARCH|SCAN) c USING (COVERING )?INDEX cases_incident\b/);
  for (const sort of ['received_desc', 'received_asc', 'due', 'priority'] as const) {
    const list = queueSql({ incidentId: 'incident-1' }, sort, null, 50, now);
    const plan = await planOf(list.sql, list.args as (string | number)[]);
    assert.match(plan, /(SEARCH|SCAN) c USING (COVERING )?INDEX cases_incident\b/, `${sort}: ${plan}`);
  }
  const [index] = (await database.client.execute("SELECT sql FROM sqlite_master WHERE name = 'cases_incident'")).rows;
  assert.match(String(index!.sql), /WHERE incident_id IS NOT NULL/);
});

test("the active view's priority sort, its overdue, flag and tag filters and the due sort's cases without a due time walk the active cases' partial indexes", async () => {
  const { ACTIVE_STATUS_TERM, queueSql } = await import('../../src/domains/cases/queue.ts');
  const now = Date.now();
  const cases: [string, Parameters<typeof queueSql>[0], Parameters<typeof queueSql>[1], boolean, string][] = [
    ['priority sort', {}, 'priority', false, 'cases_active_priority'],
    ['overdue, newest first', { overdue: true }, 'received_desc', false, 'cases_active_received'],
    ['overdue, oldest first', { overdue: true }, 'received_asc', false, 'cases_active_received'],
    ['a flag', { flag: 'repeat_location' }, 'received_desc', false, 'cases_active_received'],
    ['a tag', { tag: 'graffiti' }, 'received_desc', false, 'cases_active_received'],
    ['due sort, the cases without a due time', {}, 'due', true, 'cases_active_received'],
  ];
  for (const [label, filter, sort, rest, index] of cases) {
    const q = queueSql(filter, sort, null, 50, now, rest);
    const plan = await planOf(q.sql, q.args as (string | number)[]);
    assert.match(plan, new RegExp(`(SEARCH|SCAN) c USING (COVERING )?INDEX ${index}\\b`), `${label}: ${plan}`);
  }
  // The due sort's later pages, on the active view and every status: the due-time index in order, not a sort of
  // every case with a due time (a cursor's range on the due time led the planner there: 160–240 ms at a million).
  const cursor = Buffer.from(JSON.stringify([now, 'b0000000000000002530'])).toString('base64url');
  for (const status of ['active', 'all'] as const) {
    const q = queueSql({ status }, 'due', cursor, 50, now);
    const plan = await planOf(q.sql, q.args as (string | number)[]);
    assert.match(plan, /SEARCH c USING INDEX cases_due \(next_due_at>\?\)/, `due, ${status}, a later page: ${plan}`);
    assert.doesNotMatch(plan, /cases_due_facets/, plan);
  }
  // A finished status reads as before (the active indexes hold none of those cases).
  const closed = queueSql({ status: 'closed' }, 'priority', null, 50, now);
  assert.doesNotMatch(await planOf(closed.sql, closed.args as (string | number)[]), /cases_active_/);
  // The indexes' condition is the queue's active statuses, written out the same way.
  for (const name of ['cases_active_received', 'cases_active_priority']) {
    const [row] = (await database.client.execute({ sql: 'SELECT sql FROM sqlite_master WHERE name = ?', args: [name] })).rows;
    assert.ok(String(row!.sql).endsWith(`WHERE ${ACTIVE_STATUS_TERM}`), `${name}: ${String(row!.sql)}`);
  }
});

test('the overdue filter over every status, in received or priority order, reads the active cases by their index in that order and the finished ones by the due-time index, with no walk or sort of every case', async () => {
  const { queueSql } = await import('../../src/domains/cases/queue.ts');
  const now = Date.now();
  const cursor = Buffer.from(JSON.stringify([now, 'b0000000000000002530'])).toString('base64url');
  const priorityCursor = Buffer.from(JSON.stringify(['P2', now, 'b0000000000000002530'])).toString('base64url');
  for (const [sort, active] of [['received_desc', 'cases_active_received'], ['received_asc', 'cases_active_received'], ['priority', 'cases_active_priority']] as const) {
    for (const after of [null, sort === 'priority' ? priorityCursor : cursor]) {
      const q = queueSql({ status: 'all', overdue: true }, sort, after, 50, now);
      const plan = await planOf(q.sql, q.args as (string | number)[]);
      const label = `${sort}${after ? ', a later page' : ''}: ${plan}`;
      assert.match(plan, new RegExp(`(SEARCH|SCAN) c USING (COVERING )?INDEX ${active}\\b`), label);
      assert.match(plan, /SEARCH c USING (COVERING )?INDEX cases_due_facets \(status=\? AND next_due_at<\?\)/, label);
      assert.doesNotMatch(plan, /INDEX cases_(received|priority_received)\b|SCAN c$/m, label);
    }
  }
});

test('with a flag or a tag, the due and priority sorts read an index holding the flags and tags; on other views the few cases with a rare label are read through its partial index alone, then their page of rows', async () => {
  const { queueSql, fewLabelled } = await import('../../src/domains/cases/queue.ts');
  const now = Date.now();
  const planFor = async (...a: Parameters<typeof queueSql>) => {
    const q = queueSql(...a);
    return planOf(q.sql, q.args as (string | number)[]);
  };
  // The active view: no walk in due or priority order that reads each case's row to look at its flags.
  for (const filter of [{ flag: 'asb_case_review' }, { tag: 'graffiti' }]) {
    assert.match(await planFor(filter, 'due', null, 50, now), /(SEARCH|SCAN) c USING (COVERING )?INDEX cases_due_facets\b/);
    assert.match(await planFor(filter, 'priority', null, 50, now), /(SEARCH|SCAN) c USING (COVERING )?INDEX cases_active_received\b/);
    assert.match(await planFor(filter, 'priority', null, 50, now, true), /(SEARCH|SCAN) c USING (COVERING )?INDEX cases_active_received\b/);
  }
  // Every status, or one status: a label few cases carry is read through its partial index, in every sort.
  const { insertCase } = await import('./cases-fixtures.ts');
  await insertCase({ status: 'closed', flags: ['asb_case_review'], tags: ['graffiti'] });
  for (const [filter, index] of [
    [{ status: 'all', flag: 'asb_case_review' }, 'cases_flag_asb_case_review_facets'],
    [{ status: 'closed', tag: 'graffiti' }, 'cases_tagged_facets'],
    [{ status: 'active', tag: 'graffiti' }, 'cases_tagged_facets'],
  ] as const) {
    const labels = await fewLabelled(filter, now);
    assert.equal(labels?.index, index);
    // The page's keys from the index alone (it ends with the sort keys), then only that page's rows by id.
    for (const [sort, rest] of [['received_desc', false], ['received_asc', false], ['priority', false], ['priority', true], ['due', false], ['due', true]] as const) {
      const plan = await planFor(filter, sort, null, 50, now, rest, labels);
      assert.match(plan, new RegExp(`(SEARCH|SCAN) c USING COVERING INDEX ${index}\\b`), `${sort}${rest ? ', second phase' : ''}: ${plan}`);
      assert.match(plan, /SEARCH c USING INDEX sqlite_autoindex_cases_1 \(id=\?\)/, plan);
    }
  }
});

test("a month's counts read the received-time range of an index led by a fixed facet, or of the status index from the index alone; its due sort reads the month's range, not every case with a due time", async () => {
  const { queueCountSql, queueSql } = await import('../../src/domains/cases/queue.ts');
  const now = Date.now();
  const counts: [Parameters<typeof queueCountSql>[0], RegExp][] = [
    [{ month: '2026-11' }, /SEARCH c USING COVERING INDEX cases_status_received \(status=\? AND received_at>\? AND received_at<\?\)/],
    [{ month: '2026-11', wardId: 'mill-lane', categoryId: 'noise' }, /SEARCH c USING INDEX cases_ward_received \(ward_id=\? AND received_at>\? AND received_at<\?\)/],
    [{ month: '2026-11', categoryId: 'noise' }, /SEARCH c USING INDEX cases_category_received \(category_id=\? AND received_at>\? AND received_at<\?\)/],
    // P1 and P2 together are a third of a month's cases: the index ends with the status, so none of their rows is read.
    [{ month: '2026-11', priority: 'high' }, /SEARCH c USING COVERING INDEX cases_priority_received \((ANY\(priority\)|priority=\?) AND received_at>\? AND received_at<\?\)/],
    [{ month: '2026-11', owner: 'user-1' }, /SEARCH c USING INDEX cases_owner_received \(owner_id=\? AND received_at>\? AND received_at<\?\)/],
    [{ month: '2026-11', owner: 'unassigned' }, /SEARCH c USING INDEX cases_owner_received \(owner_id=\? AND received_at>\? AND received_at<\?\)/],
    [{ month: '2026-11', referralOverdue: true }, /SEARCH c USING COVERING INDEX cases_status_received \(status=\? AND received_at>\? AND received_at<\?\)[\s\S]*SEARCH r USING INDEX referrals_case/],
    [{ month: '2026-11', overdue: true }, /SEARCH c USING (COVERING )?INDEX cases_active_received \(received_at>\? AND received_at<\?\)[\s\S]*SEARCH c USING (COVERING )?INDEX cases_due_facets \(status=\? AND next_due_at<\?\)/],
    [{ month: '2026-11', scope: { kind: 'district', districtIds: ['brackenford', 'eastmere'] } }, /SEARCH c USING INDEX cases_district_received \(district_id=\? AND received_at>\? AND received_at<\?\)/],
    [{ month: '2026-11', scope: { kind: 'agency', agencyId: 'police', districtIds: [] } }, /SEARCH c USING INDEX cases_agency_received \(referred_agency_id=\? AND received_at>\? AND received_at<\?\)/],
  ];
  for (const [filter, want] of counts) {
    const count = queueCountSql(filter, now)!;
    const plan = await planOf(count.sql, count.args as (string | number)[]);
    assert.match(plan, want, `${JSON.stringify(filter)}: ${plan}`);
  }
  for (const [status, index] of [['active', 'cases_active_received'], ['all', 'cases_received']] as const) {
    for (const rest of [false, true]) {
      const list = queueSql({ status, month: '2026-11' }, 'due', null, 50, now, rest);
      const plan = await planOf(list.sql, list.args as (string | number)[]);
      assert.match(plan, new RegExp(`SEARCH c USING (COVERING )?INDEX ${index} \\(received_at>\\? AND received_at<\\?\\)`), `${status}${rest ? ', second phase' : ''}: ${plan}`);
    }
  }
});
