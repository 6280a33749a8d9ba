/**
 * Creating a case: one atomic write holding the case, its reporter, photos, timeline entry, audit event
 * and the acknowledgement e-mail in the outbox. The same idempotency key always yields the same case.
 */
import { translate, translateOr } from '../../platform/i18n/index.ts';
import { hash } from 'node:crypto';
import type { InStatement } from '@libsql/client';
import { eq } from 'drizzle-orm';
import { auditStatement, type Actor } from '../../platform/audit.ts';
import type { SiteConfig } from '../../platform/config/partnership.ts';
import { getDatabase, getDb } from '../../platform/db/client.ts';
import type { WriteGate } from '../../platform/db/writer.ts';
import { attachments, caseEvents, cases, reporters } from '../../platform/db/schema.ts';
import { insertRow } from '../../platform/db/insert.ts';
import { newId, newSecret, randomBytes } from '../../platform/security/ids.ts';
import { enqueueEmail } from '../../platform/mail/outbox.ts';
import type { StoredPhoto } from './photos.ts';
import { generateReference, REFERENCE_ALPHABET } from './reference.ts';
import { nextDue, startTimers } from '../cases/timers.ts';
import type { Priority } from '../cases/priority.ts';
import { flagDebtStatements, flagDebtWritten, scheduleFlagRefresh } from '../cases/flag-refresh.ts';
import { countChangeStatements } from '../insight/counts.ts';
import { findJoinTarget, incidentTitle, joinStatements } from './join.ts';

/** What a new case is made from, whatever the channel. */
export interface NewCase {
  kind: 'report' | 'feedback';
  channel: 'web' | 'phone' | 'email' | 'api';
  categoryId?: string | null;
  feedbackType?: string | null;
  description: string;
  whenKind?: string | null;
  happenedAt?: number | null;
  whenText?: string | null;
  postcode?: string | null;
  locationText?: string | null;
  wardId?: string | null;
  /** WGS84 degrees, and where they came from. */
  lat?: number | null;
  lon?: number | null;
  locationSource?: 'postcode' | 'pin' | 'api' | null;
  /** An existing report the reporter added themselves to ("already reported nearby"): both join one incident. */
  joinCaseId?: string | null;
  peopleInvolved?: string | null;
  whoAffected?: string | null;
  happenedBefore?: string | null;
  privacy: 'named' | 'confidential' | 'anonymous';
  consentShare?: boolean | null;
  reporter?: { name?: string | null; email?: string | null; phoneE164?: string | null; preferredContact?: string | null } | null;
  photos?: StoredPhoto[];
  idempotencyKey?: string | null;
  createdBy?: string | null;
  /** Answers to triage questions given at intake (an API client's hate-motivation and vulnerability answers). */
  riskAnswers?: Record<string, string> | null;
  /** A priority more urgent than the category default, worked out from riskAnswers. */
  priority?: Priority | null;
  /** The language the resident used (a content/locales code; default 'en'): their e-mails are sent in it. */
  language?: string;
}

/** The case that was created (or found again for a repeated submission). */
export interface CreatedCase {
  id: string;
  ref: string;
  existing: boolean;
  trackSecret?: string;
  linkToken?: string;
}

/** SHA-256 of a secret, for storage. */
export function hashSecret(secret: string): Buffer {
  return hash('sha256', secret, 'buffer');
}

