/**
 * The flag refreshes a process still owes, kept in the database so that a crash loses none. While new cases wait for
 * their flag refresh (flag-refresh.ts), the process keeps a row in meta, `flag_refresh:<process>`, holding the received
 * time from which its waiting cases start and a lease it renews every 30 seconds; the row is written in the same commit
 * as the first case that needs it, and deleted once nothing waits. A process that stops without finishing (killed,
 * crashed, the power lost) leaves its row behind; once the lease has run out, the flag-recovery job of any process
 * sharing the database takes the row over and refreshes every case received since that time, read back from the
 * cases by the received index (a span, flag-waiting.ts). Cases refreshed twice are harmless: a refresh stores only
 * flags that changed.
 */
import type { InStatement } from '@libsql/client';
import { getDatabase } from '../../platform/db/client.ts';

/**
 * How long a process's record holds before another process may take it over. Taking over a live process's record too
 * early costs only work done twice, so the lease is short: flags owed by a killed process are worked out minutes later.
 */
export const FLAG_LEASE_MS = 2 * 60_000;
/** How often a process with cases waiting renews its record (and moves its start on to the oldest case still waiting). */
export const FLAG_RENEW_MS = 30_000;
/** Slack before the oldest waiting case's received time: cases are scheduled in about the order they were received, not exactly. */
export const FLAG_FROM_SLACK_MS = 60_000;

const PREFIX = 'flag_refresh:';

/** What a process's record holds: cases received from `from` on may still wait; the record is its process's until `leaseUntil`. */
export interface FlagDebt {
  from: number;
  leaseUntil: number;
}

/** Keep the earlier start of a record already there (a record that cannot be read is replaced). */
const KEEP_EARLIER =
  'on conflict ("key") do update set "value" = case when json_valid("meta"."value") and json_extract("meta"."value", \'$.from\') < json_extract(excluded."value", \'$.from\') ' +
  'then json_set(excluded."value", \'$.from\', json_extract("meta"."value", \'$.from\')) else excluded."value" end';

/**
 * The statement that writes (or renews) a process's record: cases received from `from` on may still wait. It never
 * moves the start of a record already there later (so writes that cross in the writer's queue cannot uncover a case),
 * unless `moveOn` is set: the renewal's deliberate move to the oldest case still waiting.
 */
export function flagDebtStatement(processId: string, from: number, now: number, moveOn = false): InStatement {
  const value: FlagDebt = { from, leaseUntil: now + FLAG_LEASE_MS };
  const conflict = moveOn ? 'on conflict ("key") do update set "value" = excluded."value"' : KEEP_EARLIER;
  return { sql: `insert into "meta" ("key", "value") values (?, ?) ${conflict}`, args: [PREFIX + processId, JSON.stringify(value)] };
}

/** The statement that deletes a process's record (nothing of it waits any more). */
export function clearFlagDebtStatement(processId: string): InStatement {
  return { sql: 'delete from "meta" where "key" = ?', args: [PREFIX + processId] };
}

/** Parse a record's value; null for one that cannot be read. */
export function parseFlagDebt(value: string): FlagDebt | null {
  try {
    const parsed = JSON.parse(value) as Partial<FlagDebt>;
    return typeof parsed.from === 'number' && typeof parsed.leaseUntil === 'number' ? { from: parsed.from, leaseUntil: parsed.leaseUntil } : null;
  } catch {
    return null;
  }
}

/**
 * Take over the records whose lease ran out (their processes stopped without finishing), in one write transaction so
 * that two processes never take the same one: they are deleted, and the taking process's own record (`processId`,
 * whose start so far is `ownFrom`) covers them from the same commit on. Returns the earliest received time they
 * cover, for the caller to refresh from (undefined when there were none). A record that cannot be read is taken over from 0.
 */
export async function takeAbandonedFlagDebts(now: number, processId: string, ownFrom?: number): Promise<number | undefined> {
  return getDatabase().writer.transaction(async (tx) => {
    const rows = (await tx.execute({ sql: 'select "key", "value" from "meta" where "key" >= ? and "key" < ?', args: [PREFIX, PREFIX.slice(0, -1) + ';'] })).rows;
    let from: number | undefined;
    const taken: string[] = [];
    for (const row of rows) {
      const debt = parseFlagDebt(String(row.value));
      if (debt && debt.leaseUntil > now) continue;
      taken.push(String(row.key));
      const start = debt?.from ?? 0;
      if (from === undefined || start < from) from = start;
    }
    if (from === undefined) return undefined;
    await tx.batch([...taken.map((key) => ({ sql: 'delete from "meta" where "key" = ?', args: [key] })), flagDebtStatement(processId, Math.min(from, ownFrom ?? from), now)]);
    return from;
  });
}
