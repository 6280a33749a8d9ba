/** Differences between two versions of a content item, field by field, as word changes (the `diff` library). */
import { diffWords } from 'diff';

/** One changed field: its name and the parts added, removed or kept. */
export interface FieldDiff {
  field: string;
  parts: { value: string; added: boolean; removed: boolean }[];
}

/** A field's value as text for comparing (lists and objects as readable lines). */
function fieldText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'object' ? Object.values(v as object).join(' | ') : String(v))).join('\n');
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
    out.push({ field, parts: diffWords(a, b).map((p) => ({ value: p.value, added: !!p.added, removed: !!p.removed })) });
  }
  return out;
}
