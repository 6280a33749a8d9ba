/**
 * Case actions: triage, status changes, assignment (by hand and round-robin), notes, replies, tags,
 * incidents and duplicates, each with a bulk form. Every change writes its case_events row in the same
 * atomic write as the change. Each action reads, decides and writes inside one write transaction
 * (writer.transaction), which holds the database's write lock against every process; every update of a
 * case row checks the version it read and bumps it, so a lost race or a stale form is refused, never
 * silently overwritten.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { InStatement, InValue } from '@libsql/client';
import { auditStatement, type Actor } from '../../platform/audit.ts';
import { getDatabase, getDb, toStatement } from '../../platform/db/client.ts';
import { insertRow } from '../../platform/db/insert.ts';
import { caseEvents, cases, categories, incidents, reporters, users } from '../../platform/db/schema.ts';
import { newId, newSecret } from '../../platform/security/ids.ts';
import { trackLink } from '../reports/submit.ts';
import { addLinkHash } from '../reports/track.ts';
import { enqueueEmail } from '../../platform/mail/outbox.ts';
import { normaliseTag } from './tags.ts';
import { priorityFor, type TriageAnswers } from './priority.ts';
import { countChangeStatements } from '../insight/counts.ts';
import { fillPlaceholders, unknownPlaceholders } from './templates.ts';
import {
  meetTimer, nextDue, pauseTimers, readTimers, reprioritiseTimers, resumeTimers, scheduleNextUpdate, startTimers, stopTimers,
  type CaseTimers, type TimerTargets,
} from './timers.ts';
import { REFERRAL_ONLY_MESSAGE, RESOLUTION_LABELS, STATUS_LABELS, isReferralOnlyStatus, isResolutionCode, publicStatus, transitionCase, type CaseStatus, type ResolutionCode } from './workflow.ts';
import { detectCaseFlags, detectCaseThresholds, gazetteerPlaceNames, loadFlagCases, loadReporterCases, type NeighbourCase, type PlaceRowsCache } from './detect.ts';
import { FLAG_LABELS, holdsFlagsAddedBy } from './thresholds.ts';
import { findEligibleOwner } from './owners.ts';
import { caseScope, isCaseInScope } from './policy.ts';
import type { Permission } from '../identity/roles.ts';
import { listDistrictTeams } from '../identity/users.ts';
import type { PolicySubject } from '../identity/types.ts';
import { formatDate } from '../../platform/time/london.ts';
import { withdrawReferralsStatements } from '../referrals/withdraw.ts';

/** A signed-in staff member acting on cases: permissions, and the agency or district their role binds them to. */
export interface StaffActor extends PolicySubject {
  id: string;
  name?: string;
  ip?: string | null;
}

/** The answer for a case outside the actor's scope: the same as for a case that does not exist. */
const NO_SUCH_CASE = 'There is no case with that reference';

/** Settings actions need from configuration. */
export interface ActionSettings {
  targets: TimerTargets;
  reopenWindowDays: number;
  partnership: string;
  publicUrl: string;
}

/** The answer to an action on one case. */
export type ActionResult = { ok: true; ref: string } | { ok: false; ref?: string; message: string };

/** The answer to a bulk action. */
export interface BulkResult {
  done: string[];
  refused: { ref: string; message: string }[];
}

type CaseRow = typeof cases.$inferSelect;
/** A decision on a case; `recount` when the change alters repeat counts, so flags are refreshed after it. */
type Change = { ok: false; message: string } | { ok: true; set: Partial<CaseRow>; events: EventInput[]; extra?: InStatement[]; recount?: boolean };
interface EventInput {
  action: string;
  visibility?: 'internal' | 'reporter';
  body?: string | null;
  data?: Record<string, unknown>;
}

function refuse(message: string, ref?: string): ActionResult {
  return { ok: false, message, ref };
}

function lacks(actor: StaffActor, permission: Permission): string | null {
  return actor.permissions.includes(permission) ? null : `You do not have permission to do this (${permission})`;
}

function auditActor(actor: StaffActor): Actor {
  return { kind: 'user', id: actor.id, ip: actor.ip ?? null };
}

/** The timers on a case, started from receipt if the case has none yet, and resumed if no longer paused. */
export function currentTimers(row: Pick<CaseRow, 'timers' | 'receivedAt' | 'priority' | 'status'>, targets: TimerTargets, now: number): CaseTimers {
  let timers = readTimers(row.timers) ?? startTimers(row.receivedAt, (row.priority as 'P1') ?? 'P3', targets);
  if (timers.pausedAt != null && row.status !== 'awaiting_reporter') timers = resumeTimers(timers, targets, now);
  return timers;
}

function timerFields(timers: CaseTimers, status: string): Partial<CaseRow> {
  const finished = status === 'resolved' || status === 'closed';
  return { timers: timers as unknown as Record<string, unknown>, nextDueAt: finished ? null : nextDue(timers) };
}

/** Load a case by id or reference. */
export async function findCase(idOrRef: string): Promise<CaseRow | undefined> {
  const [row] = await getDb().select().from(cases).where(idOrRef.includes('-') ? eq(cases.ref, idOrRef) : eq(cases.id, idOrRef)).limit(1);
  return row;
}

