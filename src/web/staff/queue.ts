/** Handler of the triage queue: saved views (save, delete) and bulk actions, then the filtered, sorted page of cases. */
import type { AstroGlobal } from 'astro';
import { z } from 'zod';
import {
  actionSettings, bulkAction, isCaseStatus, MAX_VIEW_NAME, monthsParam, caseScope, countByStatus, deleteView, findIncidentTitle, listBulkOwners, listOfficers, listQueue, listReplyTemplates, listSavedViews, parseQueueQuery, saveView,
  type BulkAction, type StaffActor,
} from '../../domains/cases/index.ts';
import { choice, strings, text } from '../../platform/forms/index.ts';
import { fieldError, readPageForm, refuseForm, routeFormLimit, seeOther, unreadableForm, validateForm, type Done, type FieldError } from '../forms.ts';
import { actorFor } from '../guards.ts';
import { safeQueryString } from '../redirects.ts';
import { addMonths, monthLabel } from '../../domains/insight/index.ts';
import { londonMonth } from '../../platform/time/london.ts';

/** How many months back the "Received in" filter offers, this month included. */
const MONTHS_OFFERED = 36;

/**
 * The "Received in" choices: any time, the chosen range of months when there is one (from a hot-spot's link), then
 * this London month and the 35 before it, newest first (and the chosen one, if older).
 */
export function monthItems(now: number, chosen?: string, until?: string): { value: string; label: string }[] {
  const current = londonMonth(now);
  const months = Array.from({ length: MONTHS_OFFERED }, (_, k) => addMonths(current, -k));
  if (chosen && !until && !months.includes(chosen)) months.push(chosen);
  const range = chosen && until ? [{ value: monthsParam(chosen, until), label: receivedWords(chosen, until) }] : [];
  return [{ value: '', label: 'Any time' }, ...range, ...months.map((m) => ({ value: m, label: monthLabel(m) }))];
}

/** A month or a range of months in words: "July 2026", "July 2026 to September 2026". */
export function receivedWords(month: string, until?: string): string {
  return until ? `${monthLabel(month)} to ${monthLabel(until)}` : monthLabel(month);
}

/** The query string to go back to: "?" and the queue's parameters re-encoded, or empty (never another place). */
const back = text({ label: 'Back', max: 2000, multiline: true }).transform((v) => safeQueryString(v));
const saveSchema = z.object({ back, viewName: text({ label: 'The view name', max: MAX_VIEW_NAME }) });
const deleteSchema = z.object({ back, viewId: text({ label: 'View', max: 100 }), confirm: text({ label: 'Confirm', max: 3 }) });
const bulkSchema = z.object({
  ref: strings(),
  /** The selected cases carried through the confirmation step, comma-separated. */
  refs: text({ label: 'Cases', max: 100_000 }),
  bulkAction: text({ label: 'Action', max: 40 }),
  bulkOwner: text({ label: 'Assign to', max: 100 }),
  bulkStatus: text({ label: 'New status', max: 40 }),
  bulkResolution: text({ label: 'Resolution', max: 60 }),
  bulkTag: text({ label: 'Tags', max: 500 }),
  bulkTemplate: text({ label: 'Reply template', max: 100 }),
  bulkVisibility: text({ label: 'Templated reply goes', max: 40 }),
  bulkBody: text({ label: 'Note or reply text', max: 10_000, multiline: true }),
});
type BulkForm = z.output<typeof bulkSchema>;

/** The bulk action the form asks for, or null when none was chosen. */
function bulkActionOf(f: BulkForm): BulkAction | null {
  switch (f.bulkAction) {
    case 'assign': return f.bulkOwner === 'round-robin' ? { kind: 'assign_round_robin' } : { kind: 'assign', ownerId: f.bulkOwner || null };
    case 'status': return { kind: 'status', to: f.bulkStatus, resolutionCode: f.bulkResolution || null };
    case 'tag': return { kind: 'tag', add: f.bulkTag.split(',') };
    case 'note': return { kind: 'note', body: f.bulkBody };
    case 'reply': return { kind: 'reply', body: listReplyTemplates().find((t) => t.id === f.bulkTemplate)?.body ?? f.bulkBody, visibility: f.bulkVisibility === 'reporter' ? 'reporter' : 'internal' };
    default: return null;
  }
}

