/**
 * Defects residents met in the report journey (issue 10), in real Chromium with JavaScript off and on where it
 * matters, axe on every new page state: the ward after a change of location, the reference before the equality
 * questions, the trail a sensitive report leaves (Exit, then back, shows nothing), out-of-area postcodes, dates
 * and times, tap-to-call, one consent rule, the emergency flag, and what /track shows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient, type Client } from '@libsql/client';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible, launchBrowser, newContext } from '../helpers/browser.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { sendWebReport, staffContext } from '../helpers/staff.ts';
import { cont, reportUpToWhere } from '../helpers/report-journey.ts';

let server: TestServer;
let browser: Browser;
let db: Client;

before(async () => {
  server = await startServer();
  db = createClient({ url: server.dbUrl, timeout: 15_000 });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  db?.close();
  await server?.stop();
});

/**
 * Press Exit this page and wait until the tab has left the site (for the neutral site, or Chromium's error page
 * when the machine has no internet). Not stubbed with page.route: interception turns off the HTTP cache, and
 * the cache is what "back" must not show.
 */
async function exitThisPage(page: Page) {
  const left = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() && !frame.url().startsWith(server.url) });
  await page.getByRole('link', { name: /Exit this page/ }).click();
  await left;
  await page.waitForLoadState('load').catch(() => {});
}

async function follow(page: Page, name: string | RegExp) {
  const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
  await page.getByRole('link', { name, exact: true }).first().click();
  await navigated;
  await page.waitForLoadState('load');
}

/** From "people" to check answers, anonymous. */
async function peopleToCheck(page: Page) {
  assert.match(page.url(), /\/report\/people/);
  await page.getByLabel('Me and my household').check();
  await page.getByRole('group', { name: 'Has this happened before?' }).getByLabel('No', { exact: true }).check();
  await cont(page);
  await cont(page);
  await page.getByLabel('Anonymous', { exact: true }).check();
  await cont(page);
  assert.match(page.url(), /\/report\/check$/);
}

/** The "Where" row of check answers. */
async function whereRow(page: Page): Promise<string> {
  const row = page.locator('.summary-list__row').filter({ has: page.locator('dt', { hasText: /^Where$/ }) });
  return (await row.locator('dd.summary-list__value').textContent())!.trim();
}

