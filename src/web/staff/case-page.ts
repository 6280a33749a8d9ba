/**
 * Handler of the staff case page: permission (the page's guard, then each action checks its own), a form
 * object per intent (zod schema), the case command, then a redirect or the page re-rendered with errors.
 */
import type { AstroGlobal } from 'astro';
import { z } from 'zod';
import {
  actionSettings, addNote, canViewCase, caseScope, findCase, assignCase, assignRoundRobin, changeStatus, changeTags, currentTimers, linkIncident, listQueue, listReplyTemplates, loadCaseView,
  markDuplicate, parseCaseVersion, parseQueueQuery, queueQueryString, runningTimers, sendReply, triageCase, TRIAGE_QUESTIONS, undoDuplicate, unlinkIncident, viewReporterDetails,
  type ActionResult, type ActionSettings, type CaseView, type QueueFilter, type QueueSort, type StaffActor,
} from '../../domains/cases/index.ts';
import { listCaseDocuments, listPendingUpdates } from '../../domains/referrals/index.ts';
import { findNearbyCases, type NearbyCase } from '../../domains/geography/index.ts';
import type { SessionUser } from '../../domains/identity/index.ts';
import { choice, strings, text } from '../../platform/forms/index.ts';
import { getConfig } from '../../server/runtime.ts';
import { fieldError, readPageForm, refuseForm, routeFormLimit, seeOther, typedValues, unreadableForm, validateForm, type Done, type FieldError } from '../forms.ts';
import { actorFor, notFound } from '../guards.ts';

const INTENTS = ['triage', 'status', 'assign', 'note', 'reply', 'tags', 'link', 'unlink', 'duplicate', 'undo-duplicate'] as const;
type Intent = (typeof INTENTS)[number];

/** The message for a triage question left unanswered. */
const unanswered = (name: string) => `Answer: ${TRIAGE_QUESTIONS.find((q) => q.name === name)!.legend}`;
const line = (label: string, max = 200) => text({ label, max });
const body = (label: string) => text({ label, max: 10_000, multiline: true });
/** The case version the form was made from (optimistic concurrency); undefined when the form did not say. */
const version = text({ label: 'Version', max: 12 }).transform((v) => parseCaseVersion(v));

/** The form object of each intent. */
const SCHEMAS = {
  triage: z.object({
    risk: choice(['none', 'some', 'high'] as const, unanswered('risk')),
    vulnerable: choice(['yes', 'no'] as const, unanswered('vulnerable')),
    repeat: choice(['yes', 'no'] as const, unanswered('repeat')),
    hate: choice(['yes', 'no'] as const, unanswered('hate')),
    version,
  }),
  status: z.object({ version, to: line('Move to', 40), resolutionCode: line('Resolution', 60), statusNote: body('Note about this change') }),
  assign: z.object({ version, ownerId: line('Officer', 100), team: line('Team') }),
  note: z.object({ noteBody: body('Note') }),
  reply: z.object({ template: line('Template', 100), replyBody: body('Reply') }),
  tags: z.object({ addTags: line('Add tags', 500), removeTag: strings() }),
  link: z.object({ linkRefs: line('Link with case references', 1000), incidentTitle: line('Incident title') }),
  unlink: z.object({}),
  duplicate: z.object({ originalRef: line('Case reference', 40) }),
  'undo-duplicate': z.object({}),
} satisfies Record<Intent, z.ZodType>;

/** Where each intent's error points (the first field of its form). */
const ERROR_FIELD: Record<Intent, string> = { triage: 'triage', status: 'to', assign: 'ownerId', note: 'noteBody', reply: 'replyBody', tags: 'addTags', link: 'linkRefs', unlink: 'unlink', duplicate: 'originalRef', 'undo-duplicate': 'undo-duplicate' };

interface Ctx {
  ref: string;
  actor: StaffActor;
  settings: ActionSettings;
}

type Data<I extends Intent> = z.output<(typeof SCHEMAS)[I]>;

