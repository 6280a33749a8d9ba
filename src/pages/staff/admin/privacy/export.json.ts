/** Administrators: download everything held about a person as JSON (subject access); audited. Logic in src/web/staff/privacy.ts. */
import type { APIRoute } from 'astro';
import { guardRequest } from '../../../../web/guards.ts';
import { handleExport } from '../../../../web/staff/privacy.ts';

export const POST: APIRoute = async (context) => {
  const denied = await guardRequest(context, 'privacy.manage');
  if (denied) return denied;
  return handleExport(context);
};
