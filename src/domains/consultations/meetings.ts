/**
 * Public meetings of a consultation: places up to the capacity, then a waiting list in the order people
 * registered. Giving up a place promotes the first person waiting in the same write, and tells them by e-mail.
 * Calendar files come from ical-generator; reminders go the day before (a leased job calls sendMeetingReminders).
 */
import { timingSafeEqual } from 'node:crypto';
import { and, asc, eq, gt, inArray, isNull, lt, lte, sql } from 'drizzle-orm';
import type { InStatement } from '@libsql/client';
import ical from 'ical-generator';
import { auditStatement, type Actor } from '../../platform/audit.ts';
import { getDatabase, getDb, toStatement, write } from '../../platform/db/client.ts';
import type { TransactionDb } from '../../platform/db/writer.ts';
import { consultationMeetings, consultations, meetingRegistrations } from '../../platform/db/schema.ts';
import { enqueueEmail } from '../../platform/mail/outbox.ts';
import { newId } from '../../platform/security/ids.ts';
import { translateOr } from '../../platform/i18n/index.ts';
import { keyedHash } from '../../platform/security/signing.ts';
import { formatDateTimeLong, formatTime } from '../../platform/time/london.ts';

/** A meeting row. */
export type Meeting = typeof consultationMeetings.$inferSelect;

/** What an editor sets about a meeting. */
export type MeetingDetails = Pick<Meeting, 'title' | 'startsAt' | 'endsAt' | 'place' | 'areaId' | 'stepFree' | 'hearingLoop' | 'accessNotes' | 'capacity'>;

/** Links in meeting e-mails. */
export interface MeetingLinks {
  baseUrl: string;
  partnership: string;
}

/** The secret of a registration's "give up your place" link: a keyed hash of its id, so every e-mail carries the same working link. */
function cancelSecretOf(registrationId: string): string {
  return keyedHash(`meeting-cancel:${registrationId}`);
}

/** The "give up your place" link of a registration. */
function cancelUrl(links: MeetingLinks, meetingId: string, registrationId: string): string {
  return `${links.baseUrl}/meetings/${meetingId}/cancel?token=${encodeURIComponent(`${registrationId}.${cancelSecretOf(registrationId)}`)}`;
}

/** Access information in words (in a language: `meetings.access.*` keys): step-free, hearing loop and the editor's notes (as written). */
export function accessWords(m: Pick<Meeting, 'stepFree' | 'hearingLoop' | 'accessNotes'>, lang = 'en'): string {
  const stepFree = m.stepFree ? translateOr(lang, 'meetings.access.stepFree', 'Step-free access.') : translateOr(lang, 'meetings.access.noStepFree', 'No step-free access.');
  const loop = m.hearingLoop ? translateOr(lang, 'meetings.access.loop', 'Hearing loop.') : translateOr(lang, 'meetings.access.noLoop', 'No hearing loop.');
  return [stepFree, loop, m.accessNotes].filter(Boolean).join(' ');
}

/** When a meeting is, in words (in a language: its month and `meetings.to`). */
export function meetingWhen(m: Pick<Meeting, 'startsAt' | 'endsAt'>, lang = 'en'): string {
  return `${formatDateTimeLong(m.startsAt, lang)} ${translateOr(lang, 'meetings.to', 'to')} ${formatTime(m.endsAt)}`;
}

/** Add a meeting to a consultation. */
export async function addMeeting(consultationId: string, details: MeetingDetails, actor: Actor, now = Date.now()): Promise<string> {
  const id = newId(now);
  await write([
    toStatement(getDb().insert(consultationMeetings).values({ id, consultationId, ...details, createdAt: now })),
    auditStatement(actor, 'consultation.meeting_added', { kind: 'consultation', id: consultationId }, { meetingId: id }, now),
  ]);
  return id;
}

/** Publish notes and outcomes after a meeting. */
export async function saveMeetingNotes(meetingId: string, notes: string, actor: Actor, now = Date.now()): Promise<void> {
  await write([
    toStatement(getDb().update(consultationMeetings).set({ notes }).where(eq(consultationMeetings.id, meetingId))),
    auditStatement(actor, 'consultation.meeting_notes', { kind: 'meeting', id: meetingId }, {}, now),
  ]);
}

