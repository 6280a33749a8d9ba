/** Public statistics over HTTP: figures against an independent SQL count, CSV equal to JSON, suppression, no script, valid HTML. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClient } from '@libsql/client';
import { parse } from 'csv-parse/sync';
import { startServer, type TestServer } from '../helpers/server.ts';
import { Visitor } from '../helpers/http.ts';
import { htmlProblems } from '../helpers/html.ts';
import { loadSiteConfig } from '../../src/platform/config/partnership.ts';
import { londonTime } from '../../src/platform/time/london.ts';

const config = loadSiteConfig('content');
let server: TestServer;
let visitor: Visitor;
type Row = { month: string; level: string; area_id: string; area_name: string; group: string; count: number | null; shown_as: string };
let json: { months: string[]; dictionary: { field: string }[]; rows: Row[] };

/** The month before the current London month, and its bounds. */
function lastMonth(): { month: string; from: number; to: number } {
  const d = new Date();
  const y = d.getUTCMonth() === 0 ? d.getUTCFullYear() - 1 : d.getUTCFullYear();
  const m = d.getUTCMonth() === 0 ? 12 : d.getUTCMonth();
  const next = m === 12 ? londonTime(y + 1, 1, 1, 0) : londonTime(y, m + 1, 1, 0);
  return { month: `${y}-${String(m).padStart(2, '0')}`, from: londonTime(y, m, 1, 0), to: next };
}

before(async () => {
  const first = await startServer();
  await first.stop('SIGTERM', { keepFiles: true });
  // Cases written straight into the file last month (as from before this feature), and no aggregates: the restart must backfill them.
  const db = createClient({ url: first.dbUrl });
  const { from } = lastMonth();
  const plan: [string | null, string, string, number, string | null][] = [
    ['saltings', 'eastmere', 'noise', 3, null], ['saltings', 'eastmere', 'vandalism', 12, null], ['mill-lane', 'brackenford', 'noise', 15, null],
    ['mill-lane', 'brackenford', 'vandalism', 9, null], ['northgate', 'brackenford', 'noise', 8, null], ['northgate', 'brackenford', 'fly-tipping', 25, null],
    ['saltings', 'eastmere', 'drug-dealing', 2, null], ['mill-lane', 'brackenford', 'drug-dealing', 7, null], ['northgate', 'brackenford', 'noise', 4, 'duplicate'],
    [null, null as unknown as string, 'noise', 6, null],
  ];
  let i = 0;
  for (const [ward, district, category, n, resolution] of plan) {
    for (let k = 0; k < n; k++, i++) {
      const at = from + 3_600_000 + i * 60_000;
      await db.execute({
        sql: `INSERT INTO cases (id, ref, kind, status, status_changed_at, channel, category_id, privacy, description, ward_id, district_id, received_at, updated_at, resolution_code)
              VALUES (?, ?, 'report', ?, ?, 'web', ?, 'named', 'x', ?, ?, ?, ?, ?)`,
        args: [`stat${String(i).padStart(6, '0')}`, `HM-S${String(i).padStart(6, '0')}`, resolution ? 'closed' : 'new', at, category, ward, district, at, at, resolution],
      });
    }
  }
  await db.execute('DELETE FROM insight_counts');
  db.close();
  server = await startServer({}, { restartOf: first });
  visitor = new Visitor(server.url);
  json = await (await visitor.get('/statistics/data.json')).json();
});
after(() => server?.stop());

test('the published figures of last month equal an independent SQL count over the cases (duplicates left out, sensitive only by district)', async () => {
  const { month, from, to } = lastMonth();
  const db = createClient({ url: server.dbUrl });
  const group = new Map(config.categories.map((c) => [c.id, c]));
  const r = await db.execute({ sql: "SELECT ward_id, district_id, category_id, count(*) n FROM cases WHERE kind = 'report' AND received_at >= ? AND received_at < ? AND coalesce(resolution_code, '') NOT IN ('duplicate', 'spam') GROUP BY 1, 2, 3", args: [from, to] });
  db.close();
  const expected = new Map<string, number>();
  for (const x of r.rows) {
    const cat = group.get(String(x.category_id))!;
    const key = cat.sensitive ? `district|${x.district_id ?? ''}|${cat.group}` : `ward|${x.ward_id ?? ''}|${cat.group}`;
    expected.set(key, (expected.get(key) ?? 0) + Number(x.n));
  }
  const rows = json.rows.filter((x) => x.month === month && x.area_id !== 'total' && !x.group.startsWith('All '));
  assert.ok(rows.length > 0);
  for (const row of rows) {
    const truth = expected.get(`${row.level}|${row.area_id}|${row.group}`) ?? 0;
    if (row.shown_as === 'fewer than 5') assert.ok(truth >= 1 && truth <= 4, `${row.area_id} ${row.group}`);
    else if (row.shown_as !== 'withheld') assert.equal(row.count, truth, `${row.area_id} ${row.group}`);
  }
  const at = (level: string, area: string, g: string) => rows.find((x) => x.level === level && x.area_id === area && x.group === g)!;
  assert.equal(at('ward', 'saltings', 'Anti-social behaviour').shown_as, 'fewer than 5');
  assert.equal(at('district', 'eastmere', 'Harm and exploitation').shown_as, 'fewer than 5');
  assert.ok(rows.filter((x) => x.shown_as === 'withheld').length >= 2, 'secondary suppression protects the small counts');
  assert.ok(rows.filter((x) => x.count !== null && x.count >= 5).length >= 3, 'the larger counts are published');
  assert.ok(!json.rows.some((x) => x.level === 'ward' && x.group === 'Harm and exploitation'), 'no sensitive group at ward level');
  for (const x of json.rows) assert.ok(x.count === null || x.count === 0 || x.count >= 5, 'no published count under 5');
});

test('the CSV parses with csv-parse and holds exactly the JSON rows, under the data dictionary fields', async () => {
  const res = await visitor.get('/statistics/data.csv');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/csv/);
  const records = parse(await res.text(), { columns: true }) as Record<string, string>[];
  assert.deepEqual(Object.keys(records[0]!), json.dictionary.map((d) => d.field));
  assert.deepEqual(records, json.rows.map((x) => ({ ...x, count: x.count === null ? '' : String(x.count) })));
});

test('/statistics: 200, no script, valid HTML, chart with its table; an unknown month is a 404 with an error summary', async () => {
  const res = await visitor.get(`/statistics?month=${lastMonth().month}`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.doesNotMatch(html, /<script/i);
  assert.deepEqual(await htmlProblems(html, '/statistics'), []);
  assert.match(html, /<svg[^>]*role="img"/);
  assert.match(html, /Reports received each month<\/caption>/);
  assert.match(html, /fewer than 5/);
  const bad = await visitor.get('/statistics?month=1999-01');
  assert.equal(bad.status, 404);
  assert.match(await bad.text(), /class="error-summary"/);
});
