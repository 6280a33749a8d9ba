/**
 * Glue for the editor's console (/staff/publishing): read and check the item form for its kind, create and save
 * items, move them through the workflow, and build what the pages show (preview, versions, diff, history).
 */
import type { AstroGlobal } from 'astro';
import { join } from 'node:path';
import { getConfig, getRuntime } from '../../server/runtime.ts';
import { MAX_PHOTO_BYTES, PhotoBusyError, PhotoError, deletePhoto, storePhoto } from '../../domains/reports/index.ts';
import { log } from '../../platform/log.ts';
import { formatDateTime, londonTime } from '../../platform/time/london.ts';
import { clientAddressOf } from '../client-address.ts';
import { notFound } from '../guards.ts';
import { pageNumber, pageOf, paginationLinks } from '../pagination.ts';
import { fieldError, readPageForm, refuseForm, seeOther, typedValues, unreadableForm, validateForm, type FieldError, type FormLimits } from '../forms.ts';
import {
  actOnItem, allowedActions, areaAndWithin, canDeleteItem, createItem, deleteItem, diffVersions, findItemFor, KIND_LABELS, KIND_SCHEMAS, listEditorItems, listEvents, listVersions, parseDay,
  recommendationData, restoreVersion, saveItem, unknownAreas, ACTION_LABELS, ACTION_PAST, CONTENT_KINDS, DELETE_PUBLISHED, STATUS_LABELS, WORKFLOW_ACTIONS,
  type ContentData, type ContentImage, type ContentItem, type ContentKind, type Editor, type ProgressUpdate, type WorkflowAction,
} from '../../domains/publishing/index.ts';

/** The signed-in user as an editor. */
export function editorOf(astro: AstroGlobal): Editor {
  return { ...editorFromUser(astro.locals.user!), ip: clientAddressOf(astro) };
}

/** A staff user as an editor (who may edit what: partnership-wide, or one district). */
export function editorFromUser(u: NonNullable<App.Locals['user']>): Editor {
  return { id: u.id, name: u.name, districtId: u.districtId ?? null, bindsDistrict: u.bindsDistrict };
}

/** True for a content kind name. */
function isKind(s: string | undefined): s is ContentKind {
  return !!s && (CONTENT_KINDS as readonly string[]).includes(s);
}

/** The areas an editor may tag: every area, or their district and its wards. */
export function areaChoices(editor: Editor): { value: string; label: string }[] {
  const { areas } = getConfig();
  const allowed = editor.bindsDistrict ? areaAndWithin(areas, editor.districtId ?? '') : areas.map((a) => a.id);
  return areas.filter((a) => allowed.includes(a.id)).map((a) => ({ value: a.id, label: `${a.name} (${a.kind})` }));
}

/** "2026-03-27" as "27/3/2026" for a date field. */
function dayField(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? `${Number(m[3])}/${Number(m[2])}/${m[1]}` : '';
}

/** Stored data as the values of the edit form. */
export function formValuesOf(kind: ContentKind, data: Record<string, unknown>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(data)) if (typeof v === 'string') out[k] = v;
  if (data.image) out.imageAlt = (data.image as ContentImage).alt;
  out.areas = (data.areas as string[]) ?? [];
  for (const k of ['date', 'start', 'end', 'originalTarget', 'currentTarget', 'dateRaised', 'dateTaken']) if (typeof data[k] === 'string') out[k] = dayField(data[k]);
  if (kind === 'initiative') {
    out.budget = (Number(data.budget ?? 0) / 100).toLocaleString('en-GB');
    ((data.outcomes as ContentData['initiative']['outcomes']) ?? []).forEach((o, i) => {
      out[`measure${i}`] = o.measure;
      out[`baseline${i}`] = String(o.baseline);
      out[`target${i}`] = String(o.target);
      out[`actual${i}`] = o.actual === null ? '' : String(o.actual);
    });
  }
  if (kind === 'assessment') {
    ((data.ratings as ContentData['assessment']['ratings']) ?? []).forEach((r, i) => {
      out[`aspect${i}`] = r.aspect;
      out[`rating${i}`] = r.rating;
      out[`evidence${i}`] = r.evidence;
    });
  }
  return out;
}

/** The folder of published images (apart from residents' photos, which are never public). */
export function contentImageDir(): string {
  return join(getRuntime().env.UPLOAD_DIR, 'content');
}

