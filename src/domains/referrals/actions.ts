/**
 * Referral actions: refer a case to an agency (triage, case.refer) and the partner's own actions (referral.partner,
 * only on their agency's referrals). Each reads, decides and writes in one write transaction: the referral, the case
 * status it implies (version-checked), the case timeline entry, the disclosure audit row and the agency's e-mail.
 */
import { and, asc, desc, eq, gt, inArray, like, lt, sql } from 'drizzle-orm';
import type { InStatement } from '@libsql/client';
import { auditStatement } from '../../platform/audit.ts';
import { getDatabase, getDb, toStatement } from '../../platform/db/client.ts';
import { attachments, caseEvents, cases, referralDeliveries, referralDocuments, referrals, reporters } from '../../platform/db/schema.ts';
import { enqueueEmail } from '../../platform/mail/outbox.ts';
import { newId } from '../../platform/security/ids.ts';
import { formatDateTime } from '../../platform/time/london.ts';
import type { WriteTransaction } from '../../platform/db/writer.ts';
import type { Agency, SiteConfig } from '../../platform/config/partnership.ts';
import { countChangeStatements } from '../insight/counts.ts';
import { referralAcknowledgedStatements, referralSentStatements } from '../insight/referral-counts.ts';
import { currentTimers, findCase, updateCaseStatement, CASE_CHANGED_MESSAGE, type StaffActor } from '../cases/actions.ts';
import { canActOnCase, districtsOf, isInDistrictTeam } from '../cases/policy.ts';
import { referralDueStatement } from '../cases/queue-counts.ts';
import type { PolicySubject } from '../identity/types.ts';
import { meetTimer, nextDue, stopTimers, type TimerTargets } from '../cases/timers.ts';
import { actionNeedsText, caseStatusFor, isReferralOpen, moveReferral, referralDueTimes, type ReferralAction, type ReferralStatus } from './lifecycle.ts';
import { buildSnapshot, contactWithheldReason, passedToWords, shareableFields, snapshotRows, type ReferralSnapshot } from './sharing.ts';
import { TIMELINE_OLDEST_FIRST } from '../cases/timeline.ts';

/** A stored referral. */
export type Referral = typeof referrals.$inferSelect;

/** What referral actions need from configuration. */
export interface ReferralSettings {
  config: SiteConfig;
  targets: TimerTargets;
  reopenWindowDays: number;
  partnership: string;
  publicUrl: string;
}

/** The answer to a referral action. */
export type ReferralResult = { ok: true; id: string; ref: string } | { ok: false; message: string; field?: string };

/** The same answer for a referral that does not exist and one the officer may not see. */
export const NO_SUCH_REFERRAL = 'There is no referral with that id';
const NO_SUCH_CASE = 'There is no case with that reference';
const DAY = 86_400_000;

/** Thrown inside a transaction to roll it back when a row changed after it was read. */
class ChangedError extends Error {}

/** The longest reason, update or outcome a partner may write. */
export const MAX_REFERRAL_TEXT = 5000;

/** The agency with this id from configuration. */
export function findAgency(config: SiteConfig, agencyId: string): Agency | undefined {
  return config.agencies.find((a) => a.id === agencyId);
}

/** The referrals of a case, oldest first. */
export function listCaseReferrals(caseId: string): Promise<Referral[]> {
  return getDb().select().from(referrals).where(eq(referrals.caseId, caseId)).orderBy(asc(referrals.id));
}

/** What the refer page shows for one agency: the fields that may go, what each shows, and why contact is withheld. */
export async function previewReferral(caseIdOrRef: string, actor: StaffActor, agencyId: string, config: SiteConfig) {
  const row = await findCase(caseIdOrRef);
  if (!row || !canActOnCase(actor, row, 'case.refer')) return null;
  const agency = findAgency(config, agencyId);
  if (!agency?.sharing) return { row, agency: agency ?? null, fields: [], rows: [], contactWithheld: null };
  const fields = shareableFields(agency, row);
  const [reporter] = row.reporterId ? await getDb().select().from(reporters).where(eq(reporters.id, row.reporterId)) : [];
  const photos = await getDb().select({ id: attachments.id }).from(attachments).where(eq(attachments.caseId, row.id));
  return { row, agency, fields, rows: snapshotRows(fields, row, reporter ?? null, photos.length, config), contactWithheld: agency.sharing.fields.includes('contact') ? contactWithheldReason(agency, row) : null };
}

