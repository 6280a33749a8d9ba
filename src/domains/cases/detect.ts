/** Load a case's neighbours (same reporter; same category at the same or a named place) and run the threshold rules on them. */
import { and, eq, gte, or, type SQL } from 'drizzle-orm';
import { loadSiteConfig } from '../../platform/config/partnership.ts';
import { getDb } from '../../platform/db/client.ts';
import { cases } from '../../platform/db/schema.ts';
import { detectThresholds, placeKey, sixMonthsBefore, type ThresholdCase, type ThresholdResult } from './thresholds.ts';

const COLS = {
  id: cases.id, ref: cases.ref, receivedAt: cases.receivedAt, reporterId: cases.reporterId, categoryId: cases.categoryId, postcode: cases.postcode,
  locationText: cases.locationText, lat: cases.lat, lon: cases.lon, incidentId: cases.incidentId, duplicateOf: cases.duplicateOf, resolutionCode: cases.resolutionCode, status: cases.status,
};

let placeNames: string[] | undefined;

/** The gazetteer's place and street names (content/config/gazetteer.json), read once; an area's own name is not a place. */
export function gazetteerPlaceNames(): string[] {
  if (!placeNames) {
    const config = loadSiteConfig(process.env.CONTENT_DIR || 'content');
    const areaNames = new Set(config.areas.map((a) => a.name.toLowerCase()));
    placeNames = config.gazetteer.places.map((p) => p.name).filter((name) => !areaNames.has(name.toLowerCase()));
  }
  return placeNames;
}

/** Repeat flags and the ASB Case Review count for a case, from the cases received in the six months before `now`. */
export async function detectCaseThresholds(subject: ThresholdCase, now = Date.now()): Promise<ThresholdResult & { neighbours: ThresholdCase[] }> {
  const from = sixMonthsBefore(now);
  const names = gazetteerPlaceNames();
  const near: SQL[] = [];
  if (subject.reporterId) near.push(eq(cases.reporterId, subject.reporterId));
  if (subject.categoryId) {
    // Coordinates and named places are compared in memory, so they need the whole category; a postcode alone is looked up.
    if (subject.lat != null || placeKey(subject.locationText, names)) near.push(eq(cases.categoryId, subject.categoryId));
    else if (subject.postcode) near.push(and(eq(cases.categoryId, subject.categoryId), eq(cases.postcode, subject.postcode))!);
  }
  if (!near.length) return { ...detectThresholds(subject, [], now, names), neighbours: [] };
  const neighbours = await getDb().select(COLS).from(cases).where(and(gte(cases.receivedAt, from), or(...near))).limit(2000);
  return { ...detectThresholds(subject, neighbours, now, names), neighbours };
}
