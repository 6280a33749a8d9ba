/** SMART targets: the RAG rule in words, with worked examples, and the targets configuration validated by zod. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judgeTarget, measureValue } from '../../src/domains/insight/targets.ts';
import { parsePeriod, previousPeriod, type DashboardFigures } from '../../src/domains/insight/dashboard.ts';
import { loadSiteConfig, type MeasureTarget } from '../../src/platform/config/partnership.ts';
import { londonTime } from '../../src/platform/time/london.ts';

const ack: MeasureTarget = { id: 'ack', measure: 'acknowledge_met', description: 'Acknowledge 95% of reports in time', target: 95, direction: 'at_least', period: 'month', deadline: '2027-03-31' };
const abandoned: MeasureTarget = { id: 'calls', measure: 'calls_abandoned', description: 'Keep abandoned calls to 5% or fewer', target: 5, direction: 'at_most', period: 'month', deadline: '2027-03-31' };
const now = londonTime(2026, 11, 15, 12);
const afterDeadline = londonTime(2027, 4, 1, 9);

test('at least 95%: 96% is On track; 90% (within a tenth: 9.5 points) is At risk; 80% worse than last period is Off track; 80% improving on 70% is At risk', () => {
  assert.deepEqual([judgeTarget(ack, 96, 90, now).status, judgeTarget(ack, 96, 90, now).progress], ['On track', 100]);
  assert.equal(judgeTarget(ack, 96, 90, now).reason, '96% meets the target of at least 95%.');
  const close = judgeTarget(ack, 90, 99, now);
  assert.deepEqual([close.status, close.progress], ['At risk', 95]);
  assert.match(close.reason, /within a tenth/);
  const worse = judgeTarget(ack, 80, 85, now);
  assert.deepEqual([worse.status, worse.progress], ['Off track', 84]);
  assert.equal(worse.reason, '80% misses the target of at least 95% by more than a tenth, and is no better than the previous period (85%).');
  const better = judgeTarget(ack, 80, 70, now);
  assert.equal(better.status, 'At risk');
  assert.match(better.reason, /better than the previous period \(70%\)/);
});

test('at most 5% abandoned: 4% On track; 5.4% At risk (within 0.5); 8% no better than 8% Off track; after the deadline a miss is Off track whatever the trend', () => {
  assert.equal(judgeTarget(abandoned, 4, null, now).status, 'On track');
  assert.equal(judgeTarget(abandoned, 5.4, 9, now).status, 'At risk');
  const flat = judgeTarget(abandoned, 8, 8, now);
  assert.deepEqual([flat.status, flat.progress], ['Off track', 63]);
  const late = judgeTarget(abandoned, 5.4, 9, afterDeadline);
  assert.equal(late.status, 'Off track');
  assert.equal(late.reason, 'The deadline (2027-03-31) has passed with 5.4% against a target of at most 5%.');
  assert.equal(judgeTarget(abandoned, 4, null, afterDeadline).status, 'On track', 'meeting the target after the deadline is still on track');
});

test('nothing to measure is At risk with the reason in words, never a colour alone', () => {
  const none = judgeTarget(ack, null, 90, now);
  assert.deepEqual([none.status, none.progress], ['At risk', null]);
  assert.equal(none.reason, 'Nothing to measure in this period yet; the target is at least 95%.');
});

test('measure values come from the dashboard figures: timer rates, shares and medians', () => {
  const period = parsePeriod('2026-10')!;
  const f: DashboardFigures = {
    period, previous: previousPeriod(period), lastYear: parsePeriod('2025-10')!, total: { current: 40, previous: 30, lastYear: 20 }, byCategory: [], byWard: [], byDistrict: [], byMonth: [], channels: [],
    timers: [{ priority: 'P1', timer: 'acknowledge', due: 10, met: 9 }, { priority: 'P3', timer: 'acknowledge', due: 30, met: 27 }, { priority: 'P3', timer: 'resolve', due: 0, met: 0 }],
    medianAcknowledgeMs: 5_400_000, medianResolveMs: 3 * 86_400_000, referrals: [{ agencyId: 'police', label: 'Police', sent: 8, acknowledged: 7, onTime: 6, medianAcknowledgeMs: 1 }],
    repeatVictims: 2, caseReviews: 1, calls: { handled: 19, abandoned: 1 }, consultations: [{ id: 'a', title: 'A', responses: 12 }],
  };
  assert.equal(measureValue('acknowledge_met', f), 90);
  assert.equal(measureValue('resolve_met', f), null, 'no resolve timer fell due');
  assert.equal(measureValue('median_acknowledge_hours', f), 1.5);
  assert.equal(measureValue('median_resolve_days', f), 3);
  assert.equal(measureValue('referrals_acknowledged_on_time', f), 75);
  assert.equal(measureValue('calls_abandoned', f), 5);
  assert.equal(measureValue('consultation_responses', f), 12);
  assert.equal(measureValue('reports', f), 40);
});

test('periods: a month, a quarter, the one before and the same one last year, bounded in London time', () => {
  const q = parsePeriod('2026-Q1')!;
  assert.deepEqual([q.months, q.from, q.to], [['2026-01', '2026-02', '2026-03'], londonTime(2026, 1, 1, 0), londonTime(2026, 4, 1, 0)]);
  assert.equal(previousPeriod(q).id, '2025-Q4');
  assert.equal(previousPeriod(parsePeriod('2026-01')!).id, '2025-12');
  assert.equal(parsePeriod('2026-13'), null);
  assert.equal(parsePeriod('2026-Q5'), null);
});

test('the demo targets configuration is valid, and the schema refuses an unknown measure', () => {
  const config = loadSiteConfig('content');
  assert.ok(config.targets.measures.length >= 4);
  assert.ok(config.targets.measures.every((t) => t.period === 'month' || t.period === 'quarter'));
  const dir = mkdtempSync(join(tmpdir(), 'saferline-targets-'));
  try {
    cpSync('content', dir, { recursive: true });
    const targets = JSON.parse(readFileSync(join(dir, 'config', 'targets.json'), 'utf8'));
    targets.measures[0].measure = 'happiness';
    writeFileSync(join(dir, 'config', 'targets.json'), JSON.stringify(targets));
    assert.throws(() => loadSiteConfig(dir), /targets\.json/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
