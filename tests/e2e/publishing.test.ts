/**
 * The editor's journey in real Chromium with axe: a district editor drafts (after a refused empty form),
 * previews, schedules and publishes an achievement, an initiative with outcome measures and an improvement-plan
 * recommendation with a progress update and a RAG status; each appears where it should for the public; unpublish
 * removes the achievement everywhere, feed included; another district's editor gets 404 on it; a draft made by
 * mistake is deleted after a confirmation.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { expectAccessible, newContext } from '../helpers/browser.ts';
import { browser, server, useBrowserRig } from '../helpers/browser-rig.ts';
import { staffContext } from '../helpers/staff.ts';

useBrowserRig();

/** Open the new-item form of a kind from the console. */
async function startNew(page: Page, linkText: string) {
  await page.goto('/staff/publishing');
  await page.getByRole('link', { name: linkText }).click();
}

/** Fill the new-achievement form for a Brackenford Central story (title, summary and story given) and save it as a draft. */
async function saveAchievementDraft(page: Page, title: string, summary: string, story: string) {
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Summary').fill(summary);
  await page.getByLabel('Story').fill(story);
  await page.getByLabel('Theme').selectOption('violence');
  await page.getByLabel('Date of the achievement').fill('20/2/2026');
  await page.getByLabel('Brackenford Central (ward)').check();
  await page.getByRole('button', { name: 'Save draft' }).click();
  await page.locator('#saved-title').waitFor();
}

/** Run a workflow button on the item page and wait for the confirmation. */
async function act(page: Page, button: string) {
  await page.getByRole('button', { name: button, exact: true }).click();
  await page.locator('#done-title').waitFor();
}

