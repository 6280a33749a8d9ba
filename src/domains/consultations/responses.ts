/**
 * Responding to a consultation: answers are kept in a draft, one section at a time; the respondent can e-mail
 * themselves a link to carry on; the response is one atomic write of the answers and, apart and unlinked, the
 * optional "about you" answers. Staff key in paper, phone and meeting responses through the same questions.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { and, eq, gt, inArray, lt, notInArray, sql } from 'drizzle-orm';
import type { InStatement } from '@libsql/client';
import { auditStatement, type Actor } from '../../platform/audit.ts';
import { getDatabase, getDb, toStatement, write } from '../../platform/db/client.ts';
import { consultationDrafts, consultationResponses, consultations } from '../../platform/db/schema.ts';
import { enqueueEmail } from '../../platform/mail/outbox.ts';
import { isShown, shownQuestions, type Answers, type Question } from '../../platform/questions/index.ts';
import { newId, newSecret } from '../../platform/security/ids.ts';
import { keyedHash } from '../../platform/security/signing.ts';
import type { Consultation } from './lifecycle.ts';
import { engineQuestions, surveySections, sectionQuestions, type SurveyQuestion, type WardOptions } from './survey.ts';

/** How a response reached the partnership. */
export const CHANNELS = [
  { value: 'online', label: 'Online' },
  { value: 'paper', label: 'Paper form' },
  { value: 'phone', label: 'Phone' },
  { value: 'meeting', label: 'At a meeting' },
] as const;

/** One channel. */
export type Channel = (typeof CHANNELS)[number]['value'];

/** A draft response row. */
export type ConsultationDraft = typeof consultationDrafts.$inferSelect;

