/**
 * Consultations on a real database file: the lifecycle follows the clock; conditional questions (asked, hidden,
 * answers dropped when hidden); the engine's number and ranking types; one response per e-mail address with
 * confirmation; the counts behind every chart against an independent SQL count; waiting-list promotion; reminders
 * once; the calendar file parses (ical.js).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import ICAL from 'ical.js';
import { openTestDatabase } from '../helpers/db.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { consultationProfileCounts, consultationResponses, meetingRegistrations, outbox } from '../../src/platform/db/schema.ts';
import { loadSigningKey } from '../../src/platform/security/signing.ts';
import { buildQuestionSchema, shownQuestions } from '../../src/platform/questions/index.ts';
import { validateForm } from '../../src/platform/forms/index.ts';
import {
  addMeeting, canManageArea, cancelRegistration, confirmResponse, countsByChannel, createConsultation, engineQuestions, firstIncompleteSection, keepShownAnswers, meetingCalendar,
  purgeMeetingRegistrations, registerForMeeting, saveSurvey, sendMeetingReminders, setPublished, shownSections, stateOf, submitResponse, suppressSmallWards, surveyResults, whoIsResponding, findConsultation, SUPPRESS_UNDER,
  answerFits, optionLineCount, optionsFromLines, purgeConsultationDrafts, purgeUnconfirmedResponses, reachRows, startDraft, sectionFieldProblem, SECTION_FIELDS, surveyQuestionFields, MAX_OPTIONS,
  type SurveyQuestion,
} from '../../src/domains/consultations/index.ts';

let database: Database;
let cleanup: () => Promise<void>;
before(async () => {
  ({ database, cleanup } = await openTestDatabase());
  await loadSigningKey('unit-test-signing-key');
});
after(() => cleanup());

const actor = { kind: 'user' as const, id: 'editor-1', ip: null };
const links = { baseUrl: 'https://saferline.example', partnership: 'Hollowmere Community Safety Partnership' };
const wards = [{ value: 'mill-lane', label: 'Mill Lane' }, { value: 'northgate', label: 'Northgate' }];
const DAY = 86_400_000;
const NOW = Date.UTC(2027, 2, 1, 12);

const SURVEY: SurveyQuestion[] = [
  { key: 'q1', type: 'single', label: 'Do you use the park?', required: true, section: 1, options: [{ value: '1', label: 'Yes' }, { value: '2', label: 'No' }] },
  { key: 'q2', type: 'multiple', label: 'What worries you?', required: false, section: 2, options: [{ value: '1', label: 'Litter' }, { value: '2', label: 'Noise' }, { value: '3', label: 'Lighting' }], showWhen: { key: 'q1', in: ['1'] } },
  { key: 'q3', type: 'rating', label: 'How good is it?', required: true, section: 2, points: 5 },
  { key: 'q4', type: 'safety', label: 'How safe do you feel', required: true, section: 3 },
  { key: 'q5', type: 'ranking', label: 'Put these in order', required: false, section: 3, options: [{ value: '1', label: 'Patrols' }, { value: '2', label: 'Lights' }, { value: '3', label: 'CCTV' }] },
  { key: 'q6', type: 'number', label: 'How many times a week?', required: false, section: 3 },
  { key: 'q7', type: 'text', label: 'Anything else?', required: false, section: 3, max: 20 },
];

test('the state follows the clock: draft, forthcoming, open, closed, results', () => {
  const c = { status: 'published' as const, opensAt: NOW, closesAt: NOW + 10 * DAY, resultsPublishedAt: null };
  assert.equal(stateOf({ ...c, status: 'draft' }, NOW), 'draft');
  assert.equal(stateOf(c, NOW - 1), 'forthcoming');
  assert.equal(stateOf(c, NOW), 'open');
  assert.equal(stateOf(c, NOW + 10 * DAY), 'closed');
  assert.equal(stateOf({ ...c, resultsPublishedAt: NOW + 11 * DAY }, NOW + 12 * DAY), 'results');
});

test('conditional logic: a question is asked only when the earlier answer matches, and its answer is dropped when that answer changes', () => {
  const questions = engineQuestions(SURVEY, wards);
  assert.ok(shownQuestions(questions, { q1: '1' }).some((q) => q.key === 'q2'));
  assert.ok(!shownQuestions(questions, { q1: '2' }).some((q) => q.key === 'q2'));
  assert.deepEqual(keepShownAnswers(questions, { q1: '2', q2: ['1'], q3: '4' }), { q1: '2', q3: '4' });
  assert.deepEqual(keepShownAnswers(questions, { q1: '1', q2: ['1'], q3: '4' }), { q1: '1', q2: ['1'], q3: '4' });
  // Section 2 is still asked for q3, whatever q1 says; a section with only hidden questions is skipped.
  assert.deepEqual(shownSections(SURVEY, { q1: '2' }, wards), [1, 2, 3]);
  const onlyConditional = SURVEY.filter((q) => q.key !== 'q3');
  assert.deepEqual(shownSections(onlyConditional, { q1: '2' }, wards), [1, 3]);
  // A required hidden question is not missing; a required shown one is.
  assert.equal(firstIncompleteSection(SURVEY, { q1: '2' }, wards), 2);
  // The schema reads a hidden question as not asked, even when the form sends it.
  const section2 = engineQuestions(SURVEY.filter((q) => q.section === 2), wards);
  const read = validateForm(buildQuestionSchema(section2, { earlier: { q1: '2' } }), { q2: '1', q3: '3' });
  assert.deepEqual(read, { ok: true, data: { q3: '3' } });
});

test('number and ranking questions: read, and refused in GOV.UK words', () => {
  const section3 = engineQuestions(SURVEY.filter((q) => q.section === 3), wards);
  const base = { 'q4-ward': 'mill-lane', 'q4-day': 'very-safe', 'q4-dark': 'a-bit-unsafe' };
  const ok = validateForm(buildQuestionSchema(section3), { ...base, 'q5-1': '2', 'q5-2': '1', 'q5-3': '3', q6: '4', q7: 'More bins' });
  assert.ok(ok.ok);
  assert.deepEqual(ok.data.q5, ['2', '1', '3']);
  assert.equal(ok.data.q6, 4);
  const bad = validateForm(buildQuestionSchema(section3), { ...base, 'q5-1': '1', 'q5-2': '1', 'q5-3': '', q6: 'lots', q7: 'x'.repeat(21) });
  assert.ok(!bad.ok);
  assert.deepEqual(bad.errors.map((e) => [e.field, e.text]), [
    ['q5-2', 'Give each option a different rank from 1 to 3'],
    ['q6', 'Your answer must be a number'],
    ['q7', 'Your answer must be 20 characters or fewer'],
  ]);
  const missing = validateForm(buildQuestionSchema(section3), {});
  assert.ok(!missing.ok);
  assert.deepEqual(missing.errors.map((e) => e.field), ['q4-ward', 'q4-day', 'q4-dark']);
});

async function openConsultation(onePerEmail: boolean) {
  const c = await createConsultation({ title: `Parks ${Math.random()}`, summary: 'About parks', topic: 'feeling-safe', areaId: null, opensAt: NOW - DAY, closesAt: NOW + 30 * DAY, onePerEmail, aboutYou: true }, actor, NOW - 2 * DAY);
  await saveSurvey(c.id, SURVEY, actor, NOW - 2 * DAY);
  await setPublished(c.id, true, actor, NOW - 2 * DAY);
  return (await findConsultation(c.id))!;
}

test('one response per e-mail address: a second is not stored (its owner is told by e-mail, the page says nothing); the first counts only once confirmed, then the address is forgotten', async () => {
  const c = await openConsultation(true);
  const answers = { q1: '2', q3: '5', 'q4-ward': 'northgate', 'q4-day': 'fairly-safe', 'q4-dark': 'very-unsafe' };
  const noEmail = await submitResponse(c, SURVEY, { channel: 'online', answers, profile: {} }, wards, links, NOW);
  assert.deepEqual(noEmail, { ok: false, field: 'email', message: 'Enter your e-mail address' });
  const first = await submitResponse(c, SURVEY, { channel: 'online', answers, profile: { ageBand: '25-44', wardId: 'mill-lane' }, email: 'Resident@Example.org' }, wards, links, NOW);
  assert.ok(first.ok && first.pending);
  const profileCount = async () => Number((await database.client.execute({ sql: 'select coalesce(sum(n), 0) as n from consultation_profile_counts where consultation_id = ?', args: [c.id] })).rows[0]!.n);
  assert.equal(await profileCount(), 0, 'an unconfirmed response\'s "about you" is not counted');
  const again = await submitResponse(c, SURVEY, { channel: 'online', answers, profile: {}, email: 'resident@example.org' }, wards, links, NOW);
  assert.deepEqual(again, { ok: true, id: first.ok ? first.id : '', pending: true, repeat: true }, 'answered as a first response would be, but nothing new stored');
  const told = await database.db.select().from(outbox).where(eq(outbox.template, 'consultation-already'));
  assert.deepEqual(told.map((m) => m.recipient), ['resident@example.org'], 'the address is told instead');
  assert.equal((await countsByChannel(c.id)).answered, 0, 'not counted before confirmation');
  const [mail] = await database.db.select().from(outbox).where(eq(outbox.template, 'consultation-confirm'));
  const token = new URL(String((mail!.payload as { url: string }).url)).searchParams.get('token')!;
  const forged = token.replace(/.$/, (ch) => (ch === 'a' ? 'b' : 'a'));
  assert.equal(await confirmResponse(c.id, forged), false, 'a forged token does nothing');
  assert.equal(await confirmResponse(c.id, token, false), false, 'not once the consultation has closed');
  assert.equal((await countsByChannel(c.id)).answered, 0);
  assert.equal(await confirmResponse(c.id, token), true);
  assert.equal((await countsByChannel(c.id)).answered, 1);
  assert.equal(await profileCount(), 1, 'its "about you" is counted on confirmation');
  assert.equal(await confirmResponse(c.id, token), true, 'confirming twice is harmless');
  assert.equal(await confirmResponse(c.id, forged), false, 'and a wrong secret is still wrong after');
  assert.equal(await profileCount(), 1);
  const [row] = await database.db.select().from(consultationResponses).where(eq(consultationResponses.consultationId, c.id));
  assert.equal(row!.email, null);
  assert.equal(row!.pendingProfile, null, 'the profile no longer sits beside the answers');
  // Staff keying a paper response are not asked for an address.
  const paper = await submitResponse(c, SURVEY, { channel: 'paper', answers, profile: {}, enteredBy: actor }, wards, links, NOW);
  assert.ok(paper.ok && !paper.pending);
});

test('published feeling safe by ward leaves out wards under 5 answers, and the next smallest while those left out hold fewer than 5', () => {
  const ward = (name: string, answered: number) => ({ ward: name, answered });
  const names = (rows: { ward: string }[]) => rows.map((r) => r.ward);
  assert.deepEqual(names(suppressSmallWards([ward('A', 5), ward('B', 3), ward('C', 2)], SUPPRESS_UNDER)), ['A'], 'the two small wards hold 5 between them');
  assert.deepEqual(names(suppressSmallWards([ward('A', 9), ward('B', 6), ward('C', 1)], SUPPRESS_UNDER)), ['A'], 'one answer left out alone would follow from the totals: the smallest shown ward goes too');
  assert.deepEqual(names(suppressSmallWards([ward('A', 9), ward('B', 6)], SUPPRESS_UNDER)), ['A', 'B'], 'nothing left out, nothing more to hide');
  assert.deepEqual(names(suppressSmallWards([ward('A', 4)], SUPPRESS_UNDER)), []);
});

test('the counts behind every chart match an independent SQL count', async () => {
  const c = await openConsultation(false);
  const safety = ['very-safe', 'fairly-safe', 'a-bit-unsafe', 'very-unsafe'];
  const channels = ['online', 'paper', 'phone', 'meeting'] as const;
  for (let i = 0; i < 23; i++) {
    const answers: Record<string, unknown> = {
      q1: i % 3 === 0 ? '2' : '1', q3: String((i % 5) + 1), 'q4-ward': wards[i % 2]!.value, 'q4-day': safety[i % 4], 'q4-dark': safety[(i + 1) % 4], q5: i % 2 ? ['3', '1', '2'] : ['1', '2', '3'],
    };
    if (answers.q1 === '1' && i % 4) answers.q2 = i % 2 ? ['1', '3'] : ['2'];
    const r = await submitResponse(c, SURVEY, { channel: channels[i % 4]!, answers, profile: { ageBand: i % 2 ? '25-44' : undefined, wardId: wards[i % 3 === 0 ? 0 : 1]!.value } }, wards, links, NOW + i);
    assert.ok(r.ok);
  }
  const count = async (where: string) => Number(((await database.client.execute({ sql: `select count(*) as n from consultation_responses where consultation_id = ? and state = 'counted' and ${where}`, args: [c.id] })).rows[0] as unknown as { n: number }).n);
  const results = await surveyResults(c.id, SURVEY, wards);
  let charts = 0;
  for (const r of results) {
    for (const chart of r.charts) {
      const key = chart.id;
      const q = r.question;
      const path = `'$."${key}"'`;
      for (const row of chart.rows) {
        const where = q.type === 'multiple' ? `exists (select 1 from json_each(answers, ${path}) where value = '${row.value}')`
          : q.type === 'ranking' ? `json_extract(answers, '$."${key}"[0]') = '${row.value}'`
          : `json_extract(answers, ${path}) = '${row.value}'`;
        assert.equal(row.count, await count(where), `${chart.title}: ${row.label}`);
      }
      assert.equal(chart.answered, await count(`json_extract(answers, ${path}) is not null`), `${chart.title}: answered`);
      charts++;
    }
  }
  assert.equal(charts, 6, 'single, multiple, rating, safety in daylight and after dark, ranking');
  const byChannel = await countsByChannel(c.id);
  for (const row of byChannel.rows) assert.equal(row.count, await count(`channel = '${row.value}'`), `channel ${row.value}`);
  const safetyResult = results.find((r) => r.question.key === 'q4')!;
  for (const w of safetyResult.safetyByWard!) {
    const id = wards.find((x) => x.label === w.ward)!.value;
    const n = await count(`json_extract(answers, '$."q4-ward"') = '${id}'`);
    const safeDark = await count(`json_extract(answers, '$."q4-ward"') = '${id}' and json_extract(answers, '$."q4-dark"') in ('very-safe', 'fairly-safe')`);
    assert.equal(w.answered, n);
    assert.equal(w.safeDark, Math.round((safeDark / n) * 100));
  }
  const reach = await whoIsResponding(c.id, { wards: wards.map((w, i) => ({ ...w, population: (i + 1) * 1000 })), ageBands: null });
  const [{ n }] = (await database.db.select({ n: sql<number>`sum(${consultationProfileCounts.n})` }).from(consultationProfileCounts).where(eq(consultationProfileCounts.consultationId, c.id))) as [{ n: number }];
  assert.equal(reach.profiles, Number(n));
  // Counts, never a row per respondent: nothing (an id, a time, the order of rows) ties a profile to its answers.
  assert.deepEqual(Object.keys(consultationProfileCounts).filter((k) => !['consultationId', 'ageBand', 'wardId', 'channel', 'n', 'enableRLS'].includes(k)), []);
  assert.equal(reach.wards.find((w) => w.label === 'Mill Lane')!.respondents, 8);
  assert.equal(reach.ages.find((a) => a.label === '25 to 44')!.respondents, 11);
});

test('waiting list: the meeting fills, then giving up a place promotes the first waiting and e-mails them; reminders go once', async () => {
  const c = await openConsultation(false);
  const startsAt = NOW + 10 * DAY;
  const id = await addMeeting(c.id, { title: 'Park walkabout', startsAt, endsAt: startsAt + 2 * 3_600_000, place: 'Mill Lane Community Hall', areaId: 'mill-lane', stepFree: true, hearingLoop: false, accessNotes: '', capacity: 2 }, actor, NOW);
  assert.deepEqual(await registerForMeeting(id, { name: 'A', email: 'a@example.org' }, links, NOW), { ok: true, state: 'booked' });
  assert.deepEqual(await registerForMeeting(id, { name: 'B', email: 'b@example.org' }, links, NOW + 1), { ok: true, state: 'booked' });
  assert.deepEqual(await registerForMeeting(id, { name: 'C', email: 'c@example.org' }, links, NOW + 2), { ok: true, state: 'waiting' });
  assert.deepEqual(await registerForMeeting(id, { name: 'D', email: 'd@example.org' }, links, NOW + 3), { ok: true, state: 'waiting' });
  // One registration per address: a second is answered as a first would be now (the meeting is full: waiting), nothing
  // changes, and the address is told by e-mail that it still holds its place.
  assert.deepEqual(await registerForMeeting(id, { name: 'A', email: 'A@example.org' }, links, NOW + 4), { ok: true, state: 'waiting', repeat: true });
  const told = await database.db.select().from(outbox).where(eq(outbox.template, 'meeting-already'));
  assert.deepEqual(told.map((m) => [m.recipient, (m.payload as { state: string }).state]), [['a@example.org', 'booked']]);
  assert.equal((await database.db.select().from(meetingRegistrations).where(eq(meetingRegistrations.meetingId, id))).length, 4, 'no second registration');
  const mails = await database.db.select().from(outbox).where(eq(outbox.template, 'meeting-place'));
  const toA = mails.find((m) => m.recipient === 'a@example.org')!;
  const token = new URL(String((toA.payload as { cancelUrl: string }).cancelUrl)).searchParams.get('token')!;
  assert.equal(await cancelRegistration(id, `${token.split('.')[0]}.wrong`, links, NOW + 5), false);
  assert.equal(await cancelRegistration(id, token, links, NOW + 5), true);
  const states = Object.fromEntries((await database.db.select().from(meetingRegistrations).where(eq(meetingRegistrations.meetingId, id))).map((r) => [r.email, r.state]));
  assert.deepEqual(states, { 'a@example.org': 'cancelled', 'b@example.org': 'booked', 'c@example.org': 'booked', 'd@example.org': 'waiting' });
  const promoted = (await database.db.select().from(outbox).where(eq(outbox.template, 'meeting-place'))).filter((m) => (m.payload as { state: string }).state === 'promoted');
  assert.deepEqual(promoted.map((m) => m.recipient), ['c@example.org']);
  assert.equal(await cancelRegistration(id, token, links, NOW + 6), true, 'a second click changes nothing');
  assert.equal((await database.db.select().from(meetingRegistrations).where(eq(meetingRegistrations.state, 'booked'))).filter((r) => r.meetingId === id).length, 2);
  // Reminders: none 2 days before, each booked person once within the last day.
  assert.equal(await sendMeetingReminders(links, startsAt - 2 * DAY), 0);
  assert.equal(await sendMeetingReminders(links, startsAt - 12 * 3_600_000), 2);
  assert.equal(await sendMeetingReminders(links, startsAt - 11 * 3_600_000), 0);
  // Names and addresses go 30 days after the meeting ends, not before.
  await purgeMeetingRegistrations(30 * DAY, startsAt + 29 * DAY);
  assert.equal((await database.db.select().from(meetingRegistrations).where(eq(meetingRegistrations.meetingId, id))).length, 4);
  await purgeMeetingRegistrations(30 * DAY, startsAt + 31 * DAY);
  assert.equal((await database.db.select().from(meetingRegistrations).where(eq(meetingRegistrations.meetingId, id))).length, 0);
});

test('the calendar file parses, with the meeting, its place and its times', async () => {
  const m = { id: 'm1', consultationId: 'c1', title: 'Park walkabout', startsAt: Date.UTC(2027, 5, 10, 17, 30), endsAt: Date.UTC(2027, 5, 10, 19), place: 'Mill Lane Community Hall, Mill Lane', areaId: null, stepFree: true, hearingLoop: true, accessNotes: 'Parking at the rear', capacity: 30, notes: '', createdAt: NOW };
  const parsed = new ICAL.Component(ICAL.parse(meetingCalendar(m, links)));
  const events = parsed.getAllSubcomponents('vevent');
  assert.equal(events.length, 1);
  const event = new ICAL.Event(events[0]!);
  assert.equal(event.summary, 'Park walkabout');
  assert.equal(event.location, 'Mill Lane Community Hall, Mill Lane');
  assert.equal(event.startDate.toJSDate().getTime(), m.startsAt);
  assert.equal(event.endDate.toJSDate().getTime(), m.endsAt);
  assert.match(event.description, /Step-free access\. Hearing loop\. Parking at the rear/);
});

test('canManageArea: a partnership editor manages any area; a district editor their district and its wards, never the whole partnership', () => {
  const areas = [{ id: 'county' }, { id: 'east', parent: 'county' }, { id: 'harbour', parent: 'east' }, { id: 'west', parent: 'county' }, { id: 'mill', parent: 'west' }];
  const partnership = { bindsDistrict: false, districtId: null };
  const east = { bindsDistrict: true, districtId: 'east' };
  assert.deepEqual([null, 'east', 'harbour', 'mill'].map((a) => canManageArea(partnership, a, areas)), [true, true, true, true]);
  assert.deepEqual([null, 'east', 'harbour', 'west', 'mill', 'nowhere'].map((a) => canManageArea(east, a, areas)), [false, true, true, false, false, false]);
  assert.equal(canManageArea({ bindsDistrict: true, districtId: null }, 'east', areas), false, 'a district editor without a district manages nothing');
});

test('a section\'s questions send at most what one page can take: one field per option of a multiple choice or ranking question, three for a date or the safety question', () => {
  const options = optionsFromLines(Array.from({ length: 20 }, (_, i) => `Option ${i + 1}`).join('\n'));
  assert.equal(options.length, MAX_OPTIONS);
  assert.equal(optionLineCount('a\n\n b \r\nc\n'), 3, 'blank lines are not options');
  assert.equal(surveyQuestionFields({ type: 'multiple', options }), 20);
  assert.equal(surveyQuestionFields({ type: 'ranking', options: options.slice(0, 4) }), 4);
  assert.equal(surveyQuestionFields({ type: 'single', options }), 1);
  assert.equal(surveyQuestionFields({ type: 'safety' }), 3);
  assert.equal(surveyQuestionFields({ type: 'date' }), 3);
  assert.equal(surveyQuestionFields({ type: 'text' }), 1);
  const multiple = (key: number, section: number): SurveyQuestion => ({ key: `q${key}`, type: 'multiple', label: `Question ${key}`, required: false, section, options });
  // Nine questions of 20 options: 180 fields; one more of 20 passes 190 in section 1, but fits in section 2.
  const nine = Array.from({ length: 9 }, (_, i) => multiple(i + 1, 1));
  assert.ok(9 * 20 <= SECTION_FIELDS && 10 * 20 > SECTION_FIELDS);
  assert.equal(sectionFieldProblem(nine), null);
  assert.equal(sectionFieldProblem([...nine, multiple(10, 2)]), null);
  assert.equal(
    sectionFieldProblem([...nine, multiple(10, 1)]),
    `The questions of section 1 would send up to 200 answers (a multiple choice or ranking question sends one for each option), but one page can take ${SECTION_FIELDS}: put the question in another section`,
  );
});

test('drafts of a consultation still taking responses outlive the idle limit ("works until the consultation closes"); others go', async () => {
  const details = (closesAt: number) => ({ title: `Drafts ${Math.random()}`, summary: 'About drafts', topic: 'feeling-safe', areaId: null, opensAt: NOW - 40 * DAY, closesAt, onePerEmail: false, aboutYou: false });
  const open = await createConsultation(details(NOW + 30 * DAY), actor, NOW - 40 * DAY);
  const closed = await createConsultation(details(NOW - DAY), actor, NOW - 40 * DAY);
  const kept = await startDraft(open.id, NOW - 20 * DAY);
  const gone = await startDraft(closed.id, NOW - 20 * DAY);
  await purgeConsultationDrafts(7 * DAY, NOW);
  const left = new Set((await database.client.execute('select id from consultation_drafts')).rows.map((r) => String(r.id)));
  assert.ok(left.has(kept.draft.id), 'the open consultation\'s draft is kept');
  assert.ok(!left.has(gone.draft.id), 'the closed one\'s is removed');
});

test('who is not responding: a group whose count is hidden (under 5) is flagged as if it held 4, so the flag cannot tell what the count hides', () => {
  const groups = [{ value: 'a', label: 'A', population: 5_000 }, { value: 'b', label: 'B', population: 3_000 }, { value: 'c', label: 'C', population: 2_000 }, { value: 'd', label: 'D', population: 400 }];
  const flags = (a: number) => reachRows(groups, new Map([['a', a], ['b', 90], ['c', 7], ['d', 2]])).map((r) => [r.label, r.respondents, r.under]);
  // A hidden at 0 and at 3: the same row either way (4 of about 100 is under half of A's 48 %); D (4 %) is not flagged, whatever it holds.
  assert.deepEqual(flags(0), [['A', null, true], ['B', 90, false], ['C', 7, true], ['D', null, false]]);
  assert.deepEqual(flags(3).map((r) => r[2]), flags(0).map((r) => r[2]));
});

test('an answer given before a question changed is asked again: an option taken out, a shorter limit, a ranking of other options', () => {
  const answers = { q1: '1', q2: ['1', '3'], q3: '4', 'q4-ward': 'mill-lane', 'q4-day': 'very-safe', 'q4-dark': 'very-safe', q7: 'Eighteen characters' };
  assert.equal(firstIncompleteSection(SURVEY, answers, wards), null, 'every answer fits the survey as it is');
  const fewer = SURVEY.map((q) => (q.key === 'q2' ? { ...q, options: q.options!.slice(0, 2) } : q));
  assert.equal(firstIncompleteSection(fewer, answers, wards), 2, 'q2\'s "Lighting" is gone: its page is asked again');
  const shorter = SURVEY.map((q) => (q.key === 'q7' ? { ...q, max: 10 } : q));
  assert.equal(firstIncompleteSection(shorter, answers, wards), 3);
  const [ranking] = engineQuestions(SURVEY.filter((q) => q.key === 'q5'), wards);
  assert.equal(answerFits(ranking!, ['2', '1', '3']), true);
  assert.equal(answerFits(ranking!, ['2', '1']), false, 'every option ranked once');
  assert.equal(answerFits(ranking!, ['2', '2', '3']), false);
  const [rating] = engineQuestions(SURVEY.filter((q) => q.key === 'q3'), wards);
  assert.equal(answerFits(rating!, '5'), true);
  assert.equal(answerFits(rating!, '6'), false);
});

test('results list the questions in the order residents met them: by section, then as listed', async () => {
  const c = await createConsultation({ title: `Order ${Math.random()}`, summary: 'About order', topic: 'feeling-safe', areaId: null, opensAt: NOW - DAY, closesAt: NOW + DAY, onePerEmail: false, aboutYou: false }, actor, NOW - 2 * DAY);
  const moved = [SURVEY[6]!, SURVEY[0]!, SURVEY[2]!];
  assert.deepEqual((await surveyResults(c.id, moved, wards)).map((r) => r.question.key), ['q1', 'q3', 'q7']);
});

test('responses never confirmed are removed once their consultation has closed (they can no longer be confirmed), with their address', async () => {
  const details = (closesAt: number) => ({ title: `Unconfirmed ${Math.random()}`, summary: 'About it', topic: 'feeling-safe', areaId: null, opensAt: NOW - 40 * DAY, closesAt, onePerEmail: true, aboutYou: true });
  const open = await createConsultation(details(NOW + 30 * DAY), actor, NOW - 40 * DAY);
  const closing = await createConsultation(details(NOW + DAY), actor, NOW - 40 * DAY);
  const answers = { q1: '1', q3: '4', 'q4-ward': 'mill-lane', 'q4-day': 'very-safe', 'q4-dark': 'very-safe' };
  for (const c of [open, closing]) assert.ok((await submitResponse(c, SURVEY, { channel: 'online', answers, profile: { ageBand: '25-44' }, email: `waiting.${c.id}@example.org` }, wards, links, NOW)).ok);
  const pending = async (id: string) => Number((await database.client.execute({ sql: "select count(*) as n from consultation_responses where consultation_id = ? and state = 'pending'", args: [id] })).rows[0]!.n);
  await purgeUnconfirmedResponses(NOW + 2 * DAY);
  assert.equal(await pending(open.id), 1, 'still open: it may yet be confirmed');
  assert.equal(await pending(closing.id), 0, 'closed: removed, address and all');
});
