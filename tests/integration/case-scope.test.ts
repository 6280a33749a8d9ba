/**
 * The case policy over HTTP on the built server: the demo district officer (Brackenford) gets 404 for a case in
 * another district, for its actions too, and does not see it in the queue, the status counts or the CSV; the
 * partner officer (Hollowmere Constabulary) sees only cases referred to their agency and opens no case page.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import type { Visitor } from '../helpers/http.ts';
import { createWebReport } from '../helpers/staff.ts';
import { signInAs } from './staff-sign-in.ts';

let server: TestServer;
let district: Visitor;
let triage: Visitor;
let partner: Visitor;
let brackenford: string;
let thornwick: string;

before(async () => {
  server = await startServer();
  brackenford = await createWebReport(server.url, { email: 'b@example.org', postcode: 'HW1 1AB' });
  thornwick = await createWebReport(server.url, { email: 't@example.org', postcode: 'HW3 1AB' });
  district = await signInAs(server.url, 'district@hollowmere.example');
  triage = await signInAs(server.url, 'triage@hollowmere.example');
  partner = await signInAs(server.url, 'partner@hollowmere.example');
});
after(() => server?.stop());

/** The number in a status tab of the queue, like "New (2)". */
function tabCount(html: string, label: string): number {
  const m = new RegExp(`>${label} \\((\\d+)\\)<`).exec(html);
  assert.ok(m, `tab ${label} with a count`);
  return Number(m[1]);
}

test('a district officer opens a case of their district, and gets 404 for a case of another district and for its actions', async () => {
  const mine = await district.get(`/staff/cases/${brackenford}`);
  assert.equal(mine.status, 200);
  await mine.arrayBuffer();
  const other = await district.get(`/staff/cases/${thornwick}`);
  assert.equal(other.status, 404);
  assert.doesNotMatch(await other.text(), /Mill Lane|graffiti/i, 'nothing of the case is shown');
  const note = await district.post(`/staff/cases/${thornwick}`, { intent: 'note', noteBody: 'Should not be stored' });
  assert.equal(note.status, 404);
  await note.arrayBuffer();
  const seen = await (await triage.get(`/staff/cases/${thornwick}`)).text();
  assert.doesNotMatch(seen, /Should not be stored/, 'the refused action stored nothing');
  assert.equal((await district.get('/staff/cases/HM-0000-0000')).status, 404, 'the same answer as for a case that does not exist');
});

test('a district officer does not see another district in the queue, its counts or the CSV', async () => {
  const queue = await (await district.get('/staff/queue?status=all')).text();
  assert.match(queue, new RegExp(brackenford));
  assert.doesNotMatch(queue, new RegExp(thornwick));
  assert.equal(tabCount(queue, 'New'), 1);
  assert.equal(tabCount(await (await triage.get('/staff/queue')).text(), 'New'), 2);
  const filtered = await (await district.get('/staff/queue?status=all&district=thornwick')).text();
  assert.doesNotMatch(filtered, new RegExp(thornwick), 'a filter cannot widen the scope');
  const csv = await (await district.get('/staff/queue/export.csv?status=all&district=thornwick')).text();
  assert.doesNotMatch(csv, new RegExp(thornwick));
  const mineCsv = await (await district.get('/staff/queue/export.csv?status=all')).text();
  assert.match(mineCsv, new RegExp(brackenford));
  assert.doesNotMatch(mineCsv, new RegExp(thornwick));
});

test('a district officer cannot act on another district through the bulk form', async () => {
  const res = await district.post('/staff/queue', { intent: 'bulk', ref: thornwick, bulkAction: 'note', bulkBody: 'Bulk note that must not land' });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /There is no case with that reference/);
  assert.doesNotMatch(await (await triage.get(`/staff/cases/${thornwick}`)).text(), /Bulk note that must not land/);
});

test('a partner officer sees the cases referred to their own agency only, and opens no case page', async () => {
  for (const [ref, agencyId] of [[thornwick, 'police'], [brackenford, 'fire']] as const) {
    const res = await triage.post(`/staff/cases/${ref}/refer`, { agencyId, fields: 'location' });
    assert.equal(res.status, 303, `referred ${ref} to ${agencyId}`);
  }
  const list = await (await partner.get('/staff/referrals?status=all')).text();
  assert.match(list, new RegExp(thornwick));
  assert.doesNotMatch(list, new RegExp(brackenford), 'a case referred to another agency is not listed');
  for (const ref of [thornwick, brackenford]) {
    const page = await partner.get(`/staff/cases/${ref}`);
    assert.equal(page.status, 403, 'partner officers have no case page yet');
    await page.arrayBuffer();
  }
  assert.equal((await partner.get('/staff/queue')).status, 403);
});

test('the case page lists the other cases of its incident only as far as the viewer\'s scope allows', async () => {
  const nearby = await createWebReport(server.url, { email: 'b2@example.org', postcode: 'HW1 1AB' });
  const link = await triage.post(`/staff/cases/${brackenford}`, { intent: 'link', linkRefs: `${nearby} ${thornwick}`, incidentTitle: 'Across two districts' });
  assert.equal(link.status, 303, 'a county-wide officer links cases of two districts');
  await link.arrayBuffer();
  /** The references in the page's "Linked with …" sentence. */
  const linkedWith = async (who: Visitor) => {
    const html = await (await who.get(`/staff/cases/${brackenford}`)).text();
    const sentence = /Linked with (.*?)\. Each reporter keeps their own updates\./s.exec(html);
    assert.ok(sentence, 'the incident sentence is shown');
    return [...sentence[1]!.matchAll(/href="\/staff\/cases\/([^"]+)"/g)].map((m) => m[1]).sort();
  };
  assert.deepEqual(await linkedWith(triage), [nearby, thornwick].sort());
  assert.deepEqual(await linkedWith(district), [nearby], 'the Thornwick case is not named to the Brackenford officer');
  // Nor on the timeline: the linking event names it to triage only.
  const timeline = async (who: Visitor) => /Timeline \(internal\)<\/h2>([\s\S]*?)<\/ol>/.exec(await (await who.get(`/staff/cases/${brackenford}`)).text())![1]!;
  assert.match(await timeline(triage), new RegExp(`Linked into an incident with [^<]*${thornwick}`));
  const theirs = await timeline(district);
  assert.doesNotMatch(theirs, new RegExp(thornwick));
  assert.match(theirs, new RegExp(`Linked into an incident with [^<]*${nearby}[^<]*a case outside your area|Linked into an incident with [^<]*a case outside your area[^<]*${nearby}`));
});
