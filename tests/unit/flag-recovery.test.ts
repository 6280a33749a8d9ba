/** The record of the flag refreshes a process owes: written with a new case, gone once nothing waits, taken over after a crash. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openTestDatabase } from '../helpers/db.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import { createCase, type NewCase } from '../../src/domains/reports/submit.ts';
import { findCase } from '../../src/domains/cases/actions.ts';
import { flagRefreshBacklog, flushFlagRefreshes, recoverFlagRefreshes, renewFlagDebt, runFlagPass } from '../../src/domains/cases/flag-refresh.ts';
import { FLAG_FROM_SLACK_MS, FLAG_LEASE_MS, flagDebtStatement, parseFlagDebt } from '../../src/domains/cases/flag-recovery.ts';
import { insertCase } from './cases-fixtures.ts';

const config = loadSiteConfig('content');
let database: Database;
let cleanup: () => Promise<void>;
before(async () => ({ database, cleanup } = await openTestDatabase()));
after(() => cleanup());

const base: NewCase = { kind: 'report', channel: 'web', categoryId: 'noise', description: 'Loud music every night after midnight from the flat above.', wardId: 'mill-lane', privacy: 'anonymous' };
const ctx = { config, actor: { kind: 'public' as const, ip: '127.0.0.1' }, publicUrl: 'http://localhost:4321' };

/** The flag-refresh records in meta, by key. */
async function records(): Promise<Map<string, string>> {
  const rows = (await database.client.execute("select key, value from meta where key like 'flag_refresh:%'")).rows;
  return new Map(rows.map((r) => [String(r.key), String(r.value)]));
}

async function putRecord(key: string, from: number, leaseUntil: number) {
  await database.writer.batch([{ sql: 'insert into meta (key, value) values (?, ?)', args: [`flag_refresh:${key}`, JSON.stringify({ from, leaseUntil })] }]);
}

test("the first new case's commit writes its process's record, later cases write nothing more, and the record goes once nothing waits", async () => {
  const now = Date.now();
  const jobs = database.writer.stats.jobs;
  await createCase({ ...base, idempotencyKey: 'record-1' }, ctx, now);
  assert.equal(database.writer.stats.jobs - jobs, 1, 'the record is in the case\'s own commit');
  const [[key, value]] = [...(await records())];
  const debt = parseFlagDebt(value!)!;
  assert.equal(debt.from, now - FLAG_FROM_SLACK_MS, 'it covers the case, with slack for cases scheduled out of order');
  assert.ok(debt.leaseUntil >= now + FLAG_LEASE_MS && debt.leaseUntil <= Date.now() + FLAG_LEASE_MS);
  await createCase({ ...base, idempotencyKey: 'record-2' }, ctx, now + 1000);
  assert.equal(database.writer.stats.jobs - jobs, 2, 'a later case writes no record');
  assert.deepEqual(await records(), new Map([[key, value]]));
  // Cases still wait: a renewal keeps the record, its lease renewed.
  await renewFlagDebt(now + 30_000);
  assert.equal(parseFlagDebt((await records()).get(key!)!)!.leaseUntil, now + 30_000 + FLAG_LEASE_MS);
  await flushFlagRefreshes();
  await renewFlagDebt();
  assert.equal((await records()).size, 0, 'nothing waits: the record is deleted');
  await createCase({ ...base, idempotencyKey: 'record-3' }, ctx);
  assert.equal((await records()).size, 1, 'the next case after a quiet spell writes it again');
  await flushFlagRefreshes();
  await renewFlagDebt();
});

test("a stopped process's record is taken over once its lease has run out: every case received since its start gets its flags, a live record is left alone", async () => {
  const now = Date.now();
  await insertCase({ postcode: 'HM7 7RC', receivedAt: now - 5 * 86_400_000 });
  // Two cases the stopped process stored but never refreshed (no flags yet), and one received before its record's start.
  const owed = [await insertCase({ postcode: 'HM7 7RC', receivedAt: now - 20_000 }), await insertCase({ postcode: 'HM7 7RC', receivedAt: now - 10_000 })];
  const before = await insertCase({ postcode: 'HM8 1RC', receivedAt: now - 3 * 86_400_000 });
  await insertCase({ postcode: 'HM8 1RC', receivedAt: now - 2 * 86_400_000 });
  await putRecord('stopped', now - 30_000, now - 1);
  await putRecord('alive', now - 30_000, now + 60_000);
  await putRecord('another-alive', now - 30_000, now + 60_000);
  assert.deepEqual((await findCase(owed[1]!.ref))!.flags, []);
  assert.equal(await recoverFlagRefreshes(now), now - 30_000);
  const after = await records();
  assert.equal(after.has('flag_refresh:stopped'), false, 'taken over');
  assert.equal(after.has('flag_refresh:alive'), true, 'a live process keeps its record');
  const own = [...after].filter(([k]) => !['flag_refresh:alive', 'flag_refresh:another-alive'].includes(k));
  assert.equal(own.length, 1, 'this process now holds a record of its own');
  assert.ok(parseFlagDebt(own[0]![1])!.from <= now - 30_000, 'covering the cases taken over');
  await flushFlagRefreshes();
  for (const c of owed) assert.ok((await findCase(c.ref))!.flags?.includes('repeat_location'), `${c.ref} refreshed`);
  assert.deepEqual((await findCase(before.ref))!.flags, [], 'a case received before the record\'s start is not its to refresh');
  assert.equal(await recoverFlagRefreshes(now), undefined, 'nothing more to take over');
  await renewFlagDebt();
  await database.writer.batch([{ sql: "delete from meta where key like 'flag_refresh:%'", args: [] }]);
});

