/** Load a case's neighbours (same reporter; same category at the same or a named place) and run the threshold rules on them. */
import type { InValue } from '@libsql/client';
import { loadSiteConfig } from '../../platform/config/partnership.ts';
import { readValues } from '../../platform/db/client.ts';
import { valueRows } from '../../platform/db/placeholders.ts';
import { SAME_PLACE_METRES, detectFlags, detectThresholds, namedPlaceOf, sixMonthsBefore, type RepeatFlag, type ThresholdCase, type ThresholdResult } from './thresholds.ts';

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
export type PlaceRowsCache = Map<string, PlaceRows>;

/** At most this many cases are read for one place or one reporter. */
const NEIGHBOUR_LIMIT = 2000;

/** The place's cases a flag refresh reads first, newest first (detectCaseFlags). */
const NEWEST_READ = 64;

/**
 * Repeat flags and the ASB Case Review count for a case, from the cases received in the six months before `now`:
 * the reporter's cases, and the category's cases at the same place (coordinates and named places are compared in
 * memory, so they need the whole category; a postcode alone is looked up). With a cache, cases sharing a place
 * query share its rows.
 */
export async function detectCaseThresholds(subject: ThresholdCase, now = Date.now(), cache?: PlaceRowsCache): Promise<ThresholdResult & { neighbours: readonly NeighbourCase[] }> {
  const { all } = await loadNeighbours(subject, now, cache);
  return { ...detectThresholds(subject, all, now, gazetteerPlaceNames()), neighbours: all };
}

/** The repeat flags alone (detectFlags: it stops once each flag is decided), with the neighbours read; for refreshing stored flags. */
export async function detectCaseFlags(subject: ThresholdCase, now = Date.now(), cache?: PlaceRowsCache): Promise<{ flags: RepeatFlag[]; neighbours: readonly NeighbourCase[] }> {
  const names = gazetteerPlaceNames();
  // The place's newest cases first: at a busy place they settle every flag, and the rest of its six months is never read.
  const newest = await loadNeighbours(subject, now, cache, NEWEST_READ);
  const flags = detectFlags(subject, newest.all, now, names, newest.reporter);
  if (newest.complete || settledByNewest(subject, flags, newest.all)) return { flags, neighbours: newest.all };
  const { all, reporter } = await loadNeighbours(subject, now, cache);
  return { flags: detectFlags(subject, all, now, names, reporter), neighbours: all };
}

/**
 * True when flags worked out from a place's newest cases alone are the flags of all of them: more cases can only add
 * flags, so once repeat location and the ASB Case Review hold (the reporter flag comes from the reporter's own cases)
 * nothing is left to add. Not when the case itself or a case read is a duplicate: its original may be among the cases
 * not read (an older case need not be among its place's newest), and a duplicate counts as its original.
 */
export function settledByNewest(subject: ThresholdCase, flags: readonly RepeatFlag[], read: readonly ThresholdCase[]): boolean {
  return flags.includes('repeat_location') && flags.includes('asb_case_review') && !subject.duplicateOf && !read.some((c) => c.duplicateOf);
}

/** The columns threshold detection reads, as plain SQL (the reads below run on the hot-path read connection, each statement prepared once). */
const NEIGHBOUR_SELECT =
  'select "id", "ref", "received_at", "reporter_id", "category_id", "postcode", "location_text", "lat", "lon", "incident_id", "duplicate_of", "resolution_code", "flags" from "cases"';

/** A row of NEIGHBOUR_SELECT, as its values in column order (readValues), as a neighbour. */
function toNeighbour(r: unknown[]): NeighbourCase {
  const num = (v: unknown) => (v == null ? null : Number(v));
  const str = (v: unknown) => (v == null ? null : String(v));
  return {
    id: String(r[0]), ref: String(r[1]), receivedAt: Number(r[2]), reporterId: str(r[3]), categoryId: str(r[4]), postcode: str(r[5]),
    locationText: str(r[6]), lat: num(r[7]), lon: num(r[8]), incidentId: str(r[9]), duplicateOf: str(r[10]), resolutionCode: str(r[11]),
    flags: r[12] == null ? null : (JSON.parse(String(r[12])) as string[]),
  };
}

