/** The dashboard in Chromium without JavaScript: the period form, a quarter, the error state and the county view, each axe-clean. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectAccessible, newContext } from '../helpers/browser.ts';
import { browser, server, useBrowserRig } from '../helpers/browser-rig.ts';
import { createWebReport } from '../helpers/staff.ts';
import { signInAs } from '../integration/staff-sign-in.ts';

useBrowserRig();

test('a district officer reads the dashboard, picks a quarter with the no-JS form, meets the error state and the county view', { timeout: 180_000 }, async () => {
  await createWebReport(server.url, { description: 'Fly-tipping behind the shops on Mill Lane again this week.', email: 'insight-e2e@example.com' } as never);
  const officer = await signInAs(server.url, 'district@hollowmere.example');
  const context = await newContext(browser, server.url, false);
  await context.addCookies([...officer.cookies].map(([name, value]) => ({ name, value, url: server.url })));
  const page = await context.newPage();
  await page.goto('/staff');
  await page.getByRole('link', { name: 'Dashboard' }).click();
  assert.match(page.url(), /\/staff\/insight$/);
  assert.equal(await page.locator('svg[role="img"]').count() > 0, true);
  await expectAccessible(page, 'dashboard');
  const quarter = await page.locator('#period option', { hasText: 'Quarter:' }).first().getAttribute('value');
  await page.selectOption('#period', quarter!);
  await page.getByRole('button', { name: 'Show figures' }).click();
  assert.match(page.url(), new RegExp(`period=${quarter}`));
  assert.match(await page.locator('h1').innerText(), /Dashboard/);
  assert.match(await page.textContent('body') ?? '', /On track|At risk|Off track/);
  await expectAccessible(page, 'dashboard, a quarter with targets');
  const res = await page.goto('/staff/insight?period=nonsense');
  assert.equal(res?.status(), 400);
  await expectAccessible(page, 'dashboard, bad period');
  await page.goto('/staff/insight/county');
  assert.match(await page.locator('table').last().innerText(), /Brackenford/);
  await expectAccessible(page, 'county view');
  await context.close();
});
