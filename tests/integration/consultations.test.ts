/**
 * Consultations over HTTP against the built server, with a real SMTP server: an editor builds and publishes a
 * survey (a condition in the same section is refused); residents respond without JavaScript, one section per
 * page, and one saves, leaves and resumes from the e-mailed link in a new browser; a hidden question is not
 * asked; a call handler keys in a phone response; the editor closes it, tags a theme and publishes the results;
 * the public sees charts with tables and the "we did" links; the CSV withholds free text without pii.export;
 * meetings register, fill, and give the calendar file. Every page checked is valid HTML.
 */
import assert from 'node:assert/strict';
import ICAL from 'ical.js';
import { after, before, test } from 'node:test';
import { createClient, type Client } from '@libsql/client';
import { parse } from 'csv-parse/sync';
import { startServer, type TestServer } from '../helpers/server.ts';
import { startSmtp, sentTo, type TestSmtp } from '../helpers/smtp.ts';
import { htmlProblems } from '../helpers/html.ts';
import { Visitor } from '../helpers/http.ts';
import { signInAs } from './staff-sign-in.ts';
import { openConsultation } from './consultation-setup.ts';

let server: TestServer;
let smtp: TestSmtp;
let db: Client;
let editor: Visitor;
before(async () => {
  smtp = await startSmtp();
  server = await startServer({ SMTP_URL: smtp.url });
  db = createClient({ url: server.dbUrl });
  await db.execute('PRAGMA busy_timeout = 5000');
  editor = await signInAs(server.url, 'editor@hollowmere.example');
});
after(async () => {
  db?.close();
  await server?.stop();
  await smtp?.close();
});

/** Day, month and year fields of a date question, days from now. */
function dateFields(name: string, daysFromNow: number, time = '9am'): Record<string, string> {
  const d = new Date(Date.now() + daysFromNow * 86_400_000);
  return { [`${name}-day`]: String(d.getUTCDate()), [`${name}-month`]: String(d.getUTCMonth() + 1), [`${name}-year`]: String(d.getUTCFullYear()), [`${name}-time`]: time };
}

/** Assert a page is valid HTML and return its text. */
async function validPage(res: Response, label: string, status = 200): Promise<string> {
  const html = await res.text();
  assert.equal(res.status, status, `${label}: status`);
  assert.deepEqual(await htmlProblems(html, label), [], `${label}: valid HTML`);
  return html;
}

/** Add a question through the builder form. */
async function addQuestion(id: string, fields: Record<string, string>) {
  const res = await editor.post(`/staff/consultations/${id}`, { intent: 'add', required: 'yes', hint: '', options: '', max: '', points: '', showWhen: '', ...fields });
  assert.equal(res.status, 303, `add ${fields.label}: ${res.status} ${res.status === 400 ? (await res.text()).match(/error-summary__list">([\s\S]*?)<\/ul>/)?.[1] : ''}`);
}

let id = '';
let slug = '';

test('an editor builds a survey with a condition and publishes it; the finder lists it', async () => {
  const refused = await editor.post('/staff/consultations', { title: '', summary: '', topic: '', areaId: '', onePerEmail: 'no', aboutYou: 'yes' });
  const refusedHtml = await validPage(refused, 'new consultation refused', 400);
  assert.match(refusedHtml, /Enter a title/);
  const created = await editor.post('/staff/consultations', {
    title: 'Feeling safe in Mill Lane Park', summary: 'Tell us how safe the park feels and what would help.', topic: 'feeling-safe', areaId: 'mill-lane',
    ...dateFields('opens', -1), ...dateFields('closes', 30, '5pm'), onePerEmail: 'no', aboutYou: 'yes',
  });
  assert.equal(created.status, 303);
  id = created.headers.get('location')!.split('/')[3]!.split('?')[0]!;
  await addQuestion(id, { type: 'single', label: 'Do you use the park after dark?', section: '1', options: 'Yes\nNo' });
  const sameSection = await editor.post(`/staff/consultations/${id}`, { intent: 'add', type: 'text', label: 'What happens after dark?', required: 'no', section: '1', showWhen: 'q1:1', hint: '', options: '', max: '', points: '' });
  const sameHtml = await validPage(sameSection, 'builder: condition refused', 400);
  assert.match(sameHtml, /must be in a later section than the question it depends on/);
  await addQuestion(id, { type: 'text', label: 'What happens after dark?', required: 'no', section: '2', showWhen: 'q1:1', max: '200' });
  await addQuestion(id, { type: 'rating', label: 'How well is the park looked after?', section: '2', points: '5' });
  await addQuestion(id, { type: 'safety', label: 'How safe do you feel in the park', section: '3' });
  await validPage(await editor.get(`/staff/consultations/${id}`), 'editor page');
  const preview = await validPage(await editor.get(`/staff/consultations/${id}/preview`), 'preview');
  assert.match(preview, /Only when q1 is Yes/);
  assert.equal((await editor.post(`/staff/consultations/${id}`, { intent: 'publish' })).status, 303);
  const finder = await validPage(await new Visitor(server.url).get('/consultations?state=open&q=Mill+Lane+Park'), 'finder');
  slug = /href="\/consultations\/([a-z0-9-]+)"/.exec(finder)![1]!;
  assert.equal(slug, 'feeling-safe-in-mill-lane-park');
  const none = await new Visitor(server.url).get('/consultations?state=closed&q=Mill+Lane+Park');
  assert.doesNotMatch(await none.text(), /feeling-safe-in-mill-lane-park/);
  await validPage(await new Visitor(server.url).get(`/consultations/${slug}`), 'consultation page');
});

