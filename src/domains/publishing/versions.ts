/** Differences between two versions of a content item, field by field, as word changes (the `diff` library). */
import { diffWords } from 'diff';

/** One changed field: its name, its name in words, and the parts added, removed or kept. */
export interface FieldDiff {
  field: string;
  label: string;
  parts: { value: string; added: boolean; removed: boolean }[];
}

/** A field's name in words: "leadPartner" as "Lead partner", "measure0" as "Measure 1". */
export function fieldLabel(field: string): string {
  const words = field.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/([a-zA-Z])(\d+)$/, (_, a: string, n: string) => `${a} ${Number(n) + 1}`).toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A field's value as text for comparing (lists and objects as readable lines; an image as its description and file). */
function fieldText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'object' ? Object.values(v as object).join(' | ') : String(v))).join('\n');
  if (typeof value === 'object' && 'key' in value && 'alt' in value) return `"${String(value.alt)}" (file ${String(value.key)})`;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The fields that differ between two versions' data, each with its word-level changes. */
export function diffVersions(from: Record<string, unknown>, to: Record<string, unknown>): FieldDiff[] {
  const fields = [...new Set([...Object.keys(from), ...Object.keys(to)])];
  const out: FieldDiff[] = [];
  for (const field of fields) {
    const a = fieldText(from[field]);
    const b = fieldText(to[field]);
    if (a === b) continue;
    out.push({ field, label: fieldLabel(field), parts: diffWords(a, b).map((p) => ({ value: p.value, added: !!p.added, removed: !!p.removed })) });
  }
  return out;
}
