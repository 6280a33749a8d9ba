/**
 * Geography over HTTP (issue 17): an out-of-area postcode gets a notice saying where to report instead; a
 * known postcode stores the postcode's coordinates; a similar open report nearby is offered (no personal data)
 * and the resident either adds themselves to it (one incident) or carries on with a new report; the staff case
 * page lists the nearby cases. Only a category listed by place in public is ever offered: a sensitive or other
 * non-public category never learns whether a report of it was made near a spot.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClient, type Client } from '@libsql/client';
import { htmlProblems } from '../helpers/html.ts';
import { Visitor } from '../helpers/http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { signInAs } from './staff-sign-in.ts';

let server: TestServer;
let db: Client;
before(async () => {
  server = await startServer();
  db = createClient({ url: server.dbUrl, timeout: 15_000 });
});
after(async () => {
  db.close();
  await server.stop();
});

/** A postcode of the sample ONS Postcode Directory, in Mill Lane (Brackenford). */
const MILL_LANE = 'HW1 3AE';

/** The steps up to "where" of a report in a category. */
const before5 = (category: string, description: string): [string, Record<string, string>][] => [
  ['danger', { danger: 'no' }],
  ['category', { category }],
  ['description', { description }],
  ['when', { whenKind: 'approx' }],
  ['when-details', { whenText: 'Most nights this month' }],
];
const AFTER: [string, Record<string, string>][] = [
  ['people', { people: '', affected: 'me', before: 'yes' }],
  ['photos', { intent: 'continue' }],
  ['privacy', { privacy: 'anonymous' }],
];

async function post(v: Visitor, step: string, body: Record<string, string>, status = 303): Promise<Response> {
  const res = await v.post(`/report/${step}`, body);
  assert.equal(res.status, status, `${step}: ${res.status}`);
  return res;
}

async function valid(label: string, res: Response, status: number): Promise<string> {
  assert.equal(res.status, status, `${label} status`);
  const html = await res.text();
  assert.deepEqual(await htmlProblems(html, label), [], `${label} is valid HTML`);
  return html;
}

/** Send the rest of the journey after the where (and nearby) steps; returns the new case's row. */
async function finish(v: Visitor): Promise<Record<string, unknown>> {
  for (const [step, body] of AFTER) await post(v, step, body);
  assert.equal((await v.post('/report/check', { website: '' })).headers.get('location'), '/report/confirmation');
  const ref = /HM-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(await (await v.get('/report/confirmation')).text())?.[0];
  assert.ok(ref, 'the confirmation shows the reference');
  const row = (await db.execute({ sql: 'SELECT id, ref, lat, lon, location_source, incident_id, postcode, ward_id FROM cases WHERE ref = ?', args: [ref] })).rows[0];
  assert.ok(row);
  return row as unknown as Record<string, unknown>;
}

test('without a tile server the where step loads none of the map: no script, no Leaflet style sheet', async () => {
  const v = new Visitor(server.url);
  for (const [step, body] of before5('noise', 'Music played loudly every night.')) await post(v, step, body);
  const html = await valid('where without the map', await v.get('/report/where'), 200);
  assert.doesNotMatch(html, /<script\b|data-map-pin/, 'no island');
  const sheets = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]!);
  assert.ok(sheets.length > 0, 'the page has its own style sheet');
  for (const href of sheets) assert.doesNotMatch(await (await v.get(href)).text(), /\.leaflet-container/, `${href} holds none of Leaflet's style sheet`);
});

test('an out-of-area postcode gets a notice saying where to report instead, and nothing is stored', async () => {
  const v = new Visitor(server.url);
  for (const [step, body] of before5('noise', 'Loud music from the flat above every night.')) await post(v, step, body);
  const html = await valid('where (out of area, neighbour)', await v.post('/report/where', { postcode: 'hw9 1ad', place: '' }), 200);
  assert.match(html, /<title>We cannot take this report - /);
  assert.match(html, /HW9 1AD is not in the area Hollowmere Community Safety Partnership covers\. We cover Brackenford, Eastmere and Thornwick only\./);
  assert.match(html, /<a class="link" href="https:\/\/harrowdale\.example\/report-anti-social-behaviour">Report it to Harrowdale District Council<\/a>/);
  assert.match(html, /href="https:\/\/www\.gov\.uk\/find-local-council"/);
  assert.match(html, /call 999/);
  assert.match(html, /call the police on 101/);
  assert.doesNotMatch(html, /error-summary|Error:/, 'a notice, not a validation error');
  assert.equal((await v.get('/report/people')).headers.get('location'), '/report/where', 'the where step is still to answer');
  const elsewhere = await valid('where (out of area, elsewhere)', await v.post('/report/where', { postcode: 'SW1A 1AA', place: '' }), 200);
  assert.doesNotMatch(elsewhere, /Report it to /, 'no neighbour configured for SW1A');
  assert.match(elsewhere, /Find the council for that postcode on GOV\.UK/);
});

