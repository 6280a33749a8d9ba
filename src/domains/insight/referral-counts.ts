/**
 * Referrals pre-aggregated (table insight_referral_counts) per London month sent, district of the case and agency:
 * how many were sent, how many acknowledged by the time due, and the time to acknowledge as a duration histogram
 * (the buckets of measures.ts, with a coarse histogram beside it so a median reads a few dozen rows). A referral's
 * month, agency and case district never change once it is sent, and it is acknowledged at most once, so the counts
 * move only when a referral is sent (referralSentStatements) and acknowledged (referralAcknowledgedStatements), each
 * in the same atomic write as the referral row (src/domains/referrals/actions.ts), as increments in SQL.
 */
import type { InStatement } from '@libsql/client';
import { getDatabase } from '../../platform/db/client.ts';
import { londonMonth } from '../../platform/time/london.ts';
import { COARSE_WIDTH, durationBucket, durationBucketSql } from './measures.ts';

const UPSERT = 'INSERT INTO insight_referral_counts (month, state, agency_id, bucket, district_id, n) VALUES ';
const CONFLICT = ' ON CONFLICT (month, state, agency_id, bucket, district_id) DO UPDATE SET n = n + excluded.n';

/** The referral fields the counts read. */
export interface CountedReferral {
  agencyId: string;
  sentAt: number;
  acknowledgeDueAt: number;
}

/** One statement adding 1 to each of the given (state, bucket) rows of a referral. */
function addStatement(r: CountedReferral, districtId: string | null | undefined, rows: [state: string, bucket: number][]): InStatement {
  const month = londonMonth(r.sentAt);
  return { sql: UPSERT + rows.map(() => '(?, ?, ?, ?, ?, 1)').join(', ') + CONFLICT, args: rows.flatMap(([state, bucket]) => [month, state, r.agencyId, bucket, districtId ?? '']) };
}

/** The statement that counts a referral sent (put it in the batch that inserts the referral). */
export function referralSentStatements(r: CountedReferral, caseDistrictId: string | null | undefined): InStatement[] {
  return [addStatement(r, caseDistrictId, [['sent', 0]])];
}

/** The statement that counts a referral acknowledged at `at` (only when it was not acknowledged before). */
export function referralAcknowledgedStatements(r: CountedReferral, caseDistrictId: string | null | undefined, at: number): InStatement[] {
  const bucket = durationBucket(at - r.sentAt);
  return [addStatement(r, caseDistrictId, [['ack', bucket], ['ack_coarse', Math.floor(bucket / COARSE_WIDTH)], ...(at <= r.acknowledgeDueAt ? [['on_time', 0] as [string, number]] : [])])];
}

/** The statements that recompute the table from the referrals and their cases (the month SQL given by the caller). */
export function rebuildReferralCountStatements(monthSql: string): InStatement[] {
  const insert = 'INSERT INTO insight_referral_counts (month, state, agency_id, bucket, district_id, n) ';
  const from = "FROM referrals r JOIN cases c ON c.id = r.case_id";
  return [
    { sql: 'DELETE FROM insight_referral_counts', args: [] },
    { sql: `${insert}SELECT ${monthSql}, 'sent', r.agency_id, 0, coalesce(c.district_id, ''), count(*) ${from} GROUP BY 1, 3, 5`, args: [] },
    { sql: `${insert}SELECT ${monthSql}, 'on_time', r.agency_id, 0, coalesce(c.district_id, ''), count(*) ${from} WHERE r.acknowledged_at <= r.acknowledge_due_at GROUP BY 1, 3, 5`, args: [] },
    { sql: `${insert}SELECT ${monthSql}, 'ack', r.agency_id, ${durationBucketSql('(r.acknowledged_at - r.sent_at)')}, coalesce(c.district_id, ''), count(*) ${from} WHERE r.acknowledged_at IS NOT NULL GROUP BY 1, 3, 4, 5`, args: [] },
    { sql: `${insert}SELECT month, 'ack_coarse', agency_id, bucket / ${COARSE_WIDTH}, district_id, sum(n) FROM insight_referral_counts WHERE state = 'ack' GROUP BY month, agency_id, bucket / ${COARSE_WIDTH}, district_id`, args: [] },
  ];
}

/** The referrals counted by the table and in the referrals table (the start-up check: equal unless never built or drifted). */
export async function referralTotals(): Promise<{ counters: number; referrals: number }> {
  const r = await getDatabase().client.execute("SELECT (SELECT coalesce(sum(n), 0) FROM insight_referral_counts WHERE state = 'sent') AS counters, (SELECT count(*) FROM referrals) AS referrals");
  return { counters: Number(r.rows[0]!.counters), referrals: Number(r.rows[0]!.referrals) };
}
