/**
 * Referrals over HTTP on the built server: the triage officer refers from the refer page; each agency's inbox gets
 * an e-mail on a real SMTP server, with a link and no personal data; the partner officer (Hollowmere Constabulary)
 * works their own referral, and cannot reach another agency's referral or any case by page, action or guessed id.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { startSmtp, sentTo, type TestSmtp } from '../helpers/smtp.ts';
import { Visitor } from '../helpers/http.ts';
import { createWebReport } from '../helpers/staff.ts';
import { signInAs } from './staff-sign-in.ts';
import { htmlProblems } from '../helpers/html.ts';

let server: TestServer;
let smtp: TestSmtp;
let triage: Visitor;
let partner: Visitor;
let policeRef: string;
let fireRef: string;

before(async () => {
  smtp = await startSmtp();
  server = await startServer({ SMTP_URL: smtp.url });
  policeRef = await createWebReport(server.url, { email: 'robin.police@example.org', name: 'Robin Policecase', description: 'Graffiti on the bus shelter, the words are private.' });
  fireRef = await createWebReport(server.url, { email: 'fire.case@example.org', name: 'Frankie Firecase' });
  triage = await signInAs(server.url, 'triage@hollowmere.example');
  partner = await signInAs(server.url, 'partner@hollowmere.example');
});
after(async () => {
  await server?.stop();
  await smtp?.close();
});

/** The referral id in the link of an agency's e-mail. */
function referralIdIn(text: string): string {
  const id = /\/staff\/referrals\/([0-9A-Za-z_-]+)/.exec(text)?.[1];
  assert.ok(id, 'a link to the referral');
  return id;
}

test('the refer page shows exactly what will go, refuses nothing ticked, and refers; the agency e-mail holds no personal data', async () => {
  const page = await triage.get(`/staff/cases/${policeRef}/refer?agency=police`);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /Crime and Disorder Act 1998/);
  assert.match(html, /Graffiti on the bus shelter/);
  assert.match(html, /robin\.police@example\.org/, 'contact details offered: the reporter consented');
  const none = await triage.post(`/staff/cases/${policeRef}/refer`, { agencyId: 'police' });
  assert.equal(none.status, 400);
  assert.match(await none.text(), /Select at least one thing to share/);
  const sent = await triage.post(`/staff/cases/${policeRef}/refer`, { agencyId: 'police', fields: 'description' });
  assert.equal(sent.status, 303);
  assert.match((await triage.get(`/staff/cases/${policeRef}`).then((r) => r.text())), /Referred/);
  const fire = await triage.post(`/staff/cases/${fireRef}/refer`, { agencyId: 'fire', fields: 'location' });
  assert.equal(fire.status, 303);
  const mail = await smtp.waitFor((m) => sentTo(m, 'referrals@police.hollowmere.example'));
  const body = `${mail.subject}\n${mail.text}\n${mail.html}`;
  assert.match(body, /\/staff\/referrals\//);
  for (const personal of [/robin\.police@example\.org/, /Robin Policecase/, /Graffiti/, /Mill Lane/, new RegExp(policeRef)]) assert.doesNotMatch(body, personal);
});

