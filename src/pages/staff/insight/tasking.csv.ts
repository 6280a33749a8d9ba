/** The weekly tasking list as CSV: one row per line, with the queue link behind it. */
import type { APIRoute } from 'astro';
import { csvHeaders, csvText } from '../../../platform/csv.ts';
import { taskingCsvRows } from '../../../domains/insight/index.ts';
import { guardRequest } from '../../../web/guards.ts';
import { loadTasking, queueUrl } from '../../../web/insight/hot-spots.ts';

export const GET: APIRoute = async (ctx) => {
  const denied = await guardRequest(ctx, 'insight.view');
  if (denied) return denied;
  const { list } = await loadTasking(ctx);
  return new Response(csvText(taskingCsvRows(list, (q) => new URL(queueUrl(q), ctx.url).href)), { headers: { ...csvHeaders('saferline-tasking.csv'), 'Cache-Control': 'no-store' } });
};
