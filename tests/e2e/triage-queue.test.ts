/**
 * The triage queue in real Chromium: two reports linked into one incident, bulk assign, keyboard-only triage of
 * one case (no mouse), the Channel column with a phone case, the case page in each status, the CSV download.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClient, type Client } from '@libsql/client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expectAccessible, launchBrowser } from '../helpers/browser.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { createWebReport, staffContext } from '../helpers/staff.ts';

let server: TestServer;
let smtp: TestSmtp;
let browser: Browser;
let triage: BrowserContext;
let db: Client;
let n = 0;

before(async () => {
  smtp = await startSmtp();
  server = await startServer({ SMTP_URL: smtp.url });
  db = createClient({ url: server.dbUrl, timeout: 15_000 });
  browser = await launchBrowser();
  triage = await staffContext(browser, server.url, 'triage@hollowmere.example');
});
after(async () => {
  db?.close();
  await browser?.close();
  await server?.stop();
  await smtp?.close();
});

/** A fresh named web report from a new reporter. */
const report = (over: { category?: string; description?: string; privacy?: 'named' | 'anonymous' } = {}) =>
  createWebReport(server.url, { email: `resident${++n}@example.com`, name: `Resident ${n}`, ...over });

const mainText = (page: Page) => page.locator('main').innerText();

test('two reports linked into one incident; a true duplicate and undo', { timeout: 240_000 }, async () => {
  const a = await report();
  const b = await report({ description: 'Graffiti again on the shelter, same tag as before.' });
  const c = await report();
  const page = await triage.newPage();
  await page.goto(`/staff/cases/${a}`);
  await page.getByLabel('Link with case references (separate with spaces)').fill(b);
  await page.getByLabel('Incident title (optional)').fill('Mill Lane shelter graffiti');
  await page.getByRole('button', { name: 'Link into one incident' }).click();
  assert.match(page.url(), new RegExp(`/staff/cases/${a}\\?saved=1`));
  const section = page.getByRole('region', { name: 'Same incident, other reports' });
  assert.ok(await section.getByRole('link', { name: b }).isVisible(), 'a links to b');
  await expectAccessible(page, 'case page: in an incident');
  await section.getByRole('link', { name: b }).click();
  assert.ok(await page.getByRole('region', { name: 'Same incident, other reports' }).getByRole('link', { name: a }).isVisible(), 'b links back to a');
  // The queue can be filtered to the incident and the two are there.
  const incident = (await db.execute({ sql: 'SELECT incident_id FROM cases WHERE ref = ?', args: [a] })).rows[0]!.incident_id as string;
  assert.ok(incident);
  await page.goto(`/staff/queue?incident=${encodeURIComponent(incident)}`);
  assert.equal(await page.locator('[data-queue-row]').count(), 2);

  // Mark c as a true duplicate of a, then undo.
  await page.goto(`/staff/cases/${c}`);
  await page.getByLabel('Mark as a true duplicate of case reference').fill(a);
  await page.getByRole('button', { name: 'Mark as duplicate' }).click();
  assert.match(await mainText(page), /This case is marked as a duplicate\./);
  await expectAccessible(page, 'case page: duplicate');
  await page.getByRole('button', { name: 'Undo duplicate' }).click();
  assert.doesNotMatch(await mainText(page), /This case is marked as a duplicate\./);

  // Take a out of the incident.
  await page.goto(`/staff/cases/${a}`);
  await page.getByRole('button', { name: 'Take this case out of the incident' }).click();
  assert.equal(await page.getByRole('button', { name: 'Take this case out of the incident' }).count(), 0);
  await page.close();
});