/** How a kind's form is read: an achievement's (multipart) has room for one image of MAX_PHOTO_BYTES and its text; every other kind is a small text form. */
function formLimitsFor(kind: ContentKind): FormLimits {
  return kind === 'achievement' ? { multipart: true, maxBytes: MAX_PHOTO_BYTES + 64 * 1024 } : { multipart: false };
}

/** An achievement's image after the form: a new upload re-encoded without metadata, the earlier one kept (or removed), and its alt text required. */
async function imageFromForm(form: FormData, earlier: ContentImage | undefined): Promise<{ ok: true; image: ContentImage | undefined } | { ok: false; errors: FieldError[] }> {
  const file = form.get('image');
  const alt = String(form.get('imageAlt') ?? '').trim();
  const upload = file instanceof File && file.size > 0 ? file : null;
  const kept = form.get('removeImage') ? undefined : earlier;
  if (!upload && !kept) return { ok: true, image: undefined };
  if (!alt) return { ok: false, errors: [fieldError('imageAlt', 'Describe the image for people who cannot see it')] };
  if (!upload) return { ok: true, image: { ...kept!, alt } };
  try {
    const stored = await storePhoto(contentImageDir(), new Uint8Array(await upload.arrayBuffer()), upload.name || 'image');
    return { ok: true, image: { key: stored.key, alt, width: stored.width, height: stored.height } };
  } catch (error) {
    if (error instanceof PhotoBusyError || error instanceof PhotoError) return { ok: false, errors: [fieldError('image', error.message)] };
    throw error;
  }
}

/** Check a posted item form for its kind: the data to store, or the errors to show. */
async function checkItemForm(kind: ContentKind, form: FormData, editor: Editor, earlier: Record<string, unknown> | null): Promise<{ ok: true; data: ContentData[ContentKind] } | { ok: false; errors: FieldError[] }> {
  const checked = validateForm(KIND_SCHEMAS[kind], form);
  if (!checked.ok) return checked;
  if (kind === 'achievement') {
    const image = await imageFromForm(form, earlier?.image as ContentImage | undefined);
    if (!image.ok) return image;
    const { imageAlt: _alt, ...rest } = checked.data as ContentData['achievement'] & { imageAlt: string };
    void _alt;
    return areasChecked({ ...rest, ...(image.image ? { image: image.image } : {}) } as ContentData['achievement'], editor);
  }
  return areasChecked(kind === 'recommendation' ? recommendationData(checked.data as Parameters<typeof recommendationData>[0], (earlier?.updates as ProgressUpdate[]) ?? []) : (checked.data as ContentData[ContentKind]), editor);
}

/** The checked data if its areas are ones the editor may tag (a district editor must name one of theirs). */
function areasChecked(data: ContentData[ContentKind], editor: Editor): { ok: true; data: ContentData[ContentKind] } | { ok: false; errors: FieldError[] } {
  const areas = data.areas;
  if (unknownAreas(areas, areaChoices(editor).map((a) => a.value)).length) return { ok: false, errors: [fieldError('areas', 'Select areas from the list')] };
  if (editor.bindsDistrict && areas.length === 0) return { ok: false, errors: [fieldError('areas', 'Select at least one area of your district')] };
  return { ok: true, data };
}

/** The new-item page: GET an empty form for the kind; POST creates a draft and goes to its page. */
export async function handleNewItem(astro: AstroGlobal) {
  const kind = astro.params.kind;
  if (!isKind(kind)) return { response: await notFound(astro) };
  const editor = editorOf(astro);
  let errors: FieldError[] = [];
  let values: Record<string, string | string[]> = {};
  if (astro.request.method === 'POST') {
    const read = await readPageForm(astro, formLimitsFor(kind));
    if (!read.ok) errors = read.errors;
    else {
      values = { ...typedValues(read.form), areas: read.form.getAll('areas').map(String) };
      const checked = await checkItemForm(kind, read.form, editor, null);
      if (checked.ok) {
        const created = await createItem(editor, kind, checked.data, Date.now());
        if (created.ok) return seeOther(`/staff/publishing/${created.id}?saved=1`);
      } else errors = checked.errors;
      refuseForm(astro);
    }
  }
  return { kind, label: KIND_LABELS[kind], errors, values, areas: areaChoices(editor) };
}

/** A publish time from the schedule form's date and time ("27/3/2026", "09:30"), in London time. */
function parseScheduleTime(dayText: string, timeText: string): number | null {
  const day = parseDay(dayText);
  const t = /^(\d{1,2})[:.](\d{2})$/.exec(timeText.trim());
  if (!day || !t || Number(t[1]) > 23 || Number(t[2]) > 59) return null;
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return londonTime(y, m, d, Number(t[1]) + Number(t[2]) / 60);
}

