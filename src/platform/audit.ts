/** Audit records for things outside a case timeline (sign-ins, admin changes, personal data views). */
import type { InStatement } from '@libsql/client';
import { getDatabase } from './db/client.ts';
import { insertRow } from './db/insert.ts';
import { auditEvents } from './db/schema.ts';
import { newId } from './security/ids.ts';

/** Who did something and from where. */
export interface Actor {
  kind: 'public' | 'user' | 'system';
  id?: string | null;
  ip?: string | null;
}

/** The statement that records one audit event; batch it with the change it describes. */
export function auditStatement(actor: Actor, action: string, subject?: { kind: string; id: string } | null, data?: Record<string, unknown>, now = Date.now()): InStatement {
  return insertRow(auditEvents, {
      id: newId(now),
      at: now,
      actorKind: actor.kind,
      actorId: actor.id ?? null,
      action,
      subjectKind: subject?.kind ?? null,
      subjectId: subject?.id ?? null,
      ip: actor.ip ?? null,
      data: data ?? null,
    });
}

/** Record one audit event on its own. */
export async function recordAudit(actor: Actor, action: string, subject?: { kind: string; id: string } | null, data?: Record<string, unknown>) {
  await getDatabase().writer.batch([auditStatement(actor, action, subject, data)]);
}
