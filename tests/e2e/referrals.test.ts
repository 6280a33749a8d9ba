/**
 * Referrals in real Chromium with axe: the triage officer refers a case from the case page (sees what will go and
 * unticks the contact details); the partner officer acknowledges, accepts, updates (after an empty update is
 * refused), sends an update for the reporter with a document (after an EXE named .pdf is refused), which the triage
 * officer releases from the case page (after an empty release is refused), and completes; every partner page, the
 * release page and their states are checked with axe; the case ends resolved.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectAccessible } from '../helpers/browser.ts';
import { browser, server, useBrowserRig } from '../helpers/browser-rig.ts';
import { createWebReport, staffContext } from '../helpers/staff.ts';

useBrowserRig();

test('refer, acknowledge, accept, update and complete, accessible at every partner page and state', async () => {
  const ref = await createWebReport(server.url, { email: 'e2e.referral@example.org', name: 'Ellis Reporter', description: 'Tags sprayed on the underpass every weekend.' });
  const triage = await staffContext(browser, server.url, 'triage@hollowmere.example');
  const t = await triage.newPage();
  await t.goto(`/staff/cases/${ref}`);
  await t.getByRole('link', { name: 'Refer to a partner' }).click();
  await t.getByLabel('Agency').selectOption('police');
  await t.getByRole('button', { name: 'Show what will be shared' }).click();
  await t.getByText('Tags sprayed on the underpass').first().waitFor();
  assert.ok(await t.getByText('e2e.referral@example.org').count(), 'the contact details are shown before sending');
  await expectAccessible(t, 'refer page');
  await t.getByLabel("The reporter's contact details").uncheck();
  await t.getByRole('button', { name: 'Refer to Hollowmere Constabulary' }).click();
  await t.getByText('Referred to Hollowmere Constabulary').first().waitFor();
  await expectAccessible(t, 'refer page: sent');

  const partner = await staffContext(browser, server.url, 'partner@hollowmere.example');
  const p = await partner.newPage();
  await p.goto('/staff/referrals');
  await expectAccessible(p, 'partner list');
  await p.getByRole('link', { name: ref }).click();
  await p.getByText('Acknowledge: due in').first().waitFor();
  assert.equal(await p.getByText('e2e.referral@example.org').count(), 0, 'unticked contact details never reach the partner');
  await expectAccessible(p, 'referral: sent');
  await p.getByRole('button', { name: 'Acknowledge', exact: true }).click();
  await p.getByText('Saved.').first().waitFor();
  await expectAccessible(p, 'referral: acknowledged');
  await p.getByRole('button', { name: 'Accept', exact: true }).click();
  await p.getByText('Complete: due in').first().waitFor();
  await expectAccessible(p, 'referral: accepted');
  await p.getByRole('button', { name: 'Add an update' }).click();
  await p.getByText('Enter the update').first().waitFor();
  await expectAccessible(p, 'referral: empty update refused');
  await p.getByLabel('Update (add an update)').fill('Patrols added at the underpass');
  await p.getByRole('button', { name: 'Add an update' }).click();
  await p.getByText('Patrols added at the underpass').first().waitFor();
  await expectAccessible(p, 'referral: in progress');
  await p.getByLabel('Update (add an update)').fill('We visited and the tags are being cleaned');
  await p.getByLabel('This update is for the reporter').check();
  await p.getByLabel('Attach a document (optional)').setInputFiles({ name: 'invoice.pdf', mimeType: 'application/pdf', buffer: Buffer.from('MZ\x90\x00\x03\x00\x00\x00\xff\xff', 'latin1') });
  await p.getByRole('button', { name: 'Add an update' }).click();
  await p.getByText('invoice.pdf must be a PDF').first().waitFor();
  await expectAccessible(p, 'referral: document refused');
  await p.getByLabel('Attach a document (optional)').setInputFiles({ name: 'cleaning-order.txt', mimeType: 'text/plain', buffer: Buffer.from('Cleaning ordered for Friday.') });
  await p.getByRole('button', { name: 'Add an update' }).click();
  await p.getByRole('link', { name: 'cleaning-order.txt' }).waitFor();
  await expectAccessible(p, 'referral: update for the reporter with a document');

  await t.goto(`/staff/cases/${ref}`);
  await t.getByRole('link', { name: 'cleaning-order.txt' }).waitFor();
  await expectAccessible(t, 'case page: pending update and a document');
  await t.getByRole('link', { name: /Review, release or withhold/ }).click();
  await t.getByLabel('What the reporter will read').fill('');
  await t.getByRole('button', { name: 'Release to the reporter' }).click();
  await t.getByText('Enter the update the reporter will read').first().waitFor();
  await expectAccessible(t, 'release page: empty refused');
  await t.getByLabel('What the reporter will read').fill('The tags are being cleaned this week.');
  await t.getByRole('button', { name: 'Release to the reporter' }).click();
  await t.getByText('The tags are being cleaned this week.').first().waitFor();
  assert.equal(await t.getByRole('link', { name: /Review, release or withhold/ }).count(), 0, 'nothing left to release');
  await p.getByLabel('Outcome (complete)').fill('Two people identified and warned');
  await p.getByRole('button', { name: 'Complete', exact: true }).click();
  await p.getByText('This referral is finished.').waitFor();
  await expectAccessible(p, 'referral: completed');
  await p.goto('/staff/referrals?status=completed');
  await expectAccessible(p, 'partner list: completed');
  assert.ok(await p.getByText(ref).count());

  await t.goto(`/staff/cases/${ref}`);
  assert.match(await t.content(), /Patrols added at the underpass/);
  assert.match(await t.content(), /Two people identified and warned/);
  await triage.close();
  await partner.close();
});
