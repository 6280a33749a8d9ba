import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { asc, eq } from 'drizzle-orm';
import { openTestDatabase } from '../helpers/db.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { auditEvents, caseEvents, outbox, users } from '../../src/platform/db/schema.ts';
import { addNote, assignCase, assignRoundRobin, bulkAction, CASE_CHANGED_MESSAGE, changeStatus, changeTags, describeEvent, findCase, linkIncident, markDuplicate, parseCaseVersion, refreshFlags, sendReply, triageCase, undoDuplicate, unlinkIncident, viewReporterDetails } from '../../src/domains/cases/actions.ts';
import { flagPassesDeferredCount, flagRefreshBacklog, flagRefreshOldestWaitMs, flushFlagRefreshes, runFlagPass, scheduleFlagRefresh, setFlagRefreshMaxWait, setFlagWaitingByIdLimit, shouldDeferFlagPass, flagRefreshHeldById } from '../../src/domains/cases/flag-refresh.ts';
import { countByStatus, listQueue, parseQueueQuery } from '../../src/domains/cases/queue.ts';
import { findIncidentTitle, loadCaseView } from '../../src/domains/cases/case-view.ts';
import { insertCase, insertReporter, insertUser, settings } from './cases-fixtures.ts';
import { loadFlagCases, loadReporterCases, type PlaceRowsCache } from '../../src/domains/cases/detect.ts';
import { requestFinished, requestStarted } from '../../src/platform/load.ts';
import { FlagWaitingList } from '../../src/domains/cases/flag-waiting.ts';
import { addReporterInformation } from '../../src/domains/reports/track.ts';
import { nextDue, type CaseTimers } from '../../src/domains/cases/timers.ts';

let database: Database;
let cleanup: () => Promise<void>;
before(async () => ({ database, cleanup } = await openTestDatabase()));
after(() => cleanup());

const events = (caseId: string) => database.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.id));

test('triage, assign, note, reply and resolve: each writes its timeline event; the reply is reporter-visible and queued as e-mail', async () => {
  const officer = await insertUser();
  const reporterId = await insertReporter({ email: 'kim@example.org', name: 'Kim' });
  const c = await insertCase({ reporterId });
  assert.deepEqual(await triageCase(c.ref, officer, { risk: 'some', vulnerable: 'yes', repeat: 'no', hate: 'no' }, settings), { ok: true, ref: c.ref });
  let row = (await findCase(c.ref))!;
  assert.equal(row.priority, 'P1');
  assert.ok(row.nextDueAt! > row.receivedAt);
  assert.equal((await changeStatus(c.ref, officer, { to: 'open' }, settings)).ok, true);
  assert.equal((await assignCase(c.ref, officer, { ownerId: officer.id }, settings)).ok, true);
  assert.equal((await addNote(c.ref, officer, 'Spoke to the housing officer')).ok, true);
  assert.equal((await sendReply(c.ref, officer, 'Dear {{reporterName}}, we are on it ({{ref}}).', settings)).ok, true);
  const refused = await changeStatus(c.ref, officer, { to: 'resolved' }, settings);
  assert.deepEqual(refused, { ok: false, ref: c.ref, message: 'Choose a resolution code to resolve the case' });
  assert.equal((await changeStatus(c.ref, officer, { to: 'resolved', resolutionCode: 'action_taken' }, settings)).ok, true);
  row = (await findCase(c.ref))!;
  assert.equal(row.status, 'resolved');
  assert.equal(row.nextDueAt, null);
  assert.ok(row.reopenUntil! > Date.now());
  const ev = await events(c.id);
  assert.deepEqual(ev.map((e) => e.action), ['case.triaged', 'case.status', 'case.assigned', 'case.note', 'case.reply', 'case.status']);
  assert.deepEqual(ev.map((e) => e.visibility), ['internal', 'internal', 'internal', 'internal', 'reporter', 'internal']);
  assert.equal(ev[4]!.body, `Dear Kim, we are on it (${c.ref}).`);
  const mail = await database.db.select().from(outbox).where(eq(outbox.template, 'case-reply'));
  assert.equal(mail.length, 1);
  assert.equal(mail[0]!.recipient, 'kim@example.org');
});

test('a refused transition changes nothing and writes no event', async () => {
  const officer = await insertUser();
  const c = await insertCase();
  const r = await changeStatus(c.ref, officer, { to: 'with_partner' }, settings);
  assert.equal(r.ok, false);
  assert.equal((await findCase(c.ref))!.status, 'new');
  assert.equal((await events(c.id)).length, 0);
});

test('permissions are checked: closing needs case.close, notes need note.internal.write', async () => {
  const limited = await insertUser({}, ['case.read.all', 'case.update']);
  const c = await insertCase({ status: 'open' });
  assert.match((await changeStatus(c.ref, limited, { to: 'closed', resolutionCode: 'spam' }, settings) as { message: string }).message, /case\.close/);
  assert.match((await addNote(c.ref, limited, 'x') as { message: string }).message, /note\.internal\.write/);
});

