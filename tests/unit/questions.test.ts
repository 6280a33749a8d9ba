/** The question engine: schemas built from questions, conditional questions, summaries; and the report questions on it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateForm } from '../../src/platform/forms/index.ts';
import { buildQuestionSchema, questionsOnPage, readTime, readUkDate, shownQuestions, summariseAnswers, type Question } from '../../src/platform/questions/index.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import { caseReportRows } from '../../src/domains/reports/summary.ts';
import { reportPageSchema, reportQuestions } from '../../src/domains/reports/questions.ts';

const NOW = Date.UTC(2026, 10, 20, 12, 0);

/** A small survey using every kind of question. */
const SURVEY: Question[] = [
  { type: 'choice', key: 'visited', page: 'one', label: 'Have you visited the park?', options: [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }], required: 'Select yes if you have visited the park' },
  { type: 'multiple', key: 'uses', page: 'one', label: 'What do you use it for?', options: [{ value: 'walk', label: 'Walking' }, { value: 'play', label: 'Play' }], invalid: 'Select what you use the park for', required: 'Select at least one use', showWhen: { key: 'visited', in: ['yes'] } },
  { type: 'text', key: 'why', page: 'two', label: 'Why not?', messageLabel: 'Why not', max: 20, required: 'Enter why not', showWhen: { key: 'visited', in: ['no'] } },
  { type: 'rating', key: 'safe', page: 'two', label: 'How safe do you feel?', points: 5, lowLabel: 'not safe', highLabel: 'very safe', required: 'Select how safe you feel' },
  { type: 'date', key: 'last', page: 'two', label: 'When did you last go?', messages: { required: 'Enter the date', missingDay: 'Date must include a day', missingMonth: 'Date must include a month', missingYear: 'Date must include a year', real: 'Date must be a real date', future: 'Date must be in the past', tooEarly: 'Date must be after 1900' }, summary: { key: 'Last visit' } },
  { type: 'choice', key: 'ward', page: 'two', label: 'Ward', display: 'select', options: [{ value: 'north', label: 'Northgate' }], invalid: 'Select a ward from the list', summary: false },
];

const form = (o: Record<string, string | string[]>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(o)) for (const x of [v].flat()) f.append(k, x);
  return f;
};

test('a schema built from questions reads each kind of answer and refuses bad ones with their messages, in question order', () => {
  const schema = buildQuestionSchema(SURVEY, { now: NOW });
  const ok = validateForm(schema, form({ visited: 'yes', uses: ['walk', 'play'], safe: '4', 'last-day': '1', 'last-month': '11', 'last-year': '2026', ward: 'north' }));
  assert.ok(ok.ok);
  assert.deepEqual(ok.data.uses, ['walk', 'play']);
  assert.equal(ok.data.safe, '4');
  assert.equal((ok.data.last as { at: number }).at, Date.UTC(2026, 10, 1, 12, 0), 'midday in London (GMT in November)');
  assert.equal(ok.data.ward, 'north');

  const bad = validateForm(schema, form({ ward: 'south', safe: '9', 'last-day': '31', 'last-month': '2', 'last-year': '2026' }));
  assert.ok(!bad.ok);
  assert.deepEqual(bad.errors.map((e) => [e.field, e.text]), [
    ['visited', 'Select yes if you have visited the park'],
    ['safe', 'Select how safe you feel'],
    ['last-day', 'Date must be a real date'],
    ['ward', 'Select a ward from the list'],
  ]);
  assert.equal(bad.errors[2]!.href, '#last-day', 'a date error links to its day field');
  const future = validateForm(schema, form({ visited: 'no', why: 'Too far', safe: '1', 'last-day': '1', 'last-month': '1', 'last-year': '2027' }));
  assert.ok(!future.ok);
  assert.deepEqual(future.errors.map((e) => e.text), ['Date must be in the past']);
  const long = validateForm(schema, form({ visited: 'no', why: 'x'.repeat(21), safe: '1', 'last-day': '1', 'last-month': '1', 'last-year': '2026' }));
  assert.ok(!long.ok);
  assert.equal(long.errors[0]!.text, 'Why not must be 20 characters or fewer');
});

test('a conditional question is asked only when an earlier answer matches, on the same page or an earlier one', () => {
  const schema = buildQuestionSchema(SURVEY.slice(0, 3), { now: NOW });
  const no = validateForm(schema, form({ visited: 'no', uses: 'nonsense' }));
  assert.ok(!no.ok);
  assert.deepEqual(no.errors.map((e) => e.field), ['why'], 'uses is not asked (its bad value is ignored); why is');
  const yes = validateForm(schema, form({ visited: 'yes' }));
  assert.ok(!yes.ok);
  assert.deepEqual(yes.errors.map((e) => e.text), ['Select at least one use']);
  const pageTwo = questionsOnPage(SURVEY, 'two');
  assert.deepEqual(shownQuestions(pageTwo, { visited: 'yes' }).map((q) => q.key), ['safe', 'last', 'ward']);
  const earlier = buildQuestionSchema(pageTwo.slice(0, 1), { earlier: { visited: 'no' } });
  const r = validateForm(earlier, form({ why: '' }));
  assert.ok(!r.ok);
  assert.equal(r.errors[0]!.text, 'Enter why not', 'the answer from page one decides page two');
});

