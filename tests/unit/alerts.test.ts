/**
 * Alerts on a real database with a controllable clock: the London week and the Monday 8am start, retention (an
 * unconfirmed subscription is deleted after 7 days, a confirmed one is kept, old alert e-mails leave the outbox),
 * signed links that expire and cannot be swapped between purposes, and what a digest lists (a meeting once, when it
 * is added or comes within 14 days); subject access and erasure include alert subscriptions.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { openTestDatabase } from '../helpers/db.ts';
import { getDb } from '../../src/platform/db/client.ts';
import { alertSubscriptions, outbox } from '../../src/platform/db/schema.ts';
import { loadSigningKey } from '../../src/platform/security/signing.ts';
import { londonTime } from '../../src/platform/time/london.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import {
  CONFIRMATIONS_PER_DAY, confirmSubscription, confirmToken, digestAreaIds, digestSections, digestWeekOf, findByUnsubscribeToken, isDigestTime, purgeAlertMail, purgeUnconfirmed, subscribeToAlerts, unsubscribe, unsubscribeToken,
  CONFIRM_LINK_MS, type DigestCandidate,
} from '../../src/domains/alerts/index.ts';
import { eraseSubject, exportSubjectData, readSubject } from '../../src/domains/privacy/index.ts';

let cleanup: () => Promise<void>;
before(async () => {
  ({ cleanup } = await openTestDatabase());
  await loadSigningKey('unit-test-signing-key');
});
after(() => cleanup());

const DAY = 86_400_000;
const links = { baseUrl: 'https://saferline.example', partnership: 'Hollowmere CSP' };
/** Monday 2 March 2026, 10:00 in London (GMT). */
const MONDAY_10 = londonTime(2026, 3, 2, 10);

test('the digest week is named by its London Monday, and its digests start at 8am that Monday', () => {
  assert.equal(digestWeekOf(MONDAY_10), '2026-03-02');
  assert.equal(digestWeekOf(londonTime(2026, 3, 8, 23.5)), '2026-03-02', 'Sunday night is the same week');
  assert.equal(digestWeekOf(londonTime(2026, 3, 30, 0.5)), '2026-03-30', 'across the change to summer time');
  assert.equal(isDigestTime(londonTime(2026, 3, 2, 7.9)), false);
  assert.equal(isDigestTime(londonTime(2026, 3, 2, 8)), true);
  assert.equal(isDigestTime(londonTime(2026, 3, 4, 3)), true, 'a missed Monday is made up later in the week');
});

test('an unconfirmed subscription is deleted after 7 days; a confirmed one stays; old alert e-mails leave the outbox', async () => {
  await subscribeToAlerts('Late.Confirmer@Example.org', { id: 'mill-lane', name: 'Mill Lane' }, links, MONDAY_10);
  await subscribeToAlerts('never@example.org', { id: 'mill-lane', name: 'Mill Lane' }, links, MONDAY_10);
  const [late] = await getDb().select().from(alertSubscriptions).where(eq(alertSubscriptions.email, 'late.confirmer@example.org'));
  assert.ok(late, 'addresses are stored lower-cased');
  assert.equal(await confirmSubscription(confirmToken(late.id, MONDAY_10), MONDAY_10 + CONFIRM_LINK_MS + 1), null, 'the confirm link expires');
  assert.equal(await confirmSubscription(unsubscribeToken(late.id, MONDAY_10), MONDAY_10), null, 'an unsubscribe token does not confirm');
  assert.equal(await confirmSubscription(confirmToken(late.id, MONDAY_10), MONDAY_10 + DAY), 'mill-lane');
  assert.equal(await purgeUnconfirmed(MONDAY_10 + 7 * DAY - 1), 0, 'kept for 7 days');
  assert.equal(await purgeUnconfirmed(MONDAY_10 + 7 * DAY), 1);
  const left = await getDb().select().from(alertSubscriptions);
  assert.deepEqual(left.map((r) => [r.email, r.status]), [['late.confirmer@example.org', 'confirmed']]);
  assert.equal((await findByUnsubscribeToken(confirmToken(late.id, MONDAY_10), MONDAY_10)).valid, false, 'a confirm token does not unsubscribe');
  assert.equal(await unsubscribe(confirmToken(late.id, MONDAY_10), MONDAY_10), false);

  await getDb().update(outbox).set({ status: 'sent' });
  assert.equal(await purgeAlertMail(MONDAY_10 + 30 * DAY - 1), 0);
  assert.equal(await purgeAlertMail(MONDAY_10 + 30 * DAY), 2, 'both confirmation e-mails go after 30 days');
});