test('a resident responds without an account, saves, and resumes from the e-mailed link in another browser', async () => {
  const resident = new Visitor(server.url);
  const start = await resident.get(`/consultations/${slug}/respond`);
  assert.equal(start.status, 303);
  assert.equal(start.headers.get('location'), `/consultations/${slug}/respond?section=1`);
  const first = await resident.get(`/consultations/${slug}/respond?section=1`);
  assert.equal(first.headers.get('cache-control'), 'no-store', 'answers are never cached');
  const s1 = await validPage(first, 'section 1');
  assert.doesNotMatch(s1, /<script/);
  const empty = await validPage(await resident.post(`/consultations/${slug}/respond?section=1`, { action: 'continue' }), 'section 1 refused', 400);
  assert.match(empty, /Select an answer to: Do you use the park after dark\?/);
  const next = await resident.post(`/consultations/${slug}/respond?section=1`, { action: 'continue', q1: '1' });
  assert.equal(next.headers.get('location'), `/consultations/${slug}/respond?section=2`);
  const s2 = await validPage(await resident.get(`/consultations/${slug}/respond?section=2`), 'section 2');
  assert.match(s2, /What happens after dark\?/, 'the conditional question is asked after "Yes"');
  const save = await resident.post(`/consultations/${slug}/respond?section=2`, { action: 'save', q2: 'Groups gather by the gates', q3: '2' });
  assert.equal(save.headers.get('location'), `/consultations/${slug}/save?section=2`);
  await validPage(await resident.get(`/consultations/${slug}/save?section=2`), 'save page');
  await validPage(await resident.post(`/consultations/${slug}/save`, { email: 'not an address' }), 'save refused', 400);
  const saved = await validPage(await resident.post(`/consultations/${slug}/save`, { email: 'park.user@example.org' }), 'saved');
  assert.match(saved, /We have sent a link to park.user@example.org/);
  const mail = await smtp.waitFor((m) => sentTo(m, 'park.user@example.org') && /Carry on/.test(m.subject ?? ''));
  const link = /https?:\/\/\S+\/resume\?token=\S+/.exec(mail.text ?? '')![0];
  const elsewhere = new Visitor(server.url);
  const resumed = await elsewhere.get(link.replace(server.url, ''));
  assert.equal(resumed.status, 303);
  assert.equal(resumed.headers.get('location'), `/consultations/${slug}/respond?section=3`);
  const back = await validPage(await elsewhere.get(`/consultations/${slug}/respond?section=2`), 'section 2 resumed');
  assert.match(back, /Groups gather by the gates/, 'the saved answers come back');
  const s3 = await elsewhere.post(`/consultations/${slug}/respond?section=3`, { action: 'continue', 'q4-ward': 'mill-lane', 'q4-day': 'fairly-safe', 'q4-dark': 'very-unsafe' });
  assert.equal(s3.headers.get('location'), `/consultations/${slug}/finish`);
  const check = await validPage(await elsewhere.get(`/consultations/${slug}/finish`), 'finish');
  assert.match(check, /Groups gather by the gates/);
  const sent = await elsewhere.post(`/consultations/${slug}/finish`, { ageBand: '25-44', wardId: 'mill-lane' });
  assert.equal(sent.headers.get('location'), `/consultations/${slug}/done`);
  await validPage(await elsewhere.get(`/consultations/${slug}/done`), 'done');
  const rows = (await db.execute({ sql: 'select channel, answers from consultation_responses where consultation_id = ?', args: [id] })).rows;
  assert.equal(rows.length, 1);
  assert.deepEqual(JSON.parse(String(rows[0]!.answers)), { q1: '1', q2: 'Groups gather by the gates', q3: '2', 'q4-ward': 'mill-lane', 'q4-day': 'fairly-safe', 'q4-dark': 'very-unsafe' });
  const profiles = (await db.execute({ sql: 'select * from consultation_profile_counts where consultation_id = ?', args: [id] })).rows;
  assert.deepEqual(profiles.map((p) => [p.age_band, p.ward_id, p.channel, Number(p.n)]), [['25-44', 'mill-lane', 'online', 1]], '"about you" is counted apart');
  assert.deepEqual(Object.keys(profiles[0]!).sort(), ['age_band', 'channel', 'consultation_id', 'n', 'ward_id'], 'as a count: no id, no time, nothing tied to the answers');
  assert.equal((await db.execute({ sql: 'select count(*) as n from consultation_drafts where consultation_id = ?', args: [id] })).rows[0]!.n, 0, 'the draft is gone');
});

