/**
 * When new cases get their repeat flags: the scheduling of the refresh passes (refreshFlagsOfCases, in actions.ts,
 * does the work). Arrivals wait in a list (flag-waiting.ts) for a pass that runs off the resident's request, gives
 * way to requests while the process is busy, and leaves a record in the database while anything waits, so that a
 * crash loses nothing (flag-recovery.ts).
 */
import type { InStatement } from '@libsql/client';
import { getDatabase } from '../../platform/db/client.ts';
import { newSecret } from '../../platform/security/ids.ts';
import { log } from '../../platform/log.ts';
import { loadSince, markLoad } from '../../platform/load.ts';
import { refreshFlagsOfCases } from './actions.ts';
import { loadFlagCases } from './detect.ts';
import { FlagWaitingList, type TakenCases } from './flag-waiting.ts';
import { clearFlagDebtStatement, FLAG_FROM_SLACK_MS, FLAG_RENEW_MS, flagDebtStatement, takeAbandonedFlagDebts } from './flag-recovery.ts';

/** The cases waiting for their flag refresh: by id up to a limit, then as a span of received times (flag-waiting.ts). */
const pendingFlagRefreshes = new FlagWaitingList();
let flagRefreshTimer: NodeJS.Timeout | undefined;
/** How long the last refresh pass took (wall time, its slices and the requests between them). */
let lastFlagPassMs = 0;
/** The pause before the next pass, as a multiple of the last pass's time: passes take at most a quarter of the time. */
const FLAG_PASS_SPACING = 3;
/** A due pass waits while requests keep the process at least this busy: in flight for this share of the time, and the event loop busy for this share too. */
const FLAG_BUSY_SHARE = 0.5;
/** The longest a case's flags wait for a quieter moment: after it, passes take their share (FLAG_PASS_SPACING) even under full load. */
const FLAG_MAX_WAIT_MS = 120_000;
/** How often a waiting refresh looks again at how busy the process is. */
const FLAG_BUSY_RECHECK_MS = 1000;
let flagMaxWaitMs = FLAG_MAX_WAIT_MS;
/** How many times a due pass has waited for a quieter moment (a health figure). */
let flagPassesDeferred = 0;

/**
 * Whether a due flag pass waits: requests were in flight and the event loop was busy for at least FLAG_BUSY_SHARE of
 * the time since the pass was timed, and the oldest waiting case has not waited maxWaitMs yet. Both, so that other
 * background work (the outbox after a burst) does not hold the flags back, nor a long upload that keeps the loop idle.
 */
export function shouldDeferFlagPass(load: { requests: number; loop: number }, oldestWaitMs: number, maxWaitMs = flagMaxWaitMs): boolean {
  return load.requests >= FLAG_BUSY_SHARE && load.loop >= FLAG_BUSY_SHARE && oldestWaitMs < maxWaitMs;
}

/** Set the longest wait for a quieter moment (tests; FLAG_MAX_WAIT_MS unless set). */
export function setFlagRefreshMaxWait(ms: number = FLAG_MAX_WAIT_MS) {
  flagMaxWaitMs = ms;
}

/**
 * Refresh the flags of a new case (and its neighbours) shortly, off the submission's path; arrivals close together
 * share one pass. The next pass waits FLAG_PASS_SPACING times as long as the last one took, so under a burst of
 * submissions the passes grow (a place is read once per pass, and neighbours shared by the arrivals are computed
 * once) instead of taking ever more of the process from the requests. While requests keep the process at least half
 * busy (FLAG_BUSY_SHARE), a due pass waits for a quieter moment, for at most FLAG_MAX_WAIT_MS from the oldest
 * case's arrival: flags are triage hints that catch up when the burst ends, and a burst's submissions go first.
 */
export function scheduleFlagRefresh(caseId: string, delayMs = 250, receivedAt?: number) {
  pendingFlagRefreshes.add(caseId, receivedAt);
  armFlagRefresh(delayMs);
}

/** This process's name in its record of the flag refreshes it owes (flag-recovery.ts); a new one after it hands a record over. */
let flagProcessId = newSecret(10);
/** The record's start while it is in the database (written with a new case, renewed, deleted once nothing waits), else undefined. */
let flagDebtFrom: number | undefined;
/** New cases' commits under way that did not carry the record (it was there): it is not deleted while any is. */
let flagDebtWritesInFlight = 0;
/** Takeovers under way (recoverFlagRefreshes): the renewal neither deletes the record nor moves its start while any is. */
let flagRecoveriesInFlight = 0;
let flagDebtRenewal: NodeJS.Timeout | undefined;

