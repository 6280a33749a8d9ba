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
  /** How many cases were added to the span and not read back yet (a health figure; the read may find others too). */
  count: number;
  /** When the first case of the span was added (performance.now()). */
  since: number;
  /** Cases added to the span so far: a read during which none was added, and that found fewer than it asked for, ends the span. */
  added: number;
  /** Set when a case was added before the part already read (a clock step back), so the read under way does not move past it. */
  rewound: boolean;
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

  /** Add a case: by id while there is room (or when its received time is not known), else into the span of received times. */
  add(id: string, receivedAt?: number, now = performance.now()): void {
    if (this.ids.has(id)) return;
    if (receivedAt === undefined || this.ids.size < this.limit) {
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
    if (!this.span) this.span = { to, after: [from, ''], count: 0, since: now, added: 0, rewound: false };
    const span = this.span;
    if (to > span.to) span.to = to;
    // Cases received before the part already read (a clock step back, a span taken over) move the start of what is left to read back.
    if (from < span.after[0] || (from === span.after[0] && id <= span.after[1])) {
      span.after = [from, ''];
      span.rewound = true;
    }
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

  /** How many cases wait (held by id, and added to the span and not read back yet). */
  get size(): number {
    return this.ids.size + (this.span?.count ?? 0);
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

  /** Take up to `max` waiting cases for a pass: those held by id first, then the next ones of the span, read from the cases. */
  async take(max: number): Promise<string[]> {
    const taken: string[] = [];
    for (const id of this.ids.keys()) {
      if (taken.length === max) break;
      taken.push(id);
    }
    for (const id of taken) {
      this.ids.delete(id);
      this.received.delete(id);
    }
    if (taken.length < max && this.span) taken.push(...(await this.takeFromSpan(max - taken.length)));
    return taken;
  }

  /**
   * The next `max` cases of the span in received order; the span ends once a read finds no more up to its end. A read
   * that fails ends the span too (its cases keep the flags they have until their next change), and throws.
   */
  private async takeFromSpan(max: number): Promise<string[]> {
    const span = this.span!;
    const added = span.added;
    span.rewound = false;
    let rows: unknown[][];
    try {
      rows = await readValues(spanReadStatement(span.after, span.to, max));
    } catch (error) {
      if (this.span === span) this.span = undefined;
      throw new Error(`reading back the cases received from ${new Date(span.after[0]).toISOString()} to ${new Date(span.to).toISOString()} failed: ${String(error)}`, { cause: error });
    }
    const last = rows[rows.length - 1];
    if (last && !span.rewound) span.after = [Number(last[1]), String(last[0])];
    span.count = Math.max(0, span.count - rows.length);
    // Read to its end with nothing added meanwhile: the span is done.
    if (rows.length < max && span.added === added) this.span = undefined;
    return rows.map((r) => String(r[0]));
  }
}
