/** The public statistics as JSON, with the data dictionary: the same figures as data.csv. */
import type { APIRoute } from 'astro';
import { DATA_DICTIONARY, statisticsRows } from '../../domains/insight/index.ts';
import { loadStatistics } from '../../web/statistics.ts';

export const GET: APIRoute = async (ctx) => {
  const { stats } = await loadStatistics(ctx.url);
  const body = { months: stats.map((s) => s.month), dictionary: DATA_DICTIONARY, rows: statisticsRows(stats) };
  return new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'public, max-age=3600' } });
};
