/**
 * The triage queue page over HTTP at a million cases: the built server (demo content and staff) on a database
 * seeded with synthetic cases as bench/queue.ts seeds them, a signed-in triage officer asking for the full queue
 * page (list, counts, filters, layout) one request at a time. Server time is the server's own request log
 * ("ms"); the reference, in the same run on the same server, is GET /healthz (one database query).
 * Needs a build (npm run build). Run: node bench/queue-http.ts [--rows 1000000] [--runs 40]
 * Writes bench/results/queue-http.md. Not part of the test suite.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createClient } from '@libsql/client';
import { loadSiteConfig } from '../src/platform/config/partnership.ts';
import { startServer, type TestServer } from '../tests/helpers/server.ts';
import { signInAs } from '../tests/integration/staff-sign-in.ts';
import { numberArg, seedQueueCases } from './seed-queue-cases.ts';
import { closeDatabase, openDatabase } from '../src/platform/db/client.ts';
import { rebuildCounts } from '../src/domains/insight/counts.ts';
import { londonMonth } from '../src/platform/time/london.ts';
import { addMonths } from '../src/domains/insight/hot-spots.ts';

const ROWS = numberArg('rows', 1_000_000);
const RUNS = numberArg('runs', 40);
const env = { LOG_LEVEL: 'info', SECRET_KEY: 'bench-secret-key-0123456789' };

// A first start migrates the database and creates the demo staff; then the cases are seeded while it is stopped.
const first = await startServer(env);
await first.stop('SIGTERM', { keepFiles: true });
const config = loadSiteConfig('content');
const client = createClient({ url: first.dbUrl, timeout: 60_000 });
const users = (await client.execute("SELECT id FROM users WHERE role = 'triage_officer' OR role = 'admin'")).rows.map((r) => String(r.id));
const t0 = performance.now();
await client.execute('PRAGMA synchronous = OFF');
await seedQueueCases(client, { config, rows: ROWS, now: Date.now(), officers: users, prefix: 'q' });
client.close();
// The maintained counters and pre-aggregates, rebuilt once from the seeded cases (the cases domain keeps them after).
await openDatabase({ url: first.dbUrl, timeoutMs: 60_000 });
await rebuildCounts();
await closeDatabase();
const seedSeconds = (performance.now() - t0) / 1000;
process.stdout.write(`\rseeded ${ROWS.toLocaleString('en-GB')} cases in ${seedSeconds.toFixed(0)} s\n`);

const server: TestServer = await startServer(env, { restartOf: first });
const visitor = await signInAs(server.url, 'triage@hollowmere.example');

/** Server times (from the request log) and client times of `runs` sequential GETs of a path, after 3 warm-ups. */
async function measure(path: string, get: (p: string) => Promise<Response>): Promise<{ server: number[]; client: number[] }> {
  for (let i = 0; i < 3; i++) await (await get(path)).arrayBuffer();
  const before = server.output().length;
  const logged = `"path":"${path.split('?')[0]}"`;
  const client: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const res = await get(path);
    await res.arrayBuffer();
    client.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
  }
  await new Promise((r) => setTimeout(r, 200));
  const serverTimes = server
    .output()
    .slice(before)
    .split('\n')
    .filter((l) => l.includes('"event":"request"') && l.includes(logged))
    .map((l) => Number((JSON.parse(l) as { ms: number }).ms));
  return { server: serverTimes, client };
}
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};
const fmt = (n: number) => n.toFixed(1);
let rows: string[];
try {
  const reference = await measure('/healthz', (p) => fetch(server.url + p));
  const queue = await measure('/staff/queue', (p) => visitor.get(p));
  const all = await measure('/staff/queue?status=all', (p) => visitor.get(p));
  const owner = await measure(`/staff/queue?status=all&owner=${users[0]}`, (p) => visitor.get(p));
  const ward = await measure('/staff/queue?status=resolved&ward=mill-lane&channel=phone', (p) => visitor.get(p));
  const priority = await measure('/staff/queue?sort=priority', (p) => visitor.get(p));
  const overdue = await measure('/staff/queue?overdue=1', (p) => visitor.get(p));
  const due = await measure('/staff/queue?sort=due', (p) => visitor.get(p));
  const overdueAll = await measure('/staff/queue?status=all&overdue=1', (p) => visitor.get(p));
  const labelAll = await measure('/staff/queue?status=all&flag=asb_case_review&sort=priority', (p) => visitor.get(p));
  // The emerging hot-spot's link (a ward, a type, last month, every status, the counted reports), a ranking's link over
  // the longest period (a ward, 36 months, counted; no counts by status) and a month by due time.
  const thisMonth = londonMonth(Date.now());
  const lastMonth = addMonths(thisMonth, -1);
  const hotSpot = await measure(`/staff/queue?status=all&ward=mill-lane&category=noise&month=${lastMonth}&counted=1`, (p) => visitor.get(p));
  const ranking = await measure(`/staff/queue?status=all&ward=mill-lane&month=${addMonths(thisMonth, -35)}..${thisMonth}&counted=1`, (p) => visitor.get(p));
  const monthDue = await measure(`/staff/queue?status=all&month=${lastMonth}&sort=due`, (p) => visitor.get(p));
  rows = [
    ['GET /healthz (reference, one query)', reference],
    ['GET /staff/queue (active, newest first)', queue],
    ['GET /staff/queue?status=all', all],
    ['GET /staff/queue?status=all&owner=(an officer)', owner],
    ['GET /staff/queue?status=resolved&ward=mill-lane&channel=phone', ward],
    ['GET /staff/queue?sort=priority (active, by priority)', priority],
    ['GET /staff/queue?overdue=1 (active, overdue, newest first)', overdue],
    ['GET /staff/queue?sort=due (active, by due time)', due],
    ['GET /staff/queue?status=all&overdue=1 (every status, overdue, newest first)', overdueAll],
    ['GET /staff/queue?status=all&flag=asb_case_review&sort=priority (every status, the rarest flag, by priority)', labelAll],
    ['GET /staff/queue?status=all&ward=mill-lane&category=noise&month=(last month)&counted=1 (an emerging hot-spot\'s link)', hotSpot],
    ['GET /staff/queue?status=all&ward=mill-lane&month=(36 months ago)..(this month)&counted=1 (a ranking\'s link over the longest period)', ranking],
    ['GET /staff/queue?status=all&month=(last month)&sort=due (every status, one month, by due time)', monthDue],
  ].map(([name, m]) => {
    const r = m as { server: number[]; client: number[] };
    return `| ${name as string} | ${r.server.length} | ${fmt(pct(r.server, 50))} | ${fmt(pct(r.server, 95))} | ${fmt(pct(r.client, 50))} | ${fmt(pct(r.client, 95))} |`;
  });
} finally {
  await server.stop();
}
const text = `# Queue page over HTTP\n\nRun ${new Date().toISOString()} on ${process.platform} Node ${process.version}: ${ROWS.toLocaleString('en-GB')} synthetic cases (three years, about 3% active) seeded in ${seedSeconds.toFixed(0)} s into the built server's database (demo content and staff), a signed-in triage officer asking for the full queue page (every status count included, resolved and closed from the maintained counters) one request at a time, ${RUNS} runs after 3 warm-ups. Server time is the server's request log ("ms"); client time includes loopback. The reference is GET /healthz on the same server in the same run. Target (issue 18): p95 under 25 ms of server time.\n\n| request | runs | server p50 ms | server p95 ms | client p50 ms | client p95 ms |\n|---|---:|---:|---:|---:|---:|\n${rows.join('\n')}\n`;
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/queue-http.md', text);
process.stdout.write(text);