test('a question hidden by an earlier answer is not asked, and its answer is not kept', async () => {
  const resident = new Visitor(server.url);
  await resident.post(`/consultations/${slug}/respond?section=1`, { action: 'continue', q1: '2' });
  const s2 = await resident.get(`/consultations/${slug}/respond?section=2`);
  assert.doesNotMatch(await s2.text(), /What happens after dark\?/);
  await resident.post(`/consultations/${slug}/respond?section=2`, { action: 'continue', q2: 'sneaked in', q3: '4' });
  await resident.post(`/consultations/${slug}/respond?section=3`, { action: 'continue', 'q4-ward': 'northgate', 'q4-day': 'very-safe', 'q4-dark': 'fairly-safe' });
  assert.equal((await resident.post(`/consultations/${slug}/finish`, {})).status, 303);
  const [row] = (await db.execute({ sql: "select answers from consultation_responses where consultation_id = ? and json_extract(answers, '$.q1') = '2'", args: [id] })).rows;
  assert.equal(JSON.parse(String(row!.answers)).q2, undefined);
});

test('a change link on check answers comes back to check answers, through a question the change newly shows', async () => {
  const resident = new Visitor(server.url);
  const respond = (section: number, change = false) => `/consultations/${slug}/respond?section=${section}${change ? '&change=1' : ''}`;
  assert.equal((await resident.post(respond(1), { action: 'continue', q1: '2' })).headers.get('location'), respond(2));
  assert.equal((await resident.post(respond(2), { action: 'continue', q3: '3' })).headers.get('location'), respond(3));
  assert.equal((await resident.post(respond(3), { action: 'continue', 'q4-ward': 'northgate', 'q4-day': 'very-safe', 'q4-dark': 'fairly-safe' })).headers.get('location'), `/consultations/${slug}/finish`);
  const check = await validPage(await resident.get(`/consultations/${slug}/finish`), 'check answers');
  assert.match(check, /href="\/consultations\/[a-z0-9-]+\/respond\?section=1&amp;change=1"/, 'change links say they come from check answers');
  const page = await validPage(await resident.get(respond(1, true)), 'section 1 changed');
  assert.match(page, /action="\/consultations\/[a-z0-9-]+\/respond\?section=1&amp;change=1"/, 'the form keeps the flag');
  assert.match(page, new RegExp(`href="/consultations/${slug}/finish"[^>]*>`), 'back goes to check answers');
  assert.equal((await resident.post(respond(1, true), { action: 'continue', q1: '2' })).headers.get('location'), `/consultations/${slug}/finish`, 'not through sections 2 and 3 again');
  assert.equal((await resident.post(respond(3, true), { action: 'continue', 'q4-ward': 'northgate', 'q4-day': 'fairly-safe', 'q4-dark': 'fairly-safe' })).headers.get('location'), `/consultations/${slug}/finish`);
  // "Yes" shows "What happens after dark?" in section 2: that section is asked, then back to check answers.
  assert.equal((await resident.post(respond(1, true), { action: 'continue', q1: '1' })).headers.get('location'), respond(2, true));
  assert.match(await validPage(await resident.get(respond(2, true)), 'section 2 after the change'), /What happens after dark\?/);
  assert.equal((await resident.post(respond(2, true), { action: 'continue', q2: 'Too dark by the gates', q3: '3' })).headers.get('location'), `/consultations/${slug}/finish`);
  const changed = await validPage(await resident.get(`/consultations/${slug}/finish`), 'check answers after the changes');
  assert.match(changed, /Too dark by the gates/);
  assert.match(changed, /Fairly safe[\s\S]*Fairly safe/);
});

