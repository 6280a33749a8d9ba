import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openTestDatabase } from '../helpers/db.ts';
import { getDatabase, type Database } from '../../src/platform/db/client.ts';
import { rebuildQueueCountStatements } from '../../src/domains/cases/queue-counts.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import { londonMonth, londonTime } from '../../src/platform/time/london.ts';
import { createCase, type NewCase } from '../../src/domains/reports/submit.ts';
import { changeStatus, triageCase } from '../../src/domains/cases/actions.ts';
import { actOnReferral, referCase } from '../../src/domains/referrals/actions.ts';
import { addReporterInformation } from '../../src/domains/reports/track.ts';
import { countChangeStatements, ensureCounts, londonMonthSql, rebuildCounts } from '../../src/domains/insight/counts.ts';
import { insertUser, settings } from './cases-fixtures.ts';
import { durationBucket } from '../../src/domains/insight/measures.ts';

let database: Database;
let cleanup: () => Promise<void>;
before(async () => ({ database, cleanup } = await openTestDatabase()));
after(() => cleanup());

const config = loadSiteConfig('content');
const ctx = { config, actor: { kind: 'public' as const, ip: '127.0.0.1' }, publicUrl: 'http://localhost:4321' };
const base: NewCase = { kind: 'report', channel: 'web', categoryId: 'noise', description: 'Loud music', privacy: 'named', reporter: { name: 'Sam', email: 'sam@example.org' }, consentShare: true };

/** Aggregates as sorted "key=n" lines, zero rows left out. */
async function aggregateLines(): Promise<string[]> {
  const r = await database.client.execute('SELECT month, kind, channel, category_id, district_id, ward_id, status, resolution, n FROM insight_counts WHERE n <> 0');
  return r.rows.map((x) => `${[x.month, x.kind, x.channel, x.category_id, x.district_id, x.ward_id, x.status, x.resolution].join('|')}=${x.n}`).sort();
}

/** The narrow pre-aggregates (facets, open counts, measure summaries) as sorted "key=n" lines, zero rows left out. */
async function derivedLines(): Promise<string[]> {
  const f = await database.client.execute("SELECT facet, month, district_id, ward_id, value, n FROM insight_facet_counts WHERE n <> 0");
  const o = await database.client.execute('SELECT district_id, ward_id, priority, n FROM insight_open_counts WHERE n <> 0');
  const m = await database.client.execute("SELECT month, district_id, priority, measure, state, bucket, n FROM insight_measures WHERE state IN ('open_total', 'coarse') AND n <> 0");
  const r = await database.client.execute('SELECT month, state, agency_id, bucket, district_id, n FROM insight_referral_counts WHERE n <> 0');
  return [
    ...r.rows.map((x) => `referral|${[x.month, x.state, x.agency_id, x.bucket, x.district_id].join('|')}=${x.n}`),
    ...f.rows.map((x) => `facet|${[x.facet, x.month, x.district_id, x.ward_id, x.value].join('|')}=${x.n}`),
    ...o.rows.map((x) => `open|${[x.district_id, x.ward_id, x.priority].join('|')}=${x.n}`),
    ...m.rows.map((x) => `measure|${[x.month, x.district_id, x.priority, x.measure, x.state, x.bucket].join('|')}=${x.n}`),
  ].sort();
}

/**
 * The same, counted independently: the facets by a plain GROUP BY over the counted reports (months from london.ts),
 * the open counts over the open cases, the referral counts over the referrals and their cases, the measure summaries
 * from the fine rows (checked against the raw cases by the dashboard's integration test).
 */