/** SHA-256 of a secret, hex. */
function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** True when a secret matches a stored hash (constant time). */
function secretMatches(secret: string, hash: string): boolean {
  const a = Buffer.from(hashSecret(secret));
  const b = Buffer.from(hash);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Start a draft response: its token ("id.secret") goes in the respondent's cookie. */
export async function startDraft(consultationId: string, now = Date.now()): Promise<{ draft: ConsultationDraft; token: string }> {
  const id = newId(now);
  const secret = newSecret();
  await write([toStatement(getDb().insert(consultationDrafts).values({ id, consultationId, answers: {}, secretHash: hashSecret(secret), section: 0, createdAt: now, updatedAt: now }))]);
  const [draft] = await getDb().select().from(consultationDrafts).where(eq(consultationDrafts.id, id));
  return { draft: draft!, token: `${id}.${secret}` };
}

/** The draft a token opens, for this consultation, or null. */
export async function openDraft(consultationId: string, token: string | undefined | null): Promise<ConsultationDraft | null> {
  const [id, secret] = (token ?? '').split('.');
  if (!id || !secret || id.length > 40 || secret.length > 80) return null;
  const [draft] = await getDb().select().from(consultationDrafts).where(and(eq(consultationDrafts.id, id), eq(consultationDrafts.consultationId, consultationId)));
  return draft && secretMatches(secret, draft.secretHash) ? draft : null;
}

/** True when the engine question must be answered. */
export function isRequired(q: Question): boolean {
  return q.type === 'date' ? !q.optional : !!q.required;
}

/** Only the answers to questions still asked (an earlier answer may have hidden a later question). */
export function keepShownAnswers(questions: readonly Question[], answers: Readonly<Answers>): Answers {
  const kept: Answers = {};
  for (const q of questions) if (answers[q.key] !== undefined && isShown(q, kept)) kept[q.key] = answers[q.key];
  return kept;
}

/** The sections with at least one question shown, given the answers so far. */
export function shownSections(survey: readonly SurveyQuestion[], answers: Readonly<Answers>, wards: WardOptions): number[] {
  return surveySections(survey).filter((s) => shownQuestions(sectionQuestions(survey, s, wards), answers).length > 0);
}

/** The first section with a required question shown but not answered, or null when all are answered. */
export function firstIncompleteSection(survey: readonly SurveyQuestion[], answers: Readonly<Answers>, wards: WardOptions): number | null {
  for (const q of shownQuestions(engineQuestions(survey, wards), answers)) {
    const given = answers[q.key];
    if (given === undefined ? isRequired(q) : !answerFits(q, given)) return Number(q.page);
  }
  return null;
}

/**
 * Whether a stored answer still fits its question: the questions of a draft consultation can change between a
 * resident's pages (an option taken out, a shorter limit), and an answer given before must then be given again.
 */
export function answerFits(q: Question, value: unknown): boolean {
  const offered = (v: unknown) => 'options' in q && q.options.some((o) => o.value === v);
  switch (q.type) {
    case 'choice': return offered(value);
    case 'multiple': return Array.isArray(value) && value.every(offered);
    case 'rating': return typeof value === 'string' && /^\d{1,2}$/.test(value) && Number(value) >= 1 && Number(value) <= q.points;
    case 'ranking': return Array.isArray(value) && value.length === q.options.length && new Set(value).size === value.length && value.every(offered);
    case 'text': return typeof value === 'string' && value.length <= q.max;
    default: return true;
  }
}

/**
 * Where a change made from check answers goes next: the first later section holding a question the change newly
 * shows, else the first section with a required question unanswered; null when it can go back to check answers.
 */
export function sectionAfterChange(survey: readonly SurveyQuestion[], section: number, before: Readonly<Answers>, after: Readonly<Answers>, wards: WardOptions): number | null {
  const all = engineQuestions(survey, wards);
  const shownBefore = new Set(shownQuestions(all, before));
  const revealed = shownQuestions(all, after).find((q) => Number(q.page) > section && !shownBefore.has(q));
  return revealed ? Number(revealed.page) : firstIncompleteSection(survey, after, wards);
}

/** Merge one section's answers into the draft and record the section reached. */
export async function saveSection(draft: ConsultationDraft, survey: readonly SurveyQuestion[], section: number, answers: Answers, wards: WardOptions, now = Date.now()): Promise<Answers> {
  const inSection = new Set(sectionQuestions(survey, section, wards).map((q) => q.key));
  const merged: Answers = Object.fromEntries(Object.entries(draft.answers).filter(([k]) => !inSection.has(k)));
  Object.assign(merged, answers);
  const kept = keepShownAnswers(engineQuestions(survey, wards), merged);
  await write([toStatement(getDb().update(consultationDrafts).set({ answers: kept, section: Math.max(draft.section, section), updatedAt: now }).where(eq(consultationDrafts.id, draft.id)))]);
  return kept;
}

/** E-mail a link to carry on: a new secret (the old link stops working); returns the new token for the cookie. */
export async function emailResumeLink(draft: ConsultationDraft, c: Consultation, email: string, link: { baseUrl: string; partnership: string }, now = Date.now()): Promise<string> {
  const secret = newSecret();
  const token = `${draft.id}.${secret}`;
  const url = `${link.baseUrl}/consultations/${c.slug}/resume?token=${encodeURIComponent(token)}`;
  await write([
    toStatement(getDb().update(consultationDrafts).set({ secretHash: hashSecret(secret), updatedAt: now }).where(eq(consultationDrafts.id, draft.id))),
    enqueueEmail('consultation-resume', email, { title: c.title, url, partnership: link.partnership }, now),
  ]);
  return token;
}

/** The optional "about you" answers. */
export interface Profile {
  ageBand?: string;
  wardId?: string;
}

/** How a response is given. */
export interface ResponseInput {
  channel: Channel;
  answers: Answers;
  profile: Profile;
  /** For one-response-per-address consultations: the respondent's address (online only). */
  email?: string;
  draftId?: string;
  /** Staff who keyed it in. */
  enteredBy?: Actor;
}

/** What submitting gives. */
export type Submitted = { ok: true; id: string; pending: boolean; /** The address had responded already: nothing new was stored, and its owner was told by e-mail. */ repeat?: boolean } | { ok: false; field: string; message: string };

/**
 * The statement counting the "about you" answers of a counted response, when any was given: one more in its age band,
 * ward and channel (consultation_profile_counts), so nothing ties the profile to the answers.
 */
function profileStatement(consultationId: string, profile: Profile, channel: string): InStatement | null {
  if (!profile.ageBand && !profile.wardId) return null;
  return {
    sql: 'insert into "consultation_profile_counts" ("consultation_id", "age_band", "ward_id", "channel", "n") values (?, ?, ?, ?, 1) on conflict ("consultation_id", "age_band", "ward_id", "channel") do update set "n" = "n" + 1',
    args: [consultationId, profile.ageBand ?? '', profile.wardId ?? '', channel],
  };
}

/**
 * Store a response in one write: the answers (only those still asked), the unlinked profile, the draft's
 * removal and, for one response per address, the confirmation e-mail. A second response from a confirmed or
 * pending address is not stored: its answer looks the same, and the address is sent a "you have already responded" e-mail.
 */
export async function submitResponse(c: Consultation, survey: readonly SurveyQuestion[], input: ResponseInput, wards: WardOptions, link: { baseUrl: string; partnership: string }, now = Date.now()): Promise<Submitted> {
  const answers = keepShownAnswers(engineQuestions(survey, wards), input.answers);
  const id = newId(now);
  const byEmail = c.onePerEmail && input.channel === 'online';
  if (byEmail && !input.email) return { ok: false, field: 'email', message: 'Enter your e-mail address' };
  return getDatabase().writer.transaction(async (tx) => {
    const stmts: InStatement[] = [];
    let emailHash: string | null = null;
    let secret: string | null = null;
    if (byEmail) {
      emailHash = keyedHash(`${c.id}:${input.email!.toLowerCase()}`);
      const [seen] = await tx.db.select({ id: consultationResponses.id }).from(consultationResponses).where(and(eq(consultationResponses.consultationId, c.id), eq(consultationResponses.emailHash, emailHash)));
      if (seen) {
        // The page answers as for a new response (check your e-mail) and the address's owner is told by e-mail instead:
        // whether an address took part is for its owner to know, not for whoever typed it in (as with area alerts).
        const told: InStatement[] = [enqueueEmail('consultation-already', input.email!, { title: c.title, url: `${link.baseUrl}/consultations/${c.slug}`, partnership: link.partnership }, now)];
        if (input.draftId) told.push(toStatement(getDb().delete(consultationDrafts).where(eq(consultationDrafts.id, input.draftId))));
        await tx.batch(told);
        return { ok: true as const, id: seen.id, pending: true, repeat: true };
      }
      secret = newSecret();
      stmts.push(enqueueEmail('consultation-confirm', input.email!, { title: c.title, url: `${link.baseUrl}/consultations/${c.slug}/confirm?token=${encodeURIComponent(`${id}.${secret}`)}`, partnership: link.partnership }, now));
    }
    // A pending response's profile waits on its row, and is counted (and cleared) only when it is confirmed.
    const given = input.profile.ageBand || input.profile.wardId ? { ageBand: input.profile.ageBand, wardId: input.profile.wardId } : null;
    stmts.unshift(toStatement(getDb().insert(consultationResponses).values({
      id, consultationId: c.id, channel: input.channel, answers, state: byEmail ? 'pending' : 'counted', emailHash, email: byEmail ? input.email! : null,
      confirmSecretHash: secret ? hashSecret(secret) : null, pendingProfile: byEmail ? given : null, enteredBy: input.enteredBy?.id ?? null, submittedAt: now,
    })));
    const profile = byEmail ? null : profileStatement(c.id, input.profile, input.channel);
    if (profile) stmts.push(profile);
    if (input.draftId) stmts.push(toStatement(getDb().delete(consultationDrafts).where(eq(consultationDrafts.id, input.draftId))));
    if (input.enteredBy) stmts.push(auditStatement(input.enteredBy, 'consultation.response_keyed', { kind: 'consultation', id: c.id }, { responseId: id, channel: input.channel }, now));
    await tx.batch(stmts);
    return { ok: true as const, id, pending: byEmail };
  });
}

/** True when a consultation has any response (pending or counted, from any channel): its questions are then fixed. */
export async function hasResponses(consultationId: string): Promise<boolean> {
  const [row] = await getDb().select({ n: sql<number>`count(*)` }).from(consultationResponses).where(eq(consultationResponses.consultationId, consultationId)).limit(1);
  return Number(row?.n ?? 0) > 0;
}

/**
 * Confirm a pending response from its e-mailed link, while the consultation takes responses (`open`): it is counted,
 * its profile counted and cleared, and the address forgotten. True when confirmed (or already, with the right link).
 */
export async function confirmResponse(consultationId: string, token: string, open = true): Promise<boolean> {
  const [id, secret] = token.split('.');
  if (!id || !secret || id.length > 40) return false;
  return getDatabase().writer.transaction(async (tx) => {
    const [row] = await tx.db.select().from(consultationResponses).where(and(eq(consultationResponses.id, id), eq(consultationResponses.consultationId, consultationId)));
    // The secret first, so a wrong link never reads as confirmed (the hash stays after confirming for that).
    if (!row?.confirmSecretHash || !secretMatches(secret, row.confirmSecretHash)) return false;
    if (row.state === 'counted') return true;
    // Once closed, a late confirmation would change the results: the response stays uncounted.
    if (!open) return false;
    const profile = row.pendingProfile ? profileStatement(consultationId, row.pendingProfile, row.channel) : null;
    await tx.batch([toStatement(getDb().update(consultationResponses).set({ state: 'counted', email: null, pendingProfile: null }).where(eq(consultationResponses.id, id))), ...(profile ? [profile] : [])]);
    return true;
  });
}

/**
 * Remove the responses never confirmed of consultations that have closed (housekeeping): they can no longer be
 * confirmed, and each holds an e-mail address and its "about you" answers.
 */
export async function purgeUnconfirmedResponses(now = Date.now()): Promise<void> {
  const closed = getDb().select({ id: consultations.id }).from(consultations).where(lt(consultations.closesAt, now));
  await write([toStatement(getDb().delete(consultationResponses).where(and(eq(consultationResponses.state, 'pending'), inArray(consultationResponses.consultationId, closed))))]);
}

/**
 * Remove drafts untouched for longer than maxAgeMs (housekeeping), except those of a consultation still taking
 * responses: "save and come back later" promises the link works until the consultation closes.
 */
export async function purgeConsultationDrafts(maxAgeMs: number, now = Date.now()): Promise<void> {
  const stillOpen = getDb().select({ id: consultations.id }).from(consultations).where(gt(consultations.closesAt, now));
  await write([toStatement(getDb().delete(consultationDrafts).where(and(lt(consultationDrafts.updatedAt, now - maxAgeMs), notInArray(consultationDrafts.consultationId, stillOpen))))]);
}