test('awaiting the reporter pauses the timers; the next due clears and comes back', async () => {
  const officer = await insertUser();
  const reporterId = await insertReporter();
  const c = await insertCase({ reporterId, status: 'open' });
  await sendReply(c.ref, officer, 'Could you tell us more?', settings);
  assert.equal((await changeStatus(c.ref, officer, { to: 'awaiting_reporter' }, settings)).ok, true);
  let row = (await findCase(c.ref))!;
  assert.ok((row.timers as { pausedAt: number }).pausedAt);
  assert.equal((await changeStatus(c.ref, officer, { to: 'open' }, settings)).ok, true);
  row = (await findCase(c.ref))!;
  assert.equal((row.timers as { pausedAt: number | null }).pausedAt, null);
  assert.ok(row.nextDueAt);
  // An anonymous reporter with a tracking code can be waited for (they answer on /track); one without cannot.
  const anon = await insertCase({ status: 'open', privacy: 'anonymous', trackSecretHash: Buffer.alloc(32, 1) });
  assert.equal((await changeStatus(anon.ref, officer, { to: 'awaiting_reporter' }, settings)).ok, true);
  const unreachable = await insertCase({ status: 'open', privacy: 'anonymous' });
  assert.match((await changeStatus(unreachable.ref, officer, { to: 'awaiting_reporter' }, settings) as { message: string }).message, /cannot be contacted/);
});

test('reopen works inside the window and is refused after it', async () => {
  const officer = await insertUser();
  const c = await insertCase({ status: 'open' });
  const t0 = Date.now();
  await changeStatus(c.ref, officer, { to: 'closed', resolutionCode: 'no_further_action' }, settings, t0);
  const late = await changeStatus(c.ref, officer, { to: 'open' }, settings, t0 + 29 * 86_400_000);
  assert.match((late as { message: string }).message, /can no longer be reopened/);
  assert.equal((await changeStatus(c.ref, officer, { to: 'open' }, settings, t0 + 27 * 86_400_000)).ok, true);
  assert.equal((await events(c.id)).at(-1)!.action, 'case.reopened');
});

test('reopening a case closed as a duplicate clears the mark, with a timeline entry; "Undo duplicate" then has nothing to undo', async () => {
  const officer = await insertUser();
  const a = await insertCase({ status: 'open' });
  const d = await insertCase({ status: 'open' });
  const t0 = Date.now();
  assert.equal((await markDuplicate(d.ref, officer, a.ref, settings, t0)).ok, true);
  assert.equal((await findCase(d.ref))!.duplicateOf, a.id);
  assert.deepEqual(await changeStatus(d.ref, officer, { to: 'open' }, settings, t0 + 60_000), { ok: true, ref: d.ref });
  const row = (await findCase(d.ref))!;
  assert.equal(row.status, 'open');
  assert.equal(row.resolutionCode, null);
  assert.equal(row.duplicateOf, null, 'no longer a duplicate of its original');
  // Written at the same instant: the order of the two ids within it is not fixed.
  const last = (await events(d.id)).slice(-2);
  assert.deepEqual(last.map((e) => e.action).sort(), ['case.duplicate.undone', 'case.reopened']);
  assert.equal(describeEvent(last.find((e) => e.action === 'case.duplicate.undone')!), 'Reopened, so no longer marked as a duplicate');
  assert.deepEqual(await undoDuplicate(d.ref, officer, settings, t0 + 120_000), { ok: false, ref: d.ref, message: 'The case is not marked as a duplicate' });
  assert.equal((await findCase(d.ref))!.status, 'open', 'the open case stays open');
});

test('round-robin goes to the least recently assigned officer in rotation', async () => {
  await database.client.execute("UPDATE users SET in_rotation = 0");
  const a = await insertUser({ name: 'Ann', lastAssignedAt: 100 });
  const b = await insertUser({ name: 'Bob', lastAssignedAt: 50 });
  await insertUser({ name: 'Out', lastAssignedAt: 1, inRotation: false });
  const c1 = await insertCase();
  const c2 = await insertCase();
  await assignRoundRobin(c1.ref, a, settings);
  await assignRoundRobin(c2.ref, a, settings);
  assert.equal((await findCase(c1.ref))!.ownerId, b.id);
  assert.equal((await findCase(c2.ref))!.ownerId, a.id);
  const [bRow] = await database.db.select().from(users).where(eq(users.id, b.id));
  assert.ok(bRow!.lastAssignedAt! > 100);
});

test('tags are normalised, added and removed', async () => {
  const officer = await insertUser();
  const c = await insertCase();
  await changeTags(c.ref, officer, { add: ['Estate Patrol', 'cctv'] });
  await changeTags(c.ref, officer, { remove: ['cctv'] });
  assert.deepEqual((await findCase(c.ref))!.tags, ['estate-patrol']);
});

test('link two reports into an incident and undo; mark a duplicate and undo', async () => {
  const officer = await insertUser();
  const a = await insertCase({ reporterId: await insertReporter({ email: 'a@example.org' }) });
  const b = await insertCase({ reporterId: await insertReporter({ email: 'b@example.org' }) });
  const linked = await linkIncident([a.ref, b.ref], officer, { title: 'Fire at the garages' });
  assert.ok(linked.ok && linked.incidentId);
  assert.equal((await findCase(a.ref))!.incidentId, linked.incidentId);
  assert.equal((await findCase(b.ref))!.incidentId, linked.incidentId);
  assert.equal((await listQueue({ status: 'all', incidentId: linked.incidentId })).rows.length, 2);
  assert.equal((await unlinkIncident(b.ref, officer)).ok, true);
  assert.equal((await findCase(b.ref))!.incidentId, null);

  const d = await insertCase({ status: 'open' });
  assert.equal((await markDuplicate(d.ref, officer, a.ref, settings)).ok, true);
  let row = (await findCase(d.ref))!;
  assert.equal(row.status, 'closed');
  assert.equal(row.resolutionCode, 'duplicate');
  assert.equal(row.duplicateOf, a.id);
  assert.equal((await undoDuplicate(d.ref, officer, settings)).ok, true);
  row = (await findCase(d.ref))!;
  assert.equal(row.status, 'open');
  assert.equal(row.duplicateOf, null);
  assert.equal(row.resolutionCode, null);
});