/** What a new case's commit carries for its flag refresh (flagDebtStatements), to be handed back to flagDebtWritten. */
export interface FlagDebtWrite {
  statements: InStatement[];
  processId: string;
  from: number;
}

/**
 * What a new case's commit carries so that a crash cannot lose its flag refresh: this process's record, when it is
 * not in the database yet (the first case after a quiet spell); nothing while it is. Call flagDebtWritten after the
 * commit, whatever its outcome.
 */
export function flagDebtStatements(receivedAt: number, now = Date.now()): FlagDebtWrite {
  flagDebtWritesInFlight++;
  const from = receivedAt - FLAG_FROM_SLACK_MS;
  return { statements: flagDebtFrom === undefined ? [flagDebtStatement(flagProcessId, from, now)] : [], processId: flagProcessId, from };
}

/** After a new case's commit (`stored` when it was committed): the record it carried, if any, is in the database. */
export function flagDebtWritten(debt: FlagDebtWrite, stored: boolean) {
  flagDebtWritesInFlight--;
  // A record written under a name this process has since handed over is the recovery's, not this process's.
  if (!stored || debt.statements.length === 0 || debt.processId !== flagProcessId) return;
  flagDebtFrom = Math.min(flagDebtFrom ?? debt.from, debt.from);
  armFlagDebtRenewal();
}

/**
 * Hand every waiting case over to the flag-recovery job, after passes failed twice in a row (a database that keeps
 * failing): the record stays as it is and is no longer renewed, so once its lease runs out a process takes it over
 * and tries again, from the record's start; this process forgets the cases and starts a record under a new name.
 */
function handFlagDebtToRecovery(): void {
  log.warn('case.flags_handed_to_recovery', { record: flagProcessId, from: flagDebtFrom === undefined ? null : new Date(flagDebtFrom).toISOString(), waiting: pendingFlagRefreshes.size });
  pendingFlagRefreshes.clear();
  clearInterval(flagDebtRenewal);
  flagDebtRenewal = undefined;
  flagDebtFrom = undefined;
  flagProcessId = newSecret(10);
}

function armFlagDebtRenewal() {
  if (flagDebtRenewal) return;
  flagDebtRenewal = setInterval(() => void renewFlagDebt(), FLAG_RENEW_MS);
  flagDebtRenewal.unref();
}

/**
 * Renew this process's record while cases wait, its start moved on to the oldest case still waiting (not while a pass
 * runs: the pass's cases are out of the list but not refreshed yet); delete it once nothing waits or is being written.
 */
export async function renewFlagDebt(now = Date.now()): Promise<void> {
  if (flagDebtFrom === undefined || flagRecoveriesInFlight > 0) return;
  try {
    if (pendingFlagRefreshes.isEmpty() && !flagRefreshRunning && flagDebtWritesInFlight === 0) {
      flagDebtFrom = undefined;
      clearInterval(flagDebtRenewal);
      flagDebtRenewal = undefined;
      await getDatabase().writer.batch([clearFlagDebtStatement(flagProcessId)]);
      return;
    }
    const oldest = pendingFlagRefreshes.oldestReceivedAt();
    const moveOn = !flagRefreshRunning && flagDebtWritesInFlight === 0 && oldest !== undefined && oldest - FLAG_FROM_SLACK_MS > flagDebtFrom;
    if (moveOn) flagDebtFrom = oldest - FLAG_FROM_SLACK_MS;
    await getDatabase().writer.batch([flagDebtStatement(flagProcessId, flagDebtFrom, now, moveOn)]);
  } catch (error) {
    log.warn('case.flags_record_failed', { error: String(error) });
  }
}

/**
 * Take over the flag refreshes of processes that stopped without finishing them (their records' leases ran out):
 * this process's record covers them in the same commit, and every case received since the earliest of them waits for
 * a pass, read back as a span. The flag-recovery job runs it every minute. Returns that earliest received time, or
 * undefined when there was nothing to take over.
 */
export async function recoverFlagRefreshes(now = Date.now()): Promise<number | undefined> {
  flagRecoveriesInFlight++;
  let from: number | undefined;
  try {
    from = await takeAbandonedFlagDebts(now, flagProcessId, flagDebtFrom);
  } finally {
    flagRecoveriesInFlight--;
  }
  if (from === undefined) return undefined;
  log.warn('case.flags_recovered', { from: new Date(from).toISOString() });
  flagDebtFrom = Math.min(flagDebtFrom ?? from, from);
  armFlagDebtRenewal();
  pendingFlagRefreshes.addSpan(from, now);
  armFlagRefresh(0);
  return from;
}

