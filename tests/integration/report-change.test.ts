/**
 * Change links from check answers over HTTP: changing when it happened goes on to its details page (so the date,
 * the rough time or how often can be corrected), and another kind of "when" drops the details of the old one,
 * from the page and from the stored case. Changing the category drops a choice to join a similar report nearby
 * made for the old one and looks again for the new one, so check answers says what is stored.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClient, type Client } from '@libsql/client';
import { htmlProblems } from '../helpers/html.ts';
import { Visitor } from '../helpers/http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

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

/** Post a step (with its query) and return where it leads. */
async function post(v: Visitor, path: string, body: Record<string, string>): Promise<string | null> {
  const res = await v.post(path, body);
  assert.equal(res.status, 303, `${path}: ${res.status}`);
  return res.headers.get('location');
}

async function page(v: Visitor, path: string, label: string): Promise<string> {
  const res = await v.get(path);
  assert.equal(res.status, 200, `${label} status`);
  const html = await res.text();
  assert.deepEqual(await htmlProblems(html, label), [], `${label} is valid HTML`);
  return html;
}

/** The "When" row of check answers. */
function whenRow(check: string): string {
  return /<dt class="summary-list__key">\s*When\s*<\/dt>\s*<dd class="summary-list__value">([\s\S]*?)<\/dd>/.exec(check)?.[1]?.trim() ?? '';
}

test('changing when it happened goes on to its details; another kind of "when" drops the old details from the page and the case', async () => {
  const v = new Visitor(server.url);
  const steps: [string, Record<string, string>][] = [
    ['/report/danger', { danger: 'no' }],
    ['/report/category', { category: 'noise' }],
    ['/report/description', { description: 'Music so loud the windows shake.' }],
    ['/report/when', { whenKind: 'approx' }],
    ['/report/when-details', { whenText: 'Last Tuesday' }],
    ['/report/where', { postcode: 'HW3 1AB', place: '' }],
    ['/report/people', { people: '', affected: 'me', before: 'yes' }],
    ['/report/photos', { intent: 'continue' }],
    ['/report/privacy', { privacy: 'anonymous' }],
  ];
  for (const [path, body] of steps) await post(v, path, body);
  const check = await page(v, '/report/check', 'check');
  assert.equal(whenRow(check), 'Last Tuesday');
  assert.match(check, /href="\/report\/when\?change=1"/);

  // The same kind: its details can be corrected, then back to check answers.
  assert.equal(await post(v, '/report/when?change=1', { whenKind: 'approx' }), '/report/when-details?change=1');
  const details = await page(v, '/report/when-details?change=1', 'when-details (change)');
  assert.match(details, /Roughly when did it happen\?/);
  assert.match(details, />Last Tuesday<\/textarea>|value="Last Tuesday"/, 'the answer to correct is filled in');
  assert.match(details, /href="\/report\/when\?change=1"[^>]*>Back/, 'back to the question before');
  assert.equal(await post(v, '/report/when-details?change=1', { whenText: 'Last Tuesday night' }), '/report/check');
  assert.equal(whenRow(await page(v, '/report/check', 'check (corrected)')), 'Last Tuesday night');

  // Another kind: the rough time no longer applies, and how often is asked.
  assert.equal(await post(v, '/report/when?change=1', { whenKind: 'ongoing' }), '/report/when-details?change=1');
  const often = await page(v, '/report/when-details?change=1', 'when-details (how often)');
  assert.match(often, /How often does it happen\?/);
  assert.doesNotMatch(often, /Last Tuesday/, 'the old rough time is not offered as how often');
  assert.equal((await v.get('/report/check')).headers.get('location'), '/report/when-details', 'check answers waits for how often');
  assert.equal(await post(v, '/report/when-details?change=1', { whenText: 'Every Friday night' }), '/report/check');
  assert.equal(whenRow(await page(v, '/report/check', 'check (ongoing)')), 'Still happening: Every Friday night');

  // A date, then back to roughly: the date is dropped too.
  assert.equal(await post(v, '/report/when?change=1', { whenKind: 'date' }), '/report/when-details?change=1');
  assert.equal(await post(v, '/report/when-details?change=1', { 'when-day': '3', 'when-month': '11', 'when-year': '2025', 'when-time': '21:30' }), '/report/check');
  assert.match(whenRow(await page(v, '/report/check', 'check (date)')), /^3 November 2025, 21:30$/);
  assert.equal(await post(v, '/report/when?change=1', { whenKind: 'approx' }), '/report/when-details?change=1');
  assert.doesNotMatch(await page(v, '/report/when-details?change=1', 'when-details (roughly again)'), /Every Friday/);
  assert.equal(await post(v, '/report/when-details?change=1', { whenText: 'Early November' }), '/report/check');
  assert.equal(whenRow(await page(v, '/report/check', 'check (roughly again)')), 'Early November');

  assert.equal(await post(v, '/report/check', { website: '' }), '/report/confirmation');
  const ref = /class="reference">([^<]+)</.exec(await (await v.get('/report/confirmation')).text())?.[1];
  const [row] = (await db.execute({ sql: 'SELECT when_kind, when_text, happened_at FROM cases WHERE ref = ?', args: [ref ?? ''] })).rows;
  assert.deepEqual({ ...row }, { when_kind: 'approx', when_text: 'Early November', happened_at: null }, 'the case keeps only what check answers showed');
});

