/**
 * Area alerts in real Chromium with axe, without JavaScript: from a ward's page a resident subscribes (an error
 * first), confirms through the link e-mailed by a real SMTP server, receives the weekly digest (the job run at next
 * Monday 9am from this test process on the server's database, as a second process of the service would), and
 * unsubscribes in one click: the POST a mail client sends, then the page. Every page and state is checked with axe;
 * an editor sees the count.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { expectAccessible, launchBrowser, newContext } from '../helpers/browser.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { startSmtp, sentTo, type TestSmtp } from '../helpers/smtp.ts';
import { staffContext } from '../helpers/staff.ts';
import { closeDatabase, openDatabase } from '../../src/platform/db/client.ts';
import { loadSigningKey } from '../../src/platform/security/signing.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import { setLogLevel } from '../../src/platform/log.ts';
import { createMailTransport } from '../../src/platform/mail/transport.ts';
import { OutboxWorker } from '../../src/platform/mail/outbox.ts';
import { validateForm } from '../../src/platform/forms/index.ts';
import { londonTime } from '../../src/platform/time/london.ts';
import { actOnItem, createItem, KIND_SCHEMAS, type AchievementData } from '../../src/domains/publishing/index.ts';
import { digestWeekOf, sendAlertDigests } from '../../src/domains/alerts/index.ts';

let server: TestServer;
let smtp: TestSmtp;
let browser: Browser;
before(async () => {
  smtp = await startSmtp();
  server = await startServer({ SMTP_URL: smtp.url });
  browser = await launchBrowser();
  setLogLevel('silent');
  await openDatabase({ url: server.dbUrl, timeoutMs: 15_000 });
  await loadSigningKey();
});
after(async () => {
  await browser?.close();
  await closeDatabase();
  await server?.stop();
  await smtp?.close();
});

test('subscribe from a ward page, confirm by e-mail, receive the digest, unsubscribe in one click: accessible throughout', async () => {
  const context = await newContext(browser, server.url, false);
  const page = await context.newPage();
  await page.goto('/areas/mill-lane');
  await page.getByRole('link', { name: 'Get a weekly e-mail about Mill Lane' }).click();
  await expectAccessible(page, 'subscribe form');
  await page.getByRole('button', { name: 'Get e-mail alerts' }).click();
  await page.getByText('Enter your e-mail address').first().waitFor();
  await expectAccessible(page, 'subscribe form: error');
  await page.getByLabel('E-mail address').fill('resident@example.org');
  await page.getByRole('button', { name: 'Get e-mail alerts' }).click();
  await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
  await expectAccessible(page, 'check your e-mail');

  const confirmation = await smtp.waitFor((m) => sentTo(m, 'resident@example.org') && /Confirm your e-mail alerts for Mill Lane/.test(m.subject ?? ''));
  const confirmUrl = /(http\S+\/alerts\/confirm\?token=\S+)/.exec(confirmation.text ?? '')![1]!;
  await page.goto(confirmUrl);
  await expectAccessible(page, 'confirm: button');
  await page.getByRole('button', { name: 'Confirm e-mail alerts' }).click();
  await page.getByRole('heading', { name: 'E-mail alerts confirmed' }).waitFor();
  await expectAccessible(page, 'confirm: done');
  await page.goto('/alerts/confirm?token=expired');
  await expectAccessible(page, 'confirm: link does not work');

  const editor = await staffContext(browser, server.url, 'editor@hollowmere.example', false);
  const counts = await editor.newPage();
  await counts.goto('/staff/publishing/alerts');
  assert.equal((await counts.locator('tr[data-area="mill-lane"] td').last().textContent())?.trim(), '1');
  await expectAccessible(counts, 'editor: subscribers per area');
  await editor.close();

  // News published after confirming; the digest job runs next Monday at 9am and its e-mail is sent then.
  const form = validateForm(KIND_SCHEMAS.achievement, { title: 'Mill Lane underpass reopened', summary: 'New lights and murals.', body: 'The underpass reopened.', theme: 'asb', date: '1/3/2026', areas: ['mill-lane'] });
  assert.ok(form.ok);
  const editorActor = { id: 'e2e-editor', name: 'E2E Editor', districtId: null, bindsDistrict: false };
  const item = await createItem(editorActor, 'achievement', form.data as AchievementData, Date.now() + 60_000);
  assert.ok(item.ok && (await actOnItem(editorActor, item.id, 'publish', Date.now() + 60_000)).ok);
  const [y, m, d] = digestWeekOf(Date.now()).split('-').map(Number) as [number, number, number];
  const nextMonday = londonTime(y, m, d + 7, 9);
  const config = loadSiteConfig('content');
  assert.equal(await sendAlertDigests({ areas: config.areas, links: { baseUrl: server.url, partnership: config.partnership.name } }, nextMonday), 1);
  const worker = new OutboxWorker({ transport: createMailTransport({ smtpUrl: smtp.url, mailDir: 'tmp/mail-unused' }), from: 'Saferline <no-reply@saferline.invalid>', intervalMs: 60_000 });
  await worker.runOnce(nextMonday);
  await worker.stop();
  const digest = await smtp.waitFor((mail) => sentTo(mail, 'resident@example.org') && /This week in Mill Lane/.test(mail.subject ?? ''));
  assert.match(digest.text ?? '', /Mill Lane underpass reopened/);
  const unsubscribeUrl = /<([^>]+)>/.exec(digest.headerLines.find((h) => h.key === 'list-unsubscribe')!.line)![1]!;
  assert.match(digest.headerLines.find((h) => h.key === 'list-unsubscribe-post')!.line, /List-Unsubscribe=One-Click/);

  await page.goto(unsubscribeUrl);
  await expectAccessible(page, 'unsubscribe: button');
  const oneClick = await fetch(unsubscribeUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
  assert.equal(oneClick.status, 200, 'the mail client\'s one-click POST unsubscribes at once');
  await page.getByRole('button', { name: 'Unsubscribe' }).click();
  await page.getByRole('heading', { name: 'You have unsubscribed' }).waitFor();
  await expectAccessible(page, 'unsubscribe: done');
  await page.goto(unsubscribeUrl);
  await page.getByRole('heading', { name: 'You are not subscribed' }).waitFor();
  await expectAccessible(page, 'unsubscribe: not subscribed');
  await page.goto('/alerts/unsubscribe?token=expired');
  await expectAccessible(page, 'unsubscribe: link does not work');
  await context.close();
});
