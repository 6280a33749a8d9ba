/** Geography: the ONS import on the sample files (domain and command), out-of-area postcodes and the nearby query with worked examples. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { openTestDatabase } from '../helpers/db.ts';
import { insertCase } from './cases-fixtures.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { getDb, toStatement } from '../../src/platform/db/client.ts';
import { cases, postcodes } from '../../src/platform/db/schema.ts';
import { readCallForm } from '../../src/domains/calls/form.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import {
  countPostcodes, findNearbyCases, findPostcode, importGeography, loadPostcodeIndex, locatePostcode, mergeAreas, metresBetween, nearbyConditions,
  OnsFormatError, readPostcodeDirectory, readWardLookup, readWardPopulations, SAMPLE_FILES,
} from '../../src/domains/geography/index.ts';

const run = promisify(execFile);
const config = loadSiteConfig('content');
const sample = (file: string) => join('content', file);
let database: Database;
let dir: string;
let cleanup: () => Promise<void>;
before(async () => {
  ({ database, dir, cleanup } = await openTestDatabase());
});
after(async () => cleanup());

test('the import reads the sample ONS Postcode Directory: live postcodes of our wards only, in batches, and a re-import replaces the table', async () => {
  await database.writer.batch([toStatement(getDb().insert(postcodes).values({ postcode: 'HW1 1QQ', wardId: 'mill-lane', lat: 1, lon: 1 }))]);
  const files = { postcodes: sample(SAMPLE_FILES.postcodes) };
  const first = await importGeography(files, config, 'content');
  // 24 sectors of 12 live postcodes, and HW1 1WW without a grid reference; 24 terminated; 6 in Harrowdale (not ours).
  assert.deepEqual(first.postcodes, { rows: 319, kept: 289, terminated: 24, elsewhere: 6, invalid: 0 });
  assert.equal(await countPostcodes(), 289);
  const again = await importGeography(files, config, 'content');
  assert.equal(again.postcodes!.kept, 289);
  assert.equal(await countPostcodes(), 289, 'a re-import replaces the table');
  await loadPostcodeIndex();
  assert.equal(findPostcode('HW1 1QQ'), null, 'rows from before the import are gone');
  const known = findPostcode('HW1 1AE')!;
  assert.equal(known.wardId, 'brackenford-central');
  assert.deepEqual([known.lat, known.lon], [52.946409, -1.385749], 'the directory\'s lat and long');
  assert.deepEqual(findPostcode('HW1 1WW'), { wardId: 'brackenford-central', lat: null, lon: null }, 'no grid reference (99.999999): no coordinates');
  assert.equal(findPostcode('HW1 1ZZ'), null, 'a terminated postcode is skipped');
  assert.equal(findPostcode('HW9 1AC'), null, "another authority's postcode is skipped");
});

test('the ward lookup and populations update the areas by ONS code: new wards added, names and populations replaced', async () => {
  const lookup = await readWardLookup(sample(SAMPLE_FILES.wards));
  assert.equal(lookup.length, 13);
  assert.deepEqual(lookup[0], { wardCode: 'E05999001', wardName: 'Brackenford Central', districtCode: 'E07999001', districtName: 'Brackenford' });
  const populations = await readWardPopulations(sample(SAMPLE_FILES.populations));
  const unchanged = mergeAreas(config.areas, lookup, populations);
  assert.deepEqual(unchanged.changes, { added: [], renamed: [], populations: 0, missing: [] }, 'the sample matches the demo areas');
  assert.equal(unchanged.areas.find((a) => a.id === 'brackenford')!.population, 14200 + 9800 + 11300 + 8700, 'a district is the sum of its wards');

  const renamed = lookup.map((r) => (r.wardCode === 'E05999002' ? { ...r, wardName: 'Mill Lane and Weir' } : r));
  renamed.push({ wardCode: 'E05999013', wardName: "St Ann's Quay", districtCode: 'E07999002', districtName: 'Eastmere' });
  const merged = mergeAreas(config.areas, renamed, new Map([...populations, ['E05999013', 4100], ['E05999002', 9000], ['E05999003', 11400]]));
  assert.deepEqual(merged.changes.added, ["St Ann's Quay (E05999013) in Eastmere"]);
  assert.deepEqual(merged.changes.renamed, ['Mill Lane is now Mill Lane and Weir']);
  assert.equal(merged.changes.populations, 3);
  const quay = merged.areas.find((a) => a.onsCode === 'E05999013')!;
  assert.deepEqual([quay.id, quay.kind, quay.parent, quay.population], ['st-anns-quay', 'ward', 'eastmere', 4100]);
  assert.ok(merged.areas.indexOf(quay) < merged.areas.findIndex((a) => a.id === 'thornwick'), 'listed with its district');
  assert.equal(merged.areas.find((a) => a.id === 'mill-lane')!.ageBands, undefined, 'age bands summing to more than the new population are dropped');
  assert.ok(merged.areas.find((a) => a.id === 'northgate')!.ageBands, 'age bands that still fit are kept');
});

test('a file without the published columns is refused with what is missing', async () => {
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'postcode,ward,latitude\nHW1 1AA,E05999001,52.6\n');
  await assert.rejects(readPostcodeDirectory(bad, config.areas), (e: unknown) => e instanceof OnsFormatError && /no postcode \(pcds\) column/.test(e.message));
});

test('npm run geo:import -- --sample --update-areas loads the postcode table and rewrites areas.json from the lookup', async () => {
  const content = mkdtempSync(join(tmpdir(), 'saferline-geo-'));
  try {
    cpSync('content/config', join(content, 'config'), { recursive: true });
    cpSync('content/geography', join(content, 'geography'), { recursive: true });
    const file = join(content, 'config', 'areas.json');
    const areas = JSON.parse(readFileSync(file, 'utf8')) as { id: string; name: string; population: number }[];
    areas.find((a) => a.id === 'windle')!.name = 'Old Windle';
    areas.find((a) => a.id === 'windle')!.population = 7000;
    writeFileSync(file, JSON.stringify(areas));
    const env = { ...process.env, DATABASE_URL: `file:${join(content, 'geo.db')}`, CONTENT_DIR: content, LOG_LEVEL: 'silent' };
    const { stdout } = await run(process.execPath, ['scripts/geo-import.ts', '--sample', '--update-areas'], { env });
    assert.match(stdout, /Wards: 0 new, 1 renamed, 1 populations changed \(areas\.json updated\)/);
    assert.match(stdout, /Postcodes: 289 loaded from 319 rows \(24 terminated, 6 outside the partnership, 0 unreadable\)/);
    const written = loadSiteConfig(content).areas.find((a) => a.id === 'windle')!;
    assert.deepEqual([written.name, written.population], ['Windle', 6900]);
    assert.deepEqual(loadSiteConfig(content).areas.map((a) => a.id), config.areas.map((a) => a.id));
  } finally {
    rmSync(content, { recursive: true, force: true });
  }
});

test('postcodes: known ones give ward and coordinates, unknown ones of our districts fall back to the sector, others are out of area', async () => {
  await importGeography({ postcodes: sample(SAMPLE_FILES.postcodes) }, config, 'content');
  await loadPostcodeIndex();
  const known = locatePostcode('HW2 3AE', config);
  assert.equal(known.kind, 'known');
  assert.equal(known.kind === 'known' && known.wardId, 'saltings');
  assert.deepEqual(locatePostcode('HW2 3XY', config), { kind: 'in-area', wardId: 'saltings' }, 'in the area, not in the table: the sector lookup');
  const harrowdale = locatePostcode('HW9 1AD', config);
  assert.equal(harrowdale.kind === 'out-of-area' && harrowdale.neighbour?.name, 'Harrowdale District Council', 'a configured neighbour by postcode district');
  const byArea = locatePostcode('HY4 7PQ', config);
  assert.equal(byArea.kind === 'out-of-area' && byArea.neighbour?.name, 'Saltmarsh Borough Council', 'a configured neighbour by postcode area');
  assert.deepEqual(locatePostcode('SW1A 1AA', config), { kind: 'out-of-area', neighbour: null }, 'elsewhere: no neighbour, GOV.UK finds the council');
});

/** A point `metres` north and `east` metres east of another. */
function offset(p: { lat: number; lon: number }, north: number, east = 0) {
  const perDegree = (Math.PI / 180) * 6_371_008.8;
  return { lat: p.lat + north / perDegree, lon: p.lon + east / (perDegree * Math.cos((p.lat * Math.PI) / 180)) };
}

