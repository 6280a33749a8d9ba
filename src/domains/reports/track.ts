/** Residents following up a report: prove access (reference + e-mail, private link, or anonymous secret), read progress, add information. */
import { timingSafeEqual } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { InStatement } from '@libsql/client';
import { auditStatement } from '../../platform/audit.ts';
import { getDatabase, getDb, toStatement } from '../../platform/db/client.ts';
import { caseEvents, cases, reporters, users } from '../../platform/db/schema.ts';
import { newId } from '../../platform/security/ids.ts';
import { enqueueEmail } from '../../platform/mail/outbox.ts';
import { parseEmailAddress } from '../../platform/mail/address.ts';
import { hashSecret } from './submit.ts';
import { countChangeStatements } from '../insight/counts.ts';
import { currentTimers } from '../cases/actions.ts';
import { nextDue, type TimerTargets } from '../cases/timers.ts';
import { TIMELINE_OLDEST_FIRST } from '../cases/timeline.ts';

function sameHash(stored: Buffer | null | undefined, secret: string): boolean {
  if (!stored) return false;
  const given = hashSecret(secret);
  return stored.length === given.length && timingSafeEqual(stored, given);
}

/** How many private links stay valid: each e-mail that carries one adds a new link, and the oldest beyond this stops working. */
export const LIVE_LINKS = 5;

/** True when the token is one of the private links held (the stored value is up to LIVE_LINKS hashes, newest first). */
function sameLinkHash(stored: Buffer | null | undefined, token: string): boolean {
  if (!stored) return false;
  const given = hashSecret(token);
  let found = false;
  for (let i = 0; i + given.length <= stored.length; i += given.length) if (timingSafeEqual(stored.subarray(i, i + given.length), given)) found = true;
  return found;
}

/** The stored private-link hashes with a new token's hash added first, keeping the newest LIVE_LINKS. */
export function addLinkHash(stored: Buffer | null | undefined, token: string): Buffer {
  const given = hashSecret(token);
  return Buffer.concat([given, (stored ?? Buffer.alloc(0)).subarray(0, given.length * (LIVE_LINKS - 1))]);
}

/** The case id when the reference and proof match, or null (the same answer for every kind of mismatch). */
export async function verifyTrackAccess(ref: string, proof: { email?: string; secret?: string; linkToken?: string }): Promise<string | null> {
  const [row] = await getDb()
    .select({ id: cases.id, trackSecretHash: cases.trackSecretHash, linkTokenHash: cases.linkTokenHash, email: reporters.email })
    .from(cases)
    .leftJoin(reporters, eq(reporters.id, cases.reporterId))
    .where(eq(cases.ref, ref));
  // Compare something even when there is no case, so timing says little.
  const dummy = Buffer.alloc(32);
  if (!row) {
    sameHash(dummy, proof.secret ?? proof.linkToken ?? proof.email ?? '');
    return null;
  }
  if (proof.linkToken && sameLinkHash(row.linkTokenHash, proof.linkToken)) return row.id;
  if (proof.secret && sameHash(row.trackSecretHash, proof.secret.toUpperCase().replace(/[^A-Z0-9]/g, '').replace(/^(.{5})/, '$1-'))) return row.id;
  if (proof.email && row.email && row.email === parseEmailAddress(proof.email)) return row.id;
  return null;
}

/** What a reporter may see about their case. */
export async function loadTrackView(caseId: string) {
  const db = getDb();
  const [c] = await db
    .select({ id: cases.id, ref: cases.ref, status: cases.status, kind: cases.kind, categoryId: cases.categoryId, receivedAt: cases.receivedAt, privacy: cases.privacy, description: cases.description, postcode: cases.postcode, locationText: cases.locationText, wardId: cases.wardId })
    .from(cases)
    .where(eq(cases.id, caseId));
  if (!c) return null;
  // Whether an active officer owns the case: only then has "the officer dealing with it" been told of new information.
  const [owner] = await db.select({ active: users.active }).from(cases).innerJoin(users, eq(users.id, cases.ownerId)).where(eq(cases.id, caseId));
  const events = await db
    .select({ id: caseEvents.id, at: caseEvents.at, action: caseEvents.action, body: caseEvents.body, actorKind: caseEvents.actorKind })
    .from(caseEvents)
    .where(and(eq(caseEvents.caseId, caseId), eq(caseEvents.visibility, 'reporter')))
    .orderBy(...TIMELINE_OLDEST_FIRST);
  return { ...c, owned: !!owner?.active, events };
}

/** A case awaiting its reporter, open again now they answered: its paused timers run again, moved on by the time paused. */
function reopenedByReporter(c: { timers: Record<string, unknown> | null; receivedAt: number; priority: string | null }, targets: TimerTargets, now: number) {
  const timers = currentTimers({ ...c, status: 'open' }, targets, now);
  return { status: 'open' as const, statusChangedAt: now, timers: timers as unknown as Record<string, unknown>, nextDueAt: nextDue(timers) };
}

/** Add the reporter's new information to the case timeline and alert the case owner (one write transaction: the status it reads decides); returns the timeline entry's id. */
export async function addReporterInformation(caseId: string, body: string, ctx: { ip?: string | null; publicUrl: string; partnership: string; targets: TimerTargets }, now = Date.now()): Promise<string> {
  const eventId = newId(now);
  await getDatabase().writer.transaction(async (tx) => {
    const db = tx.db;
    const [c] = await db
      .select({ id: cases.id, ref: cases.ref, ownerId: cases.ownerId, status: cases.status, version: cases.version, receivedAt: cases.receivedAt, timers: cases.timers, kind: cases.kind, channel: cases.channel, categoryId: cases.categoryId, districtId: cases.districtId, wardId: cases.wardId, resolutionCode: cases.resolutionCode, priority: cases.priority, referredAgencyId: cases.referredAgencyId })
      .from(cases)
      .where(eq(cases.id, caseId));
    if (!c) throw new Error('case not found');
    const stmts: InStatement[] = [
      toStatement(db.insert(caseEvents).values({ id: eventId, caseId, at: now, actorKind: 'public', action: 'reporter.message', visibility: 'reporter', body })),
      toStatement(
        db
          .update(cases)
          .set({ updatedAt: now, version: sql`${cases.version} + 1`, ...(c.status === 'awaiting_reporter' ? reopenedByReporter(c, ctx.targets, now) : {}) })
          .where(and(eq(cases.id, caseId), eq(cases.version, c.version))),
      ),
      auditStatement({ kind: 'public', ip: ctx.ip }, 'case.reporter_message', { kind: 'case', id: caseId }, undefined, now),
      ...(c.status === 'awaiting_reporter' ? countChangeStatements(c, { ...c, status: 'open' }) : []),
    ];
    if (c.ownerId) {
      const [owner] = await db.select({ email: users.email, active: users.active }).from(users).where(inArray(users.id, [c.ownerId]));
      if (owner?.active) {
        stmts.push(enqueueEmail('case-owner-alert', owner.email, { ref: c.ref, url: `${ctx.publicUrl.replace(/\/$/, '')}/staff/cases/${c.ref}`, partnership: ctx.partnership }, now));
      }
    }
    await tx.batch(stmts);
  });
  return eventId;
}

/** The reference and priority of a case, for the confirmation page; null when it no longer exists. */
export async function findSentCase(caseId: string): Promise<{ ref: string; priority: string | null } | null> {
  const [c] = await getDb().select({ ref: cases.ref, priority: cases.priority }).from(cases).where(eq(cases.id, caseId));
  return c ?? null;
}
