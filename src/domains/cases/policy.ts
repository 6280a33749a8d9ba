/**
 * The case policy: small pure functions that decide on the user AND the case, not on the role alone.
 *   - A partner officer (role bindsAgency) sees only cases referred to their own agency. (The referrals issue will
 *     move this to referral records.)
 *   - A user whose role bindsDistrict sees and acts only on cases of their district (users.district_id).
 *   - Everyone else sees by role: case.read.all to open cases, the action's own permission to act.
 *   - A user with a district team (user_districts) sees only the cases of those districts, whatever their role
 *     (a district officer's own district counts as one of them; a partner officer's list narrows to them too).
 *     A user with no team and no district binding is county-wide.
 * A bound user with no agency or district on record sees nothing (fail closed).
 * Lists (queue, counts, CSV, call look-ups) filter with caseScope(user); single records go through canViewCase or
 * canActOnCase, and a case outside the scope answers as if it did not exist.
 */
import { and, eq, inArray, isNotNull, sql, type SQL } from 'drizzle-orm';
import { cases } from '../../platform/db/schema.ts';
import type { Permission } from '../identity/roles.ts';
import type { PolicySubject } from '../identity/types.ts';

/** Which cases a user may see at all, whatever the action. */
export type CaseScope = { kind: 'all' } | { kind: 'agency'; agencyId: string; districtIds: string[] } | { kind: 'district'; districtIds: string[] } | { kind: 'none' };

/** The fields of a case the policy reads. */
export interface ScopedCase {
  districtId: string | null;
  referredAgencyId: string | null;
}

/** True when the subject holds the permission (by role). */
export function hasPermission(user: PolicySubject, permission: Permission): boolean {
  return user.permissions.includes(permission);
}

/** The districts a user is bound to: the role's own district and their district team; none means county-wide. */
export function districtsOf(user: PolicySubject): string[] {
  const own = user.bindsDistrict && user.districtId ? [user.districtId] : [];
  return [...new Set([...own, ...(user.teamDistricts ?? [])])];
}

/** True when the case's district is one the user is bound to, or the user is county-wide. */
export function isInDistrictTeam(user: PolicySubject, row: Pick<ScopedCase, 'districtId'>): boolean {
  const districts = districtsOf(user);
  return districts.length === 0 || (!!row.districtId && districts.includes(row.districtId));
}

/** The cases a user may see: their agency's referrals, their districts, everything, or nothing. */
export function caseScope(user: PolicySubject): CaseScope {
  const districtIds = districtsOf(user);
  if (user.bindsAgency) return user.agencyId ? { kind: 'agency', agencyId: user.agencyId, districtIds } : { kind: 'none' };
  if (user.bindsDistrict && !user.districtId) return { kind: 'none' };
  return districtIds.length ? { kind: 'district', districtIds } : { kind: 'all' };
}

/** True when the case lies inside the scope. */
export function isCaseInScope(scope: CaseScope, row: ScopedCase): boolean {
  switch (scope.kind) {
    case 'all': return true;
    case 'agency': return row.referredAgencyId === scope.agencyId && (!scope.districtIds.length || (!!row.districtId && scope.districtIds.includes(row.districtId)));
    case 'district': return !!row.districtId && scope.districtIds.includes(row.districtId);
    case 'none': return false;
  }
}

/** True when the user may open the case: case.read.all (or referral.partner for their agency's referrals) and in scope. */
export function canViewCase(user: PolicySubject, row: ScopedCase): boolean {
  const byRole = hasPermission(user, 'case.read.all') || (!!user.bindsAgency && hasPermission(user, 'referral.partner'));
  return byRole && isCaseInScope(caseScope(user), row);
}

/** True when the user holds the permission and the case is in their scope. */
export function canActOnCase(user: PolicySubject, row: ScopedCase, permission: Permission): boolean {
  return hasPermission(user, permission) && isCaseInScope(caseScope(user), row);
}

/** A raw SQL condition (for the queue's hand-written SQL over `cases c`) that keeps only cases in the scope. */
export function caseScopeSql(scope: CaseScope, alias = 'c'): { clause: string; args: string[] } | null {
  switch (scope.kind) {
    case 'all': return null;
    case 'agency': return scope.districtIds.length
      ? { clause: `${alias}.referred_agency_id = ? AND ${alias}.district_id IN (${scope.districtIds.map(() => '?').join(', ')})`, args: [scope.agencyId, ...scope.districtIds] }
      : { clause: `${alias}.referred_agency_id = ?`, args: [scope.agencyId] };
    case 'district': return { clause: `${alias}.district_id IN (${scope.districtIds.map(() => '?').join(', ')})`, args: scope.districtIds };
    case 'none': return { clause: '0', args: [] };
  }
}

/** A Drizzle condition on the cases table that keeps only cases in the scope (undefined: no limit). */
export function caseScopeCondition(scope: CaseScope): SQL | undefined {
  switch (scope.kind) {
    case 'all': return undefined;
    case 'agency': return and(isNotNull(cases.referredAgencyId), eq(cases.referredAgencyId, scope.agencyId), scope.districtIds.length ? inArray(cases.districtId, scope.districtIds) : undefined);
    case 'district': return inArray(cases.districtId, scope.districtIds);
    case 'none': return sql`0`;
  }
}

/** True when the user may own the case: they can open it and work it (case.update), in their scope. */
export function canOwnCase(user: PolicySubject, row: ScopedCase): boolean {
  return canViewCase(user, row) && canActOnCase(user, row, 'case.update');
}
