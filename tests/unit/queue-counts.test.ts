/**
 * The queue's counts per status against independent COUNT(*) queries over the raw tables, after a sequence of case
 * changes through the domain functions (creation, triage, status moves, reassignment, referral and the partner's
 * answers, tags, repeat flags, incident, duplicate, close, reopen, the reporter's reply, retention) and straight
 * writes with countChangeStatements (re-categorising and deleting, which no action does yet); the counters as kept
 * equal a rebuild; the start-up check rebuilds only the group of counters that disagrees.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openTestDatabase } from '../helpers/db.ts';
import { getDatabase, type Database } from '../../src/platform/db/client.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import { seededRandom } from '../../src/platform/seeded-random.ts';
import { createCase, type NewCase } from '../../src/domains/reports/submit.ts';
import { addReporterInformation } from '../../src/domains/reports/track.ts';
import { assignCase, changeStatus, changeTags, findCase, linkIncident, markDuplicate, refreshFlags, triageCase } from '../../src/domains/cases/actions.ts';
import { actOnReferral, referCase } from '../../src/domains/referrals/actions.ts';
import { anonymiseExpiredCases } from '../../src/domains/cases/retention.ts';
import { ACTIVE_STATUSES, countByStatus, countByStatusOnView, listQueue, QUEUE_SORTS, type QueueFilter } from '../../src/domains/cases/queue.ts';
import { ensureQueueCounts, queueCountStatements, rebuildQueueCountStatements } from '../../src/domains/cases/queue-counts.ts';
import { countChangeStatements } from '../../src/domains/insight/counts.ts';
import { CASE_STATUSES } from '../../src/domains/cases/workflow.ts';
import type { StaffActor } from '../../src/domains/cases/actions.ts';
import type { CaseScope } from '../../src/domains/cases/policy.ts';
import { insertUser, settings } from './cases-fixtures.ts';

let database: Database;
let cleanup: () => Promise<void>;
const uploads = mkdtempSync(join(tmpdir(), 'saferline-queue-counts-'));
before(async () => ({ database, cleanup } = await openTestDatabase()));
after(async () => {
  await cleanup();
  rmSync(uploads, { recursive: true, force: true });
});

const config = loadSiteConfig('content');
const ctx = { config, actor: { kind: 'public' as const, ip: '127.0.0.1' }, publicUrl: 'http://localhost:4321' };
const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 5, 9);
const NOW = Date.UTC(2026, 2, 2, 9);
const [JAN, FEB, MAR] = [Date.UTC(2026, 0, 1), Date.UTC(2026, 1, 1), Date.UTC(2026, 2, 1)];
const COUNTER_TABLES = ['queue_active_counts', 'queue_active_owner_counts', 'queue_finished_counts', 'queue_finished_owner_counts'];

/** The rows of a counter table as sorted "key=n" lines, zero rows left out. */
async function lines(table: string): Promise<string[]> {
  const r = await database.client.execute(`SELECT * FROM ${table} WHERE n <> 0`);
  return r.rows.map((x) => Object.entries(x).map(([k, v]) => `${k}:${String(v)}`).join('|')).sort();
}

/** Every counter table's lines. */
async function allLines(): Promise<string[][]> {
  return Promise.all(COUNTER_TABLES.map(lines));
}

/** COUNT(*) over cases per status with a hand-written condition (the independent count the counts must equal). */
async function countCases(where: string, args: (string | number)[] = []): Promise<Record<string, number>> {
  const r = await database.client.execute({ sql: `SELECT status, count(*) AS n FROM cases c WHERE ${where} GROUP BY status`, args });
  const out: Record<string, number> = Object.fromEntries(CASE_STATUSES.map((s) => [s, 0]));
  for (const x of r.rows) out[String(x.status)] = Number(x.n);
  return out;
}

const hasItem = (column: string) => `EXISTS (SELECT 1 FROM json_each(c.${column}) WHERE value = ?)`;
const referralOverdue = "EXISTS (SELECT 1 FROM referrals r WHERE r.case_id = c.id AND ((r.status = 'sent' AND r.acknowledge_due_at <= ?) OR (r.status IN ('acknowledged', 'accepted', 'in_progress') AND r.complete_due_at <= ?)))";

