/**
 * Consultations in real Chromium with axe: an editor builds a survey with every question type and a conditional
 * question and previews it; a resident responds with JavaScript off, saves, leaves and resumes from the link
 * e-mailed through a real SMTP server; a staff member keys in a paper response; the editor closes the
 * consultation, tags a theme and publishes the results; the public sees charts, tables and the "we did" links;
 * a meeting fills and its waiting list shows. Every page and state is checked with axe.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { expectAccessible, newContext } from '../helpers/browser.ts';
import { browser, server, smtp, useBrowserRig } from '../helpers/browser-rig.ts';
import { sentTo } from '../helpers/smtp.ts';
import { Visitor } from '../helpers/http.ts';
import { openConsultation } from '../integration/consultation-setup.ts';
import { signInAs } from '../integration/staff-sign-in.ts';
import { staffContext } from '../helpers/staff.ts';

useBrowserRig({ withSmtp: true });

/** A date typed into a date question's parts, days from now. */
async function typeDate(page: Page, name: string, daysFromNow: number, time: string) {
  const d = new Date(Date.now() + daysFromNow * 86_400_000);
  await page.locator(`#${name}-day`).fill(String(d.getUTCDate()));
  await page.locator(`#${name}-month`).fill(String(d.getUTCMonth() + 1));
  await page.locator(`#${name}-year`).fill(String(d.getUTCFullYear()));
  await page.locator(`#${name}-time`).fill(time);
}

/** Add one question with the builder's form. */
async function addQuestion(page: Page, q: { type: string; label: string; section: number; options?: string[]; required?: boolean; showWhen?: string }) {
  const form = page.locator('form:has(input[name="intent"][value="add"])');
  await form.getByLabel('Type of question').selectOption({ label: q.type });
  await form.getByLabel('Question', { exact: true }).fill(q.label);
  await form.locator(`input[name="required"][value="${q.required === false ? 'no' : 'yes'}"]`).check();
  await form.getByLabel('Section (page) number').fill(String(q.section));
  await form.getByLabel('Options, one per line').fill((q.options ?? []).join('\n'));
  if (q.showWhen) await form.getByLabel('Show it only when an earlier answer is (optional)').selectOption({ label: q.showWhen });
  await form.getByRole('button', { name: 'Add the question' }).click();
  await page.getByText('Saved.').first().waitFor();
}

