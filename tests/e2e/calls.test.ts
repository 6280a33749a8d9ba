/**
 * Hotline call logging in real Chromium: a keyboard-only new-report call from an empty screen to a saved
 * phone case in the triage queue, axe on every state of the call screen, the no-JS form keeping typed values,
 * calls without a case in the log, figures and CSV, and the advice search.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expectAccessible, launchBrowser, newContext } from '../helpers/browser.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { signInAs } from '../integration/staff-sign-in.ts';
import type { Visitor } from '../helpers/http.ts';

let server: TestServer;
let smtp: TestSmtp;
let browser: Browser;
let handler: Visitor;

before(async () => {
  smtp = await startSmtp();
  const adviceDir = join(process.env.TMPDIR ?? '/tmp', `saferline-advice-${process.pid}`);
  mkdirSync(adviceDir, { recursive: true });
  writeFileSync(join(adviceDir, 'noisy-neighbours.md'), '---\ntitle: Noisy neighbours\nsummary: What to do about loud music and parties\norder: 1\n---\nKeep a noise diary.\n');
  writeFileSync(join(adviceDir, 'fly-tipping.md'), '---\ntitle: Fly-tipping\nsummary: Rubbish dumped in the street\norder: 2\n---\nNote any vehicle registration.\n');
  server = await startServer({ SMTP_URL: smtp.url, ADVICE_DIR: adviceDir });
  browser = await launchBrowser();
  handler = await signInAs(server.url, 'calls@hollowmere.example');
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.close();
});

/** A browser context carrying the handler's session cookie. */
async function handlerContext(javaScriptEnabled = true): Promise<BrowserContext> {
  const context = await newContext(browser, server.url, javaScriptEnabled);
  await context.addCookies([...handler.cookies].map(([name, value]) => ({ name, value, url: server.url })));
  return context;
}

async function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLInputElement | null;
    return el ? `${el.name || el.id}${el.type === 'radio' ? `=${el.value}` : ''}` : '';
  });
}

async function expectFocus(page: Page, name: string) {
  assert.equal(await focused(page), name);
}

test('keyboard only: a new-report call goes from an empty screen to a saved phone case in the triage queue', { timeout: 240_000 }, async () => {
  const context = await handlerContext();
  const page = await context.newPage();
  const k = page.keyboard;
  await page.goto('/staff/calls/new');
  await expectFocus(page, 'lookup');
  await expectAccessible(page, 'empty call screen');

  await k.type('01234 567890');
  await Promise.all([page.waitForURL(/lookup=/), k.press('Enter')]);
  await expectFocus(page, 'callerName');
  assert.match(await page.locator('#history-title').innerText(), /01234 567890/);
  await expectAccessible(page, 'call screen after look-up');
  assert.equal(await page.inputValue('#callerPhone'), '01234 567890');

  await k.type('Sam Caller');
  await k.press('Tab');
  await expectFocus(page, 'callerPhone');
  await k.press('Tab');
  await k.type('sam.caller@example.com');
  await k.press('Tab');
  await expectFocus(page, 'reason=new-report');
  await k.press('Space');
  await k.press('Tab');
  await expectFocus(page, 'danger=yes');
  await k.press('ArrowRight');
  await expectFocus(page, 'danger=no');
  await k.press('Tab');
  await expectFocus(page, 'category');
  await k.type('Noise');
  assert.equal(await page.inputValue('#category'), 'noise');
  await k.press('Tab');
  await k.type('Loud music every night from the flat above until 3am.');
  await k.press('Tab');
  await expectFocus(page, 'whenKind=date');
  await k.press('ArrowRight');
  await k.press('ArrowRight');
  await expectFocus(page, 'whenKind=ongoing');
  await k.press('Tab');
  await expectFocus(page, 'whenText');
  await k.type('Every night this month');
  await k.press('Tab');
  await expectFocus(page, 'postcode');
  await k.press('Tab');
  await k.type('Flat 2, 14 Mill Lane');
  await k.press('Tab');
  await expectFocus(page, 'ward');
  await k.type('Mill');
  await k.press('Tab');
  await expectFocus(page, 'people');
  await k.press('Tab');
  await expectFocus(page, 'affected');
  await k.type('Me');
  await k.press('Tab');
  await expectFocus(page, 'before=yes');
  await k.press('Space');
  await k.press('Tab');
  await expectFocus(page, 'privacy=named');
  await k.press('Space');
  await k.press('Tab');
  // The same question, in the same order, as the web journey's contact page: email, phone, either.
  await expectFocus(page, 'preferredContact=email');
  await k.press('ArrowRight');
  await expectFocus(page, 'preferredContact=phone');
  await k.press('Tab');
  await expectFocus(page, 'outcome-new-report=case-created');
  await k.press('Space');
  await expectAccessible(page, 'new report filled in');
  await k.press('Tab');
  await expectFocus(page, 'duration');
  await Promise.all([page.waitForURL(/saved=/), k.press('Enter')]);

  const banner = await page.locator('.notification-banner').innerText();
  const ref = /Case (HM-[0-9A-Z]{4}-[0-9A-Z]{4}) created/.exec(banner)?.[1];
  assert.ok(ref, banner);
  assert.match(banner, /acknowledgement email/);
  await expectFocus(page, 'lookup');
  assert.equal(await page.inputValue('#callerName'), '');
  await expectAccessible(page, 'call screen after saving');

  const mail = await smtp.waitFor((m) => (m.to as { text: string }).text.includes('sam.caller@example.com'));
  assert.match(mail.text ?? '', new RegExp(ref));

  const triage = await signInAs(server.url, 'triage@hollowmere.example');
  const queue = await (await triage.get('/staff/queue?channel=phone')).text();
  assert.ok(queue.includes(ref), 'the new case is in the triage queue, filtered to channel phone');
  const web = await (await triage.get('/staff/queue?channel=web')).text();
  assert.ok(!web.includes(ref), 'and not under channel web');
  await context.close();
});

