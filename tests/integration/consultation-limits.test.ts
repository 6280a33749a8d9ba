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

test('one response per e-mail address: a second response from the same address stores nothing, looks like a first to whoever sent it, and its owner is told by e-mail', async () => {
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
  // A second response from the same address: the page cannot tell whether the address took part (it answers as for a
  // first response), and the address's owner is told by e-mail instead. Nothing new is stored.
  const again = await second.post(`/consultations/${slug}/finish`, { email: 'One.Voice@Example.org', ageBand: '', wardId: '' });
  assert.equal(again.status, 303);
  assert.equal(again.headers.get('location'), sent.headers.get('location'), 'the same answer as for a first response');
  const told = await smtp.waitFor((m) => sentTo(m, 'one.voice@example.org') && /You have already responded/.test(m.subject ?? ''));
  assert.match(told.text ?? '', /the new answers were not kept/);
  assert.equal(await count('select count(*) as n from consultation_responses where consultation_id = ?', [id]), 1, 'only one response is stored');
});

test('one response per e-mail address: "about you" counts only once the response is confirmed, and a confirmation after the close is refused and changes nothing', async () => {
  const { id, slug } = await openConsultation(editor, 'Confirm before the close', { onePerEmail: true });
  const profiles = () => count('select coalesce(sum(n), 0) as n from consultation_profile_counts where consultation_id = ?', [id]);
  const respond = async (address: string, email: string) => {
    const resident = residentAt(address);
    await answer(resident, slug);
    assert.equal((await resident.post(`/consultations/${slug}/finish`, { email, ageBand: '25-44', wardId: 'mill-lane' })).status, 303);
    const mail = await smtp.waitFor((m) => sentTo(m, email) && /Confirm your response/.test(m.subject ?? ''));
    return { resident, token: new URL(/https?:\/\/\S+\/confirm\?token=\S+/.exec(mail.text ?? '')![0]).searchParams.get('token')! };
  };
  const early = await respond('203.0.113.20', 'early.bird@example.org');
  const late = await respond('203.0.113.21', 'late.comer@example.org');
  assert.equal(await profiles(), 0, 'not counted while unconfirmed');
  assert.equal((await early.resident.post(`/consultations/${slug}/confirm?token=${encodeURIComponent(early.token)}`, { token: early.token })).status, 200);
  assert.equal(await profiles(), 1, 'counted with its response');
  const wrong = `${early.token.split('.')[0]}.not-the-secret`;
  const forged = await early.resident.post(`/consultations/${slug}/confirm?token=${encodeURIComponent(wrong)}`, { token: wrong });
  assert.equal(forged.status, 400, 'a wrong secret is refused, even for a response confirmed already');
  await forged.arrayBuffer();
  assert.equal((await editor.post(`/staff/consultations/${id}`, { intent: 'close', confirm: 'yes' })).status, 303);
  const refused = await late.resident.post(`/consultations/${slug}/confirm?token=${encodeURIComponent(late.token)}`, { token: late.token });
  assert.equal(refused.status, 400);
  const html = await refused.text();
  assert.match(html, /error-summary[\s\S]*This consultation has closed, so a response can no longer be confirmed\./);
  assert.deepEqual(await htmlProblems(html, 'confirm after the close'), []);
  assert.equal(await count("select count(*) as n from consultation_responses where consultation_id = ? and state = 'counted'", [id]), 1, 'the results do not change');
  assert.equal(await profiles(), 1);
});

test('a burst of responses from one address beyond the limit gets a 429 page and stores nothing', async () => {
  const { id, slug } = await openConsultation(editor, 'Burst of responses');
  const residents = Array.from({ length: 4 }, () => residentAt('198.51.100.20'));
  for (const r of residents) await answer(r, slug);
  for (const r of residents.slice(0, 3)) assert.equal((await r.post(`/consultations/${slug}/finish`, { ageBand: '', wardId: '' })).headers.get('location'), `/consultations/${slug}/done`);
  const refused = await residents[3]!.post(`/consultations/${slug}/finish`, { ageBand: '25-44', wardId: '' });
  const html = await refused.text();
  assert.equal(refused.status, 429);
  assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);
  assert.match(summary(html), /There is a problem .*A lot of consultation responses have been sent from your connection recently\. Try again in (about an hour|\d+ minutes?)/);
  assert.match(html, /<title>Error: /, 'the title says there is an error');
  assert.match(html, /<input[^>]*value="25-44"[^>]*checked|<input[^>]*checked[^>]*value="25-44"/, 'the answer is kept in the form');
  assert.deepEqual(await htmlProblems(html, 'response 429'), []);
  assert.equal(await count('select count(*) as n from consultation_responses where consultation_id = ?', [id]), 3, 'the refused response is not stored');
  assert.equal(await count('select coalesce(sum(n), 0) as n from consultation_profile_counts where consultation_id = ?', [id]), 0, 'nor its "about you"');
  assert.equal(await count('select count(*) as n from consultation_drafts where consultation_id = ?', [id]), 1, 'its draft is kept to try again later');
  const elsewhere = residentAt('198.51.100.21');
  await answer(elsewhere, slug);
  assert.equal((await elsewhere.post(`/consultations/${slug}/finish`, {})).status, 303, 'another address is not held up');
});

