/** Load a case's neighbours (same reporter; same category nearby) and run the threshold rules on them. */
import { and, eq, gte, or } from 'drizzle-orm';
import { getDb } from '../../platform/db/client.ts';
import { cases } from '../../platform/db/schema.ts';
import { detectThresholds, sixMonthsBefore, type ThresholdCase, type ThresholdResult } from './thresholds.ts';

const COLS = {
  id: cases.id, ref: cases.ref, receivedAt: cases.receivedAt, reporterId: cases.reporterId, categoryId: cases.categoryId, postcode: cases.postcode,
  lat: cases.lat, lon: cases.lon, incidentId: cases.incidentId, duplicateOf: cases.duplicateOf, resolutionCode: cases.resolutionCode, status: cases.status,
};

/** Repeat flags and the ASB Case Review count for a case, from the cases received in the six months before `now`. */
export async function detectCaseThresholds(subject: ThresholdCase, now = Date.now()): Promise<ThresholdResult & { neighbours: ThresholdCase[] }> {
  const from = sixMonthsBefore(now);
  const near: ReturnType<typeof eq>[] = [];
  if (subject.reporterId) near.push(eq(cases.reporterId, subject.reporterId));
  if (subject.categoryId && (subject.postcode || subject.lat != null)) {
    near.push(subject.postcode ? and(eq(cases.categoryId, subject.categoryId), eq(cases.postcode, subject.postcode))! : eq(cases.categoryId, subject.categoryId));
  }
  if (!near.length) return { ...detectThresholds(subject, [], now), neighbours: [] };
  const neighbours = await getDb().select(COLS).from(cases).where(and(gte(cases.receivedAt, from), or(...near))).limit(2000);
  return { ...detectThresholds(subject, neighbours, now), neighbours };
}
