/**
 * A consultation's life: a draft the editor builds, then published with dates (forthcoming, open, closed), then
 * its results published with "we asked, you said, we did". The public state follows the clock; nothing is stored
 * when a consultation opens or closes.
 */
import { and, asc, desc, eq, like, or } from 'drizzle-orm';
import { auditStatement, type Actor } from '../../platform/audit.ts';
import { getDb, toStatement, write } from '../../platform/db/client.ts';
import { consultations } from '../../platform/db/schema.ts';
import { newId } from '../../platform/security/ids.ts';
import { readSurvey, type SurveyQuestion } from './survey.ts';

/** A consultation row. */
export type Consultation = typeof consultations.$inferSelect;

/** Where a consultation is in its life. */
export type ConsultationState = 'draft' | 'forthcoming' | 'open' | 'closed' | 'results';

/** Words for each state. */
export const STATE_LABELS: Record<ConsultationState, string> = {
  draft: 'Draft', forthcoming: 'Forthcoming', open: 'Open', closed: 'Closed', results: 'Results published',
};

/** Topics a consultation can be about. */
export const TOPICS = [
  { value: 'anti-social-behaviour', label: 'Anti-social behaviour' },
  { value: 'feeling-safe', label: 'Feeling safe' },
  { value: 'streets-and-spaces', label: 'Streets and public spaces' },
  { value: 'young-people', label: 'Young people' },
  { value: 'roads', label: 'Roads and speeding' },
  { value: 'priorities', label: 'Partnership priorities' },
] as const;

/** Words for a topic value. */
export function topicLabel(value: string): string {
  return TOPICS.find((t) => t.value === value)?.label ?? value;
}

/** The state of a consultation at a moment. */
export function stateOf(c: Pick<Consultation, 'status' | 'opensAt' | 'closesAt' | 'resultsPublishedAt'>, now: number): ConsultationState {
  if (c.status === 'draft' || c.opensAt === null || c.closesAt === null) return 'draft';
  if (c.resultsPublishedAt !== null && c.resultsPublishedAt <= now) return 'results';
  if (now < c.opensAt) return 'forthcoming';
  if (now < c.closesAt) return 'open';
  return 'closed';
}

/** A slug from a title: lower case words joined by hyphens. */
export function slugFromTitle(title: string): string {
  return title.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'consultation';
}

/** What an editor sets about a consultation. */
export interface ConsultationDetails {
  title: string;
  summary: string;
  topic: string;
  areaId: string | null;
  opensAt: number | null;
  closesAt: number | null;
  onePerEmail: boolean;
  aboutYou: boolean;
}

/** One consultation by id. */
export async function findConsultation(id: string): Promise<Consultation | undefined> {
  const [row] = await getDb().select().from(consultations).where(eq(consultations.id, id));
  return row;
}

/** One consultation by its public slug. */
export async function findConsultationBySlug(slug: string): Promise<Consultation | undefined> {
  const [row] = await getDb().select().from(consultations).where(eq(consultations.slug, slug));
  return row;
}

/** The survey of a consultation. */
export function surveyOf(c: Pick<Consultation, 'questions'>): SurveyQuestion[] {
  return readSurvey(c.questions);
}

/** Create a draft consultation; the slug is made unique with a number when needed. */
export async function createConsultation(details: ConsultationDetails, actor: Actor, now = Date.now()): Promise<Consultation> {
  const base = slugFromTitle(details.title);
  let slug = base;
  for (let n = 2; await findConsultationBySlug(slug); n++) slug = `${base}-${n}`;
  const id = newId(now);
  await write([
    toStatement(getDb().insert(consultations).values({ id, slug, ...details, status: 'draft', questions: [], createdAt: now, updatedAt: now })),
    auditStatement(actor, 'consultation.created', { kind: 'consultation', id }, { title: details.title }, now),
  ]);
  return (await findConsultation(id))!;
}

/** Change a consultation's details. */
export async function updateConsultation(id: string, details: ConsultationDetails, actor: Actor, now = Date.now()): Promise<void> {
  await write([
    toStatement(getDb().update(consultations).set({ ...details, updatedAt: now }).where(eq(consultations.id, id))),
    auditStatement(actor, 'consultation.updated', { kind: 'consultation', id }, {}, now),
  ]);
}

/**
 * Why new dates cannot be saved on a consultation that is not a draft, or null: they would take it back to draft or
 * close it without the confirming step those have ("Take back to draft", "Close now").
 */