test('the partner officer sees only their own agency\'s referral, and only the snapshot; another agency\'s referral is 404 by page, action or guessed id', async () => {
  const policeId = referralIdIn((await smtp.waitFor((m) => sentTo(m, 'referrals@police.hollowmere.example'))).text ?? '');
  const fireId = referralIdIn((await smtp.waitFor((m) => sentTo(m, 'prevention@fire.hollowmere.example'))).text ?? '');
  const list = await (await partner.get('/staff/referrals?status=all')).text();
  assert.match(list, new RegExp(policeRef));
  assert.doesNotMatch(list, new RegExp(fireRef));
  const own = await partner.get(`/staff/referrals/${policeId}`);
  assert.equal(own.status, 200);
  const ownHtml = await own.text();
  assert.match(ownHtml, /the words are private/, 'the shared description');
  assert.doesNotMatch(ownHtml, /robin\.police@example\.org|Mill Lane/, 'unticked and unshared fields stay out');
  assert.match(ownHtml, /Acknowledge: due in/);
  for (const id of [fireId, '00000000000000000000', 'x'.repeat(60)]) {
    const res = await partner.get(`/staff/referrals/${id}`);
    assert.equal(res.status, 404, `GET ${id}`);
    await res.arrayBuffer();
    const act = await partner.post(`/staff/referrals/${id}`, { action: 'accept' });
    assert.equal(act.status, 404, `POST ${id}`);
    await act.arrayBuffer();
  }
  for (const path of [`/staff/cases/${policeRef}`, `/staff/cases/${fireRef}`, `/staff/cases/${policeRef}/refer`, '/staff/queue']) {
    const res = await partner.get(path);
    assert.equal(res.status, 403, path);
    await res.arrayBuffer();
  }
  const refer = await partner.post(`/staff/cases/${fireRef}/refer`, { agencyId: 'police', fields: 'description' });
  assert.equal(refer.status, 403);
  await refer.arrayBuffer();
  const reporter = new Visitor(server.url);
  assert.equal((await reporter.post('/track', { ref: fireRef, email: 'fire.case@example.org' })).status, 303);
  assert.match(await (await reporter.get('/track/case')).text(), /Passed to Hollowmere Fire and Rescue Service/, 'fire may be named to the public');
  const policeReporter = new Visitor(server.url);
  assert.equal((await policeReporter.post('/track', { ref: policeRef, email: 'robin.police@example.org' })).status, 303);
  const policeTrack = await (await policeReporter.get('/track/case')).text();
  assert.match(policeTrack, /Passed to a partner/);
  assert.doesNotMatch(policeTrack, /Constabulary/, 'the police are not named to the public');
  const fireView = await (await triage.get(`/staff/cases/${fireRef}/refer`)).text();
  assert.match(fireView, /<td>Sent<\/td>/, 'the fire referral was not touched');
});

test('the partner acknowledges, accepts, updates and completes: the case follows and the updates join the case timeline', async () => {
  const policeId = referralIdIn((await smtp.waitFor((m) => sentTo(m, 'referrals@police.hollowmere.example'))).text ?? '');
  const noReason = await partner.post(`/staff/referrals/${policeId}`, { action: 'decline', text: '' });
  assert.equal(noReason.status, 400);
  assert.match(await noReason.text(), /Enter the reason/);
  for (const [action, text] of [['acknowledge', ''], ['accept', ''], ['update', 'Officer visited the shelter'], ['complete', 'Offender identified and warned']]) {
    const res = await partner.post(`/staff/referrals/${policeId}`, { action, text });
    assert.equal(res.status, 303, action);
  }
  const wrong = await partner.post(`/staff/referrals/${policeId}`, { action: 'accept' });
  assert.equal(wrong.status, 400);
  assert.match(await wrong.text(), /It is finished/);
  const caseHtml = await (await triage.get(`/staff/cases/${policeRef}`)).text();
  assert.match(caseHtml, /Officer visited the shelter/);
  assert.match(caseHtml, /Offender identified and warned/);
  assert.match(caseHtml, /Resolved/);
});

test('the refer page, the partner list and the referral page are valid HTML, error states included', async () => {
  const ref = await createWebReport(server.url, { email: 'html.referral@example.org' });
  const pages: [string, string][] = [];
  pages.push(['refer page', await (await triage.get(`/staff/cases/${ref}/refer?agency=police`)).text()]);
  const refused = await triage.post(`/staff/cases/${ref}/refer`, { agencyId: 'police' });
  assert.equal(refused.status, 400);
  pages.push(['refer page (nothing ticked)', await refused.text()]);
  assert.equal((await triage.post(`/staff/cases/${ref}/refer`, new URLSearchParams([['agencyId', 'police'], ['fields', 'description'], ['fields', 'location']]))).status, 303);
  pages.push(['refer page (sent)', await (await triage.get(`/staff/cases/${ref}/refer?sent=police`)).text()]);
  const list = await (await partner.get('/staff/referrals')).text();
  pages.push(['partner list', list]);
  const id = new RegExp(`href="/staff/referrals/([^"]+)">${ref}<`).exec(list)?.[1];
  assert.ok(id, 'the new referral is listed');
  pages.push(['referral page', await (await partner.get(`/staff/referrals/${id}`)).text()]);
  const noReason = await partner.post(`/staff/referrals/${id}`, { action: 'decline', text: '' });
  assert.equal(noReason.status, 400);
  pages.push(['referral page (no reason)', await noReason.text()]);
  const problems: string[] = [];
  for (const [label, html] of pages) problems.push(...(await htmlProblems(html, label)).map((p) => `${label}: ${p}`));
  assert.deepEqual(problems, []);
});
