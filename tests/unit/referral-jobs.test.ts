/**
 * The referral jobs on a real database with a controllable clock, run through the leased job runner, with the outbox
 * delivering to a real SMTP server: overdue escalation to the triage team (once per referral) and the daily digest
 * to each agency inbox with outstanding referrals (once per agency and day, none for an agency with none).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { openTestDatabase } from '../helpers/db.ts';
import { sentTo, startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { getDb } from '../../src/platform/db/client.ts';
import { caseEvents, outbox, referralDigests, referrals } from '../../src/platform/db/schema.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import { createMailTransport } from '../../src/platform/mail/transport.ts';
import { OutboxWorker } from '../../src/platform/mail/outbox.ts';
import { runJobIfDue, type JobRunner } from '../../src/platform/jobs.ts';
import { londonTime } from '../../src/platform/time/london.ts';
import { listQueue, parseQueueQuery } from '../../src/domains/cases/queue.ts';
import { actOnReferral, referCase, referralJobs, triageInbox, type ReferralSettings } from '../../src/domains/referrals/index.ts';
import type { StaffActor } from '../../src/domains/cases/actions.ts';
import { insertCase, insertReporter, insertUser, settings as caseSettings } from './cases-fixtures.ts';

let cleanup: () => Promise<void>;
let smtp: TestSmtp;
let worker: OutboxWorker;
before(async () => {
  ({ cleanup } = await openTestDatabase());
  smtp = await startSmtp();
  worker = new OutboxWorker({ transport: createMailTransport({ smtpUrl: smtp.url, mailDir: 'tmp/mail-unused' }), from: 'Saferline <no-reply@saferline.invalid>', intervalMs: 60_000, batchSize: 1000 });
});
after(async () => {
  await worker.stop();
  await smtp.close();
  await cleanup();
});

const config = loadSiteConfig('content');
const settings: ReferralSettings = { ...caseSettings, config };
const [escalation, digest] = referralJobs({ config, publicUrl: 'https://saferline.example' });
const runner: JobRunner = { token: 'test-process', leaseMs: 60_000 };
const partnerOf = (agencyId: string): StaffActor => ({ id: `partner-${agencyId}`, permissions: ['referral.partner'], bindsAgency: true, agencyId });
/** Monday 2 March 2026, 10:00 in London (GMT), a working day. */
const MONDAY_10 = Date.UTC(2026, 2, 2, 10);
const MINUTE = 60_000;

/** The outbox rows queued with a template. */
const queued = (template: string) => getDb().select().from(outbox).where(eq(outbox.template, template));

test('a referral not acknowledged by its due time is flagged, listed by the "Referral overdue" filter and e-mailed to the triage team once', async () => {
  const triage = await insertUser();
  const reporterId = await insertReporter({ name: 'Dale Private', email: 'dale.private@example.org' });
  const late = await insertCase({ reporterId, status: 'open', consentShare: true, description: 'Words only the police may read' });
  const prompt = await insertCase({ status: 'open' });
  const sent = await referCase(late.ref, triage, { agencyId: 'police', fields: ['description', 'contact'] }, settings, MONDAY_10);
  const other = await referCase(prompt.ref, triage, { agencyId: 'police', fields: ['description'] }, settings, MONDAY_10);
  assert.ok(sent.ok && other.ok);
  assert.equal((await actOnReferral(other.id, partnerOf('police'), { action: 'acknowledge' }, settings, MONDAY_10 + 60 * MINUTE)).ok, true, 'acknowledged in time');
  const [referral] = await getDb().select().from(referrals).where(eq(referrals.id, sent.id));
  const due = referral!.acknowledgeDueAt;
  assert.equal(due, Date.UTC(2026, 2, 3, 10), 'one working day later');
  const overdueCases = async (now: number) => (await listQueue({ ...parseQueueQuery(new URLSearchParams('referral=overdue')).filter, status: 'all' }, 'received_desc', null, now)).rows.map((r) => r.ref);

  assert.equal(await runJobIfDue(escalation!, runner, due - MINUTE), 'ran');
  assert.equal((await getDb().select().from(referrals).where(eq(referrals.id, sent.id)))[0]!.escalatedAt, null, 'a minute before: not flagged');
  assert.deepEqual(await overdueCases(due - MINUTE), []);
  assert.equal((await queued('referral-overdue')).length, 0);

  assert.equal(await runJobIfDue(escalation!, runner, due), 'ran');
  assert.equal((await getDb().select().from(referrals).where(eq(referrals.id, sent.id)))[0]!.escalatedAt, due, 'at the due time: flagged');
  assert.equal((await getDb().select().from(referrals).where(eq(referrals.id, other.id)))[0]!.escalatedAt, null, 'the acknowledged referral is not');
  assert.deepEqual(await overdueCases(due), [late.ref]);
  const timeline = await getDb().select().from(caseEvents).where(and(eq(caseEvents.caseId, late.id), eq(caseEvents.action, 'referral.escalated')));
  assert.equal(timeline.length, 1);
  await worker.runOnce();
  const toTriage = () => smtp.messages.filter((m) => sentTo(m, triageInbox(config)) && /Referral overdue/.test(m.subject ?? ''));
  assert.equal(toTriage().length, 1, 'exactly one e-mail reached the SMTP server');
  const mail = toTriage()[0]!;
  assert.equal(triageInbox(config), 'triage-team@hollowmere.example');
  assert.match(`${mail.subject} ${mail.text}`, new RegExp(`Hollowmere Constabulary has not acknowledged.*${late.ref}`));
  assert.match(mail.text ?? '', new RegExp(`https://saferline.example/staff/cases/${late.ref}/refer`));
  assert.doesNotMatch(`${mail.subject} ${mail.text} ${mail.html}`, /Dale Private|dale\.private@example\.org|Words only the police/);

  assert.equal(await runJobIfDue(escalation!, runner, due), 'skipped', 'not due again within its period');
  assert.equal(await runJobIfDue(escalation!, runner, due + MINUTE), 'ran');
  assert.equal(await runJobIfDue(escalation!, runner, due + 2 * MINUTE), 'ran');
  await worker.runOnce();
  assert.equal((await queued('referral-overdue')).length, 1, 'running the job again queues nothing more');
  assert.equal(toTriage().length, 1, 'and sends nothing more');
});

