/** Consultation charts: survey answers as bars with their share (the geometry is src/web/charts.ts), and the words of their text alternative. */
import { layoutChart, type ChartLayout } from '../charts.ts';
import { translate } from '../../platform/i18n/index.ts';

/** Lay out one bar per answer, scaled to the most given, each followed by its count and share of those who answered. */
export function layoutBars(rows: readonly { label: string; count: number }[], total: number, width = 640): ChartLayout {
  return layoutChart(rows.map((r) => ({ label: r.label, value: r.count })), (count) => `${count} (${percentOf(count, total)}%)`, width);
}

/** A whole-number percentage (0 when the total is 0). */
export function percentOf(count: number, total: number): number {
  return total > 0 ? Math.round((count / total) * 100) : 0;
}

/** A one-sentence text alternative for a chart, in a language (`consultations.chart.*` keys). */
export function describeChart(title: string, rows: readonly { label: string; count: number }[], answered: number, lang = 'en'): string {
  if (answered === 0) return translate(lang, 'consultations.chart.none', { title });
  const top = [...rows].sort((a, b) => b.count - a.count)[0]!;
  return translate(lang, 'consultations.chart.describe', { title, answered, top: top.label, count: top.count });
}
