import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectThresholds, sixMonthsBefore, type ThresholdCase } from '../../src/domains/cases/thresholds.ts';

const now = Date.UTC(2026, 10, 23, 12);
const DAY = 86_400_000;
let n = 0;
const c = (over: Partial<ThresholdCase>): ThresholdCase => ({ id: `c${++n}`, ref: `HM-${n}`, receivedAt: now - DAY, categoryId: 'noise', reporterId: null, postcode: null, ...over });

test('same reporter within six months raises repeat_reporter; older does not', () => {
  const subject = c({ reporterId: 'r1', receivedAt: now });
  assert.deepEqual(detectThresholds(subject, [c({ reporterId: 'r1', categoryId: 'vandalism', receivedAt: now - 100 * DAY })], now).flags, ['repeat_reporter']);
  assert.deepEqual(detectThresholds(subject, [c({ reporterId: 'r1', receivedAt: sixMonthsBefore(now) - 1 })], now).flags, []);
  assert.deepEqual(detectThresholds(subject, [c({ reporterId: 'r2' })], now).flags, []);
});

test('same place and category raises repeat_location (postcode or within 150 m); another category does not', () => {
  const subject = c({ postcode: 'HM1 2AB', receivedAt: now });
  assert.deepEqual(detectThresholds(subject, [c({ postcode: 'hm12ab' })], now).flags, ['repeat_location']);
  assert.deepEqual(detectThresholds(subject, [c({ postcode: 'HM1 2AB', categoryId: 'fly-tipping' })], now).flags, []);
  const near = c({ lat: 51.5, lon: -0.1, receivedAt: now });
  assert.deepEqual(detectThresholds(near, [c({ lat: 51.501, lon: -0.1 })], now).flags, ['repeat_location']); // ~111 m
  assert.deepEqual(detectThresholds(near, [c({ lat: 51.503, lon: -0.1 })], now).flags, []); // ~333 m
});

test('places are compared by the one postcode normaliser: text that is not a postcode is never the same place', () => {
  const subject = c({ postcode: 'n/a', receivedAt: now });
  assert.deepEqual(detectThresholds(subject, [c({ postcode: 'N/A' })], now).flags, []);
  assert.deepEqual(detectThresholds(c({ postcode: ' hm1-2ab ', receivedAt: now }), [c({ postcode: 'HM1 2AB' })], now).flags, ['repeat_location']);
});

test('three complaints about the same problem in six months meet the ASB Case Review threshold', () => {
  const subject = c({ reporterId: 'r9', receivedAt: now });
  const two = [c({ reporterId: 'r9', receivedAt: now - 30 * DAY }), c({ reporterId: 'r9', receivedAt: now - 60 * DAY })];
  const r = detectThresholds(subject, two, now);
  assert.equal(r.caseReview, true);
  assert.equal(r.complaintCount, 3);
  assert.deepEqual(r.complaints.map((x) => x.id), [two[1]!.id, two[0]!.id, subject.id]);
  assert.ok(r.flags.includes('asb_case_review'));
});

test('two complaints, or a third outside six months, do not meet the threshold', () => {
  const subject = c({ reporterId: 'r8', receivedAt: now });
  assert.equal(detectThresholds(subject, [c({ reporterId: 'r8' })], now).caseReview, false);
  const r = detectThresholds(subject, [c({ reporterId: 'r8' }), c({ reporterId: 'r8', receivedAt: now - 200 * DAY })], now);
  assert.equal(r.complaintCount, 2);
  assert.equal(r.caseReview, false);
});

test('one incident told to several agencies counts once; duplicates count once; spam does not count', () => {
  const subject = c({ postcode: 'HM2 1AA', receivedAt: now });
  const a = c({ postcode: 'HM2 1AA', incidentId: 'inc1' });
  const b = c({ postcode: 'HM2 1AA', incidentId: 'inc1', reporterId: 'other' });
  const d = c({ postcode: 'HM2 1AA', receivedAt: now - 10 * DAY });
  const dup = c({ postcode: 'HM2 1AA', duplicateOf: d.id });
  const spam = c({ postcode: 'HM2 1AA', resolutionCode: 'spam' });
  const r = detectThresholds(subject, [a, b, d, dup, spam], now);
  assert.equal(r.complaintCount, 3); // subject, incident inc1, d (with its duplicate)
  assert.equal(r.caseReview, true);
  const fewer = detectThresholds(subject, [a, b, dup], now);
  assert.equal(fewer.complaintCount, 3); // the duplicate stands for its original, which is not loaded
  assert.equal(detectThresholds(subject, [a, b], now).complaintCount, 2);
});

test('another category at the same place is a different problem', () => {
  const subject = c({ postcode: 'HM3 1AA', receivedAt: now });
  const r = detectThresholds(subject, [c({ postcode: 'HM3 1AA', categoryId: 'vandalism' }), c({ postcode: 'HM3 1AA', categoryId: 'vandalism' })], now);
  assert.equal(r.complaintCount, 1);
});
