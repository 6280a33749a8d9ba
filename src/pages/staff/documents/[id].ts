import type { APIRoute } from 'astro';
import { guardRequest } from '../../../web/guards.ts';
import { sendReferralDocument } from '../../../web/staff/referral-files.ts';

/** A document a partner attached to a referral update: triage staff who can see the case and the agency's officers only (else 404); a download, never cached, audited. */
export const GET: APIRoute = async (context) => {
  const denied = await guardRequest(context);
  if (denied) return denied;
  return sendReferralDocument(context);
};
