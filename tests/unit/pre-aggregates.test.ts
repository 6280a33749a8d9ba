/**
 * The maintained pre-aggregates against independent counts over the cases table, after a seeded random mix of case
 * changes through the domain functions (creation, triage, status moves, reopening, assignment, referral, duplicates):
 * the queue's finished counters (every filter and scope equals a COUNT(*) over cases), and the dashboard's timer and
 * duration measures (equal to a JavaScript count over the raw rows; the medians within their bucket).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openTestDatabase } from '../helpers/db.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import { seededRandom } from '../../src/platform/seeded-random.ts';
import { createCase, type NewCase } from '../../src/domains/reports/submit.ts';
import { assignCase, changeStatus, markDuplicate, triageCase } from '../../src/domains/cases/actions.ts';
import { referCase } from '../../src/domains/referrals/actions.ts';
import { countByStatus, type QueueFilter } from '../../src/domains/cases/queue.ts';
import { CASE_STATUSES } from '../../src/domains/cases/workflow.ts';
import { ensureCounts, rebuildCounts } from '../../src/domains/insight/counts.ts';
import { bucketMiddleMs, COARSE_WIDTH, durationBucket, histogramMedian, medianRank } from '../../src/domains/insight/measures.ts';
import { countyFigures, dashboardFigures, parsePeriod, type InsightScope } from '../../src/domains/insight/index.ts';
import { insertUser, settings } from './cases-fixtures.ts';

let database: Database;
let cleanup: () => Promise<void>;
before(async () => ({ database, cleanup } = await openTestDatabase()));
after(() => cleanup());

const config = loadSiteConfig('content');
const ctx = { config, actor: { kind: 'public' as const, ip: '127.0.0.1' }, publicUrl: 'http://localhost:4321' };
const HOUR = 3_600_000;
const DAY = 86_400_000;
const START = Date.UTC(2026, 5, 1, 9); // 1 June 2026
const NOW = Date.UTC(2026, 8, 15, 10, 30); // mid-September, when the figures are read

/** The rows of a table's aggregate as sorted "key=n" lines, zero rows left out. */
async function lines(table: string): Promise<string[]> {
  const r = await database.client.execute(`SELECT * FROM ${table} WHERE n <> 0`);
  return r.rows.map((x) => Object.entries(x).map(([k, v]) => `${k}:${String(v)}`).join('|')).sort();
}

/** COUNT(*) over cases per status for a filter (the independent count the counters must equal). */
async function countCases(where: string, args: (string | null)[]): Promise<Record<string, number>> {
  const r = await database.client.execute({ sql: `SELECT status, count(*) AS n FROM cases c WHERE ${where || '1'} GROUP BY status`, args });
  const out: Record<string, number> = Object.fromEntries(CASE_STATUSES.map((s) => [s, 0]));
  for (const x of r.rows) out[String(x.status)] = Number(x.n);
  return out;
}