test('a call handler keys in a phone response from the call screen reason; the channel is recorded', async () => {
  const calls = await signInAs(server.url, 'calls@hollowmere.example');
  const screen = await (await calls.get('/staff/calls/new')).text();
  assert.match(screen, /value="consultation"/, 'the call screen offers the reason');
  assert.match(screen, /href="\/staff\/consultations\/respond\?channel=phone"/, 'and opens the survey from it');
  const list = await validPage(await calls.get('/staff/consultations/respond?channel=phone'), 'keying list');
  assert.match(list, new RegExp(`/staff/consultations/${id}/respond\\?channel=phone`));
  const form = await validPage(await calls.get(`/staff/consultations/${id}/respond?channel=phone`), 'keying form');
  assert.match(form, /value="phone" checked/);
  await validPage(await calls.post(`/staff/consultations/${id}/respond`, { channel: 'phone' }), 'keying refused', 400);
  const keyed = await calls.post(`/staff/consultations/${id}/respond`, { channel: 'phone', q1: '1', q2: 'Needs more lights', q3: '3', 'q4-ward': 'northgate', 'q4-day': 'very-safe', 'q4-dark': 'a-bit-unsafe', ageBand: '65-plus' });
  assert.equal(keyed.status, 303);
  const [row] = (await db.execute({ sql: "select channel, entered_by from consultation_responses where consultation_id = ? and channel = 'phone'", args: [id] })).rows;
  assert.ok(row?.entered_by, 'who keyed it in is recorded');
  assert.equal((await calls.get(`/staff/consultations/${id}`)).status, 403, 'call handlers cannot edit consultations');
  const logged = await calls.post('/staff/calls/new', { intent: 'save', reason: 'consultation', 'outcome-consultation': 'consultation-response', duration: '240' });
  assert.equal(logged.status, 303, `the call is logged with the consultation reason: ${logged.status === 400 ? (await logged.text()).match(/error-summary__list">([\s\S]*?)<\/ul>/)?.[1] : ''}`);
  const [call] = (await db.execute("select reason, outcome from calls where reason = 'consultation'")).rows;
  assert.equal(call!.outcome, 'consultation-response');
});