async function independentDerivedLines(): Promise<string[]> {
  const rows = (await database.client.execute("SELECT received_at, coalesce(district_id, '') d, coalesce(ward_id, '') w, coalesce(category_id, '') c, channel, kind, coalesce(resolution_code, '') res FROM cases")).rows;
  const tally = new Map<string, number>();
  const add = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);
  for (const x of rows) {
    if (x.kind !== 'report' || x.res === 'duplicate' || x.res === 'spam') continue;
    const month = londonMonth(Number(x.received_at));
    add(`facet|category|${month}|${x.d}||${x.c}`);
    add(`facet|channel|${month}|${x.d}||${x.channel}`);
    add(`facet|ward|${month}|${x.d}|${x.w}|`);
    add(`facet|ward_category|${month}|${x.d}|${x.w}|${x.c}`);
  }
  const open = await database.client.execute("SELECT coalesce(district_id, '') d, coalesce(ward_id, '') w, coalesce(priority, '') p, count(*) n FROM cases WHERE status NOT IN ('resolved', 'closed') GROUP BY 1, 2, 3");
  const referrals = (await database.client.execute("SELECT r.sent_at, r.acknowledged_at, r.acknowledge_due_at, r.agency_id, coalesce(c.district_id, '') d FROM referrals r JOIN cases c ON c.id = r.case_id")).rows;
  for (const x of referrals) {
    const key = (state: string, bucket: number) => `referral|${londonMonth(Number(x.sent_at))}|${state}|${x.agency_id}|${bucket}|${x.d}`;
    add(key('sent', 0));
    if (x.acknowledged_at == null) continue;
    const bucket = durationBucket(Number(x.acknowledged_at) - Number(x.sent_at));
    add(key('ack', bucket));
    add(key('ack_coarse', Math.floor(bucket / 24)));
    if (Number(x.acknowledged_at) <= Number(x.acknowledge_due_at)) add(key('on_time', 0));
  }
  const summaries = await database.client.execute(
    "SELECT month, district_id, priority, measure, 'open_total' AS state, 0 AS bucket, sum(n) AS n FROM insight_measures WHERE state = 'open' GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 " +
      "UNION ALL SELECT month, district_id, priority, measure, 'coarse', bucket / 24, sum(n) FROM insight_measures WHERE state = '' GROUP BY 1, 2, 3, 4, 6 HAVING sum(n) <> 0",
  );
  return [
    ...[...tally].map(([k, n]) => `${k}=${n}`),
    ...open.rows.map((x) => `open|${[x.d, x.w, x.p].join('|')}=${x.n}`),
    ...summaries.rows.map((x) => `measure|${[x.month, x.district_id, x.priority, x.measure, x.state, x.bucket].join('|')}=${x.n}`),
  ].sort();
}

/** The independent count: for each London month (bounds from london.ts), a plain GROUP BY over the cases table. */
async function independentLines(): Promise<string[]> {
  const months = (await database.client.execute('SELECT received_at FROM cases')).rows.map((r) => londonMonth(Number(r.received_at)));
  const lines: string[] = [];
  for (const month of new Set(months)) {
    const [y, m] = month.split('-').map(Number) as [number, number];
    const from = londonTime(y, m, 1, 0);
    const to = m === 12 ? londonTime(y + 1, 1, 1, 0) : londonTime(y, m + 1, 1, 0);
    const r = await database.client.execute({
      sql: `SELECT kind, channel, coalesce(category_id, '') c, coalesce(district_id, '') d, coalesce(ward_id, '') w, status, coalesce(resolution_code, '') res, count(*) n
            FROM cases WHERE received_at >= ? AND received_at < ? GROUP BY 1, 2, 3, 4, 5, 6, 7`,
      args: [from, to],
    });
    for (const x of r.rows) lines.push(`${[month, x.kind, x.channel, x.c, x.d, x.w, x.status, x.res].join('|')}=${x.n}`);
  }
  return lines.sort();
}

test('the London month in SQL agrees with london.ts either side of every month boundary of two years', async () => {
  const instants: number[] = [];
  for (const y of [2026, 2027]) {
    for (let m = 1; m <= 12; m++) {
      const start = londonTime(y, m, 1, 0);
      for (const d of [-3_600_001, -3_600_000, -1, 0, 1, 3_599_999, 3_600_000]) instants.push(start + d);
    }
  }
  const values = instants.map((t) => `(${t})`).join(',');
  const r = await database.client.execute(`WITH t(at) AS (VALUES ${values}) SELECT at, ${londonMonthSql('at')} AS month FROM t`);
  for (const row of r.rows) assert.equal(row.month, londonMonth(Number(row.at)), new Date(Number(row.at)).toISOString());
});