/** The command of each intent. */
const COMMANDS: { [I in Intent]: (c: Ctx, d: Data<I>) => Promise<ActionResult> } = {
  triage: (c, { version, ...answers }) => triageCase(c.ref, c.actor, answers, c.settings, Date.now(), version),
  status: (c, d) => changeStatus(c.ref, c.actor, { to: d.to, resolutionCode: d.resolutionCode || null, note: d.statusNote || null, version: d.version }, c.settings),
  assign: (c, d) =>
    d.ownerId === 'round-robin' ? assignRoundRobin(c.ref, c.actor, c.settings, Date.now(), d.version) : assignCase(c.ref, c.actor, { ownerId: d.ownerId || null, team: d.team || null, version: d.version }, c.settings),
  note: (c, d) => addNote(c.ref, c.actor, d.noteBody),
  reply: async (c, d) => {
    const message = d.replyBody || listReplyTemplates().find((t) => t.id === d.template)?.body || '';
    return message ? sendReply(c.ref, c.actor, message, c.settings) : { ok: false, message: 'Enter the reply or choose a template' };
  },
  tags: (c, d) => changeTags(c.ref, c.actor, { add: d.addTags.split(','), remove: d.removeTag }),
  link: async (c, d) => {
    const r = await linkIncident([c.ref, ...d.linkRefs.split(/[\s,]+/)], c.actor, { title: d.incidentTitle });
    return r.ok ? { ok: true, ref: c.ref } : r;
  },
  unlink: (c) => unlinkIncident(c.ref, c.actor),
  duplicate: (c, d) => markDuplicate(c.ref, c.actor, d.originalRef, c.settings),
  'undo-duplicate': (c) => undoDuplicate(c.ref, c.actor, c.settings),
};

/** Run one intent: validate its form object, then its command. */
async function runIntent<I extends Intent>(intent: I, form: FormData, c: Ctx): Promise<FieldError[]> {
  const valid = validateForm(SCHEMAS[intent], form);
  if (!valid.ok) return valid.errors;
  const result = await COMMANDS[intent](c, valid.data as Data<I>);
  return result.ok ? [] : [fieldError(ERROR_FIELD[intent], result.message)];
}

/** The officer's way through the queue: the view they opened the case from, and the cases handled since. */
export interface Trail {
  /** The queue's query string ("?status=new&sort=priority", "" for the default view), or null when the case was not opened from the queue. */
  from: string | null;
  /** References handled in this run of "and next", oldest first (at most TRAIL_LENGTH). */
  done: string[];
}

/** How many handled cases a trail remembers. */
const TRAIL_LENGTH = 30;

/** Read the trail from a case page address (?from=<queue query>&done=<refs>); anything unreadable is left out. */
export function readTrail(params: URLSearchParams): Trail {
  const raw = params.get('from');
  let from: string | null = null;
  if (raw !== null) {
    const { filter, sort } = parseQueueQuery(new URLSearchParams(raw.slice(0, 2000)));
    from = queueQueryString(filter, sort);
  }
  const done = (params.get('done') ?? '').split(',').map((r) => r.trim().toUpperCase()).filter((r) => /^[A-Z0-9-]{4,20}$/.test(r)).slice(-TRAIL_LENGTH);
  return { from, done };
}

/** The query parameters that carry a trail on ("from=…&done=…", or "" when there is none). */
export function trailParams(trail: Trail): string {
  const p = new URLSearchParams();
  if (trail.from !== null) p.set('from', trail.from.replace(/^\?/, ''));
  if (trail.done.length) p.set('done', trail.done.join(','));
  return p.toString();
}

/** The queue view the trail came from, or the default queue. */
export function queueHref(trail: Trail): string {
  return `/staff/queue${trail.from ?? ''}`;
}

/** After a change with "then next": the next case of the officer's queue view (new cases by priority when they came from elsewhere), skipping those handled in this run, or back to the view. */
async function nextCase(ref: string, scope: ReturnType<typeof caseScope>, trail: Trail, now: number): Promise<Done> {
  const view: { filter: QueueFilter; sort: QueueSort } = trail.from === null ? { filter: { status: 'new' }, sort: 'priority' } : parseQueueQuery(new URLSearchParams(trail.from.slice(1)));
  const done = [...trail.done.filter((r) => r !== ref), ref].slice(-TRAIL_LENGTH);
  const skip = new Set(done);
  const next = (await listQueue({ ...view.filter, scope }, view.sort, null, now, skip.size + 10)).rows.find((r) => !skip.has(r.ref));
  const from = trail.from ?? queueQueryString(view.filter, view.sort);
  if (!next) return seeOther(`/staff/queue${from}${from ? '&' : '?'}end=1`);
  return seeOther(`/staff/cases/${next.ref}?saved=1&${trailParams({ from, done })}#saved`);
}