/** The lower median of a list, or null. */
function lowerMedian(values: number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

test('duration buckets: monotone, the SQL and JavaScript agree, and a median from the histogram is the middle of the exact median\'s bucket', async () => {
  const samples = [-5, 0, 1, 899_999, 900_000, DAY - 1, DAY, DAY + HOUR - 1, 14 * DAY - 1, 14 * DAY, 364 * DAY, 365 * DAY, 900 * DAY];
  let last = -1;
  for (const ms of samples) {
    const b = durationBucket(ms);
    assert.ok(b >= last, `monotone at ${ms}`);
    last = b;
    const { durationBucketSql } = await import('../../src/domains/insight/measures.ts');
    const r = await database.client.execute({ sql: `SELECT ${durationBucketSql('?1')} AS b`, args: [ms] });
    assert.equal(Number(r.rows[0]!.b), b, `SQL bucket of ${ms}`);
  }
  assert.equal(durationBucket(5 * 60_000), 0);
  assert.equal(bucketMiddleMs(durationBucket(5 * 60_000)), 7.5 * 60_000);
  assert.ok(Math.abs(bucketMiddleMs(durationBucket(3 * DAY + 17 * 60_000)) - (3 * DAY + 17 * 60_000)) <= 30 * 60_000);
  const random = seededRandom(7);
  const values = Array.from({ length: 501 }, () => Math.floor(random() * 20 * DAY));
  const histogram = new Map<number, number>();
  for (const v of values) histogram.set(durationBucket(v), (histogram.get(durationBucket(v)) ?? 0) + 1);
  assert.equal(histogramMedian(histogram), bucketMiddleMs(durationBucket(lowerMedian(values)!)));
  assert.equal(histogramMedian(new Map()), null);
  // In two steps, as the dashboard reads it: the coarse histogram finds the slice of fine buckets, then the rank within it.
  for (const n of [1, 2, 3, 501]) {
    const h = new Map<number, number>();
    for (const v of values.slice(0, n)) h.set(durationBucket(v), (h.get(durationBucket(v)) ?? 0) + 1);
    const coarse = new Map<number, number>();
    for (const [b, k] of h) coarse.set(Math.floor(b / COARSE_WIDTH), (coarse.get(Math.floor(b / COARSE_WIDTH)) ?? 0) + k);
    const at = medianRank(coarse)!;
    const slice = new Map([...h].filter(([b]) => Math.floor(b / COARSE_WIDTH) === at.bucket));
    assert.equal(histogramMedian(slice, at.rank - at.below), histogramMedian(h), `two-step median of ${n}`);
  }
  assert.equal(medianRank(new Map()), null);
});

test('after a seeded random mix of case changes, the queue counters equal COUNT(*) over cases for every filter and scope, and the measures equal the raw rows', async () => {
  const random = seededRandom(20261130);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const officers = [await insertUser({}, ['case.read.all', 'case.update', 'case.close', 'case.reopen', 'case.refer', 'case.assign']), await insertUser({}, ['case.read.all', 'case.update'])];
  const officer = officers[0]!;
  const wards = ['saltings', 'mill-lane', 'northgate', 'redcliff', null];
  const categories = ['noise', 'vandalism', 'fly-tipping', 'drug-dealing'];
  const channels = ['web', 'phone', 'email'] as const;
  const base: NewCase = { kind: 'report', channel: 'web', description: 'Loud music late at night', privacy: 'named', consentShare: true };
  const refs: string[] = [];
  for (let i = 0; i < 60; i++) {
    const at = START + Math.floor(random() * 80 * DAY);
    const created = await createCase({ ...base, kind: random() < 0.1 ? 'feedback' : 'report', wardId: pick(wards), categoryId: pick(categories), channel: pick(channels), reporter: { name: 'Sam', email: `r${i}@example.org` } }, ctx, at);
    refs.push(created.ref);
  }
  const receipt = new Map((await database.client.execute('SELECT ref, received_at FROM cases')).rows.map((r) => [String(r.ref), Number(r.received_at)]));
  const answers = [{ risk: 'high', vulnerable: 'yes', repeat: 'no', hate: 'no' }, { risk: 'none', vulnerable: 'no', repeat: 'no', hate: 'no' }] as const;
  let done = 0;
  for (let step = 0; step < 160; step++) {
    const ref = pick(refs);
    const at = receipt.get(ref)! + Math.floor(random() * 20 * DAY) + step;
    const move = random();
    const result = move < 0.2 ? await triageCase(ref, officer, pick(answers), settings, at)
      : move < 0.35 ? await changeStatus(ref, officer, { to: 'open' }, settings, at)
      : move < 0.5 ? await changeStatus(ref, officer, { to: 'resolved', resolutionCode: pick(['advice_given', 'action_taken', 'spam']) }, settings, at)
      : move < 0.6 ? await changeStatus(ref, officer, { to: 'closed', resolutionCode: pick(['no_further_action', 'out_of_scope']) }, settings, at)
      : move < 0.75 ? await assignCase(ref, officer, { ownerId: random() < 0.2 ? null : pick(officers).id }, settings, at)
      : move < 0.85 ? await referCase(ref, officer, { agencyId: pick(['police', 'asb-team']), fields: ['category'] }, { ...settings, config }, at)
      : move < 0.9 ? await markDuplicate(ref, officer, pick(refs), settings, at)
      : await changeStatus(ref, officer, { to: 'awaiting_reporter' }, settings, at);
    if (result.ok) done++;
  }
  assert.ok(done > 60, `enough changes went through (${done})`);
  const statuses = await countCases('', []);
  assert.ok(statuses.resolved! > 3 && statuses.closed! > 3 && statuses.open! > 0, `the mix reached the finished statuses: ${JSON.stringify(statuses)}`);

  // Queue counts: every single facet, a few combinations and every scope kind, against COUNT(*) over cases.
  const sample = (await database.client.execute("SELECT category_id, district_id, ward_id, priority, channel, owner_id, referred_agency_id FROM cases WHERE status IN ('resolved', 'closed') LIMIT 1")).rows[0]!;
  const cases: [QueueFilter, string, (string | null)[]][] = [
    [{}, '', []],
    [{ categoryId: String(sample.category_id) }, 'c.category_id = ?', [String(sample.category_id)]],
    [{ districtId: String(sample.district_id) }, 'c.district_id = ?', [String(sample.district_id)]],
    [{ wardId: String(sample.ward_id) }, 'c.ward_id = ?', [String(sample.ward_id)]],
    [{ priority: String(sample.priority) }, 'c.priority = ?', [String(sample.priority)]],
    [{ channel: 'phone' }, 'c.channel = ?', ['phone']],
    [{ owner: officers[1]!.id }, 'c.owner_id = ?', [officers[1]!.id]],
    [{ owner: 'unassigned' }, 'c.owner_id IS NULL', []],
    [{ owner: officer.id, categoryId: 'noise', channel: 'web' }, 'c.owner_id = ? AND c.category_id = ? AND c.channel = ?', [officer.id, 'noise', 'web']],
    [{ scope: { kind: 'district', districtIds: ['eastmere'] } }, "c.district_id IN ('eastmere')", []],
    [{ scope: { kind: 'agency', agencyId: 'police', districtIds: [] } }, "c.referred_agency_id = 'police'", []],
    [{ scope: { kind: 'agency', agencyId: 'asb-team', districtIds: ['brackenford'] }, wardId: 'mill-lane' }, "c.referred_agency_id = 'asb-team' AND c.district_id IN ('brackenford') AND c.ward_id = 'mill-lane'", []],
    [{ scope: { kind: 'none' } }, '0', []],
  ];
  for (const [filter, where, args] of cases) assert.deepEqual(await countByStatus({ ...filter, status: 'all' }, NOW), await countCases(where, args), JSON.stringify(filter));

  // The measures as maintained equal a rebuild from the cases, and the dashboard's timers and medians the raw rows.
  const tables = ['insight_measures', 'queue_finished_counts', 'queue_finished_owner_counts', 'insight_facet_counts', 'insight_open_counts', 'insight_referral_counts'];
  const maintained = await Promise.all(tables.map(lines));
  const open = await database.client.execute("SELECT coalesce(district_id, '') AS district_id, coalesce(ward_id, '') AS ward_id, coalesce(priority, '') AS priority, count(*) AS n FROM cases WHERE status NOT IN ('resolved', 'closed') GROUP BY 1, 2, 3");
  assert.deepEqual(maintained[4], open.rows.map((x) => `district_id:${String(x.district_id)}|ward_id:${String(x.ward_id)}|priority:${String(x.priority)}|n:${String(x.n)}`).sort(), 'the open counts equal COUNT(*) over the open cases');
  await rebuildCounts();
  assert.deepEqual(await Promise.all(tables.map(lines)), maintained);
  const scope: InsightScope = { districtIds: null, agencyId: null, none: false };
  for (const id of ['2026-06', '2026-07', '2026-Q3']) {
    const period = parsePeriod(id)!;
    const figures = await dashboardFigures(config, scope, period, NOW);
    const county = await countyFigures(config, scope, period, NOW);
    assert.deepEqual(county.at(-1)!.figures, figures, `the county view's total (from its columns' reads) is the dashboard, ${id}`);
    for (const column of county.slice(0, -1)) {
      const alone = await dashboardFigures(config, { districtIds: [column.id], agencyId: null, none: false }, period, NOW);
      assert.deepEqual({ ...column.figures, referrals: [...column.figures.referrals].sort((a, b) => a.label.localeCompare(b.label)) }, { ...alone, consultations: column.figures.consultations }, `column ${column.id}, ${id}`);
    }
    const raw = (await database.client.execute({ sql: "SELECT * FROM cases WHERE kind = 'report' AND coalesce(resolution_code, '') NOT IN ('duplicate', 'spam') AND received_at >= ? AND received_at < ?", args: [period.from, period.to] })).rows;
    const want = new Map<string, { due: number; met: number }>();
    const ack: number[] = [];
    for (const x of raw) {
      if (x.timers == null) continue;
      const t = JSON.parse(String(x.timers)) as Record<string, { dueAt: number; metAt?: number | null } | null> & { priority: string };
      for (const name of ['acknowledge', 'triage', 'update', 'resolve']) {
        const v = want.get(`${t.priority}|${name}`) ?? { due: 0, met: 0 };
        const tm = t[name] as { dueAt: number; metAt?: number | null } | null;
        // The documented rule: a timer not yet met counts once the (UTC) day it fell due has ended.
        if (tm && (tm.metAt != null || tm.dueAt < Math.floor(NOW / DAY) * DAY)) v.due++;
        if (tm && tm.metAt != null && tm.metAt <= tm.dueAt) v.met++;
        want.set(`${t.priority}|${name}`, v);
      }
      if (t.acknowledge?.metAt != null) ack.push(t.acknowledge.metAt - Number(x.received_at));
    }
    assert.deepEqual(new Map(figures.timers.map((f) => [`${f.priority}|${f.timer}`, { due: f.due, met: f.met }])), want, `timers ${id}`);
    const resolve = raw.filter((x) => x.resolved_at != null).map((x) => Number(x.resolved_at) - Number(x.received_at));
    const inBucket = (exact: number | null) => (exact === null ? null : bucketMiddleMs(durationBucket(exact)));
    assert.equal(figures.medianAcknowledgeMs, inBucket(lowerMedian(ack)), `median acknowledge ${id}`);
    assert.equal(figures.medianResolveMs, inBucket(lowerMedian(resolve)), `median resolve ${id}`);
    if (id === '2026-Q3') assert.ok(want.size > 0 && resolve.length > 0, 'the quarter has timers and resolutions');
  }
});

test('the start-up check rebuilds the counters when they disagree with the cases, and leaves them alone when they agree', async () => {
  assert.equal(await ensureCounts(), false);
  const before = await lines('queue_finished_counts');
  await database.client.execute("UPDATE queue_finished_counts SET n = n + 1 WHERE rowid = (SELECT min(rowid) FROM queue_finished_counts WHERE status = 'closed')");
  assert.notDeepEqual(await lines('queue_finished_counts'), before);
  assert.equal(await ensureCounts(), true);
  assert.deepEqual(await lines('queue_finished_counts'), before);
  await database.client.execute('DELETE FROM insight_measures');
  assert.equal(await ensureCounts(), true, 'an empty measures table is backfilled');
  assert.ok((await lines('insight_measures')).length > 0);
});
