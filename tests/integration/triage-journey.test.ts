/**
 * What residents, call handlers and triage officers met (issue 10), over HTTP against the built server: asking an
 * anonymous reporter, "Save and next" through the officer's queue view, the staff 404 page, words on the case
 * page and the audit log, and the confirmation steps of the console.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClient, type Client } from '@libsql/client';
import { htmlProblems } from '../helpers/html.ts';
import { Visitor } from '../helpers/http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { sendWebReport, type WebReport } from '../helpers/staff.ts';
import { signInAs } from './staff-sign-in.ts';

let server: TestServer;
let db: Client;
let triage: Visitor;
let n = 0;

before(async () => {
  server = await startServer();
  db = createClient({ url: server.dbUrl, timeout: 15_000 });
  triage = await signInAs(server.url, 'triage@hollowmere.example');
});
after(async () => {
  db?.close();
  await server?.stop();
});

/** A fresh web report from a new reporter. */
const report = (over: Partial<WebReport> = {}) => sendWebReport(server.url, { email: `journey${++n}@example.com`, ...over });

/** The version hidden in a case page's forms. */
const versionOf = (html: string) => /name="version" value="(\d+)"/.exec(html)![1]!;

/** The status of a case in the database. */
const statusOf = async (ref: string) => String((await db.execute({ sql: 'SELECT status FROM cases WHERE ref = ?', args: [ref] })).rows[0]!.status);

/** The HTML problems of a page, each labelled. */
const problemsOf = async (html: string, label: string) => (await htmlProblems(html, label)).map((p) => `${label}: ${p}`);

test('an anonymous reporter can be asked: the reply shows on /track/case, the case waits for them and opens again when they answer', async () => {
  const { ref, trackCode } = await report({ privacy: 'anonymous' });
  assert.ok(trackCode, 'the confirmation page gave a tracking code');
  let page = await (await triage.get(`/staff/cases/${ref}`)).text();
  assert.match(page, /id="reply"/, 'the case page offers the reply form');
  assert.match(page, /no e-mail is sent: they see the reply only when they next check their report at \/track/);
  const problems = await problemsOf(page, 'anonymous case page');

  assert.equal((await triage.post(`/staff/cases/${ref}`, { intent: 'reply', template: '', replyBody: 'Which entrance of the shelter was it?' })).status, 303);
  page = await (await triage.get(`/staff/cases/${ref}`)).text();
  const moved = await triage.post(`/staff/cases/${ref}`, { intent: 'status', version: versionOf(page), to: 'awaiting_reporter', resolutionCode: '', agencyId: '', statusNote: '' });
  assert.equal(moved.status, 303, 'the case can wait for an anonymous reporter');
  assert.equal(await statusOf(ref), 'awaiting_reporter');
  const emails = await db.execute("SELECT count(*) AS n FROM outbox WHERE template = 'case-reply'");
  assert.equal(Number(emails.rows[0]!.n), 0, 'no reply e-mail for an anonymous reporter');

  const resident = new Visitor(server.url);
  assert.equal((await resident.post('/track', { ref, email: '', code: trackCode })).status, 303);
  const tracked = await (await resident.get('/track/case')).text();
  assert.match(tracked, /Which entrance of the shelter was it\?/, 'the reply is on the tracking page');
  assert.match(tracked, /We need more information/);
  assert.equal((await resident.post('/track/case', { information: 'The north entrance, by the bins.' })).status, 303);
  assert.equal(await statusOf(ref), 'open', 'the answer puts the case back to open');
  assert.deepEqual(problems, []);
});