test('nearby: worked examples with a 300 m radius over 6 months', async () => {
  const now = Date.UTC(2026, 5, 15, 12);
  const day = 86_400_000;
  const here = { lat: 52.6, lon: -0.9 };
  await database.writer.batch([toStatement(getDb().delete(cases))]);
  const self = await insertCase({ ref: 'HM-SELF', categoryId: 'noise', districtId: 'brackenford', ...here, receivedAt: now - day });
  const inside = await insertCase({ ref: 'HM-IN150', categoryId: 'noise', districtId: 'brackenford', ...offset(here, 150), receivedAt: now - 10 * day });
  await insertCase({ ref: 'HM-OUT450', categoryId: 'noise', districtId: 'brackenford', ...offset(here, 0, 450), receivedAt: now - 10 * day });
  await insertCase({ ref: 'HM-CORNER', categoryId: 'noise', districtId: 'brackenford', ...offset(here, 250, 250), receivedAt: now - 10 * day }); // in the box, 354 m away
  await insertCase({ ref: 'HM-OLD', categoryId: 'noise', districtId: 'brackenford', ...offset(here, 50), receivedAt: now - 200 * day });
  await insertCase({ ref: 'HM-OTHER', categoryId: 'graffiti', districtId: 'eastmere', ...offset(here, -100), receivedAt: now - 3 * day });
  await insertCase({ ref: 'HM-NOWHERE', categoryId: 'noise', districtId: 'brackenford', receivedAt: now - 3 * day });

  const found = await findNearbyCases(here, { radiusMetres: 300, months: 6, now, excludeId: self.id, categoryId: 'noise' });
  assert.deepEqual(found.map((c) => [c.ref, Math.round(c.distanceMetres), c.sameCategory]), [['HM-OTHER', 100, false], ['HM-IN150', 150, true]]);
  assert.equal(found[1]!.id, inside.id);
  assert.ok(Math.abs(metresBetween(here, offset(here, 0, 450)) - 450) < 0.5, 'the haversine distance of the worked example');

  const withSelf = await findNearbyCases(here, { radiusMetres: 300, months: 6, now });
  assert.ok(withSelf.some((c) => c.ref === 'HM-SELF'), 'without excludeId the case itself is listed');
  const longer = await findNearbyCases(here, { radiusMetres: 300, months: 7, now, excludeId: self.id });
  assert.ok(longer.some((c) => c.ref === 'HM-OLD'), 'with 7 months, the 200-day-old case is listed');
  const district = await findNearbyCases(here, { radiusMetres: 300, months: 6, now, excludeId: self.id, scope: { kind: 'district', districtIds: ['brackenford'] } });
  assert.deepEqual(district.map((c) => c.ref), ['HM-IN150'], "a Brackenford-only viewer does not see Eastmere's case");
});

