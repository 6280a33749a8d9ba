/**
 * Page titles over HTTP: the triage queue and the case page say "Error: " in the <title> only when they show an
 * error (the layout once prefixed it whenever a page passed its error list, even an empty one).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createWebReport } from '../helpers/staff.ts';
import { Visitor } from '../helpers/http.ts';
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

test('the release page of a partner update starts its title with "Error:" only when it shows an error', async () => {
  const ref = await createWebReport(server.url, { email: 'release.titles@example.com' });
  assert.equal((await triage.post(`/staff/cases/${ref}/refer`, { agencyId: 'police', fields: 'description' })).status, 303);
  const partner = await signInAs(server.url, 'partner@hollowmere.example');
  const id = new RegExp(`href="/staff/referrals/([^"]+)">${ref}<`).exec(await (await partner.get('/staff/referrals')).text())?.[1];
  assert.ok(id, 'the referral is listed for the partner');
  for (const action of ['acknowledge', 'accept']) assert.equal((await partner.post(`/staff/referrals/${id}`, { action })).status, 303);
  const form = new FormData();
  form.set('action', 'update');
  form.set('text', 'We have spoken to the family.');
  form.set('forReporter', 'yes');
  assert.equal((await partner.post(`/staff/referrals/${id}`, form)).status, 303);
  const updateId = new RegExp(`/staff/cases/${ref}/updates/([0-9a-z]+)`).exec(await (await triage.get(`/staff/cases/${ref}`)).text())?.[1];
  assert.ok(updateId, 'the update waits on the case page');
  const plain = await triage.get(`/staff/cases/${ref}/updates/${updateId}`);
  assert.equal(plain.status, 200);
  const plainTitle = titleOf(await plain.text());
  assert.match(plainTitle, new RegExp(`^Update for the reporter on ${ref} - `));
  const refused = await triage.post(`/staff/cases/${ref}/updates/${updateId}`, { decision: 'release', releaseText: '' });
  assert.equal(refused.status, 400);
  assert.equal(titleOf(await refused.text()), `Error: ${plainTitle}`);
});

test('the API key issue page title starts with "Error:" only when the page shows an error', async () => {
  const admin = await signInAs(server.url, 'admin@hollowmere.example');
  const plain = await admin.get('/staff/admin/api-keys/new');
  assert.equal(plain.status, 200);
  const plainTitle = titleOf(await plain.text());
  assert.match(plainTitle, /^Issue an API key - /);
  const refused = await admin.post('/staff/admin/api-keys/new', { name: '' });
  assert.equal(refused.status, 400);
  const html = await refused.text();
  assert.match(html, /class="error-summary"/);
  assert.equal(titleOf(html), `Error: ${plainTitle}`);
  assert.match(titleOf(await (await admin.get('/staff/admin/api-keys')).text()), /^Open311 API keys - /);
});

test('the publishing pages say "Error:" in the title only when they show an error', async () => {
  const editor = await signInAs(server.url, 'editor@hollowmere.example');
  const plain = await editor.get('/staff/publishing/new/achievement');
  assert.equal(plain.status, 200);
  const plainTitle = titleOf(await plain.text());
  assert.match(plainTitle, /^New achievement - /);
  const refused = await editor.post('/staff/publishing/new/achievement', { title: '' });
  assert.equal(refused.status, 400);
  const html = await refused.text();
  assert.match(html, /Enter a title/);
  assert.equal(titleOf(html), `Error: ${plainTitle}`);
  assert.match(titleOf(await (await editor.get('/staff/publishing')).text()), /^Publishing - /);
});

test('the consultations page title starts with "Error:" only when the page shows an error', async () => {
  const editor = await signInAs(server.url, 'editor@hollowmere.example');
  const plain = await editor.get('/staff/consultations');
  assert.equal(plain.status, 200);
  const plainTitle = titleOf(await plain.text());
  assert.match(plainTitle, /^Consultations - /);
  const refused = await editor.post('/staff/consultations', { title: '', summary: '', topic: '', onePerEmail: 'no', aboutYou: 'yes' });
  assert.equal(refused.status, 400);
  const html = await refused.text();
  assert.match(html, /Enter a title/);
  assert.equal(titleOf(html), `Error: ${plainTitle}`);
  const finder = await editor.get('/consultations?q=nothing+matches+this');
  assert.match(titleOf(await finder.text()), /^Consultations - /, 'the public finder with no results is not an error');
});

test('the hot-spots page title starts with "Error:" only when the period is wrong; the tasking list has its own title', async () => {
  const plain = await triage.get('/staff/insight/hot-spots');
  assert.equal(plain.status, 200);
  const plainTitle = titleOf(await plain.text());
  assert.match(plainTitle, /^Hot-spots - /);
  const refused = await triage.get('/staff/insight/hot-spots?from=1999-01');
  assert.equal(refused.status, 400);
  assert.equal(titleOf(await refused.text()), `Error: ${plainTitle}`);
  assert.match(titleOf(await (await triage.get('/staff/insight/tasking')).text()), /^Weekly tasking list - /);
});

test('the alert pages say "Error:" in the title only when they show an error', async () => {
  const resident = new Visitor(server.url);
  const plain = await resident.get('/alerts');
  assert.equal(plain.status, 200);
  const plainTitle = titleOf(await plain.text());
  assert.match(plainTitle, /^Get e-mail alerts about your area - /);
  const refused = await resident.post('/alerts', { email: 'not an address', area: 'mill-lane', website: '' });
  assert.equal(refused.status, 400);
  const html = await refused.text();
  assert.match(html, /Enter an e-mail address in the correct format/);
  assert.equal(titleOf(html), `Error: ${plainTitle}`);
  assert.match(titleOf(await (await resident.get('/alerts/check-email')).text()), /^Check your e-mail - /);
  assert.match(titleOf(await (await resident.get('/alerts/unsubscribe?token=forged')).text()), /^Error: This link does not work - /);
  const editor = await signInAs(server.url, 'editor@hollowmere.example');
  assert.match(titleOf(await (await editor.get('/staff/publishing/alerts')).text()), /^E-mail alert subscribers - /);
});

test('every easy-read page has its own title: its heading, "(easy read)" and the short name', async () => {
  const visitor = new Visitor(server.url);
  const adviceSlugs = readdirSync(join(import.meta.dirname, '../../content/advice')).filter((n) => n.endsWith('.md')).map((n) => n.replace(/\.md$/, ''));
  const titles = new Set<string>();
  for (const path of ['/easy-read', '/easy-read/report', ...adviceSlugs.map((s) => `/easy-read/advice/${s}`)]) {
    const res = await visitor.get(path);
    assert.equal(res.status, 200, path);
    const html = await res.text();
    const heading = /<h1 class="heading-l">([^<]+)<\/h1>/.exec(html)?.[1];
    assert.ok(heading, `${path} has an h1`);
    assert.equal(titleOf(html), `${heading} (easy read) - Hollowmere CSP`, path);
    titles.add(titleOf(html));
  }
  assert.equal(titles.size, adviceSlugs.length + 2, 'no two easy-read pages share a title');
  assert.equal(titleOf(await (await visitor.get('/easy-read/advice/noise')).text()), 'Noise (easy read) - Hollowmere CSP');
});
