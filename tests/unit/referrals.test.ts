import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, asc, eq, like } from 'drizzle-orm';
import { openTestDatabase } from '../helpers/db.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { auditEvents, caseEvents, cases, outbox, referralDeliveries, referrals } from '../../src/platform/db/schema.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import { bulkAction, changeStatus, findCase } from '../../src/domains/cases/actions.ts';
import { listQueue, parseQueueQuery } from '../../src/domains/cases/queue.ts';
import { nextDue, readTimers, startTimers } from '../../src/domains/cases/timers.ts';
import {
  actOnReferral, buildSnapshot, caseStatusFor, escalateOverdueReferrals, findReferralFor, referralHistory, isReferralOverdue, listAgencyReferrals, moveReferral, referCase, referralDueWords,
  passedToWords, shareableFields, snapshotOf, trackPartnerWords, type ReferralSettings,
} from '../../src/domains/referrals/index.ts';
import type { StaffActor } from '../../src/domains/cases/actions.ts';
import { insertCase, insertReporter, insertUser, settings as caseSettings } from './cases-fixtures.ts';

let database: Database;
let cleanup: () => Promise<void>;
before(async () => ({ database, cleanup } = await openTestDatabase()));
after(() => cleanup());

const config = loadSiteConfig('content');
const settings: ReferralSettings = { ...caseSettings, config };
const partnerOf = (agencyId: string, id = `partner-${agencyId}`): StaffActor => ({ id, permissions: ['referral.partner'], bindsAgency: true, agencyId });
const agency = (id: string) => config.agencies.find((a) => a.id === id)!;
/** Monday 2 March 2026, 10:00 in London (GMT), a working day. */
const MONDAY_10 = Date.UTC(2026, 2, 2, 10);

test('lifecycle: the allowed moves, and a refused move names the allowed ones', () => {
  assert.deepEqual(moveReferral('sent', 'acknowledge'), { ok: true, to: 'acknowledged' });
  assert.deepEqual(moveReferral('acknowledged', 'accept'), { ok: true, to: 'accepted' });
  assert.deepEqual(moveReferral('accepted', 'update'), { ok: true, to: 'in_progress' });
  assert.deepEqual(moveReferral('in_progress', 'complete'), { ok: true, to: 'completed' });
  assert.deepEqual(moveReferral('in_progress', 'return'), { ok: true, to: 'returned' });
  const refused = moveReferral('sent', 'complete');
  assert.equal(refused.ok, false);
  assert.match(!refused.ok ? refused.message : '', /It can be: acknowledge, accept, decline/);
  assert.equal(moveReferral('completed', 'update').ok, false);
  assert.equal(caseStatusFor(['accepted', 'declined'], 'decline'), 'with_partner');
  assert.equal(caseStatusFor(['sent', 'declined'], 'decline'), 'referred');
  assert.equal(caseStatusFor(['declined'], 'decline'), 'open');
  assert.equal(caseStatusFor(['completed'], 'complete'), 'resolved');
});

test('refer, acknowledge, accept, update, complete: the case goes referred, with_partner, resolved; each step joins the timeline', async () => {
  const triage = await insertUser();
  const reporterId = await insertReporter({ email: 'pat@example.org', name: 'Pat Reporter' });
  const c = await insertCase({ reporterId, status: 'open', consentShare: true, categoryId: 'noise' });
  const sent = await referCase(c.ref, triage, { agencyId: 'asb-team', fields: ['category', 'description', 'location'] }, settings, MONDAY_10);
  assert.equal(sent.ok, true);
  const id = sent.ok ? sent.id : '';
  assert.equal((await findCase(c.ref))!.status, 'referred');
  const partner = partnerOf('asb-team');
  for (const [action, text, status] of [['acknowledge', '', 'acknowledged'], ['accept', '', 'accepted'], ['update', 'Visited the street', 'in_progress']] as const) {
    assert.equal((await actOnReferral(id, partner, { action, text }, settings, MONDAY_10 + 60_000)).ok, true, action);
    const [r] = await database.db.select().from(referrals).where(eq(referrals.id, id));
    assert.equal(r!.status, status);
  }
  assert.equal((await findCase(c.ref))!.status, 'with_partner');
  const noOutcome = await actOnReferral(id, partner, { action: 'complete', text: ' ' }, settings, MONDAY_10 + 120_000);
  assert.deepEqual(noOutcome, { ok: false, message: 'Enter the outcome', field: 'text-complete' });
  assert.equal((await actOnReferral(id, partner, { action: 'complete', text: 'Warning letter sent' }, settings, MONDAY_10 + 180_000)).ok, true);
  const row = (await findCase(c.ref))!;
  assert.equal(row.status, 'resolved');
  assert.equal(row.resolutionCode, 'action_taken');
  const actions = (await database.db.select().from(caseEvents).where(eq(caseEvents.caseId, c.id)).orderBy(asc(caseEvents.id))).map((e) => e.action);
  for (const a of ['referral.sent', 'referral.acknowledged', 'referral.accepted', 'referral.update', 'referral.completed']) assert.ok(actions.includes(a), a);
  const update = await database.db.select().from(caseEvents).where(eq(caseEvents.action, 'referral.update'));
  assert.ok(update.some((e) => e.body === 'Visited the street' && e.caseId === c.id));
});

