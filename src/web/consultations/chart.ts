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
  const most = Math.max(...rows.map((r) => r.count));
  const tops = rows.filter((r) => r.count === most).map((r) => r.label);
  // A tie names every answer given most, rather than whichever came first.
  if (tops.length > 1) return translate(lang, 'consultations.chart.describeTie', { title, answered, tops: listInWords(tops, lang), count: most });
  return translate(lang, 'consultations.chart.describe', { title, answered, top: tops[0]!, count: most });
}

/** "A, B and C" (Welsh: "a"). */
function listInWords(items: readonly string[], lang: string): string {
  const and = lang === 'cy' ? 'a' : 'and';
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${and} ${items.at(-1)}`;
}