/** The item page: edit form (save), workflow actions, preview, versions with a diff, and history. */
export async function handleEditItem(astro: AstroGlobal) {
  const editor = editorOf(astro);
  const id = astro.params.id ?? '';
  let item = await findItemFor(editor, id);
  if (!item) return { response: await notFound(astro) };
  let errors: FieldError[] = [];
  let values: Record<string, string | string[]> | null = null;
  let scheduleValues = { publishDate: '', publishTime: '' };
  let confirmingUnpublish = false;
  let confirmingDelete = false;
  if (astro.request.method === 'POST') {
    const read = await readPageForm(astro, formLimitsFor(item.kind));
    if (!read.ok) errors = read.errors;
    else {
      const intent = read.form.get('intent');
      const now = Date.now();
      if (intent === 'save') {
        values = { ...typedValues(read.form), areas: read.form.getAll('areas').map(String) };
        const versions = await listVersions(item.id);
        const checked = await checkItemForm(item.kind, read.form, editor, versions.at(-1)?.data ?? null);
        if (checked.ok) {
          const saved = await saveItem(editor, item.id, item.kind, checked.data, Number(read.form.get('basedOn')), now);
          if (saved.ok) return seeOther(`/staff/publishing/${item.id}?saved=1`);
          errors = [fieldError('title', saved.message)];
        } else errors = checked.errors;
      } else if (intent === 'restore') {
        const version = String(read.form.get('version') ?? '');
        const basedOn = String(read.form.get('basedOn') ?? '');
        const restored = /^\d{1,9}$/.test(version) && /^\d{1,9}$/.test(basedOn) ? await restoreVersion(editor, item.id, Number(version), Number(basedOn), now) : { ok: false as const, message: 'Choose an earlier version to restore' };
        if (restored.ok) return seeOther(`/staff/publishing/${item.id}?saved=1`);
        errors = [fieldError('versions', restored.message, 'versions')];
      } else if (intent === 'delete') {
        // Deleting asks first, as unpublishing does; an item that has been public is never deleted, only unpublished.
        const basedOn = String(read.form.get('basedOn') ?? '');
        if (!canDeleteItem(item, await listEvents(item.id))) errors = [fieldError('delete', DELETE_PUBLISHED)];
        else if (isStale(basedOn, item)) errors = [fieldError('delete', staleMessage(item, 'Nothing was deleted'))];
        else if (read.form.get('confirm') !== 'yes') confirmingDelete = true;
        else {
          const deleted = /^\d{1,9}$/.test(basedOn) ? await deleteItem(editor, item.id, Number(basedOn), now) : { ok: false as const, message: 'Nothing was deleted. Open the item again and try again.' };
          if (deleted.ok) {
            await removeContentImages(deleted.images);
            return seeOther('/staff/publishing?deleted=1');
          }
          errors = [fieldError('delete', deleted.message)];
        }
      } else if (intent === 'action' && (WORKFLOW_ACTIONS as readonly string[]).includes(String(read.form.get('action')))) {
        const action = String(read.form.get('action')) as WorkflowAction;
        let publishAt: number | undefined;
        if (action === 'schedule') {
          scheduleValues = { publishDate: String(read.form.get('publishDate') ?? ''), publishTime: String(read.form.get('publishTime') ?? '') };
          publishAt = parseScheduleTime(scheduleValues.publishDate, scheduleValues.publishTime) ?? undefined;
        }
        // Taking an item off the site asks first (no JavaScript: the second press, with confirm=yes, does it), and
        // never from a page of an older version: the question would be about a version this editor has not seen.
        if (action === 'unpublish' && read.form.get('confirm') !== 'yes') {
          if (isStale(String(read.form.get('basedOn') ?? ''), item)) errors = [fieldError('actions', staleMessage(item, 'Nothing was done'))];
          else confirmingUnpublish = true;
        }
        else if (action === 'schedule' && publishAt === undefined) errors = [fieldError('publishDate', 'Enter the publish date and time, for example 27/3/2026 and 09:30')];
        else {
          // The version the page showed (every workflow form sends it): a version saved since is refused, not acted on unseen.
          const basedOn = read.form.get('basedOn');
          const done = await actOnItem(editor, item.id, action, now, publishAt, typeof basedOn === 'string' && /^\d{1,9}$/.test(basedOn) ? Number(basedOn) : undefined);
          if (done.ok) return seeOther(`/staff/publishing/${item.id}?done=${action}`);
          errors = [fieldError(action === 'schedule' ? 'publishDate' : 'actions', done.message)];
        }
      } else errors = unreadableForm();
      if (!confirmingUnpublish && !confirmingDelete) refuseForm(astro);
      // Deleted meanwhile (a second press of "Yes, delete it", or another editor): the list says it is gone.
      const again = await findItemFor(editor, id);
      if (!again) return seeOther('/staff/publishing?deleted=1');
      item = again;
    }
  }
  return { ...(await itemView(item, astro.url.searchParams)), errors, values, scheduleValues, confirmingUnpublish, confirmingDelete, areas: areaChoices(editor), saved: astro.url.searchParams.has('saved'), done: astro.url.searchParams.get('done') };
}

