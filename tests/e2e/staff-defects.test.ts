/**
 * Issue 10, defects staff met, in real Chromium with axe on every state: the call screen (call length, the timer
 * starting with the call, the 999 instruction alone, confirming a caller without revealing them, progress and the
 * last reply, look-up by name or street, and the audit of every look-up).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClient } from '@libsql/client';
import type { Page } from 'playwright-core';
import { expectAccessible } from '../helpers/browser.ts';
import { browser, server, useBrowserRig } from '../helpers/browser-rig.ts';
import { createWebReport, staffContext } from '../helpers/staff.ts';
import { signInAs } from '../integration/staff-sign-in.ts';
import { htmlProblems } from '../helpers/html.ts';

useBrowserRig();

/** The audit rows of one action, newest first, read from the server's database file. */
async function auditRows(action: string): Promise<Record<string, unknown>[]> {
  const db = createClient({ url: server.dbUrl, timeout: 15_000 });
  try {
    const rs = await db.execute({ sql: 'select data from audit_events where action = ? order by id desc', args: [action] });
    return rs.rows.map((r) => JSON.parse(String(r.data)) as Record<string, unknown>);
  } finally {
    db.close();
  }
}

async function summaryErrors(page: Page): Promise<string[]> {
  return page.locator('.error-summary__list li').allInnerTexts();
}

test('the call timer starts with the call, "90" is 90 seconds, over 4 hours is refused, and the page ends at </html>', { timeout: 90_000 }, async () => {
  const handler = await signInAs(server.url, 'calls@hollowmere.example');
  const raw = await (await handler.get('/staff/calls/new')).text();
  assert.match(raw, /<\/html>\s*$/, 'nothing after </html>');
  assert.deepEqual(await htmlProblems(raw, 'call screen'), []);

  const context = await staffContext(browser, server.url, 'calls@hollowmere.example');
  const page = await context.newPage();
  await page.goto('/staff/calls/new');
  assert.equal(await page.inputValue('#duration'), '', 'no time counts before the call starts');
  assert.match(await page.locator('#call-timer-status').innerText(), /starts when you press Call started/);
  await expectAccessible(page, 'call screen before the call starts');
  const opened = Number(await page.locator('input[name="openedAt"]').inputValue());
  await page.waitForTimeout(1500);
  await page.click('#call-start');
  const started = Number(await page.locator('#call-form input[name="startedAt"]').inputValue());
  assert.ok(started - opened >= 1500, `the call started when the handler said so, not when the screen opened (${started - opened} ms later)`);
  await page.waitForFunction(() => /^\d+:\d\d$/.test((document.getElementById('duration') as HTMLInputElement).value));
  assert.equal(await page.locator('#call-start').isVisible(), false);
  await expectAccessible(page, 'call screen with the timer running');

  await page.check('input[name="reason"][value="silent"]');
  await page.check('input[name="outcome-silent"][value="silent"]');
  // While the handler is in the field the timer leaves it alone, so a selection typed over is not replaced
  // under the cursor (that race once turned "5:00:00" into "0:055:00:00").
  await page.waitForFunction(() => (document.getElementById('duration') as HTMLInputElement).value !== '0:00');
  await page.focus('#duration');
  const held = await page.inputValue('#duration');
  await page.waitForTimeout(1200);
  assert.equal(await page.inputValue('#duration'), held, 'the timer does not change the field while it has focus');
  await page.fill('#duration', '5:00:00');
  await Promise.all([page.waitForLoadState('load'), page.click('#call-form button.button:not(.button--secondary)')]);
  await page.waitForSelector('.error-summary');
  assert.deepEqual(await summaryErrors(page), ['Call length must be 4 hours (4:00:00) or less']);
  await expectAccessible(page, 'call length over 4 hours');

  await page.fill('#duration', '90');
  await Promise.all([page.waitForURL(/saved=/), page.click('#call-form button.button:not(.button--secondary)')]);
  assert.match(await page.locator('.notification-banner').innerText(), /Silent call, 1:30 long/);
  await context.close();
});

test('"Is anyone in danger: yes" shows only the 999 instruction', { timeout: 60_000 }, async () => {
  const context = await staffContext(browser, server.url, 'calls@hollowmere.example');
  const page = await context.newPage();
  await page.goto('/staff/calls/new');
  await page.check('input[name="reason"][value="new-report"]');
  await page.check('input[name="danger"][value="yes"]');
  await page.fill('#callerEmail', 'not an email');
  await Promise.all([page.waitForLoadState('load'), page.click('#call-form button.button:not(.button--secondary)')]);
  await page.waitForSelector('.error-summary');
  const errors = await summaryErrors(page);
  assert.equal(errors.length, 1, errors.join(' | '));
  assert.match(errors[0]!, /ring 999 now/);
  await expectAccessible(page, 'call screen: someone in danger');
  await context.close();
});

