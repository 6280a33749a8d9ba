/**
 * The weekly digest of an area: each confirmed subscription gets at most one e-mail per London week (from Monday
 * 8am), listing what became public for its area (a district's includes its wards) since its previous digest: news
 * (achievements) published, consultations opened, consultation results published, and public meetings coming up
 * in the next 14 days that it has not listed before. Nothing new, no e-mail. The decision for each subscription is
 * read and written in one write transaction with the e-mail queued in the same commit (outbox), so two processes
 * never both send a week's digest.
 */
import { and, eq, ne, or, isNull } from 'drizzle-orm';
import { getDatabase, getDb, toStatement } from '../../platform/db/client.ts';
import { alertSubscriptions } from '../../platform/db/schema.ts';
import { enqueueEmail } from '../../platform/mail/outbox.ts';
import { formatDate, formatDateTime, formatDateTimeLong } from '../../platform/time/london.ts';
import { translateOr } from '../../platform/i18n/index.ts';
import type { Area } from '../../platform/config/partnership.ts';
import type { ScheduledJob } from '../../platform/jobs.ts';
import { areaAndWithin, listPublic, publicPath } from '../publishing/index.ts';
import { findConsultations, listUpcomingMeetings } from '../consultations/index.ts';
import { expireBouncedSubscriptions, purgeAlertMail, purgeUnconfirmed, unsubscribeUrl, type AlertLinks } from './subscriptions.ts';
import { digestWeekOf, isDigestTime } from './week.ts';

const DAY = 86_400_000;

/** How far ahead a digest looks for public meetings. */
export const MEETING_HORIZON_MS = 14 * DAY;

/** How often the digest job looks for subscriptions due this week. */
export const DIGEST_EVERY_MS = 15 * 60_000;

/** How often upkeep runs: unconfirmed subscriptions past 7 days, addresses that bounced, old alert e-mails. */
export const UPKEEP_EVERY_MS = 10 * 60_000;

/** Something public a digest can list, with when it became news and the areas it is about. */
export interface DigestCandidate {
  section: 'news' | 'opened' | 'results' | 'meetings';
  title: string;
  path: string;
  note?: string;
  /** A consultation's closing time (its note is "closes <date>" in the subscriber's language). */
  closesAt?: number;
  /** A meeting's place (its note is its start and place). */
  place?: string;
  areaIds: readonly string[];
  /** When it became public (published, opened, results out); for a meeting, when it was added. */
  at: number;
  /** A meeting's start. */
  startsAt?: number;
}

/** A section of a digest e-mail. */
export interface DigestSection {
  heading: string;
  entries: { title: string; url: string; note?: string }[];
}

const HEADINGS: Record<DigestCandidate['section'], string> = {
  news: 'News',
  opened: 'Consultations now open',
  results: 'Consultation results',
  meetings: 'Public meetings coming up',
};

/** The area of an item about the whole partnership (no area given): every subscription's digest lists it. */
const WHOLE_PARTNERSHIP = '*';

/**
 * The areas a subscription to area `id` hears about: the area and the areas within it (a district's wards), the
 * areas it is within (a ward's district), and the whole partnership.
 */
export function digestAreaIds(areas: readonly Area[], id: string): string[] {
  const out = areaAndWithin(areas, id);
  for (let parent = areas.find((a) => a.id === id)?.parent; parent; parent = areas.find((a) => a.id === parent)?.parent) out.push(parent);
  return [...out, WHOLE_PARTNERSHIP];
}

/** An item's areas for the digest: those it names, or the whole partnership when it names none. */
function itemAreas(ids: readonly string[] | string | null | undefined): string[] {
  const list = typeof ids === 'string' ? [ids] : [...(ids ?? [])];
  return list.length ? list : [WHOLE_PARTNERSHIP];
}

/** Everything public a digest run may list, read once per run. */
export async function loadDigestCandidates(now: number): Promise<DigestCandidate[]> {
  const out: DigestCandidate[] = [];
  for (const a of await listPublic('achievement', now)) {
    out.push({ section: 'news', title: a.data.title, path: publicPath('achievement', a.item.slug), note: a.data.summary, areaIds: itemAreas(a.data.areas), at: a.item.publishAt ?? a.item.updatedAt });
  }
  for (const c of await findConsultations({}, now)) {
    if (c.opensAt !== null && c.state === 'open') out.push({ section: 'opened', title: c.title, path: `/consultations/${c.slug}`, ...(c.closesAt ? { closesAt: c.closesAt } : {}), areaIds: itemAreas(c.areaId), at: c.opensAt });
    if (c.state === 'results' && c.resultsPublishedAt !== null) out.push({ section: 'results', title: c.title, path: `/consultations/${c.slug}`, areaIds: itemAreas(c.areaId), at: c.resultsPublishedAt });
  }
  for (const m of await listUpcomingMeetings(now)) {
    out.push({ section: 'meetings', title: m.title, path: `/meetings/${m.id}`, place: m.place, areaIds: itemAreas(m.areaId), at: m.createdAt, startsAt: m.startsAt });
  }
  return out;
}