test('starting responses (new drafts) from one address is limited too: beyond twice the form limit a 429 that starts nothing and keeps the answer', async () => {
  const { id, slug } = await openConsultation(editor, 'Many starts');
  for (let i = 0; i < 6; i++) await answer(residentAt('198.51.100.60'), slug);
  assert.equal(await count('select count(*) as n from consultation_drafts where consultation_id = ?', [id]), 6);
  const refused = await residentAt('198.51.100.60').post(`/consultations/${slug}/respond?section=1`, { action: 'continue', q1: '2' });
  const html = await refused.text();
  assert.equal(refused.status, 429);
  assert.match(summary(html), /A lot of responses have been started from your connection recently/);
  assert.match(html, /<input[^>]*value="2"[^>]*checked|<input[^>]*checked[^>]*value="2"/, 'the answer is kept in the form');
  assert.deepEqual(await htmlProblems(html, 'start 429'), []);
  assert.equal(refused.headers.get('set-cookie'), null, 'no draft cookie');
  assert.equal(await count('select count(*) as n from consultation_drafts where consultation_id = ?', [id]), 6, 'no seventh draft');
  await answer(residentAt('198.51.100.61'), slug);
});

test('parallel registrations from one address: exactly the limit get through, the rest get 429 and store nothing', async () => {
  const { id } = await openConsultation(editor, 'Parallel registrations');
  const added = await editor.post(`/staff/consultations/${id}/meetings`, { intent: 'add', title: 'Busy meeting', 'starts-day': '1', 'starts-month': '1', 'starts-year': String(new Date().getUTCFullYear() + 1), 'starts-time': '6pm', minutes: '60', place: 'Town Hall', areaId: '', stepFree: 'yes', hearingLoop: 'yes', accessNotes: '', capacity: '2' });
  assert.equal(added.status, 303);
  const meetingId = /data-meeting="([^"]+)"/.exec(await (await editor.get(`/staff/consultations/${id}/meetings`)).text())![1]!;
  const burst = await Promise.all(Array.from({ length: 8 }, (_, i) => residentAt('192.0.2.30').post(`/meetings/${meetingId}`, { name: `Person ${i}`, email: `person${i}@example.org` })));
  const statuses = burst.map((r) => r.status).sort();
  assert.deepEqual(statuses, [303, 303, 303, 429, 429, 429, 429, 429]);
  const refused = burst.find((r) => r.status === 429)!;
  const html = await refused.text();
  assert.match(summary(html), /A lot of meeting registrations have been made from your connection recently/);
  assert.deepEqual(await htmlProblems(html, 'registration 429'), []);
  assert.equal(await count('select count(*) as n from meeting_registrations where meeting_id = ?', [meetingId]), 3, 'only the registrations let through are stored');
  const trapped = await residentAt('192.0.2.31').post(`/meetings/${meetingId}`, { name: 'Robot', email: 'robot@example.org', website: 'http://spam.example' });
  assert.equal(trapped.headers.get('location'), `/meetings/${meetingId}?registered=booked`, 'a filled honeypot looks like success');
  assert.equal(await count("select count(*) as n from meeting_registrations where email = 'robot@example.org'", []), 0, 'and stores nothing');
});

