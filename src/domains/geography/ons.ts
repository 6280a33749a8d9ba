/**
 * Reading the ONS's published CSV files: the ONS Postcode Directory (ONSPD), the ward to local authority
 * district lookup (WDyyCD, WDyyNM, LADyyCD, LADyyNM) and ward population estimates. Columns are found by their
 * published names, case-insensitively, whatever the year: ONSPD `pcds` (or `pcd`), `doterm`, `osward` (or `ward`,
 * `wdyycd`), `oslaua` (or `laua`, `ladyycd`), `lat` and `long`. Files are streamed, so a whole-UK directory
 * (2.7 million rows) is read without holding it in memory.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import type { Area } from '../../platform/config/partnership.ts';
import { normalisePostcode } from '../../platform/uk/postcode.ts';

/** A file that cannot be read as the ONS format it should be. */
export class OnsFormatError extends Error {}

/** One postcode of the partnership, ready for the postcode table. */
export interface PostcodeRecord {
  postcode: string;
  wardId: string;
  lat: number | null;
  lon: number | null;
}

/** One row of the ward to local authority lookup. */
export interface WardLookupRow {
  wardCode: string;
  wardName: string;
  districtCode: string;
  districtName: string;
}

/** What reading the postcode directory kept and skipped. */
export interface PostcodeReadStats {
  rows: number;
  kept: number;
  terminated: number;
  elsewhere: number;
  invalid: number;
}

/** Stream a CSV file's rows as objects keyed by lower-case header names. */
async function* readCsv(path: string): AsyncGenerator<Record<string, string>> {
  const parser = createReadStream(path).pipe(parse({ bom: true, columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), skip_empty_lines: true, trim: true, relax_column_count: true }));
  yield* parser as AsyncIterable<Record<string, string>>;
}

/** The first header name matching one of the patterns (in order), or an error naming what is missing. */
export function findColumn(header: string[], patterns: RegExp[], what: string, file: string): string {
  for (const p of patterns) {
    const hit = header.find((h) => p.test(h));
    if (hit) return hit;
  }
  throw new OnsFormatError(`${file}: no ${what} column (looked for ${patterns.map((p) => p.source.replace(/[\^$\\]/g, '')).join(', ')})`);
}

/** A coordinate as a number, or null when missing (the directory writes 99.999999 for "no grid reference"). */
export function readCoordinate(value: string | undefined, max: number): number | null {
  if (!value) return null;
  const n = Number(value);
  return Number.isFinite(n) && Math.abs(n) <= max && Math.abs(n) < 99.9 ? n : null;
}

/** The ward ids of the partnership by their ONS codes. */
export function wardsByOnsCode(areas: Area[]): Map<string, string> {
  return new Map(areas.filter((a) => a.kind === 'ward' && a.onsCode).map((a) => [a.onsCode!, a.id]));
}

/**
 * Read the ONS Postcode Directory, keeping only live postcodes (no `doterm`) whose ward is one of the
 * partnership's (by ONS code). A postcode without a grid reference is kept without coordinates.
 */
export async function readPostcodeDirectory(path: string, areas: Area[]): Promise<{ records: PostcodeRecord[]; stats: PostcodeReadStats }> {
  const wards = wardsByOnsCode(areas);
  const stats: PostcodeReadStats = { rows: 0, kept: 0, terminated: 0, elsewhere: 0, invalid: 0 };
  const records = new Map<string, PostcodeRecord>();
  let cols: { postcode: string; doterm: string; ward: string; lat: string; lon: string } | undefined;
  for await (const row of readCsv(path)) {
    if (!cols) {
      const header = Object.keys(row);
      cols = {
        postcode: findColumn(header, [/^pcds$/, /^pcd$/, /^pcd7$/, /^pcd8$/], 'postcode (pcds)', path),
        doterm: findColumn(header, [/^doterm$/], 'termination date (doterm)', path),
        ward: findColumn(header, [/^osward$/, /^ward$/, /^wd\d\dcd$/], 'ward code (osward)', path),
        lat: findColumn(header, [/^lat$/], 'latitude (lat)', path),
        lon: findColumn(header, [/^long$/], 'longitude (long)', path),
      };
    }
    stats.rows++;
    if (row[cols.doterm]) {
      stats.terminated++;
      continue;
    }
    const wardId = wards.get(row[cols.ward] ?? '');
    if (!wardId) {
      stats.elsewhere++;
      continue;
    }
    const postcode = normalisePostcode(row[cols.postcode] ?? '');
    if (!postcode) {
      stats.invalid++;
      continue;
    }
    const lat = readCoordinate(row[cols.lat], 90);
    const lon = lat === null ? null : readCoordinate(row[cols.lon], 180);
    records.set(postcode, { postcode, wardId, lat: lon === null ? null : lat, lon });
  }
  if (!cols) throw new OnsFormatError(`${path}: the file has no rows`);
  stats.kept = records.size;
  return { records: [...records.values()], stats };
}