/** A case's neighbours: the category's cases at its place (newest first, shared through a refresh's cache) and the reporter's own cases. */
interface Neighbours {
  /** The reporter's cases (the case itself included), whether or not they are also among the place's. */
  reporter: readonly NeighbourCase[];
  /** Both, each case once: the place's, then the reporter's others (not the case itself, unless the place's hold it). */
  all: readonly NeighbourCase[];
  /** True when every place query returned all its cases (none was left out by the limit). */
  complete: boolean;
}

/** A place's cases as read, newest first, and whether the limit left any out. */
interface PlaceRows {
  rows: readonly NeighbourCase[];
  complete: boolean;
}

/** The ids of each cached place list, worked out once, so that merging in a reporter's cases costs their count alone. */
const placeIds = new WeakMap<readonly NeighbourCase[], Set<string>>();

/**
 * The cases a case may be counted with: the reporter's, and the category's at the same place, from the six months
 * before `now`; with a `limit` under NEIGHBOUR_LIMIT, only the place's newest cases.
 */
async function loadNeighbours(subject: ThresholdCase, now: number, cache?: PlaceRowsCache, limit = NEIGHBOUR_LIMIT): Promise<Neighbours> {
  const from = sixMonthsBefore(now);
  const names = gazetteerPlaceNames();
  const places: { key: string; where: string; args: InValue[] }[] = [];
  if (subject.categoryId) {
    const category = subject.categoryId;
    // A named place is compared in memory, so it needs the whole category. Coordinates need only the cases in a box
    // around the point (the cases_location index); a case without coordinates can still match by postcode.
    if (namedPlaceOf(subject, names)) places.push({ key: `category:${category}`, where: '"category_id" = ?', args: [category] });
    else {
      if (subject.lat != null && subject.lon != null) {
        const [latMin, latMax, lonMin, lonMax] = nearBox(subject.lat, subject.lon);
        places.push({ key: `category:${category}|near:${subject.lat},${subject.lon}`, where: '"category_id" = ? and "lat" between ? and ? and "lon" between ? and ?', args: [category, latMin, latMax, lonMin, lonMax] });
      }
      if (subject.postcode) places.push({ key: `category:${category}|postcode:${subject.postcode}`, where: '"category_id" = ? and "postcode" = ?', args: [category, subject.postcode] });
    }
  }
  if (!places.length && !subject.reporterId) return { reporter: [], all: [], complete: true };
  let placeRows: readonly NeighbourCase[] = [];
  let complete = true;
  if (places.length) {
    const key = `${places.map((p) => p.key).join('||')}|from:${from}`;
    // A complete read serves every limit; a partial one only its own.
    const cached = cache?.get(`${key}|all`) ?? (limit < NEIGHBOUR_LIMIT ? cache?.get(`${key}|newest:${limit}`) : undefined);
    if (cached) ({ rows: placeRows, complete } = cached);
    else {
      const byId = new Map<string, NeighbourCase>();
      const order = limit < NEIGHBOUR_LIMIT ? ' order by "received_at" desc' : '';
      for (const place of places) {
        const rows = await readValues({ sql: `${NEIGHBOUR_SELECT} where "received_at" >= ? and ${place.where}${order} limit ${limit}`, args: [from, ...place.args] });
        if (rows.length >= limit) complete = false;
        for (const row of rows) byId.set(String(row[0]), toNeighbour(row));
      }
      // Newest first, so that a refresh finds a case's newest neighbours without sorting the place for every case.
      placeRows = [...byId.values()].sort((x, y) => y.receivedAt - x.receivedAt);
      cache?.set(complete || limit >= NEIGHBOUR_LIMIT ? `${key}|all` : `${key}|newest:${limit}`, { rows: placeRows, complete });
    }
  }
  const reporterRows = subject.reporterId
    ? (cache?.get(reporterKey(subject.reporterId, from))?.rows ??
      (await readValues({ sql: `${NEIGHBOUR_SELECT} where "received_at" >= ? and "reporter_id" = ? limit ${NEIGHBOUR_LIMIT}`, args: [from, subject.reporterId] })).map(toNeighbour))
    : [];
  let seen = placeIds.get(placeRows);
  if (!seen) placeIds.set(placeRows, (seen = new Set(placeRows.map((r) => r.id))));
  // The case itself is left out of `all` when only the reporter's read holds it: every use of `all` skips it anyway,
  // and at a busy place it is a new case among older ones, which would copy the place's list for every arrival.
  const extra = reporterRows.filter((r) => r.id !== subject.id && !seen.has(r.id));
  return { reporter: reporterRows, all: extra.length ? [...placeRows, ...extra] : placeRows, complete };
}