test('a confidential reporter is confirmed, not revealed; the case shows its progress and last reply; every look-up is audited', { timeout: 90_000 }, async () => {
  const ref = await createWebReport(server.url, { email: 'quinn.quiet@example.org', name: 'Quinn Quiet', privacy: 'confidential', postcode: 'HW1 1AB' });
  const triage = await signInAs(server.url, 'triage@hollowmere.example');
  const replied = await triage.post(`/staff/cases/${ref}`, { intent: 'reply', replyBody: 'We have spoken to the landlord and will update you next week.' });
  assert.equal(replied.status, 303);

  const context = await staffContext(browser, server.url, 'calls@hollowmere.example');
  const page = await context.newPage();
  await page.goto(`/staff/calls/new?lookup=${encodeURIComponent(ref)}`);
  const html = await page.content();
  assert.doesNotMatch(html, /Quinn|quinn\.quiet/, 'the reporter’s name and e-mail are not on the screen');
  assert.equal(await page.inputValue('#callerName'), '');
  assert.equal(await page.inputValue('#callerEmail'), '');
  const row = page.locator('.call-history tbody tr', { hasText: ref });
  assert.match(await row.innerText(), /\tNew\t/, 'the status');
  assert.match(await row.innerText(), /spoken to the landlord/);
  await expectAccessible(page, 'look-up by reference: progress and last reply');

  await page.fill('#callerName', 'quinn quiet');
  await page.fill('#callerEmail', 'someone.else@example.org');
  await Promise.all([page.waitForLoadState('load'), page.click('button[value="confirm-caller"]')]);
  const confirm = await page.locator('.call-confirm').innerText();
  assert.match(confirm, /Name: matches/);
  assert.match(confirm, /Email address: does not match/);
  assert.doesNotMatch(await page.content(), /quinn\.quiet/);
  await expectAccessible(page, 'caller details checked against the case');

  const handler = await signInAs(server.url, 'calls@hollowmere.example');
  assert.deepEqual(await htmlProblems(await (await handler.get(`/staff/calls/new?lookup=${ref}`)).text(), 'look-up by reference'), []);
  const checked = await handler.post('/staff/calls/new', { intent: 'confirm-caller', lookup: ref, callerName: 'Quinn Quiet' });
  assert.equal(checked.status, 200);
  assert.deepEqual(await htmlProblems(await checked.text(), 'caller checked'), []);

  const lookups = await auditRows('caller.lookup');
  assert.ok(lookups.some((d) => d.searched === ref && JSON.stringify(d.refs) === JSON.stringify([ref])), JSON.stringify(lookups));
  const confirms = await auditRows('caller.confirm');
  assert.equal(confirms[0]?.searched, ref);
  assert.equal(confirms[0]?.name, 'matches');

  await page.goto(`/staff/calls/new?lookup=${encodeURIComponent('Quinn Quiet')}`);
  assert.match(await page.locator('#history-title').innerText(), /matching “quinn quiet”/);
  assert.ok(await page.locator('.call-history tbody tr', { hasText: ref }).count());
  await expectAccessible(page, 'look-up by name');
  await page.goto(`/staff/calls/new?lookup=${encodeURIComponent('mill lane')}`);
  assert.ok(await page.locator('.call-history tbody tr', { hasText: ref }).count(), 'found by the street');
  const byStreet = (await auditRows('caller.lookup'))[0]!;
  assert.equal(byStreet.searched, 'mill lane');
  assert.ok((byStreet.refs as string[]).includes(ref));
  await context.close();
});

test('the owner lists offer only people who can work the case, and the server refuses anyone else', { timeout: 90_000 }, async () => {
  const ref = await createWebReport(server.url, { email: 'owen.owner@example.org', postcode: 'HW2 1AB' });
  const context = await staffContext(browser, server.url, 'triage@hollowmere.example');
  const page = await context.newPage();
  await page.goto(`/staff/cases/${ref}`);
  const offered = await page.locator('#ownerId option').allInnerTexts();
  assert.ok(offered.some((o) => /Tom Triage/.test(o)) && offered.some((o) => /Ada Administrator/.test(o)), offered.join(', '));
  for (const name of ['Eddie Editor', 'Cara Calls', 'Priya Partner', 'Dev District']) assert.ok(!offered.includes(name), `${name} is not offered for an Eastmere case`);
  await expectAccessible(page, 'case page with the owner list');
  await page.goto('/staff/queue');
  const bulk = await page.locator('#bulkOwner option').allInnerTexts();
  for (const name of ['Eddie Editor', 'Cara Calls', 'Priya Partner']) assert.ok(!bulk.includes(name), `${name} is not offered in bulk`);
  await context.close();

  const triage = await signInAs(server.url, 'triage@hollowmere.example');
  const admin = await signInAs(server.url, 'admin@hollowmere.example');
  const users = await (await admin.get('/staff/admin/users')).text();
  const editorId = /href="\/staff\/admin\/users\/([0-9a-z]+)"[^>]*>Eddie Editor/.exec(users)?.[1];
  assert.ok(editorId, 'the editor’s id from the user list');
  const refused = await triage.post(`/staff/cases/${ref}`, { intent: 'assign', ownerId: editorId });
  assert.equal(refused.status, 400);
  assert.match(await refused.text(), /Choose an officer who can work this case/);
});

test('information added on /track to a case nobody owns says the triage team will see it', { timeout: 60_000 }, async () => {
  const ref = await createWebReport(server.url, { email: 'una.owned@example.org' });
  const context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();
  await page.goto('/track');
  await page.fill('#ref', ref);
  await page.fill('#email', 'una.owned@example.org');
  await Promise.all([page.waitForURL(/\/track\/case/), page.click('main button.button')]);
  await page.fill('#information', 'It happened again last night.');
  await Promise.all([page.waitForURL(/added=1/), page.click('main form button.button')]);
  const banner = await page.locator('.notification-banner').innerText();
  assert.match(banner, /The triage team will see it in their queue/);
  assert.doesNotMatch(banner, /officer dealing with it/);
  await expectAccessible(page, 'track: information added to an unowned case');
  await context.close();
});