test('each agency inbox with outstanding referrals gets one digest a day of counts and links, no personal data; agencies with none get nothing', async () => {
  const triage = await insertUser();
  const reporterId = await insertReporter({ name: 'Jo Digest', email: 'jo.digest@example.org' });
  const fireCase = await insertCase({ reporterId, status: 'open', description: 'A private description for fire', locationText: 'Kiln Yard' });
  const fire = await referCase(fireCase.ref, triage, { agencyId: 'fire', fields: ['description', 'location'] }, settings, MONDAY_10);
  assert.ok(fire.ok);
  const open = await getDb().select({ agencyId: referrals.agencyId, status: referrals.status }).from(referrals);
  const withOutstanding = (statuses: typeof open) => [...new Set(statuses.filter((r) => ['sent', 'acknowledged', 'accepted', 'in_progress'].includes(r.status)).map((r) => r.agencyId))].sort();
  assert.deepEqual(withOutstanding(open), ['fire', 'police'], 'two police referrals from the test before, and this one');
  /** Monday 9 March 2026: working hours start at 08:00 London time. */
  const day1 = londonTime(2026, 3, 9, 8);
  const digests = async () => (await queued('referral-digest')).map((m) => `${m.recipient} ${String(m.payload.day)}`).sort();

  assert.equal(await runJobIfDue(digest!, runner, day1 - 15 * MINUTE), 'ran');
  assert.deepEqual(await digests(), [], 'nothing before working hours');
  assert.equal(await runJobIfDue(digest!, runner, day1), 'ran');
  assert.deepEqual(await digests(), ['prevention@fire.hollowmere.example 2026-03-09', 'referrals@police.hollowmere.example 2026-03-09']);
  assert.equal(await runJobIfDue(digest!, runner, day1 + 15 * MINUTE), 'ran');
  assert.equal(await runJobIfDue(digest!, runner, day1 + 10 * 60 * MINUTE), 'ran');
  assert.equal((await digests()).length, 2, 'once per agency per day');
  assert.equal((await getDb().select().from(referralDigests)).length, 2);

  await worker.runOnce();
  const police = smtp.messages.filter((m) => sentTo(m, 'referrals@police.hollowmere.example') && /outstanding referral/.test(m.subject ?? ''));
  assert.equal(police.length, 1);
  const text = police[0]!.text ?? '';
  assert.match(police[0]!.subject ?? '', /Hollowmere Constabulary: 2 outstanding referrals/);
  assert.match(text, /Outstanding referrals: 2\nWaiting to be acknowledged: 1\nAccepted and in progress: 0\nOverdue: 1/);
  assert.match(text, /https:\/\/saferline\.example\/staff\/referrals\n/);
  const all = smtp.messages.filter((m) => /outstanding referral/.test(m.subject ?? '')).map((m) => `${m.subject} ${m.text} ${m.html}`).join('\n');
  assert.doesNotMatch(all, /Jo Digest|jo\.digest@example\.org|private description|Kiln Yard|Dale Private|HM-T\d/, 'no personal data and no case references');

  assert.equal((await actOnReferral(fire.id, partnerOf('fire'), { action: 'decline', text: 'Not a fire risk' }, settings, day1 + 60 * MINUTE)).ok, true);
  const day2 = londonTime(2026, 3, 10, 8);
  assert.equal(await runJobIfDue(digest!, runner, day2), 'ran');
  assert.deepEqual(await digests(), ['prevention@fire.hollowmere.example 2026-03-09', 'referrals@police.hollowmere.example 2026-03-09', 'referrals@police.hollowmere.example 2026-03-10'], 'the next day: only the agency with referrals outstanding');
});
