/**
 * Page titles over HTTP: the triage queue and the case page say "Error: " in the <title> only when they show an
 * error (the layout once prefixed it whenever a page passed its error list, even an empty one).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createWebReport } from '../helpers/staff.ts';
import type { Visitor } from '../helpers/http.ts';
import { signInAs } from './staff-sign-in.ts';

let server: TestServer;
let triage: Visitor;
before(async () => {
  server = await startServer();
  triage = await signInAs(server.url, 'triage@hollowmere.example');
});
after(() => server.stop());

/** The text of the page's <title>. */
function titleOf(html: string): string {
  const title = /<title>([^<]*)<\/title>/.exec(html)?.[1];
  assert.ok(title !== undefined, 'the page has a <title>');
  return title;
}

test('the triage queue title starts with "Error:" only when the page shows an error', async () => {
  const plain = await triage.get('/staff/queue');
  assert.equal(plain.status, 200);
  const plainTitle = titleOf(await plain.text());
  assert.match(plainTitle, /^Triage queue - /);

  const refused = await triage.post('/staff/queue', { intent: 'bulk', bulkAction: 'note', bulkBody: 'Checked', back: '' });
  assert.equal(refused.status, 400);
  const html = await refused.text();
  assert.match(html, /class="error-summary"/);
  assert.match(html, /Select at least one case/);
  assert.equal(titleOf(html), `Error: ${plainTitle}`);
});

test('the case page title starts with "Error:" only when the page shows an error', async () => {
  const ref = await createWebReport(server.url, { email: 'titles@example.com' });
  const plain = await triage.get(`/staff/cases/${ref}`);
  assert.equal(plain.status, 200);
  const plainTitle = titleOf(await plain.text());
  assert.match(plainTitle, new RegExp(`^Case ${ref} - `));

  const refused = await triage.post(`/staff/cases/${ref}`, { intent: 'note', noteBody: '' });
  assert.equal(refused.status, 400);
  const html = await refused.text();
  assert.match(html, /class="error-summary"/);
  assert.match(html, /Enter the note/);
  assert.equal(titleOf(html), `Error: ${plainTitle}`);

  const saved = await triage.get(`/staff/cases/${ref}?saved=1`);
  assert.equal(saved.status, 200);
  assert.equal(titleOf(await saved.text()), plainTitle, 'a saved confirmation is not an error');
});
