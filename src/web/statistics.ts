/** Glue for the public statistics pages: the statistics of the last year and the month the visitor chose. */
import { getConfig } from '../server/runtime.ts';
import { cellText, DATA_DICTIONARY, monthLabel, publicStatistics, type MonthStatistics, type PublishedTable } from '../domains/insight/index.ts';
import { DEFAULT_LANGUAGE, translate, translateOr } from '../platform/i18n/index.ts';

/** The statistics and the chosen month (the latest complete month unless ?month= names one of the year's). */
export async function loadStatistics(url: URL, now = Date.now()): Promise<{ stats: MonthStatistics[]; chosen: MonthStatistics; unknownMonth: boolean }> {
  const stats = await publicStatistics(getConfig(), now);
  const asked = url.searchParams.get('month');
  const found = stats.find((s) => s.month === asked);
  return { stats, chosen: found ?? stats.at(-1)!, unknownMonth: asked !== null && asked !== '' && !found };
}

/** A month "2026-03" in words in a language: "March 2026", "Mawrth 2026" (`date.month.<n>` keys). */
export function monthIn(month: string, lang: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return lang === DEFAULT_LANGUAGE ? monthLabel(month) : `${translateOr(lang, `date.month.${m}`, monthLabel(month).split(' ')[0]!)} ${y}`;
}

/** A published figure's words in a language: a number stays, "fewer than 5" and "withheld" are translated. */
export function figureIn(text: string, lang: string): string {
  if (text === 'fewer than 5') return translate(lang, 'statistics.fewerThan5');
  if (text === 'withheld') return translate(lang, 'statistics.withheld');
  return text;
}

/** A published table's row and column names in a language: the total row and column are translated, names of places and groups stay. */
export function tableIn(t: PublishedTable, lang: string): { columns: string[]; rows: string[][] } {
  const total = (name: string) => (/^All /.test(name) ? translateOr(lang, `statistics.total.${name}`, name) : name);
  return { columns: t.columns.map(total), rows: t.grid.map((row, r) => [total(t.rows[r]!), ...row.map((cell) => figureIn(cellText(cell), lang))]) };
}

/** The data dictionary of the downloads with its meanings in a language (`statistics.dictionary.<field>` keys). */
export function dataDictionaryIn(lang: string): string[][] {
  return DATA_DICTIONARY.map((d) => [d.field, translateOr(lang, `statistics.dictionary.${d.field}`, d.meaning)]);
}
