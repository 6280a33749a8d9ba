/** Glue for the public statistics pages: the statistics of the last year and the month the visitor chose. */
import { getConfig } from '../server/runtime.ts';
import { publicStatistics, type MonthStatistics } from '../domains/insight/index.ts';

/** The statistics and the chosen month (the latest complete month unless ?month= names one of the year's). */
export async function loadStatistics(url: URL, now = Date.now()): Promise<{ stats: MonthStatistics[]; chosen: MonthStatistics; unknownMonth: boolean }> {
  const stats = await publicStatistics(getConfig(), now);
  const asked = url.searchParams.get('month');
  const found = stats.find((s) => s.month === asked);
  return { stats, chosen: found ?? stats.at(-1)!, unknownMonth: asked !== null && asked !== '' && !found };
}