/** One meeting. */
export async function findMeeting(id: string): Promise<Meeting | undefined> {
  const [row] = await getDb().select().from(consultationMeetings).where(eq(consultationMeetings.id, id));
  return row;
}

/** The meetings of a consultation, soonest first, with places booked and people waiting. */
export async function listMeetings(consultationId: string) {
  const rows = await getDb().select().from(consultationMeetings).where(eq(consultationMeetings.consultationId, consultationId)).orderBy(asc(consultationMeetings.startsAt));
  return Promise.all(rows.map(async (m) => ({ ...m, ...(await placesOf(m.id)) })));
}

/** Published consultations' meetings in an area from a moment on (for the area pages publishing builds). */
export async function listMeetingsForArea(areaId: string, from = Date.now()): Promise<Meeting[]> {
  return getDb().select({ m: consultationMeetings }).from(consultationMeetings).innerJoin(consultations, eq(consultations.id, consultationMeetings.consultationId))
    .where(and(eq(consultations.status, 'published'), eq(consultationMeetings.areaId, areaId), gt(consultationMeetings.endsAt, from))).orderBy(asc(consultationMeetings.startsAt))
    .then((rows) => rows.map((r) => r.m));
}

/** Every upcoming public meeting (of a published consultation), soonest first: the public calendar feed. */
export async function listUpcomingMeetings(from = Date.now()): Promise<Meeting[]> {
  return getDb().select({ m: consultationMeetings }).from(consultationMeetings).innerJoin(consultations, eq(consultations.id, consultationMeetings.consultationId))
    .where(and(eq(consultations.status, 'published'), gt(consultationMeetings.endsAt, from))).orderBy(asc(consultationMeetings.startsAt))
    .then((rows) => rows.map((r) => r.m));
}

/** Places booked and people waiting for a meeting. */
export async function placesOf(meetingId: string): Promise<{ booked: number; waiting: number }> {
  const rows = await getDb().select({ state: meetingRegistrations.state, n: sql<number>`count(*)` }).from(meetingRegistrations).where(eq(meetingRegistrations.meetingId, meetingId)).groupBy(meetingRegistrations.state);
  return { booked: Number(rows.find((r) => r.state === 'booked')?.n ?? 0), waiting: Number(rows.find((r) => r.state === 'waiting')?.n ?? 0) };
}

/** The e-mail telling someone about their place (booked, waiting or promoted). */
function placeEmail(m: Meeting, state: 'booked' | 'waiting' | 'promoted', email: string, registrationId: string, links: MeetingLinks, now: number): InStatement {
  return enqueueEmail('meeting-place', email, {
    state, title: m.title, when: meetingWhen(m), place: m.place, access: accessWords(m), partnership: links.partnership,
    cancelUrl: cancelUrl(links, m.id, registrationId),
    calendarUrl: `${links.baseUrl}/meetings/${m.id}/calendar.ics`,
  }, now);
}

/** What registering gives. */
export type Registered = { ok: true; state: 'booked' | 'waiting'; /** The address was registered already: nothing changed, and it was told by e-mail. */ repeat?: boolean } | { ok: false; field: string; message: string };

/**
 * Register for a meeting: a place while there are places, else the waiting list; one registration per address (a
 * second from a registered address changes nothing and is answered as a first, the address told by e-mail).
 */