export function datesChangeProblem(c: Pick<Consultation, 'status' | 'opensAt' | 'closesAt' | 'resultsPublishedAt'>, dates: { opensAt: number | null; closesAt: number | null }, now: number): { field: 'opens' | 'closes'; message: string } | null {
  const state = stateOf(c, now);
  if (state === 'draft') return null;
  if (dates.opensAt === null) return { field: 'opens', message: 'Enter the opening date: a published consultation keeps its dates (to take it off the site, use "Take back to draft")' };
  if (dates.closesAt === null) return { field: 'closes', message: 'Enter the closing date: a published consultation keeps its dates (to take it off the site, use "Take back to draft")' };
  if (state === 'open' && dates.closesAt <= now) return { field: 'closes', message: 'The closing date must be in the future while the consultation is open (to close it now, use "Close now")' };
  return null;
}

/** Replace the survey. */
export async function saveSurvey(id: string, survey: readonly SurveyQuestion[], actor: Actor, now = Date.now()): Promise<void> {
  await write([
    toStatement(getDb().update(consultations).set({ questions: [...survey], updatedAt: now }).where(eq(consultations.id, id))),
    auditStatement(actor, 'consultation.survey_changed', { kind: 'consultation', id }, { questions: survey.length }, now),
  ]);
}

/** Why a consultation cannot be published, or null when it can. */
export function publishProblem(c: Consultation): string | null {
  if (c.opensAt === null || c.closesAt === null) return 'Enter the dates the consultation opens and closes before publishing it';
  if (c.closesAt <= c.opensAt) return 'The closing date must be after the opening date';
  if (surveyOf(c).length === 0) return 'Add at least one question before publishing';
  return null;
}

/** Publish (or take back to draft). */
export async function setPublished(id: string, published: boolean, actor: Actor, now = Date.now()): Promise<void> {
  await write([
    toStatement(getDb().update(consultations).set({ status: published ? 'published' : 'draft', updatedAt: now }).where(eq(consultations.id, id))),
    auditStatement(actor, published ? 'consultation.published' : 'consultation.unpublished', { kind: 'consultation', id }, {}, now),
  ]);
}

/** Close now: the closing date becomes now. */
export async function closeNow(id: string, actor: Actor, now = Date.now()): Promise<void> {
  await write([
    toStatement(getDb().update(consultations).set({ closesAt: now, updatedAt: now }).where(eq(consultations.id, id))),
    auditStatement(actor, 'consultation.closed', { kind: 'consultation', id }, {}, now),
  ]);
}

/** What a published "we asked, you said, we did" says. */
export interface Outcome {
  youSaid: string;
  weDid: string;
  links: { title: string; url: string }[];
}

/** Publish the results with "you said" and "we did" (links to the actions that followed). */
export async function publishResults(id: string, outcome: Outcome, actor: Actor, now = Date.now()): Promise<void> {
  await write([
    toStatement(getDb().update(consultations).set({ youSaid: outcome.youSaid, weDid: outcome.weDid, weDidLinks: outcome.links, resultsPublishedAt: now, updatedAt: now }).where(eq(consultations.id, id))),
    auditStatement(actor, 'consultation.results_published', { kind: 'consultation', id }, { links: outcome.links.length }, now),
  ]);
}

/** Every consultation, newest first (staff list). */
export async function listAllConsultations(): Promise<Consultation[]> {
  return getDb().select().from(consultations).orderBy(desc(consultations.createdAt));
}

/** Filters of the public finder. */
export interface FinderFilter {
  state?: ConsultationState | '';
  areaId?: string;
  topic?: string;
  search?: string;
}

/** Published consultations matching the finder's filters, open first then forthcoming, closed, results. */
export async function findConsultations(filter: FinderFilter, now = Date.now()): Promise<(Consultation & { state: ConsultationState })[]> {
  const words = (filter.search ?? '').trim().slice(0, 100).replace(/[%_]/g, '');
  const conditions = [eq(consultations.status, 'published')];
  if (filter.areaId) conditions.push(eq(consultations.areaId, filter.areaId));
  if (filter.topic) conditions.push(eq(consultations.topic, filter.topic));
  if (words) conditions.push(or(like(consultations.title, `%${words}%`), like(consultations.summary, `%${words}%`))!);
  const rows = await getDb().select().from(consultations).where(and(...conditions)).orderBy(asc(consultations.closesAt));
  const order: ConsultationState[] = ['open', 'forthcoming', 'closed', 'results'];
  return rows
    .map((c) => ({ ...c, state: stateOf(c, now) }))
    .filter((c) => c.state !== 'draft' && (!filter.state || c.state === filter.state))
    .sort((a, b) => order.indexOf(a.state) - order.indexOf(b.state));
}

/** Published consultations about an area (for the area pages publishing builds). */
export async function listConsultationsForArea(areaId: string, now = Date.now()): Promise<(Consultation & { state: ConsultationState })[]> {
  return findConsultations({ areaId }, now);
}
