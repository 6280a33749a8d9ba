/**
 * The privacy pages in real Chromium with axe: an administrator finds a resident, downloads their data, a
 * triage officer places a legal hold, the erasure review shows it, and after the hold is lifted the
 * administrator erases the data. axe runs on every page and error state; the error summary takes focus.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { errorSummaryHasFocus, expectAccessible, launchBrowser } from '../helpers/browser.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createWebReport, staffContext } from '../helpers/staff.ts';

let server: TestServer;
let browser: Browser;
let admin: BrowserContext;
let triage: BrowserContext;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  admin = await staffContext(browser, server.url, 'admin@hollowmere.example');
  triage = await staffContext(browser, server.url, 'triage@hollowmere.example', false);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('find, download, legal hold and erasure are accessible in every state', async () => {
  const ref = await createWebReport(server.url, { email: 'morgan@example.com', name: 'Morgan Resident', description: 'Morgan: fireworks in the park at 2am.' });
  const page = await admin.newPage();
  await page.goto('/staff/admin/privacy');
  await expectAccessible(page, 'find');
  await page.getByRole('button', { name: 'Find' }).click();
  assert.match(await page.title(), /^Error: /);
  assert.ok(await errorSummaryHasFocus(page), 'the error summary takes focus');
  await expectAccessible(page, 'find, error');
  await page.getByLabel('Email address or phone number').fill('Morgan@Example.com');
  await page.getByRole('button', { name: 'Find' }).click();
  assert.ok(await page.getByRole('link', { name: ref }).isVisible());
  await expectAccessible(page, 'find, found');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download everything held (JSON)' }).click()]);
  assert.match(download.suggestedFilename(), /^subject-access-\d{4}-\d\d-\d\d\.json$/);

  // A triage officer (no JavaScript) places a legal hold, first without a reason.
  const officer = await triage.newPage();
  await officer.goto(`/staff/cases/${ref}`);
  await officer.getByRole('link', { name: 'Place a legal hold' }).click();
  await expectAccessible(officer, 'legal hold');
  await officer.getByRole('button', { name: 'Place a legal hold' }).click();
  assert.match(await officer.title(), /^Error: /);
  await expectAccessible(officer, 'legal hold, error');
  await officer.getByLabel('Reason for the legal hold').fill('Needed for the ASB Case Review');
  await officer.getByRole('button', { name: 'Place a legal hold' }).click();
  await expectAccessible(officer, 'legal hold, placed');

  // The erasure review says why nothing can be erased.
  await page.getByRole('button', { name: "Erase this person's data" }).click();
  assert.match(await page.locator('h1').innerText(), /Are you sure you want to erase the data of morgan@example\.com\?/);
  assert.match(await page.locator('#held-cases').innerText(), /under legal hold/);
  await expectAccessible(page, 'erase, review with a hold');

  // Lifting needs a reason, then a confirmation.
  await officer.getByRole('button', { name: 'Lift the legal hold' }).click();
  assert.match(await officer.title(), /^Error: /);
  await expectAccessible(officer, 'lift, error');
  await officer.getByLabel('Reason for lifting the legal hold').fill('The case review has met');
  await officer.getByRole('button', { name: 'Lift the legal hold' }).click();
  assert.match(await officer.locator('h1').innerText(), /Are you sure you want to lift the legal hold on/);
  await expectAccessible(officer, 'lift, confirmation');
  await officer.getByRole('button', { name: 'Yes, lift the legal hold' }).click();
  await expectAccessible(officer, 'legal hold, lifted');

  await page.goto('/staff/admin/privacy/erase');
  await expectAccessible(page, 'erase, find');
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.match(await page.title(), /^Error: /);
  await expectAccessible(page, 'erase, find error');
  await page.getByLabel('Email address or phone number').fill('morgan@example.com');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expectAccessible(page, 'erase, review');
  await page.getByRole('button', { name: 'Yes, erase this data' }).click();
  assert.match(await page.locator('.notification-banner').innerText(), /Personal data removed from 1 case/);
  await expectAccessible(page, 'erased');
});
