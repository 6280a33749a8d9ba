/**
 * Queue benchmark: seeds a million synthetic cases into a temp database file, then measures the
 * server time of the queue's first page, each single filter, the second page and the status counts,
 * through the same functions the pages use (src/domains/cases/queue.ts).
 *
 *   node bench/queue.ts [--rows 1000000] [--runs 30] [--keep]
 *
 * Writes bench/results/queue.md. Not part of the test suite.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { closeDatabase, migrateDatabase, openDatabase } from '../src/platform/db/client.ts';
import { loadSiteConfig } from '../src/platform/config/partnership.ts';
import { syncConfigToDatabase } from '../src/platform/config/sync.ts';
import { setLogLevel } from '../src/platform/log.ts';
import { numberArg, seedQueueCases } from './seed-queue-cases.ts';
import { rebuildCounts } from '../src/domains/insight/counts.ts';
import { countByStatus, forgetQueueCounts, warmFinishedCounts, listQueue, queueSql, type QueueFilter, type QueueSort } from '../src/domains/cases/queue.ts';

const ROWS = numberArg('rows', 1_000_000);
const RUNS = numberArg('runs', 30);
const keep = process.argv.includes('--keep');

setLogLevel('silent');
const config = loadSiteConfig('content');
const dir = mkdtempSync(join(tmpdir(), 'saferline-bench-'));
const database = await openDatabase({ url: `file:${join(dir, 'bench.db')}`, timeoutMs: 60_000 });
await migrateDatabase(database);
await syncConfigToDatabase(database, config);
const { client } = database;

// Synthetic data from configuration.
const NOW = Date.UTC(2026, 10, 23, 12);
const officers = Array.from({ length: 20 }, (_, i) => `user-${String(i).padStart(2, '0')}`);

const t0 = performance.now();
await client.execute('PRAGMA synchronous = OFF');
for (const id of officers) {
  await client.execute({ sql: 'INSERT INTO users (id, email, name, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)', args: [id, `${id}@example.org`, `Officer ${id.slice(5)}`, 'triage_officer', NOW, NOW] });
}
await seedQueueCases(client, { config, rows: ROWS, now: NOW, officers, prefix: 'b' });
const rebuildStart = performance.now();
await rebuildCounts(); // the maintained counters, from the seeded cases (the cases domain keeps them after)
const rebuildSeconds = (performance.now() - rebuildStart) / 1000;
await client.execute('PRAGMA synchronous = NORMAL');
const seedSeconds = (performance.now() - t0) / 1000;
process.stdout.write(`\rseeded ${ROWS.toLocaleString('en-GB')} cases in ${seedSeconds.toFixed(1)} s\n`);

// The measured queries: first page of the default view, then each filter on its own.
const sample = (await client.execute("SELECT ward_id, district_id FROM cases WHERE ward_id IS NOT NULL LIMIT 1")).rows[0]!;
const cases: { name: string; filter: QueueFilter; sort?: QueueSort }[] = [
  { name: 'First page (active, newest first)', filter: { status: 'active' } },
  { name: 'All statuses', filter: { status: 'all' } },
  { name: 'Status: new', filter: { status: 'new' } },
  { name: 'Status: closed', filter: { status: 'closed' } },
  { name: 'Category: noise', filter: { status: 'all', categoryId: 'noise' } },
  { name: 'District', filter: { status: 'all', districtId: String(sample.district_id) } },
  { name: 'Ward', filter: { status: 'all', wardId: String(sample.ward_id) } },
  { name: 'Priority: P1', filter: { status: 'all', priority: 'P1' } },
  { name: 'Channel: phone', filter: { status: 'all', channel: 'phone' } },
  { name: 'Owner: one officer', filter: { status: 'all', owner: officers[3] } },
  { name: 'Owner: unassigned', filter: { status: 'all', owner: 'unassigned' } },
  { name: 'Overdue', filter: { status: 'all', overdue: true } },
  { name: 'Flag: repeat reporter', filter: { status: 'all', flag: 'repeat_reporter' } },
  { name: 'Flag: ASB Case Review', filter: { status: 'all', flag: 'asb_case_review' } },
  { name: 'Tag', filter: { status: 'all', tag: 'estate-patrol' } },
  { name: 'Sort: oldest first', filter: { status: 'active' }, sort: 'received_asc' },
  { name: 'Sort: next due', filter: { status: 'active' }, sort: 'due' },
  { name: 'Sort: priority', filter: { status: 'active' }, sort: 'priority' },
  { name: 'Active + noise + unassigned', filter: { status: 'active', categoryId: 'noise', owner: 'unassigned' } },
];

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: q(0.5), p95: q(0.95) };
}
async function time(fn: () => Promise<unknown>) {
  await fn();
  await fn(); // warm
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return stats(samples);
}

const rows: string[] = [];
const out = (line: string) => {
  console.log(line);
  rows.push(line);
};
out('| Query | Rows on page | First page median (ms) | p95 (ms) | Second page median (ms) | Plan |');
out('|---|---:|---:|---:|---:|---|');
for (const c of cases) {
  const sort = c.sort ?? 'received_desc';
  const first = await listQueue(c.filter, sort, null, NOW);
  const t1 = await time(() => listQueue(c.filter, sort, null, NOW));
  const t2 = first.next ? await time(() => listQueue(c.filter, sort, first.next, NOW)) : null;
  const { sql, args } = queueSql(c.filter, sort, null, 50, NOW);
  const plan = (await client.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args })).rows.map((r) => String(r.detail)).filter((d) => /cases/.test(d) || /TEMP/.test(d)).join('; ');
  out(`| ${c.name} | ${first.rows.length} | ${t1.median.toFixed(2)} | ${t1.p95.toFixed(2)} | ${t2 ? t2.median.toFixed(2) : 'n/a'} | ${plan.replace(/\|/g, '/')} |`);
}
const counts: string[] = [];
const countFilters: [string, QueueFilter][] = [
  ['no other filter', { status: 'active' }],
  ['ward', { wardId: String(sample.ward_id) }],
  ['district', { districtId: String(sample.district_id) }],
  ['owner', { owner: officers[3] }],
  ['unassigned', { owner: 'unassigned' }],
  ['category', { categoryId: 'noise' }],
  ['priority', { priority: 'P3' }],
  ['channel', { channel: 'phone' }],
  ['owner + category + channel', { owner: officers[3], categoryId: 'noise', channel: 'web' }],
  ['district officer scope', { scope: { kind: 'district', districtIds: [String(sample.district_id)] } }],
  ['partner officer scope', { scope: { kind: 'agency', agencyId: 'police', districtIds: [] } }],
];
for (const [name, filter] of countFilters) {
  forgetQueueCounts();
  const t = await time(() => countByStatus(filter, NOW));
  const f = await time(() => warmFinishedCounts(filter, NOW));
  counts.push(`| ${name} | ${t.median.toFixed(2)} | ${t.p95.toFixed(2)} | ${f.median.toFixed(2)} |`);
}
const countsHead = '| Counts per status, filter | every status, counters + active index, median (ms) | p95 (ms) | reference: resolved + closed counted over cases (the old way) median (ms) |';
console.log([countsHead, '|---|---:|---:|---:|', ...counts].join('\n'));

const cpu = cpus()[0]?.model ?? 'unknown CPU';
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/queue.md',
  `# Queue benchmark\n\n${ROWS.toLocaleString('en-GB')} synthetic cases (three years, about 3% still active), libSQL file database, ` +
    `${cpus().length} × ${cpu}, Node ${process.version}. Seeding took ${seedSeconds.toFixed(0)} s. ` +
    `Each figure is the server time of one call to \`listQueue\` (SQL plus row mapping), ${RUNS} runs after warm-up. ` +
    `Run with \`node bench/queue.ts\`.\n\n${rows.join('\n')}\n\nCounts per status (\`countByStatus\`, the whole call): the active statuses are counted from the cases_status_facets index; resolved and closed are read from the maintained counters (src/domains/cases/queue-counts.ts; rebuilt from the seeded cases in ${rebuildSeconds.toFixed(0)} s). The reference column counts resolved and closed over the cases as the page did before the counters, in the same run. Load average at the end ${loadavg().map((x) => x.toFixed(1)).join(', ')}.\n\n${countsHead}\n|---|---:|---:|---:|\n${counts.join('\n')}\n`,
);
console.log('wrote bench/results/queue.md');
await closeDatabase();
if (!keep) rmSync(dir, { recursive: true, force: true });
else console.log(`kept ${dir}`);
