/** The durable outbox: messages are rows committed with the change that caused them, sent later with retries. */
import { and, asc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { InStatement } from '@libsql/client';
import { getDatabase, toStatement } from '../db/client.ts';
import { outbox } from '../db/schema.ts';
import { newId } from '../security/ids.ts';
import { insertRow } from '../db/insert.ts';
import { log } from '../log.ts';
import { RecipientRefused } from './address.ts';
import type { MailTransport } from './transport.ts';
import { renderMail } from './templates.ts';

/** The statement that queues one e-mail; include it in the same batch as the change. */
export function enqueueEmail(template: string, recipient: string, payload: Record<string, unknown>, now = Date.now()): InStatement {
  renderMail(template, payload); // fail fast on a bad template or payload, before anything is stored
  return insertRow(outbox, {
      id: newId(now),
      template,
      recipient,
      payload,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
    });
}

/** Delay before attempt n+1 (after n failures): 1, 5, 30 minutes, then hourly; dead after 48 hours. */
export function retryDelay(failures: number, baseMs = 60_000): number {
  const steps = [1, 5, 30];
  const minutes = failures <= steps.length ? steps[failures - 1]! : 60;
  const jitter = 0.9 + Math.random() * 0.2;
  return Math.round(minutes * baseMs * jitter);
}

/** Options for the outbox worker. */
export interface OutboxWorkerOptions {
  transport: MailTransport;
  from: string;
  intervalMs: number;
  retryBaseMs?: number;
  maxAttempts?: number;
  batchSize?: number;
}

/** Sends due outbox rows; one instance per process. */
export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> | undefined;
  private stopping = false;
  private options: OutboxWorkerOptions;

  constructor(options: OutboxWorkerOptions) {
    this.options = options;
  }

  /** Start polling. */
  start() {
    this.stopping = false;
    const tick = () => {
      this.timer = setTimeout(async () => {
        await this.runOnce().catch((error) => log.error('outbox.tick_failed', { error: String(error) }));
        if (!this.stopping) tick();
      }, this.options.intervalMs);
      this.timer.unref();
    };
    tick();
  }

  /** Ask for a run soon (after a commit that queued mail). */
  poke() {
    if (this.stopping || this.busy) return;
    setImmediate(() => void this.runOnce().catch((error) => log.error('outbox.tick_failed', { error: String(error) })));
  }

  /** Send every due row once; returns how many were sent. */
  async runOnce(now = Date.now()): Promise<number> {
    if (this.busy) {
      await this.busy;
      return 0;
    }
    let sent = 0;
    const work = (async () => {
      const { db, writer } = getDatabase();
      const due = await db
        .select()
        .from(outbox)
        .where(and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, now), or(isNull(outbox.leaseUntil), lte(outbox.leaseUntil, now))))
        .orderBy(asc(outbox.nextAttemptAt))
        .limit(this.options.batchSize ?? 25);
      if (due.length === 0) return;
      // Lease the batch in one statement so a second process (or a crash mid-send) cannot double-send at once.
      const [leaseResult] = await writer.batch([
        toStatement(
          db
            .update(outbox)
            .set({ leaseUntil: now + 120_000 })
            .where(and(inArray(outbox.id, due.map((r) => r.id)), eq(outbox.status, 'pending'), or(isNull(outbox.leaseUntil), lte(outbox.leaseUntil, now))))
            .returning({ id: outbox.id }),
        ),
      ]);
      const leased = new Set(leaseResult!.rows.map((r) => String(r.id)));
      const delivered: string[] = [];
      for (const row of due) {
        if (this.stopping) break;
        if (!leased.has(row.id)) continue;
        try {
          const mail = renderMail(row.template, row.payload);
          await this.options.transport.send(row.recipient, this.options.from, mail, `<${row.id}@saferline>`);
          delivered.push(row.id);
          log.info('outbox.sent', { id: row.id, template: row.template });
        } catch (error) {
          const attempts = row.attempts + 1;
          const dead = error instanceof RecipientRefused || attempts >= (this.options.maxAttempts ?? 52);
          await writer.batch([
            toStatement(
              db
                .update(outbox)
                .set({
                  status: dead ? 'dead' : 'pending',
                  attempts,
                  leaseUntil: null,
                  lastError: String((error as Error)?.message ?? error).slice(0, 500),
                  nextAttemptAt: Date.now() + retryDelay(attempts, this.options.retryBaseMs),
                })
                .where(eq(outbox.id, row.id)),
            ),
          ]);
          log.warn('outbox.failed', { id: row.id, attempts, dead, error: String((error as Error)?.message ?? error) });
        }
      }
      if (delivered.length > 0) {
        // One statement marks the whole batch sent; a crash before it means a resend after the lease (at least once).
        await writer.batch([
          toStatement(
            db
              .update(outbox)
              .set({ status: 'sent', sentAt: Date.now(), attempts: sql`${outbox.attempts} + 1`, leaseUntil: null, lastError: null })
              .where(inArray(outbox.id, delivered)),
          ),
        ]);
        sent = delivered.length;
      }
    })();
    this.busy = work;
    try {
      await work;
    } finally {
      this.busy = undefined;
    }
    return sent;
  }

  /** Stop polling and wait for an in-flight send to finish. */
  async stop() {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.busy;
    this.options.transport.close();
  }
}

/** Counts for health checks: pending rows, the oldest pending age, dead rows. */
export async function outboxBacklog(now = Date.now()) {
  const { db } = getDatabase();
  const [row] = await db
    .select({
      pending: sql<number>`sum(case when ${outbox.status} = 'pending' then 1 else 0 end)`,
      dead: sql<number>`sum(case when ${outbox.status} = 'dead' then 1 else 0 end)`,
      oldest: sql<number | null>`min(case when ${outbox.status} = 'pending' then ${outbox.createdAt} end)`,
    })
    .from(outbox);
  return { pending: row?.pending ?? 0, dead: row?.dead ?? 0, oldestPendingMs: row?.oldest ? now - row.oldest : 0 };
}