/** A saved view the user asked to delete, waiting for them to confirm. */
interface Deleting {
  id: string;
  name: string;
  back: string;
}

/** What was typed into the bulk form, to show again when it is refused or waits for a confirmation. */
export interface BulkPosted {
  refs: string[];
  values: Record<string, string>;
}

/** What a POST gives back: a redirect, or errors and a notice for the page (and a view to confirm deleting, or a bulk reply to confirm sending). */
type Outcome = Done | { errors: FieldError[]; notice: string; deleting?: Deleting; bulk?: BulkPosted; confirmingReply?: boolean; viewName?: string };

/** The bulk form's fields as typed (the selected cases apart). */
function bulkValues(f: BulkForm): Record<string, string> {
  return Object.fromEntries(Object.entries(f).filter(([k]) => k !== 'ref' && k !== 'refs')) as Record<string, string>;
}

/** The error for a bulk note or reply with no text, or a status change with no status or resolution (asked once, on the field, instead of once per selected case). */
function missingText(f: BulkForm): FieldError | null {
  if (f.bulkAction === 'status' && !isCaseStatus(f.bulkStatus)) return fieldError('bulkStatus', 'Choose the new status');
  if (f.bulkAction === 'status' && f.bulkStatus === 'resolved' && !f.bulkResolution) return fieldError('bulkResolution', 'Choose a resolution code to resolve the cases');
  if (f.bulkBody.trim() !== '') return null;
  if (f.bulkAction === 'note') return fieldError('bulkBody', 'Enter the note');
  if (f.bulkAction === 'reply' && !listReplyTemplates().some((t) => t.id === f.bulkTemplate)) return fieldError('bulkBody', 'Choose a reply template or enter the reply text');
  return null;
}

/** Each intent of the queue page. */
const INTENTS = {
  'save-view': async (form: FormData, actor: StaffActor): Promise<Outcome> => {
    const viewName = String(form.get('viewName') ?? '').slice(0, 1000);
    const valid = validateForm(saveSchema, form);
    if (!valid.ok) return { errors: valid.errors, notice: '', viewName };
    const r = await saveView(actor.id, valid.data.viewName, valid.data.back);
    return r.ok ? seeOther(`/staff/queue${valid.data.back}`) : { errors: [fieldError('viewName', r.message)], notice: '', viewName };
  },
  'delete-view': async (form: FormData, actor: StaffActor): Promise<Outcome> => {
    const valid = validateForm(deleteSchema, form);
    if (!valid.ok) return { errors: unreadableForm(), notice: '' };
    if (valid.data.confirm !== 'yes') {
      // No JavaScript needed: the first press asks, the second (with confirm=yes) deletes.
      const view = (await listSavedViews(actor.id)).find((v) => v.id === valid.data.viewId);
      return view ? { errors: [], notice: '', deleting: { id: view.id, name: view.name, back: valid.data.back } } : seeOther(`/staff/queue${valid.data.back}`);
    }
    await deleteView(actor.id, valid.data.viewId);
    return seeOther(`/staff/queue${valid.data.back}`);
  },
  bulk: async (form: FormData, actor: StaffActor): Promise<Outcome> => {
    const valid = validateForm(bulkSchema, form);
    if (!valid.ok) return { errors: valid.errors, notice: '' };
    const refs = [...new Set([...valid.data.ref, ...valid.data.refs.split(',').map((r) => r.trim()).filter(Boolean)])];
    const posted: BulkPosted = { refs, values: bulkValues(valid.data) };
    const action = bulkActionOf(valid.data);
    const errors: FieldError[] = [];
    if (!refs.length) errors.push(fieldError('ref', 'Select at least one case', 'select-first'));
    if (!action) errors.push(fieldError('bulkAction', 'Choose what to do with the selected cases'));
    const text = missingText(valid.data);
    if (text) errors.push(text);
    if (errors.length || !action) return { errors, notice: '', bulk: posted };
    // E-mail to every selected case's reporter: the first press asks, the second (with confirm=yes) sends.
    if (action.kind === 'reply' && action.visibility === 'reporter' && form.get('confirm') !== 'yes') return { errors: [], notice: '', bulk: posted, confirmingReply: true };
    // Each row carries the version it was listed at (version.<ref>): a change made since refuses that case.
    const versions = new Map(refs.flatMap((ref): [string, number][] => {
      const v = form.get(`version.${ref}`);
      return typeof v === 'string' && /^\d{1,9}$/.test(v) ? [[ref, Number(v)]] : [];
    }));
    const result = await bulkAction(refs, actor, action, actionSettings(), Date.now(), versions);
    return {
      notice: `Done for ${result.done.length} case${result.done.length === 1 ? '' : 's'}.`,
      errors: result.refused.map((r) => ({ field: 'bulk', href: '#bulk', text: `${r.ref}: ${r.message}` })),
      bulk: result.refused.length ? { refs: result.refused.map((r) => r.ref), values: posted.values } : undefined,
    };
  },
} as const;
const intentSchema = z.object({ intent: choice(Object.keys(INTENTS) as (keyof typeof INTENTS)[], 'Choose what to do') });