test('a digest lists what became public since the last one, about the area and its wards; a meeting once, when added or coming within 14 days', () => {
  const from = MONDAY_10;
  const now = MONDAY_10 + 7 * DAY;
  const candidates: DigestCandidate[] = [
    { section: 'news', title: 'Old news', path: '/news/old', areaIds: ['mill-lane'], at: from - 1 },
    { section: 'news', title: 'Ward news', path: '/news/ward', areaIds: ['mill-lane'], at: from + DAY },
    { section: 'news', title: 'Elsewhere', path: '/news/else', areaIds: ['saltings'], at: from + DAY },
    { section: 'results', title: 'Results out', path: '/consultations/x', areaIds: ['brackenford'], at: from + 2 * DAY },
    { section: 'meetings', title: 'Added this week', path: '/meetings/a', areaIds: ['mill-lane'], at: from + DAY, startsAt: now + 10 * DAY },
    { section: 'meetings', title: 'Came into range', path: '/meetings/b', areaIds: ['mill-lane'], at: from - 30 * DAY, startsAt: now + 13 * DAY },
    { section: 'meetings', title: 'Listed last week', path: '/meetings/c', areaIds: ['mill-lane'], at: from - 30 * DAY, startsAt: now + 5 * DAY },
    { section: 'meetings', title: 'Too far ahead', path: '/meetings/d', areaIds: ['mill-lane'], at: from + DAY, startsAt: now + 20 * DAY },
  ];
  const sections = digestSections(candidates, ['brackenford', 'mill-lane', 'northgate'], from, now, 'https://saferline.example/');
  assert.deepEqual(sections.map((s) => [s.heading, s.entries.map((e) => e.title)]), [
    ['News', ['Ward news']],
    ['Consultation results', ['Results out']],
    ['Public meetings coming up', ['Added this week', 'Came into range']],
  ]);
  assert.equal(sections[0]!.entries[0]!.url, 'https://saferline.example/news/ward');
  assert.deepEqual(digestSections(candidates, ['eastmere-harbour'], from, now, links.baseUrl), [], 'nothing for the area: nothing to send');
});

test('subject access lists an address\'s alert subscriptions, and erasure deletes them with their e-mails', async () => {
  await subscribeToAlerts('rights@example.org', { id: 'saltings', name: 'Saltings' }, links, MONDAY_10);
  const subject = readSubject('Rights@Example.org')!;
  const admin = { kind: 'user' as const, id: 'admin-1' };
  const document = await exportSubjectData(subject, admin, 'Hollowmere CSP', MONDAY_10);
  assert.deepEqual(document.alertSubscriptions.map((a) => [a.area, a.status]), [['saltings', 'pending']]);
  assert.deepEqual(document.emails.map((e) => e.template), ['alert-confirm']);
  assert.ok((await eraseSubject(subject, admin, 'tmp/unused-uploads', MONDAY_10)).ok);
  assert.equal((await getDb().select().from(alertSubscriptions).where(eq(alertSubscriptions.email, 'rights@example.org'))).length, 0);
  assert.equal((await getDb().select().from(outbox).where(eq(outbox.recipient, 'rights@example.org'))).length, 0);
});

test('a confirmation sent again on day 6 works its full 48 hours: the unconfirmed subscription is kept 7 days from the latest e-mail', async () => {
  const start = MONDAY_10 + 60 * DAY;
  const area = { id: 'northgate', name: 'Northgate' };
  await subscribeToAlerts('second.try@example.org', area, links, start);
  const [row] = await getDb().select().from(alertSubscriptions).where(eq(alertSubscriptions.email, 'second.try@example.org'));
  const again = start + 6 * DAY;
  await subscribeToAlerts('second.try@example.org', area, links, again);
  const [resent] = await getDb().select().from(alertSubscriptions).where(eq(alertSubscriptions.id, row!.id));
  assert.equal(resent!.confirmSentAt, again);
  const lastMinute = again + CONFIRM_LINK_MS - 60_000;
  await purgeUnconfirmed(lastMinute);
  assert.equal((await getDb().select().from(alertSubscriptions).where(eq(alertSubscriptions.id, row!.id))).length, 1, 'not purged 7 days after it began');
  assert.equal(await confirmSubscription(confirmToken(row!.id, again), lastMinute), 'northgate', 'the link sent again still confirms');

  await subscribeToAlerts('gave.up@example.org', area, links, start);
  await subscribeToAlerts('gave.up@example.org', area, links, again);
  await purgeUnconfirmed(again + 7 * DAY - 1);
  assert.equal((await getDb().select().from(alertSubscriptions).where(eq(alertSubscriptions.email, 'gave.up@example.org'))).length, 1, 'kept 7 days from the latest e-mail');
  await purgeUnconfirmed(again + 7 * DAY);
  assert.equal((await getDb().select().from(alertSubscriptions).where(eq(alertSubscriptions.email, 'gave.up@example.org'))).length, 0, 'then deleted');
});

