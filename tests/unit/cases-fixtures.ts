/** Test helpers for the case modules: insert users, reporters and cases straight through the writer. */
import { getDatabase, toStatement } from '../../src/platform/db/client.ts';
import { cases, reporters, users } from '../../src/platform/db/schema.ts';
import { newId } from '../../src/platform/security/ids.ts';
import { countChangeStatements } from '../../src/domains/insight/counts.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import type { ActionSettings, StaffActor } from '../../src/domains/cases/actions.ts';
import type { Permission } from '../../src/domains/identity/roles.ts';

const config = loadSiteConfig('content');
let counter = 0;

/** Settings for actions, from the demo configuration. */
export const settings: ActionSettings = { targets: config.targets, reopenWindowDays: config.partnership.reopenWindowDays, partnership: config.partnership.name, publicUrl: 'https://saferline.example' };

/** Every triage permission. */
export const TRIAGE_PERMISSIONS: Permission[] = ['case.read.all', 'case.update', 'case.assign', 'case.refer', 'case.close', 'case.reopen', 'case.bulk', 'note.internal.write', 'reply.send', 'pii.view', 'pii.export'];

/** Insert a staff user and return an actor for them. */
export async function insertUser(over: Partial<typeof users.$inferInsert> = {}, permissions: Permission[] = TRIAGE_PERMISSIONS): Promise<StaffActor> {
  const now = Date.now();
  const id = over.id ?? newId(now);
  const n = ++counter;
  await getDatabase().writer.batch([toStatement(getDatabase().db.insert(users).values({ id, email: `officer${n}-${id}@example.org`, name: `Officer ${n}`, role: 'triage_officer', createdAt: now, updatedAt: now, ...over }))]);
  return { id, name: over.name ?? `Officer ${n}`, permissions };
}

/** Insert a reporter. */
export async function insertReporter(over: Partial<typeof reporters.$inferInsert> = {}): Promise<string> {
  const id = newId();
  await getDatabase().writer.batch([toStatement(getDatabase().db.insert(reporters).values({ id, name: 'Sam Resident', email: 'sam@example.org', createdAt: Date.now(), ...over }))]);
  return id;
}

/** Insert a case and return its reference and id. */
export async function insertCase(over: Partial<typeof cases.$inferInsert> = {}): Promise<{ id: string; ref: string }> {
  const now = over.receivedAt ?? Date.now();
  const id = newId(now);
  const ref = over.ref ?? `HM-T${String(++counter).padStart(6, '0')}`;
  const row: typeof cases.$inferInsert = {
    id, ref, status: 'new', statusChangedAt: now, channel: 'web', categoryId: 'noise', priority: 'P4', privacy: 'named',
    description: 'Loud music every night', postcode: 'HM1 1AA', wardId: null, districtId: null, receivedAt: now, updatedAt: now, ...over,
  };
  // The case and its pre-aggregates in one write, as the cases domain writes them.
  await getDatabase().writer.batch([toStatement(getDatabase().db.insert(cases).values(row)), ...countChangeStatements(null, { ...row, kind: row.kind ?? 'report', status: row.status ?? 'new', receivedAt: now })]);
  return { id, ref };
}