test('bulk assign two cases from the queue; the Channel column shows a phone case', { timeout: 240_000 }, async () => {
  const d = await report();
  const e = await report();
  await db.execute({ sql: "UPDATE cases SET channel = 'phone' WHERE ref = ?", args: [e] });
  const page = await triage.newPage();
  await page.goto('/staff/queue');
  assert.ok(await page.getByRole('columnheader', { name: 'Channel' }).isVisible());
  const rowE = page.getByRole('row', { name: new RegExp(e) });
  assert.match(await rowE.innerText(), /\bPhone\b/);
  assert.match(await page.getByRole('row', { name: new RegExp(d) }).innerText(), /\bWeb\b/);
  await page.getByLabel(`Select ${d}`).check();
  await page.getByLabel(`Select ${e}`).check();
  await page.getByLabel('Action', { exact: true }).selectOption({ label: 'Assign' });
  await page.getByLabel('Assign to').selectOption({ label: 'Tom Triage' });
  await page.getByRole('button', { name: 'Apply to selected cases' }).click();
  assert.match(await page.locator('.notification-banner').innerText(), /Done for 2 cases\./);
  await expectAccessible(page, 'queue after bulk assign');
  for (const ref of [d, e]) assert.match(await page.getByRole('row', { name: new RegExp(ref) }).innerText(), /Tom Triage/);
  // Only phone cases with the channel filter.
  await page.goto('/staff/queue?channel=phone');
  assert.equal(await page.locator('[data-queue-row]').count(), 1);
  assert.ok(await page.getByRole('link', { name: e }).isVisible());
  await expectAccessible(page, 'queue filtered to phone');
  // Bulk action chosen but nothing selected.
  await page.getByLabel('Action', { exact: true }).selectOption({ label: 'Assign' });
  await page.getByRole('button', { name: 'Apply to selected cases' }).click();
  assert.match(await page.locator('.error-summary').innerText(), /Select at least one case/);
  await page.close();
});

test('keyboard only: open the newest case from the queue, triage, assign, note, reply and resolve it', { timeout: 240_000 }, async () => {
  const ref = await report({ description: 'Broken glass left at the play area every weekend.' });
  const page = await triage.newPage();
  const k = page.keyboard;
  const focused = () => page.evaluate(() => { const el = document.activeElement as HTMLInputElement | null; return el ? `${el.name || el.id}${el.type === 'radio' ? `=${el.value}` : ''}` : ''; });
  /** Press Enter on a submit button and wait for the page that answers (the URL may not change). */
  const submit = async () => {
    await Promise.all([page.waitForEvent('load'), k.press('Enter')]);
    assert.match(page.url(), /saved=1/);
  };
  await page.goto('/staff/queue');
  await k.press('j');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), ref, 'j focuses the newest case');
  await Promise.all([page.waitForURL(new RegExp(`/staff/cases/${ref}\\?from=$`)), k.press('Enter')]);

  await k.press('t');
  assert.equal(await focused(), 'risk=none');
  await k.press('Space');
  await k.press('Tab');
  assert.equal(await focused(), 'vulnerable=yes');
  await k.press('ArrowRight');
  await k.press('Tab');
  await k.press('Space');
  assert.equal(await focused(), 'repeat=yes');
  await k.press('Tab');
  await k.press('ArrowRight');
  assert.equal(await focused(), 'hate=no');
  await k.press('Tab');
  await submit();
  assert.match(await mainText(page), /Priority P2\./);

  await k.press('a');
  assert.equal(await focused(), 'ownerId');
  await k.type('Tom');
  assert.equal(await page.locator('#ownerId option:checked').innerText(), 'Tom Triage (me)', 'typing picks the officer');
  await k.press('Tab');
  await k.press('Tab');
  await submit();
  assert.match(await mainText(page), /Owner: Tom Triage/);

  await k.press('m');
  assert.equal(await focused(), 'noteBody');
  await k.type('Play area checked by the park warden.');
  await k.press('Tab');
  await submit();
  assert.match(await mainText(page), /Play area checked by the park warden\./);

  await k.press('r');
  assert.equal(await focused(), 'template');
  await k.press('Tab');
  assert.equal(await focused(), 'replyBody');
  await k.type('Thank you: the warden will clear it today.');
  await k.press('Tab');
  await submit();

  await k.press('s');
  assert.equal(await focused(), 'to');
  await k.type('Resolved');
  await k.press('Tab');
  assert.equal(await focused(), 'resolutionCode');
  await k.type('Action');
  await k.press('Tab');
  await k.press('Tab');
  await submit();
  assert.match(await mainText(page), /Outcome: Action taken\./);

  await Promise.all([page.waitForURL(/\/staff\/queue$/), k.press('q')]);
  await page.close();
});

