import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import { loadAdvicePages, parseAdviceFile, searchAdvice } from '../../src/domains/calls/advice.ts';
import { callsToCsv, csvField } from '../../src/domains/calls/csv.ts';
import { londonDate as londonDay, londonDayStart } from '../../src/platform/time/london.ts';
import { formatDuration, parseDuration, readStartedAt } from '../../src/domains/calls/duration.ts';
import { callReportQuestions, readCallForm } from '../../src/domains/calls/form.ts';
import { caseFromAnswers, readStep } from '../../src/domains/reports/journey.ts';
import { reportQuestion, sharesDetails } from '../../src/domains/reports/questions.ts';
import { classifyLookup } from '../../src/domains/calls/lookup.ts';
import { parseCallFilter } from '../../src/domains/calls/list.ts';
import { REASON_OUTCOMES, REASON_VALUES } from '../../src/domains/calls/reasons.ts';

const config = loadSiteConfig('content');
const NOW = Date.UTC(2026, 10, 23, 14, 0, 0);

/** A call screen form; the call started 30 seconds before NOW unless the fields say otherwise. */
function form(fields: Record<string, string | string[]>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries({ startedAt: String(NOW - 30_000), ...fields })) for (const x of Array.isArray(v) ? v : [v]) f.append(k, x);
  return f;
}

test('durations read m:ss, h:mm:ss, whole seconds and words; out of range is refused', () => {
  assert.equal(parseDuration('4:30'), 270);
  assert.equal(parseDuration('1:02:03'), 3723);
  assert.equal(parseDuration('7'), 7);
  assert.equal(parseDuration('90'), 90);
  assert.equal(parseDuration('2m 5s'), 125);
  assert.equal(parseDuration('45s'), 45);
  assert.equal(parseDuration('abc'), null);
  assert.equal(parseDuration('5:75'), null);
  assert.equal(parseDuration('999'), 999);
  assert.equal(parseDuration('14401'), null);
  assert.equal(formatDuration(270), '4:30');
  assert.equal(formatDuration(3723), '1:02:03');
  assert.equal(readStartedAt(String(NOW - 60_000), NOW), NOW - 60_000);
  assert.equal(readStartedAt('nonsense', NOW), NOW);
  assert.equal(readStartedAt(String(NOW + 3_600_000), NOW), NOW);
});

test('London days follow BST and GMT', () => {
  assert.equal(londonDay(Date.UTC(2026, 6, 1, 23, 30)), '2026-07-02');
  assert.equal(londonDay(Date.UTC(2026, 10, 23, 23, 30)), '2026-11-23');
  assert.equal(londonDayStart('2026-07-02'), Date.UTC(2026, 6, 1, 23, 0));
  assert.equal(londonDayStart('2026-11-23'), Date.UTC(2026, 10, 23, 0, 0));
  assert.equal(londonDayStart('2026-02-30'), null);
});

test('look-up text is read as a reference, an email address, a UK phone number, or a name or street', () => {
  assert.deepEqual(classifyLookup('01234 567890', 'HM'), { kind: 'phone', value: '+441234567890' });
  assert.deepEqual(classifyLookup('+44 (0)1234 567890', 'HM'), { kind: 'phone', value: '+441234567890' });
  assert.deepEqual(classifyLookup('0044-1234-567-890', 'HM'), { kind: 'phone', value: '+441234567890' });
  assert.deepEqual(classifyLookup(' Alex@Example.COM ', 'HM'), { kind: 'email', value: 'alex@example.com' });
  assert.deepEqual(classifyLookup('  Market  Square ', 'HM'), { kind: 'text', value: 'market square' });
  assert.equal(classifyLookup('hi', 'HM'), null);
  assert.equal(classifyLookup('', 'HM'), null);
});

test('every reason offers outcomes, and outcomes are required', () => {
  for (const reason of REASON_VALUES) {
    assert.ok(REASON_OUTCOMES[reason].length > 0);
    const r = readCallForm(form({ reason, startedAt: String(NOW - 30_000), caseRef: 'x' }), config, [], NOW);
    assert.ok(r.errors.some((e) => e.field === `outcome-${reason}` && e.text === 'Select the outcome of the call'), reason);
  }
  const none = readCallForm(form({}), config, [], NOW);
  assert.deepEqual(none.errors.map((e) => e.field), ['reason']);
});

