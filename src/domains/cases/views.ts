/** Saved queue views per user, settings for case actions, and the CSV export of a filtered queue. */
import { and, asc, eq, inArray } from 'drizzle-orm';
import { auditStatement } from '../../platform/audit.ts';
import { csvStream, csvStreamText, type CsvRow, type CsvValue } from '../../platform/csv.ts';
import { getDatabase, getDb, toStatement } from '../../platform/db/client.ts';
import { reporters, cases, savedViews } from '../../platform/db/schema.ts';
import { newId } from '../../platform/security/ids.ts';
import { getConfig, getRuntime } from '../../server/runtime.ts';
import type { ActionSettings, StaffActor } from './actions.ts';
import { listQueue, QUEUE_KEYS, type QueueFilter, type QueuePage, type QueueRow, type QueueSort } from './queue.ts';
import { caseScope, hasPermission } from './policy.ts';
import { STATUS_LABELS, type CaseStatus } from './workflow.ts';

/** Action settings from the running configuration. */
export function actionSettings(): ActionSettings {
  const config = getConfig();
  return { targets: config.targets, reopenWindowDays: config.partnership.reopenWindowDays, partnership: config.partnership.name, publicUrl: getRuntime().env.PUBLIC_URL };
}

/** A user's saved views, by name. */
export function listSavedViews(userId: string) {
  return getDb().select().from(savedViews).where(eq(savedViews.userId, userId)).orderBy(asc(savedViews.name));
}

/** Save the current filters under a name (only queue keys are kept). */
export async function saveView(userId: string, name: string, query: string, now = Date.now()): Promise<{ ok: true } | { ok: false; message: string }> {
  const clean = name.trim().replace(/\s+/g, ' ');
  if (!clean) return { ok: false, message: 'Enter a name for the view' };
  if (clean.length > MAX_VIEW_NAME) return { ok: false, message: `The view name must be ${MAX_VIEW_NAME} characters or fewer` };
  const params = new URLSearchParams(query);
  const kept = new URLSearchParams([...params].filter(([k]) => QUEUE_KEYS.includes(k)));
  // Read, decide, write in one transaction: two views of one name could not be told apart in the list.
  return getDatabase().writer.transaction(async (tx) => {
    const mine = await tx.db.select({ name: savedViews.name }).from(savedViews).where(eq(savedViews.userId, userId));
    if (mine.some((v) => v.name.toLowerCase() === clean.toLowerCase())) return { ok: false, message: `You already have a view called “${clean}”: choose another name` };
    await tx.batch([toStatement(getDb().insert(savedViews).values({ id: newId(now), userId, name: clean, query: kept.toString(), createdAt: now }))]);
    return { ok: true } as const;
  });
}

/** The longest name of a saved view. */
export const MAX_VIEW_NAME = 60;

/** Delete one of the user's saved views. */
export async function deleteView(userId: string, viewId: string) {
  await getDatabase().writer.batch([toStatement(getDb().delete(savedViews).where(and(eq(savedViews.id, viewId), eq(savedViews.userId, userId))))]);
}

/** How many cases the queue export reads from the database at a time (one CSV chunk each). */
export const EXPORT_PAGE_SIZE = 500;
/** The most cases one export holds. */
export const EXPORT_MAX_ROWS = 100_000;

const QUEUE_CSV_HEADER = ['reference', 'received', 'kind', 'category', 'district', 'ward', 'priority', 'status', 'channel', 'owner', 'team', 'next_due', 'flags', 'tags', 'incident'];
const PII_CSV_HEADER = ['reporter_name', 'reporter_email', 'reporter_phone'];

/** An instant as ISO 8601 UTC for a CSV cell, or empty. */
function isoCell(ms: number | null): string {
  return ms ? new Date(ms).toISOString() : '';
}

/** One queue row as CSV cells, with the reporter's details appended when given. */
function queueCsvRow(r: QueueRow, reporter?: { name: string | null; email: string | null; phone: string | null }): CsvRow {
  const cells: CsvValue[] = [r.ref, isoCell(r.receivedAt), r.kind, r.categoryId, r.districtId, r.wardId, r.priority, STATUS_LABELS[r.status as CaseStatus] ?? r.status, r.channel, r.ownerName, r.team, isoCell(r.nextDueAt), r.flags.join(' '), r.tags.join(' '), r.incidentId];
  if (reporter) cells.push(reporter.name, reporter.email, reporter.phone);
  return cells;
}

/** Reporter details for a page of cases, by case id (one query per page). */
async function reportersOf(caseIds: string[]): Promise<Map<string, { name: string | null; email: string | null; phone: string | null }>> {
  if (caseIds.length === 0) return new Map();
  const rows = await getDb().select({ id: cases.id, name: reporters.name, email: reporters.email, phone: reporters.phoneE164 }).from(cases).leftJoin(reporters, eq(reporters.id, cases.reporterId)).where(inArray(cases.id, caseIds));
  return new Map(rows.map((r) => [r.id, { name: r.name, email: r.email, phone: r.phone }]));
}

/** The matching cases as pages of CSV rows, read from the database a page at a time. */
async function* queueCsvPages(filter: QueueFilter, sort: QueueSort, withPii: boolean, now: number, pageSize: number): AsyncGenerator<CsvRow[]> {
  let cursor: string | null = null;
  let seen = 0;
  do {
    const page: QueuePage = await listQueue(filter, sort, cursor, now, pageSize);
    const rows = page.rows.slice(0, EXPORT_MAX_ROWS - seen);
    seen += rows.length;
    const details = withPii ? await reportersOf(rows.map((r) => r.id)) : null;
    yield rows.map((r) => queueCsvRow(r, details ? (details.get(r.id) ?? { name: null, email: null, phone: null }) : undefined));
    cursor = seen < EXPORT_MAX_ROWS ? page.next : null;
  } while (cursor);
}

/**
 * The queue export as a CSV stream of every case matching the filter, a page at a time; reporter columns
 * only with pii.export. The export is audited (pii.export or queue.export) before any row is read.
 */
export async function streamQueueCsv(filter: QueueFilter, sort: QueueSort, actor: StaffActor, now = Date.now(), pageSize = EXPORT_PAGE_SIZE): Promise<ReadableStream<Uint8Array>> {
  filter = { ...filter, scope: caseScope(actor) };
  const withPii = hasPermission(actor, 'pii.export');
  await getDatabase().writer.batch([auditStatement({ kind: 'user', id: actor.id, ip: actor.ip ?? null }, withPii ? 'pii.export' : 'queue.export', null, { filter, sort }, now)]);
  return csvStream(withPii ? [...QUEUE_CSV_HEADER, ...PII_CSV_HEADER] : QUEUE_CSV_HEADER, queueCsvPages(filter, sort, withPii, now, pageSize));
}

/** The queue export as one string (small exports and tests); see streamQueueCsv. */
export async function exportQueueCsv(filter: QueueFilter, sort: QueueSort, actor: StaffActor, now = Date.now()): Promise<string> {
  return csvStreamText(await streamQueueCsv(filter, sort, actor, now));
}