test('the editor closes it, tags themes and publishes; the public sees charts, tables and "we did" links; the CSV follows pii.export', async () => {
  assert.equal((await editor.post(`/staff/consultations/${id}`, { intent: 'close', confirm: 'yes' })).status, 303);
  await validPage(await editor.post(`/staff/consultations/${id}/results`, { intent: 'theme', theme: '' }), 'theme refused', 400);
  assert.equal((await editor.post(`/staff/consultations/${id}/results`, { intent: 'theme', theme: 'Lighting' })).status, 303);
  const twice = await validPage(await editor.post(`/staff/consultations/${id}/results`, { intent: 'theme', theme: 'lighting' }), 'theme twice', 400);
  assert.match(twice, /href="#theme"[^>]*>There is already a theme called “Lighting”/);
  const results = await validPage(await editor.get(`/staff/consultations/${id}/results`), 'results');
  const themeId = /name="themes" value="([^"]+)"/.exec(results)![1]!;
  const responseId = /data-answer="([^"]+)"/.exec(results)![1]!;
  assert.equal((await editor.post(`/staff/consultations/${id}/results`, { intent: 'tag', response: responseId, question: 'q2', themes: themeId })).status, 303);
  const tagged = await editor.get(`/staff/consultations/${id}/results`);
  assert.match(await tagged.text(), /<th scope="row">Lighting<\/th><td class="numeric">1<\/td>/);
  const badLinks = await editor.post(`/staff/consultations/${id}/results`, { intent: 'publish', youSaid: 'The park feels unsafe after dark.', weDid: 'New lights.', links: 'Lights javascript:alert(1)' });
  await validPage(badLinks, 'publish refused', 400);
  const published = await editor.post(`/staff/consultations/${id}/results`, { intent: 'publish', youSaid: 'The park feels unsafe after dark.', weDid: 'We are adding lights by the gates.', links: 'Mill Lane Park lighting | /initiatives/mill-lane-park-lighting\nImprovement plan item 4 | https://hollowmere.example/plan#4' });
  assert.equal(published.status, 303);
  const page = await validPage(await new Visitor(server.url).get(`/consultations/${slug}`), 'results published');
  assert.match(page, /We asked, you said, we did/);
  assert.match(page, /<a class="link" href="\/initiatives\/mill-lane-park-lighting">Mill Lane Park lighting<\/a>/);
  assert.ok((page.match(/<svg[^>]+role="img"/g) ?? []).length >= 4, 'a chart per countable question and the channels');
  assert.match(page, /<table class="table" data-chart-table="channel">/);
  assert.match(page, /<th scope="row">Phone<\/th><td class="numeric">1<\/td>/);
  assert.match(page, /<th scope="row">Online<\/th><td class="numeric">2<\/td>/);
  const welsh = new Visitor(server.url);
  welsh.cookies.set('lang', 'cy');
  const cy = await validPage(await welsh.get(`/consultations/${slug}`), 'results published (cy)');
  assert.match(cy, /<html lang="cy"/);
  assert.match(cy, /<figcaption class="heading-s">Ymatebion fesul sianel<\/figcaption>/);
  assert.match(cy, /<th scope="col">Ateb<\/th><th scope="col" class="numeric">Nifer<\/th><th scope="col" class="numeric">Canran<\/th>/);
  assert.match(cy, /<th scope="row">Ffôn<\/th><td class="numeric">1<\/td>/);
  assert.match(cy, /Nid yw wardiau â llai na 5 o atebion yn cael eu dangos/, 'the wards of 1 and 2 answers are left out, and the page says so');
  assert.doesNotMatch(cy, /answered\)|Per cent|Responses by channel/);
  const csv = await editor.get(`/staff/consultations/${id}/export.csv`);
  assert.equal(csv.status, 200);
  const records = parse(await csv.text(), { columns: true, bom: true }) as Record<string, string>[];
  assert.equal(records.length, 3);
  assert.ok(records.every((r) => !/Groups gather|Needs more lights/.test(Object.values(r).join(' '))), 'free text withheld without pii.export');
  const admin = await signInAs(server.url, 'admin@hollowmere.example');
  const full = parse(await (await admin.get(`/staff/consultations/${id}/export.csv`)).text(), { columns: true, bom: true }) as Record<string, string>[];
  assert.ok(full.some((r) => r['What happens after dark?'] === 'Groups gather by the gates'));
  assert.ok(full.some((r) => r['Themes (q2)'] === 'Lighting'));
  const audited = (await db.execute({ sql: "SELECT data FROM audit_events WHERE action = 'consultation.responses_exported' AND subject_id = ? ORDER BY id", args: [id] })).rows.map((r) => JSON.parse(String(r.data)));
  assert.deepEqual(audited, [{ rows: 3, freeText: false }, { rows: 3, freeText: true }], 'each download is audited, with whether it held free text');
});

test('published results leave out wards with fewer than 5 answers to feeling safe, and say so; staff still see every ward', async () => {
  const { id: cid, slug: cslug } = await openConsultation(editor, 'Safe by ward', { publish: false, aboutYou: false });
  await addQuestion(cid, { type: 'safety', label: 'How safe do you feel', section: '1' });
  assert.equal((await editor.post(`/staff/consultations/${cid}`, { intent: 'publish' })).status, 303);
  const calls = await signInAs(server.url, 'calls@hollowmere.example');
  // Mill Lane 5 answers, Northgate 3, Fenwick Park 2: the two small wards hold 5 between them, so only they are left out.
  for (const [ward, n] of [['mill-lane', 5], ['northgate', 3], ['fenwick-park', 2]] as const) {
    for (let i = 0; i < n; i++) {
      const keyed = await calls.post(`/staff/consultations/${cid}/respond`, { channel: 'paper', q1: '1', 'q2-ward': ward, 'q2-day': 'very-safe', 'q2-dark': i % 2 ? 'fairly-safe' : 'very-unsafe' });
      assert.equal(keyed.status, 303, `keyed ${ward} ${i}`);
    }
  }
  assert.equal((await editor.post(`/staff/consultations/${cid}`, { intent: 'close', confirm: 'yes' })).status, 303);
  assert.equal((await editor.post(`/staff/consultations/${cid}/results`, { intent: 'publish', youSaid: 'Most feel safe.', weDid: 'We kept the patrols.', links: '' })).status, 303);
  const page = await validPage(await new Visitor(server.url).get(`/consultations/${cslug}`), 'results by ward');
  const table = /<table class="table" data-safety-wards>[\s\S]*?<\/table>/.exec(page)?.[0] ?? '';
  assert.match(table, /<th scope="row">Mill Lane<\/th><td class="numeric">5<\/td><td class="numeric">100%<\/td><td class="numeric">40%<\/td>/, 'a ward of 5 answers is shown');
  assert.doesNotMatch(page, /Northgate|Fenwick Park/, 'wards of 3 and 2 answers are not');
  assert.match(page, /<div class="inset-text"><p class="body" data-ward-minimum>Wards with fewer than 5 answers are not shown/);
  const staff = await validPage(await editor.get(`/staff/consultations/${cid}/results`), 'staff results by ward');
  assert.match(staff, /<th scope="row">Northgate<\/th><td class="numeric">3<\/td>/, 'staff see every ward');
  assert.match(staff, /<th scope="row">Fenwick Park<\/th><td class="numeric">2<\/td>/);
  assert.doesNotMatch(staff, /data-ward-minimum/);
});

