/**
 * The new cases waiting for their flag refresh. Up to a limit they are held by id; beyond it only the span of their
 * received times is kept, and a pass reads the ids back from the cases (the cases_received index), a chunk at a time.
 * So a surge that lasts minutes costs the memory of the limit's ids (about 100 bytes each), not of one entry per case.
 * Reading a span back may also take cases another process received in it: their refresh is done twice, which changes
 * nothing (a refresh stores only flags that changed).
 */
import type { InValue } from '@libsql/client';
import { readValues } from '../../platform/db/client.ts';

/** How many waiting cases are held by id before the rest are kept as a span of received times. */
export const FLAG_WAITING_BY_ID = 10_000;

/** Waiting cases kept as a span of received times up to `to`: those after `after` (received time, then id) are still to be read back. */
interface Span {
  to: number;
  after: [receivedAt: number, id: string];
  /** About how many cases were added to the span and not read back yet (a health figure: reads also find cases of other processes, and a span taken over counts none). */
  count: number;
  /** When the first case of the span was added (performance.now()). */
  since: number;
  /** Cases added to the span so far: a read during which none was added, and that found fewer than it asked for, ends the span. */
  added: number;
  /** While a read is under way: the earliest received time added meanwhile, so that the read does not move past it. */
  reading?: { lowest: number | undefined };
}

/** The read of a span's next cases: those after `after` (received time, then id) up to `to`, oldest first, by the cases_received index. */
export function spanReadStatement(after: readonly [number, string], to: number, max: number): { sql: string; args: InValue[] } {
  return { sql: 'select "id", "received_at" from "cases" where ("received_at", "id") > (?, ?) and "received_at" <= ? order by "received_at", "id" limit ?', args: [after[0], after[1], to, max] };
}

/** The cases waiting for their flag refresh, by id up to a limit and as a span of received times beyond it. */
export class FlagWaitingList {
  /** Case id → when it was first added (performance.now()), oldest first. */
  private readonly ids = new Map<string, number>();
  /** Case id → received time, for the held cases whose received time was given (new cases), in the order added. */
  private readonly received = new Map<string, number>();
  private span: Span | undefined;
  private limit: number;

  constructor(limit = FLAG_WAITING_BY_ID) {
    this.limit = limit;
  }

  /** Set how many cases are held by id (tests; FLAG_WAITING_BY_ID unless set). */
  setLimit(limit = FLAG_WAITING_BY_ID): void {
    this.limit = limit;
  }

  /**
   * Add a case: by id while there is room and no span (or when its received time is not known), else into the span of
   * received times (once there is a span, new cases join it, so that it is read back in order and not starved).
   */
  add(id: string, receivedAt?: number, now = performance.now()): void {
    if (this.ids.has(id)) return;
    if (receivedAt === undefined || (this.ids.size < this.limit && !this.span)) {
      this.ids.set(id, now);
      if (receivedAt !== undefined) this.received.set(id, receivedAt);
      return;
    }
    this.addSpan(receivedAt, receivedAt, now, id);
    this.span!.count++;
  }

  /**
   * Add every case received from `from` to `to` (a process's unfinished refreshes taken over after it stopped), or,
   * with `id`, one case received at `from` that the span keeps instead of holding it by id.
   */
  addSpan(from: number, to: number, now = performance.now(), id = ''): void {
    if (!this.span) this.span = { to, after: [from, ''], count: 0, since: now, added: 0 };
    const span = this.span;
    if (to > span.to) span.to = to;
    // Cases received before the part already read (a clock step back, a span taken over) move the start of what is left to read back.
    if (from < span.after[0] || (from === span.after[0] && id <= span.after[1])) span.after = [from, ''];
    if (span.reading) span.reading.lowest = Math.min(span.reading.lowest ?? from, from);
    span.added++;
  }

