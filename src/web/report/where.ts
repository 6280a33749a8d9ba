/** The where step's extras: the out-of-area notice, and looking for a similar report near the place given. */
import type { Neighbour, SiteConfig } from '../../platform/config/partnership.ts';
import { normalisePostcode } from '../../platform/uk/postcode.ts';
import { FIND_LOCAL_COUNCIL_URL, findSimilarReport, locatePostcode } from '../../domains/geography/index.ts';
import { offersSimilarReport, type ReportAnswers } from '../../domains/reports/index.ts';
import { translate } from '../../platform/i18n/index.ts';

/** What the out-of-area notice shows. */
export interface OutOfAreaNotice {
  postcode: string;
  partnership: string;
  districts: string;
  neighbour: Neighbour | null;
  findCouncilUrl: string;
  nonEmergency: string;
}

/** "A, B and C" in a language ("A, B a C", "A, B ac Eastmere" in Welsh: `report.outOfArea.and`, `.andBeforeVowel`). */
function listInWords(items: string[], lang: string): string {
  const last = items.at(-1) ?? '';
  const and = translate(lang, /^[aeiouwy]/i.test(last) ? 'report.outOfArea.andBeforeVowel' : 'report.outOfArea.and');
  return items.length < 2 ? last : `${items.slice(0, -1).join(', ')} ${and} ${last}`;
}

/** The notice (its list of districts in `lang`) for a posted postcode that is well formed but outside the partnership's area, or null. */
export function outOfAreaNotice(form: FormData, config: SiteConfig, lang = 'en'): OutOfAreaNotice | null {
  const raw = form.get('postcode');
  const postcode = typeof raw === 'string' ? normalisePostcode(raw) : null;
  if (!postcode) return null;
  const located = locatePostcode(postcode, config);
  if (located.kind !== 'out-of-area') return null;
  return {
    postcode,
    partnership: config.partnership.name,
    districts: listInWords(config.areas.filter((a) => a.kind === 'district').map((d) => d.name), lang),
    neighbour: located.neighbour,
    findCouncilUrl: FIND_LOCAL_COUNCIL_URL,
    nonEmergency: config.partnership.phones.nonEmergency.number,
  };
}

/**
 * The similar report to offer once a step's answers are in (the where step, or a new category), kept with the
 * choice when it is the same one, or none: only for a category listed by place in public (offersSimilarReport),
 * never a sensitive one.
 */
export async function similarAnswers(before: ReportAnswers, answers: Partial<ReportAnswers>, config: SiteConfig, now = Date.now()): Promise<Pick<ReportAnswers, 'similar' | 'joinChoice'>> {
  const a = { ...before, ...answers };
  if (a.lat === undefined || a.lon === undefined || !a.category || !offersSimilarReport(a, config)) return { similar: undefined, joinChoice: undefined };
  const similar = await findSimilarReport({ lat: a.lat, lon: a.lon }, a.category, config.partnership.nearby, now);
  if (!similar) return { similar: undefined, joinChoice: undefined };
  return { similar, joinChoice: before.similar?.id === similar.id ? before.joinChoice : undefined };
}
