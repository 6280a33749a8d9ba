/**
 * What a resident's visit leaves behind (issue 10): every resident page under /report, /track and /feedback is
 * sent with Cache-Control: no-store, in its normal and error states; the tracking cookie is a session cookie
 * whose 30-minute limit is in its signed value, renewed by each view or post up to 2 hours; /exit and "Stop viewing
 * this report" clear it; a post after access ended stores nothing and /track says it ended. The new page
 * states (the confirmation before the equality questions, an out-of-area postcode, per-part date messages,
 * a complaint's reference) are valid HTML.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createClient, type Client } from '@libsql/client';
import { htmlProblems } from '../helpers/html.ts';
import { Visitor } from '../helpers/http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { sendWebReport } from '../helpers/staff.ts';

let server: TestServer;
let db: Client;
before(async () => {
  server = await startServer();
  db = createClient({ url: server.dbUrl, timeout: 15_000 });
});
after(async () => {
  db.close();
  await server.stop();
});

/** The answers of an anonymous report about a hate incident (sensitive), step by step. */
const STEPS: [string, Record<string, string>][] = [
  ['danger', { danger: 'no' }],
  ['category', { category: 'hate-incident' }],
  ['description', { description: 'Shouting abuse at my neighbour because of her religion.' }],
  ['when', { whenKind: 'approx' }],
  ['when-details', { whenText: 'Last Friday evening' }],
  ['where', { postcode: 'HW2 3XY', place: 'by the bus shelter' }],
  ['people', { people: '', affected: 'neighbour', before: 'no' }],
  ['photos', { intent: 'continue' }],
  ['privacy', { privacy: 'anonymous' }],
];

/** Answer every step, then send the report; returns the visitor, now on the confirmation. */
async function sendAnonymousReport(): Promise<Visitor> {
  const v = new Visitor(server.url);
  for (const [step, body] of STEPS) assert.equal((await v.post(`/report/${step}`, body)).status, 303, `${step} accepted`);
  const sent = await v.post('/report/check', { website: '' });
  assert.equal(sent.status, 303);
  assert.equal(sent.headers.get('location'), '/report/confirmation', 'the confirmation comes straight after sending');
  return v;
}

function assertNoStore(label: string, res: Response) {
  assert.equal(res.headers.get('cache-control'), 'no-store', `${label}: Cache-Control`);
}

async function expectValid(label: string, res: Response, status: number): Promise<string> {
  assert.equal(res.status, status, `${label} status`);
  const html = await res.text();
  assert.deepEqual(await htmlProblems(html, label), [], `${label} is valid HTML`);
  return html;
}

test('every resident page under /report, /track and /feedback is sent with Cache-Control: no-store, errors and redirects included', async () => {
  const v = new Visitor(server.url);
  for (const path of ['/report', '/report/danger', '/track', '/feedback']) assertNoStore(path, await v.get(path));
  assertNoStore('danger (errors)', await v.post('/report/danger', {}));
  for (const [step, body] of STEPS) {
    if (step !== 'danger') assertNoStore(`/report/${step}`, await v.get(`/report/${step}`));
    assertNoStore(`/report/${step} (POST)`, await v.post(`/report/${step}`, body));
  }
  assertNoStore('/report/check', await v.get('/report/check'));
  assertNoStore('/report/check (POST)', await v.post('/report/check', { website: '' }));
  assertNoStore('/report/confirmation', await v.get('/report/confirmation'));
  assertNoStore('/report/equality', await v.get('/report/equality'));
  assertNoStore('/track (errors)', await v.post('/track', { ref: 'nonsense' }));
  assertNoStore('/feedback (errors)', await v.post('/feedback', { token: 'abc' }));
  assertNoStore('/exit', await v.get('/exit'));
  // A content page is still cacheable.
  assert.notEqual((await v.get('/about')).headers.get('cache-control'), 'no-store', '/about is not a private page');
});

