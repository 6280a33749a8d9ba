/**
 * Repeat and threshold detection. Pure: takes the case and its candidate neighbours (loaded by
 * detect.ts) and `now`.
 *
 * Flags: `repeat_reporter` when the same reporter made another report within six months;
 * `repeat_location` when another report of the same category came from the same place within six months. The same
 * place is the same full postcode, within SAME_PLACE_METRES, or the same named place: a gazetteer place or street
 * found in the location text, or a street written there (normalised, so "Market Sq" is "Market Square").
 * ASB Case Review ("community trigger"): three or more complaints about the same problem within six months,
 * where the same problem means the same reporter and category, or the same place and category. Reports
 * linked into one incident (or marked duplicate) count once, so one incident told to several agencies
 * counts once.
 */
import { normalisePostcode } from '../../platform/uk/postcode.ts';

/** What threshold detection needs to know about a case. */
export interface ThresholdCase {
  id: string;
  ref: string;
  receivedAt: number;
  reporterId?: string | null;
  categoryId?: string | null;
  postcode?: string | null;
  /** The place as the reporter wrote it ("Outside the shops, Market Square"). */
  locationText?: string | null;
  lat?: number | null;
  lon?: number | null;
  incidentId?: string | null;
  duplicateOf?: string | null;
  resolutionCode?: string | null;
}

/** A repeat flag. */
export type RepeatFlag = 'repeat_reporter' | 'repeat_location' | 'asb_case_review';

/** Words for each flag. */
export const FLAG_LABELS: Record<RepeatFlag, string> = {
  repeat_reporter: 'Repeat reporter',
  repeat_location: 'Repeat location',
  asb_case_review: 'ASB Case Review threshold',
};

/** The number of complaints that meets the ASB Case Review threshold. */
export const CASE_REVIEW_THRESHOLD = 3;

/** Lat/lon are WGS84 decimal degrees; places within this distance count as the same place. */
export const SAME_PLACE_METRES = 150;

/** The instant six calendar months before `now`. */
export function sixMonthsBefore(now: number): number {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - 6);
  return d.getTime();
}

function metresBetween(a: ThresholdCase, b: ThresholdCase): number | null {
  if (a.lat == null || a.lon == null || b.lat == null || b.lon == null) return null;
  const toRad = (degrees: number) => degrees * (Math.PI / 180);
  const dLat = toRad(b.lat - a.lat);
  const dLon = toRad(b.lon - a.lon) * Math.cos(toRad((a.lat + b.lat) / 2));
  return Math.sqrt(dLat * dLat + dLon * dLon) * 6_371_000;
}

/** Street types and their abbreviations, each to its full word. */
const STREET_TYPES: Record<string, string> = {
  road: 'road', rd: 'road', street: 'street', st: 'street', lane: 'lane', ln: 'lane', avenue: 'avenue', ave: 'avenue',
  close: 'close', cl: 'close', way: 'way', square: 'square', sq: 'square', drive: 'drive', dr: 'drive', crescent: 'crescent',
  cres: 'crescent', place: 'place', pl: 'place', parade: 'parade', pde: 'parade', hill: 'hill', green: 'green', rise: 'rise',
  terrace: 'terrace', tce: 'terrace', court: 'court', ct: 'court', gardens: 'gardens', gdns: 'gardens', row: 'row', walk: 'walk',
  grove: 'grove', common: 'common', bridge: 'bridge', quay: 'quay', quayside: 'quayside', mews: 'mews',
};

/** Words that end a street's name when read backwards from its type ("shop on Mill Lane" is Mill Lane). */
const NOT_A_NAME = new Set(['the', 'on', 'in', 'at', 'near', 'outside', 'by', 'of', 'behind', 'opposite', 'off', 'along', 'corner', 'top', 'bottom', 'end', 'and', 'flat', 'from', 'to', 'a', 'an', 'junction', 'with', 'between', 'past', 'side']);