test('meetings: registration fills the places, then the waiting list; the calendar file downloads', async () => {
  const added = await editor.post(`/staff/consultations/${id}/meetings`, { intent: 'add', title: 'Park walkabout', ...dateFields('starts', 5, '6pm'), minutes: '90', place: 'Mill Lane Community Hall', areaId: 'mill-lane', stepFree: 'yes', hearingLoop: 'no', accessNotes: '', capacity: '1' });
  assert.equal(added.status, 303);
  const staffPage = await validPage(await editor.get(`/staff/consultations/${id}/meetings`), 'meetings');
  const meetingId = /data-meeting="([^"]+)"/.exec(staffPage)![1]!;
  const one = new Visitor(server.url);
  await validPage(await one.get(`/meetings/${meetingId}`), 'meeting page');
  await validPage(await one.post(`/meetings/${meetingId}`, { name: '', email: '' }), 'registration refused', 400);
  assert.equal((await one.post(`/meetings/${meetingId}`, { name: 'Ada', email: 'ada@example.org' })).headers.get('location'), `/meetings/${meetingId}?registered=booked`);
  assert.equal((await one.post(`/meetings/${meetingId}`, { name: 'Bo', email: 'bo@example.org' })).headers.get('location'), `/meetings/${meetingId}?registered=waiting`);
  await validPage(await one.get(`/meetings/${meetingId}?registered=waiting`), 'registered');
  // Ada's address again, from someone else: answered as any registration now would be (the meeting is full), and Ada
  // is told by e-mail that she still has her place; nobody learns from the page that the address was registered.
  const other = new Visitor(server.url);
  assert.equal((await other.post(`/meetings/${meetingId}`, { name: 'Not Ada', email: 'ADA@example.org' })).headers.get('location'), `/meetings/${meetingId}?registered=waiting`);
  const already = await smtp.waitFor((m) => sentTo(m, 'ada@example.org') && /You are already registered/.test(m.subject ?? ''));
  assert.match(already.text ?? '', /you still have your place/);
  const booked = await smtp.waitFor((m) => sentTo(m, 'ada@example.org') && /Your place is booked/.test(m.subject ?? ''));
  assert.match(booked.subject ?? '', /Your place is booked/);
  const cancel = /https?:\/\/\S+\/cancel\?token=\S+/.exec(booked.text ?? '')![0].replace(server.url, '');
  await validPage(await one.get(cancel), 'cancel page');
  const token = new URL(cancel, server.url).searchParams.get('token')!;
  await validPage(await one.post(`/meetings/${meetingId}/cancel`, { token }), 'cancelled');
  const promoted = await smtp.waitFor((m) => sentTo(m, 'bo@example.org') && /A place came free/.test(m.subject ?? ''));
  assert.ok(promoted);
  await validPage(await editor.post(`/staff/consultations/${id}/meetings`, { intent: 'notes', meeting: meetingId, notes: '' }), 'notes refused', 400);
  assert.equal((await editor.post(`/staff/consultations/${id}/meetings`, { intent: 'notes', meeting: meetingId, notes: 'Twelve people walked the park; the gates need lights.' })).status, 303);
  const withNotes = await validPage(await one.get(`/meetings/${meetingId}`), 'meeting with notes');
  assert.match(withNotes, /Notes and outcomes[\s\S]*Twelve people walked the park/);
  const ics = await one.get(`/meetings/${meetingId}/calendar.ics`);
  assert.equal(ics.headers.get('content-type'), 'text/calendar; charset=utf-8');
  assert.match(await ics.text(), /SUMMARY:Park walkabout/);
  // The public meetings feed parses as iCalendar and holds the meeting; the ward's area page lists it and the consultation.
  const feed = await one.get('/feeds/meetings.ics');
  assert.equal(feed.headers.get('content-type'), 'text/calendar; charset=utf-8');
  const events = new ICAL.Component(ICAL.parse(await feed.text())).getAllSubcomponents('vevent').map((e) => new ICAL.Event(e));
  const walk = events.find((e) => e.summary === 'Park walkabout');
  assert.ok(walk, 'the meeting is in the feed');
  assert.equal(walk.location, 'Mill Lane Community Hall');
  assert.equal(walk.endDate.toJSDate().getTime() - walk.startDate.toJSDate().getTime(), 90 * 60_000);
  const area = await validPage(await one.get('/areas/mill-lane'), 'area page with consultations and meetings');
  assert.match(area, /<h2[^>]*>Consultations<\/h2>[\s\S]*Feeling safe in Mill Lane Park/);
  assert.match(area, /<h2[^>]*>Public meetings<\/h2>[\s\S]*href="\/meetings\/[^"]+">Park walkabout/);
  assert.match(area, /<a[^>]*href="\/consultations"[^>]*>Consultations<\/a>/, 'the header links to consultations');
  const unknown = await one.get('/areas/nowhere');
  assert.equal(unknown.status, 404);
  assert.match(await unknown.text(), /<title>Page not found/, 'an unknown area gets the designed 404 page');
});

