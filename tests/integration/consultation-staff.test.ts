/**
 * Staff sides of consultations over HTTP against the built server: a meeting's registrants list (e-mail addresses
 * and the CSV only with pii.export, a district editor only in their district, every view and download audited).
 */
import assert from 'node:assert/strict';
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
  const added = await editor.post(`/staff/consultations/${id}/meetings`, { intent: 'add', title: 'Saltings walkabout', ...dateFields('starts', 10, '6pm'), minutes: '60', place: 'Saltings Hall', areaId: 'saltings', stepFree: 'yes', hearingLoop: 'yes', accessNotes: '', capacity: '2' });
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
