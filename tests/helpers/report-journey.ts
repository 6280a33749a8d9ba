/** Browser steps of the resident's report journey shared by the e2e files. */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

/** Press a step's button (Continue unless named) and wait for the next page to load. */
export async function cont(page: Page, label = 'Continue'): Promise<void> {
  const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
  await page.getByRole('button', { name: label, exact: true }).click();
  await navigated;
  await page.waitForLoadState('load');
}

/** Answer the steps from the first question up to the where step (not answered), in the given category. */
export async function reportUpToWhere(page: Page, category = 'Noise nuisance'): Promise<void> {
  await page.goto('/report/danger');
  await page.getByLabel('No', { exact: true }).check();
  await cont(page);
  await page.getByLabel(category).check();
  await cont(page);
  await page.getByLabel('What happened?').fill('Music so loud every night after midnight that the windows shake.');
  await cont(page);
  await page.getByLabel('I am not sure exactly').check();
  await cont(page);
  await page.getByLabel('Roughly when did it happen?').fill('Most nights last week');
  await cont(page);
  assert.match(page.url(), /\/report\/where$/);
}
