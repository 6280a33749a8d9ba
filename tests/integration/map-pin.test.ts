/**
 * The map pin on the report's where step, over HTTP against the built server with a tile server configured:
 * the island and its tile origin only on the where step, its JavaScript budget (every chunk it loads, measured
 * in dist/client), and the where step's lat/lon checks (400 with an error summary, nothing stored).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { createClient, type Client } from '@libsql/client';
import { htmlProblems } from '../helpers/html.ts';
import { Visitor } from '../helpers/http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const TILE_ORIGIN = 'http://127.0.0.1:9';
const BUDGET_BYTES = 60 * 1024;

let server: TestServer;
let db: Client;
before(async () => {
  server = await startServer({ MAP_TILE_URL: `${TILE_ORIGIN}/{z}/{x}/{y}.png` });
  db = createClient({ url: server.dbUrl, timeout: 15_000 });
});
after(async () => {
  db?.close();
  await server?.stop();
});

const BEFORE_WHERE: [string, Record<string, string>][] = [
  ['danger', { danger: 'no' }],
  ['category', { category: 'vandalism' }],
  ['description', { description: 'Someone sprayed graffiti on the bus shelter again.' }],
  ['when', { whenKind: 'approx' }],
  ['when-details', { whenText: 'Last weekend' }],
];

/** A visitor whose draft has reached the where step. */
async function atWhereStep(): Promise<Visitor> {
  const v = new Visitor(server.url);
  for (const [step, body] of BEFORE_WHERE) assert.equal((await v.post(`/report/${step}`, body)).status, 303, `${step} accepted`);
  return v;
}

/** The visitor's draft answers, from the database file. */
async function draftOf(v: Visitor): Promise<Record<string, unknown>> {
  const rows = await db.execute({ sql: 'SELECT data FROM drafts WHERE id = ?', args: [v.cookies.get('draft')!] });
  return JSON.parse(String(rows.rows[0]!.data)) as Record<string, unknown>;
}

/** The module scripts a page loads. */
function scriptSources(html: string): string[] {
  return [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]!);
}

/** A built client file and every chunk it imports (static and dynamic), by path under dist/client. */
function withImports(path: string, seen = new Set<string>()): Set<string> {
  if (seen.has(path)) return seen;
  seen.add(path);
  const code = readFileSync(join('dist/client', path), 'utf8');
  for (const m of code.matchAll(/(?:import|from)\s*\(?\s*["'](\.{1,2}\/[^"']+\.js)["']/g)) {
    withImports(new URL(m[1]!, `http://x${path}`).pathname, seen);
  }
  return seen;
}

test('only the where step ships JavaScript (the map island, under 60 kB gzipped) and lets images come from the tile server', async () => {
  const v = new Visitor(server.url);
  const noScript = async (path: string) => {
    const res = await v.get(path);
    assert.equal(res.status, 200, `${path} status`);
    assert.doesNotMatch(await res.text(), /<script\b/i, `${path} ships no script`);
    assert.doesNotMatch(res.headers.get('content-security-policy') ?? '', new RegExp(TILE_ORIGIN), `${path} allows no tile images`);
  };
  await noScript('/');
  await noScript('/report');
  await noScript('/report/danger');
  for (const [step, body] of BEFORE_WHERE) assert.equal((await v.post(`/report/${step}`, body)).status, 303);
  await noScript('/report/category');
  await noScript('/report/when');
  const where = await v.get('/report/where');
  const html = await where.text();
  assert.deepEqual(await htmlProblems(html, 'where with the map'), []);
  const csp = where.headers.get('content-security-policy') ?? '';
  assert.match(csp, new RegExp(`img-src 'self' data: ${TILE_ORIGIN};`), 'the tile origin is allowed for images');
  assert.match(csp, /script-src 'self';/, 'scripts stay same-origin');
  assert.match(html, /data-map-pin="/, 'the island mounts on the where step');
  const leaflet = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]!).filter((href) => /leaflet/.test(href));
  assert.equal(leaflet.length, 1, "Leaflet's style sheet comes with the island");
  assert.match(await (await v.get(leaflet[0]!)).text(), /\.leaflet-container/, 'and is served');
  const sources = scriptSources(html);
  assert.equal(sources.length, 1, 'one module script');
  assert.ok(sources.every((s) => s.startsWith('/_astro/')), 'the island comes from the build');
  const files = new Set<string>();
  for (const s of sources) withImports(s, files);
  const gzipped = [...files].reduce((sum, f) => sum + gzipSync(readFileSync(join('dist/client', f))).length, 0);
  assert.ok(gzipped > 20 * 1024, `the measure sees the island's code (${gzipped} bytes)`);
  assert.ok(gzipped < BUDGET_BYTES, `the map island's JavaScript is ${gzipped} bytes gzipped, over the ${BUDGET_BYTES} budget`);
  assert.equal((await v.post('/report/where', { postcode: 'HW3 1AB', place: '' })).status, 303);
  assert.equal((await v.post('/report/people', { people: '', affected: 'community', before: 'yes' })).status, 303);
  await noScript('/report/photos');
  await noScript('/report/privacy');
});

test('the where step refuses half a pin, a pin that is not a number and a pin outside the area: 400, an error summary, nothing stored', async () => {
  const v = await atWhereStep();
  const cases: [Record<string, string>, RegExp][] = [
    [{ lat: '52.95', lon: '' }, /must have both a latitude and a longitude/],
    [{ lat: '', lon: '-1.5' }, /must have both a latitude and a longitude/],
    [{ lat: 'north', lon: '-1.5' }, /must be in decimal degrees/],
    [{ lat: '52.95', lon: '1e3' }, /must be in decimal degrees/],
    [{ lat: '51.5', lon: '-0.12' }, /The pin is not in the area Hollowmere Community Safety Partnership covers/],
  ];
  for (const [pin, message] of cases) {
    const res = await v.post('/report/where', { postcode: 'HW3 1AB', place: '', ...pin });
    assert.equal(res.status, 400, `${JSON.stringify(pin)} refused`);
    const html = await res.text();
    const summary = /<div class="error-summary"[\s\S]*?<\/div>\s*<\/div>/.exec(html)?.[0] ?? '';
    assert.match(summary, message, `${JSON.stringify(pin)}: the message in the error summary`);
    assert.match(summary, /href="#pin"/, 'the summary links to the pin message');
    assert.match(html, /<p id="pin" class="error-message">/, 'the message is on the page too');
    const draft = await draftOf(v);
    assert.equal(draft.postcode, undefined, 'nothing of the where step is stored');
    assert.equal(draft.lat, undefined);
  }
  const refused = await v.post('/report/where', { postcode: 'HW3 1AB', place: '', lat: '52.95', lon: '' });
  assert.deepEqual(await htmlProblems(await refused.text(), 'where with a pin error'), []);
  assert.equal((await v.post('/report/where', { postcode: 'HW3 1AB', place: '', lat: '52.951234', lon: '-1.502345' })).status, 303, 'a pin inside the area is kept');
  assert.deepEqual(Object.fromEntries(Object.entries(await draftOf(v)).filter(([k]) => ['lat', 'lon', 'locationSource'].includes(k))), { lat: 52.951234, lon: -1.502345, locationSource: 'pin' });
  assert.equal((await v.post('/report/where', { postcode: 'HW3 1AB', place: '', lat: '', lon: '' })).status, 303, 'a removed pin is accepted');
  const cleared = await draftOf(v);
  assert.equal(cleared.lat, undefined, 'and cleared');
  assert.equal(cleared.locationSource, undefined);
});