/** The case status fields a referral change implies (status; leaving new, the acknowledge and triage timers met; on resolve the outcome, reopen window and stopped timers). */
function caseChangeFor(row: typeof cases.$inferSelect, to: ReturnType<typeof caseStatusFor>, settings: ReferralSettings, now: number): Partial<typeof cases.$inferSelect> | null {
  if (!to || to === row.status) return null;
  if (!['new', 'open', 'referred', 'with_partner'].includes(row.status)) return null;
  if (to === 'resolved') {
    const timers = stopTimers(currentTimers(row, settings.targets, now), now);
    return { status: to, statusChangedAt: now, resolutionCode: 'action_taken', resolvedAt: now, reopenUntil: now + settings.reopenWindowDays * DAY, timers: timers as unknown as Record<string, unknown>, nextDueAt: null };
  }
  const set: Partial<typeof cases.$inferSelect> = { status: to, statusChangedAt: now, referredAgencyId: null };
  if (to !== 'open' && row.status !== 'new') return set;
  let timers = currentTimers(row, settings.targets, now);
  // Leaving new (referred straight away) meets the acknowledge and triage timers, as a status change does.
  if (row.status === 'new') timers = meetTimer(meetTimer(timers, 'acknowledge', now), 'triage', now);
  return { ...set, timers: timers as unknown as Record<string, unknown>, nextDueAt: nextDue(timers) };
}

/** Who a referral step is recorded as: a staff member, or the system (an update pulled from the agency's Open311 endpoint). */
export type ReferralStepBy = { kind: 'user'; id: string } | { kind: 'system' };

function eventStatement(caseId: string, actor: StaffActor | ReferralStepBy, now: number, action: string, body: string | null, data: Record<string, unknown>, id = newId(now)): InStatement {
  const by = 'kind' in actor && actor.kind === 'system' ? { actorKind: 'system' as const, actorId: null } : { actorKind: 'user' as const, actorId: actor.id };
  return toStatement(getDb().insert(caseEvents).values({ id, caseId, at: now, ...by, action, visibility: 'internal', body, data }));
}

async function runGuarded(work: (tx: WriteTransaction) => Promise<ReferralResult>): Promise<ReferralResult> {
  try {
    return await getDatabase().writer.transaction(work);
  } catch (error) {
    if (error instanceof ChangedError) return { ok: false, message: CASE_CHANGED_MESSAGE };
    throw error;
  }
}

/** Input to a referral. */
export interface ReferInput {
  agencyId: string;
  /** The fields the officer left ticked. */
  fields: string[];
  /** The case version the form was made from. */
  version?: number;
}

/**
 * Refer a case to an agency: store the referral with its frozen snapshot, move the case to referred (unless already
 * with a partner), write the timeline entry and a disclosure audit row, and queue the agency's e-mail.
 */