test('build, respond without JavaScript with save and resume, key in, tag, publish: accessible throughout', async () => {
  const editorContext = await staffContext(browser, server.url, 'editor@hollowmere.example');
  const e = await editorContext.newPage();
  await e.goto('/staff/consultations');
  await expectAccessible(e, 'staff consultations');
  await e.getByRole('button', { name: 'Create the draft' }).click();
  await e.getByText('Enter a title').first().waitFor();
  await expectAccessible(e, 'new consultation: refused');
  await e.getByLabel('Title').fill('Lighting in Brackenford parks');
  await e.getByLabel('Summary').fill('How safe do the parks feel, and where would more lighting help?');
  await e.getByLabel('Topic').selectOption({ label: 'Feeling safe' });
  await typeDate(e, 'opens', -1, '9am');
  await typeDate(e, 'closes', 20, '5pm');
  await e.getByRole('button', { name: 'Create the draft' }).click();
  await e.getByText('Add a question').first().waitFor();

  await addQuestion(e, { type: 'Single choice', label: 'Do you visit the parks after dark?', section: 1, options: ['Yes', 'No'] });
  await addQuestion(e, { type: 'Ward', label: 'Which ward is the park in?', section: 1, required: false });
  await addQuestion(e, { type: 'Free text, with a limit', label: 'What worries you after dark?', section: 2, required: false, showWhen: 'q1 "Do you visit the parks after dark?" is Yes' });
  await addQuestion(e, { type: 'Multiple choice', label: 'What would help?', section: 2, options: ['Lighting', 'Patrols', 'CCTV'] });
  await addQuestion(e, { type: 'Rating scale', label: 'How well kept are the parks?', section: 2 });
  await addQuestion(e, { type: 'Number', label: 'How many visits a month?', section: 3, required: false });
  await addQuestion(e, { type: 'Date', label: 'When did you last visit?', section: 3, required: false });
  await addQuestion(e, { type: 'Ranking', label: 'Rank these improvements', section: 3, options: ['Lighting', 'Benches', 'Paths'], required: false });
  await addQuestion(e, { type: 'How safe do you feel (in daylight and after dark, by ward)', label: 'How safe do you feel in the parks', section: 3 });
  // Change one question and move another: a link and POST buttons, no JavaScript needed.
  await e.getByRole('link', { name: 'Change q7' }).click();
  await e.getByText('Change question q7').waitFor();
  await expectAccessible(e, 'builder: changing a question');
  await e.locator('form:has(input[name="intent"][value="edit"])').getByLabel('Question', { exact: true }).fill('When did you last visit a park?');
  await e.getByRole('button', { name: 'Save the question' }).click();
  await e.waitForURL(/saved=changed/);
  await e.getByRole('button', { name: 'Move up q2' }).click();
  await e.waitForURL(/saved=moved/);
  assert.deepEqual(await e.locator('tr[data-question]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-question'))), ['q2', 'q1', 'q3', 'q4', 'q5', 'q6', 'q7', 'q8', 'q9']);
  assert.equal(await e.locator('tr[data-question="q7"] th').textContent(), 'When did you last visit a park?');
  await expectAccessible(e, 'editor page with every question type');
  await e.locator('form:has(input[name="intent"][value="add"])').getByRole('button', { name: 'Add the question' }).click();
  await e.getByText('Select the type of question').first().waitFor();
  await expectAccessible(e, 'builder: refused');
  const consultationUrl = e.url().split(/[?#]/)[0]!;
  await e.getByRole('link', { name: 'Preview the survey' }).click();
  await e.getByText('Only when q1 is Yes').first().waitFor();
  await expectAccessible(e, 'preview');
  await e.goto(consultationUrl);
  await e.getByRole('button', { name: 'Publish' }).click();
  await e.getByText('Open', { exact: true }).first().waitFor();

  // A resident, JavaScript off.
  const residentContext = await newContext(browser, server.url, false);
  const r = await residentContext.newPage();
  await r.goto('/consultations');
  await expectAccessible(r, 'finder');
  await r.getByRole('link', { name: 'Lighting in Brackenford parks' }).click();
  await expectAccessible(r, 'consultation page: open');
  await r.getByRole('link', { name: 'Respond to this consultation' }).click();
  await expectAccessible(r, 'section 1');
  await r.getByRole('button', { name: 'Continue' }).click();
  await r.getByText('Select an answer to: Do you visit the parks after dark?').first().waitFor();
  await expectAccessible(r, 'section 1: refused');
  await r.getByLabel('Yes').check();
  await r.getByLabel('Which ward is the park in?').selectOption({ label: 'Mill Lane' });
  await r.getByRole('button', { name: 'Continue' }).click();
  await r.getByLabel('What worries you after dark?').fill('Dark paths by the pond');
  await r.getByLabel('Lighting').check();
  await r.getByLabel('2', { exact: true }).check();
  await expectAccessible(r, 'section 2 with the conditional question');
  await r.getByRole('button', { name: 'Save and come back later' }).click();
  await r.getByLabel('E-mail address').fill('resident.e2e@example.org');
  await r.getByRole('button', { name: 'Send me the link' }).click();
  await r.getByText('Your answers are saved').first().waitFor();
  await expectAccessible(r, 'saved');
  await residentContext.close();
  const mail = await smtp.waitFor((m) => sentTo(m, 'resident.e2e@example.org'));
  const link = /https?:\/\/\S+\/resume\?token=\S+/.exec(mail.text ?? '')![0];

  const laterContext = await newContext(browser, server.url, false);
  const l = await laterContext.newPage();
  await l.goto(link);
  await l.getByText('Section 3 of 3').first().waitFor();
  await l.getByLabel('How many visits a month?').fill('lots');
  await l.getByRole('button', { name: 'Continue' }).click();
  await l.getByText('Your answer must be a number').first().waitFor();
  await expectAccessible(l, 'section 3: refused');
  await l.getByLabel('How many visits a month?').fill('6');
  await l.getByLabel('Lighting').selectOption('1');
  await l.getByLabel('Benches').selectOption('3');
  await l.getByLabel('Paths').selectOption('2');
  await l.getByLabel('How safe do you feel in the parks: which ward do you live in or know best?').selectOption({ label: 'Mill Lane' });
  await l.locator('input[name="q9-day"][value="fairly-safe"]').check();
  await l.locator('input[name="q9-dark"][value="very-unsafe"]').check();
  await l.getByRole('button', { name: 'Continue' }).click();
  await l.getByText('Dark paths by the pond').first().waitFor();
  await expectAccessible(l, 'check answers');
  await l.getByLabel('25 to 44').check();
  await l.getByRole('button', { name: 'Send my response' }).click();
  await l.getByText('Response sent').first().waitFor();
  await expectAccessible(l, 'done');

  // A paper response keyed in by staff.
  await e.goto(`${consultationUrl}/respond`);
  await e.getByLabel('Paper form').check();
  await e.getByLabel('No', { exact: true }).first().check();
  await e.getByLabel('Patrols').check();
  await e.locator('input[name="q5"][value="4"]').check();
  await e.locator('select[name="q9-ward"]').selectOption({ label: 'Northgate' });
  await e.locator('input[name="q9-day"][value="very-safe"]').check();
  await e.locator('input[name="q9-dark"][value="fairly-safe"]').check();
  await expectAccessible(e, 'key in a response');
  await e.getByRole('button', { name: 'Save the response' }).click();
  await e.getByText('Response saved').first().waitFor();
  await expectAccessible(e, 'key in: saved');

  // Close, tag, publish.
  await e.goto(consultationUrl);
  await e.getByRole('button', { name: 'Close now' }).click();
  // Closing early asks first.
  await e.getByRole('button', { name: 'Yes, close it now' }).waitFor();
  await expectAccessible(e, 'close now: confirm');
  await e.getByRole('button', { name: 'Yes, close it now' }).click();
  await e.getByText('Closed', { exact: true }).first().waitFor();
  await e.goto(`${consultationUrl}/results`);
  await e.getByLabel('New theme').fill('Lighting');
  await e.getByRole('button', { name: 'Add the theme' }).click();
  await e.locator('form[data-answer]').getByLabel('Lighting').check();
  await e.locator('form[data-answer]').getByRole('button', { name: /Save themes/ }).click();
  await e.getByText('Saved.').first().waitFor();
  await expectAccessible(e, 'staff results with charts and themes');
  await e.getByRole('textbox', { name: 'You said' }).fill('The parks feel unsafe after dark, mostly for lack of lighting.');
  await e.getByRole('textbox', { name: 'We did' }).fill('New lights along the pond path.');
  await e.getByLabel('Links to what followed (optional)').fill('Pond path lighting | /initiatives/pond-path-lighting');
  await e.getByRole('button', { name: 'Publish the results' }).click();
  await e.getByText('Results published.').first().waitFor();

  const publicContext = await newContext(browser, server.url, false);
  const p = await publicContext.newPage();
  await p.goto('/consultations?state=results');
  await p.getByRole('link', { name: 'Lighting in Brackenford parks' }).click();
  await p.getByRole('heading', { name: 'We asked, you said, we did' }).waitFor();
  assert.ok(await p.getByRole('link', { name: 'Pond path lighting' }).count());
  assert.ok((await p.locator('svg[role="img"]').count()) >= 6, 'charts');
  assert.equal(await p.locator('svg[role="img"]').count(), await p.locator('table[data-chart-table]').count(), 'a table beside every chart');
  assert.equal(await p.locator('table[data-chart-table="channel"] tbody tr:has-text("Paper form") td').first().textContent(), '1');
  assert.equal(await p.locator('script').count(), 0, 'no script on public pages');
  await expectAccessible(p, 'public results');

  // A meeting: one place, then the waiting list.
  await e.goto(`${consultationUrl}/meetings`);
  await e.getByLabel('Meeting title').fill('Park safety walk');
  await typeDate(e, 'starts', 3, '6pm');
  await e.getByLabel('Length in minutes').fill('60');
  await e.getByLabel('Place', { exact: true }).fill('Brackenford Library, High Street');
  await e.getByLabel('Places', { exact: true }).fill('1');
  await e.getByRole('button', { name: 'Add the meeting' }).click();
  await e.getByText('1 places booked').or(e.getByText('0 of 1 places booked')).first().waitFor();
  await expectAccessible(e, 'staff meetings');
  await p.goto(e.url().replace(/\/staff\/consultations\/.*/, '') + (await e.locator('[data-meeting] a').first().getAttribute('href'))!);
  await expectAccessible(p, 'meeting page');
  await p.getByRole('button', { name: 'Book a place' }).click();
  await p.getByText('Enter your name').first().waitFor();
  await expectAccessible(p, 'meeting: refused');
  await p.getByLabel('Your name').fill('Ada');
  await p.getByLabel('E-mail address').fill('ada.e2e@example.org');
  await p.getByRole('button', { name: 'Book a place' }).click();
  await p.getByText('Your place is booked').first().waitFor();
  await expectAccessible(p, 'meeting: booked');
  await p.goto(p.url().split('?')[0]!);
  await p.getByText('Full: you can join the waiting list').first().waitFor();
  await expectAccessible(p, 'meeting: full');
});