/** A candidate's note in a language: a news summary as written, "closes <date>", or a meeting's start and place. */
function noteIn(c: DigestCandidate, lang: string): string | undefined {
  if (c.closesAt !== undefined) return translateOr(lang, 'mail.alertDigest.closes', 'closes {date}', { date: formatDate(c.closesAt, lang) });
  if (c.place !== undefined && c.startsAt !== undefined) return `${lang === 'en' ? formatDateTime(c.startsAt) : formatDateTimeLong(c.startsAt, lang)}, ${c.place}`;
  return c.note;
}

/**
 * The sections of one subscription's digest, worded in its language: candidates about its areas that became public
 * after `from` and by `now`; meetings starting within the horizon that were added after `from` or came into the horizon since.
 */
export function digestSections(candidates: readonly DigestCandidate[], areaIds: readonly string[], from: number, now: number, baseUrl: string, lang = 'en'): DigestSection[] {
  const mine = candidates.filter((c) => c.areaIds.some((id) => areaIds.includes(id)));
  const fresh = mine.filter((c) => {
    if (c.section !== 'meetings') return c.at > from && c.at <= now;
    const starts = c.startsAt ?? 0;
    return starts > now && starts <= now + MEETING_HORIZON_MS && (c.at > from || starts > from + MEETING_HORIZON_MS);
  });
  const base = baseUrl.replace(/\/$/, '');
  return (Object.keys(HEADINGS) as DigestCandidate['section'][])
    .map((section) => ({
      heading: translateOr(lang, `mail.alertDigest.section.${section}`, HEADINGS[section]),
      entries: fresh.filter((c) => c.section === section)
        .sort((a, b) => (a.startsAt ?? -a.at) - (b.startsAt ?? -b.at))
        .map((c) => ({ title: c.title, url: `${base}${c.path}`, ...(noteIn(c, lang) ? { note: noteIn(c, lang) } : {}) })),
    }))
    .filter((s) => s.entries.length > 0);
}

/** What the digest needs from configuration. */
export interface AlertSettings {
  areas: readonly Area[];
  links: AlertLinks;
}

/**
 * Run this week's digests: each confirmed subscription not yet done this week gets its digest queued (if it has
 * anything), and is marked done for the week either way. Returns how many e-mails were queued.
 */
export async function sendAlertDigests(settings: AlertSettings, now = Date.now()): Promise<number> {
  if (!isDigestTime(now)) return 0;
  const week = digestWeekOf(now);
  const notThisWeek = or(isNull(alertSubscriptions.digestWeek), ne(alertSubscriptions.digestWeek, week));
  const due = await getDb().select({ id: alertSubscriptions.id }).from(alertSubscriptions).where(and(eq(alertSubscriptions.status, 'confirmed'), notThisWeek));
  if (!due.length) return 0;
  const candidates = await loadDigestCandidates(now);
  let queued = 0;
  for (const { id } of due) {
    const sent = await getDatabase().writer.transaction(async (tx) => {
      const [s] = await tx.db.select().from(alertSubscriptions).where(and(eq(alertSubscriptions.id, id), eq(alertSubscriptions.status, 'confirmed'), notThisWeek));
      if (!s) return false;
      const area = settings.areas.find((a) => a.id === s.areaId);
      const sections = area ? digestSections(candidates, digestAreaIds(settings.areas, area.id), s.digestFrom ?? s.confirmedAt ?? now, now, settings.links.baseUrl, s.language) : [];
      const mark = toStatement(getDb().update(alertSubscriptions).set({ digestWeek: week, digestFrom: now }).where(eq(alertSubscriptions.id, id)));
      if (!area || !sections.length) {
        await tx.batch([mark]);
        return false;
      }
      await tx.batch([mark, enqueueEmail('alert-digest', s.email, { partnership: settings.links.partnership, area: area.name, sections, unsubscribeUrl: unsubscribeUrl(settings.links, s.id, now), lang: s.language }, now)]);
      return true;
    });
    if (sent) queued++;
  }
  return queued;
}

/** The alert jobs for the scheduler: the digest check every 15 minutes, upkeep (retention and bounces) every 10. */
export function alertJobs(settings: AlertSettings): ScheduledJob[] {
  return [
    { name: 'alerts-digest', everyMs: DIGEST_EVERY_MS, run: async (now) => void (await sendAlertDigests(settings, now)) },
    {
      name: 'alerts-upkeep', everyMs: UPKEEP_EVERY_MS, run: async (now) => {
        await purgeUnconfirmed(now);
        await expireBouncedSubscriptions();
        await purgeAlertMail(now);
      },
    },
  ];
}
