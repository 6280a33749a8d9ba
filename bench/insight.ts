/**
 * Insight benchmark: seeds a million synthetic cases (with timers, resolutions, flags and reporters), their referrals,
 * hotline calls and consultation responses into a temp database file, rebuilds the insight_counts pre-aggregates, then
 * measures the server time of the partner dashboard, the county view and the public statistics through the same
 * functions the pages call (src/domains/insight), for a month and a quarter, county-wide and for one district. A
 * `SELECT 1` round trip through the same client is the reference from the same run.
 *
 *   node bench/insight.ts [--rows 1000000] [--runs 30] [--keep] [--db path] [--rebuild]
 *   INSIGHT_BENCH_DB=path npm run bench:insight
 *
 * With --db (or INSIGHT_BENCH_DB) naming a file that does not exist yet, the seed goes into that file and is kept.
 * Naming an existing file seeded earlier reuses it without seeding: it is migrated, and its pre-aggregates are rebuilt
 * exactly as the server's start-up does (ensureCounts: only a pre-aggregate table that is still empty after a migration
 * or counters that disagree with the cases); --rebuild forces the full rebuild of every pre-aggregate and times it.
 *
 * Writes bench/results/insight.md. Not part of the test suite.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { closeDatabase, migrateDatabase, openDatabase } from '../src/platform/db/client.ts';
import { loadSiteConfig } from '../src/platform/config/partnership.ts';
import { syncConfigToDatabase } from '../src/platform/config/sync.ts';
import { setLogLevel } from '../src/platform/log.ts';
import { countyFigures, dashboardFigures, defaultPeriod, ensureCounts, hotSpotReport, parsePeriod, perceptionAgainstReality, publicStatistics, rebuildCounts, taskingList, type InsightScope } from '../src/domains/insight/index.ts';
import { existsSync } from 'node:fs';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROWS = arg('rows', 1_000_000);
const RUNS = arg('runs', 30);
const keep = process.argv.includes('--keep');

setLogLevel('silent');
const config = loadSiteConfig('content');
const dbArg = process.argv.indexOf('--db');
const dbPath = dbArg > 0 ? process.argv[dbArg + 1]! : process.env.INSIGHT_BENCH_DB || null;
const reuse = dbPath && existsSync(dbPath) ? dbPath : null;
const forceRebuild = process.argv.includes('--rebuild');
const dir = reuse || dbPath ? '' : mkdtempSync(join(tmpdir(), 'saferline-bench-'));
const file = reuse ?? dbPath ?? join(dir, 'bench.db');
if (dbPath && !reuse) mkdirSync(dirname(dbPath), { recursive: true });
const database = await openDatabase({ url: `file:${file}`, timeoutMs: 60_000 });
await migrateDatabase(database);
await syncConfigToDatabase(database, config);
const { client } = database;

const wards = config.areas.filter((a) => a.kind === 'ward');
const categories = config.categories;
const agencies = config.agencies.map((a) => a.id);
const NOW = Date.UTC(2026, 10, 23, 12);
const SPAN = 3 * 365 * 86_400_000; // three years of cases
const HOUR = 3_600_000;
const DAY = 86_400_000;
const channels = ['web', 'web', 'web', 'phone', 'phone', 'email', 'api'];
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;

const t0 = performance.now();
await client.execute('PRAGMA synchronous = OFF');
const REPORTERS = Math.floor(ROWS / 3);
const COLS = ['id', 'ref', 'kind', 'status', 'status_changed_at', 'channel', 'category_id', 'priority', 'privacy', 'description', 'ward_id', 'district_id', 'flags', 'received_at', 'updated_at', 'resolution_code', 'resolved_at', 'timers', 'reporter_id'];
const PER_STMT = Math.floor(30_000 / COLS.length);
const PER_TX = 50_000;
const placeholders = (cols: readonly string[]) => `(${cols.map(() => '?').join(',')})`;
const REF_COLS = ['id', 'case_id', 'agency_id', 'status', 'snapshot', 'sent_by', 'sent_at', 'acknowledge_due_at', 'complete_due_at', 'acknowledged_at', 'updated_at'];
const CALL_COLS = ['id', 'handler_id', 'started_at', 'duration_s', 'reason', 'outcome', 'created_at'];
for (let start = 0; start < (reuse ? 0 : REPORTERS); start += 10_000) {
  const n = Math.min(10_000, REPORTERS - start);
  const args = Array.from({ length: n }, (_, i) => [`r${start + i}`, NOW]).flat();
  await client.execute({ sql: `INSERT INTO reporters (id, created_at) VALUES ${Array.from({ length: n }, () => '(?, ?)').join(',')}`, args });
}
for (let start = 0; start < (reuse ? 0 : ROWS); start += PER_TX) {
  const stmts = [];
  const refArgs: (string | number | null)[][] = [];
  const callArgs: (string | number | null)[][] = [];
  for (let s = start; s < Math.min(ROWS, start + PER_TX); s += PER_STMT) {
    const n = Math.min(PER_STMT, ROWS - s, start + PER_TX - s);
    const args: (string | number | null)[] = [];
    for (let i = 0; i < n; i++) {
      const k = s + i;
      const receivedAt = NOW - SPAN + Math.floor((k / ROWS) * SPAN) + Math.floor(rand() * 60_000);
      const age = NOW - receivedAt;
      const active = age < 90 * DAY ? rand() < 0.45 : rand() < 0.01;
      const status = active ? pick(['new', 'open', 'open', 'awaiting_reporter', 'referred', 'with_partner'] as const) : rand() < 0.3 ? 'resolved' : 'closed';
      const cat = pick(categories);
      const ward = pick(wards);
      const priority = cat.defaultPriority ?? 'P3';
      const id = `b${String(k).padStart(19, '0')}`;
      const flags = rand() < 0.08 ? (rand() < 0.5 ? '["repeat_reporter"]' : '["repeat_location"]') : rand() < 0.01 ? '["asb_case_review"]' : '[]';
      const ackMet = status === 'new' ? null : receivedAt + Math.floor(rand() * 30 * HOUR);
      const resolvedAt = active ? null : receivedAt + Math.floor(rand() * 50 * DAY);
      const timers = JSON.stringify({
        priority, pausedAt: null,
        acknowledge: { dueAt: receivedAt + 24 * HOUR, metAt: ackMet },
        triage: { dueAt: receivedAt + 2 * DAY, metAt: ackMet === null ? null : ackMet + Math.floor(rand() * 3 * DAY) },
        update: active ? { dueAt: receivedAt + 10 * DAY, metAt: null } : null,
        resolve: { dueAt: receivedAt + 40 * DAY, metAt: resolvedAt },
      });
      args.push(
        id, `HM-${String(k).padStart(7, '0')}`, rand() < 0.9 ? 'report' : 'feedback', status, receivedAt, pick(channels), cat.id, priority,
        pick(['named', 'confidential', 'anonymous']), 'Synthetic benchmark case', ward.id, ward.parent ?? null, flags, receivedAt, receivedAt,
        active ? null : pick(['action_taken', 'advice_given', 'no_further_action', 'duplicate', 'out_of_scope']), resolvedAt, timers, `r${Math.floor(rand() * REPORTERS)}`,
      );
      if (rand() < 0.1) {
        const sent = receivedAt + DAY;
        const acked = rand() < 0.9 ? sent + Math.floor(rand() * 3 * DAY) : null;
        refArgs.push([`f${k}`, id, pick(agencies), acked ? 'acknowledged' : 'sent', '{}', 'bench', sent, sent + DAY, sent + 20 * DAY, acked, sent]);
      }
      if (rand() < 0.3) callArgs.push([`c${k}`, 'bench', receivedAt, 120, 'new_report', rand() < 0.06 ? 'abandoned' : 'case_created', receivedAt]);
    }
    stmts.push({ sql: `INSERT INTO cases (${COLS.join(',')}) VALUES ${Array.from({ length: n }, () => placeholders(COLS)).join(',')}`, args });
  }
  for (const [table, cols, rows] of [['referrals', REF_COLS, refArgs], ['calls', CALL_COLS, callArgs]] as const) {
    const per = Math.floor(30_000 / cols.length);
    for (let i = 0; i < rows.length; i += per) {
      const part = rows.slice(i, i + per);
      stmts.push({ sql: `INSERT INTO ${table} (${cols.join(',')}) VALUES ${part.map(() => placeholders(cols)).join(',')}`, args: part.flat() });
    }
  }
  await client.batch(stmts, 'write');
  process.stdout.write(`\rseeded ${Math.min(ROWS, start + PER_TX).toLocaleString('en-GB')} cases`);
}
// Consultations: one per ward and a county-wide one, a response a day each for the three years.
const areaIds = reuse ? [] : [null, ...wards.map((w) => w.id)];
for (const [i, area] of areaIds.entries()) {
  await client.execute({ sql: "INSERT INTO consultations (id, slug, title, area_id, topic, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'safety', 'published', ?, ?)", args: [`k${i}`, `k${i}`, `Consultation ${i}`, area, NOW, NOW] });
  const days = Math.floor(SPAN / DAY);
  for (let d = 0; d < days; d += 500) {
    const n = Math.min(500, days - d);
    await client.execute({ sql: `INSERT INTO consultation_responses (id, consultation_id, channel, answers, state, submitted_at) VALUES ${Array.from({ length: n }, () => "(?, ?, 'online', '{}', 'counted', ?)").join(',')}`, args: Array.from({ length: n }, (_, j) => [`k${i}-${d + j}`, `k${i}`, NOW - SPAN + (d + j) * DAY]).flat() });
  }
}
const rebuildStart = performance.now();
const rebuilt = !reuse || forceRebuild ? (await rebuildCounts(), 'every pre-aggregate from the cases') : (await ensureCounts()) ? 'what it found missing or out of step' : null;
const rebuildSeconds = (performance.now() - rebuildStart) / 1000;
const aggregates = Number((await client.execute('SELECT count(*) AS n FROM insight_counts')).rows[0]!.n);
if (!reuse) await client.execute('ANALYZE');
await client.execute('PRAGMA synchronous = NORMAL');
const seedSeconds = (performance.now() - t0) / 1000;
process.stdout.write(`\r${reuse ? `reused ${reuse}:` : 'seeded'} ${ROWS.toLocaleString('en-GB')} cases (${aggregates.toLocaleString('en-GB')} aggregate rows) in ${seedSeconds.toFixed(1)} s; ${rebuilt ? `the rebuild of ${rebuilt} took ${rebuildSeconds.toFixed(1)} s` : 'no rebuild needed'}\n`);

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: q(0.5), p95: q(0.95) };
}
// Count the statements and the rows they return, per call (load-insensitive, unlike the times).
let statements = 0;
let rowsOut = 0;
const execute = client.execute.bind(client);
(client as { execute: typeof client.execute }).execute = (async (q: Parameters<typeof client.execute>[0]) => {
  const r = await execute(q);
  statements++;
  rowsOut += r.rows.length;
  return r;
}) as typeof client.execute;
/** Wall and CPU time (this process: the JavaScript and libSQL's own threads) of each run, and the statements of the last. */
async function time(fn: () => Promise<unknown>) {
  await fn();
  await fn(); // warm
  const samples: number[] = [];
  const cpuSamples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    statements = 0;
    rowsOut = 0;
    const c = process.cpuUsage();
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpuSamples.push((d.user + d.system) / 1000);
  }
  return { ...stats(samples), cpu: stats(cpuSamples).median, statements, rowsOut };
}

