/**
 * Who a case can be assigned to: active users whose role can work cases (canOwnCase in policy.ts), and, for a
 * district-bound role or a user with a district team, only the cases of those districts. The owner lists on the case page and in bulk actions,
 * and assignCase itself, all use these.
 */
import { eq } from 'drizzle-orm';
import { getDb } from '../../platform/db/client.ts';
import { users } from '../../platform/db/schema.ts';
import { listDistrictTeams } from '../identity/users.ts';
import { findRole } from '../identity/roles.ts';
import type { PolicySubject } from '../identity/types.ts';
import { canOwnCase, type ScopedCase } from './policy.ts';

/** An active user as the owner policy sees them. */
export interface CaseWorker extends PolicySubject {
  id: string;
  name: string;
}

/** A user row as a policy subject, with permissions and bindings from their role and their district team. */
export function workerOf(user: { id: string; name: string; role: string; agencyId: string | null; districtId: string | null }, teamDistricts: string[] = []): CaseWorker {
  const role = findRole(user.role);
  return {
    id: user.id, name: user.name, agencyId: user.agencyId, districtId: user.districtId, teamDistricts,
    permissions: role?.permissions ?? [], bindsAgency: role?.bindsAgency ?? false, bindsDistrict: role?.bindsDistrict ?? false,
  };
}

/** Active users whose role lets them work cases at all, by name. */
export async function listCaseWorkers(): Promise<CaseWorker[]> {
  const rows = await getDb().select({ id: users.id, name: users.name, role: users.role, agencyId: users.agencyId, districtId: users.districtId }).from(users).where(eq(users.active, true));
  const teams = await listDistrictTeams();
  return rows.map((u) => workerOf(u, teams.get(u.id))).filter((w) => w.permissions.includes('case.update')).sort((a, b) => a.name.localeCompare(b.name));
}

/** The workers who may own every one of the cases (one case for the case page; the selection for bulk actions). */
export function ownersForCases(workers: readonly CaseWorker[], rows: readonly ScopedCase[]): CaseWorker[] {
  return workers.filter((w) => rows.every((row) => canOwnCase(w, row)));
}

/** The user if they are active and may own the case, else null. */
export async function findEligibleOwner(userId: string, row: ScopedCase): Promise<CaseWorker | null> {
  const [u] = await getDb().select({ id: users.id, name: users.name, role: users.role, agencyId: users.agencyId, districtId: users.districtId, active: users.active }).from(users).where(eq(users.id, userId));
  if (!u || !u.active) return null;
  const worker = workerOf(u, (await listDistrictTeams([u.id])).get(u.id));
  return canOwnCase(worker, row) ? worker : null;
}