test('after a sequence of case changes every queue count equals COUNT(*) over the cases, for every filter, combination and scope; the counters equal a rebuild', async () => {
  const random = seededRandom(18_5);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const officer = await insertUser();
  const other = await insertUser();
  const officers = [officer, other];
  const wards = ['saltings', 'mill-lane', 'northgate', 'redcliff', null];
  const categories = ['noise', 'vandalism', 'drug-dealing', 'asb-personal'];
  const channels = ['web', 'phone', 'email'] as const;
  const base: NewCase = { kind: 'report', channel: 'web', description: 'Loud music late at night', privacy: 'named', consentShare: true };
  const refs: string[] = [];
  for (let i = 0; i < 40; i++) {
    const at = START + Math.floor(random() * 20 * DAY);
    // A few reporters report several times, so the repeat flags are set on some cases.
    const created = await createCase({ ...base, kind: random() < 0.1 ? 'feedback' : 'report', wardId: pick(wards), categoryId: pick(categories), channel: pick(channels), postcode: 'HM1 1AA', reporter: { name: 'Sam', email: `r${i % 12}@example.org` } }, ctx, at);
    refs.push(created.ref);
  }
  const partnerOf = (agencyId: string): StaffActor => ({ id: `partner-${agencyId}`, name: 'Partner', permissions: ['referral.partner'], bindsAgency: true, agencyId });
  const referralIds: string[] = [];
  const at = (step: number) => START + 25 * DAY + step * 3_600_000;
  // Close a handful long ago, so the retention run below anonymises them.
  for (const ref of refs.slice(0, 4)) assert.equal((await changeStatus(ref, officer, { to: 'closed', resolutionCode: 'no_further_action' }, settings, at(0))).ok, true);
  let done = 0;
  for (let step = 1; step < 180; step++) {
    const ref = pick(refs.slice(4));
    const move = random();
    const ok = move < 0.12 ? (await triageCase(ref, officer, pick([{ risk: 'high', vulnerable: 'yes', repeat: 'no', hate: 'no' }, { risk: 'none', vulnerable: 'no', repeat: 'no', hate: 'no' }] as const), settings, at(step))).ok
      : move < 0.24 ? (await changeStatus(ref, officer, { to: 'open' }, settings, at(step))).ok
      : move < 0.34 ? (await changeStatus(ref, officer, { to: 'resolved', resolutionCode: pick(['advice_given', 'action_taken']) }, settings, at(step))).ok
      : move < 0.42 ? (await changeStatus(ref, officer, { to: 'closed', resolutionCode: pick(['no_further_action', 'out_of_scope']) }, settings, at(step))).ok
      : move < 0.56 ? (await assignCase(ref, officer, { ownerId: random() < 0.25 ? null : pick(officers).id }, settings, at(step))).ok
      : move < 0.66 ? await (async () => {
        const r = await referCase(ref, officer, { agencyId: pick(['police', 'asb-team']), fields: ['category'] }, { ...settings, config }, at(step));
        if (r.ok) referralIds.push(r.id);
        return r.ok;
      })()
      : move < 0.74 && referralIds.length ? await (async () => {
        const id = pick(referralIds);
        const [referral] = (await database.client.execute({ sql: 'SELECT agency_id FROM referrals WHERE id = ?', args: [id] })).rows;
        const action = pick(['acknowledge', 'accept', 'complete', 'decline'] as const);
        return (await actOnReferral(id, partnerOf(String(referral!.agency_id)), { action, text: 'Done: patrol visited' }, { ...settings, config }, at(step))).ok;
      })()
      : move < 0.8 ? (await changeTags(ref, officer, { add: [pick(['estate-patrol', 'cctv'])], remove: random() < 0.3 ? ['cctv'] : [] }, at(step))).ok
      : move < 0.84 ? (await markDuplicate(ref, officer, pick(refs), settings, at(step))).ok
      : move < 0.9 ? await (async () => {
        const r = await changeStatus(ref, officer, { to: 'awaiting_reporter' }, settings, at(step));
        if (r.ok && random() < 0.5) await addReporterInformation((await findCase(ref))!.id, 'More detail', { publicUrl: 'http://localhost', partnership: 'Test', targets: config.targets }, at(step) + 1);
        return r.ok;
      })()
      : (await refreshFlags(ref, at(step))).length >= 0;
    if (ok) done++;
  }
  assert.ok(done > 80, `enough changes went through (${done})`);
  // A referral the partner accepts puts its case with the partner.
  const fresh = await createCase({ ...base, categoryId: 'drug-dealing', wardId: 'saltings', reporter: { name: 'Sam', email: 'fresh@example.org' } }, ctx, at(224));
  const accepted = await referCase(fresh.ref, officer, { agencyId: 'police', fields: ['category'] }, { ...settings, config }, at(225));
  assert.ok(accepted.ok, accepted.ok ? '' : accepted.message);
  // And a case waits for its reporter.
  const waiting = await createCase({ ...base, categoryId: 'noise', wardId: 'mill-lane', reporter: { name: 'Sam', email: 'waiting@example.org' } }, ctx, at(224));
  assert.equal((await changeStatus(waiting.ref, officer, { to: 'open' }, settings, at(225))).ok, true);
  assert.equal((await changeStatus(waiting.ref, officer, { to: 'awaiting_reporter' }, settings, at(226))).ok, true);
  assert.equal((await actOnReferral(accepted.id, partnerOf('police'), { action: 'accept', text: '' }, { ...settings, config }, at(226))).ok, true);
  assert.equal((await linkIncident(refs.slice(10, 13), officer, { title: 'Same car, three reports' }, at(230))).ok, true);
  // Reopen some finished cases (within the reopening window).
  const finished = (await database.client.execute("SELECT ref FROM cases WHERE status IN ('resolved', 'closed') AND ref NOT IN (?, ?, ?, ?) LIMIT 3", refs.slice(0, 4))).rows.map((r) => String(r.ref));
  for (const ref of finished) assert.equal((await changeStatus(ref, officer, { to: 'open' }, settings, at(231))).ok, true, `reopened ${ref}`);
  // Re-categorise and delete: no action does either yet, so straight writes with countChangeStatements in the same batch.
  const recategorised = (await findCase(refs[20]!))!;
  await database.writer.batch([
    { sql: "UPDATE cases SET category_id = 'vandalism', priority = 'P2', channel = 'phone' WHERE id = ?", args: [recategorised.id] },
    ...countChangeStatements(recategorised, { ...recategorised, categoryId: 'vandalism', priority: 'P2', channel: 'phone' }),
  ]);
  const deleted = (await database.client.execute("SELECT id FROM cases c WHERE NOT EXISTS (SELECT 1 FROM referrals r WHERE r.case_id = c.id) AND incident_id IS NULL AND ref NOT IN (?, ?, ?, ?) LIMIT 1", refs.slice(0, 4))).rows[0]!;
  const gone = (await findCase(String(deleted.id)))!;
  await database.writer.batch([
    { sql: 'DELETE FROM case_events WHERE case_id = ?', args: [gone.id] },
    { sql: 'DELETE FROM attachments WHERE case_id = ?', args: [gone.id] },
    { sql: 'DELETE FROM cases WHERE id = ?', args: [gone.id] },
    ...countChangeStatements(gone, null),
  ]);
  // Retention: the cases closed long ago lose their personal data; their counts stay.
  assert.ok((await anonymiseExpiredCases(config.partnership.retentionDays, uploads, at(0) + (config.partnership.retentionDays.closedCases + 30) * DAY)) >= 1, 'retention anonymised the old closed cases');

  const statuses = await countCases('1');
  for (const s of CASE_STATUSES) assert.ok(statuses[s]! > 0, `the sequence reached every status: ${JSON.stringify(statuses)}`);
  // Flags are not counted by the counters, only read by the flag counts: set some straight when detection set none.
  await database.writer.batch([
    { sql: `UPDATE cases SET flags = '["repeat_reporter","repeat_location"]' WHERE id IN (SELECT id FROM cases c WHERE NOT ${hasItem('flags')} ORDER BY id LIMIT 9)`, args: ['repeat_reporter'] },
    { sql: `UPDATE cases SET flags = '["asb_case_review"]' WHERE id IN (SELECT id FROM cases WHERE flags = '[]' ORDER BY id DESC LIMIT 6)`, args: [] },
    // The month filter's cases: a third received four weeks later (in February), two on the month's edges.
    { sql: 'UPDATE cases SET received_at = received_at + ? WHERE id IN (SELECT id FROM cases ORDER BY id LIMIT 13)', args: [28 * DAY] },
    { sql: 'UPDATE cases SET received_at = ? WHERE id = (SELECT id FROM cases ORDER BY id DESC LIMIT 1)', args: [Date.UTC(2026, 1, 1)] },
    { sql: 'UPDATE cases SET received_at = ? WHERE id = (SELECT id FROM cases ORDER BY id DESC LIMIT 1 OFFSET 1)', args: [Date.UTC(2026, 1, 1) - 1] },
  ]);
  const sample = (await database.client.execute("SELECT category_id, district_id, ward_id, priority, owner_id FROM cases WHERE owner_id IS NOT NULL AND ward_id IS NOT NULL AND status = 'open' LIMIT 1")).rows[0]!;
  const incident = String((await database.client.execute('SELECT incident_id FROM cases WHERE incident_id IS NOT NULL LIMIT 1')).rows[0]!.incident_id);
  const owner = String(sample.owner_id);
  const district = String(sample.district_id);
  const ward = String(sample.ward_id);
  const police: CaseScope = { kind: 'agency', agencyId: 'police', districtIds: [] };
  /** A counted report, written here as the dashboard's pre-aggregates count it (kind report, not duplicate or spam). */
  const counted = "c.kind = 'report' AND (c.resolution_code IS NULL OR c.resolution_code NOT IN ('duplicate', 'spam'))";
  const referralTimes = [at(100), at(240), NOW];

  const filters: [QueueFilter, string, (string | number)[]][] = [
    [{}, '1', []],
    [{ categoryId: 'noise' }, "c.category_id = 'noise'", []],
    [{ districtId: district }, 'c.district_id = ?', [district]],
    [{ wardId: ward }, 'c.ward_id = ?', [ward]],
    [{ priority: String(sample.priority) }, 'c.priority = ?', [String(sample.priority)]],
    [{ channel: 'phone' }, "c.channel = 'phone'", []],
    [{ owner }, 'c.owner_id = ?', [owner]],
    [{ owner: 'unassigned' }, 'c.owner_id IS NULL', []],
    [{ owner, categoryId: String(sample.category_id), channel: 'web' }, "c.owner_id = ? AND c.category_id = ? AND c.channel = 'web'", [owner, String(sample.category_id)]],
    [{ districtId: district, priority: 'P2' }, "c.district_id = ? AND c.priority = 'P2'", [district]],
    [{ scope: { kind: 'district', districtIds: [district] } }, 'c.district_id = ?', [district]],
    [{ scope: { kind: 'district', districtIds: [district] }, owner: 'unassigned' }, 'c.district_id = ? AND c.owner_id IS NULL', [district]],
    [{ scope: police }, "c.referred_agency_id = 'police'", []],
    [{ scope: { kind: 'agency', agencyId: 'asb-team', districtIds: [district] }, categoryId: 'noise' }, "c.referred_agency_id = 'asb-team' AND c.district_id = ? AND c.category_id = 'noise'", [district]],
    [{ scope: { kind: 'none' } }, '0', []],
    [{ overdue: true }, 'c.next_due_at < ?', [at(240)]],
    [{ overdue: true, scope: { kind: 'district', districtIds: [district] } }, 'c.next_due_at < ? AND c.district_id = ?', [at(240), district]],
    [{ overdue: true, owner: 'unassigned', flag: 'repeat_reporter' }, `c.next_due_at < ? AND c.owner_id IS NULL AND ${hasItem('flags')}`, [at(240), 'repeat_reporter']],
    [{ flag: 'repeat_reporter' }, hasItem('flags'), ['repeat_reporter']],
    [{ flag: 'repeat_location', wardId: ward }, `${hasItem('flags')} AND c.ward_id = ?`, ['repeat_location', ward]],
    [{ flag: 'asb_case_review', scope: police }, `${hasItem('flags')} AND c.referred_agency_id = 'police'`, ['asb_case_review']],
    [{ flag: 'not_a_flag' }, hasItem('flags'), ['not_a_flag']],
    [{ tag: 'estate-patrol' }, hasItem('tags'), ['estate-patrol']],
    [{ tag: 'cctv', owner }, `${hasItem('tags')} AND c.owner_id = ?`, ['cctv', owner]],
    [{ tag: 'estate-patrol', flag: 'repeat_reporter' }, `${hasItem('tags')} AND ${hasItem('flags')}`, ['estate-patrol', 'repeat_reporter']],
    [{ incidentId: incident }, 'c.incident_id = ?', [incident]],
    [{ incidentId: incident, overdue: true }, 'c.incident_id = ? AND c.next_due_at < ?', [incident, at(240)]],
    // A London month of receipt, alone and with each kind of filter and scope (January is on GMT: months start at UTC midnight).
    [{ month: '2026-01' }, 'c.received_at >= ? AND c.received_at < ?', [JAN, FEB]],
    [{ month: '2026-02' }, 'c.received_at >= ? AND c.received_at < ?', [FEB, MAR]],
    [{ month: '2025-12' }, '0', []],
    [{ month: '2026-02', wardId: ward }, 'c.received_at >= ? AND c.received_at < ? AND c.ward_id = ?', [FEB, MAR, ward]],
    [{ month: '2026-01', categoryId: 'noise', priority: 'P2' }, "c.received_at >= ? AND c.received_at < ? AND c.category_id = 'noise' AND c.priority = 'P2'", [JAN, FEB]],
    [{ month: '2026-02', owner }, 'c.received_at >= ? AND c.received_at < ? AND c.owner_id = ?', [FEB, MAR, owner]],
    [{ month: '2026-02', owner: 'unassigned', scope: { kind: 'district', districtIds: [district] } }, 'c.received_at >= ? AND c.received_at < ? AND c.owner_id IS NULL AND c.district_id = ?', [FEB, MAR, district]],
    [{ month: '2026-01', scope: police }, "c.received_at >= ? AND c.received_at < ? AND c.referred_agency_id = 'police'", [JAN, FEB]],
    [{ month: '2026-02', overdue: true }, 'c.received_at >= ? AND c.received_at < ? AND c.next_due_at < ?', [FEB, MAR, at(240)]],
    [{ month: '2026-01', flag: 'repeat_reporter' }, `c.received_at >= ? AND c.received_at < ? AND ${hasItem('flags')}`, [JAN, FEB, 'repeat_reporter']],
    [{ month: '2026-02', incidentId: incident }, 'c.received_at >= ? AND c.received_at < ? AND c.incident_id = ?', [FEB, MAR, incident]],
    // A range of months (a hot-spot's period), and the reports the figures count: feedback, duplicates and spam left out.
    [{ month: '2026-01', until: '2026-02' }, 'c.received_at >= ? AND c.received_at < ?', [JAN, MAR]],
    [{ month: '2026-01', until: '2026-02', wardId: ward }, 'c.received_at >= ? AND c.received_at < ? AND c.ward_id = ?', [JAN, MAR, ward]],
    [{ month: '2026-01', until: '2026-02', counted: true }, `c.received_at >= ? AND c.received_at < ? AND ${counted}`, [JAN, MAR]],
    [{ month: '2026-01', counted: true, wardId: ward, categoryId: String(sample.category_id) }, `c.received_at >= ? AND c.received_at < ? AND ${counted} AND c.ward_id = ? AND c.category_id = ?`, [JAN, FEB, ward, String(sample.category_id)]],
    [{ month: '2026-01', until: '2026-02', counted: true, wardId: ward, owner: 'unassigned' }, `c.received_at >= ? AND c.received_at < ? AND ${counted} AND c.ward_id = ? AND c.owner_id IS NULL`, [JAN, MAR, ward]],
    [{ month: '2026-01', until: '2026-02', counted: true, overdue: true }, `c.received_at >= ? AND c.received_at < ? AND ${counted} AND c.next_due_at < ?`, [JAN, MAR, at(240)]],
    // P1 and P2 together (the tasking list's high-priority lines), from the counters and with the other sources.
    [{ priority: 'high' }, "c.priority IN ('P1', 'P2')", []],
    [{ priority: 'high', wardId: ward, owner: 'unassigned' }, "c.priority IN ('P1', 'P2') AND c.ward_id = ? AND c.owner_id IS NULL", [ward]],
    [{ priority: 'high', overdue: true }, "c.priority IN ('P1', 'P2') AND c.next_due_at < ?", [at(240)]],
    [{ priority: 'high', month: '2026-01' }, "c.priority IN ('P1', 'P2') AND c.received_at >= ? AND c.received_at < ?", [JAN, FEB]],
  ];
  assert.ok(Object.values(await countCases("c.priority IN ('P1', 'P2')")).some((n) => n > 0) && Object.values(await countCases("c.priority NOT IN ('P1', 'P2')")).some((n) => n > 0), 'cases at P1 or P2 and others');
  const total = async (where: string, args: (string | number)[]) => Object.values(await countCases(where, args)).reduce((a, b) => a + b, 0);
  assert.ok((await total(`c.received_at >= ? AND c.received_at < ? AND NOT (${counted})`, [JAN, MAR])) > 0, 'feedback, duplicates or spam among the range\'s cases');
  for (const month of [[JAN, FEB], [FEB, MAR]] as const) {
    const inMonth = Object.values(await countCases('c.received_at >= ? AND c.received_at < ?', [...month])).reduce((a, b) => a + b, 0);
    assert.ok(inMonth > 0, `cases were received in the month from ${new Date(month[0]).toISOString()}`);
  }
  for (const [filter, where, args] of filters) {
    const want = await countCases(where, args);
    assert.deepEqual(await countByStatus({ ...filter, status: 'closed' }, at(240)), want, JSON.stringify(filter));
    assert.deepEqual(await countByStatusOnView(filter, at(240)), want, `on view: ${JSON.stringify(filter)}`);
  }
  // The lists: each sort pages (ten rows at a time) through exactly the month's (or P1 and P2) cases, once each.
  const listed: [QueueFilter, string, (string | number)[]][] = [
    [{ status: 'all', month: '2026-02' }, 'c.received_at >= ? AND c.received_at < ?', [FEB, MAR]],
    [{ status: 'active', month: '2026-01', wardId: ward }, `c.received_at >= ? AND c.received_at < ? AND c.ward_id = ? AND c.status IN (${ACTIVE_STATUSES.map(() => '?').join(', ')})`, [JAN, FEB, ward, ...ACTIVE_STATUSES]],
    [{ status: 'active', month: '2026-02', overdue: true }, `c.received_at >= ? AND c.received_at < ? AND c.next_due_at < ? AND c.status IN (${ACTIVE_STATUSES.map(() => '?').join(', ')})`, [FEB, MAR, at(240), ...ACTIVE_STATUSES]],
    [{ status: 'all', month: '2026-01', until: '2026-02', counted: true }, `c.received_at >= ? AND c.received_at < ? AND ${counted}`, [JAN, MAR]],
    [{ status: 'all', month: '2026-01', until: '2026-02', counted: true, wardId: ward }, `c.received_at >= ? AND c.received_at < ? AND ${counted} AND c.ward_id = ?`, [JAN, MAR, ward]],
    [{ status: 'active', priority: 'high' }, `c.priority IN ('P1', 'P2') AND c.status IN (${ACTIVE_STATUSES.map(() => '?').join(', ')})`, [...ACTIVE_STATUSES]],
  ];
  for (const [filter, where, args] of listed) {
    const want = (await database.client.execute({ sql: `SELECT id FROM cases c WHERE ${where}`, args })).rows.map((r) => String(r.id)).sort();
    assert.ok(want.length > 0, `cases to list: ${JSON.stringify(filter)}`);
    for (const sort of QUEUE_SORTS) {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof listQueue>> = await listQueue(filter, sort, cursor, at(240), 10);
        ids.push(...page.rows.map((r) => r.id));
        cursor = page.next;
      } while (cursor);
      assert.deepEqual(ids.sort(), want, `${sort}: ${JSON.stringify(filter)}`);
    }
  }
  let overdueReferrals = 0;
  for (const now of referralTimes) {
    const want = await countCases(referralOverdue, [now, now]);
    overdueReferrals += Object.values(want).reduce((a, b) => a + b, 0);
    assert.deepEqual(await countByStatus({ referralOverdue: true }, now), want, `referral overdue at ${now}`);
    assert.deepEqual(await countByStatus({ referralOverdue: true, scope: police }, now), await countCases(`${referralOverdue} AND c.referred_agency_id = 'police'`, [now, now]), `referral overdue, police, at ${now}`);
  }
  assert.ok(overdueReferrals > 0, 'some referrals went overdue');

  // The counters as kept equal a rebuild from the cases.
  const kept = await allLines();
  assert.ok(kept.every((t) => t.length > 0), 'every counter table has rows');
  await database.writer.transaction((tx) => tx.batch(rebuildQueueCountStatements()));
  assert.deepEqual(await allLines(), kept);
});