test('the reference and tracking code come first, the code on the first view only; the equality questions are offered after, clearly optional', async () => {
  const v = await sendAnonymousReport();
  const confirmation = await expectValid('confirmation', await v.get('/report/confirmation'), 200);
  assert.match(confirmation, /class="reference">HM-[A-Z0-9]{4}-[A-Z0-9]{4}</);
  const code = /Tracking code<\/dt><dd><strong>([A-Z0-9]{5}-[A-Z0-9]{5})</.exec(confirmation)?.[1];
  assert.ok(code, 'the tracking code is shown');
  const [kept] = (await db.execute({ sql: "SELECT json_extract(data, '$.trackSecret') AS code FROM drafts WHERE id = ?", args: [v.cookies.get('draft')!] })).rows;
  assert.equal(kept!.code, null, 'once shown, the draft no longer keeps the code');
  const again = await expectValid('confirmation (seen before)', await v.get('/report/confirmation'), 200);
  assert.doesNotMatch(again, new RegExp(`Tracking code|${code}`), 'the code is not shown again');
  assert.match(again, /Your tracking code was shown once, when your report was sent, and cannot be shown again\./);
  assert.match(again, /class="reference">HM-[A-Z0-9]{4}-[A-Z0-9]{4}</, 'the reference still is');
  assert.match(confirmation, /href="\/report\/equality"[^>]*>Answer the optional equality questions/);
  assert.match(confirmation, /class="[^"]*exit-this-page/, 'Exit this page on the confirmation of a sensitive report');
  const equality = await expectValid('equality', await v.get('/report/equality'), 200);
  assert.match(equality, /Equality monitoring questions \(optional\)/);
  assert.match(equality, /class="[^"]*exit-this-page/, 'Exit this page on the equality page of a sensitive report');
  const answered = await v.post('/report/equality', { age: '' });
  assert.equal(answered.status, 303);
  const after = await expectValid('confirmation after equality', await v.get(answered.headers.get('location')!), 200);
  assert.match(after, /Your equality answers have been recorded/);
  assert.doesNotMatch(after, /Answer the optional equality questions/, 'not offered twice');
  assert.equal((await v.get('/report/equality')).headers.get('location'), '/report/confirmation');
});

test('the tracking cookie is a session cookie with its 30-minute limit signed in; Exit and "Stop viewing" clear it', async () => {
  const v = await sendAnonymousReport();
  const page = await (await v.get('/report/confirmation')).text();
  const ref = /class="reference">([^<]+)</.exec(page)![1]!;
  const code = /Tracking code<\/dt><dd><strong>([^<]+)</.exec(page)![1]!;
  const before = Date.now();
  const res = await v.post('/track', { ref, email: '', code });
  assert.equal(res.status, 303);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('track='))!;
  assert.ok(cookie, 'a tracking cookie is set');
  assert.doesNotMatch(cookie, /max-age|expires/i, `a session cookie: ${cookie}`);
  assert.match(cookie, /HttpOnly/i);
  const expires = Number(decodeURIComponent(cookie.split(';')[0]!.slice('track='.length)).split('~')[1]);
  assert.ok(expires >= before + 29 * 60_000 && expires <= Date.now() + 30 * 60_000 + 1000, 'the signed value expires in 30 minutes');

  const view = await expectValid('track case', await v.get('/track/case'), 200);
  assertNoStore('/track/case', await v.get('/track/case'));
  assert.match(view, /class="[^"]*exit-this-page/, 'Exit this page on a sensitive case');
  assert.match(view, /Shouting abuse at my neighbour/, 'the description is shown');
  assert.match(view, /HW2 3XY, by the bus shelter, Saltings/, 'the place is shown');
  assert.equal((view.match(/>Received</g) ?? []).length, 1, 'the status is shown once');
  assert.match(view, /href="\/track\/stop"[^>]*>Stop viewing this report/);

  const stopped = await v.get('/track/stop');
  assert.equal(stopped.status, 303);
  assert.match(stopped.headers.getSetCookie().join('\n'), /track=[^;]*;[^\n]*Path=\/track[^\n]*(Max-Age=0|Expires=Thu, 01 Jan 1970)/i);
  assert.equal((await v.get('/track/case')).headers.get('location'), '/track', 'the report is no longer shown');
  await expectValid('track stopped', await v.get('/track?stopped=1'), 200);

  assert.equal((await v.post('/track', { ref, email: '', code })).status, 303);
  assert.equal((await v.get('/track/case')).status, 200);
  const exit = await v.get('/exit');
  assert.equal(exit.status, 303);
  const cleared = exit.headers.getSetCookie();
  assert.ok(cleared.some((c) => /^track=;/.test(c) && /Path=\/track/i.test(c) && /Max-Age=0/i.test(c)), `Exit clears the tracking cookie: ${cleared.join(' | ')}`);
  assert.ok(cleared.some((c) => /^draft=;/.test(c) && /Path=\/report/i.test(c)), 'Exit clears the draft cookie');
  assert.equal((await v.get('/track/case')).headers.get('location'), '/track');
});

