/**
 * The insight pages over HTTP at a million cases: the built server (demo content and staff) on a COPY of a database
 * seeded by bench/insight.ts, every staff insight page asked for by the demo staff who use it (admin county-wide,
 * district officer for Brackenford, partner officer) and the public statistics pages and downloads signed out, one
 * request at a time. Server time is the server's own request log ("ms": the middleware for rendered pages, the
 * server module for page-cache hits), as bench/queue-http.ts measures it; client time includes loopback. The
 * reference, in the same run on the same server, is GET /healthz (one database query).
 *
 * Public pages are measured three ways: the first request after start (one cold render, nothing cached), cache hits
 * (the same URL again: the page cache answers before Astro), and misses (a unique extra query parameter each time,
 * which the page ignores, so each request renders and is stored as a first request for that URL would be).
 *
 * Needs a build (npm run build) and a seeded database (make one with `INSIGHT_BENCH_DB=tmp/insight-1m.db npm run
 * bench:insight`, which seeds a file that does not exist yet and keeps it). The file given is copied first (the
 * server migrates and rebuilds pre-aggregates on start), never changed.
 *
 *   INSIGHT_BENCH_DB=tmp/insight-1m.db npm run bench:insight-http
 *   node bench/insight-http.ts --db tmp/insight-1m.db [--runs 30]
 *
 * Writes bench/results/insight-http.md. Not part of the test suite.
 */
import { constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startServer, type TestServer } from '../tests/helpers/server.ts';
import { signInAs } from '../tests/integration/staff-sign-in.ts';
import { choosableMonths, periodChoices } from '../src/domains/insight/index.ts';
import { numberArg } from './seed-queue-cases.ts';

const RUNS = numberArg('runs', 30);
const TARGET_MS = 50;
const dbArg = process.argv.indexOf('--db');
const source = dbArg > 0 ? process.argv[dbArg + 1] : process.env.INSIGHT_BENCH_DB;
if (!source || !existsSync(source)) {
  process.stderr.write('Name a seeded database: INSIGHT_BENCH_DB=path npm run bench:insight-http (seed one with INSIGHT_BENCH_DB=path npm run bench:insight)\n');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'saferline-insight-http-'));
const file = join(dir, 'saferline.db');
copyFileSync(resolve(source), file, constants.COPYFILE_FICLONE);
const sizeGb = statSync(file).size / 1e9;
const env = { LOG_LEVEL: 'info', SECRET_KEY: 'bench-secret-key-0123456789', DATABASE_URL: `file:${file}`, MAIL_DIR: join(dir, 'mail'), UPLOAD_DIR: join(dir, 'uploads') };

const loadBefore = loadavg();
const t0 = performance.now();
// DEMO_MODE (on in startServer) creates the demo staff because the seeded database has no users; the start migrates
// the database and rebuilds any new pre-aggregate before /healthz answers.
const server: TestServer = await startServer(env);
const startSeconds = (performance.now() - t0) / 1000;
process.stdout.write(`server up on the copy of ${source} in ${startSeconds.toFixed(1)} s\n`);

interface Measured {
  server: number[];
  client: number[];
  cache: string[];
}
type Get = (path: string) => Promise<Response>;
const anonymous: Get = (p) => fetch(server.url + p);

/** The server times logged for `path` since output offset `before`, in order. */
function loggedTimes(before: number, path: string): number[] {
  const logged = `"path":"${path.split('?')[0]}"`;
  return server
    .output()
    .slice(before)
    .split('\n')
    .filter((l) => l.includes('"event":"request"') && l.includes(logged))
    .map((l) => Number((JSON.parse(l) as { ms: number }).ms));
}

/** Server and client times of `runs` sequential GETs (the path from `pathOf(i)`), after `warm` warm-ups; every answer must be 200. */
async function measure(pathOf: (i: number) => string, get: Get, warm = 3, runs = RUNS): Promise<Measured> {
  for (let i = 0; i < warm; i++) await (await get(pathOf(-1 - i))).arrayBuffer();
  // The log line of a rendered page can reach the pipe after its body reached us: let the warm-ups' lines arrive first.
  await new Promise((r) => setTimeout(r, 200));
  const before = server.output().length;
  const client: number[] = [];
  const cache: string[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const res = await get(pathOf(i));
    await res.arrayBuffer();
    client.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`${pathOf(i)} answered ${res.status}`);
    cache.push(res.headers.get('x-content-cache') ?? 'none');
  }
  await new Promise((r) => setTimeout(r, 200));
  return { server: loggedTimes(before, pathOf(0)).slice(-runs), client, cache };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};
const fmt = (n: number) => n.toFixed(1);
/** One table row: name, who, runs, server p50/p95, client p50/p95, cache state seen, and the verdict on p95. */
function row(name: string, who: string, m: Measured, judged = true): string {
  const states = [...new Set(m.cache)].join(', ');
  const verdict = !judged ? 'reference' : pct(m.server, 95) < TARGET_MS ? 'met' : '**not met**';
  return `| ${name} | ${who} | ${m.server.length} | ${fmt(pct(m.server, 50))} | ${fmt(pct(m.server, 95))} | ${fmt(pct(m.client, 50))} | ${fmt(pct(m.client, 95))} | ${states} | ${verdict} |`;
}

const now = Date.now();
const { months, quarters } = periodChoices(now);
const month = months[1]!.id; // the last complete month (the dashboard's default)
const quarter = quarters[1]!.id; // the last complete quarter
const hotMonths = choosableMonths(now);
const year = `from=${hotMonths[12]}&to=${hotMonths[1]}`; // the twelve complete months before now
const publicPaths = ['/statistics', '/statistics/perception', '/statistics/data.csv', '/statistics/data.json'];