export function referCase(caseIdOrRef: string, actor: StaffActor, input: ReferInput, settings: ReferralSettings, now = Date.now()): Promise<ReferralResult> {
  return runGuarded(async (tx) => {
    const row = await findCase(caseIdOrRef);
    if (!row || !canActOnCase(actor, row, 'case.refer')) return { ok: false, message: NO_SUCH_CASE };
    if (input.version !== undefined && input.version !== row.version) return { ok: false, message: CASE_CHANGED_MESSAGE };
    const agency = findAgency(settings.config, input.agencyId);
    if (!agency) return { ok: false, message: 'Choose the agency to refer the case to', field: 'agencyId' };
    if (!agency.sharing) return { ok: false, message: `There is no sharing agreement with ${agency.name}, so nothing can be referred to it`, field: 'agencyId' };
    if (!['new', 'open', 'referred', 'with_partner'].includes(row.status)) return { ok: false, message: 'Only a case that is new, open, referred or with a partner can be referred', field: 'agencyId' };
    const existing = await listCaseReferrals(row.id);
    if (existing.some((r) => r.agencyId === agency.id && isReferralOpen(r.status))) return { ok: false, message: `The case is already with ${agency.name}`, field: 'agencyId' };
    const chosen = input.fields.filter((f) => shareableFields(agency, row).includes(f as never));
    if (!chosen.length) return { ok: false, message: 'Select at least one thing to share', field: 'fields' };
    const [reporter] = row.reporterId ? await getDb().select().from(reporters).where(eq(reporters.id, row.reporterId)) : [];
    const photos = await getDb().select({ id: attachments.id }).from(attachments).where(eq(attachments.caseId, row.id)).orderBy(asc(attachments.id));
    const snapshot = buildSnapshot(agency, chosen, row, reporter ?? null, photos.map((p) => p.id), settings.config, now);
    const id = newId(now);
    const due = referralDueTimes(now, agency.targets, settings.targets);
    const stmts: InStatement[] = [
      toStatement(getDb().insert(referrals).values({ id, caseId: row.id, agencyId: agency.id, status: 'sent', snapshot: snapshot as unknown as Record<string, unknown>, sentBy: actor.id, sentAt: now, ...due, updatedAt: now })),
      ...referralSentStatements({ agencyId: agency.id, sentAt: now, acknowledgeDueAt: due.acknowledgeDueAt }, row.districtId),
      eventStatement(row.id, actor, now, 'referral.sent', null, { referralId: id, agencyId: agency.id, fields: snapshot.fields, legalBasis: snapshot.legalBasis }),
      auditStatement({ kind: 'user', id: actor.id, ip: actor.ip ?? null }, 'referral.disclosed', { kind: 'case', id: row.id }, {
        ref: row.ref, referralId: id, agencyId: agency.id, reporterId: row.reporterId ?? null, fields: snapshot.fields, agreementReference: snapshot.agreementReference, legalBasis: snapshot.legalBasis,
      }, now),
    ];
    // An agency with an Open311 endpoint gets the referral by POST requests too, from the delivery outbox (open311-delivery.ts), never here.
    if (agency.open311) stmts.push(toStatement(getDb().insert(referralDeliveries).values({ referralId: id, agencyId: agency.id, nextAttemptAt: now, createdAt: now })));
    if (agency.email) {
      stmts.push(enqueueEmail('referral-sent', agency.email, { partnership: settings.partnership, agency: agency.name, url: `${settings.publicUrl}/staff/referrals/${id}`, acknowledgeBy: formatDateTime(due.acknowledgeDueAt) }, now));
    }
    const set = caseChangeFor(row, caseStatusFor([...existing.map((r) => r.status), 'sent'], 'refer'), settings, now);
    const updateAt = stmts.length;
    if (set) {
      stmts.push(updateCaseStatement(row, { ...set, updatedAt: now }));
      stmts.push(eventStatement(row.id, actor, now, 'case.status', null, { from: row.status, to: set.status, referralId: id }));
      stmts.push(...countChangeStatements(row, { ...row, ...set }));
    }
    stmts.push(referralDueStatement(row.id));
    const results = await tx.batch(stmts);
    if (set && results[updateAt]!.rowsAffected !== 1) throw new ChangedError();
    return { ok: true, id, ref: row.ref };
  });
}

/** True when the actor is a partner officer of the referral's agency. */
export function canActOnReferral(actor: PolicySubject, referral: Pick<Referral, 'agencyId'>): boolean {
  return !!actor.bindsAgency && !!actor.agencyId && actor.agencyId === referral.agencyId && actor.permissions.includes('referral.partner');
}