export async function registerForMeeting(meetingId: string, person: { name: string; email: string; accessNeeds?: string }, links: MeetingLinks, now = Date.now()): Promise<Registered> {
  return getDatabase().writer.transaction(async (tx) => {
    const [m] = await tx.db.select().from(consultationMeetings).where(eq(consultationMeetings.id, meetingId));
    if (!m) return { ok: false as const, field: 'form', message: 'There is no such meeting' };
    if (m.startsAt <= now) return { ok: false as const, field: 'form', message: 'This meeting has started, so registration has closed' };
    const email = person.email.toLowerCase();
    const [already] = await tx.db.select().from(meetingRegistrations).where(and(eq(meetingRegistrations.meetingId, meetingId), eq(meetingRegistrations.email, email)));
    const [{ n }] = (await tx.db.select({ n: sql<number>`count(*)` }).from(meetingRegistrations).where(and(eq(meetingRegistrations.meetingId, meetingId), eq(meetingRegistrations.state, 'booked')))) as [{ n: number }];
    const state = Number(n) < m.capacity ? 'booked' : 'waiting';
    if (already && already.state !== 'cancelled') {
      // Answered as a new registration would be, with nothing changed, and the address told by e-mail of the place it
      // holds: whether an address is registered is for its owner to know, not for whoever typed it in.
      await tx.batch([enqueueEmail('meeting-already', email, {
        state: already.state, title: m.title, when: meetingWhen(m), place: m.place, partnership: links.partnership, cancelUrl: cancelUrl(links, m.id, already.id),
      }, now)]);
      return { ok: true as const, state, repeat: true };
    }
    const id = newId(now);
    const stmts: InStatement[] = [];
    if (already) stmts.push(toStatement(tx.db.delete(meetingRegistrations).where(eq(meetingRegistrations.id, already.id))));
    stmts.push(toStatement(tx.db.insert(meetingRegistrations).values({ id, meetingId, name: person.name, email, accessNeeds: person.accessNeeds ?? '', state, createdAt: now })));
    stmts.push(placeEmail(m, state, email, id, links, now));
    await tx.batch(stmts);
    return { ok: true as const, state };
  });
}

/** One registrant as organisers see them; position is the place on the waiting list (null unless waiting). */
export interface Registrant {
  id: string;
  name: string;
  email: string;
  accessNeeds: string;
  state: 'booked' | 'waiting' | 'cancelled';
  position: number | null;
  registeredAt: number;
}

/** Everyone who registered for a meeting: booked, then waiting in list order, then cancelled; each in order of registering. */
export async function listRegistrants(meetingId: string): Promise<Registrant[]> {
  const rows = await getDb().select().from(meetingRegistrations).where(eq(meetingRegistrations.meetingId, meetingId)).orderBy(asc(meetingRegistrations.createdAt), asc(meetingRegistrations.id));
  const order = { booked: 0, waiting: 1, cancelled: 2 } as const;
  let waiting = 0;
  return rows
    .map((r) => ({ id: r.id, name: r.name, email: r.email, accessNeeds: r.accessNeeds, state: r.state, position: r.state === 'waiting' ? ++waiting : null, registeredAt: r.createdAt }))
    .sort((a, b) => order[a.state] - order[b.state]);
}

/** Record that staff looked at or downloaded a meeting's registrants (names and access needs are personal data). */
export async function auditRegistrants(meetingId: string, actor: Actor, what: 'viewed' | 'exported', detail: Record<string, unknown>, now = Date.now()): Promise<void> {
  await write([auditStatement(actor, `consultation.registrants_${what}`, { kind: 'meeting', id: meetingId }, detail, now)]);
}

/** Fill free places from the waiting list, first come first served, e-mailing each person promoted. */
async function promoteWaiting(m: Meeting, tx: { db: TransactionDb }, links: MeetingLinks, now: number, freed: number): Promise<InStatement[]> {
  if (freed <= 0) return [];
  const waiting = await tx.db.select().from(meetingRegistrations).where(and(eq(meetingRegistrations.meetingId, m.id), eq(meetingRegistrations.state, 'waiting'))).orderBy(asc(meetingRegistrations.createdAt), asc(meetingRegistrations.id)).limit(freed);
  return waiting.flatMap((w) => [
    toStatement(tx.db.update(meetingRegistrations).set({ state: 'booked' }).where(eq(meetingRegistrations.id, w.id))),
    placeEmail(m, 'promoted', w.email, w.id, links, now),
  ]);
}

