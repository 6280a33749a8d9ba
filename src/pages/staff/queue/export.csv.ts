/** CSV export of the filtered queue; personal data columns only with pii.export (audited). */
import type { APIRoute } from 'astro';
import { actorFor, guardRequest } from '../../../web/guards.ts';
import { streamQueueCsv } from '../../../domains/cases/index.ts';
import { parseQueueQuery } from '../../../domains/cases/index.ts';
import { csvHeaders } from '../../../platform/csv.ts';
import { londonDate } from '../../../platform/time/london.ts';

export const GET: APIRoute = async (ctx) => {
  const denied = await guardRequest(ctx, 'case.read.all');
  if (denied) return denied;
  const { filter, sort } = parseQueueQuery(ctx.url.searchParams);
  const csv = await streamQueueCsv(filter, sort, actorFor(ctx));
  return new Response(csv, { headers: csvHeaders(`cases-${londonDate(Date.now())}.csv`) });
};
