/**
 * Staff sides of consultations over HTTP against the built server: a meeting's registrants list (e-mail addresses
 * and the CSV only with pii.export, a district editor only in their district, every view and download audited);
 * the survey builder's change, move and refusals; a district editor kept to their district on every page and action; "who is not responding" by ward and age band against the
 * population in content/config/areas.json, checked against an independent SQL count.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { createClient, type Client } from '@libsql/client';
import { parse } from 'csv-parse/sync';
import { htmlProblems } from '../helpers/html.ts';
import { Visitor } from '../helpers/http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { dateFields, openConsultation } from './consultation-setup.ts';
import { signInAs } from './staff-sign-in.ts';

let server: TestServer;
let db: Client;
let editor: Visitor;
before(async () => {
  server = await startServer();
  db = createClient({ url: server.dbUrl });
  await db.execute('PRAGMA busy_timeout = 5000');
  editor = await signInAs(server.url, 'editor@hollowmere.example');
});
after(async () => {
  db?.close();
  await server?.stop();
});

/** Assert a page is valid HTML with this status and return its text. */
async function validPage(res: Response, label: string, status = 200): Promise<string> {
  const html = await res.text();
  assert.equal(res.status, status, `${label}: status`);
  assert.deepEqual(await htmlProblems(html, label), [], `${label}: valid HTML`);
  return html;
}

/** The audit rows of an action about a subject, oldest first. */
async function auditRows(action: string, subjectId: string) {
  return (await db.execute({ sql: 'select actor_id, data from audit_events where action = ? and subject_id = ? order by at, id', args: [action, subjectId] })).rows.map((r) => ({ actor: String(r.actor_id), data: JSON.parse(String(r.data)) as Record<string, unknown> }));
}

/** A staff member's user id. */
async function userId(email: string): Promise<string> {
  return String((await db.execute({ sql: 'select id from users where email = ?', args: [email] })).rows[0]!.id);
}

