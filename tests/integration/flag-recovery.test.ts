/** A server killed before its new cases' flags were worked out: the next start takes over its record and works them out. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClient } from '@libsql/client';
import { startServer } from '../helpers/server.ts';
import { sendWebReport } from '../helpers/staff.ts';

test('flags owed by a killed server are worked out by the next start, from the record its cases were committed with', async () => {
  const first = await startServer();
  const reports = [await sendWebReport(first.url, { email: 'first@example.org', postcode: 'HW3 1AB' }), await sendWebReport(first.url, { email: 'second@example.org', postcode: 'HW3 1AB' })];
  await first.stop('SIGKILL', { keepFiles: true });
  const db = createClient({ url: first.dbUrl });
  let killedKey: string;
  try {
    const records = (await db.execute("SELECT key, value FROM meta WHERE key LIKE 'flag_refresh:%'")).rows;
    assert.equal(records.length, 1, 'the killed server left the record it wrote with its first case');
    killedKey = String(records[0]!.key);
    // As if the lease had run out and the refresh had not run before the kill.
    const debt = JSON.parse(String(records[0]!.value)) as { from: number; leaseUntil: number };
    await db.execute({ sql: 'UPDATE meta SET value = ? WHERE key = ?', args: [JSON.stringify({ ...debt, leaseUntil: Date.now() - 1 }), killedKey] });
    await db.execute("UPDATE cases SET flags = '[]'");
  } finally {
    db.close();
  }
  const second = await startServer({}, { restartOf: first });
  try {
    const check = createClient({ url: second.dbUrl });
    try {
      const flagged = async () => (await check.execute({ sql: "SELECT count(*) AS n FROM cases WHERE ref IN (?, ?) AND flags LIKE '%repeat_location%'", args: reports.map((r) => r.ref) })).rows[0]!.n;
      const deadline = Date.now() + 15_000;
      while (Number(await flagged()) < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(Number(await flagged()), 2, 'both cases flagged again after the restart');
      const left = (await check.execute("SELECT key FROM meta WHERE key LIKE 'flag_refresh:%'")).rows.map((r) => String(r.key));
      assert.ok(!left.includes(killedKey), 'the killed server\'s record was taken over');
    } finally {
      check.close();
    }
  } finally {
    await second.stop();
  }
});
