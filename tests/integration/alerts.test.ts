/**
 * Area alerts by e-mail over HTTP against the built server, with a real SMTP server: double opt-in (one confirmation
 * e-mail, nothing else to an unconfirmed address, the same answer for an address already subscribed), the
 * List-Unsubscribe and List-Unsubscribe-Post headers on every alert e-mail, the one-click POST a mail client sends
 * (RFC 8058), the weekly digest run through the leased job runner with a controllable clock (once per week per
 * subscription, none when there is nothing new), subscriptions expired when the address bounces (a 550 from the
 * SMTP server), and the editors' counts per area without addresses. Every page and error state is valid HTML.
 * The test process opens the server's database file to run the digest job at a chosen time, as a second process
 * of the service would, and sends what it queued with its own outbox worker at that time.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import { startServer, type TestServer } from '../helpers/server.ts';
import { startSmtp, sentTo, type TestSmtp } from '../helpers/smtp.ts';
import { htmlProblems } from '../helpers/html.ts';
import { Visitor } from '../helpers/http.ts';
import { signInAs } from './staff-sign-in.ts';
import { closeDatabase, getDb, openDatabase } from '../../src/platform/db/client.ts';
import { alertSubscriptions, outbox } from '../../src/platform/db/schema.ts';
import { loadSigningKey } from '../../src/platform/security/signing.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import { setLogLevel } from '../../src/platform/log.ts';
import { createMailTransport } from '../../src/platform/mail/transport.ts';
import { OutboxWorker } from '../../src/platform/mail/outbox.ts';
import { runJobIfDue } from '../../src/platform/jobs.ts';
import { londonTime } from '../../src/platform/time/london.ts';
import { validateForm } from '../../src/platform/forms/index.ts';
import { actOnItem, createItem, KIND_SCHEMAS, type AchievementData, type Editor } from '../../src/domains/publishing/index.ts';
import { alertJobs, digestWeekOf, expireBouncedSubscriptions, sendAlertDigests } from '../../src/domains/alerts/index.ts';

const refused = new Set<string>();
let server: TestServer;
let smtp: TestSmtp;
let worker: OutboxWorker;
before(async () => {
  smtp = await startSmtp({ refuseRecipient: (address) => (refused.has(address) ? 550 : undefined) });
  server = await startServer({ SMTP_URL: smtp.url });
  setLogLevel('silent');
  await openDatabase({ url: server.dbUrl, timeoutMs: 15_000 });
  await loadSigningKey();
  worker = new OutboxWorker({ transport: createMailTransport({ smtpUrl: smtp.url, mailDir: 'tmp/mail-unused' }), from: 'Saferline <no-reply@saferline.invalid>', intervalMs: 60_000, batchSize: 1000 });
});
after(async () => {
  await worker?.stop();
  await closeDatabase();
  await server?.stop();
  await smtp?.close();
});

const config = loadSiteConfig('content');
const editorActor: Editor = { id: 'alerts-test-editor', name: 'Alerts Test', districtId: null, bindsDistrict: false };
const DAY = 86_400_000;
/** Monday 9am (London) of the week `weeks` after this one. */
function mondayAfter(weeks: number): number {
  const [y, m, d] = digestWeekOf(Date.now()).split('-').map(Number) as [number, number, number];
  return londonTime(y, m, d + 7 * weeks, 9);
}

/** Assert a response's status and valid HTML; returns the HTML. */
async function validPage(res: Response, label: string, status = 200): Promise<string> {
  const html = await res.text();
  assert.equal(res.status, status, `${label}: status`);
  assert.deepEqual(await htmlProblems(html, label), [], `${label}: valid HTML`);
  return html;
}

/** A raw header line of a received message, e.g. "List-Unsubscribe: <https://...>". */
function headerLine(mail: ParsedMail, name: string): string | undefined {
  return mail.headerLines.find((h) => h.key === name.toLowerCase())?.line.replace(/\r?\n[ \t]+/g, ' ');
}

/** Assert the alert headers of a message; returns its unsubscribe URL. */
function assertAlertHeaders(mail: ParsedMail, label: string): string {
  const list = headerLine(mail, 'List-Unsubscribe');
  assert.ok(list, `${label}: List-Unsubscribe present`);
  const url = /<(http[^>]+\/alerts\/unsubscribe\?token=[^>]+)>/.exec(list)?.[1];
  assert.ok(url?.startsWith(server.url), `${label}: the unsubscribe link is on this site (${list})`);
  assert.equal(headerLine(mail, 'List-Unsubscribe-Post'), 'List-Unsubscribe-Post: List-Unsubscribe=One-Click', `${label}: one-click header`);
  return url!;
}