for (const javaScriptEnabled of [false, true]) {
  describe(`with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    test('the ward is worked out again after going back or "Change", and the case is filed with it; the reference comes before the equality questions', async () => {
      const context = await newContext(browser, server.url, javaScriptEnabled);
      const page = await context.newPage();
      await reportUpToWhere(page);
      await page.getByLabel('Postcode').fill('HW2 3XY');
      await cont(page);
      // Back with the browser: the ward found for the first postcode is not carried into the form.
      await page.goBack();
      await page.waitForLoadState('load');
      assert.match(page.url(), /\/report\/where$/);
      assert.equal(await page.getByLabel('Postcode').inputValue(), 'HW2 3XY');
      assert.equal(await page.getByLabel('Ward (optional)').inputValue(), '', 'the ward is not pre-filled');
      await page.getByLabel('Postcode').fill('HW3 1AB');
      await cont(page);
      await peopleToCheck(page);
      assert.equal(await whereRow(page), 'HW3 1AB, Thornwick Town');
      // "Change": clear the postcode and give a place.
      await page.getByRole('link', { name: /Change\s*where it happened/ }).click();
      await page.waitForLoadState('load');
      assert.equal(await page.getByLabel('Ward (optional)').inputValue(), '');
      await page.getByLabel('Postcode').fill('');
      await page.getByLabel('Street or place').fill('Market Square');
      await cont(page);
      assert.match(page.url(), /\/report\/check$/);
      assert.equal(await whereRow(page), 'Market Square, Brackenford Central');
      // A ward picked by hand on this visit is kept.
      await page.getByRole('link', { name: /Change\s*where it happened/ }).click();
      await page.waitForLoadState('load');
      await page.getByLabel('Ward (optional)').selectOption('mill-lane');
      await cont(page);
      assert.equal(await whereRow(page), 'Market Square, Mill Lane');
      await page.getByRole('link', { name: /Change\s*where it happened/ }).click();
      await page.waitForLoadState('load');
      await cont(page);
      assert.equal(await whereRow(page), 'Market Square, Brackenford Central', 'the pick was for that visit only');

      await cont(page, 'Send your report');
      assert.match(page.url(), /\/report\/confirmation$/, 'the confirmation comes straight after sending');
      const ref = (await page.locator('.reference').first().textContent())!.trim();
      assert.match(ref, /^HM-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
      assert.match((await page.locator('.tracking-details dd').nth(1).textContent())!.trim(), /^[A-Z0-9]{5}-[A-Z0-9]{5}$/);
      await expectAccessible(page, 'confirmation with the equality offer');
      const [filed] = (await db.execute({ sql: 'select ward_id, postcode, location_text from cases where ref = ?', args: [ref] })).rows;
      assert.deepEqual([filed!.ward_id, filed!.postcode ?? null, filed!.location_text], ['brackenford-central', null, 'Market Square']);

      await follow(page, 'Answer the optional equality questions');
      assert.match(page.url(), /\/report\/equality$/);
      assert.ok(await page.getByRole('heading', { name: 'Equality monitoring questions (optional)' }).isVisible());
      await expectAccessible(page, 'equality');
      await cont(page, 'Send answers');
      assert.match(page.url(), /\/report\/confirmation\?equality=sent$/);
      assert.ok(await page.getByText('Your equality answers have been recorded').isVisible());
      assert.equal((await page.locator('.reference').first().textContent())!.trim(), ref);
      assert.equal(await page.getByRole('link', { name: 'Answer the optional equality questions' }).count(), 0);
      await expectAccessible(page, 'confirmation after the equality questions');
      await context.close();
    });

    test('a sensitive report: Exit on the confirmation, equality and tracking pages; after Exit, back shows nothing of the report', async () => {
      const context = await newContext(browser, server.url, javaScriptEnabled);
      const page = await context.newPage();
      await reportUpToWhere(page, 'Hate incident');
      await page.getByLabel('Street or place').fill('Mill Lane');
      await cont(page);
      await peopleToCheck(page);
      await cont(page, 'Send your report');
      const ref = (await page.locator('.reference').first().textContent())!.trim();
      const code = (await page.locator('.tracking-details dd').nth(1).textContent())!.trim();
      const exit = page.getByRole('link', { name: /Exit this page/ });
      assert.equal(await exit.count(), 1, 'Exit this page on the confirmation');
      await follow(page, 'Answer the optional equality questions');
      assert.equal(await exit.count(), 1, 'Exit this page on the equality page');
      await expectAccessible(page, 'equality (sensitive)');
      await follow(page, 'Back');
      assert.match(page.url(), /\/report\/confirmation$/);

      // Exit from the confirmation, then back: nothing of the report.
      await exitThisPage(page);
      await page.goBack();
      await page.waitForLoadState('load');
      const afterExit = await page.content();
      assert.ok(!afterExit.includes(ref) && !afterExit.includes(code) && !afterExit.includes('Music so loud'), `back after Exit shows nothing of the report (${page.url()})`);

      // Tracking: the description, the place, the status once, Exit, and a way to stop viewing.
      await page.goto('/track');
      await page.getByLabel('Reference number').fill(ref);
      await page.getByText('I reported anonymously').click();
      await page.getByLabel('Tracking code').fill(code);
      await cont(page, 'Check progress');
      assert.match(page.url(), /\/track\/case$/);
      assert.ok(await page.getByText('Music so loud every night').isVisible(), 'the description');
      assert.ok(await page.getByText('Mill Lane, Mill Lane').isVisible(), 'the place and its ward');
      assert.equal(await page.locator('main').getByText('Received', { exact: true }).count(), 1, 'the status once');
      assert.equal(await exit.count(), 1, 'Exit this page on /track/case');
      await expectAccessible(page, 'track case (sensitive)');
      const cookies = await context.cookies();
      assert.equal(cookies.find((c) => c.name === 'track')?.expires, -1, 'the tracking cookie is a session cookie');

      await exitThisPage(page);
      assert.equal((await context.cookies()).some((c) => c.name === 'track' || c.name === 'draft'), false, 'Exit clears the cookies');
      await page.goBack();
      await page.waitForLoadState('load');
      const back = await page.content();
      assert.ok(!back.includes(ref) && !back.includes('Music so loud'), `back after Exit shows nothing of the report (${page.url()})`);

      // "Stop viewing this report".
      await page.goto('/track');
      await page.getByLabel('Reference number').fill(ref);
      await page.getByText('I reported anonymously').click();
      await page.getByLabel('Tracking code').fill(code);
      await cont(page, 'Check progress');
      await follow(page, 'Stop viewing this report');
      assert.match(page.url(), /\/track\?stopped=1$/);
      assert.ok(await page.getByText('This device no longer shows your report').isVisible());
      await expectAccessible(page, 'track (stopped)');
      await page.goBack();
      await page.waitForLoadState('load');
      assert.ok(!(await page.content()).includes('Music so loud'), 'back after stopping shows nothing');
      await context.close();
    });
  });
}

test('an out-of-area postcode says where to report instead; a similar report nearby can be joined', async () => {
  const first = await sendWebReport(server.url, { email: 'first@example.org', category: 'fly-tipping', postcode: 'HW1 3AE', description: 'Bags of rubbish dumped by the end house every weekend.' });
  const other = await sendWebReport(server.url, { email: 'other@example.org', category: 'vandalism', postcode: 'HW1 3AE' });
  const context = await newContext(browser, server.url, false);
  const page = await context.newPage();
  await reportUpToWhere(page, 'Fly-tipping or dumped rubbish');
  assert.ok(await page.getByText('Needed if you do not give a postcode').isVisible());
  await page.getByLabel('Postcode').fill('HW9 1AD');
  await cont(page);
  assert.match(await page.title(), /^We cannot take this report - /, 'a notice, not an error');
  assert.ok(await page.getByText(/HW9 1AD is not in the area Hollowmere Community Safety Partnership covers/).isVisible());
  assert.ok(await page.getByRole('link', { name: 'Report it to Harrowdale District Council' }).isVisible());
  assert.ok(await page.getByRole('link', { name: 'Find the council for that postcode on GOV.UK' }).isVisible());
  await expectAccessible(page, 'where (out of area)');
  await page.getByRole('link', { name: 'Change the postcode' }).click();
  await page.waitForURL(/\/report\/where$/);
  await page.getByLabel('Postcode').fill('HW1 3AE');
  await cont(page);
  assert.match(page.url(), /\/report\/nearby$/);
  assert.ok(await page.getByRole('heading', { name: 'A similar problem has already been reported near here' }).isVisible());
  await expectAccessible(page, 'nearby');
  await cont(page);
  assert.match(await page.title(), /^Error: /);
  await expectAccessible(page, 'nearby (error)');
  await page.getByLabel('Add my report to it').check();
  await cont(page);
  assert.match(page.url(), /\/report\/people$/);
  await context.close();
  // Staff see the nearby cases on the case page.
  const staff = await staffContext(browser, server.url, 'triage@hollowmere.example', false);
  const casePage = await staff.newPage();
  await casePage.goto(`/staff/cases/${first.ref}`);
  assert.ok(await casePage.getByRole('heading', { name: 'Nearby cases' }).isVisible());
  assert.ok(await casePage.getByRole('link', { name: other.ref }).isVisible());
  await expectAccessible(casePage, 'case page (nearby cases)');
  await staff.close();
});

test('dates: per-part messages, "9pm" and "21.30" accepted, and a time field with a full keyboard', async () => {
  const context = await newContext(browser, server.url, false);
  const page = await context.newPage();
  await reportUpToWhere(page);
  await follow(page, 'Back');
  await follow(page, 'Back');
  await page.getByLabel('I know the date').check();
  await cont(page);
  assert.match(page.url(), /\/report\/when-details$/);
  assert.equal(await page.getByLabel('Time (optional)').getAttribute('inputmode'), 'text', 'a keyboard with ":" and letters');
  await page.getByLabel('Day').fill('3');
  await cont(page);
  const link = page.locator('.error-summary a');
  assert.equal(await link.textContent(), 'Date it happened must include a month and year');
  assert.equal(await link.getAttribute('href'), '#when-month');
  assert.deepEqual(await page.locator('.date-input input.input--error').evaluateAll((els) => els.map((e) => e.id)), ['when-month', 'when-year']);
  await expectAccessible(page, 'when-details (month and year missing)');
  await page.getByLabel('Month').fill('13');
  await page.getByLabel('Year').fill('2025');
  await cont(page);
  assert.equal(await link.textContent(), 'Date it happened must be a real date');
  assert.deepEqual(await page.locator('.date-input input.input--error').evaluateAll((els) => els.map((e) => e.id)), ['when-month']);
  await page.getByLabel('Month').fill('11');
  await page.getByLabel('Time (optional)').fill('9pm');
  await cont(page);
  assert.match(page.url(), /\/report\/where$/, '9pm is accepted');
  await follow(page, 'Back');
  await page.getByLabel('Time (optional)').fill('21.30');
  await cont(page);
  assert.match(page.url(), /\/report\/where$/, '21.30 is accepted');
  await page.getByLabel('Postcode').fill('HW1 3AB');
  await cont(page);
  await peopleToCheck(page);
  const when = page.locator('.summary-list__row').filter({ has: page.locator('dt', { hasText: /^When$/ }) });
  assert.match((await when.locator('dd.summary-list__value').textContent())!, /3 November 2025, 21:30/);
  await context.close();
});

test('tap to call: the 999 page links to tel:999; the confirmation hotline number never wraps', async () => {
  const context = await newContext(browser, server.url, false);
  const page = await context.newPage();
  await page.goto('/report/danger');
  await page.getByLabel('Yes', { exact: true }).check();
  await cont(page);
  assert.match(page.url(), /\/report\/emergency$/);
  assert.ok(await page.locator('main a[href="tel:999"]').first().isVisible());
  await expectAccessible(page, 'emergency');
  await reportUpToWhere(page);
  await page.getByLabel('Postcode').fill('HW1 3AB');
  await cont(page);
  await peopleToCheck(page);
  await cont(page, 'Send your report');
  const hotline = page.locator('main a[href="tel:01632960000"]');
  assert.equal(await hotline.count(), 1);
  assert.equal(await hotline.evaluate((e) => getComputedStyle(e).whiteSpace), 'nowrap');
  await page.setViewportSize({ width: 320, height: 640 });
  assert.equal(await hotline.evaluate((e) => e.getClientRects().length), 1, 'the number sits on one line on a narrow screen');
  await context.close();
});

test('one consent rule: Named is not asked to consent (its hint says details are shared); Confidential is', async () => {
  const context = await newContext(browser, server.url, false);
  const page = await context.newPage();
  await reportUpToWhere(page);
  await page.getByLabel('Postcode').fill('HW1 3AB');
  await cont(page);
  await page.getByLabel('Me and my household').check();
  await page.getByRole('group', { name: 'Has this happened before?' }).getByLabel('No', { exact: true }).check();
  await cont(page);
  await cont(page);
  await page.getByLabel('Named', { exact: true }).check();
  await cont(page);
  assert.equal(await page.getByRole('group', { name: 'Can we share your details with partner agencies?' }).count(), 0, 'no consent question for Named');
  await page.getByLabel('Your name').fill('Robin Testperson');
  await page.getByLabel(/^Email address/).fill('robin-named@example.com');
  await page.getByRole('group', { name: 'How would you like us to contact you?' }).getByLabel('Email').check();
  await cont(page);
  assert.match(page.url(), /\/report\/check$/);
  await page.getByRole('link', { name: /Change\s*how we treat your details/ }).click();
  await page.waitForLoadState('load');
  await page.getByLabel('Confidential', { exact: true }).check();
  await cont(page);
  assert.match(page.url(), /\/report\/contact/, 'confidential must answer the consent question');
  assert.equal(await page.getByRole('group', { name: 'Can we share your details with partner agencies?' }).count(), 1);
  await cont(page);
  assert.ok(await page.getByRole('link', { name: 'Select yes if we may share your details with partner agencies' }).isVisible());
  await expectAccessible(page, 'contact (confidential, consent missing)');
  await context.close();
});

test('a category flagged emergency (deliberate fires) shows the 999 warning', async () => {
  const context = await newContext(browser, server.url, false);
  const page = await context.newPage();
  await page.goto('/report/danger');
  await page.getByLabel('No', { exact: true }).check();
  await cont(page);
  await page.getByLabel('Noise nuisance').check();
  await cont(page);
  assert.equal(await page.locator('.warning-text a[href="tel:999"]').count(), 0, 'no warning for an ordinary category');
  await follow(page, 'Back');
  await page.getByLabel('Deliberate fires or fire risk').check();
  await cont(page);
  const warning = page.locator('.warning-text').filter({ hasText: /call 999/ });
  assert.ok(await warning.isVisible(), 'the 999 warning on the next page');
  assert.equal(await warning.locator('a[href="tel:999"]').count(), 1);
  await expectAccessible(page, 'description (emergency category)');
  await context.close();
});
