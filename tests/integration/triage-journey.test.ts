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

/** The id of a demo user. */
const userId = async (email: string) => String((await db.execute({ sql: 'SELECT id FROM users WHERE email = ?', args: [email] })).rows[0]!.id);

/** The Location of a redirect, without the origin. */
const locationOf = (res: Response) => (res.headers.get('location') ?? '').replace(server.url, '');

test('"Save and next" follows the queue view the officer came from, skips cases handled in this run, and a no-change save moves on', async () => {
  const view = 'status=new&category=street-drinking&sort=received_asc';
  const refs: string[] = [];
  for (let i = 0; i < 3; i++) refs.push((await report({ category: 'street-drinking', description: `Drinking on the bench by the library, night ${i + 1}.` })).ref);
  const [a, b, c] = refs as [string, string, string];
  const from = `from=${encodeURIComponent(view)}`;
  const queue = await (await triage.get(`/staff/queue?${view}`)).text();
  assert.ok(queue.includes(`href="/staff/cases/${a}?${from.replace(/&/g, '&amp;')}"`), 'the queue links carry the view');
  const page = await (await triage.get(`/staff/cases/${a}?${from}`)).text();
  assert.match(page, new RegExp(`<a href="/staff/queue\\?${view.replace(/&/g, '&amp;').replace(/\?/g, '\\?')}" data-back-to-queue>Back to the queue</a>`), '"Back to the queue" keeps the filters');
  const me = await userId('triage@hollowmere.example');

  // Assign a and go on: b is next in this view (oldest first), and a is remembered as handled.
  let res = await triage.post(`/staff/cases/${a}?${from}`, { intent: 'assign', version: versionOf(page), ownerId: me, team: '', then: 'next' });
  assert.equal(res.status, 303);
  assert.equal(locationOf(res), `/staff/cases/${b}?saved=1&${from}&done=${a}#saved`);
  // On b, "Save and next" with nothing changed moves on rather than answering 400.
  const pageB = await (await triage.get(locationOf(res).replace(/#.*/, ''))).text();
  res = await triage.post(`/staff/cases/${b}?${from}&done=${a}`, { intent: 'assign', version: versionOf(pageB), ownerId: '', team: '', then: 'next' });
  assert.equal(res.status, 303, 'a no-change save moves on');
  assert.equal(locationOf(res), `/staff/cases/${c}?saved=1&${from}&done=${encodeURIComponent(`${a},${b}`)}#saved`);
  // From c, a and b are still new cases in the view but were handled in this run: back to the view, which says so.
  const pageC = await (await triage.get(`/staff/cases/${c}?${from}&done=${a},${b}`)).text();
  res = await triage.post(`/staff/cases/${c}?${from}&done=${a},${b}`, { intent: 'assign', version: versionOf(pageC), ownerId: me, team: '', then: 'next' });
  assert.equal(locationOf(res), `/staff/queue?${view}&end=1`);
  const end = await (await triage.get(locationOf(res))).text();
  assert.match(end, /There are no more cases in this view\./);
  // A plain save keeps the trail and lands on the confirmation.
  res = await triage.post(`/staff/cases/${c}?${from}`, { intent: 'note', noteBody: 'Checked with the library staff.' });
  assert.equal(locationOf(res), `/staff/cases/${c}?saved=1&${from}#saved`);
  assert.deepEqual([...await problemsOf(page, 'case page with a trail'), ...await problemsOf(end, 'queue at the end of a view')], []);
});

test('staff pages answer an unknown case or user with the designed 404 page', async () => {
  const admin = await signInAs(server.url, 'admin@hollowmere.example');
  const problems: string[] = [];
  for (const [who, path] of [[triage, '/staff/cases/HM-ZZZZ-ZZZZ'], [triage, '/staff/cases/HM-ZZZZ-ZZZZ/refer'], [admin, '/staff/admin/users/no-such-user'], [admin, '/staff/photos/aaaaaaaaaaaaaaaaaaaa']] as const) {
    const res = await who.get(path);
    assert.equal(res.status, 404, path);
    const html = await res.text();
    assert.match(html, /^<!DOCTYPE html>/i, `${path} is a whole page`);
    assert.match(html, /<title>Page not found/, path);
    problems.push(...(await problemsOf(html, path)));
  }
  for (const path of ['/staff/cases/HM-ZZZZ-ZZZZ', '/staff/cases/HM-ZZZZ-ZZZZ/refer']) {
    const posted = await triage.post(path, { intent: 'note', noteBody: 'x', agencyId: 'police' });
    assert.equal(posted.status, 404, `POST ${path}`);
    assert.match(await posted.text(), /<title>Page not found/);
  }
  assert.deepEqual(problems, []);
});

test('the case page shows words: phone as 07700 900982, contact preference, event names, photos as a list, the incident title; duplicates take a lower-case reference', async () => {
  const { ref } = await report({ category: 'fly-tipping', description: 'Mattresses dumped by the recycling bins on Quay Road.' });
  const { ref: other } = await report({ category: 'fly-tipping', description: 'More mattresses dumped by the recycling bins.' });
  const caseId = String((await db.execute({ sql: 'SELECT id FROM cases WHERE ref = ?', args: [ref] })).rows[0]!.id);
  await db.execute({ sql: "UPDATE reporters SET phone_e164 = '+447700900982' WHERE id = (SELECT reporter_id FROM cases WHERE id = ?)", args: [caseId] });
  for (const n of [1, 2]) await db.execute({ sql: "INSERT INTO attachments (id, case_id, storage_key, mime, bytes, sha256, created_at) VALUES (?, ?, ?, 'image/jpeg', 10, 'x', 0)", args: [`photo${n}`.padEnd(20, '0'), caseId, `k${n}`] });
  await db.execute({ sql: "INSERT INTO case_events (id, case_id, at, actor_kind, action, visibility, data) VALUES ('zzzzzzzzzzzzzzzzzzzz', ?, ?, 'user', 'call.information', 'internal', ?)", args: [caseId, Date.now(), JSON.stringify({ callId: 'c1' })] });
  assert.equal((await triage.post(`/staff/cases/${ref}`, { intent: 'link', linkRefs: other.toLowerCase(), incidentTitle: 'Quay Road mattresses' })).status, 303, 'a lower-case reference links');

  const html = await (await triage.get(`/staff/cases/${ref}?reporter=show`)).text();
  assert.match(html, /07700 900982/);
  assert.doesNotMatch(html, /\+447700900982/);
  assert.match(html, /<dd class="summary-list__value">Email<\/dd>/, 'the contact preference in words');
  assert.match(html, /More information given on a hotline call/);
  assert.doesNotMatch(html, /call\.information/);
  assert.match(html, /Case received \(Web\)/);
  assert.match(html, /<ul class="list"><li><a href="\/staff\/photos\/[^"]+">Photo 1<\/a><\/li><li><a href="\/staff\/photos\/[^"]+">Photo 2<\/a><\/li><\/ul>/, 'photo links are a list');
  assert.match(html, /Incident: <strong>Quay Road mattresses<\/strong>/);
  assert.match(html, /The wider community/, 'who is affected in words');
  const incident = String((await db.execute({ sql: 'SELECT incident_id FROM cases WHERE ref = ?', args: [ref] })).rows[0]!.incident_id);
  const queue = await (await triage.get(`/staff/queue?status=all&incident=${incident}`)).text();
  assert.match(queue, /Showing the cases of the incident <strong>Quay Road mattresses<\/strong>/);

  const { ref: dup } = await report({ category: 'fly-tipping', description: 'Mattresses again by the recycling bins on Quay Road.' });
  const marked = await triage.post(`/staff/cases/${dup}`, { intent: 'duplicate', originalRef: ` ${ref.toLowerCase()} ` });
  assert.equal(marked.status, 303, 'a lower-case reference is accepted');
  assert.equal(await statusOf(dup), 'closed');
  assert.deepEqual([...await problemsOf(html, 'case page in words'), ...await problemsOf(queue, 'queue filtered to an incident')], []);
});

/** The targets of an error summary's links, each with whether the page has an element of that id. */
const summaryTargets = (html: string) => {
  const summary = /<div class="error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '';
  return [...summary.matchAll(/href="#([^"]+)"/g)].map((m) => ({ target: m[1]!, exists: html.includes(`id="${m[1]!}"`) }));
};

test('"Take this case out of the incident" and "Undo duplicate" from a stale page: refused, and the error summary links to the message at the form', async () => {
  const { ref } = await report({ category: 'fly-tipping', description: 'Sofa dumped behind the library.' });
  const { ref: other } = await report({ category: 'fly-tipping', description: 'Another sofa behind the library.' });
  assert.equal((await triage.post(`/staff/cases/${ref}`, { intent: 'link', linkRefs: other, incidentTitle: '' })).status, 303);
  const stale = await (await triage.get(`/staff/cases/${ref}`)).text();
  assert.match(stale, /<form method="post" id="unlink"/, 'the unlink form has its id');
  assert.equal((await triage.post(`/staff/cases/${ref}`, { intent: 'unlink' })).status, 303, 'taken out of the incident');
  const unlinked = await triage.post(`/staff/cases/${ref}`, { intent: 'unlink' });
  assert.equal(unlinked.status, 400, 'the stale page asks again');
  const unlinkHtml = await unlinked.text();
  assert.deepEqual(summaryTargets(unlinkHtml), [{ target: 'unlink', exists: true }]);
  assert.match(unlinkHtml, /id="unlink-error" class="error-message"><span class="visually-hidden">Error:<\/span> The case is not linked to an incident/);

  const { ref: dup } = await report({ category: 'fly-tipping', description: 'The same sofa behind the library.' });
  assert.equal((await triage.post(`/staff/cases/${dup}`, { intent: 'duplicate', originalRef: ref })).status, 303);
  assert.match(await (await triage.get(`/staff/cases/${dup}`)).text(), /<form method="post" id="undo-duplicate"/, 'the undo form has its id');
  assert.equal((await triage.post(`/staff/cases/${dup}`, { intent: 'undo-duplicate' })).status, 303, 'duplicate mark undone');
  const undone = await triage.post(`/staff/cases/${dup}`, { intent: 'undo-duplicate' });
  assert.equal(undone.status, 400);
  const undoHtml = await undone.text();
  assert.deepEqual(summaryTargets(undoHtml), [{ target: 'undo-duplicate', exists: true }]);
  assert.match(undoHtml, /id="undo-duplicate-error" class="error-message"><span class="visually-hidden">Error:<\/span> The case is not marked as a duplicate/);
  assert.deepEqual([...await problemsOf(stale, 'case page in an incident'), ...await problemsOf(unlinkHtml, 'stale unlink refused'), ...await problemsOf(undoHtml, 'stale undo duplicate refused')], []);
});

test('the audit log shows words and names, filters by what, who and when, and pages through filtered results', async () => {
  const admin = await signInAs(server.url, 'admin@hollowmere.example');
  const { ref } = await report();
  for (let i = 0; i < 52; i++) assert.equal((await triage.get(`/staff/cases/${ref}?reporter=show`)).status, 200);
  const all = await (await admin.get('/staff/admin/audit')).text();
  assert.match(all, /Signed in/);
  assert.doesNotMatch(all, /<td>(auth|pii|user|case)\.[a-z_.]+<\/td>/, 'no raw action codes');
  assert.match(all, new RegExp(`Case ${ref}`), 'a case by its reference');
  assert.doesNotMatch(all, /<td>case [0-9a-z]{20}<\/td>/, 'no internal case ids');
  const me = await userId('triage@hollowmere.example');
  const filtered = await admin.get(`/staff/admin/audit?action=pii.view&user=${me}`);
  const first = await filtered.text();
  const rowsOf = (html: string) => [...html.matchAll(/<tr>\s*<td[^>]*>[^<]*<\/td>\s*<td[^>]*>([^<]*)<\/td>\s*<td[^>]*>([^<]*)<\/td>/g)].map((m) => `${m[1]} | ${m[2]}`.replace(/&#39;/g, "'"));
  assert.equal(rowsOf(first).length, 50);
  assert.ok(rowsOf(first).every((r) => r.startsWith("Reporter's details viewed | Tom Triage")), 'only the chosen action and user');
  const older = /<a[^>]*href="([^"]*before=[^"]*)"/.exec(first)?.[1]?.replace(/&amp;/g, '&');
  assert.ok(older && older.includes('action=pii.view') && older.includes(`user=${me}`), 'the next page keeps the filters');
  const second = await (await admin.get(older)).text();
  const total = Number((await db.execute({ sql: "SELECT count(*) AS n FROM audit_events WHERE action = 'pii.view' AND actor_id = ?", args: [me] })).rows[0]!.n);
  assert.ok(total >= 52);
  assert.equal(rowsOf(second).length, total - 50, 'the second page holds the rest');
  const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  const none = await (await admin.get(`/staff/admin/audit?action=pii.view&from=${tomorrow}`)).text();
  assert.match(none, /No events match these filters\./);
  const today = new Date().toISOString().slice(0, 10);
  assert.equal(rowsOf(await (await admin.get(`/staff/admin/audit?action=pii.view&user=${me}&from=${today}&to=${tomorrow}`)).text()).length, 50);
  const bad = await admin.get('/staff/admin/audit?from=2026-02-31');
  assert.equal(bad.status, 400);
  const badHtml = await bad.text();
  assert.match(badHtml, /From must be a real date/);
  const reversed = await admin.get('/staff/admin/audit?from=2026-12-05&to=2026-12-01');
  assert.equal(reversed.status, 400, 'dates the wrong way round are an error, not an empty list');
  assert.match(await reversed.text(), /href="#to"[^>]*>To must be the same as or after From/);
  assert.equal((await admin.get('/staff/admin/audit?from=2026-12-01&to=2026-12-01')).status, 200, 'one day is from and to the same date');
  const problems = [];
  for (const [html, label] of [[all, 'audit'], [first, 'audit filtered'], [none, 'audit with nothing'], [badHtml, 'audit with a wrong date']] as const) problems.push(...(await problemsOf(html, label)));
  assert.deepEqual(problems, []);
});

test('no "Deactivate" on your own account (the server still refuses); a saved view is deleted only after confirming', async () => {
  const admin = await signInAs(server.url, 'admin@hollowmere.example');
  const adminId = await userId('admin@hollowmere.example');
  const own = await (await admin.get(`/staff/admin/users/${adminId}`)).text();
  assert.doesNotMatch(own, /Deactivate this user/);
  assert.match(own, /This is your own account, so you cannot deactivate it/);
  const other = await (await admin.get(`/staff/admin/users/${await userId('editor@hollowmere.example')}`)).text();
  assert.match(other, /Deactivate this user/);
  const refused = await admin.post(`/staff/admin/users/${adminId}/deactivate`, {});
  assert.equal(refused.status, 400, 'the server refuses deactivating yourself');
  const refusedHtml = await refused.text();
  assert.doesNotMatch(refusedHtml, /Yes, deactivate this user/);
  // The confirmation page, opened by its address, offers no button for your own account.
  const ownConfirm = await (await admin.get(`/staff/admin/users/${adminId}/deactivate`)).text();
  assert.doesNotMatch(ownConfirm, /Are you sure|Yes, deactivate this user/);
  assert.match(ownConfirm, /You cannot deactivate your own account. Another administrator can./);
  assert.deepEqual([...await problemsOf(ownConfirm, 'own deactivate page'), ...await problemsOf(refusedHtml, 'own deactivate refused')], []);
  // The users list says what was done in its own words, never words from the address.
  const spoofed = await (await admin.get('/staff/admin/users?changed=Call%20IT%20on%200800%20000%20000&invited=Call%20us')).text();
  assert.doesNotMatch(spoofed, /Call IT|Call us|notification-banner--success/);
  const editorId = await userId('editor@hollowmere.example');
  assert.equal((await admin.post(`/staff/admin/users/${editorId}`, { action: 'sign-out' })).status, 303);
  const told = await admin.get(`/staff/admin/users?changed=signed-out&user=${editorId}`);
  assert.match(await told.text(), /Eddie Editor has been signed out everywhere\./);

  assert.equal((await triage.post('/staff/queue?category=noise', { intent: 'save-view', back: '?category=noise', viewName: 'Noise only' })).status, 303);
  const viewId = String((await db.execute({ sql: "SELECT id FROM saved_views WHERE name = 'Noise only'", args: [] })).rows[0]!.id);
  const asked = await triage.post('/staff/queue?category=noise', { intent: 'delete-view', viewId, back: '?category=noise' });
  assert.equal(asked.status, 200);
  const askedHtml = await asked.text();
  assert.match(askedHtml, /Are you sure you want to delete the saved view “Noise only”\?/);
  assert.match(askedHtml, /<input type="hidden" name="confirm" value="yes">/);
  assert.equal(Number((await db.execute("SELECT count(*) AS n FROM saved_views WHERE name = 'Noise only'")).rows[0]!.n), 1, 'not deleted yet');
  const deleted = await triage.post('/staff/queue?category=noise', { intent: 'delete-view', viewId, back: '?category=noise', confirm: 'yes' });
  assert.equal(deleted.status, 303);
  assert.equal(Number((await db.execute("SELECT count(*) AS n FROM saved_views WHERE name = 'Noise only'")).rows[0]!.n), 0);
  assert.deepEqual([...await problemsOf(own, 'own account'), ...await problemsOf(askedHtml, 'queue asking to delete a view')], []);

  // A view's name: needed, at most 60 characters, and not one of your views already; the error is on the field and what was typed stays.
  const saveAs = (viewName: string) => triage.post('/staff/queue?category=noise', { intent: 'save-view', back: '?category=noise', viewName });
  const empty = await saveAs('  ');
  assert.equal(empty.status, 400);
  const emptyHtml = await empty.text();
  assert.match(emptyHtml, /<p id="viewName-error" class="error-message">[\s\S]*?Enter a name for the view/);
  const long = 'A'.repeat(61);
  const tooLong = await saveAs(long);
  assert.equal(tooLong.status, 400);
  const tooLongHtml = await tooLong.text();
  assert.match(tooLongHtml, /error-summary[\s\S]*must be 60 characters or fewer/);
  assert.match(tooLongHtml, new RegExp(`name="viewName"[^>]*value="${long}"`), 'the name typed is kept');
  assert.equal((await saveAs('Noise only')).status, 303);
  const twice = await saveAs('noise ONLY');
  assert.equal(twice.status, 400);
  assert.match(await twice.text(), /You already have a view called “noise ONLY”: choose another name/);
  assert.equal(Number((await db.execute("SELECT count(*) AS n FROM saved_views WHERE lower(name) = 'noise only'")).rows[0]!.n), 1);
  assert.deepEqual([...await problemsOf(emptyHtml, 'view name empty'), ...await problemsOf(tooLongHtml, 'view name too long')], []);

  // A bulk status change with no status, or resolving with no resolution code, is asked once, on its field.
  const refs = [...(await (await triage.get('/staff/queue')).text()).matchAll(/name="ref" value="([^"]+)"/g)].slice(0, 3).map((m) => m[1]!);
  assert.equal(refs.length, 3);
  const bulk = (extra: Record<string, string>) => triage.post('/staff/queue', new URLSearchParams([['intent', 'bulk'], ['bulkAction', 'status'], ...refs.map((r): [string, string] => ['ref', r]), ...Object.entries(extra)]));
  const noStatus = await (await bulk({ bulkStatus: '' })).text();
  assert.equal((noStatus.match(/Choose the new status/g) ?? []).length, 2, 'once in the summary, once on the field');
  assert.match(noStatus, /href="#bulkStatus"/);
  assert.doesNotMatch(noStatus, /is not a case status/);
  // Nothing selected on a page with no cases: the error links to the form, since there is no first box to link to.
  const noCases = await (await triage.post('/staff/queue?category=no-such-category', { intent: 'bulk', bulkAction: 'note', bulkBody: 'x' })).text();
  assert.match(noCases, /href="#bulk"[^>]*>Select at least one case/);
  assert.match(noCases, /id="bulk"/);
  const noCode = await (await bulk({ bulkStatus: 'resolved' })).text();
  assert.match(noCode, /href="#bulkResolution"[^>]*>Choose a resolution code to resolve the cases/);
  assert.doesNotMatch(noCode, /HM-[0-9A-Z]{4}-[0-9A-Z]{4}: Choose a resolution code/);
});

test('the bulk form keeps what was typed when refused, asks for a missing note once, and e-mails reporters only after confirming', async () => {
  const { ref: a } = await report();
  const { ref: b } = await report();
  const form = (fields: Record<string, string | string[]>) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
    return body;
  };
  const outboxFor = async (ref: string) => Number((await db.execute({ sql: "SELECT count(*) AS n FROM outbox WHERE template = 'case-reply' AND payload LIKE ?", args: [`%${ref}%`] })).rows[0]!.n);

  // A note with no text: one error on the field, the choices and the selection kept.
  const noText = await triage.post('/staff/queue?status=new', form({ intent: 'bulk', ref: [a, b], bulkAction: 'note', bulkBody: '  ', bulkTag: 'keep-me' }));
  assert.equal(noText.status, 400);
  const noTextHtml = await noText.text();
  assert.equal([...noTextHtml.matchAll(/Enter the note/g)].length, 2, 'once in the summary and once on the field, not once per case');
  assert.match(noTextHtml, /<option value="note" selected/);
  assert.match(noTextHtml, /name="bulkTag"[^>]*value="keep-me"|value="keep-me"[^>]*name="bulkTag"/);
  for (const ref of [a, b]) assert.match(noTextHtml, new RegExp(`value="${ref}"[^>]*checked|checked[^>]*value="${ref}"`), `${ref} stays selected`);

  // A reply to each reporter: the first press only asks.
  const reply = { intent: 'bulk', ref: [a, b], bulkAction: 'reply', bulkTemplate: '', bulkVisibility: 'reporter', bulkBody: 'We have read your report {{ref}}.\nThank you.' };
  const asked = await triage.post('/staff/queue?status=new', form(reply));
  assert.equal(asked.status, 200);
  const askedHtml = await asked.text();
  assert.match(askedHtml, /Send this reply by e-mail to the reporters of 2 cases\?/);
  assert.match(askedHtml, /Yes, send 2 e-mails/);
  assert.deepEqual(await Promise.all([outboxFor(a), outboxFor(b)]), [0, 0], 'nothing sent before confirming');
  assert.deepEqual(await problemsOf(askedHtml, 'queue, confirm the bulk reply'), []);
  assert.deepEqual(await problemsOf(noTextHtml, 'queue, bulk note refused'), []);

  // The confirmation's own form, as the browser would send it.
  const confirmForm = /<form method="post" class="button-group">([\s\S]*?)<\/form>/.exec(askedHtml.slice(askedHtml.indexOf('Check before sending')))![1]!;
  const fields = Object.fromEntries([...confirmForm.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!.replaceAll('&#10;', '\n').replaceAll('&amp;', '&')]));
  assert.equal(fields.refs, `${a},${b}`);
  assert.equal(fields.bulkBody, reply.bulkBody, 'the reply text as typed, line break and all');
  const sent = await triage.post('/staff/queue?status=new', form(fields));
  assert.equal(sent.status, 200);
  assert.match(await sent.text(), /Done for 2 cases/);
  assert.deepEqual(await Promise.all([outboxFor(a), outboxFor(b)]), [1, 1], 'one e-mail to each reporter');
});