/** Subscribe over HTTP; asserts the one answer (303 to check-email). */
async function subscribe(email: string, area: string): Promise<void> {
  const res = await new Visitor(server.url).post('/alerts', { email, area, website: '' });
  assert.equal(res.status, 303, `subscribe ${email}`);
  assert.equal(res.headers.get('location'), '/alerts/check-email');
}

/** The newest confirmation e-mail to an address, and its confirm link (a path). */
async function confirmationTo(email: string, nth = 1): Promise<{ mail: ParsedMail; path: string }> {
  await smtp.waitFor(() => smtp.messages.filter((m) => sentTo(m, email) && /Confirm your e-mail alerts/.test(m.subject ?? '')).length >= nth);
  const mail = smtp.messages.filter((m) => sentTo(m, email) && /Confirm your e-mail alerts/.test(m.subject ?? ''))[nth - 1]!;
  const url = /(http\S+\/alerts\/confirm\?token=\S+)/.exec(mail.text ?? '')?.[1];
  assert.ok(url, 'the confirmation has a confirm link');
  return { mail, path: url.slice(server.url.length) };
}

/** Subscribe and confirm through the e-mailed link (GET shows a button, the POST confirms). */
async function subscribeConfirmed(email: string, area: string): Promise<void> {
  await subscribe(email, area);
  const { path } = await confirmationTo(email);
  const token = new URL(path, server.url).searchParams.get('token')!;
  const res = await new Visitor(server.url).post(path, { token });
  assert.equal(res.status, 200);
  assert.match(await res.text(), /E-mail alerts confirmed/);
}

/** Publish a news item (achievement) about areas at a time, as an editor would. */
async function publishNews(title: string, areas: string[], at: number): Promise<void> {
  const form = { title, summary: `${title}: the summary.`, body: 'The story.', theme: 'asb', date: '1/3/2026', areas };
  const checked = validateForm(KIND_SCHEMAS.achievement, form);
  assert.ok(checked.ok);
  const created = await createItem(editorActor, 'achievement', checked.data as AchievementData, at);
  assert.ok(created.ok);
  assert.ok((await actOnItem(editorActor, created.id, 'publish', at)).ok);
}

/** The subscription rows of an address. */
const rowsOf = (email: string) => getDb().select().from(alertSubscriptions).where(eq(alertSubscriptions.email, email));
/** Alert e-mails queued to an address with a template. */
const queuedTo = (email: string, template: string) => getDb().select().from(outbox).where(and(eq(outbox.recipient, email), eq(outbox.template, template)));

test('double opt-in: the form and its errors, one confirmation e-mail with a signed link, confirm by button, and the same answer for an address already subscribed', async () => {
  const visitor = new Visitor(server.url);
  const form = await validPage(await visitor.get('/alerts?area=mill-lane'), 'subscribe form');
  assert.match(form, /<option value="mill-lane" selected/, 'the area page link preselects the area');
  const empty = await validPage(await visitor.post('/alerts', { email: '', area: '', website: '' }), 'subscribe: errors', 400);
  assert.match(empty, /<title>Error: /);
  assert.match(empty, /Enter your e-mail address/);
  assert.match(empty, /Select a ward or district/);
  const bot = await validPage(await visitor.post('/alerts', { email: 'bot@example.org', area: 'mill-lane', website: 'http://spam.example' }), 'subscribe: honeypot', 400);
  assert.match(bot, /could not be sent/);
  assert.equal((await rowsOf('bot@example.org')).length, 0, 'the honeypot stores nothing');

  await subscribe('Opt.In@Example.org', 'mill-lane');
  await validPage(await visitor.get('/alerts/check-email'), 'check your e-mail');
  const { mail, path } = await confirmationTo('opt.in@example.org');
  assertAlertHeaders(mail, 'confirmation');
  const [pending] = await rowsOf('opt.in@example.org');
  assert.equal(pending?.status, 'pending');
  assert.equal(pending?.areaId, 'mill-lane');

  await publishNews('Pending news', ['mill-lane'], Date.now() + 60_000);
  await sendAlertDigests({ areas: config.areas, links: { baseUrl: server.url, partnership: 'Test' } }, mondayAfter(1));
  assert.equal((await queuedTo('opt.in@example.org', 'alert-digest')).length, 0, 'nothing but the confirmation goes to an unconfirmed address');

  const ask = await validPage(await visitor.get(path), 'confirm: button');
  assert.match(ask, /Confirm e-mail alerts/);
  assert.equal((await rowsOf('opt.in@example.org'))[0]?.status, 'pending', 'following the link (as a mail scanner does) confirms nothing');
  const token = new URL(path, server.url).searchParams.get('token')!;
  const done = await validPage(await visitor.post(path, { token }), 'confirm: done');
  assert.match(done, /E-mail alerts confirmed/);
  assert.equal((await rowsOf('opt.in@example.org'))[0]?.status, 'confirmed');
  await validPage(await visitor.get('/alerts/confirm?token=forged~1~abc'), 'confirm: bad link', 404);
  await validPage(await visitor.post('/alerts/confirm?token=forged~1~abc', { token: 'forged~1~abc' }), 'confirm: bad link posted', 400);

  const before = (await queuedTo('opt.in@example.org', 'alert-confirm')).length;
  await subscribe('opt.in@example.org', 'mill-lane');
  assert.equal((await queuedTo('opt.in@example.org', 'alert-confirm')).length, before, 'an address already subscribed gets no e-mail, and the same answer');
  assert.equal((await rowsOf('opt.in@example.org')).length, 1);
});

