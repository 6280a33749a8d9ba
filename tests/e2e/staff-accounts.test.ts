/**
 * Staff accounts in real Chromium: an administrator signs in with two-factor, invites a triage officer who
 * sets a password from the e-mailed link and sets up two-factor at first sign-in, then signs in with a code and
 * with a recovery code; a password reset through a real SMTP server on loopback; axe on every page and state.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { expectAccessible, newContext } from '../helpers/browser.ts';
import { browser, server, smtp, useBrowserRig } from '../helpers/browser-rig.ts';
import { DEMO_PASSWORD, DEMO_TOTP_KEY } from '../../src/domains/identity/demo-accounts.ts';
import { freshCode } from '../integration/staff-sign-in.ts';

useBrowserRig({ withSmtp: true });

async function checked(page: Page, label: string) {
  await expectAccessible(page, label);
}

async function signIn(page: Page, email: string, password: string) {
  if (!new URL(page.url()).pathname.startsWith('/staff/sign-in')) await page.goto('/staff/sign-in');
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

function linkIn(text: string | undefined, path: string): string {
  const m = new RegExp(`https?://\\S+(${path}/[a-z0-9.]+)`).exec(text ?? '');
  assert.ok(m, `link to ${path} in e-mail`);
  return m[1]!;
}

test('administrator with two-factor, invitation, set-up at first sign-in, code and recovery code; axe on each page', async () => {
  const admin = await (await newContext(browser, server.url)).newPage();
  await admin.goto('/staff/admin/users');
  assert.match(admin.url(), /\/staff\/sign-in\?next=%2Fstaff%2Fadmin%2Fusers$/);
  await checked(admin, 'sign-in');
  // Wrong password: error summary and inline message.
  await signIn(admin, 'admin@hollowmere.example', 'not the password at all');
  assert.match(await admin.title(), /^Error: /);
  await checked(admin, 'sign-in with error');
  await signIn(admin, 'admin@hollowmere.example', DEMO_PASSWORD);
  assert.match(admin.url(), /\/staff\/two-factor/);
  await checked(admin, 'two-factor verify');
  await admin.getByLabel('Code from your authenticator app').fill('000000');
  await admin.getByRole('button', { name: 'Continue' }).click();
  assert.match(await admin.title(), /^Error: /);
  await checked(admin, 'two-factor verify with error');
  await admin.getByLabel('Code from your authenticator app').fill(await freshCode(DEMO_TOTP_KEY, 'admin@hollowmere.example'));
  await admin.getByRole('button', { name: 'Continue' }).click();
  assert.match(admin.url(), /\/staff\/admin\/users$/);
  await checked(admin, 'users list');

  await admin.goto('/staff');
  await checked(admin, 'dashboard');
  await admin.goto('/staff/account');
  await checked(admin, 'account');
  await admin.goto('/staff/admin/audit');
  await checked(admin, 'audit log');
  assert.ok(await admin.getByRole('cell', { name: 'Signed in', exact: true }).first().isVisible());

  // Open311 API keys: issue one (first with mistakes), see it once, revoke it; axe on the states with most in them.
  await admin.goto('/staff/admin/api-keys');
  await admin.getByRole('link', { name: 'Issue a key' }).click();
  await admin.getByRole('button', { name: 'Issue the key' }).click();
  assert.match(await admin.title(), /^Error: /);
  await checked(admin, 'issue an API key with errors');
  await admin.getByLabel('Name', { exact: true }).fill('Council CRM');
  await admin.getByLabel('Create requests').check();
  await admin.getByLabel('Only the services I choose below').check();
  await admin.getByLabel('Noise nuisance').check();
  await admin.getByRole('button', { name: 'Issue the key' }).click();
  assert.match((await admin.locator('#api-key').textContent()) ?? '', /^[0-9a-z]{20}\.[0-9a-z]{32}$/);
  await checked(admin, 'API key issued');
  await admin.getByRole('link', { name: 'Back to API keys' }).click();
  await admin.getByRole('link', { name: 'Council CRM' }).click();
  await checked(admin, 'API key page');
  await admin.getByRole('button', { name: 'Revoke this key' }).click();
  await admin.getByRole('button', { name: 'Yes, revoke it' }).waitFor();
  await checked(admin, 'API key: confirm revoking');
  await admin.getByRole('button', { name: 'Yes, revoke it' }).click();
  await admin.waitForURL(/\/staff\/admin\/api-keys\?revoked=/);
  assert.match(admin.url(), /\/staff\/admin\/api-keys\?revoked=/);
  await checked(admin, 'API keys after revoking');
  await admin.getByRole('link', { name: 'Council CRM' }).click();
  assert.equal(await admin.getByRole('button', { name: 'Revoke this key' }).count(), 0);

  // Invite a triage officer; first with a mistake.
  await admin.goto('/staff/admin/users/invite');
  await checked(admin, 'invite');
  await admin.getByRole('button', { name: 'Send invitation' }).click();
  assert.match(await admin.title(), /^Error: /);
  await checked(admin, 'invite with errors');
  await admin.getByLabel('Full name').fill('Nia Newcomer');
  await admin.getByLabel('Work e-mail address').fill('nia.newcomer@hollowmere.example');
  await admin.getByLabel('Triage officer').check();
  await admin.getByRole('button', { name: 'Send invitation' }).click();
  assert.match(admin.url(), /\/staff\/admin\/users\?invited=/);
  await checked(admin, 'users list after invite');
  await admin.getByRole('link', { name: 'Nia Newcomer' }).click();
  await checked(admin, 'user page');
  const userPage = admin.url();
  await admin.goto(userPage + '/deactivate');
  await checked(admin, 'deactivate confirmation');

  const mail = await smtp.waitFor((m) => JSON.stringify(m.to).includes('nia.newcomer@hollowmere.example'));
  assert.match(mail.subject ?? '', /invited/);
  const invitePath = linkIn(mail.text, '/staff/accept-invite');

  const nia = await (await newContext(browser, server.url)).newPage();
  await nia.goto(invitePath);
  await checked(nia, 'accept invite');
  await nia.getByLabel('New password', { exact: true }).fill('short');
  await nia.getByLabel('Confirm new password').fill('short');
  await nia.getByRole('button', { name: 'Set password' }).click();
  assert.match(await nia.title(), /^Error: /);
  await checked(nia, 'accept invite with error');
  await nia.getByLabel('New password', { exact: true }).fill('velvet otter climbs ladders');
  await nia.getByLabel('Confirm new password').fill('velvet otter climbs ladders');
  await nia.getByRole('button', { name: 'Set password' }).click();
  assert.match(nia.url(), /\/staff\/sign-in\?invited=1$/);
  await checked(nia, 'sign-in after invite');

  // First sign-in: the role requires two-factor, so set-up comes first.
  await signIn(nia, 'nia.newcomer@hollowmere.example', 'velvet otter climbs ladders');
  assert.match(nia.url(), /\/staff\/two-factor/);
  assert.equal(await nia.getByRole('heading', { level: 1 }).textContent(), 'Set up two-factor authentication');
  await checked(nia, 'two-factor set-up');
  const key = (await nia.locator('#totp-key').textContent())!.trim();
  await nia.getByLabel('Code from your authenticator app').fill(await freshCode(key, 'nia'));
  await nia.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  assert.equal(await nia.getByRole('heading', { level: 1 }).textContent(), 'Save your recovery codes');
  await checked(nia, 'recovery codes');
  const codes = await nia.locator('.recovery-codes code').allTextContents();
  assert.equal(codes.length, 10);
  await nia.getByRole('link', { name: /I have saved my recovery codes/ }).click();
  assert.match(nia.url(), /\/staff$/);
  assert.ok(await nia.getByRole('link', { name: 'Triage queue' }).isVisible());
  assert.equal(await nia.getByRole('link', { name: 'Users' }).count(), 0, 'a triage officer sees no admin links');
  await nia.goto('/staff/admin/users');
  await checked(nia, 'forbidden');
  assert.equal(await nia.getByRole('heading', { level: 1 }).textContent(), 'You do not have permission to see this page');

  // Sign out, sign in again with a code.
  await nia.getByRole('button', { name: 'Sign out' }).first().click();
  assert.match(nia.url(), /signed-out=1/);
  await signIn(nia, 'nia.newcomer@hollowmere.example', 'velvet otter climbs ladders');
  await nia.getByLabel('Code from your authenticator app').fill(await freshCode(key, 'nia'));
  await nia.getByRole('button', { name: 'Continue' }).click();
  assert.match(nia.url(), /\/staff$/);

  // And with a recovery code instead.
  await nia.getByRole('button', { name: 'Sign out' }).first().click();
  await signIn(nia, 'nia.newcomer@hollowmere.example', 'velvet otter climbs ladders');
  await nia.getByRole('link', { name: 'I cannot use my authenticator app' }).click();
  await checked(nia, 'recovery code form');
  await nia.getByLabel('Recovery code').fill(codes[0]!);
  await nia.getByRole('button', { name: 'Continue' }).click();
  assert.match(nia.url(), /\/staff$/);
  // The same recovery code does not work twice.
  await nia.getByRole('button', { name: 'Sign out' }).first().click();
  await signIn(nia, 'nia.newcomer@hollowmere.example', 'velvet otter climbs ladders');
  await nia.goto('/staff/two-factor?recovery=1');
  await nia.getByLabel('Recovery code').fill(codes[0]!);
  await nia.getByRole('button', { name: 'Continue' }).click();
  assert.match(await nia.title(), /^Error: /);
  await checked(nia, 'recovery code with error');

  // The administrator sees the last sign-in in the list.
  await admin.goto('/staff/admin/users');
  const row = admin.getByRole('row', { name: /Nia Newcomer/ });
  assert.doesNotMatch((await row.textContent()) ?? '', /Never/);
});

test('password reset through a real SMTP server, in the browser', async () => {
  const page = await (await newContext(browser, server.url)).newPage();
  await page.goto('/staff/sign-in');
  await page.getByRole('link', { name: 'I have forgotten my password' }).click();
  await checked(page, 'forgot password');
  await page.getByRole('button', { name: 'Send the link' }).click();
  assert.match(await page.title(), /^Error: /);
  await checked(page, 'forgot password with error');
  await page.getByLabel('E-mail address').fill('calls@hollowmere.example');
  await page.getByRole('button', { name: 'Send the link' }).click();
  await checked(page, 'check your e-mail');
  const mail = await smtp.waitFor((m) => JSON.stringify(m.to).includes('calls@hollowmere.example') && /Reset/.test(m.subject ?? ''));
  const path = linkIn(mail.text, '/staff/reset-password');
  await page.goto(path);
  await checked(page, 'reset password');
  await page.getByLabel('New password', { exact: true }).fill('Password2026!');
  await page.getByLabel('Confirm new password').fill('Password2026!');
  await page.getByRole('button', { name: 'Change password' }).click();
  assert.match(await page.title(), /^Error: /);
  await checked(page, 'reset password with error');
  await page.getByLabel('New password', { exact: true }).fill('amber kettle whistles twice');
  await page.getByLabel('Confirm new password').fill('amber kettle whistles twice');
  await page.getByRole('button', { name: 'Change password' }).click();
  assert.match(page.url(), /\/staff\/sign-in\?reset=1$/);
  await page.goto(path);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'This link has expired or has been used');
  await checked(page, 'used reset link');
  await signIn(page, 'calls@hollowmere.example', 'amber kettle whistles twice');
  assert.match(page.url(), /\/staff$/);
  assert.ok(await page.getByRole('link', { name: 'Log a hotline call' }).isVisible());
});
