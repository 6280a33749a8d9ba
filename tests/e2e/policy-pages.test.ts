/**
 * Pages of the permission and policy work in real Chromium with axe: each role's staff console, the partner
 * referrals list, a district officer's queue, and the district select with its error on the invite form.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectAccessible } from '../helpers/browser.ts';
import { browser, server, useBrowserRig } from '../helpers/browser-rig.ts';
import { createWebReport, staffContext } from '../helpers/staff.ts';
import { signInAs } from '../integration/staff-sign-in.ts';

useBrowserRig();

test('consoles, the referrals list and a district queue are accessible', async () => {
  const ref = await createWebReport(server.url, { email: 'axe-referral@example.com', postcode: 'HW1 3AB' });
  const triage = await signInAs(server.url, 'triage@hollowmere.example');
  assert.equal((await triage.post(`/staff/cases/${ref}/refer`, { agencyId: 'police', fields: 'description' })).status, 303);
  const pages: [string, string[]][] = [
    ['partner@hollowmere.example', ['/staff', '/staff/referrals']],
    ['editor@hollowmere.example', ['/staff']],
    ['district@hollowmere.example', ['/staff', '/staff/queue?status=all']],
  ];
  for (const [email, paths] of pages) {
    const context = await staffContext(browser, server.url, email);
    const page = await context.newPage();
    for (const path of paths) {
      await page.goto(path);
      if (path === '/staff/referrals' || path.startsWith('/staff/queue')) assert.ok(await page.getByText(ref).count(), `${ref} on ${path}`);
      await expectAccessible(page, `${email} ${path}`);
    }
    await context.close();
  }
});

test('the invite form asks for a district, and its error state is accessible', async () => {
  const context = await staffContext(browser, server.url, 'admin@hollowmere.example', false);
  const page = await context.newPage();
  await page.goto('/staff/admin/users/invite');
  await page.getByLabel('Full name').fill('Dana District');
  await page.getByLabel('Work e-mail address').fill('dana.district@example.org');
  await page.getByLabel('District ASB officer').check();
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await page.getByText('Select the district this person works in').first().waitFor();
  await expectAccessible(page, 'invite: district missing');
  await page.getByLabel('District (district officers only)').selectOption('eastmere');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await page.waitForURL(/\/staff\/admin\/users\?invited=/);
  assert.match(await page.content(), /Eastmere/);
  await context.close();
});
