import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openTestDatabase } from '../helpers/db.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { caseEvents } from '../../src/platform/db/schema.ts';
import { loadCaseView } from '../../src/domains/cases/case-view.ts';
import { loadTrackView } from '../../src/domains/reports/track.ts';
import { insertCase } from './cases-fixtures.ts';

let database: Database;
let cleanup: () => Promise<void>;
before(async () => ({ database, cleanup } = await openTestDatabase()));
after(() => cleanup());

/**
 * Entries of one commit share their millisecond; their ids are time-ordered but end in random characters, so ids
 * written in the order z…, m…, a… within one millisecond sort the other way round. The timeline must not.
 */
async function writeSameMillisecond(caseId: string, at: number) {
  const prefix = 'timeline0';
  const rows = [
    { id: `${prefix}zzzzzzzzzzz`, action: 'case.created', body: 'first' },
    { id: `${prefix}mmmmmmmmmmm`, action: 'case.note', body: 'second' },
    { id: `${prefix}aaaaaaaaaaa`, action: 'case.reply', body: 'third' },
  ];
  await database.writer.batch(rows.map((r) => ({
    sql: 'INSERT INTO case_events (id, case_id, at, actor_kind, action, visibility, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
    args: [r.id, caseId, at, 'system', r.action, 'reporter', r.body],
  })));
}

test('a timeline lists entries of the same millisecond in the order they were written, on the case page and the tracking page', async () => {
  const at = Date.now();
  const c = await insertCase({ receivedAt: at });
  await writeSameMillisecond(c.id, at);
  // A later entry still comes after all three, whatever its id.
  await database.writer.batch([{ sql: 'INSERT INTO case_events (id, case_id, at, actor_kind, action, visibility, body) VALUES (?, ?, ?, ?, ?, ?, ?)', args: ['00000000000000000000', c.id, at + 1, 'system', 'case.note', 'reporter', 'fourth'] }]);
  const view = await loadCaseView(c.ref, { kind: 'all' }, at);
  assert.deepEqual(view!.events.map((e) => e.body), ['first', 'second', 'third', 'fourth']);
  const track = await loadTrackView(c.id);
  assert.deepEqual(track!.events.map((e) => e.body), ['first', 'second', 'third', 'fourth']);
  // The ids alone would give the other order: the test would fail if the pages ordered by id.
  const byId = await database.db.select({ body: caseEvents.body }).from(caseEvents).orderBy(caseEvents.id);
  assert.deepEqual(byId.filter((e) => e.body !== 'fourth').map((e) => e.body), ['third', 'second', 'first']);
});
