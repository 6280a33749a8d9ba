/**
 * Two server processes on one database file (the documented way to scale) acting on one case at once:
 * every action is a real write transaction with a version check, so no update is lost, no form made from an
 * older state of the case overwrites a newer one, and nothing answers 500.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClient, type Client } from '@libsql/client';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createWebReport } from '../helpers/staff.ts';
import { Visitor } from '../helpers/http.ts';
import { signInAs } from './staff-sign-in.ts';

let first: TestServer;
let second: TestServer;
let db: Client;
let visitors: Visitor[];

before(async () => {
  first = await startServer();
  second = await startServer({}, { shareWith: first });
  db = createClient({ url: first.dbUrl, timeout: 15_000 });
  const signedIn = await signInAs(first.url, 'triage@hollowmere.example');
  // the same session on both processes: sessions live in the shared database
  const other = new Visitor(second.url);
  other.cookies = new Map(signedIn.cookies);
  visitors = [signedIn, other];
});

after(async () => {
  db?.close();
  await second?.stop();
  await first?.stop();
});

/** The case row's version, owner team and the case.assigned events, read straight from the database file. */
/** The case's version and team, and its assignments in the order they were written (rowid: an event id is made before its commit, so two processes' ids need not follow commit order). */
async function caseState(ref: string) {
  const c = await db.execute({ sql: 'SELECT id, version, team FROM cases WHERE ref = ?', args: [ref] });
  const row = c.rows[0]!;
  const events = await db.execute({ sql: "SELECT data FROM case_events WHERE case_id = ? AND action = 'case.assigned' ORDER BY rowid", args: [row.id] });
  return { version: Number(row.version), team: row.team as string | null, assigned: events.rows.map((e) => JSON.parse(String(e.data)) as { team: string | null }) };
}

/**
 * Wait until the flags of a new case have been stored (they are refreshed just after it arrives, off the
 * submission's path). Only for cases that will get a flag: here, a report of the same kind at the same place.
 */
async function flagsStored(ref: string) {
  for (let i = 0; i < 200; i++) {
    const r = await db.execute({ sql: "SELECT count(*) AS n FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.ref = ? AND e.action = 'case.flags'", args: [ref] });
    if (Number(r.rows[0]!.n) > 0) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.fail(`the flags of ${ref} were never stored`);
}

/** POST the case page's assign form to one of the two processes. */
function assign(i: number, ref: string, body: Record<string, string>) {
  return visitors[i % 2]!.post(`/staff/cases/${ref}`, { intent: 'assign', ownerId: '', ...body });
}

test('20 assignments at once, split across two server processes, all apply: the version counts them and the timeline has each', async () => {
  const ref = await createWebReport(first.url, { email: 'race@example.org' });
  const before = await caseState(ref);
  const teams = Array.from({ length: 20 }, (_, i) => `team-${i}`);
  const responses = await Promise.all(teams.map((team, i) => assign(i, ref, { team })));
  const statuses = responses.map((r) => r.status);
  assert.ok(!statuses.includes(500), `no server errors: ${statuses.join(' ')}`);
  assert.deepEqual(statuses, teams.map(() => 303), 'each assignment changes the team, so each one is made');
  const afterState = await caseState(ref);
  assert.equal(afterState.version - before.version, 20, 'the version counts every change: none was lost');
  assert.equal(afterState.assigned.length, 20);
  assert.deepEqual(afterState.assigned.map((e) => e.team).sort(), [...teams].sort());
  assert.equal(afterState.team, afterState.assigned.at(-1)!.team, 'the case shows the last assignment on its timeline');
});

test('20 forms made from the same version of the case, sent at once to two processes: one is made, the rest are refused in words', async () => {
  const ref = await createWebReport(first.url, { email: 'stale@example.org' });
  await flagsStored(ref); // a repeat of the first test's report
  const page = await (await visitors[1]!.get(`/staff/cases/${ref}`)).text();
  const version = /name="version" value="(\d+)"/.exec(page)?.[1];
  assert.ok(version !== undefined, 'the case page forms carry the version');
  const before = await caseState(ref);
  assert.equal(String(before.version), version);
  const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => assign(i, ref, { team: `crew-${i}`, version })));
  const statuses = responses.map((r) => r.status);
  assert.ok(!statuses.includes(500), `no server errors: ${statuses.join(' ')}`);
  assert.equal(statuses.filter((s) => s === 303).length, 1, `exactly one made: ${statuses.join(' ')}`);
  assert.equal(statuses.filter((s) => s === 400).length, 19);
  const refused = await responses.find((r) => r.status === 400)!.text();
  assert.match(refused, /This case was changed by someone else\. Reload the page and try again\./);
  assert.match(refused, /govuk-error-summary|error-summary/);
  const afterState = await caseState(ref);
  assert.equal(afterState.version, before.version + 1);
  assert.equal(afterState.assigned.length, 1);
  assert.equal(afterState.team, afterState.assigned[0]!.team);
});