test('registrants: editors see names, access needs, status and waiting-list place a page at a time; e-mail addresses and the CSV need pii.export; all audited', async () => {
  const { id } = await openConsultation(editor, 'Registrants of a walkabout');
  const meeting = (starts: Record<string, string>) => ({ intent: 'add', title: 'Saltings walkabout', ...starts, minutes: '60', place: 'Saltings Hall', areaId: 'saltings', stepFree: 'yes', hearingLoop: 'yes', accessNotes: '', capacity: '2' });
  // A start with no time (it would become midday) or in the past is refused on its field.
  const noTime = await validPage(await editor.post(`/staff/consultations/${id}/meetings`, meeting(dateFields('starts', 10, ''))), 'meeting without a time', 400);
  assert.match(noTime, /href="#starts-time"[^>]*>Enter the time it starts, like 6pm or 18:30/);
  const past = await validPage(await editor.post(`/staff/consultations/${id}/meetings`, meeting(dateFields('starts', -30, '6pm'))), 'meeting in the past', 400);
  assert.match(past, /href="#starts-day"[^>]*>The meeting must start in the future/);
  const added = await editor.post(`/staff/consultations/${id}/meetings`, meeting(dateFields('starts', 10, '6pm')));
  assert.equal(added.status, 303);
  const list = await validPage(await editor.get(`/staff/consultations/${id}/meetings`), 'meetings with registrants link');
  const meetingId = /data-meeting="([^"]+)"/.exec(list)![1]!;
  assert.match(list, new RegExp(`href="/staff/consultations/${id}/meetings/${meetingId}"`));
  const resident = new Visitor(server.url);
  const people = [
    { name: 'Ada Booked', email: 'ada.booked@example.org', accessNeeds: 'A wheelchair space' },
    { name: 'Ben Booked', email: 'ben.booked@example.org', accessNeeds: '' },
    ...Array.from({ length: 25 }, (_, i) => ({ name: `Waiting ${String(i + 1).padStart(2, '0')}`, email: `waiting${i + 1}@example.org`, accessNeeds: i === 0 ? 'British Sign Language interpreter' : '' })),
  ];
  for (const p of people) assert.equal((await resident.post(`/meetings/${meetingId}`, p)).status, 303);
  const base = `/staff/consultations/${id}/meetings/${meetingId}`;

  const first = await validPage(await editor.get(base), 'registrants page 1');
  assert.match(first, /<title>Registrants: Saltings walkabout/);
  assert.match(first, /<th scope="row"[^>]*>Ada Booked<\/th><td[^>]*>A wheelchair space<\/td><td[^>]*>Registered<\/td><td[^>]*><\/td>/);
  assert.match(first, /<th scope="row"[^>]*>Waiting 01<\/th><td[^>]*>British Sign Language interpreter<\/td><td[^>]*>Waiting<\/td><td[^>]*>1<\/td>/);
  assert.doesNotMatch(first, /@example\.org/, 'no e-mail addresses without pii.export');
  assert.doesNotMatch(first, /registrants\.csv/, 'and no download');
  assert.match(first, /Registrants, page 1 of 2/);
  assert.doesNotMatch(first, /Waiting 24/, 'page 1 holds 25 rows');
  const second = await validPage(await editor.get(`${base}?page=2`), 'registrants page 2');
  assert.match(second, /<th scope="row"[^>]*>Waiting 25<\/th><td[^>]*>None given<\/td><td[^>]*>Waiting<\/td><td[^>]*>25<\/td>/);
  assert.equal((await editor.get(`${base}/registrants.csv`)).status, 403, 'editors cannot download');
  const editorId = await userId('editor@hollowmere.example');
  assert.deepEqual((await auditRows('consultation.registrants_viewed', meetingId)).map((r) => [r.actor, r.data]), [
    [editorId, { page: 1, rows: 25, emails: false }],
    [editorId, { page: 2, rows: 2, emails: false }],
  ]);

  const admin = await signInAs(server.url, 'admin@hollowmere.example');
  const full = await validPage(await admin.get(base), 'registrants with e-mail addresses');
  assert.match(full, /<td[^>]*>ada\.booked@example\.org<\/td>/);
  assert.match(full, new RegExp(`href="${base}/registrants.csv"`));
  const csv = await admin.get(`${base}/registrants.csv`);
  assert.equal(csv.status, 200);
  assert.equal(csv.headers.get('cache-control'), 'no-store');
  const records = parse(await csv.text(), { columns: true, bom: true }) as Record<string, string>[];
  assert.equal(records.length, 27);
  assert.deepEqual(records[0], { Name: 'Ada Booked', 'E-mail address': 'ada.booked@example.org', 'Access needs': 'A wheelchair space', Status: 'Registered', 'Place on the waiting list': '', Registered: records[0]!.Registered });
  assert.deepEqual(records.filter((r) => r.Status === 'Waiting').map((r) => r['Place on the waiting list']), Array.from({ length: 25 }, (_, i) => String(i + 1)));
  const adminId = await userId('admin@hollowmere.example');
  assert.deepEqual((await auditRows('consultation.registrants_exported', meetingId)).map((r) => [r.actor, r.data]), [[adminId, { rows: 27 }]]);
  assert.equal((await auditRows('consultation.registrants_viewed', meetingId)).at(-1)!.data.emails, true);

  const outside = await signInAs(server.url, 'brackenford-editor@hollowmere.example');
  assert.equal((await outside.get(base)).status, 404, 'a district editor does not see another district\'s meeting');
  const inside = await signInAs(server.url, 'eastmere-editor@hollowmere.example');
  await validPage(await inside.get(base), 'registrants for the district editor');
  const other = await openConsultation(editor, 'Another consultation');
  assert.equal((await editor.get(`/staff/consultations/${other.id}/meetings/${meetingId}`)).status, 404, 'the meeting must belong to the consultation in the address');
});