test('every reason section and the error state are accessible; a failed save keeps everything typed', { timeout: 240_000 }, async () => {
  const context = await handlerContext();
  const page = await context.newPage();
  await page.goto('/staff/calls/new');
  for (const reason of ['new-report', 'case-info', 'info-request', 'feedback', 'signposted', 'silent']) {
    await page.check(`input[name="reason"][value="${reason}"]`);
    assert.equal(await page.locator(`section[data-show-if="reason=${reason}"]`).isVisible(), true);
    await expectAccessible(page, `reason ${reason}`);
  }
  await page.check('input[name="reason"][value="new-report"]');
  await page.fill('#callerName', 'Kept Name');
  await page.fill('#callerEmail', 'not an email');
  await page.fill('#description', 'Kept description of the problem.');
  await page.focus('#duration');
  await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
  await page.waitForSelector('.error-summary');
  await expectAccessible(page, 'call screen with errors');
  assert.equal(await page.inputValue('#callerName'), 'Kept Name');
  assert.equal(await page.inputValue('#callerEmail'), 'not an email');
  assert.equal(await page.inputValue('#description'), 'Kept description of the problem.');
  assert.equal(await page.isChecked('input[name="reason"][value="new-report"]'), true);
  await context.close();
});

test('without JavaScript the whole form shows, a bad save is a 400 with every value kept, and advice can be searched', { timeout: 240_000 }, async () => {
  const context = await handlerContext(false);
  const page = await context.newPage();
  await page.goto('/staff/calls/new');
  assert.equal(await page.locator('section[data-show-if]').count(), 7, 'one section per call reason');
  assert.equal(await page.locator('section[data-show-if="reason=silent"]').isVisible(), true);
  await expectAccessible(page, 'call screen without JavaScript, every section showing');
  await page.check('input[name="reason"][value="info-request"]');
  await page.fill('#adviceQuery', 'loud music');
  await Promise.all([page.waitForURL('**/staff/calls/new'), page.click('button[value="search-advice"]')]);
  await page.waitForLoadState('load');
  assert.equal(await page.locator('input[name="advice"]').count(), 1);
  assert.equal(await page.inputValue('#adviceQuery'), 'loud music');
  assert.equal(await page.isChecked('input[name="reason"][value="info-request"]'), true);
  await expectAccessible(page, 'call screen without JavaScript, after an advice search');

  const res = await handler.post('/staff/calls/new', { reason: 'feedback', feedbackType: 'complaint', feedbackText: 'Nobody rang me back about <b>it</b>', callerName: 'Pat Typed', notes: 'typed note' });
  assert.equal(res.status, 400);
  const html = await res.text();
  assert.match(html, /There is a problem/);
  assert.match(html, /Select the outcome of the call/);
  assert.ok(html.includes('Nobody rang me back about &lt;b&gt;it&lt;/b&gt;'));
  assert.ok(html.includes('value="Pat Typed"'));
  assert.ok(html.includes('typed note'));
  await context.close();
});