/** A referral the partner officer may see, or undefined (for another agency's referral, or a case outside their district team, too). */
export async function findReferralFor(actor: StaffActor, id: string): Promise<Referral | undefined> {
  if (!/^[0-9A-Za-z_-]{1,40}$/.test(id)) return undefined;
  const [row] = await getDb().select().from(referrals).where(eq(referrals.id, id)).limit(1);
  if (!row || !canActOnReferral(actor, row)) return undefined;
  if (!districtsOf(actor).length) return row;
  const [c] = await getDb().select({ districtId: cases.districtId }).from(cases).where(eq(cases.id, row.caseId)).limit(1);
  return c && isInDistrictTeam(actor, c) ? row : undefined;
}

/** Filters on the partner's list. */
export type ReferralListFilter = 'open' | 'all' | ReferralStatus;

/** One page of a partner's referral list, newest first, and whether older or newer referrals lie beyond it. */
export interface ReferralPage {
  rows: Referral[];
  older: boolean;
  newer: boolean;
}

/** Where a page of the partner's list starts: before (older than) or after (newer than) a referral id, or the newest. */
export interface ReferralPageAt {
  before?: string | null;
  after?: string | null;
  limit?: number;
}

/**
 * A page of the referrals to the partner officer's own agency (of their district team's cases, when they have one),
 * newest first, by keyset on the time-ordered id; nothing for anyone else. An id that is not one is ignored.
 */
export async function listAgencyReferrals(actor: StaffActor, filter: ReferralListFilter = 'open', at: ReferralPageAt = {}): Promise<ReferralPage> {
  if (!actor.bindsAgency || !actor.agencyId || !actor.permissions.includes('referral.partner')) return { rows: [], older: false, newer: false };
  const limit = at.limit ?? 50;
  const status = filter === 'open' ? inArray(referrals.status, ['sent', 'acknowledged', 'accepted', 'in_progress']) : filter === 'all' ? undefined : eq(referrals.status, filter);
  const districts = districtsOf(actor);
  const inTeam = districts.length ? inArray(referrals.caseId, getDb().select({ id: cases.id }).from(cases).where(inArray(cases.districtId, districts))) : undefined;
  const isId = (v: string | null | undefined): v is string => typeof v === 'string' && /^[0-9A-Za-z_-]{1,40}$/.test(v);
  const base = and(eq(referrals.agencyId, actor.agencyId), status, inTeam);
  if (isId(at.after)) {
    const rows = await getDb().select().from(referrals).where(and(base, gt(referrals.id, at.after))).orderBy(asc(referrals.id)).limit(limit + 1);
    const newer = rows.length > limit;
    return { rows: rows.slice(0, limit).reverse(), older: true, newer };
  }
  const before = isId(at.before) ? at.before : null;
  const rows = await getDb().select().from(referrals).where(before ? and(base, lt(referrals.id, before)) : base).orderBy(desc(referrals.id)).limit(limit + 1);
  return { rows: rows.slice(0, limit), older: rows.length > limit, newer: before !== null };
}

/** The referral's own history (its entries on the case timeline), oldest first. */
export function referralHistory(referral: Pick<Referral, 'id' | 'caseId'>) {
  return getDb().select({ id: caseEvents.id, at: caseEvents.at, action: caseEvents.action, body: caseEvents.body }).from(caseEvents)
    .where(and(eq(caseEvents.caseId, referral.caseId), like(caseEvents.action, 'referral.%'), sql`json_extract(${caseEvents.data}, '$.referralId') = ${referral.id}`))
    .orderBy(...TIMELINE_OLDEST_FIRST);
}

/** Input to a partner action. */
export interface PartnerInput {
  action: string;
  /** The reason (decline, return), the outcome (complete) or the update. */
  text?: string;
  /** The referral version the form was made from. */
  version?: number;
  /** An update meant for the reporter: it waits on the case for a triage officer to release it (release.ts). */
  forReporter?: boolean;
  /** A document already checked and stored (documents.ts storeDocument) to attach to an update. */
  document?: { key: string; filename: string; mime: string; bytes: number; sha256: string };
}