/** True when a form sent with "and next" asks for no change (the same owner and team, or no status chosen): it just moves on. */
function asksNoChange(intent: string, form: FormData, row: { ownerId: string | null; team: string | null }): boolean {
  const field = (name: string) => String(form.get(name) ?? '').trim();
  if (intent === 'assign') return field('ownerId') === (row.ownerId ?? '') && field('team') === (row.team ?? '');
  if (intent === 'status') return field('to') === '';
  return false;
}

/** What the case page renders. */
export interface CasePageView extends CaseView {
  errors: FieldError[];
  /** What was typed into the form that was refused, and which form it was. */
  posted: Record<string, string>;
  failedIntent: string;
  reporter: Awaited<ReturnType<typeof viewReporterDetails>>;
  timers: ReturnType<typeof currentTimers>;
  running: ReturnType<typeof runningTimers>;
  now: number;
  /** Partner updates for the reporter waiting to be released or withheld. */
  pendingUpdates: Awaited<ReturnType<typeof listPendingUpdates>>;
  /** Documents partners attached to their updates. */
  documents: Awaited<ReturnType<typeof listCaseDocuments>>;
  trail: Trail;
  /** Other cases near this one (within the configured radius and months), in the viewer's scope; null without coordinates. */
  nearby: { cases: NearbyCase[]; radiusMetres: number; months: number } | null;
}

/** The cases near a case, as far as the viewer may see them (caseScope), or null when the case has no coordinates. */
async function nearbyCasesFor(row: CaseView['row'], user: SessionUser, now: number): Promise<CasePageView['nearby']> {
  if (row.lat === null || row.lon === null) return null;
  const { radiusMetres, months } = getConfig().partnership.nearby;
  const found = await findNearbyCases({ lat: row.lat, lon: row.lon }, { radiusMetres, months, now, excludeId: row.id, scope: caseScope(user), categoryId: row.categoryId });
  return { cases: found, radiusMetres, months };
}

/** The case page: on POST run the intent and redirect, else load the case for the page. */
export async function handleCasePage(astro: AstroGlobal): Promise<Done | CasePageView> {
  const user = astro.locals.user!;
  const actor = actorFor(astro);
  const ref = astro.params.ref ?? '';
  // A case outside the user's scope answers as if it did not exist.
  const visible = await findCase(ref);
  if (!visible || !canViewCase(user, visible)) return { response: await notFound(astro) };
  const now = Date.now();
  const trail = readTrail(astro.url.searchParams);
  let errors: FieldError[] = [];
  let posted: Record<string, string> = {};
  if (astro.request.method === 'POST') {
    const read = await readPageForm(astro, { multipart: true, maxBytes: routeFormLimit(astro) });
    if (!read.ok) errors = read.errors;
    else {
      posted = typedValues(read.form);
      const intent = validateForm(z.object({ intent: choice(INTENTS, 'Choose what to do') }), read.form);
      const thenNext = read.form.get('then') === 'next';
      if (intent.ok && thenNext && asksNoChange(intent.data.intent, read.form, visible)) return nextCase(visible.ref!, caseScope(user), trail, now);
      errors = intent.ok ? await runIntent(intent.data.intent, read.form, { ref, actor, settings: actionSettings() }) : unreadableForm();
      if (!errors.length) {
        if (thenNext) return nextCase(visible.ref!, caseScope(user), trail, now);
        const carry = trailParams(trail);
        return seeOther(`/staff/cases/${visible.ref}?saved=1${carry ? `&${carry}` : ''}#saved`);
      }
    }
    refuseForm(astro);
  }
  const found = await loadCaseView(ref, caseScope(user), now);
  if (!found || !canViewCase(user, found.row)) return { response: await notFound(astro) };
  const config = getConfig();
  const timers = currentTimers(found.row, config.targets, now);
  const running = found.row.status === 'resolved' || found.row.status === 'closed' ? [] : runningTimers(timers);
  const reporter = astro.url.searchParams.get('reporter') === 'show' ? await viewReporterDetails(found.row.id, actor, now) : null;
  const [pendingUpdates, documents, nearby] = await Promise.all([listPendingUpdates(found.row.id), listCaseDocuments(found.row.id), nearbyCasesFor(found.row, user, now)]);
  return { ...found, errors, posted, failedIntent: errors.length ? posted.intent ?? '' : '', reporter, timers, running, now, pendingUpdates, documents, trail, nearby };
}
