/**
 * The access table for every non-public route: the role-walk test (staff-access.test.ts) lists the files
 * under src/pages/staff/** and src/pages/api/** (and any other page or endpoint that calls guardPage or
 * guardRequest), and fails when a file has no row here. Add a row with your new route.
 *
 *   access: 'public'     anyone, signed in or not (sign-in, password reset links, the 403 page)
 *           'session'    anyone with a session, even one still owing the second factor (the two-factor page)
 *           'signed-in'  any fully signed-in staff member (second factor done), no permission needed
 *           string[]     a signed-in staff member holding every listed permission (see content/config/roles.json)
 *   path:   a concrete URL to request (fill in route parameters with any value; an unknown id may give 404,
 *           which counts as "allowed" because the guard let the request through)
 * Methods come from the file: GET always; POST when an .astro page handles POST, or the methods an endpoint exports.
 */

import type { Permission } from '../../src/domains/identity/roles.ts';

/** How a route may be reached. */
export type Access = 'public' | 'session' | 'signed-in' | Permission[];

/** One route's row. */
export interface RouteRule {
  path: string;
  access: Access;
  /** For a route whose every answer has one status (the 403 page). */
  status?: number;
}

/** Every non-public route file, by path from the repository root. */
export const routePermissions: Record<string, RouteRule> = {
  // Staff accounts (issue 4)
  'src/pages/staff/index.astro': { path: '/staff', access: 'signed-in' },
  'src/pages/staff/sign-in.astro': { path: '/staff/sign-in', access: 'public' },
  'src/pages/staff/sign-out.ts': { path: '/staff/sign-out', access: 'public' },
  'src/pages/staff/two-factor.astro': { path: '/staff/two-factor', access: 'session' },
  'src/pages/staff/forgot-password.astro': { path: '/staff/forgot-password', access: 'public' },
  'src/pages/staff/reset-password/[token].astro': { path: '/staff/reset-password/aaaa.bbbb', access: 'public' },
  'src/pages/staff/accept-invite/[token].astro': { path: '/staff/accept-invite/aaaa.bbbb', access: 'public' },
  'src/pages/staff/forbidden.astro': { path: '/staff/forbidden', access: 'public', status: 403 },
  'src/pages/staff/account.astro': { path: '/staff/account', access: 'signed-in' },
  'src/pages/staff/admin/users/index.astro': { path: '/staff/admin/users', access: ['admin.users'] },
  'src/pages/staff/admin/users/invite.astro': { path: '/staff/admin/users/invite', access: ['admin.users'] },
  'src/pages/staff/admin/users/[id]/index.astro': { path: '/staff/admin/users/no-such-user', access: ['admin.users'] },
  'src/pages/staff/admin/users/[id]/deactivate.astro': { path: '/staff/admin/users/no-such-user/deactivate', access: ['admin.users'] },
  'src/pages/staff/admin/audit.astro': { path: '/staff/admin/audit', access: ['audit.read'] },
  // Triage queue and cases (issue 5)
  'src/pages/staff/queue/index.astro': { path: '/staff/queue', access: ['case.read.all'] },
  'src/pages/staff/queue/export.csv.ts': { path: '/staff/queue/export.csv', access: ['case.read.all'] },
  'src/pages/staff/cases/[ref].astro': { path: '/staff/cases/HM-0000-0000', access: ['case.read.all'] },
  'src/pages/staff/photos/[id].ts': { path: '/staff/photos/00000000000000000000', access: ['case.read.all'] },
  // Hotline call logging (issue 6)
  'src/pages/staff/calls/new.astro': { path: '/staff/calls/new', access: ['call.log'] },
  'src/pages/staff/calls/index.astro': { path: '/staff/calls', access: ['call.read'] },
  'src/pages/staff/calls/export.csv.ts': { path: '/staff/calls/export.csv', access: ['call.read'] },
  'src/pages/staff/calls/figures.astro': { path: '/staff/calls/figures', access: ['call.read'] },
  // Insight: the partner dashboard and the county view (issue 15)
  'src/pages/staff/insight/index.astro': { path: '/staff/insight', access: ['insight.view'] },
  'src/pages/staff/insight/county.astro': { path: '/staff/insight/county', access: ['insight.view'] },
  // Referrals and the partner console (issue 12)
  'src/pages/staff/referrals/index.astro': { path: '/staff/referrals', access: ['referral.partner'] },
  'src/pages/staff/referrals/[id].astro': { path: '/staff/referrals/no-such-referral', access: ['referral.partner'] },
  // The export: the agency's partner officer or staff who may refer the case; the record check answers 404 to anyone else.
  'src/pages/staff/referrals/[id]/export.json.ts': { path: '/staff/referrals/no-such-referral/export.json', access: 'signed-in' },
  'src/pages/staff/referrals/[id]/export.csv.ts': { path: '/staff/referrals/no-such-referral/export.csv', access: 'signed-in' },
  'src/pages/staff/cases/[ref]/refer.astro': { path: '/staff/cases/HM-0000-0000/refer', access: ['case.refer'] },
  'src/pages/staff/cases/[ref]/updates/[id].astro': { path: '/staff/cases/HM-0000-0000/updates/no-such-update', access: ['reply.send'] },
  'src/pages/staff/referrals/[id]/photos/[photo].ts': { path: '/staff/referrals/no-such-referral/photos/00000000000000000000', access: ['referral.partner'] },
  'src/pages/staff/documents/[id].ts': { path: '/staff/documents/00000000000000000000', access: 'signed-in' },
  // Residents' rights and legal hold (issue 11)
  'src/pages/staff/admin/privacy/index.astro': { path: '/staff/admin/privacy', access: ['privacy.manage'] },
  'src/pages/staff/admin/privacy/erase.astro': { path: '/staff/admin/privacy/erase', access: ['privacy.manage'] },
  'src/pages/staff/admin/privacy/export.json.ts': { path: '/staff/admin/privacy/export.json', access: ['privacy.manage'] },
  'src/pages/staff/cases/[ref]/legal-hold.astro': { path: '/staff/cases/HM-0000-0000/legal-hold', access: ['case.hold'] },
  // Open311 API keys (issue 16)
  'src/pages/staff/admin/api-keys/index.astro': { path: '/staff/admin/api-keys', access: ['admin.api'] },
  'src/pages/staff/admin/api-keys/new.astro': { path: '/staff/admin/api-keys/new', access: ['admin.api'] },
  'src/pages/staff/admin/api-keys/[id].astro': { path: '/staff/admin/api-keys/no-such-key', access: ['admin.api'] },
  // Publishing (issue 13)
  'src/pages/staff/publishing/index.astro': { path: '/staff/publishing', access: ['publish'] },
  'src/pages/staff/publishing/new/[kind].astro': { path: '/staff/publishing/new/achievement', access: ['publish'] },
  'src/pages/staff/publishing/[id].astro': { path: '/staff/publishing/no-such-item', access: ['publish'] },
  // Area alerts by e-mail (issue 16, item 5): subscriber counts per area, never addresses
  'src/pages/staff/publishing/alerts.astro': { path: '/staff/publishing/alerts', access: ['publish'] },
  // Consultations (issue 14)
  'src/pages/staff/consultations/index.astro': { path: '/staff/consultations', access: ['publish'] },
  'src/pages/staff/consultations/respond.astro': { path: '/staff/consultations/respond', access: ['consultation.key'] },
  'src/pages/staff/consultations/[id]/index.astro': { path: '/staff/consultations/no-such-consultation', access: ['publish'] },
  'src/pages/staff/consultations/[id]/preview.astro': { path: '/staff/consultations/no-such-consultation/preview', access: ['publish'] },
  'src/pages/staff/consultations/[id]/results.astro': { path: '/staff/consultations/no-such-consultation/results', access: ['publish'] },
  'src/pages/staff/consultations/[id]/meetings.astro': { path: '/staff/consultations/no-such-consultation/meetings', access: ['publish'] },
  'src/pages/staff/consultations/[id]/meetings/[meetingId].astro': { path: '/staff/consultations/no-such-consultation/meetings/no-such-meeting', access: ['publish'] },
  'src/pages/staff/consultations/[id]/meetings/[meetingId]/registrants.csv.ts': { path: '/staff/consultations/no-such-consultation/meetings/no-such-meeting/registrants.csv', access: ['publish', 'pii.export'] },
  'src/pages/staff/consultations/[id]/export.csv.ts': { path: '/staff/consultations/no-such-consultation/export.csv', access: ['publish'] },
  'src/pages/staff/consultations/[id]/respond.astro': { path: '/staff/consultations/no-such-consultation/respond', access: ['consultation.key'] },
  // Hot-spots and the weekly tasking list (issue 15)
  'src/pages/staff/insight/hot-spots.astro': { path: '/staff/insight/hot-spots', access: ['insight.view'] },
  'src/pages/staff/insight/tasking.astro': { path: '/staff/insight/tasking', access: ['insight.view'] },
  'src/pages/staff/insight/tasking.csv.ts': { path: '/staff/insight/tasking.csv', access: ['insight.view'] },
};
