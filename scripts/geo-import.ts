/**
 * Import the partnership's geography from the ONS's published CSV files:
 *   npm run geo:import -- --postcodes ONSPD_FEB_2026_UK.csv [--wards WD25_LAD25_UK_LU.csv] [--population ward-population.csv] [--update-areas]
 *   npm run geo:import -- --sample        (the small fictional sample in content/geography/sample)
 * The ward lookup and populations update content/config/areas.json (found by ONS code) when --update-areas is
 * given, and are only reported otherwise. The postcode directory replaces the postcode table with the live
 * postcodes of the partnership's wards. Restart the server afterwards: it reads the table on start.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseEnv } from '../src/platform/config/env.ts';
import { closeDatabase, migrateDatabase, openDatabase } from '../src/platform/db/client.ts';
import { loadSiteConfig } from '../src/platform/config/partnership.ts';
import { importGeography, OnsFormatError, SAMPLE_FILES } from '../src/domains/geography/index.ts';

const { values } = parseArgs({
  options: {
    postcodes: { type: 'string' },
    wards: { type: 'string' },
    population: { type: 'string' },
    'update-areas': { type: 'boolean', default: false },
    sample: { type: 'boolean', default: false },
  },
});

const env = parseEnv();
const sample = (file: string) => join(env.CONTENT_DIR, file);
const files = values.sample
  ? { postcodes: sample(SAMPLE_FILES.postcodes), wards: sample(SAMPLE_FILES.wards), populations: sample(SAMPLE_FILES.populations), updateAreas: values['update-areas'] }
  : { postcodes: values.postcodes, wards: values.wards, populations: values.population, updateAreas: values['update-areas'] };
if (!files.postcodes && !files.wards && !files.populations) {
  process.stderr.write('geo:import: give --postcodes <ONSPD csv>, --wards <lookup csv>, --population <csv>, or --sample\n');
  process.exit(1);
}

const config = loadSiteConfig(env.CONTENT_DIR);
const database = await openDatabase({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN, timeoutMs: env.DATABASE_TIMEOUT_MS });
try {
  await migrateDatabase(database);
  const result = await importGeography(files, config, env.CONTENT_DIR);
  const out: string[] = [];
  if (result.changes) {
    const c = result.changes;
    out.push(`Wards: ${c.added.length} new, ${c.renamed.length} renamed, ${c.populations} populations changed${result.areasWritten ? ' (areas.json updated)' : ' (not written: add --update-areas)'}`);
    for (const line of [...c.added.map((a) => `  new: ${a}`), ...c.renamed.map((r) => `  renamed: ${r}`), ...c.missing.map((m) => `  not in the lookup: ${m}`)]) out.push(line);
  }
  if (result.postcodes) {
    const s = result.postcodes;
    out.push(`Postcodes: ${s.kept} loaded from ${s.rows} rows (${s.terminated} terminated, ${s.elsewhere} outside the partnership, ${s.invalid} unreadable)`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
} catch (error) {
  if (!(error instanceof OnsFormatError)) throw error;
  process.stderr.write(`geo:import: ${error.message}\n`);
  process.exitCode = 1;
} finally {
  await closeDatabase();
}