test('resume links: a burst beyond the limit gets 429 and sends nothing; a filled honeypot on any public form looks like success and stores nothing', async () => {
  const { id, slug } = await openConsultation(editor, 'Come back later');
  const resident = residentAt('198.51.100.40');
  await resident.post(`/consultations/${slug}/respond?section=1`, { action: 'save', q1: '1' });
  for (let i = 0; i < 3; i++) assert.equal((await resident.post(`/consultations/${slug}/save`, { email: `later${i}@example.org` })).status, 200);
  const refused = await resident.post(`/consultations/${slug}/save`, { email: 'later3@example.org' });
  const html = await refused.text();
  assert.equal(refused.status, 429);
  assert.match(summary(html), /A lot of &quot;come back later&quot; links have been asked for from your connection recently/);
  assert.deepEqual(await htmlProblems(html, 'resume link 429'), []);
  assert.equal(await count("select count(*) as n from outbox where recipient = 'later3@example.org'", []), 0, 'no link is sent');

  const robot = residentAt('198.51.100.41');
  await robot.post(`/consultations/${slug}/respond?section=1`, { action: 'save', q1: '2' });
  const fakeSave = await robot.post(`/consultations/${slug}/save`, { email: 'robot@example.org', website: 'buy now' });
  assert.equal(fakeSave.status, 200);
  assert.match(await fakeSave.text(), /We have sent a link to robot@example.org/, 'the honeypot save looks like success');
  assert.equal(await count("select count(*) as n from outbox where recipient = 'robot@example.org'", []), 0, 'but sends nothing');
  const fakeSend = await robot.post(`/consultations/${slug}/finish`, { ageBand: '18-24', wardId: '', website: 'buy now' });
  assert.equal(fakeSend.headers.get('location'), `/consultations/${slug}/done`, 'the honeypot response looks like success');
  assert.equal(await count('select count(*) as n from consultation_responses where consultation_id = ?', [id]), 0, 'but stores no response');
  assert.equal(await count('select coalesce(sum(n), 0) as n from consultation_profile_counts where consultation_id = ?', [id]), 0, 'and no "about you"');
});

test('a section takes the longest free-text answers its builder allows, in any script; a larger body gets 413; the builder keeps a section within one page', async () => {
  const { id, slug } = await openConsultation(editor, 'Long answers', { publish: false, aboutYou: false });
  const add = (label: string, max: string) => editor.post(`/staff/consultations/${id}`, { intent: 'add', type: 'text', label, required: 'yes', section: '1', hint: '', options: '', max, points: '', showWhen: '' });
  assert.equal((await add('What happened?', '5000')).status, 303);
  assert.equal((await add('What would help?', '5000')).status, 303);
  const over = await add('Anything else?', '2001');
  assert.equal(over.status, 400, 'a third long question would take the page past what it can send');
  assert.match(summary(await over.text()), /The free-text answers of section 1 would allow 12,001 characters, but one page can take 12,000 at most/);
  assert.equal((await editor.post(`/staff/consultations/${id}`, { intent: 'publish' })).status, 303);
  const resident = residentAt('203.0.113.60');
  // 5,000 characters of 3 bytes each, twice: about 90,000 bytes once URL-encoded, past the 32 kB default and the 64 kB of a report step.
  const long = 'ভাল'.repeat(1666) + 'ভা';
  assert.equal(long.length, 5000);
  const sent = await resident.post(`/consultations/${slug}/respond?section=1`, { action: 'continue', q1: '1', q2: long, q3: long });
  assert.equal(sent.status, 303, 'the longest answers are accepted');
  assert.equal(sent.headers.get('location'), `/consultations/${slug}/finish`);
  const [draft] = (await db.execute({ sql: 'select answers from consultation_drafts where consultation_id = ?', args: [id] })).rows;
  assert.equal(JSON.parse(String(draft!.answers)).q3, long, 'and kept whole');
  const tooBig = await resident.post(`/consultations/${slug}/respond?section=1`, { action: 'continue', q1: '1', q2: long, q3: long, q4: 'x'.repeat(80_000) });
  assert.equal(tooBig.status, 413, 'a body past 160 kB is still refused');
});

