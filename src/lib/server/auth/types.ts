/** The signed-in staff member as pages see it. */
export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: string;
  agencyId: string | null;
  permissions: string[];
}

/** The current session as pages see it. */
export interface SessionInfo {
  id: string;
  createdAt: number;
  twoFactorVerified: boolean;
}