/** Give up a place (or leave the waiting list) from the e-mailed link; a freed place goes to the first waiting. */
export async function cancelRegistration(meetingId: string, token: string, links: MeetingLinks, now = Date.now()): Promise<boolean> {
  const [id, secret] = token.split('.');
  if (!id || !secret || id.length > 40) return false;
  return getDatabase().writer.transaction(async (tx) => {
    const [r] = await tx.db.select().from(meetingRegistrations).where(and(eq(meetingRegistrations.id, id), eq(meetingRegistrations.meetingId, meetingId)));
    if (!r) return false;
    const a = Buffer.from(secret);
    const b = Buffer.from(cancelSecretOf(r.id));
    if (a.length !== b.length || !timingSafeEqual(a, b)) return false;
    if (r.state === 'cancelled') return true;
    const [m] = await tx.db.select().from(consultationMeetings).where(eq(consultationMeetings.id, meetingId));
    const stmts = [toStatement(tx.db.update(meetingRegistrations).set({ state: 'cancelled' }).where(eq(meetingRegistrations.id, id)))];
    if (r.state === 'booked' && m && m.startsAt > now) {
      const [{ n }] = (await tx.db.select({ n: sql<number>`count(*)` }).from(meetingRegistrations).where(and(eq(meetingRegistrations.meetingId, meetingId), eq(meetingRegistrations.state, 'booked')))) as [{ n: number }];
      stmts.push(...(await promoteWaiting(m, tx, links, now, m.capacity - (Number(n) - 1))));
    }
    await tx.batch(stmts);
    return true;
  });
}

/** E-mail a reminder to everyone booked for a meeting starting within the next day (each person once). */
export async function sendMeetingReminders(links: MeetingLinks, now = Date.now()): Promise<number> {
  const soon = await getDb().select().from(consultationMeetings).where(and(gt(consultationMeetings.startsAt, now), lte(consultationMeetings.startsAt, now + 24 * 3_600_000)));
  if (!soon.length) return 0;
  const due = await getDb().select().from(meetingRegistrations).where(and(inArray(meetingRegistrations.meetingId, soon.map((m) => m.id)), eq(meetingRegistrations.state, 'booked'), isNull(meetingRegistrations.remindedAt)));
  const stmts = due.flatMap((r) => {
    const m = soon.find((x) => x.id === r.meetingId)!;
    return [
      toStatement(getDb().update(meetingRegistrations).set({ remindedAt: now }).where(eq(meetingRegistrations.id, r.id))),
      enqueueEmail('meeting-reminder', r.email, { title: m.title, when: meetingWhen(m), place: m.place, access: accessWords(m), partnership: links.partnership, cancelUrl: cancelUrl(links, m.id, r.id) }, now),
    ];
  });
  if (stmts.length) await write(stmts);
  return due.length;
}

/** A calendar file (iCalendar) for one meeting. */
export function meetingCalendar(m: Meeting, links: MeetingLinks): string {
  const cal = ical({ name: links.partnership, prodId: { company: links.partnership, product: 'Saferline' } });
  cal.createEvent({
    id: `${m.id}@saferline`, start: new Date(m.startsAt), end: new Date(m.endsAt), summary: m.title, location: m.place,
    description: [accessWords(m), `${links.baseUrl}/meetings/${m.id}`].join('\n'), url: `${links.baseUrl}/meetings/${m.id}`,
  });
  return cal.toString();
}

/** A calendar file of several meetings (for the area pages publishing builds). */
export function meetingsCalendar(meetings: readonly Meeting[], links: MeetingLinks): string {
  const cal = ical({ name: `${links.partnership}: public meetings`, prodId: { company: links.partnership, product: 'Saferline' } });
  for (const m of meetings) cal.createEvent({ id: `${m.id}@saferline`, start: new Date(m.startsAt), end: new Date(m.endsAt), summary: m.title, location: m.place, description: accessWords(m), url: `${links.baseUrl}/meetings/${m.id}` });
  return cal.toString();
}

/** Remove registrations (names and addresses) of meetings that ended more than `afterMs` ago (housekeeping). */
export async function purgeMeetingRegistrations(afterMs: number, now = Date.now()): Promise<void> {
  const ended = getDb().select({ id: consultationMeetings.id }).from(consultationMeetings).where(lt(consultationMeetings.endsAt, now - afterMs));
  await write([toStatement(getDb().delete(meetingRegistrations).where(inArray(meetingRegistrations.meetingId, ended)))]);
}