test('a decline goes back to open with the reason on the timeline; a second agency keeps the first referral; with_partner while one is accepted', async () => {
  const triage = await insertUser();
  const c = await insertCase({ status: 'open', categoryId: 'noise' });
  const first = await referCase(c.ref, triage, { agencyId: 'housing', fields: ['category', 'location'] }, settings);
  assert.ok(first.ok);
  const again = await referCase(c.ref, triage, { agencyId: 'housing', fields: ['category'] }, settings);
  assert.deepEqual(again, { ok: false, message: 'The case is already with Hollowmere Homes (social housing)', field: 'agencyId' });
  assert.equal((await actOnReferral(first.ok ? first.id : '', partnerOf('housing'), { action: 'decline', text: 'Not a council tenancy' }, settings)).ok, true);
  let row = (await findCase(c.ref))!;
  assert.equal(row.status, 'open');
  const back = await database.db.select().from(caseEvents).where(eq(caseEvents.caseId, c.id));
  assert.ok(back.some((e) => e.action === 'case.status' && e.body === 'Not a council tenancy' && (e.data as { to?: string }).to === 'open'));
  const second = await referCase(c.ref, triage, { agencyId: 'environment', fields: ['category', 'location'] }, settings);
  const third = await referCase(c.ref, triage, { agencyId: 'fire', fields: ['location'] }, settings);
  assert.ok(second.ok && third.ok);
  assert.equal((await actOnReferral(second.ok ? second.id : '', partnerOf('environment'), { action: 'accept' }, settings)).ok, true);
  assert.equal((await findCase(c.ref))!.status, 'with_partner');
  assert.equal((await actOnReferral(third.ok ? third.id : '', partnerOf('fire'), { action: 'decline', text: 'No fire risk' }, settings)).ok, true);
  row = (await findCase(c.ref))!;
  assert.equal(row.status, 'with_partner', 'still with a partner while one referral is accepted and open');
  assert.equal((await actOnReferral(second.ok ? second.id : '', partnerOf('environment'), { action: 'return', text: 'Needs police' }, settings)).ok, true);
  assert.equal((await findCase(c.ref))!.status, 'open');
  const all = await database.db.select().from(referrals).where(eq(referrals.caseId, c.id));
  assert.deepEqual(all.map((r) => r.status).sort(), ['declined', 'declined', 'returned']);
});

test('the snapshot does not change when the case changes; a disclosure audit row and a personal-data-free e-mail are written', async () => {
  const triage = await insertUser();
  const reporterId = await insertReporter({ email: 'lee@example.org', name: 'Lee Reporter', phoneE164: '+447700900123' });
  const c = await insertCase({ reporterId, status: 'open', consentShare: true, description: 'Original words of the report', locationText: 'Mill Lane' });
  const sent = await referCase(c.ref, triage, { agencyId: 'police', fields: ['description', 'location', 'contact'] }, settings);
  assert.ok(sent.ok);
  const id = sent.ok ? sent.id : '';
  const before = snapshotOf((await database.db.select().from(referrals).where(eq(referrals.id, id)))[0]!);
  assert.ok(before.rows.some((r) => r.value.includes('Original words of the report')));
  assert.ok(before.rows.some((r) => r.value === 'lee@example.org'), 'contact details go with consent');
  assert.match(before.legalBasis, /Crime and Disorder Act 1998/);
  await database.db.update(cases).set({ description: 'Edited later', locationText: 'Elsewhere', consentShare: false, priority: 'P1' }).where(eq(cases.id, c.id));
  const afterRow = (await database.db.select().from(referrals).where(eq(referrals.id, id)))[0]!;
  assert.deepEqual(snapshotOf(afterRow), before);
  const audit = await database.db.select().from(auditEvents).where(eq(auditEvents.action, 'referral.disclosed'));
  const mine = audit.find((a) => (a.data as { referralId?: string }).referralId === id)!;
  assert.equal(mine.subjectId, c.id);
  assert.deepEqual((mine.data as { fields: string[] }).fields, ['description', 'location', 'contact']);
  assert.equal((mine.data as { reporterId: string }).reporterId, reporterId);
  const mail = (await database.db.select().from(outbox).where(eq(outbox.template, 'referral-sent'))).find((m) => JSON.stringify(m.payload).includes(id))!;
  assert.equal(mail.recipient, 'referrals@police.hollowmere.example');
  assert.doesNotMatch(JSON.stringify(mail.payload), /lee@example\.org|Lee Reporter|Original words|Mill Lane|447700900123/);
});