test('three complaints by one reporter raise the ASB Case Review flag', async () => {
  const reporterId = await insertReporter({ email: 'r3@example.org' });
  const day = 86_400_000;
  await insertCase({ reporterId, receivedAt: Date.now() - 40 * day, postcode: 'HM9 9ZZ' });
  await insertCase({ reporterId, receivedAt: Date.now() - 20 * day, postcode: 'HM9 9ZZ' });
  const c = await insertCase({ reporterId, postcode: 'HM9 9ZZ' });
  assert.deepEqual(await refreshFlags(c.ref), ['repeat_reporter', 'repeat_location', 'asb_case_review']);
  assert.equal((await listQueue({ status: 'all', flag: 'asb_case_review' })).rows[0]!.ref, c.ref);
});

test('every change of a case row bumps its version; a form made from an older version is refused and changes nothing', async () => {
  const officer = await insertUser();
  const c = await insertCase();
  const version = () => findCase(c.ref).then((r) => r!.version);
  assert.equal(await version(), 0);
  assert.equal((await triageCase(c.ref, officer, { risk: 'none', vulnerable: 'no', repeat: 'no', hate: 'no' }, settings, Date.now(), 0)).ok, true);
  assert.equal((await changeStatus(c.ref, officer, { to: 'open', version: 1 }, settings)).ok, true);
  assert.equal((await addNote(c.ref, officer, 'A note leaves the case row alone')).ok, true);
  assert.equal(await version(), 2);
  const eventsBefore = (await events(c.id)).length;
  // three forms made from version 1: each refused in words, nothing stored
  assert.deepEqual(await assignCase(c.ref, officer, { ownerId: officer.id, version: 1 }, settings), { ok: false, ref: c.ref, message: CASE_CHANGED_MESSAGE });
  assert.deepEqual(await changeStatus(c.ref, officer, { to: 'awaiting_reporter', version: 1 }, settings), { ok: false, ref: c.ref, message: CASE_CHANGED_MESSAGE });
  assert.deepEqual(await triageCase(c.ref, officer, { risk: 'some', vulnerable: 'yes', repeat: 'no', hate: 'no' }, settings, Date.now(), 1), { ok: false, ref: c.ref, message: CASE_CHANGED_MESSAGE });
  const row = (await findCase(c.ref))!;
  assert.equal(row.version, 2);
  assert.equal(row.ownerId, null);
  assert.equal(row.status, 'open');
  assert.equal((await events(c.id)).length, eventsBefore);
  // the form from the current version goes through
  assert.equal((await assignCase(c.ref, officer, { ownerId: officer.id, version: 2 }, settings)).ok, true);
  assert.equal(await version(), 3);
  assert.equal(parseCaseVersion('3'), 3);
  assert.equal(parseCaseVersion(''), undefined);
  assert.equal(parseCaseVersion('3; drop'), undefined);
});

test('a new case gets its repeat flags, and so do the earlier cases it repeats, after it arrives rather than when viewed', async () => {
  const reporterId = await insertReporter({ email: 'again@example.org' });
  const first = await insertCase({ reporterId, postcode: 'HM7 7AA', receivedAt: Date.now() - 86_400_000 });
  const second = await insertCase({ reporterId, postcode: 'HM7 7AA' });
  scheduleFlagRefresh(second.id, 60_000);
  await flushFlagRefreshes();
  assert.deepEqual((await findCase(second.ref))!.flags, ['repeat_reporter', 'repeat_location']);
  assert.deepEqual((await findCase(first.ref))!.flags, ['repeat_reporter', 'repeat_location']);
  assert.deepEqual((await events(first.id)).map((e) => e.action), ['case.flags']);
  // nothing changed since: a second refresh writes nothing
  await refreshFlags(second.ref);
  assert.deepEqual((await events(first.id)).map((e) => e.action), ['case.flags']);
});

test('two refreshes of one case at once store its flags once, with one event: the later write finds the flags changed and adds nothing', async () => {
  const reporterId = await insertReporter({ email: 'twice@example.org' });
  const first = await insertCase({ reporterId, postcode: 'HM8 8AA', receivedAt: Date.now() - 86_400_000 });
  await insertCase({ reporterId, postcode: 'HM8 8AA' });
  await Promise.all([refreshFlags(first.ref), refreshFlags(first.ref)]);
  assert.deepEqual((await findCase(first.ref))!.flags, ['repeat_reporter', 'repeat_location']);
  assert.deepEqual((await events(first.id)).map((e) => e.action), ['case.flags']);
});

