import type { APIRoute } from 'astro';
import { grantTrackAccess } from '../../web/track-access.ts';
import { getConfig } from '../../server/runtime.ts';
import { parseReference } from '../../domains/reports/index.ts';
import { verifyTrackAccess } from '../../domains/reports/index.ts';

/** The private link from the acknowledgement e-mail: check it, grant access, go to the case. */
export const GET: APIRoute = async (context) => {
  const ref = parseReference(context.url.searchParams.get('ref') ?? '', getConfig().partnership.referencePrefix);
  const key = context.url.searchParams.get('key') ?? '';
  const caseId = ref && /^[a-z2-7]{16,64}$/.test(key) ? await verifyTrackAccess(ref, { linkToken: key }) : null;
  if (!caseId) return context.redirect('/track?link=invalid', 303);
  grantTrackAccess(context, caseId);
  return context.redirect('/track/case', 303);
};
