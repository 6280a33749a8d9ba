/**
 * The triage queue and case workflow in real Chromium: the empty queue, a web report triaged end to end
 * (prioritise, assign, note, reply, resolve) with the reply reaching a real SMTP server and the reporter's
 * tracking page, the error state of every form on the case page, and axe on every page and state.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expectAccessible, launchBrowser, newContext } from '../helpers/browser.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { sentTo, startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { createWebReport, staffContext } from '../helpers/staff.ts';

let server: TestServer;
let smtp: TestSmtp;
let browser: Browser;
let triage: BrowserContext;

before(async () => {
  smtp = await startSmtp();
  server = await startServer({ SMTP_URL: smtp.url });
  browser = await launchBrowser();
  triage = await staffContext(browser, server.url, 'triage@hollowmere.example');
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.close();
});

/** Submit a form on the case page by its button and expect the error summary naming the problem. */
/** Click, then wait for the page it leads to to load: pages are streamed, and one read while still arriving is cut short. */
async function clickAndLoad(page: Page, target: Locator) {
  await target.click();
  await page.waitForLoadState('load');
}

async function expectFormError(page: Page, form: string, button: string, message: RegExp, label: string) {
  await page.locator(form).getByRole('button', { name: button, exact: true }).click();
  assert.match(await page.title(), /^Error: /, `${label}: title says Error`);
  const summary = page.locator('.error-summary');
  assert.match(await summary.innerText(), message, `${label}: error summary`);
  await expectAccessible(page, label);
}

test('the empty queue, filters and the shortcuts section are accessible', async () => {
  const page = await triage.newPage();
  await page.goto('/staff/queue');
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Triage queue');
  assert.match(await page.locator('caption').innerText(), /No cases match these filters/);
  await expectAccessible(page, 'empty queue');
  await page.keyboard.press('?');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'shortcuts-heading');
  await expectAccessible(page, 'queue help section');
  await page.goto('/staff/queue?status=new&priority=P1&channel=phone&overdue=1&sort=due');
  assert.equal(await page.locator('#filters').getAttribute('open'), '');
  assert.doesNotMatch(await page.title(), /^Error: /, 'no error yet: the title has no Error prefix');
  await expectAccessible(page, 'empty queue with filters');
  // Bulk action with nothing selected.
  await page.getByRole('button', { name: 'Apply to selected cases' }).click();
  assert.match(await page.title(), /^Error: /);
  assert.match(await page.locator('.error-summary').innerText(), /Select at least one case/);
  await expectAccessible(page, 'bulk action error');
  // Saving a view without a name.
  await clickAndLoad(page, page.getByRole('button', { name: 'Save view' }));
  assert.match(await page.locator('.error-summary').innerText(), /Enter a name for the view/);
  await expectAccessible(page, 'save view error');
  await page.close();
});

test('staff home links to the queue and the call log', async () => {
  const page = await triage.newPage();
  await page.goto('/staff');
  assert.ok(await page.getByRole('link', { name: 'Triage queue' }).isVisible());
  assert.ok(await page.getByRole('link', { name: 'Call log' }).isVisible());
  assert.equal(await page.getByRole('link', { name: 'Log a hotline call' }).count(), 0, 'a triage officer has no call.log');
  await page.close();
});