test('nearby uses the cases_location index (a bounding box), not a scan of every case', async () => {
  for (const more of [{ excludeId: 'x' }, { categoryId: 'noise', onlySameCategory: true, openOnly: true }]) {
    const query = getDb().select({ id: cases.id }).from(cases).where(nearbyConditions({ lat: 52.6, lon: -0.9 }, { radiusMetres: 300, months: 6, now: Date.now(), ...more })).toSQL();
    const rows = (await database.client.execute({ sql: `EXPLAIN QUERY PLAN ${query.sql}`, args: query.params as (string | number)[] })).rows;
    const plan = rows.map((r) => String(r.detail)).join('\n');
    assert.match(plan, /USING INDEX cases_location \(lat>\? AND lat<\?\)/, plan);
  }
});

test('the call screen (the same where check) gives a known postcode its centroid and refuses an out-of-area one naming the neighbour', async () => {
  await importGeography({ postcodes: sample(SAMPLE_FILES.postcodes) }, config, 'content');
  await loadPostcodeIndex();
  const now = Date.UTC(2026, 10, 23, 14);
  const fields: Record<string, string> = {
    reason: 'new-report', 'outcome-new-report': 'case-created', startedAt: String(now - 180_000), duration: '3:00', durationAuto: '3:00',
    callerName: 'Sam Caller', callerPhone: '01632 960 001', callerEmail: '', danger: 'no', category: 'noise', description: 'Loud music every night from number 4.',
    whenKind: 'ongoing', whenText: 'Every night', postcode: 'HW1 3AE', place: '', affected: 'me', before: 'yes', privacy: 'named', preferredContact: 'phone',
  };
  const form = (f: Record<string, string>) => Object.entries(f).reduce((d, [k, v]) => (d.append(k, v), d), new FormData());
  const known = readCallForm(form(fields), config, [], now);
  assert.deepEqual(known.errors, []);
  const report = known.draft!.report!;
  assert.deepEqual([report.wardId, report.lat, report.lon, report.locationSource], ['mill-lane', 52.960292, -1.412634, 'postcode']);
  const out = readCallForm(form({ ...fields, postcode: 'HW9 1AD' }), config, [], now);
  assert.match(out.errors.find((e) => e.field === 'postcode')?.text ?? '', /^HW9 1AD is not in the area Hollowmere Community Safety Partnership covers\. Report it to Harrowdale District Council \(https:\/\/harrowdale\.example\/report-anti-social-behaviour\)/);
});
