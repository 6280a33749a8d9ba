/** Server-rendered bar charts: the geometry of a horizontal bar chart as plain data for an SVG (no script). */

/** One bar as drawn. */
export interface Bar {
  label: string;
  count: number;
  y: number;
  width: number;
  /** The count (and share) written after the bar. */
  text: string;
}

/** The layout of a horizontal bar chart. */
export interface BarLayout {
  width: number;
  height: number;
  labelWidth: number;
  bars: Bar[];
  barHeight: number;
}

/** Lay out bars for counts: label column, bars scaled to the largest count, text after each bar. */
export function layoutBars(rows: readonly { label: string; count: number }[], total: number, width = 640): BarLayout {
  const labelWidth = 220;
  const barHeight = 28;
  const gap = 12;
  const room = width - labelWidth - 110;
  const max = Math.max(1, ...rows.map((r) => r.count));
  const bars = rows.map((r, i) => ({
    label: r.label.length > 32 ? `${r.label.slice(0, 31)}…` : r.label,
    count: r.count,
    y: i * (barHeight + gap),
    width: Math.round((r.count / max) * room),
    text: `${r.count} (${percentOf(r.count, total)}%)`,
  }));
  return { width, height: Math.max(barHeight, rows.length * (barHeight + gap) - gap), labelWidth, bars, barHeight };
}

/** A whole-number percentage (0 when the total is 0). */
export function percentOf(count: number, total: number): number {
  return total > 0 ? Math.round((count / total) * 100) : 0;
}

/** A one-sentence text alternative for a chart. */
export function describeChart(title: string, rows: readonly { label: string; count: number }[], answered: number): string {
  if (answered === 0) return `${title}: no answers yet.`;
  const top = [...rows].sort((a, b) => b.count - a.count)[0]!;
  return `Bar chart of ${title}: ${answered} answered; the most given answer was ${top.label} (${top.count}). The table gives every figure.`;
}
