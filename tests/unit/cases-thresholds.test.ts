import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectFlags, detectThresholds, flagsAddedBy, holdsFlagsAddedBy, sixMonthsBefore, type ThresholdCase } from '../../src/domains/cases/thresholds.ts';
import { seededRandom } from '../../src/platform/seeded-random.ts';
import { newestOf } from '../../src/domains/cases/actions.ts';
import { settledByNewest } from '../../src/domains/cases/detect.ts';

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

test('an arrival can add to an earlier case only the flags it shares a reporter, or a category and place, for; spam adds none', () => {
  const earlier = c({ reporterId: 'r1', postcode: 'HM1 2AB' });
  assert.deepEqual(flagsAddedBy(c({ reporterId: 'r1', postcode: 'HM9 9ZZ', categoryId: 'vandalism', receivedAt: now }), earlier), ['repeat_reporter']);
  assert.deepEqual(flagsAddedBy(c({ reporterId: 'r2', postcode: 'hm12ab', receivedAt: now }), earlier), ['repeat_location', 'asb_case_review']);
  assert.deepEqual(flagsAddedBy(c({ reporterId: 'r1', postcode: 'HM9 9ZZ', receivedAt: now }), earlier), ['repeat_reporter', 'asb_case_review']);
  assert.deepEqual(flagsAddedBy(c({ reporterId: 'r2', postcode: 'HM1 2AB', categoryId: 'vandalism', receivedAt: now }), earlier), []);
  assert.deepEqual(flagsAddedBy(c({ reporterId: 'r1', postcode: 'HM1 2AB', resolutionCode: 'spam', receivedAt: now }), earlier), []);
  // every flag the arrival adds is one a full recount of the earlier case with the arrival gives it
  const third = c({ reporterId: 'r3', postcode: 'HM1 2AB', receivedAt: now - 2 * DAY });
  const arrival = c({ reporterId: 'r2', postcode: 'HM1 2AB', receivedAt: now });
  const recount = detectThresholds(earlier, [third, arrival], now).flags;
  for (const flag of flagsAddedBy(arrival, earlier)) assert.ok(recount.includes(flag), flag);
});

test('holdsFlagsAddedBy answers as "every flag of flagsAddedBy is held", over many seeded random pairs and held flags', () => {
  const random = seededRandom(41);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const flags = ['repeat_reporter', 'repeat_location', 'asb_case_review'];
  const make = (id: string): ThresholdCase => ({
    id, ref: id, receivedAt: now,
    reporterId: pick([null, 'a', 'b']),
    categoryId: pick([null, 'noise', 'vandalism']),
    postcode: pick([null, 'HM1 2AB', 'hm12ab', 'HM9 9ZZ']),
    locationText: pick([null, 'Outside the shops on Mill Lane', 'Mill Ln', 'Market Sq']),
    lat: pick([null, 51.5, 51.5005, 51.6]),
    lon: pick([null, -0.1, -0.1005]),
    resolutionCode: pick([null, null, 'spam']),
  });
  let held = 0;
  for (let round = 0; round < 5000; round++) {
    const arrival = make(`a${round}`);
    const earlier = make(`e${round}`);
    const stored = random() < 0.2 ? null : flags.filter(() => random() < 0.6);
    const expected = flagsAddedBy(arrival, earlier).every((f) => stored?.includes(f) ?? false);
    if (expected) held++;
    assert.equal(holdsFlagsAddedBy(arrival, earlier, stored), expected, `round ${round}`);
  }
  // Both answers occur often enough for the comparison to mean something.
  assert.ok(held > 500 && held < 4500, String(held));
});

