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
