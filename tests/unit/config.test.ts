import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, parseEnv } from '../../src/platform/config/env.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';

test('the demo configuration is valid and big enough', () => {
  const config = loadSiteConfig('content');
  assert.ok(config.areas.filter((a) => a.kind === 'district').length >= 3);
  assert.ok(config.areas.filter((a) => a.kind === 'ward').length >= 12);
  assert.ok(config.categories.length >= 10);
  assert.ok(config.agencies.length >= 6);
  assert.ok(config.categories.some((c) => c.sensitive));
});

test('defaults apply when nothing is set', () => {
  const env = parseEnv({});
  assert.equal(env.DATABASE_URL, 'file:data/saferline.db');
  assert.equal(env.DEMO_MODE, true);
});

test('a bad DATABASE_URL is refused with a message that names it', () => {
  assert.throws(() => parseEnv({ DATABASE_URL: 'postgres://nope' }), (e: Error) => e instanceof ConfigError && /DATABASE_URL/.test(e.message));
});

test('remote libSQL URLs are accepted without code changes', () => {
  for (const url of ['libsql://db.example.turso.io', 'http://127.0.0.1:8080', 'https://db.example']) {
    assert.equal(parseEnv({ DATABASE_URL: url }).DATABASE_URL, url);
  }
});

test('other bad settings name themselves', () => {
  assert.throws(() => parseEnv({ SMTP_URL: 'mail.example:25' }), /SMTP_URL/);
  assert.throws(() => parseEnv({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
  assert.throws(() => parseEnv({ DEMO_MODE: 'perhaps' }), /DEMO_MODE/);
  assert.throws(() => parseEnv({ PUBLIC_URL: 'not a url' }), /PUBLIC_URL/);
});

function withContent(edit: (dir: string) => void, check: (dir: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'saferline-config-'));
  try {
    cpSync('content/config', join(dir, 'config'), { recursive: true });
    edit(dir);
    check(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a category naming an unknown agency is refused, naming both', () => {
  withContent(
    (dir) => {
      const file = join(dir, 'config', 'categories.json');
      const cats = JSON.parse(readFileSync(file, 'utf8'));
      cats[1].agencies = ['environment', 'ghostbusters'];
      writeFileSync(file, JSON.stringify(cats));
    },
    (dir) => assert.throws(() => loadSiteConfig(dir), /categories\.json.*noise.*unknown agency 'ghostbusters'/),
  );
});

test('a ward without a district and a broken file are refused', () => {
  withContent(
    (dir) => {
      const file = join(dir, 'config', 'areas.json');
      const areas = JSON.parse(readFileSync(file, 'utf8'));
      areas.push({ id: 'lost-ward', name: 'Lost', kind: 'ward', population: 1 });
      writeFileSync(file, JSON.stringify(areas));
    },
    (dir) => assert.throws(() => loadSiteConfig(dir), /lost-ward.*parent district/),
  );
  withContent(
    (dir) => writeFileSync(join(dir, 'config', 'targets.json'), '{ nope'),
    (dir) => assert.throws(() => loadSiteConfig(dir), /targets\.json/),
  );
});

test('age bands of an area are the consultation "about you" bands and sum to at most its population', async () => {
  const { AGE_BANDS } = await import('../../src/domains/consultations/survey.ts');
  const { POPULATION_AGE_BANDS } = await import('../../src/platform/config/partnership.ts');
  assert.deepEqual([...POPULATION_AGE_BANDS], AGE_BANDS.map((b) => b.value).filter((v) => v !== 'not-say'));
  const wards = loadSiteConfig('content').areas.filter((a) => a.kind === 'ward');
  assert.ok(wards.every((w) => w.ageBands), 'every demo ward has age bands');
  const edit = (change: (area: Record<string, unknown>) => void) => (dir: string) => {
    const file = join(dir, 'config', 'areas.json');
    const areas = JSON.parse(readFileSync(file, 'utf8'));
    change(areas.find((a: { id: string }) => a.id === 'mill-lane'));
    writeFileSync(file, JSON.stringify(areas));
  };
  withContent(
    edit((a) => { a.ageBands = { 'under-18': 5000, '18-24': 1000, '25-44': 2000, '45-64': 1000, '65-plus': 1000 }; }),
    (dir) => assert.throws(() => loadSiteConfig(dir), /'mill-lane' has 10000 people in its age bands, more than its population \(9800\)/),
  );
  withContent(
    edit((a) => { a.ageBands = { 'under-18': 10, '16-24': 10 }; }),
    (dir) => assert.throws(() => loadSiteConfig(dir), /areas\.json/),
  );
});

test('every area has its own ONS code of the right kind (E05 for a ward), and neighbours are optional data', () => {
  const config = loadSiteConfig('content');
  assert.ok(config.areas.every((a) => /^[ENSW]\d{8}$/.test(a.onsCode ?? '')), 'every demo area has an ONS code');
  assert.ok(config.neighbours.length > 0);
  const edit = (change: (areas: Record<string, unknown>[]) => void) => (dir: string) => {
    const file = join(dir, 'config', 'areas.json');
    const areas = JSON.parse(readFileSync(file, 'utf8'));
    change(areas);
    writeFileSync(file, JSON.stringify(areas));
  };
  const millLane = (areas: Record<string, unknown>[]) => areas.find((a) => a.id === 'mill-lane')!;
  withContent(edit((areas) => { delete millLane(areas).onsCode; }), (dir) => assert.throws(() => loadSiteConfig(dir), /'mill-lane' needs its ONS code/));
  withContent(edit((areas) => { millLane(areas).onsCode = 'E07999009'; }), (dir) => assert.throws(() => loadSiteConfig(dir), /'mill-lane' has ONS code E07999009, which is not a ward code/));
  withContent(edit((areas) => { millLane(areas).onsCode = 'E05999001'; }), (dir) => assert.throws(() => loadSiteConfig(dir), /ONS code E05999001 is used twice/));
  withContent(edit((areas) => { millLane(areas).onsCode = 'E05-1'; }), (dir) => assert.throws(() => loadSiteConfig(dir), /nine-character ONS code/));
  withContent((dir) => rmSync(join(dir, 'config', 'neighbours.json')), (dir) => assert.deepEqual(loadSiteConfig(dir).neighbours, []));
});