test('a record that cannot be read is taken over from the beginning; one whose lease holds is not', async () => {
  assert.equal(parseFlagDebt('not json'), null);
  assert.equal(parseFlagDebt('{"from":"x","leaseUntil":1}'), null);
  assert.deepEqual(parseFlagDebt('{"from":1,"leaseUntil":2}'), { from: 1, leaseUntil: 2 });
  await database.writer.batch([{ sql: "insert into meta (key, value) values ('flag_refresh:garbled', 'not json')", args: [] }]);
  assert.equal(await recoverFlagRefreshes(), 0);
  await flushFlagRefreshes();
  await renewFlagDebt();
  assert.equal((await records()).size, 0);
});

test("a record's start only moves on by the renewal's deliberate move: writes that cross in the writer's queue keep the earlier start", async () => {
  const value = async () => JSON.parse((await records()).get('flag_refresh:crossing')!) as { from: number; leaseUntil: number };
  const now = Date.now();
  await database.writer.batch([flagDebtStatement('crossing', 1_000, now)]);
  await database.writer.batch([flagDebtStatement('crossing', 2_000, now + 10)]);
  assert.deepEqual(await value(), { from: 1_000, leaseUntil: now + 10 + FLAG_LEASE_MS }, 'a later start does not replace an earlier one; the lease is renewed');
  await database.writer.batch([flagDebtStatement('crossing', 500, now + 20)]);
  assert.equal((await value()).from, 500, 'an earlier start does');
  await database.writer.batch([flagDebtStatement('crossing', 3_000, now + 30, true)]);
  assert.equal((await value()).from, 3_000, 'the renewal moves it on');
  await database.writer.batch([{ sql: "update meta set value = 'garbled' where key = 'flag_refresh:crossing'", args: [] }]);
  await database.writer.batch([flagDebtStatement('crossing', 4_000, now + 40)]);
  assert.equal((await value()).from, 4_000, 'a record that cannot be read is replaced');
  await database.writer.batch([{ sql: "delete from meta where key = 'flag_refresh:crossing'", args: [] }]);
});

test('a pass that fails gives its cases back for one more try; a second failure in a row hands every waiting case to the flag-recovery job', async () => {
  const now = Date.now();
  await insertCase({ postcode: 'HM4 4FF', receivedAt: now - 86_400_000 });
  const first = await createCase({ ...base, postcode: 'HM4 4FF', idempotencyKey: 'failing-1' }, ctx, now);
  // The cases table out of reach for a moment (renamed): the pass's reads fail, as on a database error.
  const hide = () => database.writer.batch([{ sql: 'alter table cases rename to cases_hidden', args: [] }]);
  const show = () => database.writer.batch([{ sql: 'alter table cases_hidden rename to cases', args: [] }]);
  await hide();
  try {
    await runFlagPass();
  } finally {
    await show();
  }
  assert.ok(flagRefreshBacklog() > 0, 'given back after the first failure');
  await runFlagPass();
  assert.ok((await findCase(first.ref))!.flags?.includes('repeat_location'), 'the retry refreshed it');
  assert.equal(flagRefreshBacklog(), 0);
  const second = await createCase({ ...base, postcode: 'HM4 4FF', idempotencyKey: 'failing-2' }, ctx, now + 1);
  const [[key]] = [...(await records())];
  await hide();
  try {
    await runFlagPass();
    await runFlagPass();
  } finally {
    await show();
  }
  assert.equal(flagRefreshBacklog(), 0, 'handed over after the second failure in a row');
  assert.deepEqual((await findCase(second.ref))!.flags, [], 'not refreshed yet');
  const handed = parseFlagDebt((await records()).get(key!)!)!;
  assert.ok(handed.from <= now + 1, 'the record handed over still covers the case');
  await renewFlagDebt(now + 60_000);
  assert.deepEqual(parseFlagDebt((await records()).get(key!)!), handed, 'and is no longer renewed, so its lease runs out');
  assert.equal(await recoverFlagRefreshes(handed.leaseUntil + 1), handed.from, 'once it has, the flag-recovery job takes it over');
  await flushFlagRefreshes();
  assert.ok((await findCase(second.ref))!.flags?.includes('repeat_location'), 'and the case gets its flags');
  await renewFlagDebt();
  await database.writer.batch([{ sql: "delete from meta where key like 'flag_refresh:%'", args: [] }]);
});