/** Read the ONS ward to local authority district lookup (WDyyCD, WDyyNM, LADyyCD, LADyyNM). */
export async function readWardLookup(path: string): Promise<WardLookupRow[]> {
  const out: WardLookupRow[] = [];
  let cols: Record<keyof WardLookupRow, string> | undefined;
  for await (const row of readCsv(path)) {
    if (!cols) {
      const header = Object.keys(row);
      cols = {
        wardCode: findColumn(header, [/^wd\d\dcd$/], 'ward code (WDyyCD)', path),
        wardName: findColumn(header, [/^wd\d\dnm$/], 'ward name (WDyyNM)', path),
        districtCode: findColumn(header, [/^lad\d\dcd$/], 'district code (LADyyCD)', path),
        districtName: findColumn(header, [/^lad\d\dnm$/], 'district name (LADyyNM)', path),
      };
    }
    out.push({ wardCode: row[cols.wardCode] ?? '', wardName: row[cols.wardName] ?? '', districtCode: row[cols.districtCode] ?? '', districtName: row[cols.districtName] ?? '' });
  }
  return out;
}

/** Read ward population estimates: a ward code column (WDyyCD) and the total ("Total", "All Ages" or "Population"). */
export async function readWardPopulations(path: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let cols: { code: string; total: string } | undefined;
  for await (const row of readCsv(path)) {
    if (!cols) {
      const header = Object.keys(row);
      cols = { code: findColumn(header, [/^wd\d\dcd$/, /^ward code/], 'ward code (WDyyCD)', path), total: findColumn(header, [/^total$/, /^all ages$/, /^population$/], 'total population (Total)', path) };
    }
    const n = Number((row[cols.total] ?? '').replace(/,/g, ''));
    if (row[cols.code] && Number.isInteger(n) && n >= 0) out.set(row[cols.code]!, n);
  }
  return out;
}

/** A slug for a new ward's id from its name ("St Mary's North" is "st-marys-north"). */
export function slugFromName(name: string): string {
  return name.toLowerCase().replace(/['’]/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'ward';
}

/** What merging the ONS lookup into the configured areas changed. */
export interface AreaChanges {
  added: string[];
  renamed: string[];
  populations: number;
  /** Configured wards that the lookup does not list under any of the partnership's districts. */
  missing: string[];
}

/**
 * The configured areas updated from the ONS ward lookup and populations: the partnership's districts are found by
 * their ONS codes; their wards in the lookup are added (new id from the name) or renamed; populations replace the
 * configured ones, districts and the county summing their wards. Age bands that no longer fit are dropped.
 */
export function mergeAreas(areas: Area[], lookup: WardLookupRow[], populations: Map<string, number>): { areas: Area[]; changes: AreaChanges } {
  const out = areas.map((a) => ({ ...a }));
  const changes: AreaChanges = { added: [], renamed: [], populations: 0, missing: [] };
  const districts = new Map(out.filter((a) => a.kind === 'district' && a.onsCode).map((d) => [d.onsCode!, d]));
  const ids = new Set(out.map((a) => a.id));
  const listed = new Set<string>();
  for (const row of lookup) {
    const district = districts.get(row.districtCode);
    if (!district) continue;
    listed.add(row.wardCode);
    const ward = out.find((a) => a.kind === 'ward' && a.onsCode === row.wardCode);
    if (ward) {
      if (row.wardName && ward.name !== row.wardName) {
        changes.renamed.push(`${ward.name} is now ${row.wardName}`);
        ward.name = row.wardName;
      }
      ward.parent = district.id;
      continue;
    }
    let id = slugFromName(row.wardName);
    while (ids.has(id)) id = `${id}-ward`;
    ids.add(id);
    const at = out.findLastIndex((a) => a.parent === district.id) + 1 || out.indexOf(district) + 1;
    out.splice(at, 0, { id, name: row.wardName, onsCode: row.wardCode, kind: 'ward', parent: district.id, population: 0 });
    changes.added.push(`${row.wardName} (${row.wardCode}) in ${district.name}`);
  }
  for (const a of out) if (a.kind === 'ward' && a.onsCode && !listed.has(a.onsCode) && lookup.length > 0) changes.missing.push(`${a.name} (${a.onsCode})`);
  for (const ward of out.filter((a) => a.kind === 'ward')) {
    const n = ward.onsCode ? populations.get(ward.onsCode) : undefined;
    if (n === undefined) continue;
    if (n !== ward.population) changes.populations++;
    ward.population = n;
    if (ward.ageBands && Object.values(ward.ageBands).reduce((s, v) => s + v, 0) > n) delete ward.ageBands;
  }
  if (populations.size > 0) {
    const sum = (parent: string) => out.filter((a) => a.parent === parent).reduce((s, a) => s + a.population, 0);
    for (const d of out.filter((a) => a.kind === 'district')) d.population = sum(d.id);
    for (const c of out.filter((a) => a.kind === 'county')) c.population = Math.max(c.population, sum(c.id));
  }
  return { areas: out, changes };
}
