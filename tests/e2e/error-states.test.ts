/**
 * The error states added by the 2 December review fixes, each as the server renders it, checked with axe (WCAG 2.2 AA
 * tags) in Chromium on the site's origin: a second legal hold, an update decided already, your own account's
 * deactivate page, a saved view's name, a bulk change without a status, the audit log's dates the wrong way round,
 * a consultation's dates, a meeting without a time, a stale publish, a theme twice, a confirmation after the close, an
 * update released already, an API key form sent twice and an agency for a role that has none.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectAccessible } from '../helpers/browser.ts';
import { browser, server, useBrowserRig } from '../helpers/browser-rig.ts';
import { createWebReport } from '../helpers/staff.ts';
import { Visitor } from '../helpers/http.ts';
import { dateFields, openConsultation } from '../integration/consultation-setup.ts';
import { signInAs } from '../integration/staff-sign-in.ts';

useBrowserRig();

test('every new error state passes axe', { timeout: 180_000 }, async () => {
  const admin = await signInAs(server.url, 'admin@hollowmere.example');
  const editor = await signInAs(server.url, 'editor@hollowmere.example');
  const states: [string, Response, number][] = [];
  const ref = await createWebReport(server.url, { email: 'axe.states@example.org' });
  assert.equal((await admin.post(`/staff/cases/${ref}/legal-hold`, { intent: 'place', reason: 'Needed for court' })).status, 303);
  states.push(['legal hold placed twice', await admin.post(`/staff/cases/${ref}/legal-hold`, { intent: 'place', reason: 'Again' }), 409]);
  const adminId = /href="\/staff\/admin\/users\/([^"]+)">Ada Administrator</.exec(await (await admin.get('/staff/admin/users')).text())![1]!;
  states.push(['your own deactivate page', await admin.get(`/staff/admin/users/${adminId}/deactivate`), 200]);
  states.push(['a saved view with no name', await admin.post('/staff/queue', { intent: 'save-view', back: '', viewName: ' ' }), 400]);
  states.push(['a bulk change without a status', await admin.post('/staff/queue', new URLSearchParams([['intent', 'bulk'], ['bulkAction', 'status'], ['ref', ref], ['bulkStatus', '']])), 400]);
  states.push(['audit dates the wrong way round', await admin.get('/staff/admin/audit?from=2026-12-05&to=2026-12-01'), 400]);

  const { id, slug } = await openConsultation(editor, 'Axe on error states', { onePerEmail: true });
  const details = { intent: 'details', title: 'Axe on error states', summary: 'About it.', topic: 'feeling-safe', areaId: '', onePerEmail: 'yes', aboutYou: 'yes' };
  states.push(['a published consultation\'s dates cleared', await editor.post(`/staff/consultations/${id}`, { ...details, 'opens-day': '', 'opens-month': '', 'opens-year': '', 'opens-time': '', ...dateFields('closes', 30, '5pm') }), 400]);
  states.push(['a meeting without a time', await editor.post(`/staff/consultations/${id}/meetings`, { intent: 'add', title: 'Walk', ...dateFields('starts', 5, ''), minutes: '60', place: 'Hall', areaId: '', stepFree: 'yes', hearingLoop: 'yes', accessNotes: '', capacity: '5' }), 400]);
  assert.equal((await editor.post(`/staff/consultations/${id}/results`, { intent: 'theme', theme: 'Lighting' })).status, 303);
  states.push(['a theme twice', await editor.post(`/staff/consultations/${id}/results`, { intent: 'theme', theme: 'lighting' }), 400]);
  const resident = new Visitor(server.url);
  assert.equal((await resident.post(`/consultations/${slug}/respond?section=1`, { action: 'continue', q1: '1' })).status, 303);
  assert.equal((await resident.post(`/consultations/${slug}/finish`, { email: 'axe.late@example.org', ageBand: '', wardId: '' })).status, 303);
  assert.equal((await editor.post(`/staff/consultations/${id}`, { intent: 'close', confirm: 'yes' })).status, 303);
  states.push(['a confirmation after the close', await resident.post(`/consultations/${slug}/confirm`, { token: 'x.y' }), 400]);

  const created = await editor.post('/staff/publishing/new/recommendation', {
    plan: 'Audit 2026', recommendation: 'Light the underpass on Mill Lane.', responsibleRole: 'Community safety manager', officer: 'Sam Lee',
    originalTarget: '1/3/2027', currentTarget: '1/3/2027', status: 'on-track', progress: '', areas: 'mill-lane', title: 'Light the underpass',
  });
  const item = /\/staff\/publishing\/([^?]+)/.exec(created.headers.get('location') ?? '')?.[1];
  if (item) states.push(['a stale publish', await editor.post(`/staff/publishing/${item}`, { intent: 'action', action: 'publish', basedOn: '0' }), 400]);
  else states.push(['the publishing form with errors', created, 400]);

  // A partner update released once and sent again: the decided page (409), and an API key form sent twice.
  const triage = await signInAs(server.url, 'triage@hollowmere.example');
  const partner = await signInAs(server.url, 'partner@hollowmere.example');
  const referred = await createWebReport(server.url, { email: 'axe.release@example.org' });
  assert.equal((await triage.post(`/staff/cases/${referred}/refer`, { agencyId: 'police', fields: 'description' })).status, 303);
  const referral = new RegExp(`href="/staff/referrals/([^"]+)">${referred}<`).exec(await (await partner.get('/staff/referrals')).text())?.[1];
  assert.ok(referral, 'the partner sees the referral');
  for (const action of ['acknowledge', 'accept']) assert.equal((await partner.post(`/staff/referrals/${referral}`, { action })).status, 303, action);
  const update = new FormData();
  update.set('action', 'update');
  update.set('text', 'Officers visited.');
  update.set('forReporter', 'yes');
  update.set('document', new Blob([]), '');
  assert.equal((await partner.post(`/staff/referrals/${referral}`, update)).status, 303);
  const pending = new RegExp(`/staff/cases/${referred}/updates/([0-9a-z]+)`).exec(await (await triage.get(`/staff/cases/${referred}`)).text())?.[1];
  assert.ok(pending, 'the update waits for release');
  assert.equal((await triage.post(`/staff/cases/${referred}/updates/${pending}`, { decision: 'release', releaseText: 'Officers visited.' })).status, 303);
  states.push(['an update released already', await triage.post(`/staff/cases/${referred}/updates/${pending}`, { decision: 'release', releaseText: 'Again' }), 409]);
  const keyId = /name="keyId" value="([^"]+)"/.exec(await (await admin.get('/staff/admin/api-keys/new')).text())![1]!;
  const keyForm = new URLSearchParams([['keyId', keyId], ['name', 'Axe key'], ['access', 'read'], ['scope', 'all'], ['perMinute', '10']]);
  assert.equal((await admin.post('/staff/admin/api-keys/new', keyForm)).status, 200);
  states.push(['an API key form sent twice', await admin.post('/staff/admin/api-keys/new', keyForm), 409]);
  states.push(['an agency for a triage officer', await admin.post('/staff/admin/users/invite', { name: 'Ted Triage', email: 'ted.axe@example.org', role: 'triage_officer', agencyId: 'police', districtId: '' }), 400]);

  const context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();
  await page.goto('/');
  for (const [label, res, status] of states) {
    assert.equal(res.status, status, label);
    const html = await res.text();
    assert.match(html, status >= 400 && label !== 'an API key form sent twice' ? /class="error-summary/ : /<h1/, label);
    await page.setContent(html);
    await expectAccessible(page, label);
  }
  await context.close();
});
