/** Staff sign-in against the built server: cookies, CSRF, throttling, sign-out, reset links, deactivation, demo accounts. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createClient, type Client } from '@libsql/client';
import { htmlProblems } from '../helpers/html.ts';
import { Visitor } from '../helpers/http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { DEMO_PASSWORD } from '../../src/domains/identity/demo-accounts.ts';
import { signInAs } from './staff-sign-in.ts';

let server: TestServer;
let smtp: TestSmtp;
let db: Client;
before(async () => {
  smtp = await startSmtp();
  server = await startServer({ SMTP_URL: smtp.url });
  db = createClient({ url: server.dbUrl, timeout: 15_000 });
});
after(async () => {
  db?.close();
  await server?.stop();
  await smtp?.close();
});

test('the session cookie is HttpOnly, SameSite=Lax, Path=/, expires within 12 hours, and is new at every sign-in', async () => {
  const v = new Visitor(server.url);
  v.cookies.set('session', 'attacker.fixed');
  const res = await v.post('/staff/sign-in', { email: 'editor@hollowmere.example', password: DEMO_PASSWORD });
  assert.equal(res.status, 303);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('session='))!;
  assert.ok(cookie, 'session cookie set');
  assert.match(cookie, /;\s*HttpOnly/i);
  assert.match(cookie, /;\s*SameSite=Lax/i);
  assert.match(cookie, /;\s*Path=\/(;|$)/);
  assert.doesNotMatch(cookie, /;\s*Secure/i, 'plain http on 127.0.0.1 gets no Secure flag');
  const maxAge = Number(/Max-Age=(\d+)/i.exec(cookie)?.[1]);
  assert.ok(maxAge > 11 * 3600 && maxAge <= 12 * 3600, `Max-Age ${maxAge}`);
  const token = v.cookies.get('session')!;
  assert.notEqual(token, 'attacker.fixed');
  // The token is never stored: only the id and SHA-256 of the secret.
  const [id, secret] = token.split('.');
  const rows = await db.execute({ sql: 'SELECT id, hex(secret_hash) AS h, secret_hash FROM sessions WHERE id = ?', args: [id!] });
  assert.equal(rows.rows.length, 1);
  const stored = JSON.stringify(rows.rows[0]) + Buffer.from(rows.rows[0]!.secret_hash as ArrayBuffer).toString('latin1');
  assert.ok(!stored.includes(secret!));
  const all = await db.execute('SELECT * FROM sessions');
  assert.ok(!JSON.stringify(all.rows).includes(token));
  assert.equal((await v.get('/staff')).status, 200);
});

test('with SECURE_COOKIES=true the cookie is Secure', async () => {
  const secure = await startServer({ SECURE_COOKIES: 'true' });
  try {
    const v = new Visitor(secure.url);
    const res = await v.post('/staff/sign-in', { email: 'editor@hollowmere.example', password: DEMO_PASSWORD });
    assert.match(res.headers.getSetCookie().find((c) => c.startsWith('session='))!, /;\s*Secure/i);
  } finally {
    await secure.stop();
  }
});

test('a cross-origin form POST is refused (Origin check), and so is a POST the browser marks cross-site', async () => {
  const v = await signInAs(server.url, 'calls@hollowmere.example');
  const evil = await v.post('/staff/account', { action: 'sign-out-others' }, { origin: 'https://evil.example' });
  assert.equal(evil.status, 403);
  const evilSignIn = await new Visitor(server.url).post('/staff/sign-in', { email: 'editor@hollowmere.example', password: DEMO_PASSWORD }, { origin: 'https://evil.example' });
  assert.equal(evilSignIn.status, 403);
  assert.equal(evilSignIn.headers.getSetCookie().length, 0);
  const crossSite = await v.post('/staff/account', { action: 'sign-out-others' }, { 'sec-fetch-site': 'cross-site' });
  assert.equal(crossSite.status, 403);
  const same = await v.post('/staff/account', { action: 'sign-out-others' }, { 'sec-fetch-site': 'same-origin' });
  assert.equal(same.status, 303);
});

test('after 10 failed attempts from one address the account is throttled there with a time to wait, even with the right password; unknown accounts look the same', async () => {
  for (const email of ['partner@hollowmere.example', 'nobody-here@hollowmere.example']) {
    const v = new Visitor(server.url);
    for (let i = 0; i < 10; i++) {
      const r = await v.post('/staff/sign-in', { email, password: `wrong-password-${i}` });
      assert.equal(r.status, 400, `attempt ${i + 1}`);
      const html = await r.text();
      assert.match(html, /Enter a correct e-mail address and password/);
      assert.match(html, /<title>Error: /);
    }
    const r = await v.post('/staff/sign-in', { email, password: DEMO_PASSWORD });
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    assert.match(await r.text(), /Try again in \d+ minutes?/);
  }
  const audit = await db.execute("SELECT count(*) AS n FROM audit_events WHERE action = 'auth.sign_in_throttled'");
  assert.ok(Number(audit.rows[0]!.n) >= 2);
});

test('sign out ends the session on the server; sign out everywhere ends the others too', async () => {
  const a = await signInAs(server.url, 'editor@hollowmere.example');
  const b = await signInAs(server.url, 'editor@hollowmere.example');
  const tokenA = a.cookies.get('session')!;
  const out = await a.post('/staff/sign-out', {});
  assert.equal(out.status, 303);
  assert.equal(out.headers.get('location'), '/staff/sign-in?signed-out=1');
  const replay = new Visitor(server.url);
  replay.cookies.set('session', tokenA);
  assert.equal((await replay.get('/staff')).status, 303, 'old token refused');
  const c = await signInAs(server.url, 'editor@hollowmere.example');
  assert.equal((await b.post('/staff/sign-out', { all: '1' })).status, 303);
  assert.equal((await c.get('/staff')).status, 303, 'other device signed out');
});

test('a reset link is e-mailed, works once, ends other sessions; a second use is refused', async () => {
  const other = await signInAs(server.url, 'calls@hollowmere.example');
  const v = new Visitor(server.url);
  const r = await v.post('/staff/forgot-password', { email: 'calls@hollowmere.example' });
  assert.equal(r.status, 303);
  const unknown = await v.post('/staff/forgot-password', { email: 'no-account@hollowmere.example' });
  assert.equal(unknown.headers.get('location'), r.headers.get('location'), 'same answer for an unknown address');
  const mail = await smtp.waitFor((m) => m.to !== undefined && JSON.stringify(m.to).includes('calls@hollowmere.example') && /Reset/.test(m.subject ?? ''));
  const link = /https?:\/\/\S+\/staff\/reset-password\/[a-z0-9.]+/.exec(mail.text ?? '')![0];
  const path = new URL(link).pathname;
  assert.equal((await v.get(path)).status, 200);
  const weak = await v.post(path, { password: 'password1234', confirm: 'password1234' });
  assert.equal(weak.status, 400);
  assert.match(await weak.text(), /too common/);
  const ok = await v.post(path, { password: 'quiet harbour lantern 77', confirm: 'quiet harbour lantern 77' });
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get('location'), '/staff/sign-in?reset=1');
  const again = await v.post(path, { password: 'another quiet harbour 78', confirm: 'another quiet harbour 78' });
  assert.equal(again.status, 404);
  assert.match(await again.text(), /expired or has been used/);
  assert.equal((await other.get('/staff')).status, 303, 'sessions from before the reset ended');
  await signInAs(server.url, 'calls@hollowmere.example', 'quiet harbour lantern 77');
  const audit = await db.execute("SELECT action FROM audit_events WHERE action IN ('auth.reset_requested', 'auth.password_reset')");
  assert.equal(audit.rows.length, 2);
});

test('an invitation that ran out can be sent again from the user\'s page: the new link works, the old one no longer does; not once a password is set', async () => {
  const admin = await signInAs(server.url, 'admin@hollowmere.example');
  assert.equal((await admin.post('/staff/admin/users/invite', { name: 'Oscar Late', email: 'oscar.late@hollowmere.example', role: 'editor', agencyId: '' })).status, 303);
  const first = await smtp.waitFor((m) => JSON.stringify(m.to ?? '').includes('oscar.late@hollowmere.example'));
  const firstPath = new URL(/https?:\/\/\S+\/staff\/accept-invite\/[a-z0-9.]+/.exec(first.text ?? '')![0]).pathname;
  const id = String((await db.execute("SELECT id FROM users WHERE email = 'oscar.late@hollowmere.example'")).rows[0]!.id);
  // The link runs out (as after 7 days).
  await db.execute({ sql: "UPDATE user_tokens SET expires_at = ? WHERE user_id = ? AND kind = 'invite'", args: [Date.now() - 1000, id] });
  assert.equal((await new Visitor(server.url).get(firstPath)).status, 404);
  const page = await (await admin.get(`/staff/admin/users/${id}`)).text();
  assert.match(page, /Invited, has not set a password yet[\s\S]*Send a new invitation/);
  const sent = await admin.post(`/staff/admin/users/${id}`, { action: 'resend-invitation' });
  assert.equal(sent.status, 303);
  assert.match(await (await admin.get(sent.headers.get('location')!)).text(), /A new invitation has been sent to Oscar Late\. Earlier links no longer work\./);
  const second = await smtp.waitFor((m) => JSON.stringify(m.to ?? '').includes('oscar.late@hollowmere.example') && !(m.text ?? '').includes(firstPath));
  const secondPath = new URL(/https?:\/\/\S+\/staff\/accept-invite\/[a-z0-9.]+/.exec(second.text ?? '')![0]).pathname;
  const oscar = new Visitor(server.url);
  assert.equal((await oscar.get(secondPath)).status, 200, 'the new link works');
  assert.equal((await oscar.post(secondPath, { password: 'late harbour lantern 42', confirm: 'late harbour lantern 42' })).status, 303);
  // Once the password is set there is nothing to resend: the page has no button and the server refuses.
  const after = await (await admin.get(`/staff/admin/users/${id}`)).text();
  assert.doesNotMatch(after, /Send a new invitation/);
  const refused = await admin.post(`/staff/admin/users/${id}`, { action: 'resend-invitation' });
  assert.equal(refused.status, 400);
  const refusedHtml = await refused.text();
  assert.match(refusedHtml, /error-summary[\s\S]*Oscar Late has set a password already/);
  assert.deepEqual([...await htmlProblems(page, 'invited user'), ...await htmlProblems(refusedHtml, 'resend refused')], []);
  const audit = await db.execute({ sql: "SELECT count(*) AS n FROM audit_events WHERE action = 'user.invited' AND subject_id = ?", args: [id] });
  assert.equal(Number(audit.rows[0]!.n), 2, 'both invitations are audited');
});

test('changing your password needs the current one and ends your other sessions but not this one', async () => {
  const a = await signInAs(server.url, 'admin@hollowmere.example');
  const b = await signInAs(server.url, 'admin@hollowmere.example');
  const wrong = await a.post('/staff/account', { action: 'password', currentPassword: 'not it at all', newPassword: 'silver heron counts stones', confirmPassword: 'silver heron counts stones' });
  assert.equal(wrong.status, 400);
  assert.match(await wrong.text(), /current password is not right/);
  const ok = await a.post('/staff/account', { action: 'password', currentPassword: DEMO_PASSWORD, newPassword: 'silver heron counts stones', confirmPassword: 'silver heron counts stones' });
  assert.equal(ok.status, 303);
  assert.equal((await a.get('/staff/account')).status, 200, 'this session stays');
  assert.equal((await b.get('/staff/account')).status, 303, 'the other session ended');
  const back = await a.post('/staff/account', { action: 'password', currentPassword: 'silver heron counts stones', newPassword: DEMO_PASSWORD, confirmPassword: DEMO_PASSWORD });
  assert.equal(back.status, 303);
});

test('a deactivated user is signed out at once, cannot sign in, and the change is audited with who and from where', async () => {
  const admin = await signInAs(server.url, 'admin@hollowmere.example');
  const editor = await signInAs(server.url, 'editor@hollowmere.example');
  assert.equal((await editor.get('/staff/account')).status, 200);
  const row = await db.execute("SELECT id FROM users WHERE email = 'editor@hollowmere.example'");
  const id = String(row.rows[0]!.id);
  assert.equal((await admin.get(`/staff/admin/users/${id}/deactivate`)).status, 200);
  const res = await admin.post(`/staff/admin/users/${id}/deactivate`, {});
  assert.equal(res.status, 303);
  const next = await editor.get('/staff/account');
  assert.equal(next.status, 303);
  assert.match(next.headers.get('location')!, /^\/staff\/sign-in/);
  const again = await new Visitor(server.url).post('/staff/sign-in', { email: 'editor@hollowmere.example', password: DEMO_PASSWORD });
  assert.equal(again.status, 400);
  const audit = await db.execute({ sql: "SELECT actor_id, ip FROM audit_events WHERE action = 'user.deactivated' AND subject_id = ?", args: [id] });
  assert.equal(audit.rows.length, 1);
  assert.ok(audit.rows[0]!.actor_id);
  assert.equal(audit.rows[0]!.ip, '127.0.0.1');
  const log = await admin.get('/staff/admin/audit');
  assert.match(await log.text(), /<td>User deactivated<\/td>/);
  // Put the editor back for the other tests.
  assert.equal((await admin.post(`/staff/admin/users/${id}`, { action: 'reactivate' })).status, 303);
});

test('demo accounts are refused when the app runs with demo mode off', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'saferline-demo-off-'));
  const dbUrl = `file:${join(dir, 'shared.db')}`;
  try {
    const demo = await startServer({ DATABASE_URL: dbUrl });
    assert.equal((await new Visitor(demo.url).post('/staff/sign-in', { email: 'editor@hollowmere.example', password: DEMO_PASSWORD })).status, 303);
    await demo.stop();
    const live = await startServer({ DATABASE_URL: dbUrl, DEMO_MODE: 'false', SECRET_KEY: 'a-real-secret-key-for-tests-0123456789' });
    try {
      const r = await new Visitor(live.url).post('/staff/sign-in', { email: 'editor@hollowmere.example', password: DEMO_PASSWORD });
      assert.equal(r.status, 400);
      assert.match(await r.text(), /Enter a correct e-mail address and password/);
    } finally {
      await live.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('resetting a user\'s two-factor authentication asks first; only the confirmed press clears it, ends their sessions and is audited', async () => {
  const admin = await signInAs(server.url, 'admin@hollowmere.example');
  const row = (await db.execute("SELECT id, totp_key, totp_enabled_at, recovery_codes FROM users WHERE email = 'brackenford-editor@hollowmere.example'")).rows[0]!;
  const id = String(row.id);
  // The demo account may not have two-factor on yet: give it a key, as setting it up would.
  await db.execute({ sql: 'UPDATE users SET totp_key = coalesce(totp_key, ?), totp_enabled_at = coalesce(totp_enabled_at, ?) WHERE id = ?', args: [new Uint8Array(20).fill(7), Date.now(), id] });
  const enabled = async () => (await db.execute({ sql: 'SELECT totp_enabled_at FROM users WHERE id = ?', args: [id] })).rows[0]!.totp_enabled_at !== null;
  const page = `/staff/admin/users/${id}`;
  try {
    const asked = await admin.post(page, { action: 'reset-two-factor' });
    assert.equal(asked.status, 200);
    const html = await asked.text();
    assert.match(html, /Reset two-factor authentication for Bea Brackenford\?/);
    assert.match(html, /<input type="hidden" name="action" value="reset-two-factor"><input type="hidden" name="confirm" value="yes">/);
    assert.deepEqual(await htmlProblems(html, 'reset two-factor: confirm'), []);
    assert.equal(await enabled(), true, 'not reset before confirming');
    assert.equal((await db.execute({ sql: "SELECT count(*) AS n FROM audit_events WHERE action = 'user.two_factor_reset' AND subject_id = ?", args: [id] })).rows[0]!.n, 0);

    assert.equal((await admin.post(page, { action: 'reset-two-factor', confirm: 'yes' })).status, 303);
    assert.equal(await enabled(), false);
    assert.equal((await db.execute({ sql: "SELECT count(*) AS n FROM audit_events WHERE action = 'user.two_factor_reset' AND subject_id = ?", args: [id] })).rows[0]!.n, 1);
  } finally {
    await db.execute({ sql: 'UPDATE users SET totp_key = ?, totp_enabled_at = ?, recovery_codes = ? WHERE id = ?', args: [row.totp_key, row.totp_enabled_at, row.recovery_codes, id] });
  }
});
