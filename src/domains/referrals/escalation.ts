/**
 * Periodic referral work, run as leased jobs (src/platform/jobs.ts) so that one process does it at a time:
 * - overdue escalation: a referral not acknowledged by its due time is flagged (`escalatedAt`), noted on the case
 *   timeline and e-mailed to the triage team's inbox, once per referral;
 * - the daily digest: each agency inbox with outstanding referrals gets one e-mail a day (London date) of counts and
 *   links, never personal data.
 * Each decision is read and written in one write transaction, with the e-mail queued in the same commit (outbox).
 */
import { and, eq, inArray, isNull, lte } from 'drizzle-orm';
import { getDatabase, getDb, toStatement } from '../../platform/db/client.ts';
import { caseEvents, cases, referralDigests, referrals } from '../../platform/db/schema.ts';
import { enqueueEmail } from '../../platform/mail/outbox.ts';
import { newId } from '../../platform/security/ids.ts';
import { formatDateTime, londonDate, londonParts } from '../../platform/time/london.ts';
import type { ScheduledJob } from '../../platform/jobs.ts';
import type { SiteConfig } from '../../platform/config/partnership.ts';
import { isReferralOverdue } from './lifecycle.ts';

/** What the referral jobs need from configuration. */
export interface ReferralJobSettings {
  config: SiteConfig;
  publicUrl: string;
}

/** The statuses of a referral the agency still has to act on. */
const OUTSTANDING = ['sent', 'acknowledged', 'accepted', 'in_progress'] as const;

/** How often the escalation job looks for overdue referrals. */
export const ESCALATION_EVERY_MS = 60_000;

/** How often the digest job checks whether today's digests are due. */
export const DIGEST_EVERY_MS = 15 * 60_000;

/** The triage team's inbox: `triageEmail` in partnership.json, else the partnership's own address. */
export function triageInbox(config: SiteConfig): string {
  return config.partnership.triageEmail ?? config.partnership.email;
}

/** The name of an agency by id (the id when it is no longer configured). */
function agencyNameOf(config: SiteConfig, agencyId: string): string {
  return config.agencies.find((a) => a.id === agencyId)?.name ?? agencyId;
}

/**
 * Escalate every referral still unacknowledged at its acknowledge due time and not escalated yet: flag it, add a
 * timeline entry and queue one e-mail to the triage team. Returns how many were escalated.
 */
export async function escalateOverdueReferrals(settings: ReferralJobSettings, now = Date.now()): Promise<number> {
  const due = await getDb().select({ id: referrals.id }).from(referrals)
    .where(and(eq(referrals.status, 'sent'), lte(referrals.acknowledgeDueAt, now), isNull(referrals.escalatedAt)));
  let escalated = 0;
  for (const { id } of due) {
    const done = await getDatabase().writer.transaction(async (tx) => {
      const [r] = await tx.db.select().from(referrals).where(and(eq(referrals.id, id), eq(referrals.status, 'sent'), isNull(referrals.escalatedAt)));
      if (!r || !isReferralOverdue(r, now)) return false;
      const [c] = await tx.db.select({ ref: cases.ref, status: cases.status }).from(cases).where(eq(cases.id, r.caseId));
      // A resolved or closed case is nobody's to chase (its referrals are withdrawn when it is resolved or closed).
      if (!c || c.status === 'resolved' || c.status === 'closed') return false;
      const agency = agencyNameOf(settings.config, r.agencyId);
      await tx.batch([
        toStatement(getDb().update(referrals).set({ escalatedAt: now }).where(and(eq(referrals.id, r.id), isNull(referrals.escalatedAt)))),
        toStatement(getDb().insert(caseEvents).values({ id: newId(now), caseId: r.caseId, at: now, actorKind: 'system', actorId: null, action: 'referral.escalated', visibility: 'internal', body: null, data: { referralId: r.id, agencyId: r.agencyId, acknowledgeDueAt: r.acknowledgeDueAt } })),
        enqueueEmail('referral-overdue', triageInbox(settings.config), {
          partnership: settings.config.partnership.name, agency, ref: c.ref, acknowledgeBy: formatDateTime(r.acknowledgeDueAt), url: `${settings.publicUrl}/staff/cases/${encodeURIComponent(c.ref)}/refer`,
        }, now),
      ]);
      return true;
    });
    if (done) escalated++;
  }
  return escalated;
}

/** One agency's outstanding referrals in counts. */
export interface DigestCounts {
  outstanding: number;
  awaitingAcknowledgement: number;
  inProgress: number;
  overdue: number;
}

/** Count an agency's outstanding referrals: all of them, those waiting to be acknowledged, those taken on, and the overdue. */
export function countOutstanding(rows: readonly { status: string; acknowledgeDueAt: number; completeDueAt: number }[], now: number): DigestCounts {
  return {
    outstanding: rows.length,
    awaitingAcknowledgement: rows.filter((r) => r.status === 'sent').length,
    inProgress: rows.filter((r) => r.status === 'accepted' || r.status === 'in_progress').length,
    overdue: rows.filter((r) => isReferralOverdue(r, now)).length,
  };
}

/**
 * Queue today's digest for each agency inbox with outstanding referrals, once per agency and London day, from the
 * start of working hours. Agencies with none, or without an inbox, get nothing. Returns how many were queued.
 */
export async function sendReferralDigests(settings: ReferralJobSettings, now = Date.now()): Promise<number> {
  if (londonParts(now).h < settings.config.targets.workingHours.start) return 0;
  const day = londonDate(now);
  let queued = 0;
  for (const agency of settings.config.agencies) {
    if (!agency.email) continue;
    const email = agency.email;
    const done = await getDatabase().writer.transaction(async (tx) => {
      const [sent] = await tx.db.select({ day: referralDigests.day }).from(referralDigests).where(and(eq(referralDigests.agencyId, agency.id), eq(referralDigests.day, day)));
      if (sent) return false;
      const open = await tx.db.select({ status: referrals.status, acknowledgeDueAt: referrals.acknowledgeDueAt, completeDueAt: referrals.completeDueAt }).from(referrals)
        .where(and(eq(referrals.agencyId, agency.id), inArray(referrals.status, [...OUTSTANDING])));
      if (!open.length) return false;
      const counts = countOutstanding(open, now);
      await tx.batch([
        toStatement(getDb().insert(referralDigests).values({ agencyId: agency.id, day, outstanding: counts.outstanding, sentAt: now })),
        enqueueEmail('referral-digest', email, {
          partnership: settings.config.partnership.name, agency: agency.name, day, ...counts,
          url: `${settings.publicUrl}/staff/referrals`, waitingUrl: `${settings.publicUrl}/staff/referrals?status=sent`,
        }, now),
      ]);
      return true;
    });
    if (done) queued++;
  }
  return queued;
}

/** The referral jobs for the scheduler: escalation every minute, the digest check every 15 minutes. */
export function referralJobs(settings: ReferralJobSettings): ScheduledJob[] {
  return [
    { name: 'referral-escalation', everyMs: ESCALATION_EVERY_MS, run: async (now) => void (await escalateOverdueReferrals(settings, now)) },
    { name: 'referral-digest', everyMs: DIGEST_EVERY_MS, run: async (now) => void (await sendReferralDigests(settings, now)) },
  ];
}
