/** Resident report journeys in real Chromium, with JavaScript off and on, axe on every step and error state. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { errorSummaryHasFocus, expectAccessible, newContext } from '../helpers/browser.ts';
import { browser, server, smtp, useBrowserRig } from '../helpers/browser-rig.ts';
import { sentTo } from '../helpers/smtp.ts';
import { cont } from '../helpers/report-journey.ts';

useBrowserRig({ withSmtp: true });

/** Check the page passes axe and, when asked, submit it empty first to check its error state. */
async function checkStep(page: Page, options: { errors?: boolean } = {}) {
  await expectAccessible(page);
  if (options.errors) {
    await cont(page);
    assert.match(await page.title(), /^Error: /, `error title on ${page.url()}`);
    // Without JavaScript, focus comes from the autofocus attribute, applied on the browser's next rendering step.
    const focused = await errorSummaryHasFocus(page);
    assert.ok(focused, `error summary has focus on ${page.url()}`);
    assert.ok(await page.getByText('There is a problem').isVisible());
    await expectAccessible(page, `${page.url()} (errors)`);
  }
}

interface JourneyOptions {
  privacy: 'Named' | 'Confidential' | 'Anonymous';
  category?: string;
  email?: string;
  errors?: boolean;
  sensitive?: boolean;
}

async function reportUpToCheck(page: Page, o: JourneyOptions) {
  await page.goto('/report');
  await checkStep(page);
  await page.getByRole('link', { name: 'Start now' }).click();
  await checkStep(page, { errors: o.errors });
  await page.getByLabel('No', { exact: true }).check();
  await cont(page);
  await checkStep(page, { errors: o.errors });
  await page.getByLabel(o.category ?? 'Noise nuisance').check();
  await cont(page);
  const exitVisible = async () => (await page.getByRole('link', { name: /Exit this page/i }).or(page.getByRole('button', { name: /Exit this page/i })).count()) > 0;
  assert.equal(await exitVisible(), !!o.sensitive, 'Exit this page only on sensitive journeys');
  await checkStep(page, { errors: o.errors });
  await page.getByLabel('What happened?').fill('Music so loud every night after midnight that the windows shake.');
  await cont(page);
  await checkStep(page, { errors: o.errors });
  await page.getByLabel('I know the date').check();
  await cont(page);
  await checkStep(page, { errors: o.errors });
  await page.getByLabel('Day').fill('3');
  await page.getByLabel('Month').fill('11');
  await page.getByLabel('Year').fill('2026');
  await cont(page);
  await checkStep(page, { errors: o.errors });
  if (o.sensitive) assert.ok(await exitVisible(), 'Exit this page on later steps');
  await page.getByLabel('Postcode', { exact: true }).fill('hw1 3ab');
  await cont(page);
  await checkStep(page, { errors: o.errors });
  await page.getByLabel('Me and my household').check();
  await page.getByRole('group', { name: 'Has this happened before?' }).getByLabel('Yes').check();
  await cont(page);
  await checkStep(page);
  if (o.errors) {
    await cont(page, 'Upload');
    assert.match(await page.title(), /^Error: /, 'photos error title');
    assert.ok(await page.getByText('Select a photo to upload').first().isVisible());
    await expectAccessible(page, 'photos (errors)');
  }
  await cont(page);
  await checkStep(page, { errors: o.errors });
  await page.getByLabel(o.privacy, { exact: true }).check();
  await cont(page);
  if (o.privacy !== 'Anonymous') {
    await checkStep(page, { errors: o.errors });
    await page.getByLabel('Your name').fill('Robin Testperson');
    await page.getByLabel(/^Email address/).fill(o.email ?? 'robin@example.com');
    await page.getByLabel(/^UK phone number/).fill('07700 900982');
    await page.getByRole('group', { name: 'How would you like us to contact you?' }).getByLabel('Email').check();
    // Consent is asked only of a confidential reporter: Named means details are shared (one rule for web and calls).
    if (o.privacy === 'Confidential') await page.getByRole('group', { name: 'Can we share your details with partner agencies?' }).getByLabel('No').check();
    await cont(page);
  }
  assert.match(page.url(), /\/report\/check$/);
  await expectAccessible(page, 'check answers');
}