/** The text of a page's h1. */
function h1(html: string): string | undefined {
  return /<h1 class="heading-l">([^<]*)<\/h1>/.exec(html)?.[1];
}

test('in Welsh: save and come back later, check and send, and the confirmation link, each with its Welsh error', async () => {
  const { slug: s } = await openConsultation(editor, 'Cerdded yn y parc', { onePerEmail: true });
  const v = new Visitor(server.url);
  v.cookies.set('lang', 'cy');
  assert.equal((await v.post(`/consultations/${s}/respond?section=1`, { action: 'save', q1: '1' })).headers.get('location'), `/consultations/${s}/save?section=1`);
  const save = await validPage(await v.get(`/consultations/${s}/save?section=1`), 'save (cy)');
  assert.match(save, /<html lang="cy"/);
  assert.equal(h1(save), 'Cadw a dod yn ôl yn nes ymlaen');
  const noAddress = await validPage(await v.post(`/consultations/${s}/save`, { email: '' }), 'save refused (cy)', 400);
  assert.match(noAddress, /Mae problem/);
  assert.match(noAddress, /<a href="#email">Rhowch eich cyfeiriad e-bost<\/a>/);
  const badAddress = await validPage(await v.post(`/consultations/${s}/save`, { email: 'dim cyfeiriad' }), 'save bad address (cy)', 400);
  assert.match(badAddress, /Rhowch gyfeiriad e-bost yn y fformat cywir, fel enw@example\.com/);
  assert.match(await validPage(await v.post(`/consultations/${s}/save`, { email: 'cerddwr@example.org' }), 'saved (cy)'), /Rydym wedi anfon dolen i cerddwr@example\.org/);

  const finish = await validPage(await v.get(`/consultations/${s}/finish`), 'finish (cy)');
  assert.equal(h1(finish), 'Gwirio eich atebion ac anfon');
  assert.match(finish, /Amdanoch chi \(dewisol\)/);
  assert.match(finish, /65 neu hŷn/);
  const refused = await validPage(await v.post(`/consultations/${s}/finish`, { email: '' }), 'finish refused (cy)', 400);
  assert.match(refused, /<a href="#email">Rhowch eich cyfeiriad e-bost<\/a>/);
  assert.equal((await v.post(`/consultations/${s}/finish`, { email: 'cerddwr@example.org' })).headers.get('location'), `/consultations/${s}/done?confirm=1`);
  const mail = await smtp.waitFor((m) => sentTo(m, 'cerddwr@example.org') && /\/confirm\?token=/.test(m.text ?? ''));
  const token = new URL(/https?:\/\/\S+\/confirm\?token=\S+/.exec(mail.text ?? '')![0]).searchParams.get('token')!;
  const confirm = await validPage(await v.get(`/consultations/${s}/confirm?token=${encodeURIComponent(token)}`), 'confirm (cy)');
  assert.equal(h1(confirm), 'Cadarnhau eich ymateb');
  const broken = await validPage(await v.post(`/consultations/${s}/confirm`, { token: 'not-a-token' }), 'confirm refused (cy)', 400);
  assert.equal(h1(broken), 'Nid yw&#39;r ddolen hon yn gweithio');
  assert.match(broken, /Mae problem/);
  const done = await validPage(await v.post(`/consultations/${s}/confirm`, { token }), 'confirmed (cy)');
  assert.match(done, /Ymateb wedi&#39;i gadarnhau|Ymateb wedi'i gadarnhau/);
});

/** A page's h1 as text (tags removed, spaces collapsed). */
function h1Text(html: string): string | undefined {
  return /<h1\b[^>]*>([\s\S]*?)<\/h1>/.exec(html)?.[1]?.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
}

test('in Welsh: a meeting page, its registration errors and confirmation, and giving up the place', async () => {
  assert.equal((await editor.post(`/staff/consultations/${id}/meetings`, { intent: 'add', title: 'Park bench meeting', ...dateFields('starts', 6, '6pm'), minutes: '60', place: 'Mill Lane Community Hall', areaId: 'mill-lane', stepFree: 'yes', hearingLoop: 'no', accessNotes: '', capacity: '5' })).status, 303);
  const meetingId = String((await db.execute({ sql: "select id from consultation_meetings where title = 'Park bench meeting'", args: [] })).rows[0]!.id);
  const v = new Visitor(server.url);
  v.cookies.set('lang', 'cy');
  const page = await validPage(await v.get(`/meetings/${meetingId}`), 'meeting (cy)');
  assert.match(page, /<html lang="cy"/);
  assert.equal(h1Text(page), 'Cyfarfod cyhoeddus Park bench meeting');
  assert.equal(h1Text(await (await new Visitor(server.url).get(`/meetings/${meetingId}`)).text()), 'Public meeting Park bench meeting');
  assert.match(page, /Mynediad heb risiau\. Dim dolen sain\./);
  assert.match(page, /5 o 5 ar ôl/);
  assert.match(page, /(Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr) 20\d\d/);
  const refused = await validPage(await v.post(`/meetings/${meetingId}`, { name: '', email: '' }), 'registration refused (cy)', 400);
  assert.match(refused, /Mae problem/);
  assert.match(refused, /<a href="#name">Rhowch eich enw<\/a>/);
  assert.match(refused, /<a href="#email">Rhowch eich cyfeiriad e-bost<\/a>/);
  assert.equal((await v.post(`/meetings/${meetingId}`, { name: 'Siân', email: 'sian@example.org' })).headers.get('location'), `/meetings/${meetingId}?registered=booked`);
  // Twice: the same answer as a first registration (the address is told by e-mail, not the page).
  assert.equal((await v.post(`/meetings/${meetingId}`, { name: 'Siân', email: 'sian@example.org' })).headers.get('location'), `/meetings/${meetingId}?registered=booked`);
  assert.match(await validPage(await v.get(`/meetings/${meetingId}?registered=booked`), 'booked (cy)'), /Mae eich lle wedi(&#39;|')i gadw/);
  const mail = await smtp.waitFor((m) => sentTo(m, 'sian@example.org') && /Your place is booked/.test(m.subject ?? ''));
  const cancel = /https?:\/\/\S+\/cancel\?token=\S+/.exec(mail.text ?? '')![0].replace(server.url, '');
  const give = await validPage(await v.get(cancel), 'cancel (cy)');
  assert.equal(h1Text(give), 'Ildio eich lle');
  const broken = await validPage(await v.post(`/meetings/${meetingId}/cancel`, { token: 'nope' }), 'cancel refused (cy)', 400);
  assert.equal(h1Text(broken), 'Nid yw&#39;r ddolen hon yn gweithio');
  const token = new URL(cancel, server.url).searchParams.get('token')!;
  assert.match(await validPage(await v.post(`/meetings/${meetingId}/cancel`, { token }), 'cancelled (cy)'), /Lle wedi(&#39;|')i ildio/);
});
