/**
 * Glue for a meeting's registrants (staff with `publish`): name, access needs, status and place on the waiting
 * list, a page at a time. E-mail addresses and the CSV download need `pii.export` as well. A district editor sees
 * only meetings in their district. Every view and download is audited.
 */
import type { APIContext, AstroGlobal } from 'astro';
import { auditRegistrants, findConsultation, findMeeting, listRegistrants, meetingWhen, type Registrant } from '../../domains/consultations/index.ts';
import { csvHeaders, csvStream } from '../../platform/csv.ts';
import { formatDateTime } from '../../platform/time/london.ts';
import { mayManageArea, staffActor } from './common.ts';
import { can, notFound } from '../guards.ts';
import { pageOf, paginationLinks } from '../pagination.ts';

/** Registrants per page. */
const PER_PAGE = 25;

/** Words for a registration's status. */
const STATUS: Record<Registrant['state'], string> = { booked: 'Registered', waiting: 'Waiting', cancelled: 'Cancelled' };

/** The consultation and meeting named in the URL, when the meeting belongs to it and the user may see it. */
async function staffMeeting(ctx: Pick<AstroGlobal, 'params' | 'locals'>) {
  const [c, m] = await Promise.all([findConsultation(ctx.params.id ?? ''), findMeeting(ctx.params.meetingId ?? '')]);
  if (!c || !m || m.consultationId !== c.id || !mayManageArea(ctx.locals.user, m.areaId ?? c.areaId)) return null;
  return { c, m };
}

/** The registrants page: one page of the list (e-mail addresses only with pii.export), audited. */
export async function registrantsPage(astro: AstroGlobal) {
  const found = await staffMeeting(astro);
  if (!found) return { response: await notFound(astro) };
  const { c, m } = found;
  const withEmail = can(astro.locals, 'pii.export');
  const all = await listRegistrants(m.id);
  const { page, pages, start, end } = pageOf(all.length, astro.url.searchParams.get('page'), PER_PAGE);
  const shown = all.slice(start, end);
  await auditRegistrants(m.id, staffActor(astro), 'viewed', { page, rows: shown.length, emails: withEmail });
  const base = `/staff/consultations/${c.id}/meetings/${m.id}`;
  const head = ['Name', ...(withEmail ? ['E-mail address'] : []), 'Access needs', 'Status', 'Place on the waiting list', 'Registered'];
  const rows = shown.map((r) => [r.name, ...(withEmail ? [r.email] : []), r.accessNeeds || 'None given', STATUS[r.state], r.position ?? '', formatDateTime(r.registeredAt)]);
  return {
    c, m, when: meetingWhen(m), head, rows, withEmail, total: all.length, page, pages,
    counts: { booked: all.filter((r) => r.state === 'booked').length, waiting: all.filter((r) => r.state === 'waiting').length },
    pagination: paginationLinks(page, pages, (n) => `${base}?page=${n}`),
  };
}

/** The registrants CSV (the route also requires pii.export), audited. */
export async function registrantsCsv(ctx: Pick<APIContext, 'params' | 'locals' | 'clientAddress'>): Promise<Response> {
  const found = await staffMeeting(ctx);
  if (!found) return notFound();
  const all = await listRegistrants(found.m.id);
  await auditRegistrants(found.m.id, staffActor(ctx), 'exported', { rows: all.length });
  const header = ['Name', 'E-mail address', 'Access needs', 'Status', 'Place on the waiting list', 'Registered'];
  async function* pages() {
    yield all.map((r) => [r.name, r.email, r.accessNeeds, STATUS[r.state], r.position === null ? '' : String(r.position), new Date(r.registeredAt).toISOString()]);
  }
  return new Response(csvStream(header, pages()), { headers: csvHeaders(`meeting-${found.m.id}-registrants.csv`) });
}
