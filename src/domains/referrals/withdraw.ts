/**
 * Withdrawing referrals: when an officer moves a case on by its status (resolved, closed, or back to open), its open
 * referrals are withdrawn by the partnership in the same write, each with a reason the partner reads on the referral
 * and in its history, so no agency keeps working, or is chased for, a case the partnership has finished or taken back.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { InStatement } from '@libsql/client';
import { getDb, toStatement } from '../../platform/db/client.ts';
import { caseEvents, referralDeliveries, referrals } from '../../platform/db/schema.ts';
import { newId } from '../../platform/security/ids.ts';
import { referralDueStatement } from '../cases/queue-counts.ts';

/** The referral statuses still with the agency (isReferralOpen). */
const OPEN = ['sent', 'acknowledged', 'accepted', 'in_progress'] as const;

/** Why the partnership withdrew a referral, in the partner's words, from the status the case moved to. */
export function withdrawalReason(to: string): string {
  if (to === 'resolved') return 'The partnership resolved the case, so the referral was withdrawn';
  if (to === 'closed') return 'The partnership closed the case, so the referral was withdrawn';
  return 'The partnership took the case back to work on it, so the referral was withdrawn';
}

/**
 * The statements that withdraw every open referral of a case (none when it has none): each referral withdrawn with
 * the reason, its `referral.withdrawn` timeline entry (the partner's history), an Open311 delivery not yet sent
 * stopped, and the case's referral due time worked out again. Read inside the write transaction that moves the case.
 */
export async function withdrawReferralsStatements(caseId: string, actorId: string, to: string, now: number): Promise<InStatement[]> {
  const open = await getDb().select({ id: referrals.id, agencyId: referrals.agencyId }).from(referrals).where(and(eq(referrals.caseId, caseId), inArray(referrals.status, [...OPEN])));
  if (!open.length) return [];
  const reason = withdrawalReason(to);
  const stmts: InStatement[] = [];
  for (const r of open) {
    stmts.push(
      toStatement(getDb().update(referrals).set({ status: 'withdrawn', reason, closedAt: now, updatedAt: now, version: sql`${referrals.version} + 1` }).where(and(eq(referrals.id, r.id), inArray(referrals.status, [...OPEN])))),
      toStatement(getDb().insert(caseEvents).values({ id: newId(now), caseId, at: now, actorKind: 'user', actorId, action: 'referral.withdrawn', visibility: 'internal', body: reason, data: { referralId: r.id, agencyId: r.agencyId, to: 'withdrawn', caseTo: to } })),
      toStatement(getDb().update(referralDeliveries).set({ status: 'failed', lastError: 'The referral was withdrawn before it was sent' }).where(and(eq(referralDeliveries.referralId, r.id), eq(referralDeliveries.status, 'pending')))),
    );
  }
  stmts.push(referralDueStatement(caseId));
  return stmts;
}
