/** Load a case's neighbours (same reporter; same category at the same or a named place) and run the threshold rules on them. */
import { and, between, eq, gte, type SQL } from 'drizzle-orm';
import { loadSiteConfig } from '../../platform/config/partnership.ts';
import { getDb } from '../../platform/db/client.ts';
import { cases } from '../../platform/db/schema.ts';
import { SAME_PLACE_METRES, detectFlags, detectThresholds, placeKey, sixMonthsBefore, type RepeatFlag, type ThresholdCase, type ThresholdResult } from './thresholds.ts';

const COLS = {
  id: cases.id, ref: cases.ref, receivedAt: cases.receivedAt, reporterId: cases.reporterId, categoryId: cases.categoryId, postcode: cases.postcode,
  locationText: cases.locationText, lat: cases.lat, lon: cases.lon, incidentId: cases.incidentId, duplicateOf: cases.duplicateOf, resolutionCode: cases.resolutionCode, status: cases.status,
  flags: cases.flags,
};

/** A neighbour as read for threshold detection, with the flags stored on it. */
export type NeighbourCase = ThresholdCase & { flags: string[] | null };

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

/** The place rows already read in one refresh pass, by place query, so cases at one place share one read. */
export type PlaceRowsCache = Map<string, NeighbourCase[]>;

/** At most this many cases are read for one place or one reporter. */
const NEIGHBOUR_LIMIT = 2000;

/**
 * Repeat flags and the ASB Case Review count for a case, from the cases received in the six months before `now`:
 * the reporter's cases, and the category's cases at the same place (coordinates and named places are compared in
 * memory, so they need the whole category; a postcode alone is looked up). With a cache, cases sharing a place
 * query share its rows.
 */
export async function detectCaseThresholds(subject: ThresholdCase, now = Date.now(), cache?: PlaceRowsCache): Promise<ThresholdResult & { neighbours: NeighbourCase[] }> {
  const neighbours = await loadNeighbours(subject, now, cache);
  return { ...detectThresholds(subject, neighbours, now, gazetteerPlaceNames()), neighbours };
}

/** The repeat flags alone (detectFlags: it stops once each flag is decided), with the neighbours read; for refreshing stored flags. */
export async function detectCaseFlags(subject: ThresholdCase, now = Date.now(), cache?: PlaceRowsCache): Promise<{ flags: RepeatFlag[]; neighbours: NeighbourCase[] }> {
  const neighbours = await loadNeighbours(subject, now, cache);
  return { flags: detectFlags(subject, neighbours, now, gazetteerPlaceNames()), neighbours };
}

/** The cases a case may be counted with: the reporter's, and the category's at the same place, from the six months before `now`. */
async function loadNeighbours(subject: ThresholdCase, now: number, cache?: PlaceRowsCache): Promise<NeighbourCase[]> {
  const from = sixMonthsBefore(now);
  const names = gazetteerPlaceNames();
  const places: { key: string; where: SQL }[] = [];
  if (subject.categoryId) {
    const category = eq(cases.categoryId, subject.categoryId);
    // A named place is compared in memory, so it needs the whole category. Coordinates need only the cases in a box
    // around the point (the cases_location index); a case without coordinates can still match by postcode.
    if (placeKey(subject.locationText, names)) places.push({ key: `category:${subject.categoryId}`, where: category });
    else {
      if (subject.lat != null && subject.lon != null) places.push({ key: `category:${subject.categoryId}|near:${subject.lat},${subject.lon}`, where: and(category, nearWhere(subject.lat, subject.lon))! });
      if (subject.postcode) places.push({ key: `category:${subject.categoryId}|postcode:${subject.postcode}`, where: and(category, eq(cases.postcode, subject.postcode))! });
    }
  }
  if (!places.length && !subject.reporterId) return [];
  let placeRows: NeighbourCase[] = [];
  if (places.length) {
    const cacheKey = `${places.map((p) => p.key).join('||')}|from:${from}`;
    const cached = cache?.get(cacheKey);
    if (cached) placeRows = cached;
    else {
      const byId = new Map<string, NeighbourCase>();
      for (const place of places) {
        for (const row of await getDb().select(COLS).from(cases).where(and(gte(cases.receivedAt, from), place.where)).limit(NEIGHBOUR_LIMIT)) byId.set(row.id, row);
      }
      // Newest first, so that a refresh finds a case's newest neighbours without sorting the place for every case.
      placeRows = [...byId.values()].sort((x, y) => y.receivedAt - x.receivedAt);
      cache?.set(cacheKey, placeRows);
    }
  }
  const reporterRows = subject.reporterId ? await getDb().select(COLS).from(cases).where(and(gte(cases.receivedAt, from), eq(cases.reporterId, subject.reporterId))).limit(NEIGHBOUR_LIMIT) : [];
  const seen = new Set(placeRows.map((r) => r.id));
  return [...placeRows, ...reporterRows.filter((r) => !seen.has(r.id))];
}

/** The box of latitude and longitude (degrees) that holds every point within SAME_PLACE_METRES of a point, with a little to spare. */
function nearWhere(lat: number, lon: number): SQL {
  const dLat = (SAME_PLACE_METRES / 111_000) * 1.05;
  const dLon = dLat / Math.max(0.01, Math.cos((lat * Math.PI) / 180));
  return and(between(cases.lat, lat - dLat, lat + dLat), between(cases.lon, lon - dLon, lon + dLon))!;
}