/** A tracking cookie's value signed with this server's key, as the server signs one ("case.since~expires~mac"). */
async function trackCookie(caseId: string, since: number, expires: number): Promise<string> {
  const [key] = (await db.execute("SELECT value FROM meta WHERE key = 'signing_key'")).rows;
  const body = `${caseId}.${since}~${expires}`;
  return `${body}~${createHmac('sha256', String(key!.value)).update(body).digest('base64url')}`;
}

/** The limit signed into a tracking cookie set by a response. */
function signedLimit(res: Response): number {
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('track=') && !/max-age=0/i.test(c));
  assert.ok(cookie, 'the tracking cookie is set again');
  return Number(decodeURIComponent(cookie.split(';')[0]!.slice('track='.length)).split('~')[1]);
}

test('each view or post of the report renews its 30 minutes, never past 2 hours; once ended, a post stores nothing and /track says why', async () => {
  const v = await sendAnonymousReport();
  const page = await (await v.get('/report/confirmation')).text();
  const ref = /class="reference">([^<]+)</.exec(page)![1]!;
  const code = /Tracking code<\/dt><dd><strong>([^<]+)</.exec(page)![1]!;
  assert.equal((await v.post('/track', { ref, email: '', code })).status, 303);
  const caseId = String((await db.execute({ sql: 'SELECT id FROM cases WHERE ref = ?', args: [ref] })).rows[0]!.id);
  const minute = 60_000;

  // Proved 20 minutes ago, a minute left: a view renews it for 30 minutes from now.
  v.cookies.set('track', await trackCookie(caseId, Date.now() - 20 * minute, Date.now() + minute));
  const at = Date.now();
  const viewed = await v.get('/track/case');
  assert.equal(viewed.status, 200);
  assert.ok(signedLimit(viewed) >= at + 29 * minute, 'renewed by the view');
  // Proved almost 2 hours ago: renewed no further than 2 hours after it was proved.
  const since = Date.now() - 119 * minute;
  v.cookies.set('track', await trackCookie(caseId, since, Date.now() + minute));
  const posted = await v.post('/track/case', { information: 'The shouting started again last night.' });
  assert.equal(posted.headers.get('location'), '/track/case?added=1');
  assert.equal(signedLimit(posted), since + 120 * minute, 'the post renews it, within its 2 hours');

  // Ended: the post goes to /track, which says so; the text is not stored and the cookie is cleared.
  v.cookies.set('track', await trackCookie(caseId, Date.now() - 40 * minute, Date.now() - 1000));
  const late = await v.post('/track/case', { information: 'Written while the time ran out.' });
  assert.equal(late.status, 303);
  assert.equal(late.headers.get('location'), '/track?ended=1');
  assert.ok(!v.cookies.has('track'), 'the ended cookie is cleared');
  const [stored] = (await db.execute({ sql: "SELECT count(*) AS n FROM case_events WHERE case_id = ? AND body LIKE 'Written while%'", args: [caseId] })).rows;
  assert.equal(Number(stored!.n), 0, 'nothing typed after access ended is stored');
  const told = await expectValid('track (access ended)', await v.get('/track?ended=1'), 200);
  assert.match(told, /Your time to view your report ended, so anything you had not sent yet was not added\./);
  assertNoStore('/track?ended=1', await v.get('/track?ended=1'));
  // A view after the end says so too; with no cookie at all, /track as before.
  v.cookies.set('track', await trackCookie(caseId, Date.now() - 40 * minute, Date.now() - 1000));
  assert.equal((await v.get('/track/case')).headers.get('location'), '/track?ended=1');
  assert.equal((await v.get('/track/case')).headers.get('location'), '/track');
});