test('a district editor manages only consultations in their district: others answer 404 on every staff page and action and are not listed; a new one must be in their district', async () => {
  const eastmere = await signInAs(server.url, 'eastmere-editor@hollowmere.example');
  const brackenford = await signInAs(server.url, 'brackenford-editor@hollowmere.example');
  const wide = await openConsultation(editor, 'Walkabouts across the partnership', { publish: false });
  const details = (title: string, areaId: string) => ({ title, summary: `About ${title}.`, topic: 'feeling-safe', areaId, ...dateFields('opens', -1), ...dateFields('closes', 30, '5pm'), onePerEmail: 'no', aboutYou: 'yes' });
  const created = await eastmere.post('/staff/consultations', details('Harbour lighting', 'eastmere-harbour'));
  assert.equal(created.status, 303, 'a district editor creates one in a ward of their district');
  const id = created.headers.get('location')!.split('/')[3]!.split('?')[0]!;

  for (const path of ['', '/preview', '/results', '/meetings', '/export.csv']) {
    assert.equal((await brackenford.get(`/staff/consultations/${id}${path}`)).status, 404, `another district's consultation${path}`);
    assert.equal((await eastmere.get(`/staff/consultations/${id}${path}`)).status, 200, `their own consultation${path}`);
    assert.equal((await eastmere.get(`/staff/consultations/${wide.id}${path}`)).status, 404, `a partnership-wide consultation${path}`);
  }
  const hijack = await brackenford.post(`/staff/consultations/${id}`, { intent: 'details', ...details('Hijacked', 'brackenford') });
  assert.equal(hijack.status, 404, 'a change to another district\'s consultation');
  assert.equal((await db.execute({ sql: 'select title from consultations where id = ?', args: [id] })).rows[0]!.title, 'Harbour lighting', 'nothing changed');
  assert.equal((await brackenford.post(`/staff/consultations/${id}/meetings`, { intent: 'add', title: 'Sneaky', ...dateFields('starts', 10, '6pm'), minutes: '60', place: 'Hall', areaId: '', stepFree: 'yes', hearingLoop: 'yes', accessNotes: '', capacity: '2' })).status, 404, 'a meeting added to another district\'s consultation');

  const theirList = await validPage(await eastmere.get('/staff/consultations'), 'consultations list for a district editor');
  assert.match(theirList, /Harbour lighting/);
  assert.doesNotMatch(theirList, /Walkabouts across the partnership/, 'partnership-wide consultations are not listed for a district editor');
  const otherList = await validPage(await brackenford.get('/staff/consultations'), 'consultations list for another district editor');
  assert.doesNotMatch(otherList, /Harbour lighting/);
  assert.doesNotMatch(otherList, /value="eastmere"/, 'the area list offers only their district and its wards');
  assert.match(otherList, /value="brackenford"/);
  assert.match(await (await editor.get('/staff/consultations')).text(), /Harbour lighting/, 'a partnership editor sees every consultation');

  for (const [areaId, message] of [['', 'Choose an area in your district'], ['eastmere', 'Select an area from the list']] as const) {
    const refused = await brackenford.post('/staff/consultations', details(`Refused ${areaId || 'wide'}`, areaId));
    const html = await validPage(refused, `a district editor's consultation with area "${areaId}"`, 400);
    assert.match(html, new RegExp(message));
    assert.equal((await db.execute({ sql: 'select count(*) as n from consultations where title = ?', args: [`Refused ${areaId || 'wide'}`] })).rows[0]!.n, 0, 'nothing stored');
  }
});

/** The stored survey of a consultation. */
async function storedSurvey(id: string): Promise<{ key: string; label: string; hint?: string; required: boolean; section: number; options?: { value: string; label: string }[]; showWhen?: { key: string; in: string[] } }[]> {
  return JSON.parse(String((await db.execute({ sql: 'select questions from consultations where id = ?', args: [id] })).rows[0]!.questions));
}

/** The question form's fields for a change. */
function questionForm(key: string, fields: Record<string, string>): Record<string, string> {
  return { intent: 'edit', key, type: 'single', label: '', hint: '', required: 'yes', section: '1', options: '', max: '', points: '', showWhen: '', ...fields };
}