test('cross-question checks add messages and derived answers after each question is read', () => {
  const schema = buildQuestionSchema(SURVEY.slice(0, 1), {
    checks: [(a, { fail }) => {
      if (a.visited === 'yes') fail('visited', 'We are only asking people who have not visited');
      a.checked = true;
    }],
  });
  const r = validateForm(schema, form({ visited: 'yes' }));
  assert.ok(!r.ok);
  assert.equal(r.errors[0]!.text, 'We are only asking people who have not visited');
  const ok = validateForm(schema, form({ visited: 'no' }));
  assert.ok(ok.ok);
  assert.equal(ok.data.checked, true);
});

test('answers are summarised as rows, skipping questions not asked or left out', () => {
  const rows = summariseAnswers(SURVEY, { visited: 'yes', uses: ['walk', 'play'], safe: '4', last: { day: '1', month: '11', year: '2026', time: '', at: Date.UTC(2026, 10, 1, 12) }, ward: 'north' });
  assert.deepEqual(rows.map((r) => [r.key, r.value]), [
    ['Have you visited the park?', 'Yes'],
    ['What do you use it for?', 'Walking, Play'],
    ['How safe do you feel?', '4 out of 5'],
    ['Last visit', '1 November 2026'],
  ]);
  assert.equal(rows[0]!.page, 'one');
});

test('the report questions: one definition read page by page, summarised for check answers and for the case page', () => {
  const config = loadSiteConfig('content');
  const keys = reportQuestions(config).map((q) => q.key);
  assert.equal(new Set(keys).size, keys.length - 1, 'only whenText is asked two ways (roughly when, how often)');
  const approx = validateForm(reportPageSchema(config, 'when-details', { whenKind: 'approx' }), form({ whenText: '' }));
  assert.ok(!approx.ok);
  assert.equal(approx.errors[0]!.text, 'Enter roughly when it happened');
  const ongoing = validateForm(reportPageSchema(config, 'when-details', { whenKind: 'ongoing' }), form({ whenText: '' }));
  assert.ok(!ongoing.ok);
  assert.equal(ongoing.errors[0]!.text, 'Enter how often it happens');
  const where = validateForm(reportPageSchema(config, 'where', {}), form({ postcode: 'hw2 3xy', place: '' }));
  assert.ok(where.ok);
  assert.equal(where.data.ward, 'saltings', 'the ward comes from the gazetteer');
  const contact = validateForm(reportPageSchema(config, 'contact', { privacy: 'named' }), form({ name: 'Sam', preferredContact: 'phone', consentShare: 'no' }));
  assert.ok(!contact.ok);
  assert.deepEqual(contact.errors.map((e) => e.text), ['Enter an email address or a phone number so we can contact you', 'Enter a phone number, or choose email as the way to contact you']);

  const rows = caseReportRows({
    kind: 'report', categoryId: 'noise', description: 'Loud music.', whenKind: 'ongoing', happenedAt: null, whenText: 'Every night', postcode: 'HW2 3XY', locationText: null,
    wardId: 'saltings', districtId: null, peopleInvolved: null, whoAffected: 'household', happenedBefore: 'not-sure', privacy: 'confidential', consentShare: true,
  }, config);
  const byKey = Object.fromEntries(rows.map((r) => [r.key, r.value]));
  assert.equal(byKey['What it is about'], config.categories.find((c) => c.id === 'noise')!.name);
  assert.equal(byKey['When'], 'Still happening: Every night');
  assert.equal(byKey['Who is affected'], 'Me and my household');
  assert.equal(byKey['Happened before'], 'Not sure');
  assert.equal(byKey['People or vehicles involved'], 'Not given');
  assert.equal(byKey['Your details'], 'Confidential, agreed to sharing with partners');
  assert.ok(!('Name' in byKey), 'reporter details are not part of what was reported');
});

test('times as residents type them, and date messages that name the parts that are wrong (GOV.UK date pattern)', () => {
  for (const [typed, read] of [['21:30', '21:30'], ['21.30', '21:30'], ['9pm', '21:00'], ['9.30 pm', '21:30'], ['12am', '00:00'], ['12pm', '12:00'], ['9 p.m.', '21:00']] as const) assert.equal(readTime(typed), read, typed);
  for (const typed of ['25:00', '13pm', '21', '9p', '21:30m', '9:60']) assert.equal(readTime(typed), null, typed);
  const m = { required: 'Enter the date', missingDay: 'Date must include a day', missingMonth: 'Date must include a month', missingYear: 'Date must include a year', real: 'Date must be a real date', tooEarly: 'Date must be after 1900', time: 'Time must be a real time' };
  const read = (day: string, month: string, year: string, time = '') => readUkDate({ day, month, year, time }, m, NOW);
  assert.deepEqual(read('3', '', ''), { parts: ['month', 'year'], message: 'Date must include a month and year' });
  assert.deepEqual(read('', '', '2025'), { parts: ['day', 'month'], message: 'Date must include a day and month' });
  assert.deepEqual(read('3', '', '2025'), { parts: ['month'], message: 'Date must include a month' });
  assert.deepEqual(read('3', '13', '2025'), { parts: ['month'], message: 'Date must be a real date' });
  assert.deepEqual(read('3', '11', '2025', '25:00'), { parts: ['time'], message: 'Time must be a real time' });
  assert.equal(typeof read('3', '11', '2025', '9pm'), 'number');
});