test('a silent call needs only its outcome; the duration comes from the screen-open time unless edited', () => {
  const r = readCallForm(form({ reason: 'silent', 'outcome-silent': 'silent', startedAt: String(NOW - 95_000), duration: '0:00', durationAuto: '0:00' }), config, [], NOW);
  assert.deepEqual(r.errors, []);
  assert.equal(r.draft!.durationS, 95);
  const edited = readCallForm(form({ reason: 'silent', 'outcome-silent': 'abandoned', startedAt: String(NOW - 95_000), duration: '0:20', durationAuto: '1:35' }), config, [], NOW);
  assert.equal(edited.draft!.durationS, 20);
  const bad = readCallForm(form({ reason: 'silent', 'outcome-silent': 'abandoned', duration: 'ages', durationAuto: '0:00' }), config, [], NOW);
  assert.equal(bad.errors[0]!.field, 'duration');
});

test('validation errors keep every typed value', () => {
  const typed = {
    reason: 'new-report',
    callerName: 'Sam Caller',
    callerPhone: '01234 567890',
    callerEmail: 'not-an-email',
    danger: 'no',
    category: 'noise',
    description: 'Loud music every night from number 4.',
    whenKind: 'ongoing',
    whenText: 'Every night',
    postcode: 'ZZ9 9ZZ',
    place: 'Mill Lane',
    affected: 'me',
    before: 'yes',
    privacy: 'named',
    preferredContact: 'phone',
    notes: 'Caller was calm',
    duration: '3:00',
    durationAuto: '0:00',
  };
  const r = readCallForm(form(typed), config, [], NOW);
  assert.equal(r.draft, null);
  assert.ok(r.errors.some((e) => e.field === 'callerEmail'));
  assert.ok(r.errors.some((e) => e.field === 'outcome-new-report'));
  for (const [k, v] of Object.entries(typed)) assert.equal(r.values[k], v, k);
});

test('a caller in danger is told to ring 999 and nothing is logged as a report', () => {
  const r = readCallForm(form({ reason: 'new-report', danger: 'yes' }), config, [], NOW);
  assert.match(r.errors[0]!.text, /ring 999/);
  assert.equal(r.errors[0]!.field, 'danger');
});

test('a named new report needs a way to contact the caller; anonymous does not', () => {
  const base = { reason: 'new-report', 'outcome-new-report': 'case-created', danger: 'no', category: 'noise', description: 'Loud music every night from number 4.', whenKind: 'approx', whenText: 'Last night', place: 'Mill Lane', ward: 'mill-lane', affected: 'me', before: 'no' };
  const named = readCallForm(form({ ...base, privacy: 'named' }), config, [], NOW);
  assert.ok(named.errors.some((e) => e.field === 'callerName'));
  assert.ok(named.errors.some((e) => e.field === 'callerPhone'));
  const anon = readCallForm(form({ ...base, privacy: 'anonymous' }), config, [], NOW);
  assert.deepEqual(anon.errors, []);
  assert.equal(anon.draft!.report!.wardId, 'mill-lane');
  const confidential = readCallForm(form({ ...base, privacy: 'confidential', callerName: 'Sam', callerPhone: '07700 900982', preferredContact: 'phone' }), config, [], NOW);
  assert.ok(confidential.errors.some((e) => e.field === 'consentShare'));
});

test('information requests record published advice only', () => {
  const r = readCallForm(form({ reason: 'info-request', 'outcome-info-request': 'advice-given', advice: ['noise', 'made-up'] }), config, ['noise'], NOW);
  assert.equal(r.errors[0]!.field, 'advice');
  assert.deepEqual(r.advice, ['noise', 'made-up']);
  const none = readCallForm(form({ reason: 'info-request', 'outcome-info-request': 'advice-given' }), config, ['noise'], NOW);
  assert.match(none.errors[0]!.text, /Select the advice you gave/);
  const ok = readCallForm(form({ reason: 'info-request', 'outcome-info-request': 'advice-given', advice: 'noise' }), config, ['noise'], NOW);
  assert.deepEqual(ok.draft!.adviceSlugs, ['noise']);
});

test('angle brackets in a field are ordinary text (output is escaped), control characters are refused', () => {
  const r = readCallForm(form({ reason: 'silent', 'outcome-silent': 'silent', notes: 'He shouted <inaudible> at the door' }), config, [], NOW);
  assert.deepEqual(r.errors, []);
  assert.equal(r.draft!.notes, 'He shouted <inaudible> at the door');
  const bad = readCallForm(form({ reason: 'silent', 'outcome-silent': 'silent', notes: 'bell \u0007 rang' }), config, [], NOW);
  assert.equal(bad.errors[0]!.field, 'notes');
  assert.equal(bad.values.notes, 'bell \u0007 rang');
});