test('survey builder: an editor changes a question and moves one within its section while the consultation is a draft; changes are refused once responses exist', async () => {
  const { id, slug } = await openConsultation(editor, 'Builder changes', { publish: false });
  const add = (fields: Record<string, string>) => editor.post(`/staff/consultations/${id}`, { intent: 'add', required: 'yes', hint: '', options: '', max: '', points: '', showWhen: '', ...fields });
  assert.equal((await add({ type: 'text', label: 'What happens after dark?', required: 'no', section: '2', showWhen: 'q1:1' })).status, 303);
  assert.equal((await add({ type: 'rating', label: 'How well kept is it?', section: '2', points: '5' })).status, 303);

  const form = await validPage(await editor.get(`/staff/consultations/${id}?edit=q1`), 'change question form');
  assert.match(form, /Change question q1/);
  assert.match(form, /<input[^>]*name="label"[^>]*value="Do you feel safe\?"|value="Do you feel safe\?"[^>]*name="label"/, 'the form holds the question as it is');
  const changed = await editor.post(`/staff/consultations/${id}`, questionForm('q1', { label: 'Do you feel safe in the square?', hint: 'Think of the last month', required: 'no', options: 'Yes\nNo\nNot sure' }));
  assert.equal(changed.status, 303);
  assert.deepEqual((await storedSurvey(id)).find((q) => q.key === 'q1'), { key: 'q1', type: 'single', label: 'Do you feel safe in the square?', hint: 'Think of the last month', required: false, section: 1, options: [{ value: '1', label: 'Yes' }, { value: '2', label: 'No' }, { value: '3', label: 'Not sure' }] });
  const conditioned = await editor.post(`/staff/consultations/${id}`, questionForm('q2', { type: 'text', label: 'What happens after dark?', required: 'no', section: '2', max: '300', showWhen: 'q1:3' }));
  assert.equal(conditioned.status, 303);
  assert.deepEqual((await storedSurvey(id)).find((q) => q.key === 'q2')!.showWhen, { key: 'q1', in: ['3'] }, 'the condition changes');
  const settled = await storedSurvey(id);

  const breaksCondition = await validPage(await editor.post(`/staff/consultations/${id}`, questionForm('q1', { label: 'Do you feel safe in the square?', options: 'Yes\nNo' })), 'change refused: condition', 400);
  assert.match(breaksCondition, /q2 is shown only after an answer that q1 no longer offers/);
  // Options are numbered in order: taking out "No" would make q2's "Not sure" read as another answer.
  const meaning = await validPage(await editor.post(`/staff/consultations/${id}`, questionForm('q1', { label: 'Do you feel safe in the square?', options: 'Yes\nNot sure\nSometimes' })), 'change refused: condition meaning', 400);
  assert.match(meaning, /href="#options"[^>]*>q2 is shown only when q1 is “Not sure”, which this change would make “Sometimes”/);
  assert.equal((await editor.post(`/staff/consultations/${id}`, questionForm('q1', { label: 'Do you feel safe in the square?', required: 'no', hint: 'Think of the last month', options: 'Yes\nNo\nNot sure\nSometimes' }))).status, 303, 'an option added at the end changes no condition');
  assert.equal((await editor.post(`/staff/consultations/${id}`, questionForm('q1', { label: 'Do you feel safe in the square?', required: 'no', hint: 'Think of the last month', options: 'Yes\nNo\nNot sure' }))).status, 303);
  const laterSection = await validPage(await editor.post(`/staff/consultations/${id}`, questionForm('q1', { label: 'Do you feel safe in the square?', section: '2', options: 'Yes\nNo\nNot sure' })), 'change refused: section', 400);
  assert.match(laterSection, /q2 is shown only after an answer to q1, so it must be in a later section than q1/);
  const empty = await validPage(await editor.post(`/staff/consultations/${id}`, questionForm('q1', { label: '' })), 'change refused: empty', 400);
  assert.match(empty, /Enter the question/);
  assert.deepEqual(await storedSurvey(id), settled, 'refused changes store nothing');

  assert.equal((await editor.post(`/staff/consultations/${id}`, { intent: 'move', key: 'q3', direction: 'up' })).status, 303);
  assert.deepEqual((await storedSurvey(id)).map((q) => q.key), ['q1', 'q3', 'q2'], 'q3 moved above q2 in section 2');
  const page = await validPage(await editor.get(`/staff/consultations/${id}`), 'builder after the move');
  assert.deepEqual([...page.matchAll(/data-question="(q\d+)"/g)].map((m) => m[1]), ['q1', 'q3', 'q2']);
  assert.doesNotMatch(page, /Move up<span class="visually-hidden"> q1</, 'the first of a section cannot move up');
  const stuck = await validPage(await editor.post(`/staff/consultations/${id}`, { intent: 'move', key: 'q3', direction: 'up' }), 'move refused', 400);
  assert.match(stuck, /That question cannot move further within its section/);

  // Published, answered, then back to draft: the questions are now fixed.
  assert.equal((await editor.post(`/staff/consultations/${id}`, { intent: 'publish' })).status, 303);
  const resident = new Visitor(server.url);
  await resident.post(`/consultations/${slug}/respond?section=1`, { action: 'continue', q1: '1' });
  await resident.post(`/consultations/${slug}/respond?section=2`, { action: 'continue', q3: '4' });
  assert.equal((await resident.post(`/consultations/${slug}/finish`, {})).status, 303);
  assert.equal((await editor.post(`/staff/consultations/${id}`, { intent: 'unpublish', confirm: 'yes' })).status, 303);
  const before = await storedSurvey(id);
  const refused = await validPage(await editor.post(`/staff/consultations/${id}`, questionForm('q1', { label: 'Reworded', options: 'Yes\nNo\nNot sure' })), 'change refused: responses', 400);
  assert.match(refused, /This consultation has responses, so its questions can no longer change/);
  assert.equal((await editor.post(`/staff/consultations/${id}`, { intent: 'move', key: 'q2', direction: 'up' })).status, 400);
  assert.equal((await editor.post(`/staff/consultations/${id}`, { intent: 'remove', key: 'q2' })).status, 400);
  assert.deepEqual(await storedSurvey(id), before, 'the survey is unchanged');
  const lockedPage = await validPage(await editor.get(`/staff/consultations/${id}?edit=q1`), 'builder with responses');
  assert.doesNotMatch(lockedPage, /Change question q1|Move up|>Change</, 'no change links or buttons');
});