/** Set how many waiting cases are held by id before the rest wait as a span of received times (tests; FLAG_WAITING_BY_ID unless set). */
export function setFlagWaitingByIdLimit(limit?: number) {
  pendingFlagRefreshes.setLimit(limit);
}

/** How many of the cases waiting for their flag refresh are held by id (a health figure: at most FLAG_WAITING_BY_ID). */
export function flagRefreshHeldById(): number {
  return pendingFlagRefreshes.heldById;
}

/** Start the timer for the next pass, if none is set: after delayMs, or FLAG_PASS_SPACING times the last pass; a process busy with requests puts the pass off (shouldDeferFlagPass). */
function armFlagRefresh(delayMs: number) {
  if (flagRefreshTimer) return;
  const since = markLoad();
  flagRefreshTimer = setTimeout(() => {
    flagRefreshTimer = undefined;
    if (shouldDeferFlagPass(loadSince(since), flagRefreshOldestWaitMs())) {
      flagPassesDeferred++;
      armFlagRefresh(FLAG_BUSY_RECHECK_MS);
      return;
    }
    void runFlagPass().then(() => !pendingFlagRefreshes.isEmpty() && armFlagRefresh(0));
  }, Math.max(delayMs, lastFlagPassMs * FLAG_PASS_SPACING));
  flagRefreshTimer.unref();
}

/** How long the oldest case waiting for its flag refresh has waited, in milliseconds (0 when none waits). */
export function flagRefreshOldestWaitMs(now = performance.now()): number {
  const since = pendingFlagRefreshes.oldestSince();
  return since === undefined ? 0 : Math.max(0, now - since);
}

/** How many times a due flag pass has waited for a quieter moment since the process started (a health figure). */
export function flagPassesDeferredCount(): number {
  return flagPassesDeferred;
}

let flagRefreshRunning: Promise<boolean> | undefined;

/** The most new cases one pass refreshes: a burst's backlog is taken in passes of this size, not read whole at once. */
const FLAG_PASS_MAX = 1000;

/** Run every scheduled flag refresh now, after any pass already running (one pass at a time); a failure is logged and leaves the flags to the next change. */
export async function flushFlagRefreshes(now?: number) {
  clearTimeout(flagRefreshTimer);
  flagRefreshTimer = undefined;
  while (flagRefreshRunning || !pendingFlagRefreshes.isEmpty()) await runFlagPass(now);
}

/** How many new cases are waiting for their flag refresh (a health figure: it grows under a burst and drains after it). */
export function flagRefreshBacklog(): number {
  return pendingFlagRefreshes.size;
}

/** One pass over up to FLAG_PASS_MAX scheduled cases, after any pass already running (the timer's pass; exported for tests). */
export async function runFlagPass(now?: number) {
  while (flagRefreshRunning) await flagRefreshRunning;
  if (pendingFlagRefreshes.isEmpty()) return;
  const started = performance.now();
  flagRefreshRunning = refreshArrivals(now ?? Date.now());
  let ok = false;
  try {
    ok = await flagRefreshRunning;
  } finally {
    flagRefreshRunning = undefined;
    // The next pass waits FLAG_PASS_SPACING times as long as this one took, and at least FLAG_FAILURE_PAUSE_MS after a failed one.
    lastFlagPassMs = ok ? performance.now() - started : Math.max(performance.now() - started, FLAG_FAILURE_PAUSE_MS / FLAG_PASS_SPACING);
  }
}

/** Passes in a row that failed: the first failure gives its cases back for another try, a second one in a row hands every waiting case to the flag-recovery job. */
let flagPassFailures = 0;
/** The pause before the pass after a failed one. */
const FLAG_FAILURE_PAUSE_MS = 30_000;

/**
 * One refresh pass over up to FLAG_PASS_MAX waiting cases. A failure (a read or a write that failed) is logged and its
 * cases are given back for one more try, after a pause; if that pass fails too, every waiting case is handed to the
 * flag-recovery job (handFlagDebtToRecovery), which tries again once the record's lease has run out.
 */
async function refreshArrivals(now: number): Promise<boolean> {
  let taken: TakenCases = { ids: [], from: undefined, unknown: [] };
  try {
    taken = await pendingFlagRefreshes.take(FLAG_PASS_MAX);
    if (taken.ids.length) await refreshFlagsOfCases(await loadFlagCases(taken.ids), now, true);
    flagPassFailures = 0;
    return true;
  } catch (error) {
    log.warn('case.flags_refresh_failed', { caseIds: taken.ids.slice(0, 20), count: taken.ids.length, error: String(error) });
    pendingFlagRefreshes.giveBack(taken);
    if (++flagPassFailures === 2) {
      flagPassFailures = 0;
      handFlagDebtToRecovery();
    }
    return false;
  }
}
