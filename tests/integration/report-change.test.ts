/**
 * Change links from check answers over HTTP: changing when it happened goes on to its details page (so the date,
 * the rough time or how often can be corrected), and another kind of "when" drops the details of the old one,
 * from the page and from the stored case.
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
