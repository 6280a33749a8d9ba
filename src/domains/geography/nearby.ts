/**
 * Nearby cases: other cases within a radius of a point in the last months, for spotting duplicates, incidents
 * and the Case Review count. A bounding box on latitude and longitude uses the cases_location index (lat, lon,
 * received_at); the exact great-circle distance (haversine) then keeps those inside the circle.
 */
import { and, between, eq, gte, isNotNull, ne, notInArray, sql, type SQL } from 'drizzle-orm';
import { getDb } from '../../platform/db/client.ts';
import { cases } from '../../platform/db/schema.ts';
import { isCaseInScope, type CaseScope } from '../cases/policy.ts';
import { FINISHED_STATUSES } from '../cases/workflow.ts';

/** The Earth's mean radius in metres (IUGG). */
const EARTH_RADIUS_METRES = 6_371_008.8;

/** A point in WGS84 decimal degrees. */
export interface GeoPoint {
  lat: number;
  lon: number;
}

/** A case near the point. */
export interface NearbyCase {
  id: string;
  ref: string;
  categoryId: string | null;
  wardId: string | null;
  status: string;
  receivedAt: number;
  distanceMetres: number;
  /** False when a category to compare with was given and this case is of another. */
  sameCategory: boolean;
}

/** What to look for. */
export interface NearbyOptions {
  radiusMetres: number;
  months: number;
  now: number;
  /** The case itself, left out. */
  excludeId?: string;
  /** The viewer's record scope (caseScope): cases outside it are never listed. */
  scope?: CaseScope;
  /** Mark cases of another category (sameCategory false); with onlySameCategory, leave them out. */
  categoryId?: string | null;
  onlySameCategory?: boolean;
  /** Leave out resolved and closed cases and duplicates. */
  openOnly?: boolean;
  limit?: number;
}

const toRadians = (degrees: number) => (degrees * Math.PI) / 180;

/** The great-circle distance between two points in metres (haversine). */
export function metresBetween(a: GeoPoint, b: GeoPoint): number {
  const dLat = toRadians(b.lat - a.lat);
  const dLon = toRadians(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRadians(a.lat)) * Math.cos(toRadians(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_METRES * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The latitude and longitude limits of a box that holds every point within the radius of the centre. */
export function boundingBox(centre: GeoPoint, radiusMetres: number): { minLat: number; maxLat: number; minLon: number; maxLon: number } {
  const dLat = (radiusMetres / EARTH_RADIUS_METRES) * (180 / Math.PI);
  const widest = Math.min(89.9, Math.abs(centre.lat) + dLat);
  const dLon = dLat / Math.cos(toRadians(widest));
  return { minLat: centre.lat - dLat, maxLat: centre.lat + dLat, minLon: centre.lon - dLon, maxLon: centre.lon + dLon };
}

/** The instant a number of calendar months before `now` (UTC). */
export function monthsBefore(now: number, months: number): number {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - months);
  return d.getTime();
}

/**
 * The conditions of the nearby query (exported for the query-plan test). The viewer's scope is checked on the
 * rows found (isCaseInScope), not in SQL, so that SQLite always searches by the location index.
 */
export function nearbyConditions(point: GeoPoint, o: NearbyOptions): SQL | undefined {
  const box = boundingBox(point, o.radiusMetres);
  return and(
    between(cases.lat, box.minLat, box.maxLat),
    between(cases.lon, box.minLon, box.maxLon),
    gte(cases.receivedAt, monthsBefore(o.now, o.months)),
    o.excludeId ? ne(cases.id, o.excludeId) : undefined,
    // Unary + keeps SQLite from searching by the category's index instead of the location's.
    o.onlySameCategory && o.categoryId ? sql`+${cases.categoryId} = ${o.categoryId}` : undefined,
    o.openOnly ? notInArray(cases.status, [...FINISHED_STATUSES]) : undefined,
    o.openOnly ? eq(cases.kind, 'report') : undefined,
    isNotNull(cases.lat),
  );
}

/** Cases within the radius of the point received in the last months, nearest first. */
export async function findNearbyCases(point: GeoPoint, o: NearbyOptions): Promise<NearbyCase[]> {
  const rows = await getDb()
    .select({ id: cases.id, ref: cases.ref, categoryId: cases.categoryId, wardId: cases.wardId, status: cases.status, receivedAt: cases.receivedAt, lat: cases.lat, lon: cases.lon, duplicateOf: cases.duplicateOf, districtId: cases.districtId, referredAgencyId: cases.referredAgencyId })
    .from(cases)
    .where(nearbyConditions(point, o));
  return rows
    .filter((r) => !(o.openOnly && r.duplicateOf) && (!o.scope || isCaseInScope(o.scope, r)))
    .map((r) => ({
      id: r.id, ref: r.ref, categoryId: r.categoryId, wardId: r.wardId, status: r.status, receivedAt: r.receivedAt,
      distanceMetres: metresBetween(point, { lat: r.lat!, lon: r.lon! }),
      sameCategory: !o.categoryId || r.categoryId === o.categoryId,
    }))
    .filter((r) => r.distanceMetres <= o.radiusMetres)
    .sort((a, b) => a.distanceMetres - b.distanceMetres || b.receivedAt - a.receivedAt)
    .slice(0, o.limit ?? 50);
}

/** What a resident may see of a similar open report: no reference, no description, no personal data. */
export interface SimilarReport {
  id: string;
  categoryId: string;
  wardId: string | null;
  receivedAt: number;
}

/** The nearest open report of the same category within the radius in the last months, or null. */
export async function findSimilarReport(point: GeoPoint, categoryId: string, settings: { radiusMetres: number; months: number }, now: number): Promise<SimilarReport | null> {
  const [hit] = await findNearbyCases(point, { ...settings, now, categoryId, onlySameCategory: true, openOnly: true, limit: 1 });
  return hit ? { id: hit.id, categoryId, wardId: hit.wardId, receivedAt: hit.receivedAt } : null;
}