test('countChangeStatements: nothing when no counted field changes; one decrement and one increment when one does', () => {
  const c = { receivedAt: Date.UTC(2026, 5, 1), kind: 'report', channel: 'web', categoryId: 'noise', districtId: 'eastmere', wardId: 'saltings', status: 'new' };
  assert.deepEqual(countChangeStatements(c, { ...c }), []);
  const moved = countChangeStatements(c, { ...c, status: 'resolved', resolutionCode: 'action_taken' });
  const table = (s: (typeof moved)[number]) => (typeof s === 'string' ? s : s.sql).split(' ')[2];
  assert.deepEqual(moved.filter((s) => table(s) === 'insight_counts').map((s) => (typeof s === 'string' ? [] : s.args)), [
    ['2026-06', 'report', 'web', 'noise', 'eastmere', 'saltings', 'new', '', -1],
    ['2026-06', 'report', 'web', 'noise', 'eastmere', 'saltings', 'resolved', 'action_taken', 1],
  ]);
  assert.deepEqual(moved.map(table), ['insight_counts', 'insight_counts', 'queue_active_counts', 'queue_finished_counts', 'queue_active_owner_counts', 'queue_finished_owner_counts', 'insight_open_counts'], 'a case entering a finished status moves between the queue counters and leaves the open counts');
  assert.deepEqual(countChangeStatements(null, c).map((s) => (typeof s === 'string' ? s : s.sql).split(' ')[2]), ['insight_counts', 'insight_report_counts', 'insight_facet_counts', 'queue_active_counts', 'queue_active_owner_counts', 'insight_open_counts'], 'a new report adds to every pre-aggregate and the queue counters');
  const facets = countChangeStatements(c, { ...c, wardId: 'mill-lane' }).find((s) => table(s) === 'insight_facet_counts');
  assert.deepEqual(typeof facets === 'object' ? facets.args : null, ['ward', '2026-06', 'eastmere', 'saltings', '', -1, 'ward_category', '2026-06', 'eastmere', 'saltings', 'noise', -1, 'ward', '2026-06', 'eastmere', 'mill-lane', '', 1, 'ward_category', '2026-06', 'eastmere', 'mill-lane', 'noise', 1], 'a ward change moves only the ward facets, in one statement');
});

test('after a mix of creations (across month boundaries), status changes, referrals and reporter replies the aggregates equal an independent SQL count; a rebuild gives the same', async () => {
  const officer = await insertUser();
  const marchEnd = londonTime(2026, 4, 1, 0) - 30 * 60_000; // 31 March 23:30 London (22:30 UTC)
  const aprilStart = londonTime(2026, 4, 1, 0) + 10 * 60_000; // 1 April 00:10 London, still 31 March in UTC
  const octEnd = londonTime(2026, 11, 1, 0) - 10 * 60_000; // 31 October 23:50 London (GMT)
  const times = [marchEnd, aprilStart, octEnd, Date.UTC(2026, 6, 15, 12)];
  const wards = ['saltings', 'mill-lane', null, 'northgate'];
  const categories = ['noise', 'vandalism', 'drug-dealing', 'fly-tipping'];
  const channels = ['web', 'phone', 'email', 'web'] as const;
  const refs: string[] = [];
  for (let i = 0; i < 16; i++) {
    const created = await createCase({ ...base, wardId: wards[i % 4], categoryId: categories[(i >> 2) % 4], channel: channels[i % 4]!, kind: i === 15 ? 'feedback' : 'report' }, ctx, times[i % 4]! + i);
    refs.push(created.ref);
  }
  assert.deepEqual(await aggregateLines(), await independentLines());
  const now = Date.UTC(2026, 10, 20, 10);
  for (const ref of refs.slice(0, 8)) assert.equal((await changeStatus(ref, officer, { to: 'open' }, settings, now)).ok, true);
  assert.equal((await triageCase(refs[0]!, officer, { risk: 'none', vulnerable: 'no', repeat: 'no', hate: 'no' }, settings, now)).ok, true);
  for (const ref of refs.slice(0, 3)) assert.equal((await changeStatus(ref, officer, { to: 'resolved', resolutionCode: 'advice_given' }, settings, now)).ok, true);
  assert.equal((await changeStatus(refs[3]!, officer, { to: 'closed', resolutionCode: 'duplicate' }, settings, now)).ok, true);
  assert.equal((await changeStatus(refs[1]!, officer, { to: 'open' }, settings, now + 1000)).ok, true, 'reopened');
  assert.equal((await changeStatus(refs[4]!, officer, { to: 'awaiting_reporter' }, settings, now)).ok, true);
  const [row4] = (await database.client.execute({ sql: 'SELECT id FROM cases WHERE ref = ?', args: [refs[4]!] })).rows;
  await addReporterInformation(String(row4!.id), 'More detail', { publicUrl: 'http://localhost', partnership: 'Test', targets: config.targets }, now + 2000);
  const referral = await referCase(refs[5]!, officer, { agencyId: 'asb-team', fields: ['category'] }, { ...settings, config }, now);
  assert.equal(referral.ok, true);
  const partner = { id: 'partner-1', permissions: ['referral.partner' as const], bindsAgency: true, agencyId: 'asb-team' };
  assert.equal((await actOnReferral(referral.ok ? referral.id : '', partner, { action: 'acknowledge', text: '' }, { ...settings, config }, now + 3000)).ok, true);
  const statuses = (await database.client.execute('SELECT status, count(*) n FROM cases GROUP BY status ORDER BY status')).rows.map((r) => `${r.status}:${r.n}`);
  assert.deepEqual(statuses, ['closed:1', 'new:8', 'open:4', 'referred:1', 'resolved:2'], 'the mix really moved cases between statuses');
  const maintained = await aggregateLines();
  assert.deepEqual(maintained, await independentLines());
  const derived = await derivedLines();
  assert.deepEqual(derived, await independentDerivedLines(), 'the facets, open counts and measure summaries kept through the same changes');
  assert.ok(derived.some((l) => l.startsWith('open|')) && derived.some((l) => l.includes('|open_total|')) && derived.some((l) => l.includes('|coarse|')) && derived.some((l) => l.includes('|on_time|')), 'every derived kind present');
  assert.ok(maintained.some((l) => l.startsWith('2026-04|')) && maintained.some((l) => l.startsWith('2026-03|')) && maintained.some((l) => l.startsWith('2026-10|')));
  await database.client.execute('UPDATE insight_counts SET n = n + 5');
  await database.client.execute('UPDATE insight_facet_counts SET n = n + 1');
  assert.ok((await rebuildCounts()) > 0);
  assert.deepEqual(await aggregateLines(), maintained);
  assert.deepEqual(await derivedLines(), derived, 'a rebuild gives the same derived counts');
});