test('a flag refresh leaves the case version alone, so a form opened before a neighbour arrived still saves', async () => {
  const officer = await insertUser();
  const reporterId = await insertReporter({ email: 'open-form@example.org' });
  const first = await insertCase({ reporterId, postcode: 'HM6 6AA', receivedAt: Date.now() - 86_400_000 });
  const formVersion = (await findCase(first.ref))!.version;
  const second = await insertCase({ reporterId, postcode: 'HM6 6AA' });
  await refreshFlags(second.ref);
  const row = (await findCase(first.ref))!;
  assert.deepEqual(row.flags, ['repeat_reporter', 'repeat_location'], 'the earlier case was flagged');
  assert.equal(row.version, formVersion);
  assert.deepEqual(await assignCase(first.ref, officer, { ownerId: officer.id, version: formVersion }, settings), { ok: true, ref: first.ref });
});

test('bulk actions apply to each case and report refusals; a templated reply defaults to an internal note', async () => {
  const officer = await insertUser();
  const x = await insertCase({ reporterId: await insertReporter() });
  const y = await insertCase({ status: 'closed', reopenUntil: 0 });
  const assigned = await bulkAction([x.ref, y.ref], officer, { kind: 'assign', ownerId: officer.id }, settings);
  assert.deepEqual(assigned.done, [x.ref, y.ref]);
  const moved = await bulkAction([x.ref, y.ref], officer, { kind: 'status', to: 'awaiting_reporter' }, settings);
  assert.deepEqual(moved.done, [x.ref]);
  assert.equal(moved.refused[0]!.ref, y.ref);
  const replied = await bulkAction([x.ref], officer, { kind: 'reply', body: 'Checked {{ref}}', visibility: 'internal' }, settings);
  assert.deepEqual(replied.done, [x.ref]);
  const last = (await events(x.id)).at(-1)!;
  assert.equal(last.visibility, 'internal');
  assert.equal(last.body, `Checked ${x.ref}`);
});

test('viewing reporter details needs pii.view and is audited', async () => {
  const officer = await insertUser();
  const noPii = await insertUser({}, ['case.read.all']);
  const c = await insertCase({ reporterId: await insertReporter({ email: 'pii@example.org' }) });
  assert.equal(await viewReporterDetails(c.ref, noPii), null);
  assert.equal((await viewReporterDetails(c.ref, officer))!.email, 'pii@example.org');
  const audits = await database.db.select().from(auditEvents).where(eq(auditEvents.action, 'pii.view'));
  assert.equal(audits.length, 1);
  assert.equal(audits[0]!.actorId, officer.id);
});

test('queue: filters, keyset pagination without gaps or repeats, counts per status', async () => {
  const base = Date.UTC(2026, 0, 5, 10);
  const owner = await insertUser();
  for (let i = 0; i < 25; i++) await insertCase({ receivedAt: base + i * 1000, districtId: 'pageville', status: i % 5 === 0 ? 'closed' : 'open', ownerId: i % 2 ? owner.id : null });
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await listQueue({ status: 'all', districtId: 'pageville' }, 'received_desc', cursor, Date.now(), 7);
    seen.push(...page.rows.map((r) => r.ref));
    cursor = page.next;
  } while (cursor);
  assert.equal(seen.length, 25);
  assert.equal(new Set(seen).size, 25);
  const asc = await listQueue({ status: 'all', districtId: 'pageville' }, 'received_asc');
  assert.deepEqual(asc.rows.map((r) => r.ref), [...seen].reverse());
  assert.equal((await listQueue({ districtId: 'pageville' })).rows.length, 20);
  assert.equal((await listQueue({ status: 'all', districtId: 'pageville', owner: 'unassigned' })).rows.length, 13);
  assert.equal((await listQueue({ status: 'all', districtId: 'pageville', owner: owner.id })).rows[0]!.ownerName, owner.name);
  const counts = await countByStatus({ districtId: 'pageville' });
  assert.equal(counts.open, 20);
  assert.equal(counts.closed, 5);
  assert.deepEqual(parseQueueQuery(new URLSearchParams('status=bogus&sort=due&overdue=1')).filter.status, 'active');
  // A tag filter reads the tag as tags are stored, so what an officer typed finds what was added.
  assert.equal(parseQueueQuery(new URLSearchParams('tag=TestTag')).filter.tag, 'testtag');
  assert.equal(parseQueueQuery(new URLSearchParams('tag=Fly%20Tipping!')).filter.tag, 'fly-tipping');
  assert.equal(parseQueueQuery(new URLSearchParams('tag=%20!!%20')).filter.tag, undefined, 'nothing left is no filter');
});

test('a burst of reports at one place, refreshed in one pass, gets the flags a refresh of each one by one would give, each written once', async () => {
  const reporterId = await insertReporter({ email: 'burst@example.org' });
  await insertCase({ reporterId, postcode: 'HM5 5AA', receivedAt: Date.now() - 2 * 86_400_000 });
  const burst = [];
  for (let i = 0; i < 6; i++) burst.push(await insertCase({ reporterId: i === 0 ? reporterId : await insertReporter({ email: `burst${i}@example.org` }), postcode: 'HM5 5AA' }));
  for (const c of burst) scheduleFlagRefresh(c.id, 60_000);
  await flushFlagRefreshes();
  const after = await Promise.all(burst.map(async (c) => ({ flags: (await findCase(c.ref))!.flags, events: (await events(c.id)).filter((e) => e.action === 'case.flags').length })));
  assert.ok(after.every((a) => a.flags?.includes('repeat_location')), 'every report at the place is a repeat location');
  assert.deepEqual(after.map((a) => a.flags?.includes('repeat_reporter')), [true, false, false, false, false, false], 'only the reporter who reported before is a repeat reporter');
  assert.deepEqual(after.map((a) => a.events), [1, 1, 1, 1, 1, 1], 'each case written once');
  for (const c of burst) await refreshFlags(c.ref);
  assert.deepEqual(await Promise.all(burst.map(async (c) => (await events(c.id)).filter((e) => e.action === 'case.flags').length)), [1, 1, 1, 1, 1, 1], 'one by one, nothing left to change');
});

