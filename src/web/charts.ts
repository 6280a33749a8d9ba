/**
 * Server-rendered horizontal bar charts for any counts (the consultation charts in src/web/consultations/chart.ts use it): the
 * geometry as plain data for an SVG, and a one-sentence text alternative. No script.
 */

/** One bar as drawn. */
export interface ChartBar {
  label: string;
  value: number;
  y: number;
  width: number;
  /** The figure written after the bar. */
  text: string;
}

/** The layout of a horizontal bar chart. */
export interface ChartLayout {
  width: number;
  height: number;
  labelWidth: number;
  barHeight: number;
  bars: ChartBar[];
}

/** Lay out bars: a label column, bars scaled to the largest value, the figure (as `format` writes it) after each bar. */
export function layoutChart(rows: readonly { label: string; value: number }[], format: (value: number) => string = (v) => v.toLocaleString('en-GB'), width = 640): ChartLayout {
  const labelWidth = 220;
  const barHeight = 24;
  const gap = 10;
  const room = width - labelWidth - 120;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const bars = rows.map((r, i) => ({
    label: r.label.length > 30 ? `${r.label.slice(0, 29)}…` : r.label,
    value: r.value,
    y: i * (barHeight + gap),
    width: Math.round((Math.max(0, r.value) / max) * room),
    text: format(r.value),
  }));
  return { width, height: Math.max(barHeight, rows.length * (barHeight + gap) - gap), labelWidth, barHeight, bars };
}

/** A one-sentence text alternative: what the chart shows, its largest bar, and where the table is. */
export function describeBars(title: string, rows: readonly { label: string; value: number }[], format: (value: number) => string = (v) => v.toLocaleString('en-GB')): string {
  if (rows.length === 0 || rows.every((r) => r.value === 0)) return `${title}: none in this period.`;
  const top = [...rows].sort((a, b) => b.value - a.value)[0]!;
  return `Bar chart of ${title}, ${rows.length} bars; the largest is ${top.label} (${format(top.value)}). The table below gives every figure.`;
}
