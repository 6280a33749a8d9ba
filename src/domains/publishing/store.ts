/**
 * Content items in the database: create and save (each save a new numbered version, with who and when), move
 * through the workflow, list for the editor (scoped to their district when their role binds one) and read what
 * the public sees. Every change that alters what the public sees bumps the content generation in one write with
 * the change, so page caches in every process sharing the database know to refresh.
 */
import { and, asc, count, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { InStatement } from '@libsql/client';
import { auditStatement } from '../../platform/audit.ts';
import { getDatabase, getDb, toStatement } from '../../platform/db/client.ts';
import { insertRow } from '../../platform/db/insert.ts';
import { contentEvents, contentItems, contentVersions } from '../../platform/db/schema.ts';
import { newId } from '../../platform/security/ids.ts';
import { slugify, type ContentData, type ContentKind } from './content.ts';
import { applyWorkflow, isPublic, type WorkflowAction } from './workflow.ts';

/** A stored content item (the workflow row). */
export type ContentItem = typeof contentItems.$inferSelect;
/** A stored version. */
export type ContentVersion = typeof contentVersions.$inferSelect;

/** Who is editing: a partnership editor (districtId null), or an editor bound to one district. */
export interface Editor {
  id: string;
  name: string;
  districtId: string | null;
  bindsDistrict: boolean;
  ip?: string | null;
}

/** The answer to a change. */
export type ChangeResult = { ok: true; id: string; version: number } | { ok: false; message: string; field?: string };

/** The same answer for an item that does not exist and one outside the editor's district. */
export const NO_SUCH_ITEM = 'There is no item with that id';

/** True when the editor may change the item: a partnership editor any, a district editor only their district's. */
export function canEditItem(editor: Editor, item: { districtId: string | null }): boolean {
  return !editor.bindsDistrict || (editor.districtId !== null && item.districtId === editor.districtId);
}

/** The statement that adds one to the content generation (the cache key of public pages). */
export function bumpGenerationStatement(): InStatement {
  return { sql: "INSERT INTO meta (key, value) VALUES ('content_generation', '1') ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1", args: [] };
}

/** The content generation and the earliest pending scheduled publish time, in one cheap read. */
export async function readGeneration(): Promise<{ generation: number; nextPublishAt: number | null }> {
  const rs = await getDatabase().client.execute(
    "SELECT (SELECT value FROM meta WHERE key = 'content_generation') AS g, (SELECT MIN(publish_at) FROM content_items WHERE status = 'scheduled') AS n",
  );
  const row = rs.rows[0];
  return { generation: Number(row?.g ?? 0), nextPublishAt: row?.n === null || row?.n === undefined ? null : Number(row.n) };
}

/** A slug for a title that no other item of the kind has. */
async function freeSlug(kind: ContentKind, title: string): Promise<string> {
  const base = slugify(title);
  const taken = new Set((await getDb().select({ slug: contentItems.slug }).from(contentItems).where(and(eq(contentItems.kind, kind), sql`${contentItems.slug} LIKE ${base + '%'}`))).map((r) => r.slug));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

/** Create an item as a draft with its first version; a district editor's item belongs to their district. */
export async function createItem<K extends ContentKind>(editor: Editor, kind: K, data: ContentData[K], now: number, districtId: string | null = null): Promise<ChangeResult> {
  return getDatabase().writer.transaction(async (tx) => {
    const id = newId(now);
    const slug = await freeSlug(kind, data.title);
    const district = editor.bindsDistrict ? editor.districtId : districtId;
    await tx.batch([
      insertRow(contentItems, { id, kind, slug, districtId: district, status: 'draft', currentVersion: 1, publishedVersion: null, publishAt: null, createdAt: now, updatedAt: now }),
      insertRow(contentVersions, { itemId: id, version: 1, data: data as unknown as Record<string, unknown>, authorId: editor.id, authorName: editor.name, createdAt: now }),
      insertRow(contentEvents, { id: newId(now), itemId: id, action: 'create', version: 1, actorName: editor.name, at: now, publishAt: null }),
      auditStatement({ kind: 'user', id: editor.id, ip: editor.ip }, 'content.create', { kind: 'content', id }, { kind }, now),
    ]);
    return { ok: true, id, version: 1 } as const;
  });
}

/** The item with this id if the editor may change it. */
export async function findItemFor(editor: Editor, id: string): Promise<ContentItem | null> {
  const [item] = await getDb().select().from(contentItems).where(eq(contentItems.id, id));
  return item && canEditItem(editor, item) ? item : null;
}

/** Save new content for an item: a new version; what the public sees changes only when it is published again. */
export async function saveItem<K extends ContentKind>(editor: Editor, id: string, kind: K, data: ContentData[K], basedOn: number, now: number): Promise<ChangeResult> {
  return getDatabase().writer.transaction(async (tx) => {
    const item = await findItemFor(editor, id);
    if (!item || item.kind !== kind) return { ok: false, message: NO_SUCH_ITEM };
    if (item.currentVersion !== basedOn) return { ok: false, message: 'Someone else saved this item while you were editing it. Your changes were not saved; check the latest version and try again.' };
    const version = item.currentVersion + 1;
    await tx.batch([
      toStatement(getDb().update(contentItems).set({ currentVersion: version, updatedAt: now }).where(eq(contentItems.id, id))),
      insertRow(contentVersions, { itemId: id, version, data: data as unknown as Record<string, unknown>, authorId: editor.id, authorName: editor.name, createdAt: now }),
      insertRow(contentEvents, { id: newId(now), itemId: id, action: 'save', version, actorName: editor.name, at: now, publishAt: null }),
      auditStatement({ kind: 'user', id: editor.id, ip: editor.ip }, 'content.save', { kind: 'content', id }, { version }, now),
    ]);
    return { ok: true, id, version } as const;
  });
}

/**
 * Restore an earlier version: its content saved again as a new version, so nothing is lost and the history shows it;
 * what the public sees changes only when the item is published again.
 */
export async function restoreVersion(editor: Editor, id: string, version: number, basedOn: number, now: number): Promise<ChangeResult> {
  return getDatabase().writer.transaction(async (tx) => {
    const item = await findItemFor(editor, id);
    if (!item) return { ok: false, message: NO_SUCH_ITEM };
    if (item.currentVersion !== basedOn) return { ok: false, message: `Someone else saved version ${item.currentVersion} since you opened this page. Nothing was restored; check the versions below and try again.` };
    const [earlier] = await tx.db.select({ data: contentVersions.data }).from(contentVersions).where(and(eq(contentVersions.itemId, id), eq(contentVersions.version, version)));
    if (!earlier || version === item.currentVersion) return { ok: false, message: 'Choose an earlier version to restore' };
    const next = item.currentVersion + 1;
    await tx.batch([
      toStatement(getDb().update(contentItems).set({ currentVersion: next, updatedAt: now }).where(eq(contentItems.id, id))),
      insertRow(contentVersions, { itemId: id, version: next, data: earlier.data, authorId: editor.id, authorName: editor.name, createdAt: now }),
      insertRow(contentEvents, { id: newId(now), itemId: id, action: 'restore', version: next, actorName: editor.name, at: now, publishAt: null }),
      auditStatement({ kind: 'user', id: editor.id, ip: editor.ip }, 'content.restore', { kind: 'content', id }, { version: next, restored: version }, now),
    ]);
    return { ok: true, id, version: next } as const;
  });
}

/** Move an item through the workflow (publish, schedule at publishAt, unpublish...); bumps the content generation. */
export async function actOnItem(editor: Editor, id: string, action: WorkflowAction, now: number, publishAt?: number, basedOn?: number): Promise<ChangeResult> {
  return getDatabase().writer.transaction(async (tx) => {
    const item = await findItemFor(editor, id);
    if (!item) return { ok: false, message: NO_SUCH_ITEM };
    // A workflow button acts on the version its page showed: a version saved since then has not been seen by this editor.
    if (basedOn !== undefined && item.currentVersion !== basedOn) {
      return { ok: false, message: `Someone else saved version ${item.currentVersion} since you opened this page. Nothing was done; check the latest version below and try again.` };
    }
    const next = applyWorkflow(item, action, now, publishAt);
    if (!next.ok) return { ok: false, message: next.message, field: action === 'schedule' ? 'publishAt' : undefined };
    const set: Partial<ContentItem> = { status: next.status, updatedAt: now };
    if (next.publishedVersion !== undefined) set.publishedVersion = next.publishedVersion;
    if (next.publishAt !== undefined) set.publishAt = next.publishAt;
    await tx.batch([
      toStatement(getDb().update(contentItems).set(set).where(eq(contentItems.id, id))),
      insertRow(contentEvents, { id: newId(now), itemId: id, action, version: item.currentVersion, actorName: editor.name, at: now, publishAt: next.publishAt ?? null }),
      auditStatement({ kind: 'user', id: editor.id, ip: editor.ip }, `content.${action}`, { kind: 'content', id }, { version: item.currentVersion }, now),
      bumpGenerationStatement(),
    ]);
    return { ok: true, id, version: item.currentVersion } as const;
  });
}

/** The answer to a delete: the item's title and the image keys its versions held (for the caller to remove), or why not. */
export type DeleteResult = { ok: true; title: string; images: string[] } | { ok: false; message: string };

/** Why an item that has been published or scheduled cannot be deleted. */
export const DELETE_PUBLISHED = 'This item has been published or scheduled, so it cannot be deleted. Unpublish it to take it off the public site; its versions and history are kept.';

/** True when an item may be deleted: its history has no publish or schedule (a draft or one in review, never public). */
export function canDeleteItem(item: { publishedVersion: number | null }, history: readonly { action: string }[]): boolean {
  return item.publishedVersion === null && !history.some((e) => e.action === 'publish' || e.action === 'schedule');
}

/**
 * Delete an item that has never been published or scheduled (a draft started by mistake) with its versions and
 * history, in one write; the audit log keeps who deleted what. An item that has been public is unpublished instead,
 * so what the public saw stays on record. Refused from a stale page, like every other change.
 */
export async function deleteItem(editor: Editor, id: string, basedOn: number, now: number): Promise<DeleteResult> {
  return getDatabase().writer.transaction(async (tx) => {
    const item = await findItemFor(editor, id);
    if (!item) return { ok: false, message: NO_SUCH_ITEM };
    if (item.currentVersion !== basedOn) return { ok: false, message: `Someone else saved version ${item.currentVersion} since you opened this page. Nothing was deleted; check the latest version below and try again.` };
    const history = await tx.db.select({ action: contentEvents.action }).from(contentEvents).where(eq(contentEvents.itemId, id));
    if (!canDeleteItem(item, history)) return { ok: false, message: DELETE_PUBLISHED };
    const versions = await tx.db.select({ version: contentVersions.version, data: contentVersions.data }).from(contentVersions).where(eq(contentVersions.itemId, id)).orderBy(asc(contentVersions.version));
    const title = String(versions.at(-1)?.data.title ?? '');
    const images = [...new Set(versions.map((v) => (v.data.image as { key?: unknown } | undefined)?.key).filter((k): k is string => typeof k === 'string'))];
    await tx.batch([
      toStatement(getDb().delete(contentEvents).where(eq(contentEvents.itemId, id))),
      toStatement(getDb().delete(contentVersions).where(eq(contentVersions.itemId, id))),
      toStatement(getDb().delete(contentItems).where(eq(contentItems.id, id))),
      auditStatement({ kind: 'user', id: editor.id, ip: editor.ip }, 'content.delete', { kind: 'content', id }, { kind: item.kind, title, versions: versions.length }, now),
    ]);
    return { ok: true, title, images } as const;
  });
}

/** Scheduled items whose time has come become published; one write, and the generation moves on. Returns how many. */
export async function publishDueItems(now: number): Promise<number> {
  return getDatabase().writer.transaction(async (tx) => {
    const due = await getDb().select({ id: contentItems.id }).from(contentItems).where(and(eq(contentItems.status, 'scheduled'), lte(contentItems.publishAt, now)));
    if (!due.length) return 0;
    await tx.batch([toStatement(getDb().update(contentItems).set({ status: 'published', updatedAt: now }).where(inArray(contentItems.id, due.map((d) => d.id)))), bumpGenerationStatement()]);
    return due.length;
  });
}

/** A page of the editor's items, newest change first (a district editor sees only their district's), and how many there are. */
export async function listEditorItems(editor: Editor, page: { offset: number; limit: number } = { offset: 0, limit: 1000 }): Promise<{ items: (ContentItem & { title: string })[]; total: number }> {
  const where = editor.bindsDistrict ? eq(contentItems.districtId, editor.districtId ?? '') : undefined;
  const [rows, [counted]] = await Promise.all([
    getDb()
      .select({ item: contentItems, data: contentVersions.data })
      .from(contentItems)
      .innerJoin(contentVersions, and(eq(contentVersions.itemId, contentItems.id), eq(contentVersions.version, contentItems.currentVersion)))
      .where(where)
      .orderBy(desc(contentItems.updatedAt), desc(contentItems.id))
      .limit(page.limit)
      .offset(page.offset),
    getDb().select({ n: count() }).from(contentItems).where(where),
  ]);
  return { items: rows.map((r) => ({ ...r.item, title: String(r.data.title ?? '') })), total: counted?.n ?? 0 };
}

/** Every version of an item, oldest first. */
export function listVersions(id: string): Promise<ContentVersion[]> {
  return getDb().select().from(contentVersions).where(eq(contentVersions.itemId, id)).orderBy(asc(contentVersions.version));
}

/** The workflow history of an item, oldest first. */
export function listEvents(id: string) {
  return getDb().select().from(contentEvents).where(eq(contentEvents.itemId, id)).orderBy(asc(contentEvents.at), asc(contentEvents.id));
}

/** A public item: its row and the data of its published version. */
export interface PublicItem<K extends ContentKind> {
  item: ContentItem;
  data: ContentData[K];
}

/** The items of a kind the public sees at `now`, in no particular order. */
export async function listPublic<K extends ContentKind>(kind: K, now: number): Promise<PublicItem<K>[]> {
  const rows = await getDb()
    .select({ item: contentItems, data: contentVersions.data })
    .from(contentItems)
    .innerJoin(contentVersions, and(eq(contentVersions.itemId, contentItems.id), eq(contentVersions.version, contentItems.publishedVersion)))
    .where(and(eq(contentItems.kind, kind), inArray(contentItems.status, ['published', 'scheduled']), lte(contentItems.publishAt, now)));
  return rows.filter((r) => isPublic(r.item, now)).map((r) => ({ item: r.item, data: r.data as unknown as ContentData[K] }));
}

/** The condition that a version's image is the one with this key. */
function imageIs(key: string) {
  return sql`json_extract(${contentVersions.data}, '$.image.key') = ${key}`;
}

/** True when the public may see a content image at `now`: it is the image of a version the public sees. */
export async function isPublicImage(key: string, now: number): Promise<boolean> {
  const rows = await getDb()
    .select({ item: contentItems })
    .from(contentItems)
    .innerJoin(contentVersions, and(eq(contentVersions.itemId, contentItems.id), eq(contentVersions.version, contentItems.publishedVersion)))
    .where(and(inArray(contentItems.status, ['published', 'scheduled']), lte(contentItems.publishAt, now), imageIs(key)));
  return rows.some((r) => isPublic(r.item, now));
}

/** True when an editor may see a content image: the image of any version (a draft's, an old one) of an item they may edit. */
export async function isEditorImage(editor: Editor, key: string): Promise<boolean> {
  const rows = await getDb()
    .select({ districtId: contentItems.districtId })
    .from(contentVersions)
    .innerJoin(contentItems, eq(contentItems.id, contentVersions.itemId))
    .where(imageIs(key));
  return rows.some((r) => canEditItem(editor, r));
}

/** The public item of a kind with this slug, or null when there is none the public may see at `now`. */
export async function findPublic<K extends ContentKind>(kind: K, slug: string, now: number): Promise<PublicItem<K> | null> {
  const [row] = await getDb()
    .select({ item: contentItems, data: contentVersions.data })
    .from(contentItems)
    .innerJoin(contentVersions, and(eq(contentVersions.itemId, contentItems.id), eq(contentVersions.version, contentItems.publishedVersion)))
    .where(and(eq(contentItems.kind, kind), eq(contentItems.slug, slug)));
  return row && isPublic(row.item, now) ? { item: row.item, data: row.data as unknown as ContentData[K] } : null;
}
