/**
 * Repeat and threshold detection. Pure: takes the case and its candidate neighbours (loaded by
 * detect.ts) and `now`.
 *
 * Flags: `repeat_reporter` when the same reporter made another report within six months;
 * `repeat_location` when another report of the same category came from the same place within six months.
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

/** Lat/lon are stored as integer micro-degrees; places within this distance count as the same place. */
export const SAME_PLACE_METRES = 150;

/** The instant six calendar months before `now`. */
export function sixMonthsBefore(now: number): number {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - 6);
  return d.getTime();
}

function metresBetween(a: ThresholdCase, b: ThresholdCase): number | null {
  if (a.lat == null || a.lon == null || b.lat == null || b.lon == null) return null;
  const toRad = (micro: number) => (micro / 1e6) * (Math.PI / 180);
  const dLat = toRad(b.lat - a.lat);
  const dLon = toRad(b.lon - a.lon) * Math.cos(toRad((a.lat + b.lat) / 2));
  return Math.sqrt(dLat * dLat + dLon * dLon) * 6_371_000;
}

/** True if two cases are about the same place (same full postcode, or within SAME_PLACE_METRES). */
export function samePlace(a: ThresholdCase, b: ThresholdCase): boolean {
  const metres = metresBetween(a, b);
  if (metres != null) return metres <= SAME_PLACE_METRES;
  const pa = a.postcode ? normalisePostcode(a.postcode) : null;
  return pa != null && b.postcode != null && pa === normalisePostcode(b.postcode);
}

function sameReporter(a: ThresholdCase, b: ThresholdCase): boolean {
  return !!a.reporterId && a.reporterId === b.reporterId;
}

function within(c: ThresholdCase, from: number, to: number): boolean {
  return c.receivedAt >= from && c.receivedAt <= to;
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

/** Work out the repeat flags and the ASB Case Review count for a case among its neighbours. */
export function detectThresholds(subject: ThresholdCase, others: readonly ThresholdCase[], now: number): ThresholdResult {
  const from = sixMonthsBefore(now);
  const candidates = others.filter((o) => o.id !== subject.id && within(o, from, now) && o.resolutionCode !== 'spam');
  const flags: RepeatFlag[] = [];
  if (candidates.some((o) => sameReporter(subject, o))) flags.push('repeat_reporter');
  if (candidates.some((o) => o.categoryId != null && o.categoryId === subject.categoryId && samePlace(subject, o))) flags.push('repeat_location');

  const sameProblem = candidates.filter(
    (o) => o.categoryId != null && o.categoryId === subject.categoryId && (sameReporter(subject, o) || samePlace(subject, o)),
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
