import type { APIRoute } from 'astro';
import { guardRequest } from '../../../../../web/guards.ts';
import { sendPartnerPhoto } from '../../../../../web/staff/referral-files.ts';

/** A report photo on a partner's referral: only when their agency's sharing agreement lists photos (else 404); never cached, audited. */
export const GET: APIRoute = async (context) => {
  const denied = await guardRequest(context, 'referral.partner');
  if (denied) return denied;
  return sendPartnerPhoto(context);
};
