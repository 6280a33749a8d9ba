/**
 * Logging a hotline call: every call is one row in `calls`, committed in the same write as whatever it
 * did (a new case through createCase, information added to an existing case, or nothing else at all).
 */
import { createHash } from 'node:crypto';
import type { InStatement } from '@libsql/client';
import { and, eq, sql } from 'drizzle-orm';
import { auditStatement } from '../../platform/audit.ts';
import type { SiteConfig } from '../../platform/config/partnership.ts';
import { getDatabase, getDb, toStatement } from '../../platform/db/client.ts';
import { calls, caseEvents, cases } from '../../platform/db/schema.ts';
import { newId } from '../../platform/security/ids.ts';
import { caseScopeCondition, type CaseScope } from '../cases/policy.ts';
import type { FieldError } from '../reports/answers.ts';
import { createCase } from '../reports/submit.ts';
import type { CallDraft } from './form.ts';

/** Who is logging the call, and the settings case creation needs. */
export interface CallContext {
  config: SiteConfig;
  handler: { id: string; ip?: string | null };
  publicUrl: string;
  /** The cases the handler may see (policy.caseScope): a case outside it is answered as an unknown reference. */
  scope: CaseScope;
}

/** The result of logging a call. */
export type LoggedCall =
  | { ok: true; callId: string; caseId: string | null; ref: string | null; created: boolean; trackSecret?: string; emailed: boolean; existing: boolean }
  | { ok: false; errors: FieldError[] };

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/** The call's row id: time-ordered like newId, with a random part fixed by the screen token so a resubmission is the same call. */
export function callIdFor(token: string | null, startedAt: number, now = Date.now()): string {
  if (!token) return newId(now);
  const time = newId(startedAt).slice(0, 10);
  const digest = createHash('sha256').update(`call:${token}`).digest();
  let rand = '';
  for (let i = 0; i < 10; i++) rand += CROCKFORD[digest[i]! % 32];
  return time + rand;
}

function callRow(id: string, draft: CallDraft, handlerId: string, caseId: string | null, now: number, anonymous: boolean) {
  const caller = anonymous ? { name: null, phoneE164: null, email: null } : draft.caller;
  const extraNotes = [draft.question ? `Asked: ${draft.question}` : '', draft.signpostService ? `Sent to: ${draft.signpostService}` : ''].filter(Boolean);
  const notes = [...extraNotes, draft.notes ?? ''].filter(Boolean).join('\n') || null;
  return toStatement(
    getDb()
      .insert(calls)
      .values({
        id,
        handlerId,
        startedAt: draft.startedAt,
        durationS: draft.durationS,
        reason: draft.reason,
        outcome: draft.outcome,
        caseId,
        callerName: caller.name,
        callerPhoneE164: caller.phoneE164,
        callerEmail: caller.email,
        adviceSlugs: draft.adviceSlugs ?? [],
        notes,
        createdAt: now,
      })
      .onConflictDoNothing(),
  );
}

async function existingCall(id: string) {
  const [row] = await getDb().select({ id: calls.id, caseId: calls.caseId, ref: cases.ref }).from(calls).leftJoin(cases, eq(cases.id, calls.caseId)).where(eq(calls.id, id));
  return row;
}

