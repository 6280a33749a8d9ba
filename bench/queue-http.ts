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

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROWS = arg('rows', 1_000_000);
const RUNS = arg('runs', 40);
const env = { LOG_LEVEL: 'info', SECRET_KEY: 'bench-secret-key-0123456789' };

// A first start migrates the database and creates the demo staff; then the cases are seeded while it is stopped.
const first = await startServer(env);
await first.stop('SIGTERM', { keepFiles: true });
const config = loadSiteConfig('content');
const wards = config.areas.filter((a) => a.kind === 'ward');
const categories = config.categories;
const client = createClient({ url: first.dbUrl, timeout: 60_000 });
const users = (await client.execute("SELECT id FROM users WHERE role = 'triage_officer' OR role = 'admin'")).rows.map((r) => String(r.id));
const NOW = Date.now();
const SPAN = 3 * 365 * 86_400_000;
const channels = ['web', 'web', 'web', 'phone', 'phone', 'email', 'api'];
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
const t0 = performance.now();
await client.execute('PRAGMA synchronous = OFF');
const COLS = ['id', 'ref', 'kind', 'status', 'status_changed_at', 'channel', 'category_id', 'priority', 'privacy', 'description', 'ward_id', 'district_id', 'owner_id', 'flags', 'tags', 'next_due_at', 'received_at', 'updated_at', 'postcode', 'resolution_code'];
const PER_STMT = Math.floor(30_000 / COLS.length);
const PER_TX = 50_000;
const placeholders = `(${COLS.map(() => '?').join(',')})`;
for (let start = 0; start < ROWS; start += PER_TX) {
  const stmts = [];
  for (let s = start; s < Math.min(ROWS, start + PER_TX); s += PER_STMT) {
    const n = Math.min(PER_STMT, ROWS - s, start + PER_TX - s);
    const args: (string | number | null)[] = [];
    for (let i = 0; i < n; i++) {
      const k = s + i;
      const receivedAt = NOW - SPAN + Math.floor((k / ROWS) * SPAN) - 60_000 - Math.floor(rand() * 60_000);
      const active = NOW - receivedAt < 90 * 86_400_000 ? rand() < 0.45 : rand() < 0.01;
      const status = active ? pick(['new', 'open', 'open', 'open', 'awaiting_reporter', 'referred', 'with_partner'] as const) : rand() < 0.3 ? 'resolved' : 'closed';
      const cat = pick(categories);
      const ward = pick(wards);
      const owner = status === 'new' || !users.length ? null : rand() < 0.1 ? null : pick(users);
      args.push(
        `q${String(k).padStart(19, '0')}`, `QB-${String(k).padStart(7, '0')}`, rand() < 0.9 ? 'report' : 'feedback', status, receivedAt, pick(channels), cat.id, cat.defaultPriority ?? 'P3',
        pick(['named', 'confidential', 'anonymous']), 'Synthetic benchmark case', ward.id, ward.parent ?? null, owner, rand() < 0.08 ? '["repeat_location"]' : '[]', '[]',
        active ? receivedAt + Math.floor(rand() * 40 * 86_400_000) : null, receivedAt, receivedAt, `HM${1 + Math.floor(rand() * 9)} ${Math.floor(rand() * 9)}AB`, active ? null : pick(['action_taken', 'advice_given', 'no_further_action']),
      );
    }
    stmts.push({ sql: `INSERT INTO cases (${COLS.join(',')}) VALUES ${Array.from({ length: n }, () => placeholders).join(',')}`, args });
  }
  await client.batch(stmts, 'write');
  process.stdout.write(`\rseeded ${Math.min(ROWS, start + PER_TX).toLocaleString('en-GB')} cases`);
}
await client.execute('ANALYZE');
client.close();
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
  rows = [
    ['GET /healthz (reference, one query)', reference],
    ['GET /staff/queue (active, newest first)', queue],
    ['GET /staff/queue?status=all', all],
  ].map(([name, m]) => {
    const r = m as { server: number[]; client: number[] };
    return `| ${name as string} | ${r.server.length} | ${fmt(pct(r.server, 50))} | ${fmt(pct(r.server, 95))} | ${fmt(pct(r.client, 50))} | ${fmt(pct(r.client, 95))} |`;
  });
} finally {
  await server.stop();
}
const text = `# Queue page over HTTP\n\nRun ${new Date().toISOString()} on ${process.platform} Node ${process.version}: ${ROWS.toLocaleString('en-GB')} synthetic cases (three years, about 3% active) seeded in ${seedSeconds.toFixed(0)} s into the built server's database (demo content and staff), a signed-in triage officer asking for the full queue page one request at a time, ${RUNS} runs after 3 warm-ups. Server time is the server's request log ("ms"); client time includes loopback. The reference is GET /healthz on the same server in the same run. Target (issue 18): p95 under 25 ms of server time.\n\n| request | runs | server p50 ms | server p95 ms | client p50 ms | client p95 ms |\n|---|---:|---:|---:|---:|---:|\n${rows.join('\n')}\n`;
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/queue-http.md', text);
process.stdout.write(text);