test('a new web report triaged end to end: prioritise, assign, note, reply, resolve; the reporter sees the reply on /track and by e-mail', { timeout: 240_000 }, async () => {
  const email = 'robin.e2e@example.com';
  const ref = await createWebReport(server.url, { email, name: 'Robin Resident' });
  const page = await triage.newPage();

  await page.goto('/staff/queue');
  const row = page.getByRole('row', { name: new RegExp(ref) });
  assert.match(await row.innerText(), /Web/);
  assert.match(await row.innerText(), /Unassigned/);
  await expectAccessible(page, 'queue with a case');
  await row.getByRole('link', { name: ref }).click();
  assert.match(page.url(), new RegExp(`/staff/cases/${ref}\\?from=$`));
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), `Case ${ref}`);
  assert.doesNotMatch(await page.title(), /^Error: /, 'no error yet: the case title has no Error prefix');
  await expectAccessible(page, 'case page: new');
  await page.keyboard.press('?');
  await expectAccessible(page, 'case page help section');

  // Reporter details (pii.view, recorded).
  await clickAndLoad(page, page.getByRole('link', { name: "Show the reporter's details" }));
  assert.match(await page.locator('main').innerText(), /robin\.e2e@example\.com/);
  await expectAccessible(page, 'case page: reporter shown');

  // Triage: first with nothing answered, then some risk and a repeat gives P2.
  await expectFormError(page, '#triage', 'Save triage and set priority', /Answer: Is there a risk of harm\?/, 'triage error');
  const triageForm = page.locator('#triage');
  await triageForm.getByRole('group', { name: 'Is there a risk of harm?' }).getByLabel('Some risk: it could escalate').check();
  await triageForm.getByRole('group', { name: 'Is anyone involved vulnerable?' }).getByLabel('No').check();
  await triageForm.getByRole('group', { name: 'Has this happened to the same person or place before?' }).getByLabel('Yes').check();
  await triageForm.getByRole('group', { name: 'Is it believed to be motivated by hate?' }).getByLabel('No').check();
  await triageForm.getByRole('button', { name: 'Save triage and set priority' }).click();
  assert.match(page.url(), /\?saved=1&from=#saved$/);
  assert.match(await page.locator('main').innerText(), /Priority P2\./);
  assert.doesNotMatch(await page.title(), /^Error: /, 'saved after an error: the Error prefix is gone');
  await expectAccessible(page, 'case page: triaged');

  // Assign: to me.
  await page.locator('#assign').getByLabel('Officer').selectOption({ label: 'Tom Triage (me)' });
  await clickAndLoad(page, page.locator('#assign').getByRole('button', { name: 'Assign', exact: true }));
  assert.match(await page.locator('main').innerText(), /Owner: Tom Triage/);

  // Internal note.
  await expectFormError(page, '#note', 'Add note', /Enter the note/, 'note error');
  await page.getByLabel('Note (never shown to the reporter)').fill('Checked CCTV: the shelter is covered.');
  await clickAndLoad(page, page.getByRole('button', { name: 'Add note' }));
  assert.match(await page.locator('main').innerText(), /Checked CCTV: the shelter is covered\./);

  // Reply: empty, then an unknown placeholder, then a real reply.
  await expectFormError(page, '#reply', 'Send reply', /Enter the reply or choose a template/, 'reply error: empty');
  await page.getByLabel('Reply', { exact: true }).fill('Hello {{nobody}}');
  await expectFormError(page, '#reply', 'Send reply', /unknown placeholders: \{\{nobody\}\}/, 'reply error: placeholder');
  assert.equal(await page.getByLabel('Reply', { exact: true }).inputValue(), 'Hello {{nobody}}', 'the typed reply is kept');
  await page.getByLabel('Reply', { exact: true }).fill('Dear {{reporterName}}, the council cleaning team will remove the graffiti on {{ref}} this week.');
  await clickAndLoad(page, page.getByRole('button', { name: 'Send reply' }));
  const replyText = `Dear Robin Resident, the council cleaning team will remove the graffiti on ${ref} this week.`;
  assert.match(await page.locator('main').innerText(), new RegExp(replyText.replace(/[.]/g, '\\.')));

  // Tags, link and duplicate errors.
  await expectFormError(page, '#tags', 'Save tags', /No tags changed/, 'tags error');
  await page.getByLabel('Add tags (separate with commas)').fill('graffiti, bus shelter');
  await page.getByRole('button', { name: 'Save tags' }).click();
  assert.ok(await page.getByLabel('bus-shelter').isVisible());
  await page.getByLabel('Link with case references (separate with spaces)').fill('HM-NOPE-NOPE');
  await expectFormError(page, '#link', 'Link into one incident', /./, 'link error');
  await page.getByLabel('Mark as a true duplicate of case reference').fill('HM-NOPE-NOPE');
  await expectFormError(page, '#duplicate', 'Mark as duplicate', /./, 'duplicate error');

  // Status: nothing chosen, resolve without an outcome, then resolve.
  await expectFormError(page, '#status-form', 'Change status', /./, 'status error: nothing chosen');
  await page.locator('#status-form').getByLabel('Move to').selectOption({ label: 'Resolved' });
  await expectFormError(page, '#status-form', 'Change status', /Choose a resolution code/, 'status error: no outcome');
  await page.locator('#status-form').getByLabel('Move to').selectOption({ label: 'Resolved' });
  await page.locator('#status-form').getByLabel('Resolution (to resolve or close)').selectOption({ label: 'Action taken' });
  await clickAndLoad(page, page.locator('#status-form').getByRole('button', { name: 'Change status', exact: true }));
  assert.match(await page.locator('main').innerText(), /Outcome: Action taken\./);
  await expectAccessible(page, 'case page: resolved');

  // The e-mail reaches the SMTP server with the reporter's private tracking link.
  const mail = await smtp.waitFor((m) => sentTo(m, email) && /Update on your report/.test(m.subject ?? ''));
  assert.match(mail.text ?? '', new RegExp(replyText.replace(/[.]/g, '\\.')));
  const link = new RegExp(`See all updates and reply \\(your private link\\): (${server.url}/track/link\\?ref=${ref}&key=[^\\s]+)\n`).exec(mail.text ?? '')?.[1];
  assert.ok(link, 'the e-mail carries the private link, not the bare /track page');

  // The private link opens the case with the reply; the reference and e-mail do too.
  const resident = await (await newContext(browser, server.url, false)).newPage();
  await resident.goto(link);
  assert.match(resident.url(), /\/track\/case$/);
  assert.ok((await resident.locator('main').innerText()).includes(replyText), 'the private link shows the reply');
  await resident.goto(`${server.url}/track`);
  await resident.getByLabel('Reference number').fill(ref);
  await resident.getByLabel('Email address you gave us').fill(email);
  await resident.getByRole('button', { name: 'Check progress' }).click();
  assert.match(resident.url(), /\/track\/case$/);
  assert.ok((await resident.locator('main').innerText()).includes(replyText));
  assert.doesNotMatch(await resident.locator('main').innerText(), /Checked CCTV/, 'internal notes stay internal');
  await expectAccessible(resident, 'resident tracking page with the reply');
  await resident.context().close();
  await page.close();
});
