/**
 * The postcode table (postcode -> ward and coordinates, from the ONS Postcode Directory) and the lookup the
 * question engine uses. The table is small (one partnership's postcodes, tens of thousands), so each process
 * keeps it in memory after start (loadPostcodeIndex) and the where question looks postcodes up synchronously.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { SiteConfig } from '../../platform/config/partnership.ts';
import { getDatabase, getDb, toStatement } from '../../platform/db/client.ts';
import { postcodes } from '../../platform/db/schema.ts';
import { insertRow } from '../../platform/db/insert.ts';
import { readPostcodeDirectory, type PostcodeReadStats, type PostcodeRecord } from './ons.ts';

/** Rows per INSERT batch when loading the table. */
const BATCH_ROWS = 500;

/** Where a known postcode is. */
export interface PostcodePlace {
  wardId: string;
  lat: number | null;
  lon: number | null;
}

/** The sample files shipped in the content folder (fictional, in the ONS formats). */
export const SAMPLE_FILES = {
  postcodes: 'geography/sample/ONSPD_SAMPLE_UK.csv',
  wards: 'geography/sample/WD24_LAD24_SAMPLE.csv',
  populations: 'geography/sample/WARD_POPULATION_SAMPLE.csv',
} as const;

let index = new Map<string, PostcodePlace>();
let outwardCodes = new Set<string>();

/** The outward code of a normalised postcode ("HW1" of "HW1 2AB"). */
export function outwardCode(postcode: string): string {
  return postcode.split(' ')[0] ?? postcode;
}

/** Replace the whole postcode table with these records, in one transaction of batched inserts (a re-import replaces it). */
export async function replacePostcodes(records: PostcodeRecord[]): Promise<void> {
  await getDatabase().writer.transaction(async (tx) => {
    await tx.execute(toStatement(tx.db.delete(postcodes)));
    for (let i = 0; i < records.length; i += BATCH_ROWS) {
      await tx.batch(records.slice(i, i + BATCH_ROWS).map((r) => insertRow(postcodes, r)));
    }
  });
}

/** Import the ONS Postcode Directory file into the postcode table, keeping the partnership's live postcodes. */
export async function importPostcodes(path: string, config: Pick<SiteConfig, 'areas'>): Promise<PostcodeReadStats> {
  const { records, stats } = await readPostcodeDirectory(path, config.areas);
  await replacePostcodes(records);
  return stats;
}

/** How many postcodes the table holds. */
export async function countPostcodes(): Promise<number> {
  const [row] = await getDb().select({ n: sql<number>`count(*)` }).from(postcodes);
  return Number(row?.n ?? 0);
}

/** On start: load the shipped sample when the table is empty (so the demo and tests work out of the box); true when loaded. */
export async function ensurePostcodes(contentDir: string, config: Pick<SiteConfig, 'areas'>): Promise<boolean> {
  const sample = join(contentDir, SAMPLE_FILES.postcodes);
  if (!existsSync(sample) || (await countPostcodes()) > 0) return false;
  await importPostcodes(sample, config);
  return true;
}

/** Read the postcode table into this process's memory (on start, and after an import). */
export async function loadPostcodeIndex(): Promise<number> {
  const rows = await getDb().select().from(postcodes);
  index = new Map(rows.map((r) => [r.postcode, { wardId: r.wardId, lat: r.lat, lon: r.lon }]));
  outwardCodes = new Set(rows.map((r) => outwardCode(r.postcode)));
  return index.size;
}

/** The ward and coordinates of a normalised postcode from the postcode table, or null when it is not there. */
export function findPostcode(postcode: string): PostcodePlace | null {
  return index.get(postcode) ?? null;
}

/** True when the postcode table holds postcodes of this outward code ("HW1"). */
export function isKnownOutwardCode(outward: string): boolean {
  return outwardCodes.has(outward);
}
