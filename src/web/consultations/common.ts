/** Shared glue of the consultation pages: wards and areas from the configuration, links for e-mails. */
import { getConfig, getRuntime } from '../../server/runtime.ts';
import type { QuestionOption } from '../../platform/questions/index.ts';

/** The partnership's wards as options. */
export function wardOptions(): QuestionOption[] {
  return getConfig().areas.filter((a) => a.kind === 'ward').map((a) => ({ value: a.id, label: a.name }));
}

/** Wards with their populations (for "who is not responding"). */
export function wardPopulations(): { value: string; label: string; population: number }[] {
  return getConfig().areas.filter((a) => a.kind === 'ward').map((a) => ({ value: a.id, label: a.name, population: a.population }));
}

/** Districts and wards as options (a consultation's or meeting's area). */
export function areaOptions(): QuestionOption[] {
  return getConfig().areas.filter((a) => a.kind !== 'county').map((a) => ({ value: a.id, label: a.kind === 'district' ? `${a.name} (district)` : a.name }));
}

/** The name of an area, or the partnership's for none. */
export function areaName(areaId: string | null): string {
  return (areaId && getConfig().areas.find((a) => a.id === areaId)?.name) || getConfig().partnership.name;
}

/** Base URL and partnership name for links in e-mails. */
export function mailLinks(): { baseUrl: string; partnership: string } {
  return { baseUrl: getRuntime().env.PUBLIC_URL, partnership: getConfig().partnership.name };
}

/** A title cut to fit in a page title (at most `max` characters, ending with an ellipsis when cut). */
export function shortTitle(title: string, max = 24): string {
  return title.length <= max ? title : `${title.slice(0, max - 1).trimEnd()}…`;
}