/** Place text as words: lower case, punctuation dropped, street-type abbreviations written in full. */
export function placeWords(text: string): string[] {
  const words = text.toLowerCase().replace(/\bst\b\.?(?=\s*(?:,|$))/g, 'street').replace(/[^a-z0-9' ]+/g, ' ').replace(/'/g, '').split(/\s+/).filter(Boolean);
  return words.map((w, i) => {
    // "St" is "Street" only at the end of a name ("High St, ..."), not "St Mary's Road"
    if (w === 'st') return i === words.length - 1 || NOT_A_NAME.has(words[i + 1]!) ? 'street' : w;
    return STREET_TYPES[w] && w.length <= 4 ? STREET_TYPES[w]! : w;
  });
}

/**
 * The named place a location text is about, or null: the longest gazetteer place or street name in it, else a
 * street written in it (up to two name words and a street type). Normalised, so equal keys are the same place.
 */
export function placeKey(text: string | null | undefined, placeNames: readonly string[] = []): string | null {
  if (!text) return null;
  const words = placeWords(text);
  const padded = ` ${words.join(' ')} `;
  let best = '';
  for (const name of placeNames) {
    const key = placeWords(name.split(',')[0]!).join(' ');
    if (key.length >= 4 && key.length > best.length && padded.includes(` ${key} `)) best = key;
  }
  if (best) return best;
  for (let i = words.length - 1; i >= 1; i--) {
    const type = STREET_TYPES[words[i]!] === words[i] ? words[i] : null;
    if (!type) continue;
    const name: string[] = [];
    for (let j = i - 1; j >= 0 && name.length < 2; j--) {
      const w = words[j]!;
      if (NOT_A_NAME.has(w) || /\d/.test(w)) break;
      name.unshift(w);
    }
    if (name.length) return `${name.join(' ')} ${type}`;
  }
  return null;
}

/**
 * True if two cases are about the same place: within SAME_PLACE_METRES when both have coordinates; otherwise the
 * same full postcode, or the same named place (placeKey of their location texts).
 */
export function samePlace(a: ThresholdCase, b: ThresholdCase, placeNames: readonly string[] = []): boolean {
  const metres = metresBetween(a, b);
  if (metres != null) return metres <= SAME_PLACE_METRES;
  const pa = placeOf(a, placeNames);
  if (pa.postcode != null && b.postcode != null && pa.postcode === placeOf(b, placeNames).postcode) return true;
  return pa.key != null && pa.key === placeOf(b, placeNames).key;
}

/** A case's normalised postcode and named place, worked out once per case object and gazetteer. */
interface PlaceOf {
  names: readonly string[];
  /** The postcode and location text it was worked out from (a changed object is worked out again). */
  from: [string | null | undefined, string | null | undefined];
  postcode: string | null;
  key: string | null;
}

const placesOfCases = new WeakMap<ThresholdCase, PlaceOf>();

/** The normalised postcode and place key of a case, remembered for the case object (a refresh compares each row with many cases). */
function placeOf(c: ThresholdCase, placeNames: readonly string[]): PlaceOf {
  const known = placesOfCases.get(c);
  if (known && known.names === placeNames && known.from[0] === c.postcode && known.from[1] === c.locationText) return known;
  const place: PlaceOf = { names: placeNames, from: [c.postcode, c.locationText], postcode: c.postcode ? normalisePostcode(c.postcode) : null, key: placeKey(c.locationText, placeNames) };
  placesOfCases.set(c, place);
  return place;
}

function sameReporter(a: ThresholdCase, b: ThresholdCase): boolean {
  return !!a.reporterId && a.reporterId === b.reporterId;
}

function within(c: ThresholdCase, from: number, to: number): boolean {
  return c.receivedAt >= from && c.receivedAt <= to;
}

/**
 * The repeat flags alone, as detectThresholds gives them, without listing the complaints: it stops as soon as each
 * flag is decided (a third complaint about the same problem settles the ASB Case Review), so a case at a busy place
 * costs a few comparisons rather than a sort of the place's six months. For refreshing stored flags.
 */
export function detectFlags(subject: ThresholdCase, others: readonly ThresholdCase[], now: number, placeNames: readonly string[] = [], reporterCases?: readonly ThresholdCase[]): RepeatFlag[] {
  const from = sixMonthsBefore(now);
  const isCandidate = (o: ThresholdCase) => o.id !== subject.id && within(o, from, now) && o.resolutionCode !== 'spam';
  // With the reporter's own cases given (every one of them is among `others`), the reporter flag is settled from them
  // alone, so the scan below can stop at the third complaint even when the reporter has no other report.
  const reporterSettled = reporterCases !== undefined;
  const isSameProblem = (o: ThresholdCase) => o.categoryId != null && o.categoryId === subject.categoryId && (sameReporter(subject, o) || samePlace(subject, o, placeNames));
  let byId: Map<string, ThresholdCase> | undefined;
  // The counting key of detectThresholds: a duplicate counts as its original when the original is one of the complaints.
  const keyOf = (c: ThresholdCase, depth = 0): string => {
    if (c.duplicateOf) {
      byId ??= new Map(others.map((o) => [o.id, o]));
      const original = c.duplicateOf === subject.id ? subject : byId.get(c.duplicateOf);
      if (original && depth < 5 && (original === subject || (isCandidate(original) && isSameProblem(original)))) return keyOf(original, depth + 1);
      return `c:${c.duplicateOf}`;
    }
    return c.incidentId ? `i:${c.incidentId}` : `c:${c.id}`;
  };
  let reporter = reporterSettled && sameReporterIn(subject, reporterCases, isCandidate);
  let place = false;
  const keys = new Set([keyOf(subject)]);
  for (const o of others) {
    if (!isCandidate(o)) continue;
    if (!reporter && sameReporter(subject, o)) reporter = true;
    const sameCategory = o.categoryId != null && o.categoryId === subject.categoryId;
    if (!place && sameCategory && samePlace(subject, o, placeNames)) place = true;
    if (keys.size < CASE_REVIEW_THRESHOLD && isSameProblem(o)) keys.add(keyOf(o));
    if ((reporter || reporterSettled) && place && keys.size >= CASE_REVIEW_THRESHOLD) break;
  }
  const flags: RepeatFlag[] = [];
  if (reporter) flags.push('repeat_reporter');
  if (place) flags.push('repeat_location');
  if (keys.size >= CASE_REVIEW_THRESHOLD) flags.push('asb_case_review');
  return flags;
}

/** True if any candidate among some cases has the subject's reporter. */
function sameReporterIn(subject: ThresholdCase, list: readonly ThresholdCase[], isCandidate: (o: ThresholdCase) => boolean): boolean {
  return list.some((o) => isCandidate(o) && sameReporter(subject, o));
}

/**
 * The flags an arrival can add to an earlier case it is counted with: repeat reporter for the same reporter,
 * repeat location for the same category and place, the ASB Case Review count for the same problem. Adding a case
 * never takes a flag away, so a case that holds all of these already is unchanged by the arrival. The refresh asks
 * holdsFlagsAddedBy, which answers from the same rules without building the list; this is their definition, and the
 * tests hold the two together.
 */
export function flagsAddedBy(arrival: ThresholdCase, earlier: ThresholdCase, placeNames: readonly string[] = []): RepeatFlag[] {
  if (arrival.resolutionCode === 'spam') return [];
  const flags: RepeatFlag[] = [];
  const reporter = sameReporter(arrival, earlier);
  if (reporter) flags.push('repeat_reporter');
  if (earlier.categoryId == null || earlier.categoryId !== arrival.categoryId) return flags;
  const place = samePlace(earlier, arrival, placeNames);
  if (place) flags.push('repeat_location');
  if (reporter || place) flags.push('asb_case_review');
  return flags;
}

/**
 * True when an earlier case already holds every flag an arrival can add to it: `flagsAddedBy(arrival, earlier)` all
 * among `held`, worked out without building the list (a refresh asks this of every neighbour of every arrival).
 */
export function holdsFlagsAddedBy(arrival: ThresholdCase, earlier: ThresholdCase, held: readonly string[] | null, placeNames: readonly string[] = []): boolean {
  if (arrival.resolutionCode === 'spam') return true;
  const reporter = sameReporter(arrival, earlier);
  if (reporter && !held?.includes('repeat_reporter')) return false;
  if (earlier.categoryId == null || earlier.categoryId !== arrival.categoryId) return true;
  const place = samePlace(earlier, arrival, placeNames);
  if (place && !held?.includes('repeat_location')) return false;
  return !(reporter || place) || !!held?.includes('asb_case_review');
}

/** The named place of a case's location text (placeKey), worked out once per case object and gazetteer. */
export function namedPlaceOf(c: ThresholdCase, placeNames: readonly string[] = []): string | null {
  return placeOf(c, placeNames).key;
}

/** The result of threshold detection for one case. */
export interface ThresholdResult {
  flags: RepeatFlag[];
  /** Complaints about the same problem in six months, counting each incident once (including this case). */
  complaintCount: number;
  /** The cases counted, one per incident, oldest first (this case included). */
  complaints: ThresholdCase[];
  /** True if the ASB Case Review banner should show. */
  caseReview: boolean;
}

/** Work out the repeat flags and the ASB Case Review count for a case among its neighbours; placeNames are the gazetteer's. */
export function detectThresholds(subject: ThresholdCase, others: readonly ThresholdCase[], now: number, placeNames: readonly string[] = []): ThresholdResult {
  const from = sixMonthsBefore(now);
  const candidates = others.filter((o) => o.id !== subject.id && within(o, from, now) && o.resolutionCode !== 'spam');
  const flags: RepeatFlag[] = [];
  if (candidates.some((o) => sameReporter(subject, o))) flags.push('repeat_reporter');
  if (candidates.some((o) => o.categoryId != null && o.categoryId === subject.categoryId && samePlace(subject, o, placeNames))) flags.push('repeat_location');

  const sameProblem = candidates.filter(
    (o) => o.categoryId != null && o.categoryId === subject.categoryId && (sameReporter(subject, o) || samePlace(subject, o, placeNames)),
  );
  const counted = new Map<string, ThresholdCase>();
  const byId = new Map([subject, ...sameProblem].map((c) => [c.id, c]));
  const keyOf = (c: ThresholdCase, depth = 0): string => {
    const original = c.duplicateOf ? byId.get(c.duplicateOf) : undefined;
    if (original && depth < 5) return keyOf(original, depth + 1);
    if (c.duplicateOf) return `c:${c.duplicateOf}`;
    return c.incidentId ? `i:${c.incidentId}` : `c:${c.id}`;
  };
  for (const c of [subject, ...sameProblem].sort((a, b) => a.receivedAt - b.receivedAt)) {
    const key = keyOf(c);
    if (!counted.has(key)) counted.set(key, c);
  }
  const complaints = [...counted.values()];
  const caseReview = complaints.length >= CASE_REVIEW_THRESHOLD;
  if (caseReview) flags.push('asb_case_review');
  return { flags, complaintCount: complaints.length, complaints, caseReview };
}