test('the builder keeps a section\'s fields within one page and options to 20; keying in a whole survey of more than 200 fields works', async () => {
  const { id, slug } = await openConsultation(editor, 'Many options', { publish: false, aboutYou: false });
  const twenty = Array.from({ length: 20 }, (_, i) => `Option ${i + 1}`).join('\n');
  const add = (label: string, section: string, options = twenty) => editor.post(`/staff/consultations/${id}`, { intent: 'add', type: 'multiple', label, required: 'no', section, hint: '', options, max: '', points: '', showWhen: '' });
  const tooMany = await add('Which of these?', '1', `${twenty}\nOption 21`);
  assert.equal(tooMany.status, 400, 'a 21st option is refused, not dropped');
  assert.match(summary(await tooMany.text()), /Enter 20 options or fewer, one per line/);
  // Section 1 holds the single choice question (1 field) and nine of 20 options: 181 fields.
  for (let n = 1; n <= 9; n++) assert.equal((await add(`First page ${n}`, '1')).status, 303);
  const over = await add('First page 10', '1');
  assert.equal(over.status, 400, 'a tenth would take the page past what it can send');
  const overHtml = await over.text();
  assert.deepEqual(await htmlProblems(overHtml, 'section over its fields'), []);
  assert.match(summary(overHtml), /The questions of section 1 would send up to 201 answers \(a multiple choice or ranking question sends one for each option\), but one page can take 190: put the question in another section/);
  assert.match(overHtml, /value="First page 10"/, 'what was typed is kept');
  for (let n = 1; n <= 9; n++) assert.equal((await add(`Second page ${n}`, '2')).status, 303);
  assert.equal((await editor.post(`/staff/consultations/${id}`, { intent: 'publish' })).status, 303);

  const everyOption = (keys: string[], extra: [string, string][]) => new URLSearchParams([...extra, ...keys.flatMap((k) => Array.from({ length: 20 }, (_, i): [string, string] => [k, String(i + 1)]))]);
  const firstKeys = Array.from({ length: 9 }, (_, i) => `q${i + 2}`);
  const secondKeys = Array.from({ length: 9 }, (_, i) => `q${i + 11}`);
  // A resident ticks every option of section 1: 182 fields with the button.
  const resident = residentAt('203.0.113.61');
  const first = await resident.post(`/consultations/${slug}/respond?section=1`, everyOption(firstKeys, [['action', 'continue'], ['q1', '1']]));
  assert.equal(first.status, 303, 'a full section is accepted');
  // Keying in the whole survey on one page: 362 fields.
  const keyed = await editor.post(`/staff/consultations/${id}/respond`, everyOption([...firstKeys, ...secondKeys], [['channel', 'paper'], ['q1', '1']]));
  assert.equal(keyed.status, 303, 'every section\'s worth is accepted on the key-in page');
  const [stored] = (await db.execute({ sql: "select answers from consultation_responses where consultation_id = ? and channel = 'paper'", args: [id] })).rows;
  const answers = JSON.parse(String(stored!.answers)) as Record<string, unknown>;
  assert.equal((answers.q19 as string[]).length, 20, 'the last question keeps all 20 answers');
  // Past the limit elsewhere: still refused before the page runs.
  const flood = new URLSearchParams(Array.from({ length: 201 }, (_, i): [string, string] => [`f${i}`, 'x']));
  assert.equal((await resident.post(`/consultations/${slug}/respond?section=1`, flood)).status, 413);
});

test('ticked boxes stay ticked when a page is refused, online and keyed in; "save and come back later" keeps a page part-answered', async () => {
  const { id, slug } = await openConsultation(editor, 'Boxes stay ticked', { publish: false, aboutYou: false });
  assert.equal((await editor.post(`/staff/consultations/${id}`, { intent: 'add', type: 'multiple', label: 'Which worry you?', required: 'no', section: '1', hint: '', options: 'Litter\nNoise\nLighting', max: '', points: '', showWhen: '' })).status, 303);
  assert.equal((await editor.post(`/staff/consultations/${id}`, { intent: 'publish' })).status, 303);
  const ticked = (html: string) => [...html.matchAll(/<input[^>]*name="q2"[^>]*value="(\d)"[^>]*checked/g)].map((m) => m[1]);
  const resident = residentAt('203.0.113.70');
  // q1 (required) left out: refused, and both ticks come back.
  const refused = await resident.post(`/consultations/${slug}/respond?section=1`, new URLSearchParams([['action', 'continue'], ['q2', '1'], ['q2', '3']]));
  assert.equal(refused.status, 400);
  assert.deepEqual(ticked(await refused.text()), ['1', '3']);
  // Saving part-way is not refused for the answer still to give.
  const saved = await resident.post(`/consultations/${slug}/respond?section=1`, new URLSearchParams([['action', 'save'], ['q2', '1'], ['q2', '3']]));
  assert.equal(saved.status, 303);
  assert.equal(saved.headers.get('location'), `/consultations/${slug}/save?section=1`);
  const [draft] = (await db.execute({ sql: 'select answers from consultation_drafts where consultation_id = ?', args: [id] })).rows;
  assert.deepEqual(JSON.parse(String(draft!.answers)), { q2: ['1', '3'] });
  assert.deepEqual(ticked(await (await resident.get(`/consultations/${slug}/respond?section=1`)).text()), ['1', '3'], 'and shown again');
  // Keyed in without the channel: refused, the ticks kept.
  const keyed = await editor.post(`/staff/consultations/${id}/respond`, new URLSearchParams([['q1', '1'], ['q2', '2'], ['q2', '3']]));
  assert.equal(keyed.status, 400);
  assert.deepEqual(ticked(await keyed.text()), ['2', '3']);
});
