/**
 * Queue benchmark: seeds a million synthetic cases into a database file (or reuses one seeded before), rebuilds the
 * maintained counters from the cases, then measures the server time of the queue's first page, each single filter,
 * the second page and every count on the page, through the same functions the pages use
 * (src/domains/cases/queue.ts, queue-counts.ts), each count beside the old way (counting over the cases).
 *
 *   node bench/queue.ts [--rows 1000000] [--runs 30] [--db FILE] [--seed-only] [--keep]
 *
 * --db FILE (or QUEUE_BENCH_DB=FILE): seed into FILE when it has no cases and keep it; when it has cases, reuse them
 * (migrate, sync the configuration, rebuild the counters) instead of seeding again. Without it a temporary file is
 * seeded and removed at the end (--keep keeps it). --seed-only stops after seeding.
 * Writes bench/results/queue.md. Not part of the test suite.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { closeDatabase, migrateDatabase, openDatabase } from '../src/platform/db/client.ts';
import { loadSiteConfig } from '../src/platform/config/partnership.ts';
import { syncConfigToDatabase } from '../src/platform/config/sync.ts';
import { setLogLevel } from '../src/platform/log.ts';
import { numberArg, seedQueueCases } from './seed-queue-cases.ts';
import { ensureQueueCounts, rebuildQueueCountStatements } from '../src/domains/cases/queue-counts.ts';
import { countByStatus, countByStatusOnView, fewLabelled, listQueue, queueSql, type QueueFilter, type QueueSort } from '../src/domains/cases/queue.ts';
import { londonMonth } from '../src/platform/time/london.ts';
import { addMonths } from '../src/domains/insight/hot-spots.ts';

const ROWS = numberArg('rows', 1_000_000);
const RUNS = numberArg('runs', 30);
const dbArg = process.argv.indexOf('--db');
const dbFile = dbArg > 0 ? resolve(process.argv[dbArg + 1]!) : process.env.QUEUE_BENCH_DB ? resolve(process.env.QUEUE_BENCH_DB) : null;
const keep = process.argv.includes('--keep') || dbFile !== null;

setLogLevel('silent');
const loadStartText = loadavg().map((x) => x.toFixed(1)).join(', ');
const config = loadSiteConfig('content');
const dir = dbFile ? null : mkdtempSync(join(tmpdir(), 'saferline-bench-'));
const file = dbFile ?? join(dir!, 'bench.db');
const existed = existsSync(file);
const database = await openDatabase({ url: `file:${file}`, timeoutMs: 60_000 });
const migrateStart = performance.now();
await migrateDatabase(database);
const migrateSeconds = (performance.now() - migrateStart) / 1000;
await syncConfigToDatabase(database, config);
const { client } = database;

// Synthetic data from configuration.
const NOW = Date.UTC(2026, 10, 23, 12);
/** The month filter's months: the bench's own, the one before and the same month a year earlier (London). */
const THIS_MONTH = londonMonth(NOW);
const LAST_MONTH = addMonths(THIS_MONTH, -1);
const YEAR_AGO = addMonths(THIS_MONTH, -12);
const officers = Array.from({ length: 20 }, (_, i) => `user-${String(i).padStart(2, '0')}`);

const t0 = performance.now();
const seeded = existed ? Number((await client.execute('SELECT count(*) AS n FROM cases')).rows[0]!.n) : 0;
const reused = seeded > 0;
if (!reused) {
  await client.execute('PRAGMA synchronous = OFF');
  for (const id of officers) {
    await client.execute({ sql: 'INSERT INTO users (id, email, name, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)', args: [id, `${id}@example.org`, `Officer ${id.slice(5)}`, 'triage_officer', NOW, NOW] });
  }
  await seedQueueCases(client, { config, rows: ROWS, now: NOW, officers, prefix: 'b' });
  await client.execute('PRAGMA synchronous = NORMAL');
}
const seedSeconds = (performance.now() - t0) / 1000;
const caseCount = reused ? seeded : ROWS;
process.stdout.write(reused ? `reusing ${caseCount.toLocaleString('en-GB')} cases in ${file}\n` : `\rseeded ${ROWS.toLocaleString('en-GB')} cases in ${seedSeconds.toFixed(1)} s into ${file}\n`);
if (process.argv.includes('--seed-only')) {
  await closeDatabase();
  process.exit(0);
}
if (migrateSeconds > 1) console.log(`migrations applied in ${migrateSeconds.toFixed(1)} s`);