const EVENT_FOR: Record<ReferralAction, string> = {
  acknowledge: 'referral.acknowledged', accept: 'referral.accepted', decline: 'referral.declined', update: 'referral.update', complete: 'referral.completed', return: 'referral.returned',
};

/**
 * A partner officer acts on their agency's referral: the referral moves on, the entry joins the case timeline, and
 * the case follows (with_partner on accept; back to open on decline or return; resolved when the last completes).
 */
export function actOnReferral(id: string, actor: StaffActor, input: PartnerInput, settings: ReferralSettings, now = Date.now()): Promise<ReferralResult> {
  return runGuarded(async (tx) => {
    const referral = await findReferralFor(actor, id);
    if (!referral) return { ok: false, message: NO_SUCH_REFERRAL };
    return applyReferralStep(tx, referral, { kind: 'user', id: actor.id }, input, settings, now);
  });
}

/**
 * The system acts on a referral as its partner would (an update pulled from the agency's Open311 endpoint): the same
 * moves, timeline entries and case changes as actOnReferral, recorded as the system's. Joins an open write transaction.
 */
export function actOnReferralAsSystem(id: string, input: Pick<PartnerInput, 'action' | 'text'>, settings: ReferralSettings, now = Date.now()): Promise<ReferralResult> {
  return runGuarded(async (tx) => {
    const [referral] = await getDb().select().from(referrals).where(eq(referrals.id, id)).limit(1);
    if (!referral) return { ok: false, message: NO_SUCH_REFERRAL };
    return applyReferralStep(tx, referral, { kind: 'system' }, input, settings, now);
  });
}

/** Move the referral by one partner action inside the transaction, with its timeline entries and the case status it implies. */
async function applyReferralStep(tx: WriteTransaction, referral: Referral, by: ReferralStepBy, input: PartnerInput, settings: ReferralSettings, now: number): Promise<ReferralResult> {
  if (input.version !== undefined && input.version !== referral.version) return { ok: false, message: 'This referral was changed by someone else. Reload the page and try again.' };
  const move = moveReferral(referral.status, input.action);
  if (!move.ok) return { ok: false, message: move.message, field: 'action' };
  const row = await findCase(referral.caseId);
  if (!row) return { ok: false, message: NO_SUCH_REFERRAL };
  // Resolving or closing a case withdraws its referrals; one left open before that takes no more steps either.
  if (row.status === 'resolved' || row.status === 'closed') return { ok: false, message: `The partnership has ${row.status} this case, so the referral cannot be changed any more`, field: 'action' };
  const action = input.action as ReferralAction;
  const need = actionNeedsText(action);
  const text = (input.text ?? '').trim();
  if (need && !text) return { ok: false, message: need === 'reason' ? 'Enter the reason' : need === 'outcome' ? 'Enter the outcome' : 'Enter the update', field: `text-${action}` };
  if (text.length > MAX_REFERRAL_TEXT) return { ok: false, message: `The text must be ${MAX_REFERRAL_TEXT} characters or fewer`, field: `text-${action}` };
  if (action !== 'update' && (input.forReporter || input.document)) return { ok: false, message: 'Only an update can be for the reporter or have a document attached', field: 'action' };
  const set: Partial<Referral> = { status: move.to, updatedAt: now, version: referral.version + 1 };
  if (action === 'acknowledge' || (action === 'accept' && !referral.acknowledgedAt)) set.acknowledgedAt = now;
  if (action === 'accept') set.acceptedAt = now;
  if (action === 'decline' || action === 'return') set.reason = text;
  if (action === 'complete') set.outcome = text;
  if (!isReferralOpen(move.to)) set.closedAt = now;
  const others = (await listCaseReferrals(row.id)).filter((r) => r.id !== referral.id).map((r) => r.status);
  const caseSet = caseChangeFor(row, caseStatusFor([...others, move.to], action), settings, now);
  const eventId = newId(now);
  const documentId = input.document ? newId(now) : null;
  const stmts: InStatement[] = [
    toStatement(getDb().update(referrals).set(set).where(and(eq(referrals.id, referral.id), eq(referrals.version, referral.version)))),
    eventStatement(row.id, by, now, EVENT_FOR[action], text || null, {
      referralId: referral.id, agencyId: referral.agencyId, to: move.to, ...(input.forReporter ? { forReporter: true } : {}), ...(documentId ? { documentId } : {}),
    }, eventId),
  ];
  if (caseSet) {
    stmts.push(updateCaseStatement(row, { ...caseSet, updatedAt: now }));
    stmts.push(eventStatement(row.id, by, now, 'case.status', need === 'reason' ? text : null, { from: row.status, to: caseSet.status, referralId: referral.id, resolutionCode: caseSet.resolutionCode ?? undefined }));
    stmts.push(...countChangeStatements(row, { ...row, ...caseSet }));
  }
  if (input.document && documentId) {
    stmts.push(toStatement(getDb().insert(referralDocuments).values({ id: documentId, referralId: referral.id, caseId: row.id, agencyId: referral.agencyId, eventId, uploadedBy: by.kind === 'user' ? by.id : 'system', createdAt: now,
      filename: input.document.filename, storageKey: input.document.key, mime: input.document.mime, bytes: input.document.bytes, sha256: input.document.sha256 })));
  }
  // Last, so the statement indexes checked below stay put: the referral counts move when it is first acknowledged.
  if (set.acknowledgedAt != null && referral.acknowledgedAt == null) stmts.push(...referralAcknowledgedStatements(referral, row.districtId, set.acknowledgedAt));
  stmts.push(referralDueStatement(row.id));
  const results = await tx.batch(stmts);
  if (results[0]!.rowsAffected !== 1 || (caseSet && results[2]!.rowsAffected !== 1)) throw new ChangedError();
  return { ok: true, id: referral.id, ref: row.ref };
}

