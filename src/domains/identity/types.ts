/** The signed-in staff member as pages see it. While a second factor is still owed, permissions is empty. */
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
  /** The second sign-in step still owed ('setup' an app or 'verify' a code), or null when signed in fully. */
  pendingTwoFactor: 'setup' | 'verify' | null;
}