// Referrals for the referred cases still with a partner (sent, or accepted and working), once, and one incident of
// five cases, so the referral-overdue and incident counts have cases to count.
if (Number((await client.execute('SELECT count(*) AS n FROM referrals')).rows[0]!.n) === 0) {
  await client.execute({
    sql:
      "INSERT INTO referrals (id, case_id, agency_id, status, snapshot, sent_by, sent_at, acknowledge_due_at, complete_due_at, updated_at) " +
      "SELECT 'r' || substr(id, 2), id, referred_agency_id, CASE status WHEN 'referred' THEN 'sent' ELSE 'accepted' END, '{}', 'user-00', status_changed_at, " +
      "status_changed_at + 2 * 86400000, status_changed_at + 20 * 86400000, status_changed_at FROM cases WHERE status IN ('referred', 'with_partner') AND referred_agency_id IS NOT NULL",
    args: [],
  });
  await client.execute("INSERT OR IGNORE INTO incidents (id, title, created_by, created_at) VALUES ('bench-incident', 'Bench incident', NULL, 0)");
  await client.execute("UPDATE cases SET incident_id = 'bench-incident' WHERE id IN (SELECT id FROM cases WHERE status = 'open' ORDER BY id LIMIT 5)");
  await client.execute('ANALYZE');
}
// A reused file was analysed when it was seeded: an index a later migration made (or made again) has no statistics,
// and the planner would weigh it blind beside the others. Analyse just those, as the seed analysed the rest.
const unanalysed = (await client.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cases' AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL)")).rows.map((r) => String(r.name));
for (const name of unanalysed) await client.execute(`ANALYZE "${name}"`);
if (unanalysed.length) console.log(`analysed ${unanalysed.length} index(es) without statistics: ${unanalysed.join(', ')}`);

// The queue counters, rebuilt from the cases on every run (a reused file may come from older code), timed.
const rebuildStart = performance.now();
await database.writer.transaction((tx) => tx.batch(rebuildQueueCountStatements()));
const rebuildSeconds = (performance.now() - rebuildStart) / 1000;
// The start-up check after the migration that adds the active counters: those tables empty, so rebuilt.
await client.execute('DELETE FROM queue_active_counts');
await client.execute('DELETE FROM queue_active_owner_counts');
const ensureStart = performance.now();
const rebuiltGroups = await ensureQueueCounts();
const ensureSeconds = (performance.now() - ensureStart) / 1000;
const checkStart = performance.now();
const rebuiltAgain = await ensureQueueCounts();
const checkMs = performance.now() - checkStart;
if (rebuiltGroups.join() !== 'active' || rebuiltAgain.length) throw new Error(`start-up check rebuilt ${rebuiltGroups.join()} then ${rebuiltAgain.join()}`);
const counterRows = (await client.execute('SELECT (SELECT count(*) FROM queue_active_counts) AS a, (SELECT count(*) FROM queue_active_owner_counts) AS ao, (SELECT count(*) FROM queue_finished_counts) AS f, (SELECT count(*) FROM queue_finished_owner_counts) AS fo')).rows[0]!;
const counterSizes = `${counterRows.a} + ${counterRows.ao} active rows (by facets / by owner), ${counterRows.f} + ${counterRows.fo} finished rows`;
console.log(`counters rebuilt in ${rebuildSeconds.toFixed(1)} s (${counterSizes}); start-up check with the active tables new ${ensureSeconds.toFixed(1)} s; check alone ${checkMs.toFixed(0)} ms`);

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
  { name: 'Overdue, by priority', filter: { status: 'all', overdue: true }, sort: 'priority' },
  { name: 'Flag: repeat reporter', filter: { status: 'all', flag: 'repeat_reporter' } },
  { name: 'Flag: ASB Case Review', filter: { status: 'all', flag: 'asb_case_review' } },
  { name: 'Tag', filter: { status: 'all', tag: 'estate-patrol' } },
  { name: 'Flag: ASB Case Review, by priority', filter: { status: 'all', flag: 'asb_case_review' }, sort: 'priority' },
  { name: 'Flag: ASB Case Review, next due', filter: { status: 'all', flag: 'asb_case_review' }, sort: 'due' },
  { name: 'Tag no case carries', filter: { status: 'all', tag: 'no-such-tag' } },
  { name: 'Overdue, active (the page as it opens with the filter)', filter: { status: 'active', overdue: true } },
  { name: 'Flag: ASB Case Review, active', filter: { status: 'active', flag: 'asb_case_review' } },
  { name: 'Flag: repeat reporter, active', filter: { status: 'active', flag: 'repeat_reporter' } },
  { name: 'Tag, active', filter: { status: 'active', tag: 'estate-patrol' } },
  { name: 'Flag: ASB Case Review, active, next due', filter: { status: 'active', flag: 'asb_case_review' }, sort: 'due' },
  { name: 'Flag: repeat reporter, active, by priority', filter: { status: 'active', flag: 'repeat_reporter' }, sort: 'priority' },
  { name: 'Incident (its cases, every status)', filter: { status: 'all', incidentId: 'bench-incident' } },
  { name: 'Sort: oldest first', filter: { status: 'active' }, sort: 'received_asc' },
  { name: 'Sort: next due', filter: { status: 'active' }, sort: 'due' },
  { name: 'Sort: priority', filter: { status: 'active' }, sort: 'priority' },
  { name: 'Active + noise + unassigned', filter: { status: 'active', categoryId: 'noise', owner: 'unassigned' } },
  { name: 'P1 and P2 in a ward, active, by priority (a tasking link)', filter: { status: 'active', wardId: String(sample.ward_id), priority: 'high' }, sort: 'priority' },
  { name: 'P1 and P2, every status', filter: { status: 'all', priority: 'high' } },
  { name: 'Month (last month), every status', filter: { status: 'all', month: LAST_MONTH } },
  { name: 'Month (this month), active', filter: { status: 'active', month: THIS_MONTH } },
  { name: 'Month + ward + category, every status (a hot-spot link)', filter: { status: 'all', month: LAST_MONTH, wardId: String(sample.ward_id), categoryId: 'noise' } },
  { name: 'Month + ward + category, counted reports (an emerging hot-spot link)', filter: { status: 'all', month: LAST_MONTH, wardId: String(sample.ward_id), categoryId: 'noise', counted: true } },
  { name: 'A ward over 36 months, counted reports (a ranking link over the longest period)', filter: { status: 'all', month: addMonths(THIS_MONTH, -35), until: THIS_MONTH, wardId: String(sample.ward_id), counted: true } },
  { name: 'Month (a year ago), active, next due', filter: { status: 'active', month: YEAR_AGO }, sort: 'due' },
  { name: 'Month (this month), active, by priority', filter: { status: 'active', month: THIS_MONTH }, sort: 'priority' },
  { name: 'Month (last month), every status, next due', filter: { status: 'all', month: LAST_MONTH }, sort: 'due' },
  { name: 'Month (last month), every status, by priority', filter: { status: 'all', month: LAST_MONTH }, sort: 'priority' },
  { name: 'Month (this month), overdue', filter: { status: 'active', month: THIS_MONTH, overdue: true } },
];

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: q(0.5), p95: q(0.95) };
}
async function time(fn: () => Promise<unknown>, runs = RUNS) {
  await fn();
  await fn(); // warm
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
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
  const { sql, args } = queueSql(c.filter, sort, null, 50, NOW, false, await fewLabelled(c.filter, NOW));
  const plan = (await client.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args })).rows.map((r) => String(r.detail)).filter((d) => /cases/.test(d) || /TEMP/.test(d)).join('; ');
  out(`| ${c.name} | ${first.rows.length} | ${t1.median.toFixed(2)} | ${t1.p95.toFixed(2)} | ${t2 ? t2.median.toFixed(2) : 'n/a'} | ${plan.replace(/\|/g, '/')} |`);
}
const counts: string[] = [];
const sampleOwner = (await client.execute("SELECT owner_id FROM cases WHERE status = 'open' AND owner_id IS NOT NULL LIMIT 1")).rows[0]!.owner_id;
const district = String(sample.district_id);
const countFilters: [string, QueueFilter][] = [
  ['no other filter', {}],
  ['category', { categoryId: 'noise' }],
  ['district', { districtId: district }],
  ['ward', { wardId: String(sample.ward_id) }],
  ['priority', { priority: 'P3' }],
  ['channel', { channel: 'phone' }],
  ['owner', { owner: String(sampleOwner) }],
  ['unassigned', { owner: 'unassigned' }],
  ['owner + category + channel', { owner: String(sampleOwner), categoryId: 'noise', channel: 'web' }],
  ['district + priority + channel', { districtId: district, priority: 'P3', channel: 'web' }],
  ['district officer scope', { scope: { kind: 'district', districtIds: [district] } }],
  ['district officer scope + unassigned', { owner: 'unassigned', scope: { kind: 'district', districtIds: [district] } }],
  ['partner officer scope (police)', { scope: { kind: 'agency', agencyId: 'police', districtIds: [] } }],
  ['partner officer scope + district team + category', { categoryId: 'drug-dealing', scope: { kind: 'agency', agencyId: 'police', districtIds: [district] } }],
  ['overdue', { overdue: true }],
  ['overdue + district officer scope', { overdue: true, scope: { kind: 'district', districtIds: [district] } }],
  ['overdue + owner', { overdue: true, owner: String(sampleOwner) }],
  ['flag: repeat reporter', { flag: 'repeat_reporter' }],
  ['flag: ASB Case Review + ward', { flag: 'asb_case_review', wardId: String(sample.ward_id) }],
  ['flag: repeat location + partner scope', { flag: 'repeat_location', scope: { kind: 'agency', agencyId: 'police', districtIds: [] } }],
  ['tag', { tag: 'estate-patrol' }],
  ['tag + unassigned', { tag: 'estate-patrol', owner: 'unassigned' }],
  ['referral overdue', { referralOverdue: true }],
  ['referral overdue + partner scope', { referralOverdue: true, scope: { kind: 'agency', agencyId: 'police', districtIds: [] } }],
  ['incident', { incidentId: 'bench-incident' }],
  ['P1 and P2 + ward (a tasking link)', { priority: 'high', wardId: String(sample.ward_id) }],
  ['P1 and P2 + month', { priority: 'high', month: LAST_MONTH }],
  ['month', { month: LAST_MONTH }],
  ['month + ward + category (a hot-spot link)', { month: LAST_MONTH, wardId: String(sample.ward_id), categoryId: 'noise' }],
  ['month + ward + category, counted reports (an emerging hot-spot link)', { month: LAST_MONTH, wardId: String(sample.ward_id), categoryId: 'noise', counted: true }],
  ['month + owner', { month: LAST_MONTH, owner: String(sampleOwner) }],
  ['month + unassigned', { month: LAST_MONTH, owner: 'unassigned' }],
  ['month + district officer scope', { month: LAST_MONTH, scope: { kind: 'district', districtIds: [district] } }],
  ['month + partner officer scope', { month: LAST_MONTH, scope: { kind: 'agency', agencyId: 'police', districtIds: [] } }],
  ['month + overdue', { month: THIS_MONTH, overdue: true }],
  ['month + flag', { month: LAST_MONTH, flag: 'asb_case_review' }],
  ['month + referral overdue', { month: THIS_MONTH, referralOverdue: true }],
  ['month + tag', { month: LAST_MONTH, tag: 'estate-patrol' }],
];
const REF_RUNS = Math.max(3, Math.floor(RUNS / 6));
let worst = 0;
for (const [name, filter] of countFilters) {
  const got = await countByStatus(filter, NOW);
  const want = await countByStatusOnView(filter, NOW);
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${name}: counts ${JSON.stringify(got)} but counting the cases gives ${JSON.stringify(want)}`);
  const matched = Object.values(got).reduce((a, b) => a + b, 0);
  const t = await time(() => countByStatus(filter, NOW));
  const ref = await time(() => countByStatusOnView(filter, NOW), REF_RUNS);
  worst = Math.max(worst, t.median);
  counts.push(`| ${name} | ${matched.toLocaleString('en-GB')} | ${t.median.toFixed(2)} | ${t.p95.toFixed(2)} | ${ref.median.toFixed(1)} |`);
  console.log(counts[counts.length - 1]);
}
const countsHead = '| Counts per status, filter | cases matched | every status, median (ms) | p95 (ms) | reference: counted over the cases (the old way), median (ms) |';
console.log([countsHead, '|---|---:|---:|---:|---:|', ...counts].join('\n'));
console.log(`slowest median ${worst.toFixed(2)} ms`);

const cpu = cpus()[0]?.model ?? 'unknown CPU';
mkdirSync('bench/results', { recursive: true });
const loadStart = loadStartText;
writeFileSync(
  'bench/results/queue.md',
  `# Queue benchmark\n\n${caseCount.toLocaleString('en-GB')} synthetic cases (three years, about 3% still active), libSQL file database, ` +
    `${cpus().length} × ${cpu}, Node ${process.version}. ${reused ? 'A seeded database file was reused' : `Seeding took ${seedSeconds.toFixed(0)} s`}. ` +
    `Each figure is the server time of one call to \`listQueue\` (SQL plus row mapping), ${RUNS} runs after warm-up. ` +
    `Run with \`npm run bench:queue -- --db FILE\` (seeds FILE once, reuses it after). Load average at the start ${loadStart}, at the end ${loadavg().map((x) => x.toFixed(1)).join(', ')}.\n\n${rows.join('\n')}\n\n` +
    `## Counts per status\n\n\`countByStatus\`, the whole call, every status at once, for each filter the queue offers and both officer scopes; ${RUNS} runs after warm-up ` +
    `(the reference ${REF_RUNS}). Every count was checked equal to counting the cases in the same run. ` +
    `The facet filters, the owner and the scopes are answered by the maintained counters (src/domains/cases/queue-counts.ts: ${counterSizes}; ` +
    `rebuilt from the cases in ${rebuildSeconds.toFixed(1)} s; the start-up check after the migration that adds the active counters rebuilt them in ${ensureSeconds.toFixed(1)} s, ` +
    `and takes ${checkMs.toFixed(0)} ms when they agree). Overdue, flag, tag, referral overdue and incident are counted over the cases through the one partial ` +
    `covering index that bounds each (cases matched shows how many they read at most). The reference column counts every status over the cases table ` +
    `(a COUNT(*) per status with the same filter), as the page would without counters.\n\n${countsHead}\n|---|---:|---:|---:|---:|\n${counts.join('\n')}\n`,
);
console.log('wrote bench/results/queue.md');
await closeDatabase();
if (!keep && dir) rmSync(dir, { recursive: true, force: true });
else console.log(`kept ${file}`);
