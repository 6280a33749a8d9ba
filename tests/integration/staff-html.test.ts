/** Every staff page is valid HTML (html-validate), like the public pages: opened by the administrator, or by a demo role that can open it. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { htmlProblems } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createWebReport } from '../helpers/staff.ts';
import { signInAs } from './staff-sign-in.ts';
import { routePermissions } from './route-permissions.ts';
import { loadRoles } from '../../src/domains/identity/roles.ts';
import { DEMO_ACCOUNTS } from '../../src/domains/identity/demo-accounts.ts';
import type { Visitor } from '../helpers/http.ts';

let server: TestServer;
before(async () => (server = await startServer()));
after(() => server.stop());

test('staff pages are valid HTML', async () => {
  const ref = await createWebReport(server.url, { description: 'Someone keeps dumping rubbish by the gate on Heath Lane.', email: 'html@example.com' } as never);
  const roles = loadRoles();
  const visitors = new Map<string, Visitor>();
  /** The administrator, or else the first demo account whose role holds every permission the page needs. */
  const visitorFor = async (access: string | string[]): Promise<Visitor> => {
    const needs = Array.isArray(access) ? access : [];
    const account = [DEMO_ACCOUNTS.find((a) => a.role === 'administrator')!, ...DEMO_ACCOUNTS].find((a) => needs.every((p) => (roles.get(a.role)!.permissions as string[]).includes(p)))!;
    if (!visitors.has(account.email)) visitors.set(account.email, await signInAs(server.url, account.email));
    return visitors.get(account.email)!;
  };
  const pages = Object.entries(routePermissions)
    .filter(([file, rule]) => file.endsWith('.astro') && rule.access !== 'public' && rule.access !== 'session' && !rule.path.includes('no-such'))
    .map(([, rule]) => ({ access: rule.access, path: rule.path.replace('/staff/cases/HM-0000-0000', `/staff/cases/${ref}`) }));
  assert.ok(pages.length >= 10, `checked ${pages.length} pages`);
  const problems: string[] = [];
  for (const { access, path } of pages) {
    const res = await (await visitorFor(access)).get(path);
    if (res.status !== 200) {
      problems.push(`${path}: status ${res.status}`);
      continue;
    }
    for (const problem of await htmlProblems(await res.text(), path)) problems.push(`${path} ${problem}`);
  }
  assert.deepEqual(problems, []);
});

test('district and referral states are valid HTML: the partner referrals list, the district select and its errors', async () => {
  const ref = await createWebReport(server.url, { email: 'referral-html@example.com' });
  const admin = await signInAs(server.url, 'admin@hollowmere.example');
  assert.equal((await admin.post(`/staff/cases/${ref}/refer`, { agencyId: 'police', fields: 'description' })).status, 303);
  const partner = await signInAs(server.url, 'partner@hollowmere.example');
  const referrals = await partner.get('/staff/referrals');
  const referralsHtml = await referrals.text();
  assert.match(referralsHtml, new RegExp(ref));
  const problems = (await htmlProblems(referralsHtml, '/staff/referrals')).map((p) => `/staff/referrals ${p}`);
  // A later page (older than the newest referral): the pagination back to the newer ones.
  const newest = /href="\/staff\/referrals\/([^"]+)"/.exec(referralsHtml)![1]!;
  const older = await (await partner.get(`/staff/referrals?status=all&before=${newest}`)).text();
  assert.match(older, /<nav class="pagination" aria-label="Referral list pages">[\s\S]*href="\/staff\/referrals\?status=all&amp;after=[^"]+" rel="prev"|<nav class="pagination" aria-label="Referral list pages">[\s\S]*href="\/staff\/referrals\?status=all" rel="prev"/);
  problems.push(...(await htmlProblems(older, '/staff/referrals?before=')).map((p) => `/staff/referrals (an older page) ${p}`));
  const invite = await admin.post('/staff/admin/users/invite', { name: 'Dana District', email: 'dana@example.org', role: 'district_officer', agencyId: '', districtId: '' });
  assert.equal(invite.status, 400);
  const inviteHtml = await invite.text();
  assert.match(inviteHtml, /Select the district this person works in/);
  problems.push(...(await htmlProblems(inviteHtml, '/staff/admin/users/invite (district missing)')).map((p) => `invite ${p}`));
  // Every field's error at once: a missing name and an address in the wrong form together.
  const both = await (await admin.post('/staff/admin/users/invite', { name: '', email: 'bad', role: 'editor', agencyId: '', districtId: '' })).text();
  assert.match(both, /href="#name"[\s\S]*href="#email"[^>]*>Enter an e-mail address in the correct format/);
  const refused = await admin.post('/staff/admin/users/invite', { name: 'Tia Triage', email: 'tia@example.org', role: 'triage_officer', agencyId: '', districtId: 'eastmere' });
  assert.equal(refused.status, 400);
  assert.match(await refused.text(), /works across the partnership, not in one district: select “No district”/);
  // An agency for a role that works for none is refused on its field (it was dropped without a word), and nothing is stored.
  const agency = await admin.post('/staff/admin/users/invite', { name: 'Ted Triage', email: 'ted@example.org', role: 'triage_officer', agencyId: 'police', districtId: '' });
  assert.equal(agency.status, 400);
  const agencyHtml = await agency.text();
  assert.match(agencyHtml, /href="#agencyId"[^>]*>A triage officer does not work for a partner agency: select “Not a partner officer”/);
  problems.push(...(await htmlProblems(agencyHtml, '/staff/admin/users/invite (agency for a triage officer)')).map((p) => `invite ${p}`));
  assert.doesNotMatch(await (await admin.get('/staff/admin/users')).text(), /Ted Triage/);
  assert.deepEqual(problems, []);
});