  /** The received time of the oldest waiting new case, about (held cases in the order added, then the span), or undefined when none is known. */
  oldestReceivedAt(): number | undefined {
    let oldest = this.span?.after[0];
    for (const receivedAt of this.received.values()) {
      if (oldest === undefined || receivedAt < oldest) oldest = receivedAt;
      break;
    }
    return oldest;
  }

  /** About how many cases wait: those held by id, and those added to the span and not read back yet (at least one while a span is left). */
  get size(): number {
    return this.ids.size + (this.span ? Math.max(1, this.span.count) : 0);
  }

  /** True when no case waits (none held by id, no span left to read back). */
  isEmpty(): boolean {
    return this.ids.size === 0 && !this.span;
  }

  /** How many waiting cases are held by id. */
  get heldById(): number {
    return this.ids.size;
  }

  /** When the longest-waiting case was added (performance.now()), or undefined when none waits. */
  oldestSince(): number | undefined {
    let oldest = this.span?.since;
    for (const since of this.ids.values()) {
      if (oldest === undefined || since < oldest) oldest = since;
      break;
    }
    return oldest;
  }

  /**
   * Take up to `max` waiting cases for a pass: those held by id first, then the next ones of the span, read from the
   * cases. With them, what giveBack needs should the pass fail: the earliest received time among them, and those
   * taken whose received time is not known.
   */
  async take(max: number): Promise<TakenCases> {
    const ids: string[] = [];
    const unknown: string[] = [];
    let from: number | undefined;
    for (const id of this.ids.keys()) {
      if (ids.length === max) break;
      ids.push(id);
      const receivedAt = this.received.get(id);
      if (receivedAt === undefined) unknown.push(id);
      else if (from === undefined || receivedAt < from) from = receivedAt;
      this.ids.delete(id);
      this.received.delete(id);
    }
    if (ids.length < max && this.span) {
      const read = await this.takeFromSpan(max - ids.length);
      ids.push(...read.ids);
      if (read.from !== undefined && (from === undefined || read.from < from)) from = read.from;
    }
    return { ids, from, unknown };
  }

  /** Forget every waiting case (handed over to the flag-recovery job). */
  clear(): void {
    this.ids.clear();
    this.received.clear();
    this.span = undefined;
  }

  /** Give back the cases of a pass that failed: as a span from the earliest of them, and those of unknown received time by id. */
  giveBack(taken: TakenCases, now = performance.now()): void {
    if (taken.from !== undefined) this.addSpan(taken.from, Date.now(), now);
    for (const id of taken.unknown) this.add(id, undefined, now);
  }

  /**
   * The next `max` cases of the span in received order, and the received time the read started from; the span ends
   * once a read finds no more up to its end. A read that fails leaves the span as it was, and throws.
   */
  private async takeFromSpan(max: number): Promise<{ ids: string[]; from: number }> {
    const span = this.span!;
    const added = span.added;
    const from = span.after[0];
    const reading = (span.reading = { lowest: undefined as number | undefined });
    let rows: unknown[][];
    try {
      rows = await readValues(spanReadStatement(span.after, span.to, max));
    } catch (error) {
      throw new Error(`reading back the cases received from ${new Date(span.after[0]).toISOString()} to ${new Date(span.to).toISOString()} failed: ${String(error)}`, { cause: error });
    } finally {
      span.reading = undefined;
    }
    const last = rows[rows.length - 1];
    if (last) span.after = [Number(last[1]), String(last[0])];
    // A case added during the read at or before its last row may not be in it (committed after the read began): read again from there.
    if (reading.lowest !== undefined && reading.lowest <= span.after[0]) span.after = [reading.lowest, ''];
    span.count = Math.max(0, span.count - rows.length);
    // Read to its end with nothing added meanwhile: the span is done.
    if (rows.length < max && span.added === added) this.span = undefined;
    return { ids: rows.map((r) => String(r[0])), from };
  }
}

/** The cases a pass took: their ids, the earliest received time among them (when known), and those whose received time is not known. */
export interface TakenCases {
  ids: string[];
  from: number | undefined;
  unknown: string[];
}
