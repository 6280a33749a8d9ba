/** The public statistics as CSV: one row per published cell, the same figures as data.json. */
import type { APIRoute } from 'astro';
import { csvHeaders, csvText } from '../../platform/csv.ts';
import { statisticsCsvRows } from '../../domains/insight/index.ts';
import { loadStatistics } from '../../web/statistics.ts';

export const GET: APIRoute = async (ctx) => {
  const { stats } = await loadStatistics(ctx.url);
  return new Response(csvText(statisticsCsvRows(stats)), { headers: { ...csvHeaders('saferline-statistics.csv'), 'Cache-Control': 'public, max-age=3600' } });
};