/** Send from check answers through the confirmation and equality pages; the reference, and the tracking code the first view of the confirmation showed (anonymous reports). */
async function send(page: Page): Promise<{ ref: string; code: string | null }> {
  await cont(page, 'Send your report');
  // The reference first; the equality questions are offered after it.
  assert.match(page.url(), /\/report\/confirmation$/);
  await expectAccessible(page, 'confirmation');
  const ref = (await page.locator('.reference').first().textContent())!.trim();
  assert.match(ref, /^HM-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  // An anonymous report's tracking code is shown on this first view only.
  const codes = page.locator('.tracking-details dd');
  const code = (await codes.count()) > 1 ? (await codes.nth(1).textContent())!.trim() : null;
  await page.getByRole('link', { name: 'Answer the optional equality questions' }).click();
  await page.waitForLoadState('load');
  assert.match(page.url(), /\/report\/equality$/);
  await expectAccessible(page, 'equality');
  await cont(page, 'Skip these questions');
  assert.match(page.url(), /\/report\/confirmation$/);
  assert.equal((await page.locator('.reference').first().textContent())!.trim(), ref);
  return { ref, code };
}

for (const javaScriptEnabled of [false, true]) {
  describe(`with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    test('a named report, with errors on every step and a change from check answers; the acknowledgement e-mail arrives', async () => {
      const context = await newContext(browser, server.url, javaScriptEnabled);
      const page = await context.newPage();
      const email = `named-${javaScriptEnabled}@example.com`;
      await reportUpToCheck(page, { privacy: 'Named', errors: true, email });
      await page.getByRole('link', { name: /Change\s*what happened/ }).click();
      await page.getByLabel('What happened?').fill('Changed: music every night after midnight, and shouting.');
      await cont(page);
      assert.match(page.url(), /\/report\/check$/, 'a change returns to check answers');
      assert.ok(await page.getByText('Changed: music every night').isVisible());
      const { ref } = await send(page);
      const mail = await smtp.waitFor((m) => sentTo(m, email));
      assert.ok(mail.subject?.includes(ref));
      assert.ok(mail.text?.includes(ref));
      assert.ok(mail.html && mail.html.includes(ref));
      await context.close();
    });
  });
}

test('a confidential report with a photo, then tracking by the private link from the e-mail and adding information', async () => {
  const context = await newContext(browser, server.url, true);
  const page = await context.newPage();
  const email = 'confidential@example.com';
  await page.goto('/report/danger');
  await reportUpToCheck(page, { privacy: 'Confidential', email });
  await page.getByRole('link', { name: /Change\s*photos/ }).click();
  const sharp = (await import('sharp')).default;
  const jpeg = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#446688' } }).jpeg().toBuffer();
  await page.getByLabel(/Upload photos/).setInputFiles({ name: 'damage.jpg', mimeType: 'image/jpeg', buffer: jpeg });
  await cont(page, 'Upload');
  assert.ok(await page.getByText(/damage\.jpg/).isVisible());
  await expectAccessible(page, 'photos with one photo');
  await cont(page);
  assert.match(page.url(), /\/report\/check$/);
  const { ref } = await send(page);
  const mail = await smtp.waitFor((m) => sentTo(m, email));
  const link = /https?:\/\/\S+\/track\/link\?\S+/.exec(mail.text ?? '')![0];
  await page.goto(link);
  assert.match(page.url(), /\/track\/case$/);
  assert.ok(await page.getByText(ref).first().isVisible());
  assert.ok(await page.getByText('Received').first().isVisible());
  await expectAccessible(page, 'track case');
  await cont(page, 'Add to my report');
  assert.match(await page.title(), /^Error: /);
  await expectAccessible(page, 'track case (errors)');
  await page.getByLabel('What do you want to tell us?').fill('It happened again on Saturday night.');
  await cont(page, 'Add to my report');
  assert.ok(await page.getByText('Your information has been added').isVisible());
  assert.ok(await page.getByText('It happened again on Saturday night.').isVisible());
  await context.close();
});

test('an anonymous report, a sensitive category with Exit this page, tracking by reference and code', async () => {
  const context = await newContext(browser, server.url, false);
  const page = await context.newPage();
  await reportUpToCheck(page, { privacy: 'Anonymous', category: 'Drug dealing or drug use', sensitive: true });
  const { ref, code } = await send(page);
  assert.match(code ?? '', /^[A-Z0-9]{5}-[A-Z0-9]{5}$/);
  assert.equal(await page.locator('.tracking-details dd').count(), 1, 'after the equality questions, the reference only');
  assert.ok(await page.getByText('Your tracking code was shown once').isVisible());
  await page.goto('/track');
  await expectAccessible(page, 'track');
  await page.getByLabel('Reference number').fill(ref.toLowerCase().replace(/-/g, ' '));
  await page.getByText('I reported anonymously').click();
  await page.getByLabel('Tracking code').fill('WRONG-CODES');
  await cont(page, 'Check progress');
  assert.match(await page.title(), /^Error: /);
  await expectAccessible(page, 'track (errors)');
  await page.getByLabel('Tracking code').fill(code!);
  await cont(page, 'Check progress');
  assert.match(page.url(), /\/track\/case$/);
  assert.ok(await page.getByText(ref).first().isVisible());
  await context.close();
});

test('the emergency stop: yes to danger leads to 999 guidance with no way on', async () => {
  const context = await newContext(browser, server.url, false);
  const page = await context.newPage();
  await page.goto('/report/danger');
  await page.getByLabel('Yes', { exact: true }).check();
  await cont(page);
  assert.match(page.url(), /\/report\/emergency$/);
  assert.ok(await page.getByRole('heading', { name: 'Call 999 now' }).isVisible());
  assert.equal(await page.locator('main form').count(), 0, 'no form to carry on');
  assert.equal(await page.getByRole('button', { name: 'Continue' }).count(), 0);
  await expectAccessible(page, 'emergency');
  await context.close();
});

test('a mistyped reference is caught by its check character', async () => {
  const context = await newContext(browser, server.url, false);
  const page = await context.newPage();
  await page.goto('/track');
  await page.getByLabel('Reference number').fill('HM-2345-6789');
  await page.getByLabel('Email address you gave us').fill('someone@example.com');
  await cont(page, 'Check progress');
  assert.ok(await page.getByText(/Reference number is not right/).first().isVisible());
  await context.close();
});