/** The queue page: on POST run the intent, then list the cases for the filters in the URL. */
export async function handleQueue(astro: AstroGlobal) {
  const user = astro.locals.user!;
  const actor = actorFor(astro);
  const now = Date.now();
  let errors: FieldError[] = [];
  let notice = astro.url.searchParams.has('end') ? 'Saved. There are no more cases in this view.' : '';
  let deleting: Deleting | null = null;
  let bulk: BulkPosted | null = null;
  let confirmingReply = false;
  let viewName = '';
  if (astro.request.method === 'POST') {
    const read = await readPageForm(astro, { multipart: true, maxBytes: routeFormLimit(astro) });
    const intent = read.ok ? validateForm(intentSchema, read.form) : read;
    if (!read.ok) errors = read.errors;
    else if (!intent.ok) errors = unreadableForm();
    else {
      const outcome = await INTENTS[intent.data.intent](read.form, actor);
      if ('response' in outcome) return outcome;
      ({ errors, notice } = outcome);
      deleting = outcome.deleting ?? null;
      bulk = outcome.bulk ?? null;
      confirmingReply = outcome.confirmingReply ?? false;
      viewName = outcome.viewName ?? '';
    }
    if (errors.length) refuseForm(astro);
  }
  const { filter: asked, sort, cursor } = parseQueueQuery(astro.url.searchParams);
  // The cases the user may see: never from the query string.
  const filter = { ...asked, scope: caseScope(user) };
  const [page, counts, views, officers, bulkOwners, incidentTitle] = await Promise.all([
    // No counts by status over a range of months: a ward's three years are 60,000 cases at a million, each read for its
    // status (250 ms), where every count the page shows takes under 20 ms. The list itself pages through an index.
    listQueue(filter, sort, cursor, now), filter.until ? Promise.resolve(null) : countByStatus(filter, now), listSavedViews(user.id), listOfficers(), listBulkOwners(filter.scope),
    filter.incidentId ? findIncidentTitle(filter.incidentId) : Promise.resolve(null),
  ]);
  // "Select at least one case" links to the first box, which a page without cases does not have: the form instead.
  if (!page.rows.length) errors = errors.map((e) => (e.href === '#select-first' ? { ...e, href: '#bulk' } : e));
  return { errors, notice, filter, sort, cursor, page, counts, views, officers, bulkOwners, now, incidentTitle, deleting, bulk, confirmingReply, viewName };
}