test('the case page in each status, an anonymous report, and the CSV download', { timeout: 240_000 }, async () => {
  const ref = await report();
  const anon = await report({ privacy: 'anonymous' });
  const page = await triage.newPage();
  await page.goto(`/staff/cases/${anon}`);
  assert.match(await mainText(page), /The reporter chose to stay anonymous\./);
  assert.match(await page.locator('#reply').innerText(), /they see the reply only when they next check their report at \/track/, 'the reply form says an anonymous reporter gets no e-mail');
  await expectAccessible(page, 'case page: anonymous');

  await page.goto(`/staff/cases/${ref}`);
  // Many vandalism reports at the same postcode by now: the ASB Case Review banner shows, and passes axe below.
  assert.ok(await page.getByRole('region', { name: 'ASB Case Review threshold met' }).isVisible(), 'case review banner');
  const move = async (status: string, extra: { resolution?: string } = {}) => {
    await page.locator('#status-form').getByLabel('Move to').selectOption({ label: status });
    if (extra.resolution) await page.locator('#status-form').getByLabel('Resolution (to resolve or close)').selectOption({ label: extra.resolution });
    await page.locator('#status-form').getByRole('button', { name: 'Change status', exact: true }).click();
    assert.match(page.url(), /saved=1/, `moved to ${status}`);
    await expectStatus(status);
  };
  const expectStatus = async (status: string) => {
    assert.match(await page.locator('main .tag').first().innerText(), new RegExp(status, 'i'));
    await expectAccessible(page, `case page: ${status}`);
  };
  await move('Open');
  await move('Awaiting reporter');
  assert.match(await mainText(page), /Timers are paused while we wait for the reporter\./);
  await move('Open');
  // "Referred" comes only from a referral: the status form no longer offers it.
  assert.equal(await page.locator('#status-form').getByLabel('Move to').locator('option', { hasText: 'Referred' }).count(), 0);
  await page.getByRole('link', { name: 'Refer to a partner' }).click();
  await page.getByLabel('Agency').selectOption('fire');
  await page.getByRole('button', { name: 'Show what will be shared' }).click();
  await page.getByRole('button', { name: 'Refer to Hollowmere Fire and Rescue Service' }).click();
  await page.getByText('Referred to Hollowmere Fire and Rescue Service').first().waitFor();
  await page.goto(`/staff/cases/${ref}`);
  await expectStatus('Referred');
  await move('Resolved', { resolution: 'Advice given' });
  await move('Closed', { resolution: 'Advice given' });

  // The CSV download of the queue (a triage officer has pii.export, so reporter columns are included).
  const response = await page.request.get('/staff/queue/export.csv?status=all');
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-type'] ?? '', /text\/csv/);
  const csv = await response.text();
  assert.match(csv.split('\r\n')[0]!, /^reference,.*,channel,.*,reporter_name,reporter_email,reporter_phone$/);
  assert.ok(csv.includes(ref));
  await page.close();
});

test('without JavaScript (an administrator): saved views, shortcuts keys x and / and the triage form with a 400 then a 303', { timeout: 240_000 }, async () => {
  const ref = await report();
  const admin = await staffContext(browser, server.url, 'admin@hollowmere.example', false);
  const page = await admin.newPage();
  await page.goto('/staff/queue?category=vandalism&sort=received_asc');
  await page.getByLabel('Save these filters as').fill('Vandalism, oldest first');
  await page.getByRole('button', { name: 'Save view' }).click();
  const view = page.getByRole('link', { name: 'Vandalism, oldest first' });
  assert.ok(await view.isVisible());
  await expectAccessible(page, 'queue with a saved view (no JS)');
  await view.click();
  assert.match(page.url(), /category=vandalism/);
  assert.match(page.url(), /sort=received_asc/);
  await page.getByRole('button', { name: 'Delete view Vandalism, oldest first' }).click();
  // Deleting asks first (no JavaScript needed): the view is still there until confirmed.
  assert.ok(await page.getByRole('link', { name: 'Vandalism, oldest first' }).isVisible(), 'not deleted before confirming');
  await expectAccessible(page, 'queue asking to confirm deleting a view (no JS)');
  await page.getByRole('button', { name: 'Yes, delete “Vandalism, oldest first”' }).click();
  assert.equal(await page.getByRole('link', { name: 'Vandalism, oldest first' }).count(), 0);

  await page.goto(`/staff/cases/${ref}`);
  const refused = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.locator('#triage').getByRole('button').click()]);
  assert.equal(refused[0].status(), 400);
  assert.match(await page.locator('.error-summary').innerText(), /Answer: Is there a risk of harm\?/);
  await expectAccessible(page, 'triage error (no JS)');
  const form = page.locator('#triage');
  await form.getByRole('group', { name: 'Is there a risk of harm?' }).getByLabel('High risk: harm is likely soon or happening').check();
  for (const q of ['Is anyone involved vulnerable?', 'Has this happened to the same person or place before?', 'Is it believed to be motivated by hate?']) {
    await form.getByRole('group', { name: q }).getByLabel('No').check();
  }
  const saved = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), form.getByRole('button').click()]);
  assert.equal(saved[0].status(), 303);
  assert.match(await mainText(page), /Priority P1\./);
  await admin.close();

  // With JavaScript: x selects the focused case, / goes to the filters.
  const js = await triage.newPage();
  await js.goto('/staff/queue');
  await js.keyboard.press('j');
  await js.keyboard.press('x');
  assert.equal(await js.locator('[data-queue-row] input[type=checkbox]').first().isChecked(), true, 'x selects the focused case');
  await js.keyboard.press('/');
  assert.equal(await js.evaluate(() => document.activeElement?.getAttribute('name')), 'category', '/ goes to the first filter');
  await js.close();
});

