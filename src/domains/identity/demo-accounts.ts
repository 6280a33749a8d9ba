/** The demo accounts (see README "Demo accounts"): seeded only in demo mode and refused at sign-in outside it. */

/** The one password every demo account has. */
export const DEMO_PASSWORD = 'lantern-meadow-harbour-42';

/** The TOTP key (base32) seeded for demo accounts whose role requires two-factor authentication. */
export const DEMO_TOTP_KEY = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/** One demo account per role (two district editors); the district officer works in Brackenford. */
export const DEMO_ACCOUNTS: readonly { email: string; name: string; role: string; agencyId: string | null; districtId: string | null }[] = [
  { email: 'admin@hollowmere.example', name: 'Ada Administrator', role: 'administrator', agencyId: null, districtId: null },
  { email: 'triage@hollowmere.example', name: 'Tom Triage', role: 'triage_officer', agencyId: null, districtId: null },
  { email: 'calls@hollowmere.example', name: 'Cara Calls', role: 'call_handler', agencyId: null, districtId: null },
  { email: 'district@hollowmere.example', name: 'Dev District', role: 'district_officer', agencyId: null, districtId: 'brackenford' },
  { email: 'partner@hollowmere.example', name: 'Priya Partner', role: 'partner_officer', agencyId: 'police', districtId: null },
  { email: 'editor@hollowmere.example', name: 'Eddie Editor', role: 'editor', agencyId: null, districtId: null },
  { email: 'brackenford-editor@hollowmere.example', name: 'Bea Brackenford', role: 'district_editor', agencyId: null, districtId: 'brackenford' },
  { email: 'eastmere-editor@hollowmere.example', name: 'Eli Eastmere', role: 'district_editor', agencyId: null, districtId: 'eastmere' },
];

/** The demo e-mail addresses, lower case. */
export const DEMO_EMAILS: readonly string[] = DEMO_ACCOUNTS.map((a) => a.email);
