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

/** The query plan's lines for a statement. */
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
    // The open statuses: their cases through the status index, then a sort of the few without a due time.
    ['due', 'active', /^SEARCH c USING INDEX cases_status_received \(status=\?\)\nUSE TEMP B-TREE FOR ORDER BY$/],
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