test('an address is sent at most CONFIRMATIONS_PER_DAY confirmations a day across areas, and asking again about a confirmed area uses none', async () => {
  const day = MONDAY_10 + 120 * DAY;
  const address = 'many.areas@example.org';
  const sent = async () => (await getDb().select().from(outbox).where(and(eq(outbox.template, 'alert-confirm'), eq(outbox.recipient, address)))).length;
  await subscribeToAlerts(address, { id: 'mill-lane', name: 'Mill Lane' }, links, day);
  const [first] = await getDb().select().from(alertSubscriptions).where(eq(alertSubscriptions.email, address));
  assert.equal(await confirmSubscription(confirmToken(first!.id, day), day + 1000), 'mill-lane');
  // Asking again about the confirmed area, more often than the budget: nothing is sent, and nothing is used up.
  for (let i = 0; i < CONFIRMATIONS_PER_DAY + 2; i++) await subscribeToAlerts(address, { id: 'mill-lane', name: 'Mill Lane' }, links, day + 2000 + i);
  assert.equal(await sent(), 1);
  // Then new areas: each gets its confirmation until the day's budget (the first e-mail counted) is spent.
  const areas = ['northgate', 'saltings', 'windle', 'fenwick-park', 'eastmere-harbour', 'hollow-cross'];
  for (const [i, id] of areas.entries()) await subscribeToAlerts(address, { id, name: id }, links, day + 10_000 + i);
  assert.equal(await sent(), CONFIRMATIONS_PER_DAY, 'new areas are sent a confirmation up to the budget');
  const pending = await getDb().select().from(alertSubscriptions).where(and(eq(alertSubscriptions.email, address), eq(alertSubscriptions.status, 'pending')));
  assert.equal(pending.length, CONFIRMATIONS_PER_DAY - 1, 'an area past the budget gets no subscription either');
  // The next day the budget is back.
  await subscribeToAlerts(address, { id: areas.at(-1)!, name: 'Last' }, links, day + 2 * DAY);
  assert.equal(await sent(), CONFIRMATIONS_PER_DAY + 1);
});

test('a subscription hears about its area, the areas within it, the areas it is within, and the whole partnership', () => {
  const { areas } = loadSiteConfig('content');
  assert.deepEqual(digestAreaIds(areas, 'mill-lane'), ['mill-lane', 'brackenford', 'hollowmere', '*'], 'a ward: its district and the partnership too');
  assert.deepEqual(digestAreaIds(areas, 'brackenford'), ['brackenford', 'brackenford-central', 'mill-lane', 'northgate', 'fenwick-park', 'hollowmere', '*'], 'a district: its wards too');
  const from = MONDAY_10;
  const now = MONDAY_10 + 7 * DAY;
  const candidates: DigestCandidate[] = [
    { section: 'opened', title: 'Community safety strategy', path: '/consultations/strategy', areaIds: ['*'], at: from + DAY },
    { section: 'news', title: 'District news', path: '/news/district', areaIds: ['brackenford'], at: from + DAY },
    { section: 'news', title: 'Another district', path: '/news/other', areaIds: ['eastmere'], at: from + DAY },
  ];
  const titles = (id: string) => digestSections(candidates, digestAreaIds(areas, id), from, now, links.baseUrl).flatMap((s) => s.entries.map((e) => e.title));
  assert.deepEqual(titles('mill-lane'), ['District news', 'Community safety strategy']);
  assert.deepEqual(titles('lydgate'), ['Community safety strategy'], 'a partnership-wide consultation reaches every subscriber');
  assert.deepEqual(titles('saltings'), ['Another district', 'Community safety strategy'], 'its own district\'s news');
});