test('consent withheld means no contact details in a police snapshot, even when ticked', async () => {
  const triage = await insertUser();
  const reporterId = await insertReporter({ email: 'nocon@example.org', name: 'No Consent' });
  const c = await insertCase({ reporterId, status: 'open', consentShare: false });
  assert.equal(shareableFields(agency('police'), { privacy: 'named', consentShare: false }).includes('contact'), false);
  assert.equal(shareableFields(agency('police'), { privacy: 'anonymous', consentShare: true }).includes('contact'), false);
  assert.equal(shareableFields(agency('police'), { privacy: 'named', consentShare: true }).includes('contact'), true);
  const sent = await referCase(c.ref, triage, { agencyId: 'police', fields: ['description', 'contact'] }, settings);
  assert.ok(sent.ok);
  const snap = snapshotOf((await database.db.select().from(referrals).where(eq(referrals.id, sent.ok ? sent.id : '')))[0]!);
  assert.deepEqual(snap.fields, ['description']);
  assert.doesNotMatch(JSON.stringify(snap), /nocon@example\.org|No Consent/);
});

test('highways receive only the place and photos whatever is ticked', () => {
  const row = { ref: 'HM-X', kind: 'report', categoryId: 'noise', description: 'Secret words', whenKind: null, happenedAt: null, whenText: null, postcode: null, locationText: 'Bridge Street', wardId: null, peopleInvolved: 'A neighbour', whoAffected: null, happenedBefore: null, privacy: 'named', consentShare: true, priority: 'P2' };
  const snap = buildSnapshot(agency('highways'), ['description', 'location', 'people', 'photos', 'contact'], row, { name: 'N', email: 'e@example.org', phoneE164: null }, ['p1'], config, 0);
  assert.deepEqual(snap.fields, ['location', 'photos']);
  assert.doesNotMatch(JSON.stringify(snap.rows), /Secret words|A neighbour|e@example\.org/);
});

test('a referral not acknowledged is overdue at its acknowledge due time (controllable clock), shown in words', async () => {
  const triage = await insertUser();
  const c = await insertCase({ status: 'open' });
  const sent = await referCase(c.ref, triage, { agencyId: 'police', fields: ['description'] }, settings, MONDAY_10);
  const r = (await findReferralFor(partnerOf('police'), sent.ok ? sent.id : ''))!;
  assert.ok(r.acknowledgeDueAt > MONDAY_10);
  assert.equal(isReferralOverdue(r, r.acknowledgeDueAt - 1), false);
  assert.equal(isReferralOverdue(r, r.acknowledgeDueAt), true);
  assert.match(referralDueWords(r, config.targets, r.acknowledgeDueAt - 3_600_000).words, /^Acknowledge: due in 1 hour$/);
  assert.match(referralDueWords(r, config.targets, r.acknowledgeDueAt + 3 * 3_600_000).words, /^Acknowledge: overdue by 3 hours$/);
  assert.equal(isReferralOverdue({ ...r, status: 'acknowledged' }, r.acknowledgeDueAt + 1), false, 'acknowledged in time: working to the complete target');
});

