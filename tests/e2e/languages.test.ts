/**
 * The report journey in Welsh in real Chromium with JavaScript off: the language switch (a plain link) chooses
 * Welsh, the cookie keeps it on every step, axe passes on each Welsh page (an error state too), and the
 * acknowledgement e-mail arrives in Welsh at a real SMTP server.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { errorSummaryHasFocus, expectAccessible, newContext } from '../helpers/browser.ts';
import { browser, server, smtp, useBrowserRig } from '../helpers/browser-rig.ts';
import { sentTo } from '../helpers/smtp.ts';

useBrowserRig({ withSmtp: true });

/** Press a button by its name and wait for the next page. */
async function press(page: Page, name: string) {
  const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
  await page.getByRole('button', { name, exact: true }).click();
  await navigated;
  await page.waitForLoadState('load');
}

/** The page is in Welsh and passes axe. */
async function welshPage(page: Page, label: string) {
  assert.equal(await page.getAttribute('html', 'lang'), 'cy', `${label} is in Welsh`);
  await expectAccessible(page, `${label} (cy)`);
}

test('the whole report journey in Welsh without JavaScript, through to a Welsh acknowledgement e-mail', async () => {
  const context = await newContext(browser, server.url, false);
  const page = await context.newPage();
  const email = 'preswylydd@example.org';
  await page.goto('/report');
  await page.getByRole('link', { name: 'Cymraeg' }).click();
  await page.waitForLoadState('load');
  assert.ok((await context.cookies()).some((c) => c.name === 'lang' && c.value === 'cy'), 'the choice is kept in a cookie');
  await welshPage(page, 'start');
  await page.getByRole('link', { name: 'Dechrau nawr' }).click();
  await page.waitForLoadState('load');
  assert.ok(!page.url().includes('lang='), 'later pages need no parameter: the cookie keeps Welsh');
  await welshPage(page, 'danger');
  await press(page, 'Parhau');
  assert.match(await page.title(), /^Gwall: /);
  assert.ok(await errorSummaryHasFocus(page), 'the error summary has focus');
  assert.ok(await page.getByText('Mae problem').isVisible());
  await welshPage(page, 'danger, with an error');
  await page.getByLabel('Nac oes', { exact: true }).check();
  await press(page, 'Parhau');
  await welshPage(page, 'category');
  await page.getByLabel('Niwsans sŵn').check();
  await press(page, 'Parhau');
  await welshPage(page, 'description');
  await page.getByLabel('Beth ddigwyddodd?').fill('Cerddoriaeth uchel bob nos ar ôl hanner nos, nes bod y ffenestri yn crynu.');
  await press(page, 'Parhau');
  await welshPage(page, 'when');
  await page.getByLabel('Rwy\'n gwybod y dyddiad').check();
  await press(page, 'Parhau');
  await welshPage(page, 'when-details');
  await page.getByLabel('Diwrnod').fill('3');
  await page.getByLabel('Mis').fill('11');
  await page.getByLabel('Blwyddyn').fill('2026');
  await press(page, 'Parhau');
  await welshPage(page, 'where');
  await page.getByLabel('Cod post', { exact: true }).fill('hw1 3ab');
  await press(page, 'Parhau');
  await welshPage(page, 'people');
  await page.getByLabel('Fi a fy aelwyd').check();
  await page.getByRole('group', { name: 'A yw hyn wedi digwydd o\'r blaen?' }).getByLabel('Ydy', { exact: true }).check();
  await press(page, 'Parhau');
  await welshPage(page, 'photos');
  await press(page, 'Parhau');
  await welshPage(page, 'privacy');
  await page.getByLabel('Gydag enw', { exact: true }).check();
  await press(page, 'Parhau');
  await welshPage(page, 'contact');
  await page.getByLabel('Eich enw').fill('Robin Preswylydd');
  await page.getByLabel(/^Cyfeiriad e-bost/).fill(email);
  await page.getByRole('group', { name: 'Sut hoffech i ni gysylltu â chi?' }).getByLabel('E-bost', { exact: true }).check();
  await press(page, 'Parhau');
  assert.match(page.url(), /\/report\/check$/);
  await welshPage(page, 'check answers');
  assert.ok(await page.getByText('3 Tachwedd 2026').isVisible(), 'the date in Welsh');
  await press(page, 'Anfon eich adroddiad');
  assert.match(page.url(), /\/report\/confirmation$/);
  await welshPage(page, 'confirmation');
  const ref = (await page.locator('.reference').first().textContent())!.trim();
  assert.match(ref, /^HM-[A-Z0-9]{4}-[A-Z0-9]{4}$/);

  const mail = await smtp.waitFor((m) => sentTo(m, email));
  assert.equal(mail.subject, `Rydym wedi cael eich adroddiad: cyfeirnod ${ref}`);
  assert.match(mail.text ?? '', /Diolch am gysylltu â Hollowmere Community Safety Partnership\./);
  assert.match(mail.text ?? '', new RegExp(`Eich cyfeirnod yw ${ref}\\.`));
  assert.match(mail.text ?? '', /Gwirio cynnydd neu ychwanegu gwybodaeth: http/);
  assert.match(String(mail.html), /<html lang="cy">/);
  await context.close();
});