/** Cases read per statement by loadFlagCases (a short IN list padded to one length, so one prepared statement serves every read). */
const FLAG_READ_CHUNK = 64;

/**
 * Cases by id with what a flag refresh needs (the threshold fields and the stored flags), read FLAG_READ_CHUNK at a
 * time with a turn of the event loop between reads: a burst's backlog of thousands of cases never holds requests
 * behind one long read.
 */
export async function loadFlagCases(ids: readonly string[]): Promise<NeighbourCase[]> {
  const out: NeighbourCase[] = [];
  const sql = `${NEIGHBOUR_SELECT} where "id" in ${valueRows(1, FLAG_READ_CHUNK)}`;
  for (let i = 0; i < ids.length; i += FLAG_READ_CHUNK) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    const chunk = ids.slice(i, i + FLAG_READ_CHUNK);
    for (const row of await readValues({ sql, args: paddedChunk(chunk) })) out.push(toNeighbour(row));
  }
  return out;
}

/** A chunk of at most FLAG_READ_CHUNK ids padded to that length with its last id, so that one prepared IN list serves every chunk. */
function paddedChunk(chunk: readonly string[]): string[] {
  return Array.from({ length: FLAG_READ_CHUNK }, (_, j) => chunk[Math.min(j, chunk.length - 1)]!);
}

/** The cache key of a reporter's cases since `from`. */
function reporterKey(reporterId: string, from: number): string {
  return `reporter:${reporterId}|from:${from}`;
}

/** Rows one reporter read of loadReporterCases may return for its FLAG_READ_CHUNK reporters; a read that reaches it is not kept. */
const REPORTER_READ_LIMIT = 4 * FLAG_READ_CHUNK;

/**
 * Read the cases of the reporters of some cases (received in the six months before `now`) FLAG_READ_CHUNK reporters
 * at a time into a refresh's cache, so that a pass reads its arrivals' reporters in a few reads instead of one each.
 * A read that reaches REPORTER_READ_LIMIT rows (reporters with many cases) is not kept: those reporters are then read
 * one by one, as before, each with its own limit.
 */
export async function loadReporterCases(subjects: readonly ThresholdCase[], now: number, cache: PlaceRowsCache): Promise<void> {
  const from = sixMonthsBefore(now);
  const ids = [...new Set(subjects.map((s) => s.reporterId).filter((id): id is string => !!id && !cache.has(reporterKey(id, from))))];
  const sql = `${NEIGHBOUR_SELECT} where "received_at" >= ? and "reporter_id" in ${valueRows(1, FLAG_READ_CHUNK)} limit ${REPORTER_READ_LIMIT}`;
  for (let i = 0; i < ids.length; i += FLAG_READ_CHUNK) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    const chunk = ids.slice(i, i + FLAG_READ_CHUNK);
    const rows = await readValues({ sql, args: [from, ...paddedChunk(chunk)] });
    if (rows.length >= REPORTER_READ_LIMIT) continue;
    const byReporter = new Map<string, NeighbourCase[]>(chunk.map((id) => [id, []]));
    for (const row of rows) {
      const c = toNeighbour(row);
      byReporter.get(c.reporterId!)?.push(c);
    }
    for (const [id, list] of byReporter) cache.set(reporterKey(id, from), { rows: list, complete: true });
  }
}

/** The box of latitude and longitude (degrees) that holds every point within SAME_PLACE_METRES of a point, with a little to spare. */
function nearBox(lat: number, lon: number): [number, number, number, number] {
  const dLat = (SAME_PLACE_METRES / 111_000) * 1.05;
  const dLon = dLat / Math.max(0.01, Math.cos((lat * Math.PI) / 180));
  return [lat - dLat, lat + dLat, lon - dLon, lon + dLon];
}