test('a known postcode stores its coordinates; a similar report nearby: the resident adds themselves to it', async () => {
  const first = new Visitor(server.url);
  for (const [step, body] of before5('fly-tipping', 'Mattresses and bin bags dumped by the end house.')) await post(first, step, body);
  assert.equal((await post(first, 'where', { postcode: MILL_LANE, place: '' })).headers.get('location'), '/report/people', 'nothing similar yet');
  const original = await finish(first);
  assert.equal(original.ward_id, 'mill-lane');
  assert.equal(original.location_source, 'postcode');
  assert.deepEqual([original.lat, original.lon], [52.960292, -1.412634], 'the postcode\'s centroid from the sample directory');

  const other = new Visitor(server.url);
  for (const [step, body] of before5('vandalism', 'Bus shelter glass smashed again.')) await post(other, step, body);
  assert.equal((await post(other, 'where', { postcode: MILL_LANE, place: '' })).headers.get('location'), '/report/people', 'another category is not offered');
  const vandalism = await finish(other);

  const v = new Visitor(server.url);
  for (const [step, body] of before5('fly-tipping', 'A pile of rubble and old tyres left on the verge.')) await post(v, step, body);
  assert.equal((await post(v, 'where', { postcode: MILL_LANE, place: 'the end house' })).headers.get('location'), '/report/nearby');
  assert.equal((await v.get('/report/people')).headers.get('location'), '/report/nearby', 'the choice must be made first');
  const page = await valid('nearby', await v.get('/report/nearby'), 200);
  assert.match(page, /<h1 class="heading-l">A similar problem has already been reported near here<\/h1>/);
  assert.match(page, /Fly-tipping or dumped rubbish/);
  assert.match(page, /Mill Lane/);
  assert.match(page, /(January|February|March|April|May|June|July|August|September|October|November|December) 20\d\d/);
  assert.doesNotMatch(page, new RegExp(String(original.ref)), 'no reference');
  assert.doesNotMatch(page, /Mattresses and bin bags|HW1 3AE/, 'no description and no postcode of the other report');
  const refused = await valid('nearby (error)', await v.post('/report/nearby', {}), 400);
  assert.match(refused, /<a href="#joinChoice">Select whether to add your report to it or report it as a new problem<\/a>/);
  assert.equal((await post(v, 'nearby', { joinChoice: 'join' })).headers.get('location'), '/report/people');
  const joined = await finish(v);
  assert.ok(joined.incident_id, 'the new case is in an incident');
  const [again] = (await db.execute({ sql: 'SELECT incident_id FROM cases WHERE id = ?', args: [String(original.id)] })).rows;
  assert.equal(again!.incident_id, joined.incident_id, 'with the report it joined');
  const [incident] = (await db.execute({ sql: 'SELECT title FROM incidents WHERE id = ?', args: [String(joined.incident_id)] })).rows;
  assert.equal(incident!.title, 'Fly-tipping or dumped rubbish in Mill Lane');
  const events = (await db.execute({ sql: "SELECT case_id FROM case_events WHERE action = 'case.incident.linked' AND case_id IN (?, ?)", args: [String(original.id), String(joined.id)] })).rows;
  assert.equal(events.length, 2, 'both timelines say so');

  const fresh = new Visitor(server.url);
  for (const [step, body] of before5('fly-tipping', 'Garden waste tipped over the wall again.')) await post(fresh, step, body);
  await post(fresh, 'where', { postcode: MILL_LANE, place: '' });
  await post(fresh, 'nearby', { joinChoice: 'new' });
  for (const [step, body] of AFTER) await post(fresh, step, body);
  const check = await valid('check (nearby answered)', await fresh.get('/report/check'), 200);
  assert.match(check, /Similar report nearby/);
  assert.match(check, /Report it as a new problem/);
  assert.match(check, /href="\/report\/nearby\?change=1"/);
  assert.equal((await fresh.post('/report/check', { website: '' })).headers.get('location'), '/report/confirmation');
  const ref = /HM-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(await (await fresh.get('/report/confirmation')).text())![0];
  const [separate] = (await db.execute({ sql: 'SELECT incident_id, lat FROM cases WHERE ref = ?', args: [ref] })).rows;
  assert.equal(separate!.incident_id, null, 'a new report joins nothing');
  assert.ok(separate!.lat !== null, 'but has the coordinates');

  const triage = await signInAs(server.url, 'triage@hollowmere.example');
  const casePage = await valid('case page (nearby)', await triage.get(`/staff/cases/${original.ref}`), 200);
  assert.match(casePage, /<h2 class="heading-m" id="nearby-heading">Nearby cases<\/h2>/);
  assert.match(casePage, /Within 300 m of 52\.960292, -1\.412634 in the last 6 months/, 'staff see the coordinates in full');
  for (const r of [joined.ref, ref, vandalism.ref]) assert.match(casePage, new RegExp(`<a href="/staff/cases/${String(r)}">${String(r)}</a>`));
  assert.match(casePage, /Vandalism or graffiti <strong class="tag tag--grey">Other category<\/strong>/);
  assert.match(casePage, /<td class="numeric">0 m<\/td>/);
});