test('an out-of-area postcode says so and where to report instead; a date names the parts that are wrong', async () => {
  const v = new Visitor(server.url);
  for (const [step, body] of STEPS.slice(0, 5)) assert.equal((await v.post(`/report/${step}`, body)).status, 303);
  const out = await expectValid('where (out of area)', await v.post('/report/where', { postcode: 'sw1a 1aa', place: '', ward: '' }), 200);
  assert.match(out, /SW1A 1AA is not in the area Hollowmere Community Safety Partnership covers\./);
  assert.match(out, /<a class="link" href="https:\/\/www\.gov\.uk\/find-local-council">/);
  assert.doesNotMatch(out, /select the ward/i, 'no ward to choose');
  assert.match(await expectValid('where', await v.get('/report/where'), 200), /Needed if you do not give a postcode/, 'the page says which location field is required');

  assert.equal((await v.post('/report/when', { whenKind: 'date' })).status, 303);
  const date = await expectValid('when-details (date errors)', await v.post('/report/when-details', { 'when-day': '3', 'when-month': '', 'when-year': '' }), 400);
  assert.match(date, /<a href="#when-month">Date it happened must include a month and year<\/a>/);
  assert.match(date, /class="input input--width-2" id="when-day"/, 'the day is not marked wrong');
  assert.match(date, /class="input input--width-2 input--error" id="when-month"/);
  assert.match(date, /class="input input--width-4 input--error" id="when-year"/);
  const time = await expectValid('when-details (time error)', await v.post('/report/when-details', { 'when-day': '3', 'when-month': '11', 'when-year': '2025', 'when-time': '25:00' }), 400);
  assert.match(time, /<a href="#when-time">Time must be a real time, like 21:30 or 9pm<\/a>/);
  assert.match(time, /class="input input--width-2" id="when-day"/);
  for (const typed of ['9pm', '21.30', '9.30 pm']) {
    assert.equal((await v.post('/report/when-details', { 'when-day': '3', 'when-month': '11', 'when-year': '2025', 'when-time': typed })).status, 303, `${typed} accepted`);
  }
});

test('a complaint can name the report it is about: the reference is checked and kept with the complaint', async () => {
  const v = new Visitor(server.url);
  const form = await (await v.get('/feedback')).text();
  const token = /name="token" value="([^"]+)"/.exec(form)![1]!;
  const body = { token, feedbackType: 'complaint', message: 'Nobody called me back.', name: 'Sam', email: 'sam@example.com', website: '' };
  const bad = await expectValid('feedback (bad reference)', await v.post('/feedback', { ...body, aboutRef: 'HM-2345-6789' }), 400);
  assert.match(bad, /<a href="#aboutRef">Reference number is not right/);
  const [reported] = (await db.execute("select ref from cases where kind = 'report' limit 1")).rows;
  const ref = String(reported?.ref ?? (await sendAnonymousReport(), (await db.execute("select ref from cases where kind = 'report' limit 1")).rows[0]!.ref));
  const sent = await v.post('/feedback', { ...body, aboutRef: ref.toLowerCase().replace(/-/g, ' ') });
  assert.equal(sent.status, 303);
  const created = new URL(sent.headers.get('location')!, server.url).searchParams.get('ref');
  const row = (await db.execute({ sql: 'select description from cases where ref = ?', args: [created] })).rows[0]!;
  assert.match(String(row.description), new RegExp(`^About report ${ref}\\n\\nNobody called me back\\.$`));
});

test('the 999 warning for a category flagged emergency, and the tap-to-call 999 page, are valid HTML', async () => {
  const v = new Visitor(server.url);
  assert.equal((await v.post('/report/danger', { danger: 'no' })).status, 303);
  assert.equal((await v.post('/report/category', { category: 'fire-risk' })).status, 303);
  const description = await expectValid('description (emergency category)', await v.get('/report/description'), 200);
  assert.match(description, /class="warning-text"[\s\S]*href="tel:999"/);
  await expectValid('description (emergency category, errors)', await v.post('/report/description', {}), 400);
  const emergency = await expectValid('emergency', await v.get('/report/emergency'), 200);
  assert.match(emergency, /href="tel:999"/);
});

test('a named reporter who gives a phone number but no e-mail address gets a tracking code, shown once, that opens /track', async () => {
  let page = '';
  const { ref, trackCode } = await sendWebReport(server.url, { email: '', phone: '07700 900123', privacy: 'named', onConfirmation: (html) => (page = html) });
  assert.ok(trackCode, 'a tracking code on the confirmation page');
  assert.match(page, /You did not give an email address, so we cannot email you a link to your report/);
  assert.deepEqual(await htmlProblems(page, 'confirmation, no e-mail address'), []);
  const tracker = new Visitor(server.url);
  assert.equal((await tracker.post('/track', { ref, email: '', code: trackCode })).status, 303);
  assert.match(await (await tracker.get('/track/case')).text(), new RegExp(ref));
  const stored = (await db.execute({ sql: 'SELECT track_secret_hash IS NOT NULL AS has FROM cases WHERE ref = ?', args: [ref] })).rows[0]!;
  assert.equal(Number(stored.has), 1);
});
