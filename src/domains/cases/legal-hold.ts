/**
 * Legal hold: a flag on a case, with a reason, that stops both an erasure request and the retention schedule
 * (for example while a case may be needed in court or for an ASB Case Review). Set and cleared by staff with
 * `case.hold` (triage officers and administrators); each change is audited and noted on the case timeline.
 */
import { eq, sql } from 'drizzle-orm';
import { auditStatement, type Actor } from '../../platform/audit.ts';
import { getDatabase, getDb, toStatement } from '../../platform/db/client.ts';
import { caseEvents, cases } from '../../platform/db/schema.ts';
import { newId } from '../../platform/security/ids.ts';

/** A case's legal hold as the hold page shows it. */
export interface LegalHoldState {
  id: string;
  ref: string;
  held: boolean;
  reason: string | null;
  at: number | null;
  anonymised: boolean;
  /** For the case policy (canActOnCase). */
  districtId: string | null;
  referredAgencyId: string | null;
}

/** The legal hold state of a case by reference, or null when there is no such case. */
export async function findLegalHold(ref: string): Promise<LegalHoldState | null> {
  const [c] = await getDb()
    .select({ id: cases.id, ref: cases.ref, held: cases.legalHold, reason: cases.legalHoldReason, at: cases.legalHoldAt, anonymisedAt: cases.anonymisedAt, districtId: cases.districtId, referredAgencyId: cases.referredAgencyId })
    .from(cases)
    .where(eq(cases.ref, ref))
    .limit(1);
  return c ? { id: c.id, ref: c.ref, held: c.held, reason: c.reason, at: c.at, anonymised: c.anonymisedAt !== null, districtId: c.districtId, referredAgencyId: c.referredAgencyId } : null;
}

/** Place a legal hold (hold true) or lift it (hold false), with the reason for either, kept on the timeline and in the audit event; placing is refused on a case already held or whose personal data is already gone. */
export async function changeLegalHold(ref: string, change: { hold: boolean; reason: string }, actor: Actor, now = Date.now()): Promise<{ ok: true } | { ok: false; message: string }> {
  const { hold, reason } = change;
  return getDatabase().writer.transaction(async (tx) => {
    const [c] = await tx.db.select({ id: cases.id, held: cases.legalHold, anonymisedAt: cases.anonymisedAt }).from(cases).where(eq(cases.ref, ref)).limit(1);
    if (!c) return { ok: false, message: `No case has the reference ${ref}` };
    if (hold && c.anonymisedAt !== null) return { ok: false, message: 'The personal data of this case has already been removed, so there is nothing to hold' };
    if (!hold && !c.held) return { ok: false, message: 'This case is not under legal hold' };
    // A second placing (a page opened before someone else placed it) would silently replace the first reason.
    if (hold && c.held) return { ok: false, message: 'This case is already under legal hold: its reason is below. Nothing was changed' };
    const action = hold ? 'case.legal_hold_set' : 'case.legal_hold_cleared';
    await tx.batch([
      toStatement(
        tx.db
          .update(cases)
          .set({ legalHold: hold, legalHoldReason: hold ? reason : null, legalHoldBy: hold ? (actor.id ?? null) : null, legalHoldAt: hold ? now : null, updatedAt: now, version: sql`${cases.version} + 1` })
          .where(eq(cases.id, c.id)),
      ),
      toStatement(tx.db.insert(caseEvents).values({ id: newId(now), caseId: c.id, at: now, actorKind: 'user', actorId: actor.id ?? null, action, visibility: 'internal', body: reason })),
      auditStatement(actor, action, { kind: 'case', id: c.id }, { ref, reason }, now),
    ]);
    return { ok: true };
  });
}