/** The refusal when the case is not the one the form was made from, or changed under the action. */
export const CASE_CHANGED_MESSAGE = 'This case was changed by someone else. Reload the page and try again.';

/** Thrown inside a transaction to roll it back when a case row was not at the version read. */
class CaseChangedError extends Error {
  constructor() {
    super(CASE_CHANGED_MESSAGE);
  }
}

/** An UPDATE of one case row that applies only at the version read, and bumps it. */
export function updateCaseStatement(row: Pick<CaseRow, 'id' | 'version'>, set: Partial<CaseRow>): InStatement {
  return toStatement(getDb().update(cases).set({ ...set, version: sql`${cases.version} + 1` }).where(and(eq(cases.id, row.id), eq(cases.version, row.version))));
}

/** The version a form was made from: a whole number, or undefined when the form did not say. */
export function parseCaseVersion(value: unknown): number | undefined {
  const text = typeof value === 'string' ? value.trim() : '';
  return /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}

/** Run tx work that updates case rows; a row found at another version rolls it all back and refuses. */
async function guardVersions<T>(work: () => Promise<T>, ref?: string): Promise<T | ActionResult> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CaseChangedError) return refuse(CASE_CHANGED_MESSAGE, ref);
    throw error;
  }
}

/** Throw CaseChangedError unless every versioned update in a batch changed its row. */
function expectUpdated(results: { rowsAffected: number }[], updateIndexes: number[]) {
  if (updateIndexes.some((i) => results[i]!.rowsAffected !== 1)) throw new CaseChangedError();
}

/**
 * Run a change on one case atomically: read, decide, write the change and its events together, in one write
 * transaction. `expectedVersion` (from the form) refuses a form made from an older state of the case.
 */
async function change(caseIdOrRef: string, actor: StaffActor, now: number, decide: (row: CaseRow) => Promise<Change> | Change, expectedVersion?: number): Promise<ActionResult> {
  const database = getDatabase();
  const recount: string[] = [];
  const result = await guardVersions(() =>
    database.writer.transaction(async (tx): Promise<ActionResult> => {
      const row = await findCase(caseIdOrRef);
      if (!row || !isCaseInScope(caseScope(actor), row)) return refuse(NO_SUCH_CASE);
      if (expectedVersion !== undefined && expectedVersion !== row.version) return refuse(CASE_CHANGED_MESSAGE, row.ref);
      const decision = await decide(row);
      if (!decision.ok) return refuse(decision.message, row.ref);
      const stmts: InStatement[] = [];
      const updates: number[] = [];
      if (Object.keys(decision.set).length) {
        updates.push(stmts.length);
        stmts.push(updateCaseStatement(row, { ...decision.set, updatedAt: now }));
        stmts.push(...countChangeStatements(row, { ...row, ...decision.set }));
      }
      decision.events.forEach((e) => {
        stmts.push(
          toStatement(getDb().insert(caseEvents).values({
            id: newId(now),
            caseId: row.id,
            at: now, // same instant; ids keep the order
            actorKind: 'user',
            actorId: actor.id,
            action: e.action,
            visibility: e.visibility ?? 'internal',
            body: e.body ?? null,
            data: e.data ?? null,
          })),
        );
      });
      stmts.push(...(decision.extra ?? []));
      expectUpdated(await tx.batch(stmts), updates);
      if (decision.recount) recount.push(row.id);
      return { ok: true, ref: row.ref };
    }),
  );
  for (const id of recount) await refreshFlags(id, now);
  return result;
}

/** Record the triage answers, set the priority they give, and restart the targets for it. */
export function triageCase(caseIdOrRef: string, actor: StaffActor, answers: TriageAnswers, settings: ActionSettings, now = Date.now(), expectedVersion?: number): Promise<ActionResult> {
  const denied = lacks(actor, 'case.update');
  if (denied) return Promise.resolve(refuse(denied));
  return change(caseIdOrRef, actor, now, async (row) => {
    const [cat] = row.categoryId ? await getDb().select({ p: categories.defaultPriority }).from(categories).where(eq(categories.id, row.categoryId)) : [];
    const priority = priorityFor(answers, cat?.p ?? 'P3');
    let timers = currentTimers(row, settings.targets, now);
    if (timers.priority !== priority) timers = reprioritiseTimers(timers, row.receivedAt, priority, settings.targets);
    timers = meetTimer(timers, 'acknowledge', now);
    const threshold = await detectCaseThresholds(row, now);
    return {
      ok: true,
      set: { riskAnswers: answers as unknown as Record<string, string>, priority, flags: threshold.flags, ...timerFields(timers, row.status) },
      events: [{ action: 'case.triaged', data: { answers, from: row.priority, priority, flags: threshold.flags } }],
    };
  }, expectedVersion);
}

/** Status change input. */
export interface StatusInput {
  to: string;
  resolutionCode?: string | null;
  agencyId?: string | null;
  note?: string | null;
  /** The case version the form was made from. */
  version?: number;
}

/** The permission a status move needs: reopen, close, refer to a partner, or update. */
export function statusPermission(from: string, to: string): Permission {
  if ((from === 'resolved' || from === 'closed') && to === 'open') return 'case.reopen';
  if (to === 'resolved' || to === 'closed') return 'case.close';
  if (to === 'referred') return 'case.refer';
  return 'case.update';
}

