/** A referral as JSON for the partner's own systems: the agency's partner officer or triage; anyone else 404. Audited. */
import type { APIRoute } from 'astro';
import { guardRequest } from '../../../../web/guards.ts';
import { handleReferralExport } from '../../../../web/staff/referrals.ts';

export const GET: APIRoute = async (ctx) => {
  const denied = await guardRequest(ctx);
  if (denied) return denied;
  return handleReferralExport(ctx, 'json');
};