/** Log one call as read from the call screen; returns field errors when the case it names does not exist or is outside the handler's scope. */
export async function logCall(draft: CallDraft, ctx: CallContext, now = Date.now()): Promise<LoggedCall> {
  const db = getDb();
  const actor = { kind: 'user' as const, id: ctx.handler.id, ip: ctx.handler.ip ?? null };
  const callId = callIdFor(draft.token, draft.openedAt, now);
  const again = await existingCall(callId);
  if (again) return { ok: true, callId, caseId: again.caseId, ref: again.ref, created: false, emailed: false, existing: true };
  const audit = (caseId: string | null) => auditStatement(actor, 'call.logged', { kind: 'call', id: callId }, { reason: draft.reason, outcome: draft.outcome, caseId }, now);

  if ((draft.reason === 'new-report' && draft.report) || (draft.reason === 'feedback' && draft.feedback)) {
    const report = draft.report;
    const fb = draft.feedback;
    const privacy = report ? report.privacy : draft.caller.name || draft.caller.email || draft.caller.phoneE164 ? 'named' : 'anonymous';
    const anonymous = privacy === 'anonymous';
    const created = await createCase(
      {
        kind: report ? 'report' : 'feedback',
        channel: 'phone',
        categoryId: report?.categoryId ?? null,
        feedbackType: fb?.type ?? null,
        description: report?.description ?? fb!.text,
        whenKind: report?.whenKind ?? null,
        happenedAt: report?.happenedAt ?? null,
        whenText: report?.whenText ?? null,
        postcode: report?.postcode ?? null,
        locationText: report?.locationText ?? null,
        wardId: report?.wardId ?? null,
        lat: report?.lat ?? null,
        lon: report?.lon ?? null,
        locationSource: report?.locationSource ?? null,
        peopleInvolved: report?.peopleInvolved ?? null,
        whoAffected: report?.whoAffected ?? null,
        happenedBefore: report?.happenedBefore ?? null,
        privacy,
        consentShare: report ? report.consentShare : null,
        reporter: anonymous ? null : { name: draft.caller.name, email: draft.caller.email, phoneE164: draft.caller.phoneE164, preferredContact: report?.preferredContact ?? null },
        idempotencyKey: draft.token ? `call:${draft.token}` : null,
        createdBy: ctx.handler.id,
      },
      {
        config: ctx.config,
        actor,
        publicUrl: ctx.publicUrl,
        extra: (c) => {
          const stmts: InStatement[] = [
            callRow(callId, draft, ctx.handler.id, c.id, now, anonymous),
            toStatement(
              db.insert(caseEvents).values({
                id: newId(now),
                caseId: c.id,
                at: now,
                actorKind: 'user',
                actorId: ctx.handler.id,
                action: 'call.logged',
                visibility: 'internal',
                body: draft.notes,
                data: { callId, outcome: draft.outcome, privacy, consentShare: report?.consentShare ?? null, consentGiven: 'by voice on the call' },
              }),
            ),
            audit(c.id),
          ];
          // the case is inserted at version 0 in this same batch
          if (draft.outcome === 'case-created-urgent') stmts.push(toStatement(db.update(cases).set({ tags: ['urgent-call'], version: sql`${cases.version} + 1` }).where(and(eq(cases.id, c.id), eq(cases.version, 0)))));
          return stmts;
        },
      },
      now,
    );
    if (created.existing) {
      const row = await existingCall(callId);
      return { ok: true, callId, caseId: created.id, ref: created.ref, created: false, emailed: false, existing: !!row };
    }
    return { ok: true, callId, caseId: created.id, ref: created.ref, created: true, trackSecret: created.trackSecret, emailed: !anonymous && !!draft.caller.email, existing: false };
  }

  if (draft.reason === 'case-info' && draft.caseRef) {
    const [c] = await db.select({ id: cases.id, ref: cases.ref }).from(cases).where(and(eq(cases.ref, draft.caseRef), caseScopeCondition(ctx.scope)));
    if (!c) return { ok: false, errors: [{ field: 'caseRef', href: '#caseRef', text: `No case has the reference ${draft.caseRef}: check it with the caller` }] };
    await getDatabase().writer.batch([
      callRow(callId, draft, ctx.handler.id, c.id, now, false),
      toStatement(
        db
          .insert(caseEvents)
          .values({
            id: callId,
            caseId: c.id,
            at: now,
            actorKind: 'user',
            actorId: ctx.handler.id,
            action: 'call.information',
            visibility: 'internal',
            body: draft.information ?? null,
            data: { callId, outcome: draft.outcome, notes: draft.notes },
          })
          .onConflictDoNothing(),
      ),
      // decides on nothing it read, so no version check; the bump makes open case forms stale
      toStatement(db.update(cases).set({ updatedAt: now, version: sql`${cases.version} + 1` }).where(eq(cases.id, c.id))),
      audit(c.id),
    ]);
    return { ok: true, callId, caseId: c.id, ref: c.ref, created: false, emailed: false, existing: false };
  }

  await getDatabase().writer.batch([callRow(callId, draft, ctx.handler.id, null, now, false), audit(null)]);
  return { ok: true, callId, caseId: null, ref: null, created: false, emailed: false, existing: false };
}
