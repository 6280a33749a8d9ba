/**
 * The map pin's settings and the small pure helpers around coordinates (WGS84 decimal degrees). The tile
 * server comes from the environment (MAP_TILE_URL, MAP_ATTRIBUTION, MAP_MAX_ZOOM), the view and the area a
 * pin may be dropped in from content/config/partnership.json (`map`); with either missing there is no map.
 */
import type { Env } from './config/env.ts';
import type { Partnership } from './config/partnership.ts';

/** A box of decimal degrees: south-west and north-east corners. */
export interface MapBounds {
  south: number;
  west: number;
  north: number;
  east: number;
}

/** Everything the map island needs, server side and in the browser. */
export interface MapSettings {
  /** A tile URL template with {z}, {x} and {y} (and optionally {s}). */
  tileUrl: string;
  attribution: string;
  maxZoom: number;
  centre: { lat: number; lon: number };
  zoom: number;
  bounds: MapBounds;
}

/** The map's settings, or null when no tile server or no `map` block is configured (then no map is shown). */
export function mapSettings(env: Pick<Env, 'MAP_TILE_URL' | 'MAP_ATTRIBUTION' | 'MAP_MAX_ZOOM'>, partnership: Pick<Partnership, 'map'>): MapSettings | null {
  if (!env.MAP_TILE_URL || !partnership.map) return null;
  const { centre, zoom, bounds } = partnership.map;
  return { tileUrl: env.MAP_TILE_URL, attribution: env.MAP_ATTRIBUTION, maxZoom: env.MAP_MAX_ZOOM, centre, zoom: Math.min(zoom, env.MAP_MAX_ZOOM), bounds };
}

/** True when a point lies inside the box (edges included). */
export function isInBounds(b: MapBounds, lat: number, lon: number): boolean {
  return lat >= b.south && lat <= b.north && lon >= b.west && lon <= b.east;
}

/** The origin of a tile URL template ("https://{s}.tile.example.org/{z}/{x}/{y}.png" gives "https://*.tile.example.org"), for the CSP's img-src. */
export function tileOrigin(template: string): string {
  const m = /^(https?:\/\/)([^/]+)/.exec(template);
  if (!m) throw new Error('A tile URL must start with http:// or https://');
  return m[1]! + m[2]!.replace(/\{[a-z]\}/g, '*').replace(/^[^.]*\*[^.]*\./, '*.');
}

/** A coordinate rounded for anything public: 3 decimal places, about 100 m. */
export function roundForPublic(degrees: number): number {
  return Math.round(degrees * 1000) / 1000;
}

/** "52.951234, -1.502345": coordinates in full, as staff see them. */
export function formatCoordinates(lat: number, lon: number): string {
  return `${lat}, ${lon}`;
}

/** A link that opens the coordinates on OpenStreetMap, with a marker. */
export function openStreetMapLink(lat: number, lon: number): string {
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=18/${lat}/${lon}`;
}

/** Words for where coordinates came from, as staff read them. */
export function describeLocationSource(source: string | null | undefined): string {
  return source === 'pin' ? 'pin dropped on the map' : source === 'postcode' ? 'centre of the postcode' : source === 'api' ? 'given by the API caller' : 'source not recorded';
}