/** Move a case to another status (withdrawing its open referrals: withdraw.ts), or refuse with a clear message. */
export function changeStatus(caseIdOrRef: string, actor: StaffActor, input: StatusInput, settings: ActionSettings, now = Date.now()): Promise<ActionResult> {
  if (isReferralOnlyStatus(input.to)) return Promise.resolve(refuse(REFERRAL_ONLY_MESSAGE));
  return change(caseIdOrRef, actor, now, async (row) => {
    const denied = lacks(actor, statusPermission(row.status, input.to));
    if (denied) return { ok: false, message: denied };
    let contactable = true;
    if (input.to === 'awaiting_reporter') {
      const [rep] = row.reporterId ? await getDb().select({ email: reporters.email, phone: reporters.phoneE164 }).from(reporters).where(eq(reporters.id, row.reporterId)) : [];
      // An anonymous reporter is reached on /track with their tracking code (they see replies when they next check).
      contactable = row.privacy !== 'anonymous' ? !!(rep?.email || rep?.phone) : !!row.trackSecretHash;
    }
    const result = transitionCase({ ...row, reporterContactable: contactable }, input, { reopenWindowDays: settings.reopenWindowDays }, now);
    if (!result.ok) return result;
    const to = result.changes.status;
    let timers = currentTimers(row, settings.targets, now);
    if (row.status === 'new') timers = meetTimer(meetTimer(timers, 'acknowledge', now), 'triage', now);
    if (to === 'awaiting_reporter') timers = pauseTimers(timers, now);
    else if (row.status === 'awaiting_reporter') timers = resumeTimers(timers, settings.targets, now);
    if (to === 'resolved' || to === 'closed') timers = stopTimers(timers, now);
    if (result.reopened) {
      const fresh = startTimers(now, (row.priority as 'P1') ?? 'P3', settings.targets);
      timers = { ...fresh, acknowledge: { ...fresh.acknowledge, metAt: now }, triage: { ...fresh.triage, metAt: now } };
    }
    const action = result.reopened ? 'case.reopened' : to === 'referred' ? 'case.referred' : 'case.status';
    const events: EventInput[] = [{ action, body: input.note?.trim() || null, data: { from: row.status, to, resolutionCode: result.changes.resolutionCode ?? undefined, agencyId: input.agencyId ?? undefined } }];
    // Reopening a duplicate clears its mark (it no longer counts toward its original), and the timeline says so.
    const unmarked = result.reopened && !!row.duplicateOf;
    if (unmarked) events.push({ action: 'case.duplicate.undone', data: { to, reopened: true } });
    // A case the officer moves on (resolved, closed or back to open) is no longer with any agency: withdraw its open referrals.
    const extra = await withdrawReferralsStatements(row.id, actor.id, to, now);
    return {
      ok: true,
      extra,
      // spam does not count as a complaint, so marking or unmarking it changes the neighbours' counts
      recount: unmarked || (row.resolutionCode === 'spam') !== ((result.changes.resolutionCode === undefined ? row.resolutionCode : result.changes.resolutionCode) === 'spam'),
      set: { ...result.changes, ...timerFields(timers, to) } as Partial<CaseRow>,
      events,
    };
  }, input.version);
}

/** Assign a case to an officer and/or a team; an empty owner unassigns. */
export function assignCase(caseIdOrRef: string, actor: StaffActor, input: { ownerId?: string | null; team?: string | null; version?: number }, settings: ActionSettings, now = Date.now()): Promise<ActionResult> {
  const denied = lacks(actor, 'case.assign');
  if (denied) return Promise.resolve(refuse(denied));
  return change(caseIdOrRef, actor, now, async (row) => {
    let ownerName: string | null = null;
    if (input.ownerId) {
      const owner = await findEligibleOwner(input.ownerId, row);
      if (!owner) return { ok: false, message: 'Choose an officer who can work this case' };
      ownerName = owner.name;
    }
    const ownerId = input.ownerId === undefined ? row.ownerId : input.ownerId || null;
    const team = input.team === undefined ? row.team : input.team || null;
    if (ownerId === row.ownerId && team === row.team) return { ok: false, message: 'The case already has that owner and team' };
    const timers = meetTimer(currentTimers(row, settings.targets, now), 'acknowledge', now);
    return {
      ok: true,
      set: { ownerId, team, ...timerFields(timers, row.status) },
      events: [{ action: 'case.assigned', data: { from: row.ownerId, to: ownerId, ownerName, team } }],
    };
  }, input.version);
}

/**
 * The next officer in the round-robin: active triage officers in rotation, least recently assigned first. For a case
 * in a district, only officers whose district team includes it; when there are none, only county-wide officers.
 */
export async function nextInRotation(districtId: string | null = null): Promise<{ id: string; name: string } | undefined> {
  const candidates = await getDb()
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(and(eq(users.role, 'triage_officer'), eq(users.active, true), eq(users.inRotation, true)))
    .orderBy(sql`coalesce(${users.lastAssignedAt}, 0)`, asc(users.id));
  const teams = await listDistrictTeams(candidates.map((c) => c.id));
  const team = districtId ? candidates.filter((c) => teams.get(c.id)?.includes(districtId)) : [];
  return (team.length ? team : candidates.filter((c) => !teams.has(c.id)))[0];
}