test('a pass reads its arrivals\' reporters 64 at a time, a busy reporter\'s chunk one by one, and gives the flags of one-by-one refreshes', async () => {
  const day = 86_400_000;
  const now = Date.now();
  // A reporter with more cases in six months than one chunk read keeps (256), and reporters who reported once before.
  const busy = await insertReporter({ email: 'busy@example.org' });
  for (let i = 0; i < 260; i++) await insertCase({ reporterId: busy, postcode: null, categoryId: 'graffiti', receivedAt: now - 20 * day - i * 1000 });
  const arrivals: { id: string; ref: string }[] = [];
  for (let i = 0; i < 70; i++) {
    const reporterId = await insertReporter({ email: `chunk${i}@example.org` });
    if (i % 7 === 0) await insertCase({ reporterId, postcode: null, categoryId: 'litter', receivedAt: now - 30 * day });
    arrivals.push(await insertCase({ reporterId, postcode: null, categoryId: 'litter' }));
  }
  arrivals.push(await insertCase({ reporterId: busy, postcode: null, categoryId: 'graffiti' }));
  // 71 reporters: the first 64 in one read, kept; the last 7 share a read with the busy reporter, which reaches the limit and is not kept.
  const cache: PlaceRowsCache = new Map();
  await loadReporterCases(await loadFlagCases(arrivals.map((a) => a.id)), now, cache);
  assert.equal(cache.size, 64);
  for (const a of arrivals) scheduleFlagRefresh(a.id, 60_000);
  await flushFlagRefreshes();
  const flagged = await Promise.all(arrivals.map(async (a) => (await findCase(a.ref))!.flags?.includes('repeat_reporter') ?? false));
  assert.deepEqual(flagged, arrivals.map((_, i) => i === 70 || i % 7 === 0));
  const flagEvents = async () => Promise.all(arrivals.map(async (a) => (await events(a.id)).filter((e) => e.action === 'case.flags').length));
  const before = await flagEvents();
  for (const a of arrivals) await refreshFlags(a.ref);
  assert.deepEqual(await flagEvents(), before, 'one by one, nothing left to change');
});

test('a pass stores its changes 50 cases to a writer batch, so that no commit holds a whole pass', async () => {
  const arrivals: { id: string; ref: string }[] = [];
  for (let i = 0; i < 120; i++) arrivals.push(await insertCase({ reporterId: await insertReporter({ email: `chunked${i}@example.org` }), postcode: 'HM8 8CC' }));
  for (const a of arrivals) scheduleFlagRefresh(a.id, 60_000);
  const { writer } = database;
  await writer.idle();
  const jobsBefore = writer.stats.jobs;
  await flushFlagRefreshes();
  assert.ok(writer.stats.jobs - jobsBefore >= 3, `${writer.stats.jobs - jobsBefore} writer jobs for 120 changed cases`);
  const flagged = await Promise.all(arrivals.map(async (a) => ({ flags: (await findCase(a.ref))!.flags, events: (await events(a.id)).filter((e) => e.action === 'case.flags').length })));
  assert.ok(flagged.every((f) => f.flags?.includes('repeat_location') && f.flags.includes('asb_case_review') && f.events === 1), 'every case stored once with its flags');
});

test('a due flag pass waits while requests keep the process at least half busy, unless the oldest case has waited the longest wait', () => {
  assert.equal(shouldDeferFlagPass({ requests: 1, loop: 0.9 }, 1_000, 120_000), true);
  assert.equal(shouldDeferFlagPass({ requests: 0.5, loop: 0.5 }, 1_000, 120_000), true);
  assert.equal(shouldDeferFlagPass({ requests: 1, loop: 0.49 }, 1_000, 120_000), false, 'a quiet loop (a long upload in flight): the pass runs');
  assert.equal(shouldDeferFlagPass({ requests: 0, loop: 0.9 }, 1_000, 120_000), false, 'a loop busy with other background work (the outbox), no request: the pass runs');
  assert.equal(shouldDeferFlagPass({ requests: 1, loop: 0.9 }, 120_000, 120_000), false, 'waited long enough: the pass runs under load');
});

/**
 * Keep the event loop busy for `ms` (40 ms of work, then a turn of the loop that never waits idle), as a request in
 * flight unless `requests` is false, calling `each` between slices; with `until`, go on past `ms` until it is done or
 * `maxMs` have passed (a loaded machine slows the pass timing down: the test waits for the behaviour, not a clock). A turn that waited on a timer counted as idle
 * whenever a loaded machine kept the process off the CPU meanwhile (9 ms slices, then once even 40 ms ones, in full runs).
 */