test('advice pages are read from Markdown and searched by title, summary and body', () => {
  const dir = mkdtempSync(join(tmpdir(), 'saferline-advice-'));
  try {
    writeFileSync(join(dir, 'noise.md'), '---\ntitle: "Noisy neighbours"\nsummary: What to do about loud music and parties\norder: 2\ncontacts:\n  - police\n---\n\nKeep a diary of the noise.\n');
    writeFileSync(join(dir, 'fly-tipping.md'), '---\ntitle: Fly-tipping\nsummary: Rubbish dumped in the street\norder: 1\n---\nDo not touch the waste; note vehicle registrations.\n');
    const pages = loadAdvicePages(dir);
    assert.deepEqual(pages.map((p) => p.slug), ['fly-tipping', 'noise']);
    assert.equal(pages[1]!.title, 'Noisy neighbours');
    assert.deepEqual(searchAdvice('loud music', pages).map((h) => h.slug), ['noise']);
    assert.deepEqual(searchAdvice('DIARY', pages).map((h) => h.slug), ['noise']);
    assert.deepEqual(searchAdvice('vehicle', pages).map((h) => h.slug), ['fly-tipping']);
    assert.deepEqual(searchAdvice('', pages).map((h) => h.slug), ['fly-tipping', 'noise']);
    assert.deepEqual(searchAdvice('nothing matches', pages), []);
    assert.equal(parseAdviceFile('x', 'no frontmatter').title, 'x');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CSV fields are quoted and formulas neutralised', () => {
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvField(null), '');
  const csv = callsToCsv([{ id: 'c1', startedAt: NOW, durationS: 90, reason: 'feedback', outcome: 'feedback-logged', handlerId: 'u1', handlerName: 'Cara Calls', caseId: 'k', caseRef: 'HM-AAAA-AAAA', adviceSlugs: [] }]);
  const lines = csv.trimEnd().split('\r\n');
  assert.equal(lines.length, 2);
  assert.match(lines[1]!, /^c1,2026-11-23T14:00:00.000Z,2026-11-23,Cara Calls,feedback,Feedback or complaint,feedback-logged,Feedback or complaint logged,90,HM-AAAA-AAAA,yes,$/);
});

test('call log filters ignore unknown values and report bad dates', () => {
  const { filter, errors } = parseCallFilter(new URLSearchParams('from=2026-11-01&to=2026-10-01&reason=nope&outcome=silent&linked=none&handler=abc'));
  assert.deepEqual(filter, { from: '2026-11-01', to: '2026-10-01', outcome: 'silent', linked: 'none', handlerId: 'abc' });
  assert.equal(errors[0]!.field, 'to');
  assert.equal(parseCallFilter(new URLSearchParams('from=yesterday')).errors[0]!.field, 'from');
});

test('one consent rule for the web and the call screen: named shares, confidential asks, anonymous has nothing to share', () => {
  const base = { reason: 'new-report', 'outcome-new-report': 'case-created', danger: 'no', category: 'noise', description: 'Loud music every night from number 4.', whenKind: 'approx', whenText: 'Last night', place: 'Mill Lane', affected: 'me', before: 'no', callerName: 'Sam', callerPhone: '07700 900982', preferredContact: 'phone' };
  const named = readCallForm(form({ ...base, privacy: 'named', consentShare: 'no' }), config, [], NOW);
  assert.deepEqual(named.errors, []);
  assert.equal(named.draft!.report!.consentShare, true, 'a named caller shares, whatever else was posted');
  const web = readStep('contact', form({ name: 'Sam', phone: '07700 900982', preferredContact: 'phone', consentShare: 'no' }), { privacy: 'named' }, config, NOW);
  assert.deepEqual(web.errors, []);
  assert.equal(caseFromAnswers({ ...web.answers, privacy: 'named' }, 'k').consentShare, true, 'a named web reporter shares too');
  const confidential = readStep('contact', form({ name: 'Sam', phone: '07700 900982', preferredContact: 'phone' }), { privacy: 'confidential' }, config, NOW);
  assert.deepEqual(confidential.errors.map((e) => e.field), ['consentShare'], 'a confidential web reporter is asked');
  assert.deepEqual(readCallForm(form({ ...base, privacy: 'confidential' }), config, [], NOW).errors.map((e) => e.field), ['consentShare'], 'so is a confidential caller');
  assert.deepEqual(callReportQuestions(config).find((q) => q.key === 'consentShare')!.showWhen, reportQuestion(config, 'consentShare').showWhen, 'the call screen asks the web question as defined');
  assert.equal(sharesDetails('anonymous', 'yes'), null);
});
