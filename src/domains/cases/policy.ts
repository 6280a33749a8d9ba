/**
 * The case policy: small pure functions that decide on the user AND the case, not on the role alone.
 *   - A partner officer (role bindsAgency) sees only cases referred to their own agency. (The referrals issue will
 *     move this to referral records.)
 *   - A user whose role bindsDistrict sees and acts only on cases of their district (users.district_id).
 *   - Everyone else sees by role: case.read.all to open cases, the action's own permission to act.
 * A bound user with no agency or district on record sees nothing (fail closed).
 * Lists (queue, counts, CSV, call look-ups) filter with caseScope(user); single records go through canViewCase or
 * canActOnCase, and a case outside the scope answers as if it did not exist.
 */
import { and, eq, isNotNull, sql, type SQL } from 'drizzle-orm';
import { cases } from '../../platform/db/schema.ts';
import type { Permission } from '../identity/roles.ts';
import type { PolicySubject } from '../identity/types.ts';

/** Which cases a user may see at all, whatever the action. */
export type CaseScope = { kind: 'all' } | { kind: 'agency'; agencyId: string } | { kind: 'district'; districtId: string } | { kind: 'none' };

/** The fields of a case the policy reads. */
export interface ScopedCase {
  districtId: string | null;
  referredAgencyId: string | null;
}

/** True when the subject holds the permission (by role). */
export function hasPermission(user: PolicySubject, permission: Permission): boolean {
  return user.permissions.includes(permission);
}

/** The cases a user may see: their agency's referrals, their district, everything, or nothing. */
export function caseScope(user: PolicySubject): CaseScope {
  if (user.bindsAgency) return user.agencyId ? { kind: 'agency', agencyId: user.agencyId } : { kind: 'none' };
  if (user.bindsDistrict) return user.districtId ? { kind: 'district', districtId: user.districtId } : { kind: 'none' };
  return { kind: 'all' };
}

/** True when the case lies inside the scope. */
export function isCaseInScope(scope: CaseScope, row: ScopedCase): boolean {
  switch (scope.kind) {
    case 'all': return true;
    case 'agency': return row.referredAgencyId === scope.agencyId;
    case 'district': return row.districtId === scope.districtId;
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
    case 'agency': return { clause: `${alias}.referred_agency_id = ?`, args: [scope.agencyId] };
    case 'district': return { clause: `${alias}.district_id = ?`, args: [scope.districtId] };
    case 'none': return { clause: '0', args: [] };
  }
}

/** A Drizzle condition on the cases table that keeps only cases in the scope (undefined: no limit). */
export function caseScopeCondition(scope: CaseScope): SQL | undefined {
  switch (scope.kind) {
    case 'all': return undefined;
    case 'agency': return and(isNotNull(cases.referredAgencyId), eq(cases.referredAgencyId, scope.agencyId));
    case 'district': return eq(cases.districtId, scope.districtId);
    case 'none': return sql`0`;
  }
}

/** True when the user may own the case: they can open it and work it (case.update), in their scope. */
export function canOwnCase(user: PolicySubject, row: ScopedCase): boolean {
  return canViewCase(user, row) && canActOnCase(user, row, 'case.update');
}