test('the counts the counters cannot answer read only their partial covering index', async () => {
  const plan = async (filter: QueueFilter) => {
    const { queueCountSql } = await import('../../src/domains/cases/queue.ts');
    const { sql, args } = queueCountSql(filter, NOW)!;
    return (await database.client.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args })).rows.map((r) => String(r.detail)).join('; ');
  };
  assert.match(await plan({ overdue: true, owner: 'unassigned', categoryId: 'noise' }), /COVERING INDEX cases_due_facets/);
  assert.match(await plan({ flag: 'asb_case_review', wardId: 'saltings', tag: 'x' }), /COVERING INDEX cases_flag_asb_case_review_facets/);
  assert.match(await plan({ tag: 'estate-patrol', scope: { kind: 'agency', agencyId: 'police', districtIds: ['eastmere'] } }), /COVERING INDEX cases_tagged_facets/);
  assert.match(await plan({ referralOverdue: true }), /COVERING INDEX cases_referral_due_facets/);
  assert.match(await plan({ referralOverdue: true, scope: { kind: 'agency', agencyId: 'police', districtIds: [] } }), /COVERING INDEX cases_referral_due_facets/);
  assert.match(await plan({ incidentId: 'x', flag: 'repeat_reporter' }), /INDEX cases_incident/);
});

