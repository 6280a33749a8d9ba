/** Glue for the public perception page: the comparison and the points of its chart. */
import { getConfig } from '../../server/runtime.ts';
import { perceptionAgainstReality, type Perception, type PerceptionRow } from '../../domains/insight/index.ts';

/** One point of the chart: a ward's report rate (x) against the per cent feeling safe (y). */
export interface ChartPoint {
  label: string;
  x: number;
  y: number;
  series: 'day' | 'dark';
}

/** The page's model: the comparison, its months and consultations, and the chart's points (wards with both figures). */
export async function loadPerception(now = Date.now()): Promise<Perception & { months: string[]; consultations: string[]; points: ChartPoint[] }> {
  const perception = await perceptionAgainstReality(getConfig(), now);
  const plotted = perception.rows.filter((r): r is PerceptionRow & { perThousand: number } => r.perThousand !== null);
  const points = plotted.flatMap((r) => [
    ...(r.safeDay !== null ? [{ label: r.name, x: r.perThousand, y: r.safeDay, series: 'day' as const }] : []),
    ...(r.safeDark !== null ? [{ label: r.name, x: r.perThousand, y: r.safeDark, series: 'dark' as const }] : []),
  ]);
  return { ...perception, points };
}
