import type { Permission } from './roles.ts';

/** Who a policy decides about: permissions from the role, and the agency or district the role binds the user to. */
export interface PolicySubject {
  permissions: readonly Permission[];
  /** The user's agency (users.agency_id); it limits what they see only when bindsAgency is true. */
  agencyId?: string | null;
  /** The user's district (users.district_id); it limits what they see only when bindsDistrict is true. */
  districtId?: string | null;
  /** The user's district team (user_districts): the districts whose cases they see; empty or absent means no team. */
  teamDistricts?: readonly string[];
  /** The role binds the user to one partner agency (roles.json bindsAgency). */
  bindsAgency?: boolean;
  /** The role binds the user to one district (roles.json bindsDistrict). */
  bindsDistrict?: boolean;
}

/** The signed-in staff member as pages see it. While a second factor is still owed, permissions is empty. */
export interface SessionUser extends PolicySubject {
  id: string;
  email: string;
  name: string;
  role: string;
  agencyId: string | null;
  districtId: string | null;
  teamDistricts: string[];
  bindsAgency: boolean;
  bindsDistrict: boolean;
  permissions: Permission[];
}

/** The current session as pages see it. */
export interface SessionInfo {
  id: string;
  createdAt: number;
  twoFactorVerified: boolean;
  /** The second sign-in step still owed ('setup' an app or 'verify' a code), or null when signed in fully. */
  pendingTwoFactor: 'setup' | 'verify' | null;
}