/** A postcode of the sample ONS Postcode Directory, in Mill Lane (Brackenford). */
const MILL_LANE = 'HW1 3AE';

/** Answer every step of an anonymous report in a category at Mill Lane (the nearby step when offered, with a choice); returns the visitor at check answers. */
async function upToCheck(category: string, joinChoice?: 'join' | 'new'): Promise<Visitor> {
  const v = new Visitor(server.url);
  const steps: [string, Record<string, string>][] = [
    ['/report/danger', { danger: 'no' }],
    ['/report/category', { category }],
    ['/report/description', { description: 'Rubbish and damage by the bus stop.' }],
    ['/report/when', { whenKind: 'approx' }],
    ['/report/when-details', { whenText: 'Last week' }],
  ];
  for (const [path, body] of steps) await post(v, path, body);
  const next = await post(v, '/report/where', { postcode: MILL_LANE, place: '' });
  if (next === '/report/nearby') await post(v, '/report/nearby', { joinChoice: joinChoice ?? 'new' });
  for (const [path, body] of [['/report/people', { people: '', affected: 'community', before: 'yes' }], ['/report/photos', { intent: 'continue' }], ['/report/privacy', { privacy: 'anonymous' }]] as const) await post(v, path, body);
  return v;
}

/** Send from check answers; returns the stored case. */
async function send(v: Visitor): Promise<Record<string, unknown>> {
  assert.equal(await post(v, '/report/check', { website: '' }), '/report/confirmation');
  const ref = /class="reference">([^<]+)</.exec(await (await v.get('/report/confirmation')).text())?.[1];
  const [row] = (await db.execute({ sql: 'SELECT id, category_id, incident_id FROM cases WHERE ref = ?', args: [ref ?? ''] })).rows;
  assert.ok(row, 'the case is stored');
  return { ...row };
}

test('a new category drops the choice to join a report of the old one, and offers a similar report of the new one again', async () => {
  const tipped = await send(await upToCheck('fly-tipping'));
  const damaged = await send(await upToCheck('vandalism'));

  const v = await upToCheck('fly-tipping', 'join');
  assert.match(await page(v, '/report/check', 'check (joining)'), /Similar report nearby[\s\S]*Add my report to it/);

  // A category not listed in public: nothing to join, and check answers no longer says so.
  assert.equal(await post(v, '/report/category?change=1', { category: 'noise' }), '/report/check');
  const noise = await page(v, '/report/check', 'check (new category)');
  assert.doesNotMatch(noise, /Similar report nearby|Add my report to it/);

  // A public category with an open report here: the nearby step is offered again for it.
  assert.equal(await post(v, '/report/category?change=1', { category: 'vandalism' }), '/report/nearby?change=1');
  assert.equal((await v.get('/report/check')).headers.get('location'), '/report/nearby', 'check answers waits for the choice');
  assert.match(await page(v, '/report/nearby?change=1', 'nearby (new category)'), /Vandalism or graffiti/);
  assert.equal(await post(v, '/report/nearby?change=1', { joinChoice: 'join' }), '/report/check');
  assert.match(await page(v, '/report/check', 'check (joining again)'), /Add my report to it/);
  const joined = await send(v);
  assert.equal(joined.category_id, 'vandalism');
  assert.ok(joined.incident_id, 'the case is joined, as check answers said');
  const [other] = (await db.execute({ sql: 'SELECT incident_id FROM cases WHERE id = ?', args: [String(damaged.id)] })).rows;
  assert.equal(other!.incident_id, joined.incident_id, 'with the vandalism report');
  const [first] = (await db.execute({ sql: 'SELECT incident_id FROM cases WHERE id = ?', args: [String(tipped.id)] })).rows;
  assert.equal(first!.incident_id, null, 'not with the fly-tipping report it first chose');
});