/** The cells of each row of a "who is not responding" table, by row value. */
function reachTable(html: string, id: string): Map<string, string[]> {
  const table = new RegExp(`<table class="table" data-reach="${id}">([\\s\\S]*?)</table>`).exec(html)![1]!;
  return new Map([...table.matchAll(/<tr data-row="([^"]+)">([\s\S]*?)<\/tr>/g)].map((m) => [m[1]!, [...m[2]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '').trim())]));
}

test('who is not responding: respondents by ward and by age band against the population, per 1,000 and as shares, counts under 5 suppressed', async () => {
  const created = await editor.post('/staff/consultations', { title: 'Eastmere evenings', summary: 'Evenings in Eastmere.', topic: 'feeling-safe', areaId: 'eastmere', ...dateFields('opens', -1), ...dateFields('closes', 30, '5pm'), onePerEmail: 'no', aboutYou: 'yes' });
  const id = created.headers.get('location')!.split('/')[3]!.split('?')[0]!;
  assert.equal((await editor.post(`/staff/consultations/${id}`, { intent: 'add', type: 'single', label: 'Out after dark?', required: 'yes', section: '1', options: 'Yes\nNo', hint: '', max: '', points: '', showWhen: '' })).status, 303);
  assert.equal((await editor.post(`/staff/consultations/${id}`, { intent: 'publish' })).status, 303);
  const profiles: [string, string][] = [
    ...Array.from({ length: 7 }, (): [string, string] => ['saltings', '25-44']), ...Array.from({ length: 5 }, (): [string, string] => ['eastmere-harbour', '65-plus']),
    ['windle', '18-24'], ['windle', '18-24'], ['redcliff', 'not-say'], ['', '45-64'], ['', '45-64'], ['mill-lane', '25-44'],
  ];
  for (const [wardId, ageBand] of profiles) assert.equal((await editor.post(`/staff/consultations/${id}/respond`, { channel: 'paper', q1: '1', wardId, ageBand })).status, 303);
  const html = await validPage(await editor.get(`/staff/consultations/${id}/results`), 'results with who is not responding');

  // Independently: the populations from the configuration file, the counts from SQL.
  const areas = JSON.parse(readFileSync('content/config/areas.json', 'utf8')) as { id: string; kind: string; parent?: string; population: number; ageBands?: Record<string, number> }[];
  const wards = areas.filter((a) => a.kind === 'ward' && a.parent === 'eastmere');
  const countsBy = async (column: string) => new Map((await db.execute({ sql: `select ${column} as k, sum(n) as n from consultation_profile_counts where consultation_id = ? and ${column} <> '' group by ${column}`, args: [id] })).rows.map((r) => [String(r.k), Number(r.n)]));
  const expected = (groups: { key: string; population: number }[], counts: Map<string, number>) => {
    const people = groups.reduce((a, g) => a + g.population, 0);
    const respondents = groups.reduce((a, g) => a + (counts.get(g.key) ?? 0), 0);
    return new Map(groups.map((g) => {
      const n = counts.get(g.key) ?? 0;
      const shown = n >= 5;
      return [g.key, [
        g.population.toLocaleString('en-GB'), shown ? String(n) : 'fewer than 5', shown ? ((n / g.population) * 1000).toFixed(1) : 'not shown',
        shown ? `${((n / respondents) * 100).toFixed(1)}%` : 'not shown', `${((g.population / people) * 100).toFixed(1)}%`,
      ]];
    }));
  };
  const byWard = reachTable(html, 'reach');
  assert.deepEqual([...byWard.keys()], wards.map((w) => w.id), 'the wards of the consultation\'s district');
  const wantWards = expected(wards.map((w) => ({ key: w.id, population: w.population })), await countsBy('ward_id'));
  for (const [ward, cells] of byWard) assert.deepEqual(cells.slice(1, 6), wantWards.get(ward), `ward ${ward}`);
  assert.equal(byWard.get('saltings')![2], '7', 'a count of 5 or more is shown');
  assert.equal(byWard.get('windle')![2], 'fewer than 5', 'a count under 5 is suppressed');

  const bands = ['under-18', '18-24', '25-44', '45-64', '65-plus'];
  const byAge = reachTable(html, 'ages');
  assert.deepEqual([...byAge.keys()], bands);
  const wantAges = expected(bands.map((b) => ({ key: b, population: wards.reduce((a, w) => a + w.ageBands![b]!, 0) })), await countsBy('age_band'));
  for (const [band, cells] of byAge) assert.deepEqual(cells.slice(1, 6), wantAges.get(band), `age band ${band}`);
  assert.equal(byAge.get('25-44')![2], '8');
  // The flag: under half the band's share of the population; a hidden count is taken as 4, so the flag never tells
  // what the table hides (a band of 0 and one of 3 get the same flag).
  const ageCounts = await countsBy('age_band');
  const answered = [...ageCounts.entries()].filter(([k]) => bands.includes(k)).reduce((a, [, n]) => a + n, 0);
  const agePeople = bands.reduce((a, b) => a + wards.reduce((x, w) => x + w.ageBands![b]!, 0), 0);
  for (const band of bands) {
    const n = ageCounts.get(band) ?? 0;
    const share = (wards.reduce((x, w) => x + w.ageBands![band]!, 0) / agePeople) * 100;
    const flagged = ((n >= 5 ? n : 4) / answered) * 100 < Number(share.toFixed(1)) / 2;
    assert.equal(/Under-represented/.test(byAge.get(band)![6]!), flagged, `age band ${band}`);
  }
  assert.match(html, /Prefer not to say their age: fewer than 5\./);
});

test('free-text answers on the results page come 50 a page, with page links, and tagging one returns to its page', async () => {
  const created = await editor.post('/staff/consultations', { title: 'Harbour lighting views', summary: 'Lighting by the harbour.', topic: 'feeling-safe', areaId: 'eastmere', ...dateFields('opens', -1), ...dateFields('closes', 30, '5pm'), onePerEmail: 'no', aboutYou: 'no' });
  const id = created.headers.get('location')!.split('/')[3]!.split('?')[0]!;
  assert.equal((await editor.post(`/staff/consultations/${id}`, { intent: 'add', type: 'text', label: 'What would help?', required: 'yes', section: '1', hint: '', options: '', max: '', points: '', showWhen: '' })).status, 303);
  assert.equal((await editor.post(`/staff/consultations/${id}`, { intent: 'publish' })).status, 303);
  for (let n = 1; n <= 53; n++) assert.equal((await editor.post(`/staff/consultations/${id}/respond`, { channel: 'paper', q1: `Paper answer ${n}` })).status, 303);
  assert.equal((await editor.post(`/staff/consultations/${id}/results`, { intent: 'theme', theme: 'Lighting' })).status, 303);
  const base = `/staff/consultations/${id}/results`;
  const answersOn = (html: string) => [...html.matchAll(/“Paper answer (\d+)”/g)].length;

  const first = await validPage(await editor.get(base), 'results, answers page 1');
  assert.equal(answersOn(first), 50);
  assert.match(first, /Answers 1 to 50 of 53/);
  assert.match(first, new RegExp(`<nav class="pagination" aria-label="Pages of free-text answers">[\\s\\S]*href="${base}\\?answers=2#themes" rel="next"`));
  const second = await validPage(await editor.get(`${base}?answers=2`), 'results, answers page 2');
  assert.equal(answersOn(second), 3);
  assert.match(second, /Answers 51 to 53 of 53/);
  assert.match(second, new RegExp(`href="${base}#themes" rel="prev"`));

  const themeId = /name="themes" value="([^"]+)"/.exec(second)![1]!;
  const responseId = /data-answer="([^"]+)"/.exec(second)![1]!;
  const tagged = await editor.post(base, { intent: 'tag', answers: '2', response: responseId, question: 'q1', themes: themeId });
  assert.equal(tagged.status, 303);
  assert.equal(tagged.headers.get('location'), `${base}?saved=tagged&answers=2#answer-${responseId}-q1`, 'back to the page the answer is on');
});