test('a mail client\'s one-click POST unsubscribes at once without a page to confirm; the link then shows the address is not subscribed', async () => {
  await subscribe('one.click@example.org', 'northgate');
  const { mail } = await confirmationTo('one.click@example.org');
  const url = assertAlertHeaders(mail, 'confirmation');
  const path = url.slice(server.url.length);
  const visitor = new Visitor(server.url);
  const ask = await validPage(await visitor.get(path), 'unsubscribe: button');
  assert.match(ask, /<button[^>]*>\s*Unsubscribe\s*<\/button>/);

  const oneClick = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://mail.example.net' }, body: 'List-Unsubscribe=One-Click', redirect: 'manual' });
  assert.equal(oneClick.status, 200, 'RFC 8058: a 2xx straight away');
  assert.equal((await rowsOf('one.click@example.org')).length, 0, 'the subscription is deleted at once');
  const after = await validPage(await visitor.get(path), 'unsubscribe: already done');
  assert.match(after, /You are not subscribed/);
  const again = await fetch(url, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--x--\r\n' });
  assert.equal(again.status, 200, 'a second one-click POST is answered the same');
  await validPage(await fetch(`${server.url}/alerts/unsubscribe?token=nope`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' }), 'unsubscribe: bad link posted', 400);
  await validPage(await visitor.get('/alerts/unsubscribe?token=nope'), 'unsubscribe: bad link', 404);
});

test('the weekly digest: once per week per subscription through the leased job even with two runners, a district includes its wards, with the one-click headers; nothing new, no e-mail', async () => {
  await subscribeConfirmed('district.reader@example.org', 'brackenford');
  await subscribeConfirmed('ward.reader@example.org', 'saltings');
  const week1 = mondayAfter(1);
  await publishNews('Mill Lane lights fixed', ['mill-lane'], Date.now() + 120_000);

  const settings = { areas: config.areas, links: { baseUrl: server.url, partnership: 'Hollowmere Community Safety Partnership' } };
  const [digestJob] = alertJobs(settings);
  const outcomes = await Promise.all([runJobIfDue(digestJob!, { token: 'process-a', leaseMs: 60_000 }, week1), runJobIfDue(digestJob!, { token: 'process-b', leaseMs: 60_000 }, week1)]);
  assert.ok(outcomes.filter((o) => o === 'ran').length <= 1, 'one process at a time runs the job');
  await Promise.all([sendAlertDigests(settings, week1 + 1000), sendAlertDigests(settings, week1 + 1000)]);
  await sendAlertDigests(settings, week1 + 3 * DAY);
  assert.equal((await queuedTo('district.reader@example.org', 'alert-digest')).length, 1, 'one digest this week, however often it runs');
  assert.equal((await queuedTo('ward.reader@example.org', 'alert-digest')).length, 0, 'nothing in another ward: no e-mail');

  await worker.runOnce(week1 + 3 * DAY);
  const digest = await smtp.waitFor((m) => sentTo(m, 'district.reader@example.org') && /This week in Brackenford/.test(m.subject ?? ''));
  assert.match(digest.text ?? '', /Mill Lane lights fixed/, 'a district digest lists its wards\' news');
  assert.match(digest.text ?? '', new RegExp(`${server.url}/news/`), 'with a link to it');
  assertAlertHeaders(digest, 'digest');

  const week2 = mondayAfter(2);
  await sendAlertDigests(settings, week2);
  assert.equal((await queuedTo('district.reader@example.org', 'alert-digest')).length, 1, 'nothing new the next week: no digest');
  await publishNews('Brackenford patrols', ['brackenford'], week2 + 60_000);
  await sendAlertDigests(settings, week2 + 120_000);
  assert.equal((await queuedTo('district.reader@example.org', 'alert-digest')).length, 1, 'the week\'s run is done even when it found nothing');
  await sendAlertDigests(settings, mondayAfter(3));
  const digests = await queuedTo('district.reader@example.org', 'alert-digest');
  assert.equal(digests.length, 2, 'the next week lists what came since');
  assert.doesNotMatch(JSON.stringify(digests[1]!.payload), /Mill Lane lights fixed/, 'an item is listed once');
});

test('an address whose alert e-mail is refused for good (550) has its subscriptions expired; others stay', async () => {
  await subscribeConfirmed('bounce.me@example.org', 'mill-lane');
  await subscribeConfirmed('stays@example.org', 'mill-lane');
  await publishNews('Underpass murals finished', ['mill-lane'], Date.now() + 180_000);
  refused.add('bounce.me@example.org');
  const when = mondayAfter(4);
  const settings = { areas: config.areas, links: { baseUrl: server.url, partnership: 'Test' } };
  await sendAlertDigests(settings, when);
  await worker.runOnce(when);
  const [dead] = await queuedTo('bounce.me@example.org', 'alert-digest');
  assert.equal(dead?.status, 'dead', 'the outbox marks the refused message dead');
  assert.equal(await expireBouncedSubscriptions(), 1, 'the upkeep job\'s bounce check expires one subscription');
  assert.equal((await rowsOf('bounce.me@example.org')).length, 0, 'the bounced address is unsubscribed');
  assert.equal((await rowsOf('stays@example.org'))[0]?.status, 'confirmed', 'another address is untouched');
});

test('editors see confirmed subscribers per area, never addresses; a district editor sees their district only', async () => {
  await subscribe('not.confirmed@example.org', 'mill-lane');
  const { rows } = { rows: await getDb().select().from(alertSubscriptions).where(and(eq(alertSubscriptions.areaId, 'mill-lane'), eq(alertSubscriptions.status, 'confirmed'))) };
  const editor = await signInAs(server.url, 'editor@hollowmere.example');
  const html = await validPage(await editor.get('/staff/publishing/alerts'), 'alert counts');
  const cell = (area: string) => new RegExp(`data-area="${area}">[\\s\\S]*?<td class="table__cell">[^<]*</td>\\s*<td class="table__cell">(\\d+)</td>`).exec(html)?.[1];
  assert.equal(cell('mill-lane'), String(rows.length), 'confirmed subscriptions only');
  assert.equal(cell('brackenford'), '1');
  assert.doesNotMatch(html, /@example\.org/, 'no addresses');
  const district = await signInAs(server.url, 'eastmere-editor@hollowmere.example');
  const own = await validPage(await district.get('/staff/publishing/alerts'), 'alert counts: district editor');
  assert.doesNotMatch(own, /data-area="mill-lane"/, 'another district\'s wards are not shown');
  assert.match(own, /data-area="eastmere"/);
});

test('a subscription asked for in Welsh keeps its language: the confirmation and the weekly digest are in Welsh', async () => {
  const welsh = new Visitor(server.url);
  welsh.cookies.set('lang', 'cy');
  const res = await welsh.post('/alerts', { email: 'cymraeg.reader@example.org', area: 'mill-lane', website: '' });
  assert.equal(res.status, 303);
  const [row] = (await getDb().select().from(alertSubscriptions).where(eq(alertSubscriptions.email, 'cymraeg.reader@example.org')));
  assert.equal(row?.language, 'cy', 'the subscription records the language');
  const mail = await smtp.waitFor((m) => sentTo(m, 'cymraeg.reader@example.org'));
  assert.equal(mail.subject, 'Cadarnhewch eich rhybuddion e-bost ar gyfer Mill Lane');
  assert.match(mail.text ?? '', /Mae'r ddolen yn gweithio am 48 awr/);
  assert.match(mail.html || '', /<html lang="cy">/);
  const path = /(http\S+\/alerts\/confirm\?token=\S+)/.exec(mail.text ?? '')![1]!.slice(server.url.length);
  assert.equal((await welsh.post(path, { token: new URL(path, server.url).searchParams.get('token')! })).status, 200);

  const week = mondayAfter(6);
  await publishNews('Mill Lane benches mended', ['mill-lane'], week + 60_000);
  await sendAlertDigests({ areas: config.areas, links: { baseUrl: server.url, partnership: 'Hollowmere Community Safety Partnership' } }, week + 120_000);
  await worker.runOnce(week + 120_000);
  const digest = await smtp.waitFor((m) => sentTo(m, 'cymraeg.reader@example.org') && /Yr wythnos hon yn Mill Lane/.test(m.subject ?? ''));
  assert.match(digest.text ?? '', /Newyddion\n- Mill Lane benches mended/);
  assert.match(digest.text ?? '', /Dad-danysgrifio: http/);
  assertAlertHeaders(digest, 'Welsh digest');
});