test('a partner officer sees only their own agency: another agency\'s referral is not found, listed or changed', async () => {
  const triage = await insertUser();
  const c = await insertCase({ status: 'open' });
  const sent = await referCase(c.ref, triage, { agencyId: 'fire', fields: ['location'] }, settings);
  const id = sent.ok ? sent.id : '';
  const police = partnerOf('police');
  assert.equal(await findReferralFor(police, id), undefined);
  assert.deepEqual(await actOnReferral(id, police, { action: 'accept' }, settings), { ok: false, message: 'There is no referral with that id' });
  assert.equal((await listAgencyReferrals(police, 'all')).rows.some((r) => r.id === id), false);
  assert.equal((await listAgencyReferrals(partnerOf('fire'), 'all')).rows.some((r) => r.id === id), true);
  assert.deepEqual(await listAgencyReferrals({ ...police, agencyId: null }, 'all'), { rows: [], older: false, newer: false });
  const refused = await referCase(c.ref, { id: 'p', permissions: ['referral.partner'], bindsAgency: true, agencyId: 'fire' }, { agencyId: 'police', fields: ['description'] }, settings);
  assert.equal(refused.ok, false, 'a partner officer cannot refer');
});

test('the reporter reads "Passed to <agency>" only where every agency\'s name may be shown', async () => {
  assert.equal(passedToWords(['fire'], config.agencies), 'Passed to Hollowmere Fire and Rescue Service');
  assert.equal(passedToWords(['police'], config.agencies), 'Passed to a partner', 'police: publicNameVisible false');
  assert.equal(passedToWords(['fire', 'police'], config.agencies), 'Passed to a partner');
  assert.equal(passedToWords(['fire', 'highways'], config.agencies), 'Passed to Hollowmere Fire and Rescue Service and Hollowmere Highways');
  const triage = await insertUser();
  const c = await insertCase({ status: 'open' });
  assert.equal(await trackPartnerWords(c.id, 'open', config.agencies), null);
  const fire = await referCase(c.ref, triage, { agencyId: 'fire', fields: ['location'] }, settings);
  assert.equal(await trackPartnerWords(c.id, (await findCase(c.ref))!.status, config.agencies), 'Passed to Hollowmere Fire and Rescue Service');
  await referCase(c.ref, triage, { agencyId: 'police', fields: ['location'] }, settings);
  assert.equal(await trackPartnerWords(c.id, (await findCase(c.ref))!.status, config.agencies), 'Passed to a partner');
  await actOnReferral(fire.ok ? fire.id : '', partnerOf('fire'), { action: 'accept' }, settings);
  assert.equal(await trackPartnerWords(c.id, (await findCase(c.ref))!.status, config.agencies), 'Passed to Hollowmere Fire and Rescue Service', 'with_partner: the agency that accepted');
});

test('anonymising a case empties its referral snapshots and keeps which fields went and on what legal basis', async () => {
  const { caseAnonymisationPlan } = await import('../../src/domains/cases/retention.ts');
  const triage = await insertUser();
  const reporterId = await insertReporter({ email: 'gone@example.org', name: 'Soon Gone' });
  const c = await insertCase({ reporterId, status: 'open', consentShare: true, description: 'Words to be removed' });
  const sent = await referCase(c.ref, triage, { agencyId: 'police', fields: ['description', 'contact'] }, settings);
  assert.ok(sent.ok);
  await actOnReferral(sent.ok ? sent.id : '', partnerOf('police'), { action: 'decline', text: 'Names Soon Gone' }, settings);
  const plan = await caseAnonymisationPlan([(await findCase(c.ref))!], 'request', { kind: 'system' }, Date.now());
  await database.writer.batch(plan.stmts);
  const [r] = await database.db.select().from(referrals).where(eq(referrals.id, sent.ok ? sent.id : ''));
  const snap = snapshotOf(r!);
  assert.deepEqual(snap.rows, []);
  assert.deepEqual(snap.fields, ['description', 'contact']);
  assert.match(snap.legalBasis, /Crime and Disorder Act/);
  assert.equal(r!.reason, '[removed]');
  assert.doesNotMatch(JSON.stringify(r), /gone@example\.org|Soon Gone|Words to be removed/);
});