test('queueCountStatements: nothing when no counted field changes; a status move between groups and an owner change touch only their tables', () => {
  const c = { status: 'open', categoryId: 'noise', districtId: 'eastmere', wardId: 'saltings', priority: 'P3', channel: 'web', ownerId: 'u1', referredAgencyId: null };
  const tables = (stmts: ReturnType<typeof queueCountStatements>) => stmts.map((s) => (typeof s === 'string' ? s : s.sql).split(' ')[2]);
  assert.deepEqual(queueCountStatements(c, { ...c }), []);
  assert.deepEqual(tables(queueCountStatements(null, c)), ['queue_active_counts', 'queue_active_owner_counts']);
  assert.deepEqual(tables(queueCountStatements(c, { ...c, status: 'resolved' })), ['queue_active_counts', 'queue_finished_counts', 'queue_active_owner_counts', 'queue_finished_owner_counts']);
  assert.deepEqual(tables(queueCountStatements(c, { ...c, ownerId: null })), ['queue_active_owner_counts', 'queue_active_owner_counts']);
  assert.deepEqual(tables(queueCountStatements({ ...c, status: 'closed' }, null)), ['queue_finished_counts', 'queue_finished_owner_counts']);
});

test('the start-up check rebuilds only the counters that disagree with the cases (a new counter table, or drift), and leaves agreeing ones alone', async () => {
  assert.deepEqual(await ensureQueueCounts(), []);
  const before = await allLines();
  await getDatabase().writer.batch([{ sql: 'DELETE FROM queue_active_counts', args: [] }, { sql: 'DELETE FROM queue_active_owner_counts', args: [] }]);
  assert.deepEqual(await ensureQueueCounts(), ['active'], 'the tables a migration adds are filled at start');
  assert.deepEqual(await allLines(), before);
  await getDatabase().writer.transaction((tx) => tx.batch([{ sql: "UPDATE queue_finished_owner_counts SET n = n + 1 WHERE status = 'closed' AND n > 0", args: [] }]));
  assert.deepEqual(await ensureQueueCounts(), ['finished']);
  assert.deepEqual(await allLines(), before);

  const dueTimes = async () => (await getDatabase().client.execute('SELECT id, referral_due_at FROM cases WHERE referral_due_at IS NOT NULL ORDER BY id')).rows.map((r) => `${String(r.id)}:${String(r.referral_due_at)}`);
  const due = await dueTimes();
  assert.ok(due.length > 0, 'some cases have an open referral with a due time');
  await getDatabase().writer.batch([{ sql: 'UPDATE cases SET referral_due_at = NULL', args: [] }]);
  await ensureQueueCounts();
  assert.deepEqual(await dueTimes(), due, 'the referral due times a migration adds are filled at start, as the referral actions keep them');
});