/** Assign a case to the next officer in the round-robin (within its district team); the rotation moves on only when the assignment is made. */
export async function assignRoundRobin(caseIdOrRef: string, actor: StaffActor, settings: ActionSettings, now = Date.now(), expectedVersion?: number): Promise<ActionResult> {
  const denied = lacks(actor, 'case.assign');
  if (denied) return refuse(denied);
  return getDatabase().writer.transaction(async (tx) => {
    const row = await findCase(caseIdOrRef);
    if (!row || !isCaseInScope(caseScope(actor), row)) return refuse(NO_SUCH_CASE);
    const officer = await nextInRotation(row.districtId);
    if (!officer) return refuse('Nobody is in the round-robin: add triage officers to the rotation');
    const result = await assignCase(caseIdOrRef, actor, { ownerId: officer.id, version: expectedVersion }, settings, now);
    if (result.ok) await tx.batch([toStatement(tx.db.update(users).set({ lastAssignedAt: now }).where(eq(users.id, officer.id)))]);
    return result;
  });
}

/** Add an internal note (never shown to the reporter). */
export function addNote(caseIdOrRef: string, actor: StaffActor, body: string, now = Date.now()): Promise<ActionResult> {
  const denied = lacks(actor, 'note.internal.write');
  if (denied) return Promise.resolve(refuse(denied));
  const text = body.trim();
  if (!text) return Promise.resolve(refuse('Enter the note'));
  if (text.length > 10_000) return Promise.resolve(refuse('The note must be 10,000 characters or fewer'));
  return change(caseIdOrRef, actor, now, () => ({ ok: true, set: {}, events: [{ action: 'case.note', body: text }] }));
}

/** Send a reply to the reporter: on their tracking page, and by e-mail through the outbox when they gave an address. */
export function sendReply(caseIdOrRef: string, actor: StaffActor, body: string, settings: ActionSettings, now = Date.now()): Promise<ActionResult> {
  const denied = lacks(actor, 'reply.send');
  if (denied) return Promise.resolve(refuse(denied));
  return change(caseIdOrRef, actor, now, async (row) => {
    const [rep] = row.reporterId ? await getDb().select({ name: reporters.name, email: reporters.email }).from(reporters).where(eq(reporters.id, row.reporterId)) : [];
    const [cat] = row.categoryId ? await getDb().select({ name: categories.name }).from(categories).where(eq(categories.id, row.categoryId)) : [];
    const unknown = unknownPlaceholders(body);
    if (unknown.length) return { ok: false, message: `The reply uses unknown placeholders: ${unknown.map((u) => `{{${u}}}`).join(', ')}` };
    // In the reply text (kept on the case and shown on /track) the placeholder is the plain /track page; the e-mail
    // itself links to a new private link, whose token is stored only as a hash.
    const trackUrl = `${settings.publicUrl.replace(/\/$/, '')}/track`;
    const text = fillPlaceholders(body, {
      ref: row.ref, reporterName: row.privacy === 'anonymous' ? '' : (rep?.name ?? ''), category: cat?.name.toLowerCase() ?? 'your concern',
      status: publicStatus(row.status), officerName: actor.name ?? '', partnership: settings.partnership, trackUrl,
    }).trim();
    if (!text) return { ok: false, message: 'Enter the reply' };
    if (text.length > 10_000) return { ok: false, message: 'The reply must be 10,000 characters or fewer' };
    let timers = meetTimer(currentTimers(row, settings.targets, now), 'acknowledge', now);
    if (row.status !== 'resolved' && row.status !== 'closed') timers = scheduleNextUpdate(timers, settings.targets, now);
    const extra: InStatement[] = [];
    const emailed = !!rep?.email && row.privacy !== 'anonymous';
    const linkToken = emailed ? newSecret(20) : null;
    if (emailed) extra.push(enqueueEmail('case-reply', rep!.email!, { ref: row.ref, body: text, trackUrl: trackLink(settings.publicUrl, row.ref!, linkToken!), partnership: settings.partnership, lang: row.language }, now));
    return {
      ok: true,
      set: { ...timerFields(timers, row.status), ...(linkToken ? { linkTokenHash: addLinkHash(row.linkTokenHash, linkToken) } : {}) },
      events: [{ action: 'case.reply', visibility: 'reporter', body: text, data: { emailed } }],
      extra,
    };
  });
}

/** A case reference as typed, in the stored form: trimmed and in capitals (hm-7k3m-9qx4 is HM-7K3M-9QX4). */
function normaliseRef(typed: string): string {
  return typed.trim().toUpperCase();
}


/** Add and remove tags. */
export function changeTags(caseIdOrRef: string, actor: StaffActor, input: { add?: string[]; remove?: string[] }, now = Date.now()): Promise<ActionResult> {
  const denied = lacks(actor, 'case.update');
  if (denied) return Promise.resolve(refuse(denied));
  return change(caseIdOrRef, actor, now, (row) => {
    const add = (input.add ?? []).map(normaliseTag).filter(Boolean);
    const remove = new Set((input.remove ?? []).map(normaliseTag));
    const tags = [...new Set([...(row.tags ?? []).filter((t) => !remove.has(t)), ...add])].slice(0, 30);
    if (JSON.stringify(tags) === JSON.stringify(row.tags ?? [])) return { ok: false, message: 'No tags changed' };
    return { ok: true, set: { tags }, events: [{ action: 'case.tags', data: { from: row.tags, to: tags } }] };
  });
}