test('closing early, taking back to draft and removing a question each ask first, and only the confirmed press does it', async () => {
  const created = await editor.post('/staff/consultations', { title: 'Windle green evenings', summary: 'Evenings on the green.', topic: 'feeling-safe', areaId: 'eastmere', ...dateFields('opens', -1), ...dateFields('closes', 30, '5pm'), onePerEmail: 'no', aboutYou: 'no' });
  const id = created.headers.get('location')!.split('/')[3]!.split('?')[0]!;
  const base = `/staff/consultations/${id}`;
  const add = (form: Record<string, string>) => editor.post(base, { intent: 'add', required: 'no', section: '1', hint: '', options: '', max: '', points: '', showWhen: '', ...form });
  assert.equal((await add({ type: 'single', label: 'Do you use the green?', options: 'Yes\nNo' })).status, 303);
  assert.equal((await add({ type: 'text', label: 'What do you do there?', section: '2', showWhen: 'q1:1' })).status, 303);
  assert.equal((await add({ type: 'text', label: 'Anything else?' })).status, 303);
  const keys = async () => [...(await (await editor.get(base)).text()).matchAll(/data-question="([^"]+)"/g)].map((m) => m[1]);

  const asked = await validPage(await editor.post(base, { intent: 'remove', key: 'q1' }), 'remove: confirm');
  assert.match(asked, /Remove question q1 from the survey\? Question q2, shown only after an answer to it, is removed too\./);
  assert.deepEqual(await keys(), ['q1', 'q3', 'q2'], 'nothing removed before confirming (in section order)');
  assert.equal((await editor.post(base, { intent: 'remove', key: 'q1', confirm: 'yes' })).status, 303);
  assert.deepEqual(await keys(), ['q3']);

  assert.equal((await editor.post(base, { intent: 'publish' })).status, 303);
  const state = async () => /<p class="body"><strong class="tag[^"]*">([^<]+)<\/strong>/.exec(await (await editor.get(base)).text())![1];
  assert.equal(await state(), 'Open');
  for (const [intent, words] of [['close', /Close “Windle green evenings” now\?/], ['unpublish', /Take “Windle green evenings” back to draft\?/]] as const) {
    const confirm = await validPage(await editor.post(base, { intent }), `${intent}: confirm`);
    assert.match(confirm, words);
    assert.match(confirm, new RegExp(`<input type="hidden" name="intent" value="${intent}"><input type="hidden" name="confirm" value="yes">`));
    assert.equal(await state(), 'Open', `still open before confirming ${intent}`);
  }
  assert.equal((await editor.post(base, { intent: 'close', confirm: 'yes' })).status, 303);
  assert.equal(await state(), 'Closed');
});

