/** Reading the audit log for administrators: newest first, keyset pages, with the actor's and subject's names. */
import { desc, eq, inArray, lt } from 'drizzle-orm';
import { getDatabase } from '../../platform/db/client.ts';
import { auditEvents, users } from '../../platform/db/schema.ts';

/** One audit row as the log page shows it. */
export interface AuditRow {
  id: string;
  at: number;
  action: string;
  actor: string;
  subject: string;
  ip: string | null;
  data: Record<string, unknown> | null;
}

/** A page of audit events older than `before` (an event id), newest first; `next` is the cursor for the following page. */
export async function listAuditEvents(options: { before?: string | null; limit?: number } = {}): Promise<{ rows: AuditRow[]; next: string | null }> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const db = getDatabase().db;
  const q = db.select().from(auditEvents).orderBy(desc(auditEvents.id)).limit(limit + 1);
  const raw = options.before ? await q.where(lt(auditEvents.id, options.before)) : await q;
  const page = raw.slice(0, limit);
  const ids = [...new Set(page.flatMap((r) => [r.actorId, r.subjectKind === 'user' ? r.subjectId : null]).filter((x): x is string => !!x))];
  const people = ids.length ? await db.select({ id: users.id, name: users.name, email: users.email }).from(users).where(inArray(users.id, ids)) : [];
  const name = new Map(people.map((p) => [p.id, `${p.name} (${p.email})`]));
  const rows = page.map((r) => ({
    id: r.id,
    at: r.at,
    action: r.action,
    actor: r.actorKind === 'user' ? (name.get(r.actorId ?? '') ?? r.actorId ?? 'Unknown user') : r.actorKind === 'system' ? 'System' : 'Not signed in',
    subject: r.subjectKind === 'user' ? (name.get(r.subjectId ?? '') ?? r.subjectId ?? '') : r.subjectKind ? `${r.subjectKind} ${r.subjectId}` : '',
    ip: r.ip,
    data: r.data,
  }));
  return { rows, next: raw.length > limit ? page[page.length - 1]!.id : null };
}

/** The audit events about one user, newest first. */
export async function listAuditEventsForUser(userId: string, limit = 20) {
  return getDatabase().db.select().from(auditEvents).where(eq(auditEvents.subjectId, userId)).orderBy(desc(auditEvents.id)).limit(limit);
}