test('in Welsh: the out-of-area notice and the nearby step, with its error and the check answers row', async () => {
  const earlier = new Visitor(server.url);
  for (const [step, body] of before5('fly-tipping', 'A fridge left on the pavement for a week.')) await post(earlier, step, body);
  const next = (await post(earlier, 'where', { postcode: MILL_LANE, place: '' })).headers.get('location');
  if (next === '/report/nearby') await post(earlier, 'nearby', { joinChoice: 'new' });
  await finish(earlier);

  const v = new Visitor(server.url);
  v.cookies.set('lang', 'cy');
  for (const [step, body] of before5('fly-tipping', 'Sbwriel wedi’i adael ar ymyl y ffordd eto.')) await post(v, step, body);
  const away = await valid('where (out of area, cy)', await v.post('/report/where', { postcode: 'hw9 1ad', place: '' }), 200);
  assert.match(away, /<html lang="cy"/);
  assert.match(away, /<h1 class="heading-l">Ni allwn dderbyn yr adroddiad hwn<\/h1>/);
  assert.match(away, /Nid yw HW9 1AD yn yr ardal y mae Hollowmere Community Safety Partnership yn ei gwasanaethu\. Rydym yn gwasanaethu Brackenford, Eastmere a Thornwick yn unig\./);
  assert.match(away, /<a class="link" href="https:\/\/harrowdale\.example\/report-anti-social-behaviour">Rhoi gwybod amdani i Harrowdale District Council<\/a>/);
  assert.match(away, /ffoniwch yr heddlu ar 101/);

  assert.equal((await post(v, 'where', { postcode: MILL_LANE, place: '' })).headers.get('location'), '/report/nearby', 'the fly-tipping report just made is near');
  const page = await valid('nearby (cy)', await v.get('/report/nearby'), 200);
  assert.match(page, /<html lang="cy"/);
  assert.match(page, /<h1 class="heading-l">Mae rhywun eisoes wedi rhoi gwybod am broblem debyg gerllaw<\/h1>/);
  assert.match(page, /Tipio anghyfreithlon/, 'the category in Welsh');
  assert.match(page, /(Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr) 20\d\d/, 'the month in Welsh');
  const refused = await valid('nearby (error, cy)', await v.post('/report/nearby', {}), 400);
  assert.match(refused, /Mae problem/);
  assert.match(refused, /<a href="#joinChoice">Dewiswch a ydych am ychwanegu eich adroddiad ato neu roi gwybod amdani fel problem newydd<\/a>/);
  await post(v, 'nearby', { joinChoice: 'new' });
  for (const [step, body] of AFTER) await post(v, step, body);
  const check = await valid('check (nearby, cy)', await v.get('/report/check'), 200);
  assert.match(check, /Adroddiad tebyg gerllaw/);
  assert.match(check, /Rhoi gwybod amdani fel problem newydd/);
});

test('a sensitive or other non-public category gets no nearby step and no similar report in its draft, with an open one at the same spot', async () => {
  for (const category of ['domestic-concern', 'hate-incident', 'noise']) {
    const earlier = new Visitor(server.url);
    for (const [step, body] of before5(category, 'Something that happened at the same address.')) await post(earlier, step, body);
    await post(earlier, 'where', { postcode: MILL_LANE, place: '' });
    const open = await finish(earlier);
    assert.ok(open.lat !== null, `${category}: the earlier report has the postcode's coordinates`);

    const v = new Visitor(server.url);
    for (const [step, body] of before5(category, 'Trying to learn whether someone reported this here.')) await post(v, step, body);
    assert.equal((await post(v, 'where', { postcode: MILL_LANE, place: '' })).headers.get('location'), '/report/people', `${category}: no nearby step`);
    assert.equal((await v.get('/report/nearby')).headers.get('location'), '/report/people', `${category}: the nearby page shows nothing`);
    const [draft] = (await db.execute({ sql: "SELECT json_extract(data, '$.similar') AS similar, json_extract(data, '$.lat') AS lat FROM drafts WHERE id = ?", args: [v.cookies.get('draft')!] })).rows;
    assert.ok(draft!.lat !== null, `${category}: the draft has the coordinates`);
    assert.equal(draft!.similar, null, `${category}: no similar report stored`);
  }
});