test('keying in a paper response with a long non-Latin answer is accepted (every section on one page fits its body limit)', async () => {
  const created = await editor.post('/staff/consultations', { title: 'Harbour paper forms', summary: 'Paper forms from the harbour.', topic: 'feeling-safe', areaId: 'eastmere', ...dateFields('opens', -1), ...dateFields('closes', 30, '5pm'), onePerEmail: 'no', aboutYou: 'no' });
  const id = created.headers.get('location')!.split('/')[3]!.split('?')[0]!;
  assert.equal((await editor.post(`/staff/consultations/${id}`, { intent: 'add', type: 'text', label: 'Tell us more', required: 'yes', section: '1', hint: '', options: '', max: '5000', points: '', showWhen: '' })).status, 303);
  assert.equal((await editor.post(`/staff/consultations/${id}`, { intent: 'publish' })).status, 303);
  // 5,000 three-byte characters: 15,000 bytes, 45,000 once URL-encoded, past the 32 kB default.
  const answer = 'আমাদের এলাকা নিরাপদ'.repeat(300).slice(0, 5000);
  const keyed = await editor.post(`/staff/consultations/${id}/respond`, { channel: 'paper', q1: answer });
  assert.equal(keyed.status, 303, await keyed.text());
  const stored = (await db.execute({ sql: 'SELECT answers FROM consultation_responses WHERE consultation_id = ?', args: [id] })).rows.map((r) => JSON.parse(String(r.answers)).q1);
  assert.deepEqual(stored, [answer]);
});

