/** The design system page in real Chromium: axe on every component state, error summary focus, character count, Exit this page. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectAccessible, newContext, errorSummaryHasFocus } from '../helpers/browser.ts';
import { browser, server, useBrowserRig } from '../helpers/browser-rig.ts';

useBrowserRig();

describe('design system page', () => {
  test('passes axe with JavaScript on, and the error summary takes focus', async () => {
    const context = await newContext(browser, server.url);
    const page = await context.newPage();
    const response = await page.goto('/design-system');
    assert.equal(response?.status(), 200);
    assert.equal(await page.title(), 'Design system - Hollowmere CSP');
    await expectAccessible(page);
    const focused = await errorSummaryHasFocus(page);
    assert.ok(focused, 'error summary has focus on load');
    await context.close();
  });

  // axe itself needs JavaScript (it hangs in a context with JavaScript off), so the no-JavaScript check is behavioural.
  test('without JavaScript the error summary still takes focus and the count message shows', async () => {
    const context = await newContext(browser, server.url, false);
    const page = await context.newPage();
    await page.goto('/design-system');
    const focused = await errorSummaryHasFocus(page);
    assert.ok(focused, 'error summary has focus on load without JavaScript');
    assert.ok(await page.getByText('You can enter up to 500 characters').isVisible());
    await context.close();
  });

  test('every component state is present', async () => {
    const context = await newContext(browser, server.url, false);
    const page = await context.newPage();
    await page.goto('/design-system');
    // Inputs: default, hint, error (with visually hidden prefix and aria-describedby), filled.
    assert.equal(await page.locator('#ds-name').getAttribute('aria-describedby'), 'ds-name-error');
    assert.equal(await page.locator('#ds-name-error').textContent(), 'Error: Enter your full name');
    assert.equal(await page.locator('#ds-email').getAttribute('aria-describedby'), 'ds-email-hint');
    assert.equal(await page.locator('#ds-postcode').getAttribute('aria-describedby'), null);
    assert.equal(await page.locator('#ds-phone').inputValue(), '01632 960 123');
    assert.equal(await page.locator('[required]').count(), 0, 'no required attributes');
    const targets = await page.locator('.error-summary a').evaluateAll((links) => links.map((a) => Boolean(document.querySelector((a as HTMLAnchorElement).hash))));
    assert.deepEqual(targets, [true, true], 'error summary links go to fields');
    // Radios and checkboxes ids: name, name-2, name-3.
    for (const id of ['ds-contact', 'ds-contact-2', 'ds-contact-3', 'ds-agencies', 'ds-agencies-2', 'ds-agencies-3', 'ds-involved', 'ds-notify']) {
      assert.equal(await page.locator(`#${id}`).count(), 1, `#${id}`);
    }
    assert.ok(await page.locator('#ds-before').isChecked());
    assert.ok(await page.locator('#ds-involved').isChecked(), 'first item of the filled checkboxes');
    assert.ok(!(await page.locator('#ds-involved-2').isChecked()));
    assert.ok(await page.locator('#ds-involved-3').isChecked());
    assert.equal(await page.locator('[id]').evaluateAll((els) => els.length - new Set(els.map((e) => e.id)).size), 0, 'ids are unique');
    assert.equal(await page.locator('#ds-ward-2').inputValue(), 'mill-end');
    assert.equal(await page.locator('#ds-date-2-day').inputValue(), '14');
    assert.equal(await page.locator('#ds-date-2-time').inputValue(), '21:30');
    assert.ok(await page.locator('#ds-date-3-month').evaluate((el) => el.classList.contains('input--error')));
    assert.ok(!(await page.locator('#ds-date-3-day').evaluate((el) => el.classList.contains('input--error'))));
    assert.equal(await page.locator('.summary-list__value--empty').first().textContent(), 'Not provided');
    assert.equal(await page.locator('.notification-banner--success').getAttribute('role'), 'alert');
    assert.equal(await page.locator('.tag').count(), 11);
    assert.ok(await page.getByRole('link', { name: 'Change where it happened' }).isVisible());
    await context.close();
  });

  test('character count updates as you type', async () => {
    const context = await newContext(browser, server.url);
    const page = await context.newPage();
    await page.goto('/design-system');
    await page.locator('#ds-what').fill('Hello');
    await assert.doesNotReject(page.getByText('You have 495 characters remaining').first().waitFor());
    await page.locator('#ds-more').fill('x'.repeat(203));
    await page.getByText('You have 3 characters too many').first().waitFor();
    await expectAccessible(page, '/design-system (character count over the limit)');
    await context.close();
  });

  test('pressing Shift three times exits the page through /exit', async () => {
    const context = await newContext(browser, server.url);
    const page = await context.newPage();
    await page.goto('/design-system');
    const exitResponse = page.waitForResponse((r) => new URL(r.url()).pathname === '/exit');
    await page.keyboard.press('Shift');
    await page.keyboard.press('Shift');
    assert.ok(await page.getByText('Shift, pressed 2 times').isVisible());
    await page.keyboard.press('Shift');
    const response = await exitResponse;
    assert.equal(response.status(), 303);
    assert.equal(response.headers()['location'], 'https://www.bbc.co.uk/weather');
    assert.match((await response.headerValue('set-cookie')) ?? '', /draft=;[^\n]*Max-Age=0/i);
    await context.close();
  });
});
