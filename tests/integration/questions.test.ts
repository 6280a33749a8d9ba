/**
 * One set of report questions, two channels: the same bad answers posted to the web journey's step pages and
 * to the call screen are refused with the same messages, a 400, and nothing stored; a non-form body is a 4xx.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClient, type Client } from '@libsql/client';
import { Visitor } from '../helpers/http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { signInAs } from './staff-sign-in.ts';

let server: TestServer;
let db: Client;
let web: Visitor;
let handler: Visitor;

before(async () => {
  server = await startServer();
  db = createClient({ url: server.dbUrl, timeout: 15_000 });
  handler = await signInAs(server.url, 'calls@hollowmere.example');
  web = new Visitor(server.url);
  // A resident who has answered up to the contact page (named), having said "I know the date".
  const steps: [string, Record<string, string>][] = [
    ['/report/danger', { danger: 'no' }],
    ['/report/category', { category: 'noise' }],
    ['/report/description', { description: 'Loud music every night from the flat above.' }],
    ['/report/when', { whenKind: 'date' }],
    ['/report/when-details', { 'when-day': '3', 'when-month': '11', 'when-year': '2025' }],
    ['/report/where', { postcode: 'HW3 1AB', place: '' }],
    ['/report/people', { people: '', affected: 'me', before: 'yes' }],
    ['/report/photos', { intent: 'continue' }],
    ['/report/privacy', { privacy: 'named' }],
  ];
  for (const [path, body] of steps) assert.equal((await web.post(path, body)).status, 303, `${path} accepted`);
});
after(async () => {
  db.close();
  await server.stop();
});

/** The messages in a page's error summary, in order. */
function summaryMessages(html: string): string[] {
  const list = /<ul class="error-summary__list">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
  return [...list.matchAll(/<a href="#[^"]*">([^<]*)<\/a>/g)].map((m) => m[1]!.replace(/&#39;/g, "'"));
}

/** The summary messages when a new-report call is saved with these answers. */
async function callMessages(fields: Record<string, string>): Promise<{ status: number; messages: string[] }> {
  const body = { token: 'a'.repeat(26), intent: 'save', reason: 'new-report', 'outcome-new-report': 'case-created', ...fields };
  const res = await handler.post('/staff/calls/new', body);
  return { status: res.status, messages: summaryMessages(await res.text()) };
}

/** The summary messages when a web step page is posted these answers. */
async function webMessages(step: string, fields: Record<string, string>): Promise<{ status: number; messages: string[] }> {
  const res = await web.post(`/report/${step}`, fields);
  return { status: res.status, messages: summaryMessages(await res.text()) };
}

const nextYear = String(new Date().getUTCFullYear() + 1);
const BAD: { what: string; step: string; web: Record<string, string>; call: Record<string, string>; message: string }[] = [
  { what: 'empty description', step: 'description', web: { description: '  ' }, call: { description: '  ' }, message: 'Enter what happened' },
  { what: 'description too long', step: 'description', web: { description: 'a'.repeat(5001) }, call: { description: 'a'.repeat(5001) }, message: 'What happened must be 5000 characters or fewer' },
  { what: 'description too short', step: 'description', web: { description: 'noise' }, call: { description: 'noise' }, message: 'What happened must be 10 characters or more' },
  { what: 'unknown category', step: 'category', web: { category: 'made-up' }, call: { category: 'made-up' }, message: 'Select what your report is about' },
  { what: 'a date in the future', step: 'when-details', web: { 'when-day': '1', 'when-month': '1', 'when-year': nextYear }, call: { whenKind: 'date', 'when-day': '1', 'when-month': '1', 'when-year': nextYear }, message: 'Date it happened must be today or in the past' },
  { what: 'not a real date', step: 'when-details', web: { 'when-day': '31', 'when-month': '2', 'when-year': '2025' }, call: { whenKind: 'date', 'when-day': '31', 'when-month': '2', 'when-year': '2025' }, message: 'Date it happened must be a real date' },
  { what: 'a date without a month', step: 'when-details', web: { 'when-day': '3', 'when-year': '2025' }, call: { whenKind: 'date', 'when-day': '3', 'when-year': '2025' }, message: 'Date it happened must include a month' },
  { what: 'a bad postcode', step: 'where', web: { postcode: 'nonsense' }, call: { postcode: 'nonsense' }, message: 'Enter a real postcode, like HW1 2AB' },
  { what: 'no postcode and no place', step: 'where', web: { postcode: '', place: '' }, call: { postcode: '', place: '' }, message: 'Enter a postcode or describe the street or place' },
  { what: 'a bad e-mail address', step: 'contact', web: { name: 'Sam', email: 'sam@', preferredContact: 'either', consentShare: 'no' }, call: { callerEmail: 'sam@' }, message: 'Enter an email address in the correct format, like name@example.com' },
  { what: 'a bad phone number', step: 'contact', web: { name: 'Sam', phone: '12', preferredContact: 'either', consentShare: 'no' }, call: { callerPhone: '12' }, message: 'Enter a UK phone number, like 01632 960 001 or 07700 900 982' },
  { what: 'missing privacy choice', step: 'privacy', web: {}, call: {}, message: 'Select how you want us to treat your details' },
  { what: 'missing who is affected', step: 'people', web: { before: 'yes' }, call: {}, message: 'Select who is affected' },
];

test('the same bad answers get the same messages on the web journey and on the call screen, and nothing is stored', async () => {
  const drafts = await db.execute('SELECT data FROM drafts');
  for (const bad of BAD) {
    const w = await webMessages(bad.step, bad.web);
    const c = await callMessages(bad.call);
    assert.equal(w.status, 400, `${bad.what}: web status`);
    assert.equal(c.status, 400, `${bad.what}: call status`);
    assert.ok(w.messages.includes(bad.message), `${bad.what}: web says "${bad.message}", got ${JSON.stringify(w.messages)}`);
    assert.ok(c.messages.includes(bad.message), `${bad.what}: call screen says "${bad.message}", got ${JSON.stringify(c.messages)}`);
  }
  assert.deepEqual((await db.execute('SELECT data FROM drafts')).rows, drafts.rows, 'the draft is unchanged');
  assert.equal(Number((await db.execute('SELECT count(*) AS n FROM cases')).rows[0]!.n), 0, 'no case');
  assert.equal(Number((await db.execute('SELECT count(*) AS n FROM calls')).rows[0]!.n), 0, 'no call');
});

test('ordinary text with angle brackets is accepted on both channels and shown escaped', async () => {
  const text = 'He shouted <inaudible> at us from the window.';
  assert.equal((await web.post('/report/description', { description: text })).status, 303);
  const contact = { name: 'Sam Resident', email: 'sam@example.com', phone: '', preferredContact: 'email', consentShare: 'no' };
  assert.equal((await web.post('/report/contact', contact)).status, 303);
  const check = await (await web.get('/report/check')).text();
  assert.ok(check.includes('He shouted &lt;inaudible&gt; at us'), 'check answers shows it escaped');
  const c = await callMessages({ description: text });
  assert.ok(!c.messages.some((m) => /What happened/.test(m)), `no message about the description: ${JSON.stringify(c.messages)}`);
});

test('a body that is not a form gets a 4xx with the error summary on both channels, never a 500', async () => {
  for (const [who, path] of [[web, '/report/description'], [handler, '/staff/calls/new']] as const) {
    const res = await who.post(path, new URLSearchParams(), { 'content-type': 'application/json' });
    assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status}`);
    assert.match(await res.text(), /The form could not be read/, path);
  }
});

test('the call screen reads a form as large as its route allows: long answers in a non-Latin script come back with their messages, not an empty screen', async () => {
  // About 90 kB once URL-encoded: past the 64 kB a page reads by default, within the call screen's 256 kB.
  const long = 'আমাদের এলাকা নিরাপদ নয় '.repeat(200).slice(0, 4990);
  const res = await handler.post('/staff/calls/new', { token: 'a'.repeat(26), intent: 'save', reason: 'new-report', 'outcome-new-report': 'case-created', description: long, peopleInvolved: long, category: 'made-up' });
  assert.equal(res.status, 400, 'refused for what was answered, not for its size');
  const html = await res.text();
  assert.ok(summaryMessages(html).includes('Select what your report is about'));
  assert.ok(html.includes(long), 'what was typed is on the page again');
});