async function keepBusy(ms: number, each: () => void, requests = true, until?: { done: () => boolean; maxMs: number }): Promise<void> {
  const start = performance.now();
  const end = start + ms;
  const hardEnd = start + Math.max(ms, until?.maxMs ?? 0);
  const going = () => performance.now() < end || (until !== undefined && !until.done() && performance.now() < hardEnd);
  if (requests) requestStarted();
  try {
    while (going()) {
      const slice = performance.now() + 40;
      while (performance.now() < slice && going());
      each();
      // A turn of the loop that does not wait in its poll phase (setImmediate, not a timer): timers that are due
      // still fire, and the loop reads as busy even when the machine keeps the process off the CPU between slices.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    if (requests) requestFinished();
  }
}

/** Wait (up to `ms`) until no case waits for its flag refresh (a pass takes its cases when it starts). */
async function untilRefreshed(ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (flagRefreshBacklog() > 0 && performance.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
  return flagRefreshBacklog() === 0;
}

test('a new case\'s flag refresh waits while requests keep the event loop busy and runs once it is quiet', async () => {
  await flushFlagRefreshes();
  await insertCase({ postcode: 'HM6 8QB', receivedAt: Date.now() - 86_400_000 });
  const arrival = await insertCase({ postcode: 'HM6 8QB' });
  const deferredBefore = flagPassesDeferredCount();
  let refreshedWhileBusy = false;
  let scheduled = false;
  // Scheduled once the loop is busy, so the pass's first look at the load sees only busy time (a process held off the
  // CPU between scheduling and the first slice, on a loaded machine, would count as idle).
  // Busy for 1.3 s at least, and on until the due pass has been put off: the first pass waits 200 ms or three times
  // the previous pass, which on a loaded machine (the pass over 120 cases before) can be longer than 1.3 s.
  await keepBusy(
    1_300,
    () => {
      if (scheduled) refreshedWhileBusy ||= flagRefreshBacklog() === 0;
      else {
        scheduleFlagRefresh(arrival.id, 200);
        scheduled = true;
      }
    },
    true,
    { done: () => flagPassesDeferredCount() > deferredBefore && flagRefreshOldestWaitMs() >= 1_000, maxMs: 30_000 },
  );
  assert.equal(refreshedWhileBusy, false, 'no pass while the loop was busy');
  assert.ok(flagPassesDeferredCount() > deferredBefore, `the due pass was put off (${flagPassesDeferredCount() - deferredBefore} times)`);
  assert.ok(flagRefreshOldestWaitMs() >= 1_000, `the health figure shows how long the case has waited (${flagRefreshOldestWaitMs()} ms)`);
  assert.equal(await untilRefreshed(30_000), true, 'the pass started once the loop was quiet');
  await flushFlagRefreshes(); // the pass that started, to its end
  assert.deepEqual((await findCase(arrival.ref))!.flags, ['repeat_location']);
  assert.equal(flagRefreshOldestWaitMs(), 0);
});

test('a loop kept busy by other background work, with no request in flight, does not hold a flag refresh back', async () => {
  await flushFlagRefreshes();
  await insertCase({ postcode: 'HM6 8QE', receivedAt: Date.now() - 86_400_000 });
  const arrival = await insertCase({ postcode: 'HM6 8QE' });
  scheduleFlagRefresh(arrival.id, 50);
  let refreshedWhileBusy = false;
  await keepBusy(1_300, () => (refreshedWhileBusy ||= flagRefreshBacklog() === 0), false, { done: () => refreshedWhileBusy, maxMs: 30_000 });
  assert.equal(refreshedWhileBusy, true);
  await flushFlagRefreshes();
  assert.deepEqual((await findCase(arrival.ref))!.flags, ['repeat_location']);
});

test('under load that does not let up, a case\'s flag refresh waits no longer than the longest wait', async () => {
  await flushFlagRefreshes();
  await insertCase({ postcode: 'HM6 8QD', receivedAt: Date.now() - 86_400_000 });
  const arrival = await insertCase({ postcode: 'HM6 8QD' });
  setFlagRefreshMaxWait(300);
  try {
    scheduleFlagRefresh(arrival.id, 50);
    let refreshedAt: number | undefined;
    const started = performance.now();
    await keepBusy(400, () => (refreshedAt ??= flagRefreshBacklog() === 0 ? performance.now() - started : undefined), true, {
      done: () => refreshedAt !== undefined,
      maxMs: 30_000,
    });
    assert.ok(refreshedAt !== undefined && refreshedAt >= 300, `the pass ran while the loop was still busy, after the longest wait (at ${refreshedAt} ms)`);
  } finally {
    setFlagRefreshMaxWait();
  }
  await flushFlagRefreshes();
  assert.deepEqual((await findCase(arrival.ref))!.flags, ['repeat_location']);
});

test('a flag refresh pass takes at most 1,000 new cases; the rest wait for the next pass', async () => {
  const real = await insertCase({ postcode: 'HM6 9ZW' });
  await insertCase({ postcode: 'HM6 9ZW', receivedAt: Date.now() - 86_400_000 });
  // The real case last: the first pass takes the first 1,000 scheduled (ids of no case, read and found to be nothing).
  for (let i = 0; i < 1000; i++) scheduleFlagRefresh(`no-such-case-${i}`, 60_000);
  scheduleFlagRefresh(real.id, 60_000);
  assert.equal(flagRefreshBacklog(), 1001);
  await runFlagPass();
  assert.equal(flagRefreshBacklog(), 1);
  assert.deepEqual((await findCase(real.ref))!.flags, [], 'not yet refreshed');
  await flushFlagRefreshes();
  assert.equal(flagRefreshBacklog(), 0);
  assert.deepEqual((await findCase(real.ref))!.flags, ['repeat_location']);
});

test('beyond the cases held by id, new cases wait as a span of received times: held ids stay within the limit, and every case gets its flags', async () => {
  await flushFlagRefreshes();
  setFlagWaitingByIdLimit(5);
  try {
    const now = Date.now();
    // Each case at a place of its own, after an earlier case there: its flags come from its own refresh, not a neighbour's.
    const burst: { id: string; ref: string }[] = [];
    for (let i = 0; i < 12; i++) {
      await insertCase({ postcode: `HM9 ${i}SP`, receivedAt: now - 86_400_000 });
      burst.push(await insertCase({ postcode: `HM9 ${i}SP`, receivedAt: now - 12 + i }));
    }
    burst.forEach((c, i) => scheduleFlagRefresh(c.id, 60_000, now - 12 + i));
    assert.equal(flagRefreshHeldById(), 5, 'five held by id, the rest as a span');
    assert.equal(flagRefreshBacklog(), 12);
    assert.ok(flagRefreshOldestWaitMs() >= 0);
    await flushFlagRefreshes();
    assert.equal(flagRefreshBacklog(), 0);
    assert.equal(flagRefreshHeldById(), 0);
    const flags = await Promise.all(burst.map(async (c) => (await findCase(c.ref))!.flags));
    assert.ok(flags.every((f) => f?.includes('repeat_location')), `every case of the burst refreshed: ${JSON.stringify(flags)}`);
  } finally {
    setFlagWaitingByIdLimit();
  }
});

test('a span of waiting cases is read back in received order, a chunk at a time, including cases added while it is read and one received before the part read', async () => {
  const base = Date.now() + 10 * 86_400_000; // after every other test's cases, so the span holds only these
  const cases: { id: string; ref: string }[] = [];
  for (let i = 0; i < 5; i++) cases.push(await insertCase({ postcode: null, receivedAt: base + i * 1000 }));
  const list = new FlagWaitingList(0);
  assert.equal(list.isEmpty(), true);
  assert.equal(list.oldestSince(), undefined);
  for (let i = 0; i < 4; i++) list.add(cases[i]!.id, base + i * 1000, 100 + i);
  assert.equal(list.size, 4);
  assert.equal(list.heldById, 0);
  assert.equal(list.oldestSince(), 100, 'the span waits since its first case');
  assert.deepEqual((await list.take(2)).ids, [cases[0]!.id, cases[1]!.id]);
  list.add(cases[4]!.id, base + 4000);
  // A case received before the part already read (the clock stepped back): read again from it.
  const early = await insertCase({ postcode: null, receivedAt: base + 500 });
  list.add(early.id, base + 500);
  assert.deepEqual((await list.take(2)).ids, [early.id, cases[1]!.id]);
  assert.deepEqual((await list.take(10)).ids, [cases[2]!.id, cases[3]!.id, cases[4]!.id]);
  assert.equal(list.isEmpty(), true, 'read to its end with nothing added meanwhile: done');
  assert.deepEqual((await list.take(10)).ids, []);
  // A case without a received time is held by id whatever the limit (an earlier case joined by a new one).
  list.add('joined-case', undefined, 5);
  assert.equal(list.heldById, 1);
  assert.deepEqual((await list.take(10)).ids, ['joined-case']);
  // Once a span exists, new cases join it even when there is room by id, so the span is read in order, not starved.
  const roomy = new FlagWaitingList(1);
  roomy.add(cases[0]!.id, base);
  roomy.add(cases[1]!.id, base + 1000);
  assert.deepEqual((await roomy.take(1)).ids, [cases[0]!.id]);
  roomy.add(cases[2]!.id, base + 2000);
  assert.equal(roomy.heldById, 0, 'joined the span');
  const taken = await roomy.take(10);
  assert.deepEqual(taken.ids, [cases[1]!.id, cases[2]!.id]);
  assert.equal(taken.from, base + 1000, 'with the earliest received time taken, for giving them back after a failure');
});

test('an arrival leaves alone an earlier case that already holds every flag it could add, and flags one that lacks one', async () => {
  const day = 86_400_000;
  // stored flags a recount would change (it has no reporter), so a recount would show as a write
  const full = await insertCase({ postcode: 'HM4 4AA', receivedAt: Date.now() - 3 * day, flags: ['repeat_reporter', 'repeat_location', 'asb_case_review'] });
  const lacking = await insertCase({ postcode: 'HM4 4AA', receivedAt: Date.now() - 2 * day, flags: ['repeat_location'] });
  const arrival = await insertCase({ postcode: 'HM4 4AA' });
  scheduleFlagRefresh(arrival.id, 60_000);
  await flushFlagRefreshes();
  assert.deepEqual((await findCase(arrival.ref))!.flags, ['repeat_location', 'asb_case_review']);
  assert.deepEqual((await findCase(lacking.ref))!.flags, ['repeat_location', 'asb_case_review'], 'the case missing a flag the arrival adds is recounted');
  assert.deepEqual((await findCase(full.ref))!.flags, ['repeat_reporter', 'repeat_location', 'asb_case_review'], 'the case already holding every flag is not recounted');
  assert.deepEqual((await events(full.id)).map((e) => e.action), []);
  assert.deepEqual((await events(lacking.id)).map((e) => e.action), ['case.flags']);
});

test('a refresh of an older duplicate at a busy named place stores the flags the case page shows: its original counts with its incident', async () => {
  const day = 86_400_000;
  const now = Date.now();
  const at = { categoryId: 'fly-tipping', locationText: 'Market Square', postcode: null } as const;
  // The original, in an incident, and a duplicate of it without a reporter; both older than the category's 64 newest cases.
  const original = await insertCase({ ...at, incidentId: 'incident-market-square', receivedAt: now - 30 * day });
  const duplicate = await insertCase({ ...at, status: 'closed', resolutionCode: 'duplicate', duplicateOf: original.id, receivedAt: now - 20 * day });
  for (let i = 0; i < 62; i++) await insertCase({ categoryId: 'fly-tipping', locationText: 'Behind the library', postcode: null, receivedAt: now - 10 * day + i });
  // Among the newest: one more report of the same incident and one other complaint at the square.
  await insertCase({ ...at, incidentId: 'incident-market-square', receivedAt: now - 2 * day });
  await insertCase({ ...at, receivedAt: now - day });
  const shown = (await loadCaseView(duplicate.ref, { kind: 'all' }, now))!.threshold.flags;
  assert.deepEqual(shown, ['repeat_location'], 'two complaints: the incident (original, duplicate and its other report) and the other one');
  assert.deepEqual(await refreshFlags(duplicate.ref, now), shown);
});

test('an incident linked without a title is named by the day its first case came in, never by a reference (officers who see only some of its cases read it)', async () => {
  const officer = await insertUser();
  const first = await insertCase({ receivedAt: Date.UTC(2026, 5, 30, 23, 30) });
  const second = await insertCase({ receivedAt: Date.UTC(2026, 6, 2, 9) });
  const linked = await linkIncident([second.ref, first.ref], officer, {});
  assert.ok(linked.ok && linked.incidentId);
  const title = await findIncidentTitle(linked.incidentId);
  assert.equal(title, 'Incident first reported on 1 July 2026', 'London time: 23:30 UTC on 30 June is 00:30 on 1 July');
  assert.doesNotMatch(title!, new RegExp(`${first.ref}|${second.ref}`));
});

test('a reporter answering a case that awaits them opens it with its timers running again, moved on by the working time paused', async () => {
  const officer = await insertUser();
  const monday = Date.UTC(2026, 9, 5, 9); // Monday 5 October 2026, 10:00 London
  const c = await insertCase({ reporterId: await insertReporter(), status: 'open', receivedAt: monday - 3_600_000 });
  assert.equal((await sendReply(c.ref, officer, 'Could you tell us more?', settings, monday)).ok, true);
  assert.equal((await changeStatus(c.ref, officer, { to: 'awaiting_reporter' }, settings, monday)).ok, true);
  const paused = (await findCase(c.ref))!;
  const resolveDue = (paused.timers as { resolve: { dueAt: number } }).resolve.dueAt;
  // They answer on /track on Wednesday at the same time: two working days later.
  const wednesday = monday + 2 * 86_400_000;
  await addReporterInformation(c.id, 'It happened again on Tuesday night.', { publicUrl: settings.publicUrl, partnership: settings.partnership, targets: settings.targets }, wednesday);
  const row = (await findCase(c.ref))!;
  assert.equal(row.status, 'open');
  const timers = row.timers as { pausedAt: number | null; resolve: { dueAt: number } };
  assert.equal(timers.pausedAt, null, 'no longer paused');
  assert.ok(timers.resolve.dueAt > resolveDue, 'the resolve target moved on by the time paused');
  assert.ok(row.nextDueAt !== null && row.nextDueAt > wednesday, 'a next due time the queue can sort and filter by');
  assert.equal(row.nextDueAt, nextDue(row.timers as unknown as CaseTimers));
});

test('the ASB Case Review list on a case names only the complaints the viewer may see, and counts the others', async () => {
  const reporterId = await insertReporter({ email: 'repeat.caller@example.org' });
  const now = Date.now();
  const here = await insertCase({ reporterId, categoryId: 'youth-nuisance', districtId: 'brackenford', wardId: 'mill-lane', receivedAt: now - 3 * 86_400_000 });
  const alsoHere = await insertCase({ reporterId, categoryId: 'youth-nuisance', districtId: 'brackenford', wardId: 'mill-lane', receivedAt: now - 2 * 86_400_000 });
  const there = await insertCase({ reporterId, categoryId: 'youth-nuisance', districtId: 'thornwick', wardId: 'thornwick-town', postcode: 'HW3 1AB', receivedAt: now - 86_400_000 });
  const county = await loadCaseView(here.ref, { kind: 'all' }, now);
  assert.ok(county!.threshold.caseReview);
  assert.deepEqual(county!.threshold.complaints.map((c) => c.ref).sort(), [here.ref, alsoHere.ref, there.ref].sort());
  assert.equal(county!.threshold.complaintsElsewhere, 0);
  const local = await loadCaseView(here.ref, { kind: 'district', districtIds: ['brackenford'] }, now);
  assert.equal(local!.threshold.complaintCount, 3, 'the threshold is the same fact for everyone');
  assert.deepEqual(local!.threshold.complaints.map((c) => c.ref).sort(), [here.ref, alsoHere.ref].sort());
  assert.equal(local!.threshold.complaintsElsewhere, 1);
});
