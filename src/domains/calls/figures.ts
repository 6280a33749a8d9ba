/** Call figures for supervisors: per handler and per day, calls, average handle time, outcomes and cases created. */
import { eq } from 'drizzle-orm';
import { getDb } from '../../platform/db/client.ts';
import { calls, users } from '../../platform/db/schema.ts';
import { londonDate } from '../../platform/time/london.ts';
import { callConditions, type CallFilter } from './list.ts';
import { CASE_CREATING_REASONS, type CallReason } from './reasons.ts';

/** Figures for one group of calls. */
export interface CallTally {
  calls: number;
  totalSeconds: number;
  /** Average handle time in whole seconds (0 with no calls). */
  averageSeconds: number;
  casesCreated: number;
  /** Calls linked to an existing case (more information or progress). */
  casesUpdated: number;
  /** Calls with no case at all. */
  withoutCase: number;
  outcomes: Record<string, number>;
}

/** The figures page: totals, per handler, per London day (oldest first). */
export interface CallFigures {
  total: CallTally;
  byHandler: (CallTally & { handlerId: string; name: string })[];
  byDay: (CallTally & { day: string })[];
}

function emptyTally(): CallTally {
  return { calls: 0, totalSeconds: 0, averageSeconds: 0, casesCreated: 0, casesUpdated: 0, withoutCase: 0, outcomes: {} };
}

function add(t: CallTally, row: { durationS: number; reason: string; outcome: string; caseId: string | null }) {
  t.calls++;
  t.totalSeconds += row.durationS;
  t.averageSeconds = Math.round(t.totalSeconds / t.calls);
  if (row.caseId === null) t.withoutCase++;
  else if (CASE_CREATING_REASONS.includes(row.reason as CallReason)) t.casesCreated++;
  else t.casesUpdated++;
  t.outcomes[row.outcome] = (t.outcomes[row.outcome] ?? 0) + 1;
}

/** Count the calls matching a filter, per handler and per day. */
export async function callFigures(filter: CallFilter): Promise<CallFigures> {
  const rows = await getDb()
    .select({ startedAt: calls.startedAt, durationS: calls.durationS, reason: calls.reason, outcome: calls.outcome, caseId: calls.caseId, handlerId: calls.handlerId, name: users.name })
    .from(calls)
    .leftJoin(users, eq(users.id, calls.handlerId))
    .where(callConditions(filter));
  const total = emptyTally();
  const handlers = new Map<string, CallTally & { handlerId: string; name: string }>();
  const days = new Map<string, CallTally & { day: string }>();
  for (const row of rows) {
    add(total, row);
    let h = handlers.get(row.handlerId);
    if (!h) handlers.set(row.handlerId, (h = { ...emptyTally(), handlerId: row.handlerId, name: row.name ?? 'Unknown user' }));
    add(h, row);
    const key = londonDate(row.startedAt);
    let d = days.get(key);
    if (!d) days.set(key, (d = { ...emptyTally(), day: key }));
    add(d, row);
  }
  return {
    total,
    byHandler: [...handlers.values()].sort((a, b) => a.name.localeCompare(b.name)),
    byDay: [...days.values()].sort((a, b) => a.day.localeCompare(b.day)),
  };
}