/** Link cases into one incident (a new one with `title`, or an existing `incidentId`); each keeps its own reporter and updates. */
export async function linkIncident(refs: string[], actor: StaffActor, input: { incidentId?: string; title?: string }, now = Date.now()): Promise<ActionResult & { incidentId?: string }> {
  const denied = lacks(actor, 'case.update');
  if (denied) return refuse(denied);
  const unique = [...new Set(refs.map(normaliseRef).filter(Boolean))];
  const result = await guardVersions(() => getDatabase().writer.transaction(async (tx): Promise<ActionResult & { incidentId?: string }> => {
    const db = tx.db;
    const scope = caseScope(actor);
    const rows = (await db.select().from(cases).where(inArray(cases.ref, unique))).filter((c) => isCaseInScope(scope, c));
    const missing = unique.filter((r) => !rows.some((c) => c.ref === r));
    if (missing.length) return refuse(`There is no case with reference ${missing.join(', ')}`);
    let incidentId = input.incidentId ?? rows.find((c) => c.incidentId)?.incidentId ?? null;
    const stmts: InStatement[] = [];
    if (incidentId) {
      const [inc] = await db.select({ id: incidents.id }).from(incidents).where(eq(incidents.id, incidentId));
      if (!inc) return refuse('That incident does not exist');
    } else {
      if (rows.length < 2) return refuse('Choose at least two cases to link into an incident');
      incidentId = newId(now);
      // No reference in the default title: officers who see only some of the incident's cases read it too.
      const title = input.title?.trim() || `Incident first reported on ${formatDate(Math.min(...rows.map((r) => r.receivedAt)))}`;
      stmts.push(toStatement(db.insert(incidents).values({ id: incidentId, title: title.slice(0, 200), createdBy: actor.id, createdAt: now })));
    }
    const conflicting = rows.filter((r) => r.incidentId && r.incidentId !== incidentId);
    if (conflicting.length) return refuse(`${conflicting.map((r) => r.ref).join(', ')} already belongs to another incident: unlink it first`);
    const toLink = rows.filter((r) => r.incidentId !== incidentId);
    if (!toLink.length) return refuse('These cases are already linked into this incident');
    const updates: number[] = [];
    for (const r of toLink) {
      updates.push(stmts.length);
      stmts.push(updateCaseStatement(r, { incidentId, updatedAt: now }));
      stmts.push(toStatement(db.insert(caseEvents).values({ id: newId(now), caseId: r.id, at: now, actorKind: 'user', actorId: actor.id, action: 'case.incident.linked', visibility: 'internal', data: { incidentId, with: rows.map((x) => x.ref) } })));
    }
    expectUpdated(await tx.batch(stmts), updates);
    return { ok: true, ref: toLink[0]!.ref, incidentId };
  }));
  if (result.ok) await refreshFlags(result.ref, now);
  return result;
}

/** Take a case out of its incident (undo a link). */
export function unlinkIncident(caseIdOrRef: string, actor: StaffActor, now = Date.now()): Promise<ActionResult> {
  const denied = lacks(actor, 'case.update');
  if (denied) return Promise.resolve(refuse(denied));
  return change(caseIdOrRef, actor, now, (row) => {
    if (!row.incidentId) return { ok: false, message: 'The case is not linked to an incident' };
    return { ok: true, set: { incidentId: null }, events: [{ action: 'case.incident.unlinked', data: { incidentId: row.incidentId } }], recount: true };
  });
}

/** Mark a case a true duplicate of another: it is closed with the code 'duplicate' and points at the original. */
export function markDuplicate(caseIdOrRef: string, actor: StaffActor, originalRef: string, settings: ActionSettings, now = Date.now()): Promise<ActionResult> {
  const denied = lacks(actor, 'case.close');
  if (denied) return Promise.resolve(refuse(denied));
  return change(caseIdOrRef, actor, now, async (row) => {
    const original = await findCase(normaliseRef(originalRef));
    if (!original || !isCaseInScope(caseScope(actor), original)) return { ok: false, message: 'There is no case with the original reference' };
    if (original.id === row.id) return { ok: false, message: 'A case cannot be a duplicate of itself' };
    if (original.duplicateOf) return { ok: false, message: `${original.ref} is itself a duplicate: choose its original` };
    if (row.duplicateOf) return { ok: false, message: 'The case is already marked as a duplicate' };
    const t = transitionCase(row, { to: 'closed', resolutionCode: 'duplicate' }, { reopenWindowDays: settings.reopenWindowDays }, now);
    if (!t.ok) return t;
    const timers = stopTimers(currentTimers(row, settings.targets, now), now);
    return {
      ok: true,
      set: { ...t.changes, duplicateOf: original.id, ...timerFields(timers, 'closed') } as Partial<CaseRow>,
      events: [{ action: 'case.duplicate.marked', data: { of: original.ref, from: row.status, resolutionCode: row.resolutionCode } }],
      recount: true,
    };
  });
}