test('a burst of registrations from one connection meets the 429 page, with its error summary, accessible', async () => {
  const editor = await signInAs(server.url, 'editor@hollowmere.example');
  const { id } = await openConsultation(editor, 'A popular meeting');
  const added = await editor.post(`/staff/consultations/${id}/meetings`, { intent: 'add', title: 'Popular meeting', 'starts-day': '1', 'starts-month': '1', 'starts-year': String(new Date().getUTCFullYear() + 1), 'starts-time': '6pm', minutes: '60', place: 'Town Hall', areaId: '', stepFree: 'yes', hearingLoop: 'yes', accessNotes: '', capacity: '100' });
  assert.equal(added.status, 303);
  const meetingId = /data-meeting="([^"]+)"/.exec(await (await editor.get(`/staff/consultations/${id}/meetings`)).text())![1]!;
  // Registrations made earlier in this file from this connection count too: post until the limit answers.
  const resident = new Visitor(server.url);
  let status = 303;
  for (let i = 0; i < 40 && status !== 429; i++) status = (await resident.post(`/meetings/${meetingId}`, { name: `Burst ${i}`, email: `burst${i}@example.org` })).status;
  assert.equal(status, 429, 'the registration limit is reached');
  const context = await newContext(browser, server.url, false);
  const page = await context.newPage();
  await page.goto(`/meetings/${meetingId}`);
  await page.fill('#name', 'One more');
  await page.fill('#email', 'one.more@example.org');
  const [answer] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('form[method="post"] button')]);
  assert.equal(answer.status(), 429);
  assert.match(await page.locator('.error-summary').innerText(), /meeting registrations have been made from your connection recently/);
  assert.equal(await page.inputValue('#name'), 'One more', 'what was typed is kept');
  await expectAccessible(page, 'meeting registration: too many from one connection (429)');
  await context.close();
});
