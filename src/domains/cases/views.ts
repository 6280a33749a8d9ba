/** Saved queue views per user, settings for case actions, and the CSV export of a filtered queue. */
import { and, asc, eq } from 'drizzle-orm';
import { auditStatement } from '../../platform/audit.ts';
import { getDatabase, getDb, toStatement } from '../../platform/db/client.ts';
import { reporters, cases, savedViews } from '../../platform/db/schema.ts';
import { newId } from '../../platform/security/ids.ts';
import { getConfig, getRuntime } from '../../server/runtime.ts';
import type { ActionSettings, StaffActor } from './actions.ts';
import { allQueueRows, QUEUE_KEYS, type QueueFilter, type QueueSort } from './queue.ts';
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
  const clean = name.trim().slice(0, 60);
  if (!clean) return { ok: false, message: 'Enter a name for the view' };
  const params = new URLSearchParams(query);
  const kept = new URLSearchParams([...params].filter(([k]) => QUEUE_KEYS.includes(k)));
  await getDatabase().writer.batch([toStatement(getDb().insert(savedViews).values({ id: newId(now), userId, name: clean, query: kept.toString(), createdAt: now }))]);
  return { ok: true };
}

/** Delete one of the user's saved views. */
export async function deleteView(userId: string, viewId: string) {
  await getDatabase().writer.batch([toStatement(getDb().delete(savedViews).where(and(eq(savedViews.id, viewId), eq(savedViews.userId, userId))))]);
}

function csvCell(v: unknown): string {
  let s = v == null ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`; // no formula injection in spreadsheets
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV of every case matching the filter within the actor's scope; reporter columns only with pii.export, and then audited. */
export async function exportQueueCsv(filter: QueueFilter, sort: QueueSort, actor: StaffActor, now = Date.now()): Promise<string> {
  filter = { ...filter, scope: caseScope(actor) };
  const withPii = hasPermission(actor, 'pii.export');
  const iso = (ms: number | null) => (ms ? new Date(ms).toISOString() : '');
  const header = ['reference', 'received', 'kind', 'category', 'district', 'ward', 'priority', 'status', 'channel', 'owner', 'team', 'next_due', 'flags', 'tags', 'incident'];
  if (withPii) header.push('reporter_name', 'reporter_email', 'reporter_phone');
  const lines = [header.join(',')];
  let count = 0;
  for await (const r of allQueueRows(filter, sort, now)) {
    const cells: unknown[] = [r.ref, iso(r.receivedAt), r.kind, r.categoryId, r.districtId, r.wardId, r.priority, STATUS_LABELS[r.status as CaseStatus] ?? r.status, r.channel, r.ownerName, r.team, iso(r.nextDueAt), r.flags.join(' '), r.tags.join(' '), r.incidentId];
    if (withPii) {
      const [p] = await getDb().select({ name: reporters.name, email: reporters.email, phone: reporters.phoneE164 }).from(cases).leftJoin(reporters, eq(reporters.id, cases.reporterId)).where(eq(cases.id, r.id));
      cells.push(p?.name, p?.email, p?.phone);
    }
    lines.push(cells.map(csvCell).join(','));
    count++;
  }
  await getDatabase().writer.batch([auditStatement({ kind: 'user', id: actor.id, ip: actor.ip ?? null }, withPii ? 'pii.export' : 'queue.export', null, { filter, rows: count }, now)]);
  return lines.join('\r\n') + '\r\n';
}