/** Undo "duplicate": the case goes back to the status it had, with its timers restarted. */
export function undoDuplicate(caseIdOrRef: string, actor: StaffActor, settings: ActionSettings, now = Date.now()): Promise<ActionResult> {
  const denied = lacks(actor, 'case.reopen');
  if (denied) return Promise.resolve(refuse(denied));
  return change(caseIdOrRef, actor, now, async (row) => {
    if (!row.duplicateOf) return { ok: false, message: 'The case is not marked as a duplicate' };
    const [marked] = await getDb()
      .select({ data: caseEvents.data })
      .from(caseEvents)
      .where(and(eq(caseEvents.caseId, row.id), eq(caseEvents.action, 'case.duplicate.marked')))
      .orderBy(sql`${caseEvents.id} DESC`)
      .limit(1);
    const previous = (marked?.data?.from as CaseStatus | undefined) ?? 'open';
    const status: CaseStatus = previous === 'resolved' || previous === 'closed' ? 'open' : previous;
    const fresh = startTimers(row.receivedAt, (row.priority as 'P1') ?? 'P3', settings.targets);
    const timers = status === 'new' ? fresh : { ...fresh, acknowledge: { ...fresh.acknowledge, metAt: now }, triage: { ...fresh.triage, metAt: now } };
    return {
      ok: true,
      set: { duplicateOf: null, status, statusChangedAt: now, resolutionCode: null, closedAt: null, resolvedAt: null, reopenUntil: null, ...timerFields(timers, status) },
      events: [{ action: 'case.duplicate.undone', data: { to: status } }],
      recount: true,
    };
  });
}

/** An UPDATE of a case's flags that applies only if they are still the flags read (the version is left alone). */
function updateFlagsStatement(row: Pick<NeighbourCase, 'id' | 'flags'>, flags: string[]): InStatement {
  return { sql: 'update "cases" set "flags" = ? where "id" = ? and "flags" = ?', args: [JSON.stringify(flags), row.id, JSON.stringify(row.flags ?? [])] };
}

/** The case.flags event for a flag change, written only when the statement just before it (the update) changed a row. */
function flagsEventStatement(row: Pick<NeighbourCase, 'id' | 'flags'>, flags: string[], now: number): InStatement {
  const insert = insertRow(caseEvents, { id: newId(now), caseId: row.id, at: now, actorKind: 'system', action: 'case.flags', visibility: 'internal', data: { from: row.flags, to: flags } }) as { sql: string; args: InValue[] };
  return { sql: insert.sql.replace(/ values \((.*)\)$/, ' select $1 where changes() = 1'), args: insert.args };
}

/** How many neighbouring cases a flag refresh also recomputes (newest first). */
const FLAG_NEIGHBOURS = 50;

/**
 * Recompute the repeat flags of a case and of the cases it is counted with, and store those that changed,
 * each with a case.flags event. Used when a case arrives (scheduleFlagRefresh) and after changes that alter
 * repeat counts; never on a page view (pages compute flags read-only for display). Reads happen first; the
 * writes are short batches of FLAG_WRITE_CHUNK cases, one after another, each skipping any case whose flags changed
 * in between (a failed batch leaves those before it stored; a case's update and event are always in one batch).
 * Flags are the system's, not an officer's edit, so the refresh leaves the case version alone: a form an officer
 * opened before a neighbour arrived still saves. Returns the flags of the case.
 */
export async function refreshFlags(caseIdOrRef: string, now = Date.now()): Promise<string[]> {
  const row = await findCase(caseIdOrRef);
  if (!row) return [];
  return (await refreshFlagsOfCases([row], now)).get(row.id) ?? [];
}

/**
 * Refresh the flags of several cases and of up to FLAG_NEIGHBOURS recent neighbours of each, computing each case's
 * flags once however many of the cases share it as a neighbour (a burst of reports at one place would otherwise
 * recompute the same neighbours for every report), then store those that changed. Flags come from detectFlags, which
 * stops once each flag is decided. For `arrivals` (new cases), a
 * neighbour that already holds every flag the new cases could add to it (holdsFlagsAddedBy) is left alone: at a busy
 * place that is nearly every neighbour. The pass yields to the event loop every few milliseconds, so requests are
 * not held behind it. Returns the flags of every case computed.
 */