const rows: string[] = [];
const firsts: string[] = [];
try {
  // First requests after start: nothing cached, each public page rendered once (cold).
  for (const path of publicPaths) {
    const before = server.output().length;
    const t = performance.now();
    const res = await anonymous(path);
    await res.arrayBuffer();
    const client = performance.now() - t;
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    await new Promise((r) => setTimeout(r, 100));
    const ms = loggedTimes(before, path)[0] ?? NaN;
    firsts.push(`| GET ${path} | signed out | ${fmt(ms)} | ${fmt(client)} | ${res.headers.get('x-content-cache') ?? 'none'} | ${ms < TARGET_MS ? 'met' : '**not met**'} |`);
  }

  rows.push(row('GET /healthz (reference, one query)', 'signed out', await measure(() => '/healthz', anonymous), false));

  const admin = await signInAs(server.url, 'admin@hollowmere.example');
  const district = await signInAs(server.url, 'district@hollowmere.example');
  const partner = await signInAs(server.url, 'partner@hollowmere.example');
  const staff: [string, string, Get][] = [
    [`/staff/insight?period=${month}`, 'admin (county-wide)', (p) => admin.get(p)],
    [`/staff/insight?period=${quarter}`, 'admin (county-wide)', (p) => admin.get(p)],
    [`/staff/insight?period=${month}`, 'district officer (Brackenford)', (p) => district.get(p)],
    [`/staff/insight?period=${quarter}`, 'district officer (Brackenford)', (p) => district.get(p)],
    [`/staff/insight?period=${month}`, 'partner officer (Hollowmere Constabulary)', (p) => partner.get(p)],
    [`/staff/insight/county?period=${month}`, 'admin (county-wide)', (p) => admin.get(p)],
    [`/staff/insight/county?period=${quarter}`, 'admin (county-wide)', (p) => admin.get(p)],
    [`/staff/insight/county?period=${month}`, 'district officer (Brackenford)', (p) => district.get(p)],
    ['/staff/insight/hot-spots', 'admin (county-wide)', (p) => admin.get(p)],
    [`/staff/insight/hot-spots?${year}`, 'admin (county-wide)', (p) => admin.get(p)],
    [`/staff/insight/hot-spots?${year}&category=noise`, 'admin (county-wide)', (p) => admin.get(p)],
    ['/staff/insight/hot-spots', 'district officer (Brackenford)', (p) => district.get(p)],
    ['/staff/insight/tasking', 'admin (county-wide)', (p) => admin.get(p)],
    ['/staff/insight/tasking', 'district officer (Brackenford)', (p) => district.get(p)],
    ['/staff/insight/tasking.csv', 'admin (county-wide)', (p) => admin.get(p)],
  ];
  for (const [path, who, get] of staff) rows.push(row(`GET ${path}`, who, await measure(() => path, get)));

  for (const path of publicPaths) {
    rows.push(row(`GET ${path} (cache hit)`, 'signed out', await measure(() => path, anonymous)));
    rows.push(row(`GET ${path}?b=N (cache miss: a new URL each time)`, 'signed out', await measure((i) => `${path}?b=${i + 10}`, anonymous)));
  }
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
const loadAfter = loadavg();
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');

const text = `# Insight pages over HTTP

Run ${new Date().toISOString()} on ${process.platform} Node ${process.version}, load average ${load(loadBefore)} before and ${load(loadAfter)} after (1, 5, 15 minutes; 2 cores shared).
The built server (demo content; demo staff created by DEMO_MODE on the empty users table) on a copy of a database seeded by bench/insight.ts (${sizeGb.toFixed(2)} GB, a million cases over three years with their referrals, calls and consultation responses); the start, which migrates it and rebuilds any new pre-aggregate, took ${startSeconds.toFixed(1)} s.
Each page is asked for one request at a time, ${RUNS} runs after 3 warm-ups, by the demo staff who use it (two-factor codes from the demo TOTP key) or signed out.
Server time is the server's own request log ("ms", from the request reaching the middleware, or the server module for a page-cache hit, to the response being handed back), as bench/queue-http.ts measures it; client time adds loopback and reading the body.
Periods: month ${month} (the last complete month, the dashboard's default), quarter ${quarter}; hot-spots default (the three complete months before now) and the twelve months ${hotMonths[12]} to ${hotMonths[1]}.
The reference is GET /healthz on the same server in the same run. Target (issue 15 item 7): every dashboard and public statistics page under ${TARGET_MS} ms of server time with a million cases; judged here on p95.

Re-run: \`INSIGHT_BENCH_DB=<seeded file> npm run bench:insight-http\` after \`npm run build\`.

| request | who | runs | server p50 ms | server p95 ms | client p50 ms | client p95 ms | x-content-cache | under ${TARGET_MS} ms (p95) |
|---|---|---:|---:|---:|---:|---:|---|---|
${rows.join('\n')}

Public pages, the first request after start (one request each, before any other page; nothing cached, code not yet warm):

| request | who | server ms | client ms | x-content-cache | under ${TARGET_MS} ms |
|---|---|---:|---:|---|---|
${firsts.join('\n')}

A cache hit is answered from memory by the server module; a miss renders the page in full and stores it (the cache keeps public pages at most a minute, so a miss happens at least once a minute per page and language). Staff pages are never cached.
`;
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/insight-http.md', text);
process.stdout.write(text);