test('each reason logs over plain HTTP; calls without a case reach the call log, the figures and the CSV', { timeout: 240_000 }, async () => {
  const token = () => Array.from({ length: 26 }, () => 'abcdefghijklmnopqrstuvwxyz234567'[Math.floor(Math.random() * 32)]).join('');
  const post = async (fields: Record<string, string | string[]>) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries({ token: token(), startedAt: String(Date.now() - 65_000), intent: 'save', ...fields })) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    const res = await handler.post('/staff/calls/new', body);
    assert.equal(res.status, 303, `${fields.reason}: ${res.status} ${res.status === 400 ? await res.text() : ''}`);
    const saved = await (await handler.get(res.headers.get('location')!)).text();
    return saved.slice(saved.indexOf('id="notification-banner-title"'), saved.indexOf('Log a call</h1>'));
  };
  const report = await post({ reason: 'new-report', 'outcome-new-report': 'case-created', danger: 'no', category: 'vandalism', description: 'Graffiti on the bus shelter again.', whenKind: 'approx', whenText: 'Last week', postcode: '', place: 'bus shelter', ward: 'northgate', affected: 'community', before: 'no', privacy: 'anonymous' });
  assert.match(report, /tracking code <strong>[0-9A-Z]{5}-[0-9A-Z]{5}<\/strong>/);
  const ref = /(HM-[0-9A-Z]{4}-[0-9A-Z]{4})/.exec(report)![1]!;
  const info = await post({ reason: 'case-info', 'outcome-case-info': 'information-added', caseRef: ref, information: 'They saw who did it.' });
  assert.match(info, new RegExp(`Call added to case ${ref}`));
  assert.match(await post({ reason: 'info-request', 'outcome-info-request': 'advice-given', advice: 'noisy-neighbours' }), /without a case/);
  assert.match(await post({ reason: 'feedback', 'outcome-feedback': 'feedback-logged', feedbackType: 'compliment', feedbackText: 'Thank you for sorting the lights.' }), /Case HM-.* created/);
  assert.match(await post({ reason: 'signposted', 'outcome-signposted': 'signposted-101' }), /Told to ring 101/);
  assert.match(await post({ reason: 'silent', 'outcome-silent': 'silent', duration: '0:12' }), /Silent call, 0:12 long/);

  const log = await (await handler.get('/staff/calls?linked=none')).text();
  assert.match(log, /Information request/);
  assert.match(log, /Silent or abandoned/);
  assert.match(log, /Signposted elsewhere/);
  assert.doesNotMatch(log, /<td>New report<\/td>/);
  const figures = await (await handler.get('/staff/calls/figures')).text();
  assert.match(figures, /Calls without a case<\/dt><dd class="summary-list__value">3</);
  assert.match(figures, /Silent call: 1/);
  assert.match(figures, /Cara Calls/);
  const csv = await (await handler.get('/staff/calls/export.csv?reason=info-request')).text();
  const lines = csv.trim().split('\r\n');
  assert.equal(lines.length, 2);
  assert.match(lines[1]!, /,info-request,.*,no,noisy-neighbours$/);

  const context = await handlerContext();
  const page = await context.newPage();
  await page.goto('/staff/calls');
  await expectAccessible(page, 'call log');
  await page.goto('/staff/calls/figures');
  await expectAccessible(page, 'call figures');
  await page.goto(`/staff/calls/new?lookup=${encodeURIComponent(ref)}`);
  assert.equal(await page.inputValue('#caseRef'), ref);
  await expectAccessible(page, 'look-up by reference');
  await context.close();
});
