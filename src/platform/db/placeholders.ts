/** SQL placeholder lists for hot paths, built once per size instead of on every statement. */

const valueRowsCache = new Map<string, string>();

/** `(?, ?), (?, ?)`: the placeholders of `rows` rows of `width` values, built once per size (at most 500 sizes kept). */
export function valueRows(rows: number, width: number): string {
  const key = `${rows}x${width}`;
  let text = valueRowsCache.get(key);
  if (!text) {
    const row = `(${Array.from({ length: width }, () => '?').join(', ')})`;
    text = Array.from({ length: rows }, () => row).join(', ');
    if (valueRowsCache.size < 500) valueRowsCache.set(key, text);
  }
  return text;
}
