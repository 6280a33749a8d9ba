/**
 * Partner updates meant for the reporter. A partner officer marks an update "for the reporter"; it joins the case
 * timeline (internal) as pending release. A triage officer then releases it as it is or edited, which sends it as the
 * usual reply (on /track, and by e-mail through the outbox when the reporter gave an address), or withholds it (the page
 * asks to confirm first: it cannot be undone). The decision is a timeline entry naming the update and an audit event,
 * written in the same transaction as the reply, so an update is released or withheld once.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { auditStatement } from '../../platform/audit.ts';
import { getDatabase, getDb, toStatement } from '../../platform/db/client.ts';
import { caseEvents } from '../../platform/db/schema.ts';
import { newId } from '../../platform/security/ids.ts';
import { findCase, sendReply, type ActionResult, type ActionSettings, type StaffActor } from '../cases/actions.ts';
import { canActOnCase } from '../cases/policy.ts';
import { MAX_REFERRAL_TEXT } from './actions.ts';
import { TIMELINE_OLDEST_FIRST } from '../cases/timeline.ts';

/** The timeline actions that decide a pending update. */
const DECIDED = ['referral.update.released', 'referral.update.withheld'];

/** A partner update waiting for a triage officer to release or withhold it. */
export interface PendingUpdate {
  id: string;
  at: number;
  body: string;
  agencyId: string;
  referralId: string;
}

/** The partner updates for the reporter on a case that nobody has released or withheld yet, oldest first. */
export async function listPendingUpdates(caseId: string): Promise<PendingUpdate[]> {
  const db = getDb();
  const rows = await db.select({ id: caseEvents.id, at: caseEvents.at, body: caseEvents.body, data: caseEvents.data }).from(caseEvents)
    .where(and(eq(caseEvents.caseId, caseId), eq(caseEvents.action, 'referral.update'), sql`json_extract(${caseEvents.data}, '$.forReporter') = 1`))
    .orderBy(...TIMELINE_OLDEST_FIRST);
  if (!rows.length) return [];
  const decided = await db.select({ data: caseEvents.data }).from(caseEvents).where(and(eq(caseEvents.caseId, caseId), inArray(caseEvents.action, DECIDED)));
  const done = new Set(decided.map((d) => String(d.data?.updateId ?? '')));
  return rows.filter((r) => !done.has(r.id)).map((r) => ({ id: r.id, at: r.at, body: r.body ?? '', agencyId: String(r.data?.agencyId ?? ''), referralId: String(r.data?.referralId ?? '') }));
}

/** One pending update of a case the actor may reply on, or undefined. */
export async function findPendingUpdate(caseIdOrRef: string, actor: StaffActor, updateId: string): Promise<PendingUpdate | undefined> {
  const row = await findCase(caseIdOrRef);
  if (!row || !canActOnCase(actor, row, 'reply.send')) return undefined;
  return (await listPendingUpdates(row.id)).find((u) => u.id === updateId);
}

/** How an update of a case the actor may reply on was decided ('released' or 'withheld'), or undefined when it was not (or is not there). */
export async function findUpdateDecision(caseIdOrRef: string, actor: StaffActor, updateId: string): Promise<'released' | 'withheld' | undefined> {
  const row = await findCase(caseIdOrRef);
  if (!row || !canActOnCase(actor, row, 'reply.send')) return undefined;
  const [decided] = await getDb().select({ action: caseEvents.action }).from(caseEvents)
    .where(and(eq(caseEvents.caseId, row.id), inArray(caseEvents.action, DECIDED), sql`json_extract(${caseEvents.data}, '$.updateId') = ${updateId}`)).limit(1);
  return decided ? (decided.action === 'referral.update.released' ? 'released' : 'withheld') : undefined;
}

/** What the triage officer decided about a pending update. */
export interface ReleaseInput {
  decision: 'release' | 'withhold';
  /** The words the reporter will read (the partner's, or edited). */
  text: string;
}

/** The message for an update that was released or withheld by someone else meanwhile. */
export const ALREADY_DECIDED = 'This update has already been released or withheld';

/**
 * Release a partner update to the reporter (as the usual reply: /track, and e-mail through the outbox when they gave
 * an address), or withhold it; audited either way. Needs reply.send on the case; one write transaction, so it happens once.
 */
export function decidePendingUpdate(caseIdOrRef: string, actor: StaffActor, updateId: string, input: ReleaseInput, settings: ActionSettings, now = Date.now()): Promise<ActionResult> {
  return getDatabase().writer.transaction(async (tx): Promise<ActionResult> => {
    const row = await findCase(caseIdOrRef);
    if (!row || !canActOnCase(actor, row, 'reply.send')) return { ok: false, message: 'There is no case with that reference' };
    const pending = (await listPendingUpdates(row.id)).find((u) => u.id === updateId);
    if (!pending) return { ok: false, message: ALREADY_DECIDED };
    const text = input.text.trim();
    if (input.decision === 'release') {
      if (!text) return { ok: false, message: 'Enter the update the reporter will read' };
      if (text.length > MAX_REFERRAL_TEXT) return { ok: false, message: `The update must be ${MAX_REFERRAL_TEXT} characters or fewer` };
      const sent = await sendReply(row.id, actor, text, settings, now);
      if (!sent.ok) return sent;
    }
    const action = input.decision === 'release' ? 'referral.update.released' : 'referral.update.withheld';
    const data = { updateId, referralId: pending.referralId, agencyId: pending.agencyId, edited: input.decision === 'release' && text !== pending.body.trim() };
    await tx.batch([
      toStatement(tx.db.insert(caseEvents).values({ id: newId(now), caseId: row.id, at: now, actorKind: 'user', actorId: actor.id, action, visibility: 'internal', data })),
      auditStatement({ kind: 'user', id: actor.id, ip: actor.ip ?? null }, action, { kind: 'case', id: row.id }, { ref: row.ref, ...data }, now),
    ]);
    return { ok: true, ref: row.ref };
  });
}