const all: InsightScope = { districtIds: null, agencyId: null, none: false };
const district: InsightScope = { districtIds: ['brackenford'], agencyId: null, none: false };
const month = parsePeriod('2026-10')!;
const quarter = parsePeriod('2026-Q3')!;
const measured: [string, () => Promise<unknown>][] = [
  ['Reference: SELECT 1 round trip', () => client.execute('SELECT 1')],
  ['Dashboard, county-wide, a month', () => dashboardFigures(config, all, month, NOW)],
  ['Dashboard, county-wide, a quarter', () => dashboardFigures(config, all, quarter, NOW)],
  ['Dashboard, one district, a month', () => dashboardFigures(config, district, month, NOW)],
  ['County view, a month', () => countyFigures(config, all, month, NOW)],
  ['County view, a quarter', () => countyFigures(config, all, quarter, NOW)],
  ['Dashboard, partner officer (one district, own agency referrals), a month', () => dashboardFigures(config, { districtIds: ['eastmere'], agencyId: 'police', none: false }, month, NOW)],
  ['County view, one district, a quarter', () => countyFigures(config, district, quarter, NOW)],
  ['Public statistics (12 months)', () => publicStatistics(config, NOW)],
  ['Hot-spots, county-wide, three months', () => hotSpotReport(config, { kind: 'all' }, defaultPeriod(NOW))],
  ['Tasking list, county-wide', () => taskingList(config, { kind: 'all' }, NOW)],
  ['Perception against reality', () => perceptionAgainstReality(config, NOW)],
];
const loadBefore = loadavg();
const rows: string[] = ['| Page (function) | median (ms) | p95 (ms) | CPU median (ms) | statements | result rows |', '|---|---:|---:|---:|---:|---:|'];
for (const [name, fn] of measured) {
  const t = await time(fn);
  rows.push(`| ${name} | ${t.median.toFixed(2)} | ${t.p95.toFixed(2)} | ${t.cpu.toFixed(1)} | ${t.statements} | ${t.rowsOut} |`);
  console.log(rows.at(-1));
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(', ');
mkdirSync('bench/results', { recursive: true });
// Notes kept by hand under "## Earlier runs" survive a re-run.
const earlier = existsSync('bench/results/insight.md') ? readFileSync('bench/results/insight.md', 'utf8').split(/^(?=## Earlier runs)/m)[1] ?? '' : '';
const source = reuse
  ? `the database seeded earlier, migrated, and checked as the server's start-up does (${rebuilt ? `it rebuilt ${rebuilt} in ${rebuildSeconds.toFixed(1)} s` : 'no rebuild needed'})`
  : `seeded in ${seedSeconds.toFixed(0)} s (every pre-aggregate rebuilt from the cases in ${rebuildSeconds.toFixed(0)} s)`;
writeFileSync(
  'bench/results/insight.md',
  `# Insight benchmark\n\n${ROWS.toLocaleString('en-GB')} synthetic cases over three years (about ${Math.round(ROWS / 36).toLocaleString('en-GB')} a month) with timers, ` +
    `resolutions, flags and reporters; about ${Math.round(ROWS / 10).toLocaleString('en-GB')} referrals and ${Math.round(ROWS * 0.3).toLocaleString('en-GB')} hotline calls; ` +
    `${aggregates.toLocaleString('en-GB')} insight_counts rows; ${source}. Load average before the measuring ${load(loadBefore)}, at the end ${load(loadavg())}. libSQL file database, ${cpus().length} × ${cpu}, Node ${process.version}. ` +
    `Each figure is the server time of one call of the function the page uses (all its SQL plus mapping; rendering not included), ${RUNS} runs after warm-up, ` +
    'with the CPU time of the process per call (less sensitive to other work on the machine than the wall time), and the SQL statements of one call and the rows they return (a larger read comes back as one row holding a JSON array). ' +
    `Measured on a machine shared with other work. Run with \`npm run bench:insight\` (\`INSIGHT_BENCH_DB=<file> npm run bench:insight\` to seed into a file once and reuse it).\n\n${rows.join('\n')}\n${earlier ? `\n${earlier}` : ''}`,
);
console.log('wrote bench/results/insight.md');
await closeDatabase();
if (!keep && !reuse && !dbPath) rmSync(dir, { recursive: true, force: true });
else if (!reuse) console.log(`kept ${file}`);