/** The snapshot of a referral, typed. */
export function snapshotOf(referral: Pick<Referral, 'snapshot'>): ReferralSnapshot {
  return referral.snapshot as unknown as ReferralSnapshot;
}

/** The reporter's status words for /track: "Passed to <agency>" (see passedToWords) while with partners, else null. */
export async function trackPartnerWords(caseId: string, caseStatus: string, agencies: readonly Agency[]): Promise<string | null> {
  if (caseStatus !== 'referred' && caseStatus !== 'with_partner') return null;
  const open = (await listCaseReferrals(caseId)).filter((r) => isReferralOpen(r.status));
  const accepted = open.filter((r) => r.status === 'accepted' || r.status === 'in_progress');
  const shown = caseStatus === 'with_partner' && accepted.length ? accepted : open;
  return shown.length ? passedToWords(shown.map((r) => r.agencyId), agencies) : null;
}

/** The photos a partner may see on a referral: those in its snapshot, and only while the agency's sharing agreement lists photos. */
export function partnerPhotoIds(referral: Pick<Referral, 'snapshot' | 'agencyId'>, config: SiteConfig): string[] {
  const agency = findAgency(config, referral.agencyId);
  if (!agency?.sharing?.fields.includes('photos')) return [];
  const ids = snapshotOf(referral).photoIds;
  return Array.isArray(ids) ? ids.filter((id) => typeof id === 'string') : [];
}

/** A photo of a referral the partner officer may see (partnerPhotoIds), or undefined. */
export async function findPartnerPhoto(actor: StaffActor, referralId: string, photoId: string, config: SiteConfig) {
  const referral = await findReferralFor(actor, referralId);
  if (!referral || !partnerPhotoIds(referral, config).includes(photoId)) return undefined;
  const [photo] = await getDb().select().from(attachments).where(and(eq(attachments.id, photoId), eq(attachments.caseId, referral.caseId))).limit(1);
  return photo ? { photo, referral } : undefined;
}
