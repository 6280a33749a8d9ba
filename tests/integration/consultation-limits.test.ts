/**
 * What the public consultation forms refuse, over HTTP against the built server with a real SMTP server: a second
 * response from one e-mail address (when the consultation counts one per address); bursts from one address
 * beyond the rate limit (a 429 page that stores nothing, also under parallel requests); and a filled honeypot
 * (looks like success, stores nothing). Each test speaks from its own address (X-Forwarded-For, one trusted hop).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClient, type Client } from '@libsql/client';
import { htmlProblems } from '../helpers/html.ts';
import { Visitor } from '../helpers/http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { sentTo, startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { openConsultation } from './consultation-setup.ts';
import { signInAs } from './staff-sign-in.ts';

let server: TestServer;
let smtp: TestSmtp;
let db: Client;
let editor: Visitor;
before(async () => {
  smtp = await startSmtp();
  server = await startServer({ SMTP_URL: smtp.url, TRUSTED_PROXY_HOPS: '1', CONSULTATION_FORMS_PER_HOUR_PER_ADDRESS: '3' });
  db = createClient({ url: server.dbUrl });
  await db.execute('PRAGMA busy_timeout = 5000');
  editor = await signInAs(server.url, 'editor@hollowmere.example');
});
after(async () => {
  db?.close();
  await server?.stop();
  await smtp?.close();
});

/** A resident speaking from one client address. */
function residentAt(address: string): Visitor {
  const v = new Visitor(server.url);
  const { get, post } = v;
  v.get = (path, headers = {}) => get.call(v, path, { 'x-forwarded-for': address, ...headers });
  v.post = (path, body, headers = {}) => post.call(v, path, body, { 'x-forwarded-for': address, ...headers });
  return v;
}

/** One number from SQL. */
async function count(sql: string, args: string[]): Promise<number> {
  return Number((await db.execute({ sql, args })).rows[0]!.n);
}

/** The error summary's text. */
function summary(html: string): string {
  return /class="error-summary[\s\S]*?<\/ul>/.exec(html)?.[0]?.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ') ?? '';
}

/** Answer the one section, landing on the finish page. */
async function answer(resident: Visitor, slug: string): Promise<void> {
  const res = await resident.post(`/consultations/${slug}/respond?section=1`, { action: 'continue', q1: '1' });
  assert.equal(res.headers.get('location'), `/consultations/${slug}/finish`);
}

test('one response per e-mail address: a second response from the same address is refused with a clear message, and one row is stored', async () => {
  const { id, slug } = await openConsultation(editor, 'One voice per address', { onePerEmail: true });
  const first = residentAt('203.0.113.10');
  await answer(first, slug);
  const sent = await first.post(`/consultations/${slug}/finish`, { email: 'one.voice@example.org', ageBand: '', wardId: '' });
  assert.equal(sent.headers.get('location'), `/consultations/${slug}/done?confirm=1`);
  const mail = await smtp.waitFor((m) => sentTo(m, 'one.voice@example.org') && /Confirm your response/.test(m.subject ?? ''));
  const token = new URL(/https?:\/\/\S+\/confirm\?token=\S+/.exec(mail.text ?? '')![0]).searchParams.get('token')!;
  assert.equal((await first.post(`/consultations/${slug}/confirm?token=${encodeURIComponent(token)}`, { token })).status, 200, 'confirmed');
  assert.equal(await count("select count(*) as n from consultation_responses where consultation_id = ? and state = 'counted' and email is null", [id]), 1, 'counted, address forgotten');

  const second = residentAt('203.0.113.11');
  await answer(second, slug);
  const refused = await second.post(`/consultations/${slug}/finish`, { email: 'One.Voice@Example.org', ageBand: '', wardId: '' });
  const html = await refused.text();
  assert.equal(refused.status, 400);
  assert.match(summary(html), /A response from this e-mail address has already been given\. Each address can respond once/);
  assert.match(html, /href="#email"/, 'the message links to the address field');
  assert.deepEqual(await htmlProblems(html, 'second response refused'), []);
  assert.equal(await count('select count(*) as n from consultation_responses where consultation_id = ?', [id]), 1, 'only one response is stored');
});