test('ensureCounts backfills only when there are cases and no aggregates', async () => {
  assert.equal(await ensureCounts(), false, 'aggregates already there');
  const before = await aggregateLines();
  await database.client.execute('DELETE FROM insight_counts');
  assert.equal(await ensureCounts(), true);
  assert.deepEqual(await aggregateLines(), before);
});

test('ensureCounts rebuilds the derived counts alone when a deployment adds them (empty) or the open counts drift', async () => {
  const before = await derivedLines();
  const counts = await aggregateLines();
  await database.client.execute('DELETE FROM insight_facet_counts');
  await database.client.execute("DELETE FROM insight_measures WHERE state IN ('open_total', 'coarse')");
  await database.client.execute('DELETE FROM insight_open_counts');
  await database.client.execute('DELETE FROM insight_referral_counts');
  await database.client.execute('UPDATE insight_counts SET n = n + 7');
  assert.equal(await ensureCounts(), true);
  assert.deepEqual(await derivedLines(), before);
  assert.notDeepEqual(await aggregateLines(), counts, 'only the derived counts were rebuilt (the full rebuild would have put insight_counts right)');
  await database.client.execute('UPDATE insight_counts SET n = n - 7');
  await database.client.execute('UPDATE insight_open_counts SET n = n + 1');
  assert.equal(await ensureCounts(), true, 'open counts that disagree with the open cases are rebuilt');
  assert.deepEqual(await derivedLines(), before);
  assert.equal(await ensureCounts(), false);
});

test('submissions sent at once share one group commit, whose counter upserts of the same rows are added together: every aggregate still equals an independent count and a rebuild', async () => {
  const { writer } = getDatabase();
  const t = Date.UTC(2026, 8, 14, 10);
  const wards = ['saltings', 'mill-lane', 'northgate'];
  const before = { ...writer.stats };
  // 30 reports from the same few places at once: most of their counter rows are shared.
  await Promise.all(Array.from({ length: 30 }, (_, i) => createCase({ ...base, wardId: wards[i % 3], categoryId: i % 2 ? 'noise' : 'vandalism', channel: i % 5 ? 'web' : 'phone' }, ctx, t + i)));
  assert.ok(writer.stats.largestGroup >= 10, `the submissions were group-committed (largest group ${writer.stats.largestGroup})`);
  assert.ok(writer.stats.commits - before.commits < 30, 'fewer commits than submissions');
  assert.deepEqual(await aggregateLines(), await independentLines());
  assert.deepEqual(await derivedLines(), await independentDerivedLines());
  const queue = await queueLines();
  await writer.transaction(async (tx) => void (await tx.batch(rebuildQueueCountStatements())));
  assert.deepEqual(await queueLines(), queue, 'the queue counters equal a rebuild');
});

/** The queue's counter tables as sorted lines, zero rows left out. */
async function queueLines(): Promise<string[]> {
  const out: string[] = [];
  for (const table of ['queue_active_counts', 'queue_active_owner_counts', 'queue_finished_counts', 'queue_finished_owner_counts']) {
    const r = await database.client.execute(`SELECT * FROM ${table} WHERE n <> 0`);
    out.push(...r.rows.map((x) => `${table}|${Object.entries(x).map(([k, v]) => `${k}:${String(v)}`).join('|')}`));
  }
  return out.sort();
}