test('a bulk assignment or status change from a queue read before someone else changed a case refuses that case and changes the others', async () => {
  const stale = await createWebReport(first.url, { email: 'bulk.stale@example.org' });
  const fresh = await createWebReport(first.url, { email: 'bulk.fresh@example.org' });
  const queue = await (await visitors[0]!.get('/staff/queue')).text();
  const listed = (ref: string) => new RegExp(`name="version\\.${ref}" value="(\\d+)"`).exec(queue)?.[1];
  assert.ok(listed(stale) !== undefined && listed(fresh) !== undefined, 'each row carries its version');
  // Someone else assigns the first case on its own page meanwhile (on the other process).
  const page = await (await visitors[1]!.get(`/staff/cases/${stale}`)).text();
  assert.equal((await visitors[1]!.post(`/staff/cases/${stale}`, { intent: 'assign', version: /name="version" value="(\d+)"/.exec(page)![1]!, ownerId: '', team: 'night-crew' })).status, 303);
  const teamBefore = (await caseState(stale)).team;
  const bulk = (bulkAction: string, extra: Record<string, string>) => visitors[0]!.post('/staff/queue', new URLSearchParams([
    ['intent', 'bulk'], ['bulkAction', bulkAction], ['ref', stale], ['ref', fresh], [`version.${stale}`, listed(stale)!], [`version.${fresh}`, listed(fresh)!], ...Object.entries(extra),
  ]));
  const res = await bulk('status', { bulkStatus: 'resolved', bulkResolution: 'advice_given' });
  assert.equal(res.status, 400);
  const html = await res.text();
  assert.match(html, new RegExp(`${stale}: This case was changed by someone else\\. Reload the page and try again\\.`));
  assert.match(html, /Done for 1 case\./);
  const [s, f] = (await db.execute({ sql: 'SELECT ref, status FROM cases WHERE ref IN (?, ?) ORDER BY ref = ?', args: [stale, fresh, fresh] })).rows;
  assert.equal(s!.status, 'new', 'the case changed meanwhile is left as it is');
  assert.equal(f!.status, 'resolved');
  assert.equal((await caseState(stale)).team, teamBefore, 'and its assignment stands');
});

test('viewing a case writes nothing: flags are worked out for display, not stored on a view', async () => {
  const ref = await createWebReport(first.url, { email: 'viewer@example.org' });
  await flagsStored(ref);
  // as if the flags had been stored before the earlier reports at this place arrived
  await db.execute({ sql: "UPDATE cases SET flags = '[]' WHERE ref = ?", args: [ref] });
  const snapshot = async () => {
    const c = await db.execute({ sql: 'SELECT version, updated_at, flags FROM cases WHERE ref = ?', args: [ref] });
    const e = await db.execute({ sql: 'SELECT count(*) AS n FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.ref = ?', args: [ref] });
    return { ...c.rows[0]!, events: Number(e.rows[0]!.n) };
  };
  const before = await snapshot();
  for (const v of visitors) {
    const res = await v.get(`/staff/cases/${ref}`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Repeat location/, 'the page shows the flags as they are now');
  }
  assert.deepEqual(await snapshot(), before);
});

test('two processes share sessions and rate limits: signing out on one ends the session on the other, and failures sent to both count against one limit', async () => {
  const onFirst = await signInAs(first.url, 'calls@hollowmere.example');
  const onSecond = new Visitor(second.url);
  onSecond.cookies = new Map(onFirst.cookies);
  assert.equal((await onSecond.get('/staff')).status, 200, 'the session made by the first process works on the second');
  assert.equal((await onFirst.post('/staff/sign-out', {})).status, 303);
  const after = await onSecond.get('/staff');
  assert.equal(after.status, 303, 'signed out on the first process: the second refuses the session');
  assert.match(after.headers.get('location') ?? '', /^\/staff\/sign-in/);
  const email = 'nobody-two-processes@hollowmere.example';
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) statuses.push((await new Visitor([first, second][i % 2]!.url).post('/staff/sign-in', { email, password: `guess-${i}` })).status);
  assert.deepEqual(statuses, [...Array(10).fill(400), 429, 429], 'ten attempts across both processes, then both refuse');
});
