/** The just-saved call, for the success banner on the next empty call screen (only the handler's own calls). */
import { and, eq } from 'drizzle-orm';
import { getDb } from '../../platform/db/client.ts';
import { calls, cases, reporters } from '../../platform/db/schema.ts';
import { CASE_CREATING_REASONS, type CallReason } from './reasons.ts';

/** What the banner says about a saved call. */
export interface SavedCall {
  id: string;
  reason: string;
  outcome: string;
  durationS: number;
  caseRef: string | null;
  /** True when this call created its case. */
  created: boolean;
  /** True when the new case's reporter gave an email address (the acknowledgement goes there). */
  emailed: boolean;
}

/** Find a call the handler logged, by id; null for another handler's call or an unknown id. */
export async function findSavedCall(callId: string, handlerId: string): Promise<SavedCall | null> {
  const [row] = await getDb()
    .select({ id: calls.id, reason: calls.reason, outcome: calls.outcome, durationS: calls.durationS, caseId: calls.caseId, caseRef: cases.ref, email: reporters.email })
    .from(calls)
    .leftJoin(cases, eq(cases.id, calls.caseId))
    .leftJoin(reporters, eq(reporters.id, cases.reporterId))
    .where(and(eq(calls.id, callId), eq(calls.handlerId, handlerId)));
  if (!row) return null;
  const created = row.caseId !== null && CASE_CREATING_REASONS.includes(row.reason as CallReason);
  return { id: row.id, reason: row.reason, outcome: row.outcome, durationS: row.durationS, caseRef: row.caseRef, created, emailed: created && !!row.email };
}