test('detectFlags gives exactly the flags of detectThresholds, over many seeded random neighbourhoods with duplicates, incidents and spam', () => {
  const random = seededRandom(18);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  for (let round = 0; round < 3000; round++) {
    const size = Math.floor(random() * 8);
    const ids = Array.from({ length: size + 1 }, (_, i) => `r${round}-${i}`);
    const make = (id: string): ThresholdCase => ({
      id, ref: id,
      receivedAt: now - Math.floor(random() * 220) * DAY,
      reporterId: pick([null, 'a', 'b']),
      categoryId: pick([null, 'noise', 'noise', 'vandalism']),
      postcode: pick([null, 'HM1 2AB', 'hm12ab', 'HM9 9ZZ']),
      locationText: pick([null, 'Outside the shops on Mill Lane', 'Market Sq']),
      incidentId: pick([null, null, 'i1', 'i2']),
      duplicateOf: random() < 0.25 ? pick(ids) : null,
      resolutionCode: pick([null, null, null, 'spam']),
    });
    const [subject, ...others] = ids.map(make);
    const expected = detectThresholds({ ...subject!, receivedAt: now }, others, now).flags;
    assert.deepEqual(detectFlags({ ...subject!, receivedAt: now }, others, now), expected, `round ${round}`);
    // Given the reporter's own cases (as the refresh reads them), the scan may stop early and gives the same flags.
    const reporterCases = others.filter((o) => subject!.reporterId != null && o.reporterId === subject!.reporterId);
    assert.deepEqual(detectFlags({ ...subject!, receivedAt: now }, others, now, [], reporterCases), expected, `round ${round} with the reporter's cases`);
  }
});

test('flags settled by a place\'s newest cases are the flags of all its cases, over many seeded random places', () => {
  const random = seededRandom(29);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  let settled = 0;
  for (let round = 0; round < 3000; round++) {
    const size = 1 + Math.floor(random() * 14);
    const ids = Array.from({ length: size + 1 }, (_, i) => `p${round}-${i}`);
    const make = (id: string): ThresholdCase => ({
      id, ref: id,
      receivedAt: now - Math.floor(random() * 220) * DAY,
      reporterId: pick([null, 'a', 'b']),
      categoryId: 'noise',
      postcode: pick(['HM1 2AB', 'hm12ab', 'HM9 9ZZ']),
      incidentId: pick([null, null, 'i1', 'i2']),
      duplicateOf: random() < 0.15 ? pick(ids) : null,
      resolutionCode: pick([null, null, null, 'spam']),
    });
    const [first, ...others] = ids.map(make);
    // One round in four, the case is a duplicate of another (as when a recount follows marking it), older than the newest read.
    const subject = { ...first!, receivedAt: now, ...(round % 4 === 0 ? { duplicateOf: pick(ids.slice(1)) } : {}) };
    const reporterCases = others.filter((o) => subject.reporterId != null && o.reporterId === subject.reporterId);
    // As detectCaseFlags reads them: the newest k of the place, then the reporter's cases not among them.
    const newest = [...others].sort((x, y) => y.receivedAt - x.receivedAt).slice(0, 1 + Math.floor(random() * size));
    const read = [...newest, ...reporterCases.filter((r) => !newest.includes(r))];
    const flags = detectFlags(subject, read, now, [], reporterCases);
    if (!settledByNewest(subject, flags, read)) continue;
    settled++;
    assert.deepEqual(flags, detectThresholds(subject, others, now).flags, `round ${round}`);
  }
  assert.ok(settled > 300, `only ${settled} rounds were settled by the newest cases`);
});

test('newestOf keeps the newest cases, newest first, leaving one out, whatever order they come in', () => {
  const random = seededRandom(7);
  for (let round = 0; round < 200; round++) {
    const list = Array.from({ length: Math.floor(random() * 120) }, (_, i) => ({ id: `n${i}`, receivedAt: Math.floor(random() * 50) }));
    const expected = list.filter((c) => c.id !== 'n3').sort((x, y) => y.receivedAt - x.receivedAt).slice(0, 50).map((c) => c.receivedAt);
    assert.deepEqual(newestOf(list, 50, 'n3').map((c) => c.receivedAt), expected);
    assert.ok(!newestOf(list, 50, 'n3').some((c) => c.id === 'n3'));
  }
});