test('"Save and next" from a queue view opens the next case of that view; at 320 px the queue scrolls only in its own region and "Saved" is in view', { timeout: 240_000 }, async () => {
  // Two reports of a category no other test here uses. This test once timed out in CI waiting for the next case: each
  // arrival recounts the repeat flags of earlier cases at the same place, and that recount bumped their version, so the
  // form on the open case answered 400 "changed by someone else" and the page never moved on. A recount no longer
  // bumps the version (src/domains/cases/actions.ts, updateFlagsStatement); the POST's status is checked first, so a
  // refusal fails at once with its status instead of a 60 s wait.
  const first = await report({ category: 'youth-nuisance', description: 'Bins set alight behind the shops again last night.' });
  const second = await report({ category: 'youth-nuisance', description: 'Another report waiting in the queue for triage.' });
  const view = '/staff/queue?status=new&category=youth-nuisance&sort=received_asc';
  const page = await triage.newPage();
  await page.setViewportSize({ width: 320, height: 640 });
  await page.goto(view);
  assert.ok(await page.evaluate(() => document.scrollingElement!.scrollWidth <= 320), 'the queue page does not scroll sideways at 320 px');
  const region = page.getByRole('region', { name: /^Cases/ });
  assert.ok(await region.evaluate((el) => el.scrollWidth > el.clientWidth && el.tabIndex === 0), 'the table scrolls in its own focusable region');
  await expectAccessible(page, 'queue at 320 px');
  await page.getByRole('link', { name: first, exact: true }).click();
  await page.locator('#assign').getByLabel('Officer').selectOption({ label: 'Next in the round-robin' });
  const [posted] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.locator('#assign').getByRole('button', { name: 'Save and next' }).click(),
  ]);
  assert.equal(posted.status(), 303, 'the save is accepted');
  await page.waitForURL(new RegExp(`/staff/cases/${second}\\?saved=1&`));
  const rows = await db.execute({ sql: 'SELECT ref, status, owner_id FROM cases WHERE ref IN (?, ?)', args: [first, second] });
  const byRef = Object.fromEntries(rows.rows.map((r) => [String(r.ref), r]));
  assert.ok(byRef[first]!.owner_id, 'the first case now has an owner');
  assert.equal(byRef[second]!.status, 'new', 'the next case is the next new one of the view');
  /** True when the "Saved" banner is wholly in the viewport. */
  const savedInView = () => page.locator('#saved').evaluate((el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; });
  assert.ok(await savedInView(), '"Saved" is in view after save and next');
  await expectAccessible(page, 'case page after save and next (320 px)');
  // A plain action lands on the same case with the confirmation in view (it used to jump to the timeline).
  await page.locator('#note').getByLabel('Note (never shown to the reporter)').fill('Spoke to the shop keepers.');
  await Promise.all([page.waitForURL(/saved=1/), page.locator('#note').getByRole('button', { name: 'Add note' }).click()]);
  assert.ok(await savedInView(), '"Saved" is in view after adding a note');
  await page.getByRole('link', { name: 'Back to the queue' }).click();
  assert.equal(new URL(page.url()).search, '?status=new&category=youth-nuisance&sort=received_asc', 'back to the same view');
  await page.close();
});