test("a partner's referral list comes a page at a time, newest first, with every referral on exactly one page and the way back", async () => {
  const triage = await insertUser();
  for (let i = 0; i < 7; i++) {
    const c = await insertCase({ status: 'open' });
    assert.ok((await referCase(c.ref, triage, { agencyId: 'fire', fields: ['location'] }, settings)).ok);
  }
  const fire = partnerOf('fire');
  const everything = (await listAgencyReferrals(fire, 'all', { limit: 1000 })).rows.map((r) => r.id);
  assert.ok(everything.length >= 7);
  assert.deepEqual(everything, [...everything].sort().reverse(), 'newest first');
  const pages: string[][] = [];
  let page = await listAgencyReferrals(fire, 'all', { limit: 3 });
  assert.equal(page.newer, false);
  for (;;) {
    pages.push(page.rows.map((r) => r.id));
    assert.ok(page.rows.length <= 3 && page.rows.length > 0);
    if (!page.older) break;
    assert.equal(page.rows.length, 3, 'only the last page is short');
    const next = await listAgencyReferrals(fire, 'all', { limit: 3, before: page.rows.at(-1)!.id });
    assert.equal(next.newer, true);
    // Back from the next page: the same page again.
    assert.deepEqual((await listAgencyReferrals(fire, 'all', { limit: 3, after: next.rows[0]!.id })).rows.map((r) => r.id), pages.at(-1));
    page = next;
  }
  assert.deepEqual(pages.flat(), everything);
  assert.deepEqual((await listAgencyReferrals(fire, 'all', { limit: 3, before: "x' OR 1=1 --" })).rows.map((r) => r.id), pages[0], 'a cursor that is not an id is ignored');
});

test('an officer resolving a case with a partner withdraws its open referrals in the same write: the partner reads why and can act no more, nothing is escalated', async () => {
  const triage = await insertUser();
  const c = await insertCase({ status: 'open' });
  const waiting = await referCase(c.ref, triage, { agencyId: 'police', fields: ['description'] }, settings, MONDAY_10);
  const taken = await referCase(c.ref, triage, { agencyId: 'housing', fields: ['location'] }, settings, MONDAY_10);
  assert.ok(waiting.ok && taken.ok);
  assert.equal((await actOnReferral(taken.id, partnerOf('housing'), { action: 'accept' }, settings, MONDAY_10 + 60_000)).ok, true);
  assert.equal((await findCase(c.ref))!.status, 'with_partner');
  assert.ok((await findCase(c.ref))!.referralDueAt);
  const resolved = await changeStatus(c.ref, triage, { to: 'resolved', resolutionCode: 'advice_given' }, settings, MONDAY_10 + 120_000);
  assert.deepEqual(resolved, { ok: true, ref: c.ref });
  const row = (await findCase(c.ref))!;
  assert.equal(row.status, 'resolved');
  assert.equal(row.referralDueAt, null, 'off the "Referral overdue" filter');
  for (const [id, agencyId] of [[waiting.id, 'police'], [taken.id, 'housing']] as const) {
    const [r] = await database.db.select().from(referrals).where(eq(referrals.id, id));
    assert.equal(r!.status, 'withdrawn');
    assert.equal(r!.closedAt, MONDAY_10 + 120_000);
    assert.equal(r!.reason, 'The partnership resolved the case, so the referral was withdrawn');
    const history = await referralHistory(r!);
    assert.deepEqual(history.at(-1), { id: history.at(-1)!.id, at: MONDAY_10 + 120_000, action: 'referral.withdrawn', body: r!.reason }, 'the partner sees it in the referral history');
    const partner = partnerOf(agencyId);
    assert.equal((await listAgencyReferrals(partner, 'open')).rows.some((x) => x.id === id), false, 'no longer on the open list');
    assert.equal((await listAgencyReferrals(partner, 'withdrawn')).rows.some((x) => x.id === id), true);
    const refused = await actOnReferral(id, partner, { action: agencyId === 'police' ? 'acknowledge' : 'update', text: 'Visited' }, settings, MONDAY_10 + 180_000);
    assert.equal(refused.ok, false);
    assert.match(!refused.ok ? refused.message : '', /^A referral that is withdrawn by the partnership cannot be given this action \((acknowledge|add an update)\)\. It is finished\.$/);
  }
  assert.equal((await findCase(c.ref))!.status, 'resolved', 'the case stays resolved');
  const [police] = await database.db.select().from(referrals).where(eq(referrals.id, waiting.id));
  await escalateOverdueReferrals({ config, publicUrl: 'https://saferline.example' }, police!.acknowledgeDueAt + 1);
  const escalated = await database.db.select().from(caseEvents).where(and(eq(caseEvents.caseId, c.id), eq(caseEvents.action, 'referral.escalated')));
  assert.deepEqual(escalated, [], 'the withdrawn referral is not escalated');
  assert.equal((await database.db.select().from(referrals).where(eq(referrals.id, waiting.id)))[0]!.escalatedAt, null);
});