/** A tracking secret for anonymous reporters: 10 unambiguous characters in two groups. */
export function newTrackSecret(): string {
  const bytes = randomBytes(10);
  let s = '';
  for (const b of bytes) s += REFERENCE_ALPHABET[b % REFERENCE_ALPHABET.length];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

/** Working days within which a complaint gets a reply: the feedback form and the acknowledgement both promise it. */
export const COMPLAINT_REPLY_WORKING_DAYS = 10;

/**
 * What the acknowledgement e-mail promises next. A report gets the public promise without its "we will acknowledge"
 * part (the e-mail is the acknowledgement); a complaint gets the complaint reply time; other feedback no promise.
 */
export function acknowledgementPromise(kind: 'report' | 'feedback', feedbackType: string | null | undefined, publicPromise: string, lang = 'en'): string {
  if (kind === 'feedback') {
    return feedbackType === 'complaint'
      ? translate(lang, 'mail.promise.complaint', { days: COMPLAINT_REPLY_WORKING_DAYS })
      : translate(lang, 'mail.promise.feedback');
  }
  const rest = /^we will acknowledge\b[^.]*?\band (?:we will )?(.+)$/i.exec(publicPromise.trim());
  // The promise is the partnership's own words (content/config/targets.json): a catalogue may give them in its language.
  return translateOr(lang, 'targets.acknowledgedPromise', rest ? `We will ${rest[1]}` : publicPromise);
}

/** The private tracking link sent by e-mail. */
export function trackLink(publicUrl: string, ref: string, token: string): string {
  return `${publicUrl.replace(/\/$/, '')}/track/link?ref=${encodeURIComponent(ref)}&key=${encodeURIComponent(token)}`;
}

async function findByIdempotencyKey(key: string) {
  const [row] = await getDb().select({ id: cases.id, ref: cases.ref }).from(cases).where(eq(cases.idempotencyKey, key));
  return row;
}

/** What createCase needs besides the case: extra statements (e.g. marking a draft sent) join the same commit. */
export interface CaseContext {
  config: SiteConfig;
  actor: Actor;
  publicUrl: string;
  extra?: (c: { id: string; ref: string; trackSecret?: string }) => InStatement[];
}

/**
 * Create a case in one atomic write. Behind a gate (a rate limit: src/platform/db/writer.ts), the gate's statements
 * run first in the same commit and the case is stored only if the gate allows it; null when it did not.
 */
export async function createCase(input: NewCase, ctx: CaseContext & { gate: WriteGate }, now?: number): Promise<CreatedCase | null>;
export async function createCase(input: NewCase, ctx: CaseContext, now?: number): Promise<CreatedCase>;
export async function createCase(input: NewCase, ctx: CaseContext & { gate?: WriteGate }, now = Date.now()): Promise<CreatedCase | null> {
  // No read first: the unique index on idempotency_key catches a repeat, and the repeat is answered below.
  const { config } = ctx;
  const category = config.categories.find((c) => c.id === input.categoryId);
  const ward = config.areas.find((a) => a.id === input.wardId && a.kind === 'ward');
  const priority = input.priority ?? category?.defaultPriority ?? 'P4';
  const timers = input.kind === 'report' ? startTimers(now, priority, config.targets) : null;
  const joinTarget = input.joinCaseId ? await findJoinTarget(input.joinCaseId) : null;
  for (let attempt = 0; attempt < 5; attempt++) {
    const id = newId(now);
    const ref = generateReference(config.partnership.referencePrefix);
    const anonymous = input.privacy === 'anonymous';
    const email = !anonymous ? input.reporter?.email || null : null;
    // A tracking code for whoever will get no private link by e-mail: anonymous reporters, and web reporters who gave no address.
    const trackSecret = anonymous || (!email && input.channel === 'web') ? newTrackSecret() : undefined;
    const linkToken = email ? newSecret(20) : undefined;
    const stmts: InStatement[] = [];
    let reporterId: string | null = null;
    if (!anonymous && input.reporter && (input.reporter.email || input.reporter.phoneE164 || input.reporter.name)) {
      reporterId = newId(now);
      stmts.push(
        insertRow(reporters, {
            id: reporterId,
            name: input.reporter.name || null,
            email: input.reporter.email || null,
            phoneE164: input.reporter.phoneE164 || null,
            preferredContact: input.reporter.preferredContact || null,
            createdAt: now,
          }),
      );
    }
    stmts.push(
      insertRow(cases, {
          id,
          ref,
          kind: input.kind,
          status: 'new',
          statusChangedAt: now,
          channel: input.channel,
          categoryId: input.categoryId ?? null,
          feedbackType: input.feedbackType ?? null,
          priority: input.kind === 'report' ? priority : null,
          riskAnswers: input.riskAnswers ?? null,
          privacy: input.privacy,
          consentShare: input.privacy === 'named' ? true : input.privacy === 'anonymous' ? null : (input.consentShare ?? false),
          reporterId,
          description: input.description,
          whenKind: input.whenKind ?? null,
          happenedAt: input.happenedAt ?? null,
          whenText: input.whenText ?? null,
          locationText: input.locationText ?? null,
          postcode: input.postcode || null,
          wardId: ward?.id ?? null,
          districtId: ward?.parent ?? null,
          lat: input.lat ?? null,
          lon: input.lon ?? null,
          locationSource: input.lat != null && input.lon != null ? (input.locationSource ?? null) : null,
          peopleInvolved: input.peopleInvolved || null,
          whoAffected: input.whoAffected ?? null,
          happenedBefore: input.happenedBefore ?? null,
          timers: timers as Record<string, unknown> | null,
          nextDueAt: timers ? nextDue(timers) : null,
          trackSecretHash: trackSecret ? hashSecret(trackSecret) : null,
          linkTokenHash: linkToken ? hashSecret(linkToken) : null,
          idempotencyKey: input.idempotencyKey ?? null,
          createdBy: input.createdBy ?? null,
          language: input.language ?? 'en',
          receivedAt: now,
          updatedAt: now,
        }),
    );
    stmts.push(...countChangeStatements(null, { receivedAt: now, kind: input.kind, channel: input.channel, categoryId: input.categoryId ?? null, districtId: ward?.parent ?? null, wardId: ward?.id ?? null, status: 'new', timers, priority: input.kind === 'report' ? priority : null }));
    for (const p of input.photos ?? []) {
      stmts.push(insertRow(attachments, { id: newId(now), caseId: id, storageKey: p.key, mime: p.mime, bytes: p.bytes, width: p.width, height: p.height, sha256: p.sha256, createdAt: now }));
    }
    stmts.push(
      insertRow(caseEvents, {
          id: newId(now),
          caseId: id,
          at: now,
          actorKind: ctx.actor.kind,
          actorId: ctx.actor.id ?? null,
          action: 'case.created',
          visibility: 'internal',
          body: null,
          data: { channel: input.channel, photos: (input.photos ?? []).length },
        }),
    );
    if (joinTarget) stmts.push(...joinStatements(joinTarget, { id, ref }, incidentTitle(input.categoryId, input.wardId, config), now));
    stmts.push(auditStatement(ctx.actor, 'case.created', { kind: 'case', id }, { ref, channel: input.channel }, now));
    if (email) {
      stmts.push(
        enqueueEmail(
          'case-received',
          email,
          {
            ref, partnership: config.partnership.name, kind: input.kind === 'feedback' ? (input.feedbackType ?? 'feedback') : 'report',
            promise: acknowledgementPromise(input.kind, input.feedbackType, config.targets.publicPromise, input.language), trackUrl: trackLink(ctx.publicUrl, ref, linkToken!),
            lang: input.language ?? 'en',
          },
          now,
        ),
      );
    }
    if (ctx.extra) stmts.push(...ctx.extra({ id, ref, trackSecret }));
    // The record of the flag refreshes this process owes, when it is not in the database yet, in the case's commit.
    const debt = flagDebtStatements(now);
    stmts.push(...debt.statements);
    let stored = false;
    try {
      const { writer } = getDatabase();
      if (ctx.gate) {
        if (!(await writer.gatedBatch(ctx.gate, stmts))) return null;
      } else await writer.batch(stmts);
      stored = true;
      scheduleFlagRefresh(id, undefined, now);
      if (joinTarget) scheduleFlagRefresh(joinTarget.id);
      return { id, ref, existing: false, trackSecret, linkToken };
    } catch (error) {
      const message = String((error as Error)?.message ?? error);
      if (input.idempotencyKey && /UNIQUE.*idempotency/i.test(message)) {
        const found = await findByIdempotencyKey(input.idempotencyKey);
        if (found) return { ...found, existing: true };
      }
      if (/UNIQUE.*cases\.ref/i.test(message)) continue; // a reference collision: draw another
      throw error;
    } finally {
      flagDebtWritten(debt, stored);
    }
  }
  throw new Error('could not allocate a unique reference');
}