test('draft, preview, schedule, publish, see in public, unpublish; another district editor is refused', async () => {
  const ctx = await staffContext(browser, server.url, 'brackenford-editor@hollowmere.example');
  const e = await ctx.newPage();
  const pub = await (await newContext(browser, server.url, false)).newPage();

  // Achievement: refused empty, then a draft with a preview.
  await startNew(e, 'New achievement');
  await expectAccessible(e, 'new achievement');
  await e.getByRole('button', { name: 'Save draft' }).click();
  await e.locator('.error-summary').waitFor();
  await expectAccessible(e, 'new achievement: errors');
  await saveAchievementDraft(e, 'Brackenford Central night marshals', 'Marshals on Friday and Saturday nights cut late-night disorder.', 'Night marshals walked the town centre **every weekend** from May.');
  assert.equal(await e.locator('#preview + .preview strong', { hasText: 'every weekend' }).count(), 1, 'the preview renders the Markdown');
  await expectAccessible(e, 'achievement: draft with preview');
  const itemUrl = e.url().split('?')[0]!;

  // Schedule, then publish now.
  await e.getByLabel('Publish date').fill('1/1/2099');
  await e.getByLabel('Publish time').fill('09:00');
  await act(e, 'Schedule');
  await e.getByText(/Scheduled/).first().waitFor();
  assert.equal((await pub.goto('/news/brackenford-central-night-marshals'))?.status(), 404, 'not public before its time');
  await act(e, 'Publish now');
  await expectAccessible(e, 'achievement: published');
  assert.equal((await pub.goto('/news/brackenford-central-night-marshals'))?.status(), 200);
  await expectAccessible(pub, 'public achievement');
  // A second version, then version 1 restored as version 3 (without JavaScript's help: a plain form), each state checked.
  await e.getByLabel('Summary').fill('Marshals on Friday and Saturday nights cut late-night disorder by a third.');
  await e.getByRole('button', { name: 'Save a new version' }).click();
  await e.locator('#saved').waitFor();
  await expectAccessible(e, 'achievement: two versions, restore offered');
  await e.getByRole('button', { name: 'Restore version 1' }).click();
  await e.locator('#saved').waitFor();
  assert.match(await e.locator('#state').innerText(), /Version 3, the public sees version 1/);
  await expectAccessible(e, 'achievement: version 1 restored');
  await pub.goto('/areas/brackenford');
  assert.equal(await pub.getByRole('link', { name: 'Brackenford Central night marshals' }).count(), 1);

  // Initiative with an outcome measure.
  await startNew(e, 'New initiative');
  await e.getByLabel('Title').fill('Brackenford taxi marshal scheme');
  await e.getByLabel('Aim').fill('Get people home safely from the town centre at night.');
  await e.getByLabel('Lead partner').fill('Brackenford District Council');
  await e.getByLabel('Budget in pounds').fill('6,000');
  await e.getByLabel('Funding source').fill('Safer Streets fund');
  await e.getByLabel('Start date').fill('1/5/2025');
  await e.getByLabel('Evaluation under way').check();
  await e.locator('#measure0').fill('Late-night assaults a quarter');
  await e.locator('#baseline0').fill('30');
  await e.locator('#target0').fill('15');
  await e.locator('#actual0').fill('18');
  await e.getByLabel('Brackenford (district)').check();
  await e.getByRole('button', { name: 'Save draft' }).click();
  await e.locator('#saved-title').waitFor();
  await expectAccessible(e, 'initiative: draft');
  await act(e, 'Publish now');
  await pub.goto('/initiatives/brackenford-taxi-marshal-scheme');
  await pub.getByText('£500 per unit of change').waitFor();
  await expectAccessible(pub, 'public initiative');

  // Recommendation with a progress update and a RAG status.
  await startNew(e, 'New improvement-plan recommendation');
  await e.getByLabel('Title').fill('Publish ward priorities');
  await e.getByLabel('Plan', { exact: true }).fill('Brackenford audit 2026');
  await e.getByLabel('Recommendation', { exact: true }).fill('Publish each ward\'s priorities with the action taken and its date.');
  await e.getByLabel('Responsible role').fill('District community safety officer');
  await e.getByLabel('Named officer').fill('Rae Okafor');
  await e.getByLabel('Original target date').fill('30/9/2099');
  await e.getByLabel('Some delay, recovering (Amber)').check();
  await e.getByLabel('Date of the update').fill('1/3/2026');
  await e.getByLabel('Progress update').fill('Priorities gathered for two of four wards.');
  await e.getByLabel('Brackenford (district)').check();
  await e.getByRole('button', { name: 'Save draft' }).click();
  await e.locator('#saved-title').waitFor();
  await act(e, 'Send for review');
  await act(e, 'Publish now');
  await expectAccessible(e, 'recommendation: published');
  await pub.goto('/improvement-plan');
  await pub.getByText('Amber: Some delay, recovering').first().waitFor();
  await pub.getByText('Priorities gathered for two of four wards.').waitFor();
  await expectAccessible(pub, 'improvement plan');

  // Another district's editor cannot open or change it.
  const other = await (await staffContext(browser, server.url, 'eastmere-editor@hollowmere.example')).newPage();
  assert.equal((await other.goto(itemUrl))?.status(), 404);

  // Unpublish removes the achievement everywhere, the feed included.
  await e.goto(itemUrl);
  await e.getByRole('button', { name: 'Unpublish', exact: true }).click();
  await e.getByRole('button', { name: 'Yes, unpublish it' }).waitFor();
  await expectAccessible(e, 'unpublish: confirm');
  await act(e, 'Yes, unpublish it');
  assert.equal((await pub.goto('/news/brackenford-central-night-marshals'))?.status(), 404);
  await pub.goto('/news');
  assert.equal(await pub.getByText('Brackenford Central night marshals').count(), 0);
  const feed = await (await pub.request.get('/feeds/news.rss')).text();
  assert.ok(!feed.includes('Brackenford Central night marshals'));
});

test('a draft made by mistake is deleted after a confirmation, and the console says so', async () => {
  const e = await (await staffContext(browser, server.url, 'brackenford-editor@hollowmere.example')).newPage();
  await startNew(e, 'New achievement');
  await saveAchievementDraft(e, 'Started by mistake', 'A draft the editor did not mean to start.', 'Nothing to tell.');
  await e.getByRole('button', { name: 'Delete this achievement' }).click();
  await e.getByRole('button', { name: 'Yes, delete it' }).waitFor();
  await expectAccessible(e, 'delete: confirm');
  await e.getByRole('button', { name: 'Yes, delete it' }).click();
  await e.locator('#deleted-title').waitFor();
  assert.equal(new URL(e.url()).pathname, '/staff/publishing');
  assert.equal(await e.getByRole('link', { name: 'Started by mistake' }).count(), 0);
  await expectAccessible(e, 'publishing: item deleted');
});