export async function refreshFlagsOfCases(subjects: readonly NeighbourCase[], now: number, arrivals = false): Promise<Map<string, string[]>> {
  const computed = new Map<string, { row: NeighbourCase; flags: string[] }>();
  const neighbourIds = new Set<string>();
  const places: PlaceRowsCache = new Map();
  const names = gazetteerPlaceNames();
  // The newest FLAG_NEIGHBOURS + 1 of each neighbour list, once per list: arrivals at one place share its list.
  const newestByList = new Map<readonly NeighbourCase[], NeighbourCase[]>();
  // The reporters' cases in a few reads for the whole pass (the places are read as they come, once each).
  await loadReporterCases(subjects, now, places);
  for (const row of subjects) {
    if (computed.has(row.id)) continue;
    await yieldWhenLong();
    const own = await detectCaseFlags(row, now, places);
    computed.set(row.id, { row, flags: own.flags });
    let newest = newestByList.get(own.neighbours);
    if (!newest) newestByList.set(own.neighbours, (newest = newestOf(own.neighbours, FLAG_NEIGHBOURS + 1, '')));
    // The case's FLAG_NEIGHBOURS newest neighbours: the list's newest, less the case itself.
    let taken = 0;
    for (const n of newest) {
      if (n.id === row.id) continue;
      if (taken++ === FLAG_NEIGHBOURS) break;
      if (arrivals && holdsFlagsAddedBy(row, n, n.flags, names)) continue;
      neighbourIds.add(n.id);
    }
  }
  const remaining = [...neighbourIds].filter((id) => !computed.has(id));
  const neighbours = remaining.length ? await loadFlagCases(remaining) : [];
  await loadReporterCases(neighbours, now, places);
  for (const c of neighbours) {
    await yieldWhenLong();
    computed.set(c.id, { row: c, flags: (await detectCaseFlags(c, now, places)).flags });
  }
  const changed = [...computed.values()].filter((c) => JSON.stringify(c.flags) !== JSON.stringify(c.row.flags ?? []));
  // Batches of FLAG_WRITE_CHUNK cases, one after another, each group-committed on the writer's thread with whatever
  // else is waiting: each update, then its event only if the update applied. A pass's thousand changes in one batch
  // made a commit of 2,000 statements (55–90 ms) that every submission waiting on the writer sat behind.
  for (let i = 0; i < changed.length; i += FLAG_WRITE_CHUNK) {
    await getDatabase().writer.batch(changed.slice(i, i + FLAG_WRITE_CHUNK).flatMap((c) => [updateFlagsStatement(c.row, c.flags), flagsEventStatement(c.row, c.flags, now)]));
  }
  return new Map([...computed].map(([id, c]) => [id, c.flags]));
}

/** The `count` most recently received of some cases, newest first, leaving out one id: one pass, quick when they come newest first. */
export function newestOf<T extends { id: string; receivedAt: number }>(list: readonly T[], count: number, except: string): T[] {
  const kept: T[] = [];
  for (const c of list) {
    if (c.id === except || (kept.length === count && c.receivedAt <= kept[count - 1]!.receivedAt)) continue;
    let at = kept.length;
    while (at > 0 && kept[at - 1]!.receivedAt < c.receivedAt) at--;
    kept.splice(at, 0, c);
    if (kept.length > count) kept.pop();
  }
  return kept;
}

/** The most cases whose new flags one writer batch of a refresh pass stores (two statements each). */
const FLAG_WRITE_CHUNK = 50;

/** How long a flag refresh pass works before it lets waiting requests in. */
const FLAG_SLICE_MS = 5;
let sliceStarted = performance.now();

/** After FLAG_SLICE_MS of work, resolve on the next turn of the event loop (after pending I/O), so a long pass neither holds requests back nor starves under load. */
async function yieldWhenLong(): Promise<void> {
  if (performance.now() - sliceStarted < FLAG_SLICE_MS) return;
  await new Promise((resolve) => setImmediate(resolve));
  sliceStarted = performance.now();
}

/** What a bulk action does to each case. */
export type BulkAction =
  | { kind: 'assign'; ownerId?: string | null; team?: string | null }
  | { kind: 'assign_round_robin' }
  | { kind: 'status'; to: string; resolutionCode?: string | null; agencyId?: string | null }
  | { kind: 'tag'; add?: string[]; remove?: string[] }
  | { kind: 'note'; body: string }
  | { kind: 'reply'; body: string; visibility: 'internal' | 'reporter' };

/** Apply one action to many cases; each case succeeds or is refused on its own. Templated replies default to an internal note. */
export async function bulkAction(refs: string[], actor: StaffActor, action: BulkAction, settings: ActionSettings, now = Date.now(), versions: ReadonlyMap<string, number> = new Map()): Promise<BulkResult> {
  const out: BulkResult = { done: [], refused: [] };
  const denied = lacks(actor, 'case.bulk');
  if (denied) return { done: [], refused: refs.map((ref) => ({ ref, message: denied })) };
  for (const ref of [...new Set(refs)].slice(0, 500)) {
    let r: ActionResult;
    // An assignment or a status change replaces what is there: from a list read before someone else changed the case, it is refused (as the case page's form is).
    const version = versions.get(ref);
    switch (action.kind) {
      case 'assign': r = await assignCase(ref, actor, { ...action, version }, settings, now); break;
      case 'assign_round_robin': r = await assignRoundRobin(ref, actor, settings, now, version); break;
      case 'status': r = await changeStatus(ref, actor, { ...action, version }, settings, now); break;
      case 'tag': r = await changeTags(ref, actor, action, now); break;
      case 'note': r = await addNote(ref, actor, action.body, now); break;
      case 'reply': {
        if (action.visibility === 'reporter') r = await sendReply(ref, actor, action.body, settings, now);
        else {
          const c = await findCase(ref);
          r = c && isCaseInScope(caseScope(actor), c) ? await addNote(ref, actor, fillPlaceholders(action.body, { ref: c.ref, officerName: actor.name ?? '', partnership: settings.partnership, status: publicStatus(c.status) }), now) : refuse(NO_SUCH_CASE);
        }
        break;
      }
    }
    if (r.ok) out.done.push(ref);
    else out.refused.push({ ref, message: r.message });
  }
  return out;
}

/** Words for each channel a case can come in by. */
export const CHANNEL_LABELS: Record<string, string> = { web: 'Web', phone: 'Phone', email: 'E-mail', api: 'API', partner: 'Partner' };

