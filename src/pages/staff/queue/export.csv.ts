/** CSV export of the filtered queue; personal data columns only with pii.export (audited). */
import type { APIRoute } from 'astro';
import { actorFor, guardRequest } from '../../../web/guards.ts';
import { exportQueueCsv } from '../../../domains/cases/views.ts';
import { parseQueueQuery } from '../../../domains/cases/queue.ts';

export const GET: APIRoute = async (ctx) => {
  const denied = await guardRequest(ctx, 'case.read.all');
  if (denied) return denied;
  const { filter, sort } = parseQueueQuery(ctx.url.searchParams);
  const csv = await exportQueueCsv(filter, sort, actorFor(ctx));
  return new Response(csv, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="cases-${new Date().toISOString().slice(0, 10)}.csv"`,
      'Cache-Control': 'no-store',
    },
  });
};
