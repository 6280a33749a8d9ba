/** The call log as CSV, with the same filters as the page; no caller contact details or free-text notes. */
import type { APIRoute } from 'astro';
import { guardRequest } from '../../../web/guards.ts';
import { clientAddressOf } from '../../../web/client-address.ts';
import { recordAudit } from '../../../platform/audit.ts';
import { csvHeaders } from '../../../platform/csv.ts';
import { streamCallsCsv } from '../../../domains/calls/index.ts';
import { londonDate } from '../../../platform/time/london.ts';
import { parseCallFilter } from '../../../domains/calls/index.ts';
import { caseScope } from '../../../domains/cases/index.ts';

export const GET: APIRoute = async (ctx) => {
  const denied = await guardRequest(ctx, 'call.read');
  if (denied) return denied;
  const { filter } = parseCallFilter(ctx.url.searchParams);
  await recordAudit({ kind: 'user', id: ctx.locals.user!.id, ip: clientAddressOf(ctx) }, 'calls.exported', null, { filter });
  return new Response(streamCallsCsv({ ...filter, scope: caseScope(ctx.locals.user!) }), { headers: csvHeaders(`calls-${londonDate(Date.now())}.csv`) });
};
