/**
 * Closing resolved cases: a resolved case that was not reopened within its reopen window (partnership.json
 * reopenWindowDays, kept on the case as `reopenUntil`) moves to closed, closed as of the end of that window, with a
 * timeline entry and an audit row. Retention (./retention.ts) then counts from `closedAt`. Run as a leased job
 * (src/server/runtime.ts) in bounded batches, each one write transaction, found through the `cases_resolved_reopen`
 * index.
 */
import type { InStatement } from '@libsql/client';
import { and, asc, lte, sql } from 'drizzle-orm';
import { auditStatement, type Actor } from '../../platform/audit.ts';
import { getDatabase, getDb, toStatement } from '../../platform/db/client.ts';
import { caseEvents, cases } from '../../platform/db/schema.ts';
import { newId } from '../../platform/security/ids.ts';
import { countChangeStatements } from '../insight/counts.ts';
import { updateCaseStatement } from './actions.ts';

/** The cases closed in one write transaction. */
export const CLOSE_BATCH = 100;

/** The most batches one run closes; the rest wait for the next run. */
export const CLOSE_BATCHES_PER_RUN = 5;

/** The timeline entry's marker for a case closed because its reopen window ended. */
export const WINDOW_ENDED = 'reopen_window_ended';

/** The resolved cases whose reopen window ended by `now`, oldest window first (the cases_resolved_reopen index). */
export function dueToCloseQuery(now: number, limit: number) {
  return getDb()
    .select()
    .from(cases)
    .where(and(sql`${cases.status} = 'resolved'`, lte(cases.reopenUntil, now)))
    .orderBy(asc(cases.reopenUntil))
    .limit(limit);
}

/** Close one batch of resolved cases past their reopen window; returns how many closed. */
async function closeBatch(now: number, limit: number): Promise<number> {
  const actor: Actor = { kind: 'system' };
  return getDatabase().writer.transaction(async (tx) => {
    const due = await dueToCloseQuery(now, limit);
    if (!due.length) return 0;
    const stmts: InStatement[] = [];
    for (const row of due) {
      const closedAt = row.reopenUntil ?? now;
      const set = { status: 'closed', statusChangedAt: now, closedAt, nextDueAt: null, updatedAt: now };
      stmts.push(updateCaseStatement(row, set));
      stmts.push(...countChangeStatements(row, { ...row, ...set }));
      stmts.push(toStatement(getDb().insert(caseEvents).values({
        id: newId(now), caseId: row.id, at: now, actorKind: 'system', actorId: null, action: 'case.status', visibility: 'internal', body: null,
        data: { from: 'resolved', to: 'closed', resolutionCode: row.resolutionCode ?? undefined, reason: WINDOW_ENDED },
      })));
      stmts.push(auditStatement(actor, 'case.closed', { kind: 'case', id: row.id }, { ref: row.ref, resolvedAt: row.resolvedAt, closedAt }, now));
    }
    await tx.batch(stmts);
    return due.length;
  });
}

/**
 * Close resolved cases whose reopen window ended by `now` (not reopened since), at most `batches` transactions of
 * `limit` cases per run. Returns how many closed.
 */
export async function closeResolvedCases(now = Date.now(), limit = CLOSE_BATCH, batches = CLOSE_BATCHES_PER_RUN): Promise<number> {
  let closed = 0;
  for (let i = 0; i < batches; i++) {
    const n = await closeBatch(now, limit);
    closed += n;
    if (n < limit) break;
  }
  return closed;
}