test('moving a referred case back to open (the bulk status action too) withdraws the referral; an Open311 delivery not yet sent is stopped; it can be referred again', async () => {
  const triage = await insertUser();
  const c = await insertCase({ status: 'open' });
  const sent = await referCase(c.ref, triage, { agencyId: 'fire', fields: ['location'] }, settings, MONDAY_10);
  assert.ok(sent.ok);
  await database.writer.batch([{ sql: 'insert into referral_deliveries (referral_id, agency_id, next_attempt_at, created_at) values (?, ?, ?, ?)', args: [sent.id, 'fire', MONDAY_10, MONDAY_10] }]);
  assert.deepEqual(await bulkAction([c.ref], triage, { kind: 'status', to: 'open' }, settings, MONDAY_10 + 60_000), { done: [c.ref], refused: [] });
  assert.equal((await findCase(c.ref))!.status, 'open');
  const [r] = await database.db.select().from(referrals).where(eq(referrals.id, sent.id));
  assert.equal(r!.status, 'withdrawn');
  assert.equal(r!.reason, 'The partnership took the case back to work on it, so the referral was withdrawn');
  const [delivery] = await database.db.select().from(referralDeliveries).where(eq(referralDeliveries.referralId, sent.id));
  assert.equal(delivery!.status, 'failed', 'not sent to the agency after the withdrawal');
  assert.ok((await referCase(c.ref, triage, { agencyId: 'fire', fields: ['location'] }, settings, MONDAY_10 + 120_000)).ok, 'no open referral holds the agency');
});

test('a referral left open on a resolved case (written before withdrawal) takes no partner step and is not escalated', async () => {
  const triage = await insertUser();
  const c = await insertCase({ status: 'open' });
  const sent = await referCase(c.ref, triage, { agencyId: 'asb-team', fields: ['location'] }, settings, MONDAY_10);
  assert.ok(sent.ok);
  await database.writer.batch([{ sql: "update cases set status = 'closed', resolution_code = 'no_further_action' where id = ?", args: [c.id] }]);
  const refused = await actOnReferral(sent.id, partnerOf('asb-team'), { action: 'accept' }, settings, MONDAY_10 + 60_000);
  assert.deepEqual(refused, { ok: false, message: 'The partnership has closed this case, so the referral cannot be changed any more', field: 'action' });
  assert.equal((await database.db.select().from(referrals).where(eq(referrals.id, sent.id)))[0]!.status, 'sent');
  const [r] = await database.db.select().from(referrals).where(eq(referrals.id, sent.id));
  await escalateOverdueReferrals({ config, publicUrl: 'https://saferline.example' }, r!.acknowledgeDueAt + 1);
  assert.equal((await database.db.select().from(referrals).where(eq(referrals.id, sent.id)))[0]!.escalatedAt, null);
  assert.equal((await database.db.select().from(outbox).where(like(outbox.payload, `%${c.ref}%`))).length, 0, 'no e-mail to the triage team');
});

test('a case referred straight from New has its acknowledge and triage timers met in the same write, and leaves the Overdue filter', async () => {
  const triage = await insertUser();
  const timers = startTimers(MONDAY_10, 'P4', config.targets);
  const c = await insertCase({ status: 'new', priority: 'P4', receivedAt: MONDAY_10, timers: timers as unknown as Record<string, unknown>, nextDueAt: nextDue(timers) });
  const later = timers.acknowledge.dueAt + 3_600_000;
  const overdue = async () => (await listQueue({ ...parseQueueQuery(new URLSearchParams('overdue=1')).filter, status: 'all' }, 'received_desc', null, later)).rows.map((r) => r.ref);
  assert.ok((await overdue()).includes(c.ref), 'overdue to acknowledge before the referral');
  const sent = await referCase(c.ref, triage, { agencyId: 'asb-team', fields: ['location'] }, settings, later);
  assert.ok(sent.ok);
  const row = (await findCase(c.ref))!;
  assert.equal(row.status, 'referred');
  const after = readTimers(row.timers)!;
  assert.equal(after.acknowledge.metAt, later);
  assert.equal(after.triage.metAt, later);
  assert.equal(row.nextDueAt, nextDue(after));
  assert.ok(row.nextDueAt! > later, 'the next timer due is a later one');
  assert.equal((await overdue()).includes(c.ref), false, 'no longer in the Overdue filter');
});
