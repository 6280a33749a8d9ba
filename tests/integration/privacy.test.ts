/**
 * The privacy pages over HTTP against the built server: finding a person, the subject access download, the
 * legal hold page, erasure refused under hold and then done; every state (errors included) is valid HTML, and
 * bad input gets 4xx with an error summary, never 500.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { htmlProblems } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createWebReport } from '../helpers/staff.ts';
import type { Visitor } from '../helpers/http.ts';
import { signInAs } from './staff-sign-in.ts';

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

/** Assert the status and that the page is valid HTML; returns its text. */
async function page(res: Response, status: number, label: string): Promise<string> {
  const html = await res.text();
  assert.equal(res.status, status, `${label}: status`);
  assert.deepEqual(await htmlProblems(html, label), [], `${label}: valid HTML`);
  return html;
}

test('find, download, legal hold, refused and confirmed erasure, each state valid HTML and audited', async () => {
  const ref = await createWebReport(server.url, { email: 'Jordan.Privacy@example.com', name: 'Jordan Privacy', description: 'Jordan: a car is parked across my drive every night.' });
  const otherRef = await createWebReport(server.url, { email: 'kit.other@example.com', name: 'Kit Other', description: 'Kit: bins left in the lane.' });
  const admin: Visitor = await signInAs(server.url, 'admin@hollowmere.example');
  const triage: Visitor = await signInAs(server.url, 'triage@hollowmere.example');

  // Find: an empty and a wrong answer get 400 with the error summary; a right one shows the person's cases.
  let html = await page(await admin.post('/staff/admin/privacy', { subject: '' }), 400, 'find, empty');
  assert.match(html, /error-summary[\s\S]*href="#subject"[\s\S]*Enter the email address or phone number of the person/);
  html = await page(await admin.post('/staff/admin/privacy', { subject: 'jordan@' }), 400, 'find, wrong');
  assert.match(html, /Enter an email address in the correct format/);
  html = await page(await admin.post('/staff/admin/privacy', { subject: 'JORDAN.privacy@example.com' }), 200, 'find, found');
  assert.ok(html.includes(ref) && !html.includes(otherRef));

  // The download: a JSON attachment with this person's report and nobody else's, audited.
  const download = await admin.post('/staff/admin/privacy/export.json', { subject: 'jordan.privacy@example.com' });
  assert.equal(download.status, 200);
  assert.match(download.headers.get('content-disposition') ?? '', /^attachment; filename="subject-access-\d{4}-\d\d-\d\d\.json"$/);
  assert.equal(download.headers.get('cache-control'), 'no-store');
  const document = await download.json();
  assert.deepEqual(document.reports.map((r: { ref: string }) => r.ref), [ref]);
  assert.doesNotMatch(JSON.stringify(document), /Kit|kit\.other/);
  assert.equal((await admin.post('/staff/admin/privacy/export.json', { subject: 'nobody' })).status, 400);
  const audit = await (await admin.get('/staff/admin/audit')).text();
  assert.match(audit, /<td>A resident&#39;s data downloaded<\/td>/);

  // Legal hold by a triage officer: the reason is required.
  await page(await triage.get(`/staff/cases/${ref}/legal-hold`), 200, 'hold, none');
  html = await page(await triage.post(`/staff/cases/${ref}/legal-hold`, { intent: 'place', reason: '' }), 400, 'hold, no reason');
  assert.match(html, /Enter the reason for the legal hold/);
  const placed = await triage.post(`/staff/cases/${ref}/legal-hold`, { intent: 'place', reason: 'Evidence for the injunction hearing' });
  assert.equal(placed.status, 303);
  html = await page(await triage.get(placed.headers.get('location')!), 200, 'hold, placed');
  assert.match(html, /Evidence for the injunction hearing/);
  assert.match(await (await triage.get(`/staff/cases/${ref}`)).text(), /Under legal hold:/);
  // The place form sent again from a page read before the hold (another officer's, or a second click): refused with
  // the error summary, the page showing the hold as it is, and the first reason kept.
  html = await page(await admin.post(`/staff/cases/${ref}/legal-hold`, { intent: 'place', reason: 'A different reason' }), 409, 'hold, placed twice');
  assert.match(html, /error-summary[\s\S]*href="#liftReason"[\s\S]*This case is already under legal hold: its reason is below. Nothing was changed/);
  assert.match(html, /Evidence for the injunction hearing/);
  assert.doesNotMatch(html, /A different reason/);

  // Erasure: the find step, the review (held: no confirm button), and a refused confirmation.
  await page(await admin.get('/staff/admin/privacy/erase'), 200, 'erase, find');
  await page(await admin.post('/staff/admin/privacy/erase', { intent: 'review', subject: '' }), 400, 'erase, empty');
  html = await page(await admin.post('/staff/admin/privacy/erase', { intent: 'review', subject: 'jordan.privacy@example.com' }), 200, 'erase, review held');
  assert.match(html, /under legal hold/);
  assert.doesNotMatch(html, /Yes, erase this data/);
  html = await page(await admin.post('/staff/admin/privacy/erase', { intent: 'confirm', subject: 'jordan.privacy@example.com' }), 409, 'erase, refused');
  assert.match(html, /error-summary[\s\S]*Nothing was removed/);

  // Lifting the hold needs a reason, then a confirmation; until confirmed the hold stays and erasure is still refused.
  const holdPath = `/staff/cases/${ref}/legal-hold`;
  html = await page(await triage.post(holdPath, { intent: 'lift' }), 400, 'lift, no reason');
  assert.match(html, /error-summary[\s\S]*href="#liftReason"[\s\S]*Enter the reason for lifting the legal hold/);
  html = await page(await triage.post(holdPath, { intent: 'lift', liftReason: 'The injunction hearing has ended' }), 200, 'lift, confirmation');
  assert.match(html, /Are you sure you want to lift the legal hold on/);
  assert.match(html, /name="intent" value="confirm-lift"[\s\S]*name="liftReason" value="The injunction hearing has ended"[\s\S]*Yes, lift the legal hold/);
  assert.match(await (await triage.get(holdPath)).text(), /Under legal hold[\s\S]*Evidence for the injunction hearing/, 'not lifted without the confirmation');
  html = await page(await admin.post('/staff/admin/privacy/erase', { intent: 'review', subject: 'jordan.privacy@example.com' }), 200, 'erase, review still held');
  assert.doesNotMatch(html, /Yes, erase this data/);
  // Confirmed: lifted, with the reason in the audit event.
  const lifted = await triage.post(holdPath, { intent: 'confirm-lift', liftReason: 'The injunction hearing has ended' });
  assert.equal(lifted.status, 303);
  html = await page(await triage.get(lifted.headers.get('location')!), 200, 'hold, lifted');
  assert.match(html, /The legal hold has been lifted/);
  const liftAudit = await (await admin.get('/staff/admin/audit?action=case.legal_hold_cleared')).text();
  assert.match(liftAudit, /Legal hold lifted[\s\S]*The injunction hearing has ended/, 'the reason for lifting is in the audit event');

  // Review again, confirm: the case keeps its statistics and loses the personal data.
  html = await page(await admin.post('/staff/admin/privacy/erase', { intent: 'review', subject: 'jordan.privacy@example.com' }), 200, 'erase, review');
  assert.match(html, /Yes, erase this data/);
  const erased = await admin.post('/staff/admin/privacy/erase', { intent: 'confirm', subject: 'jordan.privacy@example.com' });
  assert.equal(erased.status, 303);
  assert.equal(erased.headers.get('location'), '/staff/admin/privacy?erased=1&cases=1&calls=0');
  html = await page(await admin.get(erased.headers.get('location')!), 200, 'erased banner');
  assert.match(html, /Personal data removed from 1 case and 0 calls/);
  const casePage = await (await admin.get(`/staff/cases/${ref}?reporter=show`)).text();
  assert.doesNotMatch(casePage, /car is parked across my drive|Jordan Privacy|jordan\.privacy@example\.com/);
  assert.match(casePage, /\[removed\]/);
  const other = await (await admin.get(`/staff/cases/${otherRef}`)).text();
  assert.match(other, /Kit: bins left in the lane\./);
});