/** True when a form's version (basedOn, when it sent one) is older than the item's: someone saved since its page was shown. */
function isStale(basedOn: string, item: ContentItem): boolean {
  return /^\d{1,9}$/.test(basedOn) && Number(basedOn) !== item.currentVersion;
}

/** The refusal of a change asked from a page of an older version. */
function staleMessage(item: ContentItem, outcome: string): string {
  return `Someone else saved version ${item.currentVersion} since you opened this page. ${outcome}; check the latest version below and try again.`;
}

/** Remove a deleted item's image files (after its rows are gone; a file left behind is logged, never served). */
async function removeContentImages(keys: readonly string[]): Promise<void> {
  for (const key of keys) {
    await deletePhoto(contentImageDir(), key).catch((error: unknown) => log.warn('content.image_not_removed', { key, error: String(error) }));
  }
}

/** What the item page shows about an item: current data, actions, versions, the chosen diff and history. */
async function itemView(item: ContentItem, params: URLSearchParams) {
  const versions = await listVersions(item.id);
  const events = await listEvents(item.id);
  const current = versions.find((v) => v.version === item.currentVersion)!;
  const from = Number(params.get('from'));
  const to = Number(params.get('to'));
  const a = versions.find((v) => v.version === from);
  const b = versions.find((v) => v.version === to);
  return {
    item,
    kindLabel: KIND_LABELS[item.kind],
    statusLabel: STATUS_LABELS[item.status],
    publishAtWords: item.publishAt ? formatDateTime(item.publishAt) : null,
    current: current.data,
    formValues: formValuesOf(item.kind, current.data),
    actions: allowedActions(item.status).map((action) => ({ action, label: ACTION_LABELS[action] })),
    versions: versions.map((v) => ({ version: v.version, author: v.authorName, when: formatDateTime(v.createdAt), published: v.version === item.publishedVersion })).reverse(),
    diff: a && b ? { from: a.version, to: b.version, fields: diffVersions(a.data, b.data) } : null,
    deletable: canDeleteItem(item, events),
    history: events.map((e) => ({ what: ACTION_PAST[e.action as keyof typeof ACTION_PAST] ?? e.action, who: e.actorName, when: formatDateTime(e.at), version: e.version, publishAt: e.publishAt ? formatDateTime(e.publishAt) : null })).reverse(),
  };
}

/** Items on a page of the console's list. */
const ITEMS_PER_PAGE = 50;

/** The console's list: a page of the editor's items with their kind, state and last change, and the page links. */
export async function loadPublishingList(astro: AstroGlobal) {
  const editor = editorOf(astro);
  const asked = pageNumber(astro.url.searchParams.get('page'));
  let listed = await listEditorItems(editor, { offset: (asked - 1) * ITEMS_PER_PAGE, limit: ITEMS_PER_PAGE });
  const { page, pages, start } = pageOf(listed.total, String(asked), ITEMS_PER_PAGE);
  // A page past the end shows the last page.
  if (page !== asked) listed = await listEditorItems(editor, { offset: start, limit: ITEMS_PER_PAGE });
  return {
    kinds: CONTENT_KINDS.map((k) => ({ kind: k, label: KIND_LABELS[k] })),
    rows: listed.items.map((i) => ({ id: i.id, title: i.title, kind: KIND_LABELS[i.kind], status: STATUS_LABELS[i.status], changed: formatDateTime(i.updatedAt), pending: i.publishedVersion !== null && i.publishedVersion !== i.currentVersion })),
    total: listed.total,
    pagination: paginationLinks(page, pages, (n) => `/staff/publishing${n > 1 ? `?page=${n}` : ''}`),
    deleted: astro.url.searchParams.get('deleted') === '1',
  };
}