test('the dates of a published consultation cannot take it off the site or close it without the confirming step; a closing date before the opening one is marked on its field', async () => {
  const { id, slug } = await openConsultation(editor, 'Dates stay put');
  const base = { intent: 'details', title: 'Dates stay put', summary: 'About dates.', topic: 'feeling-safe', areaId: '', onePerEmail: 'no', aboutYou: 'yes' };
  const empty = { 'opens-day': '', 'opens-month': '', 'opens-year': '', 'opens-time': '' };
  const cleared = await editor.post(`/staff/consultations/${id}`, { ...base, ...empty, ...dateFields('closes', 30, '5pm') });
  const clearedHtml = await validPage(cleared, 'opening date cleared', 400);
  assert.match(clearedHtml, /href="#opens-day"[^>]*>Enter the opening date: a published consultation keeps its dates/);
  const past = await editor.post(`/staff/consultations/${id}`, { ...base, ...dateFields('opens', -3), ...dateFields('closes', -1, '5pm') });
  assert.match(await validPage(past, 'closing date in the past', 400), /The closing date must be in the future while the consultation is open \(to close it now, use &quot;Close now&quot;\)/);
  assert.equal((await new Visitor(server.url).get(`/consultations/${slug}`)).status, 200, 'still open to residents');
  const reversed = await editor.post(`/staff/consultations/${id}`, { ...base, ...dateFields('opens', 5), ...dateFields('closes', 2, '5pm') });
  const reversedHtml = await validPage(reversed, 'closing before opening', 400);
  assert.match(reversedHtml, /<p id="closes-error" class="error-message">[\s\S]*?The closing date must be after the opening date/, 'the error is on the field too');
  const moved = await editor.post(`/staff/consultations/${id}`, { ...base, ...dateFields('opens', -1), ...dateFields('closes', 40, '5pm') });
  assert.equal(moved.status, 303, 'a later closing date is fine');
});