/** How each partner update for the reporter was decided, by the update's event id, from a case's timeline events. */
export function updateDecisions(events: readonly { action: string; data?: Record<string, unknown> | null }[]): Map<string, 'released' | 'withheld'> {
  const out = new Map<string, 'released' | 'withheld'>();
  for (const e of events) {
    if (e.action === 'referral.update.released' || e.action === 'referral.update.withheld') out.set(String(e.data?.updateId ?? ''), e.action === 'referral.update.released' ? 'released' : 'withheld');
  }
  return out;
}

/**
 * A one-line description of a timeline event, in words (agency names from `agencyName`, which defaults to the id;
 * a partner update for the reporter says how it was decided when `decisions` (updateDecisions) knows).
 */
export function describeEvent(e: { id?: string; action: string; data?: Record<string, unknown> | null }, agencyName: (id: string) => string = (id) => id, decisions?: ReadonlyMap<string, 'released' | 'withheld'>): string {
  const d = e.data ?? {};
  const status = (s: unknown) => STATUS_LABELS[s as CaseStatus] ?? String(s);
  const flags = (v: unknown) => ((v as string[]) ?? []).map((f) => FLAG_LABELS[f as keyof typeof FLAG_LABELS] ?? f).join(', ') || 'none';
  const agency = (v: unknown) => agencyName(String(v));
  switch (e.action) {
    case 'case.created': return `Case received (${CHANNEL_LABELS[String(d.channel ?? 'web')] ?? String(d.channel)})`;
    case 'case.triaged': return `Triaged: priority ${String(d.priority)}${d.from && d.from !== d.priority ? ` (was ${String(d.from)})` : ''}`;
    case 'case.status': return `Status changed from ${status(d.from)} to ${status(d.to)}${isResolutionCode(d.resolutionCode) ? `: ${RESOLUTION_LABELS[d.resolutionCode as ResolutionCode]}` : ''}${d.reason === 'reopen_window_ended' ? ' (the reopen window ended)' : ''}`;
    case 'case.referred': return `Referred to ${agency(d.agencyId)}`;
    case 'case.reopened': return `Reopened (was ${status(d.from)})`;
    case 'case.assigned': return d.to ? `Assigned to ${String(d.ownerName ?? d.to)}${d.team ? ` (${String(d.team)})` : ''}` : `Unassigned${d.team ? ` (team ${String(d.team)})` : ''}`;
    case 'case.note': return 'Internal note';
    case 'case.reply': return d.emailed ? 'Reply to the reporter (e-mailed)' : 'Reply to the reporter (tracking page only)';
    case 'case.tags': return `Tags: ${((d.to as string[]) ?? []).join(', ') || 'none'}`;
    case 'case.incident.linked': return `Linked into an incident with ${((d.with as string[]) ?? []).join(', ')}`;
    case 'case.incident.unlinked': return 'Taken out of its incident';
    case 'case.duplicate.marked': return `Marked as a duplicate of ${String(d.of)}`;
    case 'case.duplicate.undone': return d.reopened ? 'Reopened, so no longer marked as a duplicate' : `Duplicate mark undone; back to ${status(d.to)}`;
    case 'case.flags': return `Flags: ${flags(d.to)}`;
    case 'reporter.message': return 'The reporter added information';
    case 'referral.escalated': return `Referral to ${agency(d.agencyId)} not acknowledged in time: escalated to the triage team`;
    case 'call.logged': return 'Hotline call logged';
    case 'call.information': return 'More information given on a hotline call';
    case 'referral.sent': return `Referred to ${agency(d.agencyId)} (shared: ${((d.fields as string[]) ?? []).join(', ')})`;
    case 'referral.update':
      return `${agency(d.agencyId)}: update added${d.forReporter ? ` for the reporter (${(e.id && decisions?.get(e.id)) || 'pending release'})` : ''}${d.documentId ? ', with a document' : ''}`;
    case 'referral.acknowledged': case 'referral.accepted': case 'referral.declined': case 'referral.completed': case 'referral.returned': case 'referral.withdrawn':
      return `${agency(d.agencyId)}: ${e.action.slice('referral.'.length)}`;
    case 'referral.delivered': return `Referral sent to ${agency(d.agencyId)} by Open311`;
    case 'referral.delivery_failed': return `Referral to ${agency(d.agencyId)} could not be sent by Open311`;
    case 'referral.update.released': return d.edited ? 'Partner update edited and released to the reporter' : 'Partner update released to the reporter';
    case 'referral.update.withheld': return 'Partner update withheld from the reporter';
    default: return e.action.replace(/[._]/g, ' ');
  }
}

/** Audit a view of the reporter's personal details, and return them (pii.view only). */
export async function viewReporterDetails(caseIdOrRef: string, actor: StaffActor, now = Date.now()) {
  if (lacks(actor, 'pii.view')) return null;
  const row = await findCase(caseIdOrRef);
  if (!row?.reporterId || !isCaseInScope(caseScope(actor), row)) return null;
  const [rep] = await getDb().select().from(reporters).where(eq(reporters.id, row.reporterId));
  if (!rep) return null;
  await getDatabase().writer.batch([auditStatement(auditActor(actor), 'pii.view', { kind: 'case', id: row.id }, { ref: row.ref }, now)]);
  return { name: rep.name, email: rep.email, phone: rep.phoneE164, preferredContact: rep.preferredContact };
}
